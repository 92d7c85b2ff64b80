//! The people search: a GET form (name or staff code, unit, category, target gap) and a
//! page of what it finds, 50 at a time, in Vietnamese name order
//! (`views::find_people_by_name`).

use axum::extract::{Query, State};
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;

use super::super::layout::{self, Nav, Problem};
use super::super::session::Visit;
use super::{columns, person_path};
use crate::domain::policy::Target;
use crate::domain::vocab::{StaffCategory, fold};
use crate::domain::{StaffCode, UnitId};
use crate::http::AppState;
use crate::projection::views::{self, PeopleFilter, PersonMatch};

/// People per page.
const PER_PAGE: usize = 50;

/// The search form's fields, as the URL carries them (empty fields are absent).
#[derive(Debug, Default, Deserialize)]
pub(super) struct SearchQuery {
    q: Option<String>,
    code: Option<String>,
    unit: Option<String>,
    category: Option<String>,
    gap: Option<String>,
    page: Option<String>,
}

/// A field's text, `None` when empty.
fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

pub(super) async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Query(query): Query<SearchQuery>,
) -> Result<Markup, Problem> {
    visit.signed()?;
    let as_of = Utc::now().date_naive();
    let code = given(&query.code).map(StaffCode::parse).transpose();
    let text = given(&query.q);
    // Text that is a staff code someone holds finds that person; any other, a name.
    let held = match text.map(StaffCode::parse) {
        Some(Ok(code)) if state.ledger.code_holder(&code)?.is_some() => Some(code),
        _ => None,
    };
    let filter = code.as_ref().ok().map(|code| PeopleFilter {
        as_of,
        unit: given(&query.unit).and_then(|u| u.parse().ok()).map(UnitId),
        category: given(&query.category).and_then(StaffCategory::parse),
        leadership: None,
        name: text.filter(|_| held.is_none()).map(fold),
        code: code.clone().or(held),
        gap: given(&query.gap).map(str::to_string),
    });
    let policies = state.policies.clone();
    let asked_page = given(&query.page).and_then(|p| p.parse::<usize>().ok());
    let ((found, units), _) = state.projection.read(|model| {
        let found = filter.as_ref().map(|f| {
            let ids = views::find_people_by_name(model, f, &policies);
            let page = Page::of(ids.len(), asked_page);
            let rows: Vec<PersonMatch> = ids
                .iter()
                .skip((page.number - 1) * PER_PAGE)
                .take(PER_PAGE)
                .filter_map(|id| views::found_person(model, *id, f, &policies))
                .collect();
            (page, rows)
        });
        let mut units: Vec<(UnitId, String)> = model
            .units
            .values()
            .map(|u| (u.unit, u.name.clone()))
            .collect();
        units.sort_by_cached_key(|(id, name)| (fold(name), *id));
        (found, units)
    });
    let targets = policies.in_force(as_of).map_or(&[][..], |p| &p.targets[..]);
    let form = search_form(&visit, &query, &units, targets, code.is_err());
    let results = found.map(|(page, rows)| results(&visit, &query, page, &rows, targets));
    let title = visit.say("Cán bộ", "People");
    Ok(layout::page(
        &visit,
        title,
        Nav::People,
        html! { (form) @if let Some(results) = results { (results) } },
    ))
}

fn search_form(
    visit: &Visit,
    query: &SearchQuery,
    units: &[(UnitId, String)],
    targets: &[Target],
    bad_code: bool,
) -> Markup {
    let lang = visit.lang;
    let unit = given(&query.unit);
    let category = given(&query.category);
    let gap = given(&query.gap);
    html! {
        form.card method="get" action="/console/people" role="search" {
            div.grid {
                div.field {
                    label for="q" { (visit.say("Họ tên hoặc mã cán bộ", "Name or staff code")) }
                    input #q type="search" name="q" value=[given(&query.q)] aria-describedby="q-help";
                    p #q-help .help { (visit.say(
                        "Gõ có dấu hay không dấu đều được: “nguyen van” tìm thấy “Nguyễn Văn …”.",
                        "With or without diacritics: “nguyen van” finds “Nguyễn Văn …”.")) }
                }
                div.field {
                    label for="code" { (visit.say("Mã cán bộ (đúng mã)", "Staff code (exact)")) }
                    input #code type="text" name="code" value=[given(&query.code)]
                        aria-invalid=[bad_code.then_some("true")];
                    @if bad_code {
                        p #code-refusal .refusal role="alert" { (visit.say(
                            "Mã cán bộ chỉ gồm chữ cái không dấu, chữ số và dấu gạch ngang, ví dụ DB-000123.",
                            "A staff code is unaccented letters, digits and hyphens, e.g. DB-000123.")) }
                    }
                }
                div.field {
                    label for="unit" { (visit.say("Đơn vị", "Unit")) }
                    select #unit name="unit" {
                        option value="" { (visit.say("Tất cả đơn vị", "All units")) }
                        @for (id, name) in units {
                            @let value = id.to_string();
                            option value=(value) selected[unit == Some(value.as_str())] { (name) }
                        }
                    }
                }
                div.field {
                    label for="category" { (visit.say("Loại cán bộ", "Category")) }
                    select #category name="category" {
                        option value="" { (visit.say("Tất cả", "All")) }
                        @for c in StaffCategory::ALL {
                            option value=(c.code()) selected[category == Some(c.code())] { (c.label(lang)) }
                        }
                    }
                }
                div.field {
                    label for="gap" { (visit.say("Chưa đạt chỉ tiêu", "Short of the target")) }
                    select #gap name="gap" {
                        option value="" { (visit.say("Không lọc", "Any")) }
                        @for t in targets {
                            option value=(t.id) selected[gap == Some(t.id.as_str())] { (t.label(lang)) }
                        }
                    }
                }
            }
            div.actions {
                button type="submit" { (visit.say("Tìm", "Search")) }
                a href="/console/people" { (visit.say("Xóa bộ lọc", "Clear")) }
            }
        }
    }
}

