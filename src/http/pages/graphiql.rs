//! GraphiQL at `GET /graphql` (a browser, no `query` parameter), from the vendored
//! GraphiQL 3.8.3 and React 18.3.1 under `/assets/vendor/`: no other host is asked.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, html};

/// The GraphiQL page. Its script, `graphiql-init.js`, points it at `/graphql` and sends
/// the headers typed in its Headers tab (`Authorization: Bearer …`).
pub(in crate::http) fn graphiql() -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "GraphiQL · talent-registry" }
                link rel="stylesheet" href="/assets/vendor/graphiql-3.8.3/graphiql.min.css";
                link rel="stylesheet" href="/assets/pages.css";
                link rel="icon" href="/assets/favicon.svg" type="image/svg+xml";
            }
            body.graphiql {
                div #graphiql { "Loading GraphiQL…" }
                script src="/assets/vendor/react-18.3.1/react.production.min.js" {}
                script src="/assets/vendor/react-dom-18.3.1/react-dom.production.min.js" {}
                script src="/assets/vendor/graphiql-3.8.3/graphiql.min.js" {}
                script src="/assets/graphiql-init.js" {}
            }
        }
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        markup.into_string(),
    )
        .into_response()
}
