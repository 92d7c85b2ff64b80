//! The console's screenshots in `docs/screenshots/`, taken in the same headless Chromium as
//! the tests, on the demo district: the dashboard, a person page, a clerk form with a
//! refusal, the audit page, and a person page at 360 px wide.
//!
//! `cargo test --test integration console::screenshots -- --ignored` (writes the files).

use std::path::PathBuf;

use super::{Browser, Console};

fn shot(name: &str, png: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs/screenshots")
        .join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    eprintln!("wrote {}", path.display());
}

/// The first person a search for `q` lists: their page's path.
async fn first_person(browser: &Browser, console: &Console, q: &str) -> String {
    browser
        .goto(&console.url(&format!("/console/people?q={q}")))
        .await;
    let link = browser.find("table.people tbody tr a.person").await;
    link.attr("href").await.unwrap().unwrap()
}

#[tokio::test]
#[ignore = "writes docs/screenshots/ (run by hand, see the module doc)"]
async fn screenshots() {
    let console = Console::start();
    let browser = Browser::sized(1280, 1400)
        .await
        .expect("the screenshots need Debian's chromium and chromium-driver");
    browser.sign_in(&console, &console.clerk).await;
    browser.goto(&console.url("/?as_of=31/12/2017")).await;
    browser.find("figure.chart").await;
    shot("dashboard", &browser.screenshot().await);

    let person = first_person(&browser, &console, "nguyen%20thi").await;
    browser.goto(&console.url(&person)).await;
    browser.find("ol.timeline").await;
    shot("person", &browser.screenshot().await);

    // An appraisal of a year still to come: refused by the rules, beside its field.
    browser
        .goto(&console.url(&format!("{person}/appraisal")))
        .await;
    browser.fill("#year", "2030").await;
    browser.select("#classification", "good").await;
    browser.fill("#effective_date", "28/11/2026").await;
    browser.submit("#year").await;
    browser.find(".refusal").await;
    shot("form-refusal", &browser.screenshot().await);
    browser.close().await;

    let auditor = Browser::sized(1280, 1100).await.unwrap();
    auditor.sign_in(&console, &console.auditor).await;
    auditor.goto(&console.url("/console/audit")).await;
    auditor.find("#head").await;
    shot("audit", &auditor.screenshot().await);
    auditor.close().await;

    let phone = Browser::sized(360, 1400).await.unwrap();
    phone.sign_in(&console, &console.viewer).await;
    phone.goto(&console.url(&person)).await;
    phone.find("#status").await;
    shot("person-360", &phone.screenshot().await);
    phone.close().await;
}
