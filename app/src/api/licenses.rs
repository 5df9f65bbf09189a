//! The Licenses tab: the list, one license in detail, and transfers between virtual accounts.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{
    LicenseDetail, LicenseInPool, LicensePage, LicenseQuery, LicenseTransferForm,
    SeveralTransfersForm, TransferDone,
};

/// A page of the licenses a virtual account holds or uses, filtered by text (in tag, name and
/// family) and sorted by a column.
#[server(endpoint = "licenses/list")]
pub async fn list_licenses(
    #[server(flatten)] query: LicenseQuery,
) -> Result<LicensePage, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::licenses::list(&state.db, &actor, query, state.now()).await
}

/// One license in a virtual account: lots, usage per virtual account, instances, transfers.
#[server(endpoint = "licenses/detail")]
pub async fn get_license(
    #[server(flatten)] which: LicenseInPool,
) -> Result<LicenseDetail, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::licenses::detail(&state.db, &actor, which.pool, which.license, state.now())
        .await
}

/// Moves licenses from a pool to another virtual account, then shows the pool's licenses again.
#[server(endpoint = "licenses/transfer")]
pub async fn transfer_licenses(
    #[server(flatten)] form: LicenseTransferForm,
    form_id: Option<String>,
) -> Result<TransferDone, AppError> {
    let (state, actor) = super::session::current().await?;
    let pool = form.from.pool;
    let done = super::once!(state, actor, "licenses/transfer", form_id, |db| {
        crate::services::licenses::transfer(db, &actor, form, state.now()).await
    })?;
    leptos_axum::redirect(&crate::links::Tab::Licenses.href(pool));
    Ok(done)
}

/// "Transfer Several…": several licenses of a pool to one virtual account, all in one transaction
/// or none; a refusal names the quantity field of the license it is about.
#[server(endpoint = "licenses/transfer-several")]
pub async fn transfer_several(
    #[server(flatten)] form: SeveralTransfersForm,
    form_id: Option<String>,
) -> Result<Vec<TransferDone>, AppError> {
    use crate::domain::licenses::TransferForm;
    let (state, actor) = super::session::current().await?;
    let forms: Vec<LicenseTransferForm> = form
        .license
        .iter()
        .zip(&form.quantity)
        .filter(|(_, q)| !q.trim().is_empty())
        .map(|(&license, quantity)| LicenseTransferForm {
            from: LicenseInPool {
                pool: form.pool,
                license,
            },
            fields: TransferForm {
                target: form.target.clone(),
                quantity: quantity.clone(),
            },
        })
        .collect();
    if forms.is_empty() {
        return Err(AppError::validation(
            "quantity",
            "Enter a quantity for at least one license.",
        ));
    }
    let licenses: Vec<i64> = forms.iter().map(|f| f.from.license).collect();
    super::once!(state, actor, "licenses/transfer-several", form_id, |db| {
        crate::services::licenses::transfer_many(db, &actor, forms, state.now())
            .await
            .map_err(|(i, e)| match e {
                AppError::Validation { field, message } if field == "quantity" => {
                    AppError::validation(
                        &SeveralTransfersForm::quantity_field(licenses[i]),
                        message,
                    )
                }
                other => other,
            })
    })
}

/// "Resolve Shortages…": the fewest transfers that clear the shortages of the virtual accounts the
/// user may change, and what is still missing.
#[server(endpoint = "licenses/shortage-plan")]
pub async fn shortage_plan() -> Result<crate::model::ShortagePlanView, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::licenses::resolve::shortage_plan(&state.db, &actor, state.now()).await
}

/// "Apply": runs the plan shown (its fingerprint) as one change, then shows the page again.
#[server(endpoint = "licenses/resolve-shortages")]
pub async fn resolve_shortages(
    fingerprint: String,
) -> Result<crate::model::ShortagesResolved, AppError> {
    let (state, actor) = super::session::current().await?;
    let done =
        crate::services::licenses::resolve::apply(&state.db, &actor, &fingerprint, state.now())
            .await?;
    leptos_axum::redirect(
        &crate::links::ResolveView {
            applied: Some(done.transfers),
        }
        .href(),
    );
    Ok(done)
}
