//! Reports rebuilt "as known at" a point of the log: a correction recorded in 2018 to a
//! 2017 completion changes the 2017 report built today, not the one as known at the end of
//! 2017. The store's clock is set by the test, so recorded-at times are 2017 and 2018.

use cadre::domain::command::{
    CompleteTraining, Correct, Enrol, RegisterPerson, RegisterProgramme, RegisterUnit,
    ScheduleSession,
};
use std::sync::{Arc, Mutex};

use cadre::domain::event::{Correction, Event};
use cadre::domain::vocab::*;
use cadre::domain::{Command, PersonId, ProgrammeId, SessionId, UnitId};
use cadre::ledger::{Ledger, Options};
use cadre::report::{self, Cell, KnownAt, Report};
use cadre::store::{Location, Store, StoreOptions};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
}

/// Records `command` with the store's clock (and "today") at `when`.
async fn record(
    ledger: &Ledger,
    clock: &Mutex<DateTime<Utc>>,
    when: DateTime<Utc>,
    command: Command,
) {
    *clock.lock().unwrap() = when;
    let options = Options {
        today: Some(when.date_naive()),
        ..Options::default()
    };
    ledger
        .execute_with("clerk", &command, &options)
        .await
        .unwrap();
}

fn summary_count(report: &Report, row: usize) -> u64 {
    let summary = report.sections.iter().find(|s| s.id == "summary").unwrap();
    match &summary.rows[row][1] {
        Cell::Count(n) => *n,
        other => panic!("not a count: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2018_correction_changes_todays_2017_report_but_not_the_one_known_at_2017_end() {
    let dir = tempfile::tempdir().unwrap();
    a_later_correction_changes_todays_report_only(&Location::Folder(dir.path().to_path_buf()))
        .await;
}

/// The store at `location` (empty), written with a clock set to 2017 and 2018: today's
/// 2017 report counts the 2018 correction, the one as known at the end of 2017 does not.
pub async fn a_later_correction_changes_todays_report_only(location: &Location) {
    let clock = Arc::new(Mutex::new(at(2017, 1, 2)));
    let shared = clock.clone();
    let store = Store::open_at_with(
        location,
        StoreOptions {
            clock: Some(Arc::new(move || *shared.lock().unwrap())),
        },
    )
    .unwrap();
    let ledger = Ledger::new(store.clone());
    let (unit, programme, session, person) = (
        UnitId(Uuid::now_v7()),
        ProgrammeId(Uuid::now_v7()),
        SessionId(Uuid::now_v7()),
        PersonId(Uuid::now_v7()),
    );
    let setup = [
        Command::RegisterUnit(RegisterUnit {
            unit,
            code: "xa-pom-lot".into(),
            name: "Xã Pom Lót".into(),
            level: UnitLevel::Commune,
            effective_date: day(2017, 1, 2),
        }),
        Command::RegisterProgramme(RegisterProgramme {
            programme,
            name: "Trung cấp lý luận chính trị - hành chính".into(),
            category: ProgrammeCategory::PoliticalTheory,
            confers: Some(QualificationLevel::PoliticalTheory(
                PoliticalTheoryLevel::Intermediate,
            )),
            provider: "Trường Chính trị tỉnh Điện Biên".into(),
            in_province: true,
            duration_days: 90,
            effective_date: day(2017, 1, 2),
        }),
        Command::ScheduleSession(ScheduleSession {
            session,
            programme,
            starts_on: day(2017, 3, 1),
            ends_on: day(2017, 5, 30),
            capacity: 30,
            effective_date: day(2017, 1, 10),
        }),
        Command::RegisterPerson(RegisterPerson {
            person,
            full_name: "Lò Văn Hùng".into(),
            birth_date: day(1980, 4, 2),
            gender: Gender::Male,
            ethnicity: "Thái".into(),
            category: StaffCategory::CommuneOfficial,
            unit,
            post: "Chủ tịch UBND xã".into(),
            leadership: false,
            effective_date: day(2017, 1, 3),
            staff_code: None,
            party_member: None,
        }),
        Command::Enrol(Enrol {
            person,
            session,
            effective_date: day(2017, 2, 25),
        }),
        Command::CompleteTraining(CompleteTraining {
            person,
            session,
            result: TrainingResult::Passed,
            grade: Some("Khá".into()),
            certificate: None,
            effective_date: day(2017, 5, 30),
        }),
    ];
    for command in setup {
        record(&ledger, &clock, at(2017, 6, 1), command).await;
    }
    let completion = store
        .read_all(1)
        .map(Result::unwrap)
        .find(|e| e.event_type == "TrainingCompleted")
        .unwrap();
    let Event::TrainingCompleted(mut corrected) = cadre::stored::decode(&completion).unwrap()
    else {
        unreachable!()
    };
    corrected.result = TrainingResult::Failed;
    corrected.confers = None;
    record(
        &ledger,
        &clock,
        at(2018, 1, 15),
        Command::Correct(Correct {
            person,
            corrects: completion.id,
            reason: "Kết quả thi lại được xác định là không đạt".into(),
            replacement: Correction::TrainingCompleted(corrected),
            effective_date: day(2018, 1, 15),
        }),
    )
    .await;

    let build = |known_at| {
        let options = report::Options {
            year: 2017,
            as_known_at: known_at,
            lang: Lang::En,
        };
        report::build(&store, options, &mut |_, _| {}).unwrap()
    };
    let today = build(None);
    let end_of_2017 = build(KnownAt::parse("2017-12-31"));
    // Summary rows: 2 = completions passed, 3 = completions failed.
    assert_eq!((summary_count(&today, 2), summary_count(&today, 3)), (0, 1));
    assert_eq!(
        (
            summary_count(&end_of_2017, 2),
            summary_count(&end_of_2017, 3)
        ),
        (1, 0)
    );
    assert_eq!(
        summary_count(&today, 0),
        1,
        "the participation itself stands"
    );
    assert_eq!(end_of_2017.meta.position, store.head().position - 1);
    assert!(
        end_of_2017
            .meta
            .head
            .starts_with(&format!("{}:", end_of_2017.meta.position))
    );
    let by_position = build(Some(KnownAt::Position(end_of_2017.meta.position)));
    assert_eq!(by_position.sections, end_of_2017.sections);
    assert_eq!(by_position.meta.head, end_of_2017.meta.head);
    assert_eq!(build(KnownAt::parse("2016-12-31")).meta.position, 0);
}
