//! Given/when/then tests of every rule and every fold.
//!
//! `given(person_events)` starts from a world where the district propaganda board is
//! registered, a state-management programme conferring "specialist" is registered and one
//! session of it (capacity 2, 1 March – 30 April 2018) is scheduled; today is 1 June 2018.
//! The person's events get the ids 1, 2, 3… in the order given (`ev(n)`).

use super::command::{
    Appraise, AssignPerson, AssignStaffCode, ChangeSessionCapacity, CompleteTraining, Correct,
    EndRotation, Enrol, RecordQualification, RegisterPerson, RegisterProgramme, RegisterUnit,
    ScheduleSession, Separate, StartRotation, Void, WithdrawEnrolment,
};
use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use super::command::Command;
use super::decide::{Facts, MAX_DAYS_AHEAD, Target, decide};
use super::error::DomainError;
use super::event::*;
use super::ids::{EventId, PersonId, ProgrammeId, SessionId, StaffCode, UnitId};
use super::person::{EnrolmentState, Evidence, PersonHistory, PersonView};
use super::policy::{Gap, PolicySet};
use super::post;
use super::reference::{CodeState, ProgrammeState, SessionState, UnitState};
use super::vocab::*;
use crate::stream::StreamId;

// ---------------------------------------------------------------------------------------
// The world

const PERSON: PersonId = PersonId(Uuid::from_u128(0x100));
const OTHER: PersonId = PersonId(Uuid::from_u128(0x101));
const THIRD: PersonId = PersonId(Uuid::from_u128(0x102));
/// The district propaganda board.
const DISTRICT: UnitId = UnitId(Uuid::from_u128(0x200));
/// Pom Lót commune.
const COMMUNE: UnitId = UnitId(Uuid::from_u128(0x201));
const PROGRAMME: ProgrammeId = ProgrammeId(Uuid::from_u128(0x300));
const SESSION: SessionId = SessionId(Uuid::from_u128(0x400));

const SPECIALIST: QualificationLevel =
    QualificationLevel::StateManagement(StateManagementLevel::Specialist);
const PRINCIPAL: QualificationLevel =
    QualificationLevel::StateManagement(StateManagementLevel::PrincipalSpecialist);
const INTERMEDIATE: QualificationLevel =
    QualificationLevel::Professional(ProfessionalLevel::Intermediate);
const COLLEGE: QualificationLevel = QualificationLevel::Professional(ProfessionalLevel::College);
const UNIVERSITY: QualificationLevel =
    QualificationLevel::Professional(ProfessionalLevel::University);
const LOWER_SECONDARY: QualificationLevel =
    QualificationLevel::GeneralEducation(GeneralEducationLevel::LowerSecondary);

const REASON: &str = "nhập sai";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2018, 6, 1)
}

fn born() -> NaiveDate {
    d(1980, 3, 15)
}

fn joined() -> NaiveDate {
    d(2010, 1, 1)
}

fn session_starts() -> NaiveDate {
    d(2018, 3, 1)
}

fn ev(n: u128) -> EventId {
    Uuid::from_u128(n)
}

fn home() -> Placement {
    Placement {
        unit: DISTRICT,
        post: "Phó Trưởng ban Tuyên giáo".into(),
    }
}

fn pom_lot() -> Placement {
    Placement {
        unit: COMMUNE,
        post: "Bí thư Đảng uỷ xã".into(),
    }
}

fn press() -> Vec<FeedbackItem> {
    vec![FeedbackItem {
        channel: FeedbackChannel::Press,
        summary: "không có phản ánh".into(),
    }]
}

// ---------------------------------------------------------------------------------------
// Events

fn unit_registered() -> UnitRegistered {
    UnitRegistered {
        unit: DISTRICT,
        code: "ban-tuyen-giao".into(),
        name: "Ban Tuyên giáo Huyện uỷ".into(),
        level: UnitLevel::District,
        effective_date: d(2009, 1, 1),
    }
}

fn programme_registered(
    category: ProgrammeCategory,
    confers: Option<QualificationLevel>,
) -> ProgrammeRegistered {
    ProgrammeRegistered {
        programme: PROGRAMME,
        name: "Bồi dưỡng ngạch chuyên viên".into(),
        category,
        confers,
        provider: "Trường Chính trị tỉnh".into(),
        in_province: true,
        duration_days: 60,
        effective_date: d(2018, 1, 10),
    }
}

fn session_scheduled(starts_on: NaiveDate, ends_on: NaiveDate, capacity: u32) -> SessionScheduled {
    SessionScheduled {
        session: SESSION,
        programme: PROGRAMME,
        starts_on,
        ends_on,
        capacity,
        effective_date: d(2018, 1, 15),
    }
}

fn seat_taken(person: PersonId, on: NaiveDate) -> Event {
    SeatTaken {
        session: SESSION,
        person,
        effective_date: on,
    }
    .into()
}

fn seat_released(person: PersonId, on: NaiveDate) -> Event {
    SeatReleased {
        effective_date: on,
        session: SESSION,
        person,
    }
    .into()
}

fn registration(category: StaffCategory, leadership: bool) -> PersonRegistered {
    PersonRegistered {
        person: PERSON,
        full_name: "Lò Văn Minh".into(),
        birth_date: born(),
        gender: Gender::Male,
        ethnicity: "Thái".into(),
        category,
        unit: DISTRICT,
        post: home().post,
        leadership,
        effective_date: joined(),
        staff_code: Some(code()),
    }
}

fn code() -> StaffCode {
    StaffCode::numbered("DB-", 1).unwrap()
}

fn code_claimed() -> Event {
    StaffCodeClaimed {
        code: code(),
        person: PERSON,
        effective_date: joined(),
    }
    .into()
}

fn registered_as(category: StaffCategory, leadership: bool) -> Event {
    registration(category, leadership).into()
}

fn registered() -> Event {
    registered_as(StaffCategory::CivilServant, true)
}

fn assigned(to: Placement, category: StaffCategory, leadership: bool, on: NaiveDate) -> Event {
    PersonAssigned {
        person: PERSON,
        unit: to.unit,
        post: to.post,
        category,
        leadership,
        at: home(),
        effective_date: on,
    }
    .into()
}

fn qualification(level: QualificationLevel, on: NaiveDate) -> QualificationRecorded {
    QualificationRecorded {
        person: PERSON,
        level,
        field: None,
        institution: None,
        certificate: None,
        at: home(),
        effective_date: on,
    }
}

fn qualified(level: QualificationLevel, on: NaiveDate) -> Event {
    qualification(level, on).into()
}

fn enrolled(on: NaiveDate) -> Event {
    EnrolledInSession {
        person: PERSON,
        session: SESSION,
        programme: PROGRAMME,
        at: home(),
        effective_date: on,
    }
    .into()
}

fn withdrawn(on: NaiveDate) -> Event {
    EnrolmentWithdrawn {
        person: PERSON,
        session: SESSION,
        reason: "ốm".into(),
        at: home(),
        effective_date: on,
    }
    .into()
}

fn completed(result: TrainingResult, confers: Option<QualificationLevel>, on: NaiveDate) -> Event {
    TrainingCompleted {
        person: PERSON,
        session: SESSION,
        programme: PROGRAMME,
        result,
        grade: None,
        certificate: None,
        confers,
        at: home(),
        effective_date: on,
    }
    .into()
}

fn rotation(kind: MovementKind, on: NaiveDate) -> RotationStarted {
    RotationStarted {
        person: PERSON,
        kind,
        from: home(),
        to: pom_lot(),
        planned_end: None,
        decision_number: "123-QĐ/HU".into(),
        at: home(),
        effective_date: on,
    }
}

fn rotation_started(kind: MovementKind, on: NaiveDate) -> Event {
    rotation(kind, on).into()
}

fn rotation_ended(rotation: EventId, on: NaiveDate) -> Event {
    RotationEnded {
        person: PERSON,
        rotation,
        outcome: RotationOutcome::CompletedWell,
        assessment: "Hoàn thành tốt".into(),
        at: pom_lot(),
        effective_date: on,
    }
    .into()
}

fn appraisal(year: i32, score: Option<u8>) -> Appraised {
    Appraised {
        person: PERSON,
        year,
        classification: Classification::Good,
        feedback: press(),
        at: home(),
        effective_date: d(year, 12, 20),
        score,
    }
}

fn appraised(year: i32) -> Event {
    appraisal(year, Some(85)).into()
}

fn separated(on: NaiveDate) -> Event {
    PersonSeparated {
        person: PERSON,
        reason: SeparationReason::Retired,
        at: home(),
        effective_date: on,
    }
    .into()
}

fn corrected(id: EventId, replacement: Correction) -> Event {
    EventCorrected {
        person: PERSON,
        corrects: id,
        reason: REASON.into(),
        replacement: Box::new(replacement),
        at: home(),
        effective_date: today(),
    }
    .into()
}

fn voided(id: EventId) -> Event {
    EventVoided {
        person: PERSON,
        voids: id,
        reason: REASON.into(),
        at: home(),
        effective_date: today(),
    }
    .into()
}

// ---------------------------------------------------------------------------------------
// Commands

fn register_unit(name: &str) -> Command {
    let unit = unit_registered();
    Command::RegisterUnit(RegisterUnit {
        unit: unit.unit,
        code: format!(" {} ", unit.code),
        name: name.into(),
        level: unit.level,
        effective_date: unit.effective_date,
    })
}

fn register_programme(category: ProgrammeCategory, confers: Option<QualificationLevel>) -> Command {
    let p = programme_registered(category, confers);
    Command::RegisterProgramme(RegisterProgramme {
        programme: p.programme,
        name: p.name,
        category,
        confers,
        provider: p.provider,
        in_province: p.in_province,
        duration_days: p.duration_days,
        effective_date: p.effective_date,
    })
}

fn schedule(starts_on: NaiveDate, ends_on: NaiveDate, capacity: u32) -> Command {
    let s = session_scheduled(starts_on, ends_on, capacity);
    Command::ScheduleSession(ScheduleSession {
        session: s.session,
        programme: s.programme,
        starts_on,
        ends_on,
        capacity,
        effective_date: s.effective_date,
    })
}

