//! The console's catalogue pages in the browser: units with their headcounts, a unit's
//! roster, programmes and a session's seats, checked against the API's answers.

use serde_json::Value;

use super::{Browser, Console};

/// `GET path` on the API with `token`, as JSON.
pub(super) async fn api(console: &Console, path: &str, token: &str) -> Value {
    let response = reqwest::Client::new()
        .get(console.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// A count as the page writes it in Vietnamese ("1.765").
fn count(text: &str) -> u64 {
    text.trim()
        .replace('.', "")
        .parse()
        .unwrap_or_else(|_| panic!("{text:?}"))
}

#[tokio::test]
async fn the_units_page_lists_every_unit_with_the_rosters_headcount() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.viewer).await;
    browser.goto(&console.url("/console/units")).await;
    let units = api(&console, "/units", &console.clerk).await;
    let units = units.as_array().unwrap();
    let rows = browser
        .client
        .execute(
            "return [...document.querySelectorAll('div.scroll > table.units tbody tr')].map(r => [r.dataset.unit, r.cells[0].innerText, r.cells[3].innerText])",
            vec![],
        )
        .await
        .unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), units.len());
    let mut total = 0;
    for unit in units {
        let id = unit["unit"].as_str().unwrap();
        let row = rows
            .iter()
            .find(|r| r[0] == id)
            .unwrap_or_else(|| panic!("no row for {unit}"));
        assert_eq!(row[1], unit["name"]);
        let roster = api(&console, &format!("/units/{id}/roster"), &console.clerk).await;
        let people = roster["people"].as_array().unwrap().len() as u64;
        assert_eq!(count(row[2].as_str().unwrap()), people, "{unit}");
        total += people;
    }
    assert_eq!(count(&browser.text("#total").await), total);
    assert!(total > 1000, "the demo district: {total}");
    let export = browser.find("a.export").await.attr("href").await.unwrap();
    assert!(
        export
            .unwrap_or_default()
            .starts_with("/console/downloads/export/people?format=xlsx&lang=vi&as_of=")
    );
    browser.close().await;
}

#[tokio::test]
async fn a_roster_as_of_a_date_lists_its_people_with_links_to_them() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.viewer).await;
    browser.goto(&console.url("/console/units")).await;
    let unit = browser
        .find("table.units tbody tr")
        .await
        .attr("data-unit")
        .await
        .unwrap()
        .unwrap();
    browser
        .goto(&console.url(&format!("/console/units/{unit}")))
        .await;
    browser.fill("#as_of", "31/12/2016").await;
    browser.submit("#as_of").await;
    browser.wait_text("#headcount", "31/12/2016").await;
    let roster = api(
        &console,
        &format!("/units/{unit}/roster?as_of=2016-12-31"),
        &console.clerk,
    )
    .await;
    let people = roster["people"].as_array().unwrap();
    assert!(!people.is_empty());
    let links = browser
        .client
        .execute(
            "return [...document.querySelectorAll('table.roster tbody tr')].map(r => [r.cells[0].innerText, r.querySelector('a.person').getAttribute('href'), r.querySelector('a.person').innerText])",
            vec![],
        )
        .await
        .unwrap();
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), people.len());
    for (link, person) in links.iter().zip(people) {
        assert_eq!(link[0], person["staff_code"]);
        assert_eq!(
            link[1],
            format!("/console/people/{}", person["person"].as_str().unwrap())
        );
        assert_eq!(link[2], person["full_name"]);
    }
    assert!(
        browser
            .text("h1")
            .await
            .contains(roster["unit_name"].as_str().unwrap())
    );
    // An impossible date is refused in words, beside the field.
    browser.fill("#as_of", "31/02/2017").await;
    browser.submit("#as_of").await;
    browser
        .wait_text("#as_of-refusal", "tháng 2 không có ngày 31")
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_session_shows_the_seats_the_api_gives_and_its_enrolments() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.clerk).await;
    browser.goto(&console.url("/console/programmes")).await;
    assert!(
        browser
            .find("a#schedule")
            .await
            .attr("href")
            .await
            .unwrap()
            .as_deref()
            == Some("/console/sessions/new")
    );
    let href = browser
        .find("a.session")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    browser.click("a.session").await;
    browser.find("#seats-taken").await;
    assert_eq!(browser.current_path().await, href);
    let id = href.trim_start_matches("/console/sessions/");
    let session = api(&console, &format!("/sessions/{id}"), &console.clerk).await;
    let taken = session["seats_taken"].as_u64().unwrap();
    let capacity = session["schedule"]["capacity"].as_u64().unwrap();
    assert_eq!(count(&browser.text("#seats-taken").await), taken);
    assert_eq!(count(&browser.text("#capacity").await), capacity);
    assert_eq!(count(&browser.text("#seats-free").await), capacity - taken);
    // Everyone holding a seat is listed, with a link to their page.
    let seated = browser
        .client
        .execute(
            "return [...document.querySelectorAll('table.attendees tbody tr')].filter(r => r.cells[5].innerText.trim() === 'có').map(r => r.dataset.person)",
            vec![],
        )
        .await
        .unwrap();
    let mut seated: Vec<String> = serde_json::from_value(seated).unwrap();
    let mut enrolled: Vec<String> = serde_json::from_value(session["enrolled"].clone()).unwrap();
    seated.sort();
    enrolled.sort();
    assert_eq!(seated, enrolled);
    let link = browser
        .find("table.attendees a.person")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(link.starts_with("/console/people/"), "{link}");
    let starts = session["schedule"]["starts_on"].as_str().unwrap();
    let (y, m, d) = (&starts[0..4], &starts[5..7], &starts[8..10]);
    assert!(browser.page_text().await.contains(&format!("{d}/{m}/{y}")));
    browser.close().await;
}

#[tokio::test]
async fn a_viewer_reads_programmes_without_the_clerks_links() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.viewer).await;
    browser.goto(&console.url("/console/programmes")).await;
    browser.find("a.session").await;
    let page = browser.page_text().await;
    assert!(!page.contains("Lên lịch một lớp"), "{page}");
    browser.click("a.session").await;
    browser.find("#seats-taken").await;
    let head = browser.text("table.attendees thead").await;
    assert!(!head.contains("Ghi nhận"), "{head}");
    browser.close().await;
}
