//! The XLSX template of each kind of file, made to be filled in Excel: the headers the
//! import reads (in the chosen language) and the example row on the first sheet, with a
//! drop-down list on every vocabulary column; a notes sheet saying what each column is,
//! whether it is required and how to write it; the lists themselves on a hidden sheet
//! (Excel caps a list typed into a validation at 255 characters, and its items may not
//! hold commas, as `Cán bộ, công chức cấp xã` does).
//!
//! Owns: the template's words and layout. Must not: accept other values than the import
//! does — the lists are the vocabulary's own labels, which the import reads.

use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook, Worksheet, XlsxError};

use super::Kind;
use super::columns::{Column, columns, parse_date};
use crate::domain::vocab::{
    Classification, Gender, GeneralEducationLevel, Lang, MovementKind, PoliticalTheoryLevel,
    ProfessionalLevel, RotationOutcome, SeparationReason, StaffCategory, StateManagementLevel,
    Track, TrainingResult, fold,
};
use crate::spreadsheet::{DATE_FORMAT, excel_date, sheet_name};

/// Rows the drop-down lists and the date format cover, below the header.
const FILLED_ROWS: u32 = 10_000;

fn tr(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The header a column is written with: its first Vietnamese header, or its first
/// English one (the one without diacritics) in English.
pub fn header(column: &Column, lang: Lang) -> &'static str {
    let english = column.headers.iter().find(|h| h.is_ascii());
    match (lang, english) {
        (Lang::En, Some(english)) => english,
        _ => column.headers[0],
    }
}

/// The values of a vocabulary column, as (Vietnamese label, label in `lang`); `None` for
/// a column of free text, dates, numbers or names.
fn choices(kind: Kind, column: &str, lang: Lang) -> Option<Vec<(&'static str, &'static str)>> {
    fn labels<T: Copy>(
        all: &[T],
        label: impl Fn(T, Lang) -> &'static str,
        lang: Lang,
    ) -> Vec<(&'static str, &'static str)> {
        all.iter()
            .map(|v| (label(*v, Lang::Vi), label(*v, lang)))
            .collect()
    }
    Some(match (kind, column) {
        (Kind::People, "gender") => labels(Gender::ALL, Gender::label, lang),
        (Kind::People, "category") => labels(StaffCategory::ALL, StaffCategory::label, lang),
        (Kind::People, "separation_reason") => {
            labels(SeparationReason::ALL, SeparationReason::label, lang)
        }
        (Kind::People, "leadership" | "confirm_duplicate" | "party_member") => vec![
            ("có", tr(lang, "có", "yes")),
            ("không", tr(lang, "không", "no")),
        ],
        (Kind::Qualifications, "track") => labels(Track::ALL, Track::label, lang),
        (Kind::Qualifications, "level") => {
            let mut all = labels(
                GeneralEducationLevel::ALL,
                GeneralEducationLevel::label,
                lang,
            );
            all.extend(labels(
                ProfessionalLevel::ALL,
                ProfessionalLevel::label,
                lang,
            ));
            all.extend(labels(
                PoliticalTheoryLevel::ALL,
                PoliticalTheoryLevel::label,
                lang,
            ));
            all.extend(labels(
                StateManagementLevel::ALL,
                StateManagementLevel::label,
                lang,
            ));
            // `sơ cấp` and `trung cấp` are levels of two tracks: listed once.
            let mut seen = std::collections::HashSet::new();
            all.retain(|(vi, _)| seen.insert(*vi));
            all
        }
        (Kind::Trainings, "result") => labels(TrainingResult::ALL, TrainingResult::label, lang),
        (Kind::Rotations, "kind") => labels(MovementKind::ALL, MovementKind::label, lang),
        (Kind::Rotations, "outcome") => labels(RotationOutcome::ALL, RotationOutcome::label, lang),
        (Kind::Appraisals, "classification") => {
            labels(Classification::ALL, Classification::label, lang)
        }
        _ => return None,
    })
}

