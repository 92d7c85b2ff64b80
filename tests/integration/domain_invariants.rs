//! Property: whatever sequence of commands is tried, folding the accepted ones never
//! breaks the invariants — at most one active rotation; every level in a person's status
//! comes from a recorded or conferred qualification that is in force (not voided, as
//! corrected); one appraisal per year; sessions never over capacity; and each session's
//! seats agree with the people's enrolments: seats taken minus seats released is the
//! number of people whose enrolment in it is active or completed, and they are the people
//! who hold its seats. The walk mixes several people over small sessions and dates many
//! enrolment commands just before, on or after the enrolment facts they follow
//! (backdated withdrawals and completions, re-enrolments between an enrolment and its
//! withdrawal, corrected completion dates).

use cadre::domain::command::{
    Appraise, CompleteTraining, Correct, EndRotation, Enrol, RecordQualification, RegisterPerson,
    Separate, StartRotation, Void, WithdrawEnrolment,
};
use std::collections::{BTreeMap, BTreeSet};

use cadre::domain::event::{Correction, Placement};
use cadre::domain::person::{Change, EnrolmentState};
use cadre::domain::vocab::*;
use cadre::domain::{
    CodeState, Command, Event, Facts, PersonHistory, PersonId, ProgrammeId, ProgrammeState,
    SessionId, SessionState, StaffCode, UnitId, UnitState, decide,
};
use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use uuid::Uuid;

const SESSIONS: usize = 3;
const PEOPLE: usize = 3;

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2014, 1, 1).unwrap() + Duration::days(n)
}

/// A fixed world: one unit, one programme conferring a professional level, three small
/// sessions (one or two seats) and three people.
struct World {
    unit: UnitState,
    programme: ProgrammeState,
    sessions: Vec<SessionState>,
    /// Per session: how many `SeatTaken` and `SeatReleased` events its stream holds.
    seat_events: Vec<(usize, usize)>,
    people: Vec<PersonHistory>,
    next_id: u128,
}

impl World {
    fn new() -> World {
        let unit_id = UnitId(Uuid::from_u128(1));
        let programme_id = ProgrammeId(Uuid::from_u128(2));
        let unit = UnitState::default().evolve(&Event::UnitRegistered(
            cadre::domain::event::UnitRegistered {
                unit: unit_id,
                code: "u".into(),
                name: "Xã Pom Lót".into(),
                level: UnitLevel::Commune,
                effective_date: day(0),
            },
        ));
        let programme = ProgrammeState::default().evolve(&Event::ProgrammeRegistered(
            cadre::domain::event::ProgrammeRegistered {
                programme: programme_id,
                name: "Đại học Luật".into(),
                category: ProgrammeCategory::Professional,
                confers: Some(QualificationLevel::Professional(
                    ProfessionalLevel::University,
                )),
                provider: "Trường Đại học Luật Hà Nội".into(),
                in_province: false,
                duration_days: 30,
                effective_date: day(0),
            },
        ));
        let sessions = (0..SESSIONS)
            .map(|s| {
                SessionState::default().evolve(&Event::SessionScheduled(
                    cadre::domain::event::SessionScheduled {
                        session: session_id(s),
                        programme: programme_id,
                        starts_on: day(100 * s as i64 + 50),
                        ends_on: day(100 * s as i64 + 80),
                        capacity: 1 + (s == SESSIONS - 1) as u32,
                        effective_date: day(1),
                    },
                ))
            })
            .collect();
        World {
            unit,
            programme,
            sessions,
            seat_events: vec![(0, 0); SESSIONS],
            people: vec![PersonHistory::default(); PEOPLE],
            next_id: 100,
        }
    }

