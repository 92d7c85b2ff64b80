//! The domain's vocabulary: every category, level and classification, with its stable
//! code and its English and Vietnamese labels. The one place labels live.
//!
//! Variants are declared lowest to highest where the concept is ordered, so `Ord` compares
//! levels. Their order is also part of the stored (bincode) form: append new variants at
//! the end of a list that has no order, and never reorder one.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// The language of labels in reports and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// `vi` or `en`, whichever this language is.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// A count with its thousands grouped as this language writes them: 3.200 or 3,200.
    pub fn count(self, count: u64) -> String {
        let separator = self.pick(".", ",");
        let digits = count.to_string();
        let mut out = String::new();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(separator);
            }
            out.push(digit);
        }
        out
    }

    /// A percentage with one decimal: 14,3 % in Vietnamese, 14.3% in English.
    pub fn percent(self, percent: f64) -> String {
        let text = format!("{percent:.1}");
        match self {
            Lang::Vi => format!("{} %", text.replace('.', ",")),
            Lang::En => format!("{text}%"),
        }
    }

    /// A date as this language writes it: 31/12/2017, or 2017-12-31 in English.
    pub fn date(self, date: chrono::NaiveDate) -> String {
        match self {
            Lang::Vi => date.format("%d/%m/%Y").to_string(),
            Lang::En => date.format("%Y-%m-%d").to_string(),
        }
    }
}

/// Folds text for lenient matching: lower case, Vietnamese diacritics removed (đ → d),
/// runs of spaces, hyphens and underscores made one space.
pub fn fold(text: &str) -> String {
    let stripped: String = text
        .nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            '_' | '-' | ',' => ' ',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A closed list of values with codes and labels (every enum declared below).
pub trait Vocabulary: Sized + Copy + 'static {
    /// The concept's name, for messages ("StaffCategory").
    const NAME: &'static str;
    /// Every value, lowest first.
    fn all() -> &'static [Self];
    /// Reads a code or a label in either language, with or without diacritics.
    fn parse(text: &str) -> Option<Self>;
    /// The stable code.
    fn code(self) -> &'static str;
    /// The label shown to people in `lang`.
    fn label(self, lang: Lang) -> &'static str;
}

/// Declares a vocabulary enum with its code, English label and Vietnamese label.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $en:literal, $vi:literal $(, $alias:literal)*; )+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            /// Every value, lowest first.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code used in JSON and files.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The label shown to people.
            pub fn label(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $( ($name::$variant, Lang::En) => $en, ($name::$variant, Lang::Vi) => $vi, )+
                }
            }

            /// Other names clerks use (abbreviations, short forms).
            fn aliases(self) -> &'static [&'static str] {
                match self { $($name::$variant => &[$($alias),*]),+ }
            }

            /// Reads a code, a label in either language or a usual short form, with or
            /// without diacritics.
            pub fn parse(text: &str) -> Option<Self> {
                // Programs send the code itself: find it without folding every label.
                if let Some(exact) = Self::ALL.iter().copied().find(|v| v.code() == text) {
                    return Some(exact);
                }
                let key = fold(text);
                Self::ALL.iter().copied().find(|v| {
                    fold(v.code()) == key
                        || fold(v.label(Lang::En)) == key
                        || fold(v.label(Lang::Vi)) == key
                        || v.aliases().iter().any(|a| fold(a) == key)
                })
            }
        }

        impl Vocabulary for $name {
            const NAME: &'static str = stringify!($name);
            fn all() -> &'static [Self] {
                Self::ALL
            }
            fn parse(text: &str) -> Option<Self> {
                $name::parse(text)
            }
            fn code(self) -> &'static str {
                $name::code(self)
            }
            fn label(self, lang: Lang) -> &'static str {
                $name::label(self, lang)
            }
        }
    };
}

