//! What an import says about a file, in Vietnamese or English: the words of each problem,
//! the one line a problem is printed as, and what exactly is wrong with a date that does
//! not exist. Builds text only: `headers` and `columns` find the problems.

use chrono::NaiveDate;

use super::RowError;
use crate::dates::DateError;
use crate::domain::vocab::{Lang, QualificationLevel, SeparationReason, Track, Vocabulary};

/// A message in both languages; the import keeps the one it was asked for.
#[derive(Debug, Clone)]
pub struct Words {
    vi: String,
    en: String,
}

impl Words {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Words {
        Words {
            vi: vi.into(),
            en: en.into(),
        }
    }

    pub fn say(self, lang: Lang) -> String {
        match lang {
            Lang::Vi => self.vi,
            Lang::En => self.en,
        }
    }
}

/// Text that reads the same in both languages (or has no translation yet).
impl From<&str> for Words {
    fn from(text: &str) -> Words {
        Words::new(text, text)
    }
}

impl From<String> for Words {
    fn from(text: String) -> Words {
        Words::new(text.clone(), text)
    }
}

/// `"a", "b", "c"`: what may be written, each quoted as the clerk would type it.
pub fn quoted<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|s| format!("\"{}\"", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl RowError {
    /// The problem as one line: row as the spreadsheet numbers it, the column by its header
    /// in the file, the value found, and what is wrong or expected.
    pub fn line(&self, lang: Lang) -> String {
        let row = match lang {
            Lang::Vi => format!("Dòng {}", self.row),
            Lang::En => format!("Row {}", self.row),
        };
        let column = match (self.column.is_empty(), lang) {
            (true, _) => String::new(),
            (false, Lang::Vi) => format!(", cột \"{}\"", self.column),
            (false, Lang::En) => format!(", column \"{}\"", self.column),
        };
        match self.value.as_str() {
            "" => format!("{row}{column} — {}", self.why),
            value => format!("{row}{column}: \"{value}\" — {}", self.why),
        }
    }
}

/// The line before the list of problems.
pub fn refused(problems: usize, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!("{problems} lỗi trong tệp; chưa nhập gì:"),
        Lang::En => format!("{problems} problem(s) in the file; nothing was imported:"),
    }
}

pub fn empty() -> Words {
    Words::new(
        "ô trống; cột này phải có giá trị",
        "is empty; this column must be filled in",
    )
}

pub fn not_a_number() -> Words {
    Words::new(
        "không phải số nguyên hợp lệ",
        "is not a whole number in range",
    )
}

pub fn not_yes_no() -> Words {
    Words::new(
        "ghi \"có\" hoặc \"không\" (hoặc để trống)",
        "write \"yes\" or \"no\" (or leave it empty)",
    )
}

pub fn no_unit() -> Words {
    Words::new(
        "không có đơn vị nào đã đăng ký với mã hay tên này",
        "names no registered unit (by code or name)",
    )
}

/// A value outside a vocabulary: the labels it accepts, in each language.
pub fn not_one_of<T: Vocabulary>() -> Words {
    let labels = |lang| quoted(T::all().iter().map(|v| v.label(lang)));
    Words::new(
        format!(
            "không có trong danh sách; ghi một trong: {}",
            labels(Lang::Vi)
        ),
        format!("is not in the list; write one of: {}", labels(Lang::En)),
    )
}

/// A level that is not one of its track's.
pub fn not_a_level(track: Track) -> Words {
    let labels = |lang| quoted(QualificationLevel::labels(track, lang));
    Words::new(
        format!(
            "không phải trình độ {}; ghi một trong: {}",
            track.label(Lang::Vi),
            labels(Lang::Vi)
        ),
        format!(
            "is not a level of {}; write one of: {}",
            track.label(Lang::En),
            labels(Lang::En)
        ),
    )
}