    /// Decides `command`; when accepted, folds its events and returns true.
    fn try_command(&mut self, command: &Command) -> bool {
        let session = command
            .session()
            .and_then(|id| (0..SESSIONS).find(|&s| session_id(s) == id));
        let p = command
            .person()
            .and_then(|id| (0..PEOPLE).find(|&p| person(p) == id))
            .expect("every command of the walk concerns one of its people");
        let empty = SessionState::default();
        let facts = Facts {
            today: day(3000),
            person: &self.people[p],
            session: session.map_or(&empty, |s| &self.sessions[s]),
            programme: &self.programme,
            unit: &self.unit,
            code: &CodeState::default(),
            target_elsewhere: None,
        };
        let Ok(events) = decide(&facts, command) else {
            return false;
        };
        for (_, event) in events {
            match (&event, session) {
                (Event::SeatTaken(_) | Event::SeatReleased(_), Some(s)) => {
                    let (taken, released) = &mut self.seat_events[s];
                    match event {
                        Event::SeatTaken(_) => *taken += 1,
                        _ => *released += 1,
                    }
                    self.sessions[s] = std::mem::take(&mut self.sessions[s]).evolve(&event);
                }
                _ => {
                    self.next_id += 1;
                    self.people[p].apply(Uuid::from_u128(self.next_id), event);
                }
            }
        }
        true
    }
}

fn session_id(s: usize) -> SessionId {
    SessionId(Uuid::from_u128(10 + s as u128))
}

fn person(p: usize) -> PersonId {
    PersonId(Uuid::from_u128(7 + p as u128))
}

/// When an enrolment command is dated.
#[derive(Debug, Clone, Copy)]
enum When {
    /// A day of the walk's calendar.
    On(i64),
    /// Days after (before, when negative) the date the person's enrolment in the session
    /// was made, or entered its current state: backdated and in-between dates.
    FromEnrolled(i64),
    FromSince(i64),
}

/// A step of the random walk: which person, and what; indexes pick among existing facts
/// when the step runs.
#[derive(Debug, Clone)]
enum Step {
    Qualify(u8, u8, i64),
    Enrol(usize, When),
    Withdraw(usize, When),
    Complete(usize, bool, When),
    StartRotation(i64),
    EndRotation(i64),
    Appraise(i32, u8),
    Separate(i64),
    /// A correction of the fact picked; a completion's date moves by the given days.
    Correct(usize, u8, i64),
    Void(usize),
}

fn when() -> impl Strategy<Value = When> {
    prop_oneof![
        (0i64..600).prop_map(When::On),
        (-20i64..20).prop_map(When::FromEnrolled),
        (-20i64..20).prop_map(When::FromSince),
    ]
}

fn step() -> impl Strategy<Value = (usize, Step)> {
    let step = prop_oneof![
        (0u8..4, 0u8..6, 0i64..600).prop_map(|(t, l, d)| Step::Qualify(t, l, d)),
        (0..SESSIONS, when()).prop_map(|(s, w)| Step::Enrol(s, w)),
        (0..SESSIONS, when()).prop_map(|(s, w)| Step::Withdraw(s, w)),
        (0..SESSIONS, any::<bool>(), when()).prop_map(|(s, p, w)| Step::Complete(s, p, w)),
        (0i64..600).prop_map(Step::StartRotation),
        (0i64..600).prop_map(Step::EndRotation),
        (2014i32..2017, 0u8..4).prop_map(|(y, c)| Step::Appraise(y, c)),
        (500i64..700).prop_map(Step::Separate),
        (any::<usize>(), 0u8..6, -60i64..20).prop_map(|(i, l, d)| Step::Correct(i, l, d)),
        any::<usize>().prop_map(Step::Void),
    ];
    (0..PEOPLE, step)
}

/// The date `when` names for person `p` in session `s` (the enrolment dates fall back to
/// the session's start when the person never enrolled in it).
fn date_of(history: &PersonHistory, s: usize, when: When) -> NaiveDate {
    let enrolment = history
        .view(None)
        .and_then(|view| view.enrolments.get(&session_id(s)).copied());
    let start = day(100 * s as i64 + 50);
    match when {
        When::On(d) => day(d),
        When::FromEnrolled(d) => enrolment.map_or(start, |e| e.enrolled_on) + Duration::days(d),
        When::FromSince(d) => enrolment.map_or(start, |e| e.since) + Duration::days(d),
    }
}

fn level(track: u8, rank: u8) -> Option<QualificationLevel> {
    let track = Track::ALL[usize::from(track) % Track::ALL.len()];
    let labels: Vec<&str> = match track {
        Track::GeneralEducation => GeneralEducationLevel::ALL
            .iter()
            .map(|l| l.code())
            .collect(),
        Track::Professional => ProfessionalLevel::ALL.iter().map(|l| l.code()).collect(),
        Track::PoliticalTheory => PoliticalTheoryLevel::ALL.iter().map(|l| l.code()).collect(),
        Track::StateManagement => StateManagementLevel::ALL.iter().map(|l| l.code()).collect(),
    };
    QualificationLevel::parse(track, labels.get(usize::from(rank))?)
}