vocabulary! {
    /// Staff category (cán bộ / công chức / viên chức / cấp xã).
    StaffCategory {
        Cadre = "cadre", "cadre", "cán bộ";
        CivilServant = "civil_servant", "civil servant", "công chức";
        PublicEmployee = "public_employee", "public employee", "viên chức";
        CommuneOfficial = "commune_official", "commune-level cadre or civil servant", "cán bộ, công chức cấp xã", "công chức cấp xã", "cán bộ cấp xã", "công chức xã";
    }
}

vocabulary! {
    /// Whether a unit is a district-level body or a commune.
    UnitLevel {
        District = "district", "district-level body", "cấp huyện";
        Commune = "commune", "commune", "cấp xã";
    }
}

vocabulary! {
    /// A qualification track.
    Track {
        GeneralEducation = "general_education", "general education", "trình độ văn hóa", "văn hóa", "giáo dục phổ thông";
        Professional = "professional", "professional qualification", "trình độ chuyên môn", "chuyên môn";
        PoliticalTheory = "political_theory", "political theory", "lý luận chính trị", "lý luận", "chính trị";
        StateManagement = "state_management", "state management", "quản lý nhà nước", "QLNN";
    }
}

vocabulary! {
    /// General education (trình độ văn hoá), lowest to highest.
    GeneralEducationLevel {
        // Grades completed out of the system's years: 12 today, 10 in the old northern system.
        Primary = "primary", "primary", "tiểu học", "5/12", "4/10";
        LowerSecondary = "lower_secondary", "lower secondary", "trung học cơ sở", "THCS", "9/12", "7/10";
        UpperSecondary = "upper_secondary", "upper secondary", "trung học phổ thông", "THPT", "12/12", "10/10";
    }
}

vocabulary! {
    /// Professional qualification (trình độ chuyên môn), lowest to highest.
    ProfessionalLevel {
        Elementary = "elementary", "elementary", "sơ cấp", "SC";
        Intermediate = "intermediate", "intermediate", "trung cấp", "TC";
        College = "college", "college", "cao đẳng", "CĐ";
        // The degree a university awards, by its name: bachelor or engineer.
        University = "university", "university", "đại học", "ĐH", "cử nhân", "kỹ sư", "kĩ sư";
        Master = "master", "master", "thạc sĩ", "thạc sỹ", "ThS";
        Doctorate = "doctorate", "doctorate", "tiến sĩ", "tiến sỹ", "TS";
    }
}

vocabulary! {
    /// Political theory (lý luận chính trị), lowest to highest.
    PoliticalTheoryLevel {
        Elementary = "elementary", "elementary", "sơ cấp", "SC";
        Intermediate = "intermediate", "intermediate", "trung cấp", "TC";
        Advanced = "advanced", "advanced or bachelor", "cao cấp, cử nhân", "cao cấp", "cử nhân", "CC";
    }
}

vocabulary! {
    /// State management (quản lý nhà nước), lowest to highest.
    StateManagementLevel {
        Specialist = "specialist", "specialist", "chuyên viên";
        PrincipalSpecialist = "principal_specialist", "principal specialist", "chuyên viên chính";
        SeniorSpecialist = "senior_specialist", "senior specialist", "chuyên viên cao cấp";
    }
}

vocabulary! {
    /// Yearly classification (xếp loại chất lượng), lowest to highest.
    Classification {
        NotCompleted = "not_completed", "did not complete duties", "không hoàn thành nhiệm vụ", "KHTNV", "không hoàn thành";
        Completed = "completed", "completed duties", "hoàn thành nhiệm vụ", "HTNV", "hoàn thành";
        Good = "good", "well completed duties", "hoàn thành tốt nhiệm vụ", "HTTNV", "hoàn thành tốt";
        Excellent = "excellent", "excellently completed duties", "hoàn thành xuất sắc nhiệm vụ", "HTXSNV", "hoàn thành xuất sắc";
    }
}

vocabulary! {
    /// Kinds of staff movement.
    MovementKind {
        Rotation = "rotation", "rotation", "luân chuyển";
        Transfer = "transfer", "transfer", "điều động";
        Secondment = "secondment", "secondment", "biệt phái";
    }
}

