//! The OpenAPI 3.1 document of the customer REST API and the device API, generated from the code
//! (utoipa): the handlers' `#[utoipa::path]` attributes and the wire types' `ToSchema` derives. It is
//! served at `/api/v1/openapi.json`, kept in `docs/openapi.json` (a test fails when the two differ,
//! so that a change to the contract shows in review), and rendered by the portal's API page.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Response as DocResponse, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use super::alerts::{__path_events_list, __path_list as __path_alerts_list};
use super::instances::{
    __path_get as __path_instance_get, __path_list as __path_instances_list,
    __path_remove as __path_instance_remove, __path_transfer as __path_instances_transfer,
};
use super::licenses::{__path_get as __path_license_get, __path_list as __path_licenses_list};
use super::pools::{
    __path_create as __path_pool_create, __path_delete as __path_pool_delete,
    __path_get as __path_pool_get, __path_list as __path_pools_list,
    __path_update as __path_pool_update,
};
use super::reports::__path_export;
use super::tokens::{
    __path_create as __path_token_create, __path_delete as __path_token_delete,
    __path_list as __path_tokens_list, __path_revoke as __path_token_revoke,
};
use super::transfers::__path_create as __path_transfer_create;
use crate::device_api::paths::*;

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Licensing Portal API",
        version = "1.0.0",
        description = "The customer REST API (`/api/v1`, an API key as `Authorization: Bearer lp_…`) \
and the device API (`/api/device/v1`, PROTOCOL.md). Both are frozen contracts: they change only by \
adding. Lists page with `limit` (1 to 500) and the `next` cursor of the previous page. Every error \
answers `{\"error\": {\"code\", \"message\", \"field\"?}}`. Every POST of `/api/v1` takes an \
`Idempotency-Key` header. Each key has a rate limit per minute (`RateLimit-Limit`, \
`RateLimit-Remaining`, `RateLimit-Reset` on every answer; 429 with `Retry-After` past it)."
    ),
    paths(
        pools_list, pool_get, pool_create, pool_update, pool_delete,
        licenses_list, license_get, transfer_create,
        tokens_list, token_create, token_revoke, token_delete,
        instances_list, instance_get, instances_transfer, instance_remove,
        events_list, alerts_list, export,
        register, authorize, renew, deregister, status, signing_key,
    ),
    components(schemas(
        super::instances::InstanceOrder,
        super::instances::Direction,
        super::types::EventKindName,
        super::types::ReportFile,
        super::types::ReportStatusName,
    )),
    modifiers(&Security),
    tags(
        (name = "Virtual accounts", description = "License pools of the smart account"),
        (name = "Licenses", description = "What a virtual account holds and uses, and transfers between them"),
        (name = "Tokens", description = "Registration tokens (idtokens) that register devices into a virtual account"),
        (name = "Product instances", description = "Registered devices"),
        (name = "Events", description = "The audit log"),
        (name = "Alerts", description = "What needs action"),
        (name = "Reports", description = "Reports as Excel or CSV files"),
        (name = "Device API", description = "What routers call (PROTOCOL.md): every 2xx JSON answer is signed (`X-Signature`)"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("lp_…")
                    .description(Some(
                        "An API key made on the API Keys page (Account menu); it acts as its user, \
narrowed by its scope and virtual accounts.",
                    ))
                    .build(),
            ),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            let has_id = path.contains('{');
            for (writes, op) in [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.patch.as_mut()),
                (false, item.delete.as_mut()),
            ] {
                let Some(op) = op else { continue };
                for param in op.parameters.iter_mut().flatten() {
                    if param.name == super::idempotency::HEADER_NAME {
                        param.schema = Some(idempotency_key_schema());
                    }
                }
                let mut common = vec![
                    ("400", "A bad parameter or field (`field` names it)"),
                    ("401", "No valid key"),
                    (
                        "429",
                        "Too many requests with this key; `Retry-After` says when to come back",
                    ),
                    ("500", "The portal failed; the details are in its log"),
                ];
                if writes {
                    common.push(("413", "The body is over 1 MiB"));
                }
                if has_id {
                    common.push(("404", "Not in the key's reach"));
                }
                for (status, description) in common {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error_response(description));
                }
            }
        }
        components.add_security_scheme(
            "device_credential",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The credential a device received at registration."))
                    .build(),
            ),
        );
    }
}

/// The `Idempotency-Key` header's value: 1 to 255 visible ASCII characters.
fn idempotency_key_schema() -> RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(255))
        .pattern(Some("^[!-~]+$"))
        .into()
}

/// An error answer with the API's error body.
fn error_response(description: &str) -> RefOr<DocResponse> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ApiErrorBody")))
                    .build(),
            )
            .build(),
    )
}

/// The document as pretty JSON, as served and as kept in `docs/openapi.json`.
pub fn json() -> String {
    let mut text = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// `GET /api/v1/openapi.json` (no key needed: the contract is public).
pub async fn document() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract as generated equals `docs/openapi.json`: a change to the API shows in review as a
    /// change of that file. After a deliberate change (by adding), accept it with
    /// `UPDATE_OPENAPI=1 cargo test -p server openapi`.
    #[test]
    fn the_document_matches_its_snapshot() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
        let generated = json();
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let kept = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            kept == generated,
            "the OpenAPI document changed; review it, then run UPDATE_OPENAPI=1 cargo test -p server openapi"
        );
    }

    #[test]
    fn the_document_is_openapi_3_1_and_covers_both_apis() {
        let doc: serde_json::Value = serde_json::from_str(&json()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths = doc["paths"].as_object().unwrap();
        for path in [
            "/api/v1/virtual-accounts",
            "/api/v1/transfers",
            "/api/v1/product-instances/{id}",
            "/api/v1/reports/{file}",
            "/api/device/v1/register",
            "/api/device/v1/authorize",
        ] {
            assert!(paths.contains_key(path), "{path} is missing");
        }
    }
}
