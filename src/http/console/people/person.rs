//! The person page, its printable record, the history alone, and the way in by staff
//! code. What is shown comes from `views::person_status` (as `GET /people/{id}` answers)
//! and, for auditors and clerks, `audit::recorded_history` (as `GET /people/{id}/history`
//! does); "as known at" folds only what the log held by then
//! (`projection::person_as_known_at`).

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};
use maud::{Markup, html};
use serde::Deserialize;

use super::super::layout::{self, Nav, Problem};
use super::super::session::Visit;
use super::timeline::{self, Line};
use super::{columns, person_id, person_path};
use crate::domain::person::{Change, EnrolmentState, Timeline};
use crate::domain::vocab::{Lang, Track};
use crate::domain::{EventId, PersonId, StaffCode};
use crate::http::AppState;
use crate::http::audit::recorded_history;
use crate::projection::views::{self, PersonStatus};
use crate::projection::{self, District};
use crate::report::KnownAt;

#[derive(Debug, Default, Deserialize)]
pub(super) struct PersonQuery {
    /// A date (dd/mm/yyyy or ISO: what was recorded by its end) or a log position.
    as_known_at: Option<String>,
}

/// "As known at" as asked: the text, the position it means, or why it means none.
struct KnownAtAsked {
    text: String,
    upto: Result<u64, String>,
}

/// What the log says of a person where they stand today.
struct Known {
    status: PersonStatus,
    /// Each level's evidence in words.
    evidence: BTreeMap<EventId, String>,
    /// The target deadlines of the policy in force.
    deadlines: BTreeMap<String, NaiveDate>,
    /// Enrolments under way: the session and its programme's name.
    enrolled: Vec<(crate::domain::SessionId, String)>,
}

/// Everything a person page shows.
struct Record {
    person: PersonId,
    asked: Option<KnownAtAsked>,
    known: Option<Known>,
    /// `None`: the visitor may not see personal histories.
    lines: Option<Vec<Line>>,
    /// The log position the record reflects.
    position: u64,
}

impl Record {
    fn upto(&self) -> Option<u64> {
        self.asked.as_ref().and_then(|a| a.upto.clone().ok())
    }

    fn title(&self, visit: &Visit) -> String {
        self.known.as_ref().map_or_else(
            || visit.say("Hồ sơ cán bộ", "Personnel record").to_string(),
            |k| k.status.full_name.clone(),
        )
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Query(query): Query<PersonQuery>,
) -> Result<Markup, Problem> {
    visit.signed()?;
    let record = load(&state, &visit, person_id(&id)?, &query)?;
    let current = record.upto().is_none();
    let body = html! {
        (known_at_form(&visit, &record))
        @if let Some(known) = &record.known {
            @if current && visit.may_write() { (actions(&visit, record.person, known)) }
            p.no-print { a.print href={ (person_path(record.person)) "/print" } { (visit.say("Bản in hồ sơ", "Printable record")) } }
            (identity(&visit, &known.status))
            (status(&visit, known, record.lines.is_some()))
            (gaps(&visit, known))
        } @else {
            p.notice #status { (visit.say("Sổ chưa ghi nhận gì về người này vào lúc đó.", "The log held nothing about this person then.")) }
        }
        @if let Some(lines) = &record.lines {
            section #history {
                h2 { (visit.say("Quá trình (mọi ghi nhận, theo thứ tự ghi)", "History (every recorded fact, in recorded order)")) }
                (timeline::timeline(&visit, record.person, lines, current && visit.may_write()))
            }
        }
    };
    Ok(framed(&visit, &record, body))
}

/// `body` in the console's frame, titled with the person's name.
fn framed(visit: &Visit, record: &Record, body: Markup) -> Markup {
    layout::page(visit, &record.title(visit), Nav::People, body)
}

/// The history alone: auditors and clerks only (the API's rule for personal history).
pub(super) async fn history(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Query(query): Query<PersonQuery>,
) -> Result<Markup, Problem> {
    visit.auditor()?;
    let record = load(&state, &visit, person_id(&id)?, &query)?;
    let lines = record.lines.as_deref().unwrap_or_default();
    let body = html! {
        p { a href=(person_path(record.person)) { (visit.say("← Hồ sơ", "← Record")) } }
        (timeline::timeline(&visit, record.person, lines, false))
    };
    Ok(framed(&visit, &record, body))
}

