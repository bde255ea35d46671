//! Binary entry point: parse settings, start telemetry, run the chosen subcommand.

use std::process::ExitCode;

use clap::Parser;
use talent_registry::config::Cli;
use talent_registry::{cli, telemetry};

/// mimalloc instead of glibc's malloc: glibc keeps freed memory in per-thread arenas
/// (after three password hashes and one 10,000-row `enrolMany` the server stayed at
/// 182 MiB resident); mimalloc returns it, tuned by [`tune_allocator`].
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_arena_eager_commit` (v3 numbering, `mimalloc.h`).
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
/// mimalloc's `mi_option_purge_delay`, in milliseconds (v3 numbering, `mimalloc.h`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Makes mimalloc return freed memory to the system after 10 ms instead of 1 s, and
/// commit its arenas as they are used rather than at once. With the defaults, twelve
/// 10,000-row `enrolMany` calls taking turns peaked at 162–180 MiB on SQLite (each
/// call's freed memory still held when the next one started); with a short delay, under
/// 140 MiB (`benches/RESULTS-bulk-concurrent.md`). Not shorter: with 1 ms, the memory one
/// request freed was returned before the next request, which faulted it back in (139
/// page faults and about 0.3 ms more system time per `stats` request; 22 with 10 ms, 5
/// with 100 ms). Not longer: one 10,000-row call after another peaked at 108 MiB on
/// PostgreSQL with 10 ms, 117 MiB with 100 ms (`benches/RESULTS-bulk.md`). An operator's
/// `MIMALLOC_PURGE_DELAY` or `MIMALLOC_ARENA_EAGER_COMMIT` wins.
#[expect(
    unsafe_code,
    reason = "mimalloc's options are set through its C API; the call stores one integer \
              in mimalloc's option table and is made before any other thread starts"
)]
fn tune_allocator() {
    for (option, variable, value) in [
        (MI_OPTION_PURGE_DELAY, "MIMALLOC_PURGE_DELAY", 10),
        (
            MI_OPTION_ARENA_EAGER_COMMIT,
            "MIMALLOC_ARENA_EAGER_COMMIT",
            0,
        ),
    ] {
        if std::env::var_os(variable).is_none() {
            // SAFETY: `mi_option_set` takes any option id and value; ids past the table
            // are ignored. No other thread exists yet.
            unsafe { libmimalloc_sys::mi_option_set(option, value) };
        }
    }
}

fn main() -> anyhow::Result<ExitCode> {
    tune_allocator();
    let cli = Cli::parse();
    telemetry::init(std::io::stderr, cli.settings.log_format);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(cli::run(cli))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[expect(
        unsafe_code,
        reason = "reads mimalloc's option table through its C API"
    )]
    fn the_option_ids_are_mimallocs_purge_delay_and_arena_eager_commit() {
        // The defaults of mimalloc v3 identify the options: a purge delay of 1000 ms and
        // arena eager commit 2 ("on overcommit systems"). A renumbering fails here.
        // SAFETY: `mi_option_get` reads one integer of the option table.
        let (delay, eager) = unsafe {
            (
                libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY),
                libmimalloc_sys::mi_option_get(MI_OPTION_ARENA_EAGER_COMMIT),
            )
        };
        assert_eq!((delay, eager), (1000, 2));
    }
}
