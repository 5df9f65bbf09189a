//! Writing reports as an Excel workbook: constant-memory sheets (rows go to disk as they come), a bold
//! frozen header with an autofilter, widths from the report's columns, real numbers and dates, and a
//! continuation sheet whenever a report passes Excel's 1,048,576 rows. Blocking: run it on a blocking
//! thread.

use std::path::Path;

use app::domain::reports::{sheet_name, Cell, ReportKind, EXCEL_MAX_ROWS};
use chrono::{DateTime, Utc};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

/// Why writing a workbook failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the workbook could not be written: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("the workbook's file failed: {0}")]
    Io(#[from] std::io::Error),
}

/// What the summary sheet says about the export.
#[derive(Debug, Clone)]
pub struct ExportInfo {
    pub account: String,
    pub generated_at: DateTime<Utc>,
    /// The filters in words, e.g. "Virtual accounts: East, West; Status: Active".
    pub filters: String,
}

/// Where a report's rows go now.
#[derive(Debug)]
struct Part {
    kind: ReportKind,
    /// Names of the sheets the report fills, in order.
    sheets: Vec<String>,
    /// Index of the current sheet in the workbook.
    sheet: usize,
    /// Next row to write in the current sheet (0 is the header).
    row: u32,
    rows: u64,
}

/// A workbook being written.
pub struct XlsxWriter {
    workbook: Workbook,
    header: Format,
    time: Format,
    bold: Format,
    /// Rows per sheet, header included (Excel's limit; smaller in tests).
    sheet_rows: u32,
    /// Index of the summary sheet.
    summary: usize,
    done: Vec<Part>,
    part: Option<Part>,
    sheet_count: usize,
}

impl XlsxWriter {
    /// A workbook; a Full Inventory has its summary sheet first, a single report last.
    pub fn new(kind: ReportKind) -> Result<XlsxWriter, XlsxError> {
        XlsxWriter::with_sheet_rows(kind, EXCEL_MAX_ROWS)
    }

    /// As `new`, with sheets of at most `sheet_rows` rows (for tests of the continuation sheets).
    pub fn with_sheet_rows(kind: ReportKind, sheet_rows: u32) -> Result<XlsxWriter, XlsxError> {
        let mut workbook = Workbook::new();
        let summary_first = kind == ReportKind::FullInventory;
        if summary_first {
            workbook.add_worksheet().set_name("Summary")?;
        }
        Ok(XlsxWriter {
            workbook,
            header: Format::new()
                .set_bold()
                .set_background_color("#E8EEF4")
                .set_align(FormatAlign::Top),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            bold: Format::new().set_bold(),
            sheet_rows: sheet_rows.max(2),
            summary: if summary_first { 0 } else { usize::MAX },
            done: Vec::new(),
            part: None,
            sheet_count: usize::from(summary_first),
        })
    }

