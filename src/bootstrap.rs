//! First-start state: the bootstrap CITY_ADMIN and the default programme. Not migrations:
//! they depend on configuration and must not replay on a restored database.

use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use secrecy::ExposeSecret;

use crate::config::Settings;
use crate::domain::Password;
use crate::error::AppError;
use crate::service::{Deps, account, programme};

/// Any constant shared by all replicas: serializes their bootstrap on PostgreSQL.
const BOOTSTRAP_LOCK: i64 = 0x7461_6c65_6e74;

/// Creates the admin and the default programme when missing. When no admin password is
/// configured, a random one is generated and printed once on stdout.
pub async fn run(deps: &Deps, settings: &Settings) -> anyhow::Result<()> {
    let (password, generated) = match &settings.admin_password {
        Some(secret) => (
            Password::parse(secret.expose_secret())
                .map_err(|e| anyhow::anyhow!("TALENT_ADMIN_PASSWORD {e}"))?,
            false,
        ),
        None => (
            Password::parse(&crate::auth::new_secret())
                .map_err(|e| anyhow::anyhow!("generated password {e}"))?,
            true,
        ),
    };
    let txn = deps.db.begin().await.map_err(AppError::from)?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [BOOTSTRAP_LOCK.into()],
        ))
        .await
        .map_err(AppError::from)?;
    }
    let created_admin = account::ensure_admin(&txn, deps, &password).await?;
    let created_programme = programme::ensure_default(&txn).await?;
    txn.commit().await.map_err(AppError::from)?;
    if created_admin {
        tracing::info!(user.name = "admin", "created the bootstrap CITY_ADMIN");
        if generated {
            println!(
                "Created user `admin` (CITY_ADMIN) with password: {}\n\
                 It is shown only this once; set TALENT_ADMIN_PASSWORD to choose it.",
                password.expose()
            );
        }
    }
    if created_programme {
        tracing::info!("created the default programme");
    }
    Ok(())
}
