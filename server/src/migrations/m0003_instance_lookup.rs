//! Product-instance lookups that stay fast at a million rows: the Event Log per instance, and keyset
//! paging and prefix search of the Product Instances tab.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    ProductInstanceId,
    Id,
}
#[derive(DeriveIden)]
enum ProductInstances {
    Table,
    VirtualAccountId,
    Hostname,
    Sn,
    LastContactAt,
    RegisteredAt,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Events::Table)
                .add_column(big_integer_null(Events::ProductInstanceId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_events_instance")
                .table(Events::Table)
                .col(Events::ProductInstanceId)
                .col(Events::Id)
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            (
                "ix_product_instances_pool_hostname",
                ProductInstances::Hostname,
            ),
            ("ix_product_instances_pool_sn", ProductInstances::Sn),
            (
                "ix_product_instances_pool_last_contact",
                ProductInstances::LastContactAt,
            ),
            (
                "ix_product_instances_pool_registered",
                ProductInstances::RegisteredAt,
            ),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(ProductInstances::Table)
                    .col(ProductInstances::VirtualAccountId)
                    .col(col)
                    .col(ProductInstances::Id)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "ix_product_instances_pool_registered",
            "ix_product_instances_pool_last_contact",
            "ix_product_instances_pool_sn",
            "ix_product_instances_pool_hostname",
            "ix_events_instance",
        ] {
            m.drop_index(Index::drop().name(name).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(Events::Table)
                .drop_column(Events::ProductInstanceId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