/// A label as a clerk writes it at the start of a cell; yes/no stay as they are.
fn capitalised(label: &str) -> String {
    if matches!(label, "có" | "không" | "yes" | "no") {
        return label.to_string();
    }
    let mut chars = label.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What a column holds, in a few words.
fn meaning(column: &str, lang: Lang) -> &'static str {
    let (vi, en) = match column {
        "code" => (
            "Mã cán bộ: gọi tên người trong mọi loại tệp",
            "Staff code: names the person in every kind of file",
        ),
        "full_name" => ("Họ và tên", "Full name"),
        "birth_date" => ("Ngày sinh", "Date of birth"),
        "gender" => ("Giới tính", "Gender"),
        "ethnicity" => ("Dân tộc", "Ethnic group"),
        "category" => ("Đối tượng (loại cán bộ)", "Staff category"),
        "unit" => ("Đơn vị công tác", "The unit they work in"),
        "post" => ("Chức vụ, vị trí việc làm", "Post held"),
        "leadership" => (
            "Có giữ chức vụ lãnh đạo, quản lý không (quyết định chỉ tiêu nào áp dụng)",
            "Whether the post is a leadership post (decides which targets apply)",
        ),
        "party_member" => (
            "Đảng viên Đảng Cộng sản Việt Nam: có hoặc không; để trống là chưa ghi nhận",
            "Member of the Communist Party of Vietnam: yes or no; empty is not recorded",
        ),
        "confirm_duplicate" => (
            "Xác nhận là người khác dù trùng họ tên, ngày sinh và đơn vị với người đã có",
            "Another person, though name, birth date and unit match someone registered",
        ),
        "joined" => (
            "Ngày vào (ngày tuyển dụng): ngày đăng ký cán bộ",
            "The day they joined: the registration's date",
        ),
        "effective_date" => (
            "Ngày sự việc có hiệu lực (với cán bộ đã đăng ký: ngày điều động, bổ nhiệm có hiệu lực)",
            "The day the fact takes effect (for people already registered: the day a move or promotion took effect)",
        ),
        "separated_on" => (
            "Ngày nghỉ việc (cùng với lý do nghỉ)",
            "The day they left (with the reason)",
        ),
        "separation_reason" => (
            "Lý do nghỉ việc (cùng với ngày nghỉ)",
            "Why they left (with the day)",
        ),
        "track" => ("Loại trình độ", "Qualification track"),
        "level" => ("Trình độ trong loại đó", "Level within the track"),
        "field" => ("Chuyên ngành", "Field of study"),
        "institution" => ("Cơ sở đào tạo", "Institution"),
        "certificate_number" => ("Số văn bằng, chứng chỉ", "Certificate number"),
        "issued_on" => (
            "Ngày cấp văn bằng (bắt buộc khi có số văn bằng)",
            "Date the certificate was issued (needed with its number)",
        ),
        "programme" => ("Chương trình đào tạo, bồi dưỡng", "Training programme"),
        "starts_on" => ("Ngày bắt đầu", "First day"),
        "ends_on" => ("Ngày kết thúc", "Last day"),
        "result" => (
            "Kết quả khóa học (để trống khi chưa kết thúc)",
            "Result (empty while it runs)",
        ),
        "grade" => ("Xếp loại học tập", "Grade"),
        "kind" => ("Hình thức", "Kind of movement"),
        "to_unit" => ("Đơn vị đến", "Unit moved to"),
        "to_post" => ("Chức vụ đến", "Post taken up"),
        "decision_number" => ("Số quyết định", "Decision number"),
        "planned_end" => ("Ngày dự kiến kết thúc", "Planned end"),
        "ended_on" => (
            "Ngày kết thúc (cùng với kết quả)",
            "Day it ended (with the outcome)",
        ),
        "outcome" => (
            "Kết quả (cùng với ngày kết thúc)",
            "Outcome (with the day it ended)",
        ),
        "assessment" => ("Nhận xét, đánh giá", "Assessment"),
        "year" => ("Năm đánh giá", "Year appraised"),
        "classification" => ("Xếp loại chất lượng", "Classification"),
        "score" => ("Điểm (0–100)", "Score (0–100)"),
        "capacity" => (
            "Số chỗ của lớp: đặt cho lớp mới, hoặc tăng cho lớp đã có",
            "The session's seats: set for a new session, or raised for one already recorded",
        ),
        _ => ("", ""),
    };
    tr(lang, vi, en)
}

/// How a column is written: a date, a number, a name of something registered, one of a
/// list, or text.
fn form(kind: Kind, column: &Column, lang: Lang) -> String {
    if let Some(values) = choices(kind, column.name, lang) {
        let values: Vec<String> = values.iter().map(|(_, l)| capitalised(l)).collect();
        let list = values.join("; ");
        return match lang {
            Lang::Vi => format!("Chọn trong danh sách: {list}"),
            Lang::En => format!("Pick from the list: {list}"),
        };
    }
    let form = match column.name {
        _ if is_date(column) => (
            "Ngày, dạng dd/mm/yyyy (hoặc ô ngày của Excel)",
            "A date, dd/mm/yyyy (or an Excel date cell)",
        ),
        "year" | "score" | "capacity" => ("Số nguyên", "A whole number"),
        "unit" | "to_unit" => (
            "Mã hoặc tên một đơn vị đã đăng ký",
            "The code or name of a registered unit",
        ),
        "programme" => (
            "Tên (hoặc mã định danh) một chương trình đã đăng ký",
            "The name (or id) of a registered programme",
        ),
        _ => ("Chữ", "Text"),
    };
    tr(lang, form.0, form.1).to_string()
}

/// Whether a column holds dates: its example is one, or it is a people row's edit date
/// (left empty in the example, which registers someone).
fn is_date(column: &Column) -> bool {
    parse_date(column.example).is_some() || matches!(column.name, "effective_date" | "separated_on")
}

/// The example of a column in `lang`: a vocabulary value by its label there.
fn example(kind: Kind, column: &Column, lang: Lang) -> String {
    let key = fold(column.example);
    choices(kind, column.name, lang)
        .and_then(|values| values.into_iter().find(|(vi, _)| fold(vi) == key))
        .map_or_else(|| column.example.to_string(), |(_, l)| capitalised(l))
}

