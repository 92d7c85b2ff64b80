//! Why a command was refused: one enum for every rule, each variant with a stable code,
//! its words in English (`Display`, what the API sends) and Vietnamese ([`DomainError::say`],
//! what imports print and the console shows), and the command field it concerns
//! ([`DomainError::field`]). [`Why`] is what is wrong with a field, in both languages.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::decide::MAX_DAYS_AHEAD;
use super::ids::{EventId, PersonId, ProgrammeId, SessionId, StaffCode, UnitId};
use super::input::YEARS;
use super::vocab::{Lang, Track};

/// Why a command was refused. Each maps to HTTP 422 with [`DomainError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid {field}: {why}")]
    Invalid { field: Cow<'static, str>, why: Why },
    #[error("unit {0} is not registered")]
    UnknownUnit(UnitId),
    #[error("unit {0} is already registered")]
    UnitAlreadyRegistered(UnitId),
    #[error("programme {0} is not registered")]
    UnknownProgramme(ProgrammeId),
    #[error("programme {0} is already registered")]
    ProgrammeAlreadyRegistered(ProgrammeId),
    #[error("session {0} is not scheduled")]
    UnknownSession(SessionId),
    #[error("session {0} is already scheduled")]
    SessionAlreadyScheduled(SessionId),
    #[error("person {0} is not registered")]
    NotRegistered(PersonId),
    #[error("person {0} is already registered")]
    AlreadyRegistered(PersonId),
    #[error("person {person} left the service on {on}")]
    Separated { person: PersonId, on: NaiveDate },
    #[error("the person is already enrolled in session {0}")]
    AlreadyEnrolled(SessionId),
    #[error("session {session} is full: all {capacity} seats are taken")]
    SessionFull { session: SessionId, capacity: u32 },
    #[error("session {session} cannot have {capacity} seats: {taken} are taken")]
    CapacityBelowTaken {
        session: SessionId,
        capacity: u32,
        taken: u32,
    },
    #[error("the person has no active enrolment in session {0}")]
    NoActiveEnrolment(SessionId),
    #[error("date {date} is before {after}, the enrolment fact in session {session} it follows")]
    EnrolmentOutOfOrder {
        session: SessionId,
        date: NaiveDate,
        after: NaiveDate,
    },
    #[error("completion dated {date} is before the session starts on {starts_on}")]
    CompletionBeforeSessionStart {
        date: NaiveDate,
        starts_on: NaiveDate,
    },
    #[error("a rotation started on {since} is still active: end it first")]
    RotationAlreadyActive { since: NaiveDate },
    #[error("a rotation from {since} to {until} overlaps the one starting then")]
    RotationOverlap { since: NaiveDate, until: NaiveDate },
    #[error("the person has no active rotation to end")]
    NoActiveRotation,
    #[error("already appraised for {year} (event {event}): record a correction instead")]
    AlreadyAppraised { year: i32, event: EventId },
    #[error("date {date} is before the birth date {birth_date}")]
    DateBeforeBirth {
        date: NaiveDate,
        birth_date: NaiveDate,
    },
    #[error("date {date} is more than {MAX_DAYS_AHEAD} days after today ({today})")]
    DateTooFarInFuture { date: NaiveDate, today: NaiveDate },
    #[error("date {date} is before the person's registration on {registered_on}")]
    DateBeforeRegistration {
        date: NaiveDate,
        registered_on: NaiveDate,
    },
    #[error("{level:?} is not a level of the {} track", track.code())]
    LevelNotInTrack { track: Track, level: String },
    #[error("event {0} does not exist")]
    UnknownEvent(EventId),
    #[error("event {id} belongs to stream {stream}, not to this person")]
    EventOfAnotherStream { id: EventId, stream: String },
    #[error("{event_type} events cannot be {action}")]
    NotCorrectable {
        event_type: &'static str,
        action: &'static str,
    },
    #[error("event {id} is a {expected}; its replacement must be one too, not a {found}")]
    CorrectionTypeMismatch {
        id: EventId,
        expected: &'static str,
        found: &'static str,
    },
    #[error("event {0} is voided")]
    AlreadyVoided(EventId),
    #[error("staff code {code} is already held by person {holder}")]
    StaffCodeTaken { code: StaffCode, holder: PersonId },
    #[error("person {person} already has the staff code {code}")]
    StaffCodeAlreadySet { person: PersonId, code: StaffCode },
    #[error(
        "this looks like a person already registered ({}, person {person}): same name, birth date and unit; confirm the registration if they are two people",
        code_text(.code.as_ref())
    )]
    PossibleDuplicate {
        person: PersonId,
        code: Option<StaffCode>,
    },
    #[error(
        "the registration of person {0} cannot be voided: other facts are recorded about them (void those first)"
    )]
    RegistrationInUse(PersonId),
}

