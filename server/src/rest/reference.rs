//! The OpenAPI document read into the API reference page's content (`app::model::ApiReference`):
//! operations grouped by tag in the document's order of tags, parameters, bodies and answers with the
//! schemas they name, and every named schema's fields or values.

use app::model::{
    ApiField, ApiGroup, ApiOperation, ApiParameter, ApiReference, ApiResponse, ApiSchema, ApiType,
};
use serde_json::Value;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The reference of the document `json` (empty when it does not parse).
pub fn of_document(json: &str) -> ApiReference {
    let Ok(doc) = serde_json::from_str::<Value>(json) else {
        return ApiReference::default();
    };
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let mut groups: Vec<ApiGroup> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| ApiGroup {
            name: text(&t["name"]),
            description: text(&t["description"]),
            operations: Vec::new(),
        })
        .collect();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let op = &item[method];
            if op.is_null() {
                continue;
            }
            let tag = op["tags"][0].as_str().unwrap_or("Other").to_owned();
            let operation = operation(method, path, op);
            match groups.iter_mut().find(|g| g.name == tag) {
                Some(group) => group.operations.push(operation),
                None => groups.push(ApiGroup {
                    name: tag,
                    description: String::new(),
                    operations: vec![operation],
                }),
            }
        }
    }
    let schemas = doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| schema(name, s))
        .collect();
    ApiReference {
        title: text(&doc["info"]["title"]),
        version: text(&doc["info"]["version"]),
        description: text(&doc["info"]["description"]),
        groups,
        schemas,
    }
}

fn operation(method: &str, path: &str, op: &Value) -> ApiOperation {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let auth = match op["security"][0].as_object().and_then(|o| o.keys().next()) {
        Some(k) if k == "api_key" => "API key",
        Some(_) => "Device credential",
        None => "",
    };
    let parameters = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| ApiParameter {
            name: text(&p["name"]),
            location: text(&p["in"]),
            required: p["required"].as_bool().unwrap_or(false),
            kind: type_of(&p["schema"]),
            description: text(&p["description"]),
        })
        .collect();
    let body = first_content(&op["requestBody"]["content"]);
    let responses = op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(status, r)| ApiResponse {
            status: status.clone(),
            description: text(&r["description"]),
            body: first_content(&r["content"]),
        })
        .collect();
    let (summary, description) = match text(&op["description"]) {
        d if !d.is_empty() => (text(&op["summary"]), d),
        _ => (text(&op["summary"]), String::new()),
    };
    ApiOperation {
        anchor: format!("{method}-{}", anchor_of(path)),
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary,
        description,
        auth: auth.to_owned(),
        parameters,
        body,
        responses,
    }
}

/// `/api/v1/virtual-accounts/{id}` → `api-v1-virtual-accounts-id`.
fn anchor_of(path: &str) -> String {
    path.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The type of the first content of a body or answer (JSON, or the file types of a report).
fn first_content(content: &Value) -> Option<ApiType> {
    let (media, c) = content.as_object()?.iter().next()?;
    if c["schema"].is_null() {
        return Some(ApiType {
            text: content
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>().join(" or "))
                .unwrap_or_else(|| media.clone()),
            schema: None,
        });
    }
    Some(type_of(&c["schema"]))
}

/// How a schema reads: a named schema, `[T]`, `T | null`, a plain type with its format.
fn type_of(s: &Value) -> ApiType {
    if let Some(r) = s["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or(r).to_owned();
        return ApiType {
            text: name.clone(),
            schema: Some(name),
        };
    }
    if let Some(all) = s["allOf"].as_array().or_else(|| s["oneOf"].as_array()) {
        let parts: Vec<ApiType> = all.iter().map(type_of).collect();
        return ApiType {
            text: parts
                .iter()
                .map(|p| p.text.clone())
                .collect::<Vec<_>>()
                .join(" | "),
            schema: parts.into_iter().find_map(|p| p.schema),
        };
    }
    let kinds: Vec<String> = match &s["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => vec!["any".to_owned()],
    };
    let mut schema = None;
    let parts: Vec<String> = kinds
        .into_iter()
        .map(|k| match k.as_str() {
            "array" => {
                let item = type_of(&s["items"]);
                schema = item.schema.clone();
                format!("[{}]", item.text)
            }
            "string" => match s["format"].as_str() {
                Some(f) => format!("string ({f})"),
                None if s["enum"].is_array() => "string (one of the listed values)".to_owned(),
                None => "string".to_owned(),
            },
            "integer" => "integer".to_owned(),
            other => other.to_owned(),
        })
        .collect();
    ApiType {
        text: parts.join(" | "),
        schema,
    }
}

fn schema(name: &str, s: &Value) -> ApiSchema {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let required: Vec<&str> = s["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    ApiSchema {
        name: name.to_owned(),
        description: text(&s["description"]),
        fields: s["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(field, f)| ApiField {
                name: field.clone(),
                kind: type_of(f),
                required: required.contains(&field.as_str()),
                description: text(&f["description"]),
            })
            .collect(),
        values: s["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portal_document_reads_into_groups_operations_and_schemas() {
        let r = of_document(&crate::rest::openapi::json());
        assert_eq!(r.title, "Licensing Portal API");
        let pools = r
            .groups
            .iter()
            .find(|g| g.name == "Virtual accounts")
            .unwrap();
        let list = pools
            .operations
            .iter()
            .find(|o| o.method == "GET" && o.path == "/api/v1/virtual-accounts")
            .unwrap();
        assert_eq!(list.auth, "API key");
        assert!(list
            .parameters
            .iter()
            .any(|p| p.name == "limit" && p.location == "query"));
        let ok = list.responses.iter().find(|r| r.status == "200").unwrap();
        assert_eq!(
            ok.body.as_ref().unwrap().schema.as_deref(),
            Some("VirtualAccountPage")
        );
        let page = r
            .schemas
            .iter()
            .find(|s| s.name == "VirtualAccountPage")
            .unwrap();
        let data = page.fields.iter().find(|f| f.name == "data").unwrap();
        assert_eq!(data.kind.text, "[VirtualAccount]");
        assert!(data.required);
        let code = r.schemas.iter().find(|s| s.name == "ApiErrorCode").unwrap();
        assert!(code.values.contains(&"idempotency_key_reused".to_owned()));
        let device = r.groups.iter().find(|g| g.name == "Device API").unwrap();
        assert!(device
            .operations
            .iter()
            .any(|o| o.path == "/api/device/v1/register" && o.auth.is_empty()));
    }

    #[test]
    fn anchors_are_plain_words() {
        assert_eq!(
            anchor_of("/api/v1/virtual-accounts/{id}"),
            "api-v1-virtual-accounts-id"
        );
    }
}
