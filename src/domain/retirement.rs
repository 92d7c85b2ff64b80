//! The statutory retirement age (tuổi nghỉ hưu) by sex and year, as dated data, and the
//! day a person reaches it. Pure.
//!
//! Labour Code 2012 (art. 187): 60 for men, 55 for women, until the end of 2020. Labour
//! Code 2019 (art. 169) with Decree 135/2020: from 2021 the age rises each year, by three
//! months for men up to 62 (reached in 2028) and by four months for women up to 60
//! (reached in 2035); a person reaches it in the year in which their age equals that
//! year's figure. Only ordinary working conditions: the earlier ages of hard or remote
//! work and the later ones of some leaders and experts rest on facts the ledger does not
//! record.

use chrono::{Datelike, Months, NaiveDate};

use super::vocab::Gender;

/// The retirement age, in months, of someone of `gender` reaching it in `year`.
pub fn age_in_months(gender: Gender, year: i32) -> u32 {
    let steps = u32::try_from(year - 2020).unwrap_or(0);
    match gender {
        Gender::Male => (60 * 12 + 3 * steps).min(62 * 12),
        Gender::Female => (55 * 12 + 4 * steps).min(60 * 12),
    }
}

/// The day someone born on `birth` reaches retirement age: the first year whose figure
/// their age reaches within it.
pub fn reached_on(gender: Gender, birth: NaiveDate) -> Option<NaiveDate> {
    (birth.year() + 50..=birth.year() + 70).find_map(|year| {
        let day = birth.checked_add_months(Months::new(age_in_months(gender, year)))?;
        (day.year() <= year).then_some(day)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_age_is_60_and_55_until_2020_then_rises_by_year() {
        assert_eq!(
            reached_on(Gender::Male, day(1957, 5, 10)),
            Some(day(2017, 5, 10))
        );
        assert_eq!(
            reached_on(Gender::Female, day(1962, 5, 10)),
            Some(day(2017, 5, 10))
        );
        // Born in 1961: 60 in 2021, below that year's 60 years 3 months; 60 years 6
        // months in 2022 is reached within 2022.
        assert_eq!(
            reached_on(Gender::Male, day(1961, 12, 1)),
            Some(day(2022, 6, 1))
        );
        assert_eq!(
            reached_on(Gender::Male, day(1961, 1, 15)),
            Some(day(2021, 4, 15))
        );
        assert_eq!(age_in_months(Gender::Male, 2028), 62 * 12);
        assert_eq!(age_in_months(Gender::Male, 2040), 62 * 12);
        assert_eq!(age_in_months(Gender::Female, 2035), 60 * 12);
    }
}