/// A staff code as text: "no staff code" when there is none.
fn code_text(code: Option<&StaffCode>) -> String {
    code.map_or("no staff code".into(), |c| format!("staff code {c}"))
}

impl DomainError {
    /// The command field the refusal concerns, for a form to show it beside (`None` when
    /// it concerns the command as a whole, or a field that differs between commands).
    pub fn field(&self) -> Option<&str> {
        use DomainError as E;
        Some(match self {
            E::Invalid { field, .. } => field,
            E::UnknownUnit(_) => "unit",
            E::UnknownProgramme(_) => "programme",
            E::UnknownSession(_)
            | E::AlreadyEnrolled(_)
            | E::SessionFull { .. }
            | E::NoActiveEnrolment(_) => "session",
            E::CapacityBelowTaken { .. } => "capacity",
            E::EnrolmentOutOfOrder { .. }
            | E::CompletionBeforeSessionStart { .. }
            | E::RotationAlreadyActive { .. }
            | E::RotationOverlap { .. }
            | E::DateBeforeBirth { .. }
            | E::DateBeforeRegistration { .. } => "effective_date",
            E::AlreadyAppraised { .. } => "year",
            E::LevelNotInTrack { .. } => "level",
            E::CorrectionTypeMismatch { .. } => "replacement",
            E::StaffCodeTaken { .. } | E::StaffCodeAlreadySet { .. } => "staff_code",
            E::PossibleDuplicate { .. } => "confirm_duplicate",
            E::UnitAlreadyRegistered(_)
            | E::ProgrammeAlreadyRegistered(_)
            | E::SessionAlreadyScheduled(_)
            | E::NotRegistered(_)
            | E::AlreadyRegistered(_)
            | E::Separated { .. }
            | E::NoActiveRotation
            | E::DateTooFarInFuture { .. }
            | E::UnknownEvent(_)
            | E::EventOfAnotherStream { .. }
            | E::NotCorrectable { .. }
            | E::AlreadyVoided(_)
            | E::RegistrationInUse(_) => return None,
        })
    }

    /// The refusal in `lang`: the English is the `Display` text.
    pub fn say(&self, lang: Lang) -> String {
        in_lang(lang, self, || self.vietnamese())
    }