/// The record on a clean page to print (A4: the stylesheet's print rules).
pub(super) async fn print(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Query(query): Query<PersonQuery>,
) -> Result<Markup, Problem> {
    visit.signed()?;
    let record = load(&state, &visit, person_id(&id)?, &query)?;
    let lang = visit.lang;
    let body = html! {
        @if let Some(known) = &record.known {
            (identity(&visit, &known.status))
            (status(&visit, known, false))
            (gaps(&visit, known))
        }
        @if let Some(lines) = &record.lines {
            section #history {
                h2 { (visit.say("Quá trình", "History")) }
                (timeline::table(&visit, lines))
            }
        }
        p.muted {
            (visit.say("In ngày ", "Printed on ")) (lang.date(Utc::now().date_naive()))
            " · " (visit.say("theo sổ đến vị trí ", "from the log up to position ")) (record.position)
        }
    };
    Ok(layout::printable(&visit, &record.title(&visit), body))
}

/// `/console/people/by-code/{code}`: the person page of whoever holds the code.
pub(super) async fn by_code(
    State(state): State<AppState>,
    visit: Visit,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    visit.signed()?;
    let code = StaffCode::parse(&code).map_err(|_| Problem::NotFound)?;
    // The code's stream says who holds it, as for `GET /people/by-code/{code}`.
    let holder = state.ledger.code_holder(&code)?.ok_or(Problem::NotFound)?;
    Ok(Redirect::to(&person_path(holder)).into_response())
}

/// Reads what the page shows: status (everyone), history (auditors and clerks), as known
/// at the position asked for, if any.
fn load(
    state: &AppState,
    visit: &Visit,
    person: PersonId,
    query: &PersonQuery,
) -> Result<Record, Problem> {
    let lang = visit.lang;
    let today = Utc::now().date_naive();
    let asked = query
        .as_known_at
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|text| {
            Ok::<_, Problem>(KnownAtAsked {
                text: text.to_string(),
                upto: known_at(state, text, lang)?,
            })
        })
        .transpose()?;
    let upto = asked.as_ref().and_then(|a| a.upto.clone().ok());
    let past = upto
        .map(|upto| projection::person_as_known_at(&state.store, person, upto))
        .transpose()?;
    let policies = state.policies.clone();
    let (known, position) = state.projection.read(|model| {
        let timeline = past.as_ref().or_else(|| model.people.get(&person))?;
        let status = views::person_status_of(model, timeline, today, &policies, lang)?;
        let deadlines = policies
            .in_force(today)
            .map(|p| {
                p.targets
                    .iter()
                    .filter_map(|t| Some((t.id.clone(), t.deadline?)))
                    .collect()
            })
            .unwrap_or_default();
        Some(Known {
            evidence: evidence(model, timeline, &status, lang),
            enrolled: enrolled(model, timeline, today),
            deadlines,
            status,
        })
    });
    let lines = match visit.may_audit() {
        true => {
            let (recorded, _) = recorded_history(state, person, upto.unwrap_or(u64::MAX))?;
            Some(
                state
                    .projection
                    .read(|m| timeline::lines(m, &recorded, lang))
                    .0,
            )
        }
        false => None,
    };
    if known.is_none() && upto.is_none() && lines.as_ref().is_none_or(|l| l.is_empty()) {
        return Err(Problem::NotFound);
    }
    let position = upto.map_or(position, |u| u.min(state.store.head().position));
    Ok(Record {
        person,
        asked,
        known,
        lines,
        position,
    })
}

/// The position `text` names: a date as people type it (what was recorded by its end,
/// UTC), an RFC 3339 time or a log position; else why not, in words.
fn known_at(state: &AppState, text: &str, lang: Lang) -> Result<Result<u64, String>, Problem> {
    let asked = match crate::dates::parse(text) {
        Ok(date) => KnownAt::end_of(date),
        Err(why) => match KnownAt::parse(text) {
            Some(asked) => Some(asked),
            None => {
                let or = lang.pick(
                    "Hoặc ghi một vị trí trong sổ (một số).",
                    "Or give a log position (a number).",
                );
                return Ok(Err(format!("{} {or}", why.describe(lang))));
            }
        },
    };
    Ok(match asked {
        Some(KnownAt::Position(p)) => Ok(p),
        Some(KnownAt::Time(t)) => Ok(state.store.position_at(t)?),
        None => Err(lang
            .pick("Ngày này không có trong sổ.", "This date is out of range.")
            .to_string()),
    })
}

