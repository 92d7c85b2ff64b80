//! Correcting or voiding a fact picked on the person's timeline. A correction is the form
//! that recorded that kind of fact, filled with the fact as recorded (as corrected so
//! far), and a reason; it sends the whole replacement as the `Correct` command. A void is
//! a reason and a confirmation.

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::Utc;
use maud::html;
use uuid::Uuid;

use super::appraisal::Appraisal;
use super::career::{Assign, Qualification, RotationEnd, RotationStart, Separation};
use super::person::Registration;
use super::training::Completion;
use super::{Kind, On, Sheet, Values, page, path_id, person_path, posted, record};
use crate::domain::command::{Correct, Void};
use crate::domain::event::Event;
use crate::domain::vocab::Lang;
use crate::domain::{Command, DomainError, PersonId};
use crate::http::AppState;
use crate::http::console::layout::{Nav, Problem};
use crate::http::console::session::Visit;
use crate::http::error::ApiError;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console/people/{id}/events/{event}/correct",
            get(correction).post(correct),
        )
        .route(
            "/console/people/{id}/events/{event}/void",
            get(void_form).post(void),
        )
}

/// The form that records facts like `event`, if they can be corrected.
fn kind_of(event: &Event) -> Option<&'static dyn Kind> {
    Some(match event {
        Event::PersonRegistered(_) => &Registration,
        Event::PersonAssigned(_) => &Assign,
        Event::QualificationRecorded(_) => &Qualification,
        Event::TrainingCompleted(_) => &Completion,
        Event::RotationStarted(_) => &RotationStart,
        Event::RotationEnded(_) => &RotationEnd,
        Event::Appraised(_) => &Appraisal,
        Event::PersonSeparated(_) => &Separation,
        _ => return None,
    })
}

/// The fact picked: as recorded, corrected so far, and the version of the person's stream
/// it was read at.
struct Picked {
    person: PersonId,
    id: Uuid,
    current: Event,
    version: String,
}

impl Picked {
    fn load(state: &AppState, person: &str, event: &str) -> Result<Picked, Problem> {
        let (person, id) = (PersonId(path_id(person)?), path_id(event)?);
        let loaded = state.ledger.load_person(person)?;
        let history = &loaded.state;
        let recorded = history.fact(id).ok_or(Problem::NotFound)?;
        let current = history
            .facts()
            .iter()
            .rev()
            .find_map(|fact| match &fact.event {
                Event::EventCorrected(c) if c.corrects == id => {
                    Some(c.replacement.clone().into_event())
                }
                _ => None,
            })
            .unwrap_or_else(|| recorded.event.clone());
        Ok(Picked {
            person,
            id,
            current,
            version: loaded.version.map_or(String::new(), |v| v.to_string()),
        })
    }

    /// The form of its kind, or the refusal of a fact no form corrects.
    fn kind(&self) -> Result<&'static dyn Kind, Problem> {
        kind_of(&self.current).ok_or_else(|| {
            Problem::Failed(ApiError::Domain(DomainError::NotCorrectable {
                event_type: self.current.type_name(),
                action: "corrected",
            }))
        })
    }

    /// A new form of `values` about the fact, at the version it was read at.
    fn sheet(&self, lang: Lang, values: Values) -> Sheet {
        let mut sheet = Sheet::new(lang, values);
        sheet.set("version", self.version.clone());
        sheet
    }

    /// What the fact is, in a line: its form's title (or its type) and its date.
    fn summary(&self, visit: &Visit) -> String {
        let what = kind_of(&self.current).map_or(self.current.type_name(), |k| k.title(visit.lang));
        format!(
            "{what} · {}",
            visit.lang.date(self.current.effective_date())
        )
    }
}

async fn correction(
    State(state): State<AppState>,
    visit: Visit,
    Path((person, event)): Path<(String, String)>,
) -> Result<Response, Problem> {
    visit.clerk()?;
    let picked = Picked::load(&state, &person, &event)?;
    let sheet = picked.sheet(visit.lang, picked.kind()?.values(&picked.current));
    correction_page(&state, &visit, &sheet, &picked)
}

