//! The rows of a chunk of generated persons, as the writer inserts them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::{EnrolmentStatus, IdType, Track};

/// A `trainee` row; `district` indexes the catalogue's districts.
pub struct TraineeRow {
    pub id: Uuid,
    pub name: String,
    pub id_type: IdType,
    pub id_hash: String,
    pub id_masked: String,
    pub phone: Option<String>,
    pub district: Option<usize>,
    pub created_at: DateTime<Utc>,
}

/// A `trainee_institution` row.
pub struct OwnerRow {
    pub trainee_id: Uuid,
    pub institution_id: Uuid,
    pub created_at: DateTime<Utc>,
}

/// An `enrolment` row; the programme dates are derived when written.
pub struct EnrolmentRow {
    pub id: Uuid,
    pub trainee_id: Uuid,
    pub course_id: Uuid,
    pub status: EnrolmentStatus,
    pub enrolled_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub score: Option<i32>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawal_reason: Option<&'static str>,
    pub updated_at: DateTime<Utc>,
}

/// A `certificate` row; the issue date is derived when written.
pub struct CertificateRow {
    pub id: Uuid,
    pub number: String,
    pub enrolment_id: Uuid,
    pub trainee_id: Uuid,
    pub course_id: Uuid,
    pub institution_id: Uuid,
    pub track: Track,
    pub level: Option<i32>,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<&'static str>,
}

/// The rows of a group of persons, written in one transaction.
#[derive(Default)]
pub struct Chunk {
    pub trainees: Vec<TraineeRow>,
    pub owners: Vec<OwnerRow>,
    pub enrolments: Vec<EnrolmentRow>,
    pub certificates: Vec<CertificateRow>,
}

impl Chunk {
    /// Rows over all tables.
    pub fn rows(&self) -> usize {
        self.trainees.len() + self.owners.len() + self.enrolments.len() + self.certificates.len()
    }

    /// Revoked certificates.
    pub fn revoked(&self) -> usize {
        self.certificates
            .iter()
            .filter(|c| c.revoked_at.is_some())
            .count()
    }
}
