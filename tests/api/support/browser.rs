//! A headless Chromium driven over WebDriver (chromedriver), for the browser tests and
//! the screenshots. A few WebDriver commands over the test suite's own HTTP client
//! (reqwest) are all the tests need, so no WebDriver crate is compiled in.
//!
//! Chromium and chromedriver come from Debian's packages (`chromium`,
//! `chromium-driver`); without them [`Browser::start`] panics, saying so.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// Chromium's path (Debian's package).
const CHROMIUM: &str = "/usr/bin/chromium";
/// chromedriver's path (Debian's package `chromium-driver`).
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long a wait for the page lasts before the test fails.
const PATIENCE: Duration = Duration::from_secs(20);
/// WebDriver's key for an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One browser session; the driver and its profile go with it.
pub struct Browser {
    http: reqwest::Client,
    session: String,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile, its window
    /// `width` × `height` CSS pixels.
    pub async fn start(width: u32, height: u32) -> Self {
        for program in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(program).exists(),
                "{program} is missing: these tests need headless Chromium and chromedriver \
                 (apt-get install chromium chromium-driver; .ci/run installs them)"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        // Its own process group, so that Chromium goes with it even when a test fails.
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let profile =
            std::env::temp_dir().join(format!("talent-chromium-{}", uuid::Uuid::now_v7()));
        let mut browser = Self {
            http: reqwest::Client::new(),
            session: format!("http://127.0.0.1:{port}"),
            driver,
            profile,
        };
        browser.wait_for_driver().await;
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ];
        let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", browser.profile.display()));
        args.push(format!("--window-size={width},{height}"));
        let mut options = json!({ "binary": CHROMIUM, "args": args });
        if width < 500 {
            // A headless window is never narrower than 500 px: a phone is emulated.
            options["mobileEmulation"] =
                json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0 } });
        }
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": { "browser": "ALL" },
        }}});
        let created = browser.call("POST", "/session", capabilities).await;
        let id = created["sessionId"]
            .as_str()
            .expect("a WebDriver session")
            .to_owned();
        browser.session = format!("{}/session/{id}", browser.session);
        browser
    }

    async fn wait_for_driver(&self) {
        let started = Instant::now();
        loop {
            let ready = self
                .http
                .get(format!("{}/status", self.session))
                .send()
                .await;
            if let Ok(response) = ready
                && let Ok(status) = response.json::<Value>().await
                && status["value"]["ready"] == true
            {
                return;
            }
            assert!(started.elapsed() < PATIENCE, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// One WebDriver command; its `value`. A WebDriver error fails the test.
    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.session);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        let value = answer["value"].clone();
        if let Some(error) = value.get("error") {
            panic!("WebDriver {method} {path}: {error} {}", value["message"]);
        }
        value
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url })).await;
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page; its result.
    pub async fn run(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": args }),
        )
        .await
    }

    /// Waits until `script` returns a truthy value; that value.
    pub async fn wait_until(&self, script: &str, args: Value) -> Value {
        let started = Instant::now();
        loop {
            let value = self.run(script, args.clone()).await;
            if !(value.is_null() || value == false || value == "") {
                return value;
            }
            assert!(started.elapsed() < PATIENCE, "waited in vain for: {script}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until an element matches `css` and is shown; its text.
    pub async fn text_of(&self, css: &str) -> String {
        let value = self
            .wait_until(
                "var e = document.querySelector(arguments[0]); return e && e.offsetParent !== null && e.innerText;",
                json!([css]),
            )
            .await;
        value.as_str().unwrap_or_default().to_owned()
    }

    async fn element(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let url = format!("{}/element", self.session);
            let answer: Value = self
                .http
                .post(url)
                .json(&json!({ "using": "css selector", "value": css }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(id) = answer["value"][ELEMENT].as_str() {
                return id.to_owned();
            }
            assert!(started.elapsed() < PATIENCE, "no element {css}: {answer}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types `text` into the field `css` (for a file input: the file's absolute path).
    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.call("POST", &format!("/element/{id}/clear"), json!({}))
            .await;
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// Chooses `path` in the file input `css`.
    pub async fn choose_file(&self, css: &str, path: &Path) {
        let id = self.element(css).await;
        let text = path.to_str().unwrap();
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// Clicks the element `css`.
    pub async fn click(&self, css: &str) {
        let id = self.element(css).await;
        self.call("POST", &format!("/element/{id}/click"), json!({}))
            .await;
    }

    /// The page as PNG bytes, the whole height of the document.
    pub async fn screenshot(&self) -> Vec<u8> {
        let encoded = self.call("GET", "/screenshot", json!({})).await;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap())
            .unwrap()
    }

    /// Messages the page logged at level SEVERE (script errors, refused by the
    /// content security policy, failed loads), read once.
    pub async fn severe_logs(&self) -> Vec<String> {
        let logs = self
            .call("POST", "/se/log", json!({ "type": "browser" }))
            .await;
        logs.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Ends the session (Chromium quits) and the driver.
    pub async fn close(mut self) {
        let _ = self.http.delete(&self.session).send().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
