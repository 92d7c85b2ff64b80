//! `docs/api.md`, run: every `curl` in its console blocks is sent, in the page's order, to
//! a fresh demo server (the real binary, with the page's three tokens), and each answer
//! must have the status the page shows, and the `ETag` and `X-Cadre-Position` where it
//! shows them; a request shown without its status must succeed. A comment after a block
//! reads the answer to its last request: `<!-- walkthrough: NAME = .field[0].field -->`
//! keeps a value as `$NAME` for the requests that follow, as the reader does by hand, and
//! `<!-- walkthrough: check .field = value -->` requires one. Live streams (`curl -N`) are
//! left out: they do not end.

use std::collections::HashMap;
use std::io::BufRead;
use std::process::Child;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::{add_token, serve};

/// One request of the page, as written, and what the page says it answered.
#[derive(Debug, Clone)]
struct Step {
    /// Line in `docs/api.md`, for the failure message.
    line: usize,
    /// The command after `$ `, continuation lines and here-document included.
    command: String,
    status: Option<u16>,
    headers: Vec<(String, String)>,
    /// `(NAME, path)` to keep from the answer.
    captures: Vec<(String, String)>,
    /// `(path, value)` the answer must hold.
    checks: Vec<(String, String)>,
}

/// The steps of every console block, in order.
fn steps(page: &str) -> Vec<Step> {
    let lines: Vec<&str> = page.lines().collect();
    let mut steps: Vec<Step> = Vec::new();
    let mut in_console = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(capture) = line
            .strip_prefix("<!-- walkthrough: ")
            .and_then(|c| c.strip_suffix(" -->"))
        {
            let (left, right) = capture.split_once(" = ").expect("NAME = .path");
            let last = steps.last_mut().expect("a comment follows a request");
            match left.strip_prefix("check ") {
                Some(path) => last.checks.push((path.into(), right.into())),
                None => last.captures.push((left.into(), right.into())),
            }
        } else if line.starts_with("```") {
            in_console = line == "```console";
        } else if in_console && line == "$ # the same request again" {
            let mut again = steps.last().expect("a request to repeat").clone();
            again.line = i + 1;
            again.captures.clear();
            again.checks.clear();
            steps.push(again);
        } else if in_console && line.starts_with("$ curl ") {
            let start = i;
            let mut command = line[2..].to_string();
            while incomplete(&command) {
                i += 1;
                command.push('\n');
                command.push_str(lines[i]);
            }
            let (status, headers) = shown_answer(&lines[i + 1..]);
            steps.push(Step {
                line: start + 1,
                command,
                status,
                headers,
                captures: Vec::new(),
                checks: Vec::new(),
            });
        }
        i += 1;
    }
    steps
}

/// Whether a command goes on: a trailing `\`, an open single quote or a here-document
/// not yet closed by `EOF`.
fn incomplete(command: &str) -> bool {
    if command.contains("<<EOF") {
        return !command.ends_with("\nEOF");
    }
    command.ends_with('\\') || command.matches('\'').count() % 2 == 1
}

/// The status and headers shown under a request sent with `-i` or `-D -`.
fn shown_answer(after: &[&str]) -> (Option<u16>, Vec<(String, String)>) {
    let Some(status) = after
        .first()
        .and_then(|l| l.strip_prefix("HTTP/1.1 "))
        .and_then(|l| l.get(..3)?.parse().ok())
    else {
        return (None, Vec::new());
    };
    let headers = after[1..]
        .iter()
        .take_while(|l| !l.is_empty() && !l.starts_with("```"))
        .filter_map(|l| l.split_once(": "))
        .filter(|(name, _)| ["etag", "x-cadre-position", "allow"].contains(name))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    (Some(status), headers)
}

/// The shell words of `command` (quotes, `$NAME` expanded outside single quotes, `\` at
/// the end of a line), up to a pipe, and the here-document's body if there is one.
fn words(command: &str, vars: &HashMap<String, String>) -> (Vec<String>, Option<String>) {
    let (command, heredoc) = match command.split_once("<<EOF\n") {
        Some((command, rest)) => {
            let body = rest.strip_suffix("EOF").unwrap_or(rest);
            (command, Some(expand(body, vars)))
        }
        None => (command, None),
    };
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'\n') => {
                chars.next();
            }
            '|' => break,
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' => {
                let quoted: String = chars.by_ref().take_while(|c| *c != '\'').collect();
                word.get_or_insert_default().push_str(&quoted);
            }
            '"' => {
                let quoted: String = chars.by_ref().take_while(|c| *c != '"').collect();
                word.get_or_insert_default()
                    .push_str(&expand(&quoted, vars));
            }
            '$' => {
                let name: String = std::iter::from_fn(|| {
                    chars.next_if(|c| c.is_ascii_alphanumeric() || *c == '_')
                })
                .collect();
                word.get_or_insert_default().push_str(&value(&name, vars));
            }
            c => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    (words, heredoc)
}