/// Each level's evidence in words: the qualification recorded, or the course completed.
fn evidence(
    model: &District,
    timeline: &Timeline,
    status: &PersonStatus,
    lang: Lang,
) -> BTreeMap<EventId, String> {
    let entries = timeline.effective(None);
    status
        .qualifications
        .iter()
        .map(|held| {
            let entry = entries.iter().find(|e| e.id == held.evidence);
            let how = match entry.map(|e| &e.change) {
                Some(Change::Completed { session, .. }) => {
                    let name = model
                        .sessions
                        .get(session)
                        .and_then(|s| s.scheduled.as_ref())
                        .and_then(|s| model.programmes.get(&s.programme))
                        .map_or_else(String::new, |p| p.name.clone());
                    format!("{} {name}", lang.pick("hoàn thành khóa", "completed"))
                }
                _ => lang
                    .pick("văn bằng, chứng chỉ", "qualification")
                    .to_string(),
            };
            let since = lang.date(held.since);
            (
                held.evidence,
                format!("{how} ({} {since})", lang.pick("từ", "since")),
            )
        })
        .collect()
}

/// Enrolments under way today, with their programmes' names.
fn enrolled(
    model: &District,
    timeline: &Timeline,
    today: NaiveDate,
) -> Vec<(crate::domain::SessionId, String)> {
    let Some(view) = timeline.view(Some(today)) else {
        return Vec::new();
    };
    view.enrolments
        .iter()
        .filter(|(_, e)| e.state == EnrolmentState::Active)
        .map(|(session, e)| {
            let name = model
                .programmes
                .get(&e.programme)
                .map_or_else(|| session.to_string(), |p| p.name.clone());
            (*session, name)
        })
        .collect()
}

fn known_at_form(visit: &Visit, record: &Record) -> Markup {
    let refusal = record.asked.as_ref().and_then(|a| a.upto.clone().err());
    html! {
        form.card.no-print method="get" action=(person_path(record.person)) {
            div.field {
                label for="as_known_at" { (visit.say("Xem hồ sơ như sổ đã ghi đến", "Show the record as known at")) }
                input #as_known_at type="text" name="as_known_at"
                    value=[record.asked.as_ref().map(|a| a.text.as_str())]
                    aria-describedby="as_known_at-help" aria-invalid=[refusal.as_ref().map(|_| "true")];
                p #as_known_at-help .help { (visit.say(
                    "Một ngày (dd/mm/yyyy): những gì đã ghi vào sổ đến hết ngày đó; hoặc một vị trí trong sổ (một số).",
                    "A date (dd/mm/yyyy): what had been recorded by the end of that day; or a log position (a number).")) }
                @if let Some(why) = refusal { p #as_known_at-refusal .refusal role="alert" { (why) } }
            }
            div.actions {
                button type="submit" { (visit.say("Xem", "Show")) }
                a href=(person_path(record.person)) { (visit.say("Hồ sơ hiện nay", "The record now")) }
            }
        }
        @if let Some(upto) = record.upto() {
            p.notice #known-at role="status" {
                (visit.say("Hồ sơ như sổ đã ghi đến vị trí ", "The record as the log held it up to position "))
                (upto) ". "
                (visit.say("Những gì ghi sau đó không hiện ở đây.", "What was recorded later is not shown."))
            }
        }
    }
}

/// Links to the clerk forms for this person.
fn actions(visit: &Visit, person: PersonId, known: &Known) -> Markup {
    let base = person_path(person);
    let forms = [
        (
            "qualification",
            "Ghi văn bằng, chứng chỉ",
            "Record a qualification",
        ),
        ("enrol", "Ghi danh khóa học", "Enrol"),
        ("rotation/start", "Bắt đầu luân chuyển", "Start a rotation"),
        ("rotation/end", "Kết thúc luân chuyển", "End the rotation"),
        ("appraisal", "Đánh giá, xếp loại", "Record an appraisal"),
        ("assign", "Bố trí công tác", "Assign"),
        ("separate", "Thôi công tác", "Record a separation"),
    ];
    html! {
        nav.actions.no-print aria-label=(visit.say("Ghi nhận cho người này", "Record for this person")) {
            @for (path, vi, en) in forms {
                @if path != "rotation/end" || known.status.active_rotation.is_some() {
                    a href={ (base) "/" (path) } { (visit.say(vi, en)) }
                }
            }
            @for (session, name) in &known.enrolled {
                a href={ (base) "/complete?session=" (session) } { (visit.say("Ghi kết quả: ", "Completion: ")) (name) }
                a href={ (base) "/withdraw?session=" (session) } { (visit.say("Rút khỏi: ", "Withdraw: ")) (name) }
            }
        }
    }
}

