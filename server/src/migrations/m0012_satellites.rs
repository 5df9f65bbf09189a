//! Satellites and traditional licenses.
//!
//! Portal side: `satellites` (registered on-premises portals, each with the virtual accounts it
//! serves, its pinned public key and its sync counters), `satellite_token_uses` (the registrations a
//! satellite reported per token), product instances registered through a satellite
//! (`product_instances.satellite_id`, with the satellite's own id of the device), and
//! `traditional_licenses` (PAK-style entitlements provisioned by the operator, converted once).
//!
//! Every instance gets `silent_after`: the moment it counts as "Failed to Connect". A device talking
//! to the portal is silent 48 hours after its last contact; one behind a satellite 90 days after the
//! satellite's last synchronisation (if it was in touch then). Alerts and statuses read this one
//! column, through indexes beside it.
//!
//! Satellite side (the same schema on the satellite's own database): `satellite_config` (one row:
//! who it is, its upstream, the portal's pinned key, its sync counters), `satellite_token_baselines`
//! (each token's uses elsewhere, as the last sync said) and `satellite_usage_elsewhere` (licenses in
//! use in the portal and on other satellites, per virtual account and tag, as the last sync said).

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Satellites {
    Table,
    Id,
    SmartAccountId,
    Name,
    CreatedAt,
    CreatedBy,
    SecretHash,
    PublicKey,
    Mode,
    RegisteredAt,
    LastSyncAt,
    LastUpSeq,
    DownSeq,
    LastEventId,
}

#[derive(DeriveIden)]
enum SatellitePools {
    Table,
    SatelliteId,
    VirtualAccountId,
}

#[derive(DeriveIden)]
enum SatelliteTokenUses {
    Table,
    SatelliteId,
    TokenId,
    Uses,
}

#[derive(DeriveIden)]
enum ProductInstances {
    Table,
    VirtualAccountId,
    AuthExpiresAt,
    SatelliteId,
    SatelliteInstanceId,
    SilentAfter,
    Id,
}

#[derive(DeriveIden)]
enum TraditionalLicenses {
    Table,
    Id,
    SmartAccountId,
    Pak,
    Tag,
    Quantity,
    Description,
    ProvisionedAt,
    ConvertedAt,
    ConvertedPoolId,
    ConvertedBy,
}