vocabulary! {
    /// How a rotation ended, lowest to highest.
    RotationOutcome {
        NotCompleted = "not_completed", "not completed", "không hoàn thành nhiệm vụ", "KHTNV", "không hoàn thành";
        Completed = "completed", "completed", "hoàn thành nhiệm vụ", "HTNV", "hoàn thành";
        CompletedWell = "completed_well", "completed well", "hoàn thành tốt nhiệm vụ", "HTTNV", "hoàn thành tốt";
    }
}

vocabulary! {
    /// The four channels through which public opinion on staff is gathered.
    FeedbackChannel {
        Press = "press", "the press", "báo chí";
        VoterMeetings = "voter_meetings", "meetings with voters", "tiếp xúc cử tri";
        FatherlandFront = "fatherland_front", "the Fatherland Front", "Mặt trận Tổ quốc";
        ComplaintsPetitions = "complaints_petitions", "complaints and petitions", "đơn thư khiếu nại, kiến nghị";
    }
}

vocabulary! {
    /// Why someone left the service.
    SeparationReason {
        Retired = "retired", "retired", "nghỉ hưu";
        Resigned = "resigned", "resigned", "thôi việc";
        Dismissed = "dismissed", "dismissed", "buộc thôi việc";
        Deceased = "deceased", "deceased", "từ trần";
    }
}

vocabulary! {
    /// Gender as recorded in the personnel file.
    Gender {
        Male = "male", "male", "nam";
        Female = "female", "female", "nữ";
    }
}

vocabulary! {
    /// What a training programme teaches.
    ProgrammeCategory {
        PoliticalTheory = "political_theory", "political theory", "lý luận chính trị";
        StateManagement = "state_management", "state management", "quản lý nhà nước";
        Professional = "professional", "professional skills", "chuyên môn, nghiệp vụ";
        InformationTechnology = "information_technology", "information technology", "tin học", "công nghệ thông tin", "CNTT", "IT";
        ForeignLanguage = "foreign_language", "foreign language", "ngoại ngữ";
        DefenceSecurity = "defence_security", "defence and security", "quốc phòng và an ninh";
        Other = "other", "other", "khác";
    }
}

vocabulary! {
    /// The result of a training programme.
    TrainingResult {
        Failed = "failed", "failed", "không đạt";
        Passed = "passed", "passed", "đạt";
    }
}

impl ProgrammeCategory {
    /// The qualification track this category belongs to, for the three main tracks.
    pub fn track(self) -> Option<Track> {
        match self {
            ProgrammeCategory::PoliticalTheory => Some(Track::PoliticalTheory),
            ProgrammeCategory::StateManagement => Some(Track::StateManagement),
            ProgrammeCategory::Professional => Some(Track::Professional),
            _ => None,
        }
    }
}

/// A level within its track. The track is part of the value, so a level that does not
/// belong to its track cannot exist; [`QualificationLevel::parse`] is where that is checked.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum QualificationLevel {
    GeneralEducation(GeneralEducationLevel),
    Professional(ProfessionalLevel),
    PoliticalTheory(PoliticalTheoryLevel),
    StateManagement(StateManagementLevel),
}

impl QualificationLevel {
    /// Reads `label` as a level of `track`; `None` when the track has no such level.
    pub fn parse(track: Track, label: &str) -> Option<Self> {
        match track {
            Track::GeneralEducation => {
                GeneralEducationLevel::parse(label).map(Self::GeneralEducation)
            }
            Track::Professional => ProfessionalLevel::parse(label).map(Self::Professional),
            Track::PoliticalTheory => PoliticalTheoryLevel::parse(label).map(Self::PoliticalTheory),
            Track::StateManagement => StateManagementLevel::parse(label).map(Self::StateManagement),
        }
    }

