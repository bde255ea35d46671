//! Binary entry point: parse settings, start telemetry, run the chosen subcommand.

use std::process::ExitCode;

use clap::Parser;
use talent_registry::config::{Cli, Command};
use talent_registry::{startup, telemetry};

/// mimalloc instead of glibc's malloc: glibc keeps freed memory in per-thread arenas
/// (after three password hashes and one 10,000-row `enrolMany` the server stayed at
/// 182 MiB resident); mimalloc returns it (153 MiB peak, measured by benches/bulk.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    telemetry::init(std::io::stderr);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = startup::App::build(cli.settings).await?;
            app.run_until_stopped().await?;
        }
        Command::Schema => print!("{}", talent_registry::graphql::sdl()),
        Command::Migrate => startup::migrate_command(&cli.settings).await?,
        Command::CreateUser(args) => startup::create_user_command(&cli.settings, args).await?,
        Command::Seed(options) => startup::seed_command(&cli.settings, &options).await?,
        Command::Roster(options) => {
            talent_registry::seed::roster::write(&options, &mut std::io::stdout().lock())?;
        }
        Command::VerifyCounts => {
            if startup::verify_counts_command(&cli.settings).await? > 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
