//! The Reports page: a preview and an export's progress.

use serde::{Deserialize, Serialize};

/// What the Reports page shows of a report: its columns, the first rows and how many there are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportPreview {
    pub columns: Vec<(String, crate::domain::reports::ColumnType)>,
    pub rows: Vec<Vec<crate::domain::reports::Cell>>,
    pub total: u64,
    /// The filters as the server understood them, to build the export links.
    pub query: String,
}

/// How far an export has got, for the Reports page while the browser waits for the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportProgress {
    pub rows: u64,
    pub total: u64,
    pub done: bool,
}

/// A report's preview (`reports/preview`): which report, and the page's query string as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRequest {
    pub report: crate::domain::reports::ReportKind,
    #[serde(default)]
    pub query: String,
}
