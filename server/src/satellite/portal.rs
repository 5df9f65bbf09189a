//! The portal's side of satellites: `POST /api/satellite/v1/sync` for satellites in network mode
//! (the body is the satellite's sync file, the answer its response file; the file's signature is
//! the credential), and `POST /api/satellites/upload` for an account admin's "Upload Sync File…"
//! (the answer downloads the response file to carry back to the air-gapped site).

use app::api::session::actor_of;
use app::domain::roles::Action;
use app::error::AppError;
use app::services::satellites;
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use tower_sessions::Session;

/// The largest sync file taken (a satellite of about a hundred thousand devices).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// `/api/satellite/v1`, outside the session and cross-site layers (a satellite has no cookie).
pub fn sync_router(state: AppState) -> Router {
    Router::new()
        .route("/sync", post(sync))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES))
        .with_state(state)
}

/// The upload route, inside the session and cross-site layers.
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route("/api/satellites/upload", post(upload))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES))
}

fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({"error": {"code": code, "message": message}});
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response()
}

async fn sync(State(state): State<AppState>, body: Bytes) -> Response {
    let Some(signer) = state.signer.clone() else {
        return json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "no signing key",
        );
    };
    let text = String::from_utf8_lossy(&body);
    match satellites::receive(&state.db, &signer, &text, None, state.now()).await {
        Ok(received) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            received.response,
        )
            .into_response(),
        Err(AppError::Validation { message, .. }) => {
            json_error(StatusCode::BAD_REQUEST, "sync_refused", &message)
        }
        Err(err) => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            &err.to_string(),
        ),
    }
}

/// Where the Satellites page shows what became of an upload.
fn back(pairs: &[(&str, String)]) -> Response {
    Redirect::to(&app::links::href("/satellites", pairs)).into_response()
}

async fn upload(State(state): State<AppState>, session: Session, multipart: Multipart) -> Response {
    match take_upload(&state, &session, multipart).await {
        Ok((name, seq, text)) => {
            let file = format!(
                "satellite-{}-response-{seq}.json",
                name.chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect::<String>()
            );
            let mut response = text.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(AppError::Unauthorized) => Redirect::to("/login").into_response(),
        Err(AppError::Validation { message, .. }) => {
            back(&[("upload", "1".to_owned()), ("error", message)])
        }
        Err(err) => back(&[("upload", "1".to_owned()), ("error", err.to_string())]),
    }
}

/// Takes the uploaded file for the signed-in account admin's account.
async fn take_upload(
    state: &AppState,
    session: &Session,
    mut multipart: Multipart,
) -> Result<(String, i64, String), AppError> {
    let (actor, _) = actor_of(state, session).await?;
    app::services::require(&actor, Action::ManageSatellites)?;
    let mut text = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::validation("file", "The file could not be read."))?;
            text = Some(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    let text = text
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| AppError::validation("file", "Choose the satellite's sync file."))?;
    let signer = state.signer.clone().ok_or(AppError::Internal)?;
    let received = satellites::receive(
        &state.db,
        &signer,
        &text,
        Some(actor.smart_account_id),
        state.now(),
    )
    .await?;
    Ok((received.satellite, received.response_seq, received.response))
}