fn to_command(world: &World, p: usize, step: &Step) -> Option<Command> {
    let person = person(p);
    let history = &world.people[p];
    let facts = history.facts();
    Some(match step.clone() {
        Step::Qualify(t, l, d) => Command::RecordQualification(RecordQualification {
            person,
            level: level(t, l)?,
            field: None,
            institution: None,
            certificate: None,
            effective_date: day(d),
        }),
        Step::Enrol(s, w) => Command::Enrol(Enrol {
            person,
            session: session_id(s),
            effective_date: date_of(history, s, w),
        }),
        Step::Withdraw(s, w) => Command::WithdrawEnrolment(WithdrawEnrolment {
            person,
            session: session_id(s),
            reason: "ốm".into(),
            effective_date: date_of(history, s, w),
        }),
        Step::Complete(s, passed, w) => Command::CompleteTraining(CompleteTraining {
            person,
            session: session_id(s),
            result: if passed {
                TrainingResult::Passed
            } else {
                TrainingResult::Failed
            },
            grade: None,
            certificate: None,
            effective_date: date_of(history, s, w),
        }),
        Step::StartRotation(d) => Command::StartRotation(StartRotation {
            person,
            kind: MovementKind::Rotation,
            to: Placement {
                unit: UnitId(Uuid::from_u128(1)),
                post: "Bí thư Đảng ủy xã".into(),
            },
            planned_end: None,
            decision_number: "12/QĐ-HU".into(),
            effective_date: day(d),
        }),
        Step::EndRotation(d) => Command::EndRotation(EndRotation {
            person,
            outcome: RotationOutcome::CompletedWell,
            assessment: "tốt".into(),
            effective_date: day(d),
        }),
        Step::Appraise(year, c) => Command::Appraise(Appraise {
            person,
            year,
            classification: Classification::ALL[usize::from(c) % 4],
            score: None,
            feedback: vec![],
            effective_date: NaiveDate::from_ymd_opt(year, 12, 26)?,
        }),
        Step::Separate(d) => Command::Separate(Separate {
            person,
            reason: SeparationReason::Retired,
            effective_date: day(d),
        }),
        Step::Correct(i, l, shift) => {
            let fact = facts.get(i % facts.len().max(1))?;
            let replacement = match &fact.event {
                Event::QualificationRecorded(q) => {
                    let mut q = q.clone();
                    q.level = level(l % 4, l)?;
                    Correction::QualificationRecorded(q)
                }
                Event::TrainingCompleted(t) => {
                    let mut t = t.clone();
                    t.result = if l % 2 == 0 {
                        TrainingResult::Failed
                    } else {
                        TrainingResult::Passed
                    };
                    if l % 3 == 0 {
                        t.effective_date += Duration::days(shift);
                    }
                    Correction::TrainingCompleted(t)
                }
                Event::Appraised(a) => {
                    let mut a = a.clone();
                    a.classification = Classification::ALL[usize::from(l) % 4];
                    Correction::Appraised(a)
                }
                _ => return None,
            };
            Command::Correct(Correct {
                person,
                corrects: fact.id,
                reason: "sai".into(),
                replacement,
                effective_date: day(700),
            })
        }
        Step::Void(i) => {
            let fact = facts.get(i % facts.len().max(1))?;
            Command::Void(Void {
                person,
                voids: fact.id,
                reason: "trùng".into(),
                effective_date: day(700),
            })
        }
    })
}

fn check_invariants(world: &World) {
    for history in &world.people {
        check_person(history);
    }
    check_seats(world);
}

