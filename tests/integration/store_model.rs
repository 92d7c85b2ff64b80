//! Property: batches with random expected versions from concurrent tasks give exactly what
//! a simple in-memory model gives when fed the same batches in the order the store
//! committed them (accepted ones in position order; each rejected one at some moment
//! between its task's neighbouring appends).

use std::collections::HashMap;

use cadre::store::{
    AppendBatch, AppendOutcome, Direction, ExpectedVersion, NewEvent, StoreError, StreamAppend,
};
use proptest::prelude::*;

use crate::helpers::*;

const STREAMS: [&str; 4] = ["p-0", "p-1", "p-2", "p-3"];

fn expected() -> impl Strategy<Value = ExpectedVersion> {
    prop_oneof![
        Just(ExpectedVersion::Any),
        Just(ExpectedVersion::NoStream),
        Just(ExpectedVersion::StreamExists),
        (0u64..5).prop_map(ExpectedVersion::Exact),
    ]
}

/// One batch: one or two distinct streams, each with an expectation and 1–3 events.
fn batch_shape() -> impl Strategy<Value = Vec<(usize, ExpectedVersion, usize)>> {
    proptest::collection::vec((0..STREAMS.len(), expected(), 1usize..4), 1..3).prop_map(
        |mut parts| {
            parts.dedup_by_key(|p| p.0);
            parts
        },
    )
}

fn build(task: usize, op: usize, shape: &[(usize, ExpectedVersion, usize)]) -> AppendBatch {
    AppendBatch {
        actor: format!("task-{task}"),
        streams: shape
            .iter()
            .map(|&(s, expected, n)| StreamAppend {
                stream: stream(STREAMS[s]),
                expected,
                events: (0..n)
                    .map(|i| NewEvent::new("Noted", 1, format!("{task}/{op}/{s}/{i}").into_bytes()))
                    .collect(),
            })
            .collect(),
    }
}

type Ran = (usize, usize, AppendBatch, Result<AppendOutcome, StoreError>);

fn run_concurrently(
    store: &cadre::store::Store,
    tasks: Vec<Vec<Vec<(usize, ExpectedVersion, usize)>>>,
) -> Vec<Ran> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    runtime.block_on(async {
        let handles: Vec<_> = tasks
            .into_iter()
            .enumerate()
            .map(|(task, ops)| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut ran = Vec::new();
                    for (op, shape) in ops.iter().enumerate() {
                        let batch = build(task, op, shape);
                        let result = store.append(batch.clone()).await;
                        ran.push((task, op, batch, result));
                    }
                    ran
                })
            })
            .collect();
        let mut all = Vec::new();
        for handle in handles {
            all.extend(handle.await.unwrap());
        }
        all
    })
}

type Tasks = Vec<Vec<Vec<(usize, ExpectedVersion, usize)>>>;

fn tasks() -> impl Strategy<Value = Tasks> {
    proptest::collection::vec(proptest::collection::vec(batch_shape(), 1..8), 1..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn concurrent_appends_match_the_model_on_sled(tasks in tasks()) {
        matches_the_model(Engine::Sled, tasks)?;
    }

    #[test]
    fn concurrent_appends_match_the_model_on_postgres(tasks in tasks()) {
        matches_the_model(Engine::Postgres, tasks)?;
    }
}

fn matches_the_model(engine: Engine, tasks: Tasks) -> Result<(), TestCaseError> {
    let Some((_place, store)) = temp_store_on(engine) else {
        return Ok(());
    };
    let ran = run_concurrently(&store, tasks);

    // Accepted batches, in commit order.
    let mut accepted: Vec<&Ran> = ran.iter().filter(|r| r.3.is_ok()).collect();
    accepted.sort_by_key(|r| r.3.as_ref().unwrap().events[0].position);
    let order_of: HashMap<(usize, usize), usize> = accepted
        .iter()
        .enumerate()
        .map(|(k, r)| ((r.0, r.1), k))
        .collect();

    // Replay them through the model, checking the store's numbering as we go.
    let mut versions: HashMap<&str, Option<u64>> = HashMap::new();
    let mut history: HashMap<&str, Vec<(usize, Option<u64>)>> = HashMap::new();
    let mut contents: HashMap<&str, Vec<Vec<u8>>> = HashMap::new();
    let mut next_position = 1u64;
    for (k, (_, _, batch, result)) in accepted.iter().enumerate() {
        let outcome = result.as_ref().unwrap();
        prop_assert!(!outcome.already_stored);
        let mut landed = outcome.events.iter();
        for part in &batch.streams {
            let name = STREAMS
                .iter()
                .find(|s| **s == part.stream.as_str())
                .unwrap();
            let before = versions.get(name).copied().flatten();
            prop_assert!(
                part.expected.admits(before),
                "accepted {} expecting {} at {:?}",
                name,
                part.expected,
                before
            );
            let mut version = before.map_or(0, |v| v + 1);
            for event in &part.events {
                let at = landed.next().unwrap();
                prop_assert_eq!(at.position, next_position);
                prop_assert_eq!(at.version, version);
                prop_assert_eq!(at.stream.as_str(), *name);
                contents
                    .entry(name)
                    .or_default()
                    .push(event.payload.clone());
                next_position += 1;
                version += 1;
            }
            versions.insert(name, Some(version - 1));
            history
                .entry(name)
                .or_default()
                .push((k, Some(version - 1)));
        }
    }
    prop_assert_eq!(store.head().position, next_position - 1);

    // Each rejection must be explained by a version the stream really had while the
    // rejected batch was in flight.
    for (task, op, batch, result) in &ran {
        let Err(error) = result else { continue };
        let StoreError::WrongExpectedVersion {
            stream: s,
            expected,
            actual,
        } = error
        else {
            prop_assert!(false, "unexpected error {:?}", error);
            unreachable!()
        };
        prop_assert!(
            batch
                .streams
                .iter()
                .any(|p| &p.stream == s && p.expected == *expected)
        );
        prop_assert!(!expected.admits(*actual));
        let earlier = (0..*op)
            .rev()
            .find_map(|o| order_of.get(&(*task, o)).copied());
        let later = (*op + 1..)
            .take(16)
            .find_map(|o| order_of.get(&(*task, o)).copied());
        let name = s.as_str();
        let mut possible = Vec::new();
        let mut current = None;
        for &(k, v) in history.get(name).map(Vec::as_slice).unwrap_or(&[]) {
            if earlier.is_some_and(|e| k <= e) {
                current = v;
                continue;
            }
            if later.is_some_and(|l| k >= l) {
                break;
            }
            possible.push(v);
        }
        possible.push(current);
        prop_assert!(
            possible.contains(actual),
            "{} said {:?}, possible {:?}",
            name,
            actual,
            possible
        );
    }

    // The store holds exactly the model's streams.
    for name in STREAMS {
        let stored: Vec<Vec<u8>> = store
            .read_stream(&stream(name), 0, Direction::Forwards, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|e| e.payload)
            .collect();
        let expected = contents.get(name).cloned().unwrap_or_default();
        prop_assert_eq!(stored, expected);
    }
    let verified = store.verify(None, &mut |_, _| {}).unwrap();
    prop_assert!(verified.is_ok(), "{:?}", verified.fault);
    Ok(())
}
