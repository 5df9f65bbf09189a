//! Extractors whose refusals answer in the REST API's error shape, and the caller and database
//! handle of a request.

use std::sync::Arc;

use app::domain::roles::Actor;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde::de::DeserializeOwned;

use super::error::{ApiError, ApiErrorCode};

/// A JSON body: 413 above the limit, 400 naming what is wrong.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ApiErrorCode::InvalidRequest,
                    "The body is over 1 MiB.",
                )
            } else {
                ApiError::invalid("body", "The body could not be read.")
            }
        })?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(&mut de)
            .map(ApiJson)
            .map_err(|e| {
                let path = e.path().to_string();
                // A syntax error has no path (`?`), nor has the top level (`.`).
                let field = if path == "." || path == "?" || path.is_empty() {
                    "body".to_owned()
                } else {
                    path
                };
                ApiError::invalid(field, describe(e.inner()))
            })
    }
}

/// What is wrong with a JSON body, in the words of the API's other refusals (never the parser's own:
/// "invalid type: floating point `1e+20`, expected i64" becomes "Use a whole number (not 1e+20).").
pub fn describe(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text).to_owned();
    if err.is_syntax() || err.is_eof() {
        return "The body is not valid JSON.".to_owned();
    }
    reword(&text)
}

/// serde's data-error text in plain words (`describe`); a message it does not know stays as it is.
fn reword(text: &str) -> String {
    let quoted = |s: &str| s.split('`').nth(1).map(str::to_owned);
    if let Some(rest) = text.strip_prefix("missing field ") {
        return format!(
            "Add the field {}.",
            quoted(rest).unwrap_or_else(|| rest.to_owned())
        );
    }
    if let Some(rest) = text.strip_prefix("unknown field ") {
        let field = quoted(rest).unwrap_or_else(|| rest.to_owned());
        return format!("Remove the field {field}: there is no such field here.");
    }
    if let Some(rest) = text.strip_prefix("unknown variant ") {
        let got = quoted(rest).unwrap_or_default();
        let choices: Vec<&str> = rest
            .split_once("expected ")
            .map(|(_, e)| e.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        return format!("Use one of {} (not {got}).", choices.join(", "));
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
            // "floating point `1e+20`", "string \"2\"", "null": the value as the client sent it.
            let got = quoted(got).unwrap_or_else(|| {
                got.strip_prefix("string ")
                    .map(|q| q.trim_matches('"').to_owned())
                    .unwrap_or_else(|| got.to_owned())
            });
            let want = match expected.trim() {
                "i64" | "i32" | "i16" | "u64" | "u32" | "u16" | "usize" | "isize" => {
                    "a whole number"
                }
                "f64" | "f32" => "a number",
                "a string" => "text in quotes",
                "a boolean" => "true or false",
                "a sequence" => "a list",
                e if e.starts_with("struct") || e.starts_with("a map") => "an object",
                e if !e.is_empty() => e,
                _ => "another value",
            };
            return format!("Use {want} (not {got}).");
        }
    }
    text.to_owned()
}

/// Query parameters: 400 naming the parameter that does not parse.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => {
                let text = rejection.body_text();
                // "Failed to deserialize query string: limit: invalid digit found in string"
                let detail = text
                    .split_once(": ")
                    .map(|(_, rest)| rest.to_owned())
                    .unwrap_or(text);
                let field = detail
                    .split_once(": ")
                    .map(|(f, _)| f.to_owned())
                    .filter(|f| !f.contains(' '))
                    .unwrap_or_else(|| "query".to_owned());
                Err(ApiError::invalid(field, detail))
            }
        }
    }
}

/// Path parameters: an id that is not one is simply not found.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|_| ApiError::not_found())
    }
}

/// Who is calling: the key's user, narrowed by the key (put in by the authentication layer).
#[derive(Clone, Debug)]
pub struct Caller {
    pub actor: Actor,
    pub key_id: i64,
    pub account_name: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(ApiError::unauthorized)
    }
}

/// Where a request's reads and writes go: the shared connection, or, for a POST with an
/// `Idempotency-Key`, the transaction that also keeps its answer (so that the change and the answer
/// commit together, once).
#[derive(Clone)]
pub enum Db {
    Pool(DatabaseConnection),
    Tx(Arc<DatabaseTransaction>),
}

impl<S: Send + Sync> FromRequestParts<S> for Db {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Db>()
            .cloned()
            .ok_or_else(ApiError::internal)
    }
}

/// Runs `$body` with `$c` bound to the request's connection or transaction (`Db`), whichever it is.
macro_rules! on_db {
    ($db:expr, |$c:ident| $body:expr) => {
        match &$db {
            $crate::rest::extract::Db::Pool(pool) => {
                let $c = pool;
                $body
            }
            $crate::rest::extract::Db::Tx(tx) => {
                let $c = &**tx;
                $body
            }
        }
    };
}
pub(crate) use on_db;

#[cfg(test)]
mod tests {
    use super::describe;

    fn of<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
        describe(&serde_json::from_str::<T>(json).unwrap_err())
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        quantity: i64,
        name: String,
        #[serde(default)]
        scope: Option<Scope>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Scope {
        Read,
        Write,
    }

    #[test]
    fn refusals_speak_plainly_never_in_the_parsers_words() {
        assert_eq!(
            of::<Body>(r#"{"quantity": 1e+20, "name": "a"}"#),
            "Use a whole number (not 1e+20)."
        );
        assert_eq!(
            of::<Body>(r#"{"quantity": "2", "name": "a"}"#),
            "Use a whole number (not 2)."
        );
        assert_eq!(of::<Body>(r#"{"quantity": 2}"#), "Add the field name.");
        assert_eq!(
            of::<Body>(r#"{"quantity": 2, "name": 5}"#),
            "Use text in quotes (not 5)."
        );
        assert_eq!(
            of::<Body>(r#"{"quantity": 2, "name": "a", "x": 1}"#),
            "Remove the field x: there is no such field here."
        );
        assert_eq!(
            of::<Body>(r#"{"quantity": 2, "name": "a", "scope": "all"}"#),
            "Use one of read, write (not all)."
        );
        assert_eq!(
            of::<Body>(r#"{"quantity": "#),
            "The body is not valid JSON."
        );
        for text in [
            of::<Body>(r#"{"quantity": 1e+20, "name": "a"}"#),
            of::<Body>(r#"{"quantity": 2}"#),
        ] {
            assert!(
                !text.contains("i64") && !text.contains("invalid type") && !text.contains('`'),
                "{text}"
            );
        }
    }
}
