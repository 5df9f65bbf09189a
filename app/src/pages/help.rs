//! `/help`: what customers need to know that the pages themselves do not say: satellites, how routers
//! talk to the portal, and the REST API, each under its own anchor so that pages can link to it.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HelpPage() -> impl IntoView {
    view! {
        <Title text="Help" />
        <div class="page-heading">
            <h1>"Help"</h1>
        </div>
        <nav class="card" aria-label="Help topics">
            <ul>
                <li><a href="#satellites">"Satellites"</a></li>
                <li><a href="#devices">"How routers get their licenses"</a></li>
                <li><a href="#api">"The REST API"</a></li>
            </ul>
        </nav>
        <section aria-labelledby="satellites">
            <h2 id="satellites">"Satellites"</h2>
            <p>
                "A satellite is this portal running on a server at your site. Routers that cannot reach the "
                "internet register with the satellite instead, using tokens of the virtual accounts the "
                "satellite serves; the satellite keeps their usage and synchronises it with this portal."
            </p>
            <ul>
                <li>"Connected: the satellite synchronises over HTTPS by itself, every few minutes."</li>
                <li>
                    "Air-gapped: the satellite writes a sync file ("<code>"server satellite export-sync FILE"</code>
                    "), someone carries it here and uploads it on the "<a href="/satellites">"Satellites"</a>
                    " page, and carries the response file back ("<code>"server satellite import-sync FILE"</code>")."
                </li>
                <li>
                    "A satellite that has not synchronised for 90 days makes its routers count as "
                    "\"Failed to Connect\". Synchronise at least monthly."
                </li>
            </ul>
            <p>
                "To add one, account admins choose New Satellite… on the Satellites page, pick the virtual "
                "accounts it serves and save its registration file: it is shown once."
            </p>
        </section>
        <section aria-labelledby="devices">
            <h2 id="devices">"How routers get their licenses"</h2>
            <p>
                "A router registers once with a registration token (Inventory → General → New Token…): "
                <code>"license smart register idtoken <token>"</code>". It then reports what it uses and "
                "renews its authorization every few hours over HTTPS, each request signed with the "
                "identity the portal gave it. Its licenses come from the pool of its virtual account: "
                "when a pool holds fewer licenses than its routers use, the pool is out of compliance and "
                "the Alerts page says so."
            </p>
            <p>
                "A router that has not reached the portal for two days counts as \"Failed to Connect\"; it "
                "keeps working until its authorization expires."
            </p>
        </section>
        <section aria-labelledby="api">
            <h2 id="api">"The REST API"</h2>
            <p>
                "Everything the Inventory shows and most of what it changes is in the REST API under "
                <code>"/api/v1"</code>". Make a key on the "<a href="/api-keys">"API Keys"</a>" page, then:"
            </p>
            <pre class="mono">"curl -H \"Authorization: Bearer <key>\" https://<this portal>/api/v1/virtual-accounts"</pre>
            <p>
                "Every operation, parameter and answer is in the "<a href="/api-reference">"API Reference"</a>
                ". A POST may carry an "<code>"Idempotency-Key"</code>" header: a retry with the same key "
                "changes nothing twice."
            </p>
        </section>
    }
}
