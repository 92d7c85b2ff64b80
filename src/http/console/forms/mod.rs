//! The clerk forms, one per command: register a person (`person.rs`); schedule a session,
//! enrol, withdraw, record a completion (`training.rs`); a qualification, an assignment, a
//! separation, the start and end of a rotation (`career.rs`); an appraisal with its
//! feedback (`appraisal.rs`); and the correction or void of a recorded fact, in the same
//! form that recorded it (`correction.rs`).
//!
//! Owns (here): what every form shares — the [`Sheet`] of values by field name (as typed,
//! or as recorded) with its refusals; each field rendered with its label, id = its name,
//! and its refusal beside it; the reading of typed values (dates through `crate::dates`,
//! choices by their codes); and [`record`]: the command through the API's own path into
//! the ledger (`commands::execute`), pinned to the person's version the form was opened at
//! (a stale form writes nothing and offers a reload), then a wait for the read model.
//! Must not: decide anything. A refusal comes from the domain; it is only placed here (by
//! `DomainError::field`) and worded (by [`words`]).

mod appraisal;
mod career;
mod correction;
mod person;
mod training;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::str::FromStr;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::NaiveDate;
use maud::{Markup, html};
use uuid::Uuid;

use super::layout::{self, Nav, Problem};
use super::session::Visit;
use crate::domain::event::{Certificate, Correction, Event};
use crate::domain::person::PersonView;
use crate::domain::vocab::{Lang, Vocabulary};
use crate::domain::{Command, DomainError, PersonId, SessionId};
use crate::http::AppState;
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::ledger::{LedgerError, Options};
use crate::projection::District;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .merge(person::routes())
        .merge(training::routes())
        .merge(career::routes())
        .merge(appraisal::routes())
        .merge(correction::routes())
}

/// A form's values by field name.
pub(super) type Values = BTreeMap<String, String>;

/// A form being shown: its values and why it was not recorded.
pub(super) struct Sheet {
    pub lang: Lang,
    values: Values,
    /// Refusals by field ("" for the form's own). Rendering a field takes its refusal;
    /// those left are shown at the top.
    refusals: RefCell<BTreeMap<String, String>>,
    /// Something was refused (a field's refusal is taken when it is rendered).
    refused: Cell<bool>,
    /// The person's record changed since the form was opened.
    stale: bool,
}

impl Sheet {
    pub fn new(lang: Lang, values: Values) -> Sheet {
        Sheet {
            lang,
            values,
            refusals: RefCell::default(),
            refused: Cell::new(false),
            stale: false,
        }
    }

