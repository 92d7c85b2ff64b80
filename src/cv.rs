//! Sơ yếu lý lịch (Mẫu 2C-BNV/2008): one person's record in the standard layout of a
//! civil servant's CV, filled from the ledger, as HTML to print (A4 portrait) and as XLSX
//! (one sheet laid out like the form).
//!
//! Filled: identity (name, birth date, gender, ethnicity, staff code), the current unit
//! and post, the level held in each track (as `cadre status` shows it), the training
//! table (qualifications recorded, and programmes completed with a pass), the work
//! history (periods between registration, assignments, movements and separation) and
//! the yearly appraisals. Every other field of the form is left as a dotted line to be
//! filled by hand: a value the ledger does not hold is never made up.
//!
//! Owns: the form's fields and tables and writing them out. Must not: decide anything,
//! or read anything but the person's own stream (corrections and voids applied) and the
//! reference data of the district model. No clock: the same log gives the same bytes.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError,
};

use crate::domain::event::Placement;
use crate::domain::person::{Change, Entry, Fact, Timeline};
use crate::domain::vocab::{Lang, MovementKind, Track, TrainingResult};
use crate::domain::{Event, EventId, PersonId};
use crate::projection::{District, ProjectionError, person_events};
use crate::store::Store;

/// What the form shows where the ledger holds nothing: a line to fill by hand.
pub const BLANK: &str = "……………………";

/// One line of the form's numbered fields: its parts, each a label and a value (`None`:
/// not recorded, printed as [`BLANK`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line(pub Vec<(&'static str, Option<String>)>);

/// The filled form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cv {
    /// The log position the record reflects (printed in the footer).
    pub position: u64,
    /// The date of the person's latest fact in force: the workbook's creation date, so
    /// that the same log gives the same bytes.
    pub latest: NaiveDate,
    pub staff_code: Option<String>,
    pub full_name: String,
    pub lines: Vec<Line>,
    /// School, field, from–to, mode, diploma.
    pub training: Vec<[Option<String>; 5]>,
    /// From–to, then post and unit.
    pub work: Vec<[String; 2]>,
    /// Year, then the classification (and score where the scheme has one).
    pub appraisals: Vec<[String; 2]>,
}

/// The training table's headers, as the form words them.
pub const TRAINING_HEADERS: [&str; 5] = [
    "Tên trường",
    "Chuyên ngành đào tạo, bồi dưỡng",
    "Từ tháng, năm – đến tháng, năm",
    "Hình thức đào tạo",
    "Văn bằng, chứng chỉ, trình độ gì",
];

/// The work history's headers.
pub const WORK_HEADERS: [&str; 2] = [
    "Từ tháng, năm đến tháng, năm",
    "Chức danh, chức vụ, đơn vị công tác",
];

/// The appraisals' headers.
pub const APPRAISAL_HEADERS: [&str; 2] = ["Năm", "Kết quả đánh giá, phân loại"];

const MOTTO: [&str; 2] = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
];
const TITLE: &str = "SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC";
const FORM: &str = "Mẫu 2C-BNV/2008";
const TRAINING_TITLE: &str =
    "27) ĐÀO TẠO, BỒI DƯỠNG VỀ CHUYÊN MÔN, NGHIỆP VỤ, LÝ LUẬN CHÍNH TRỊ, NGOẠI NGỮ, TIN HỌC";
const WORK_TITLE: &str = "28) TÓM TẮT QUÁ TRÌNH CÔNG TÁC";
const APPRAISAL_TITLE: &str = "32) KẾT QUẢ ĐÁNH GIÁ, PHÂN LOẠI HẰNG NĂM";
const SIGNATURES: [&str; 2] = [
    "Người khai\nTôi xin cam đoan những lời khai trên đây là đúng sự thật\n(Ký tên, ghi rõ họ tên)",
    "…, ngày … tháng … năm …\nThủ trưởng cơ quan, đơn vị quản lý và sử dụng CBCC\n(Ký tên, đóng dấu)",
];

