//! Table `form_submissions`: the first answer to each one-time form id a page's form carried, kept a day
//! with the change it answers (same transaction), so that a double POST, a retry or a back-button
//! resubmit of the same form changes once and answers as the first did.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FormSubmissions {
    Table,
    UserId,
    FormId,
    Endpoint,
    Answer,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(FormSubmissions::Table)
                .col(
                    ColumnDef::new(FormSubmissions::UserId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(FormSubmissions::FormId).string().not_null())
                .col(
                    ColumnDef::new(FormSubmissions::Endpoint)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(FormSubmissions::Answer).text().not_null())
                .col(
                    ColumnDef::new(FormSubmissions::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(FormSubmissions::UserId)
                        .col(FormSubmissions::FormId),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_form_submissions_created")
                .table(FormSubmissions::Table)
                .col(FormSubmissions::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(FormSubmissions::Table).to_owned())
            .await
    }
}
