//! The Reports page: a preview of a report (its first rows and its row count), and how far an export
//! has got. The exports themselves are plain GET routes of the server (`/export/<report>.xlsx|csv`).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{ExportProgress, ReportPreview, ReportRequest};

/// Rows the preview shows.
pub const PREVIEW_ROWS: u64 = 20;

/// The first rows of a report with the filters of its query string
/// (`va=1&va=2&status=…&license=…&from=…&to=…`).
#[server(endpoint = "reports/preview")]
pub async fn preview_report(
    #[server(flatten)] request: ReportRequest,
) -> Result<ReportPreview, AppError> {
    use crate::domain::reports::{ReportFilter, ReportKind};
    use crate::services::reports;

    let (state, actor) = super::session::current().await?;
    let kind = Some(request.report)
        .filter(|k| *k != ReportKind::FullInventory)
        .ok_or_else(|| AppError::validation("report", "Choose a report."))?;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(request.query.as_bytes())
        .into_owned()
        .collect();
    let filter = ReportFilter::parse(kind, pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let canonical = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(filter.to_pairs())
        .finish();
    let scope = reports::scope(&state.db, &actor, filter, state.now()).await?;
    let total = reports::count(&state.db, &scope, kind).await?;
    let page = reports::page(&state.db, &scope, kind, None, PREVIEW_ROWS).await?;
    Ok(ReportPreview {
        columns: kind
            .columns()
            .iter()
            .map(|c| (c.title.to_owned(), c.kind))
            .collect(),
        rows: page.rows,
        total,
        query: canonical,
    })
}

/// How far the user's export that the page started as `id` has got (None: not started yet).
#[server(endpoint = "reports/export-progress")]
pub async fn get_export_progress(id: String) -> Result<Option<ExportProgress>, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::export_progress::get(&state.db, actor.user_id, &id).await
}
