//! Tracing subscriber (`RUST_LOG`-style filtering, quiet database drivers, text or JSON
//! lines), the id of the request being served, and the process's metrics recorder.

use std::future::Future;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Default filter when `RUST_LOG` is unset; driver chatter is kept out, since statements
/// may carry personal data.
const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn";

/// Upper bounds of the latency histograms, in seconds: 1 ms to 30 s (the request limit).
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// How log lines are written (`TALENT_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event, the request's span as a prefix.
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `fields`, `target`, and the
    /// request's span (`span`, `spans`) with its `request_id`.
    Json,
}

/// Installs the global subscriber writing to `sink`; a second call is a no-op (tests).
pub fn init<W>(sink: W, format: LogFormat)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(sink);
    // A subscriber may already be set by an earlier test in the same process.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `work` as the request `id`: [`request_id`] answers it inside.
pub async fn with_request_id<F: Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

/// The id of the request being served on this task, if any.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The process's metrics recorder, installed on first use. The recorder is global, so
/// every app of a process (tests start many) shares it.
pub fn metrics() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new();
        let recorder = builder
            .set_buckets(&LATENCY_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed: /metrics stays empty");
        }
        handle
    })
}