fn register_person(full_name: &str, effective_date: NaiveDate) -> Command {
    let r = registration(StaffCategory::CivilServant, true);
    Command::RegisterPerson(RegisterPerson {
        person: PERSON,
        full_name: full_name.into(),
        birth_date: r.birth_date,
        gender: r.gender,
        ethnicity: r.ethnicity,
        category: r.category,
        unit: r.unit,
        post: r.post,
        leadership: r.leadership,
        effective_date,
        staff_code: r.staff_code,
    })
}

fn assign(to: Placement, on: NaiveDate) -> Command {
    Command::AssignPerson(AssignPerson {
        person: PERSON,
        unit: to.unit,
        post: to.post,
        category: StaffCategory::Cadre,
        leadership: true,
        effective_date: on,
    })
}

fn record(level: QualificationLevel, on: NaiveDate) -> Command {
    Command::RecordQualification(RecordQualification {
        person: PERSON,
        level,
        field: None,
        institution: None,
        certificate: None,
        effective_date: on,
    })
}

fn enrol(on: NaiveDate) -> Command {
    Command::Enrol(Enrol {
        person: PERSON,
        session: SESSION,
        effective_date: on,
    })
}

fn withdraw(reason: &str, on: NaiveDate) -> Command {
    Command::WithdrawEnrolment(WithdrawEnrolment {
        person: PERSON,
        session: SESSION,
        reason: reason.into(),
        effective_date: on,
    })
}

fn complete(result: TrainingResult, on: NaiveDate) -> Command {
    Command::CompleteTraining(CompleteTraining {
        person: PERSON,
        session: SESSION,
        result,
        grade: None,
        certificate: None,
        effective_date: on,
    })
}

fn start_rotation(kind: MovementKind, planned_end: Option<NaiveDate>, on: NaiveDate) -> Command {
    Command::StartRotation(StartRotation {
        person: PERSON,
        kind,
        to: pom_lot(),
        planned_end,
        decision_number: " 123-QĐ/HU ".into(),
        effective_date: on,
    })
}

fn end_rotation(on: NaiveDate) -> Command {
    Command::EndRotation(EndRotation {
        person: PERSON,
        outcome: RotationOutcome::CompletedWell,
        assessment: "Hoàn thành tốt".into(),
        effective_date: on,
    })
}

fn appraise(year: i32, score: Option<u8>) -> Command {
    Command::Appraise(Appraise {
        person: PERSON,
        year,
        classification: Classification::Good,
        score,
        feedback: press(),
        effective_date: d(year, 12, 20),
    })
}

fn separate(on: NaiveDate) -> Command {
    Command::Separate(Separate {
        person: PERSON,
        reason: SeparationReason::Retired,
        effective_date: on,
    })
}

fn correct(id: EventId, replacement: Correction) -> Command {
    Command::Correct(Correct {
        person: PERSON,
        corrects: id,
        reason: format!("  {REASON} "),
        replacement,
        effective_date: today(),
    })
}

fn void(id: EventId) -> Command {
    Command::Void(Void {
        person: PERSON,
        voids: id,
        reason: REASON.into(),
        effective_date: today(),
    })
}

// ---------------------------------------------------------------------------------------
// Given / when / then

fn history(events: Vec<Event>) -> PersonHistory {
    (1..)
        .zip(events)
        .fold(PersonHistory::default(), |h, (n, e)| h.evolve(ev(n), e))
}

/// A qualification replacement, for corrections.
fn corrected_to(level: QualificationLevel, on: NaiveDate) -> Correction {
    Correction::QualificationRecorded(qualification(level, on))
}

/// A qualification recorded on 1 June 2015 (event 2), corrected to `to` (event 3).
fn qualification_corrected(from: QualificationLevel, to: QualificationLevel) -> Vec<Event> {
    let on = d(2015, 6, 1);
    vec![
        registered(),
        qualified(from, on),
        corrected(
            ev(2),
            Correction::QualificationRecorded(qualification(to, on)),
        ),
    ]
}

fn view_of(events: Vec<Event>) -> PersonView {
    history(events).view(None).unwrap()
}

fn session_of(events: Vec<Event>) -> SessionState {
    events
        .iter()
        .fold(SessionState::default(), |s, e| s.evolve(e))
}

struct Given {
    person: PersonHistory,
    session: SessionState,
    programme: ProgrammeState,
    unit: UnitState,
    code: CodeState,
    elsewhere: Option<StreamId>,
}

/// The person's stream holds `person_events`; the unit, programme and session exist.
fn given(person_events: Vec<Event>) -> Given {
    let schedule = session_scheduled(session_starts(), d(2018, 4, 30), 2);
    Given {
        person: history(person_events),
        session: session_of(vec![schedule.into()]),
        programme: ProgrammeState::default().evolve(
            &programme_registered(ProgrammeCategory::StateManagement, Some(SPECIALIST)).into(),
        ),
        unit: UnitState::default().evolve(&unit_registered().into()),
        code: CodeState::default(),
        elsewhere: None,
    }
}

impl Given {
    fn without_unit(mut self) -> Self {
        self.unit = UnitState::default();
        self
    }

    fn without_programme(mut self) -> Self {
        self.programme = ProgrammeState::default();
        self
    }

    fn without_session(mut self) -> Self {
        self.session = SessionState::default();
        self
    }

    /// More events on the session's stream.
    fn and_session(mut self, events: Vec<Event>) -> Self {
        self.session = events.iter().fold(self.session, |s, e| s.evolve(e));
        self
    }

    fn and_programme(mut self, programme: ProgrammeRegistered) -> Self {
        self.programme = ProgrammeState::default().evolve(&programme.into());
        self
    }

    /// The staff code's stream holds `events`.
    fn and_code(mut self, events: Vec<Event>) -> Self {
        self.code = events.iter().fold(self.code, |s, e| s.evolve(e));
        self
    }

    /// The named event is not in this person's stream but in `stream`.
    fn target_found_in(mut self, stream: StreamId) -> Self {
        self.elsewhere = Some(stream);
        self
    }

    fn when(self, command: Command) -> Then {
        let facts = Facts {
            today: today(),
            person: &self.person,
            session: &self.session,
            programme: &self.programme,
            unit: &self.unit,
            code: &self.code,
            target_elsewhere: self.elsewhere.as_ref(),
        };
        Then(decide(&facts, &command))
    }
}

struct Then(Result<Vec<(Target, Event)>, DomainError>);

impl Then {
    #[track_caller]
    fn then_events(self, expected: Vec<(Target, Event)>) {
        assert_eq!(self.0, Ok(expected));
    }

    /// One event, in the person's stream.
    #[track_caller]
    fn then_person_event(self, expected: impl Into<Event>) {
        self.then_events(vec![(Target::Person(PERSON), expected.into())]);
    }

    #[track_caller]
    fn then_error(self, expected: DomainError) {
        assert_eq!(self.0, Err(expected));
    }

    /// Refused as `invalid`, naming `field`, with these English words (what the API sends).
    #[track_caller]
    fn then_invalid(self, field: &str, english: &str) {
        match self.0 {
            Err(DomainError::Invalid { field: named, why }) => {
                assert_eq!((named.as_ref(), why.to_string().as_str()), (field, english));
            }
            other => panic!("expected invalid {field}, got {other:?}"),
        }
    }
}

/// The person of `given` separated on 31 December 2017.
fn separated_end_of_2017() -> DomainError {
    DomainError::Separated {
        person: PERSON,
        on: d(2017, 12, 31),
    }
}

fn before_birth(date: NaiveDate) -> DomainError {
    DomainError::DateBeforeBirth {
        date,
        birth_date: born(),
    }
}

fn too_far(date: NaiveDate) -> DomainError {
    DomainError::DateTooFarInFuture {
        date,
        today: today(),
    }
}

/// What an accepted enrolment records, in both streams.
fn enrolment_events(at: Placement, on: NaiveDate) -> Vec<(Target, Event)> {
    let Event::EnrolledInSession(mut enrolment) = enrolled(on) else {
        unreachable!()
    };
    enrolment.at = at;
    vec![
        (Target::Person(PERSON), enrolment.into()),
        (Target::Session(SESSION), seat_taken(PERSON, on)),
    ]
}

// ---------------------------------------------------------------------------------------
// Rejections: people and dates

#[test]
fn enrolling_someone_not_registered_is_refused() {
    given(vec![])
        .when(enrol(d(2018, 2, 15)))
        .then_error(DomainError::NotRegistered(PERSON));
}

#[test]
fn enrolling_someone_already_separated_is_refused() {
    given(vec![registered(), separated(d(2017, 12, 31))])
        .when(enrol(d(2018, 2, 15)))
        .then_error(separated_end_of_2017());
}

#[test]
fn enrolling_a_separated_person_is_refused_even_when_dated_before_the_separation() {
    given(vec![registered(), separated(d(2017, 12, 31))])
        .when(enrol(d(2017, 6, 1)))
        .then_error(separated_end_of_2017());
}

#[test]
fn a_fact_dated_after_the_separation_is_refused() {
    given(vec![registered(), separated(d(2017, 12, 31))])
        .when(record(UNIVERSITY, d(2018, 1, 1)))
        .then_error(separated_end_of_2017());
}

#[test]
fn a_fact_dated_before_the_separation_can_still_be_recorded() {
    given(vec![registered(), separated(d(2017, 12, 31))])
        .when(record(UNIVERSITY, d(2017, 6, 1)))
        .then_person_event(qualification(UNIVERSITY, d(2017, 6, 1)));
}

#[test]
fn separating_someone_twice_is_refused() {
    given(vec![registered(), separated(d(2017, 12, 31))])
        .when(separate(d(2017, 6, 1)))
        .then_error(separated_end_of_2017());
}

#[test]
fn a_fact_dated_before_birth_is_refused() {
    given(vec![registered()])
        .when(record(UNIVERSITY, d(1979, 1, 1)))
        .then_error(before_birth(d(1979, 1, 1)));
}

