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
test: build e2e-deps unit-test device-test xlsx-test e2e-test

unit-test:
	cargo test --workspace --release

.PHONY: device-test bench-devices

## The device client's Expect-style test: its interactive shell (pexpect) against a release-built portal.
device-test: build e2e-deps
	cargo build --release -p device
	python3 device/tests/shell_expect.py

## `device fleet` against a fresh portal on SQLite and PostgreSQL, beside a bare-handler ceiling
## (docs/PERFORMANCE.md records the figures).
bench-devices: build
	cargo build --release -p device --bin device --example ceiling
	bash device/bench/run.sh

.PHONY: xlsx-test bench-export

## The exports read back by independent readers: openpyxl and the csv module against the database.
xlsx-test: build e2e-deps
	python3 end2end/xlsx/check_exports.py $(SERVER)

## Product Instances exports of 100,000 and 1,000,000 rows: in process, against rust_xlsxwriter alone,
## and over HTTP with the server's peak memory (docs/PERFORMANCE.md records the figures).
bench-export:
	bash bench/export.sh

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
