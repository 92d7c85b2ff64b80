//! The audit page (auditor and clerk): the chain head to copy, verify — against a head
//! the auditor pastes, too — with its result in words (`verify`), the live feed of new
//! events (`feed`), the way to any person's history (the people search), and the
//! downloads (`super::downloads`). A viewer gets the page saying which role it needs.

mod feed;
mod verify;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::downloads;
use super::layout::{self, Nav, Problem};
use super::session::Visit;
use crate::http::AppState;
use crate::projection::views;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/audit", get(page))
        .route("/console/audit/verify", post(check))
        .route("/console/audit/live", get(feed::live))
}

#[derive(Deserialize)]
struct PageQuery {
    /// The date the exports' links are as of (dd/mm/yyyy or yyyy-mm-dd; default today).
    as_of: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<PageQuery>,
) -> Result<Markup, Problem> {
    visit.auditor()?;
    render(
        &state,
        &visit,
        &verify::Verified::default(),
        q.as_of.as_deref(),
    )
}

#[derive(Deserialize)]
struct VerifyForm {
    csrf: String,
    #[serde(default)]
    expected_head: String,
}

/// Verify: the page again, with the result.
async fn check(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<VerifyForm>,
) -> Result<Markup, Problem> {
    visit.check(&form.csrf)?;
    visit.auditor()?;
    let verified = verify::run(&state, visit.lang, &form.expected_head).await?;
    render(&state, &visit, &verified, None)
}

/// The whole page, `verified` in the verify section.
fn render(
    state: &AppState,
    visit: &Visit,
    verified: &verify::Verified,
    as_of: Option<&str>,
) -> Result<Markup, Problem> {
    let head = state.store.head();
    let feed = feed::section(state, visit, head.position)?;
    let (years, _) = state.projection.read(views::years_with_totals);
    let body = html! {
        section.card aria-labelledby="chain-title" {
            h2 #chain-title { (visit.say("Đầu chuỗi", "Chain head")) }
            p.help { (visit.say(
                "Ghi lại đầu chuỗi (vị trí của sự kiện cuối và mã băm của chuỗi đến đó). Lần kiểm tra sau, dán nó vào ô dưới đây: nếu khớp, nhật ký đến vị trí đó không bị thay đổi.",
                "Write the head down (the last event's position and the chain's hash up to it). At a later check, paste it below: if it matches, the log up to it is unchanged.")) }
            dl {
                dt { (visit.say("Vị trí", "Position")) }
                dd { (visit.lang.count(head.position)) }
                dt { (visit.say("Mã băm", "Hash")) }
                dd.hash { code { (head.hash) } }
            }
            p {
                (visit.say("Đầu chuỗi để ghi lại: ", "The head to write down: "))
                code #head { span #head-hash { (head) } }
                " "
                button.secondary type="button" data-copy="head-hash" { (visit.say("Sao chép", "Copy")) }
            }
        }
        (verify::section(visit, verified))
        (feed)
        section.card aria-labelledby="person-title" {
            h2 #person-title { (visit.say("Quá trình của một cán bộ", "A person's history")) }
            form.inline method="get" action="/console/people" {
                label for="person-q" { (visit.say("Họ tên hoặc mã cán bộ", "Name or staff code")) }
                " "
                input #person-q type="search" name="q" required;
                " "
                button type="submit" { (visit.say("Tìm", "Search")) }
            }
            p.help { (visit.say(
                "Chọn cán bộ trong kết quả để xem toàn bộ quá trình của họ.",
                "Pick the person among the results to see their whole history.")) }
        }
        (downloads::section(visit, &years, as_of))
    };
    Ok(layout::page_with_scripts(
        visit,
        visit.say("Kiểm tra", "Audit"),
        Nav::Audit,
        body,
        &["audit.js"],
    ))
}
