//! Verify on the audit page: the API's `POST /verify` (the same call), against the head the
//! auditor pasted if any, and what it found in words.

use maud::{Markup, html};

use super::super::layout::Problem;
use super::super::session::Visit;
use crate::domain::vocab::Lang;
use crate::http::AppState;
use crate::http::audit::verify_log;
use crate::store::{Head, VerifyReport};

/// The verify form's state: what was pasted, and the refusal of it or the result.
#[derive(Default)]
pub(super) struct Verified {
    pasted: String,
    refusal: Option<&'static str>,
    result: Option<Markup>,
}

/// Verifies the whole log, against `pasted` (`POSITION:HASH`) unless it is empty.
pub(super) async fn run(state: &AppState, lang: Lang, pasted: &str) -> Result<Verified, Problem> {
    let pasted = pasted.trim().to_string();
    let expect = if pasted.is_empty() {
        None
    } else {
        match pasted.parse::<Head>() {
            Ok(head) => Some(head),
            Err(_) => {
                return Ok(Verified {
                    pasted,
                    refusal: Some(lang.pick(
                        "Đầu chuỗi ghi theo dạng VỊ_TRÍ:MÃ_BĂM: một số nguyên, dấu hai chấm, rồi 64 chữ số hệ mười sáu, như ô “Đầu chuỗi” ở trên cho thấy.",
                        "A head is written POSITION:HASH: a whole number, a colon, then 64 hexadecimal digits, as “Chain head” above shows it.",
                    )),
                    result: None,
                });
            }
        }
    };
    let report = verify_log(state, expect).await?;
    Ok(Verified {
        result: Some(result(lang, &report, expect)),
        pasted,
        refusal: None,
    })
}

/// The verify form and, after a check, `#verify-result`.
pub(super) fn section(visit: &Visit, verified: &Verified) -> Markup {
    html! {
        section.card aria-labelledby="verify-title" {
            h2 #verify-title { (visit.say("Kiểm tra toàn vẹn", "Verify")) }
            form method="post" action="/console/audit/verify" {
                (visit.csrf_field())
                div.field {
                    label for="expected_head" { (visit.say("Đầu chuỗi đã ghi lại (không bắt buộc)", "A head written down earlier (optional)")) }
                    input #expected_head type="text" name="expected_head" value=(verified.pasted)
                        autocomplete="off" spellcheck="false" aria-describedby="expected_head-help"
                        aria-invalid=[verified.refusal.map(|_| "true")];
                    p #expected_head-help .help { (visit.say(
                        "Dạng VỊ_TRÍ:MÃ_BĂM, như ô “Đầu chuỗi”, GET /head hoặc “cadre stats” cho thấy. Để trống: chỉ tính lại chuỗi băm.",
                        "POSITION:HASH, as “Chain head”, GET /head or “cadre stats” show it. Empty: only recompute the hash chain.")) }
                    @if let Some(why) = verified.refusal {
                        p #expected_head-refusal .refusal role="alert" { (why) }
                    }
                }
                button type="submit" { (visit.say("Kiểm tra chuỗi", "Verify the chain")) }
            }
            div #verify-result role="status" {
                @if let Some(result) = &verified.result { (result) }
            }
        }
    }
}

/// What verify found, in words: how far the chain is intact, whether it passes through the
/// pasted head, the first fault, damaged saved states.
fn result(lang: Lang, report: &VerifyReport, expect: Option<Head>) -> Markup {
    let count = lang.count(report.events_checked);
    // The walk checked every position before the fault: the pasted head is matched when
    // the fault, if any, comes after it.
    let matched = expect.map(|e| {
        report
            .fault
            .as_ref()
            .is_none_or(|f| f.position > e.position)
    });
    html! {
        @match &report.fault {
            None => p.ok { (lang.pick("Chuỗi nguyên vẹn: đã kiểm tra ", "Verified: "))
                (count) (lang.pick(" sự kiện, chuỗi băm và chỉ mục không bị thay đổi, đến vị trí ", " events checked, hash chain and indexes intact, up to position "))
                (lang.count(report.head.position)) (lang.pick(", đầu chuỗi ", ", head ")) code { (report.head) } "." },
            Some(fault) => p.refusal role="alert" { (lang.pick("Phát hiện lỗi ở vị trí ", "Fault at position "))
                (lang.count(fault.position)) ": " (fault.message) ". "
                (lang.pick("Đã kiểm tra ", "Checked ")) (count) (lang.pick(" sự kiện trước đó; đầu chuỗi tốt cuối cùng ", " events before it; last good head "))
                code { (report.head) } "." },
        }
        @if let (Some(expect), Some(matched)) = (expect, matched) {
            @if matched {
                p.ok { (lang.pick("Khớp với đầu chuỗi đã dán ", "Matches the pasted head ")) code { (expect) }
                    (lang.pick(": nhật ký đến vị trí đó không bị thay đổi.", ": the log up to it is unchanged.")) }
            } @else {
                p.refusal role="alert" { (lang.pick("Không khớp với đầu chuỗi đã dán ", "Does not match the pasted head ")) code { (expect) }
                    (lang.pick(": chuỗi không còn đi qua đầu chuỗi đó — nhật ký đến đó đã bị thay đổi, hoặc đầu chuỗi đã dán sai.",
                        ": the chain does not pass through it — the log up to it was changed, or the pasted head is wrong.")) }
            }
        }
        @for state in &report.damaged_states {
            p.refusal role="alert" { (lang.pick("Trạng thái đã lưu “", "The saved state “")) (state.name)
                (lang.pick("” bị hỏng: ", "” is damaged: ")) (state.message)
                (lang.pick(". Nó sẽ bị bỏ và dựng lại từ nhật ký ở lần mở sau.", ". It is discarded and rebuilt from the log when next opened.")) }
        }
    }
}
