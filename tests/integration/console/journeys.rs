//! The scenarios end to end, one clerk's or auditor's way through several pages:
//! found by a name typed without diacritics, enrolled, completed, the record changed; an
//! appraisal corrected in its own form and both shown on the timeline.

use fantoccini::Locator;

use super::{Browser, Console};

/// The number of entries on the person page's timeline.
async fn timeline_len(browser: &Browser) -> usize {
    browser.find("ol.timeline").await;
    browser
        .client
        .find_all(Locator::Css("ol.timeline > li"))
        .await
        .unwrap()
        .len()
}

/// Schedules a session of the first programme through the console's form: its id.
async fn schedule(browser: &Browser, console: &Console) -> String {
    browser.goto(&console.url("/console/sessions/new")).await;
    let first = browser
        .find("#programme option:nth-child(2)")
        .await
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    browser.select("#programme", &first).await;
    browser.fill("#starts_on", "05/03/2018").await;
    browser.fill("#ends_on", "30/03/2018").await;
    browser.fill("#capacity", "30").await;
    browser.fill("#effective_date", "01/02/2018").await;
    browser.submit("#programme").await;
    browser.wait_gone("#starts_on").await;
    let path = browser.current_path().await;
    path.strip_prefix("/console/sessions/").unwrap().to_string()
}

#[tokio::test]
async fn a_clerk_finds_a_person_typed_without_diacritics_enrols_them_and_records_the_completion() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.clerk).await;
    let session = schedule(&browser, &console).await;

    browser.goto(&console.url("/console/people")).await;
    browser.fill("#q", "nguyen thi").await;
    browser.submit("#q").await;
    let link = browser.find("table.people tbody tr a.person").await;
    let name = link.text().await.unwrap();
    assert!(name.starts_with("Nguyễn Thị "), "{name}");
    link.click().await.unwrap();
    browser.find("#status").await;
    let person_path = browser.current_path().await;
    let status_before = browser.text("#status").await;
    let entries_before = timeline_len(&browser).await;

    browser.click("nav.actions a[href$='/enrol']").await;
    browser.select("#session", &session).await;
    browser.fill("#effective_date", "01/03/2018").await;
    browser.submit("#session").await;
    browser.wait_gone("#session").await;
    assert_eq!(browser.current_path().await, person_path);
    assert_eq!(timeline_len(&browser).await, entries_before + 1);
    assert!(browser.text("ol.timeline").await.contains("01/03/2018"));

    // The enrolment under way is offered its completion on the person page.
    browser
        .click(&format!(
            "nav.actions a[href$='/complete?session={session}']"
        ))
        .await;
    browser.select("#result", "passed").await;
    browser.fill("#effective_date", "30/03/2018").await;
    browser.submit("#session").await;
    browser.wait_gone("#session").await;
    assert_eq!(browser.current_path().await, person_path);
    assert_eq!(timeline_len(&browser).await, entries_before + 2);
    let timeline = browser.text("ol.timeline").await;
    assert!(
        timeline.contains("30/03/2018") && timeline.contains("Lò Thị Mai"),
        "{timeline}"
    );
    let status_after = browser.text("#status").await;
    assert_ne!(
        status_after, status_before,
        "the completion shows in the status"
    );
    browser.close().await;
}

#[tokio::test]
async fn a_clerk_corrects_an_appraisal_in_its_own_form_and_the_timeline_shows_both() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.clerk).await;
    // The first person of a search who has an appraisal: its latest, by its correct link.
    browser
        .goto(&console.url("/console/people?q=lo%20van"))
        .await;
    let people = browser
        .client
        .execute(
            "return [...document.querySelectorAll('table.people tbody tr a.person')].map(a => a.getAttribute('href'));",
            vec![],
        )
        .await
        .unwrap();
    let mut found = None;
    for person in people.as_array().unwrap().iter().filter_map(|p| p.as_str()) {
        browser.goto(&console.url(person)).await;
        browser.find("ol.timeline").await;
        let link = browser
            .client
            .execute(
                "const links = [...document.querySelectorAll('ol.timeline > li a.correct')]
                    .filter(a => a.closest('li').innerText.includes('Đánh giá, xếp loại năm'));
                 return links.length ? links[links.length - 1].getAttribute('href') : null;",
                vec![],
            )
            .await
            .unwrap();
        if let Some(link) = link.as_str() {
            found = Some((person.to_string(), link.to_string()));
            break;
        }
    }
    let (person_path, correct) = found.expect("someone named Lò Văn … has an appraisal");
    let event = correct.split('/').nth(5).unwrap().to_string();
    browser.goto(&console.url(&correct)).await;
    let recorded = browser
        .find("#classification")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(!recorded.is_empty(), "the form is filled as recorded");
    let other = if recorded == "excellent" {
        "good"
    } else {
        "excellent"
    };
    browser.select("#classification", other).await;
    browser.fill("#reason", "Hội đồng xếp loại lại").await;
    browser.submit("#reason").await;
    browser.wait_gone("#reason").await;
    assert_eq!(browser.current_path().await, person_path);

    let original = format!("ol.timeline > li[data-event='{event}']");
    assert_eq!(
        browser.class_of(&original).await.as_deref(),
        Some("corrected")
    );
    let text = browser.text(&original).await;
    assert!(
        text.contains("Hội đồng xếp loại lại") && text.contains("Lò Thị Mai"),
        "{text}"
    );
    // The correction is an entry of its own too.
    let timeline = browser.text("ol.timeline").await;
    assert!(
        timeline.matches("Hội đồng xếp loại lại").count() >= 2,
        "{timeline}"
    );
    browser.close().await;
}
