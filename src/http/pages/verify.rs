//! `GET /verify`: the public check of a certificate, a form that works without
//! JavaScript; `GET /verify/qr.svg`: the QR code of a certificate's verification address.

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;

use super::layout::{Nav, page};
use super::messages::Messages;
use super::{PageRequest, html};
use crate::domain::{self, CertificateNumber, CertificateStatus, ValidationError};
use crate::error::AppError;
use crate::http::AppState;
use crate::http::observe::ClientAddress;
use crate::http::refusal::Refusal;
use crate::service::certificate::Verified;
use crate::service::verification;

/// The form's fields, as a browser submits them.
#[derive(Debug, Default, Deserialize)]
pub(in crate::http) struct VerifyParams {
    number: Option<String>,
    name: Option<String>,
}

/// What the page answers under the form.
enum Outcome {
    /// Nothing asked yet.
    Blank,
    /// A number without a name (a scanned QR code): the name is asked for.
    NameNeeded,
    /// A field left empty: the error summary.
    Missing {
        number: bool,
        name: bool,
    },
    Found(Box<Verified>),
    NotFound,
    RateLimited,
    Failed,
}

/// `GET /verify?number=…&name=…`.
pub(in crate::http) async fn verify(
    State(state): State<AppState>,
    Extension(ClientAddress(client)): Extension<ClientAddress>,
    request: PageRequest,
    params: Result<Query<VerifyParams>, QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let number = params.number.as_deref().map_or("", str::trim);
    let outcome = match params.name.as_deref().map(str::trim) {
        None if number.is_empty() => Outcome::Blank,
        None => Outcome::NameNeeded,
        Some(name) if number.is_empty() || name.is_empty() => Outcome::Missing {
            number: number.is_empty(),
            name: name.is_empty(),
        },
        Some(name) => match verification::check(&state.deps, Some(client), number, name).await {
            Ok(Some(found)) => Outcome::Found(Box::new(found)),
            Ok(None) => Outcome::NotFound,
            Err(AppError::RateLimited { .. }) => Outcome::RateLimited,
            Err(err) => {
                err.log();
                Outcome::Failed
            }
        },
    };
    let status = match outcome {
        Outcome::Missing { .. } => StatusCode::BAD_REQUEST,
        Outcome::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Outcome::Failed => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::OK,
    };
    let m = request.lang.messages();
    let body = html! {
        h1 { (m.verify_title) }
        (answer(m, &outcome, state.deps.clock.utc_now()))
        (form(m, request.lang, number, params.name.as_deref().unwrap_or(""), &outcome))
    };
    let markup = page(
        request.lang,
        Nav::Verify,
        m.verify_title,
        &request.path_and_query,
        &[],
        body,
    );
    let mut response = html(status, markup);
    if status == StatusCode::TOO_MANY_REQUESTS {
        let retry = state.deps.verify_limiter.window_secs();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry));
    }
    response
}

fn form(m: &Messages, lang: super::Lang, number: &str, name: &str, outcome: &Outcome) -> Markup {
    let (number_missing, name_missing) = match outcome {
        Outcome::Missing { number, name } => (*number, *name),
        _ => (false, false),
    };
    html! {
        form.verify method="get" action="/verify" novalidate {
            p.intro { (m.verify_intro) }
            @if lang == super::Lang::En { input type="hidden" name="lang" value="en"; }
            div.field.(if number_missing { "error" } else { "" }) {
                label for="number" { (m.number_label) }
                p.hint id="number-hint" { (m.number_hint) }
                @if number_missing { p.error-message { (m.missing_number) } }
                input #number type="text" name="number" value=(number) autocomplete="off"
                    spellcheck="false" aria-describedby="number-hint";
            }
            div.field.(if name_missing { "error" } else { "" }) {
                label for="name" { (m.name_label) }
                p.hint id="name-hint" { (m.name_hint) }
                @if name_missing { p.error-message { (m.missing_name) } }
                input #name type="text" name="name" value=(name) autocomplete="off"
                    aria-describedby="name-hint";
            }
            button type="submit" { (m.verify_submit) }
        }
    }
}