    pub fn say<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(vi, en)
    }

    /// The value as typed.
    fn raw(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// The value, surrounding spaces removed.
    pub fn value(&self, name: &str) -> &str {
        self.raw(name).trim()
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// Puts `words` beside `field` (the first refusal of a field is the one shown).
    pub fn refuse(&self, field: &str, words: impl Into<String>) {
        self.refused.set(true);
        self.refusals
            .borrow_mut()
            .entry(field.into())
            .or_insert_with(|| words.into());
    }

    /// A domain refusal, beside the field it concerns: a correction's `replacement.x` is
    /// this form's `x`, `certificate.number` its `certificate_number`; else at the top.
    /// The ids in its words are named as the clerk knows them.
    fn place(&self, state: &AppState, error: &DomainError) {
        let field = error.field().unwrap_or_default();
        let field = field.trim_start_matches("replacement.").replace('.', "_");
        let words = error.say(self.lang);
        let (words, _) = state
            .projection
            .read(|model| model.named(&words, self.lang));
        self.refuse(&field, words);
    }

    fn invalid(&self, name: &str) -> Option<&'static str> {
        self.refusals.borrow().contains_key(name).then_some("true")
    }

    /// A required date, as typed (dd/mm/yyyy or ISO); why it is none, beside it.
    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        crate::dates::parse(self.value(name))
            .map_err(|why| self.refuse(name, why.describe(self.lang)))
            .ok()
    }

    /// An optional date: `Some(None)` when left empty.
    pub fn optional_date(&self, name: &str) -> Option<Option<NaiveDate>> {
        if self.value(name).is_empty() {
            return Some(None);
        }
        self.date(name).map(Some)
    }

    /// A choice from a vocabulary, sent as its code.
    pub fn choice<T: Vocabulary>(&self, name: &str) -> Option<T> {
        self.chosen(name, T::parse(self.value(name)))
    }

    /// `found`, or "choose one" beside `name`.
    pub fn chosen<T>(&self, name: &str, found: Option<T>) -> Option<T> {
        if found.is_none() {
            self.refuse(name, self.say("Hãy chọn một mục.", "Choose one."));
        }
        found
    }

    /// An id chosen in a select.
    pub fn id(&self, name: &str) -> Option<Uuid> {
        self.chosen(name, self.value(name).parse().ok())
    }

    /// A whole number.
    pub fn number<N: FromStr>(&self, name: &str) -> Option<N> {
        let found = self.value(name).parse().ok();
        if found.is_none() {
            self.refuse(
                name,
                self.say(
                    "Hãy ghi một số nguyên, ví dụ 30.",
                    "Write a whole number, e.g. 30.",
                ),
            );
        }
        found
    }

    /// An optional whole number: `Some(None)` when left empty.
    pub fn optional_number<N: FromStr>(&self, name: &str) -> Option<Option<N>> {
        if self.value(name).is_empty() {
            return Some(None);
        }
        self.number(name).map(Some)
    }

    /// Free text as typed (the rules say what is too long or missing).
    pub fn text(&self, name: &str) -> String {
        self.value(name).to_string()
    }

    /// Optional free text: `None` when left empty.
    pub fn optional_text(&self, name: &str) -> Option<String> {
        Some(self.value(name))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    /// A ticked box.
    pub fn flag(&self, name: &str) -> bool {
        self.value(name) == "true"
    }

    /// The certificate fields (`certificate_number`, `certificate_issued_on`): none when
    /// both are empty; a date needs its number.
    pub fn certificate(&self) -> Option<Option<Certificate>> {
        let number = self.optional_text("certificate_number");
        let issued_on = self.optional_date("certificate_issued_on")?;
        match (number, issued_on) {
            (None, None) => Some(None),
            (Some(number), Some(issued_on)) => Some(Some(Certificate { number, issued_on })),
            (Some(_), None) => {
                self.date("certificate_issued_on");
                None
            }
            (None, Some(_)) => {
                self.refuse(
                    "certificate_number",
                    self.say(
                        "Hãy ghi số văn bằng, chứng chỉ.",
                        "Write the certificate's number.",
                    ),
                );
                None
            }
        }
    }

    /// A labelled field: `control`, its help, and its refusal.
    fn field(&self, name: &str, label: &str, help: Option<&str>, control: Markup) -> Markup {
        html! {
            div.field {
                label for=(name) { (label) }
                (control)
                @if let Some(help) = help { p.help id={ (name) "-help" } { (help) } }
                (self.refusal_of(name))
            }
        }
    }

    /// The refusal of `name`, if any, taken: it is shown here only.
    pub fn refusal_of(&self, name: &str) -> Markup {
        let refusal = self.refusals.borrow_mut().remove(name);
        html! {
            @if let Some(words) = refusal {
                p.refusal id={ (name) "-refusal" } role="alert" { (words) }
            }
        }
    }

    fn input(&self, name: &str, label: &str, mode: &str, help: Option<&str>) -> Markup {
        let control = html! {
            input id=(name) type="text" name=(name) value=(self.raw(name)) inputmode=(mode)
                autocomplete="off" aria-invalid=[self.invalid(name)]
                aria-describedby=[help.map(|_| format!("{name}-help"))];
        };
        self.field(name, label, help, control)
    }

    pub fn text_field(&self, name: &str, label: &str) -> Markup {
        self.input(name, label, "text", None)
    }

    pub fn number_field(&self, name: &str, label: &str) -> Markup {
        self.input(name, label, "numeric", None)
    }

    pub fn date_field(&self, name: &str, label: &str) -> Markup {
        let help = self.say(
            "Ngày/tháng/năm, ví dụ 31/12/2017",
            "Day/month/year, e.g. 31/12/2017",
        );
        self.input(name, label, "numeric", Some(help))
    }

    /// A longer text (a reason, an assessment).
    pub fn note_field(&self, name: &str, label: &str) -> Markup {
        let control = html! {
            textarea id=(name) name=(name) rows="3" aria-invalid=[self.invalid(name)] { (self.raw(name)) }
        };
        self.field(name, label, None, control)
    }

    /// A select of `(value, label)` options, the first one empty ("choose").
    pub fn select_field(&self, name: &str, label: &str, options: &[(String, String)]) -> Markup {
        let current = self.value(name);
        let control = html! {
            select id=(name) name=(name) aria-invalid=[self.invalid(name)] {
                option value="" { (self.say("— chọn —", "— choose —")) }
                @for (value, text) in options {
                    option value=(value) selected[value == current] { (text) }
                }
            }
        };
        self.field(name, label, None, control)
    }

    /// A select of a vocabulary's values, labelled in the visitor's language.
    pub fn vocab_field<T: Vocabulary>(&self, name: &str, label: &str) -> Markup {
        let options: Vec<(String, String)> = T::all()
            .iter()
            .map(|v| (v.code().to_string(), v.label(self.lang).to_string()))
            .collect();
        self.select_field(name, label, &options)
    }

    pub fn check_field(&self, name: &str, label: &str) -> Markup {
        let control = html! {
            input id=(name) type="checkbox" name=(name) value="true" checked[self.flag(name)];
        };
        self.field(name, label, None, control)
    }
}

