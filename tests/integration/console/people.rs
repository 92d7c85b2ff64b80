//! The console's people pages in the browser: the search (diacritics, staff code, unit,
//! pages, Vietnamese order), the person page (status, gaps in words, the timeline with
//! corrections and voids, as known at), the printable record, and what each role sees.

use cadre::domain::names::sort_key;
use cadre::domain::vocab::fold;
use fantoccini::Locator;
use serde_json::{Value, json};

use super::{Browser, Console};
use crate::helpers::http;

/// An API call on the console's server; the JSON body of the answer.
fn api(console: &Console, method: &str, path: &str, token: &str, body: &Value) -> Value {
    let address = console.base.trim_start_matches("http://");
    let auth = format!("Authorization: Bearer {token}\r\n");
    // A GET carries no body: a server that answers without reading one may reset the
    // connection before the answer is read.
    let body = if method == "GET" {
        String::new()
    } else {
        body.to_string()
    };
    let answer = http(address, method, path, &auth, &body);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 2"), "{method} {path}: {answer}");
    serde_json::from_str(body).unwrap()
}

/// The texts of every element matching `css`.
async fn texts(browser: &Browser, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in browser.client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(element.text().await.unwrap());
    }
    out
}

/// The attribute `name` of every element matching `css`.
async fn attributes(browser: &Browser, css: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in browser.client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(element.attr(name).await.unwrap().unwrap_or_default());
    }
    out
}

async fn count(browser: &Browser, css: &str) -> usize {
    browser
        .client
        .find_all(Locator::Css(css))
        .await
        .unwrap()
        .len()
}

/// Searches the people page for `q` (typed in `#q`) and waits for the result count.
async fn search(browser: &Browser, console: &Console, q: &str) {
    browser.goto(&console.url("/console/people")).await;
    browser.fill("#q", q).await;
    search_with(browser, "#q", "q=").await;
}

/// Submits the search form holding `css` and waits for its answer: a page whose query
/// has `asked` (the page before has a `#found` too).
async fn search_with(browser: &Browser, css: &str, asked: &str) {
    browser.submit(css).await;
    let started = std::time::Instant::now();
    while !browser.current_path().await.contains(asked) {
        assert!(
            started.elapsed().as_secs() < 10,
            "the search never answered"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.wait_text("#found", "Tìm thấy").await;
}

/// The path of a link's target (WebDriver may give it resolved against the page).
fn path(console: &Console, href: &str) -> String {
    href.strip_prefix(&console.base).unwrap_or(href).to_string()
}

/// The path of the first person found (their page), after a search.
async fn first_person(browser: &Browser, console: &Console) -> String {
    let href = attributes(browser, "table.people tbody tr a.person", "href").await;
    path(console, href.first().expect("somebody found"))
}

/// Signs in with `token`, finds someone named Nguyễn and opens their page; its path.
async fn open_a_person(browser: &Browser, console: &Console, token: &str) -> String {
    browser.sign_in(console, token).await;
    search(browser, console, "nguyen").await;
    let person = first_person(browser, console).await;
    browser.goto(&console.url(&person)).await;
    person
}

async fn assert_absent(browser: &Browser, absent: &[&str]) {
    for css in absent {
        assert_eq!(count(browser, css).await, 0, "{css} is shown");
    }
}

fn assert_vietnamese_order(names: &[String]) {
    let mut sorted = names.to_vec();
    sorted.sort_by_cached_key(|n| sort_key(n));
    assert_eq!(names, sorted, "not in Vietnamese name order");
}

#[tokio::test]
async fn the_search_finds_names_without_diacritics_by_code_and_unit_in_vietnamese_order_by_pages() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.clerk).await;
    search(&browser, &console, "nguyen van").await;
    let names = texts(&browser, "table.people tbody tr a.person").await;
    assert!(names.len() > 1, "{names:?}");
    assert!(
        names.iter().all(|n| fold(n).contains("nguyen van")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.contains("Nguyễn Văn")), "{names:?}");
    assert_vietnamese_order(&names);

    // A staff code, typed in lower case, finds exactly its holder; so does its own way in.
    let code = browser
        .text("table.people tbody tr:first-child td:first-child")
        .await;
    assert!(code.starts_with("DB-"), "{code}");
    let person = first_person(&browser, &console).await;
    search(&browser, &console, &code.to_lowercase()).await;
    assert_eq!(count(&browser, "table.people tbody tr").await, 1);
    assert_eq!(first_person(&browser, &console).await, person);
    let unit_name = browser
        .text("table.people tbody tr:first-child td:nth-child(4)")
        .await;
    browser
        .goto(&console.url(&format!("/console/people/by-code/{}", code.to_lowercase())))
        .await;
    browser.find("#status").await;
    assert_eq!(browser.current_path().await, person);

    // The unit of the person found: everyone found in it is in it, in Vietnamese order.
    browser.goto(&console.url("/console/people")).await;
    let values = attributes(&browser, "#unit option", "value").await;
    let names = texts(&browser, "#unit option").await;
    let unit = &values[names.iter().position(|n| *n == unit_name).unwrap()];
    browser.select("#unit", unit).await;
    search_with(&browser, "#unit", "unit=").await;
    let rows = texts(&browser, "table.people tbody tr td:nth-child(4)").await;
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|u| *u == unit_name),
        "{rows:?} not all {unit_name}"
    );
    assert_vietnamese_order(&texts(&browser, "table.people tbody tr a.person").await);

    // Everyone, 50 to a page; the next page goes on in the same order.
    browser.goto(&console.url("/console/people")).await;
    browser.wait_text("#found", "trang 1/").await;
    let first = texts(&browser, "table.people tbody tr a.person").await;
    assert_eq!(first.len(), 50);
    assert_vietnamese_order(&first);
    assert_eq!(count(&browser, ".pager a[rel=prev]").await, 0);
    browser.click(".pager a[rel=next]").await;
    browser.wait_text("#found", "trang 2/").await;
    assert!(browser.current_path().await.ends_with("page=2"));
    let second = texts(&browser, "table.people tbody tr a.person").await;
    assert_eq!(second.len(), 50);
    let mut both = first.clone();
    both.extend(second);
    assert_vietnamese_order(&both);
    browser.click(".pager a[rel=prev]").await;
    browser.wait_text("#found", "trang 1/").await;
    browser.close().await;
}

