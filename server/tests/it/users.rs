//! Users and access: the Users page's rules (sign-in links, roles and pool grants, disable, reset,
//! remove, the last active admin), sessions, two-factor sign-in, several smart accounts.

use crate::common;

use app::domain::error::Refusal;
use app::error::AppError;
use app::model::{AccountInfo, IssuedLink, UserPage};
use axum::http::header;
use common::{backends, Client, TestApp, PASSWORD};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const NEW_PASSWORD: &str = "a brand new passphrase";

fn location(reply: &common::Reply) -> Option<String> {
    reply
        .headers
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
}

async fn users(c: &mut Client, q: &str) -> Result<UserPage, AppError> {
    c.call("users/list", &[("q", q)]).await.result()
}

async fn add(
    c: &mut Client,
    username: &str,
    role: &str,
    pools: &[i64],
) -> Result<Option<IssuedLink>, AppError> {
    let ids: Vec<String> = pools.iter().map(i64::to_string).collect();
    let mut form = vec![("username", username), ("role", role)];
    for id in &ids {
        form.push(("pools[]", id.as_str()));
    }
    c.call("users/add", &form).await.result()
}

fn secret(link: &IssuedLink) -> String {
    link.url.split("link=").nth(1).unwrap().to_owned()
}

async fn set_password(app: &TestApp, link: &str, password: &str) -> Result<(), AppError> {
    app.client()
        .call(
            "links/set-password",
            &[
                ("link", link),
                ("new_password", password),
                ("confirm_password", password),
            ],
        )
        .await
        .result()
}

async fn user_id(c: &mut Client, username: &str) -> i64 {
    users(c, username)
        .await
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.username == username)
        .unwrap()
        .id
}

async fn act(c: &mut Client, endpoint: &str, id: i64) -> Result<(), AppError> {
    c.call(endpoint, &[("id", &id.to_string())]).await.result()
}

async fn pool(app: &TestApp, c: &mut Client, name: &str) -> i64 {
    let reply = c
        .call("pools/create", &[("name", name), ("description", "")])
        .await;
    assert!(reply.status.is_success(), "{}", reply.text());
    let _ = app;
    c.pool_id(name).await
}

/// An admin adds a pool viewer of East, who sets a password on the link and sees only East.
async fn viewer(app: &TestApp, admin: &mut Client) -> (Client, i64, i64) {
    let east = pool(app, admin, "East").await;
    let link = add(admin, "vera", "pool-viewer", &[east])
        .await
        .unwrap()
        .expect("a link");
    assert!(link.url.contains("/welcome?link=sil_"), "{}", link.url);
    set_password(app, &secret(&link), NEW_PASSWORD)
        .await
        .unwrap();
    let mut vera = app.client_from("10.0.0.7");
    vera.login("vera", NEW_PASSWORD).await.unwrap();
    let id = user_id(admin, "vera").await;
    (vera, east, id)
}