#[test]
fn a_fact_dated_more_than_max_days_ahead_is_refused() {
    let date = today() + Duration::days(MAX_DAYS_AHEAD + 1);
    given(vec![registered()])
        .when(record(UNIVERSITY, date))
        .then_error(too_far(date));
}

#[test]
fn a_fact_dated_exactly_max_days_ahead_is_accepted() {
    let date = today() + Duration::days(MAX_DAYS_AHEAD);
    given(vec![registered()])
        .when(record(UNIVERSITY, date))
        .then_person_event(qualification(UNIVERSITY, date));
}

#[test]
fn a_fact_dated_before_registration_is_refused() {
    given(vec![registered()])
        .when(record(UNIVERSITY, d(2009, 12, 31)))
        .then_error(DomainError::DateBeforeRegistration {
            date: d(2009, 12, 31),
            registered_on: joined(),
        });
}

#[test]
fn registering_a_person_before_their_birth_is_refused() {
    given(vec![])
        .when(register_person("Lò Văn Minh", d(1979, 1, 1)))
        .then_error(before_birth(d(1979, 1, 1)));
}

#[test]
fn registering_a_person_too_far_ahead_is_refused() {
    let date = today() + Duration::days(MAX_DAYS_AHEAD + 1);
    given(vec![])
        .when(register_person("Lò Văn Minh", date))
        .then_error(too_far(date));
}

// ---------------------------------------------------------------------------------------
// Rejections: enrolment and training

#[test]
fn enrolling_twice_in_one_session_is_refused() {
    given(vec![registered(), enrolled(d(2018, 2, 15))])
        .and_session(vec![seat_taken(PERSON, d(2018, 2, 15))])
        .when(enrol(d(2018, 2, 16)))
        .then_error(DomainError::AlreadyEnrolled(SESSION));
}

#[test]
fn enrolling_again_after_completing_the_session_is_refused() {
    given(vec![
        registered(),
        enrolled(d(2018, 2, 15)),
        completed(TrainingResult::Failed, None, d(2018, 4, 30)),
    ])
    .when(enrol(d(2018, 5, 2)))
    .then_error(DomainError::AlreadyEnrolled(SESSION));
}

#[test]
fn re_enrolling_after_a_withdrawal_is_allowed() {
    withdrawn_on_20_march()
        .when(enrol(d(2018, 3, 25)))
        .then_events(enrolment_events(home(), d(2018, 3, 25)));
}

#[test]
fn enrolling_in_a_full_session_is_refused() {
    given(vec![registered()])
        .and_session(vec![
            seat_taken(OTHER, d(2018, 2, 10)),
            seat_taken(THIRD, d(2018, 2, 11)),
        ])
        .when(enrol(d(2018, 2, 15)))
        .then_error(DomainError::SessionFull {
            session: SESSION,
            capacity: 2,
        });
}

fn change_capacity(capacity: u32, reason: &str) -> Command {
    Command::ChangeSessionCapacity(ChangeSessionCapacity {
        session: SESSION,
        capacity,
        reason: reason.into(),
        effective_date: d(2018, 2, 20),
    })
}

fn capacity_changed(capacity: u32, previous: u32) -> Event {
    SessionCapacityChanged {
        session: SESSION,
        capacity,
        previous,
        reason: "thêm lớp".into(),
        effective_date: d(2018, 2, 20),
    }
    .into()
}

/// The session of `given` with both of its two seats taken.
fn session_full() -> Given {
    given(vec![registered()]).and_session(vec![
        seat_taken(OTHER, d(2018, 2, 10)),
        seat_taken(THIRD, d(2018, 2, 11)),
    ])
}

#[test]
fn raising_a_full_session_s_capacity_records_it_in_the_session_stream() {
    session_full()
        .when(change_capacity(3, " thêm lớp "))
        .then_events(vec![(Target::Session(SESSION), capacity_changed(3, 2))]);
}

#[test]
fn enrolling_after_the_capacity_is_raised_takes_a_new_seat() {
    session_full()
        .and_session(vec![capacity_changed(3, 2)])
        .when(enrol(d(2018, 2, 21)))
        .then_events(enrolment_events(home(), d(2018, 2, 21)));
}

#[test]
fn lowering_the_capacity_below_the_seats_taken_is_refused_naming_both() {
    session_full()
        .when(change_capacity(1, "thêm lớp"))
        .then_error(DomainError::CapacityBelowTaken {
            session: SESSION,
            capacity: 1,
            taken: 2,
        });
}

#[test]
fn lowering_the_capacity_to_the_seats_taken_is_allowed() {
    given(vec![registered()])
        .and_session(vec![
            capacity_changed(5, 2),
            seat_taken(OTHER, d(2018, 2, 10)),
        ])
        .when(change_capacity(1, "thêm lớp"))
        .then_events(vec![(Target::Session(SESSION), capacity_changed(1, 5))]);
}

#[test]
fn the_capacity_of_an_unscheduled_session_cannot_change() {
    given(vec![])
        .without_session()
        .when(change_capacity(3, "thêm lớp"))
        .then_error(DomainError::UnknownSession(SESSION));
}

#[test]
fn a_capacity_of_zero_or_without_a_reason_is_refused() {
    given(vec![])
        .when(change_capacity(0, "thêm lớp"))
        .then_invalid("capacity", "must be at least 1");
    given(vec![])
        .when(change_capacity(3, " "))
        .then_invalid("reason", "must not be empty");
}

#[test]
fn enrolling_in_a_session_with_a_seat_released_is_allowed() {
    given(vec![registered()])
        .and_session(vec![
            seat_taken(OTHER, d(2018, 2, 10)),
            seat_taken(THIRD, d(2018, 2, 11)),
            seat_released(THIRD, d(2018, 2, 12)),
        ])
        .when(enrol(d(2018, 2, 15)))
        .then_events(enrolment_events(home(), d(2018, 2, 15)));
}

#[test]
fn enrolling_in_an_unknown_session_is_refused() {
    given(vec![registered()])
        .without_session()
        .when(enrol(d(2018, 2, 15)))
        .then_error(DomainError::UnknownSession(SESSION));
}

#[test]
fn completing_without_an_active_enrolment_is_refused() {
    given(vec![registered()])
        .when(complete(TrainingResult::Passed, d(2018, 4, 30)))
        .then_error(DomainError::NoActiveEnrolment(SESSION));
}

#[test]
fn completing_a_withdrawn_enrolment_is_refused() {
    given(vec![
        registered(),
        enrolled(d(2018, 2, 15)),
        withdrawn(d(2018, 2, 18)),
    ])
    .when(complete(TrainingResult::Passed, d(2018, 4, 30)))
    .then_error(DomainError::NoActiveEnrolment(SESSION));
}

#[test]
fn withdrawing_without_an_active_enrolment_is_refused() {
    given(vec![registered()])
        .when(withdraw("ốm", d(2018, 2, 18)))
        .then_error(DomainError::NoActiveEnrolment(SESSION));
}

#[test]
fn withdrawing_without_a_reason_is_refused() {
    given(vec![registered(), enrolled(d(2018, 2, 15))])
        .when(withdraw("  ", d(2018, 2, 18)))
        .then_invalid("reason", "must not be empty");
}

#[test]
fn a_completion_dated_before_the_session_starts_is_refused() {
    given(vec![registered(), enrolled(d(2018, 2, 15))])
        .when(complete(TrainingResult::Passed, d(2018, 2, 28)))
        .then_error(DomainError::CompletionBeforeSessionStart {
            date: d(2018, 2, 28),
            starts_on: session_starts(),
        });
}

/// The person enrolled on 10 March 2018 (event 2), their seat taken.
fn enrolled_on_10_march() -> Given {
    given(vec![registered(), enrolled(d(2018, 3, 10))])
        .and_session(vec![seat_taken(PERSON, d(2018, 3, 10))])
}

/// The person enrolled on 10 March 2018 and withdrew on 20 March; the seat went back.
fn withdrawn_on_20_march() -> Given {
    given(vec![
        registered(),
        enrolled(d(2018, 3, 10)),
        withdrawn(d(2018, 3, 20)),
    ])
    .and_session(vec![
        seat_taken(PERSON, d(2018, 3, 10)),
        seat_released(PERSON, d(2018, 3, 20)),
    ])
}

fn out_of_order(date: NaiveDate, after: NaiveDate) -> DomainError {
    DomainError::EnrolmentOutOfOrder {
        session: SESSION,
        date,
        after,
    }
}

fn withdrawal_events(on: NaiveDate) -> Vec<(Target, Event)> {
    vec![
        (Target::Person(PERSON), withdrawn(on)),
        (Target::Session(SESSION), seat_released(PERSON, on)),
    ]
}

#[test]
fn a_withdrawal_dated_before_the_enrolment_is_refused() {
    enrolled_on_10_march()
        .when(withdraw("ốm", d(2018, 3, 1)))
        .then_error(out_of_order(d(2018, 3, 1), d(2018, 3, 10)));
}

#[test]
fn a_withdrawal_dated_on_the_enrolment_day_is_accepted() {
    enrolled_on_10_march()
        .when(withdraw("ốm", d(2018, 3, 10)))
        .then_events(withdrawal_events(d(2018, 3, 10)));
}

#[test]
fn a_completion_dated_before_the_enrolment_is_refused() {
    enrolled_on_10_march()
        .when(complete(TrainingResult::Passed, d(2018, 3, 5)))
        .then_error(out_of_order(d(2018, 3, 5), d(2018, 3, 10)));
}

#[test]
fn re_enrolling_dated_before_the_withdrawal_is_refused() {
    withdrawn_on_20_march()
        .when(enrol(d(2018, 3, 15)))
        .then_error(out_of_order(d(2018, 3, 15), d(2018, 3, 20)));
}

