//! Background work runs once across portal processes: a named lease row, held by one process at a
//! time and taken over when its holder stops renewing it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Leases {
    Table,
    /// What the lease is for, e.g. `housekeeping`.
    Name,
    /// The process holding it (a random id per process).
    Holder,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Leases::Table)
                .col(
                    ColumnDef::new(Leases::Name)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Leases::Holder).string().not_null())
                .col(
                    ColumnDef::new(Leases::ExpiresAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Leases::Table).to_owned())
            .await
    }
}
