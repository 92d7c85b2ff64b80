//! `/console/programmes`: every programme with its sessions (dates, place, seats);
//! `/console/sessions/{id}`: a session's seats and everyone who enrolled, withdrew or
//! completed (`views::session_roll`; its seats are those of the API's `GET /sessions/{id}`).

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use maud::{Markup, html};

use super::super::layout::{self, Nav, Problem};
use super::super::session::Visit;
use crate::domain::SessionId;
use crate::domain::event::ProgrammeRegistered;
use crate::domain::person::EnrolmentState;
use crate::http::AppState;
use crate::projection::views::{self, Attendee, SessionRoll};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/programmes", get(programmes))
        .route("/console/sessions/{id}", get(session))
}

async fn programmes(State(state): State<AppState>, visit: Visit) -> Result<Markup, Problem> {
    visit.signed()?;
    let lang = visit.lang;
    let (body, _) = state.projection.read(|model| {
        let listed = views::programmes(model);
        html! {
            @if visit.may_write() {
                p.no-print { a #schedule href="/console/sessions/new" { (visit.say("Lên lịch một lớp", "Schedule a session")) } }
            }
            @for entry in &listed {
                section.programme data-programme=(entry.programme.programme) {
                    h2 { (entry.programme.name) }
                    p.muted { (about(&visit, entry.programme)) }
                    @if entry.sessions.is_empty() {
                        p.muted { (visit.say("Chưa có lớp nào.", "No session yet.")) }
                    } @else {
                        div.scroll {
                            table.data.sessions {
                                thead { tr {
                                    (super::headings(&visit, &[("Từ ngày", "Starts", false), ("Đến ngày", "Ends", false), ("Nơi học", "Place", false), ("Số chỗ", "Seats", true), ("Đã đăng ký", "Taken", true), ("Còn trống", "Free", true)]))
                                } }
                                tbody {
                                    @for (schedule, seats) in &entry.sessions {
                                        tr {
                                            td { a.session href={ "/console/sessions/" (schedule.session) } { (lang.date(schedule.starts_on)) } }
                                            td { (lang.date(schedule.ends_on)) }
                                            td { (entry.programme.provider) }
                                            td.num { (lang.count(schedule.capacity.into())) }
                                            td.num { (lang.count(seats.taken().into())) }
                                            td.num { (lang.count(seats.free().into())) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    });
    Ok(layout::page(
        &visit,
        visit.say("Chương trình đào tạo, bồi dưỡng", "Training programmes"),
        Nav::Training,
        body,
    ))
}

/// A programme's track, the level it confers, where and how long.
fn about(visit: &Visit, programme: &ProgrammeRegistered) -> Markup {
    let lang = visit.lang;
    html! {
        (programme.category.label(lang))
        @if let Some(level) = programme.confers { " · " (visit.say("cấp trình độ ", "confers ")) (level.label(lang)) }
        " · " (programme.provider) " ("
        (if programme.in_province { visit.say("trong tỉnh", "in the province") } else { visit.say("ngoài tỉnh", "outside the province") })
        ") · " (lang.count(programme.duration_days.into())) " " (visit.say("ngày", "days"))
    }
}

async fn session(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
) -> Result<Markup, Problem> {
    visit.signed()?;
    let session = SessionId(super::id(&id)?);
    let (page, _) = state.projection.read(|model| {
        let roll = views::session_roll(model, session)?;
        let title = roll
            .programme
            .map_or_else(|| session.to_string(), |p| p.name.clone());
        Some((title, roll_page(&visit, &roll)))
    });
    let (title, body) = page.ok_or(Problem::NotFound)?;
    Ok(layout::page(&visit, &title, Nav::Training, body))
}

fn roll_page(visit: &Visit, roll: &SessionRoll<'_>) -> Markup {
    let lang = visit.lang;
    let schedule = roll.schedule;
    let count = |state: fn(&EnrolmentState) -> bool| {
        roll.attendees.iter().filter(|a| state(&a.state)).count() as u64
    };
    html! {
        @if let Some(programme) = roll.programme { p.muted { (about(visit, programme)) } }
        dl.session {
            dt { (visit.say("Thời gian", "Dates")) }
            dd { (lang.date(schedule.starts_on)) " – " (lang.date(schedule.ends_on)) }
            dt { (visit.say("Số chỗ", "Seats")) }
            dd #capacity { (lang.count(schedule.capacity.into())) }
            dt { (visit.say("Đã đăng ký", "Taken")) }
            dd #seats-taken { (lang.count(roll.taken.into())) }
            dt { (visit.say("Còn trống", "Free")) }
            dd #seats-free { (lang.count(roll.free.into())) }
            dt { (visit.say("Đang học", "Enrolled")) }
            dd #active { (lang.count(count(|s| *s == EnrolmentState::Active))) }
            dt { (visit.say("Đã rút", "Withdrawn")) }
            dd #withdrawn { (lang.count(count(|s| *s == EnrolmentState::Withdrawn))) }
            dt { (visit.say("Đã hoàn thành", "Completed")) }
            dd #completed { (lang.count(count(|s| matches!(s, EnrolmentState::Completed(_))))) }
        }
        div.scroll {
            table.data.attendees {
                thead { tr {
                    (super::headings(visit, &[("Mã cán bộ", "Staff code", false), ("Họ và tên", "Name", false), ("Ngày đăng ký", "Enrolled on", false), ("Tình trạng", "Standing", false), ("Từ ngày", "Since", false), ("Giữ chỗ", "Holds a seat", false)]))
                    @if visit.may_write() { th.no-print scope="col" { span.muted { (visit.say("Ghi nhận", "Record")) } } }
                } }
                tbody {
                    @for attendee in &roll.attendees {
                        tr data-person=(attendee.person) {
                            td { (attendee.staff_code.as_ref().map(|c| c.as_str()).unwrap_or_default()) }
                            td { a.person href={ "/console/people/" (attendee.person) } { (attendee.full_name) } }
                            td { (lang.date(attendee.enrolled_on)) }
                            td { (standing(visit, attendee.state)) }
                            td { (lang.date(attendee.since)) }
                            td { (super::yes(visit, attendee.seated)) }
                            @if visit.may_write() { td.no-print { (actions(visit, schedule.session, attendee)) } }
                        }
                    }
                }
            }
        }
    }
}

/// Where an enrolment stands, in words.
fn standing(visit: &Visit, state: EnrolmentState) -> String {
    match state {
        EnrolmentState::Active => visit.say("đang học", "enrolled").to_string(),
        EnrolmentState::Withdrawn => visit.say("đã rút", "withdrawn").to_string(),
        EnrolmentState::Completed(result) => format!(
            "{}: {}",
            visit.say("hoàn thành", "completed"),
            result.label(visit.lang)
        ),
    }
}

/// A clerk's links to withdraw or complete an enrolment still running.
fn actions(visit: &Visit, session: SessionId, attendee: &Attendee) -> Markup {
    let person = attendee.person;
    html! {
        @if attendee.state == EnrolmentState::Active {
            a.withdraw href={ "/console/people/" (person) "/withdraw?session=" (session) } { (visit.say("Rút tên", "Withdraw")) }
            " · "
            a.complete href={ "/console/people/" (person) "/complete?session=" (session) } { (visit.say("Kết quả", "Completion")) }
        }
    }
}
