//! The browser's entry point: hydrates the page the server rendered. Its own crate so that the `app`
//! library stays an rlib (a native build never links a cdylib of it) and its `hydrate` feature never
//! meets `ssr` in one build.
#![recursion_limit = "256"]

/// Called by the hydration script once `portal.wasm` is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