#[test]
fn a_re_enrolment_is_a_new_enrolment_that_can_be_withdrawn_and_completed() {
    let re_enrolled = || {
        given(vec![
            registered(),
            enrolled(d(2018, 3, 10)),
            withdrawn(d(2018, 3, 20)),
            enrolled(d(2018, 3, 25)),
        ])
        .and_session(vec![
            seat_taken(PERSON, d(2018, 3, 10)),
            seat_released(PERSON, d(2018, 3, 20)),
            seat_taken(PERSON, d(2018, 3, 25)),
        ])
    };
    re_enrolled()
        .when(withdraw("ốm", d(2018, 3, 28)))
        .then_events(withdrawal_events(d(2018, 3, 28)));
    re_enrolled()
        .when(complete(TrainingResult::Passed, d(2018, 4, 30)))
        .then_person_event(completed(
            TrainingResult::Passed,
            Some(SPECIALIST),
            d(2018, 4, 30),
        ));
    // Dated between the first withdrawal and the re-enrolment: before the enrolment it ends.
    re_enrolled()
        .when(withdraw("ốm", d(2018, 3, 22)))
        .then_error(out_of_order(d(2018, 3, 22), d(2018, 3, 25)));
}

#[test]
fn the_enrolment_in_force_records_when_it_entered_its_state() {
    let view = view_of(vec![
        registered(),
        enrolled(d(2018, 3, 10)),
        withdrawn(d(2018, 3, 20)),
        enrolled(d(2018, 3, 25)),
    ]);
    let enrolment = view.enrolments[&SESSION];
    assert_eq!(enrolment.state, EnrolmentState::Active);
    assert_eq!((enrolment.event, enrolment.since), (ev(4), d(2018, 3, 25)));
    let withdrawn = view_of(vec![
        registered(),
        enrolled(d(2018, 3, 10)),
        withdrawn(d(2018, 3, 20)),
    ]);
    assert_eq!(withdrawn.enrolments[&SESSION].since, d(2018, 3, 20));
}

/// The person enrolled on 10 March and passed on 30 April (event 3).
fn completed_on_30_april() -> Given {
    given(vec![
        registered(),
        enrolled(d(2018, 3, 10)),
        completed(TrainingResult::Passed, Some(SPECIALIST), d(2018, 4, 30)),
    ])
}

fn completion_replaced(change: impl FnOnce(&mut TrainingCompleted)) -> Correction {
    let Event::TrainingCompleted(mut completion) =
        completed(TrainingResult::Passed, Some(SPECIALIST), d(2018, 4, 30))
    else {
        unreachable!()
    };
    change(&mut completion);
    Correction::TrainingCompleted(completion)
}

#[test]
fn correcting_a_completion_to_before_its_enrolment_is_refused() {
    completed_on_30_april()
        .when(correct(
            ev(3),
            completion_replaced(|c| c.effective_date = d(2018, 3, 1)),
        ))
        .then_error(out_of_order(d(2018, 3, 1), d(2018, 3, 10)));
}

#[test]
fn correcting_a_completion_into_another_session_is_refused() {
    completed_on_30_april()
        .when(correct(
            ev(3),
            completion_replaced(|c| c.session = SessionId(Uuid::from_u128(0x401))),
        ))
        .then_invalid(
            "replacement.session",
            "a correction cannot move a completion to another session",
        );
}

// ---------------------------------------------------------------------------------------
// Rejections: rotations and appraisals

#[test]
fn a_rotation_overlapping_an_active_one_is_refused() {
    given(vec![
        registered(),
        rotation_started(MovementKind::Rotation, d(2017, 1, 1)),
    ])
    .when(start_rotation(
        MovementKind::Secondment,
        None,
        d(2017, 6, 1),
    ))
    .then_error(DomainError::RotationAlreadyActive {
        since: d(2017, 1, 1),
    });
}

#[test]
fn a_backdated_rotation_overlapping_an_ended_one_is_refused() {
    given(vec![
        registered(),
        rotation_started(MovementKind::Rotation, d(2017, 1, 1)),
        rotation_ended(ev(2), d(2017, 12, 31)),
    ])
    .when(start_rotation(MovementKind::Rotation, None, d(2017, 6, 1)))
    .then_error(DomainError::RotationOverlap {
        since: d(2017, 1, 1),
        until: d(2017, 12, 31),
    });
}

#[test]
fn enrolling_after_the_session_ended_is_refused() {
    given(vec![registered()])
        .when(enrol(d(2018, 5, 1)))
        .then_invalid("effective_date", "the session ended on 2018-04-30");
}

#[test]
fn ending_a_rotation_when_none_was_started_is_refused() {
    given(vec![registered()])
        .when(end_rotation(d(2017, 12, 31)))
        .then_error(DomainError::NoActiveRotation);
}

#[test]
fn ending_a_rotation_that_already_ended_is_refused() {
    given(vec![
        registered(),
        rotation_started(MovementKind::Rotation, d(2017, 1, 1)),
        rotation_ended(ev(2), d(2017, 12, 31)),
    ])
    .when(end_rotation(d(2018, 1, 5)))
    .then_error(DomainError::NoActiveRotation);
}

#[test]
fn ending_a_rotation_before_it_started_is_refused() {
    given(vec![
        registered(),
        rotation_started(MovementKind::Rotation, d(2017, 1, 1)),
    ])
    .when(end_rotation(d(2016, 12, 31)))
    .then_invalid(
        "effective_date",
        "2016-12-31 is before the rotation started on 2017-01-01",
    );
}

#[test]
fn a_rotation_planned_to_end_before_it_starts_is_refused() {
    given(vec![registered()])
        .when(start_rotation(
            MovementKind::Rotation,
            Some(d(2017, 1, 1)),
            d(2017, 1, 1),
        ))
        .then_invalid(
            "planned_end",
            "2017-01-01 is not after the start 2017-01-01",
        );
}

#[test]
fn a_rotation_to_an_unknown_unit_is_refused() {
    given(vec![registered()])
        .without_unit()
        .when(start_rotation(MovementKind::Rotation, None, d(2017, 1, 1)))
        .then_error(DomainError::UnknownUnit(COMMUNE));
}

#[test]
fn a_second_appraisal_for_the_same_year_is_refused() {
    given(vec![registered(), appraised(2017)])
        .when(appraise(2017, Some(90)))
        .then_error(DomainError::AlreadyAppraised {
            year: 2017,
            event: ev(2),
        });
}

#[test]
fn an_appraisal_can_be_recorded_again_once_the_first_is_voided() {
    given(vec![registered(), appraised(2017), voided(ev(2))])
        .when(appraise(2017, Some(90)))
        .then_person_event(appraisal(2017, Some(90)));
}

#[test]
fn an_appraisal_score_above_100_is_refused() {
    given(vec![registered()])
        .when(appraise(2017, Some(101)))
        .then_invalid("score", "must be between 0 and 100");
}

#[test]
fn an_appraisal_score_of_100_is_accepted() {
    given(vec![registered()])
        .when(appraise(2017, Some(100)))
        .then_person_event(appraisal(2017, Some(100)));
}

#[test]
fn an_appraisal_for_a_year_after_this_one_is_refused() {
    let mut command = appraise(2019, None);
    if let Command::Appraise(Appraise { effective_date, .. }) = &mut command {
        *effective_date = today();
    }
    given(vec![registered()])
        .when(command)
        .then_invalid("year", "2019 is outside 2010–2018");
}

// ---------------------------------------------------------------------------------------
// Rejections: levels and tracks

#[test]
fn a_level_that_does_not_belong_to_its_track_does_not_parse() {
    assert_eq!(
        QualificationLevel::parse(Track::StateManagement, "đại học"),
        None
    );
    assert_eq!(
        QualificationLevel::parse(Track::GeneralEducation, "trung cấp"),
        None
    );
    assert_eq!(
        QualificationLevel::parse(Track::Professional, "trung cấp"),
        Some(INTERMEDIATE)
    );
    assert_eq!(
        QualificationLevel::parse(Track::PoliticalTheory, "trung cấp"),
        Some(QualificationLevel::PoliticalTheory(
            PoliticalTheoryLevel::Intermediate
        ))
    );
}

#[test]
fn a_programme_conferring_a_level_of_another_track_is_refused() {
    given(vec![])
        .without_programme()
        .when(register_programme(
            ProgrammeCategory::StateManagement,
            Some(UNIVERSITY),
        ))
        .then_error(DomainError::LevelNotInTrack {
            track: Track::Professional,
            level: "state_management programme conferring university".into(),
        });
}

#[test]
fn a_programme_outside_the_qualification_tracks_cannot_confer_a_level() {
    given(vec![])
        .without_programme()
        .when(register_programme(
            ProgrammeCategory::InformationTechnology,
            Some(COLLEGE),
        ))
        .then_error(DomainError::LevelNotInTrack {
            track: Track::Professional,
            level: "information_technology programme conferring college".into(),
        });
}

// ---------------------------------------------------------------------------------------
// Rejections: corrections and voids

#[test]
fn correcting_an_event_that_does_not_exist_is_refused() {
    given(vec![registered()])
        .when(correct(ev(99), corrected_to(COLLEGE, d(2015, 6, 1))))
        .then_error(DomainError::UnknownEvent(ev(99)));
}

#[test]
fn voiding_an_event_that_does_not_exist_is_refused() {
    given(vec![registered()])
        .when(void(ev(99)))
        .then_error(DomainError::UnknownEvent(ev(99)));
}

#[test]
fn correcting_an_event_of_another_stream_is_refused() {
    given(vec![registered()])
        .target_found_in(OTHER.stream())
        .when(correct(ev(99), corrected_to(COLLEGE, d(2015, 6, 1))))
        .then_error(DomainError::EventOfAnotherStream {
            id: ev(99),
            stream: OTHER.stream().to_string(),
        });
}

#[test]
fn voiding_an_event_of_a_session_stream_is_refused() {
    given(vec![registered()])
        .target_found_in(SESSION.stream())
        .when(void(ev(99)))
        .then_error(DomainError::EventOfAnotherStream {
            id: ev(99),
            stream: format!("session-{}", SESSION.0),
        });
}

#[test]
fn a_replacement_of_another_type_is_refused() {
    given(vec![registered(), qualified(UNIVERSITY, d(2015, 6, 1))])
        .when(correct(ev(2), Correction::Appraised(appraisal(2015, None))))
        .then_error(DomainError::CorrectionTypeMismatch {
            id: ev(2),
            expected: "QualificationRecorded",
            found: "Appraised",
        });
}

