//! The web console in a real headless Chromium (Debian's `chromium`, driven over WebDriver
//! by its `chromedriver`), against the real binary serving the demo district on a loopback
//! port. `.ci/run` installs both; elsewhere, without them, these tests say so and pass
//! only outside CI (`CI` set: they fail).
//!
//! Each test starts its own server and browser: they share nothing, and both stop when
//! the test's values drop.

mod audit;
mod catalogue;
mod dashboard;
mod forms;
mod imports;
mod journeys;
mod people;
mod screenshots;
mod sign_in;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;

use crate::helpers::{add_token, cadre};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// `cadre serve --demo` on a loopback port with a token per role (so the console asks
/// for sign-in); stopped with SIGTERM when dropped.
pub struct Console {
    pub base: String,
    pub data: PathBuf,
    pub clerk: String,
    pub auditor: String,
    pub viewer: String,
    child: Child,
    log: Arc<Mutex<String>>,
    _dir: TempDir,
}

impl Console {
    pub fn start() -> Console {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let clerk = add_token(&data, "Lò Thị Mai", "clerk");
        let auditor = add_token(&data, "Kiểm tra viên Hà", "auditor");
        let viewer = add_token(&data, "Người xem Sơn", "viewer");
        Console::serve(dir, data, clerk, auditor, viewer, &["--demo"])
    }

    /// The demo on loopback with no token: the console runs open.
    pub fn start_open() -> Console {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        Console::serve(
            dir,
            data,
            String::new(),
            String::new(),
            String::new(),
            &["--demo"],
        )
    }

    fn serve(
        dir: TempDir,
        data: PathBuf,
        clerk: String,
        auditor: String,
        viewer: String,
        args: &[&str],
    ) -> Console {
        let mut child = cadre(&data)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = drain(child.stderr.take().unwrap());
        let started = Instant::now();
        let base = loop {
            let text = log.lock().unwrap().clone();
            if let Some(rest) = text.split("http://").nth(1) {
                let address = rest.split_whitespace().next().unwrap_or_default();
                break format!("http://{address}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the server did not start: {text}"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        let console = Console {
            base,
            data,
            clerk,
            auditor,
            viewer,
            child,
            log,
            _dir: dir,
        };
        console.wait_ready();
        console
    }

    /// Until `/readyz`: the read models hold the whole demo.
    fn wait_ready(&self) {
        let address = self.base.trim_start_matches("http://");
        let started = Instant::now();
        while !crate::helpers::http(address, "GET", "/readyz", "", "").starts_with("HTTP/1.1 200") {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "never ready: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What the server wrote to its standard error so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// `cadre token revoke NAME` while serving.
    pub fn revoke(&self, name: &str) {
        let out = cadre(&self.data)
            .args(["token", "revoke", name])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads a child's stream into a shared string until it closes (a full pipe would stop
/// the child).
fn drain(mut from: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let log = Arc::new(Mutex::new(String::new()));
    let into = log.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = from.read(&mut buffer) {
            if n == 0 {
                break;
            }
            into.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    });
    log
}

/// A headless Chromium through its own chromedriver; both end when dropped (call
/// [`Browser::close`] first to end the browser's session cleanly).
pub struct Browser {
    pub client: Client,
    driver: Child,
    /// chromedriver's port and the session's id, to end it from `drop`.
    port: u16,
    session: String,
    _profile: TempDir,
}

/// Whether this machine has the browser; outside CI its absence skips the test (said on
/// stderr), in CI it fails it.
fn browser_installed() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            std::env::var_os("CI").is_none(),
            "{CHROMIUM} and {CHROMEDRIVER} are needed (bash .ci/run installs them)"
        );
        eprintln!("skipped: no {CHROMIUM} or {CHROMEDRIVER} here (bash .ci/run installs them)");
    }
    present
}

impl Browser {
    /// A fresh browser (empty profile, 1280×900), or `None` when none is installed.
    pub async fn open() -> Option<Browser> {
        Browser::sized(1280, 900).await
    }

    pub async fn sized(width: u32, height: u32) -> Option<Browser> {
        if !browser_installed() {
            return None;
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let profile = tempfile::tempdir().unwrap();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--disable-crash-reporter", "--disable-breakpad",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let webdriver = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await
            {
                Ok(client) => break client,
                Err(e) if started.elapsed() > Duration::from_secs(30) => {
                    panic!("chromedriver never answered: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        let session = client.session_id().await.unwrap().unwrap_or_default();
        Some(Browser {
            client,
            driver,
            port,
            session,
            _profile: profile,
        })
    }

    /// Ends the session now (`drop` would too, blocking).
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        self.session.clear();
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Signs in on the console's sign-in page with `token`.
    pub async fn sign_in(&self, console: &Console, token: &str) {
        self.goto(&console.url("/console/sign-in")).await;
        self.fill("#token", token).await;
        self.submit("#token").await;
        self.wait_gone("#token").await;
    }

    /// Types `text` into the field `css` (cleared first).
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Chooses the option whose value is `value` in the select `css`.
    #[allow(dead_code)] // until the page tests use it
    pub async fn select(&self, css: &str, value: &str) {
        self.find(css).await.select_by_value(value).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    /// Submits the form that holds `css`.
    pub async fn submit(&self, css: &str) {
        self.client
            .execute(
                "document.querySelector(arguments[0]).form.requestSubmit()",
                vec![json!(css)],
            )
            .await
            .unwrap();
    }

    /// The element `css`, waited for (at most 10 s).
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    /// The visible text of `css`.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// The `class` attribute of `css`.
    pub async fn class_of(&self, css: &str) -> Option<String> {
        self.find(css).await.attr("class").await.unwrap()
    }

    /// The whole page's visible text.
    pub async fn page_text(&self) -> String {
        self.text("body").await
    }

    /// Waits (at most 10 s) until `css`'s text contains `needle`; its text then.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let started = Instant::now();
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(needle) {
                return text;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{css} never said {needle:?}; it says {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (at most 10 s) until no element matches `css` (a page was left).
    pub async fn wait_gone(&self, css: &str) {
        let started = Instant::now();
        while self.client.find(Locator::Css(css)).await.is_ok() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{css} is still there: {}",
                self.page_text().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn current_path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// A PNG of the window.
    pub async fn screenshot(&self) -> Vec<u8> {
        self.client.screenshot().await.unwrap()
    }
}

impl Drop for Browser {
    /// Ends the WebDriver session (chromedriver then stops Chromium), then chromedriver:
    /// also when a test failed before [`Browser::close`].
    fn drop(&mut self) {
        if !self.session.is_empty()
            && let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port))
        {
            use std::io::Write;
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = write!(
                stream,
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                self.session
            );
            let _ = stream.read_to_end(&mut Vec::new());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A loopback port free now (for chromedriver, which takes a port, not a listener).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
