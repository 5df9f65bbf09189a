//! A lot keeps the lot it was transferred from as a column, `origin_lot_id`, so that later transfers
//! from the same lot join it whatever the pools are called by then. Before, a transfer found "the
//! same lot" by comparing its `source_ref` text ("transfer from East (lot 5)"), which stopped matching
//! once the pool was renamed. Existing rows get their origin from that text.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LicenseLots {
    Table,
    Id,
    OriginLotId,
    SourceRef,
}

/// The lot id of a `source_ref` written by a transfer: "transfer from <pool> (lot <id>)".
fn origin_of(source_ref: &str) -> Option<i64> {
    source_ref
        .strip_prefix("transfer from ")?
        .strip_suffix(')')?
        .rsplit_once(" (lot ")?
        .1
        .parse()
        .ok()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(LicenseLots::Table)
                .add_column(
                    ColumnDef::new(LicenseLots::OriginLotId)
                        .big_integer()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        let select = Query::select()
            .columns([LicenseLots::Id, LicenseLots::SourceRef])
            .from(LicenseLots::Table)
            .and_where(Expr::col(LicenseLots::SourceRef).like("transfer from %"))
            .to_owned();
        for row in db.query_all(&select).await? {
            let id: i64 = row.try_get("", "id")?;
            let source_ref: String = row.try_get("", "source_ref")?;
            if let Some(origin) = origin_of(&source_ref) {
                let update = Query::update()
                    .table(LicenseLots::Table)
                    .value(LicenseLots::OriginLotId, origin)
                    .and_where(Expr::col(LicenseLots::Id).eq(id))
                    .to_owned();
                db.execute(&update).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(LicenseLots::Table)
                .drop_column(LicenseLots::OriginLotId)
                .to_owned(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn the_origin_is_read_from_a_transfers_source_text() {
        assert_eq!(origin_of("transfer from East (lot 5)"), Some(5));
        assert_eq!(origin_of("transfer from Lab (lot 2) (lot 17)"), Some(17));
        assert_eq!(origin_of("ORD-1"), None);
        assert_eq!(origin_of("transfer from East"), None);
    }
}