    /// The Vietnamese words, with the values the English carries (dates as dd/mm/yyyy).
    fn vietnamese(&self) -> String {
        use DomainError as E;
        match self {
            E::Invalid { field, why } => format!("{}: {}", field_vi(field), why.say(Lang::Vi)),
            E::UnknownUnit(unit) => format!("đơn vị {unit} chưa được đăng ký"),
            E::UnitAlreadyRegistered(unit) => format!("đơn vị {unit} đã được đăng ký rồi"),
            E::UnknownProgramme(programme) => {
                format!("chương trình đào tạo {programme} chưa được đăng ký")
            }
            E::ProgrammeAlreadyRegistered(programme) => {
                format!("chương trình đào tạo {programme} đã được đăng ký rồi")
            }
            E::UnknownSession(session) => format!("chưa có lớp {session} trong lịch học"),
            E::SessionAlreadyScheduled(session) => format!("lớp {session} đã có trong lịch học"),
            E::NotRegistered(person) => format!("cán bộ {person} chưa được đăng ký"),
            E::AlreadyRegistered(person) => format!("cán bộ {person} đã được đăng ký rồi"),
            E::Separated { person, on } => {
                format!(
                    "cán bộ {person} đã nghỉ việc từ ngày {}",
                    Lang::Vi.date(*on)
                )
            }
            E::AlreadyEnrolled(session) => format!("cán bộ đã được ghi danh vào lớp {session}"),
            E::SessionFull { session, capacity } => {
                format!("lớp {session} đã hết chỗ: cả {capacity} chỗ đều đã có người")
            }
            E::CapacityBelowTaken {
                session,
                capacity,
                taken,
            } => format!(
                "lớp {session} không thể chỉ có {capacity} chỗ: đã có {taken} người được ghi danh"
            ),
            E::NoActiveEnrolment(session) => {
                format!("cán bộ không có ghi danh nào còn hiệu lực ở lớp {session}")
            }
            E::EnrolmentOutOfOrder {
                session,
                date,
                after,
            } => format!(
                "ngày {} sớm hơn ngày {} của bước ghi nhận trước đó ở lớp {session}",
                Lang::Vi.date(*date),
                Lang::Vi.date(*after)
            ),
            E::CompletionBeforeSessionStart { date, starts_on } => format!(
                "ngày hoàn thành {} sớm hơn ngày khai giảng lớp {}",
                Lang::Vi.date(*date),
                Lang::Vi.date(*starts_on)
            ),
            E::RotationAlreadyActive { since } => format!(
                "đang có một đợt luân chuyển từ ngày {}: hãy ghi kết thúc đợt đó trước",
                Lang::Vi.date(*since)
            ),
            E::RotationOverlap { since, until } => format!(
                "đã có đợt luân chuyển từ {} đến {}, trùng với ngày bắt đầu này",
                Lang::Vi.date(*since),
                Lang::Vi.date(*until)
            ),
            E::NoActiveRotation => {
                "cán bộ không có đợt luân chuyển nào đang diễn ra để kết thúc".into()
            }
            E::AlreadyAppraised { year, event } => format!(
                "đã có kết quả đánh giá năm {year} (sự kiện {event}): hãy ghi đính chính thay vì đánh giá lại"
            ),
            E::DateBeforeBirth { date, birth_date } => {
                format!(
                    "ngày {} sớm hơn ngày sinh {}",
                    Lang::Vi.date(*date),
                    Lang::Vi.date(*birth_date)
                )
            }
            E::DateTooFarInFuture { date, today } => format!(
                "ngày {} cách hôm nay ({}) hơn {MAX_DAYS_AHEAD} ngày",
                Lang::Vi.date(*date),
                Lang::Vi.date(*today)
            ),
            E::DateBeforeRegistration {
                date,
                registered_on,
            } => format!(
                "ngày {} sớm hơn ngày đăng ký cán bộ {}",
                Lang::Vi.date(*date),
                Lang::Vi.date(*registered_on)
            ),
            E::LevelNotInTrack { track, level } => {
                format!(
                    "\"{level}\" không phải một trình độ {}",
                    track.label(Lang::Vi)
                )
            }
            E::UnknownEvent(event) => format!("không có sự kiện {event}"),
            E::EventOfAnotherStream { id, stream } => {
                format!("sự kiện {id} thuộc {stream}, không phải của cán bộ này")
            }
            E::NotCorrectable { event_type, action } => {
                let action = match *action {
                    "voided" => "hủy",
                    _ => "đính chính",
                };
                format!("không thể {action} sự kiện loại {event_type}")
            }
            E::CorrectionTypeMismatch {
                id,
                expected,
                found,
            } => format!(
                "sự kiện {id} là {expected}; bản đính chính cũng phải là {expected}, không phải {found}"
            ),
            E::AlreadyVoided(event) => format!("sự kiện {event} đã bị hủy"),
            E::StaffCodeTaken { code, holder } => {
                format!("mã cán bộ {code} đã thuộc về cán bộ {holder}")
            }
            E::StaffCodeAlreadySet { person, code } => {
                format!("cán bộ {person} đã có mã cán bộ {code}")
            }
            E::PossibleDuplicate { person, code } => {
                let who = code
                    .as_ref()
                    .map_or_else(|| format!("cán bộ {person}"), |c| format!("mã cán bộ {c}"));
                format!(
                    "có vẻ đây là người đã đăng ký ({who}): trùng họ tên, ngày sinh và đơn vị; nếu là hai người khác nhau, hãy xác nhận đăng ký"
                )
            }
            E::RegistrationInUse(person) => format!(
                "không thể hủy đăng ký của cán bộ {person}: đã có thông tin khác được ghi nhận về người này (hãy hủy các thông tin đó trước)"
            ),
        }
    }

