//! Property: whatever body a device sends, the device API answers with its error shape, never a 5xx.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request};
use proptest::prelude::*;
use serde_json::{json, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,80}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id_token".to_owned()),
                    Just("udi".to_owned()),
                    Just("pid".to_owned()),
                    Just("sn".to_owned()),
                    Just("entitlements".to_owned()),
                    Just("tag".to_owned()),
                    Just("count".to_owned()),
                    Just("force".to_owned()),
                    ".{0,8}"
                ],
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        (".{0,70}", ".{0,70}", ".{0,70}", any::<bool>()).prop_map(|(t, p, s, f)| serde_json::to_vec(&json!({
            "id_token": t, "udi": {"pid": p, "sn": s}, "hostname": "h", "product": "p", "force": f
        })).unwrap()),
        prop::collection::vec((".{0,70}", any::<i64>()), 0..5).prop_map(|list| serde_json::to_vec(&json!({
            "entitlements": list.into_iter().map(|(tag, count)| json!({"tag": tag, "count": count})).collect::<Vec<_>>()
        })).unwrap()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_bodies_never_produce_a_5xx(bodies in prop::collection::vec((0usize..4, body()), 4)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let app = common::TestApp::new(&common::Backend::Sqlite).await;
            for (endpoint, bytes) in bodies {
                let path = ["register", "authorize", "renew", "deregister"][endpoint];
                let req = Request::post(format!("/api/device/v1/{path}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::AUTHORIZATION, "Bearer dcr_not-a-real-one")
                    .body(Body::from(bytes))
                    .unwrap();
                let reply = app.client().send(req).await;
                assert!(reply.status.as_u16() < 500, "{path} answered {}: {}", reply.status, reply.text());
                if !reply.status.is_success() {
                    let v: Value = serde_json::from_slice(&reply.body).expect("a JSON error body");
                    assert!(v["error"]["code"].is_string() && v["error"]["message"].is_string(), "{v}");
                }
            }
        });
    }
}