/// `Tin học` written as a qualification track: IT is a training programme's category.
pub fn information_technology_is_a_programme() -> Words {
    Words::new(
        "tin học không phải loại trình độ: chứng chỉ tin học ghi vào tệp đào tạo (trainings), \
         theo chương trình thuộc loại \"tin học\"",
        "information technology is not a qualification track: record an IT certificate in a \
         trainings file, under a programme of the category \"information technology\"",
    )
}

pub fn certificate_needs_date() -> Words {
    Words::new(
        "có số văn bằng thì phải có ngày cấp",
        "a certificate number needs its issue date",
    )
}

pub fn ended_needs_outcome() -> Words {
    Words::new(
        "đã có ngày kết thúc thì phải có kết quả",
        "an ended rotation needs its outcome",
    )
}

pub fn outcome_needs_end() -> Words {
    Words::new(
        "đã có kết quả thì phải có ngày kết thúc",
        "an outcome needs the date the rotation ended",
    )
}

pub fn repeats(first: usize) -> Words {
    Words::new(
        format!("trùng với dòng {first}"),
        format!("repeats row {first}"),
    )
}

pub fn not_registered() -> Words {
    Words::new(
        "chưa có cán bộ nào đăng ký với mã này (nhập danh sách cán bộ trước)",
        "no person with this code is registered (import people first)",
    )
}

/// A registration row like someone registered before: name, birth date and unit.
pub fn looks_like_person(code: Option<&str>, person: &str) -> Words {
    let who = |vi: bool| match (code, vi) {
        (Some(code), true) => format!("mã {code}"),
        (Some(code), false) => format!("staff code {code}"),
        (None, true) => format!("cán bộ {person}"),
        (None, false) => format!("person {person}"),
    };
    Words::new(
        format!(
            "trùng họ tên, ngày sinh và đơn vị với người đã đăng ký ({}); nếu là hai người, ghi «có» ở cột xác nhận trùng",
            who(true)
        ),
        format!(
            "same name, birth date and unit as someone registered ({}); if they are two people, write yes in the confirm duplicate column",
            who(false)
        ),
    )
}

pub fn no_programme() -> Words {
    Words::new(
        "không có chương trình nào đã đăng ký với tên này",
        "names no registered programme",
    )
}

/// A unit name that several registered units share: their codes, to write instead.
pub fn shared_unit_name(codes: &[String]) -> Words {
    let codes = quoted(codes);
    Words::new(
        format!("là tên của nhiều đơn vị (mã {codes}); ghi mã của đơn vị muốn chọn"),
        format!("is the name of several units (codes {codes}); write the code of the one you mean"),
    )
}

/// A programme name that several registered programmes share: their ids, to write instead.
pub fn shared_programme_name(ids: &[String]) -> Words {
    let ids = quoted(ids);
    Words::new(
        format!(
            "là tên của nhiều chương trình đã đăng ký (mã định danh {ids}); ghi mã định danh \
             của chương trình muốn chọn thay cho tên"
        ),
        format!(
            "is the name of several registered programmes (ids {ids}); write the id of the \
             one you mean instead of the name"
        ),
    )
}

/// A registration row like an earlier row of the file.
pub fn looks_like_row(first: usize) -> Words {
    Words::new(
        format!(
            "trùng họ tên, ngày sinh và đơn vị với dòng {first}; nếu là hai người, ghi «có» ở cột xác nhận trùng"
        ),
        format!(
            "same name, birth date and unit as row {first}; if they are two people, write yes in the confirm duplicate column"
        ),
    )
}

/// A row enrolling into a session with no seat left: the session by programme and start,
/// its capacity, the seats it had free before this file, and how to raise it.
pub fn session_full(programme: &str, starts_on: NaiveDate, capacity: u32, free: u32) -> Words {
    let starts_on = starts_on.format("%d/%m/%Y");
    Words::new(
        format!(
            "lớp \"{programme}\" khai giảng {starts_on} đã hết chỗ: {capacity} chỗ, còn \
             {free} chỗ trống trước tệp này; muốn thêm người, ghi số chỗ lớn hơn ở cột \"Số chỗ\""
        ),
        format!(
            "the session of \"{programme}\" starting {starts_on} is full: capacity {capacity}, \
             {free} free before this file; to add more, give a larger capacity in a \
             \"Capacity\" (Số chỗ) column"
        ),
    )
}