#[tokio::test]
async fn a_clerk_sees_status_gaps_in_words_the_timeline_and_the_record_as_known_before() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.clerk).await;
    browser.goto(&console.url("/console/people")).await;
    browser.select("#gap", "civil-servants-college").await;
    search_with(&browser, "#gap", "gap=").await;
    let person = first_person(&browser, &console).await;
    browser.goto(&console.url(&person)).await;

    let status = browser.text("#status").await;
    assert!(status.contains("trình độ chuyên môn"), "{status}");
    let gaps = browser.text("#gaps").await;
    assert!(
        gaps.contains(
            "Chưa đạt: 100% công chức, viên chức có trình độ chuyên môn từ cao đẳng trở lên"
        ) && gaps.contains("trình độ chuyên môn: cần cao đẳng trở lên")
            && gaps.contains("cần đạt trước 31/12/2020"),
        "{gaps}"
    );
    let events = attributes(&browser, "ol.timeline > li", "data-event").await;
    assert!(events.len() >= 2, "{events:?}");
    assert!(events.iter().all(|e| uuid::Uuid::parse_str(e).is_ok()));
    let entry = browser.text("ol.timeline > li:first-child").await;
    assert!(
        entry.contains("ghi lúc") && entry.contains("UTC") && entry.contains("người ghi: demo"),
        "{entry}"
    );
    assert!(
        entry.contains("Đăng ký hồ sơ") && entry.contains("Khi đó:"),
        "{entry}"
    );
    let actions = attributes(&browser, "nav.actions a", "href").await;
    assert!(
        actions
            .iter()
            .any(|a| path(&console, a) == format!("{person}/qualification")),
        "{actions:?}"
    );
    let correct = attributes(&browser, "ol.timeline > li:first-child a.correct", "href").await;
    assert_eq!(correct.len(), 1);
    assert_eq!(
        path(&console, &correct[0]),
        format!("{person}/events/{}/correct", events[0])
    );
    assert!(count(&browser, "ol.timeline a.void").await >= events.len());

    // As known at the log position of the second fact: two facts, and no forms.
    let positions = attributes(&browser, "ol.timeline > li", "data-position").await;
    browser.fill("#as_known_at", &positions[1]).await;
    browser.submit("#as_known_at").await;
    browser.wait_text("#known-at", &positions[1]).await;
    assert_eq!(count(&browser, "ol.timeline > li").await, 2);
    assert_absent(&browser, &["nav.actions", "a.correct"]).await;
    // As known at the end of a day before the demo was recorded: nothing yet.
    browser.fill("#as_known_at", "31/12/2020").await;
    browser.submit("#as_known_at").await;
    browser
        .wait_text("#status", "Sổ chưa ghi nhận gì về người này vào lúc đó")
        .await;
    assert_eq!(count(&browser, "ol.timeline > li").await, 0);
    // Words that are no date say so beside the field.
    browser.fill("#as_known_at", "31/02/2017").await;
    browser.submit("#as_known_at").await;
    browser
        .wait_text("#as_known_at-refusal", "tháng 2 không có ngày 31")
        .await;
    browser.close().await;
}

