//! Career forms: a qualification, an assignment (transfer or promotion), a separation,
//! and the start and end of a rotation — each also the form that corrects its fact.

use axum::Router;
use maud::{Markup, html};

use super::{Kind, On, Sheet, Values, person_form, typed, units, values};
use crate::domain::command::{
    AssignPerson, EndRotation, RecordQualification, Separate, StartRotation,
};
use crate::domain::event::{
    Correction, Event, PersonAssigned, PersonSeparated, Placement, QualificationRecorded,
    RotationEnded, RotationStarted,
};
use crate::domain::vocab::{
    Lang, MovementKind, QualificationLevel, RotationOutcome, SeparationReason, StaffCategory, Track,
};
use crate::domain::{Command, PersonId};
use crate::http::AppState;
use crate::projection::District;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .merge(person_form("qualification", &Qualification))
        .merge(person_form("assign", &Assign))
        .merge(person_form("separate", &Separation))
        .merge(person_form("rotation/start", &RotationStart))
        .merge(person_form("rotation/end", &RotationEnd))
}

pub(super) struct Qualification;

/// Every level of every track as one select: `track:level`.
fn levels(lang: Lang) -> Vec<(String, String)> {
    Track::ALL
        .iter()
        .flat_map(|&track| {
            QualificationLevel::labels(track, Lang::En)
                .into_iter()
                .filter_map(move |label| QualificationLevel::parse(track, label))
        })
        .map(|level| {
            (
                level_value(level),
                format!("{} — {}", level.track().label(lang), level.label(lang)),
            )
        })
        .collect()
}

fn level_value(level: QualificationLevel) -> String {
    format!("{}:{}", level.track().code(), level.code())
}

impl Kind for Qualification {
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("Ghi trình độ", "Record a qualification")
    }

    fn fields(&self, sheet: &Sheet, _: &On<'_>) -> Markup {
        html! {
            (sheet.select_field("level", sheet.say("Trình độ", "Level"), &levels(sheet.lang)))
            (sheet.text_field("field", sheet.say("Chuyên ngành", "Field of study")))
            (sheet.text_field("institution", sheet.say("Cơ sở đào tạo", "Institution")))
            (sheet.text_field("certificate_number", sheet.say("Số văn bằng, chứng chỉ", "Certificate number")))
            (sheet.date_field("certificate_issued_on", sheet.say("Ngày cấp", "Issued on")))
            (sheet.date_field("effective_date", sheet.say("Ngày đạt", "Attained on")))
        }
    }

    fn command(&self, sheet: &Sheet, person: PersonId) -> Option<Command> {
        let level = sheet
            .value("level")
            .split_once(':')
            .and_then(|(track, level)| QualificationLevel::parse(Track::parse(track)?, level));
        let level = sheet.chosen("level", level);
        let certificate = sheet.certificate();
        let date = sheet.date("effective_date");
        Some(
            RecordQualification {
                person,
                level: level?,
                field: sheet.optional_text("field"),
                institution: sheet.optional_text("institution"),
                certificate: certificate?,
                effective_date: date?,
            }
            .into(),
        )
    }

    fn values(&self, event: &Event) -> Values {
        let Event::QualificationRecorded(e) = event else {
            return Values::new();
        };
        let certificate = e.certificate.as_ref();
        values([
            ("level", level_value(e.level)),
            ("field", e.field.clone().unwrap_or_default()),
            ("institution", e.institution.clone().unwrap_or_default()),
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

    fn replacement(&self, command: Command, original: &Event, _: &District) -> Option<Correction> {
        let (Command::RecordQualification(c), Event::QualificationRecorded(old)) =
            (command, original)
        else {
            return None;
        };
        Some(Correction::QualificationRecorded(QualificationRecorded {
            person: c.person,
            level: c.level,
            field: c.field,
            institution: c.institution,
            certificate: c.certificate,
            at: old.at.clone(),
            effective_date: c.effective_date,
        }))
    }
}

pub(super) struct Assign;

impl Kind for Assign {
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("Điều động, bổ nhiệm", "Assign (transfer or promotion)")
    }

    fn fields(&self, sheet: &Sheet, on: &On<'_>) -> Markup {
        html! {
            (sheet.select_field("unit", sheet.say("Đơn vị", "Unit"), &units(on.model)))
            (sheet.text_field("post", sheet.say("Chức vụ", "Post")))
            (sheet.vocab_field::<StaffCategory>("category", sheet.say("Loại cán bộ", "Category")))
            (sheet.check_field("leadership", sheet.say("Giữ chức vụ lãnh đạo, quản lý", "Leadership or management post")))
            (sheet.date_field("effective_date", sheet.say("Ngày hiệu lực", "Effective date")))
        }
    }

    fn command(&self, sheet: &Sheet, person: PersonId) -> Option<Command> {
        let unit = sheet.id("unit");
        let category = sheet.choice("category");
        let date = sheet.date("effective_date");
        Some(
            AssignPerson {
                person,
                unit: crate::domain::UnitId(unit?),
                post: sheet.text("post"),
                category: category?,
                leadership: sheet.flag("leadership"),
                effective_date: date?,
            }
            .into(),
        )
    }

    fn values(&self, event: &Event) -> Values {
        let Event::PersonAssigned(e) = event else {
            return Values::new();
        };
        values([
            ("unit", e.unit.to_string()),
            ("post", e.post.clone()),
            ("category", e.category.code().to_string()),
            ("leadership", e.leadership.to_string()),
            ("effective_date", typed(e.effective_date)),
        ])
    }

    fn replacement(&self, command: Command, original: &Event, _: &District) -> Option<Correction> {
        let (Command::AssignPerson(c), Event::PersonAssigned(old)) = (command, original) else {
            return None;
        };
        Some(Correction::PersonAssigned(PersonAssigned {
            person: c.person,
            unit: c.unit,
            post: c.post,
            category: c.category,
            leadership: c.leadership,
            at: old.at.clone(),
            effective_date: c.effective_date,
        }))
    }
}

pub(super) struct Separation;

impl Kind for Separation {
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("Ghi thôi công tác", "Record a separation")
    }

    fn fields(&self, sheet: &Sheet, _: &On<'_>) -> Markup {
        html! {
            (sheet.vocab_field::<SeparationReason>("reason", sheet.say("Lý do", "Reason")))
            (sheet.date_field("effective_date", sheet.say("Ngày thôi công tác", "Left on")))
        }
    }

    fn command(&self, sheet: &Sheet, person: PersonId) -> Option<Command> {
        let reason = sheet.choice("reason");
        let date = sheet.date("effective_date");
        Some(
            Separate {
                person,
                reason: reason?,
                effective_date: date?,
            }
            .into(),
        )
    }

    fn values(&self, event: &Event) -> Values {
        let Event::PersonSeparated(e) = event else {
            return Values::new();
        };
        values([
            ("reason", e.reason.code().to_string()),
            ("effective_date", typed(e.effective_date)),
        ])
    }

    fn replacement(&self, command: Command, original: &Event, _: &District) -> Option<Correction> {
        let (Command::Separate(c), Event::PersonSeparated(old)) = (command, original) else {
            return None;
        };
        Some(Correction::PersonSeparated(PersonSeparated {
            person: c.person,
            reason: c.reason,
            at: old.at.clone(),
            effective_date: c.effective_date,
        }))
    }
}

