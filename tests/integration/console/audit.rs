//! The console's audit page in the browser: the chain head, verify against a pasted head,
//! the live feed, and the downloads (the report byte for byte as the API's, the exports),
//! with the roles they need.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Browser, Console};

/// `GET path` on the API with `token`.
async fn api(console: &Console, path: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(console.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// What the page's own `fetch(href)` answered, with the page's cookies.
struct Fetched {
    status: u64,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

async fn fetch_in_page(browser: &Browser, href: &str) -> Fetched {
    let answer = browser
        .client
        .execute_async(
            r#"const [href, done] = arguments;
            fetch(href).then(async (r) => done({
                status: r.status,
                type: r.headers.get("content-type"),
                disposition: r.headers.get("content-disposition"),
                bytes: Array.from(new Uint8Array(await r.arrayBuffer())),
            })).catch((e) => done({ error: String(e) }));"#,
            vec![json!(href)],
        )
        .await
        .unwrap();
    let text = |key: &str| answer[key].as_str().unwrap_or_default().to_string();
    Fetched {
        status: answer["status"]
            .as_u64()
            .unwrap_or_else(|| panic!("{answer}")),
        content_type: text("type"),
        disposition: text("disposition"),
        bytes: answer["bytes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_u64().unwrap() as u8)
            .collect(),
    }
}

/// The `href` of the link `css`.
async fn href(browser: &Browser, css: &str) -> String {
    browser
        .find(css)
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{css} has no href"))
}

#[tokio::test]
async fn an_auditor_verifies_the_chain_against_a_pasted_head_and_downloads_the_report() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.auditor).await;
    browser.goto(&console.url("/console/audit")).await;
    let head: Value = api(&console, "/head", &console.auditor)
        .await
        .json()
        .await
        .unwrap();
    let head = head["head"].as_str().unwrap().to_string();
    assert_eq!(browser.text("#head").await, head);
    browser.find("button[data-copy=head-hash]").await;

    browser.submit("#expected_head").await;
    let said = browser
        .wait_text("#verify-result", "Chuỗi nguyên vẹn")
        .await;
    assert!(said.contains(&head), "{said}");

    browser.fill("#expected_head", &head).await;
    browser.submit("#expected_head").await;
    let said = browser
        .wait_text("#verify-result", "Khớp với đầu chuỗi đã dán")
        .await;
    assert!(said.contains(&head), "{said}");

    // The same position with another hash: the chain does not pass through it.
    let (position, hash) = head.split_once(':').unwrap();
    let flipped = if hash.starts_with('0') { "1" } else { "0" };
    let wrong = format!("{position}:{flipped}{}", &hash[1..]);
    browser.fill("#expected_head", &wrong).await;
    browser.submit("#expected_head").await;
    let said = browser
        .wait_text("#verify-result", "Không khớp với đầu chuỗi đã dán")
        .await;
    assert!(said.contains(&wrong), "{said}");

    browser.fill("#expected_head", "not a head").await;
    browser.submit("#expected_head").await;
    browser
        .wait_text("#expected_head-refusal", "VỊ_TRÍ:MÃ_BĂM")
        .await;

    for (format, content_type) in [
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("html", "text/html; charset=utf-8"),
    ] {
        let link = href(
            &browser,
            &format!("a[href^='/console/downloads/report/2017?format={format}&lang=en']"),
        )
        .await;
        let got = fetch_in_page(&browser, &link).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.content_type, content_type);
        assert_eq!(
            got.disposition,
            format!("attachment; filename=\"cadre-report-2017.{format}\"")
        );
        let from_api = api(
            &console,
            &format!("/reports/2017?format={format}&lang=en"),
            &console.auditor,
        )
        .await;
        assert_eq!(from_api.status(), StatusCode::OK);
        assert!(
            got.bytes == from_api.bytes().await.unwrap(),
            "the console's {format} report is not the API's"
        );
    }
    // A report for each year of the demo, in each format and language.
    for year in 2012..=2017 {
        for format in ["html", "md", "csv", "json", "xlsx"] {
            for lang in ["vi", "en"] {
                browser
                    .find(&format!(
                        "a[href='/console/downloads/report/{year}?format={format}&lang={lang}']"
                    ))
                    .await;
            }
        }
    }
    // The exports: everyone's history as CSV in Vietnamese, as of the date chosen.
    browser.fill("#as_of", "31/12/2016").await;
    browser.submit("#as_of").await;
    let link = href(
        &browser,
        "a[href='/console/downloads/export/history?format=csv&lang=vi&as_of=2016-12-31']",
    )
    .await;
    let got = fetch_in_page(&browser, &link).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.content_type, "text/csv; charset=utf-8");
    assert_eq!(
        got.disposition,
        "attachment; filename=\"cadre-history-2016-12-31.csv\""
    );
    let text = String::from_utf8(got.bytes).unwrap();
    assert!(text.starts_with('\u{feff}'), "{}", &text[..80]);
    assert!(text.contains("loại sự kiện") && text.contains("PersonRegistered"));
    assert_nothing_effective_after(
        &text,
        chrono::NaiveDate::from_ymd_opt(2016, 12, 31).unwrap(),
    );
    browser.fill("#as_of", "31/02/2016").await;
    browser.submit("#as_of").await;
    browser
        .wait_text("#as_of-refusal", "tháng 2 không có ngày 31")
        .await;
    browser.close().await;
}

