//! The frame of every page: head, header with the navigation and the language switch,
//! footer. One stylesheet, no inline script or style.

use maud::{DOCTYPE, Markup, html};

use super::Lang;

/// Which entry of the navigation is the current page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Nav {
    Home,
    Verify,
    Dashboard,
    Workspace,
}

/// A whole page: `title`, the `body` markup, and the scripts it loads (from `/assets/`).
/// `path_and_query` is the page's own address, for the language switch.
pub(super) fn page(
    lang: Lang,
    nav: Nav,
    title: &str,
    path_and_query: &str,
    scripts: &[&str],
    body: Markup,
) -> Markup {
    let m = lang.messages();
    html! {
        (DOCTYPE)
        html lang=(m.html_lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · " (m.site_name) }
                link rel="stylesheet" href="/assets/pages.css";
                link rel="icon" href="/assets/favicon.svg" type="image/svg+xml";
                @for script in scripts {
                    script src=(format!("/assets/{script}")) defer {}
                }
            }
            body data-lang=(lang.code()) {
                header.site {
                    div.bar {
                        a.brand href=(lang.link("/")) { (m.site_name) }
                        a.lang href=(lang.switched(path_and_query)) lang=(lang.other().messages().html_lang) {
                            (m.switch_language)
                        }
                    }
                    nav {
                        (item(lang, nav, Nav::Home, "/", m.nav_home))
                        (item(lang, nav, Nav::Verify, "/verify", m.nav_verify))
                        (item(lang, nav, Nav::Dashboard, "/dashboard", m.nav_dashboard))
                        (item(lang, nav, Nav::Workspace, "/workspace", m.nav_workspace))
                    }
                }
                main id="main" { (body) }
                footer.site { p { (m.site_owner) } }
            }
        }
    }
}

fn item(lang: Lang, current: Nav, this: Nav, path: &str, text: &str) -> Markup {
    html! {
        @if current == this {
            a href=(lang.link(path)) aria-current="page" { (text) }
        } @else {
            a href=(lang.link(path)) { (text) }
        }
    }
}
