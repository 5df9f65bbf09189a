#!/usr/bin/env python3
"""Copies the settings table of Leptos.toml into the [[workspace.metadata.leptos]] block of Cargo.toml.

cargo-leptos 0.3 reads its settings only from Cargo.toml, so Leptos.toml (the one place people edit) is
copied here; the Rust test `leptos_config_in_sync` fails when the two differ.
"""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
leptos = (root / "Leptos.toml").read_text()
body = leptos.split("[package.metadata.leptos]", 1)[1].strip() + "\n"
cargo_path = root / "Cargo.toml"
cargo = cargo_path.read_text()
header = "[[workspace.metadata.leptos]]\n# GENERATED from Leptos.toml by `make leptos-config`; a test fails when the two differ.\n"
cargo = re.sub(r"\[\[workspace\.metadata\.leptos\]\]\n.*", lambda _: header + body, cargo, flags=re.S)
cargo_path.write_text(cargo)
print("Cargo.toml's [[workspace.metadata.leptos]] now matches Leptos.toml")
