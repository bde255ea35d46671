//! Figures read when `/metrics` is scraped: the pool's connections and the current
//! programme's goals, each read the way the API reads it.

use sea_orm::{DatabaseBackend, DatabaseConnection};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::domain::Role;
use crate::error::AppError;
use crate::service::counting::{goal_progress, progress};

/// Connections of the pool, in use and idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Connections lent out.
    pub in_use: u32,
    /// Open connections waiting in the pool.
    pub idle: u32,
}

/// How the pool of `db` is used now.
pub fn pool_use(db: &DatabaseConnection) -> PoolUse {
    let (size, idle) = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX);
    PoolUse {
        in_use: size.saturating_sub(idle),
        idle,
    }
}

/// One goal of the current programme.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalFigure {
    /// The programme.
    pub programme_id: Uuid,
    /// The goal's kind, as spelled in the API.
    pub goal: &'static str,
    /// Its target, in the goal's unit.
    pub target: f64,
    /// Achieved so far, in the same unit.
    pub achieved: f64,
}

/// The goals of the current programme (the one running today, else the latest) with
/// the city's figures: what `programmeProgress { goals }` answers a CITY_ADMIN.
pub async fn goal_figures(db: &DatabaseConnection) -> Result<Vec<GoalFigure>, AppError> {
    let city = CurrentUser {
        user_id: Uuid::nil(),
        role: Role::CityAdmin,
        institution_id: None,
        trainee_id: None,
        client: None,
        must_change_password: false,
    };
    let progress = progress::progress(db, &city, None, None).await?;
    let goals = goal_progress::goals(db, &city, &progress).await?;
    Ok(goals
        .into_iter()
        .map(|g| GoalFigure {
            programme_id: progress.programme.id,
            goal: g.kind.as_str(),
            target: g.target,
            achieved: g.achieved,
        })
        .collect())
}
