//! `/console/units`: every unit with its people in service on a date, and the exports of
//! that date; `/console/units/{id}`: the unit's roster (`views::roster`, as the API's
//! `GET /units/{id}/roster`) with each person's gaps against the targets.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;

use super::super::layout::{self, Nav, Problem};
use super::super::session::Visit;
use crate::domain::{PersonId, UnitId};
use crate::http::AppState;
use crate::projection::views::{self, Roster};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/units", get(units))
        .route("/console/units/{id}", get(roster))
}

#[derive(Deserialize)]
struct AsOf {
    as_of: Option<String>,
}

async fn units(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<AsOf>,
) -> Result<Markup, Problem> {
    visit.signed()?;
    let (date, refused) = super::as_of(q.as_of.as_deref(), &visit);
    let lang = visit.lang;
    let (body, _) = state.projection.read(|model| {
        let counts = views::headcount(model, date);
        let mut units: Vec<_> = model.units.values().collect();
        units.sort_by(|a, b| (&a.name, a.unit).cmp(&(&b.name, b.unit)));
        let total: u64 = counts.values().sum();
        html! {
            (super::as_of_form(&visit, "/console/units", date, refused.as_deref()))
            div.scroll {
                table.data.units {
                    caption { (visit.say("Đơn vị và số cán bộ đang công tác ngày ", "Units and their people in service on ")) (lang.date(date)) }
                    thead { tr {
                        (super::headings(&visit, &[("Tên đơn vị", "Unit", false), ("Mã", "Code", false), ("Cấp", "Level", false), ("Số cán bộ", "People", true)]))
                    } }
                    tbody {
                        @for unit in &units {
                            tr data-unit=(unit.unit) {
                                td { a href={ "/console/units/" (unit.unit) "?as_of=" (date) } { (unit.name) } }
                                td { (unit.code) }
                                td { (unit.level.label(lang)) }
                                td.num { (lang.count(counts.get(&unit.unit).copied().unwrap_or(0))) }
                            }
                        }
                    }
                    tfoot { tr {
                        th scope="row" colspan="3" { (visit.say("Toàn huyện", "District")) }
                        td.num #total { (lang.count(total)) }
                    } }
                }
            }
            (exports(&visit, date))
        }
    });
    Ok(layout::page(
        &visit,
        visit.say("Đơn vị", "Units"),
        Nav::Units,
        body,
    ))
}

/// The exports of the district on `date`, in the visitor's language.
fn exports(visit: &Visit, date: NaiveDate) -> Markup {
    let lang = visit.lang.pick("vi", "en");
    let kinds = [
        ("people", visit.say("Danh sách cán bộ", "People")),
        ("status", visit.say("Tình trạng đào tạo", "Training status")),
        ("history", visit.say("Quá trình", "History")),
    ];
    html! {
        section.no-print aria-labelledby="exports" {
            h2 #exports { (visit.say("Tải xuống", "Downloads")) }
            ul.exports {
                @for (kind, label) in kinds {
                    li {
                        (label) ": "
                        @for (i, format) in ["xlsx", "csv", "json"].iter().enumerate() {
                            @if i > 0 { " · " }
                            a.export href={ "/console/downloads/export/" (kind) "?format=" (format) "&lang=" (lang) "&as_of=" (date) } { (format.to_uppercase()) }
                        }
                    }
                }
            }
        }
    }
}

async fn roster(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Markup, Problem> {
    visit.signed()?;
    let unit = UnitId(super::id(&id)?);
    let (date, refused) = super::as_of(q.as_of.as_deref(), &visit);
    let policies = state.policies.clone();
    let (roster, _) = state
        .projection
        .read(|model| views::roster(model, unit, date, &policies, visit.lang));
    let roster = roster.ok_or(Problem::NotFound)?;
    let action = format!("/console/units/{unit}");
    let body = html! {
        (super::as_of_form(&visit, &action, date, refused.as_deref()))
        (summary(&visit, &roster))
        (people(&visit, &roster))
        p.no-print { a href="/console/units" { (visit.say("Mọi đơn vị", "All units")) } }
    };
    Ok(layout::page(&visit, &roster.unit_name, Nav::Units, body))
}

/// The unit's level, headcount by category and compliance per target.
fn summary(visit: &Visit, roster: &Roster) -> Markup {
    let lang = visit.lang;
    html! {
        p #headcount {
            @if let Some(level) = roster.level { (level.label(lang)) " · " }
            (lang.count(roster.people.len() as u64)) " " (visit.say("cán bộ đang công tác ngày", "people in service on")) " " (lang.date(roster.as_of))
            @for (category, count) in &roster.by_category {
                " · " (category.label(lang)) ": " (lang.count(*count))
            }
        }
        @if !roster.compliance.targets.is_empty() {
            div.scroll {
                table.data.compliance {
                    caption { (roster.compliance.policy_name.as_deref().unwrap_or_default()) }
                    thead { tr {
                        (super::headings(visit, &[("Chỉ tiêu", "Target", false), ("Đạt", "Met", true), ("Thuộc diện", "In scope", true), ("Tỷ lệ", "Rate", true)]))
                    } }
                    tbody {
                        @for target in &roster.compliance.targets {
                            tr {
                                td { (target.label) }
                                td.num { (lang.count(target.rate.met)) }
                                td.num { (lang.count(target.rate.applies)) }
                                td.num { (lang.percent(target.rate.percent)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The roster's people, each with the targets they fall short of.
fn people(visit: &Visit, roster: &Roster) -> Markup {
    let lang = visit.lang;
    let mut gaps: BTreeMap<PersonId, Vec<&str>> = BTreeMap::new();
    for target in &roster.compliance.targets {
        for short in &target.shortfalls {
            gaps.entry(short.person).or_default().push(&target.label);
        }
    }
    html! {
        div.scroll {
            table.data.roster {
                thead { tr {
                    (super::headings(visit, &[("Mã cán bộ", "Staff code", false), ("Họ và tên", "Name", false), ("Chức vụ", "Post", false), ("Đối tượng", "Category", false), ("Lãnh đạo", "Leadership", false), ("Chưa đạt chỉ tiêu", "Gaps", false)]))
                } }
                tbody {
                    @for entry in &roster.people {
                        tr {
                            td { (entry.staff_code.as_ref().map(|c| c.as_str()).unwrap_or_default()) }
                            td { a.person href={ "/console/people/" (entry.person) } { (entry.full_name) } }
                            td { (entry.post) }
                            td { (entry.category.label(lang)) }
                            td { (super::yes(visit, entry.leadership)) }
                            td { (gaps.get(&entry.person).map(|g| g.join("; ")).unwrap_or_default()) }
                        }
                    }
                }
            }
        }
    }
}
