//! `GET /export/<report>.xlsx` and `GET /export/<report>.csv`, with the Reports page's filters in the
//! query string: plain links that work before hydration and from scripts with a session cookie.
//!
//! Rows are read in keyset pages. CSV streams as it is read. A workbook is written on a blocking
//! thread into a temporary file (constant-memory sheets), fed page by page through a small channel,
//! then sent; at most `app::state::CONCURRENT_EXPORTS` exports run at once in a process (permits in
//! `AppState`) and the rest wait their turn. Progress goes to the database for the page to poll.

pub mod xlsx;

use app::api::session::actor_of;
use app::domain::reports::{csv_line, file_name, Cell, ReportFilter, ReportKind};
use app::error::AppError;
use app::services::export_progress::{self, Job};
use app::services::reports;
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::{mpsc, OwnedSemaphorePermit};
use tokio_stream::wrappers::ReceiverStream;
use tower_sessions::Session;

use self::xlsx::{ExportError, ExportInfo, XlsxWriter};

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV_TYPE: &str = "text/csv; charset=utf-8";

/// The export routes (inside the session layer).
pub fn routes() -> Router<AppState> {
    Router::new().route("/export/{file}", get(export))
}

/// The formats an export comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Csv,
}

fn parse_file(file: &str) -> Option<(ReportKind, Format)> {
    let (slug, ext) = file.rsplit_once('.')?;
    let format = match ext {
        "xlsx" => Format::Xlsx,
        "csv" => Format::Csv,
        _ => return None,
    };
    let kind = ReportKind::parse(slug)?;
    // A CSV file holds one table: the Full Inventory is a workbook only.
    (kind != ReportKind::FullInventory || format == Format::Xlsx).then_some((kind, format))
}

