//! Binary entry point: parse settings, start telemetry, run the chosen subcommand.

use std::process::ExitCode;

use clap::Parser;
use talent_registry::config::Cli;
use talent_registry::{cli, telemetry};

/// mimalloc instead of glibc's malloc: glibc keeps freed memory in per-thread arenas
/// (after three password hashes and one 10,000-row `enrolMany` the server stayed at
/// 182 MiB resident); mimalloc returns it (153 MiB peak, measured by benches/bulk.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    telemetry::init(std::io::stderr);
    cli::run(cli).await
}
