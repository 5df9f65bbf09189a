//! Unit tests of the report rules: filters from query strings, CSV neutralisation, names.

use chrono::NaiveDate;

use super::*;

fn parse(
    kind: ReportKind,
    q: &[(&str, &str)],
) -> Result<ReportFilter, crate::domain::error::FieldError> {
    ReportFilter::parse(kind, q.iter().copied())
}

#[test]
fn every_report_round_trips_through_its_slug() {
    for kind in ReportKind::SINGLE
        .into_iter()
        .chain([ReportKind::FullInventory])
    {
        assert_eq!(ReportKind::parse(kind.slug()), Some(kind));
        assert!(
            kind.title().len() <= 31,
            "{} is too long for a sheet name",
            kind.title()
        );
    }
    assert_eq!(ReportKind::parse("passwords"), None);
}

#[test]
fn filters_read_repeated_pools_dates_status_and_license() {
    let f = parse(
        ReportKind::ProductInstances,
        &[
            ("va", "3"),
            ("va", "5"),
            ("va", "3"),
            ("status", "failed_to_connect"),
            ("license", " A9K-100G-LIC "),
            ("from", "2026-01-01"),
            ("to", "2026-01-31"),
            ("report", "product-instances"),
        ],
    )
    .unwrap();
    assert_eq!(f.pools, vec![3, 5]);
    assert_eq!(f.status, Some(ReportStatus::FailedToConnect));
    assert_eq!(f.license.as_deref(), Some("A9K-100G-LIC"));
    let back = ReportFilter::parse(
        ReportKind::ProductInstances,
        f.to_pairs().iter().map(|(k, v)| (*k, v.as_str())),
    )
    .unwrap();
    assert_eq!(back, f);
}

#[test]
fn empty_values_and_all_mean_no_filter() {
    let f = parse(
        ReportKind::Tokens,
        &[
            ("va", "all"),
            ("status", ""),
            ("from", " "),
            ("license", ""),
        ],
    )
    .unwrap();
    assert_eq!(f, ReportFilter::default());
}

#[test]
fn bad_values_name_their_field() {
    let field = |kind, q: &[(&str, &str)]| parse(kind, q).unwrap_err().field;
    assert_eq!(field(ReportKind::Tokens, &[("va", "east")]), "va");
    assert_eq!(field(ReportKind::Tokens, &[("from", "2026-13-01")]), "from");
    assert_eq!(field(ReportKind::Tokens, &[("to", "yesterday")]), "to");
    assert_eq!(
        field(
            ReportKind::Tokens,
            &[("from", "2026-02-01"), ("to", "2026-01-01")]
        ),
        "to"
    );
    assert_eq!(
        field(ReportKind::Tokens, &[("status", "authorized")]),
        "status"
    );
    assert_eq!(
        field(ReportKind::Licenses, &[("license", &"X".repeat(65))]),
        "license"
    );
}

#[test]
fn a_status_is_ignored_by_reports_without_statuses() {
    let f = parse(ReportKind::EventLog, &[("status", "active")]).unwrap();
    assert_eq!(f.status, None);
    let full = parse(ReportKind::FullInventory, &[("status", "revoked")]).unwrap();
    assert_eq!(full.status, Some(ReportStatus::Revoked));
}

#[test]
fn the_date_range_covers_whole_days() {
    let f = parse(
        ReportKind::EventLog,
        &[("from", "2026-03-01"), ("to", "2026-03-01")],
    )
    .unwrap();
    let (start, end) = f.time_range();
    assert_eq!(start.unwrap().to_rfc3339(), "2026-03-01T00:00:00+00:00");
    assert_eq!(end.unwrap().to_rfc3339(), "2026-03-02T00:00:00+00:00");
}

#[test]
fn csv_neutralises_formulas_in_typed_text() {
    for evil in ["=1+2", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
        let out = csv_field(&Cell::text(evil));
        assert!(
            out.starts_with('\'') || out.starts_with("\"'"),
            "{evil:?} became {out:?}"
        );
    }
    assert_eq!(
        csv_field(&Cell::text("=HYPERLINK(\"x\")")),
        "\"'=HYPERLINK(\"\"x\"\")\""
    );
    assert_eq!(csv_field(&Cell::text("plain")), "plain");
    assert_eq!(csv_field(&Cell::text("a,b")), "\"a,b\"");
    assert_eq!(csv_field(&Cell::text("two\nlines")), "\"two\nlines\"");
    // Our own numbers stay numbers, negative balances included.
    assert_eq!(csv_field(&Cell::Number(-3)), "-3");
    assert_eq!(csv_field(&Cell::Empty), "");
}

#[test]
fn csv_lines_end_with_crlf() {
    let line = csv_line(&[Cell::text("a"), Cell::Number(1), Cell::Empty]);
    assert_eq!(line, "a,1,\r\n");
}

#[test]
fn spilled_sheets_are_numbered() {
    assert_eq!(
        sheet_name(ReportKind::ProductInstances, 0),
        "Product Instances"
    );
    assert_eq!(
        sheet_name(ReportKind::ProductInstances, 1),
        "Product Instances (2)"
    );
}

#[test]
fn file_names_carry_the_account_and_the_day() {
    let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    assert_eq!(
        file_name("Acme Networks", ReportKind::Licenses, day, "xlsx"),
        "Acme-Networks-licenses-2026-11-28.xlsx"
    );
    assert_eq!(
        file_name("\"../x\"", ReportKind::Tokens, day, "csv"),
        "x-tokens-2026-11-28.csv"
    );
    assert_eq!(
        file_name("ÄÖ", ReportKind::Tokens, day, "csv"),
        "account-tokens-2026-11-28.csv"
    );
}
