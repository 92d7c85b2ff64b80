//! Dates as people type them: the one parser of dd/mm/yyyy (also d/m/yyyy and
//! dd-mm-yyyy) and ISO yyyy-mm-dd, shared by the CLI's date options and the imports.
//!
//! Owns: the accepted forms and why a text is not a date, said in Vietnamese or English
//! (a form that is not accepted, a month or a day that does not exist, a year outside
//! [`YEARS`]). Must not: guess — "2017/12/31" or a two-digit year is refused, not read.

use chrono::{Datelike, NaiveDate};

use crate::domain::input::YEARS;
use crate::domain::vocab::Lang;

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not in one of the accepted forms.
    #[error("{}", self.describe(Lang::En))]
    Form,
    /// In an accepted form, with a month that does not exist.
    #[error("{}", self.describe(Lang::En))]
    NoSuchMonth { month: u32 },
    /// In an accepted form, with a day its month does not have.
    #[error("{}", self.describe(Lang::En))]
    NoSuchDay { year: i32, month: u32, day: u32 },
    /// A real date outside [`YEARS`].
    #[error("{}", self.describe(Lang::En))]
    Year { year: i32 },
}

/// Reads `text` (surrounding spaces ignored) as dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy or
/// yyyy-mm-dd, with a four-digit year in [`YEARS`].
pub fn parse(text: &str) -> Result<NaiveDate, DateError> {
    let (year, month, day) = parts(text.trim()).ok_or(DateError::Form)?;
    if !(1..=12).contains(&month) {
        return Err(DateError::NoSuchMonth { month });
    }
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::NoSuchDay {
        year,
        month,
        day,
    })?;
    if !YEARS.contains(&date.year()) {
        return Err(DateError::Year { year });
    }
    Ok(date)
}

/// (year, month, day) of a text in an accepted form, not yet checked as a date.
fn parts(text: &str) -> Option<(i32, u32, u32)> {
    let separator = if text.contains('/') { '/' } else { '-' };
    let fields: Vec<&str> = text.split(separator).collect();
    let [a, b, c] = fields[..] else {
        return None;
    };
    let (year, month, day) = match (number(a, 4..=4), number(c, 4..=4)) {
        (Some(year), None) if separator == '-' => (year, b, c),
        (None, Some(year)) => (year, b, a),
        _ => return None,
    };
    let year = i32::try_from(year).ok()?;
    Some((year, number(month, 1..=2)?, number(day, 1..=2)?))
}

/// The value of `text` if it is only ASCII digits, as many as `widths` allows.
fn number(text: &str, widths: std::ops::RangeInclusive<usize>) -> Option<u32> {
    let digits = widths.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

impl DateError {
    /// What is wrong and what is expected, in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        let expected = match lang {
            Lang::Vi => "ghi theo dạng dd/mm/yyyy hoặc yyyy-mm-dd, ví dụ 31/12/2017",
            Lang::En => "expected dd/mm/yyyy or yyyy-mm-dd, e.g. 31/12/2017",
        };
        format!("{}; {expected}", self.why(lang))
    }

    /// What is wrong, in `lang` ("tháng 2 không có ngày 31").
    pub fn why(&self, lang: Lang) -> String {
        let (first, last) = (YEARS.start(), YEARS.end());
        match (self, lang) {
            (DateError::Form, Lang::Vi) => "không phải một ngày".to_string(),
            (DateError::Form, Lang::En) => "not a date".to_string(),
            (DateError::NoSuchMonth { month }, Lang::Vi) => format!("không có tháng {month}"),
            (DateError::NoSuchMonth { month }, Lang::En) => format!("there is no month {month}"),
            (DateError::NoSuchDay { month, day, .. }, Lang::Vi) => {
                format!(
                    "tháng {month}{} không có ngày {day}",
                    self.leap_year(" năm ")
                )
            }
            (DateError::NoSuchDay { month, day, .. }, Lang::En) => {
                let name = chrono::Month::try_from(*month as u8).map_or("", |m| m.name());
                format!("{name}{} has no day {day}", self.leap_year(" "))
            }
            (DateError::Year { year }, Lang::Vi) => {
                format!("năm {year} nằm ngoài {first}–{last}")
            }
            (DateError::Year { year }, Lang::En) => {
                format!("the year {year} is outside {first}–{last}")
            }
        }
    }

    /// `before` and the year, when the missing day is a 29 February: other years have it.
    fn leap_year(&self, before: &str) -> String {
        match self {
            DateError::NoSuchDay {
                year,
                month: 2,
                day: 29,
            } => format!("{before}{year}"),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_accepted_forms_read_the_same_date() {
        for text in ["31/12/2017", "2017-12-31", "31-12-2017", " 31/12/2017 "] {
            assert_eq!(parse(text), Ok(date(2017, 12, 31)), "{text}");
        }
        assert_eq!(parse("1/2/2017"), Ok(date(2017, 2, 1)));
        assert_eq!(parse("2017-2-1"), Ok(date(2017, 2, 1)));
    }

    #[test]
    fn other_forms_are_refused_naming_the_accepted_ones() {
        for text in [
            "2017/12/31",
            "31/12/17",
            "31.12.2017",
            "12/31",
            "",
            "31/12/2017/1",
            "+1/12/2017",
        ] {
            assert_eq!(parse(text), Err(DateError::Form), "{text}");
        }
        assert_eq!(
            DateError::Form.to_string(),
            "not a date; expected dd/mm/yyyy or yyyy-mm-dd, e.g. 31/12/2017"
        );
    }

    #[test]
    fn an_impossible_date_says_what_does_not_exist() {
        let error = parse("31/02/1987").unwrap_err();
        assert!(error.to_string().starts_with("February has no day 31;"));
        assert!(
            error
                .describe(Lang::Vi)
                .starts_with("tháng 2 không có ngày 31; ghi theo dạng dd/mm/yyyy")
        );
        assert_eq!(
            parse("29/02/1987").unwrap_err().to_string(),
            "February 1987 has no day 29; expected dd/mm/yyyy or yyyy-mm-dd, e.g. 31/12/2017"
        );
        assert_eq!(parse("29/02/1988"), Ok(date(1988, 2, 29)));
        assert_eq!(
            parse("01/13/2017"),
            Err(DateError::NoSuchMonth { month: 13 })
        );
        assert_eq!(parse("01/01/1800"), Err(DateError::Year { year: 1800 }));
    }
}
