//! The yearly appraisal with its feedback items (rows of a channel and what was said),
//! also the form that corrects it.

use axum::Router;
use maud::{Markup, html};

use super::{Kind, On, Sheet, Values, person_form, typed, values};
use crate::domain::command::Appraise;
use crate::domain::event::{Appraised, Correction, Event, FeedbackItem};
use crate::domain::vocab::{Classification, FeedbackChannel, Lang};
use crate::domain::{Command, PersonId};
use crate::http::AppState;
use crate::projection::District;

pub(super) fn routes() -> Router<AppState> {
    Router::new().merge(person_form("appraisal", &Appraisal))
}

/// Feedback rows a form offers at least (one per channel); a recorded appraisal with more
/// items gets one empty row besides them.
const ROWS: usize = 4;

fn channel(row: usize) -> String {
    format!("feedback_channel_{row}")
}

fn summary(row: usize) -> String {
    format!("feedback_summary_{row}")
}

/// How many rows the sheet shows: those filled in and an empty one, at least [`ROWS`].
fn rows(sheet: &Sheet) -> usize {
    let filled = (0..)
        .take_while(|&row| {
            !sheet.value(&channel(row)).is_empty() || !sheet.value(&summary(row)).is_empty()
        })
        .count();
    (filled + 1).max(ROWS)
}

/// The filled rows as items; a row with words but no channel is refused beside it.
fn feedback(sheet: &Sheet) -> Option<Vec<FeedbackItem>> {
    let mut items = Some(Vec::new());
    for row in 0..rows(sheet) {
        let (name, said) = (channel(row), sheet.text(&summary(row)));
        if sheet.value(&name).is_empty() && said.is_empty() {
            continue;
        }
        let item = sheet
            .choice::<FeedbackChannel>(&name)
            .map(|channel| FeedbackItem {
                channel,
                summary: said,
            });
        items = items.zip(item).map(|(mut items, item)| {
            items.push(item);
            items
        });
    }
    items
}

pub(super) struct Appraisal;

impl Kind for Appraisal {
    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("Ghi đánh giá, xếp loại", "Record an appraisal")
    }

    fn fields(&self, sheet: &Sheet, _: &On<'_>) -> Markup {
        html! {
            (sheet.number_field("year", sheet.say("Năm đánh giá", "Year")))
            (sheet.vocab_field::<Classification>("classification", sheet.say("Xếp loại", "Classification")))
            (sheet.number_field("score", sheet.say("Điểm (nếu có, trên 100)", "Score (if any, out of 100)")))
            fieldset #feedback {
                legend { (sheet.say("Ý kiến nhận xét", "Feedback")) }
                @for row in 0..rows(sheet) {
                    div.feedback-row {
                        (sheet.vocab_field::<FeedbackChannel>(&channel(row), sheet.say("Kênh", "Channel")))
                        (sheet.text_field(&summary(row), sheet.say("Nội dung", "What was said")))
                    }
                }
                (sheet.refusal_of("feedback_summary"))
            }
            (sheet.date_field("effective_date", sheet.say("Ngày đánh giá", "Appraised on")))
        }
    }

    fn command(&self, sheet: &Sheet, person: PersonId) -> Option<Command> {
        let year = sheet.number("year");
        let classification = sheet.choice("classification");
        let score = sheet.optional_number("score");
        let feedback = feedback(sheet);
        let date = sheet.date("effective_date");
        Some(
            Appraise {
                person,
                year: year?,
                classification: classification?,
                score: score?,
                feedback: feedback?,
                effective_date: date?,
            }
            .into(),
        )
    }

    fn values(&self, event: &Event) -> Values {
        let Event::Appraised(e) = event else {
            return Values::new();
        };
        let mut sheet = values([
            ("year", e.year.to_string()),
            ("classification", e.classification.code().to_string()),
            ("score", e.score.map(|s| s.to_string()).unwrap_or_default()),
            ("effective_date", typed(e.effective_date)),
        ]);
        for (row, item) in e.feedback.iter().enumerate() {
            sheet.insert(channel(row), item.channel.code().to_string());
            sheet.insert(summary(row), item.summary.clone());
        }
        sheet
    }

    fn replacement(&self, command: Command, original: &Event, _: &District) -> Option<Correction> {
        let (Command::Appraise(c), Event::Appraised(old)) = (command, original) else {
            return None;
        };
        Some(Correction::Appraised(Appraised {
            person: c.person,
            year: c.year,
            classification: c.classification,
            feedback: c.feedback,
            at: old.at.clone(),
            effective_date: c.effective_date,
            score: c.score,
        }))
    }
}
