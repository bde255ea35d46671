//! Enrolments of trainees in courses: scoped reads.

use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entity::{course, enrolment};
use crate::error::AppError;

/// Enrolments of the given trainees, oldest first; only in `institution`'s courses when set.
pub async fn of_trainees(
    db: &impl ConnectionTrait,
    trainee_ids: &[Uuid],
    institution: Option<Uuid>,
) -> Result<Vec<enrolment::Model>, AppError> {
    let mut select = enrolment::Entity::find()
        .filter(enrolment::Column::TraineeId.is_in(trainee_ids.iter().copied()));
    if let Some(institution) = institution {
        select = select.filter(
            enrolment::Column::CourseId.in_subquery(
                Query::select()
                    .column(course::Column::Id)
                    .from(course::Entity)
                    .and_where(course::Column::InstitutionId.eq(institution))
                    .to_owned(),
            ),
        );
    }
    Ok(select.order_by_asc(enrolment::Column::Id).all(db).await?)
}
