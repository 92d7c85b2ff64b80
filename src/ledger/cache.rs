//! Streams folded by earlier commands, kept so that the next command on the same stream
//! reads and folds only what was appended since — usually nothing. An entry is never
//! trusted beyond the version it was folded at: the store's index says whether anything
//! follows, and events are never rewritten, so a cached state plus the events after it is
//! exactly the fold of the whole stream.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::store::StreamId;

/// How many streams of one kind are kept. A command touches a handful of streams; this
/// keeps the people a busy office works on without holding a province's record in memory.
const CAPACITY: usize = 4_096;

/// A state folded up to `version` (`None`: the stream had no events).
pub(crate) struct Cached<T> {
    pub version: Option<u64>,
    pub state: Arc<T>,
}

/// Folded states of one kind of stream, by stream.
pub(crate) struct StateCache<T> {
    entries: Mutex<HashMap<StreamId, Cached<T>>>,
}

impl<T> Default for StateCache<T> {
    fn default() -> Self {
        StateCache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> StateCache<T> {
    /// The state last folded for `stream`, if kept.
    pub fn get(&self, stream: &StreamId) -> Option<Cached<T>> {
        self.lock().get(stream).map(|c| Cached {
            version: c.version,
            state: Arc::clone(&c.state),
        })
    }

    /// Keeps `state`, folded up to `version`, unless a later fold is already kept (two
    /// commands on one stream may finish loading in either order).
    pub fn put(&self, stream: &StreamId, version: Option<u64>, state: &Arc<T>) {
        let mut entries = self.lock();
        if entries
            .get(stream)
            .is_some_and(|kept| kept.version >= version)
        {
            return;
        }
        if entries.len() >= CAPACITY && !entries.contains_key(stream) {
            // Evict an arbitrary entry (the map's iteration order is random): cheap, and a
            // miss costs only one stream read.
            if let Some(victim) = entries.keys().next().cloned() {
                entries.remove(&victim);
            }
        }
        entries.insert(
            stream.clone(),
            Cached {
                version,
                state: Arc::clone(state),
            },
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<StreamId, Cached<T>>> {
        // The map is consistent after any panic (each call makes one insert or remove).
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(n: usize) -> StreamId {
        StreamId::parse(format!("person-{n}")).expect("valid stream id")
    }

    #[test]
    fn a_later_fold_is_not_replaced_by_an_earlier_one() {
        let cache = StateCache::default();
        cache.put(&stream(1), Some(5), &Arc::new("five"));
        cache.put(&stream(1), Some(3), &Arc::new("three"));
        let kept = cache.get(&stream(1)).expect("kept");
        assert_eq!((kept.version, *kept.state), (Some(5), "five"));
        cache.put(&stream(1), Some(6), &Arc::new("six"));
        assert_eq!(cache.get(&stream(1)).map(|c| *c.state), Some("six"));
    }

    #[test]
    fn the_cache_never_holds_more_than_its_capacity() {
        let cache = StateCache::default();
        for n in 0..CAPACITY + 10 {
            cache.put(&stream(n), Some(0), &Arc::new(n));
        }
        assert_eq!(cache.lock().len(), CAPACITY);
        assert!(
            cache.get(&stream(CAPACITY + 9)).is_some(),
            "the newest is kept"
        );
    }
}
