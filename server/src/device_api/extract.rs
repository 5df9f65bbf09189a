//! Extractors whose refusals answer in the device API's error shape.

use app::domain::device::DeviceRefusal;
use app::domain::error::FieldError;
use app::error::DeviceError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

/// A JSON body: 413 `invalid_request` above 64 KiB, 400 `invalid_request` naming what is wrong.
pub struct DeviceJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for DeviceJson<T> {
    type Rejection = DeviceError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                DeviceError::BodyTooLarge
            } else {
                FieldError::new("body", "the body could not be read").into()
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(DeviceJson)
            .map_err(|e| FieldError::new("body", describe(&e)).into())
    }
}

/// serde's message without the position noise: "missing field `udi`", "invalid type: …".
fn describe(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text).to_owned();
    if err.is_syntax() || err.is_eof() {
        format!("malformed JSON: {text}")
    } else {
        text
    }
}

/// The credential of `Authorization: Bearer …`, or 401 `not_registered`.
pub struct Bearer(pub String);

/// The bearer credential of a request, if any.
pub fn bearer_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 512)
}

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = DeviceError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        bearer_of(&parts.headers)
            .map(Bearer)
            .ok_or(DeviceError::Refused(DeviceRefusal::NotRegistered))
    }
}