async fn export(
    State(state): State<AppState>,
    session: Session,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    match prepare(&state, &session, &file, query.as_deref().unwrap_or("")).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn prepare(
    state: &AppState,
    session: &Session,
    file: &str,
    query: &str,
) -> Result<Response, AppError> {
    parse_file(file).ok_or(AppError::NotFound)?;
    let (actor, account) = actor_of(state, session).await?;
    prepare_for(state, &actor, account.name, file, query).await
}

/// The export of `file` (`<report>.<xlsx|csv>`) with the filters of `query`, for `actor` of the smart
/// account `account`: the browser's export and the REST API's alike.
pub async fn prepare_for(
    state: &AppState,
    actor: &app::domain::roles::Actor,
    account: String,
    file: &str,
    query: &str,
) -> Result<Response, AppError> {
    let (kind, format) = parse_file(file).ok_or(AppError::NotFound)?;
    let user_id = actor.user_id;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let progress = pairs
        .iter()
        .find(|(k, _)| k == "progress")
        .map(|(_, v)| v.clone())
        .filter(|id| export_progress::valid_id(id))
        .map(|id| Job { id, user_id });
    let filter = ReportFilter::parse(kind, pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let now = state.now();
    let scope = reports::scope(&state.db, actor, filter, now).await?;
    let name = file_name(
        &account,
        kind,
        now.date_naive(),
        if format == Format::Xlsx {
            "xlsx"
        } else {
            "csv"
        },
    );
    let info = ExportInfo {
        account,
        generated_at: now,
        filters: describe_filters(&scope),
    };
    let permit = state
        .exports
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| app::error::internal("export permits closed", &e))?;
    if let Some(job) = &progress {
        let total = reports::count(&state.db, &scope, kind).await?;
        export_progress::start(&state.db, job, total, state.now()).await?;
    }
    let response = match format {
        Format::Csv => {
            // The permit travels with the stream, so a CSV still counts while it is being sent.
            let body = csv_body(state.clone(), scope, kind, progress.clone(), permit);
            attachment(CSV_TYPE, &name, body, None)
        }
        Format::Xlsx => {
            let result = write_workbook(state, &scope, kind, progress.as_ref(), info).await;
            drop(permit);
            if let Some(job) = &progress {
                export_progress::finish(&state.db, job, state.now()).await?;
            }
            let (file, len) = result?;
            let stream = tokio_util::io::ReaderStream::new(file);
            attachment(XLSX_TYPE, &name, Body::from_stream(stream), Some(len))
        }
    };
    Ok(response)
}

fn attachment(content_type: &'static str, name: &str, body: Body, len: Option<u64>) -> Response {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // `file_name` keeps names to ASCII letters, digits, `-`, `_` and `.`: safe inside quotes.
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(len) = len {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    response
}

/// The filters in words, for the summary sheet.
fn describe_filters(scope: &reports::Scope) -> String {
    let mut parts = Vec::new();
    if scope.all_pools {
        parts.push("Virtual accounts: all you can see".to_owned());
    } else {
        let names: Vec<&str> = scope.pools.iter().map(|p| p.name.as_str()).collect();
        parts.push(format!("Virtual accounts: {}", names.join(", ")));
    }
    let f = &scope.filter;
    if let Some(s) = f.status {
        parts.push(format!("Status: {}", s.label()));
    }
    if let Some(l) = &f.license {
        parts.push(format!("License: {l}"));
    }
    match (f.from, f.to) {
        (Some(a), Some(b)) => parts.push(format!("Dates: {a} to {b}")),
        (Some(a), None) => parts.push(format!("Dates: from {a}")),
        (None, Some(b)) => parts.push(format!("Dates: until {b}")),
        (None, None) => {}
    }
    parts.join("; ")
}

/// A message from the page reader to the workbook writer.
enum ToWriter {
    Begin(ReportKind),
    Rows(Vec<Vec<Cell>>),
}

/// Writes the workbook into a temporary file (already unlinked) and returns it open, with its size.
async fn write_workbook(
    state: &AppState,
    scope: &reports::Scope,
    kind: ReportKind,
    progress: Option<&Job>,
    info: ExportInfo,
) -> Result<(tokio::fs::File, u64), AppError> {
    let (tx, mut rx) = mpsc::channel::<ToWriter>(2);
    let writer = tokio::task::spawn_blocking(move || -> Result<std::fs::File, ExportError> {
        let mut book = XlsxWriter::new(kind)?;
        while let Some(message) = rx.blocking_recv() {
            match message {
                ToWriter::Begin(part) => book.begin(part)?,
                ToWriter::Rows(rows) => book.write_rows(&rows)?,
            }
        }
        let tmp = tempfile::Builder::new()
            .prefix("portal-export-")
            .suffix(".xlsx")
            .tempfile()?;
        book.finish(tmp.path(), &info)?;
        // Open, then let the temporary path go: the open file is all the response needs.
        Ok(std::fs::File::open(tmp.path())?)
    });
    let read = async {
        let mut written = 0u64;
        for part in kind.parts() {
            // A closed channel means the writer failed; its error is reported below.
            if tx.send(ToWriter::Begin(part)).await.is_err() {
                return Ok(());
            }
            let mut after = None;
            loop {
                let page =
                    reports::page(&state.db, scope, part, after, reports::EXPORT_PAGE_ROWS).await?;
                written += page.rows.len() as u64;
                if tx.send(ToWriter::Rows(page.rows)).await.is_err() {
                    return Ok(());
                }
                if let Some(job) = progress {
                    export_progress::update(&state.db, job, written, state.now()).await?;
                }
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
        }
        Ok::<(), AppError>(())
    }
    .await;
    drop(tx);
    let written = writer.await?;
    read?;
    let file = written.map_err(|e| app::error::internal("writing a workbook failed", &e))?;
    let len = file
        .metadata()
        .map_err(|e| app::error::internal("reading a workbook's size failed", &e))?
        .len();
    Ok((tokio::fs::File::from_std(file), len))
}

/// A CSV body that reads the rows page by page as the client takes them.
fn csv_body(
    state: AppState,
    scope: reports::Scope,
    kind: ReportKind,
    progress: Option<Job>,
    permit: OwnedSemaphorePermit,
) -> Body {
    let (tx, rx) = mpsc::channel::<Result<String, std::io::Error>>(2);
    tokio::spawn(async move {
        let _permit = permit;
        // A byte-order mark, so that Excel reads the file as UTF-8.
        let mut first = String::from("\u{feff}");
        first.push_str(&csv_line(
            &kind
                .columns()
                .iter()
                .map(|c| Cell::text(c.title))
                .collect::<Vec<_>>(),
        ));
        if tx.send(Ok(first)).await.is_err() {
            return;
        }
        let read = |after: Option<i64>| {
            let (state, scope) = (&state, &scope);
            async move { reports::page(&state.db, scope, kind, after, reports::EXPORT_PAGE_ROWS).await }
        };
        let mut written = 0u64;
        let mut page = read(None).await;
        loop {
            let current = match page {
                Ok(current) => current,
                Err(_) => {
                    // Logged where it failed; the client sees the download break off.
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    break;
                }
            };
            written += current.rows.len() as u64;
            // The reader stays a page ahead: the next page is read while this one is formatted
            // and handed to the client (the query itself runs on the pool's connection).
            let next = current.next;
            let (following, sent) = tokio::join!(
                async {
                    match next {
                        Some(after) => Some(read(Some(after)).await),
                        None => None,
                    }
                },
                async {
                    let chunk: String = current.rows.iter().map(csv_line).collect();
                    tx.send(Ok(chunk)).await
                }
            );
            if sent.is_err() {
                break;
            }
            if let Some(job) = &progress {
                let _ = export_progress::update(&state.db, job, written, state.now()).await;
            }
            match following {
                Some(following) => page = following,
                None => break,
            }
        }
        if let Some(job) = &progress {
            let _ = export_progress::finish(&state.db, job, state.now()).await;
        }
    });
    Body::from_stream(ReceiverStream::new(rx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_pick_report_and_format() {
        assert_eq!(
            parse_file("licenses.xlsx"),
            Some((ReportKind::Licenses, Format::Xlsx))
        );
        assert_eq!(
            parse_file("event-log.csv"),
            Some((ReportKind::EventLog, Format::Csv))
        );
        assert_eq!(
            parse_file("full-inventory.xlsx"),
            Some((ReportKind::FullInventory, Format::Xlsx))
        );
        assert_eq!(parse_file("full-inventory.csv"), None);
        assert_eq!(parse_file("licenses.pdf"), None);
        assert_eq!(parse_file("secrets.csv"), None);
        assert_eq!(parse_file("licenses"), None);
    }
}
