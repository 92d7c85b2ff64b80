//! The office that issues the report: what its header and signature block say (issuing
//! body, number, place and date, recipients, signer), as data, like the policy. The
//! default is `policies/office.json`; another office passes its own file
//! (`cadre report --office FILE`).
//!
//! Owns: reading and checking that file, and the document's date. Must not: read the
//! clock — an undated office dates its report 31 December of the year, so the report
//! stays the same bytes on every run.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The office file shipped with cadre.
pub const DEFAULT_OFFICE: &str = include_str!("../../policies/office.json");

/// What an official document carries about its issuer (Decree 30/2020 layout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Office {
    /// The body above the issuer, first line of the header (may be empty).
    pub superior_body: String,
    /// The issuer, in capitals on the second line.
    pub issuing_body: String,
    /// The document's number and symbol after "Số:", blank where the clerk writes it.
    pub number: String,
    /// The place in the date line: "Điện Biên, ngày … tháng … năm …".
    pub place: String,
    /// The document's date; absent: 31 December of the report's year.
    #[serde(default)]
    pub date: Option<NaiveDate>,
    /// "Nơi nhận", one line each.
    pub recipients: Vec<String>,
    /// On whose behalf the signer signs ("TM. ỦY BAN NHÂN DÂN", "KT. TRƯỞNG PHÒNG"), may
    /// be empty.
    #[serde(default)]
    pub signer_authority: String,
    pub signer_title: String,
    /// Empty leaves the line to be written by hand.
    pub signer_name: String,
}

/// Why an office file was refused.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    #[error("office file is not valid: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("office file is not valid: {0} is empty")]
    Empty(&'static str),
}

impl Office {
    /// Reads and checks an office file: the issuer, place and signer's title are required.
    pub fn parse(json: &str) -> Result<Office, OfficeError> {
        let office: Office = serde_json::from_str(json)?;
        for (field, value) in [
            ("issuing_body", &office.issuing_body),
            ("place", &office.place),
            ("signer_title", &office.signer_title),
        ] {
            if value.trim().is_empty() {
                return Err(OfficeError::Empty(field));
            }
        }
        Ok(office)
    }

    /// The shipped default.
    pub fn default_office() -> Office {
        match Office::parse(DEFAULT_OFFICE) {
            Ok(office) => office,
            // Checked by a test on every build; a broken shipped file is a bug.
            Err(e) => unreachable!("the shipped office file is invalid: {e}"),
        }
    }

    /// The document's date: the file's, or the last day of `year`.
    pub fn dated(&self, year: i32) -> NaiveDate {
        self.date
            .or_else(|| NaiveDate::from_ymd_opt(year, 12, 31))
            .unwrap_or(NaiveDate::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_office_file_is_valid_and_undated() {
        let office = Office::parse(DEFAULT_OFFICE).unwrap();
        assert_eq!(
            office.dated(2017),
            NaiveDate::from_ymd_opt(2017, 12, 31).unwrap()
        );
    }

    #[test]
    fn an_office_without_an_issuer_is_refused() {
        let json = DEFAULT_OFFICE.replace("\"PHÒNG NỘI VỤ\"", "\" \"");
        assert!(matches!(
            Office::parse(&json),
            Err(OfficeError::Empty("issuing_body"))
        ));
    }
}
