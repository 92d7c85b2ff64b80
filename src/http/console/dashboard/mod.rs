//! The dashboard (`/`, also `/console`), for every signed-in role: compliance with each
//! target in force — the district, then each unit — and a year's totals against the year
//! before's (participations and distinct trainees by track, rotations and how they ended,
//! appraisals, public feedback by channel), as inline SVG charts with their figures in a
//! table beside them, as of any date (`?as_of=dd/mm/yyyy` or ISO; today by default).
//!
//! "This year" is the as-of date's year, "last year" the one before. Every figure is a
//! read model's, as the API's `GET /compliance` and `GET /totals/{year}` answer it, from
//! one read of the district model per page. A year with no figures says so and links the
//! latest year that has some (the demo district's are 2012–2017); a date that is not one
//! is refused beside its field, in words.

mod charts;
mod sections;

use std::collections::BTreeSet;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};

use super::layout::{self, Nav, Problem};
use super::session::Visit;
use crate::dates::{self, DateError};
use crate::domain::vocab::Lang;
use crate::http::AppState;
use crate::http::reads::today;
use crate::projection::views::{self, Compliance, YearTotals};

/// The year-end report's download formats, as the downloads page names them.
const REPORT_FORMATS: [(&str, &str); 5] = [
    ("html", "HTML"),
    ("md", "Markdown"),
    ("csv", "CSV"),
    ("json", "JSON"),
    ("xlsx", "XLSX"),
];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(page))
        .route("/console", get(page))
}

/// What the page shows, from one read of the model.
struct Figures {
    compliance: Compliance,
    this: YearTotals,
    last: YearTotals,
    /// The years whose totals count anything.
    years: BTreeSet<i32>,
}

async fn page(
    State(state): State<AppState>,
    visit: Visit,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    visit.signed()?;
    let title = visit.say("Tổng quan", "Dashboard");
    let as_of = match as_of_text(query.as_deref()) {
        None => today(),
        Some(text) => match dates::parse(&text) {
            Ok(date) => date,
            Err(why) => {
                let body = as_of_form(&visit, &text, Some(&why));
                let page = layout::page(&visit, title, Nav::Dashboard, body);
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        },
    };
    let year = as_of.year();
    let (figures, _) = state.projection.read(|model| Figures {
        compliance: views::compliance(model, as_of, None, &state.policies, visit.lang),
        this: views::yearly_totals(model, year),
        last: views::yearly_totals(model, year - 1),
        years: views::years_with_totals(model),
    });
    let body = html! {
        (as_of_form(&visit, &visit.lang.date(as_of), None))
        p #shown { (visit.say("Số liệu tính đến ngày ", "Figures as of ")) (visit.lang.date(as_of)) "." }
        (years_nav(visit.lang, &figures.years, year))
        (sections::compliance(visit.lang, &figures.compliance))
        (totals(visit.lang, &figures))
    };
    Ok(layout::page(&visit, title, Nav::Dashboard, body).into_response())
}

/// The `as_of` the visitor typed (the first, trimmed), unless they left it empty.
fn as_of_text(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key == "as_of")
        .map(|(_, value)| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

/// The as-of date's form, showing `value`, with why it is not a date when it is not.
fn as_of_form(visit: &Visit, value: &str, refusal: Option<&DateError>) -> Markup {
    let described = match refusal {
        Some(_) => "as_of-help as_of-refusal",
        None => "as_of-help",
    };
    html! {
        form.card.narrow method="get" action="/" {
            div.field {
                label for="as_of" { (visit.say("Số liệu tính đến ngày", "Figures as of")) }
                input #as_of name="as_of" type="text" autocomplete="off" value=(value)
                    aria-describedby=(described) aria-invalid=[refusal.map(|_| "true")];
                p.help #as_of-help { (visit.say(
                    "Ghi ngày theo dạng dd/mm/yyyy, ví dụ 31/12/2016. “Năm nay” là năm của ngày này, so với năm trước đó.",
                    "A date as dd/mm/yyyy or yyyy-mm-dd, e.g. 31/12/2016. “This year” is that date's year, compared with the year before.")) }
                @if let Some(why) = refusal {
                    p.refusal #as_of-refusal role="alert" { (why.describe(visit.lang)) }
                }
            }
            button type="submit" { (visit.say("Xem", "Show")) }
        }
    }
}

/// Links to the dashboard at the end of each year that has figures (the shown one marked).
fn years_nav(lang: Lang, years: &BTreeSet<i32>, shown: i32) -> Markup {
    html! {
        @if !years.is_empty() {
            nav.years.no-print aria-label=(lang.pick("Các năm có số liệu", "Years with figures")) {
                (lang.pick("Các năm có số liệu: ", "Years with figures: "))
                ul {
                    @for year in years {
                        li { a href=(year_end_link(*year)) aria-current=[(*year == shown).then_some("page")] { (year) } }
                    }
                }
            }
        }
    }
}

/// The dashboard as of the last day of `year`.
fn year_end_link(year: i32) -> String {
    format!("/?as_of=31/12/{year}")
}

/// The year's totals against the year before's and the year's report to download; or,
/// for a year without figures, where to find some.
fn totals(lang: Lang, figures: &Figures) -> Markup {
    let (year, last) = (figures.this.year, figures.last.year);
    let has = |year: i32| figures.years.contains(&year);
    html! {
        section #totals aria-labelledby="totals-heading" {
            h2 #totals-heading { (lang.pick("Năm ", "")) (year) (lang.pick(" so với năm ", " against ")) (last) }
            p.help { (lang.pick(
                "Cả năm dương lịch, theo ngày có hiệu lực của từng việc như sổ ghi hiện nay (đã tính các đính chính); đánh giá tính theo năm được đánh giá.",
                "Whole calendar years, by each fact's effective date as the ledger stands now (corrections applied); appraisals by the year they assess.")) }
            @if !has(year) { (no_figures(lang, year, &figures.years)) }
            @if has(year) || has(last) { (sections::totals(lang, &figures.this, &figures.last)) }
            @if has(year) { (downloads(lang, year)) }
        }
    }
}

/// A year without figures: said, with the latest year that has some.
fn no_figures(lang: Lang, year: i32, years: &BTreeSet<i32>) -> Markup {
    html! {
        p.notice #no-figures {
            (lang.pick("Chưa ghi nhận lượt đào tạo, luân chuyển, đánh giá hay ý kiến nhân dân nào trong năm ", "No participation, rotation, appraisal or public feedback is recorded in "))
            (year) "."
            @if let Some(latest) = years.last() {
                " " (lang.pick("Năm gần nhất có số liệu là ", "The latest year with figures is ")) (latest) ": "
                a #latest-year href=(year_end_link(*latest)) {
                    (lang.pick("xem số liệu tính đến ngày ", "see the figures as of ")) (lang.date(year_end(*latest)))
                }
                "."
            }
        }
    }
}

fn year_end(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// Links to the year-end report of `year`, in each format, in the visitor's language.
fn downloads(lang: Lang, year: i32) -> Markup {
    let code = lang.pick("vi", "en");
    html! {
        p #downloads {
            (lang.pick("Tải báo cáo cuối năm ", "Download the year-end report of ")) (year) ": "
            @for (i, (format, name)) in REPORT_FORMATS.iter().enumerate() {
                @if i > 0 { " · " }
                a href={ "/console/downloads/report/" (year) "?format=" (format) "&lang=" (code) } { (name) }
            }
        }
    }
}
