//! The audit log: written inside the transaction of each change, read newest first with keyset paging.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::domain::error::FieldError;
use crate::domain::events::EventKind;
use crate::domain::roles::{Action, Actor};
use crate::entities::event;
use crate::error::AppError;
use crate::model::{EventPage, EventQuery, EventRow};

/// Rows per page of the Event Log.
pub const PAGE_SIZE: u64 = 50;

/// One event to write.
pub struct NewEvent<'a> {
    pub smart_account_id: i64,
    pub virtual_account_id: Option<i64>,
    pub actor: &'a str,
    pub kind: EventKind,
    pub message: String,
    /// The product instance the event is about, if any.
    pub instance: Option<i64>,
}

impl NewEvent<'_> {
    /// The row that records this event at `at`.
    fn row(self, at: DateTime<Utc>) -> event::ActiveModel {
        event::ActiveModel {
            smart_account_id: Set(self.smart_account_id),
            virtual_account_id: Set(self.virtual_account_id),
            at: Set(at),
            actor: Set(self.actor.to_owned()),
            kind: Set(self.kind),
            message: Set(self.message),
            product_instance_id: Set(self.instance),
            ..Default::default()
        }
    }
}

/// Writes one event; call it with the transaction of the change it records.
pub async fn record(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
    event: NewEvent<'_>,
) -> Result<(), AppError> {
    event.row(at).insert(db).await?;
    Ok(())
}

/// Writes several events in one statement (a bulk change's event per instance); call it with the
/// transaction of the change they record.
pub async fn record_many(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
    events: Vec<NewEvent<'_>>,
) -> Result<(), AppError> {
    if events.is_empty() {
        return Ok(());
    }
    event::Entity::insert_many(events.into_iter().map(|event| event.row(at)))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Writes one account-level event (no virtual account) of the actor's smart account, by the actor.
pub async fn record_account(
    db: &impl ConnectionTrait,
    actor: &Actor,
    kind: EventKind,
    message: String,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    record(
        db,
        now,
        NewEvent {
            smart_account_id: actor.smart_account_id,
            virtual_account_id: None,
            actor: &actor.who(),
            kind,
            message,
            instance: None,
        },
    )
    .await
}

/// Writes one account-level event in every smart account `user_id` belongs to (a change of the user's
/// own, such as their password or second factor, concerns each of those accounts).
pub async fn record_for_user(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
    user_id: i64,
    username: &str,
    kind: EventKind,
    message: String,
) -> Result<(), AppError> {
    use crate::entities::membership;
    for member in membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .all(db)
        .await?
    {
        record(
            db,
            at,
            NewEvent {
                smart_account_id: member.smart_account_id,
                virtual_account_id: None,
                actor: username,
                kind,
                message: message.clone(),
                instance: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// What the Event Log asks for, parsed.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub pool: i64,
    /// The account's own log instead of a pool's.
    pub account: bool,
    /// From the start of this day, up to (not including) the start of `until`.
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub kind: Option<EventKind>,
    pub text: Option<String>,
    /// Show events older than this id (the cursor of the previous page).
    pub before: Option<i64>,
    /// Rows a page.
    pub limit: u64,
}

impl TryFrom<EventQuery> for EventFilter {
    type Error = FieldError;

    fn try_from(q: EventQuery) -> Result<EventFilter, FieldError> {
        let kind = match q.kind.trim() {
            "" => None,
            name => Some(
                EventKind::parse(name)
                    .ok_or_else(|| FieldError::new("kind", "Pick a kind from the list."))?,
            ),
        };
        let day = |field: &'static str, text: &str| -> Result<Option<NaiveDate>, FieldError> {
            match text.trim() {
                "" => Ok(None),
                t => NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| {
                        FieldError::new(field, "Enter a date as YYYY-MM-DD, such as 2026-12-01.")
                    }),
            }
        };
        let from = day("from", &q.from)?;
        let to = day("to", &q.to)?;
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                return Err(FieldError::new(
                    "to",
                    "The end date comes before the start date.",
                ));
            }
        }
        let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
        Ok(EventFilter {
            pool: q.pool,
            account: q.account,
            since: from.map(midnight),
            until: to.and_then(|d| d.succ_opt()).map(midnight),
            kind,
            text: Some(q.text),
            before: q.before,
            limit: q.limit.unwrap_or(PAGE_SIZE).clamp(1, 500),
        })
    }
}

/// Lists a pool's events newest first, or the account's own (events of no virtual account: users,
/// API keys, satellites, virtual accounts created or deleted) for those who manage pools.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    query: EventQuery,
) -> Result<EventPage, AppError> {
    let filter = EventFilter::try_from(query)?;
    let scope = if filter.account {
        super::require(actor, Action::ManagePools)?;
        event::Column::VirtualAccountId.is_null()
    } else {
        super::require(actor, Action::ViewPool(filter.pool))?;
        super::pools::find_visible(db, actor, filter.pool).await?;
        event::Column::VirtualAccountId.eq(filter.pool)
    };
    let mut query = event::Entity::find()
        .filter(event::Column::SmartAccountId.eq(actor.smart_account_id))
        .filter(scope);
    if let Some(since) = filter.since {
        query = query.filter(event::Column::At.gte(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(event::Column::At.lt(until));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(event::Column::Kind.eq(kind));
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
        query = query.filter(
            Condition::any()
                .add(
                    Expr::from(Func::lower(Expr::col(event::Column::Message)))
                        .like(LikeExpr::new(pattern.clone()).escape('\\')),
                )
                .add(
                    Expr::from(Func::lower(Expr::col(event::Column::Actor)))
                        .like(LikeExpr::new(pattern).escape('\\')),
                ),
        );
    }
    if let Some(before) = filter.before {
        query = query.filter(event::Column::Id.lt(before));
    }
    let mut rows = query
        .order_by_desc(event::Column::Id)
        .limit(filter.limit + 1)
        .all(db)
        .await?;
    let older = if rows.len() as u64 > filter.limit {
        rows.truncate(filter.limit as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok(EventPage {
        rows: rows.into_iter().map(to_row).collect(),
        older,
    })
}

/// An event as the pages show it.
pub fn to_row(m: event::Model) -> EventRow {
    EventRow {
        id: m.id,
        at: m.at,
        actor: m.actor,
        kind: m.kind,
        message: m.message,
    }
}

/// Escapes `%`, `_` and `\` so that typed text matches literally in LIKE.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