    /// A stable, machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid { .. } => "invalid",
            DomainError::UnknownUnit(_) => "unknown_unit",
            DomainError::UnitAlreadyRegistered(_) => "unit_already_registered",
            DomainError::UnknownProgramme(_) => "unknown_programme",
            DomainError::ProgrammeAlreadyRegistered(_) => "programme_already_registered",
            DomainError::UnknownSession(_) => "unknown_session",
            DomainError::SessionAlreadyScheduled(_) => "session_already_scheduled",
            DomainError::NotRegistered(_) => "not_registered",
            DomainError::AlreadyRegistered(_) => "already_registered",
            DomainError::Separated { .. } => "separated",
            DomainError::AlreadyEnrolled(_) => "already_enrolled",
            DomainError::SessionFull { .. } => "session_full",
            DomainError::CapacityBelowTaken { .. } => "capacity_below_taken",
            DomainError::NoActiveEnrolment(_) => "no_active_enrolment",
            DomainError::EnrolmentOutOfOrder { .. } => "enrolment_out_of_order",
            DomainError::CompletionBeforeSessionStart { .. } => "completion_before_session_start",
            DomainError::RotationAlreadyActive { .. } => "rotation_already_active",
            DomainError::RotationOverlap { .. } => "rotation_overlap",
            DomainError::NoActiveRotation => "no_active_rotation",
            DomainError::AlreadyAppraised { .. } => "already_appraised",
            DomainError::DateBeforeBirth { .. } => "date_before_birth",
            DomainError::DateTooFarInFuture { .. } => "date_too_far_in_future",
            DomainError::DateBeforeRegistration { .. } => "date_before_registration",
            DomainError::LevelNotInTrack { .. } => "level_not_in_track",
            DomainError::UnknownEvent(_) => "unknown_event",
            DomainError::EventOfAnotherStream { .. } => "event_of_another_stream",
            DomainError::NotCorrectable { .. } => "not_correctable",
            DomainError::CorrectionTypeMismatch { .. } => "correction_type_mismatch",
            DomainError::AlreadyVoided(_) => "already_voided",
            DomainError::StaffCodeTaken { .. } => "staff_code_taken",
            DomainError::StaffCodeAlreadySet { .. } => "staff_code_already_set",
            DomainError::PossibleDuplicate { .. } => "possible_duplicate",
            DomainError::RegistrationInUse(_) => "registration_in_use",
        }
    }
}