/// The record of `person` as recorded up to position `upto`, with reference names from
/// `model`; `None` when the person's stream holds no registration by then.
pub fn build(
    store: &Store,
    model: &District,
    person: PersonId,
    upto: u64,
) -> Result<Option<Cv>, ProjectionError> {
    let facts = person_events(store, person, upto)?;
    Ok(of_facts(model, &facts, upto))
}

/// The record folded from a person's facts.
fn of_facts(model: &District, facts: &[Fact], position: u64) -> Option<Cv> {
    let mut timeline = Timeline::default();
    for fact in facts {
        timeline.apply(fact.id, &fact.event);
    }
    let view = timeline.view(None)?;
    let events = in_force(facts);
    let level = |track: Track| {
        view.status.get(&track).map(|e| {
            let label = e.level.label(Lang::Vi).to_string();
            match events.get(&e.event) {
                Some(Event::QualificationRecorded(q)) => match &q.field {
                    Some(field) => format!("{label}, chuyên ngành {field}"),
                    None => label,
                },
                _ => label,
            }
        })
    };
    let unit = model.unit_name(view.placement.unit);
    let birth = view.birth_date.format("%d tháng %m năm %Y").to_string();
    let none = || None;
    let lines = vec![
        Line(vec![("Cơ quan, đơn vị có thẩm quyền quản lý CBCC", none())]),
        Line(vec![("Cơ quan, đơn vị sử dụng CBCC", Some(unit.clone()))]),
        Line(vec![(
            "Số hiệu cán bộ, công chức",
            view.staff_code.as_ref().map(ToString::to_string),
        )]),
        Line(vec![(
            "1) Họ và tên khai sinh (viết chữ in hoa)",
            Some(view.full_name.to_uppercase()),
        )]),
        Line(vec![("2) Tên gọi khác", none())]),
        Line(vec![
            ("3) Sinh ngày", Some(birth)),
            (
                "Giới tính (nam, nữ)",
                Some(view.gender.label(Lang::Vi).to_string()),
            ),
        ]),
        Line(vec![("4) Nơi sinh", none())]),
        Line(vec![("5) Quê quán", none())]),
        Line(vec![
            ("6) Dân tộc", Some(view.ethnicity.clone())),
            ("7) Tôn giáo", none()),
        ]),
        Line(vec![("8) Nơi đăng ký hộ khẩu thường trú", none())]),
        Line(vec![("9) Nơi ở hiện nay", none())]),
        Line(vec![("10) Nghề nghiệp khi được tuyển dụng", none())]),
        Line(vec![
            ("11) Ngày tuyển dụng", none()),
            ("Cơ quan tuyển dụng", none()),
        ]),
        Line(vec![(
            "12) Chức vụ (chức danh) hiện tại",
            Some(format!("{}, {unit}", view.placement.post)),
        )]),
        Line(vec![("13) Công việc chính được giao", none())]),
        Line(vec![
            ("14) Ngạch công chức (viên chức)", none()),
            ("Mã ngạch", none()),
            ("Bậc lương", none()),
            ("Hệ số", none()),
        ]),
        Line(vec![(
            "15.1- Trình độ giáo dục phổ thông",
            level(Track::GeneralEducation),
        )]),
        Line(vec![(
            "15.2- Trình độ chuyên môn cao nhất",
            level(Track::Professional),
        )]),
        Line(vec![
            ("15.3- Lý luận chính trị", level(Track::PoliticalTheory)),
            ("15.4- Quản lý nhà nước", level(Track::StateManagement)),
        ]),
        Line(vec![("15.5- Ngoại ngữ", none()), ("15.6- Tin học", none())]),
        Line(vec![
            ("16) Ngày vào Đảng Cộng sản Việt Nam", none()),
            ("Ngày chính thức", none()),
        ]),
        Line(vec![(
            "17) Ngày tham gia tổ chức chính trị - xã hội",
            none(),
        )]),
        Line(vec![
            ("18) Ngày nhập ngũ", none()),
            ("Ngày xuất ngũ", none()),
            ("Quân hàm cao nhất", none()),
        ]),
        Line(vec![("19) Danh hiệu được phong tặng cao nhất", none())]),
        Line(vec![("20) Sở trường công tác", none())]),
        Line(vec![("21) Khen thưởng", none()), ("22) Kỷ luật", none())]),
        Line(vec![("23) Tình trạng sức khỏe", none())]),
        Line(vec![
            ("24) Là thương binh hạng", none()),
            ("Là con gia đình chính sách", none()),
        ]),
        Line(vec![
            ("25) Số chứng minh nhân dân", none()),
            ("26) Số sổ BHXH", none()),
        ]),
    ];
    let entries = timeline.effective(None);
    Some(Cv {
        position,
        latest: entries.last().map_or(view.registered_on, |e| e.date),
        staff_code: view.staff_code.as_ref().map(ToString::to_string),
        full_name: view.full_name.clone(),
        lines,
        training: training(model, &entries, &events),
        work: work(model, &entries),
        appraisals: view
            .appraisals
            .iter()
            .map(|(year, a)| {
                let label = a.classification.label(Lang::Vi);
                let text = match a.score {
                    Some(score) => format!("{label} ({score} điểm)"),
                    None => label.to_string(),
                };
                [year.to_string(), text]
            })
            .collect(),
    })
}

