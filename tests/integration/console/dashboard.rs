//! The console's dashboard in the browser: compliance per target and a year's totals
//! against the year before's, whose figures are the API's, as of any date, in Vietnamese
//! and in English.

use cadre::domain::vocab::Lang;
use serde_json::Value;

use super::{Browser, Console};

/// `GET path` on the API with `token`, as JSON.
async fn api(console: &Console, token: &str, path: &str) -> Value {
    let answer = reqwest::Client::new()
        .get(console.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    answer.json().await.unwrap()
}

/// A count as the API has it.
fn count(value: &Value) -> u64 {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("not a count: {value}"))
}

/// The sum of a JSON object's counts (`{"good": 3, "excellent": 1}`).
fn sum(value: &Value) -> u64 {
    value.as_object().unwrap().values().map(count).sum()
}

/// A count and a percentage as the API has them, in Vietnamese and English number format
/// (the library's formatting: `Lang`'s tests pin it; these tests check the page uses it).
fn vi(n: u64) -> String {
    Lang::Vi.count(n)
}

fn en(n: u64) -> String {
    Lang::En.count(n)
}

fn vi_percent(value: &Value) -> String {
    Lang::Vi.percent(value.as_f64().unwrap())
}

fn en_percent(value: &Value) -> String {
    Lang::En.percent(value.as_f64().unwrap())
}

/// The text of each cell of the first row of `css`'s table body, joined by spaces.
async fn first_row(browser: &Browser, css: &str) -> String {
    browser.text(&format!("{css} tbody tr:first-child")).await
}

/// Shows the dashboard as of `date`, typed into its form.
async fn show_as_of(browser: &Browser, date: &str) {
    browser.fill("#as_of", date).await;
    browser.submit("#as_of").await;
}

#[tokio::test]
async fn a_clerk_sees_the_figures_of_the_read_models_and_the_as_of_date_redraws_them() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.clerk).await;
    browser.goto(&console.url("/")).await;
    // Today's year has no figures in the demo (2012–2017): said, with a link to 2017.
    browser
        .wait_text("#no-figures", "Năm gần nhất có số liệu là 2017")
        .await;
    browser.find("#compliance figure.chart svg").await;
    browser.click("#latest-year").await;
    browser.wait_text("#shown", "31/12/2017").await;
    assert_eq!(browser.current_path().await, "/?as_of=31/12/2017");
    let participations_2017 = first_row(&browser, "#participations").await;

    show_as_of(&browser, "31/12/2016").await;
    browser.wait_text("#shown", "31/12/2016").await;
    assert_eq!(
        browser.text("#totals-heading").await,
        "Năm 2016 so với năm 2015"
    );
    assert_eq!(
        browser
            .find("#as_of")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("31/12/2016")
    );

    // Compliance: every target's district row and first unit, as GET /compliance has them.
    let compliance = api(
        &console,
        &console.clerk,
        "/compliance?as_of=2016-12-31&lang=vi",
    )
    .await;
    let targets = compliance["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 3);
    for target in targets {
        let figure = format!("#target-{}", target["target"].as_str().unwrap());
        let caption = browser.text(&format!("{figure} figcaption")).await;
        assert_eq!(caption, target["label"].as_str().unwrap());
        let rate = &target["rate"];
        assert_eq!(
            first_row(&browser, &figure).await,
            format!(
                "Toàn huyện {} {} {}",
                vi(count(&rate["met"])),
                vi(count(&rate["applies"])),
                vi_percent(&rate["percent"])
            )
        );
        let unit = &target["by_unit"][0];
        assert_eq!(
            browser
                .text(&format!("{figure} tbody tr:nth-child(2)"))
                .await,
            format!(
                "{} {} {} {}",
                unit["unit_name"].as_str().unwrap(),
                vi(count(&unit["rate"]["met"])),
                vi(count(&unit["rate"]["applies"])),
                vi_percent(&unit["rate"]["percent"])
            )
        );
        // The chart: an image named by its title, scaled by its viewBox alone.
        let svg = browser.find(&format!("{figure} svg")).await;
        assert_eq!(svg.attr("role").await.unwrap().as_deref(), Some("img"));
        assert!(svg.attr("viewBox").await.unwrap().is_some());
        assert_eq!(svg.attr("width").await.unwrap(), None);
        let svg_text = svg.text().await.unwrap();
        assert!(
            svg_text.contains(&vi_percent(&rate["percent"])),
            "{svg_text}"
        );
    }

    // Totals: 2016 beside 2015, as GET /totals/{year} has them.
    let (this, last) = (
        api(&console, &console.clerk, "/totals/2016").await,
        api(&console, &console.clerk, "/totals/2015").await,
    );
    for (figure, this, last) in [
        (
            "#participations",
            count(&this["participations"]["total"]),
            count(&last["participations"]["total"]),
        ),
        (
            "#trainees",
            count(&this["trainees"]["total"]),
            count(&last["trainees"]["total"]),
        ),
        (
            "#rotations-started",
            sum(&this["rotations_started"]),
            sum(&last["rotations_started"]),
        ),
        (
            "#rotations-ended",
            sum(&this["rotations_ended"]),
            sum(&last["rotations_ended"]),
        ),
        (
            "#appraisals",
            sum(&this["appraisals"]),
            sum(&last["appraisals"]),
        ),
        ("#feedback", sum(&this["feedback"]), sum(&last["feedback"])),
    ] {
        assert_eq!(
            first_row(&browser, figure).await,
            format!("Tổng số {} {}", vi(this), vi(last)),
            "{figure}"
        );
    }
    let excellent = count(&this["appraisals"]["excellent"]);
    let appraisals = browser.text("#appraisals table").await;
    assert!(
        appraisals.contains(&format!("hoàn thành xuất sắc nhiệm vụ {}", vi(excellent))),
        "{appraisals}"
    );
    assert!(
        sum(&this["appraisals"]) >= 1000 && appraisals.contains('.'),
        "thousands grouped with a dot: {appraisals}"
    );
    assert_ne!(
        first_row(&browser, "#participations").await,
        participations_2017
    );
    let political = count(&this["participations"]["by_track"]["political_theory"]);
    assert!(
        browser
            .text("#participations table")
            .await
            .contains(&format!("lý luận chính trị {}", vi(political)))
    );
    browser.close().await;
}