fn identity(visit: &Visit, status: &PersonStatus) -> Markup {
    let lang = visit.lang;
    let yes_no = |b: bool| {
        if b {
            visit.say("có", "yes")
        } else {
            visit.say("không", "no")
        }
    };
    html! {
        section #identity .card {
            h2 { (visit.say("Thông tin cá nhân", "Identity")) }
            dl {
                dt { (visit.say("Họ và tên", "Name")) } dd { (status.full_name) }
                dt { (visit.say("Mã cán bộ", "Staff code")) }
                dd #staff-code { @if let Some(code) = &status.staff_code { (code) } @else { "—" } }
                dt { (visit.say("Ngày sinh", "Born")) } dd { (lang.date(status.birth_date)) }
                dt { (visit.say("Giới tính, dân tộc", "Gender, ethnicity")) }
                dd { (status.gender.label(lang)) ", " (status.ethnicity) }
                dt { (visit.say("Đơn vị, chức vụ hiện nay", "Unit and post now")) }
                dd { (status.post) " — " (status.unit_name) }
                dt { (visit.say("Loại cán bộ", "Category")) } dd { (status.category.label(lang)) }
                dt { (visit.say("Lãnh đạo, quản lý", "Leadership")) } dd { (yes_no(status.leadership)) }
                dt { (visit.say("Vào sổ từ", "Registered on")) } dd { (lang.date(status.registered_on)) }
                @if let Some((on, reason)) = status.separated {
                    dt { (visit.say("Thôi công tác", "Left the service")) }
                    dd { (lang.date(on)) ", " (reason.label(lang)) }
                }
                @if let Some(r) = &status.active_rotation {
                    dt { (r.kind.label(lang)) }
                    dd { (r.to_post) " — " (r.to_unit_name) ", " (visit.say("từ ", "since ")) (lang.date(r.started_on)) }
                }
                @if let Some(a) = &status.latest_appraisal {
                    dt { (visit.say("Đánh giá gần nhất", "Latest appraisal")) }
                    dd { (a.year) ": " (a.label) }
                }
                dt { (visit.say("Khóa học", "Courses")) }
                dd { (visit.say("đã ghi danh ", "enrolled ")) (status.training.enrolments) ", "
                     (visit.say("đạt ", "passed ")) (status.training.passed) ", "
                     (visit.say("đang học ", "under way ")) (status.training.active) }
            }
        }
    }
}

/// Each track's level and the fact that gives it.
fn status(visit: &Visit, known: &Known, linked: bool) -> Markup {
    let lang = visit.lang;
    html! {
        section #status .card {
            h2 { (visit.say("Trình độ theo từng lĩnh vực", "Level per track")) }
            div.scroll { table.data {
                (columns(visit, &[("Lĩnh vực", "Track"), ("Trình độ", "Level"), ("Căn cứ", "Evidence")]))
                tbody {
                    @for track in Track::ALL {
                        @let held = known.status.qualifications.iter().find(|q| q.track == *track);
                        tr data-track=(track.code()) {
                            th scope="row" { (track.label(lang)) }
                            td { @if let Some(h) = held { (h.label) } @else { span.muted { (visit.say("chưa có", "none")) } } }
                            td {
                                @if let Some(h) = held {
                                    @let words = known.evidence.get(&h.evidence).map_or("", String::as_str);
                                    @if linked { a href={ "#e-" (h.evidence) } { (words) } } @else { (words) }
                                }
                            }
                        }
                    }
                }
            } }
        }
    }
}

/// The targets that apply, met or not; what is missing in words, with the deadline.
fn gaps(visit: &Visit, known: &Known) -> Markup {
    let lang = visit.lang;
    html! {
        section #gaps .card {
            h2 { (visit.say("Đối chiếu chỉ tiêu", "Against the targets")) }
            @if known.status.compliance.is_empty() {
                p.muted { (visit.say("Không có chỉ tiêu nào áp dụng cho người này.", "No target applies to this person.")) }
            }
            ul {
                @for target in &known.status.compliance {
                    li.gap.ok[target.met] data-target=(target.target) {
                        @if target.met {
                            strong { (visit.say("Đạt: ", "Met: ")) } (target.label)
                        } @else {
                            strong { (visit.say("Chưa đạt: ", "Not met: ")) } (target.label)
                            ul {
                                @for gap in &target.gaps {
                                    li.refusal {
                                        (gap)
                                        @if let Some(deadline) = known.deadlines.get(&target.target) {
                                            " — " (visit.say("cần đạt trước ", "due by ")) (lang.date(*deadline))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