/// Each fact's event as it stands: the replacement where one was corrected, voided ones
/// left out.
fn in_force(facts: &[Fact]) -> BTreeMap<EventId, Event> {
    let mut events = BTreeMap::new();
    for fact in facts {
        match &fact.event {
            Event::EventCorrected(c) => {
                events.insert(c.corrects, c.replacement.clone().into_event());
            }
            Event::EventVoided(v) => {
                events.remove(&v.voids);
            }
            event => {
                events.insert(fact.id, event.clone());
            }
        }
    }
    events
}

fn month(date: NaiveDate) -> String {
    date.format("%m/%Y").to_string()
}

/// One row per qualification recorded and per programme completed with a pass, in
/// date order.
fn training(
    model: &District,
    entries: &[&Entry],
    events: &BTreeMap<EventId, Event>,
) -> Vec<[Option<String>; 5]> {
    entries
        .iter()
        .filter_map(|entry| match events.get(&entry.id)? {
            Event::QualificationRecorded(q) => Some([
                q.institution.clone(),
                q.field.clone(),
                // The diploma's date where one is recorded: the fact's own date may be
                // the day the personnel file was entered.
                Some(format!(
                    "{BLANK} – {}",
                    month(
                        q.certificate
                            .as_ref()
                            .map_or(q.effective_date, |c| c.issued_on)
                    )
                )),
                None,
                Some(match &q.certificate {
                    Some(c) => format!("{} (số {})", q.level.label(Lang::Vi), c.number),
                    None => q.level.label(Lang::Vi).to_string(),
                }),
            ]),
            Event::TrainingCompleted(t) if t.result == TrainingResult::Passed => {
                let programme = model.programmes.get(&t.programme);
                let session = model
                    .sessions
                    .get(&t.session)
                    .and_then(|s| s.scheduled.as_ref());
                let diploma = match (t.confers, &t.certificate) {
                    (Some(level), _) => level.label(Lang::Vi).to_string(),
                    (None, Some(c)) => format!("chứng chỉ số {}", c.number),
                    (None, None) => t.result.label(Lang::Vi).to_string(),
                };
                Some([
                    programme.map(|p| p.provider.clone()),
                    programme.map(|p| p.name.clone()),
                    session.map(|s| format!("{} – {}", month(s.starts_on), month(s.ends_on))),
                    programme.map(|p| {
                        if p.in_province {
                            "trong tỉnh"
                        } else {
                            "ngoài tỉnh"
                        }
                        .to_string()
                    }),
                    Some(diploma),
                ])
            }
            _ => None,
        })
        .collect()
}

/// A period of service: from, to (`None`: still running), post and unit.
type Period = (NaiveDate, Option<NaiveDate>, String);

