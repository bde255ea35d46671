//! The real binary as a child process over a test's database, for signals: SIGTERM
//! (graceful shutdown) and SIGKILL (no acknowledged write lost).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::app::{ADMIN_PASSWORD, PII_KEY};
use super::gql::{Gql, graphql_at};

/// A `talent-registry serve` process; killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// Every line the process has logged so far.
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the binary on `database_url` (port 0, the test PII key) and waits for the
    /// address it logs.
    pub fn start(database_url: &str, grace_ms: u64) -> Self {
        Self::start_with(database_url, grace_ms, &[])
    }

    /// Like [`Server::start`], with more environment variables (settings) for the child.
    pub fn start_with(database_url: &str, grace_ms: u64, env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_talent-registry"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("TALENT_LISTEN", "127.0.0.1:0")
            .env("TALENT_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("TALENT_PII_KEY", PII_KEY)
            .env("TALENT_SHUTDOWN_GRACE_MS", grace_ms.to_string())
            .env("RUST_LOG", "info,sqlx=warn,sea_orm=warn")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stderr = child.stderr.take().unwrap();
        let (found, address) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&log);
        // Reads the log to its end, so the child never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if std::env::var("TEST_LOG").is_ok() {
                    eprintln!("[server] {line}");
                }
                if let Some(at) = listening_address(&line) {
                    let _ = found.send(at);
                }
                kept.lock().unwrap().push(line);
            }
        });
        let address = address
            .recv_timeout(Duration::from_secs(60))
            .expect("the server logs its address");
        Self {
            child,
            address: format!("http://{address}"),
            client: reqwest::Client::new(),
            log,
        }
    }

    /// The lines logged so far.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// POSTs a GraphQL request; `Err` when the server is gone.
    pub async fn graphql_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> reqwest::Result<Gql> {
        graphql_at(&self.client, &self.address, token, query, variables).await
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Sends SIGKILL and reaps the process.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL is sent");
        self.child.wait().expect("the process is reaped");
    }

    /// Waits up to `limit` for the process to exit; `None` if it still runs.
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("status is read") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `127.0.0.1:<port>` from the `listening` log line, ANSI colours or not.
fn listening_address(line: &str) -> Option<String> {
    if !line.contains("listening") {
        return None;
    }
    let mut parts = line.split('\u{1b}');
    let first = parts.next().unwrap_or_default();
    // Every later part starts with an escape's `[<digits;>m`.
    let plain: String = std::iter::once(first)
        .chain(parts.map(|part| {
            let rest =
                part.trim_start_matches(|c: char| c == '[' || c.is_ascii_digit() || c == ';');
            rest.strip_prefix('m').unwrap_or(rest)
        }))
        .collect();
    // `address=…` in text lines, `"address":"…"` in JSON ones.
    let rest = plain
        .split_once("address=")
        .or_else(|| plain.split_once("\"address\":\""))?
        .1;
    Some(
        rest.chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
            .collect(),
    )
}
