//! Training forms: schedule a session (`/console/sessions/new`), enrol a person in one,
//! withdraw the enrolment, record its completion (also the form that corrects it).

use axum::Router;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{Markup, html};
use uuid::Uuid;

use super::{
    Kind, On, Sheet, Values, creating, page, person_form, posted, record, sessions, typed, values,
};
use crate::domain::command::{CompleteTraining, Enrol, ScheduleSession, WithdrawEnrolment};
use crate::domain::decide::conferred;
use crate::domain::event::{Correction, Event, TrainingCompleted};
use crate::domain::vocab::{Lang, TrainingResult};
use crate::domain::{Command, PersonId, ProgrammeId, SessionId};
use crate::http::AppState;
use crate::http::console::layout::{Nav, Problem};
use crate::http::console::session::Visit;
use crate::projection::District;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/sessions/new", get(new_session).post(schedule))
        .merge(person_form("enrol", &Enrolment))
        .merge(person_form("withdraw", &Withdrawal))
        .merge(person_form("complete", &Completion))
}

/// A new session's form: its id chosen now, so a form sent twice schedules it once.
async fn new_session(State(state): State<AppState>, visit: Visit) -> Result<Response, Problem> {
    let sheet = creating(&visit)?;
    Ok(session_page(&state, &visit, &sheet))
}

async fn schedule(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (mut sheet, caller) = posted(&visit, form)?;
    if let Some((id, command)) = schedule_command(&sheet)
        && record(&state, caller, &mut sheet, command).await?
    {
        return Ok(Redirect::to(&format!("/console/sessions/{id}")).into_response());
    }
    Ok(session_page(&state, &visit, &sheet))
}

fn schedule_command(sheet: &Sheet) -> Option<(Uuid, Command)> {
    let id = sheet.value("id").parse::<Uuid>().ok();
    let programme = sheet.id("programme");
    let starts_on = sheet.date("starts_on");
    let ends_on = sheet.date("ends_on");
    let capacity = sheet.number("capacity");
    let date = sheet.date("effective_date");
    let id = id?;
    let command = ScheduleSession {
        session: SessionId(id),
        programme: ProgrammeId(programme?),
        starts_on: starts_on?,
        ends_on: ends_on?,
        capacity: capacity?,
        effective_date: date?,
    };
    Some((id, command.into()))
}

fn session_page(state: &AppState, visit: &Visit, sheet: &Sheet) -> Response {
    let (fields, _) = state.projection.read(|model| {
        let mut programmes: Vec<(String, String)> = model
            .programmes
            .values()
            .map(|p| (p.programme.to_string(), p.name.clone()))
            .collect();
        programmes.sort_by(|a, b| a.1.cmp(&b.1));
        html! {
            (sheet.select_field("programme", sheet.say("Chương trình", "Programme"), &programmes))
            (sheet.date_field("starts_on", sheet.say("Ngày khai giảng", "Starts on")))
            (sheet.date_field("ends_on", sheet.say("Ngày kết thúc", "Ends on")))
            (sheet.number_field("capacity", sheet.say("Số chỗ", "Seats")))
            (sheet.date_field("effective_date", sheet.say("Ngày lên lịch", "Scheduled on")))
        }
    });
    let heading = visit.say("Lên lịch lớp học", "Schedule a session");
    page(
        visit,
        sheet,
        heading,
        Nav::Training,
        "/console/programmes",
        fields,
    )
}

/// The person's enrolments as select options (withdrawal and completion pick one).
fn enrolments(on: &On<'_>, lang: Lang) -> Vec<(String, String)> {
    let ids = on
        .person
        .into_iter()
        .flat_map(|p| p.enrolments.keys().copied());
    sessions(on.model, lang, ids)
}

pub(super) struct Enrolment;

