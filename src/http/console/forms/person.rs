//! Registering a person (`/console/people/new`), also the form that corrects a
//! registration; a look-alike of someone in service is refused as the API refuses it,
//! unless the clerk confirms they are two people.

use axum::Router;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{Markup, html};
use uuid::Uuid;

use super::{
    Kind, On, Sheet, Values, creating, page, person_path, posted, record, typed, units, values,
};
use crate::domain::command::RegisterPerson;
use crate::domain::event::{Correction, Event, PersonRegistered};
use crate::domain::vocab::{Gender, Lang, StaffCategory};
use crate::domain::{Command, PersonId, StaffCode, UnitId};
use crate::http::AppState;
use crate::http::commands::check_registration;
use crate::http::console::layout::{Nav, Problem};
use crate::http::console::session::Visit;
use crate::projection::District;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/console/people/new", get(new).post(register))
}

/// The form, with the new person's id chosen now: a form sent twice registers once.
async fn new(State(state): State<AppState>, visit: Visit) -> Result<Response, Problem> {
    let sheet = creating(&visit)?;
    Ok(registration_page(&state, &visit, &sheet))
}

async fn register(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let (mut sheet, caller) = posted(&visit, form)?;
    let person = sheet.value("id").parse::<Uuid>().ok().map(PersonId);
    if let Some(person) = person
        && let Some(command) = Registration.command(&sheet, person)
    {
        match check_registration(&state, &command, sheet.flag("confirm_duplicate")) {
            Err(refusal) => sheet.place(&state, &refusal),
            Ok(()) => {
                if record(&state, caller, &mut sheet, command).await? {
                    return Ok(Redirect::to(&person_path(person)).into_response());
                }
            }
        }
    }
    Ok(registration_page(&state, &visit, &sheet))
}

fn registration_page(state: &AppState, visit: &Visit, sheet: &Sheet) -> Response {
    let (fields, _) = state.projection.read(|model| {
        let on = On {
            model,
            person: None,
            correcting: false,
        };
        Registration.fields(sheet, &on)
    });
    let heading = Registration.title(visit.lang);
    page(
        visit,
        sheet,
        heading,
        Nav::People,
        "/console/people",
        fields,
    )
}

pub(super) struct Registration;

impl Kind for Registration {
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("Thêm cán bộ", "Register a person")
    }

    fn fields(&self, sheet: &Sheet, on: &On<'_>) -> Markup {
        html! {
            (sheet.text_field("full_name", sheet.say("Họ và tên", "Full name")))
            (sheet.date_field("birth_date", sheet.say("Ngày sinh", "Birth date")))
            (sheet.vocab_field::<Gender>("gender", sheet.say("Giới tính", "Gender")))
            (sheet.text_field("ethnicity", sheet.say("Dân tộc", "Ethnicity")))
            (sheet.select_field("party_member", sheet.say("Đảng viên (để trống: chưa ghi nhận)", "Party member (empty: not recorded)"), &party_options(sheet)))
            (sheet.vocab_field::<StaffCategory>("category", sheet.say("Loại cán bộ", "Category")))
            (sheet.select_field("unit", sheet.say("Đơn vị", "Unit"), &units(on.model)))
            (sheet.text_field("post", sheet.say("Chức vụ", "Post")))
            (sheet.check_field("leadership", sheet.say("Giữ chức vụ lãnh đạo, quản lý", "Leadership or management post")))
            (sheet.date_field("effective_date", sheet.say("Ngày vào cơ quan", "Joined on")))
            // A correction cannot change the code (its own stream holds it).
            @if !on.correcting {
                (sheet.text_field("staff_code", sheet.say("Mã cán bộ (để trống: cấp mã tiếp theo)", "Staff code (empty: the next free one)")))
                (sheet.check_field("confirm_duplicate", sheet.say(
                    "Đây là hai người khác nhau (ghi dù trùng họ tên, ngày sinh và đơn vị)",
                    "These are two people (register despite the same name, birth date and unit)")))
            }
        }
    }

    fn command(&self, sheet: &Sheet, person: PersonId) -> Option<Command> {
        let birth_date = sheet.date("birth_date");
        let gender = sheet.choice("gender");
        let category = sheet.choice("category");
        let unit = sheet.id("unit");
        let date = sheet.date("effective_date");
        let staff_code = match sheet.optional_text("staff_code") {
            None => Some(None),
            Some(text) => StaffCode::parse(&text)
                .map(Some)
                .map_err(|why| sheet.refuse("staff_code", why.to_string()))
                .ok(),
        };
        Some(
            RegisterPerson {
                person,
                full_name: sheet.text("full_name"),
                birth_date: birth_date?,
                gender: gender?,
                ethnicity: sheet.text("ethnicity"),
                category: category?,
                unit: UnitId(unit?),
                post: sheet.text("post"),
                leadership: sheet.flag("leadership"),
                effective_date: date?,
                staff_code: staff_code?,
                party_member: party_member(sheet),
            }
            .into(),
        )
    }

    fn values(&self, event: &Event) -> Values {
        let Event::PersonRegistered(e) = event else {
            return Values::new();
        };
        values([
            ("full_name", e.full_name.clone()),
            ("birth_date", typed(e.birth_date)),
            ("gender", e.gender.code().to_string()),
            ("ethnicity", e.ethnicity.clone()),
            ("category", e.category.code().to_string()),
            ("unit", e.unit.to_string()),
            ("post", e.post.clone()),
            ("leadership", e.leadership.to_string()),
            ("effective_date", typed(e.effective_date)),
            (
                "party_member",
                e.party_member.map_or(String::new(), |m| m.to_string()),
            ),
        ])
    }

    fn replacement(&self, command: Command, original: &Event, _: &District) -> Option<Correction> {
        let (Command::RegisterPerson(c), Event::PersonRegistered(old)) = (command, original) else {
            return None;
        };
        Some(Correction::PersonRegistered(PersonRegistered {
            person: c.person,
            full_name: c.full_name,
            birth_date: c.birth_date,
            gender: c.gender,
            ethnicity: c.ethnicity,
            category: c.category,
            unit: c.unit,
            post: c.post,
            leadership: c.leadership,
            effective_date: c.effective_date,
            staff_code: old.staff_code.clone(),
            party_member: c.party_member,
        }))
    }
}

/// Party membership's choices; none chosen is "not recorded", never "no".
fn party_options(sheet: &Sheet) -> Vec<(String, String)> {
    vec![
        (
            "true".into(),
            sheet.say("Là đảng viên", "A party member").into(),
        ),
        (
            "false".into(),
            sheet
                .say("Không phải đảng viên", "Not a party member")
                .into(),
        ),
    ]
}

fn party_member(sheet: &Sheet) -> Option<bool> {
    match sheet.value("party_member") {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}
