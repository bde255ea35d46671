//! Writes generated rows with multi-row INSERTs sized under each engine's bind-parameter
//! limit, then settles the seat counters and refreshes planner statistics.

use sea_orm::sea_query::{Expr, Query, Value};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, EntityTrait};

use super::catalogue::{Catalogue, District, Institution};
use super::rows::{CertificateRow, Chunk, EnrolmentRow, OwnerRow, TraineeRow};
use crate::domain::{EnrolmentStatus, programme_date};
use crate::entity::{certificate, course, enrolment, institution, trainee, trainee_institution};

/// Rows per INSERT at most: larger statements stop paying off and cost more to parse.
const MAX_ROWS: usize = 512;

/// Bind parameters one statement may carry: PostgreSQL allows 65,535, SQLite (as
/// bundled by sqlx) 32,766.
fn max_parameters(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Postgres => 65_000,
        _ => 32_000,
    }
}

/// Inserts `rows` into `E`'s table in statements of power-of-two row counts. Each
/// connection prepares and caches a statement per distinct SQL text (on both sides of the
/// wire); with a handful of shapes per table that cache stays small, where a different
/// tail size per chunk would grow it by a large statement each time.
pub async fn insert<E: EntityTrait, const N: usize>(
    db: &impl ConnectionTrait,
    columns: [E::Column; N],
    rows: Vec<[Value; N]>,
) -> Result<(), DbErr> {
    let limit = (max_parameters(db.get_database_backend()) / N).clamp(1, MAX_ROWS);
    let mut left = rows.len();
    let mut rows = rows.into_iter();
    while left > 0 {
        let take = 1 << left.min(limit).ilog2();
        let mut statement = Query::insert();
        statement.into_table(E::default()).columns(columns);
        for row in rows.by_ref().take(take) {
            statement
                .values(row.map(Expr::val))
                .map_err(|e| DbErr::Custom(format!("seed row: {e}")))?;
        }
        db.execute(&statement).await?;
        left -= take;
    }
    Ok(())
}

/// Writes the institutions and courses.
pub async fn catalogue(db: &impl ConnectionTrait, catalogue: &Catalogue) -> Result<(), DbErr> {
    institutions(db, &catalogue.districts, &catalogue.institutions).await?;
    courses(db, catalogue).await
}

/// Writes `institutions`, whose districts index `districts`.
pub async fn institutions(
    db: &impl ConnectionTrait,
    districts: &[District],
    institutions: &[Institution],
) -> Result<(), DbErr> {
    use institution::Column as I;
    insert::<institution::Entity, _>(
        db,
        [
            I::Id,
            I::Name,
            I::CreditCode,
            I::District,
            I::Kind,
            I::CreatedAt,
            I::UpdatedAt,
        ],
        institutions
            .iter()
            .map(|i| {
                [
                    i.id.into(),
                    i.name.clone().into(),
                    i.credit_code.clone().into(),
                    districts[i.district].name.clone().into(),
                    i.kind.as_str().into(),
                    i.created_at.into(),
                    i.created_at.into(),
                ]
            })
            .collect(),
    )
    .await
}

/// The columns of every course row the seed writes ([`courses`] and the assessment
/// sessions of national credentials), in the order of their values.
pub const COURSE_COLUMNS: [course::Column; 14] = [
    course::Column::Id,
    course::Column::InstitutionId,
    course::Column::Title,
    course::Column::Track,
    course::Column::Level,
    course::Column::Hours,
    course::Column::Capacity,
    course::Column::StartsOn,
    course::Column::EndsOn,
    course::Column::EnrolledCount,
    course::Column::CreatedAt,
    course::Column::UpdatedAt,
    course::Column::Subtype,
    course::Column::Assessment,
];

/// Writes the catalogue's courses, their seat counters still at zero.
async fn courses(db: &impl ConnectionTrait, catalogue: &Catalogue) -> Result<(), DbErr> {
    insert::<course::Entity, _>(
        db,
        COURSE_COLUMNS,
        catalogue
            .courses
            .iter()
            .map(|c| {
                [
                    c.id.into(),
                    catalogue.institutions[c.institution].id.into(),
                    c.title.clone().into(),
                    c.track.as_str().into(),
                    c.level.into(),
                    c.hours.into(),
                    c.capacity.into(),
                    c.starts_on.into(),
                    c.ends_on.into(),
                    0.into(),
                    c.created_at.into(),
                    c.created_at.into(),
                    Option::<String>::None.into(),
                    false.into(),
                ]
            })
            .collect(),
    )
    .await
}

/// Writes one chunk of persons, parents before children.
pub async fn chunk(
    db: &impl ConnectionTrait,
    catalogue: &Catalogue,
    chunk: &Chunk,
) -> Result<(), DbErr> {
    trainees(db, catalogue, &chunk.trainees).await?;
    owners(db, &chunk.owners).await?;
    enrolments(db, &chunk.enrolments).await?;
    certificates(db, &chunk.certificates).await
}

