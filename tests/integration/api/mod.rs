//! The HTTP API through a real server on an ephemeral loopback port and a real client.

mod answers;
mod bad_input;
mod clerk;
mod codes;
mod etags;
mod forms;
mod headcount;
mod idempotency;
mod imports;
mod metrics;
mod references;
mod roles;
mod seats;
mod stream;
mod walkthrough;

use std::time::Duration;

use cadre::http::{self, Role, Tokens};
use cadre::store::Store;
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::watch;

/// A running server with one token per role; stops itself when dropped.
pub struct Server {
    pub base: String,
    pub client: Client,
    pub store: Store,
    pub clerk: String,
    pub auditor: String,
    pub viewer: String,
    /// The data folder (for `cadre token` changes while serving).
    pub data: std::path::PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _dir: TempDir,
}

impl Server {
    pub async fn start() -> Server {
        Server::start_after(|_| async {}).await
    }

    /// Starts a server on a store that `prepare` has written to first.
    pub async fn start_after<F: std::future::Future<Output = ()>>(
        prepare: impl FnOnce(Store) -> F,
    ) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let tokens = Tokens::open(dir.path()).unwrap();
        let clerk = tokens.add("Lò Thị Clerk", Role::Clerk).unwrap();
        let auditor = tokens.add("auditor-1", Role::Auditor).unwrap();
        let viewer = tokens.add("viewer-1", Role::Viewer).unwrap();
        // As `cadre serve` does: the tokens are read when the server starts.
        let tokens = Tokens::open(dir.path()).unwrap();
        let store = Store::open(dir.path()).unwrap();
        prepare(store.clone()).await;
        let (streams_stop, streams_stopped) = watch::channel(false);
        let state = http::state(store.clone(), tokens, streams_stopped).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            http::serve(listener, state, streams_stop, shutdown)
                .await
                .unwrap();
        });
        Server {
            base,
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            store,
            clerk,
            auditor,
            viewer,
            data: dir.path().to_path_buf(),
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    pub fn get(&self, path: &str, token: &str) -> RequestBuilder {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
    }

    pub fn post(&self, path: &str, token: &str, body: &Value) -> RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
    }

    /// Reads `path` as the viewer once the read models reached the head; expects 200.
    pub async fn read_caught_up(&self, path: &str) -> Value {
        let response = self
            .get(path, &self.viewer)
            .header(
                "x-cadre-min-position",
                self.store.head().position.to_string(),
            )
            .send()
            .await
            .unwrap();
        expect(response, StatusCode::OK).await
    }

    /// Posts as the clerk and expects 201; returns the body.
    pub async fn record(&self, path: &str, body: Value) -> Value {
        let response = self.post(path, &self.clerk, &body).send().await.unwrap();
        expect(response, StatusCode::CREATED).await
    }

    /// Registers one more person (a woman in service in `unit` since 2017-01-03); returns
    /// the id.
    pub async fn another_person(&self, unit: &str, full_name: &str) -> String {
        let body = json!({"full_name": full_name, "birth_date": "1985-06-01", "gender": "nữ", "ethnicity": "Thái",
                          "category": "commune_official", "unit": unit, "post": "Văn thư", "leadership": false,
                          "effective_date": "2017-01-03"});
        self.record("/people", body).await["subject"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Appends `payload` raw as the first event of `person`'s stream, stored as
/// (`event_type`, `version`): a record written by an older cadre.
pub async fn append_stored(
    server: &Server,
    person: cadre::domain::PersonId,
    event_type: &str,
    version: u32,
    payload: Vec<u8>,
) {
    use cadre::store::{AppendBatch, ExpectedVersion, NewEvent};
    server
        .store
        .append(AppendBatch::single(
            "migration",
            person.stream(),
            ExpectedVersion::NoStream,
            vec![NewEvent::new(event_type, version, payload)],
        ))
        .await
        .unwrap();
}

/// Asserts the status and returns the JSON body (problem documents included).
pub async fn expect(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "body: {text}");
    if !actual.is_success() {
        assert_eq!(content_type, "application/problem+json", "{text}");
    }
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A unit, a programme conferring a level, a session and a registered person.
pub struct World {
    pub unit: String,
    pub session: String,
    pub person: String,
}

pub async fn world(server: &Server) -> World {
    let unit = server
        .record("/units", json!({"code": "xa-pom-lot", "name": "Xã Pom Lót", "level": "commune", "effective_date": "2017-01-02"}))
        .await["subject"]
        .as_str()
        .unwrap()
        .to_string();
    let programme = server
        .record(
            "/programmes",
            json!({"name": "Trung cấp lý luận chính trị - hành chính", "category": "lý luận chính trị",
                   "confers": {"track": "political_theory", "level": "trung cấp"},
                   "provider": "Trường Chính trị tỉnh Điện Biên", "in_province": true, "duration_days": 90,
                   "effective_date": "2017-01-02"}),
        )
        .await["subject"]
        .as_str()
        .unwrap()
        .to_string();
    let session = server
        .record(
            "/sessions",
            json!({"programme": programme, "starts_on": "2017-03-01", "ends_on": "2017-05-30", "capacity": 2,
                   "effective_date": "2017-01-10"}),
        )
        .await["subject"]
        .as_str()
        .unwrap()
        .to_string();
    let person = server
        .record(
            "/people",
            json!({"full_name": "Quàng Văn Hùng", "birth_date": "1980-04-02", "gender": "nam", "ethnicity": "Thái",
                   "category": "commune_official", "unit": unit, "post": "Chủ tịch UBND xã", "leadership": false,
                   "effective_date": "2017-01-03"}),
        )
        .await["subject"]
        .as_str()
        .unwrap()
        .to_string();
    // Let the read models catch up, so that tests can read what they set up.
    server.read_caught_up("/units").await;
    World {
        unit,
        session,
        person,
    }
}
