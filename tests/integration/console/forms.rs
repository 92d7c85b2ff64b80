//! The clerk forms in the browser: what they record is read back through the API (as the
//! clerk); refusals beside their fields with what was typed kept; a stale form offered a
//! reload and nothing written; corrections and voids in the form that recorded the fact;
//! a viewer refused.

use serde_json::{Value, json};

use super::{Browser, Console};

/// The API of the console's server, as one token holder.
struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    fn new(console: &Console, token: &str) -> Api {
        Api {
            client: reqwest::Client::new(),
            base: console.base.clone(),
            token: token.to_string(),
        }
    }

    async fn get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "GET {path}: {response:?}");
        response.json().await.unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, reqwest::StatusCode::CREATED, "POST {path}: {body}");
        body
    }

    /// The person's events as `GET /people/{id}/history` lists them.
    async fn history(&self, person: &str) -> Vec<Value> {
        self.get(&format!("/people/{person}/history")).await["events"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// The ids of the first `n` people the search lists.
    async fn people(&self, n: usize) -> Vec<String> {
        let page = self.get(&format!("/people?limit={n}")).await;
        page["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["person"].as_str().unwrap().to_string())
            .collect()
    }
}

/// A demo server, a browser, the API as the clerk and the first person the search lists
/// (`None` without a browser).
async fn start() -> Option<(Console, Browser, Api, String)> {
    let console = Console::start();
    let browser = Browser::open().await?;
    let api = Api::new(&console, &console.clerk);
    let person = api.people(1).await.remove(0);
    Some((console, browser, api, person))
}

async fn value(browser: &Browser, css: &str) -> String {
    browser
        .find(css)
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// Schedules a session of the first programme, 01–30/03/2018 with `seats`, through its
/// form; its id.
async fn schedule(browser: &Browser, console: &Console, api: &Api, seats: &str) -> String {
    let programmes = api.get("/programmes").await;
    let programme = programmes[0]["programme"].as_str().unwrap().to_string();
    browser.goto(&console.url("/console/sessions/new")).await;
    browser.select("#programme", &programme).await;
    browser.fill("#starts_on", "01/03/2018").await;
    browser.fill("#ends_on", "30/03/2018").await;
    browser.fill("#capacity", seats).await;
    browser.fill("#effective_date", "01/02/2018").await;
    browser.submit("#programme").await;
    browser.wait_gone("#starts_on").await;
    let path = browser.current_path().await;
    path.strip_prefix("/console/sessions/")
        .unwrap_or_else(|| panic!("{path}"))
        .to_string()
}

#[tokio::test]
async fn a_clerk_enrols_a_person_and_records_the_completion_with_refusals_beside_their_fields() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    let api = Api::new(&console, &console.clerk);
    let people = api.people(2).await;
    let (first, second) = (&people[0], &people[1]);
    browser.sign_in(&console, &console.clerk).await;
    let session = schedule(&browser, &console, &api, "1").await;

    browser
        .goto(&console.url(&format!("/console/people/{first}/enrol")))
        .await;
    browser.select("#session", &session).await;
    browser.fill("#effective_date", "05/02/2018").await;
    browser.submit("#session").await;
    browser.wait_gone("#session").await;
    assert_eq!(
        browser.current_path().await,
        format!("/console/people/{first}")
    );

    // The one seat is taken: the second person is refused, the session still chosen.
    browser
        .goto(&console.url(&format!("/console/people/{second}/enrol")))
        .await;
    browser.select("#session", &session).await;
    browser.fill("#effective_date", "05/02/2018").await;
    browser.submit("#session").await;
    browser
        .wait_text("#session-refusal.refusal", "đã hết chỗ")
        .await;
    assert_eq!(value(&browser, "#session").await, session);

    // A withdrawal without its reason: the rules name the field, refused beside it.
    browser
        .goto(&console.url(&format!(
            "/console/people/{first}/withdraw?session={session}"
        )))
        .await;
    assert_eq!(value(&browser, "#session").await, session);
    browser.fill("#effective_date", "10/02/2018").await;
    browser.submit("#session").await;
    browser
        .wait_text("#reason-refusal.refusal", "không được để trống")
        .await;

    let complete = format!("/console/people/{first}/complete?session={session}");
    browser.goto(&console.url(&complete)).await;
    assert_eq!(value(&browser, "#session").await, session);
    browser.select("#result", "passed").await;
    browser.fill("#grade", "Giỏi").await;
    // A date that does not exist: its words beside the field, what was typed kept.
    browser.fill("#effective_date", "31/02/2018").await;
    browser.submit("#session").await;
    browser
        .wait_text(
            "#effective_date-refusal.refusal",
            "tháng 2 không có ngày 31",
        )
        .await;
    assert_eq!(value(&browser, "#effective_date").await, "31/02/2018");
    assert_eq!(value(&browser, "#grade").await, "Giỏi");
    // Before the enrolment: the rules refuse it, in words, with the values kept.
    browser.fill("#effective_date", "01/01/2018").await;
    browser.submit("#session").await;
    browser
        .wait_text("#effective_date-refusal.refusal", "sớm hơn ngày")
        .await;
    assert_eq!(value(&browser, "#result").await, "passed");
    assert_eq!(value(&browser, "#effective_date").await, "01/01/2018");

    browser.fill("#effective_date", "31/03/2018").await;
    browser.submit("#session").await;
    browser.wait_gone("#session").await;
    assert_eq!(
        browser.current_path().await,
        format!("/console/people/{first}")
    );
    let history = api.history(first).await;
    let last = history.last().unwrap();
    assert_eq!(last["type"], "TrainingCompleted", "{last}");
    assert_eq!(last["data"]["session"], json!(session));
    assert_eq!(last["data"]["grade"], "Giỏi");
    assert_eq!(last["actor"], "Lò Thị Mai");
    browser.close().await;
}

/// Fills the appraisal form: 2018, `classification`, two feedback rows.
async fn fill_appraisal(browser: &Browser, classification: &str) {
    browser.fill("#year", "2018").await;
    browser.select("#classification", classification).await;
    browser.select("#feedback_channel_0", "press").await;
    browser
        .fill("#feedback_summary_0", "Báo chí phản ánh tích cực")
        .await;
    browser
        .select("#feedback_channel_1", "voter_meetings")
        .await;
    browser
        .fill("#feedback_summary_1", "Cử tri tín nhiệm")
        .await;
    browser.fill("#effective_date", "15/01/2019").await;
}

#[tokio::test]
async fn a_form_sent_after_the_record_changed_offers_a_reload_and_writes_nothing() {
    let Some((console, browser, api, person)) = start().await else {
        return;
    };
    browser.sign_in(&console, &console.clerk).await;
    let form = format!("/console/people/{person}/appraisal");
    browser.goto(&console.url(&form)).await;
    fill_appraisal(&browser, "good").await;
    // Meanwhile another clerk records a qualification through the API.
    api.post(
        &format!("/people/{person}/qualifications"),
        json!({"level": {"track": "state_management", "level": "specialist"}, "effective_date": "2018-06-01"}),
    )
    .await;
    let before = api.history(&person).await.len();
    browser.submit("#year").await;
    browser.wait_text("#stale.stale", "đã thay đổi").await;
    assert_eq!(api.history(&person).await.len(), before, "nothing written");
    assert_eq!(value(&browser, "#year").await, "2018");

    browser.click("a#reload").await;
    browser.wait_gone("#stale").await;
    fill_appraisal(&browser, "good").await;
    browser.submit("#year").await;
    browser.wait_gone("#year").await;
    let history = api.history(&person).await;
    assert_eq!(history.len(), before + 1);
    assert_eq!(history.last().unwrap()["type"], "Appraised");
    browser.close().await;
}

#[tokio::test]
async fn an_appraisal_with_its_feedback_is_corrected_in_its_own_form_and_voided() {
    let Some((console, browser, api, person)) = start().await else {
        return;
    };
    browser.sign_in(&console, &console.clerk).await;
    browser
        .goto(&console.url(&format!("/console/people/{person}/appraisal")))
        .await;
    fill_appraisal(&browser, "good").await;
    browser.submit("#year").await;
    browser.wait_gone("#year").await;
    let history = api.history(&person).await;
    let appraised = history.last().unwrap();
    assert_eq!(appraised["type"], "Appraised");
    assert_eq!(
        appraised["data"]["feedback"][1]["channel"],
        "voter_meetings"
    );
    let id = appraised["id"].as_str().unwrap().to_string();

    let correct = format!("/console/people/{person}/events/{id}/correct");
    browser.goto(&console.url(&correct)).await;
    assert_eq!(value(&browser, "#classification").await, "good");
    assert_eq!(value(&browser, "#year").await, "2018");
    assert_eq!(
        value(&browser, "#feedback_summary_1").await,
        "Cử tri tín nhiệm"
    );
    assert_eq!(value(&browser, "#effective_date").await, "15/01/2019");
    browser.select("#classification", "excellent").await;
    browser.fill("#reason", "Nhầm xếp loại khi nhập").await;
    browser.submit("#reason").await;
    browser.wait_gone("#reason").await;
    let history = api.history(&person).await;
    let corrected = history.last().unwrap();
    assert_eq!(corrected["type"], "EventCorrected", "{corrected}");
    assert_eq!(corrected["corrects"], json!(id));
    let replacement = &corrected["data"]["replacement"]["Appraised"];
    assert_eq!(replacement["classification"], "excellent", "{corrected}");
    assert_eq!(replacement["feedback"][0]["channel"], "press");
    // The form shows the fact as corrected so far.
    browser.goto(&console.url(&correct)).await;
    assert_eq!(value(&browser, "#classification").await, "excellent");

    let void = format!("/console/people/{person}/events/{id}/void");
    browser.goto(&console.url(&void)).await;
    browser.fill("#reason", "Ghi trùng").await;
    browser.submit("#reason").await;
    browser.find("#confirm-refusal.refusal").await;
    browser.click("#confirm").await;
    browser.submit("#reason").await;
    browser.wait_gone("#reason").await;
    let history = api.history(&person).await;
    let voided = history.last().unwrap();
    assert_eq!(voided["type"], "EventVoided", "{voided}");
    assert_eq!(voided["data"]["voids"], json!(id));
    assert_eq!(voided["data"]["reason"], "Ghi trùng");
    browser.close().await;
}

#[tokio::test]
async fn a_viewer_neither_sees_nor_submits_a_form() {
    let Some((console, browser, api, person)) = start().await else {
        return;
    };
    browser.sign_in(&console, &console.viewer).await;
    let form = format!("/console/people/{person}/appraisal");
    browser.goto(&console.url(&form)).await;
    browser
        .wait_text("main", "Việc này cần vai trò cán bộ nghiệp vụ")
        .await;
    // The session's own CSRF token (the language switch carries it), in a forged POST.
    let csrf = value(&browser, "input[name=csrf]").await;
    let before = api.history(&person).await.len();
    let status = browser
        .client
        .execute_async(
            "const [path, csrf, done] = arguments;
             const body = new URLSearchParams({csrf, year: '2018', classification: 'good', effective_date: '15/01/2019'});
             fetch(path, {method: 'POST', body}).then(r => done(r.status));",
            vec![json!(form), json!(csrf)],
        )
        .await
        .unwrap();
    assert_eq!(status, json!(403));
    assert_eq!(api.history(&person).await.len(), before, "nothing written");
    browser.close().await;
}
