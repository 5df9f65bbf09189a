//! Where a device registered from: `product_instances.registered_from` (the address the
//! registration came from, as the portal saw it), and an index on `(token_id, registered_at)` for
//! the token's device list (the token misuse view).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProductInstances {
    Table,
    RegisteredFrom,
    TokenId,
    RegisteredAt,
}

const INDEX: &str = "product_instances_token_registered";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(ProductInstances::Table)
                .add_column(
                    ColumnDef::new(ProductInstances::RegisteredFrom)
                        .string()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(ProductInstances::Table)
                .col(ProductInstances::TokenId)
                .col(ProductInstances::RegisteredAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(INDEX)
                .table(ProductInstances::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(ProductInstances::Table)
                .drop_column(ProductInstances::RegisteredFrom)
                .to_owned(),
        )
        .await
    }
}
