//! `GET /dashboard` (the city's page) and `GET /workspace` (the institution's page):
//! server-rendered frames with a sign-in form. Their scripts sign in with the `login`
//! mutation, keep the token in `sessionStorage` (never a cookie) and fill the frames
//! from `/graphql`, so every figure is the API's own and scoped by the caller's role.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::layout::{Nav, page};
use super::messages::Messages;
use super::{PageRequest, html};
use crate::http::AppState;

/// `GET /dashboard`.
pub(in crate::http) async fn dashboard(
    State(state): State<AppState>,
    request: PageRequest,
) -> Response {
    let m = request.lang.messages();
    let districts: Vec<(String, String)> = state
        .deps
        .districts
        .names()
        .map(|name| {
            let shown = match (request.lang, state.deps.districts.chinese_name(name)) {
                (super::Lang::Zh, Some(chinese)) => chinese.to_owned(),
                _ => name.to_owned(),
            };
            (name.to_owned(), shown)
        })
        .collect();
    let body = html! {
        h1 { (m.dash_title) }
        (frame(m, html! {
            form #filters.filters {
                h2.visually-hidden { (m.filters) }
                div.field { label for="f-programme" { (m.programme) } select #f-programme name="programmeId" {} }
                div.field { label for="f-track" { (m.track) }
                    select #f-track name="track" {
                        option value="" { (m.all) }
                        option value="HOST" { (m.track_HOST) }
                        option value="PROFESSIONAL" { (m.track_PROFESSIONAL) }
                    }
                }
                div.field { label for="f-district" { (m.district) }
                    select #f-district name="district" {
                        option value="" { (m.all) }
                        @for (value, shown) in &districts { option value=(value) { (shown) } }
                    }
                }
                div.field { label for="f-from" { (m.date_from) } input #f-from type="date" name="from"; }
                div.field { label for="f-to" { (m.date_to) } input #f-to type="date" name="to"; }
                div.field.action { button type="submit" { (m.apply) } }
                p.hint { (m.filter_note) }
            }
            section #goals {
                h2 { (m.goals_title) }
                p #as-of.hint {}
                div #goal-bars.bars {}
            }
            section #monthly {
                h2 { (m.chart_title) }
                div #chart.chart {}
            }
            section #districts {
                h2 { (m.districts_title) }
                div.table-wrap { table #district-table {} }
            }
            section #exports {
                h2 { (m.exports_title) }
                p.exports {
                    button.link type="button" data-export="progress" { (m.export_progress) }
                    button.link type="button" data-export="goals" { (m.export_goals) }
                    button.link type="button" data-export="stats" { (m.export_stats) }
                }
            }
        }))
    };
    let markup = page(
        request.lang,
        Nav::Dashboard,
        m.nav_dashboard,
        &request.path_and_query,
        &["common.js", "dashboard.js"],
        body,
    );
    html(StatusCode::OK, markup)
}

/// `GET /workspace`.
pub(in crate::http) async fn workspace(request: PageRequest) -> Response {
    let m = request.lang.messages();
    let body = html! {
        h1 { (m.ws_title) }
        (frame(m, html! {
            section #courses {
                h2 { (m.courses_title) }
                div.table-wrap { table #course-table {} }
            }
            section #course hidden {
                h2 #course-title {}
                h3 { (m.roster_title) }
                div.table-wrap { table #roster {} }
                (upload_form(m, "roster", m.upload_roster, m.upload_roster_hint))
                div #roster-result aria-live="polite" {}
                h3 { (m.results_title) }
                form #result-one.inline {
                    div.field { label for="r-id" { (m.id_number) } input #r-id type="text" name="idNumber" required autocomplete="off"; }
                    div.field { label for="r-passed" { (m.result) }
                        select #r-passed name="passed" { option value="true" { (m.passed) } option value="false" { (m.failed) } }
                    }
                    div.field { label for="r-score" { (m.score) } input #r-score type="number" name="score" min="0" max="100"; }
                    div.field { label for="r-date" { (m.assessed_on) } input #r-date type="date" name="assessedOn"; }
                    div.field.action { button type="submit" { (m.record) } }
                }
                (upload_form(m, "results", m.upload_results, m.upload_results_hint))
                div #results-result aria-live="polite" {}
                h3 { (m.certificates_title) }
                div.table-wrap { table #certificates {} }
            }
        }))
    };
    let markup = page(
        request.lang,
        Nav::Workspace,
        m.nav_workspace,
        &request.path_and_query,
        &["common.js", "workspace.js"],
        body,
    );
    html(StatusCode::OK, markup)
}

/// A CSV upload form: `<what>-upload` with its file input `<what>-file`.
fn upload_form(m: &Messages, what: &str, title: &str, hint: &str) -> Markup {
    let file = format!("{what}-file");
    html! {
        form.upload id=(format!("{what}-upload")) {
            h3 { (title) }
            p.hint { (hint) }
            div.field {
                label for=(file) { (m.file) }
                input id=(file) type="file" name="file" accept=".csv,text/csv" required;
            }
            button type="submit" { (m.upload) }
        }
    }
}

/// The sign-in form, the signed-in bar and `content` (shown once signed in), with the
/// message table for the scripts.
fn frame(m: &Messages, content: Markup) -> Markup {
    let messages = serde_json::to_string(m).unwrap_or_else(|_| "{}".to_owned());
    html! {
        noscript { div.panel.warning { p { (m.js_needed) } } }
        div #app data-messages=(messages) {
            form #signin.signin hidden {
                h2 { (m.signin_title) }
                p #signin-error.error-message role="alert" {}
                div.field { label for="username" { (m.username) } input #username type="text" name="username" autocomplete="username" required; }
                div.field { label for="password" { (m.password) } input #password type="password" name="password" autocomplete="current-password" required; }
                button type="submit" { (m.signin_submit) }
            }
            div #session.session hidden {
                span #who {}
                span #scope.tag {}
                button #signout.link type="button" { (m.signout) }
            }
            p #status.status role="status" aria-live="polite" {}
            div #content hidden { (content) }
        }
    }
}
