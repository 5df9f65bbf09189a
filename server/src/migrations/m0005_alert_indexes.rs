//! The Alerts page counts, per pool, the instances whose authorization has ended: an index on (pool,
//! authorization end, last contact, id) answers that from the index alone, at a million instances.
//! (Silent instances use `ix_product_instances_pool_last_contact` of m0003.)

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProductInstances {
    Table,
    VirtualAccountId,
    AuthExpiresAt,
    LastContactAt,
    Id,
}

const NAME: &str = "ix_product_instances_pool_auth_expires";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(NAME)
                .table(ProductInstances::Table)
                .col(ProductInstances::VirtualAccountId)
                .col(ProductInstances::AuthExpiresAt)
                .col(ProductInstances::LastContactAt)
                .col(ProductInstances::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(NAME).to_owned()).await
    }
}
