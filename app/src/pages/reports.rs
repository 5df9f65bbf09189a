//! The Reports page: pick a report and filters (a GET form, so the page works before hydration), see
//! the first rows and the row count, and download the report as Excel or CSV by plain links.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_location, use_query_map};

use crate::api::reports::preview_report;
use crate::components::errors::LoadError;
use crate::components::export_link::{progress_text, ExportLink};
use crate::domain::reports::{Cell, ColumnType, ReportKind};
use crate::error::AppError;
use crate::format;
use crate::links::ReportsView;
use crate::model::{ExportProgress, Me, ReportPreview, ReportRequest};

#[component]
pub fn ReportsPage() -> impl IntoView {
    let Some(me) = use_context::<Me>() else {
        return Either::Left(view! { <p>"Please sign in."</p> });
    };
    let query = use_query_map();
    let location = use_location();
    let view = Memo::new(move |_| ReportsView::of(&*query.read()));
    let report = Memo::new(move |_| view.get().report);
    let search = move || location.search.get();
    let preview = Resource::new(
        move || (report.get(), search()),
        |(report, query)| preview_report(ReportRequest { report, query }),
    );
    let progress = RwSignal::new(None::<ExportProgress>);
    let chosen_pools = move || view.get().pools;
    let pool_boxes = me
        .pools
        .iter()
        .map(|p| {
            let id = p.id.to_string();
            let input_id = format!("report-va-{}", p.id);
            let label_for = input_id.clone();
            let checked = {
                let id = id.clone();
                move || chosen_pools().contains(&id)
            };
            view! {
                <label class="check" for=label_for>
                    <input type="checkbox" id=input_id name="va" value=id prop:checked=checked />
                    {p.name.clone()}
                </label>
            }
        })
        .collect_view();
    Either::Right(view! {
        <Title text="Reports" />
        <h1>"Reports"</h1>
        <Form method="GET" on_form_data=crate::components::without_unnamed() action="/reports" attr:class="report-form">
            <fieldset class="report-kinds">
                <legend>"Report"</legend>
                {ReportKind::SINGLE
                    .into_iter()
                    .map(|k| {
                        let input_id = format!("report-{}", k.slug());
                        let label_for = input_id.clone();
                        view! {
                            <label class="radio" for=label_for>
                                <input
                                    type="radio"
                                    id=input_id
                                    name="report"
                                    value=k.slug()
                                    prop:checked=move || report.get() == k
                                />
                                <span class="radio-title">{k.title()}</span>
                                <span class="hint">{k.description()}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <fieldset class="report-pools" aria-describedby="report-va-hint report-va-error">
                <legend>"Virtual accounts"</legend>
                <p class="hint" id="report-va-hint">"None ticked: every virtual account you can see."</p>
                {pool_boxes}
                <ReportFieldError preview field="va" />
            </fieldset>
            <div class="report-filters">
                {move || report_filters(view.get(), preview)}
            </div>
            <button type="submit" class="button button-primary">"Show preview"</button>
        </Form>
        <p class="export-progress" role="status" aria-live="polite">
            {move || progress.get().map(progress_text)}
        </p>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Ok(p) => Either::Left(view! { <Preview kind=report.get_untracked() preview=p progress /> }),
                    Err(AppError::Validation { .. }) => Either::Right(Either::Left(view! {
                        <p class="empty">"Correct the filters above to see the report."</p>
                    })),
                    Err(error) => Either::Right(Either::Right(view! { <LoadError error /> })),
                }
            })}
        </Transition>
    })
}

type PreviewResource = Resource<Result<ReportPreview, AppError>>;

/// The message under a filter when the server refused its value.
#[component]
fn ReportFieldError(preview: PreviewResource, field: &'static str) -> impl IntoView {
    let message = move || {
        preview
            .get()
            .and_then(|r| r.err())
            .and_then(|e| e.for_field(field))
    };
    view! {
        <Transition fallback=|| ()>
            {move || message().map(|m| view! { <p class="field-error" id=format!("report-{field}-error")>{m}</p> })}
        </Transition>
    }
}