/// Ends the running period on `date` and, with `next`, starts another.
fn turn(periods: &mut Vec<Period>, date: NaiveDate, next: Option<String>) {
    if let Some((_, end @ None, _)) = periods.last_mut() {
        *end = Some(date);
    }
    periods.extend(next.map(|what| (date, None, what)));
}

/// The periods of service: from the registration, a new one at each assignment, movement
/// and return from a rotation or secondment, until the separation or "nay" (now).
fn work(model: &District, entries: &[&Entry]) -> Vec<[String; 2]> {
    let place = |p: &Placement| format!("{}, {}", p.post, model.unit_name(p.unit));
    let mut periods = Vec::new();
    // Where each rotation or secondment started from: its end returns there.
    let mut returns: BTreeMap<EventId, Placement> = BTreeMap::new();
    for entry in entries {
        let next = match &entry.change {
            Change::Registered(r) => Some(format!("{}, {}", r.post, model.unit_name(r.unit))),
            Change::Assigned { unit, post, .. } => {
                Some(format!("{post}, {}", model.unit_name(*unit)))
            }
            Change::RotationStarted(m) => {
                if m.kind != MovementKind::Transfer {
                    returns.insert(entry.id, m.from.clone());
                }
                Some(format!("{} ({})", place(&m.to), m.kind.label(Lang::Vi)))
            }
            Change::RotationEnded { rotation, .. } => match returns.get(rotation) {
                Some(from) => Some(place(from)),
                // A transfer's end keeps the post it moved the person to.
                None => continue,
            },
            Change::Separated(_) => None,
            _ => continue,
        };
        turn(&mut periods, entry.date, next);
    }
    periods
        .into_iter()
        .map(|(from, to, what)| {
            let to = to.map_or_else(|| "nay".to_string(), month);
            [format!("{} – {to}", month(from)), what]
        })
        .collect()
}

/// A value as the form prints it: the value, or the line to fill by hand.
fn shown(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or(BLANK)
}

/// One of the form's tables, as printed: a dotted line wherever the ledger holds nothing.
struct Table<'a> {
    title: &'static str,
    headers: &'static [&'static str],
    rows: Vec<Vec<&'a str>>,
}

/// The training table, the work history and the appraisals.
fn tables(cv: &Cv) -> [Table<'_>; 3] {
    [
        Table {
            title: TRAINING_TITLE,
            headers: &TRAINING_HEADERS,
            rows: cv
                .training
                .iter()
                .map(|row| row.iter().map(shown).collect())
                .collect(),
        },
        Table {
            title: WORK_TITLE,
            headers: &WORK_HEADERS,
            rows: texts(&cv.work),
        },
        Table {
            title: APPRAISAL_TITLE,
            headers: &APPRAISAL_HEADERS,
            rows: texts(&cv.appraisals),
        },
    ]
}

fn texts<const N: usize>(rows: &[[String; N]]) -> Vec<Vec<&str>> {
    rows.iter()
        .map(|row| row.iter().map(String::as_str).collect())
        .collect()
}