/// The latest correction the demo recorded: (person, corrected event).
fn a_demo_correction(console: &Console) -> (String, String) {
    let head = api(console, "GET", "/head", &console.auditor, &json!({}))["position"]
        .as_u64()
        .unwrap();
    let mut from = head.saturating_sub(999).max(1);
    loop {
        let page = api(
            console,
            "GET",
            &format!("/events?from={from}&limit=1000"),
            &console.auditor,
            &json!({}),
        );
        let found = page["events"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|e| e["type"] == "EventCorrected");
        if let Some(e) = found {
            let data = &e["data"];
            return (
                data["person"].as_str().unwrap().to_string(),
                data["corrects"].as_str().unwrap().to_string(),
            );
        }
        assert!(from > 1, "the demo recorded no correction");
        from = from.saturating_sub(1000).max(1);
    }
}

#[tokio::test]
async fn corrections_and_voids_show_against_the_facts_they_change() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    let (person, corrected) = a_demo_correction(&console);
    // A clerk records an appraisal for the person, then voids it, through the API.
    api(
        &console,
        "POST",
        &format!("/people/{person}/appraisals"),
        &console.clerk,
        &json!({ "year": 2018, "classification": "good", "effective_date": "2018-12-26" }),
    );
    let history = api(
        &console,
        "GET",
        &format!("/people/{person}/history"),
        &console.auditor,
        &json!({}),
    );
    let voided = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|e| e["type"] == "Appraised")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    api(
        &console,
        "POST",
        &format!("/people/{person}/voids"),
        &console.clerk,
        &json!({ "voids": voided, "reason": "Ghi nhầm người", "effective_date": "2019-01-05" }),
    );
    browser.sign_in(&console, &console.clerk).await;
    browser
        .goto(&console.url(&format!("/console/people/{person}")))
        .await;
    let entry = format!("ol.timeline > li[data-event='{corrected}']");
    assert_eq!(browser.class_of(&entry).await.as_deref(), Some("corrected"));
    let text = browser.text(&entry).await;
    assert!(
        text.contains("Đã đính chính ngày 15/01/2018") && text.contains("bởi demo"),
        "{text}"
    );
    let entry = format!("ol.timeline > li[data-event='{voided}']");
    browser.wait_text(&entry, "Đã hủy bỏ ngày 05/01/2019").await;
    let text = browser.text(&entry).await;
    assert!(
        text.contains("bởi Lò Thị Mai") && text.contains("Ghi nhầm người"),
        "{text}"
    );
    assert_eq!(browser.class_of(&entry).await.as_deref(), Some("voided"));
    // The void itself is an entry of its own, pointing at what it voids; nothing more to
    // correct or void on either.
    let void = browser.text("ol.timeline > li:last-child").await;
    assert!(
        void.contains("Hủy bỏ một ghi nhận") && void.contains("Lò Thị Mai"),
        "{void}"
    );
    assert_eq!(count(&browser, &format!("{entry} a.void")).await, 0);
    assert_eq!(
        count(&browser, "ol.timeline > li:last-child a.void").await,
        0
    );
    browser.close().await;
}

#[tokio::test]
async fn a_viewer_sees_status_and_gaps_but_no_history_and_no_forms() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    let person = open_a_person(&browser, &console, &console.viewer).await;
    browser.find("#status").await;
    browser.find("#gaps").await;
    assert_absent(
        &browser,
        &["ol.timeline", "nav.actions", "a.correct", "a.void"],
    )
    .await;
    browser
        .goto(&console.url(&format!("{person}/history")))
        .await;
    browser
        .wait_text("main", "Việc này cần vai trò kiểm tra viên")
        .await;
    browser.close().await;
}

#[tokio::test]
async fn an_auditor_sees_the_timeline_but_no_forms_and_the_printable_record_has_no_nav() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    let person = open_a_person(&browser, &console, &console.auditor).await;
    assert!(count(&browser, "ol.timeline > li").await > 0);
    assert_absent(&browser, &["nav.actions", "a.correct", "a.void"]).await;
    browser.click("a.print").await;
    browser.find("table.history").await;
    assert_eq!(browser.current_path().await, format!("{person}/print"));
    assert_absent(&browser, &["nav", "header", "form"]).await;
    browser.find("#status").await;
    browser.find("#gaps").await;
    let rows = count(&browser, "table.history tbody tr").await;
    assert!(rows > 0);
    browser.close().await;
}