fn check_person(history: &PersonHistory) {
    let Some(view) = history.view(None) else {
        return;
    };
    let open = view.rotations.iter().filter(|r| r.ended.is_none()).count();
    assert!(open <= 1, "{open} rotations open at once");
    assert_eq!(view.active_rotation.is_some(), open == 1);

    let in_force: BTreeMap<Uuid, &Change> = history
        .effective(None)
        .into_iter()
        .map(|entry| (entry.id, &entry.change))
        .collect();
    for (track, evidence) in &view.status {
        let source = in_force
            .get(&evidence.event)
            .expect("evidence is a fact in force");
        let shows = match source {
            Change::Qualified(level) => *level == evidence.level,
            Change::Completed {
                result, confers, ..
            } => *result == TrainingResult::Passed && *confers == Some(evidence.level),
            _ => false,
        };
        assert!(
            shows,
            "{track:?} evidence {source:?} does not show {:?}",
            evidence.level
        );
        let best = in_force
            .values()
            .filter_map(|change| match change {
                Change::Qualified(level) => Some(*level),
                Change::Completed {
                    result: TrainingResult::Passed,
                    confers,
                    ..
                } => *confers,
                _ => None,
            })
            .filter(|l| l.track() == *track)
            .map(|l| l.rank())
            .max();
        assert_eq!(best, Some(evidence.level.rank()));
    }
    let mut years = BTreeMap::new();
    for change in in_force.values() {
        if let Change::Appraised { year, .. } = change {
            *years.entry(*year).or_insert(0) += 1;
        }
    }
    assert!(years.values().all(|&n| n == 1), "{years:?}");
    check_enrolment_order(history);
}

/// Each withdrawal or completion in force ends the one enrolment before it: in effective
/// order, a person's facts of one session read enrolled, (withdrawn, enrolled)*, and then
/// at most one withdrawal or completion.
fn check_enrolment_order(history: &PersonHistory) {
    let mut last: BTreeMap<SessionId, &Change> = BTreeMap::new();
    for entry in history.effective(None) {
        let session = match &entry.change {
            Change::Enrolled { session, .. }
            | Change::Withdrawn { session }
            | Change::Completed { session, .. } => *session,
            _ => continue,
        };
        let follows = matches!(
            (last.get(&session), &entry.change),
            (
                None | Some(Change::Withdrawn { .. }),
                Change::Enrolled { .. }
            ) | (
                Some(Change::Enrolled { .. }),
                Change::Withdrawn { .. } | Change::Completed { .. }
            )
        );
        assert!(
            follows,
            "{:?} on {} cannot follow {:?}",
            entry.change,
            entry.date,
            last.get(&session)
        );
        last.insert(session, &entry.change);
    }
}

/// A seat is held from the enrolment that takes it until the withdrawal that releases it;
/// a completed enrolment keeps it. So each session's seats are its active-or-completed
/// enrolments, counted from either side.
fn check_seats(world: &World) {
    for (s, session) in world.sessions.iter().enumerate() {
        let capacity = session.scheduled.as_ref().map_or(0, |s| s.capacity) as usize;
        assert!(session.seats.len() <= capacity);
        let holding: BTreeSet<PersonId> = (0..PEOPLE)
            .filter(|&p| {
                world.people[p].view(None).is_some_and(|view| {
                    view.enrolments
                        .get(&session_id(s))
                        .is_some_and(|e| e.state != EnrolmentState::Withdrawn)
                })
            })
            .map(person)
            .collect();
        let (taken, released) = world.seat_events[s];
        assert_eq!(
            taken - released,
            holding.len(),
            "session {s}: {taken} seats taken, {released} released, enrolled: {holding:?}"
        );
        assert_eq!(session.seats, holding, "session {s}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn accepted_commands_never_break_the_invariants(steps in proptest::collection::vec(step(), 1..80)) {
        let mut world = World::new();
        for p in 0..PEOPLE {
            prop_assert!(world.try_command(&registration(p)));
        }
        for (p, step) in &steps {
            if let Some(command) = to_command(&world, *p, step) {
                world.try_command(&command);
                check_invariants(&world);
            }
        }
    }
}

/// Person `p` joins on the walk's first day.
fn registration(p: usize) -> Command {
    Command::RegisterPerson(RegisterPerson {
        person: person(p),
        full_name: "Lò Văn Hùng".into(),
        birth_date: NaiveDate::from_ymd_opt(1980, 5, 1).unwrap(),
        gender: Gender::Male,
        ethnicity: "Thái".into(),
        category: StaffCategory::CommuneOfficial,
        unit: UnitId(Uuid::from_u128(1)),
        post: "Chủ tịch UBND xã".into(),
        leadership: false,
        effective_date: day(0),
        staff_code: StaffCode::numbered("DB-", p as u64).ok(),
        party_member: None,
    })
}
