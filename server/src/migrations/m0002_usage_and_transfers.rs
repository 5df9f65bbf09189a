//! License usage by product instances (per instance, and a per-pool counter so that compliance never
//! scans instances), and the history of license transfers between virtual accounts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InstanceUsages {
    Table,
    Id,
    ProductInstanceId,
    VirtualAccountId,
    Tag,
    Count,
}
#[derive(DeriveIden)]
enum PoolUsages {
    Table,
    VirtualAccountId,
    Tag,
    InUse,
}
#[derive(DeriveIden)]
enum LicenseTransfers {
    Table,
    Id,
    SmartAccountId,
    LicenseId,
    FromVirtualAccountId,
    ToVirtualAccountId,
    Quantity,
    Actor,
    At,
}
#[derive(DeriveIden)]
enum ProductInstances {
    Table,
    Id,
}
#[derive(DeriveIden)]
enum VirtualAccounts {
    Table,
    Id,
}
#[derive(DeriveIden)]
enum SmartAccounts {
    Table,
    Id,
}
#[derive(DeriveIden)]
enum Licenses {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(InstanceUsages::Table)
                .col(big_pk_auto(InstanceUsages::Id))
                .col(big_integer(InstanceUsages::ProductInstanceId))
                .col(big_integer(InstanceUsages::VirtualAccountId))
                .col(string_len(InstanceUsages::Tag, 64))
                .col(big_integer(InstanceUsages::Count))
                .foreign_key(
                    ForeignKey::create()
                        .from(InstanceUsages::Table, InstanceUsages::ProductInstanceId)
                        .to(ProductInstances::Table, ProductInstances::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_instance_usages_instance_tag")
                .table(InstanceUsages::Table)
                .col(InstanceUsages::ProductInstanceId)
                .col(InstanceUsages::Tag)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_instance_usages_pool_tag")
                .table(InstanceUsages::Table)
                .col(InstanceUsages::VirtualAccountId)
                .col(InstanceUsages::Tag)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PoolUsages::Table)
                .col(big_integer(PoolUsages::VirtualAccountId))
                .col(string_len(PoolUsages::Tag, 64))
                .col(big_integer(PoolUsages::InUse))
                .primary_key(
                    Index::create()
                        .col(PoolUsages::VirtualAccountId)
                        .col(PoolUsages::Tag),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(PoolUsages::Table, PoolUsages::VirtualAccountId)
                        .to(VirtualAccounts::Table, VirtualAccounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(LicenseTransfers::Table)
                .col(big_pk_auto(LicenseTransfers::Id))
                .col(big_integer(LicenseTransfers::SmartAccountId))
                .col(big_integer(LicenseTransfers::LicenseId))
                // No foreign keys to the pools: the history outlives a deleted virtual account.
                .col(big_integer(LicenseTransfers::FromVirtualAccountId))
                .col(big_integer(LicenseTransfers::ToVirtualAccountId))
                .col(big_integer(LicenseTransfers::Quantity))
                .col(string_len(LicenseTransfers::Actor, 200))
                .col(timestamp_with_time_zone(LicenseTransfers::At))
                .foreign_key(
                    ForeignKey::create()
                        .from(LicenseTransfers::Table, LicenseTransfers::SmartAccountId)
                        .to(SmartAccounts::Table, SmartAccounts::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(LicenseTransfers::Table, LicenseTransfers::LicenseId)
                        .to(Licenses::Table, Licenses::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_license_transfers_account_license")
                .table(LicenseTransfers::Table)
                .col(LicenseTransfers::SmartAccountId)
                .col(LicenseTransfers::LicenseId)
                .col(LicenseTransfers::Id)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LicenseTransfers::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(PoolUsages::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(InstanceUsages::Table).to_owned())
            .await?;
        Ok(())
    }
}
