//! Tenant rules of the permission table: which institution's records a caller may touch.
//! Role checks sit in the GraphQL guards; these checks need the record.

use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::domain::Role;
use crate::error::AppError;

/// Institution of an institution-role caller; `Forbidden` for any other role.
pub fn own_institution(actor: &CurrentUser) -> Result<Uuid, AppError> {
    match (actor.role.is_institution(), actor.institution_id) {
        (true, Some(id)) => Ok(id),
        _ => Err(AppError::Forbidden),
    }
}

/// Passes when the caller acts for `institution_id`.
pub fn require_institution(actor: &CurrentUser, institution_id: Uuid) -> Result<(), AppError> {
    if own_institution(actor)? == institution_id {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Passes when the caller acts for `owner`, the institution that owns the row `id` of
/// `entity` (a course, an enrolment, a certificate). Another institution's row is
/// answered exactly as an unknown id, so ids cannot be probed across tenants; a caller
/// of no institution role is `Forbidden`, whatever the id.
pub fn require_owner(
    actor: &CurrentUser,
    owner: Uuid,
    entity: &'static str,
    id: impl ToString,
) -> Result<(), AppError> {
    if own_institution(actor)? == owner {
        Ok(())
    } else {
        Err(AppError::not_found(entity, id))
    }
}

/// Passes for CITY_ADMIN only.
pub fn require_city_admin(actor: &CurrentUser) -> Result<(), AppError> {
    if actor.role == Role::CityAdmin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Which institution's rows a reader sees: `None` for all (city roles), `Some(id)` for
/// an institution role.
pub fn read_scope(actor: &CurrentUser) -> Result<Option<Uuid>, AppError> {
    if actor.role.is_city() {
        Ok(None)
    } else {
        own_institution(actor).map(Some)
    }
}
