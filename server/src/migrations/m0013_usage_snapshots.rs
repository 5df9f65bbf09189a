//! Usage over time: one row per day, virtual account and license (purchased, in use, product
//! instances using it), taken by the daily snapshot job (`services::snapshots`) and kept two years.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UsageSnapshots {
    Table,
    /// The day (UTC) the row describes.
    Day,
    VirtualAccountId,
    Tag,
    /// Active licenses at the day's end (or when the row was taken, for today).
    Purchased,
    InUse,
    /// Product instances of the pool using the license.
    Instances,
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
                .table(UsageSnapshots::Table)
                .col(ColumnDef::new(UsageSnapshots::Day).date().not_null())
                .col(
                    ColumnDef::new(UsageSnapshots::VirtualAccountId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(UsageSnapshots::Tag).string().not_null())
                .col(
                    ColumnDef::new(UsageSnapshots::Purchased)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(UsageSnapshots::InUse)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(UsageSnapshots::Instances)
                        .big_integer()
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(UsageSnapshots::VirtualAccountId)
                        .col(UsageSnapshots::Tag)
                        .col(UsageSnapshots::Day),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(UsageSnapshots::Table, UsageSnapshots::VirtualAccountId)
                        .to(VirtualAccounts::Table, VirtualAccounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The job's "last day taken" and the retention sweep read by day alone.
        m.create_index(
            Index::create()
                .name("ix_usage_snapshots_day")
                .table(UsageSnapshots::Table)
                .col(UsageSnapshots::Day)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(UsageSnapshots::Table).to_owned())
            .await
    }
}