/// Writes trainee rows, without activation codes.
async fn trainees(
    db: &impl ConnectionTrait,
    catalogue: &Catalogue,
    trainees: &[TraineeRow],
) -> Result<(), DbErr> {
    use trainee::Column as T;
    insert::<trainee::Entity, _>(
        db,
        [
            T::Id,
            T::Name,
            T::IdType,
            T::IdHash,
            T::IdMasked,
            T::Phone,
            T::District,
            T::ActivationCodeHash,
            T::CreatedAt,
            T::UpdatedAt,
        ],
        trainees
            .iter()
            .map(|t| {
                [
                    t.id.into(),
                    t.name.clone().into(),
                    t.id_type.as_str().into(),
                    t.id_hash.clone().into(),
                    t.id_masked.clone().into(),
                    t.phone.clone().into(),
                    t.district
                        .map(|d| catalogue.districts[d].name.clone())
                        .into(),
                    Option::<String>::None.into(),
                    t.created_at.into(),
                    t.created_at.into(),
                ]
            })
            .collect(),
    )
    .await
}

/// Writes which institutions own each trainee.
async fn owners(db: &impl ConnectionTrait, owners: &[OwnerRow]) -> Result<(), DbErr> {
    use trainee_institution::Column as O;
    insert::<trainee_institution::Entity, _>(
        db,
        [O::TraineeId, O::InstitutionId, O::CreatedAt],
        owners
            .iter()
            .map(|o| {
                [
                    o.trainee_id.into(),
                    o.institution_id.into(),
                    o.created_at.into(),
                ]
            })
            .collect(),
    )
    .await
}

/// Writes enrolment rows with their programme dates.
async fn enrolments(db: &impl ConnectionTrait, enrolments: &[EnrolmentRow]) -> Result<(), DbErr> {
    use enrolment::Column as E;
    insert::<enrolment::Entity, _>(
        db,
        [
            E::Id,
            E::TraineeId,
            E::CourseId,
            E::Status,
            E::EnrolledAt,
            E::EnrolledOn,
            E::CompletedAt,
            E::CompletedOn,
            E::Score,
            E::AssessedOn,
            E::WithdrawnAt,
            E::WithdrawalReason,
            E::CreatedAt,
            E::UpdatedAt,
        ],
        enrolments
            .iter()
            .map(|e| {
                [
                    e.id.into(),
                    e.trainee_id.into(),
                    e.course_id.into(),
                    e.status.as_str().into(),
                    e.enrolled_at.into(),
                    programme_date(e.enrolled_at).into(),
                    e.completed_at.into(),
                    e.completed_at.map(programme_date).into(),
                    e.score.into(),
                    e.completed_at.map(programme_date).into(),
                    e.withdrawn_at.into(),
                    e.withdrawal_reason.map(str::to_owned).into(),
                    e.enrolled_at.into(),
                    e.updated_at.into(),
                ]
            })
            .collect(),
    )
    .await
}

/// Writes certificate rows with their programme dates, none expiring.
async fn certificates(
    db: &impl ConnectionTrait,
    certificates: &[CertificateRow],
) -> Result<(), DbErr> {
    use certificate::Column as K;
    insert::<certificate::Entity, _>(
        db,
        [
            K::Id,
            K::Number,
            K::EnrolmentId,
            K::TraineeId,
            K::CourseId,
            K::InstitutionId,
            K::Track,
            K::Level,
            K::IssuedAt,
            K::IssuedOn,
            K::ExpiresAt,
            K::RevokedAt,
            K::RevocationReason,
            K::RevokedBy,
            K::CreatedAt,
            K::UpdatedAt,
        ],
        certificates
            .iter()
            .map(|c| {
                [
                    c.id.into(),
                    c.number.clone().into(),
                    c.enrolment_id.into(),
                    c.trainee_id.into(),
                    c.course_id.into(),
                    c.institution_id.into(),
                    c.track.as_str().into(),
                    c.level.into(),
                    c.issued_at.into(),
                    programme_date(c.issued_at).into(),
                    Option::<chrono::DateTime<chrono::Utc>>::None.into(),
                    c.revoked_at.into(),
                    c.revocation_reason.map(str::to_owned).into(),
                    Option::<uuid::Uuid>::None.into(),
                    c.issued_at.into(),
                    c.revoked_at.unwrap_or(c.issued_at).into(),
                ]
            })
            .collect(),
    )
    .await
}

/// Sets each course's seat counter to its enrolments that hold a seat (all but
/// WITHDRAWN), raising a capacity the draw left too small, then refreshes statistics.
pub async fn finish(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let greatest = match db.get_database_backend() {
        DbBackend::Postgres => "GREATEST",
        _ => "max",
    };
    let withdrawn = EnrolmentStatus::Withdrawn.as_str();
    db.execute_unprepared(&format!(
        "UPDATE course SET enrolled_count = counted.n, \
         capacity = CASE WHEN course.capacity IS NULL THEN NULL \
         ELSE {greatest}(course.capacity, counted.n) END \
         FROM (SELECT course_id, COUNT(*) AS n FROM enrolment \
         WHERE status <> '{withdrawn}' GROUP BY course_id) AS counted \
         WHERE course.id = counted.course_id"
    ))
    .await?;
    db.execute_unprepared("ANALYZE").await?;
    Ok(())
}
