//! Forecasts of shortages: per virtual account and license tag, the day use is expected to exceed the
//! active licenses (`domain::forecast`), computed once a day from the usage snapshots.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LicenseForecasts {
    Table,
    VirtualAccountId,
    Tag,
    /// The day the shortage is expected.
    ShortageOn,
    ComputedAt,
}

#[derive(DeriveIden)]
enum VirtualAccounts {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LicenseForecasts::Table)
                .col(
                    ColumnDef::new(LicenseForecasts::VirtualAccountId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(LicenseForecasts::Tag).string().not_null())
                .col(
                    ColumnDef::new(LicenseForecasts::ShortageOn)
                        .date()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(LicenseForecasts::ComputedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(LicenseForecasts::VirtualAccountId)
                        .col(LicenseForecasts::Tag),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(LicenseForecasts::Table, LicenseForecasts::VirtualAccountId)
                        .to(VirtualAccounts::Table, VirtualAccounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LicenseForecasts::Table).to_owned())
            .await
    }
}
