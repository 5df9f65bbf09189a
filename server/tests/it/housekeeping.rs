//! Background work runs once across processes (a lease row), and the housekeeping sweep removes what
//! has ended: idle or old sessions, expired sign-in links, spent throttle counters.

use crate::common;

use app::entities::{login_throttle, sign_in_link, user_session};
use app::services::housekeeping::{self, HOUSEKEEPING, LEASE_SECS};
use chrono::Duration;
use common::{backends, TestApp, PASSWORD};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_process_at_a_time_holds_the_lease_and_another_takes_it_over() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let other = app.another_process(common::NO_LIMITS).await;
        let now = app.now();
        let ttl = Duration::seconds(LEASE_SECS);
        // Twenty processes tick at the same moment: one runs the work.
        let mut tasks = Vec::new();
        for i in 0..20 {
            let db = if i % 2 == 0 {
                app.db().clone()
            } else {
                other.state.db.clone()
            };
            tasks.push(tokio::spawn(async move {
                housekeeping::acquire(&db, HOUSEKEEPING, &format!("p{i}"), now, ttl)
                    .await
                    .unwrap()
            }));
        }
        let mut holders = Vec::new();
        for (i, t) in tasks.into_iter().enumerate() {
            if t.await.unwrap() {
                holders.push(format!("p{i}"));
            }
        }
        assert_eq!(holders.len(), 1, "{backend:?}: {holders:?}");
        let holder = holders.remove(0);
        let rival = if holder == "p0" { "p1" } else { "p0" };
        // The holder renews; the others wait while it does.
        let later = now + Duration::seconds(60);
        assert!(
            housekeeping::acquire(app.db(), HOUSEKEEPING, &holder, later, ttl)
                .await
                .unwrap()
        );
        assert!(
            !housekeeping::acquire(app.db(), HOUSEKEEPING, rival, later, ttl)
                .await
                .unwrap()
        );
        assert_eq!(
            housekeeping::tick(app.db(), rival, later).await.unwrap(),
            None
        );
        // It stops renewing: once its lease has run out, another takes over, and it has lost it.
        let gone = later + ttl + Duration::seconds(1);
        assert!(housekeeping::tick(&other.state.db, rival, gone)
            .await
            .unwrap()
            .is_some());
        assert!(
            !housekeeping::acquire(app.db(), HOUSEKEEPING, &holder, gone, ttl)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn the_sweep_removes_ended_sessions_links_and_throttle_counters() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut alice = app.account("Acme", "alice").await;
        let mut idle = app.client_from("10.0.0.5");
        idle.login("alice", PASSWORD).await.unwrap();
        // One session unused for 40 minutes: the Account page no longer lists it, and the sweep ends it.
        let now = chrono::Utc::now();
        let info: app::model::AccountInfo = alice.call("account/info", &[]).await.result().unwrap();
        let stale = info
            .sessions
            .iter()
            .find(|s| s.address == "10.0.0.5")
            .unwrap()
            .id
            .clone();
        user_session::Entity::update_many()
            .col_expr(
                user_session::Column::LastSeenAt,
                Expr::value(now - Duration::minutes(40)),
            )
            .filter(user_session::Column::Id.eq(stale.as_str()))
            .exec(app.db())
            .await
            .unwrap();
        let info: app::model::AccountInfo = alice.call("account/info", &[]).await.result().unwrap();
        assert_eq!(info.sessions.len(), 1, "{backend:?}");
        // A spent throttle counter (an old failure) and a live one (a failure now).
        app.client_from("10.0.0.6")
            .login("alice", "not the password")
            .await
            .unwrap_err();
        login_throttle::Entity::update_many()
            .col_expr(
                login_throttle::Column::WindowStartedAt,
                Expr::value(now.timestamp() - 3600),
            )
            .filter(login_throttle::Column::Key.eq("addr:10.0.0.6"))
            .exec(app.db())
            .await
            .unwrap();
        app.client_from("10.0.0.7")
            .login("alice", "not the password")
            .await
            .unwrap_err();
        // An expired sign-in link.
        let link = alice
            .call(
                "users/add",
                &[("username", "uma"), ("role", "account-user")],
            )
            .await;
        assert!(link.status.is_success(), "{}", link.text());
        sign_in_link::Entity::update_many()
            .col_expr(
                sign_in_link::Column::ExpiresAt,
                Expr::value(now - Duration::hours(1)),
            )
            .exec(app.db())
            .await
            .unwrap();

        let swept = housekeeping::sweep(app.db(), now).await.unwrap();
        assert_eq!(
            (swept.user_sessions, swept.sign_in_links, swept.throttles),
            (1, 1, 1),
            "{backend:?}: {swept:?}"
        );
        assert!(user_session::Entity::find_by_id(stale)
            .one(app.db())
            .await
            .unwrap()
            .is_none());
        assert!(alice.me().await.is_some(), "the live session stays");
        let keys: Vec<String> = login_throttle::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.key)
            .collect();
        assert!(
            keys.contains(&"addr:10.0.0.7".to_owned())
                && !keys.contains(&"addr:10.0.0.6".to_owned()),
            "{keys:?}"
        );
        assert_eq!(
            sign_in_link::Entity::find().count(app.db()).await.unwrap(),
            0
        );
    }
}
