//! The customer REST API: API keys (only their SHA-256 kept), the virtual accounts a key is limited
//! to, and the answers kept for `Idempotency-Key` replays (24 hours).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    SmartAccountId,
    UserId,
    Name,
    /// The first characters of the key (`lp_AbCd…`), shown in lists so a user can tell keys apart.
    Prefix,
    /// SHA-256 of the whole key, hex.
    KeyHash,
    /// `read` or `write`.
    Scope,
    /// False: only the virtual accounts in `api_key_pools` (none left: none at all).
    AllPools,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    RevokedAt,
    RevokedBy,
}

#[derive(DeriveIden)]
enum ApiKeyPools {
    Table,
    ApiKeyId,
    VirtualAccountId,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    ApiKeyId,
    /// The client's `Idempotency-Key`.
    Key,
    /// SHA-256 of method, path and body: the same key with another request is refused.
    RequestHash,
    Status,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SmartAccounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum VirtualAccounts {
    Table,
    Id,
}

fn time(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn optional_time(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ApiKeys::Table)
                .col(
                    ColumnDef::new(ApiKeys::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(ApiKeys::SmartAccountId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(ApiKeys::UserId).big_integer().not_null())
                .col(ColumnDef::new(ApiKeys::Name).string().not_null())
                .col(ColumnDef::new(ApiKeys::Prefix).string().not_null())
                .col(
                    ColumnDef::new(ApiKeys::KeyHash)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(ApiKeys::Scope).string().not_null())
                .col(ColumnDef::new(ApiKeys::AllPools).boolean().not_null())
                .col(time(ApiKeys::CreatedAt))
                .col(optional_time(ApiKeys::LastUsedAt))
                .col(optional_time(ApiKeys::ExpiresAt))
                .col(optional_time(ApiKeys::RevokedAt))
                .col(ColumnDef::new(ApiKeys::RevokedBy).string().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiKeys::Table, ApiKeys::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiKeys::Table, ApiKeys::SmartAccountId)
                        .to(SmartAccounts::Table, SmartAccounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_api_keys_account_user")
                .table(ApiKeys::Table)
                .col(ApiKeys::SmartAccountId)
                .col(ApiKeys::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiKeyPools::Table)
                .col(
                    ColumnDef::new(ApiKeyPools::ApiKeyId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ApiKeyPools::VirtualAccountId)
                        .big_integer()
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(ApiKeyPools::ApiKeyId)
                        .col(ApiKeyPools::VirtualAccountId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiKeyPools::Table, ApiKeyPools::ApiKeyId)
                        .to(ApiKeys::Table, ApiKeys::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiKeyPools::Table, ApiKeyPools::VirtualAccountId)
                        .to(VirtualAccounts::Table, VirtualAccounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(
                    ColumnDef::new(IdempotencyKeys::ApiKeyId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(IdempotencyKeys::Key).string().not_null())
                .col(
                    ColumnDef::new(IdempotencyKeys::RequestHash)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(IdempotencyKeys::Status).integer().not_null())
                .col(ColumnDef::new(IdempotencyKeys::Body).text().not_null())
                .col(time(IdempotencyKeys::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(IdempotencyKeys::ApiKeyId)
                        .col(IdempotencyKeys::Key),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(IdempotencyKeys::Table, IdempotencyKeys::ApiKeyId)
                        .to(ApiKeys::Table, ApiKeys::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_idempotency_keys_created")
                .table(IdempotencyKeys::Table)
                .col(IdempotencyKeys::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            ApiKeyPools::Table.into_iden(),
            ApiKeys::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