#[tokio::test]
async fn the_live_feed_shows_an_event_recorded_meanwhile_through_the_api() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.auditor).await;
    browser.goto(&console.url("/console/audit")).await;
    let shown = browser
        .client
        .find_all(fantoccini::Locator::Css("ol#live > li"))
        .await
        .unwrap();
    assert_eq!(shown.len(), 20, "the last 20 events at load time");

    let (id, name, event) = record_an_appraisal(&console).await;
    let line = browser
        .wait_text(&format!("ol#live > li[data-event='{event}']"), "Appraised")
        .await;
    assert!(
        line.contains(&name) && line.contains("Lò Thị Mai"),
        "{line}"
    );
    assert_eq!(
        href(&browser, "ol#live > li:first-child a.person").await,
        format!("/console/people/{id}")
    );
    browser.close().await;
}

/// Records an appraisal for 2018 of the first person the API lists, with the clerk's
/// token: (person id, full name, the event's id).
async fn record_an_appraisal(console: &Console) -> (String, String, String) {
    let people: Value = api(console, "/people?limit=1", &console.clerk)
        .await
        .json()
        .await
        .unwrap();
    let person = &people["people"][0];
    let id = person["person"].as_str().unwrap().to_string();
    let recorded = reqwest::Client::new()
        .post(console.url(&format!("/people/{id}/appraisals")))
        .bearer_auth(&console.clerk)
        .json(&json!({"year": 2018, "classification": "good", "effective_date": "2018-12-20"}))
        .send()
        .await
        .unwrap();
    assert_eq!(recorded.status(), StatusCode::CREATED);
    let recorded: Value = recorded.json().await.unwrap();
    let event = recorded["events"][0]["id"].as_str().unwrap().to_string();
    (id, person["full_name"].as_str().unwrap().to_string(), event)
}

#[tokio::test]
async fn the_live_feed_sends_nothing_more_once_the_token_is_revoked() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.auditor).await;
    browser.goto(&console.url("/console/audit")).await;
    // The feed is open before the revocation.
    let (_, _, first) = record_an_appraisal(&console).await;
    browser
        .find(&format!("ol#live > li[data-event='{first}']"))
        .await;
    console.revoke("Kiểm tra viên Hà");
    let recorded = reqwest::Client::new()
        .post(console.url("/units"))
        .bearer_auth(&console.clerk)
        .json(&json!({"code": "UBND-X", "name": "Đơn vị thử", "level": "commune", "effective_date": "2018-01-02"}))
        .send()
        .await
        .unwrap();
    let recorded: Value = recorded.json().await.unwrap();
    let event = recorded["events"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{recorded}"));
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let shown = browser
        .client
        .find_all(fantoccini::Locator::Css(&format!(
            "ol#live > li[data-event='{event}']"
        )))
        .await
        .unwrap();
    assert!(
        shown.is_empty(),
        "a revoked token's feed still shows new events"
    );
    browser.close().await;
}

#[tokio::test]
async fn a_viewer_gets_the_role_page_on_the_audit_page_and_the_history_export() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.viewer).await;
    for path in [
        "/console/audit",
        "/console/downloads/export/history?format=csv",
    ] {
        browser.goto(&console.url(path)).await;
        browser
            .wait_text("main", "Việc này cần vai trò kiểm tra viên")
            .await;
    }
    let live = fetch_in_page(&browser, "/console/audit/live").await;
    assert_eq!(live.status, 403);
    // The people list is anyone's, as the API's GET /people is.
    let people = fetch_in_page(&browser, "/console/downloads/export/people?format=json").await;
    assert_eq!(people.status, 200);
    assert_eq!(people.content_type, "application/json");
    let rows: Vec<Value> = serde_json::from_slice(&people.bytes).unwrap();
    assert!(rows.len() > 2000, "{}", rows.len());
    browser.close().await;
}

#[tokio::test]
async fn every_download_and_the_live_feed_without_a_session_go_to_sign_in() {
    let console = Console::start();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in [
        "/console/downloads/report/2017?format=html&lang=vi",
        "/console/downloads/report/2017?format=xlsx&lang=en",
        "/console/downloads/export/people?format=csv&lang=vi",
        "/console/downloads/export/status?format=xlsx&lang=en",
        "/console/downloads/export/history?format=json&lang=vi&as_of=2016-12-31",
        "/console/audit/live",
    ] {
        let answer = client.get(console.url(path)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{path}");
        let location = answer.headers()["location"].to_str().unwrap();
        assert!(
            location.starts_with("/console/sign-in?next=%2Fconsole%2F"),
            "{path}: {location}"
        );
    }
}

/// Every row of a history export takes effect on or before `day` (its effective date is
/// the column after the event type; ids and contents may hold any digits).
fn assert_nothing_effective_after(csv_text: &str, day: chrono::NaiveDate) {
    let mut rows = csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let headers = rows.headers().unwrap().clone();
    let column = headers.iter().position(|h| h == "loại sự kiện").unwrap() + 1;
    let mut count = 0;
    for row in rows.records() {
        let row = row.unwrap();
        let effective = chrono::NaiveDate::parse_from_str(&row[column], "%Y-%m-%d")
            .or_else(|_| chrono::NaiveDate::parse_from_str(&row[column], "%d/%m/%Y"))
            .unwrap_or_else(|e| panic!("{:?}: {e}", &row[column]));
        assert!(effective <= day, "{row:?} takes effect after {day}");
        count += 1;
    }
    assert!(count > 1000, "only {count} rows");
}
