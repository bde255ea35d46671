//! Pages for people (DESIGN.md §2.2): `/`, `/verify` and its QR codes, `/dashboard`,
//! `/workspace`, GraphiQL at `/graphql`, and the embedded assets under `/assets/`.
//! Server-rendered with maud; the dashboard and the workspace then call `/graphql`
//! from plain scripts, so their figures are the API's own.

mod assets;
mod graphiql;
mod home;
mod layout;
mod messages;
mod verify;
mod work;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::get;

use super::AppState;
use messages::{EN, Messages, ZH};

pub(super) use graphiql::graphiql;

/// The pages' routes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/verify", get(verify::verify))
        .route("/verify/qr.svg", get(verify::qr_svg))
        .route("/dashboard", get(work::dashboard))
        .route("/workspace", get(work::workspace))
        .route("/assets/{*path}", get(assets::asset))
}

/// The language of a page: Chinese unless the query string says `lang=en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The language a query string asks for.
    fn of_query(query: Option<&str>) -> Self {
        let asks_english = query.is_some_and(|q| q.split('&').any(|pair| pair == "lang=en"));
        if asks_english { Self::En } else { Self::Zh }
    }

    fn messages(self) -> &'static Messages {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    fn other(self) -> Self {
        match self {
            Self::Zh => Self::En,
            Self::En => Self::Zh,
        }
    }

    /// A link to `path` in this language.
    fn link(self, path: &str) -> String {
        match self {
            Self::Zh => path.to_owned(),
            Self::En => format!("{path}?lang=en"),
        }
    }

    /// `path_and_query` in the other language, every other parameter kept.
    fn switched(self, path_and_query: &str) -> String {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let mut pairs: Vec<&str> = query
            .split('&')
            .filter(|pair| !pair.is_empty() && *pair != "lang" && !pair.starts_with("lang="))
            .collect();
        if self.other() == Self::En {
            pairs.push("lang=en");
        }
        if pairs.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", pairs.join("&"))
        }
    }
}

/// What every page handler reads of its request: the language and its own address.
pub(super) struct PageRequest {
    lang: Lang,
    path_and_query: String,
}

impl<S: Send + Sync> FromRequestParts<S> for PageRequest {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            lang: Lang::of_query(parts.uri.query()),
            path_and_query: parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        })
    }
}

/// An HTML page that is never cached: it may show a signed-in caller's data or a
/// verification answer.
fn html(status: axum::http::StatusCode, markup: maud::Markup) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        status,
        [
            (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        markup.into_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_switch_keeps_the_other_parameters() {
        assert_eq!(
            Lang::Zh.switched("/verify?number=A%20B&name=x"),
            "/verify?number=A%20B&name=x&lang=en"
        );
        assert_eq!(
            Lang::En.switched("/verify?lang=en&number=A"),
            "/verify?number=A"
        );
        assert_eq!(Lang::En.switched("/?lang=en"), "/");
        assert_eq!(Lang::Zh.switched("/dashboard"), "/dashboard?lang=en");
    }

    #[test]
    fn only_lang_en_asks_for_english() {
        assert_eq!(Lang::of_query(Some("number=1&lang=en")), Lang::En);
        assert_eq!(Lang::of_query(Some("lang=fr")), Lang::Zh);
        assert_eq!(Lang::of_query(None), Lang::Zh);
    }
}
