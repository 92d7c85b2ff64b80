//! Signing in and out of the console, sessions, CSRF and language, in the browser and on
//! the wire.

use super::{Browser, Console};
use crate::helpers::http;

#[tokio::test]
async fn a_clerk_signs_in_keeps_the_session_on_reload_and_loses_it_when_the_token_is_revoked() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.goto(&console.url("/console/people")).await;
    // Not signed in: the sign-in page, which comes back to the page asked for.
    assert!(
        browser
            .current_path()
            .await
            .starts_with("/console/sign-in?next=")
    );
    browser.fill("#token", "cadre_not-a-token").await;
    browser.submit("#token").await;
    browser
        .wait_text("main", "Mã truy cập không đúng hoặc đã bị thu hồi")
        .await;
    browser.fill("#token", &console.clerk).await;
    browser.submit("#token").await;
    browser.wait_gone("#token").await;
    assert_eq!(browser.current_path().await, "/console/people");
    let header = browser.text("header.top").await;
    assert!(header.contains("Lò Thị Mai · cán bộ nghiệp vụ"), "{header}");
    assert!(
        header.contains("Nhập tệp") && header.contains("Kiểm tra"),
        "{header}"
    );
    browser.client.refresh().await.unwrap();
    assert!(browser.text("header.top").await.contains("Lò Thị Mai"));
    console.revoke("Lò Thị Mai");
    browser.client.refresh().await.unwrap();
    browser.find("#token").await;
    browser.close().await;
}

#[tokio::test]
async fn a_viewer_sees_no_clerk_or_audit_entries_and_english_is_remembered() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.viewer).await;
    let header = browser.text("header.top").await;
    assert!(header.contains("người xem"), "{header}");
    assert!(
        !header.contains("Nhập tệp") && !header.contains("Kiểm tra"),
        "{header}"
    );
    browser.goto(&console.url("/console/imports")).await;
    browser
        .wait_text("main", "Việc này cần vai trò cán bộ nghiệp vụ")
        .await;
    browser.click("button[name=lang][value=en]").await;
    browser.wait_text("main", "This needs the clerk role").await;
    browser.goto(&console.url("/")).await;
    assert!(browser.text("header.top").await.contains("viewer"));
    browser.close().await;
}

#[tokio::test]
async fn an_auditor_sees_the_audit_entry_but_not_the_imports() {
    let console = Console::start();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.sign_in(&console, &console.auditor).await;
    let header = browser.text("header.top").await;
    assert!(
        header.contains("kiểm tra viên") && header.contains("Kiểm tra"),
        "{header}"
    );
    assert!(!header.contains("Nhập tệp"), "{header}");
    browser.close().await;
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_strict_and_forms_without_the_csrf_token_change_nothing()
 {
    let console = Console::start();
    let address = console.base.trim_start_matches("http://").to_string();
    let answer = http(&address, "GET", "/", "", "");
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    assert!(
        answer.contains("location: /console/sign-in?next=%2F"),
        "{answer}"
    );
    let cookie = answer
        .lines()
        .find(|l| l.starts_with("set-cookie: cadre_session="))
        .unwrap_or_else(|| panic!("{answer}"));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP on loopback: {cookie}"
    );
    // The same sign-in with a CSRF token that is not the session's: refused, no session.
    let session = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("set-cookie: ");
    let body = format!("csrf=forged&token={}&next=%2F", console.clerk);
    let forged = http(
        &address,
        "POST",
        "/console/sign-in",
        &format!("Cookie: {session}\r\nContent-Type: application/x-www-form-urlencoded\r\n"),
        &body,
    );
    assert!(forged.starts_with("HTTP/1.1 403"), "{forged}");
    assert!(!forged.contains("set-cookie: cadre_session"), "{forged}");
    // Off loopback (a proxy's public name), the cookie is Secure.
    let public = raw(
        &address,
        "GET /console/sign-in HTTP/1.1\r\nHost: cadre.example.vn\r\nConnection: close\r\n\r\n",
    );
    assert!(public.contains("; Secure"), "{public}");
}

#[tokio::test]
async fn on_loopback_without_tokens_the_console_says_it_runs_open() {
    let console = Console::start_open();
    let Some(browser) = Browser::open().await else {
        return;
    };
    browser.goto(&console.url("/")).await;
    browser.wait_text(".banner", "Chế độ mở").await;
    assert!(browser.text("header.top").await.contains("local"));
    browser.close().await;
}

/// `request` as written, on a fresh connection; the whole answer.
fn raw(address: &str, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}
