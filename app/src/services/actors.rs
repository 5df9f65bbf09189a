//! Who is signed in: the user's membership in a smart account, as an `Actor` the rules decide on.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::domain::roles::Actor;
use crate::entities::{membership, pool_grant, smart_account, user};
use crate::error::AppError;

/// Loads the actor for `user_id` in `smart_account_id`, or in the user's first smart account when
/// `smart_account_id` is None. A user without an enabled membership is not signed in to anything.
pub async fn load(
    db: &impl ConnectionTrait,
    user_id: i64,
    smart_account_id: Option<i64>,
) -> Result<(Actor, smart_account::Model), AppError> {
    let user = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let mut query = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::DisabledAt.is_null());
    if let Some(sa) = smart_account_id {
        query = query.filter(membership::Column::SmartAccountId.eq(sa));
    }
    let member = query
        .order_by_asc(membership::Column::Id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let role = member.role;
    let account = smart_account::Entity::find_by_id(member.smart_account_id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let pools = if role.is_account_wide() {
        Vec::new()
    } else {
        pool_grant::Entity::find()
            .select_only()
            .column(pool_grant::Column::VirtualAccountId)
            .filter(pool_grant::Column::MembershipId.eq(member.id))
            .into_tuple::<i64>()
            .all(db)
            .await?
    };
    Ok((
        Actor {
            user_id,
            username: user.username,
            smart_account_id: account.id,
            role,
            pools,
            key: None,
        },
        account,
    ))
}