pub fn separation_needs_reason() -> Words {
    Words::new(
        "có ngày nghỉ thì phải có lý do nghỉ",
        "a separation date needs its reason",
    )
}

pub fn separation_needs_date() -> Words {
    Words::new(
        "có lý do nghỉ thì phải có ngày nghỉ",
        "a separation reason needs its date",
    )
}

/// A registration's cell that an import would change: a correction changes it.
pub fn differs_from_recorded(recorded: &str) -> Words {
    Words::new(
        format!(
            "khác với giá trị đã ghi nhận \"{recorded}\"; nhập tệp không sửa thông tin đăng ký \
             (sửa bằng đính chính: POST /people/{{id}}/corrections)"
        ),
        format!(
            "differs from the recorded \"{recorded}\"; an import does not change a registration \
             (correct it: POST /people/{{id}}/corrections)"
        ),
    )
}

/// A row that changes a registered person's placement, with nothing to date it by.
pub fn undated_change(effective: &str) -> Words {
    Words::new(
        format!(
            "dòng này thay đổi đơn vị, chức vụ, đối tượng hoặc lãnh đạo của cán bộ đã đăng ký: \
             ghi ngày có hiệu lực vào cột \"{effective}\", hoặc ngày của cả tệp \
             (cadre import people --date dd/mm/yyyy; ?date= qua HTTP)"
        ),
        format!(
            "the row changes the unit, post, category or leadership of a registered person: \
             write the day it took effect in a column \"{effective}\", or give the file's date \
             (cadre import people --date dd/mm/yyyy; ?date= over HTTP)"
        ),
    )
}

/// A separation other than the one recorded.
pub fn already_separated(on: NaiveDate, reason: SeparationReason) -> Words {
    let day = on.format("%d/%m/%Y");
    Words::new(
        format!(
            "đã ghi nhận nghỉ việc ngày {day} ({})",
            reason.label(Lang::Vi)
        ),
        format!(
            "already recorded as separated on {day} ({})",
            reason.label(Lang::En)
        ),
    )
}

/// A date no parser read: what is wrong with it, and the form to write it in.
pub fn bad_date(text: &str) -> Words {
    let fault = crate::dates::parse(text).err().unwrap_or(DateError::Form);
    Words::new(
        format!("{}; ghi theo dạng dd/mm/yyyy", fault.why(Lang::Vi)),
        format!("{}; write it as dd/mm/yyyy", fault.why(Lang::En)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(text: &str) -> String {
        bad_date(text).say(Lang::En)
    }

    #[test]
    fn an_impossible_date_says_what_is_wrong() {
        assert_eq!(
            bad_date("31/02/1987").say(Lang::Vi),
            "tháng 2 không có ngày 31; ghi theo dạng dd/mm/yyyy"
        );
        assert_eq!(
            en("31/02/1987"),
            "February has no day 31; write it as dd/mm/yyyy"
        );
        assert!(en("29/02/1987").starts_with("February 1987 has no day 29"));
        assert!(en("1987-13-01").starts_with("there is no month 13"));
        assert!(en("31/06/2008").starts_with("June has no day 31"));
        assert!(en("02/04/80").starts_with("not a date"));
        assert!(en("02/04/1800").starts_with("the year 1800 is outside"));
        assert!(en("hôm qua").starts_with("not a date;"));
    }

    #[test]
    fn a_line_names_row_column_value_and_why() {
        let error = RowError {
            row: 5,
            column: "Ngày sinh".into(),
            value: "31/02/1987".into(),
            why: bad_date("31/02/1987").say(Lang::Vi),
        };
        assert_eq!(
            error.line(Lang::Vi),
            "Dòng 5, cột \"Ngày sinh\": \"31/02/1987\" — tháng 2 không có ngày 31; ghi theo dạng dd/mm/yyyy"
        );
    }
}