impl Kind for Enrolment {
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("Ghi danh vào lớp", "Enrol in a session")
    }

    fn fields(&self, sheet: &Sheet, on: &On<'_>) -> Markup {
        let mut ids: Vec<&SessionId> = on.model.sessions.keys().collect();
        ids.sort_by_key(|id| {
            let starts = on.model.sessions[*id]
                .scheduled
                .as_ref()
                .map(|s| s.starts_on);
            std::cmp::Reverse(starts)
        });
        let options = sessions(on.model, sheet.lang, ids.into_iter().copied());
        html! {
            (sheet.select_field("session", sheet.say("Lớp", "Session"), &options))
            (sheet.date_field("effective_date", sheet.say("Ngày ghi danh", "Enrolled on")))
        }
    }

    fn command(&self, sheet: &Sheet, person: PersonId) -> Option<Command> {
        let session = sheet.id("session");
        let date = sheet.date("effective_date");
        Some(
            Enrol {
                person,
                session: SessionId(session?),
                effective_date: date?,
            }
            .into(),
        )
    }
}

pub(super) struct Withdrawal;

impl Kind for Withdrawal {
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("Rút khỏi lớp", "Withdraw from a session")
    }

    fn fields(&self, sheet: &Sheet, on: &On<'_>) -> Markup {
        html! {
            (sheet.select_field("session", sheet.say("Lớp", "Session"), &enrolments(on, sheet.lang)))
            (sheet.note_field("reason", sheet.say("Lý do", "Reason")))
            (sheet.date_field("effective_date", sheet.say("Ngày rút", "Withdrawn on")))
        }
    }

    fn command(&self, sheet: &Sheet, person: PersonId) -> Option<Command> {
        let session = sheet.id("session");
        let date = sheet.date("effective_date");
        Some(
            WithdrawEnrolment {
                person,
                session: SessionId(session?),
                reason: sheet.text("reason"),
                effective_date: date?,
            }
            .into(),
        )
    }
}

pub(super) struct Completion;

impl Kind for Completion {
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("Ghi kết quả học tập", "Record a completion")
    }

    fn fields(&self, sheet: &Sheet, on: &On<'_>) -> Markup {
        html! {
            (sheet.select_field("session", sheet.say("Lớp", "Session"), &enrolments(on, sheet.lang)))
            (sheet.vocab_field::<TrainingResult>("result", sheet.say("Kết quả", "Result")))
            (sheet.text_field("grade", sheet.say("Xếp loại (nếu có)", "Grade (if any)")))
            (sheet.text_field("certificate_number", sheet.say("Số chứng chỉ", "Certificate number")))
            (sheet.date_field("certificate_issued_on", sheet.say("Ngày cấp", "Issued on")))
            (sheet.date_field("effective_date", sheet.say("Ngày hoàn thành", "Completed on")))
        }
    }

    fn command(&self, sheet: &Sheet, person: PersonId) -> Option<Command> {
        let session = sheet.id("session");
        let result = sheet.choice("result");
        let certificate = sheet.certificate();
        let date = sheet.date("effective_date");
        Some(
            CompleteTraining {
                person,
                session: SessionId(session?),
                result: result?,
                grade: sheet.optional_text("grade"),
                certificate: certificate?,
                effective_date: date?,
            }
            .into(),
        )
    }

    fn values(&self, event: &Event) -> Values {
        let Event::TrainingCompleted(e) = event else {
            return Values::new();
        };
        let certificate = e.certificate.as_ref();
        values([
            ("session", e.session.to_string()),
            ("result", e.result.code().to_string()),
            ("grade", e.grade.clone().unwrap_or_default()),
            (
                "certificate_number",
                certificate.map(|c| c.number.clone()).unwrap_or_default(),
            ),
            (
                "certificate_issued_on",
                certificate.map(|c| typed(c.issued_on)).unwrap_or_default(),
            ),
            ("effective_date", typed(e.effective_date)),
        ])
    }

    fn replacement(
        &self,
        command: Command,
        original: &Event,
        model: &District,
    ) -> Option<Correction> {
        let (Command::CompleteTraining(c), Event::TrainingCompleted(old)) = (command, original)
        else {
            return None;
        };
        Some(Correction::TrainingCompleted(TrainingCompleted {
            person: c.person,
            session: c.session,
            programme: old.programme,
            result: c.result,
            grade: c.grade,
            certificate: c.certificate,
            confers: conferred(c.result, model.programmes.get(&old.programme)),
            at: old.at.clone(),
            effective_date: c.effective_date,
        }))
    }
}
