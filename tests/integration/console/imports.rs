//! The console's imports in the browser: a file with a bad row shown as the import
//! reports it, a good file checked, then written once confirmed, and only clerks let in.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::catalogue::api;
use super::{Browser, Console};

const HEADER: &str = "mã cán bộ,họ và tên,ngày sinh,giới tính,dân tộc,đối tượng,đơn vị,chức vụ,lãnh đạo,ngày vào,xác nhận trùng,ngày hiệu lực,ngày nghỉ,lý do nghỉ";

/// A people row registering `name` under `code`, born on `born` (as typed).
fn row(code: &str, name: &str, born: &str) -> String {
    format!(
        "{code},{name},{born},Nam,Thái,\"Cán bộ, công chức cấp xã\",Xã Pom Lót,Công chức Tư pháp - Hộ tịch,không,03/01/2012,không,,,"
    )
}

/// A people CSV of `rows` in `dir`.
fn people_file(dir: &Path, name: &str, rows: &[String]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    path
}

/// A demo server, a browser signed in as its clerk, and a people file of two new people,
/// the second born on `born` (as typed), in a temporary directory.
async fn signed_in_clerk_with(
    name: &str,
    born: &str,
) -> Option<(Console, Browser, tempfile::TempDir, PathBuf)> {
    let console = Console::start();
    let browser = Browser::open().await?;
    let dir = tempfile::tempdir().unwrap();
    let file = people_file(
        dir.path(),
        name,
        &[
            row("DB-990001", "Lò Văn Thử", "02/04/1980"),
            row("DB-990002", "Lò Thị Nghiệm", born),
        ],
    );
    browser.sign_in(&console, &console.clerk).await;
    Some((console, browser, dir, file))
}

async fn head(console: &Console) -> u64 {
    api(console, "/head", &console.clerk).await["position"]
        .as_u64()
        .unwrap()
}

/// Checks the file at `path` on the imports page.
async fn check(browser: &Browser, console: &Console, path: &Path) {
    browser.goto(&console.url("/console/imports")).await;
    browser.select("#kind", "people").await;
    browser
        .find("#file")
        .await
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    browser.submit("#file").await;
}

#[tokio::test]
async fn a_file_with_one_bad_row_shows_it_in_words_and_writes_nothing() {
    let Some((console, browser, _dir, file)) = signed_in_clerk_with("bad.csv", "31/02/1987").await
    else {
        return;
    };
    let before = head(&console).await;
    check(&browser, &console, &file).await;
    browser.find("div.scroll > table.bad-rows").await;
    let rows = browser
        .client
        .execute(
            "return [...document.querySelectorAll('table.bad-rows tbody tr')].map(r => [...r.cells].map(c => c.innerText))",
            vec![],
        )
        .await
        .unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][0], "3");
    assert_eq!(rows[0][1], "ngày sinh");
    assert_eq!(rows[0][2], "31/02/1987");
    let why = rows[0][3].as_str().unwrap();
    assert!(why.contains("tháng 2 không có ngày 31"), "{why}");
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#confirm"))
            .await
            .is_err(),
        "a file with a bad row cannot be confirmed"
    );
    assert_eq!(head(&console).await, before, "the check wrote nothing");
    // In English, the import's own English words.
    browser.click("button[name=lang][value=en]").await;
    browser.wait_text("h1", "Imports").await;
    check(&browser, &console, &file).await;
    browser
        .wait_text("table.bad-rows", "February has no day 31")
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_good_file_is_checked_then_written_once_confirmed_and_only_once() {
    let Some((console, browser, _dir, file)) =
        signed_in_clerk_with("new-people.csv", "12/11/1987").await
    else {
        return;
    };
    let before = head(&console).await;
    check(&browser, &console, &file).await;
    browser.wait_text("#summary", "chạy thử, chưa ghi gì").await;
    assert_eq!(browser.text("#new").await, "2");
    assert_eq!(browser.text("#encoding").await, "utf-8");
    let events: u64 = browser.text("#events").await.parse().unwrap();
    assert!(events >= 2, "{events}");
    assert_eq!(head(&console).await, before, "the check wrote nothing");
    let id = browser
        .find("input[name=id]")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    browser.click("#confirm").await;
    browser.wait_text("#summary", "Đã ghi vào sổ").await;
    assert_eq!(browser.text("#new").await, "2");
    assert_eq!(head(&console).await, before + events);
    let found = api(&console, "/people/by-code/DB-990002", &console.clerk).await;
    assert_eq!(found["full_name"], "Lò Thị Nghiệm");
    // The same confirmation again: the file is no longer kept; nothing is written.
    browser
        .client
        .execute(
            "const f = document.createElement('form'); f.method = 'post'; f.action = '/console/imports/confirm';
             for (const [k, v] of [['csrf', document.querySelector('input[name=csrf]').value], ['id', arguments[0]]]) {
               const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.append(i);
             }
             document.body.append(f); f.submit();",
            vec![json!(id)],
        )
        .await
        .unwrap();
    browser.wait_text("#refusal", "không còn được giữ").await;
    assert_eq!(head(&console).await, before + events);
    // The same file uploaded again: nothing new, nothing to confirm.
    check(&browser, &console, &file).await;
    browser
        .wait_text("#summary", "Không có gì mới để ghi")
        .await;
    assert_eq!(browser.text("#new").await, "0");
    assert_eq!(browser.text("#unchanged").await, "2");
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#confirm"))
            .await
            .is_err()
    );
    assert_eq!(head(&console).await, before + events);
    browser.close().await;
}

#[tokio::test]
async fn viewers_and_auditors_get_the_clerk_role_page_and_clerks_get_the_templates() {
    let console = Console::start();
    for token in [&console.viewer, &console.auditor] {
        let Some(browser) = Browser::open().await else {
            return;
        };
        browser.sign_in(&console, token).await;
        browser.goto(&console.url("/console/imports")).await;
        browser
            .wait_text("main", "Việc này cần vai trò cán bộ nghiệp vụ")
            .await;
        assert!(
            browser
                .client
                .find(fantoccini::Locator::Css("#file"))
                .await
                .is_err()
        );
        browser.close().await;
    }
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.clerk).await;
    browser.goto(&console.url("/console/imports")).await;
    let fetched = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             Promise.all(['/console/imports/template/people?format=csv', '/console/imports/template/trainings?format=xlsx'].map(async url => {
               const r = await fetch(url);
               const bytes = new Uint8Array(await r.arrayBuffer());
               return [r.status, r.headers.get('content-type'), new TextDecoder().decode(bytes.slice(0, 40))];
             })).then(done);",
            vec![],
        )
        .await
        .unwrap();
    let csv = &fetched[0];
    assert_eq!(csv[0], 200);
    assert!(
        csv[2].as_str().unwrap().contains("mã cán bộ,họ và tên"),
        "{csv}"
    );
    let xlsx = &fetched[1];
    assert_eq!(xlsx[0], 200);
    assert!(
        xlsx[1].as_str().unwrap().contains("spreadsheetml"),
        "{xlsx}"
    );
    assert!(xlsx[2].as_str().unwrap().starts_with("PK"), "{xlsx}");
    browser.close().await;
}
