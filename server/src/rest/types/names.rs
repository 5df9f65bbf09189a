//! Names whose values the document lists: event kinds, report files and report statuses.

use utoipa::ToSchema;

/// The stable name of a kind of event (`Event.kind`, and the events list's `kind` filter).
pub struct EventKindName;

impl utoipa::PartialSchema for EventKindName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("The stable name of a kind of event."))
            .enum_values(Some(
                app::domain::events::EventKind::ALL
                    .iter()
                    .map(|k| k.as_str()),
            ))
            .into()
    }
}

impl ToSchema for EventKindName {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("EventKindName")
    }
}

/// A report and its format, as `GET /reports/{file}` names it.
pub struct ReportFile;

impl ReportFile {
    /// Every file the reports give: each report as .xlsx and .csv, the Full Inventory as .xlsx.
    pub fn names() -> Vec<String> {
        use app::domain::reports::ReportKind;
        let mut names: Vec<String> = ReportKind::SINGLE
            .iter()
            .flat_map(|k| [format!("{}.xlsx", k.slug()), format!("{}.csv", k.slug())])
            .collect();
        names.push(format!("{}.xlsx", ReportKind::FullInventory.slug()));
        names
    }
}

impl utoipa::PartialSchema for ReportFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A report and its format."))
            .enum_values(Some(ReportFile::names()))
            .into()
    }
}

impl ToSchema for ReportFile {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ReportFile")
    }
}

/// A status filter of a report (which ones apply depends on the report; the Reports page offers them).
pub struct ReportStatusName;

impl utoipa::PartialSchema for ReportStatusName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A status filter; which apply depends on the report."))
            .enum_values(Some(
                app::domain::reports::ReportStatus::ALL
                    .iter()
                    .map(|s| s.code()),
            ))
            .into()
    }
}

impl ToSchema for ReportStatusName {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ReportStatusName")
    }
}
