//! Satellites (account admins) and traditional licenses.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{
    ConvertForm, IssuedSatellite, NewSatelliteForm, SatelliteList, TraditionalList,
};

/// The account's satellites.
#[server(endpoint = "satellites/list")]
pub async fn list_satellites() -> Result<SatelliteList, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::satellites::list(&state.db, &actor, state.now()).await
}

/// Registers a satellite; the answer carries its registration file, shown once.
#[server(endpoint = "satellites/create")]
pub async fn create_satellite(
    #[server(flatten)] form: NewSatelliteForm,
    form_id: Option<String>,
) -> Result<IssuedSatellite, AppError> {
    let (state, actor) = super::session::current().await?;
    let signer = state.signer.clone().ok_or(AppError::Internal)?;
    let url = super::users::base_url(&state);
    super::once!(state, actor, "satellites/create", form_id, |db| {
        crate::services::satellites::create(db, &signer, &actor, &form, &url, state.now()).await
    })
}

/// The account's traditional licenses.
#[server(endpoint = "traditional/list")]
pub async fn list_traditional() -> Result<TraditionalList, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::traditional::list(&state.db, &actor).await
}

/// "Convert to Smart Licensing…": the quantity becomes a lot in the chosen virtual account, once.
#[server(endpoint = "traditional/convert")]
pub async fn convert_traditional(
    #[server(flatten)] form: ConvertForm,
    form_id: Option<String>,
) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    super::once!(state, actor, "traditional/convert", form_id, |db| {
        crate::services::traditional::convert(db, &actor, form, state.now())
            .await
            .map(|_| ())
    })?;
    leptos_axum::redirect("/traditional-licenses");
    Ok(())
}
