//! Every report row fills its columns, with the cell types the columns name.
use super::*;
use crate::domain::events::EventKind;

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

#[test]
fn every_row_fills_its_columns() {
    let s = String::new;
    let rows: [(usize, usize); 6] = [
        (
            LicenseReportRow {
                pool: s(),
                name: s(),
                tag: s(),
                family: s(),
                purchased: 1,
                in_use: 0,
                balance: 1,
                next_expiry: None,
                alert: None,
            }
            .cells()
            .len(),
            LicenseReportRow::COLUMNS.len(),
        ),
        (
            InstanceReportRow {
                pool: s(),
                hostname: s(),
                product: s(),
                pid: s(),
                sn: s(),
                software_version: None,
                registered_at: at(),
                last_contact_at: at(),
                status: InstanceStatus::Authorized,
                id_cert_expires_at: at(),
                auth_expires_at: None,
                entitlements: s(),
            }
            .cells()
            .len(),
            InstanceReportRow::COLUMNS.len(),
        ),
        (
            PoolReportRow {
                name: s(),
                description: s(),
                is_default: true,
                active_licenses: 0,
                in_use: 0,
                tokens: 0,
                instances: 0,
            }
            .cells()
            .len(),
            PoolReportRow::COLUMNS.len(),
        ),
        (
            UsageReportRow {
                pool: s(),
                hostname: s(),
                pid: s(),
                sn: s(),
                tag: s(),
                license: None,
                count: 1,
                status: EntitlementStatus::Authorized,
                last_contact_at: at(),
            }
            .cells()
            .len(),
            UsageReportRow::COLUMNS.len(),
        ),
        (
            TokenReportRow {
                pool: s(),
                token: s(),
                description: s(),
                created_by: s(),
                created_at: at(),
                expires_at: at(),
                uses: 0,
                max_uses: None,
                allow_export_controlled: true,
                state: TokenState::Active,
                revoke_reason: None,
            }
            .cells()
            .len(),
            TokenReportRow::COLUMNS.len(),
        ),
        (
            EventReportRow {
                at: at(),
                pool: s(),
                actor: s(),
                kind: EventKind::TokenCreated,
                message: s(),
            }
            .cells()
            .len(),
            EventReportRow::COLUMNS.len(),
        ),
    ];
    for (cells, columns) in rows {
        assert_eq!(cells, columns);
    }
}

#[test]
fn numbers_and_times_get_their_column_types() {
    let row = TokenReportRow {
        pool: "East".into(),
        token: "idt_x".into(),
        description: String::new(),
        created_by: "alice".into(),
        created_at: at(),
        expires_at: at(),
        uses: 3,
        max_uses: Some(5),
        allow_export_controlled: false,
        state: TokenState::Exhausted,
        revoke_reason: None,
    };
    for (cell, column) in row.cells().iter().zip(TokenReportRow::COLUMNS) {
        match cell {
            Cell::Number(_) => assert_eq!(column.kind, ColumnType::Number),
            Cell::Time(_) => assert_eq!(column.kind, ColumnType::Time),
            _ => assert_eq!(column.kind, ColumnType::Text, "{}", column.title),
        }
    }
}
