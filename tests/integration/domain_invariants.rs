//! Property: whatever sequence of commands is tried, folding the accepted ones never
//! breaks the invariants — at most one active rotation; every level in a person's status
//! comes from a recorded or conferred qualification that is in force (not voided, as
//! corrected); one appraisal per year; sessions never over capacity.

use std::collections::BTreeMap;

use cadre::domain::event::{Correction, Placement};
use cadre::domain::person::Change;
use cadre::domain::vocab::*;
use cadre::domain::{
    Command, Event, Facts, PersonHistory, PersonId, ProgrammeId, ProgrammeState, SessionId,
    SessionState, UnitId, UnitState, decide,
};
use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use uuid::Uuid;

const SESSIONS: usize = 3;

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2014, 1, 1).unwrap() + Duration::days(n)
}

/// A fixed world: one unit, one programme conferring a professional level, three small
/// sessions.
struct World {
    unit: UnitState,
    programme: ProgrammeState,
    sessions: Vec<SessionState>,
    person: PersonHistory,
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
                        capacity: 1,
                        effective_date: day(1),
                    },
                ))
            })
            .collect();
        World {
            unit,
            programme,
            sessions,
            person: PersonHistory::default(),
            next_id: 100,
        }
    }

    /// Decides `command`; when accepted, folds its events and returns true.
    fn try_command(&mut self, command: &Command) -> bool {
        let session = command
            .session()
            .and_then(|id| (0..SESSIONS).find(|&s| session_id(s) == id));
        let empty = SessionState::default();
        let facts = Facts {
            today: day(3000),
            person: &self.person,
            session: session.map_or(&empty, |s| &self.sessions[s]),
            programme: &self.programme,
            unit: &self.unit,
            target_elsewhere: None,
        };
        let Ok(events) = decide(&facts, command) else {
            return false;
        };
        for (_, event) in events {
            match (&event, session) {
                (Event::SeatTaken(_) | Event::SeatReleased(_), Some(s)) => {
                    self.sessions[s] = std::mem::take(&mut self.sessions[s]).evolve(&event);
                }
                _ => {
                    self.next_id += 1;
                    self.person.apply(Uuid::from_u128(self.next_id), event);
                }
            }
        }
        true
    }
}

fn session_id(s: usize) -> SessionId {
    SessionId(Uuid::from_u128(10 + s as u128))
}

fn person() -> PersonId {
    PersonId(Uuid::from_u128(7))
}

/// A step of the random walk; indexes pick among existing facts when the step runs.
#[derive(Debug, Clone)]
enum Step {
    Qualify(u8, u8, i64),
    Enrol(usize, i64),
    Withdraw(usize, i64),
    Complete(usize, bool, i64),
    StartRotation(i64),
    EndRotation(i64),
    Appraise(i32, u8),
    Separate(i64),
    Correct(usize, u8),
    Void(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..4, 0u8..6, 0i64..600).prop_map(|(t, l, d)| Step::Qualify(t, l, d)),
        (0..SESSIONS, 0i64..600).prop_map(|(s, d)| Step::Enrol(s, d)),
        (0..SESSIONS, 0i64..600).prop_map(|(s, d)| Step::Withdraw(s, d)),
        (0..SESSIONS, any::<bool>(), 0i64..600).prop_map(|(s, p, d)| Step::Complete(s, p, d)),
        (0i64..600).prop_map(Step::StartRotation),
        (0i64..600).prop_map(Step::EndRotation),
        (2014i32..2017, 0u8..4).prop_map(|(y, c)| Step::Appraise(y, c)),
        (500i64..700).prop_map(Step::Separate),
        (any::<usize>(), 0u8..6).prop_map(|(i, l)| Step::Correct(i, l)),
        any::<usize>().prop_map(Step::Void),
    ]
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

fn to_command(world: &World, step: &Step) -> Option<Command> {
    let person = person();
    let facts = world.person.facts();
    Some(match step.clone() {
        Step::Qualify(t, l, d) => Command::RecordQualification {
            person,
            level: level(t, l)?,
            field: None,
            institution: None,
            certificate: None,
            effective_date: day(d),
        },
        Step::Enrol(s, d) => Command::Enrol {
            person,
            session: session_id(s),
            effective_date: day(d),
        },
        Step::Withdraw(s, d) => Command::WithdrawEnrolment {
            person,
            session: session_id(s),
            reason: "ốm".into(),
            effective_date: day(d),
        },
        Step::Complete(s, passed, d) => Command::CompleteTraining {
            person,
            session: session_id(s),
            result: if passed {
                TrainingResult::Passed
            } else {
                TrainingResult::Failed
            },
            grade: None,
            certificate: None,
            effective_date: day(d),
        },
        Step::StartRotation(d) => Command::StartRotation {
            person,
            kind: MovementKind::Rotation,
            to: Placement {
                unit: UnitId(Uuid::from_u128(1)),
                post: "Bí thư Đảng ủy xã".into(),
            },
            planned_end: None,
            decision_number: "12/QĐ-HU".into(),
            effective_date: day(d),
        },
        Step::EndRotation(d) => Command::EndRotation {
            person,
            outcome: RotationOutcome::CompletedWell,
            assessment: "tốt".into(),
            effective_date: day(d),
        },
        Step::Appraise(year, c) => Command::Appraise {
            person,
            year,
            classification: Classification::ALL[usize::from(c) % 4],
            score: None,
            feedback: vec![],
            effective_date: NaiveDate::from_ymd_opt(year, 12, 26)?,
        },
        Step::Separate(d) => Command::Separate {
            person,
            reason: SeparationReason::Retired,
            effective_date: day(d),
        },
        Step::Correct(i, l) => {
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
                    Correction::TrainingCompleted(t)
                }
                Event::Appraised(a) => {
                    let mut a = a.clone();
                    a.classification = Classification::ALL[usize::from(l) % 4];
                    Correction::Appraised(a)
                }
                _ => return None,
            };
            Command::Correct {
                person,
                corrects: fact.id,
                reason: "sai".into(),
                replacement,
                effective_date: day(700),
            }
        }
        Step::Void(i) => {
            let fact = facts.get(i % facts.len().max(1))?;
            Command::Void {
                person,
                voids: fact.id,
                reason: "trùng".into(),
                effective_date: day(700),
            }
        }
    })
}

fn check_invariants(world: &World) {
    let history = &world.person;
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
    for session in &world.sessions {
        let capacity = session.scheduled.as_ref().map_or(0, |s| s.capacity) as usize;
        assert!(session.seats.len() <= capacity);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn accepted_commands_never_break_the_invariants(steps in proptest::collection::vec(step(), 1..60)) {
        let mut world = World::new();
        let registered = world.try_command(&Command::RegisterPerson {
            person: person(),
            full_name: "Lò Văn Hùng".into(),
            birth_date: NaiveDate::from_ymd_opt(1980, 5, 1).unwrap(),
            gender: Gender::Male,
            ethnicity: "Thái".into(),
            category: StaffCategory::CommuneOfficial,
            unit: UnitId(Uuid::from_u128(1)),
            post: "Chủ tịch UBND xã".into(),
            leadership: false,
            effective_date: day(0),
        });
        prop_assert!(registered);
        for step in &steps {
            if let Some(command) = to_command(&world, step) {
                world.try_command(&command);
                check_invariants(&world);
            }
        }
    }
}