#[test]
fn voiding_a_registration_nothing_refers_to_gives_its_code_back() {
    given(vec![registered()])
        .and_code(vec![code_claimed()])
        .when(void(ev(1)))
        .then_events(vec![
            (Target::Person(PERSON), voided(ev(1))),
            code_released(),
        ]);
}

#[test]
fn voiding_a_registration_other_facts_refer_to_is_refused() {
    given(vec![registered(), qualified(UNIVERSITY, d(2015, 6, 1))])
        .and_code(vec![code_claimed()])
        .when(void(ev(1)))
        .then_error(DomainError::RegistrationInUse(PERSON));
}

/// The code claimed by someone else when they registered.
fn claimed_by_other() -> Event {
    StaffCodeClaimed {
        code: code(),
        person: OTHER,
        effective_date: joined(),
    }
    .into()
}

#[test]
fn registering_with_a_code_someone_holds_is_refused_naming_them() {
    given(vec![])
        .and_code(vec![claimed_by_other()])
        .when(register_person("Lò Văn Minh", joined()))
        .then_error(DomainError::StaffCodeTaken {
            code: code(),
            holder: OTHER,
        });
}

#[test]
fn a_correction_cannot_change_a_staff_code() {
    let mut replacement = registration(StaffCategory::Cadre, true);
    replacement.staff_code = Some(StaffCode::numbered("DB-", 2).unwrap());
    given(vec![registered()])
        .when(correct(ev(1), Correction::PersonRegistered(replacement)))
        .then_invalid(
            "replacement.staff_code",
            "a correction cannot change a staff code (the code's stream holds it)",
        );
}

/// `registered()` as version 1 upcasts it: no staff code.
fn registered_without_code() -> Event {
    PersonRegistered {
        staff_code: None,
        ..registration(StaffCategory::CivilServant, true)
    }
    .into()
}

fn assign_code(code: StaffCode) -> Command {
    AssignStaffCode {
        person: PERSON,
        staff_code: code,
        effective_date: today(),
    }
    .into()
}

/// The code's stream gets the code back, today.
fn code_released() -> (Target, Event) {
    (
        Target::StaffCode(code()),
        StaffCodeReleased {
            code: code(),
            person: PERSON,
            effective_date: today(),
        }
        .into(),
    )
}

fn code_assigned() -> Event {
    StaffCodeAssigned {
        person: PERSON,
        code: code(),
        effective_date: today(),
    }
    .into()
}

#[test]
fn a_person_registered_without_a_code_is_given_one_in_both_streams() {
    given(vec![registered_without_code()])
        .when(assign_code(code()))
        .then_events(vec![
            (Target::Person(PERSON), code_assigned()),
            (
                Target::StaffCode(code()),
                StaffCodeClaimed {
                    code: code(),
                    person: PERSON,
                    effective_date: today(),
                }
                .into(),
            ),
        ]);
}

#[test]
fn a_given_code_is_in_the_persons_view_whatever_its_date() {
    let history = history(vec![registered_without_code(), code_assigned()]);
    assert_eq!(history.view(None).unwrap().staff_code, Some(code()));
    assert_eq!(
        history.view(Some(joined())).unwrap().staff_code,
        Some(code())
    );
}

#[test]
fn giving_a_code_to_a_person_who_has_one_is_refused() {
    given(vec![registered()])
        .when(assign_code(StaffCode::numbered("DB-", 2).unwrap()))
        .then_error(DomainError::StaffCodeAlreadySet {
            person: PERSON,
            code: code(),
        });
    given(vec![registered_without_code(), code_assigned()])
        .when(assign_code(StaffCode::numbered("DB-", 2).unwrap()))
        .then_error(DomainError::StaffCodeAlreadySet {
            person: PERSON,
            code: code(),
        });
}

#[test]
fn giving_a_code_someone_holds_is_refused_naming_them() {
    given(vec![registered_without_code()])
        .and_code(vec![claimed_by_other()])
        .when(assign_code(code()))
        .then_error(DomainError::StaffCodeTaken {
            code: code(),
            holder: OTHER,
        });
}

#[test]
fn giving_a_code_to_someone_not_registered_is_refused() {
    given(vec![])
        .when(assign_code(code()))
        .then_error(DomainError::NotRegistered(PERSON));
}

#[test]
fn voiding_a_given_code_gives_it_back_and_leaves_the_person_without_one() {
    given(vec![registered_without_code(), code_assigned()])
        .and_code(vec![code_claimed()])
        .when(void(ev(2)))
        .then_events(vec![
            (Target::Person(PERSON), voided(ev(2))),
            code_released(),
        ]);
    let history = history(vec![
        registered_without_code(),
        code_assigned(),
        voided(ev(2)),
    ]);
    assert_eq!(history.view(None).unwrap().staff_code, None);
}

#[test]
fn voiding_an_enrolment_is_refused() {
    given(vec![registered(), enrolled(d(2018, 2, 15))])
        .when(void(ev(2)))
        .then_error(DomainError::NotCorrectable {
            event_type: "EnrolledInSession",
            action: "voided",
        });
}

#[test]
fn correcting_a_correction_is_refused() {
    let replacement = corrected_to(COLLEGE, d(2015, 6, 1));
    given(vec![
        registered(),
        qualified(UNIVERSITY, d(2015, 6, 1)),
        corrected(ev(2), replacement.clone()),
    ])
    .when(correct(ev(3), replacement))
    .then_error(DomainError::NotCorrectable {
        event_type: "EventCorrected",
        action: "corrected",
    });
}

#[test]
fn correcting_a_voided_event_is_refused() {
    given(vec![
        registered(),
        qualified(UNIVERSITY, d(2015, 6, 1)),
        voided(ev(2)),
    ])
    .when(correct(ev(2), corrected_to(COLLEGE, d(2015, 6, 1))))
    .then_error(DomainError::AlreadyVoided(ev(2)));
}

#[test]
fn voiding_a_voided_event_again_is_refused() {
    given(vec![
        registered(),
        qualified(UNIVERSITY, d(2015, 6, 1)),
        voided(ev(2)),
    ])
    .when(void(ev(2)))
    .then_error(DomainError::AlreadyVoided(ev(2)));
}

#[test]
fn a_correction_cannot_move_a_fact_to_another_person() {
    let mut replacement = qualification(COLLEGE, d(2015, 6, 1));
    replacement.person = OTHER;
    given(vec![registered(), qualified(UNIVERSITY, d(2015, 6, 1))])
        .when(correct(
            ev(2),
            Correction::QualificationRecorded(replacement),
        ))
        .then_invalid(
            "replacement.person",
            "a correction cannot move a fact to another person",
        );
}

#[test]
fn a_replacement_dated_before_registration_is_refused() {
    given(vec![registered(), qualified(UNIVERSITY, d(2015, 6, 1))])
        .when(correct(ev(2), corrected_to(COLLEGE, d(2009, 6, 1))))
        .then_error(DomainError::DateBeforeRegistration {
            date: d(2009, 6, 1),
            registered_on: joined(),
        });
}

#[test]
fn correcting_a_registration_to_a_date_before_birth_is_refused() {
    let mut replacement = registration(StaffCategory::CivilServant, true);
    replacement.effective_date = d(1979, 1, 1);
    given(vec![registered()])
        .when(correct(ev(1), Correction::PersonRegistered(replacement)))
        .then_error(before_birth(d(1979, 1, 1)));
}

// ---------------------------------------------------------------------------------------
// Rejections: reference data

#[test]
fn registering_a_person_in_an_unknown_unit_is_refused() {
    given(vec![])
        .without_unit()
        .when(register_person("Lò Văn Minh", joined()))
        .then_error(DomainError::UnknownUnit(DISTRICT));
}

#[test]
fn assigning_a_person_to_an_unknown_unit_is_refused() {
    given(vec![registered()])
        .without_unit()
        .when(assign(pom_lot(), d(2016, 1, 1)))
        .then_error(DomainError::UnknownUnit(COMMUNE));
}

#[test]
fn scheduling_a_session_of_an_unknown_programme_is_refused() {
    given(vec![])
        .without_session()
        .without_programme()
        .when(schedule(session_starts(), d(2018, 4, 30), 30))
        .then_error(DomainError::UnknownProgramme(PROGRAMME));
}

#[test]
fn registering_a_person_twice_is_refused() {
    given(vec![registered()])
        .when(register_person("Lò Văn Minh", joined()))
        .then_error(DomainError::AlreadyRegistered(PERSON));
}

#[test]
fn registering_a_unit_twice_is_refused() {
    given(vec![])
        .when(register_unit("Ban Tuyên giáo"))
        .then_error(DomainError::UnitAlreadyRegistered(DISTRICT));
}

#[test]
fn registering_a_programme_twice_is_refused() {
    given(vec![])
        .when(register_programme(ProgrammeCategory::StateManagement, None))
        .then_error(DomainError::ProgrammeAlreadyRegistered(PROGRAMME));
}

#[test]
fn scheduling_a_session_twice_is_refused() {
    given(vec![])
        .when(schedule(session_starts(), d(2018, 4, 30), 30))
        .then_error(DomainError::SessionAlreadyScheduled(SESSION));
}

#[test]
fn registering_a_person_with_a_blank_name_is_refused() {
    given(vec![])
        .when(register_person(" \t ", joined()))
        .then_invalid("full_name", "must not be empty");
}

#[test]
fn registering_a_unit_with_a_blank_name_is_refused() {
    given(vec![])
        .without_unit()
        .when(register_unit(""))
        .then_invalid("name", "must not be empty");
}

#[test]
fn registering_a_unit_named_with_a_control_character_is_refused() {
    given(vec![])
        .without_unit()
        .when(register_unit("\u{0}"))
        .then_invalid(
            "name",
            "must not contain a control character (U+0000 at character 1)",
        );
}

#[test]
fn a_name_of_200_characters_is_accepted_and_of_201_refused() {
    let at_limit = given(vec![])
        .without_unit()
        .when(register_unit(&"ư".repeat(200)));
    assert!(at_limit.0.is_ok(), "{:?}", at_limit.0);
    given(vec![])
        .without_unit()
        .when(register_unit(&"ư".repeat(201)))
        .then_invalid("name", "is 201 characters long; at most 200 are allowed");
}

