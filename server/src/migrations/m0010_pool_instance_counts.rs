//! Each virtual account keeps how many product instances it holds, moved by the same transactions
//! that add, remove or move instances (the device writer's batches, transfers, removals), so that the
//! pool selector on every page never counts a million rows.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VirtualAccounts {
    Table,
    InstanceCount,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(VirtualAccounts::Table)
                .add_column(
                    ColumnDef::new(VirtualAccounts::InstanceCount)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE virtual_accounts SET instance_count = (SELECT COUNT(*) FROM product_instances \
                 WHERE product_instances.virtual_account_id = virtual_accounts.id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(VirtualAccounts::Table)
                .drop_column(VirtualAccounts::InstanceCount)
                .to_owned(),
        )
        .await
    }
}
