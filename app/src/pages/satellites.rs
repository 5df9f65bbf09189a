//! The Satellites page (account admins): on-premises portals that serve some virtual accounts to
//! routers that cannot reach this one. "New Satellite…" makes one and shows its registration file
//! once; "Upload Sync File…" takes an air-gapped satellite's sync file and downloads the response file
//! to carry back (a plain form: it works without JavaScript). `?new`, `?upload` pick what is open.

use leptos::either::Either;
use leptos::html::Input;
use leptos::prelude::*;

use crate::components::once::{FormId, Submit};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::satellites::{list_satellites, CreateSatellite};
use crate::components::badge::badge;
use crate::components::copy_button::CopyButton;
use crate::components::errors::{action_error, FieldError, FormError, LoadError};
use crate::format;
use crate::links::SatellitesView;
use crate::model::{IssuedSatellite, Me, SatelliteList, SatelliteRow};

#[component]
pub fn SatellitesPage() -> impl IntoView {
    let create = ServerAction::<CreateSatellite>::new();
    let query = use_query_map();
    let view = Memo::new(move |_| SatellitesView::of(&*query.read()));
    let list = Resource::new(move || create.version().get(), |_| list_satellites());
    let issued = Signal::derive(move || create.value().get().and_then(|r| r.ok()));
    // Only account admins register satellites or take their sync files: others see why not.
    let admin = use_context::<Me>().is_some_and(|m| m.manages_users);
    let why_not = (!admin).then(|| {
        view! {
            <p class="hint" role="note">
                "Only account admins can register a satellite or upload its sync file; ask one of them."
            </p>
        }
    });
    view! {
        <Title text="Satellites" />
        <div class="page-heading">
            <h1>"Satellites"</h1>
            {admin.then(|| view! {
                <div class="actions">
                    <a class="button button-primary" href=SatellitesView { new: true, ..Default::default() }.href()>
                        "New Satellite…"
                    </a>
                    <a class="button" href=SatellitesView { upload: true, ..Default::default() }.href()>
                        "Upload Sync File…"
                    </a>
                </div>
            })}
        </div>
        <p class="hint">
            "A satellite is this portal on a site's own server: routers that cannot reach the cloud "
            "register with it, and it synchronises with this portal over the network or by files "
            "carried by hand. "<a href="/help#satellites">"How satellites work"</a>"."
        </p>
        {why_not}
        {move || issued.get().map(|satellite| view! { <RegistrationPanel satellite /> })}
        {move || (admin && view.get().upload).then(|| view! { <UploadForm error=view.get().error /> })}
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => Either::Left(view! {
                        {(admin && view.get().new && issued.get().is_none()).then(|| view! { <NewSatelliteForm create list=list.clone() /> })}
                        <SatelliteTable list />
                    }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

/// The registration file of the satellite just made, shown once, with a Copy button and the
/// commands that use it.
#[component]
fn RegistrationPanel(satellite: IssuedSatellite) -> impl IntoView {
    let field = NodeRef::<Input>::new();
    let name = satellite.row.name.clone();
    let panel = crate::components::outcome::focus_when_mounted();
    view! {
        <div class="card new-token" role="group" tabindex="-1" node_ref=panel aria-label="Registration file">
            <p class="status" role="status">
                {format!("Satellite \"{name}\" registered. Save its registration file now: it is shown only once.")}
            </p>
            <div class="field">
                <label for="registration-file">{format!("Registration file of {name}")}</label>
                <div class="copy-row">
                    <input id="registration-file" type="text" class="mono" readonly
                        value=satellite.registration.clone() node_ref=field
                        aria-describedby="registration-file-hint" />
                    <CopyButton text=satellite.registration.clone() field label="Copy the registration file" />
                </div>
                <p>
                    <a class="button" download="registration.json"
                        href=crate::links::data_url("application/json", &satellite.registration)>
                        "Download registration.json"
                    </a>
                </p>
                <div class="hint" id="registration-file-hint">
                    <p>"Save it as registration.json on the satellite's server, then:"</p>
                    <pre class="mono">{format!(
                        "server --data-dir satellite satellite init --registration registration.json --upstream {}\n(or --offline for an air-gapped site)\nserver --data-dir satellite satellite serve",
                        satellite.portal_url,
                    )}</pre>
                </div>
            </div>
        </div>
    }
}

/// "Upload Sync File…": a plain multipart form; the answer downloads the response file.
#[component]
fn UploadForm(error: Option<String>) -> impl IntoView {
    let described = if error.is_some() {
        "sync-file-hint sync-file-error"
    } else {
        "sync-file-hint"
    };
    view! {
        <section class="card" aria-labelledby="upload-heading">
            <h2 id="upload-heading">"Upload Sync File"</h2>
            <form method="post" action="/api/satellites/upload" enctype="multipart/form-data">
                <div class="field">
                    <label for="sync-file">"Sync File"</label>
                    <input id="sync-file" name="file" type="file" accept=".json,application/json" required
                        aria-describedby=described aria-invalid=error.is_some().then_some("true") />
                    <p class="hint" id="sync-file-hint">
                        "The file an air-gapped satellite wrote with "<code>"server satellite export-sync FILE"</code>
                        ". The portal applies it and gives back a response file: carry it to the site and apply it with "
                        <code>"server satellite import-sync FILE"</code>". Uploading the same file again changes nothing."
                    </p>
                    {error.map(|e| view! { <p class="field-error" id="sync-file-error" role="alert">{e}</p> })}
                </div>
                <div class="form-actions">
                    <button type="submit" class="button button-primary">"Upload and Download the Response"</button>
                    <a class="button button-quiet" href="/satellites">"Cancel"</a>
                </div>
            </form>
        </section>
    }
}

#[component]
fn NewSatelliteForm(create: ServerAction<CreateSatellite>, list: SatelliteList) -> impl IntoView {
    let error = action_error(&create);
    let boxes = list
        .pools
        .into_iter()
        .map(|(id, name)| {
            let box_id = format!("satellite-pool-{id}");
            view! {
                <div class="checkbox-field">
                    <input type="checkbox" id=box_id.clone() name="pools[]" value=id.to_string() />
                    <label for=box_id>{name}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="new-satellite-heading">
            <h2 id="new-satellite-heading">"New Satellite"</h2>
            <ActionForm action=create attr:novalidate=true><FormId action=create />
                <div class="field">
                    <label for="satellite-name">"Name"</label>
                    <input id="satellite-name" name="name" type="text" maxlength="64" required autofocus
                        autocomplete="off" aria-describedby="satellite-name-hint satellite-name-error" />
                    <p class="hint" id="satellite-name-hint">"The site it serves, e.g. “Plant 3 control network”."</p>
                    <FieldError error field="name" id="satellite-name" />
                </div>
                <fieldset class="field field-wide" aria-describedby="satellite-pools-hint satellite-pools-error">
                    <legend>"Virtual Accounts"</legend>
                    <p class="hint" id="satellite-pools-hint">"The ones whose routers register with it."</p>
                    {boxes}
                    <FieldError error field="pools" id="satellite-pools" />
                </fieldset>
                <div class="form-actions">
                    <Submit action=create class="button button-primary" label="Create Satellite" />
                    <a class="button button-quiet" href="/satellites">"Cancel"</a>
                </div>
            </ActionForm>
            <FormError error />
        </section>
    }
}

#[component]
fn SatelliteTable(list: SatelliteList) -> impl IntoView {
    if list.satellites.is_empty() {
        return Either::Left(view! { <p class="empty">"No satellites yet."</p> });
    }
    let rows = list
        .satellites
        .into_iter()
        .map(|row| view! { <SatelliteRowView row /> })
        .collect_view();
    Either::Right(view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Satellites">
            <table class="table">
                <caption class="sr-only">"Satellites"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Virtual Accounts"</th>
                        <th scope="col">"Mode"</th>
                        <th scope="col">"Last Synchronized"</th>
                        <th scope="col">"State"</th>
                        <th scope="col" class="num">"Product Instances"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    })
}

#[component]
fn SatelliteRowView(row: SatelliteRow) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{row.name.clone()}</th>
            <td>{row.pools.join(", ")}</td>
            <td>{row.mode.clone()}</td>
            <td>{row.last_sync_at.map_or("Never".to_owned(), format::minute)}</td>
            <td>{badge(row.state)}</td>
            <td class="num">{row.instances}</td>
        </tr>
    }
}