#[derive(DeriveIden)]
enum SatelliteConfig {
    Table,
    Id,
    SatelliteId,
    Name,
    AccountName,
    UpstreamUrl,
    Mode,
    PortalPublicKey,
    Secret,
    UpSeq,
    LastDownSeq,
    AckedEventId,
    SyncIntervalSecs,
    LastSyncAt,
    LastSyncError,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SatelliteTokenBaselines {
    Table,
    TokenId,
    UsesElsewhere,
}

#[derive(DeriveIden)]
enum SatelliteUsageElsewhere {
    Table,
    VirtualAccountId,
    Tag,
    InUse,
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

#[derive(DeriveIden)]
enum Tokens {
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

fn counter(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .default(0)
        .to_owned()
}

fn id(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Satellites::Table)
                .col(id(Satellites::Id))
                .col(
                    ColumnDef::new(Satellites::SmartAccountId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Satellites::Name).string().not_null())
                .col(time(Satellites::CreatedAt))
                .col(ColumnDef::new(Satellites::CreatedBy).string().not_null())
                .col(ColumnDef::new(Satellites::SecretHash).string().null())
                .col(ColumnDef::new(Satellites::PublicKey).string().null())
                .col(ColumnDef::new(Satellites::Mode).string().null())
                .col(optional_time(Satellites::RegisteredAt))
                .col(optional_time(Satellites::LastSyncAt))
                .col(counter(Satellites::LastUpSeq))
                .col(counter(Satellites::DownSeq))
                .col(counter(Satellites::LastEventId))
                .foreign_key(&mut fk(
                    (Satellites::Table, Satellites::SmartAccountId),
                    (SmartAccounts::Table, SmartAccounts::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_satellites_account_name")
                .table(Satellites::Table)
                .col(Satellites::SmartAccountId)
                .col(Satellites::Name)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SatellitePools::Table)
                .col(
                    ColumnDef::new(SatellitePools::SatelliteId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(SatellitePools::VirtualAccountId)
                        .big_integer()
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(SatellitePools::SatelliteId)
                        .col(SatellitePools::VirtualAccountId),
                )
                .foreign_key(&mut fk(
                    (SatellitePools::Table, SatellitePools::SatelliteId),
                    (Satellites::Table, Satellites::Id),
                ))
                .foreign_key(&mut fk(
                    (SatellitePools::Table, SatellitePools::VirtualAccountId),
                    (VirtualAccounts::Table, VirtualAccounts::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SatelliteTokenUses::Table)
                .col(
                    ColumnDef::new(SatelliteTokenUses::SatelliteId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(SatelliteTokenUses::TokenId)
                        .big_integer()
                        .not_null(),
                )
                .col(counter(SatelliteTokenUses::Uses))
                .primary_key(
                    Index::create()
                        .col(SatelliteTokenUses::SatelliteId)
                        .col(SatelliteTokenUses::TokenId),
                )
                .foreign_key(&mut fk(
                    (SatelliteTokenUses::Table, SatelliteTokenUses::SatelliteId),
                    (Satellites::Table, Satellites::Id),
                ))
                .foreign_key(&mut fk(
                    (SatelliteTokenUses::Table, SatelliteTokenUses::TokenId),
                    (Tokens::Table, Tokens::Id),
                ))
                .to_owned(),
        )
        .await?;

        for column in [
            ColumnDef::new(ProductInstances::SatelliteId)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(ProductInstances::SatelliteInstanceId)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(ProductInstances::SilentAfter)
                .timestamp_with_time_zone()
                .not_null()
                .default("1970-01-01T00:00:00+00:00")
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(ProductInstances::Table)
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        // Every device known so far talks to the portal: silent 48 hours after its last contact.
        let backfill = match m.get_database_backend() {
            DbBackend::Sqlite => {
                "UPDATE product_instances SET silent_after = \
                 strftime('%Y-%m-%dT%H:%M:%f', last_contact_at, '+2 days') || '+00:00'"
            }
            _ => {
                "UPDATE product_instances SET silent_after = last_contact_at + interval '48 hours'"
            }
        };
        m.get_connection().execute_unprepared(backfill).await?;
        m.create_index(
            Index::create()
                .name("ux_product_instances_satellite")
                .table(ProductInstances::Table)
                .col(ProductInstances::SatelliteId)
                .col(ProductInstances::SatelliteInstanceId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_product_instances_pool_silent")
                .table(ProductInstances::Table)
                .col(ProductInstances::VirtualAccountId)
                .col(ProductInstances::SilentAfter)
                .col(ProductInstances::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_product_instances_pool_auth_silent")
                .table(ProductInstances::Table)
                .col(ProductInstances::VirtualAccountId)
                .col(ProductInstances::AuthExpiresAt)
                .col(ProductInstances::SilentAfter)
                .col(ProductInstances::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TraditionalLicenses::Table)
                .col(id(TraditionalLicenses::Id))
                .col(
                    ColumnDef::new(TraditionalLicenses::SmartAccountId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(TraditionalLicenses::Pak)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(TraditionalLicenses::Tag).string().not_null())
                .col(
                    ColumnDef::new(TraditionalLicenses::Quantity)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(TraditionalLicenses::Description)
                        .string()
                        .not_null(),
                )
                .col(time(TraditionalLicenses::ProvisionedAt))
                .col(optional_time(TraditionalLicenses::ConvertedAt))
                .col(
                    ColumnDef::new(TraditionalLicenses::ConvertedPoolId)
                        .big_integer()
                        .null(),
                )
                .col(
                    ColumnDef::new(TraditionalLicenses::ConvertedBy)
                        .string()
                        .null(),
                )
                .foreign_key(&mut fk(
                    (
                        TraditionalLicenses::Table,
                        TraditionalLicenses::SmartAccountId,
                    ),
                    (SmartAccounts::Table, SmartAccounts::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SatelliteConfig::Table)
                .col(
                    ColumnDef::new(SatelliteConfig::Id)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(SatelliteConfig::SatelliteId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(SatelliteConfig::Name).string().not_null())
                .col(
                    ColumnDef::new(SatelliteConfig::AccountName)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(SatelliteConfig::UpstreamUrl).string().null())
                .col(ColumnDef::new(SatelliteConfig::Mode).string().not_null())
                .col(
                    ColumnDef::new(SatelliteConfig::PortalPublicKey)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(SatelliteConfig::Secret).string().null())
                .col(counter(SatelliteConfig::UpSeq))
                .col(counter(SatelliteConfig::LastDownSeq))
                .col(counter(SatelliteConfig::AckedEventId))
                .col(
                    ColumnDef::new(SatelliteConfig::SyncIntervalSecs)
                        .big_integer()
                        .not_null()
                        .default(86_400),
                )
                .col(optional_time(SatelliteConfig::LastSyncAt))
                .col(ColumnDef::new(SatelliteConfig::LastSyncError).text().null())
                .col(time(SatelliteConfig::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SatelliteTokenBaselines::Table)
                .col(
                    ColumnDef::new(SatelliteTokenBaselines::TokenId)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(counter(SatelliteTokenBaselines::UsesElsewhere))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SatelliteUsageElsewhere::Table)
                .col(
                    ColumnDef::new(SatelliteUsageElsewhere::VirtualAccountId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(SatelliteUsageElsewhere::Tag)
                        .string()
                        .not_null(),
                )
                .col(counter(SatelliteUsageElsewhere::InUse))
                .primary_key(
                    Index::create()
                        .col(SatelliteUsageElsewhere::VirtualAccountId)
                        .col(SatelliteUsageElsewhere::Tag),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SatelliteUsageElsewhere::Table.into_iden(),
            SatelliteTokenBaselines::Table.into_iden(),
            SatelliteConfig::Table.into_iden(),
            TraditionalLicenses::Table.into_iden(),
            SatelliteTokenUses::Table.into_iden(),
            SatellitePools::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for index in [
            "ix_product_instances_pool_auth_silent",
            "ix_product_instances_pool_silent",
            "ux_product_instances_satellite",
        ] {
            m.drop_index(
                Index::drop()
                    .name(index)
                    .table(ProductInstances::Table)
                    .to_owned(),
            )
            .await?;
        }
        for column in [
            ProductInstances::SilentAfter,
            ProductInstances::SatelliteInstanceId,
            ProductInstances::SatelliteId,
        ] {
            m.alter_table(
                Table::alter()
                    .table(ProductInstances::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(Satellites::Table).to_owned())
            .await
    }
}
