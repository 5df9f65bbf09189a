//! Numbered schema migrations, run at every start.

use sea_orm_migration::prelude::*;

mod m0001_initial;
mod m0002_usage_and_transfers;
mod m0003_instance_lookup;
mod m0004_signing_keys;
mod m0005_alert_indexes;
mod m0006_lot_origin;
mod m0007_export_jobs;
mod m0008_users_and_access;
mod m0009_leases;
mod m0010_pool_instance_counts;
mod m0011_api_keys;
mod m0012_satellites;
mod m0013_usage_snapshots;
mod m0014_license_forecasts;
mod m0015_registration_source;
mod m0016_form_submissions;
mod m0017_instance_search;
mod m0018_silence_hours;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_usage_and_transfers::Migration),
            Box::new(m0003_instance_lookup::Migration),
            Box::new(m0004_signing_keys::Migration),
            Box::new(m0005_alert_indexes::Migration),
            Box::new(m0006_lot_origin::Migration),
            Box::new(m0007_export_jobs::Migration),
            Box::new(m0008_users_and_access::Migration),
            Box::new(m0009_leases::Migration),
            Box::new(m0010_pool_instance_counts::Migration),
            Box::new(m0011_api_keys::Migration),
            Box::new(m0012_satellites::Migration),
            Box::new(m0013_usage_snapshots::Migration),
            Box::new(m0014_license_forecasts::Migration),
            Box::new(m0015_registration_source::Migration),
            Box::new(m0016_form_submissions::Migration),
            Box::new(m0017_instance_search::Migration),
            Box::new(m0018_silence_hours::Migration),
        ]
    }
}
