//! The API reference (`/api-reference`, "API" in the footer): the REST API and the device API as the
//! OpenAPI document describes them, rendered on the server from that document (no scripts from
//! elsewhere: the portal works offline). The document itself is at `/api/v1/openapi.json`.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::reference::load_api_reference;
use crate::components::errors::LoadError;
use crate::model::{ApiGroup, ApiOperation, ApiReference, ApiSchema, ApiType};

#[component]
pub fn ApiReferencePage() -> impl IntoView {
    let reference = Resource::new(|| (), |_| load_api_reference());
    view! {
        <Title text="API Reference" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match reference.await {
                    Ok(r) => Either::Left(view! { <Reference r /> }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Reference(r: ApiReference) -> impl IntoView {
    let contents = r
        .groups
        .iter()
        .map(|g| {
            let ops = g
                .operations
                .iter()
                .map(|o| {
                    view! {
                        <li>
                            <a href=format!("#{}", o.anchor)>
                                <span class="method">{o.method.clone()}</span>" "{o.path.clone()}
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! { <li>{g.name.clone()}<ul>{ops}</ul></li> }
        })
        .collect_view();
    let groups = r
        .groups
        .into_iter()
        .map(|group| view! { <Group group /> })
        .collect_view();
    let schemas = r
        .schemas
        .into_iter()
        .map(|schema| view! { <Schema schema /> })
        .collect_view();
    view! {
        <div class="page-heading">
            <h1>"API Reference"</h1>
            <a class="button" href="/api/v1/openapi.json" rel="external" download="openapi.json">
                "OpenAPI Document"
            </a>
        </div>
        <p class="hint">{format!("{} {}", r.title, r.version)}</p>
        <p class="reference-intro">{r.description}</p>
        <p>"Make a key on the "<a href="/api-keys">"API Keys"</a>" page; "<a href="/help#api">"Help"</a>" has an example to start from."</p>
        <nav class="card reference-contents" aria-label="Operations">
            <h2>"Operations"</h2>
            <ul>{contents}</ul>
            <p><a href="#schemas">"Schemas"</a></p>
        </nav>
        {groups}
        <section aria-labelledby="schemas">
            <h2 id="schemas">"Schemas"</h2>
            {schemas}
        </section>
    }
}

#[component]
fn Group(group: ApiGroup) -> impl IntoView {
    let id = format!("tag-{}", group.name.to_lowercase().replace(' ', "-"));
    let ops = group
        .operations
        .into_iter()
        .map(|op| view! { <Operation op /> })
        .collect_view();
    let labelled_by = id.clone();
    view! {
        <section aria-labelledby=labelled_by>
            <h2 id=id>{group.name}</h2>
            <p>{group.description}</p>
            {ops}
        </section>
    }
}

/// A type, linked to its schema when it names one.
fn type_view(t: ApiType) -> impl IntoView {
    match t.schema {
        Some(name) if t.text.contains(&name) => {
            let (before, after) = t.text.split_once(&name).unwrap_or(("", ""));
            Either::Left(view! {
                <code>{before.to_owned()}<a href=format!("#schema-{name}")>{name.clone()}</a>{after.to_owned()}</code>
            })
        }
        _ => Either::Right(view! { <code>{t.text}</code> }),
    }
}

#[component]
fn Operation(op: ApiOperation) -> impl IntoView {
    let params = (!op.parameters.is_empty()).then(|| {
        let rows = op
            .parameters
            .into_iter()
            .map(|p| {
                view! {
                    <tr>
                        <th scope="row"><code>{p.name}</code></th>
                        <td>{p.location}</td>
                        <td>{type_view(p.kind)}</td>
                        <td>{if p.required { "yes" } else { "no" }}</td>
                        <td>{p.description}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <h4>"Parameters"</h4>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Parameters">
                <table class="table table-compact">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"In"</th>
                            <th scope="col">"Type"</th>
                            <th scope="col">"Required"</th>
                            <th scope="col">"Description"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    });
    let body = op
        .body
        .map(|b| view! { <p><strong>"Body: "</strong>{type_view(b)}</p> });
    let responses = op
        .responses
        .into_iter()
        .map(|r| {
            view! {
                <tr>
                    <th scope="row">{r.status}</th>
                    <td>{r.description}</td>
                    <td>{r.body.map(type_view)}</td>
                </tr>
            }
        })
        .collect_view();
    let auth = if op.auth.is_empty() {
        "No credential".to_owned()
    } else {
        op.auth
    };
    let (anchor, labelled_by) = (op.anchor.clone(), op.anchor);
    view! {
        <article class="card operation" aria-labelledby=labelled_by>
            <h3 id=anchor>
                <span class="method">{op.method}</span>" "<code>{op.path}</code>
            </h3>
            <p>{op.summary}</p>
            {(!op.description.is_empty()).then(|| view! { <p>{op.description}</p> })}
            <p class="hint">{format!("Authentication: {auth}")}</p>
            {params}
            {body}
            <h4>"Answers"</h4>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Answers">
                <table class="table table-compact">
                    <thead>
                        <tr>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Meaning"</th>
                            <th scope="col">"Body"</th>
                        </tr>
                    </thead>
                    <tbody>{responses}</tbody>
                </table>
            </div>
        </article>
    }
}

#[component]
fn Schema(schema: ApiSchema) -> impl IntoView {
    let id = format!("schema-{}", schema.name);
    let fields = (!schema.fields.is_empty()).then(|| {
        let rows = schema
            .fields
            .into_iter()
            .map(|f| {
                view! {
                    <tr>
                        <th scope="row"><code>{f.name}</code></th>
                        <td>{type_view(f.kind)}</td>
                        <td>{if f.required { "yes" } else { "no" }}</td>
                        <td>{f.description}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-scroll" tabindex="0" role="region" aria-label=format!("Fields of {}", schema.name)>
                <table class="table table-compact">
                    <thead>
                        <tr>
                            <th scope="col">"Field"</th>
                            <th scope="col">"Type"</th>
                            <th scope="col">"Always present"</th>
                            <th scope="col">"Description"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    });
    let values = (!schema.values.is_empty()).then(|| {
        let items = schema
            .values
            .into_iter()
            .map(|v| view! { <li><code>{v}</code></li> })
            .collect_view();
        view! { <p>"One of:"</p><ul class="values">{items}</ul> }
    });
    let labelled_by = id.clone();
    view! {
        <article class="card schema" aria-labelledby=labelled_by>
            <h3 id=id>{schema.name}</h3>
            <p>{schema.description}</p>
            {fields}
            {values}
        </article>
    }
}
