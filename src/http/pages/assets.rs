//! `GET /assets/…`: the stylesheet, the scripts and the vendored GraphiQL, embedded in
//! the binary at build time (nothing is read from disk or fetched from another host).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One embedded file.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// `asset!("path", "type")`: the file `assets/<path>` of the repository.
macro_rules! asset {
    ($path:literal, $type:literal) => {
        Asset {
            path: $path,
            content_type: $type,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/", $path)),
        }
    };
}

/// Every file served, by its path under `/assets/`.
static ASSETS: &[Asset] = &[
    asset!("pages.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("common.js", "text/javascript; charset=utf-8"),
    asset!("dashboard.js", "text/javascript; charset=utf-8"),
    asset!("workspace.js", "text/javascript; charset=utf-8"),
    asset!("graphiql-init.js", "text/javascript; charset=utf-8"),
    asset!(
        "vendor/graphiql-3.8.3/graphiql.min.css",
        "text/css; charset=utf-8"
    ),
    asset!(
        "vendor/graphiql-3.8.3/graphiql.min.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "vendor/react-18.3.1/react.production.min.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "vendor/react-dom-18.3.1/react-dom.production.min.js",
        "text/javascript; charset=utf-8"
    ),
];

/// `GET /assets/<path>`: the embedded file, else 404. Vendored files are named by
/// version and cached for a day; the project's own are revalidated.
pub(super) async fn asset(Path(path): Path<String>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.path == path) else {
        return (StatusCode::NOT_FOUND, "NOT_FOUND: no such asset\n").into_response();
    };
    let cache = if asset.path.starts_with("vendor/") {
        "public, max-age=86400"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, cache),
        ],
        asset.bytes,
    )
        .into_response()
}
