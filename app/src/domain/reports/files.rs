//! What an export file holds beyond its cells: CSV encoding (formula-safe), sheet and file names.

use chrono::NaiveDate;

use super::{Cell, ReportKind};

/// A CSV field: text a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or
/// carriage return) gets a leading apostrophe, and fields with separators or quotes are quoted.
/// Numbers and times are ours, never typed by a user, and are written as they are.
pub fn csv_field(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => {
            let neutral = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{s}")
            } else {
                s.clone()
            };
            if neutral.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", neutral.replace('"', "\"\""))
            } else {
                neutral
            }
        }
        other => other.display(),
    }
}

/// One CSV line (CRLF-terminated, as RFC 4180 has it).
pub fn csv_line<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> String {
    let mut line = cells
        .into_iter()
        .map(csv_field)
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// The name of the `n`th (0-based) sheet of a report that spills over Excel's row limit.
pub fn sheet_name(kind: ReportKind, n: usize) -> String {
    if n == 0 {
        kind.title().to_owned()
    } else {
        format!("{} ({})", kind.title(), n + 1)
    }
}

/// The download's file name: `<account>-<report>-<YYYY-MM-DD>.<ext>`, with anything but letters,
/// digits, `-` and `_` in the account name replaced by `-`.
pub fn file_name(account: &str, kind: ReportKind, day: NaiveDate, ext: &str) -> String {
    let mut safe: String = account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    while safe.contains("--") {
        safe = safe.replace("--", "-");
    }
    let safe = safe.trim_matches('-');
    let safe = if safe.is_empty() { "account" } else { safe };
    format!("{safe}-{}-{day}.{ext}", kind.slug())
}
