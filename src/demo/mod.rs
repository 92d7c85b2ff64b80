//! `cadre demo`: a realistic district (about 3,200 staff in 14 district bodies and 20
//! communes, 2012–2017), generated deterministically from a seed and recorded through the
//! same command path as users' commands ([`Ledger`]).
//!
//! Owns: the demo's material (`names`), its simulated history (`plan`, pure) and the
//! loader below, which runs the plan concurrently: people's timelines advance one step
//! per wave, enrolments into one session go one after another (they share the session's
//! stream), everything else runs side by side through group commit.

mod names;
pub mod plan;

use crate::domain::command::{Correct, Enrol, Void, WithdrawEnrolment};
use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::domain::event::{Correction, Event};
use crate::domain::vocab::{Classification, Track};
use crate::domain::{Command, PersonId};
use crate::ledger::{Ledger, LedgerError};
pub use plan::{Plan, PlannedCorrection, plan};

/// Who the demo's events are recorded by.
pub const ACTOR: &str = "demo";
/// Commands in flight at once.
const CONCURRENCY: usize = 64;

/// What loading the demo did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub commands: u64,
    pub events: u64,
    pub people: u64,
}

/// Why the demo could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the data folder already holds {0} events: the demo loads into an empty store")]
    NotEmpty(u64),
    #[error("demo command {command} failed")]
    Command {
        command: &'static str,
        #[source]
        source: LedgerError,
    },
    #[error("demo correction for person {0} found nothing to correct")]
    NothingToCorrect(PersonId),
}

/// Loads the district for `seed` into an empty store. `progress(done, total)` is called
/// as commands finish.
pub async fn load(
    ledger: &Ledger,
    seed: u64,
    scale: f64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary, DemoError> {
    let head = ledger.store().head().position;
    if head > 0 {
        return Err(DemoError::NotEmpty(head));
    }
    let plan = plan(seed, scale).with_code_prefix(ledger.code_prefix());
    let total = plan.command_count() as u64;
    let mut summary = Summary {
        people: plan.people.len() as u64,
        ..Summary::default()
    };
    for wave in &plan.reference {
        let groups = wave.iter().map(|c| vec![c.clone()]).collect();
        run_groups(ledger, groups, &mut summary, total, progress).await?;
    }
    let longest = plan.people.iter().map(Vec::len).max().unwrap_or(0);
    for step in 0..longest {
        let wave = plan.people.iter().filter_map(|t| t.get(step));
        run_groups(ledger, group_by_stream(wave), &mut summary, total, progress).await?;
    }
    for correction in &plan.corrections {
        let command = correction_command(ledger, correction)?;
        run_groups(ledger, vec![vec![command]], &mut summary, total, progress).await?;
    }
    Ok(summary)
}

/// Enrolments and withdrawals of one session form one group (run in order); every other
/// command is a group of its own.
fn group_by_stream<'a>(wave: impl Iterator<Item = &'a Command>) -> Vec<Vec<Command>> {
    let mut by_session: HashMap<crate::domain::SessionId, Vec<Command>> = HashMap::new();
    let mut groups = Vec::new();
    for command in wave {
        match command {
            Command::Enrol(Enrol { session, .. })
            | Command::WithdrawEnrolment(WithdrawEnrolment { session, .. }) => {
                by_session
                    .entry(*session)
                    .or_default()
                    .push(command.clone());
            }
            _ => groups.push(vec![command.clone()]),
        }
    }
    let mut sessions: Vec<_> = by_session.into_iter().collect();
    sessions.sort_by_key(|(id, _)| *id);
    groups.extend(sessions.into_iter().map(|(_, g)| g));
    groups
}

async fn run_groups(
    ledger: &Ledger,
    groups: Vec<Vec<Command>>,
    summary: &mut Summary,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), DemoError> {
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = JoinSet::new();
    for group in groups {
        let ledger = ledger.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let mut events = 0u64;
            for command in &group {
                let outcome =
                    ledger
                        .execute(ACTOR, command)
                        .await
                        .map_err(|source| DemoError::Command {
                            command: command.name(),
                            source,
                        })?;
                events += outcome.events.len() as u64;
            }
            Ok::<_, DemoError>((group.len() as u64, events))
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let (commands, events) = match joined {
            Ok(result) => result?,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        summary.commands += commands;
        summary.events += events;
        progress(summary.commands, total);
    }
    Ok(())
}

/// Turns a planned correction into a command naming the event it corrects.
fn correction_command(
    ledger: &Ledger,
    correction: &PlannedCorrection,
) -> Result<Command, DemoError> {
    let person = match correction {
        PlannedCorrection::QualificationInstitution(p)
        | PlannedCorrection::DuplicateQualification(p)
        | PlannedCorrection::Appraisal2017(p) => *p,
    };
    let history = ledger
        .load_person(person)
        .map_err(|source| DemoError::Command {
            command: "Correct",
            source,
        })?
        .state;
    let on = chrono::NaiveDate::from_ymd_opt(2018, 1, 15).unwrap_or_default();
    let facts = history.facts();
    let command = match correction {
        PlannedCorrection::QualificationInstitution(_) => {
            facts.iter().find_map(|f| match &f.event {
                Event::QualificationRecorded(q) if q.level.track() == Track::Professional => {
                    let mut fixed = q.clone();
                    fixed.institution = fixed
                        .institution
                        .map(|i| format!("{i} (theo bản sao văn bằng)"));
                    Some(Command::Correct(Correct {
                        person,
                        corrects: f.id,
                        reason: "Sửa tên cơ sở đào tạo theo bản sao văn bằng".into(),
                        replacement: Correction::QualificationRecorded(fixed),
                        effective_date: on,
                    }))
                }
                _ => None,
            })
        }
        PlannedCorrection::DuplicateQualification(_) => {
            let qualifications: Vec<_> = facts
                .iter()
                .filter_map(|f| match &f.event {
                    Event::QualificationRecorded(q) => Some((f.id, q)),
                    _ => None,
                })
                .collect();
            qualifications.iter().enumerate().find_map(|(i, (id, q))| {
                qualifications[..i]
                    .iter()
                    .any(|(_, earlier)| {
                        earlier.level == q.level && earlier.certificate == q.certificate
                    })
                    .then(|| {
                        Command::Void(Void {
                            person,
                            voids: *id,
                            reason: "Ghi trùng văn bằng đã nhập".into(),
                            effective_date: on,
                        })
                    })
            })
        }
        PlannedCorrection::Appraisal2017(_) => facts.iter().find_map(|f| match &f.event {
            Event::Appraised(a) if a.year == 2017 => {
                let mut fixed = a.clone();
                fixed.classification = match a.classification {
                    Classification::Excellent => Classification::Good,
                    _ => Classification::Excellent,
                };
                Some(Command::Correct(Correct {
                    person,
                    corrects: f.id,
                    reason: "Điều chỉnh xếp loại theo kết quả phúc tra".into(),
                    replacement: Correction::Appraised(fixed),
                    effective_date: on,
                }))
            }
            _ => None,
        }),
    };
    command.ok_or(DemoError::NothingToCorrect(person))
}