    fn add_sheet(&mut self, kind: ReportKind, n: usize) -> Result<usize, XlsxError> {
        let name = sheet_name(kind, n);
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(&name)?;
        for (col, c) in kind.columns().iter().enumerate() {
            let col = col as u16;
            sheet.set_column_width(col, f64::from(c.width))?;
            sheet.write_string_with_format(0, col, c.title, &self.header)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let index = self.sheet_count;
        self.sheet_count += 1;
        Ok(index)
    }

    /// Closes the current sheet: the autofilter over the rows it got.
    fn close_sheet(&mut self, part: &Part) -> Result<(), XlsxError> {
        let last_col = part.kind.columns().len().saturating_sub(1) as u16;
        let last_row = part.row.saturating_sub(1);
        self.workbook
            .worksheet_from_index(part.sheet)?
            .autofilter(0, 0, last_row, last_col)?;
        Ok(())
    }

    /// Starts the sheet(s) of `kind`; rows written from now on belong to it.
    pub fn begin(&mut self, kind: ReportKind) -> Result<(), XlsxError> {
        self.end_part()?;
        let sheet = self.add_sheet(kind, 0)?;
        self.part = Some(Part {
            kind,
            sheets: vec![sheet_name(kind, 0)],
            sheet,
            row: 1,
            rows: 0,
        });
        Ok(())
    }

    fn end_part(&mut self) -> Result<(), XlsxError> {
        if let Some(part) = self.part.take() {
            self.close_sheet(&part)?;
            self.done.push(part);
        }
        Ok(())
    }

    /// Appends rows to the current report, moving to a continuation sheet when one is full.
    pub fn write_rows(&mut self, rows: &[Vec<Cell>]) -> Result<(), XlsxError> {
        let Some(mut part) = self.part.take() else {
            return Ok(());
        };
        let columns = part.kind.columns();
        for row in rows {
            if part.row >= self.sheet_rows {
                self.close_sheet(&part)?;
                let n = part.sheets.len();
                part.sheet = self.add_sheet(part.kind, n)?;
                part.sheets.push(sheet_name(part.kind, n));
                part.row = 1;
            }
            let sheet = self.workbook.worksheet_from_index(part.sheet)?;
            for (col, cell) in row.iter().enumerate().take(columns.len()) {
                let c = col as u16;
                match cell {
                    Cell::Empty => {}
                    Cell::Text(s) => {
                        sheet.write_string(part.row, c, s)?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number(part.row, c, *n as f64)?;
                    }
                    Cell::Time(t) => {
                        sheet.write_datetime_with_format(part.row, c, t.naive_utc(), &self.time)?;
                    }
                }
            }
            part.row += 1;
            part.rows += 1;
        }
        self.part = Some(part);
        Ok(())
    }

    /// Writes the summary sheet and saves the workbook to `path`; returns each report's sheets.
    pub fn finish(
        mut self,
        path: &Path,
        info: &ExportInfo,
    ) -> Result<Vec<(ReportKind, Vec<String>, u64)>, XlsxError> {
        self.end_part()?;
        if self.summary == usize::MAX {
            self.workbook.add_worksheet().set_name("Summary")?;
            self.summary = self.sheet_count;
        }
        let summary = self.workbook.worksheet_from_index(self.summary)?;
        summary.set_column_width(0, 22)?;
        summary.set_column_width(1, 14)?;
        summary.set_column_width(2, 60)?;
        summary.write_string_with_format(0, 0, "Smart Account", &self.bold)?;
        summary.write_string(0, 1, &info.account)?;
        summary.write_string_with_format(1, 0, "Generated (UTC)", &self.bold)?;
        summary.write_datetime_with_format(1, 1, info.generated_at.naive_utc(), &self.time)?;
        summary.write_string_with_format(2, 0, "Filters", &self.bold)?;
        summary.write_string(2, 1, &info.filters)?;
        let header_row = 4;
        for (col, title) in ["Report", "Rows", "Sheets"].into_iter().enumerate() {
            summary.write_string_with_format(header_row, col as u16, title, &self.header)?;
        }
        let mut row = header_row + 1;
        let mut notes = Vec::new();
        for part in &self.done {
            summary.write_string(row, 0, part.kind.title())?;
            summary.write_number(row, 1, part.rows as f64)?;
            summary.write_string(row, 2, part.sheets.join(", "))?;
            if part.sheets.len() > 1 {
                notes.push(format!(
                    "{} has more rows than an Excel sheet holds ({}): it continues on {}.",
                    part.kind.title(),
                    self.sheet_rows - 1,
                    part.sheets[1..].join(", ")
                ));
            }
            row += 1;
        }
        for note in notes {
            row += 1;
            summary.write_string(row, 0, note)?;
        }
        self.workbook.save(path)?;
        Ok(self
            .done
            .into_iter()
            .map(|p| (p.kind, p.sheets, p.rows))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn sheets_of(path: &Path) -> Vec<(String, usize)> {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut workbook = String::new();
        zip.by_name("xl/workbook.xml")
            .unwrap()
            .read_to_string(&mut workbook)
            .unwrap();
        let names: Vec<String> = workbook
            .split("<sheet name=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
            .collect();
        names
            .into_iter()
            .enumerate()
            .map(|(i, name)| {
                let mut xml = String::new();
                zip.by_name(&format!("xl/worksheets/sheet{}.xml", i + 1))
                    .unwrap()
                    .read_to_string(&mut xml)
                    .unwrap();
                (name, xml.matches("<row ").count())
            })
            .collect()
    }

    fn info() -> ExportInfo {
        ExportInfo {
            account: "Acme".into(),
            generated_at: Utc::now(),
            filters: String::new(),
        }
    }

    fn row(n: i64) -> Vec<Cell> {
        vec![
            Cell::Time(Utc::now()),
            Cell::text("East"),
            Cell::Text(format!("actor {n}")),
        ]
    }

    #[test]
    fn a_report_past_the_sheet_limit_continues_on_numbered_sheets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("split.xlsx");
        // Sheets of 4 rows: a header and 3 rows each; 7 rows fill three sheets.
        let mut book = XlsxWriter::with_sheet_rows(ReportKind::EventLog, 4).unwrap();
        book.begin(ReportKind::EventLog).unwrap();
        book.write_rows(&(0..5).map(row).collect::<Vec<_>>())
            .unwrap();
        book.write_rows(&(5..7).map(row).collect::<Vec<_>>())
            .unwrap();
        let parts = book.finish(&path, &info()).unwrap();
        assert_eq!(
            parts,
            vec![(
                ReportKind::EventLog,
                vec![
                    "Event Log".into(),
                    "Event Log (2)".into(),
                    "Event Log (3)".into()
                ],
                7
            )]
        );
        let sheets = sheets_of(&path);
        assert_eq!(
            sheets[..3],
            [
                ("Event Log".to_owned(), 4),
                ("Event Log (2)".to_owned(), 4),
                ("Event Log (3)".to_owned(), 2)
            ]
        );
        assert_eq!(sheets[3].0, "Summary");
    }

    #[test]
    fn a_full_inventory_starts_with_its_summary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("full.xlsx");
        let mut book = XlsxWriter::new(ReportKind::FullInventory).unwrap();
        for kind in ReportKind::FullInventory.parts() {
            book.begin(kind).unwrap();
        }
        book.finish(&path, &info()).unwrap();
        let names: Vec<String> = sheets_of(&path).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "Summary",
                "Licenses",
                "Product Instances",
                "Virtual Accounts",
                "License Usage",
                "License Usage History",
                "Tokens",
                "Event Log"
            ]
        );
    }
}
