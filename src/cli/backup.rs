//! `backup --to FILE` and `restore --from FILE`. SQLite: a consistent copy of the live
//! database (`VACUUM INTO`), restored by moving a copy into place. PostgreSQL: the
//! custom format of `pg_dump`, restored with `pg_restore --clean --if-exists`; both
//! programs must be installed (the PostgreSQL client package).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use secrecy::ExposeSecret;

use crate::config::Settings;

/// Arguments of `backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// File to write; must not exist yet.
    #[arg(long)]
    pub to: PathBuf,
}

/// Arguments of `restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A file written by `backup` (of the same engine).
    #[arg(long)]
    pub from: PathBuf,
    /// Replace a database that already holds a registry (stop every server on it first).
    #[arg(long)]
    pub force: bool,
}

/// `backup`: a consistent copy of the database in `args.to`, taken while servers run.
pub async fn backup(settings: &Settings, args: &BackupArgs) -> anyhow::Result<()> {
    if args.to.exists() {
        bail!(
            "{} exists already: backup writes a new file",
            args.to.display()
        );
    }
    let url = settings.database_url.expose_secret();
    match sqlite_path(url) {
        Some(_) => {
            let db = crate::wiring::connect(settings).await?;
            let target = args.to.to_str().context("the --to path is not UTF-8")?;
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "VACUUM INTO ?",
                [target.into()],
            ))
            .await
            .with_context(|| format!("copying the database into {}", args.to.display()))?;
        }
        None => run_tool(
            Command::new("pg_dump")
                .arg("--format=custom")
                .arg("--no-owner")
                .arg(format!("--file={}", args.to.display()))
                .arg(format!("--dbname={url}")),
            "pg_dump",
        )?,
    }
    println!("backup written to {}", args.to.display());
    Ok(())
}

/// `restore`: the database of `settings` becomes the one saved in `args.from`, migrated
/// to this version. A database that already holds a registry is replaced only with
/// `--force`.
pub async fn restore(settings: &Settings, args: &RestoreArgs) -> anyhow::Result<()> {
    if !args.from.is_file() {
        bail!("{} is not a backup file", args.from.display());
    }
    let url = settings.database_url.expose_secret();
    match sqlite_path(url) {
        Some(target) => restore_sqlite(&args.from, &target, args.force)?,
        None => {
            if !args.force && holds_registry(settings).await? {
                bail!(
                    "the database holds a registry already: stop its servers and add --force to replace it"
                );
            }
            run_tool(
                Command::new("pg_restore")
                    .arg("--clean")
                    .arg("--if-exists")
                    .arg("--no-owner")
                    .arg("--exit-on-error")
                    .arg(format!("--dbname={url}"))
                    .arg(&args.from),
                "pg_restore",
            )?;
        }
    }
    crate::wiring::connect_and_migrate(settings)
        .await
        .context("opening the restored database")?;
    println!("restored {}", args.from.display());
    Ok(())
}

/// Copies `from` beside `target` and renames it into place, so a failed copy leaves the
/// target as it was; the old file's WAL and shared-memory files go with it.
fn restore_sqlite(from: &Path, target: &Path, force: bool) -> anyhow::Result<()> {
    if target.exists() && !force {
        bail!(
            "{} exists: stop its servers and add --force to replace it",
            target.display()
        );
    }
    let mut partial = target.as_os_str().to_owned();
    partial.push(".restoring");
    let partial = PathBuf::from(partial);
    std::fs::copy(from, &partial)
        .with_context(|| format!("copying {} beside {}", from.display(), target.display()))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                return Err(err).with_context(|| format!("removing {}", side.display()));
            }
            _ => {}
        }
    }
    std::fs::rename(&partial, target)
        .with_context(|| format!("moving the copy to {}", target.display()))
}

/// True when the database has the migrations table of a registry.
async fn holds_registry(settings: &Settings) -> anyhow::Result<bool> {
    let db = crate::wiring::connect(settings).await?;
    let found = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT 1 AS found FROM information_schema.tables WHERE table_name = 'seaql_migrations'",
        ))
        .await?;
    Ok(found.is_some())
}

/// Runs an outside program to its end; a missing program or a failure is an error that
/// says so.
fn run_tool(command: &mut Command, name: &str) -> anyhow::Result<()> {
    let status = match command.status() {
        Ok(status) => status,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => bail!(
            "{name} was not found on PATH: install the PostgreSQL client programs \
             (e.g. the postgresql-client package) of the server's major version or newer"
        ),
        Err(err) => return Err(err).with_context(|| format!("starting {name}")),
    };
    if !status.success() {
        bail!("{name} failed ({status}); its messages are above");
    }
    Ok(())
}

/// The file of a SQLite URL (`sqlite://file.db?mode=rwc`, `sqlite:file.db`); `None` for
/// any other engine.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    Some(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_of_a_sqlite_url_is_found_and_other_engines_have_none() {
        for (url, path) in [
            (
                "sqlite://talent-registry.db?mode=rwc",
                Some("talent-registry.db"),
            ),
            ("sqlite:///tmp/a.db", Some("/tmp/a.db")),
            ("sqlite:b.db", Some("b.db")),
            ("postgres://u@h/db", None),
        ] {
            assert_eq!(sqlite_path(url), path.map(PathBuf::from), "{url}");
        }
    }

    #[test]
    fn restoring_over_an_existing_file_needs_force() {
        let dir = std::env::temp_dir().join(format!("restore-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let (from, target) = (dir.join("backup.db"), dir.join("live.db"));
        std::fs::write(&from, b"new").unwrap();
        std::fs::write(&target, b"old").unwrap();
        std::fs::write(dir.join("live.db-wal"), b"old wal").unwrap();

        let refused = restore_sqlite(&from, &target, false);
        assert!(refused.unwrap_err().to_string().contains("--force"));
        assert_eq!(std::fs::read(&target).unwrap(), b"old");

        restore_sqlite(&from, &target, true).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert!(
            !dir.join("live.db-wal").exists(),
            "the old WAL would be replayed"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_program_is_named_with_what_to_install() {
        let err = run_tool(&mut Command::new("pg_dump-not-installed"), "pg_dump").unwrap_err();
        assert!(err.to_string().contains("postgresql-client"), "{err}");
    }
}