async fn correct(
    State(state): State<AppState>,
    visit: Visit,
    Path((person, event)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (mut sheet, caller) = posted(&visit, form)?;
    let picked = Picked::load(&state, &person, &event)?;
    let kind = picked.kind()?;
    let replacement = kind.command(&sheet, picked.person).and_then(|command| {
        let (replacement, _) = state
            .projection
            .read(|model| kind.replacement(command, &picked.current, model));
        replacement
    });
    if let Some(replacement) = replacement {
        let command = Correct {
            person: picked.person,
            corrects: picked.id,
            reason: sheet.text("reason"),
            replacement,
            effective_date: Utc::now().date_naive(),
        };
        if record(&state, caller, &mut sheet, command.into()).await? {
            return Ok(Redirect::to(&person_path(picked.person)).into_response());
        }
    }
    correction_page(&state, &visit, &sheet, &picked)
}

fn correction_page(
    state: &AppState,
    visit: &Visit,
    sheet: &Sheet,
    picked: &Picked,
) -> Result<Response, Problem> {
    let kind = picked.kind()?;
    let (fields, _) = state.projection.read(|model| {
        let view = model.people.get(&picked.person).and_then(|t| t.view(None));
        let on = On {
            model,
            person: view.as_ref(),
            correcting: true,
        };
        html! {
            p.muted { (visit.say("Đính chính bản ghi: ", "Correcting: ")) (picked.summary(visit)) }
            (kind.fields(sheet, &on))
            (sheet.note_field("reason", visit.say("Lý do đính chính", "Reason for the correction")))
        }
    });
    let heading = format!(
        "{} · {}",
        visit.say("Đính chính", "Correct"),
        kind.title(visit.lang)
    );
    Ok(page(
        visit,
        sheet,
        &heading,
        Nav::People,
        &person_path(picked.person),
        fields,
    ))
}

async fn void_form(
    State(state): State<AppState>,
    visit: Visit,
    Path((person, event)): Path<(String, String)>,
) -> Result<Response, Problem> {
    visit.clerk()?;
    let picked = Picked::load(&state, &person, &event)?;
    let sheet = picked.sheet(visit.lang, Values::new());
    Ok(void_page(&visit, &sheet, &picked))
}

async fn void(
    State(state): State<AppState>,
    visit: Visit,
    Path((person, event)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (mut sheet, caller) = posted(&visit, form)?;
    let picked = Picked::load(&state, &person, &event)?;
    if !sheet.flag("confirm") {
        sheet.refuse(
            "confirm",
            visit.say("Hãy đánh dấu để xác nhận hủy.", "Tick the box to confirm."),
        );
    } else {
        let command: Command = Void {
            person: picked.person,
            voids: picked.id,
            reason: sheet.text("reason"),
            effective_date: Utc::now().date_naive(),
        }
        .into();
        if record(&state, caller, &mut sheet, command).await? {
            return Ok(Redirect::to(&person_path(picked.person)).into_response());
        }
    }
    Ok(void_page(&visit, &sheet, &picked))
}

fn void_page(visit: &Visit, sheet: &Sheet, picked: &Picked) -> Response {
    let fields = html! {
        p { (visit.say("Hủy bản ghi: ", "Voiding: ")) strong { (picked.summary(visit)) } }
        p.help { (visit.say(
            "Bản ghi bị hủy vẫn còn trong sổ, được đánh dấu là đã hủy, và không còn được tính.",
            "A voided entry stays in the ledger, marked as voided, and no longer counts.")) }
        (sheet.note_field("reason", visit.say("Lý do hủy", "Reason")))
        (sheet.check_field("confirm", visit.say("Tôi xác nhận hủy bản ghi này", "I confirm voiding this entry")))
    };
    let heading = visit.say("Hủy bản ghi", "Void an entry");
    page(
        visit,
        sheet,
        heading,
        Nav::People,
        &person_path(picked.person),
        fields,
    )
}