/// `text` with each `$NAME` replaced by its value.
fn expand(text: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' {
            let name: String =
                std::iter::from_fn(|| chars.next_if(|c| c.is_ascii_alphanumeric() || *c == '_'))
                    .collect();
            out.push_str(&value(&name, vars));
        } else {
            out.push(c);
        }
    }
    out
}

fn value(name: &str, vars: &HashMap<String, String>) -> String {
    vars.get(name)
        .unwrap_or_else(|| panic!("${name} is used before the page sets it"))
        .clone()
}

/// A `curl` command line as a request; `None` for a live stream (`-N`).
fn request(
    client: &reqwest::Client,
    words: &[String],
    heredoc: Option<String>,
) -> Option<reqwest::RequestBuilder> {
    let mut method = None;
    let mut url = None;
    let mut headers = Vec::new();
    let mut body: Option<String> = None;
    let mut query = Vec::new();
    let mut args = words.iter().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-N" => return None,
            "-X" => method = args.next().cloned(),
            "-H" => headers.extend(args.next().and_then(|h| h.split_once(": "))),
            "-d" => {
                let data = args.next().expect("-d DATA");
                body = Some(if data == "@-" {
                    heredoc.clone().expect("a here-document")
                } else {
                    data.clone()
                });
            }
            "--data-urlencode" => query.extend(args.next().and_then(|q| q.split_once('='))),
            "-D" | "-o" => {
                args.next();
            }
            a if a.starts_with("http") => url = Some(a.to_string()),
            _ => {}
        }
    }
    let url = url.expect("a URL");
    let method = method.unwrap_or_else(|| {
        if body.is_some() {
            "POST".into()
        } else {
            "GET".into()
        }
    });
    let mut request = client
        .request(method.parse().expect("a method"), url)
        .query(&query);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    Some(match body {
        Some(body) => request.body(body),
        None => request,
    })
}

/// The value at `path` (`.a.b[0].c`) in `body`.
fn pick(body: &Value, path: &str) -> String {
    let mut at = body;
    for part in path.trim_start_matches('.').split('.') {
        let (name, index) = match part.split_once('[') {
            Some((name, index)) => (name, index.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        at = &at[name];
        if let Some(index) = index {
            at = &at[index];
        }
    }
    at.as_str().map_or_else(|| at.to_string(), str::to_string)
}

/// A `cadre serve` child, killed and reaped when dropped.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The page's setup: three tokens, then `cadre serve --demo` on a free loopback port.
fn demo_server(data: &std::path::Path) -> (Serving, HashMap<String, String>) {
    let mut vars = HashMap::new();
    for (name, role, var) in [
        ("Lò Thị Hoa", "clerk", "CLERK"),
        ("kiem-toan", "auditor", "AUDITOR"),
        ("xem", "viewer", "VIEWER"),
    ] {
        vars.insert(var.to_string(), add_token(data, name, role));
    }
    let (child, stderr, address) = serve(data, &["--demo"]);
    // Keep reading what the server logs, so that it never blocks on a full pipe.
    std::thread::spawn(move || stderr.lines().for_each(drop));
    vars.insert("CADRE".into(), format!("http://{address}"));
    (Serving(child), vars)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_walkthrough_runs_as_written() {
    let page =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/api.md")).unwrap();
    let steps = steps(&page);
    assert!(
        steps.len() > 30,
        "the page's requests were not found: {}",
        steps.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let (_server, mut vars) = demo_server(&dir.path().join("data"));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let started = Instant::now();
    while client
        .get(format!("{}/readyz", vars["CADRE"]))
        .send()
        .await
        .map_or(true, |r| r.status() != reqwest::StatusCode::OK)
    {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the demo server never got ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut drift = Vec::new();
    for step in &steps {
        let (words, heredoc) = words(&step.command, &vars);
        let Some(request) = request(&client, &words, heredoc) else {
            continue;
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let mut found = |what: String| drift.push(format!("docs/api.md:{}: {what}", step.line));
        match step.status {
            Some(shown) if shown != status => {
                found(format!("status {status}, the page shows {shown}"))
            }
            None if !response.status().is_success() => {
                found(format!("status {status}, the page shows a success"))
            }
            _ => {}
        }
        for (name, shown) in &step.headers {
            let sent = response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap_or_default().to_string());
            if sent.as_deref() != Some(shown) {
                found(format!("{name}: {sent:?}, the page shows {shown}"));
            }
        }
        let body: Value =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null);
        for (path, expected) in &step.checks {
            let found_there = pick(&body, path);
            if &found_there != expected {
                drift.push(format!(
                    "docs/api.md:{}: {path} is {found_there}, the page shows {expected}",
                    step.line
                ));
            }
        }
        for (name, path) in &step.captures {
            vars.insert(name.clone(), pick(&body, path));
        }
    }
    assert!(
        drift.is_empty(),
        "the walkthrough no longer matches the server:\n{}",
        drift.join("\n")
    );
}
