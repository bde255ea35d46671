//! `person_track`: a person's standing on a track, maintained by every enrolment and
//! certificate write (`service/counting/`).

use sea_orm::entity::prelude::*;

/// A row of `person_track`; `track` holds a track code. The person is attributed to the
/// first enrolment (by time, then id) and the first unrevoked certificate (by issue day,
/// then time, then id) in breakdowns.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_track")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub trainee_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub track: String,
    /// ENROLLED enrolments on the track now.
    pub enrolled_now: i32,
    pub first_enrolment_id: Uuid,
    pub first_enrolled_at: DateTimeUtc,
    pub first_certificate_id: Option<Uuid>,
    pub first_certified_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