#[tokio::test]
async fn a_viewer_sees_the_charts_and_the_report_downloads_of_the_year_shown_at_360_px() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.viewer).await;
    browser
        .goto(&console.url("/console?as_of=30/06/2016"))
        .await;
    browser.wait_text("#shown", "30/06/2016").await;
    let charts = browser
        .client
        .find_all(fantoccini::Locator::Css("figure.chart svg[role=img] title"))
        .await
        .unwrap();
    assert_eq!(charts.len(), 3 + 6, "three targets, six comparisons");
    // Nothing wider than 360 px: the charts shrink to it. (Chromium's window is at least
    // 500 px wide, so the page's body is narrowed to 360 px instead.)
    let widths = browser
        .client
        .execute(
            "document.body.style.width = '360px';\
             const svg = [...document.querySelectorAll('figure.chart svg')].map(s => s.getBoundingClientRect().right);\
             return [document.body.scrollWidth, Math.max(...svg)];",
            vec![],
        )
        .await
        .unwrap();
    let [page, chart] = [0, 1].map(|i| widths[i].as_f64().unwrap());
    assert!(page <= 360.0 && chart <= 360.0, "{widths}");
    let link = browser.find("#downloads a").await;
    assert_eq!(
        link.attr("href").await.unwrap().as_deref(),
        Some("/console/downloads/report/2016?format=html&lang=vi")
    );
    let totals = api(&console, &console.viewer, "/totals/2016").await;
    assert_eq!(
        first_row(&browser, "#feedback").await,
        format!(
            "Tổng số {} {}",
            vi(sum(&totals["feedback"])),
            vi(sum(
                &api(&console, &console.viewer, "/totals/2015").await["feedback"]
            ))
        )
    );
    browser.close().await;
}

#[tokio::test]
async fn a_date_that_is_not_one_is_refused_beside_its_field_in_words() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.clerk).await;
    browser.goto(&console.url("/")).await;
    show_as_of(&browser, "31/02/2016").await;
    browser
        .wait_text("#as_of-refusal", "tháng 2 không có ngày 31")
        .await;
    let field = browser.find("#as_of").await;
    assert_eq!(
        field.prop("value").await.unwrap().as_deref(),
        Some("31/02/2016")
    );
    assert_eq!(
        field.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert!(
        browser
            .client
            .find_all(fantoccini::Locator::Css("figure.chart"))
            .await
            .unwrap()
            .is_empty()
    );
    show_as_of(&browser, "hôm qua").await;
    browser
        .wait_text("#as_of-refusal", "không phải một ngày")
        .await;
    // Put right, the figures come back.
    show_as_of(&browser, "2016-12-31").await;
    browser.wait_text("#shown", "31/12/2016").await;
    browser.wait_gone("#as_of-refusal").await;
    browser.close().await;
}

#[tokio::test]
async fn in_english_the_dashboard_has_english_labels_and_number_format() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.clerk).await;
    browser.goto(&console.url("/?as_of=31/12/2016")).await;
    browser.click("button[name=lang][value=en]").await;
    browser
        .wait_text("#shown", "Figures as of 2016-12-31")
        .await;
    assert_eq!(browser.current_path().await, "/?as_of=31/12/2016");
    assert_eq!(browser.text("#totals-heading").await, "2016 against 2015");
    let compliance = api(
        &console,
        &console.clerk,
        "/compliance?as_of=2016-12-31&lang=en",
    )
    .await;
    let target = &compliance["targets"][1];
    let figure = format!("#target-{}", target["target"].as_str().unwrap());
    assert_eq!(
        browser.text(&format!("{figure} figcaption")).await,
        target["label"].as_str().unwrap()
    );
    assert_eq!(
        first_row(&browser, &figure).await,
        format!(
            "Whole district {} {} {}",
            en(count(&target["rate"]["met"])),
            en(count(&target["rate"]["applies"])),
            en_percent(&target["rate"]["percent"])
        )
    );
    let (this, last) = (
        api(&console, &console.clerk, "/totals/2016").await,
        api(&console, &console.clerk, "/totals/2015").await,
    );
    assert_eq!(
        first_row(&browser, "#appraisals").await,
        format!(
            "Total {} {}",
            en(sum(&this["appraisals"])),
            en(sum(&last["appraisals"]))
        )
    );
    let appraisals = browser.text("#appraisals table").await;
    assert!(
        appraisals.contains("excellently completed duties"),
        "{appraisals}"
    );
    assert!(
        appraisals.contains(','),
        "thousands grouped with a comma: {appraisals}"
    );
    let link = browser.find("#downloads a").await;
    assert!(
        link.attr("href")
            .await
            .unwrap()
            .unwrap()
            .ends_with("&lang=en"),
        "the report in the visitor's language"
    );
    browser.close().await;
}