/// What is wrong with a field a command carries, in English (`Display`) and Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Why {
    #[error("must not be empty")]
    Empty,
    /// A control (`control`) or bidirectional formatting character, at a 1-based place.
    #[error(
        "must not contain {} (U+{code:04X} at character {at})",
        if *control { "a control character" } else { "a bidirectional formatting character" }
    )]
    UnsafeCharacter { control: bool, code: u32, at: usize },
    #[error("is {length} characters long; at most {max} are allowed")]
    TooLong { length: usize, max: usize },
    #[error("{date} is outside the years {}–{}", YEARS.start(), YEARS.end())]
    OutsideYears { date: NaiveDate },
    #[error("must be at least 1")]
    AtLeastOne,
    #[error("must be between 0 and 100")]
    ScoreOutOfRange,
    #[error("{year} is outside {from}–{to}")]
    YearOutside { year: i32, from: i32, to: i32 },
    #[error("an appraisal for {year} cannot take effect in {effective_year}")]
    AppraisalInAnotherYear { year: i32, effective_year: i32 },
    #[error("a registration needs a staff code")]
    NoStaffCode,
    #[error("{date} is before the start {start}")]
    BeforeStart { date: NaiveDate, start: NaiveDate },
    #[error("{date} is not after the start {start}")]
    NotAfterStart { date: NaiveDate, start: NaiveDate },
    #[error("{date} is before the rotation started on {started_on}")]
    BeforeRotationStart {
        date: NaiveDate,
        started_on: NaiveDate,
    },
    #[error("the session ended on {ends_on}")]
    SessionEnded { ends_on: NaiveDate },
    #[error("a correction cannot move a fact to another person")]
    AnotherPerson,
    #[error("a correction cannot make an end belong to another rotation")]
    AnotherRotation,
    #[error("a correction cannot change a staff code (the code's stream holds it)")]
    CodeKept,
    #[error("a correction cannot move a completion to another session")]
    AnotherSession,
    /// Text that is not a staff code (as `InvalidStaffCode` says it).
    #[error("{0:?} is not a staff code (1 to 32 letters, digits, '-', '_' or '.', e.g. DB-000123)")]
    NotAStaffCode(String),
    #[error("{0:?} names no registered unit (give its id, code or name)")]
    NoSuchUnit(String),
    #[error(
        "{text:?} is the name of {} units (codes {}): give the code of the one you mean",
        codes.len(),
        codes.join(", ")
    )]
    SharedUnitName { text: String, codes: Vec<String> },
}

impl Why {
    /// The words in `lang`: the English is the `Display` text.
    pub fn say(&self, lang: Lang) -> String {
        in_lang(lang, self, || self.vietnamese())
    }

    fn vietnamese(&self) -> String {
        match self {
            Why::Empty => "không được để trống".into(),
            Why::UnsafeCharacter { control, code, at } => format!(
                "không được chứa {} (U+{code:04X} ở ký tự thứ {at})",
                if *control {
                    "ký tự điều khiển"
                } else {
                    "ký tự định hướng văn bản"
                }
            ),
            Why::TooLong { length, max } => {
                format!("dài {length} ký tự; chỉ được tối đa {max} ký tự")
            }
            Why::OutsideYears { date } => format!(
                "ngày {} nằm ngoài khoảng năm {}–{}",
                Lang::Vi.date(*date),
                YEARS.start(),
                YEARS.end()
            ),
            Why::AtLeastOne => "phải từ 1 trở lên".into(),
            Why::ScoreOutOfRange => "phải từ 0 đến 100".into(),
            Why::YearOutside { year, from, to } => {
                format!("năm {year} nằm ngoài khoảng {from}–{to}")
            }
            Why::AppraisalInAnotherYear {
                year,
                effective_year,
            } => format!("đánh giá năm {year} không thể có hiệu lực trong năm {effective_year}"),
            Why::NoStaffCode => "đăng ký cán bộ phải có mã cán bộ".into(),
            Why::BeforeStart { date, start } => {
                format!(
                    "ngày {} sớm hơn ngày bắt đầu {}",
                    Lang::Vi.date(*date),
                    Lang::Vi.date(*start)
                )
            }
            Why::NotAfterStart { date, start } => {
                format!(
                    "ngày {} phải sau ngày bắt đầu {}",
                    Lang::Vi.date(*date),
                    Lang::Vi.date(*start)
                )
            }
            Why::BeforeRotationStart { date, started_on } => format!(
                "ngày {} sớm hơn ngày bắt đầu luân chuyển {}",
                Lang::Vi.date(*date),
                Lang::Vi.date(*started_on)
            ),
            Why::SessionEnded { ends_on } => {
                format!("lớp đã kết thúc ngày {}", Lang::Vi.date(*ends_on))
            }
            Why::AnotherPerson => {
                "bản đính chính không thể chuyển thông tin sang một cán bộ khác".into()
            }
            Why::AnotherRotation => {
                "bản đính chính không thể gắn việc kết thúc vào một đợt luân chuyển khác".into()
            }
            Why::CodeKept => {
                "bản đính chính không thể đổi mã cán bộ (mã được giữ trong sổ riêng của mã)".into()
            }
            Why::AnotherSession => {
                "bản đính chính không thể chuyển kết quả học sang một lớp khác".into()
            }
            Why::NotAStaffCode(text) => format!(
                "\"{text}\" không phải mã cán bộ (1 đến 32 chữ cái, chữ số, '-', '_' hoặc '.', ví dụ DB-000123)"
            ),
            Why::NoSuchUnit(text) => format!(
                "\"{text}\" không phải đơn vị nào đã đăng ký (ghi mã định danh, mã hoặc tên đơn vị)"
            ),
            Why::SharedUnitName { text, codes } => format!(
                "\"{text}\" là tên của {} đơn vị (mã {}): ghi mã của đơn vị muốn chọn",
                codes.len(),
                codes.join(", ")
            ),
        }
    }
}