#[test]
fn a_reason_with_a_bidirectional_override_is_refused() {
    given(vec![registered(), enrolled(d(2018, 2, 15))])
        .when(withdraw("ốm\u{202E}", d(2018, 2, 18)))
        .then_invalid(
            "reason",
            "must not contain a bidirectional formatting character (U+202E at character 3)",
        );
}

#[test]
fn a_date_outside_the_years_1900_to_2200_is_refused() {
    given(vec![])
        .when(register_person("Lò Văn Minh", d(1, 1, 1)))
        .then_invalid(
            "effective_date",
            "0001-01-01 is outside the years 1900–2200",
        );
}

#[test]
fn a_replacement_field_is_checked_and_named_as_such() {
    let mut wrong = qualification(UNIVERSITY, d(2015, 6, 1));
    wrong.institution = Some("Đại học\u{7}Luật".into());
    given(vec![registered(), qualified(COLLEGE, d(2015, 6, 1))])
        .when(correct(ev(2), Correction::QualificationRecorded(wrong)))
        .then_invalid(
            "replacement.institution",
            "must not contain a control character (U+0007 at character 8)",
        );
}

#[test]
fn a_session_with_no_seats_is_refused() {
    given(vec![])
        .without_session()
        .when(schedule(session_starts(), d(2018, 4, 30), 0))
        .then_invalid("capacity", "must be at least 1");
}

#[test]
fn a_session_ending_before_it_starts_is_refused() {
    given(vec![])
        .without_session()
        .when(schedule(session_starts(), d(2018, 2, 28), 30))
        .then_invalid("ends_on", "2018-02-28 is before the start 2018-03-01");
}

// ---------------------------------------------------------------------------------------
// What accepted commands record

#[test]
fn registering_a_unit_records_it_in_its_stream_trimmed() {
    given(vec![])
        .without_unit()
        .when(register_unit(" Ban Tuyên giáo Huyện uỷ "))
        .then_events(vec![(Target::Unit(DISTRICT), unit_registered().into())]);
}

#[test]
fn registering_a_programme_records_it_in_its_stream() {
    let category = ProgrammeCategory::StateManagement;
    given(vec![])
        .without_programme()
        .when(register_programme(category, Some(SPECIALIST)))
        .then_events(vec![(
            Target::Programme(PROGRAMME),
            programme_registered(category, Some(SPECIALIST)).into(),
        )]);
}

#[test]
fn scheduling_a_session_records_it_in_its_stream() {
    let (starts, ends) = (d(2018, 9, 1), d(2018, 10, 31));
    given(vec![])
        .without_session()
        .when(schedule(starts, ends, 40))
        .then_events(vec![(
            Target::Session(SESSION),
            session_scheduled(starts, ends, 40).into(),
        )]);
}

#[test]
fn registering_a_person_records_them_in_their_stream() {
    given(vec![])
        .when(register_person(" Lò Văn Minh ", joined()))
        .then_events(vec![
            (Target::Person(PERSON), registered()),
            (Target::StaffCode(code()), code_claimed()),
        ]);
}

#[test]
fn an_assignment_records_the_placement_the_person_leaves() {
    given(vec![registered()])
        .when(assign(pom_lot(), d(2016, 1, 1)))
        .then_person_event(assigned(
            pom_lot(),
            StaffCategory::Cadre,
            true,
            d(2016, 1, 1),
        ));
}

#[test]
fn a_fact_is_placed_where_the_person_works_at_the_time() {
    let mut expected = qualification(UNIVERSITY, d(2017, 6, 1));
    expected.at = pom_lot();
    given(vec![
        registered(),
        rotation_started(MovementKind::Rotation, d(2017, 1, 1)),
    ])
    .when(record(UNIVERSITY, d(2017, 6, 1)))
    .then_person_event(expected);
}

#[test]
fn enrolling_records_the_enrolment_and_takes_a_seat_in_the_session() {
    given(vec![registered()])
        .when(enrol(d(2018, 2, 15)))
        .then_events(enrolment_events(home(), d(2018, 2, 15)));
}

#[test]
fn an_enrolment_is_placed_where_the_person_works_at_the_time() {
    given(vec![
        registered(),
        assigned(
            pom_lot(),
            StaffCategory::CommuneOfficial,
            true,
            d(2016, 1, 1),
        ),
    ])
    .when(enrol(d(2018, 2, 15)))
    .then_events(enrolment_events(pom_lot(), d(2018, 2, 15)));
}

#[test]
fn withdrawing_records_the_withdrawal_and_gives_the_seat_back() {
    given(vec![registered(), enrolled(d(2018, 2, 15))])
        .and_session(vec![seat_taken(PERSON, d(2018, 2, 15))])
        .when(withdraw(" ốm ", d(2018, 2, 18)))
        .then_events(vec![
            (Target::Person(PERSON), withdrawn(d(2018, 2, 18))),
            (
                Target::Session(SESSION),
                seat_released(PERSON, d(2018, 2, 18)),
            ),
        ]);
}

#[test]
fn a_passed_completion_confers_the_programmes_level() {
    given(vec![registered(), enrolled(d(2018, 2, 15))])
        .when(complete(TrainingResult::Passed, d(2018, 4, 30)))
        .then_person_event(completed(
            TrainingResult::Passed,
            Some(SPECIALIST),
            d(2018, 4, 30),
        ));
}

#[test]
fn a_failed_completion_confers_nothing() {
    given(vec![registered(), enrolled(d(2018, 2, 15))])
        .when(complete(TrainingResult::Failed, d(2018, 4, 30)))
        .then_person_event(completed(TrainingResult::Failed, None, d(2018, 4, 30)));
}

#[test]
fn a_passed_completion_of_a_programme_conferring_nothing_confers_nothing() {
    given(vec![registered(), enrolled(d(2018, 2, 15))])
        .and_programme(programme_registered(ProgrammeCategory::Other, None))
        .when(complete(TrainingResult::Passed, d(2018, 4, 30)))
        .then_person_event(completed(TrainingResult::Passed, None, d(2018, 4, 30)));
}

#[test]
fn starting_a_rotation_records_where_the_person_comes_from_and_goes() {
    given(vec![registered()])
        .when(start_rotation(MovementKind::Rotation, None, d(2017, 1, 1)))
        .then_person_event(rotation(MovementKind::Rotation, d(2017, 1, 1)));
}

#[test]
fn a_new_rotation_may_start_once_the_previous_one_ended() {
    given(vec![
        registered(),
        rotation_started(MovementKind::Rotation, d(2016, 1, 1)),
        rotation_ended(ev(2), d(2016, 12, 31)),
    ])
    .when(start_rotation(
        MovementKind::Secondment,
        None,
        d(2017, 1, 1),
    ))
    .then_person_event(rotation(MovementKind::Secondment, d(2017, 1, 1)));
}

#[test]
fn ending_a_rotation_names_the_rotation_it_ends() {
    given(vec![
        registered(),
        appraised(2016),
        rotation_started(MovementKind::Rotation, d(2017, 1, 1)),
    ])
    .when(end_rotation(d(2017, 12, 31)))
    .then_person_event(rotation_ended(ev(3), d(2017, 12, 31)));
}

#[test]
fn appraising_records_the_year_classification_score_and_feedback() {
    given(vec![registered(), appraised(2016)])
        .when(appraise(2017, Some(85)))
        .then_person_event(appraised(2017));
}

#[test]
fn separating_records_the_reason_and_date() {
    given(vec![registered()])
        .when(separate(d(2018, 5, 31)))
        .then_person_event(separated(d(2018, 5, 31)));
}

#[test]
fn correcting_records_the_replacement_and_the_trimmed_reason() {
    let replacement = corrected_to(COLLEGE, d(2015, 6, 1));
    given(vec![registered(), qualified(UNIVERSITY, d(2015, 6, 1))])
        .when(correct(ev(2), replacement.clone()))
        .then_person_event(corrected(ev(2), replacement));
}

#[test]
fn voiding_records_the_voided_event() {
    given(vec![registered(), qualified(UNIVERSITY, d(2015, 6, 1))])
        .when(void(ev(2)))
        .then_person_event(voided(ev(2)));
}

#[test]
fn a_separated_persons_record_can_still_be_corrected() {
    given(vec![
        registered(),
        qualified(UNIVERSITY, d(2015, 6, 1)),
        separated(d(2017, 12, 31)),
    ])
    .when(void(ev(2)))
    .then_person_event(voided(ev(2)));
}

#[test]
fn every_target_names_its_stream() {
    assert_eq!(
        Target::Person(PERSON).stream(),
        PERSON.stream(),
        "person stream"
    );
    assert_eq!(
        Target::Session(SESSION).stream().as_str(),
        format!("session-{}", SESSION.0)
    );
    assert!(
        Target::Unit(DISTRICT)
            .stream()
            .as_str()
            .starts_with("unit-")
    );
    assert!(
        Target::Programme(PROGRAMME)
            .stream()
            .as_str()
            .starts_with("programme-")
    );
}

// ---------------------------------------------------------------------------------------
// The person fold

#[test]
fn registration_gives_the_persons_starting_view() {
    let view = view_of(vec![registered()]);
    assert_eq!(view.person, PERSON);
    assert_eq!(view.full_name, "Lò Văn Minh");
    assert_eq!(view.birth_date, born());
    assert_eq!(view.registered_on, joined());
    assert_eq!(view.category, StaffCategory::CivilServant);
    assert_eq!(view.placement, home());
    assert!(view.leadership);
    assert!(view.status.is_empty() && view.enrolments.is_empty());
    assert_eq!((view.active_rotation, view.separated), (None, None));
}

#[test]
fn an_empty_stream_has_no_view() {
    assert_eq!(history(vec![]).view(None), None);
}