#[tokio::test]
async fn an_added_user_sets_a_password_on_a_one_time_link_and_sees_only_their_pools() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut admin = app.account("Acme", "alice").await;
        let east = pool(&app, &mut admin, "East").await;
        pool(&app, &mut admin, "West").await;
        // A pool role needs a pool; the message names the field.
        match add(&mut admin, "vera", "pool-viewer", &[]).await {
            Err(AppError::Validation { field, .. }) => assert_eq!(field, "pools"),
            other => panic!("{other:?}"),
        }
        let link = add(&mut admin, "vera", "pool-viewer", &[east])
            .await
            .unwrap()
            .unwrap();
        let s = secret(&link);
        // Invited until the password is set; the link names its user.
        let row = users(&mut admin, "vera").await.unwrap().rows.remove(0);
        assert_eq!(row.state, app::domain::users::UserState::Invited);
        assert_eq!(
            row.pools.iter().map(|p| p.1.as_str()).collect::<Vec<_>>(),
            ["East"]
        );
        let info: app::model::LinkInfo = app
            .client()
            .call("links/info", &[("link", &s)])
            .await
            .result()
            .unwrap();
        assert_eq!(info.username, "vera");
        // The password rules apply, by field.
        match set_password(&app, &s, "short").await {
            Err(AppError::Validation { field, .. }) => assert_eq!(field, "new_password"),
            other => panic!("{other:?}"),
        }
        set_password(&app, &s, NEW_PASSWORD).await.unwrap();
        // Used once.
        match set_password(&app, &s, "another fine passphrase").await {
            Err(AppError::Validation { field, .. }) => assert_eq!(field, "link", "{backend:?}"),
            other => panic!("{other:?}"),
        }
        let mut vera = app.client();
        vera.login("vera", NEW_PASSWORD).await.unwrap();
        let me = vera.me().await.unwrap();
        assert_eq!(
            me.pools.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["East"]
        );
        assert!(!me.pools[0].can_change);
        assert!(!me.manages_users);
        assert_eq!(users(&mut vera, "").await, Err(AppError::Forbidden));
        // The admin's view: active, with a sign-in time; the event names who did what to whom.
        let row = users(&mut admin, "vera").await.unwrap().rows.remove(0);
        assert_eq!(row.state, app::domain::users::UserState::Active);
        assert!(row.last_sign_in_at.is_some());
        let events: app::model::EventPage = admin
            .call("events/list", &[("account", "true")])
            .await
            .result()
            .unwrap();
        let messages: Vec<String> = events.rows.iter().map(|e| e.message.clone()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m == "alice added user \"vera\" as Pool viewer of East"),
            "{messages:?}"
        );
        // A second user of the same name in this account is refused.
        match add(&mut admin, "Vera", "account-user", &[]).await {
            Err(AppError::Validation { field, .. }) => assert_eq!(field, "username"),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn sign_in_links_expire_after_72_hours() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut admin = app.account("Acme", "alice").await;
        let link = add(&mut admin, "uma", "account-user", &[])
            .await
            .unwrap()
            .unwrap();
        app.state.clock.advance(72 * 3600 + 1);
        match set_password(&app, &secret(&link), NEW_PASSWORD).await {
            Err(AppError::Validation { field, message }) => {
                assert_eq!(field, "link");
                assert!(message.contains("expired"), "{message}");
            }
            other => panic!("{backend:?}: {other:?}"),
        }
        // Reset Password… makes a new one.
        let id = user_id(&mut admin, "uma").await;
        let fresh: Option<IssuedLink> = admin
            .call("users/reset-password", &[("id", &id.to_string())])
            .await
            .result()
            .unwrap();
        set_password(&app, &secret(&fresh.unwrap()), NEW_PASSWORD)
            .await
            .unwrap();
        app.client().login("uma", NEW_PASSWORD).await.unwrap();
    }
}

#[tokio::test]
async fn disabling_ends_sessions_at_once_and_refuses_sign_in_plainly() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut admin = app.account("Acme", "alice").await;
        let (mut vera, _, id) = viewer(&app, &mut admin).await;
        assert!(vera.me().await.is_some());
        act(&mut admin, "users/disable", id).await.unwrap();
        assert!(vera.me().await.is_none(), "{backend:?}: the session ended");
        assert_eq!(
            app.client().login("vera", NEW_PASSWORD).await,
            Err(AppError::Refused(Refusal::AccessDisabled))
        );
        let row = users(&mut admin, "vera").await.unwrap().rows.remove(0);
        assert_eq!(row.state, app::domain::users::UserState::Disabled);
        act(&mut admin, "users/enable", id).await.unwrap();
        let mut again = app.client();
        again.login("vera", NEW_PASSWORD).await.unwrap();
        assert!(again.me().await.is_some());
    }
}

#[tokio::test]
async fn reset_ends_sessions_and_the_old_password_and_remove_ends_the_user() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut admin = app.account("Acme", "alice").await;
        let (mut vera, _, id) = viewer(&app, &mut admin).await;
        let link: Option<IssuedLink> = admin
            .call("users/reset-password", &[("id", &id.to_string())])
            .await
            .result()
            .unwrap();
        assert!(vera.me().await.is_none(), "{backend:?}");
        assert_eq!(
            app.client().login("vera", NEW_PASSWORD).await,
            Err(AppError::BadCredentials)
        );
        set_password(&app, &secret(&link.unwrap()), "yet another passphrase")
            .await
            .unwrap();
        let mut vera = app.client();
        vera.login("vera", "yet another passphrase").await.unwrap();
        act(&mut admin, "users/remove", id).await.unwrap();
        assert!(vera.me().await.is_none());
        assert_eq!(
            app.client().login("vera", "yet another passphrase").await,
            Err(AppError::BadCredentials)
        );
        assert!(users(&mut admin, "vera").await.unwrap().rows.is_empty());
    }
}