/// The template of `kind` as an XLSX workbook in `lang`.
pub fn xlsx(kind: Kind, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let columns = columns(kind);
    let lists = sheet_name(tr(lang, "Danh mục", "Lists"));
    let data = workbook.add_worksheet();
    data.set_name(sheet_name(tr(lang, "Dữ liệu", "Data")))?;
    data_sheet(data, kind, columns, lang, &lists)?;
    notes_sheet(workbook.add_worksheet(), kind, columns, lang)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name(&lists)?.set_hidden(true);
    for (c, column) in columns.iter().enumerate() {
        let Some(values) = choices(kind, column.name, lang) else {
            continue;
        };
        sheet.write_string(0, c as u16, header(column, lang))?;
        for (r, (_, label)) in values.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, capitalised(label))?;
        }
    }
    workbook.save_to_buffer()
}

/// The first sheet, which the import reads: headers, the example row, lists and formats.
fn data_sheet(
    sheet: &mut Worksheet,
    kind: Kind,
    columns: &[Column],
    lang: Lang,
    lists: &str,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format(DATE_FORMAT);
    for (c, column) in columns.iter().enumerate() {
        let col = c as u16;
        let title = header(column, lang);
        sheet.write_string_with_format(0, col, title, &bold)?;
        let example = example(kind, column, lang);
        if is_date(column) {
            sheet.set_column_format(col, &date)?;
        }
        match parse_date(column.example).and_then(excel_date) {
            Some(day) => {
                sheet.write_date_with_format(1, col, day, &date)?;
            }
            None => {
                sheet.write_string(1, col, &example)?;
            }
        }
        let widest = title.chars().count().max(example.chars().count());
        sheet.set_column_width(col, (widest + 4).min(40) as f64)?;
        if let Some(values) = choices(kind, column.name, lang) {
            let letter = column_letter(col);
            let range = format!("='{lists}'!${letter}$2:${letter}${}", values.len() + 1);
            let validation = DataValidation::new()
                .allow_list_formula(Formula::new(range))
                .set_error_title(title)?
                .set_error_message(tr(
                    lang,
                    "Chọn một giá trị trong danh sách (xem trang Hướng dẫn).",
                    "Pick a value from the list (see the Notes sheet).",
                ))?;
            sheet.add_data_validation(1, col, FILLED_ROWS, col, &validation)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, 1, columns.len().saturating_sub(1) as u16)?;
    Ok(())
}

/// The notes sheet: one row per column — header, required, what it is, how to write it,
/// the example, the other headers it is known by.
fn notes_sheet(
    sheet: &mut Worksheet,
    kind: Kind,
    columns: &[Column],
    lang: Lang,
) -> Result<(), XlsxError> {
    sheet.set_name(sheet_name(tr(lang, "Hướng dẫn", "Notes")))?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let titles = match lang {
        Lang::Vi => [
            "Cột",
            "Bắt buộc",
            "Nội dung",
            "Cách ghi",
            "Ví dụ",
            "Tiêu đề khác được nhận",
        ],
        Lang::En => [
            "Column",
            "Required",
            "What it is",
            "How to write it",
            "Example",
            "Other headers read",
        ],
    };
    for (c, title) in titles.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *title, &bold)?;
    }
    for (r, column) in columns.iter().enumerate() {
        let row = r as u32 + 1;
        let required = match (column.required, lang) {
            (true, Lang::Vi) => "có",
            (false, Lang::Vi) => "không",
            (true, Lang::En) => "yes",
            (false, Lang::En) => "no",
        };
        let others: Vec<&str> = column
            .headers
            .iter()
            .copied()
            .filter(|h| *h != header(column, lang))
            .collect();
        sheet.write_string_with_format(row, 0, header(column, lang), &bold)?;
        sheet.write_string(row, 1, required)?;
        sheet.write_string_with_format(row, 2, meaning(column.name, lang), &wrap)?;
        sheet.write_string_with_format(row, 3, form(kind, column, lang), &wrap)?;
        sheet.write_string(row, 4, example(kind, column, lang))?;
        sheet.write_string_with_format(row, 5, others.join(", "), &wrap)?;
    }
    for (c, width) in [22, 10, 45, 50, 28, 40].into_iter().enumerate() {
        sheet.set_column_width(c as u16, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The letters of a 0-based column (0 → A, 26 → AA).
fn column_letter(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_of_a_list_column_is_in_its_list() {
        for kind in [
            Kind::People,
            Kind::Qualifications,
            Kind::Trainings,
            Kind::Rotations,
            Kind::Appraisals,
        ] {
            for column in columns(kind) {
                for lang in [Lang::Vi, Lang::En] {
                    if let Some(values) = choices(kind, column.name, lang) {
                        let example = example(kind, column, lang);
                        assert!(
                            example.is_empty()
                                || values.iter().any(|(_, l)| capitalised(l) == example),
                            "{}: {example}",
                            column.name
                        );
                    }
                }
                assert!(
                    !meaning(column.name, Lang::Vi).is_empty(),
                    "{}",
                    column.name
                );
            }
        }
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }
}
