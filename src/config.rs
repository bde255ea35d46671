//! Settings: every knob of DESIGN.md's "Running" table, read from flags or the environment.

use std::net::SocketAddr;

use clap::{ArgAction, Args, Parser, Subcommand};
use secrecy::SecretString;

use crate::domain::SubsidyAmounts;
use crate::http::TrustedProxies;
use crate::telemetry::LogFormat;

/// Command line of the `talent-registry` binary.
#[derive(Debug, Parser)]
#[command(name = "talent-registry", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings shared by every subcommand.
    #[command(flatten)]
    pub settings: Settings,
}

/// Subcommands of the binary.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (default).
    Serve,
    /// Print the GraphQL SDL.
    Schema,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a user account (city roles, or institution roles with --institution-id).
    CreateUser(CreateUserArgs),
    /// Load deterministic synthetic data (demos, benchmarks) into an empty registry.
    Seed(crate::seed::SeedOptions),
    /// Write synthetic people (no database needed) as an import file on stdout: CSV for
    /// `importEnrolments`, or JSON for `enrolMany` (bulk benchmarks).
    Roster(crate::seed::roster::RosterOptions),
    /// Recompute every maintained count from the base tables; exit 1 on any difference.
    VerifyCounts,
    /// Write a consistent copy of the database to a new file, while servers run
    /// (SQLite: `VACUUM INTO`; PostgreSQL: `pg_dump --format=custom`).
    Backup(crate::cli::backup::BackupArgs),
    /// Replace the database by a copy written by `backup`, then migrate it
    /// (SQLite: the file moved into place; PostgreSQL: `pg_restore --clean --if-exists`).
    Restore(crate::cli::backup::RestoreArgs),
}

/// Arguments of `create-user`.
#[derive(Debug, Args)]
pub struct CreateUserArgs {
    /// Login name.
    #[arg(long)]
    pub username: String,
    /// One of CITY_ADMIN, CITY_ANALYST, INSTITUTION_ADMIN, INSTITUTION_STAFF.
    #[arg(long)]
    pub role: String,
    /// Institution of an institution role.
    #[arg(long)]
    pub institution_id: Option<uuid::Uuid>,
    /// Password; read from TALENT_NEW_USER_PASSWORD so it stays out of shell history.
    #[arg(long, env = "TALENT_NEW_USER_PASSWORD", hide_env_values = true)]
    pub password: SecretString,
}

