//! Unit tests of the typed URLs: encoding, defaults, round trips, detail links.

use super::*;
use crate::domain::events::EventKind;
use crate::domain::reports::{ReportKind, ReportStatus};
use crate::model::{InstanceSort, LicenseSort, SortDir};

#[test]
fn values_are_encoded_but_unreserved_characters() {
    assert_eq!(
        href("/x", &[("q", "East 100%&x=é".into())]),
        "/x?q=East%20100%25%26x%3D%C3%A9"
    );
    assert_eq!(href("/x", &[("q", "a-b_c.d~".into())]), "/x?q=a-b_c.d~");
    assert_eq!(href("/x", &[]), "/x");
}

#[test]
fn instance_links_keep_search_and_order_and_encode_the_cursor() {
    let p = InstancesView {
        pool: 2,
        q: "e2e router".into(),
        sort: InstanceSort::LastContact,
        dir: SortDir::Desc,
        ..InstancesView::default()
    };
    assert_eq!(
        p.list_href(),
        "/inventory?va=2&tab=instances&q=e2e%20router&sort=last_contact&dir=desc"
    );
    let next = InstancesView {
        after: Some("2026-01-01T00:00:00+00:00\u{1f}7".into()),
        ..p
    };
    assert!(next
        .list_href()
        .ends_with("&after=2026-01-01T00%3A00%3A00%2B00%3A00%1F7"));
}

#[test]
fn unknown_or_missing_values_fall_back_to_the_defaults() {
    let q: &[(&str, &str)] = &[("sort", "bogus"), ("dir", "sideways"), ("page", "x")];
    let licenses = LicensesView::of(3, q);
    assert_eq!(
        (licenses.sort, licenses.dir, licenses.page),
        (LicenseSort::License, SortDir::Asc, 1)
    );
    let instances = InstancesView::of(3, q);
    assert_eq!(
        (instances.sort, instances.dir),
        (InstanceSort::Hostname, SortDir::Asc)
    );
    // Times sort newest first until the URL says otherwise.
    let by_contact: &[(&str, &str)] = &[("sort", "last_contact")];
    assert_eq!(InstancesView::of(3, by_contact).dir, SortDir::Desc);
    assert_eq!(Tab::of(&[("tab", "nope")][..]), Tab::General);
}

#[test]
fn a_view_read_from_its_own_link_is_the_same_view() {
    let view = LicensesView {
        pool: 4,
        q: "a&b".into(),
        sort: LicenseSort::Balance,
        dir: SortDir::Desc,
        page: 3,
        license: None,
        transfer: None,
    };
    let href = view.list_href();
    let query = href.split_once('?').unwrap().1;
    let pairs: Vec<(String, String)> = query
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (
                k.to_owned(),
                percent_encoding::percent_decode_str(v)
                    .decode_utf8()
                    .unwrap()
                    .into_owned(),
            )
        })
        .collect();
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(LicensesView::of(4, pairs.as_slice()), view);
    assert_eq!(Tab::of(pairs.as_slice()), Tab::Licenses);
}

#[test]
fn detail_links_name_only_what_they_show() {
    assert_eq!(
        LicensesView::license_href(2, 9),
        "/inventory?va=2&tab=licenses&license=9"
    );
    assert_eq!(
        InstancesView::instance_href(2, 5, true),
        "/inventory?va=2&tab=instances&instance=5&transfer=1"
    );
    assert_eq!(
        GeneralView {
            pool: 2,
            revoke: Some(7),
            ..GeneralView::default()
        }
        .href(),
        "/inventory?va=2&tab=general&revoke=7"
    );
    assert_eq!(
        EventsView {
            pool: 2,
            kind: Some(EventKind::TokenCreated),
            q: String::new(),
            before: Some(40),
            ..EventsView::default()
        }
        .href(),
        "/inventory?va=2&tab=events&kind=token.created&q=&before=40"
    );
    assert_eq!(
        EventsView {
            account: true,
            from: "2026-12-01".into(),
            to: "2026-12-06".into(),
            ..EventsView::default()
        }
        .href(),
        "/events?kind=&q=&from=2026-12-01&to=2026-12-06"
    );
}

#[test]
fn an_instance_list_link_keeps_its_status_cursor_and_page() {
    let view = InstancesView {
        pool: 5,
        q: "pop-01".into(),
        status: Some(crate::protocol::InstanceStatus::FailedToConnect),
        before: Some("b\u{1f}9".into()),
        page: 4,
        ..InstancesView::default()
    };
    let href = view.list_href();
    assert!(href.contains("&status=failed_to_connect&"), "{href}");
    let query = href.split_once('?').unwrap().1;
    let pairs: Vec<(String, String)> = query
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            let v = percent_encoding::percent_decode_str(v)
                .decode_utf8()
                .unwrap();
            (k.to_owned(), v.into_owned())
        })
        .collect();
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(InstancesView::of(5, pairs.as_slice()), view);
}

#[test]
fn the_reports_form_keeps_what_was_typed() {
    let q: &[(&str, &str)] = &[
        ("report", "full-inventory"),
        ("va", "1"),
        ("va", "3"),
        ("status", "revoked"),
        ("from", "not a date"),
    ];
    let view = ReportsView::of(q);
    // The Full Inventory is an export only: the page previews the first report instead.
    assert_eq!(view.report, ReportKind::Licenses);
    assert_eq!(view.pools, ["1", "3"]);
    assert_eq!(view.status, Some(ReportStatus::Revoked));
    assert_eq!(view.from, "not a date");
}