#[tokio::test]
async fn the_last_active_account_admin_can_be_neither_disabled_demoted_nor_removed() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut alice = app.account("Acme", "alice").await;
        let me = user_id(&mut alice, "alice").await;
        let last = Err(AppError::Refused(Refusal::LastAccountAdmin));
        assert_eq!(act(&mut alice, "users/disable", me).await, last);
        assert_eq!(act(&mut alice, "users/remove", me).await, last);
        let demote: Result<(), AppError> = alice
            .call(
                "users/update",
                &[("id", &me.to_string()), ("role", "account-user")],
            )
            .await
            .result();
        assert_eq!(demote, last);
        assert_eq!(
            last.clone().unwrap_err().to_string(),
            "This is the account's last active account admin. Make another user an account admin first."
        );
        // With a second admin, one may go, and then the other is the last.
        let link = add(&mut alice, "bob", "account-admin", &[])
            .await
            .unwrap()
            .unwrap();
        set_password(&app, &secret(&link), NEW_PASSWORD)
            .await
            .unwrap();
        let mut bob = app.client_from("10.0.0.9");
        bob.login("bob", NEW_PASSWORD).await.unwrap();
        let bob_id = user_id(&mut alice, "bob").await;
        // Both demote the other at the same moment: exactly one wins.
        let demote_other = |mut c: Client, other: i64| {
            tokio::spawn(async move {
                let id = other.to_string();
                c.call(
                    "users/update",
                    &[("id", id.as_str()), ("role", "account-user")],
                )
                .await
                .result::<()>()
            })
        };
        let (a, b) = (
            demote_other(alice.clone(), bob_id),
            demote_other(bob.clone(), me),
        );
        let wins = [a.await.unwrap(), b.await.unwrap()];
        assert_eq!(
            wins.iter().filter(|r| r.is_ok()).count(),
            1,
            "{backend:?}: {wins:?}"
        );
        // The other was refused: as the last admin, or (decided after) as no admin any more.
        assert!(
            wins.iter()
                .any(|r| *r == last || *r == Err(AppError::Forbidden)),
            "{wins:?}"
        );
        let admins = app::entities::membership::Entity::find()
            .filter(
                app::entities::membership::Column::Role.eq(app::domain::roles::Role::AccountAdmin),
            )
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(admins.len(), 1, "{backend:?}");
    }
}

#[tokio::test]
async fn sessions_are_listed_revoked_and_ended_by_a_password_change() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut laptop = app.account("Acme", "alice").await;
        let mut phone = app.client_from("10.0.0.2");
        phone.login("alice", PASSWORD).await.unwrap();
        let mut tablet = app.client_from("10.0.0.3");
        tablet.login("alice", PASSWORD).await.unwrap();
        let info: AccountInfo = laptop.call("account/info", &[]).await.result().unwrap();
        assert_eq!(info.sessions.len(), 3);
        assert_eq!(info.sessions.iter().filter(|s| s.current).count(), 1);
        let phone_session = info
            .sessions
            .iter()
            .find(|s| s.address == "10.0.0.2")
            .unwrap();
        laptop
            .call("account/revoke-session", &[("id", &phone_session.id)])
            .await
            .result::<()>()
            .unwrap();
        assert!(phone.me().await.is_none(), "{backend:?}");
        assert!(tablet.me().await.is_some());
        // Another user's session id changes nothing.
        let mut bob = app.account("Globex", "bob").await;
        let laptop_session = info.sessions.iter().find(|s| s.current).unwrap().id.clone();
        assert_eq!(
            bob.call("account/revoke-session", &[("id", &laptop_session)])
                .await
                .result::<()>(),
            Err(AppError::NotFound)
        );
        assert!(laptop.me().await.is_some());
        // A wrong current password changes nothing; a right one ends the other sessions.
        let change = |current: &'static str| {
            vec![
                ("current_password", current),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ]
        };
        match laptop
            .call("account/change-password", &change("not my password"))
            .await
            .result::<()>()
        {
            Err(AppError::Validation { field, .. }) => assert_eq!(field, "current_password"),
            other => panic!("{other:?}"),
        }
        laptop
            .call("account/change-password", &change(PASSWORD))
            .await
            .result::<()>()
            .unwrap();
        assert!(tablet.me().await.is_none());
        assert!(laptop.me().await.is_some());
        app.client().login("alice", NEW_PASSWORD).await.unwrap();
        // "Sign out other sessions" on its own.
        let ended: u64 = laptop
            .call("account/sign-out-others", &[])
            .await
            .result()
            .unwrap();
        assert_eq!(ended, 1);
        assert!(laptop.me().await.is_some());
    }
}