/// Which page of how many, of how many people found.
#[derive(Debug, Clone, Copy)]
struct Page {
    found: usize,
    /// From 1.
    number: usize,
    pages: usize,
}

impl Page {
    /// The page asked for (the first when none or past the end is asked) of `found`.
    fn of(found: usize, asked: Option<usize>) -> Page {
        let pages = found.div_ceil(PER_PAGE).max(1);
        let number = asked.unwrap_or(1).clamp(1, pages);
        Page {
            found,
            number,
            pages,
        }
    }
}

/// One page of what the search found (`shown`), with the pager.
fn results(
    visit: &Visit,
    query: &SearchQuery,
    at: Page,
    shown: &[PersonMatch],
    targets: &[Target],
) -> Markup {
    let lang = visit.lang;
    let (page, pages) = (at.number, at.pages);
    html! {
        p #found role="status" {
            (visit.say("Tìm thấy ", "Found ")) (lang.count(at.found as u64)) (visit.say(" người", " people"))
            @if pages > 1 { " · " (visit.say("trang ", "page ")) (page) "/" (pages) }
        }
        @if !shown.is_empty() {
            div.scroll {
                table.data.people {
                    (columns(visit, &[
                        ("Mã", "Code"),
                        ("Họ và tên", "Name"),
                        ("Ngày sinh", "Born"),
                        ("Đơn vị", "Unit"),
                        ("Chức vụ", "Post"),
                        ("Loại", "Category"),
                        ("Chưa đạt", "Short of"),
                    ]))
                    tbody {
                        @for m in shown {
                            tr {
                                td { @if let Some(code) = &m.staff_code { (code) } }
                                td { a.person href=(person_path(m.person)) { (m.full_name) } }
                                td.num { (lang.date(m.birth_date)) }
                                td { (m.unit_name) }
                                td { (m.post) }
                                td { (m.category.label(lang)) }
                                td { (gaps(visit, m, targets)) }
                            }
                        }
                    }
                }
            }
        }
        @if pages > 1 {
            nav.pager aria-label=(visit.say("Các trang", "Pages")) {
                @if page > 1 {
                    a rel="prev" href=(page_link(query, page - 1)) { "‹ " (visit.say("Trang trước", "Previous")) }
                }
                @if page < pages {
                    a rel="next" href=(page_link(query, page + 1)) { (visit.say("Trang sau", "Next")) " ›" }
                }
            }
        }
    }
}

/// What the person lacks, in words: each target short of, with each missing level.
fn gaps(visit: &Visit, found: &PersonMatch, targets: &[Target]) -> Markup {
    html! {
        @if found.gaps.is_empty() {
            span.muted { "—" }
        } @else {
            ul {
                @for result in &found.gaps {
                    @for gap in &result.gaps {
                        li title=[targets.iter().find(|t| t.id == result.target).map(|t| t.label(visit.lang))] {
                            (gap.describe(visit.lang))
                        }
                    }
                }
            }
        }
    }
}

/// This search's URL at page `page`.
fn page_link(query: &SearchQuery, page: usize) -> String {
    let mut url = form_urlencoded::Serializer::new(String::new());
    for (name, value) in [
        ("q", &query.q),
        ("code", &query.code),
        ("unit", &query.unit),
        ("category", &query.category),
        ("gap", &query.gap),
    ] {
        if let Some(value) = given(value) {
            url.append_pair(name, value);
        }
    }
    url.append_pair("page", &page.to_string());
    format!("/console/people?{}", url.finish())
}
