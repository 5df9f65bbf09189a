# The portal's two commands: `make run` and `make test`. Each installs what it needs first.
SHELL := /bin/bash
.DEFAULT_GOAL := run
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)
# Every cargo build of the server must agree on the bundle's name (portal.wasm, never portal_bg.wasm):
# leptos compiles it into the hydration script.
export LEPTOS_OUTPUT_NAME := portal

SERVER := target/release/server
PORTAL_DATA_DIR ?= data
# The workspace but the wasm bundle, which builds only for wasm32 (.ci/build.sh).
TEST_CRATES := --workspace --exclude frontend

.PHONY: run run-tls dev test tools build e2e-deps unit-test e2e-test device-test crash-test snapshot-test api-test \
	xlsx-test bench-devices bench-export bench-pages bench-lighthouse leptos-config clean

## Build tools: the wasm target, wasm-bindgen-cli (from crates.io source) and wasm-opt (npm).
tools:
	@bash .ci/install-tools.sh

## The server and device binaries and the browser bundle in target/site, release (.ci/build.sh).
build: tools
	@bash .ci/build.sh

## Serve the portal on http://127.0.0.1:3000 with SQLite in ./data and the demo account.
run: build
	$(SERVER) --data-dir $(PORTAL_DATA_DIR) serve --demo

## The same over HTTPS on https://127.0.0.1:3443, with a self-signed pair made once in the data folder.
run-tls: build
	@[ -f $(PORTAL_DATA_DIR)/tls/cert.pem ] || $(SERVER) --data-dir $(PORTAL_DATA_DIR) make-cert --out $(PORTAL_DATA_DIR)/tls
	$(SERVER) --data-dir $(PORTAL_DATA_DIR) serve --demo --listen 127.0.0.1:3443 \
	  --tls-cert $(PORTAL_DATA_DIR)/tls/cert.pem --tls-key $(PORTAL_DATA_DIR)/tls/key.pem

## Optional dev loop with live reload: `cargo leptos watch` (installs cargo-leptos 0.3.11 once, ~10 min).
dev:
	@WITH_CARGO_LEPTOS=1 bash .ci/install-tools.sh
	cargo leptos watch

## Every test: unit and integration (SQLite; PostgreSQL too when TEST_DATABASE_URL is set), the device
## client's shell, the REST API's examples and fuzzing, the exports read back, then the browser specs
## against a fresh portal. The tests share the build's compilation (same features), so only the test
## harnesses compile on top of it.
test: build e2e-deps unit-test device-test crash-test snapshot-test api-test xlsx-test e2e-test

unit-test:
	cargo test $(TEST_CRATES) --release

## The device client's Expect-style test: its interactive shell (pexpect) against a release-built portal.
device-test: build e2e-deps
	python3 device/tests/shell_expect.py

## SIGKILL the portal while devices register and authorize, restart, and check nothing acknowledged
## was lost (SQLite; PostgreSQL too with TEST_DATABASE_URL). Several rounds.
crash-test: build
	python3 server/tests/crash_test.py

## The daily usage snapshot taken once across two real processes on one database, and caught up
## after their clocks moved two days (SQLite; PostgreSQL too with TEST_DATABASE_URL).
snapshot-test: build
	python3 server/tests/snapshot_processes.py

## The REST API: the example scripts of docs/examples/ checked through the API, then schemathesis
## fuzzing every /api/v1 operation from the served OpenAPI document (end2end/api/), each against a
## fresh portal.
api-test: build e2e-deps
	python3 docs/examples/test_examples.py
	bash end2end/api/schemathesis.sh

## `device fleet` against a fresh portal on SQLite and PostgreSQL, beside a bare-handler ceiling
## (docs/PERFORMANCE.md records the figures).
bench-devices: build
	cargo build --release -p bench --bin ceiling
	bash device/bench/run.sh

## The exports read back by independent readers: openpyxl and the csv module against the database.
xlsx-test: build e2e-deps
	python3 end2end/xlsx/check_exports.py $(SERVER)

## Product Instances exports of 100,000 and 1,000,000 rows: in process, against rust_xlsxwriter alone,
## and over HTTP with the server's peak memory (docs/PERFORMANCE.md records the figures).
bench-export:
	bash bench/export.sh

## Every page's time to first byte with 1,000,000 instances in one pool (docs/PERFORMANCE.md).
bench-pages: build
	cargo build --release -p bench --bin export_bench
	bash bench/pages.sh

## Lighthouse 12.2.3 (npm, installed on first use) with Debian's Chromium: performance, accessibility
## and best practices of every page (docs/PERFORMANCE.md records the scores).
bench-lighthouse: build e2e-deps
	bash bench/lighthouse.sh

## Chromium from Debian, the Python test helpers and the npm packages of end2end/.
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