/// A table as HTML, every cell escaped.
fn html_table(out: &mut String, table: &Table) {
    out.push_str(&format!(
        "<h2>{}</h2>\n<table>\n<tr>",
        crate::report::escape(table.title)
    ));
    for header in table.headers {
        out.push_str(&format!("<th>{}</th>", crate::report::escape(header)));
    }
    out.push_str("</tr>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{}</td>", crate::report::escape(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

const STYLE: &str = "@page { size: A4 portrait; margin: 15mm 15mm 15mm 20mm; }
body { font-family: 'Times New Roman', serif; font-size: 12pt; margin: 0; }
.motto { text-align: center; font-weight: bold; margin: 0; }
.motto + .motto { text-decoration: underline; margin-bottom: 8pt; }
.form { text-align: right; font-style: italic; margin: 0; }
h1 { text-align: center; font-size: 14pt; margin: 10pt 0; }
h2 { font-size: 12pt; margin: 12pt 0 4pt; }
p.field { margin: 2pt 0; }
table { width: 100%; border-collapse: collapse; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 2pt 4pt; vertical-align: top; font-size: 11pt; }
.signatures { display: flex; justify-content: space-between; margin-top: 18pt; text-align: center; }
.signatures p { width: 45%; white-space: pre-line; margin: 0; }
footer { margin-top: 18pt; font-size: 8pt; color: #555; }
";

/// The record as an HTML page to print on A4 portrait.
pub fn html(cv: &Cv) -> String {
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(&format!(
        "<title>{} – {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        crate::report::escape(TITLE),
        crate::report::escape(&cv.full_name)
    ));
    out.push_str(&format!("<p class=\"form\">{FORM}</p>\n"));
    for motto in MOTTO {
        out.push_str(&format!("<p class=\"motto\">{motto}</p>\n"));
    }
    out.push_str(&format!("<h1>{TITLE}</h1>\n"));
    for Line(parts) in &cv.lines {
        let parts: Vec<String> = parts
            .iter()
            .map(|(label, value)| {
                format!(
                    "{}: {}",
                    crate::report::escape(label),
                    crate::report::escape(shown(value))
                )
            })
            .collect();
        out.push_str(&format!("<p class=\"field\">{}</p>\n", parts.join(", ")));
    }
    for table in tables(cv) {
        html_table(&mut out, &table);
    }
    out.push_str("<div class=\"signatures\">\n");
    for signature in SIGNATURES {
        out.push_str(&format!("<p>{signature}</p>\n"));
    }
    out.push_str(&format!(
        "</div>\n<footer>{}</footer>\n</body>\n</html>\n",
        crate::report::escape(&footer(cv))
    ));
    out
}

/// What ties the printed page to the log.
fn footer(cv: &Cv) -> String {
    let who = cv.staff_code.as_deref().unwrap_or("");
    format!("cadre: {who}, theo sổ đến vị trí {}", cv.position)
}

/// The record as one XLSX sheet laid out like the form, set up to print on A4 portrait.
pub fn xlsx(cv: &Cv) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        u16::try_from(cv.latest.year()).unwrap_or(1900),
        cv.latest.month() as u8,
        cv.latest.day() as u8,
    )?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(TITLE)
            .set_creation_datetime(&created),
    );
    let sheet = workbook.add_worksheet();
    sheet.set_name("Sơ yếu lý lịch")?;
    sheet.set_paper_size(9); // A4
    sheet.set_portrait();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_margins(0.6, 0.5, 0.6, 0.6, 0.3, 0.3);
    let bold = Format::new().set_bold();
    let centre = Format::new().set_bold().set_align(FormatAlign::Center);
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let header = cell.clone().set_bold();
    for (c, width) in [28.0, 28.0, 20.0, 14.0, 22.0].into_iter().enumerate() {
        sheet.set_column_width(c as u16, width)?;
    }
    let mut row = 0;
    sheet.write_string(row, 4, FORM)?;
    row += 1;
    for text in MOTTO.into_iter().chain([TITLE]) {
        sheet.merge_range(row, 0, row, 4, text, &centre)?;
        row += 1;
    }
    row += 1;
    // A field to a row: its label, then its value across the other columns.
    let value = Format::new();
    for (label, text) in cv.lines.iter().flat_map(|Line(parts)| parts) {
        sheet.write_string(row, 0, format!("{label}:"))?;
        sheet.merge_range(row, 1, row, 4, shown(text), &value)?;
        row += 1;
    }
    for Table {
        title,
        headers,
        rows,
    } in tables(cv)
    {
        row += 1;
        sheet.write_string_with_format(row, 0, title, &bold)?;
        row += 1;
        for (c, text) in headers.iter().enumerate() {
            sheet.write_string_with_format(row, c as u16, *text, &header)?;
        }
        row += 1;
        for cells in rows {
            for (c, text) in cells.iter().enumerate() {
                sheet.write_string_with_format(row, c as u16, *text, &cell)?;
            }
            row += 1;
        }
    }
    row += 1;
    for (c, signature) in SIGNATURES.into_iter().enumerate() {
        sheet.write_string(row, (c * 3) as u16, signature)?;
    }
    sheet.write_string(row + 2, 0, footer(cv))?;
    workbook.save_to_buffer()
}
