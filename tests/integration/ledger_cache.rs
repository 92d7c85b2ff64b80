//! The ledger keeps the states it folded between commands. Whoever else writes — another
//! ledger on the same store, a command that lost a race, one refused by the rules — the
//! state a command is decided on must equal a fresh fold of the stream.

use cadre::domain::command::{
    Appraise, Enrol, RegisterPerson, RegisterProgramme, RegisterUnit, ScheduleSession,
    WithdrawEnrolment,
};
use cadre::domain::vocab::*;
use cadre::domain::{Command, DomainError, PersonId, ProgrammeId, SessionId, UnitId};
use cadre::ledger::{Ledger, LedgerError, Options};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::helpers::temp_store;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn options() -> Options {
    Options {
        today: Some(day(2030, 1, 1)),
        ..Options::default()
    }
}

fn appraise(person: PersonId, year: i32) -> Command {
    Command::Appraise(Appraise {
        person,
        year,
        classification: Classification::Good,
        score: None,
        feedback: vec![],
        effective_date: day(year, 12, 20),
    })
}

/// A unit and `n` people in it, recorded through `ledger`.
async fn district(ledger: &Ledger, n: usize) -> Vec<PersonId> {
    let unit = UnitId(Uuid::now_v7());
    let register_unit = Command::RegisterUnit(RegisterUnit {
        unit,
        code: "ubnd-huyen".into(),
        name: "UBND huyện".into(),
        level: UnitLevel::District,
        effective_date: day(2010, 1, 1),
    });
    ledger
        .execute_with("clerk", &register_unit, &options())
        .await
        .unwrap();
    let mut people = Vec::new();
    for i in 0..n {
        let person = PersonId(Uuid::now_v7());
        let register = Command::RegisterPerson(RegisterPerson {
            person,
            full_name: format!("Lò Văn {i}"),
            birth_date: day(1980, 1, 1),
            gender: Gender::Male,
            ethnicity: "Thái".into(),
            category: StaffCategory::CivilServant,
            unit,
            post: "Chuyên viên".into(),
            leadership: false,
            effective_date: day(2010, 1, 1),
            staff_code: None,
            party_member: None,
        });
        ledger
            .execute_with("clerk", &register, &options())
            .await
            .unwrap();
        people.push(person);
    }
    people
}

