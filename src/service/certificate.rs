//! Certificates: scoped reads.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entity::certificate;
use crate::error::AppError;

/// Certificates held by the given trainees, oldest first; only those `institution`
/// issued when set.
pub async fn of_trainees(
    db: &impl ConnectionTrait,
    trainee_ids: &[Uuid],
    institution: Option<Uuid>,
) -> Result<Vec<certificate::Model>, AppError> {
    let mut select = certificate::Entity::find()
        .filter(certificate::Column::TraineeId.is_in(trainee_ids.iter().copied()));
    if let Some(institution) = institution {
        select = select.filter(certificate::Column::InstitutionId.eq(institution));
    }
    Ok(select.order_by_asc(certificate::Column::Id).all(db).await?)
}

/// Certificates of the given enrolments.
pub async fn of_enrolments(
    db: &impl ConnectionTrait,
    enrolment_ids: &[Uuid],
) -> Result<Vec<certificate::Model>, AppError> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::EnrolmentId.is_in(enrolment_ids.iter().copied()))
        .all(db)
        .await?)
}
