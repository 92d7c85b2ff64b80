//! Headcount and quality of the staff in service on a date (the Home Affairs statistics of
//! 31 December): how many, of which women, ethnic minorities and party members, by staff
//! category and unit level; by the highest level held in each qualification track; by
//! age band. Pure, over a folded [`District`]: the API asks the live model (or one
//! replayed to a position, for "as known at"), the report one replayed from the log.
//!
//! Never a made-up zero: what the ledger does not record (information technology and
//! foreign-language levels) is `None`, and a person whose file does not say whether they
//! are a party member is counted as not recorded, not as "no". Every breakdown of a
//! figure adds up to it.

use chrono::NaiveDate;
use serde::Serialize;

use super::model::District;
use super::views::people_in_service;
use crate::domain::PersonView;
use crate::domain::retirement;
use crate::domain::vocab::{
    Gender, Lang, QualificationLevel, StaffCategory, Track, UnitLevel, Vocabulary, fold,
};

/// Staff counted, and of which women, ethnic minorities and party members.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub staff: u64,
    pub women: u64,
    /// Recorded ethnicity other than Kinh.
    pub ethnic_minorities: u64,
    pub party_members: u64,
    /// Files that do not say whether the person is a party member.
    pub party_not_recorded: u64,
}

impl Tally {
    fn add(&mut self, view: &PersonView) {
        self.staff += 1;
        self.women += u64::from(view.gender == Gender::Female);
        self.ethnic_minorities += u64::from(is_minority(&view.ethnicity));
        self.party_members += u64::from(view.party_member == Some(true));
        self.party_not_recorded += u64::from(view.party_member.is_none());
    }
}

/// Kinh (also called Việt) is the majority; any other recorded ethnicity is a minority.
fn is_minority(ethnicity: &str) -> bool {
    !matches!(fold(ethnicity).as_str(), "kinh" | "viet")
}

/// The staff of one category or unit level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub code: &'static str,
    pub label: String,
    #[serde(flatten)]
    pub tally: Tally,
}

/// How many hold one level as their highest in a track (`code` "none": no level of the
/// track on record for them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelCount {
    pub code: &'static str,
    pub label: String,
    pub people: u64,
}

/// One kind of level the forms ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dimension {
    pub code: &'static str,
    pub label: String,
    /// Highest level first, then "none"; `None` where the ledger records no level of this
    /// kind at all (not recorded, which is not zero).
    pub levels: Option<Vec<LevelCount>>,
}

/// The age bands of the forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    UpTo30,
    From31To40,
    From41To50,
    /// From 51 until the retirement age (which passes 60 for men from 2027).
    From51To60,
    /// At or above the retirement age of their sex and year, still in service.
    AboveRetirementAge,
}

impl AgeBand {
    pub const ALL: [AgeBand; 5] = [
        AgeBand::UpTo30,
        AgeBand::From31To40,
        AgeBand::From41To50,
        AgeBand::From51To60,
        AgeBand::AboveRetirementAge,
    ];

    /// The band of someone on `as_of`: whole years of age, unless they have reached the
    /// retirement age ([`retirement::reached_on`]).
    pub fn of(view: &PersonView, as_of: NaiveDate) -> AgeBand {
        if retirement::reached_on(view.gender, view.birth_date).is_some_and(|on| on <= as_of) {
            return AgeBand::AboveRetirementAge;
        }
        match as_of.years_since(view.birth_date).unwrap_or(0) {
            0..=30 => AgeBand::UpTo30,
            31..=40 => AgeBand::From31To40,
            41..=50 => AgeBand::From41To50,
            _ => AgeBand::From51To60,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            AgeBand::UpTo30 => lang.pick("Từ 30 trở xuống", "30 and under"),
            AgeBand::From31To40 => lang.pick("Từ 31 đến 40", "31 to 40"),
            AgeBand::From41To50 => lang.pick("Từ 41 đến 50", "41 to 50"),
            AgeBand::From51To60 => lang.pick("Từ 51 đến 60", "51 to 60"),
            AgeBand::AboveRetirementAge => lang.pick("Trên tuổi nghỉ hưu", "Above retirement age"),
        }
    }
}

/// People in one age band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BandCount {
    pub band: AgeBand,
    pub label: String,
    pub people: u64,
}

/// Headcount and quality on `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Headcount {
    pub as_of: NaiveDate,
    pub total: Tally,
    pub by_category: Vec<Group>,
    /// Each unit level; a last group "unknown" only for people placed in a unit that was
    /// never registered.
    pub by_unit_level: Vec<Group>,
    /// General education, professional, political theory, state management, information
    /// technology, foreign language.
    pub qualifications: Vec<Dimension>,
    pub age_bands: Vec<BandCount>,
}

