//! Users run from the browser: invitations and password resets by one-time sign-in links, disabled
//! memberships, sessions a user can list and revoke, two-factor sign-in (TOTP and recovery codes), and
//! an account-wide two-factor requirement.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    CreatedAt,
    /// When the user last set a password; NULL while they are invited.
    PasswordSetAt,
    LastSignInAt,
    /// The TOTP secret (base32), once enrolment started; in use when `totp_enabled`.
    TotpSecret,
    TotpEnabled,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    DisabledAt,
}

#[derive(DeriveIden)]
enum SmartAccounts {
    Table,
    RequireTwoFactor,
}

#[derive(DeriveIden)]
enum SignInLinks {
    Table,
    Id,
    UserId,
    /// SHA-256 of the link's secret, hex; the secret itself is shown once and never stored.
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum UserSessions {
    Table,
    /// The random id kept in the session; deleting the row ends the session at its next request.
    Id,
    UserId,
    SmartAccountId,
    StartedAt,
    LastSeenAt,
    Address,
    UserAgent,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
}

async fn add(
    m: &SchemaManager<'_>,
    table: impl IntoIden,
    col: &mut ColumnDef,
) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).add_column(col).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add(
            m,
            Users::Table,
            ColumnDef::new(Users::PasswordSetAt)
                .timestamp_with_time_zone()
                .null(),
        )
        .await?;
        add(
            m,
            Users::Table,
            ColumnDef::new(Users::LastSignInAt)
                .timestamp_with_time_zone()
                .null(),
        )
        .await?;
        add(
            m,
            Users::Table,
            ColumnDef::new(Users::TotpSecret).string().null(),
        )
        .await?;
        add(
            m,
            Users::Table,
            ColumnDef::new(Users::TotpEnabled)
                .boolean()
                .not_null()
                .default(false),
        )
        .await?;
        // Every user so far was made with a password.
        m.exec_stmt(
            Query::update()
                .table(Users::Table)
                .value(Users::PasswordSetAt, Expr::col(Users::CreatedAt))
                .to_owned(),
        )
        .await?;
        add(
            m,
            Memberships::Table,
            ColumnDef::new(Memberships::DisabledAt)
                .timestamp_with_time_zone()
                .null(),
        )
        .await?;
        add(
            m,
            SmartAccounts::Table,
            ColumnDef::new(SmartAccounts::RequireTwoFactor)
                .boolean()
                .not_null()
                .default(false),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SignInLinks::Table)
                .col(
                    ColumnDef::new(SignInLinks::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(SignInLinks::UserId).big_integer().not_null())
                .col(
                    ColumnDef::new(SignInLinks::TokenHash)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(
                    ColumnDef::new(SignInLinks::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(SignInLinks::ExpiresAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(SignInLinks::UsedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(SignInLinks::Table, SignInLinks::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sign_in_links_user")
                .table(SignInLinks::Table)
                .col(SignInLinks::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(UserSessions::Table)
                .col(
                    ColumnDef::new(UserSessions::Id)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(UserSessions::UserId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(UserSessions::SmartAccountId)
                        .big_integer()
                        .null(),
                )
                .col(
                    ColumnDef::new(UserSessions::StartedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(UserSessions::LastSeenAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(UserSessions::Address).string().not_null())
                .col(ColumnDef::new(UserSessions::UserAgent).string().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(UserSessions::Table, UserSessions::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_user_sessions_user")
                .table(UserSessions::Table)
                .col(UserSessions::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RecoveryCodes::Table)
                .col(
                    ColumnDef::new(RecoveryCodes::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(RecoveryCodes::UserId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(RecoveryCodes::CodeHash).string().not_null())
                .col(
                    ColumnDef::new(RecoveryCodes::UsedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(RecoveryCodes::Table, RecoveryCodes::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_recovery_codes_user")
                .table(RecoveryCodes::Table)
                .col(RecoveryCodes::UserId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RecoveryCodes::Table.into_iden(),
            UserSessions::Table.into_iden(),
            SignInLinks::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