/// Signs in with a password and answers the code step with `code(secret)`.
async fn enrol(c: &mut Client, app: &TestApp) -> (String, Vec<String>) {
    let setup: app::model::TwoFactorSetup = c
        .call("account/two-factor/start", &[])
        .await
        .result()
        .unwrap();
    assert!(
        setup.otpauth_url.starts_with("otpauth://totp/"),
        "{}",
        setup.otpauth_url
    );
    assert!(setup
        .qr_svg_data_url
        .starts_with("data:image/svg+xml;base64,"));
    match c
        .call("account/two-factor/confirm", &[("code", "000000")])
        .await
        .result::<Vec<String>>()
    {
        Err(AppError::Validation { field, .. }) => assert_eq!(field, "code"),
        Ok(_) => {} // one in a million: 000000 was the code
        other => panic!("{other:?}"),
    }
    let code = app::services::two_factor::code_at(&setup.secret, app.now()).unwrap();
    let codes: Vec<String> = c
        .call("account/two-factor/confirm", &[("code", &code)])
        .await
        .result()
        .unwrap();
    (setup.secret, codes)
}

#[tokio::test]
async fn two_factor_sign_in_with_a_code_or_a_recovery_code_once() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut alice = app.account("Acme", "alice").await;
        let (secret, codes) = enrol(&mut alice, &app).await;
        assert_eq!(codes.len(), 10);
        let mut c = app.client();
        let reply = c
            .call(
                "auth/login",
                &[("username", "alice"), ("password", PASSWORD)],
            )
            .await;
        assert!(reply.status.is_success(), "{}", reply.text());
        assert_eq!(location(&reply).as_deref(), Some("/login/code"));
        assert!(
            c.me().await.is_none(),
            "{backend:?}: not signed in before the code"
        );
        match c
            .call("auth/code", &[("code", "123456")])
            .await
            .result::<()>()
        {
            Err(AppError::Validation { field, .. }) => assert_eq!(field, "code"),
            other => panic!("{other:?}"),
        }
        let code = app::services::two_factor::code_at(&secret, app.now()).unwrap();
        c.call("auth/code", &[("code", &code)])
            .await
            .result::<()>()
            .unwrap();
        assert!(c.me().await.is_some());
        // A recovery code works once.
        for attempt in 0..2 {
            let mut d = app.client();
            d.login("alice", PASSWORD).await.unwrap();
            let answer = d
                .call("auth/code", &[("code", &codes[3].to_uppercase())])
                .await
                .result::<()>();
            assert_eq!(
                answer.is_ok(),
                attempt == 0,
                "{backend:?} attempt {attempt}: {answer:?}"
            );
        }
        // The code step without a password step is refused.
        assert!(app
            .client()
            .call("auth/code", &[("code", &code)])
            .await
            .result::<()>()
            .is_err());
        let info: AccountInfo = alice.call("account/info", &[]).await.result().unwrap();
        assert!(info.two_factor);
        assert_eq!(info.recovery_codes_left, 9);
    }
}

