//! A person's recorded facts in words, in the visitor's language: what the timeline and
//! the printable record say each event was. Labels come from `domain::vocab`, names of
//! units and programmes from the read model.

use crate::domain::event::{Certificate, Event};
use crate::domain::vocab::Lang;
use crate::domain::{ProgrammeId, SessionId};
use crate::projection::District;

/// What `event` recorded, in a sentence.
pub(super) fn fact(model: &District, event: &Event, lang: Lang) -> String {
    let say = |vi: &str, en: &str| lang.pick(vi, en).to_string();
    match event {
        Event::PersonRegistered(e) => format!(
            "{}: {}, {} {}, {}, {} — {}{}",
            say("Đăng ký hồ sơ", "Registered"),
            e.full_name,
            say("sinh", "born"),
            lang.date(e.birth_date),
            e.category.label(lang),
            e.post,
            model.unit_name(e.unit),
            leader(e.leadership, lang),
        ),
        Event::PersonAssigned(e) => format!(
            "{}: {} — {} ({}){}",
            say("Bố trí công tác", "Assigned"),
            e.post,
            model.unit_name(e.unit),
            e.category.label(lang),
            leader(e.leadership, lang),
        ),
        Event::QualificationRecorded(e) => {
            let mut text = format!(
                "{}: {} — {}",
                say("Văn bằng, chứng chỉ", "Qualification"),
                e.level.track().label(lang),
                e.level.label(lang)
            );
            for detail in [&e.field, &e.institution].into_iter().flatten() {
                text.push_str(&format!(", {detail}"));
            }
            text + &certificate(e.certificate.as_ref(), lang)
        }
        Event::EnrolledInSession(e) => format!(
            "{}: {}",
            say("Ghi danh khóa học", "Enrolled"),
            programme(model, Some(e.programme), e.session, lang)
        ),
        Event::EnrolmentWithdrawn(e) => format!(
            "{}: {} — {}: {}",
            say("Rút khỏi khóa học", "Withdrew"),
            programme(model, None, e.session, lang),
            say("lý do", "reason"),
            e.reason
        ),
        Event::TrainingCompleted(e) => {
            let mut text = format!(
                "{}: {} — {}",
                say("Kết thúc khóa học", "Completed"),
                programme(model, Some(e.programme), e.session, lang),
                e.result.label(lang)
            );
            if let Some(grade) = &e.grade {
                text.push_str(&format!(", {} {grade}", say("xếp loại", "grade")));
            }
            if let Some(level) = e.confers {
                text.push_str(&format!(
                    "; {} {} — {}",
                    say("được công nhận", "confers"),
                    level.track().label(lang),
                    level.label(lang)
                ));
            }
            text + &certificate(e.certificate.as_ref(), lang)
        }
        Event::RotationStarted(e) => {
            let mut text = format!(
                "{} {}: {} — {} ({} {})",
                say("Bắt đầu", "Started"),
                e.kind.label(lang),
                e.to.post,
                model.unit_name(e.to.unit),
                say("quyết định số", "decision no."),
                e.decision_number
            );
            if let Some(end) = e.planned_end {
                text.push_str(&format!(
                    ", {} {}",
                    say("dự kiến đến", "until"),
                    lang.date(end)
                ));
            }
            text
        }
        Event::RotationEnded(e) => format!(
            "{}: {} — {}",
            say("Kết thúc luân chuyển", "Rotation ended"),
            e.outcome.label(lang),
            e.assessment
        ),
        Event::Appraised(e) => {
            let mut text = format!(
                "{} {}: {}",
                say("Đánh giá, xếp loại năm", "Appraisal of"),
                e.year,
                e.classification.label(lang)
            );
            if let Some(score) = e.score {
                text.push_str(&format!(", {} {score}", say("điểm", "score")));
            }
            for item in &e.feedback {
                text.push_str(&format!("; {}: {}", item.channel.label(lang), item.summary));
            }
            text
        }
        Event::PersonSeparated(e) => format!(
            "{}: {}",
            say("Thôi công tác", "Left the service"),
            e.reason.label(lang)
        ),
        Event::EventCorrected(e) => format!(
            "{} ({}: {}) — {}",
            say("Đính chính", "Correction"),
            say("lý do", "reason"),
            e.reason,
            fact(model, &e.replacement.clone().into_event(), lang)
        ),
        Event::EventVoided(e) => format!(
            "{} ({}: {})",
            say("Hủy bỏ một ghi nhận", "Void"),
            say("lý do", "reason"),
            e.reason
        ),
        Event::StaffCodeAssigned(e) => {
            format!("{}: {}", say("Cấp mã cán bộ", "Staff code given"), e.code)
        }
        // Not a person's fact: named by its type.
        other => other.type_name().to_string(),
    }
}

/// ", lãnh đạo" for a leading post.
fn leader(leadership: bool, lang: Lang) -> &'static str {
    if leadership {
        lang.pick(", lãnh đạo, quản lý", ", leadership")
    } else {
        ""
    }
}

/// "; số …, cấp ngày …" for a certificate.
fn certificate(certificate: Option<&Certificate>, lang: Lang) -> String {
    certificate.map_or_else(String::new, |c| {
        format!(
            "; {} {}, {} {}",
            lang.pick("số", "no."),
            c.number,
            lang.pick("cấp ngày", "issued"),
            lang.date(c.issued_on)
        )
    })
}

/// The programme of a session by name, with the session's dates.
fn programme(
    model: &District,
    named: Option<ProgrammeId>,
    session: SessionId,
    lang: Lang,
) -> String {
    let scheduled = model
        .sessions
        .get(&session)
        .and_then(|s| s.scheduled.as_ref());
    let id = named.or(scheduled.map(|s| s.programme));
    let name = id
        .and_then(|p| model.programmes.get(&p))
        .map_or_else(|| session.to_string(), |p| p.name.clone());
    match scheduled {
        Some(s) => format!(
            "{name} ({}–{})",
            lang.date(s.starts_on),
            lang.date(s.ends_on)
        ),
        None => name,
    }
}
