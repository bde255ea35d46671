//! The public check of a certificate, shared by `verifyCertificate` and the `/verify`
//! page: one rate limit per client address, one lookup, one status rule, and the
//! address printed on a certificate (`verificationUrl`, its QR code).

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::Deps;
use super::certificate::{self, Verified};
use crate::domain::CertificateStatus;
use crate::entity::certificate as stored;
use crate::error::AppError;

/// Characters left as they are in a query value: RFC 3986's unreserved set.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Counts the call against `client`'s limit (`RATE_LIMITED` past it), then looks the
/// certificate up by number and holder name. An unknown number and a wrong name give the
/// same `None`. Without a client address (a call from inside the process) nothing is
/// counted.
pub async fn check(
    deps: &Deps,
    client: Option<IpAddr>,
    number: &str,
    holder_name: &str,
) -> Result<Option<Verified>, AppError> {
    if let Some(addr) = client
        && !deps.verify_limiter.check(&addr).await?
    {
        let refusal = AppError::RateLimited {
            retry_after: deps.verify_limiter.window_secs(),
        };
        return Err(super::rate_limit::refused("verification", refusal));
    }
    certificate::verify(&deps.db, number, holder_name).await
}

/// Status of a certificate at `now`: revocation wins over expiry.
pub fn status_at(model: &stored::Model, now: DateTime<Utc>) -> CertificateStatus {
    if model.revoked_at.is_some() {
        CertificateStatus::Revoked
    } else if model.expires_at.is_some_and(|e| e <= now) {
        CertificateStatus::Expired
    } else {
        CertificateStatus::Valid
    }
}

/// The public page that checks `number`: `<public_url>/verify?number=<number>`, the
/// number percent-encoded.
pub fn url(public_url: &str, number: &str) -> String {
    format!(
        "{public_url}/verify?number={}",
        utf8_percent_encode(number, QUERY_VALUE)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verification_url_encodes_the_number() {
        assert_eq!(
            url("https://talent.example.gov.cn", "H2025-AK9X3-VYFPS"),
            "https://talent.example.gov.cn/verify?number=H2025-AK9X3-VYFPS"
        );
        assert_eq!(
            url("http://127.0.0.1:8080", "a b&c=d/证"),
            "http://127.0.0.1:8080/verify?number=a%20b%26c%3Dd%2F%E8%AF%81"
        );
    }
}