/// Runtime settings. Secrets are wrapped so they never reach a log line or a `Debug` dump.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database URL: `sqlite://file.db?mode=rwc` or `postgres://user@host/db`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://talent-registry.db?mode=rwc",
        hide_env_values = true,
        global = true
    )]
    pub database_url: SecretString,
    /// Address the HTTP server listens on.
    #[arg(
        long,
        env = "TALENT_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,
    /// Password of the bootstrap `admin` (CITY_ADMIN), used only when no CITY_ADMIN exists.
    #[arg(
        long,
        env = "TALENT_ADMIN_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub admin_password: Option<SecretString>,
    /// Key of the HMAC over identity-document numbers; changing it breaks person dedup.
    #[arg(long, env = "TALENT_PII_KEY", hide_env_values = true, global = true)]
    pub pii_key: Option<SecretString>,
    /// Serve schema introspection and field suggestions.
    #[arg(long, env = "TALENT_INTROSPECTION", default_value_t = true, action = ArgAction::Set, global = true)]
    pub introspection: bool,
    /// District list as `English:中文,English:中文`; Shenzhen's ten districts when unset.
    #[arg(long, env = "TALENT_DISTRICTS", global = true)]
    pub districts: Option<String>,
    /// Lifetime of a login session, in hours.
    #[arg(
        long,
        env = "TALENT_SESSION_TTL_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub session_ttl_hours: u32,
    /// Days an activation code works after it was issued (`registerTrainee`,
    /// `enrolMany`, imports, `reissueActivationCode`); an older code answers as an
    /// invalid one.
    #[arg(
        long,
        env = "TALENT_ACTIVATION_TTL_DAYS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..=3650),
        global = true
    )]
    pub activation_ttl_days: u32,
    /// Public `verifyCertificate` calls admitted per client address per minute.
    #[arg(
        long,
        env = "TALENT_VERIFY_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub verify_per_minute: u32,
    /// Failed logins admitted per account within 15 minutes; more are `RATE_LIMITED`.
    #[arg(
        long,
        env = "TALENT_LOGIN_FAILURES_PER_ACCOUNT",
        default_value_t = 5,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub login_failures_per_account: u32,
    /// Failed logins admitted per client address within 15 minutes; more are `RATE_LIMITED`.
    #[arg(
        long,
        env = "TALENT_LOGIN_FAILURES_PER_ADDRESS",
        default_value_t = 20,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub login_failures_per_address: u32,
    /// Longest time a GraphQL request may take, in milliseconds, reading its body
    /// included: a body still arriving then is answered 408, an execution still running
    /// `TIMEOUT`.
    #[arg(
        long,
        env = "TALENT_REQUEST_TIMEOUT_MS",
        default_value_t = 30_000,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub request_timeout_ms: u64,
    /// Most aliased fields one GraphQL document may carry.
    #[arg(long, env = "TALENT_MAX_ALIASES", default_value_t = 30, global = true)]
    pub max_aliases: usize,
    /// After SIGTERM/SIGINT, how long in-flight requests may run before the process exits
    /// anyway, in milliseconds.
    #[arg(
        long,
        env = "TALENT_SHUTDOWN_GRACE_MS",
        default_value_t = 30_000,
        global = true
    )]
    pub shutdown_grace_ms: u64,
    /// Longest wait for a request's headers, in milliseconds; a connection whose request
    /// head has not arrived by then is closed.
    #[arg(
        long,
        env = "TALENT_HEADER_TIMEOUT_MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub header_timeout_ms: u64,
    /// Most client connections served at once; further ones wait in the listen backlog
    /// until one closes.
    #[arg(
        long,
        env = "TALENT_MAX_CONNECTIONS",
        default_value_t = 1_024,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub max_connections: u32,
    /// Bulk calls (request bodies over 64 KiB: `enrolMany` cohorts, CSV imports) run at
    /// once; further ones wait their turn for up to half the request time limit, then get
    /// `RATE_LIMITED` with `Retry-After`. Bounds the memory of concurrent bulk work.
    #[arg(
        long,
        env = "TALENT_BULK_CONCURRENCY",
        default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub bulk_concurrency: u32,
    /// Upper bound of the database connection pool.
    #[arg(
        long,
        env = "TALENT_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub db_max_connections: u32,
    /// Longest wait for a pooled database connection, in milliseconds. While the
    /// database is unreachable (or the pool exhausted) every request fails after this
    /// long with `UNAVAILABLE` and `Retry-After`; keep it short so clients learn quickly.
    #[arg(
        long,
        env = "TALENT_DB_ACQUIRE_TIMEOUT_MS",
        default_value_t = 3_000,
        global = true
    )]
    pub db_acquire_timeout_ms: u64,
    /// Skill-upgrade subsidies a person may be paid per calendar year.
    #[arg(
        long,
        env = "TALENT_SUBSIDY_CLAIMS_PER_YEAR",
        default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(1..=100),
        global = true
    )]
    pub subsidy_claims_per_year: u32,
    /// Yuan of the skill-upgrade subsidy per level, `level:yuan` pairs (`5:1000,4:1500`); a
    /// level without an amount is not subsidised.
    #[arg(
        long,
        env = "TALENT_SUBSIDY_AMOUNTS",
        default_value = "5:1000,4:1500,3:2000",
        value_parser = subsidy_amounts,
        global = true
    )]
    pub subsidy_amounts: SubsidyAmounts,
    /// Address at which people reach this service, without a trailing `/`: the start of
    /// `Certificate.verificationUrl` and of the QR codes printed on certificates.
    #[arg(
        long,
        env = "TALENT_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080",
        value_parser = public_url,
        global = true
    )]
    pub public_url: String,
    // Operating it (DESIGN.md 2.5): logs, proxies, metrics.
    /// How log lines are written: `text` or `json` (one object per line).
    #[arg(
        long,
        env = "TALENT_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        global = true
    )]
    pub log_format: LogFormat,
    /// Proxies whose `X-Forwarded-For` names the client, as comma-separated CIDRs
    /// (`10.0.0.0/8,::1/128`); unset: the TCP peer is the client.
    #[arg(
        long,
        env = "TALENT_TRUSTED_PROXIES",
        default_value = "",
        value_parser = trusted_proxies,
        global = true
    )]
    pub trusted_proxies: TrustedProxies,
    /// Bearer token that opens `GET /metrics` to non-loopback peers; unset: loopback only.
    #[arg(
        long,
        env = "TALENT_METRICS_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub metrics_token: Option<SecretString>,
}

/// Parses `TALENT_TRUSTED_PROXIES`, naming the variable and the entry it could not read.
fn trusted_proxies(raw: &str) -> Result<TrustedProxies, String> {
    TrustedProxies::parse(raw).map_err(|e| format!("TALENT_TRUSTED_PROXIES {e}"))
}

/// Parses `TALENT_PUBLIC_URL`: an `http://` or `https://` address, kept without a
/// trailing `/`.
fn public_url(raw: &str) -> Result<String, String> {
    let url = raw.trim().trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match host {
        Some(rest) if !rest.is_empty() && !rest.contains(['?', '#', ' ']) => Ok(url.to_owned()),
        _ => Err(format!(
            "TALENT_PUBLIC_URL must be an http:// or https:// address without query, got {raw:?}"
        )),
    }
}

/// Parses `TALENT_SUBSIDY_AMOUNTS`, naming the variable and the rule it breaks.
fn subsidy_amounts(raw: &str) -> Result<SubsidyAmounts, String> {
    SubsidyAmounts::parse(raw).map_err(|e| format!("TALENT_SUBSIDY_AMOUNTS {e}"))
}
