//! The subcommands: `serve` (the default), `schema`, `migrate`, `create-user`, `seed`,
//! `roster`, `verify-counts`, `backup` and `restore`.

pub mod backup;

use std::process::ExitCode;

use anyhow::Context;
use secrecy::ExposeSecret;

use crate::config::{Cli, Command, CreateUserArgs, Settings};
use crate::domain::{Password, Username};
use crate::seed::SeedOptions;
use crate::service::account;
use crate::service::counting::recount;
use crate::wiring::{connect_and_migrate, deps};

/// Runs the chosen subcommand; `verify-counts` fails on any difference.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = cli.settings;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = crate::http::App::build(settings).await?;
            app.run_until_stopped().await?;
        }
        Command::Schema => print!("{}", crate::graphql::sdl()),
        Command::Migrate => migrate(&settings).await?,
        Command::CreateUser(args) => create_user(&settings, args).await?,
        Command::Seed(options) => seed(&settings, &options).await?,
        Command::Roster(options) => {
            crate::seed::roster::write(&options, &mut std::io::stdout().lock())?;
        }
        Command::VerifyCounts => {
            if verify_counts(&settings).await? > 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Backup(args) => backup::backup(&settings, &args).await?,
        Command::Restore(args) => backup::restore(&settings, &args).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `migrate`: applies pending migrations.
async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    connect_and_migrate(settings).await?;
    tracing::info!("database is up to date");
    Ok(())
}

/// `seed`: synthetic data at the chosen scale, then the maintained counts rebuilt.
async fn seed(settings: &Settings, options: &SeedOptions) -> anyhow::Result<()> {
    let deps = deps(settings, connect_and_migrate(settings).await?)?;
    crate::bootstrap::run(&deps, settings).await?;
    let report = crate::seed::run(&deps.db, &deps.pii, options).await?;
    println!("{report:?}");
    Ok(())
}

/// `verify-counts`: prints every difference between the maintained counts and a recount
/// from the base tables; returns how many there are.
async fn verify_counts(settings: &Settings) -> anyhow::Result<usize> {
    let db = connect_and_migrate(settings).await?;
    let differences = recount::verify(&db)
        .await
        .context("recounting from the base tables")?;
    for line in &differences {
        println!("{line}");
    }
    println!("{} difference(s)", differences.len());
    Ok(differences.len())
}

/// `create-user`: an account made by the operator, e.g. the first analyst.
async fn create_user(settings: &Settings, args: CreateUserArgs) -> anyhow::Result<()> {
    let deps = deps(settings, connect_and_migrate(settings).await?)?;
    let input = account::NewUser {
        username: Username::parse(&args.username).context("reading --username")?,
        password: Password::parse(args.password.expose_secret())
            .context("reading the password (TALENT_NEW_USER_PASSWORD)")?,
        role: args.role.parse().context("reading --role")?,
        institution_id: args.institution_id,
    };
    let user = account::create_user(&deps, None, input)
        .await
        .context("creating the user")?;
    println!(
        "created user {} ({}) with id {}",
        user.username, user.role, user.id
    );
    Ok(())
}