    /// The labels of every level of `track` in `lang`, lowest first: what a clerk may write.
    pub fn labels(track: Track, lang: Lang) -> Vec<&'static str> {
        Self::of_track(track)
            .into_iter()
            .map(|level| level.label(lang))
            .collect()
    }

    /// Every level of `track`, lowest first.
    pub fn of_track(track: Track) -> Vec<QualificationLevel> {
        fn all<T: Vocabulary>(level: fn(T) -> QualificationLevel) -> Vec<QualificationLevel> {
            T::all().iter().map(|v| level(*v)).collect()
        }
        match track {
            Track::GeneralEducation => all(Self::GeneralEducation),
            Track::Professional => all(Self::Professional),
            Track::PoliticalTheory => all(Self::PoliticalTheory),
            Track::StateManagement => all(Self::StateManagement),
        }
    }

    pub fn track(self) -> Track {
        match self {
            Self::GeneralEducation(_) => Track::GeneralEducation,
            Self::Professional(_) => Track::Professional,
            Self::PoliticalTheory(_) => Track::PoliticalTheory,
            Self::StateManagement(_) => Track::StateManagement,
        }
    }

    /// Position within the track, from 0 for the lowest level.
    pub fn rank(self) -> usize {
        fn at<T: PartialEq>(all: &[T], v: &T) -> usize {
            all.iter().position(|x| x == v).unwrap_or(0)
        }
        match self {
            Self::GeneralEducation(l) => at(GeneralEducationLevel::ALL, &l),
            Self::Professional(l) => at(ProfessionalLevel::ALL, &l),
            Self::PoliticalTheory(l) => at(PoliticalTheoryLevel::ALL, &l),
            Self::StateManagement(l) => at(StateManagementLevel::ALL, &l),
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::GeneralEducation(l) => l.label(lang),
            Self::Professional(l) => l.label(lang),
            Self::PoliticalTheory(l) => l.label(lang),
            Self::StateManagement(l) => l.label(lang),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::GeneralEducation(l) => l.code(),
            Self::Professional(l) => l.code(),
            Self::PoliticalTheory(l) => l.code(),
            Self::StateManagement(l) => l.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_read_as_each_language_writes_them() {
        assert_eq!(Lang::Vi.count(3200), "3.200");
        assert_eq!(Lang::En.count(1_234_567), "1,234,567");
        assert_eq!(Lang::Vi.count(999), "999");
        assert_eq!(Lang::Vi.percent(14.28), "14,3 %");
        assert_eq!(Lang::En.percent(100.0), "100.0%");
        let day = chrono::NaiveDate::from_ymd_opt(2017, 3, 1).unwrap();
        assert_eq!(Lang::Vi.date(day), "01/03/2017");
        assert_eq!(Lang::En.date(day), "2017-03-01");
    }

    #[test]
    fn labels_parse_in_both_languages_with_or_without_diacritics() {
        assert_eq!(
            ProfessionalLevel::parse("Đại học"),
            Some(ProfessionalLevel::University)
        );
        assert_eq!(
            ProfessionalLevel::parse("dai hoc"),
            Some(ProfessionalLevel::University)
        );
        assert_eq!(
            ProfessionalLevel::parse("University"),
            Some(ProfessionalLevel::University)
        );
        assert_eq!(
            StaffCategory::parse("CÔNG CHỨC"),
            Some(StaffCategory::CivilServant)
        );
        assert_eq!(
            StaffCategory::parse("civil_servant"),
            Some(StaffCategory::CivilServant)
        );
        assert_eq!(
            StaffCategory::parse("Cán bộ, công chức cấp xã"),
            Some(StaffCategory::CommuneOfficial)
        );
        assert_eq!(
            FeedbackChannel::parse("Mặt trận Tổ quốc"),
            Some(FeedbackChannel::FatherlandFront)
        );
        assert_eq!(ProfessionalLevel::parse("bachelor of arts"), None);
        assert_eq!(
            GeneralEducationLevel::parse("THCS"),
            Some(GeneralEducationLevel::LowerSecondary)
        );
        assert_eq!(Track::parse("chuyen mon"), Some(Track::Professional));
    }

    #[test]
    fn the_spellings_clerks_use_are_read() {
        use ProfessionalLevel as P;
        for (text, level) in [
            ("Cử nhân", P::University),
            ("KỸ SƯ", P::University),
            ("ki su", P::University),
            ("ĐH", P::University),
            ("dh", P::University),
            ("CĐ", P::College),
            ("TC", P::Intermediate),
            ("sc", P::Elementary),
            ("Thạc sỹ", P::Master),
            ("ThS", P::Master),
            ("tien sy", P::Doctorate),
            ("TS", P::Doctorate),
        ] {
            assert_eq!(P::parse(text), Some(level), "{text}");
        }
        assert_eq!(
            GeneralEducationLevel::parse("12/12"),
            Some(GeneralEducationLevel::UpperSecondary)
        );
        assert_eq!(
            GeneralEducationLevel::parse("9/12"),
            Some(GeneralEducationLevel::LowerSecondary)
        );
        assert_eq!(
            PoliticalTheoryLevel::parse("Cử nhân"),
            Some(PoliticalTheoryLevel::Advanced),
            "a bachelor of political theory is the advanced level of its own track"
        );
        for (text, classification) in [
            ("HTXSNV", Classification::Excellent),
            ("httnv", Classification::Good),
            ("HTNV", Classification::Completed),
            ("KHTNV", Classification::NotCompleted),
        ] {
            assert_eq!(Classification::parse(text), Some(classification), "{text}");
        }
        assert_eq!(
            ProgrammeCategory::parse("Tin học"),
            Some(ProgrammeCategory::InformationTechnology)
        );
        assert_eq!(
            ProgrammeCategory::parse("cntt"),
            Some(ProgrammeCategory::InformationTechnology)
        );
    }

    #[test]
    fn no_spelling_names_two_values_of_one_vocabulary() {
        macro_rules! distinct {
            ($($t:ty),+) => {$(
                let mut seen = std::collections::HashMap::new();
                for v in <$t>::ALL {
                    let spellings = [v.code(), v.label(Lang::En), v.label(Lang::Vi)];
                    for s in spellings.iter().chain(v.aliases()) {
                        let first = *seen.entry(fold(s)).or_insert(*v);
                        assert_eq!(first, *v, "{} {s:?}", stringify!($t));
                    }
                }
            )+};
        }
        distinct!(
            StaffCategory,
            Track,
            GeneralEducationLevel,
            ProfessionalLevel,
            PoliticalTheoryLevel,
            StateManagementLevel,
            Classification,
            MovementKind,
            RotationOutcome,
            Gender,
            ProgrammeCategory,
            TrainingResult
        );
    }

    #[test]
    fn a_level_must_belong_to_its_track() {
        assert_eq!(
            QualificationLevel::parse(Track::StateManagement, "chuyên viên chính"),
            Some(QualificationLevel::StateManagement(
                StateManagementLevel::PrincipalSpecialist
            ))
        );
        assert_eq!(
            QualificationLevel::parse(Track::StateManagement, "đại học"),
            None
        );
        assert_eq!(
            QualificationLevel::parse(Track::GeneralEducation, "cao cấp"),
            None
        );
    }

    #[test]
    fn levels_are_ordered_lowest_first() {
        assert!(ProfessionalLevel::College < ProfessionalLevel::University);
        assert!(Classification::Excellent > Classification::Good);
        assert_eq!(
            QualificationLevel::Professional(ProfessionalLevel::University).rank(),
            3
        );
    }

    #[test]
    fn every_label_is_distinct_within_its_vocabulary() {
        fn distinct<T: Copy>(all: &[T], label: impl Fn(T) -> String) {
            let mut seen = std::collections::HashSet::new();
            for v in all {
                assert!(seen.insert(fold(&label(*v))), "{}", label(*v));
            }
        }
        distinct(Classification::ALL, |c| c.label(Lang::Vi).to_string());
        distinct(Classification::ALL, |c| c.label(Lang::En).to_string());
        distinct(ProfessionalLevel::ALL, |c| c.label(Lang::Vi).to_string());
        distinct(StaffCategory::ALL, |c| c.label(Lang::Vi).to_string());
        distinct(ProgrammeCategory::ALL, |c| c.label(Lang::Vi).to_string());
    }
}
