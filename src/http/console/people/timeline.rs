//! A person's history as the console shows it: one line per recorded fact with its
//! business date, when and by whom it was recorded, the unit and post at the time and the
//! fact in words; a corrected or voided fact shows what changed it (reason, date, actor)
//! beside it. Built from `audit::recorded_history`, the same reading as
//! `GET /people/{id}/history`; drawn as the page's timeline or the printable table.

use chrono::{DateTime, NaiveDate, Utc};
use maud::{Markup, html};
use uuid::Uuid;

use super::super::session::Visit;
use super::{columns, person_path, words};
use crate::domain::PersonId;
use crate::domain::event::{Correction, Event};
use crate::domain::vocab::Lang;
use crate::http::audit::Recorded;
use crate::projection::District;

/// One recorded fact, ready to draw.
pub(super) struct Line {
    pub id: Uuid,
    pub position: u64,
    pub effective: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub actor: String,
    /// "post — unit" at the time, when the event records it.
    pub placement: Option<String>,
    pub words: String,
    /// A correction or void: the fact it changes.
    pub changes: Option<Uuid>,
    /// The corrections and voids of this fact, in recorded order.
    pub changed_by: Vec<Change>,
    /// Its form can record a replacement (a correction keeps the event's type).
    pub correctable: bool,
}

/// A correction or void as shown beside the fact it changes.
pub(super) struct Change {
    pub id: Uuid,
    pub voids: bool,
    pub reason: String,
    pub effective: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub actor: String,
}

impl Line {
    fn voided(&self) -> bool {
        self.changed_by.iter().any(|c| c.voids)
    }
}

/// The lines of `recorded`, with words from `model`.
pub(super) fn lines(model: &District, recorded: &[Recorded], lang: Lang) -> Vec<Line> {
    recorded
        .iter()
        .map(|r| Line {
            id: r.recorded.id,
            position: r.recorded.position,
            effective: r.event.effective_date(),
            recorded_at: r.recorded.recorded_at,
            actor: r.recorded.actor.clone(),
            placement: r
                .post
                .as_ref()
                .map(|post| format!("{post} — {}", r.unit_name.as_deref().unwrap_or(""))),
            words: words::fact(model, &r.event, lang),
            changes: r.corrects,
            changed_by: recorded
                .iter()
                .filter(|c| r.corrected_by.contains(&c.recorded.id))
                .filter_map(change)
                .collect(),
            correctable: Correction::from_event(r.event.clone()).is_some(),
        })
        .collect()
}

fn change(recorded: &Recorded) -> Option<Change> {
    let (voids, reason) = match &recorded.event {
        Event::EventCorrected(c) => (false, &c.reason),
        Event::EventVoided(v) => (true, &v.reason),
        _ => return None,
    };
    Some(Change {
        id: recorded.recorded.id,
        voids,
        reason: reason.clone(),
        effective: recorded.event.effective_date(),
        recorded_at: recorded.recorded.recorded_at,
        actor: recorded.recorded.actor.clone(),
    })
}

/// A recorded-at time as the visitor's language writes it (UTC, as recorded).
pub(super) fn time(at: DateTime<Utc>, lang: Lang) -> String {
    let format = lang.pick("%d/%m/%Y %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S UTC");
    at.format(format).to_string()
}

/// The timeline; with `actions`, each fact links to its correction and void forms.
pub(super) fn timeline(visit: &Visit, person: PersonId, lines: &[Line], actions: bool) -> Markup {
    let lang = visit.lang;
    html! {
        @if lines.is_empty() {
            p.muted { (visit.say("Chưa có ghi nhận nào.", "Nothing recorded.")) }
        }
        ol.timeline {
            @for line in lines {
                li id={ "e-" (line.id) } data-event=(line.id) data-position=(line.position)
                    class=[line.voided().then_some("voided").or((!line.changed_by.is_empty()).then_some("corrected"))] {
                    p.when {
                        time datetime=(line.effective) { (lang.date(line.effective)) }
                        " · " (visit.say("ghi lúc ", "recorded ")) span.recorded-at { (time(line.recorded_at, lang)) }
                        " · " (visit.say("người ghi: ", "by ")) span.actor { (line.actor) }
                        " · " (visit.say("vị trí ", "position ")) (line.position)
                    }
                    p.fact { (line.words) }
                    @if let Some(placement) = &line.placement {
                        p.muted { (visit.say("Khi đó: ", "At the time: ")) (placement) }
                    }
                    @if let Some(changed) = line.changes {
                        p { a href={ "#e-" (changed) } { (visit.say("→ Ghi nhận được thay đổi", "→ The fact it changes")) } }
                    }
                    @for change in &line.changed_by {
                        p.change role="note" { (change_words(visit, change)) }
                    }
                    @if actions && line.changes.is_none() && !line.voided() {
                        p.actions.no-print {
                            @if line.correctable {
                                a.correct href={ (person_path(person)) "/events/" (line.id) "/correct" } { (visit.say("Đính chính", "Correct")) }
                            }
                            a.void href={ (person_path(person)) "/events/" (line.id) "/void" } { (visit.say("Hủy bỏ", "Void")) }
                        }
                    }
                }
            }
        }
    }
}

/// "Đã đính chính ngày …, ghi lúc … bởi …: lý do".
pub(super) fn change_words(visit: &Visit, change: &Change) -> Markup {
    let lang = visit.lang;
    html! {
        strong { (if change.voids { visit.say("Đã hủy bỏ", "Voided") } else { visit.say("Đã đính chính", "Corrected") }) }
        " " (visit.say("ngày ", "on ")) (lang.date(change.effective))
        " (" (visit.say("ghi lúc ", "recorded ")) (time(change.recorded_at, lang))
        ", " (visit.say("bởi ", "by ")) (change.actor) "): "
        (change.reason)
        " " a href={ "#e-" (change.id) } { "↓" }
    }
}

/// The history as a table, for the printable record.
pub(super) fn table(visit: &Visit, lines: &[Line]) -> Markup {
    let lang = visit.lang;
    html! {
        table.data.history {
            (columns(visit, &[
                ("Ngày hiệu lực", "Effective"),
                ("Ghi lúc", "Recorded"),
                ("Người ghi", "By"),
                ("Đơn vị, chức vụ khi đó", "Unit and post then"),
                ("Nội dung", "Fact"),
            ]))
            tbody {
                @for line in lines {
                    tr data-event=(line.id) {
                        td.num { (lang.date(line.effective)) }
                        td { (time(line.recorded_at, lang)) }
                        td { (line.actor) }
                        td { @if let Some(p) = &line.placement { (p) } }
                        td {
                            (line.words)
                            @for change in &line.changed_by {
                                br; em { (change_words(visit, change)) }
                            }
                        }
                    }
                }
            }
        }
    }
}