#[test]
fn an_assignment_changes_placement_category_and_leadership() {
    let view = view_of(vec![
        registered(),
        assigned(
            pom_lot(),
            StaffCategory::CommuneOfficial,
            false,
            d(2016, 1, 1),
        ),
    ]);
    assert_eq!(view.placement, pom_lot());
    assert_eq!(view.category, StaffCategory::CommuneOfficial);
    assert!(!view.leadership);
}

#[test]
fn the_highest_qualification_per_track_is_kept_with_its_evidence() {
    let view = view_of(vec![
        registered(),
        qualified(UNIVERSITY, d(2012, 6, 1)),
        qualified(COLLEGE, d(2014, 6, 1)),
        qualified(SPECIALIST, d(2015, 6, 1)),
    ]);
    assert_eq!(
        view.status.get(&Track::Professional),
        Some(&Evidence {
            level: UNIVERSITY,
            event: ev(2),
            since: d(2012, 6, 1),
        })
    );
    assert_eq!(view.level(Track::StateManagement), Some(SPECIALIST));
    assert_eq!(view.level(Track::PoliticalTheory), None);
}

#[test]
fn a_passed_training_raises_status_with_the_completion_as_evidence() {
    let view = view_of(vec![
        registered(),
        enrolled(d(2018, 2, 15)),
        completed(TrainingResult::Passed, Some(SPECIALIST), d(2018, 4, 30)),
    ]);
    assert_eq!(
        view.status.get(&Track::StateManagement),
        Some(&Evidence {
            level: SPECIALIST,
            event: ev(3),
            since: d(2018, 4, 30),
        })
    );
    assert_eq!(
        view.enrolments[&SESSION].state,
        EnrolmentState::Completed(TrainingResult::Passed)
    );
}

#[test]
fn a_failed_training_does_not_raise_status() {
    let view = view_of(vec![
        registered(),
        enrolled(d(2018, 2, 15)),
        completed(TrainingResult::Failed, Some(SPECIALIST), d(2018, 4, 30)),
    ]);
    assert_eq!(view.level(Track::StateManagement), None);
    assert_eq!(
        view.enrolments[&SESSION].state,
        EnrolmentState::Completed(TrainingResult::Failed)
    );
}

#[test]
fn an_enrolment_is_active_until_withdrawn() {
    let enrolled_only = view_of(vec![registered(), enrolled(d(2018, 2, 15))]);
    let enrolment = enrolled_only.enrolments[&SESSION];
    assert_eq!(enrolment.state, EnrolmentState::Active);
    assert_eq!(
        (enrolment.event, enrolment.programme, enrolment.enrolled_on),
        (ev(2), PROGRAMME, d(2018, 2, 15))
    );
    let withdrawn = view_of(vec![
        registered(),
        enrolled(d(2018, 2, 15)),
        withdrawn(d(2018, 2, 18)),
    ]);
    assert_eq!(
        withdrawn.enrolments[&SESSION].state,
        EnrolmentState::Withdrawn
    );
}

#[test]
fn a_rotation_moves_the_person_to_its_destination_while_active() {
    let view = view_of(vec![
        registered(),
        rotation_started(MovementKind::Rotation, d(2017, 1, 1)),
    ]);
    assert_eq!(view.placement, pom_lot());
    let active = view.active_rotation.unwrap();
    assert_eq!(
        (active.event, active.from, active.started_on),
        (ev(2), home(), d(2017, 1, 1))
    );
    assert_eq!(view.rotations.len(), 1);
}

#[test]
fn ending_a_rotation_clears_it_and_returns_the_person_home() {
    let view = view_of(vec![
        registered(),
        rotation_started(MovementKind::Rotation, d(2017, 1, 1)),
        rotation_ended(ev(2), d(2017, 12, 31)),
    ]);
    assert_eq!(view.placement, home());
    assert_eq!(view.active_rotation, None);
    assert_eq!(
        view.rotations[0].ended,
        Some((d(2017, 12, 31), RotationOutcome::CompletedWell))
    );
}

#[test]
fn a_transfer_keeps_the_new_placement_when_it_ends() {
    let view = view_of(vec![
        registered(),
        rotation_started(MovementKind::Transfer, d(2017, 1, 1)),
        rotation_ended(ev(2), d(2017, 12, 31)),
    ]);
    assert_eq!(view.placement, pom_lot());
    assert_eq!(view.active_rotation, None);
}

/// A non-leader's rotation (event 2) to `post` in Pom Lót, from 1 February 2017.
fn non_leader_rotated_to(kind: MovementKind, post: &str) -> Vec<Event> {
    let mut rotation = rotation(kind, d(2017, 2, 1));
    rotation.to.post = post.into();
    vec![
        registered_as(StaffCategory::CivilServant, false),
        rotation.into(),
    ]
}

#[test]
fn a_rotation_into_a_leading_post_makes_the_person_a_leader_while_it_lasts() {
    let mut events = non_leader_rotated_to(MovementKind::Rotation, "Bí thư Đảng ủy xã");
    let during = view_of(events.clone());
    assert!(during.leadership);
    assert!(!during.assigned_leadership);
    events.push(rotation_ended(ev(2), d(2017, 12, 15)));
    let after = view_of(events);
    assert!(!after.leadership, "their own flag applies again");
}

#[test]
fn a_rotation_into_a_post_that_does_not_lead_leaves_the_own_flag() {
    let view = view_of(non_leader_rotated_to(
        MovementKind::Secondment,
        "Công chức Văn phòng - Thống kê",
    ));
    assert!(!view.leadership);
    let leader = view_of(vec![
        registered(),
        rotation_started(MovementKind::Rotation, d(2017, 1, 1)),
    ]);
    assert!(leader.leadership, "a leader rotated stays one");
}

#[test]
fn an_assignment_during_a_rotation_into_a_leading_post_changes_only_the_own_flag() {
    let mut events = vec![registered()];
    events.push(rotation_started(MovementKind::Rotation, d(2017, 1, 1)));
    events.push(assigned(
        home(),
        StaffCategory::CivilServant,
        false,
        d(2017, 3, 1),
    ));
    let during = view_of(events.clone());
    assert!(during.leadership && !during.assigned_leadership);
    events.push(rotation_ended(ev(2), d(2017, 12, 15)));
    assert!(!view_of(events).leadership);
}

#[test]
fn a_transfer_into_a_leading_post_keeps_the_leadership_when_it_ends() {
    let mut events = non_leader_rotated_to(MovementKind::Transfer, "Phó Chủ tịch UBND xã");
    events.push(rotation_ended(ev(2), d(2017, 12, 15)));
    let view = view_of(events);
    assert!(view.leadership && view.assigned_leadership);
}

#[test]
fn a_post_leads_when_its_name_begins_with_a_leading_title() {
    for leading in [
        "Chủ tịch UBND xã",
        "pho chu tich ubnd xa",
        "Phó Bí thư Đảng uỷ xã",
        "Trưởng phòng",
        "Phó Trưởng ban",
        "Giám đốc Trung tâm Y tế",
        "Phó Chánh Văn phòng",
        "Chỉ huy trưởng",
        "Hiệu trưởng",
        "Trưởng khoa",
    ] {
        assert!(post::is_leading(leading), "{leading}");
    }
    for other in [
        "Chuyên viên",
        "Bác sĩ",
        "Giáo viên",
        "Điều dưỡng trưởng",
        "Công chức Văn phòng - Thống kê",
        "Chánhvăn phòng",
        "",
    ] {
        assert!(!post::is_leading(other), "{other}");
    }
}

#[test]
fn an_appraisal_is_kept_by_year() {
    let view = view_of(vec![registered(), appraised(2016), appraised(2017)]);
    let appraisal = &view.appraisals[&2017];
    assert_eq!(appraisal.event, ev(3));
    assert_eq!(appraisal.classification, Classification::Good);
    assert_eq!(appraisal.score, Some(85));
    assert_eq!(appraisal.feedback, vec![FeedbackChannel::Press]);
    assert_eq!(view.appraisals.len(), 2);
}

#[test]
fn a_separation_is_kept_with_its_date_and_reason() {
    let view = view_of(vec![registered(), separated(d(2017, 12, 31))]);
    assert_eq!(
        view.separated,
        Some((d(2017, 12, 31), SeparationReason::Retired))
    );
}

#[test]
fn a_corrected_qualification_reads_as_its_replacement_and_lowers_status() {
    let view = view_of(qualification_corrected(UNIVERSITY, COLLEGE));
    assert_eq!(view.level(Track::Professional), Some(COLLEGE));
    assert_eq!(view.status[&Track::Professional].event, ev(2));
}

#[test]
fn a_corrected_qualification_can_raise_status() {
    let view = view_of(qualification_corrected(SPECIALIST, PRINCIPAL));
    assert_eq!(view.level(Track::StateManagement), Some(PRINCIPAL));
}

#[test]
fn the_latest_correction_of_a_fact_wins() {
    let mut events = qualification_corrected(UNIVERSITY, COLLEGE);
    events.push(corrected(ev(2), corrected_to(INTERMEDIATE, d(2015, 6, 1))));
    let view = view_of(events);
    assert_eq!(view.level(Track::Professional), Some(INTERMEDIATE));
}

#[test]
fn a_voided_qualification_falls_back_to_the_next_best() {
    let h = history(vec![
        registered(),
        qualified(COLLEGE, d(2012, 6, 1)),
        qualified(UNIVERSITY, d(2015, 6, 1)),
        voided(ev(3)),
    ]);
    assert!(h.is_voided(ev(3)) && !h.is_voided(ev(2)));
    let view = h.view(None).unwrap();
    assert_eq!(view.status[&Track::Professional].level, COLLEGE);
    assert_eq!(view.status[&Track::Professional].event, ev(2));
}

#[test]
fn a_voided_rotation_leaves_the_person_where_they_were() {
    let view = view_of(vec![
        registered(),
        rotation_started(MovementKind::Rotation, d(2017, 1, 1)),
        voided(ev(2)),
    ]);
    assert_eq!(view.placement, home());
    assert_eq!(view.active_rotation, None);
    assert!(view.rotations.is_empty());
}

