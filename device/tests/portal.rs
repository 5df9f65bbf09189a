//! The device client against a real portal on a random port: registration, features and pooled
//! compliance, deregistration, reloads, forced re-registration, signatures, timers and HTTPS.

mod support;

use base64::Engine;
use device::transport::{parse_key, CommError};
use device_protocol::{ErrorCode, InstanceStatus};
use support::{fails, line, ok, registered, Portal, POOL_100G};

/// The portal's own view of a device's credential: `Ok(status)` or the refusal's code.
async fn portal_status(
    portal: &Portal,
    key: &str,
    credential: &str,
) -> Result<InstanceStatus, Option<ErrorCode>> {
    let key = parse_key(key).unwrap();
    portal
        .client()
        .status(&key, credential)
        .await
        .map(|s| s.status)
        .map_err(|e| e.refusal_code())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_authorize_go_out_of_compliance_and_deregister() {
    let portal = Portal::start().await;
    let mut r1 = portal.device("r1", "FOX0000001");
    ok(&mut r1, "license smart enable").await;
    let before = ok(&mut r1, "show license status").await;
    assert_eq!(line(&before, "Status:"), "Status: UNREGISTERED");
    assert!(before.contains("Status: EVAL MODE"), "{before}");

    ok(&mut r1, "feature A9K-100G-LIC 2").await;
    let reg = ok(
        &mut r1,
        &format!("license smart register idtoken {}", portal.token),
    )
    .await;
    assert!(reg.contains("%SMART_LIC-6-AGENT_REG_SUCCESS"), "{reg}");
    assert!(reg.contains("udi PID:ASR-9006-AC,SN:FOX0000001"), "{reg}");
    let status = ok(&mut r1, "show license status").await;
    assert_eq!(line(&status, "Status:"), "Status: REGISTERED");
    assert!(
        status.contains("Smart Account: Acme\n  Virtual Account: Default"),
        "{status}"
    );
    assert!(
        line(&status, "Status: AUTH").starts_with("Status: AUTHORIZED on "),
        "{status}"
    );
    assert!(
        status.contains("Last Communication Attempt: SUCCESS on"),
        "{status}"
    );
    let summary = ok(&mut r1, "show license summary").await;
    assert!(
        line(&summary, "ASR 9000 100GE").ends_with("2  AUTHORIZED"),
        "{summary}"
    );
    let reg1 = r1.state.registration.clone().unwrap();
    assert_eq!(
        portal_status(&portal, &reg1.signing_key, &reg1.credential).await,
        Ok(InstanceStatus::Authorized)
    );

    // More features than the pool holds: out of compliance, and logged.
    let over = ok(&mut r1, &format!("feature A9K-100G-LIC {}", POOL_100G + 1)).await;
    assert!(over.contains("%SMART_LIC-3-OUT_OF_COMPLIANCE"), "{over}");
    let status = ok(&mut r1, "show license status").await;
    assert!(status.contains("Status: OUT OF COMPLIANCE on "), "{status}");
    let ents = ok(&mut r1, "show license entitlements").await;
    assert!(
        ents.contains(
            "Entitlement tag: A9K-100G-LIC\n  Description: ASR 9000 100GE port license\n  Count: 3"
        ),
        "{ents}"
    );
    assert!(
        ents.contains("Status: OUT OF COMPLIANCE\n  Enforcement Type: NOT ENFORCED"),
        "{ents}"
    );
    // Back within the pool.
    ok(&mut r1, "feature A9K-100G-LIC 1").await;
    assert!(ok(&mut r1, "show license status")
        .await
        .contains("Status: AUTHORIZED on "));

    // A second device of the same virtual account pushes the pool over: compliance is pooled.
    let mut r2 = registered(&portal, "r2", "FOX0000002", &[("A9K-100G-LIC", 2)]).await;
    assert!(ok(&mut r2, "show license status")
        .await
        .contains("Status: OUT OF COMPLIANCE on "));
    ok(&mut r1, "license smart renew auth").await;
    assert!(ok(&mut r1, "show license summary")
        .await
        .contains("OUT OF COMPLIANCE"));

    // r2 deregisters: its credential is withdrawn and r1 is within the pool again.
    let reg2 = r2.state.registration.clone().unwrap();
    let out = ok(&mut r2, "license smart deregister").await;
    assert!(out.contains("%SMART_LIC-6-AGENT_DEREG_SUCCESS"), "{out}");
    assert_eq!(
        line(&ok(&mut r2, "show license status").await, "Status:"),
        "Status: UNREGISTERED"
    );
    assert_eq!(
        portal_status(&portal, &reg2.signing_key, &reg2.credential).await,
        Err(Some(ErrorCode::NotRegistered))
    );
    fails(&mut r2, "license smart deregister").await;
    ok(&mut r1, "license smart renew auth").await;
    assert!(ok(&mut r1, "show license status")
        .await
        .contains("Status: AUTHORIZED on "));
    assert!(ok(&mut r1, "show license pool")
        .await
        .contains("Virtual Account (pool): Default"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_survives_reloads_and_force_registers_again() {
    let portal = Portal::start().await;
    let r1 = registered(&portal, "r1", "FOX0000011", &[("A9K-IVRF-LIC", 1)]).await;
    let first = r1.state.registration.clone().unwrap();
    drop(r1);

    // The process ends and starts again from the state file.
    let mut r1 = portal.device("r1", "FOX0000011");
    let status = ok(&mut r1, "show license status").await;
    assert_eq!(line(&status, "Status:"), "Status: REGISTERED");
    assert_eq!(
        r1.state.registration.as_ref().unwrap().instance_id,
        first.instance_id
    );
    // And the router's own reload.
    let out = ok(&mut r1, "reload").await;
    assert!(out.contains("%SMART_LIC-6-AGENT_READY"), "{out}");
    assert_eq!(
        line(&ok(&mut r1, "show license status").await, "Status:"),
        "Status: REGISTERED"
    );
    // An unknown tag is still requested; the portal finds none of it in the pool.
    assert!(ok(&mut r1, "show license summary")
        .await
        .contains("OUT OF COMPLIANCE"));

    // Registering again needs force.
    let again = fails(
        &mut r1,
        &format!("license smart register idtoken {}", portal.token),
    )
    .await;
    assert!(
        again.output.contains("already registered"),
        "{}",
        again.output
    );
    ok(
        &mut r1,
        &format!("license smart register idtoken {} force", portal.token),
    )
    .await;
    let second = r1.state.registration.clone().unwrap();
    assert_ne!(second.credential, first.credential);
    assert_eq!(
        portal_status(&portal, &first.signing_key, &first.credential).await,
        Err(Some(ErrorCode::NotRegistered))
    );
    assert!(
        portal_status(&portal, &second.signing_key, &second.credential)
            .await
            .is_ok()
    );

    // Another device claiming the same UDI without force is refused by the portal.
    let mut twin = portal.device("twin", "FOX0000011");
    ok(&mut twin, "license smart enable").await;
    let refused = fails(
        &mut twin,
        &format!("license smart register idtoken {}", portal.token),
    )
    .await;
    assert!(
        refused.output.contains("%SMART_LIC-3-AGENT_REG_FAILED"),
        "{}",
        refused.output
    );
    assert!(
        refused.output.contains("already_registered"),
        "{}",
        refused.output
    );
    let status = ok(&mut twin, "show license status").await;
    assert_eq!(line(&status, "Status:"), "Status: REGISTRATION FAILED");
    assert!(
        line(&status, "Failure reason:").contains("409 already_registered"),
        "{status}"
    );
    // A bad token is refused with the portal's code.
    let bad = fails(&mut twin, "license smart register idtoken idt_nope").await;
    assert!(bad.output.contains("token_invalid"), "{}", bad.output);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_not_signed_by_the_pinned_key_is_refused_and_logged() {
    let portal = Portal::start().await;
    let r1 = registered(&portal, "r1", "FOX0000021", &[("A9K-100G-LIC", 1)]).await;
    let path = r1.path().to_owned();
    let authorized_before = r1.state.authorization.clone();
    drop(r1);

    // Pin another key in the state file, as if the answers came from an impostor.
    let mut raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let impostor = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]).verifying_key();
    raw["registration"]["signing_key"] = base64::engine::general_purpose::STANDARD
        .encode(impostor.to_bytes())
        .into();
    std::fs::write(&path, serde_json::to_vec_pretty(&raw).unwrap()).unwrap();

    let mut r1 = portal.device("r1", "FOX0000021");
    let refused = fails(&mut r1, "license smart renew auth").await;
    assert!(
        refused.output.contains(
            "%SMART_LIC-3-COMM_FAILED: Communications failure with the portal: signature invalid"
        ),
        "{}",
        refused.output
    );
    assert!(
        refused.output.contains("%SMART_LIC-3-AUTH_RENEW_FAILED"),
        "{}",
        refused.output
    );
    // The refused answer changed nothing; the failure is on record and retried on schedule.
    assert_eq!(r1.state.authorization, authorized_before);
    let status = ok(&mut r1, "show license status").await;
    assert!(
        line(&status, "Failure reason:").contains("signature invalid"),
        "{status}"
    );
    assert!(ok(&mut r1, "show logging")
        .await
        .contains("signature invalid"));
    let renew = fails(&mut r1, "license smart renew id").await;
    assert!(
        renew.output.contains("%SMART_LIC-3-ID_CERT_RENEW_FAILED"),
        "{}",
        renew.output
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_retries_on_schedule_and_its_authorization_expires() {
    let portal = Portal::start().await;
    let mut r1 = registered(&portal, "r1", "FOX0000031", &[("A9K-100G-LIC", 1)]).await;
    // Nothing is due within the day.
    let quiet = ok(&mut r1, "test clock advance 23h").await;
    assert!(!quiet.contains("%SMART_LIC"), "{quiet}");

    // The portal becomes unreachable; the daily sync fails and is retried 20 minutes later.
    ok(&mut r1, "call-home destination http://127.0.0.1:9").await;
    let failed = ok(&mut r1, "test clock advance 1h").await;
    assert!(
        failed.contains(
            "%SMART_LIC-3-COMM_FAILED: Communications failure with the portal: portal unreachable"
        ),
        "{failed}"
    );
    assert!(
        failed.contains("%SMART_LIC-3-AUTH_RENEW_FAILED"),
        "{failed}"
    );
    let first_failure = r1.now();
    let status = ok(&mut r1, "show license status").await;
    assert!(
        status.contains("Last Communication Attempt: FAILED on"),
        "{status}"
    );
    let next = r1.state.timers.sync.next_at.unwrap();
    assert!(
        (next - first_failure - chrono::Duration::minutes(20))
            .num_seconds()
            .abs()
            <= 2
    );
    // 10 minutes on, nothing happens; 20 minutes on, the retry fails again.
    assert!(!ok(&mut r1, "test clock advance 10m")
        .await
        .contains("%SMART_LIC"));
    assert!(ok(&mut r1, "test clock advance 10m")
        .await
        .contains("AUTH_RENEW_FAILED"));
    // After the fast window, retries come daily.
    ok(&mut r1, "test clock advance 4h").await;
    let next = r1.state.timers.sync.next_at.unwrap();
    assert!(next - r1.now() > chrono::Duration::hours(23), "{next}");

    // The portal is back: the next retry succeeds.
    let url = portal.url.clone();
    ok(&mut r1, &format!("call-home destination {url}")).await;
    let back = ok(&mut r1, "test clock advance 1d").await;
    assert!(back.contains("%SMART_LIC-6-AUTH_RENEW_SUCCESS"), "{back}");
    assert!(ok(&mut r1, "show license status")
        .await
        .contains("Last Communication Attempt: SUCCESS"));

    // Unreachable for longer than the 90-day authorization: it expires (and the device keeps working).
    ok(&mut r1, "call-home destination http://127.0.0.1:9").await;
    let late = ok(&mut r1, "test clock advance 91d").await;
    assert!(
        late.contains("%SMART_LIC-6-AUTHORIZATION_EXPIRED"),
        "{late}"
    );
    let status = ok(&mut r1, "show license status").await;
    assert!(
        status.contains("Status: AUTHORIZATION EXPIRED on"),
        "{status}"
    );
    assert!(ok(&mut r1, "show license summary")
        .await
        .contains("AUTHORIZATION EXPIRED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_needs_the_portals_certificate_to_be_trusted() {
    let portal = Portal::start_tls().await;
    let mut r1 = portal.device("r1", "FOX0000041");
    ok(&mut r1, "license smart enable").await;
    let untrusted = fails(
        &mut r1,
        &format!("license smart register idtoken {}", portal.token),
    )
    .await;
    assert!(
        untrusted.output.contains("certificate verification failed"),
        "{}",
        untrusted.output
    );
    let ca = portal.dir.join("tls/cert.pem");
    ok(&mut r1, &format!("call-home ca-file {}", ca.display())).await;
    ok(
        &mut r1,
        &format!("license smart register idtoken {}", portal.token),
    )
    .await;
    assert!(ok(&mut r1, "show license status")
        .await
        .contains("Status: AUTHORIZED on"));
    let call_home = ok(&mut r1, "show run call-home").await;
    assert!(
        call_home.contains("destination transport-method https"),
        "{call_home}"
    );
    // A plain http:// destination is only used when the URL says so.
    let err = device::transport::Portal::new("portal.example:443", None, 1).err();
    assert!(matches!(err, Some(CommError::Destination(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_runs_scripts_and_a_small_fleet() {
    let portal = Portal::start().await;
    let state = portal.dir.join("bin.json");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_device"))
            .arg("--state")
            .arg(&state)
            .args(["--destination", &portal.url, "--sn", "FOX0000051"])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok1, out) = tokio::task::block_in_place(|| {
        run(&[
            "exec",
            "license smart enable",
            "feature A9K-100G-LIC 1",
            &format!("license smart register idtoken {}", portal.token),
            "show license status",
        ])
    });
    assert!(ok1, "{out}");
    assert!(
        out.contains("Status: REGISTERED") && out.contains("Status: AUTHORIZED on"),
        "{out}"
    );
    let (ok2, out) = tokio::task::block_in_place(|| run(&["exec", "show licence status"]));
    assert!(!ok2, "an invalid command exits non-zero");
    assert!(
        out.contains("     ^\n% Invalid input detected at '^' marker."),
        "{out}"
    );

    let out = tokio::task::block_in_place(|| {
        std::process::Command::new(env!("CARGO_BIN_EXE_device"))
            .args(["fleet", "--portal", &portal.url, "--token", &portal.token])
            .args([
                "--count",
                "20",
                "--concurrency",
                "4",
                "--rounds",
                "2",
                "--json",
            ])
            .output()
            .unwrap()
    });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["registered"], 20);
    assert_eq!(report["phases"][0]["name"], "registration");
    assert_eq!(report["phases"][0]["ok"], 20);
    assert_eq!(report["phases"][1]["requests"], 40);
    assert_eq!(report["phases"][1]["errors"], serde_json::json!({}));
}
