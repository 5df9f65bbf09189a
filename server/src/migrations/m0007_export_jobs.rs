//! Export progress lives in the database (`export_jobs`), not in one process's memory: the Reports
//! page may poll any portal process, and only the user who started an export can read its progress.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ExportJobs {
    Table,
    /// The id the page picked (8 to 64 letters, digits or `-`).
    Id,
    UserId,
    Rows,
    Total,
    Done,
    UpdatedAt,
}

const UPDATED: &str = "ix_export_jobs_updated_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ExportJobs::Table)
                .col(
                    ColumnDef::new(ExportJobs::Id)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(ExportJobs::UserId).big_integer().not_null())
                .col(ColumnDef::new(ExportJobs::Rows).big_integer().not_null())
                .col(ColumnDef::new(ExportJobs::Total).big_integer().not_null())
                .col(ColumnDef::new(ExportJobs::Done).boolean().not_null())
                .col(
                    ColumnDef::new(ExportJobs::UpdatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(UPDATED)
                .table(ExportJobs::Table)
                .col(ExportJobs::UpdatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ExportJobs::Table).to_owned())
            .await
    }
}
