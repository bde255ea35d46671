//! `GET /`: what each page is for, with a link to it.

use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::layout::{Nav, page};
use super::{PageRequest, html};

/// `GET /`.
pub(in crate::http) async fn home(request: PageRequest) -> Response {
    let lang = request.lang;
    let m = lang.messages();
    let cards = [
        ("/verify", m.nav_verify, m.home_verify),
        ("/dashboard", m.nav_dashboard, m.home_dashboard),
        ("/workspace", m.nav_workspace, m.home_workspace),
    ];
    let body = html! {
        h1 { (m.site_name) }
        p.intro { (m.home_intro) }
        ul.cards {
            @for (path, title, text) in cards {
                li { a href=(lang.link(path)) { h2 { (title) } p { (text) } } }
            }
            li { a href="/graphql" { h2 { (m.nav_graphiql) } p { (m.home_graphiql) } } }
        }
    };
    html(
        StatusCode::OK,
        page(
            lang,
            Nav::Home,
            m.nav_home,
            &request.path_and_query,
            &[],
            body,
        ),
    )
}