#[test]
fn corrections_and_voids_are_kept_as_facts_but_left_out_of_the_effective_ones() {
    let h = history(vec![
        registered(),
        qualified(UNIVERSITY, d(2015, 6, 1)),
        voided(ev(2)),
    ]);
    assert_eq!(h.facts().len(), 3);
    assert_eq!(
        h.fact(ev(2)).unwrap().event,
        qualified(UNIVERSITY, d(2015, 6, 1))
    );
    let effective: Vec<EventId> = h.effective(None).into_iter().map(|e| e.id).collect();
    assert_eq!(effective, vec![ev(1)]);
}

#[test]
fn effective_facts_are_ordered_by_date_then_by_recording() {
    let h = history(vec![
        registered(),
        qualified(UNIVERSITY, d(2015, 6, 1)),
        qualified(SPECIALIST, d(2012, 6, 1)),
        appraised(2011),
        qualified(COLLEGE, d(2012, 6, 1)),
    ]);
    let order: Vec<EventId> = h.effective(None).into_iter().map(|e| e.id).collect();
    assert_eq!(order, vec![ev(1), ev(4), ev(3), ev(5), ev(2)]);
}

#[test]
fn a_view_as_of_a_date_ignores_facts_effective_after_it() {
    let h = history(vec![
        registered(),
        qualified(COLLEGE, d(2012, 6, 1)),
        qualified(UNIVERSITY, d(2015, 6, 1)),
        separated(d(2017, 12, 31)),
    ]);
    let then = h.view(Some(d(2015, 5, 31))).unwrap();
    assert_eq!(then.level(Track::Professional), Some(COLLEGE));
    assert_eq!(then.separated, None);
    let on_the_day = h.view(Some(d(2015, 6, 1))).unwrap();
    assert_eq!(on_the_day.level(Track::Professional), Some(UNIVERSITY));
}

#[test]
fn a_view_before_registration_is_empty() {
    assert_eq!(
        history(vec![registered()]).view(Some(d(2009, 12, 31))),
        None
    );
}

#[test]
fn a_corrections_replacement_date_is_what_as_of_uses() {
    let h = history(vec![
        registered(),
        qualified(UNIVERSITY, d(2015, 6, 1)),
        corrected(ev(2), corrected_to(UNIVERSITY, d(2017, 6, 1))),
    ]);
    let before = h.view(Some(d(2016, 1, 1))).unwrap();
    assert_eq!(before.level(Track::Professional), None);
    let after = h.view(Some(d(2017, 6, 1))).unwrap();
    assert_eq!(after.status[&Track::Professional].since, d(2017, 6, 1));
}

// ---------------------------------------------------------------------------------------
// The reference folds

#[test]
fn seats_taken_and_released_fill_and_free_a_session() {
    let scheduled: Event = session_scheduled(session_starts(), d(2018, 4, 30), 2).into();
    let one = session_of(vec![scheduled.clone(), seat_taken(OTHER, d(2018, 2, 1))]);
    assert!(!one.is_full());
    let full = one.evolve(&seat_taken(THIRD, d(2018, 2, 2)));
    assert!(full.is_full());
    assert_eq!(
        full.seats.iter().copied().collect::<Vec<_>>(),
        vec![OTHER, THIRD]
    );
    let freed = full.evolve(&seat_released(OTHER, d(2018, 2, 3)));
    assert!(!freed.is_full());
    assert_eq!(freed.seats.iter().copied().collect::<Vec<_>>(), vec![THIRD]);
}

#[test]
fn an_unscheduled_session_is_never_full() {
    let session = session_of(vec![seat_taken(OTHER, d(2018, 2, 1))]);
    assert_eq!(session.scheduled, None);
    assert!(!session.is_full());
}

#[test]
fn units_and_programmes_fold_their_registration() {
    let unit = UnitState::default().evolve(&unit_registered().into());
    assert_eq!(unit.registered, Some(unit_registered()));
    let programme = programme_registered(ProgrammeCategory::StateManagement, Some(SPECIALIST));
    let state = ProgrammeState::default()
        .evolve(&programme.clone().into())
        .evolve(&appraised(2017));
    assert_eq!(state.registered, Some(programme));
}

// ---------------------------------------------------------------------------------------
// Policies

const LEADERS: &str = "leaders-university-and-state-management";
const CIVIL_SERVANTS: &str = "civil-servants-college";
const COMMUNE_OFFICIALS: &str = "commune-officials-secondary-and-intermediate";

fn target_ids(policies: &PolicySet, view: &PersonView) -> Vec<String> {
    let policy = policies.in_force(today()).unwrap();
    policy
        .evaluate(view)
        .into_iter()
        .map(|r| r.target)
        .collect()
}

#[test]
fn the_default_policy_parses() {
    let policies = PolicySet::default_set();
    assert_eq!(policies.policies.len(), 1);
    let ids: Vec<&str> = policies.policies[0]
        .targets
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(ids, vec![LEADERS, CIVIL_SERVANTS, COMMUNE_OFFICIALS]);
}

#[test]
fn no_policy_is_in_force_before_the_first() {
    let policies = PolicySet::default_set();
    assert_eq!(policies.in_force(d(2015, 12, 31)), None);
    assert_eq!(
        policies.in_force(d(2016, 1, 1)).map(|p| p.id.as_str()),
        Some("dien-bien-2020")
    );
}

#[test]
fn in_force_picks_the_latest_policy_effective_on_or_before_the_date() {
    let mut policies = PolicySet::default_set();
    let mut later = policies.policies[0].clone();
    later.id = "dien-bien-2025".into();
    later.effective_from = d(2021, 1, 1);
    // Listed first, to show the order in the file does not matter.
    policies.policies.insert(0, later);
    let id_on = |date| policies.in_force(date).map(|p| p.id.clone());
    assert_eq!(id_on(d(2020, 12, 31)).as_deref(), Some("dien-bien-2020"));
    assert_eq!(id_on(d(2021, 1, 1)).as_deref(), Some("dien-bien-2025"));
    assert_eq!(id_on(d(2030, 1, 1)).as_deref(), Some("dien-bien-2025"));
}

#[test]
fn a_leader_without_a_university_degree_falls_short_of_target_one() {
    let view = view_of(vec![
        registered_as(StaffCategory::Cadre, true),
        qualified(COLLEGE, d(2012, 6, 1)),
        qualified(SPECIALIST, d(2014, 6, 1)),
    ]);
    let policies = PolicySet::default_set();
    let target = &policies.policies[0].targets[0];
    assert_eq!(target.id, LEADERS);
    assert!(target.applies_to(&view));
    let result = target.evaluate(&view);
    assert!(!result.is_met());
    assert_eq!(
        result.gaps,
        vec![Gap {
            required: UNIVERSITY,
            held: Some(COLLEGE),
        }]
    );
    let described = result.gaps[0].describe(Lang::En);
    assert!(described.contains("university"), "{described}");
    assert_eq!(
        described,
        "professional qualification: needs university or higher, holds college"
    );
}

#[test]
fn a_leader_with_no_state_management_training_has_a_gap_holding_none() {
    let view = view_of(vec![
        registered_as(StaffCategory::Cadre, true),
        qualified(UNIVERSITY, d(2012, 6, 1)),
    ]);
    let policies = PolicySet::default_set();
    let result = policies.policies[0].targets[0].evaluate(&view);
    assert_eq!(
        result.gaps,
        vec![Gap {
            required: SPECIALIST,
            held: None,
        }]
    );
    assert_eq!(
        result.gaps[0].describe(Lang::En),
        "state management: needs specialist or higher, holds none"
    );
}

#[test]
fn a_commune_official_with_lower_secondary_and_intermediate_meets_target_three() {
    let view = view_of(vec![
        registered_as(StaffCategory::CommuneOfficial, false),
        qualified(LOWER_SECONDARY, d(2011, 6, 1)),
        qualified(INTERMEDIATE, d(2013, 6, 1)),
    ]);
    let policies = PolicySet::default_set();
    let results = policies.in_force(today()).unwrap().evaluate(&view);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].target, COMMUNE_OFFICIALS);
    assert!(results[0].is_met(), "{:?}", results[0].gaps);
}

#[test]
fn the_leaders_target_applies_to_a_non_leader_only_while_rotated_into_a_leading_post() {
    let policies = PolicySet::default_set();
    let mut events = non_leader_rotated_to(MovementKind::Rotation, "Bí thư Đảng ủy xã");
    assert_eq!(
        target_ids(&policies, &view_of(events.clone())),
        vec![LEADERS, CIVIL_SERVANTS]
    );
    events.push(rotation_ended(ev(2), d(2017, 12, 15)));
    assert_eq!(
        target_ids(&policies, &view_of(events)),
        vec![CIVIL_SERVANTS]
    );
}

#[test]
fn an_out_of_scope_person_gets_no_result_for_a_target() {
    let policies = PolicySet::default_set();
    let civil_servant = view_of(vec![registered_as(StaffCategory::CivilServant, false)]);
    assert_eq!(target_ids(&policies, &civil_servant), vec![CIVIL_SERVANTS]);
    let commune_leader = view_of(vec![registered_as(StaffCategory::CommuneOfficial, true)]);
    assert_eq!(
        target_ids(&policies, &commune_leader),
        vec![LEADERS, COMMUNE_OFFICIALS]
    );
}

#[test]
fn a_unit_name_given_to_two_units_is_ambiguous_and_their_codes_still_name_each() {
    use super::reference::{Names, Unresolved};
    let mut names = Names::default();
    let twin = UnitRegistered {
        unit: COMMUNE,
        code: "ban-tuyen-giao-2".into(),
        ..unit_registered()
    };
    names.add_unit(&unit_registered());
    names.add_unit(&twin);
    assert_eq!(
        names.find("BAN TUYEN GIAO HUYEN UY"),
        Err(Unresolved::Ambiguous(vec![
            "ban-tuyen-giao".into(),
            "ban-tuyen-giao-2".into()
        ]))
    );
    assert_eq!(names.find("ban-tuyen-giao-2"), Ok(COMMUNE));
    assert_eq!(names.find(&DISTRICT.to_string()), Ok(DISTRICT));
    assert_eq!(names.find("xa-pom-lot"), Err(Unresolved::Unknown));
}
