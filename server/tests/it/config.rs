//! Leptos.toml is the one place for the web app's settings; Cargo.toml carries a generated copy for
//! cargo-leptos. This fails when the two drift apart.

#[test]
fn leptos_config_in_sync() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let leptos: toml::Table = std::fs::read_to_string(root.join("Leptos.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let cargo: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let wanted = &leptos["package"]["metadata"]["leptos"];
    let copied = &cargo["workspace"]["metadata"]["leptos"][0];
    assert_eq!(copied, wanted, "Cargo.toml's [[workspace.metadata.leptos]] differs from Leptos.toml: run `make leptos-config`");
}

#[test]
fn the_server_reads_leptos_toml() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let conf = leptos::config::get_configuration(Some(root.join("Leptos.toml").to_str().unwrap()))
        .unwrap();
    assert_eq!(conf.leptos_options.output_name.as_ref(), "portal");
    assert_eq!(conf.leptos_options.site_addr.to_string(), "127.0.0.1:3000");
}
