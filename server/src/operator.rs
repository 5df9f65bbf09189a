//! The operator's commands: each prints what it did, or fails with a clear error and changes nothing.

use std::io::{BufRead, IsTerminal};

use anyhow::{anyhow, bail, Context};
use app::domain::roles::Role;
use app::error::{cli_message, AppError};
use app::services::{catalogue, users};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DatabaseConnection;

use crate::cli::{ApiKeyCommand, Command, TokenCommand};

/// Reads a password: prompted twice on a terminal, else the first line of standard input.
pub fn read_password(who: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {who}: "))?;
        let again = rpassword::prompt_password("Repeat the password: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// The start of `day`, UTC.
fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// An `AppError` as the operator reads it: the field as its flag (`app::error::cli_message`).
pub fn explain(err: AppError) -> anyhow::Error {
    anyhow!(cli_message(&err))
}

/// Runs one operator command (not `serve`) and returns what to print.
pub async fn run(
    db: &DatabaseConnection,
    command: Command,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    match command {
        Command::CreateAccount { name, admin } => {
            let password = read_password(&admin)?;
            let (account, user) = users::create_account(db, &name, &admin, &password, now)
                .await
                .map_err(explain)?;
            Ok(format!(
                "Created smart account \"{}\" with the virtual account \"{}\" and its admin \"{}\".",
                account.name,
                users::DEFAULT_POOL_NAME,
                user.username
            ))
        }
        Command::AddUser {
            account,
            username,
            role,
            pools,
        } => {
            let password = read_password(&username)?;
            let user = users::add_user(db, &account, &username, &password, role, &pools, now)
                .await
                .map_err(explain)?;
            let scope = if pools.is_empty() {
                String::new()
            } else {
                format!(" for {}", pools.join(", "))
            };
            Ok(format!(
                "Added \"{}\" to \"{account}\" as {}{scope}.",
                user.username,
                role.label()
            ))
        }
        Command::AddLicense { tag, name, family } => {
            let license = catalogue::add_license(db, &tag, &name, &family)
                .await
                .map_err(explain)?;
            Ok(format!(
                "Added {} \"{}\" ({}) to the catalogue.",
                license.tag, license.name, license.product_family
            ))
        }
        Command::Provision {
            account,
            pool,
            tag,
            quantity,
            start,
            end,
            source_ref,
        } => {
            let starts_at = start.map_or(now, midnight);
            // The end day is the last day the lot counts: it stops counting at the next midnight.
            let ends_at = end.map(|day| midnight(day) + chrono::Duration::days(1));
            let lot = catalogue::provision(
                db,
                catalogue::NewLot {
                    account: &account,
                    pool: &pool,
                    tag: &tag,
                    quantity,
                    starts_at,
                    ends_at,
                    source_ref: &source_ref,
                },
                now,
            )
            .await
            .map_err(explain)?;
            let term = match lot.ends_at {
                Some(end) => format!(
                    "from {} until {}",
                    lot.starts_at.format("%Y-%m-%d"),
                    end.format("%Y-%m-%d %H:%M UTC")
                ),
                None => format!("perpetual from {}", lot.starts_at.format("%Y-%m-%d")),
            };
            Ok(format!(
                "Provisioned {quantity} × {} into \"{pool}\" of \"{account}\", {term} (lot {}).",
                tag.to_uppercase(),
                lot.id
            ))
        }
        Command::Demo => crate::demo::seed(db, now).await.map(|s| s.sign_in_lines()),
        Command::MakeCert { out, hosts } => make_cert(&out, hosts),
        Command::Token(command) => token(db, command, now).await,
        Command::ApiKey(command) => api_key(db, command, now).await,
        Command::ProvisionTraditional {
            account,
            pak,
            tag,
            quantity,
            description,
        } => {
            let made = app::services::traditional::provision(
                db,
                &account,
                &pak,
                &tag,
                quantity,
                &description,
                now,
            )
            .await
            .map_err(explain)?;
            Ok(format!(
                "Provisioned the traditional license {} ({} × {}) for \"{account}\": its users convert it on their Traditional Licenses page.",
                made.pak, made.quantity, made.tag
            ))
        }
        Command::Satellite(_) => bail!("satellite commands are not operator commands"),
        Command::Serve(_) => bail!("serve is not an operator command"),
    }
}

/// Writes a self-signed certificate and its key as `cert.pem` and `key.pem` into `out`.
pub fn make_cert(out: &std::path::Path, hosts: Vec<String>) -> anyhow::Result<String> {
    let cert =
        rcgen::generate_simple_self_signed(hosts.clone()).context("making the certificate")?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let cert_path = out.join("cert.pem");
    let key_path = out.join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem())?;
    std::fs::write(&key_path, cert.signing_key.serialize_pem())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(format!(
        "Wrote a self-signed certificate for {} to {} and its key to {}.",
        hosts.join(", "),
        cert_path.display(),
        key_path.display()
    ))
}

/// The operator acts as an account admin of the named smart account.
async fn operator_of(
    db: &DatabaseConnection,
    account: &str,
) -> anyhow::Result<app::domain::roles::Actor> {
    let account = users::find_account(db, account).await.map_err(explain)?;
    Ok(app::domain::roles::Actor {
        user_id: 0,
        username: "operator".to_owned(),
        smart_account_id: account.id,
        role: Role::AccountAdmin,
        pools: Vec::new(),
        key: None,
    })
}

/// `api-key create`.
async fn api_key(
    db: &DatabaseConnection,
    command: ApiKeyCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    use app::domain::api_keys::{ApiScope, KeyExpiry, KeyName, NewApiKey};
    let ApiKeyCommand::Create {
        account,
        user,
        name,
        scope,
        expires,
        pools,
    } = command;
    let found = users::find_account(db, &account).await.map_err(explain)?;
    let mut ids = Vec::new();
    for pool in &pools {
        ids.push(
            users::find_pool(db, found.id, pool)
                .await
                .map_err(explain)?
                .id,
        );
    }
    let parsed = || -> Result<NewApiKey, app::domain::error::FieldError> {
        Ok(NewApiKey {
            name: KeyName::parse(&name)?,
            scope: ApiScope::parse(&scope)?,
            expiry: KeyExpiry::parse(&expires)?,
            pools: (!ids.is_empty()).then(|| ids.clone()),
        })
    };
    let new = parsed().map_err(|e| explain(e.into()))?;
    let issued = app::services::api_keys::create_for(db, &account, &user, new, now)
        .await
        .map_err(explain)?;
    Ok(issued.secret)
}

/// `token create | list | revoke`.
async fn token(
    db: &DatabaseConnection,
    command: TokenCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    use app::domain::names::Description;
    use app::domain::tokens::{ExpireDays, MaxUses, NewToken};
    use app::services::tokens;
    match command {
        TokenCommand::Create {
            account,
            pool,
            days,
            max_uses,
            description,
            no_export_controlled,
        } => {
            let actor = operator_of(db, &account).await?;
            let pool = users::find_pool(db, actor.smart_account_id, &pool)
                .await
                .map_err(explain)?;
            let parsed = || -> Result<NewToken, app::domain::error::FieldError> {
                Ok(NewToken {
                    description: Description::parse("description", &description)?,
                    expire_days: ExpireDays::try_from(days)?,
                    max_uses: max_uses.map(MaxUses::try_from).transpose()?,
                    allow_export_controlled: !no_export_controlled,
                })
            };
            let form = parsed().map_err(|e| explain(e.into()))?;
            let created = tokens::create(db, &actor, pool.id, form, now)
                .await
                .map_err(explain)?;
            Ok(created.token)
        }
        TokenCommand::List { account, pool } => {
            let actor = operator_of(db, &account).await?;
            let pool = users::find_pool(db, actor.smart_account_id, &pool)
                .await
                .map_err(explain)?;
            let rows = tokens::list(db, &actor, pool.id, now)
                .await
                .map_err(explain)?;
            Ok(rows
                .into_iter()
                .map(|t| {
                    let max = t.max_uses.map_or("unlimited".to_owned(), |n| n.to_string());
                    format!(
                        "{}\t{}\t{}/{}\t{}\t{}",
                        t.id,
                        t.state.label(),
                        t.uses,
                        max,
                        t.expires_at.format("%Y-%m-%dT%H:%M:%SZ"),
                        t.token
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        TokenCommand::Revoke {
            account,
            id,
            reason,
        } => {
            let actor = operator_of(db, &account).await?;
            tokens::revoke(db, &actor, id, &reason, now)
                .await
                .map_err(explain)?;
            Ok(format!("Revoked token {id}."))
        }
    }
}