/// A date as a form shows it to be typed again.
pub(super) fn typed(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// Values from `(name, value)` pairs.
pub(super) fn values<const N: usize>(pairs: [(&str, String); N]) -> Values {
    pairs
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

/// The units as select options, by name.
pub(super) fn units(model: &District) -> Vec<(String, String)> {
    let mut units: Vec<(String, String)> = model
        .units
        .values()
        .map(|u| (u.unit.to_string(), u.name.clone()))
        .collect();
    units.sort_by(|a, b| a.1.cmp(&b.1));
    units
}

/// Sessions as select options: programme name and dates.
pub(super) fn sessions(
    model: &District,
    lang: Lang,
    ids: impl Iterator<Item = SessionId>,
) -> Vec<(String, String)> {
    ids.filter_map(|id| {
        let scheduled = model.sessions.get(&id)?.scheduled.as_ref()?;
        let programme = model
            .programmes
            .get(&scheduled.programme)
            .map_or("?", |p| p.name.as_str());
        let label = format!(
            "{programme} · {}–{}",
            lang.date(scheduled.starts_on),
            lang.date(scheduled.ends_on)
        );
        Some((id.to_string(), label))
    })
    .collect()
}

/// What a person form is rendered from.
pub(super) struct On<'a> {
    pub model: &'a District,
    pub person: Option<&'a PersonView>,
    /// The form corrects a recorded fact (what a correction cannot change is not offered).
    pub correcting: bool,
}

/// A form that records one kind of fact about a person, and corrects it.
pub(super) trait Kind: Sync {
    fn title(&self, lang: Lang) -> &'static str;
    fn fields(&self, sheet: &Sheet, on: &On<'_>) -> Markup;
    /// The command the sheet asks for; `None` with its refusals on the sheet.
    fn command(&self, sheet: &Sheet, person: PersonId) -> Option<Command>;
    /// The sheet of a recorded fact of this kind (what a correction starts from); a form
    /// whose facts are not corrected has none.
    fn values(&self, _event: &Event) -> Values {
        Values::new()
    }
    /// What `original` should have said, from this form's `command`.
    fn replacement(
        &self,
        _command: Command,
        _original: &Event,
        _model: &District,
    ) -> Option<Correction> {
        None
    }
}

/// Records `command` as the API does, with the person's version the form was opened at as
/// its expectation (the API's `If-Match`), then waits for the read model to show it. A
/// refusal or a stale form is put on the sheet (`Ok(false)`): nothing was written.
pub(super) async fn record(
    state: &AppState,
    caller: &Caller,
    sheet: &mut Sheet,
    command: Command,
) -> Result<bool, Problem> {
    let version = match sheet.value("version") {
        "" => None,
        text => Some(text.parse::<u64>().map_err(|_| {
            ApiError::BadRequest(format!("version {text:?} is not a stream version"))
        })?),
    };
    let options = Options {
        today: None,
        expected_person_version: version,
        idempotency_key: None,
    };
    match crate::http::commands::execute(state, caller, &command, &options).await {
        Ok(outcome) => {
            crate::http::reads::reached(state, outcome.last_position()).await?;
            Ok(true)
        }
        Err(LedgerError::Domain(error)) => {
            sheet.place(state, &error);
            Ok(false)
        }
        Err(LedgerError::Stale { .. }) => {
            sheet.stale = true;
            Ok(false)
        }
        Err(error) => Err(error.into()),
    }
}

/// The person's stream version at `position` as a form carries it ("" for none).
pub(super) fn version_at(state: &AppState, person: PersonId, position: u64) -> String {
    state
        .store
        .stream_version_at(&person.stream(), position)
        .map_or(String::new(), |v| v.to_string())
}

/// The page of a form: the stale-form box, the refusals no field took, and the form
/// posting back to this path with the hidden `version` and `id`. 412 for a stale form,
/// 422 for a refused one.
pub(super) fn page(
    visit: &Visit,
    sheet: &Sheet,
    heading: &str,
    nav: Nav,
    back: &str,
    fields: Markup,
) -> Response {
    let left: Vec<String> = std::mem::take(&mut *sheet.refusals.borrow_mut())
        .into_values()
        .collect();
    let status = if sheet.stale {
        StatusCode::PRECONDITION_FAILED
    } else if sheet.refused.get() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = html! {
        @if sheet.stale {
            div #stale .stale role="alert" {
                p { (visit.say(
                    "Hồ sơ này đã thay đổi từ khi biểu mẫu được mở (có người khác vừa ghi). Chưa ghi gì cả.",
                    "This record changed since the form was opened (someone else recorded something). Nothing was recorded.")) }
                p { a #reload href=(visit.path) { (visit.say("Tải lại biểu mẫu với dữ liệu mới", "Reload the form with the current record")) } }
            }
        }
        @if !left.is_empty() {
            div #refusal .refusal role="alert" { @for words in &left { p { (words) } } }
        }
        form.card method="post" action=(visit.path) novalidate {
            (visit.csrf_field())
            @for name in ["version", "id"] {
                @if let Some(value) = sheet.values.get(name) {
                    input type="hidden" name=(name) value=(value);
                }
            }
            (fields)
            div.actions {
                button type="submit" { (visit.say("Ghi", "Record")) }
                a href=(back) { (visit.say("Hủy", "Cancel")) }
            }
        }
    };
    (status, layout::page(visit, heading, nav, body)).into_response()
}

/// The id in a path, or no such page.
pub(super) fn path_id(text: &str) -> Result<Uuid, Problem> {
    text.parse().map_err(|_| Problem::NotFound)
}

/// A form's values (a name sent twice: the last).
fn collect(pairs: Vec<(String, String)>) -> Values {
    pairs.into_iter().collect()
}

/// The sheet of a posted form, once its CSRF token is the session's and the visitor is a
/// clerk (in that order, before anything else is read), with the clerk.
pub(super) fn posted(
    visit: &Visit,
    pairs: Vec<(String, String)>,
) -> Result<(Sheet, &Caller), Problem> {
    let sheet = Sheet::new(visit.lang, collect(pairs));
    visit.check(sheet.value("csrf"))?;
    Ok((sheet, visit.clerk()?))
}

/// The sheet of a form that creates something: its id chosen now, so that a form sent
/// twice creates it once (the second is refused as already there).
pub(super) fn creating(visit: &Visit) -> Result<Sheet, Problem> {
    visit.clerk()?;
    let id = Uuid::now_v7().to_string();
    Ok(Sheet::new(visit.lang, values([("id", id)])))
}

/// The GET and POST of a form about one person at `/console/people/{id}/<path>`.
pub(super) fn person_form(path: &str, kind: &'static dyn Kind) -> Router<AppState> {
    let path = format!("/console/people/{{id}}/{path}");
    Router::new().route(
        &path,
        get(
            move |State(state): State<AppState>,
                  visit: Visit,
                  Path(id): Path<String>,
                  Query(query): Query<Vec<(String, String)>>| async move {
                visit.clerk()?;
                let person = PersonId(path_id(&id)?);
                // A link may choose a field (`?session=`).
                let mut sheet = Sheet::new(visit.lang, collect(query));
                person_page(&state, &visit, &mut sheet, person, kind, true)
            },
        )
        .post(
            move |State(state): State<AppState>,
                  visit: Visit,
                  Path(id): Path<String>,
                  Form(form): Form<Vec<(String, String)>>| async move {
                let (mut sheet, caller) = posted(&visit, form)?;
                let person = PersonId(path_id(&id)?);
                if let Some(command) = kind.command(&sheet, person)
                    && record(&state, caller, &mut sheet, command).await?
                {
                    return Ok(Redirect::to(&person_path(person)).into_response());
                }
                person_page(&state, &visit, &mut sheet, person, kind, false)
            },
        ),
    )
}

pub(super) fn person_path(person: PersonId) -> String {
    format!("/console/people/{}", person.0)
}

/// A person form rendered from the read model; a `fresh` one carries the person's version
/// at the position it was read at (what `GET /people/{id}` names as its ETag).
fn person_page(
    state: &AppState,
    visit: &Visit,
    sheet: &mut Sheet,
    person: PersonId,
    kind: &dyn Kind,
    fresh: bool,
) -> Result<Response, Problem> {
    let (shown, position) = state.projection.read(|model| {
        let view = model.people.get(&person)?.view(None)?;
        let on = On {
            model,
            person: Some(&view),
            correcting: false,
        };
        Some((view.full_name.clone(), kind.fields(sheet, &on)))
    });
    let (name, fields) = shown.ok_or(Problem::NotFound)?;
    if fresh {
        sheet.set("version", version_at(state, person, position));
    }
    let heading = format!("{} · {name}", kind.title(visit.lang));
    Ok(page(
        visit,
        sheet,
        &heading,
        Nav::People,
        &person_path(person),
        fields,
    ))
}
