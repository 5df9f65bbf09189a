//! The first schema: users, smart accounts, memberships and pool grants, virtual accounts, the license
//! catalogue and lots, tokens, product instances, events, sessions and sign-in throttles.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    PasswordHash,
    CreatedAt,
}
#[derive(DeriveIden)]
enum SmartAccounts {
    Table,
    Id,
    Name,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    UserId,
    SmartAccountId,
    Role,
}
#[derive(DeriveIden)]
enum PoolGrants {
    Table,
    Id,
    MembershipId,
    VirtualAccountId,
}
#[derive(DeriveIden)]
enum VirtualAccounts {
    Table,
    Id,
    SmartAccountId,
    Name,
    Description,
    IsDefault,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Licenses {
    Table,
    Id,
    Tag,
    Name,
    ProductFamily,
}
#[derive(DeriveIden)]
enum LicenseLots {
    Table,
    Id,
    VirtualAccountId,
    LicenseId,
    Quantity,
    StartsAt,
    EndsAt,
    SourceRef,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Tokens {
    Table,
    Id,
    VirtualAccountId,
    Token,
    Description,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    MaxUses,
    Uses,
    AllowExportControlled,
    RevokedAt,
    RevokeReason,
}
#[derive(DeriveIden)]
enum ProductInstances {
    Table,
    Id,
    VirtualAccountId,
    Pid,
    Sn,
    Hostname,
    Product,
    SoftwareVersion,
    CredentialHash,
    TokenId,
    RegisteredAt,
    LastContactAt,
    IdCertSerial,
    IdCertExpiresAt,
    AuthExpiresAt,
}
#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    SmartAccountId,
    VirtualAccountId,
    At,
    Actor,
    Kind,
    Message,
}
#[derive(DeriveIden)]
enum TowerSessions {
    Table,
    Id,
    Data,
    ExpiresAt,
}
#[derive(DeriveIden)]
enum LoginThrottles {
    Table,
    Key,
    Failures,
    WindowStartedAt,
    LockedUntil,
}

fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: &[DynIden], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(col.clone());
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(big_pk_auto(Users::Id))
                .col(string_len_uniq(Users::Username, 64))
                .col(string(Users::PasswordHash))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SmartAccounts::Table)
                .col(big_pk_auto(SmartAccounts::Id))
                .col(string_len_uniq(SmartAccounts::Name, 64))
                .col(timestamp_with_time_zone(SmartAccounts::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Memberships::Table)
                .col(big_pk_auto(Memberships::Id))
                .col(big_integer(Memberships::UserId))
                .col(big_integer(Memberships::SmartAccountId))
                .col(string_len(Memberships::Role, 32))
                .foreign_key(&mut fk(
                    Memberships::Table,
                    Memberships::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .foreign_key(&mut fk(
                    Memberships::Table,
                    Memberships::SmartAccountId,
                    SmartAccounts::Table,
                    SmartAccounts::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_memberships_user_account",
            Memberships::Table,
            &[
                Memberships::UserId.into_iden(),
                Memberships::SmartAccountId.into_iden(),
            ],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(VirtualAccounts::Table)
                .col(big_pk_auto(VirtualAccounts::Id))
                .col(big_integer(VirtualAccounts::SmartAccountId))
                .col(string_len(VirtualAccounts::Name, 64))
                .col(text(VirtualAccounts::Description))
                .col(boolean(VirtualAccounts::IsDefault))
                .col(timestamp_with_time_zone(VirtualAccounts::CreatedAt))
                .foreign_key(&mut fk(
                    VirtualAccounts::Table,
                    VirtualAccounts::SmartAccountId,
                    SmartAccounts::Table,
                    SmartAccounts::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_virtual_accounts_account_name",
            VirtualAccounts::Table,
            &[
                VirtualAccounts::SmartAccountId.into_iden(),
                VirtualAccounts::Name.into_iden(),
            ],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(PoolGrants::Table)
                .col(big_pk_auto(PoolGrants::Id))
                .col(big_integer(PoolGrants::MembershipId))
                .col(big_integer(PoolGrants::VirtualAccountId))
                .foreign_key(&mut fk(
                    PoolGrants::Table,
                    PoolGrants::MembershipId,
                    Memberships::Table,
                    Memberships::Id,
                ))
                .foreign_key(&mut fk(
                    PoolGrants::Table,
                    PoolGrants::VirtualAccountId,
                    VirtualAccounts::Table,
                    VirtualAccounts::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_pool_grants_membership_pool",
            PoolGrants::Table,
            &[
                PoolGrants::MembershipId.into_iden(),
                PoolGrants::VirtualAccountId.into_iden(),
            ],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(Licenses::Table)
                .col(big_pk_auto(Licenses::Id))
                .col(string_len_uniq(Licenses::Tag, 64))
                .col(string_len(Licenses::Name, 200))
                .col(string_len(Licenses::ProductFamily, 100))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(LicenseLots::Table)
                .col(big_pk_auto(LicenseLots::Id))
                .col(big_integer(LicenseLots::VirtualAccountId))
                .col(big_integer(LicenseLots::LicenseId))
                .col(big_integer(LicenseLots::Quantity))
                .col(timestamp_with_time_zone(LicenseLots::StartsAt))
                .col(timestamp_with_time_zone_null(LicenseLots::EndsAt))
                .col(string_len(LicenseLots::SourceRef, 200))
                .col(timestamp_with_time_zone(LicenseLots::CreatedAt))
                .foreign_key(&mut fk(
                    LicenseLots::Table,
                    LicenseLots::VirtualAccountId,
                    VirtualAccounts::Table,
                    VirtualAccounts::Id,
                ))
                .foreign_key(&mut fk(
                    LicenseLots::Table,
                    LicenseLots::LicenseId,
                    Licenses::Table,
                    Licenses::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_license_lots_pool_license",
            LicenseLots::Table,
            &[
                LicenseLots::VirtualAccountId.into_iden(),
                LicenseLots::LicenseId.into_iden(),
            ],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(Tokens::Table)
                .col(big_pk_auto(Tokens::Id))
                .col(big_integer(Tokens::VirtualAccountId))
                .col(string_len_uniq(Tokens::Token, 128))
                .col(text(Tokens::Description))
                .col(string_len(Tokens::CreatedBy, 64))
                .col(timestamp_with_time_zone(Tokens::CreatedAt))
                .col(timestamp_with_time_zone(Tokens::ExpiresAt))
                .col(integer_null(Tokens::MaxUses))
                .col(integer(Tokens::Uses))
                .col(boolean(Tokens::AllowExportControlled))
                .col(timestamp_with_time_zone_null(Tokens::RevokedAt))
                .col(text_null(Tokens::RevokeReason))
                .foreign_key(&mut fk(
                    Tokens::Table,
                    Tokens::VirtualAccountId,
                    VirtualAccounts::Table,
                    VirtualAccounts::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_tokens_pool",
            Tokens::Table,
            &[Tokens::VirtualAccountId.into_iden(), Tokens::Id.into_iden()],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(ProductInstances::Table)
                .col(big_pk_auto(ProductInstances::Id))
                .col(big_integer(ProductInstances::VirtualAccountId))
                .col(string_len(ProductInstances::Pid, 64))
                .col(string_len(ProductInstances::Sn, 64))
                .col(string_len(ProductInstances::Hostname, 253))
                .col(string_len(ProductInstances::Product, 64))
                .col(string_len_null(ProductInstances::SoftwareVersion, 64))
                .col(string_len_uniq(ProductInstances::CredentialHash, 64))
                .col(big_integer_null(ProductInstances::TokenId))
                .col(timestamp_with_time_zone(ProductInstances::RegisteredAt))
                .col(timestamp_with_time_zone(ProductInstances::LastContactAt))
                .col(string_len(ProductInstances::IdCertSerial, 64))
                .col(timestamp_with_time_zone(ProductInstances::IdCertExpiresAt))
                .col(timestamp_with_time_zone_null(
                    ProductInstances::AuthExpiresAt,
                ))
                .foreign_key(&mut fk(
                    ProductInstances::Table,
                    ProductInstances::VirtualAccountId,
                    VirtualAccounts::Table,
                    VirtualAccounts::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_product_instances_udi",
            ProductInstances::Table,
            &[
                ProductInstances::Pid.into_iden(),
                ProductInstances::Sn.into_iden(),
            ],
            true,
        ))
        .await?;
        m.create_index(index(
            "ix_product_instances_pool",
            ProductInstances::Table,
            &[
                ProductInstances::VirtualAccountId.into_iden(),
                ProductInstances::Id.into_iden(),
            ],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(Events::Table)
                .col(big_pk_auto(Events::Id))
                .col(big_integer(Events::SmartAccountId))
                // No foreign key: history outlives a deleted virtual account.
                .col(big_integer_null(Events::VirtualAccountId))
                .col(timestamp_with_time_zone(Events::At))
                .col(string_len(Events::Actor, 200))
                .col(string_len(Events::Kind, 64))
                .col(text(Events::Message))
                .foreign_key(&mut fk(
                    Events::Table,
                    Events::SmartAccountId,
                    SmartAccounts::Table,
                    SmartAccounts::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_events_account_pool_id",
            Events::Table,
            &[
                Events::SmartAccountId.into_iden(),
                Events::VirtualAccountId.into_iden(),
                Events::Id.into_iden(),
            ],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(TowerSessions::Table)
                .col(string_len(TowerSessions::Id, 128).primary_key())
                .col(text(TowerSessions::Data))
                .col(big_integer(TowerSessions::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_tower_sessions_expires_at",
            TowerSessions::Table,
            &[TowerSessions::ExpiresAt.into_iden()],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(LoginThrottles::Table)
                .col(string_len(LoginThrottles::Key, 200).primary_key())
                .col(integer(LoginThrottles::Failures))
                .col(big_integer(LoginThrottles::WindowStartedAt))
                .col(big_integer_null(LoginThrottles::LockedUntil))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LoginThrottles::Table.into_iden(),
            TowerSessions::Table.into_iden(),
            Events::Table.into_iden(),
            ProductInstances::Table.into_iden(),
            Tokens::Table.into_iden(),
            LicenseLots::Table.into_iden(),
            Licenses::Table.into_iden(),
            PoolGrants::Table.into_iden(),
            VirtualAccounts::Table.into_iden(),
            Memberships::Table.into_iden(),
            SmartAccounts::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