/// `english` as displayed, or the Vietnamese words.
fn in_lang(
    lang: Lang,
    english: &impl std::fmt::Display,
    vietnamese: impl FnOnce() -> String,
) -> String {
    match lang {
        Lang::En => english.to_string(),
        Lang::Vi => vietnamese(),
    }
}

/// A command field's name in Vietnamese (a correction's replacement's fields say so); a
/// field without one is named as it is.
fn field_vi(field: &str) -> String {
    if let Some(inner) = field.strip_prefix("replacement.") {
        return format!("{} (trong bản đính chính)", field_vi(inner));
    }
    let name = match field {
        "effective_date" => "ngày hiệu lực",
        "staff_code" => "mã cán bộ",
        "full_name" => "họ và tên",
        "birth_date" => "ngày sinh",
        "ethnicity" => "dân tộc",
        "post" => "chức vụ",
        "unit" => "đơn vị",
        "to_unit" => "đơn vị đến",
        "to.post" => "chức vụ đến",
        "person" => "cán bộ",
        "name" => "tên",
        "code" => "mã",
        "provider" => "cơ sở đào tạo",
        "duration_days" => "số ngày học",
        "capacity" => "số chỗ",
        "starts_on" => "ngày bắt đầu",
        "ends_on" => "ngày kết thúc",
        "planned_end" => "ngày dự kiến kết thúc",
        "decision_number" => "số quyết định",
        "reason" => "lý do",
        "field" => "chuyên ngành",
        "institution" => "cơ sở đào tạo",
        "grade" => "xếp loại",
        "certificate.number" => "số văn bằng",
        "certificate.issued_on" => "ngày cấp văn bằng",
        "assessment" => "nhận xét",
        "feedback.summary" => "nội dung ý kiến",
        "year" => "năm đánh giá",
        "score" => "điểm",
        "session" => "lớp",
        "rotation" => "đợt luân chuyển",
        other => other,
    };
    name.into()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use uuid::Uuid;

    use super::*;
    use crate::domain::vocab::Track;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn reasons() -> Vec<Why> {
        let (a, b) = (date(2018, 4, 30), date(2018, 3, 1));
        vec![
            Why::Empty,
            Why::UnsafeCharacter {
                control: true,
                code: 7,
                at: 3,
            },
            Why::UnsafeCharacter {
                control: false,
                code: 0x202E,
                at: 3,
            },
            Why::TooLong {
                length: 201,
                max: 200,
            },
            Why::OutsideYears {
                date: date(1, 1, 1),
            },
            Why::AtLeastOne,
            Why::ScoreOutOfRange,
            Why::YearOutside {
                year: 2019,
                from: 2010,
                to: 2018,
            },
            Why::AppraisalInAnotherYear {
                year: 2017,
                effective_year: 2019,
            },
            Why::NoStaffCode,
            Why::BeforeStart { date: b, start: a },
            Why::NotAfterStart { date: b, start: a },
            Why::BeforeRotationStart {
                date: b,
                started_on: a,
            },
            Why::SessionEnded { ends_on: a },
            Why::AnotherPerson,
            Why::AnotherRotation,
            Why::CodeKept,
            Why::AnotherSession,
            Why::NotAStaffCode("DB 1".into()),
            Why::NoSuchUnit("Xã Pom".into()),
            Why::SharedUnitName {
                text: "Xã Pom Lót".into(),
                codes: vec!["pom-lot".into(), "pom-lot-2".into()],
            },
        ]
    }

    /// Which variant a reason is: exhaustive, so a new variant must be sampled here too.
    fn which_reason(why: &Why) -> usize {
        match why {
            Why::Empty => 0,
            Why::UnsafeCharacter { .. } => 1,
            Why::TooLong { .. } => 2,
            Why::OutsideYears { .. } => 3,
            Why::AtLeastOne => 4,
            Why::ScoreOutOfRange => 5,
            Why::YearOutside { .. } => 6,
            Why::AppraisalInAnotherYear { .. } => 7,
            Why::NoStaffCode => 8,
            Why::BeforeStart { .. } => 9,
            Why::NotAfterStart { .. } => 10,
            Why::BeforeRotationStart { .. } => 11,
            Why::SessionEnded { .. } => 12,
            Why::AnotherPerson => 13,
            Why::AnotherRotation => 14,
            Why::CodeKept => 15,
            Why::AnotherSession => 16,
            Why::NotAStaffCode(_) => 17,
            Why::NoSuchUnit(_) => 18,
            Why::SharedUnitName { .. } => 19,
        }
    }

    /// One refusal of every kind (`Invalid` once per reason).
    fn refusals() -> Vec<DomainError> {
        let (person, event) = (PersonId(Uuid::from_u128(1)), Uuid::from_u128(2));
        let (unit, programme, session) = (
            UnitId(Uuid::from_u128(3)),
            ProgrammeId(Uuid::from_u128(4)),
            SessionId(Uuid::from_u128(5)),
        );
        let (on, later) = (date(2017, 12, 31), date(2018, 3, 1));
        let code = StaffCode::parse("DB-000123").unwrap();
        let mut all: Vec<DomainError> = reasons()
            .into_iter()
            .map(|why| DomainError::Invalid {
                field: "effective_date".into(),
                why,
            })
            .collect();
        all.extend([
            DomainError::UnknownUnit(unit),
            DomainError::UnitAlreadyRegistered(unit),
            DomainError::UnknownProgramme(programme),
            DomainError::ProgrammeAlreadyRegistered(programme),
            DomainError::UnknownSession(session),
            DomainError::SessionAlreadyScheduled(session),
            DomainError::NotRegistered(person),
            DomainError::AlreadyRegistered(person),
            DomainError::Separated { person, on },
            DomainError::AlreadyEnrolled(session),
            DomainError::SessionFull {
                session,
                capacity: 2,
            },
            DomainError::CapacityBelowTaken {
                session,
                capacity: 1,
                taken: 2,
            },
            DomainError::NoActiveEnrolment(session),
            DomainError::EnrolmentOutOfOrder {
                session,
                date: on,
                after: later,
            },
            DomainError::CompletionBeforeSessionStart {
                date: on,
                starts_on: later,
            },
            DomainError::RotationAlreadyActive { since: on },
            DomainError::RotationOverlap {
                since: on,
                until: later,
            },
            DomainError::NoActiveRotation,
            DomainError::AlreadyAppraised { year: 2017, event },
            DomainError::DateBeforeBirth {
                date: on,
                birth_date: later,
            },
            DomainError::DateTooFarInFuture {
                date: later,
                today: on,
            },
            DomainError::DateBeforeRegistration {
                date: on,
                registered_on: later,
            },
            DomainError::LevelNotInTrack {
                track: Track::Professional,
                level: "ĐH".into(),
            },
            DomainError::UnknownEvent(event),
            DomainError::EventOfAnotherStream {
                id: event,
                stream: "person-x".into(),
            },
            DomainError::NotCorrectable {
                event_type: "EnrolledInSession",
                action: "voided",
            },
            DomainError::NotCorrectable {
                event_type: "EnrolledInSession",
                action: "corrected",
            },
            DomainError::CorrectionTypeMismatch {
                id: event,
                expected: "Appraised",
                found: "PersonAssigned",
            },
            DomainError::AlreadyVoided(event),
            DomainError::StaffCodeTaken {
                code: code.clone(),
                holder: person,
            },
            DomainError::StaffCodeAlreadySet {
                person,
                code: code.clone(),
            },
            DomainError::PossibleDuplicate {
                person,
                code: Some(code),
            },
            DomainError::PossibleDuplicate { person, code: None },
            DomainError::RegistrationInUse(person),
        ]);
        all
    }

    #[test]
    fn every_refusal_and_reason_is_sampled() {
        let sampled: BTreeSet<&str> = refusals().iter().map(DomainError::code).collect();
        assert_eq!(
            sampled.len(),
            33,
            "one sample of every variant: {sampled:?}"
        );
        let reasons: BTreeSet<usize> = reasons().iter().map(which_reason).collect();
        assert_eq!(reasons, (0..20).collect());
    }

    #[test]
    fn every_refusal_has_vietnamese_words_other_than_the_english() {
        let mut seen = BTreeSet::new();
        for refusal in refusals() {
            let (vi, en) = (refusal.say(Lang::Vi), refusal.say(Lang::En));
            assert_eq!(en, refusal.to_string(), "the English is the API's text");
            assert!(!vi.trim().is_empty(), "{:?} has no words", refusal.code());
            assert_ne!(vi, en, "{:?} is not translated", refusal.code());
            assert!(seen.insert(vi.clone()), "said twice: {vi}");
        }
    }

    #[test]
    fn vietnamese_words_carry_the_values_with_dates_as_clerks_write_them() {
        let refusal = DomainError::CompletionBeforeSessionStart {
            date: date(2018, 2, 27),
            starts_on: date(2018, 3, 1),
        };
        assert_eq!(
            refusal.say(Lang::Vi),
            "ngày hoàn thành 27/02/2018 sớm hơn ngày khai giảng lớp 01/03/2018"
        );
        let code = StaffCode::parse("DB-1001").unwrap();
        let holder = PersonId(Uuid::from_u128(9));
        let taken = DomainError::StaffCodeTaken { code, holder };
        assert!(taken.say(Lang::Vi).contains("DB-1001"));
        assert!(taken.say(Lang::Vi).contains(&holder.to_string()));
        let invalid = DomainError::Invalid {
            field: "replacement.capacity".into(),
            why: Why::AtLeastOne,
        };
        assert_eq!(
            invalid.say(Lang::Vi),
            "số chỗ (trong bản đính chính): phải từ 1 trở lên"
        );
        assert_eq!(invalid.field(), Some("replacement.capacity"));
    }

    #[test]
    fn a_refusal_names_the_field_it_concerns() {
        let session = SessionId(Uuid::from_u128(5));
        let full = DomainError::SessionFull {
            session,
            capacity: 2,
        };
        assert_eq!(full.field(), Some("session"));
        let code = StaffCode::parse("DB-1").unwrap();
        let set = DomainError::StaffCodeAlreadySet {
            person: PersonId(Uuid::from_u128(1)),
            code,
        };
        assert_eq!(set.field(), Some("staff_code"));
        assert_eq!(DomainError::NoActiveRotation.field(), None);
    }
}