/// The filters the chosen report takes.
fn report_filters(view: ReportsView, preview: PreviewResource) -> impl IntoView {
    let ReportsView {
        report: kind,
        status,
        license,
        from,
        to,
        ..
    } = view;
    let status_field = (!kind.statuses().is_empty()).then(|| {
        let options = kind
            .statuses()
            .iter()
            .map(|s| {
                view! { <option value=s.code() selected=status == Some(*s)>{s.label()}</option> }
            })
            .collect_view();
        view! {
            <div class="field">
                <label for="report-status">"Status"</label>
                <select id="report-status" name="status" aria-describedby="report-status-error">
                    <option value="" selected=status.is_none()>"Any status"</option>
                    {options}
                </select>
                <ReportFieldError preview field="status" />
            </div>
        }
    });
    let license_field = kind.has_license_filter().then(|| {
        view! {
            <div class="field">
                <label for="report-license">"License (entitlement tag)"</label>
                <input id="report-license" name="license" type="text" value=license
                    placeholder="e.g. A9K-100G-LIC" aria-describedby="report-license-error" />
                <ReportFieldError preview field="license" />
            </div>
        }
    });
    let date_fields = kind.date_label().map(|label| {
        [("from", from), ("to", to)]
            .into_iter()
            .map(|(field, value)| {
                view! {
                    <div class="field">
                        <label for=format!("report-{field}")>{format!("{label} {field}")}</label>
                        <input id=format!("report-{field}") name=field type="date"
                            value=value
                            aria-describedby=format!("report-{field}-error") />
                        <ReportFieldError preview field />
                    </div>
                }
            })
            .collect_view()
    });
    view! { {status_field} {license_field} {date_fields} }
}

/// The row count, the export links and the first rows.
#[component]
fn Preview(
    kind: ReportKind,
    preview: ReportPreview,
    progress: RwSignal<Option<ExportProgress>>,
) -> impl IntoView {
    let query = preview.query.clone();
    let link = move |kind: ReportKind, ext: &str| {
        if query.is_empty() {
            format!("/export/{}.{ext}", kind.slug())
        } else {
            format!("/export/{}.{ext}?{query}", kind.slug())
        }
    };
    let total = preview.total;
    let shown = preview.rows.len();
    let numeric: Vec<bool> = preview
        .columns
        .iter()
        .map(|(_, t)| *t == ColumnType::Number)
        .collect();
    let head = preview
        .columns
        .iter()
        .map(|(title, _)| view! { <th scope="col">{title.clone()}</th> })
        .collect_view();
    let body = preview
        .rows
        .into_iter()
        .map(|row| {
            let cells = row
                .into_iter()
                .zip(numeric.iter().copied())
                .map(|(cell, num)| {
                    let class = if num { "num" } else { "" };
                    view! { <td class=class>{cell_text(&cell)}</td> }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    let summary = match total {
        0 => "No rows match.".to_owned(),
        1 => "1 row.".to_owned(),
        n if (n as usize) > shown => format!("{n} rows; the first {shown} are shown."),
        n => format!("{n} rows."),
    };
    view! {
        <section class="report-preview" aria-labelledby="preview-heading">
            <div class="report-preview-head">
                <h2 id="preview-heading">{kind.title()}</h2>
                <p class="report-count">{summary}</p>
                <div class="export-links">
                    <ExportLink href=link(kind, "xlsx") label="Export to Excel" progress />
                    <ExportLink href=link(kind, "csv") label="Export to CSV" progress />
                    <ExportLink href=link(ReportKind::FullInventory, "xlsx") label="Full Inventory (Excel)" progress />
                </div>
            </div>
            {(shown > 0).then(|| view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label="Preview rows">
                    <table class="table report-table">
                        <thead><tr>{head}</tr></thead>
                        <tbody>{body}</tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Time(t) => format::minute(*t),
        other => other.display(),
    }
}
