//! Reads, on every engine: streams both ways, the global log, single positions and
//! subscriptions.

use std::time::Duration;

use cadre::store::{Direction, ExpectedVersion::*};

use crate::helpers::*;

on_every_engine! {
fn streams_read_forwards_and_backwards_with_limits(_engine, store) {
    store.append_blocking(single("a", NoStream, 3)).unwrap();
    store.append_blocking(single("b", NoStream, 2)).unwrap();
    store.append_blocking(single("a", Exact(2), 3)).unwrap();
    let a = stream("a");
    let versions = |from, dir, limit| -> Vec<u64> {
        store
            .read_stream(&a, from, dir, limit)
            .unwrap()
            .iter()
            .map(|e| e.version)
            .collect()
    };
    assert_eq!(
        versions(0, Direction::Forwards, 100),
        vec![0, 1, 2, 3, 4, 5]
    );
    assert_eq!(versions(2, Direction::Forwards, 3), vec![2, 3, 4]);
    assert_eq!(versions(4, Direction::Backwards, 3), vec![4, 3, 2]);
    assert_eq!(versions(99, Direction::Backwards, 2), vec![5, 4]);
    assert_eq!(versions(9, Direction::Forwards, 2), Vec::<u64>::new());
    let first = &store.read_stream(&a, 3, Direction::Forwards, 1).unwrap()[0];
    assert_eq!(first.position, 6);
    assert_eq!(first.payload, b"a#0");
    assert_eq!(first.actor, "tester");
    assert_eq!(first.event_type, "Noted");
}
}

on_every_engine! {
fn the_global_log_reads_from_any_position_across_chunks(_engine, store) {
    for i in 0..20 {
        store
            .append_blocking(single(&format!("s{}", i % 3), Any, 1 + i % 4))
            .unwrap();
    }
    let head = store.head().position;
    let all: Vec<_> = store.read_all(1).map(Result::unwrap).collect();
    assert_eq!(all.len() as u64, head);
    assert!(
        all.iter()
            .enumerate()
            .all(|(i, e)| e.position == i as u64 + 1)
    );
    for from in [1, 2, 7, head, head + 1] {
        let tail: Vec<u64> = store.read_all(from).map(|e| e.unwrap().position).collect();
        assert_eq!(tail, (from..=head).collect::<Vec<_>>());
    }
    let limited: Vec<u64> = store
        .read_all(5)
        .take(3)
        .map(|e| e.unwrap().position)
        .collect();
    assert_eq!(limited, vec![5, 6, 7]);
    assert_eq!(store.read_at(4).unwrap().unwrap(), all[3]);
    assert!(store.read_at(head + 1).unwrap().is_none());
    assert_eq!(all.last().unwrap().hash, store.head().hash);
    assert!(
        all.windows(2).all(|w| w[0].recorded_at <= w[1].recorded_at),
        "recorded-at never goes backwards"
    );
}
}

on_every_engine! {
async fn a_subscription_catches_up_then_follows_live_without_gaps_or_duplicates(_engine, store) {
    for i in 0..50 {
        store
            .append(single(&format!("s{i}"), Any, 2))
            .await
            .unwrap();
    }
    let mut subscription = store.subscribe(7);
    // 100 events stored before; 4 writers × (1 + i % 3) for i in 0..40 = 316 while reading.
    let total = 100 + 4 * (0..40u64).map(|i| 1 + i % 3).sum::<u64>();
    let reader = tokio::spawn(async move {
        let mut seen = Vec::new();
        while (seen.len() as u64) < total - 6 {
            let event = tokio::time::timeout(Duration::from_secs(10), subscription.next())
                .await
                .expect("an event within 10 s")
                .unwrap()
                .expect("the store is open");
            seen.push(event.position);
        }
        (seen, subscription)
    });
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..40 {
                    store
                        .append(single(&format!("w{w}-{i}"), Any, 1 + i % 3))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let (seen, mut subscription) = reader.await.unwrap();
    let head = store.head().position;
    assert_eq!(head, total);
    assert_eq!(seen, (7..=head).collect::<Vec<_>>());
    // And it keeps following: the next append arrives live.
    store.append(single("late", Any, 1)).await.unwrap();
    let late = tokio::time::timeout(Duration::from_secs(10), subscription.next())
        .await
        .expect("the live event")
        .unwrap()
        .unwrap();
    assert_eq!(late.position, head + 1);
    assert_eq!(late.stream.as_str(), "late");
}
}
