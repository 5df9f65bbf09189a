//! Server functions, grouped by domain. Each is a public endpoint under `/api/`: read the session, let
//! the service check the role, map the error. No SQL here.

pub mod account;
pub mod alerts;
pub mod api_keys;
pub mod auth;
pub mod events;
pub mod instances;
pub mod licenses;
pub mod overview;
pub mod pools;
pub mod reference;
pub mod reports;
pub mod satellites;
pub mod tokens;
pub mod users;

#[cfg(feature = "ssr")]
pub mod session;

/// Runs a form's change once per one-time form id (`services::forms`): `once!(state, actor,
/// "endpoint", form_id, |db| change(db, …).await)` claims the id, runs the change on `db` (the claim's
/// write transaction) and keeps its answer with it; a repeat of the id answers as the first did and
/// changes nothing. Without an id (scripts, tests) the change runs on the shared connection.
#[cfg(feature = "ssr")]
macro_rules! once {
    ($state:expr, $actor:expr, $endpoint:expr, $form_id:expr, |$db:ident| $change:expr) => {{
        let form_id: Option<String> = $form_id;
        async {
            match form_id.as_deref().filter(|id| !id.is_empty()) {
                None => {
                    let $db = &$state.db;
                    $change
                }
                Some(id) => {
                    use crate::services::forms;
                    let txn = crate::services::begin_writing(&$state.db).await?;
                    match forms::claim(&txn, $actor.user_id, $endpoint, id, $state.now()).await? {
                        forms::Claim::Repeat(answer) => {
                            txn.rollback().await?;
                            forms::repeat(&answer)
                        }
                        forms::Claim::New => {
                            let $db = &txn;
                            let done = $change?;
                            forms::record(&txn, $actor.user_id, id, &done).await?;
                            txn.commit().await?;
                            Ok(done)
                        }
                    }
                }
            }
        }
        .await
    }};
}
#[cfg(feature = "ssr")]
pub(crate) use once;
