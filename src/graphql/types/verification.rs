//! `CertificateVerification`: the public answer, without personal data.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};

use super::certificate::status_at;
use super::{CertificateStatus, CredentialKind, Date, SkillSubtype, Track};
use crate::domain;
use crate::service::certificate::Verified;

/// Result of `verifyCertificate`. An unknown number and a wrong name give the same
/// answer: `valid: false` and every other field null.
#[derive(SimpleObject)]
pub struct CertificateVerification {
    /// The number asked about, as typed.
    pub number: String,
    /// True when number and name match and the certificate stands (not revoked, not expired).
    pub valid: bool,
    /// Status of the matching certificate.
    pub status: Option<CertificateStatus>,
    /// Holder's name, masked.
    pub holder_name_masked: Option<String>,
    /// Track.
    pub track: Option<Track>,
    /// Skill level.
    pub level: Option<i32>,
    /// Name of the issuing institution.
    pub issuer: Option<String>,
    /// When it was issued.
    pub issued_at: Option<DateTime<Utc>>,
    /// When it expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// Which credential it is.
    pub kind: Option<CredentialKind>,
    /// The sub-type (工种) of a national credential.
    pub subtype: Option<SkillSubtype>,
    /// The day it is dated (its assessment day).
    pub issued_on: Option<Date>,
}

impl CertificateVerification {
    /// The answer for `number`, from the lookup result.
    pub fn new(number: String, found: Option<Verified>, now: DateTime<Utc>) -> Self {
        let Some(found) = found else {
            return Self {
                number,
                valid: false,
                status: None,
                holder_name_masked: None,
                track: None,
                level: None,
                issuer: None,
                issued_at: None,
                expires_at: None,
                kind: None,
                subtype: None,
                issued_on: None,
            };
        };
        let status = status_at(&found.certificate, now);
        let track = found
            .certificate
            .track
            .parse::<crate::domain::Track>()
            .ok()
            .map(Into::into);
        Self {
            number,
            valid: status == CertificateStatus::Valid,
            status: Some(status),
            holder_name_masked: Some(found.holder_name_masked),
            track,
            level: found.certificate.level,
            issuer: Some(found.issuer),
            issued_at: Some(found.certificate.issued_at),
            expires_at: found.certificate.expires_at,
            kind: found
                .certificate
                .kind
                .parse::<domain::CredentialKind>()
                .ok()
                .map(Into::into),
            subtype: found
                .certificate
                .subtype
                .as_deref()
                .and_then(|s| s.parse::<domain::SkillSubtype>().ok())
                .map(Into::into),
            issued_on: Some(Date(found.certificate.issued_on)),
        }
    }
}