pub(super) struct RotationStart;

impl Kind for RotationStart {
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("Bắt đầu luân chuyển", "Start a rotation")
    }

    fn fields(&self, sheet: &Sheet, on: &On<'_>) -> Markup {
        html! {
            (sheet.vocab_field::<MovementKind>("kind", sheet.say("Hình thức", "Kind")))
            (sheet.select_field("to_unit", sheet.say("Đơn vị đến", "To unit"), &units(on.model)))
            (sheet.text_field("to_post", sheet.say("Chức vụ đến", "To post")))
            (sheet.date_field("planned_end", sheet.say("Dự kiến kết thúc (nếu có)", "Planned end (if any)")))
            (sheet.text_field("decision_number", sheet.say("Số quyết định", "Decision number")))
            (sheet.date_field("effective_date", sheet.say("Ngày bắt đầu", "Starts on")))
        }
    }

    fn command(&self, sheet: &Sheet, person: PersonId) -> Option<Command> {
        let kind = sheet.choice("kind");
        let unit = sheet.id("to_unit");
        let planned_end = sheet.optional_date("planned_end");
        let date = sheet.date("effective_date");
        Some(
            StartRotation {
                person,
                kind: kind?,
                to: Placement {
                    unit: crate::domain::UnitId(unit?),
                    post: sheet.text("to_post"),
                },
                planned_end: planned_end?,
                decision_number: sheet.text("decision_number"),
                effective_date: date?,
            }
            .into(),
        )
    }

    fn values(&self, event: &Event) -> Values {
        let Event::RotationStarted(e) = event else {
            return Values::new();
        };
        values([
            ("kind", e.kind.code().to_string()),
            ("to_unit", e.to.unit.to_string()),
            ("to_post", e.to.post.clone()),
            ("planned_end", e.planned_end.map(typed).unwrap_or_default()),
            ("decision_number", e.decision_number.clone()),
            ("effective_date", typed(e.effective_date)),
        ])
    }

    fn replacement(&self, command: Command, original: &Event, _: &District) -> Option<Correction> {
        let (Command::StartRotation(c), Event::RotationStarted(old)) = (command, original) else {
            return None;
        };
        Some(Correction::RotationStarted(RotationStarted {
            person: c.person,
            kind: c.kind,
            from: old.from.clone(),
            to: c.to,
            planned_end: c.planned_end,
            decision_number: c.decision_number,
            at: old.at.clone(),
            effective_date: c.effective_date,
        }))
    }
}

pub(super) struct RotationEnd;

impl Kind for RotationEnd {
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("Kết thúc luân chuyển", "End a rotation")
    }

    fn fields(&self, sheet: &Sheet, _: &On<'_>) -> Markup {
        html! {
            (sheet.vocab_field::<RotationOutcome>("outcome", sheet.say("Kết quả", "Outcome")))
            (sheet.note_field("assessment", sheet.say("Nhận xét, đánh giá", "Assessment")))
            (sheet.date_field("effective_date", sheet.say("Ngày kết thúc", "Ends on")))
        }
    }

    fn command(&self, sheet: &Sheet, person: PersonId) -> Option<Command> {
        let outcome = sheet.choice("outcome");
        let date = sheet.date("effective_date");
        Some(
            EndRotation {
                person,
                outcome: outcome?,
                assessment: sheet.text("assessment"),
                effective_date: date?,
            }
            .into(),
        )
    }

    fn values(&self, event: &Event) -> Values {
        let Event::RotationEnded(e) = event else {
            return Values::new();
        };
        values([
            ("outcome", e.outcome.code().to_string()),
            ("assessment", e.assessment.clone()),
            ("effective_date", typed(e.effective_date)),
        ])
    }

    fn replacement(&self, command: Command, original: &Event, _: &District) -> Option<Correction> {
        let (Command::EndRotation(c), Event::RotationEnded(old)) = (command, original) else {
            return None;
        };
        Some(Correction::RotationEnded(RotationEnded {
            person: c.person,
            rotation: old.rotation,
            outcome: c.outcome,
            assessment: c.assessment,
            at: old.at.clone(),
            effective_date: c.effective_date,
        }))
    }
}