#[tokio::test]
async fn an_account_can_require_two_factor_of_everyone() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut alice = app.account("Acme", "alice").await;
        let mut bob = app
            .user("Acme", "bob", app::domain::roles::Role::AccountUser, &[])
            .await;
        assert_eq!(
            bob.call("account/require-two-factor", &[("require", "on")])
                .await
                .result::<()>(),
            Err(AppError::Forbidden)
        );
        alice
            .call("account/require-two-factor", &[("require", "on")])
            .await
            .result::<()>()
            .unwrap();
        // Until he sets it up, bob reaches only his Account page.
        assert_eq!(
            bob.call("pools/list", &[])
                .await
                .result::<serde_json::Value>(),
            Err(AppError::TwoFactorRequired)
        );
        assert!(bob.me().await.unwrap().must_enrol, "{backend:?}");
        enrol(&mut bob, &app).await;
        assert!(bob
            .call("pools/list", &[])
            .await
            .result::<serde_json::Value>()
            .is_ok());
    }
}

#[tokio::test]
async fn a_user_of_two_accounts_chooses_and_switches() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut alice = app.account("Acme", "alice").await;
        let mut gina = app.account("Globex", "gina").await;
        // Gina adds alice to Globex: alice has a password already, so no link.
        assert_eq!(add(&mut gina, "alice", "account-user", &[]).await, Ok(None));
        let mut c = app.client();
        let reply = c
            .call(
                "auth/login",
                &[("username", "alice"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            location(&reply).as_deref(),
            Some("/choose-account"),
            "{backend:?}"
        );
        let me = c.me().await.unwrap();
        assert_eq!(me.smart_account, "Acme");
        let globex = me.accounts.iter().find(|a| a.name == "Globex").unwrap().id;
        c.call("auth/switch", &[("id", &globex.to_string())])
            .await
            .result::<()>()
            .unwrap();
        let me = c.me().await.unwrap();
        assert_eq!(
            (me.smart_account.as_str(), me.role),
            ("Globex", app::domain::roles::Role::AccountUser)
        );
        // An account that is not hers is not found.
        let mut other = app.account("Initech", "ivan").await;
        let initech = other.me().await.unwrap().smart_account_id;
        assert_eq!(
            c.call("auth/switch", &[("id", &initech.to_string())])
                .await
                .result::<()>(),
            Err(AppError::NotFound)
        );
        // Disabled in Globex, she works in Acme only.
        let alice_in_globex = user_id(&mut gina, "alice").await;
        act(&mut gina, "users/disable", alice_in_globex)
            .await
            .unwrap();
        assert!(c.me().await.is_none(), "the Globex session ended");
        let mut c = app.client();
        c.login("alice", PASSWORD).await.unwrap();
        assert_eq!(c.me().await.unwrap().accounts.len(), 1);
        let _ = alice.me().await;
    }
}

/// New recovery codes need a current code; the old ones stop working, the new ones work once.
#[tokio::test]
async fn new_recovery_codes_replace_the_old_ones() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut alice = app.account("Acme", "alice").await;
        let (secret, old) = enrol(&mut alice, &app).await;
        match alice
            .call("account/two-factor/recovery-codes", &[("code", "nope")])
            .await
            .result::<Vec<String>>()
        {
            Err(AppError::Validation { field, .. }) => assert_eq!(field, "code"),
            other => panic!("{backend:?}: {other:?}"),
        }
        let code = app::services::two_factor::code_at(&secret, app.now()).unwrap();
        let new: Vec<String> = alice
            .call("account/two-factor/recovery-codes", &[("code", &code)])
            .await
            .result()
            .unwrap();
        assert_eq!(new.len(), 10);
        assert!(new.iter().all(|c| !old.contains(c)));
        let sign_in = |recovery: String| {
            let app = &app;
            async move {
                let mut d = app.client();
                d.login("alice", PASSWORD).await.unwrap();
                d.call("auth/code", &[("code", &recovery)])
                    .await
                    .result::<()>()
            }
        };
        assert!(
            sign_in(old[0].clone()).await.is_err(),
            "an old code no longer works"
        );
        sign_in(new[0].clone()).await.unwrap();
        let info: app::model::AccountInfo = alice.call("account/info", &[]).await.result().unwrap();
        assert_eq!(info.recovery_codes_left, 9, "{backend:?}");
    }
}