fn answer(m: &Messages, outcome: &Outcome, now: chrono::DateTime<chrono::Utc>) -> Markup {
    match outcome {
        Outcome::Blank => html! {},
        Outcome::NameNeeded => {
            html! { div.panel.info role="status" { p { (m.verify_name_needed) } } }
        }
        Outcome::Missing { number, name } => html! {
            div.error-summary role="alert" tabindex="-1" {
                h2 { (m.error_summary) }
                ul {
                    @if *number { li { a href="#number" { (m.missing_number) } } }
                    @if *name { li { a href="#name" { (m.missing_name) } } }
                }
            }
        },
        Outcome::NotFound => html! {
            div.panel.warning role="status" id="verify-answer" data-outcome="not-found" {
                h2 { (m.not_found) }
                p { (m.not_found_hint) }
            }
        },
        Outcome::RateLimited => html! {
            div.panel.warning role="alert" id="verify-answer" data-outcome="rate-limited" {
                h2 { (m.rate_limited) }
                p { (m.rate_limited_hint) }
            }
        },
        Outcome::Failed => html! { div.panel.warning role="alert" { h2 { (m.internal_error) } } },
        Outcome::Found(found) => certificate(m, found, now),
    }
}

fn certificate(m: &Messages, found: &Verified, now: chrono::DateTime<chrono::Utc>) -> Markup {
    let cert = &found.certificate;
    let status = verification::status_at(cert, now);
    let (class, title) = match status {
        CertificateStatus::Valid => ("valid", m.result_valid),
        CertificateStatus::Expired => ("warning", m.result_expired),
        CertificateStatus::Revoked => ("warning", m.result_revoked),
    };
    let qr = format!("/verify/qr.svg?number={}", cert.number);
    html! {
        div.panel.(class) role="status" id="verify-answer" data-outcome=(status.as_str()) {
            h2 { (title) }
            div.answer {
                dl.facts {
                    dt { (m.f_number) } dd.number { (cert.number) }
                    dt { (m.f_holder) } dd { (found.holder_name_masked) }
                    dt { (m.f_status) } dd { (status_text(m, status)) }
                    dt { (m.f_kind) } dd { (vocab(m, "kind", &cert.kind)) }
                    @if let Some(subtype) = &cert.subtype { dt { (m.f_subtype) } dd { (vocab(m, "subtype", subtype)) } }
                    dt { (m.f_track) } dd { (vocab(m, "track", &cert.track)) }
                    @if let Some(level) = cert.level { dt { (m.f_level) } dd { (m.level_prefix) (level) (m.level_suffix) } }
                    dt { (m.f_issuer) } dd { (found.issuer) }
                    dt { (m.f_issued_on) } dd { (cert.issued_on.format("%Y-%m-%d")) }
                    dt { (m.f_expires) } dd {
                        @match cert.expires_at {
                            Some(at) => (domain::programme_date(at).format("%Y-%m-%d")),
                            None => (m.no_expiry),
                        }
                    }
                }
                figure.qr {
                    img src=(qr) alt=(m.qr_caption) width="132" height="132";
                    figcaption { (m.qr_caption) }
                }
            }
        }
    }
}

fn status_text(m: &Messages, status: CertificateStatus) -> &'static str {
    match status {
        CertificateStatus::Valid => m.status_VALID,
        CertificateStatus::Expired => m.status_EXPIRED,
        CertificateStatus::Revoked => m.status_REVOKED,
    }
}

/// The text of a stored vocabulary value (`kind`, `subtype`, `track`); the value itself
/// when the table has none.
fn vocab<'a>(m: &Messages, prefix: &str, value: &'a str) -> std::borrow::Cow<'a, str> {
    let table = serde_json::to_value(m).ok();
    table
        .as_ref()
        .and_then(|t| t.get(format!("{prefix}_{value}")))
        .and_then(serde_json::Value::as_str)
        .map_or(std::borrow::Cow::Borrowed(value), |s| {
            std::borrow::Cow::Owned(s.to_owned())
        })
}

/// The query of `/verify/qr.svg`.
#[derive(Debug, Deserialize)]
pub(in crate::http) struct QrParams {
    number: Option<String>,
}

/// `GET /verify/qr.svg?number=…`: the QR code of the certificate's `verificationUrl`, as
/// SVG. A missing or malformed number is refused (400, `BAD_USER_INPUT` on `number`).
pub(in crate::http) async fn qr_svg(
    State(state): State<AppState>,
    params: Result<Query<QrParams>, QueryRejection>,
) -> Result<Response, Refusal> {
    let raw = params
        .ok()
        .and_then(|Query(p)| p.number)
        .unwrap_or_default();
    if raw.trim().is_empty() {
        return Err(AppError::validation("number", ValidationError::Empty).into());
    }
    let number = CertificateNumber::parse(&raw).map_err(|e| AppError::validation("number", e))?;
    let url = verification::url(&state.deps.public_url, number.as_str());
    let code = QrCode::new(url.as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("QR code of {url}: {e}")))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        image,
    )
        .into_response())
}
