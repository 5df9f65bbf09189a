//! The portal's ed25519 signing key, made on first start and kept with the data (in the database, so
//! that every portal process signs with the same key).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Id,
    Algorithm,
    SecretHex,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SigningKeys::Table)
                .col(big_integer(SigningKeys::Id).primary_key())
                .col(string_len(SigningKeys::Algorithm, 16))
                .col(string_len(SigningKeys::SecretHex, 128))
                .col(timestamp_with_time_zone(SigningKeys::CreatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SigningKeys::Table).to_owned())
            .await
    }
}
