# The portal's two commands: `make run` and `make test`. Each installs what it needs first.
SHELL := /bin/bash
.DEFAULT_GOAL := run
export PATH := $(HOME)/.cargo/bin:$(PATH)
# Every cargo build must agree with cargo-leptos on the bundle's name (portal.wasm): the server compiles
# it in, and a build without it asks browsers for portal_bg.wasm.
export LEPTOS_OUTPUT_NAME := portal

SERVER := target/release/server
PORTAL_DATA_DIR ?= data

.PHONY: run run-tls test tools build e2e-deps unit-test e2e-test leptos-config check-format clean

## Build tools: wasm target, cargo-leptos, wasm-bindgen-cli, wasm-opt.
tools:
	@NEED_WASM_OPT=1 bash .ci/install-tools.sh

## The web app (server binary + hydration bundle), release profile.
build: tools
	cargo leptos build --release

## Serve the portal on http://127.0.0.1:3000 with SQLite in ./data and the demo account.
run: build
	$(SERVER) --data-dir $(PORTAL_DATA_DIR) serve --demo

## The same over HTTPS on https://127.0.0.1:3443, with a self-signed pair made once in the data folder.
run-tls: build
	@[ -f $(PORTAL_DATA_DIR)/tls/cert.pem ] || $(SERVER) --data-dir $(PORTAL_DATA_DIR) make-cert --out $(PORTAL_DATA_DIR)/tls
	$(SERVER) --data-dir $(PORTAL_DATA_DIR) serve --demo --listen 127.0.0.1:3443 \
	  --tls-cert $(PORTAL_DATA_DIR)/tls/cert.pem --tls-key $(PORTAL_DATA_DIR)/tls/key.pem

## Every test: unit and integration (SQLite; PostgreSQL too when TEST_DATABASE_URL is set), then the
## browser specs against a fresh portal.
test: build e2e-deps unit-test e2e-test

unit-test:
	cargo test --workspace --release

## Chromium from Debian and the npm packages of end2end/.
e2e-deps:
	@bash .ci/install-e2e-deps.sh

e2e-test:
	cd end2end && npx playwright test

## Copies the [package.metadata.leptos] table of Leptos.toml into Cargo.toml (cargo-leptos reads only
## Cargo.toml); the test leptos_config_in_sync fails when they differ.
leptos-config:
	python3 .ci/sync-leptos-config.py

clean:
	cargo clean
