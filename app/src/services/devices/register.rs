//! `POST /register`, as load → plan → apply: the service loads the token and the UDI's registration,
//! `domain::device::plan_registration` decides, and the plan is applied in the same transaction.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
};

use crate::domain::device::{
    plan_registration, DeviceRefusal, Registered, Registration, RegistrationPlan, TokenFacts,
};
use crate::domain::events::EventKind;
use crate::domain::tokens::shorten;
use crate::entities::{product_instance as pi, smart_account, token, virtual_account};
use crate::error::DeviceError;
use crate::protocol::{RegisterRequest, RegisterResponse, SYNC_INTERVAL_SECS};
use crate::services::events::{self, NewEvent};
use crate::services::{is_unique_violation, secrets};

use super::{id_cert, new_credential, Batch, ID_CERT_DAYS};

/// `POST /register` inside the writer's batch. The requests of a batch apply one after another and
/// the first write is to the token's row (which locks it on PostgreSQL until the batch commits, for
/// another process's batch), so uses are counted exactly and two registrations of one UDI never
/// both succeed.
pub(super) async fn apply_in(
    txn: &impl ConnectionTrait,
    batch: &mut Batch,
    req: RegisterRequest,
    source: Option<std::net::IpAddr>,
    now: DateTime<Utc>,
) -> Result<RegisterResponse, DeviceError> {
    let reg = Registration::try_from(req)?;
    let tok = token::Entity::update_many()
        .col_expr(token::Column::Uses, Expr::col(token::Column::Uses))
        .filter(token::Column::Token.eq(reg.token.as_str()))
        .exec_with_returning(txn)
        .await?
        .pop()
        .ok_or(DeviceRefusal::TokenInvalid)?;
    let existing = pi::Entity::find()
        .filter(pi::Column::Pid.eq(reg.udi.pid()))
        .filter(pi::Column::Sn.eq(reg.udi.sn()))
        .one(txn)
        .await?;
    let facts = batch.pool(txn, tok.virtual_account_id, now).await?;
    let (va, sa) = (facts.va.clone(), facts.sa.clone());
    let registered = match &existing {
        Some(e) => Some(Registered {
            instance: e.id,
            pool: e.virtual_account_id,
            account: if e.virtual_account_id == va.id {
                sa.id
            } else {
                virtual_account::Entity::find_by_id(e.virtual_account_id)
                    .one(txn)
                    .await?
                    .ok_or(DeviceError::Internal)?
                    .smart_account_id
            },
            token: e.token_id,
        }),
        None => None,
    };
    let facts = TokenFacts {
        id: tok.id,
        pool: tok.virtual_account_id,
        account: sa.id,
        expires_at: tok.expires_at,
        revoked: tok.revoked_at.is_some(),
        uses: tok.uses,
        max_uses: tok.max_uses,
    };
    let plan = plan_registration(facts, registered, reg.force, &reg.udi, now)?;
    apply(
        txn,
        batch,
        (&reg, source),
        &tok,
        (va, sa),
        existing.as_ref(),
        plan,
        now,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn apply(
    txn: &impl ConnectionTrait,
    batch: &mut Batch,
    (reg, source): (&Registration, Option<std::net::IpAddr>),
    tok: &token::Model,
    (va, sa): (virtual_account::Model, smart_account::Model),
    existing: Option<&pi::Model>,
    plan: RegistrationPlan,
    now: DateTime<Utc>,
) -> Result<RegisterResponse, DeviceError> {
    if plan.counts_use {
        // The count itself is conditional, so it stays exact whatever the plan read.
        let counted = token::Entity::update_many()
            .col_expr(token::Column::Uses, Expr::col(token::Column::Uses).add(1))
            .filter(token::Column::Id.eq(tok.id))
            .filter(
                Condition::any()
                    .add(token::Column::MaxUses.is_null())
                    .add(Expr::col(token::Column::Uses).lt(Expr::col(token::Column::MaxUses))),
            )
            .exec(txn)
            .await?;
        if counted.rows_affected == 0 {
            return Err(DeviceRefusal::TokenExhausted.into());
        }
    }
    let actor = format!("device {}", reg.udi);
    if let Some(old) = existing {
        super::delete_in(txn, batch, old).await?;
        if plan.moves_pool {
            events::record(
                txn,
                now,
                NewEvent {
                    smart_account_id: sa.id,
                    virtual_account_id: Some(old.virtual_account_id),
                    actor: &actor,
                    kind: EventKind::InstanceDeregistered,
                    message: format!(
                        "Product instance {} ({}) re-registered into \"{}\"; its licenses here are released",
                        old.hostname, reg.udi, va.name
                    ),
                    instance: Some(old.id),
                },
            )
            .await?;
        }
    }
    let credential = new_credential();
    let serial = secrets::random_hex::<8>();
    let cert_expires = now + Duration::days(ID_CERT_DAYS);
    let created = pi::ActiveModel {
        virtual_account_id: Set(va.id),
        pid: Set(reg.udi.pid().to_owned()),
        sn: Set(reg.udi.sn().to_owned()),
        hostname: Set(reg.hostname.as_str().to_owned()),
        product: Set(reg.product.clone()),
        software_version: Set(reg.software_version.clone()),
        credential_hash: Set(secrets::sha256_hex(&credential)),
        token_id: Set(Some(tok.id)),
        registered_at: Set(now),
        last_contact_at: Set(now),
        silent_after: Set(crate::domain::alerts::silent_after(now)),
        satellite_id: Set(None),
        satellite_instance_id: Set(None),
        id_cert_serial: Set(serial.clone()),
        id_cert_expires_at: Set(cert_expires),
        auth_expires_at: Set(None),
        registered_from: Set(source.map(|ip| ip.to_canonical().to_string())),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| {
        // Another registration of this UDI committed first (PostgreSQL lets both read "none").
        if is_unique_violation(&e) {
            DeviceRefusal::AlreadyRegistered(reg.udi.to_string()).into()
        } else {
            DeviceError::from(e)
        }
    })?;
    batch.count_instance(va.id, 1);
    let again = if plan.replaces.is_some() {
        "re-registered"
    } else {
        "registered"
    };
    events::record(
        txn,
        now,
        NewEvent {
            smart_account_id: sa.id,
            virtual_account_id: Some(va.id),
            actor: &actor,
            kind: EventKind::InstanceRegistered,
            message: format!(
                "Product instance {} ({}) {again} with token {}",
                reg.hostname.as_str(),
                reg.udi,
                shorten(&tok.token)
            ),
            instance: Some(created.id),
        },
    )
    .await?;
    Ok(RegisterResponse {
        instance_id: created.id.to_string(),
        credential,
        smart_account: sa.name,
        virtual_account: va.name,
        id_cert: id_cert(&serial, cert_expires),
        sync_interval_secs: SYNC_INTERVAL_SECS,
        export_controlled_allowed: tok.allow_export_controlled,
    })
}