/// The tracks the ledger records, in the forms' order.
const TRACKS: [Track; 4] = [
    Track::Professional,
    Track::PoliticalTheory,
    Track::StateManagement,
    Track::GeneralEducation,
];

/// Headcount and quality of everyone in service on `as_of`, labels in `lang`.
pub fn headcount(model: &District, as_of: NaiveDate, lang: Lang) -> Headcount {
    headcount_of(model, as_of, lang, people_in_service(model, as_of))
}

/// Headcount and quality of `staff`, people in service on `as_of` as they stood that day
/// (some of [`people_in_service`]: one unit's, for the forms' rows).
pub fn headcount_of(
    model: &District,
    as_of: NaiveDate,
    lang: Lang,
    staff: impl IntoIterator<Item = PersonView>,
) -> Headcount {
    let mut total = Tally::default();
    let mut categories = vec![Tally::default(); StaffCategory::ALL.len()];
    let mut levels = vec![Tally::default(); UnitLevel::ALL.len() + 1];
    let mut held: Vec<Vec<u64>> = TRACKS
        .iter()
        .map(|t| vec![0; QualificationLevel::of_track(*t).len() + 1])
        .collect();
    let mut bands = [0u64; AgeBand::ALL.len()];
    for view in staff {
        total.add(&view);
        categories[position(StaffCategory::ALL, view.category)].add(&view);
        let level = model.units.get(&view.placement.unit).map(|u| u.level);
        levels[level.map_or(UnitLevel::ALL.len(), |l| position(UnitLevel::ALL, l))].add(&view);
        for (track, counts) in TRACKS.iter().zip(&mut held) {
            // Index 0 is "none"; a level's is its rank plus one.
            counts[view.level(*track).map_or(0, |l| l.rank() + 1)] += 1;
        }
        bands[position(&AgeBand::ALL, AgeBand::of(&view, as_of))] += 1;
    }
    let unknown = levels.pop().filter(|t| t.staff > 0).map(|tally| Group {
        code: "unknown",
        label: lang.pick("Đơn vị chưa đăng ký", "Unregistered unit").into(),
        tally,
    });
    let mut qualifications: Vec<Dimension> = TRACKS
        .iter()
        .zip(held)
        .map(|(track, counts)| track_levels(*track, &counts, lang))
        .collect();
    qualifications.extend([
        not_recorded(
            "information_technology",
            "Tin học",
            "Information technology",
            lang,
        ),
        not_recorded("foreign_language", "Ngoại ngữ", "Foreign language", lang),
    ]);
    Headcount {
        as_of,
        total,
        by_category: groups(StaffCategory::ALL, categories, lang),
        by_unit_level: groups(UnitLevel::ALL, levels, lang)
            .into_iter()
            .chain(unknown)
            .collect(),
        qualifications,
        age_bands: AgeBand::ALL
            .iter()
            .zip(bands)
            .map(|(band, people)| BandCount {
                band: *band,
                label: band.label(lang).into(),
                people,
            })
            .collect(),
    }
}

fn position<T: PartialEq>(all: &[T], value: T) -> usize {
    all.iter().position(|v| *v == value).unwrap_or(0)
}

fn groups<T: Vocabulary>(all: &[T], tallies: Vec<Tally>, lang: Lang) -> Vec<Group> {
    all.iter()
        .zip(tallies)
        .map(|(value, tally)| Group {
            code: value.code(),
            label: value.label(lang).into(),
            tally,
        })
        .collect()
}

/// A track's counts (index 0 "none", then each level by rank), highest level first.
fn track_levels(track: Track, counts: &[u64], lang: Lang) -> Dimension {
    let mut levels: Vec<LevelCount> = QualificationLevel::of_track(track)
        .into_iter()
        .zip(&counts[1..])
        .rev()
        .map(|(level, people)| LevelCount {
            code: level.code(),
            label: level.label(lang).into(),
            people: *people,
        })
        .collect();
    levels.push(LevelCount {
        code: "none",
        label: lang
            .pick("Không có văn bằng trong sổ ghi", "None on record")
            .into(),
        people: counts[0],
    });
    Dimension {
        code: track.code(),
        label: track.label(lang).into(),
        levels: Some(levels),
    }
}

fn not_recorded(code: &'static str, vi: &str, en: &str, lang: Lang) -> Dimension {
    Dimension {
        code,
        label: lang.pick(vi, en).into(),
        levels: None,
    }
}