fn already_appraised(result: &Result<impl std::fmt::Debug, LedgerError>) -> bool {
    matches!(
        result,
        Err(LedgerError::Domain(DomainError::AlreadyAppraised { .. }))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_by_another_ledger_is_seen_by_the_next_command() {
    let (_dir, store) = temp_store();
    let (a, b) = (Ledger::new(store.clone()), Ledger::new(store.clone()));
    let person = district(&a, 1).await[0];
    a.execute_with("clerk", &appraise(person, 2015), &options())
        .await
        .unwrap();
    b.execute_with("clerk", &appraise(person, 2016), &options())
        .await
        .unwrap();
    // `a` kept the person's state at 2015; the 2016 appraisal is in the log after it.
    let again = a
        .execute_with("clerk", &appraise(person, 2016), &options())
        .await;
    assert!(already_appraised(&again), "{again:?}");
    a.execute_with("clerk", &appraise(person, 2017), &options())
        .await
        .unwrap();
    assert_eq!(store.stream_version(&person.stream()), Some(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_states_always_equal_a_fresh_fold() {
    let (_dir, store) = temp_store();
    let kept = Ledger::new(store.clone());
    let other = Ledger::new(store.clone());
    let people = district(&kept, 4).await;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let (mut recorded, mut refused) = (0, 0);
    let options = options();
    for _ in 0..150 {
        let person = people[rng.random_range(0..people.len())];
        let (first, second) = (
            appraise(person, rng.random_range(2011..2019)),
            appraise(person, rng.random_range(2011..2019)),
        );
        // Two writers at once on the same person (racing for the stream), or one of them.
        let results = if rng.random_bool(0.3) {
            let (x, y) = tokio::join!(
                kept.execute_with("clerk", &first, &options),
                other.execute_with("clerk", &second, &options),
            );
            vec![x, y]
        } else if rng.random_bool(0.5) {
            vec![kept.execute_with("clerk", &first, &options).await]
        } else {
            vec![other.execute_with("clerk", &first, &options).await]
        };
        for result in results {
            if already_appraised(&result) {
                refused += 1;
            } else {
                result.unwrap();
                recorded += 1;
            }
        }
        let fresh = Ledger::new(store.clone()).load_person(person).unwrap();
        let cached = kept.load_person(person).unwrap();
        assert_eq!(cached.version, fresh.version);
        assert_eq!(cached.state, fresh.state);
    }
    // The run exercised both paths.
    assert!(
        recorded > 20 && refused > 20,
        "{recorded} recorded, {refused} refused"
    );
}

/// A session of two seats, recorded through `ledger`.
async fn session_of_two(ledger: &Ledger) -> SessionId {
    let (programme, session) = (ProgrammeId(Uuid::now_v7()), SessionId(Uuid::now_v7()));
    let commands = [
        Command::RegisterProgramme(RegisterProgramme {
            programme,
            name: "Bồi dưỡng quản lý nhà nước".into(),
            category: ProgrammeCategory::StateManagement,
            confers: None,
            provider: "Trường Chính trị tỉnh".into(),
            in_province: true,
            duration_days: 30,
            effective_date: day(2020, 1, 2),
        }),
        Command::ScheduleSession(ScheduleSession {
            session,
            programme,
            starts_on: day(2020, 3, 1),
            ends_on: day(2020, 3, 31),
            capacity: 2,
            effective_date: day(2020, 1, 10),
        }),
    ];
    for command in commands {
        ledger
            .execute_with("clerk", &command, &options())
            .await
            .unwrap();
    }
    session
}

fn enrol(person: PersonId, session: SessionId) -> Command {
    Command::Enrol(Enrol {
        person,
        session,
        effective_date: day(2020, 2, 1),
    })
}

fn session_full(result: &Result<impl std::fmt::Debug, LedgerError>) -> bool {
    matches!(
        result,
        Err(LedgerError::Domain(DomainError::SessionFull { .. }))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seats_taken_through_another_ledger_count_against_a_kept_session() {
    let (_dir, store) = temp_store();
    let (a, b) = (Ledger::new(store.clone()), Ledger::new(store.clone()));
    let people = district(&a, 4).await;
    let session = session_of_two(&a).await;
    // Each enrolment writes the person's stream and the session's (a seat), in one batch.
    a.execute_with("clerk", &enrol(people[0], session), &options())
        .await
        .unwrap();
    b.execute_with("clerk", &enrol(people[1], session), &options())
        .await
        .unwrap();
    // `a` kept the session with one seat taken; `b` took the second since.
    let third = a
        .execute_with("clerk", &enrol(people[2], session), &options())
        .await;
    assert!(session_full(&third), "{third:?}");
    let withdraw = Command::WithdrawEnrolment(WithdrawEnrolment {
        person: people[1],
        session,
        reason: "Chuyển công tác".into(),
        effective_date: day(2020, 2, 10),
    });
    b.execute_with("clerk", &withdraw, &options())
        .await
        .unwrap();
    a.execute_with("clerk", &enrol(people[2], session), &options())
        .await
        .unwrap();
    let fourth = b
        .execute_with("clerk", &enrol(people[3], session), &options())
        .await;
    assert!(session_full(&fourth), "{fourth:?}");
}

fn pinned_at(version: u64) -> Options {
    Options {
        expected_person_version: Some(version),
        ..options()
    }
}

/// A caller's expectation of the person's version that fails is the ledger's own error,
/// whether the stream had moved before the decision or moved under it (a race lost in
/// the same group commit): never a store error for the caller to pick apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_expected_version_is_the_ledgers_own_error() {
    let (_dir, store) = temp_store();
    let ledger = Ledger::new(store.clone());
    let person = district(&ledger, 1).await[0];
    let pinned = pinned_at(0);
    // All decided on version 0 before any is appended: one wins, the rest lose the race.
    let years = [2011, 2012, 2013, 2014];
    let commands: Vec<Command> = years.iter().map(|y| appraise(person, *y)).collect();
    let results = futures_util::future::join_all(
        commands
            .iter()
            .map(|c| ledger.execute_with("clerk", c, &pinned)),
    )
    .await;
    let stale = |result: &Result<_, LedgerError>| {
        matches!(
            result,
            Err(LedgerError::Stale { stream, expected: 0, actual: Some(1) })
                if *stream == person.stream()
        )
    };
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results.iter().filter(|r| r.is_err()).all(stale),
        "{results:?}"
    );
    // Moved before the decision.
    let late = ledger
        .execute_with("clerk", &appraise(person, 2015), &pinned)
        .await;
    assert!(stale(&late), "{late:?}");
    assert_eq!(store.stream_version(&person.stream()), Some(1));
}
