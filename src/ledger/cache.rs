//! Streams folded by earlier commands, kept so that the next command on the same stream
//! reads and folds only what was appended since — usually nothing. An entry is never
//! trusted beyond the version it was folded at: the store's index says whether anything
//! follows, and events are never rewritten, so a cached state plus the events after it is
//! exactly the fold of the whole stream.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;

use crate::store::StreamId;

/// How many streams of one kind are kept. A command touches a handful of streams; this
/// keeps the people a busy office works on without holding a province's record in memory.
const CAPACITY: NonZeroUsize = NonZeroUsize::new(4_096).expect("not zero");

/// A state folded up to `version` (`None`: the stream had no events).
pub(crate) struct Cached<T> {
    pub version: Option<u64>,
    pub state: Arc<T>,
}

/// Folded states of one kind of stream, by stream; the least recently used go first.
pub(crate) struct StateCache<T> {
    entries: Mutex<LruCache<StreamId, Cached<T>>>,
}

impl<T> Default for StateCache<T> {
    fn default() -> Self {
        StateCache {
            entries: Mutex::new(LruCache::new(CAPACITY)),
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
            .peek(stream)
            .is_some_and(|kept| kept.version >= version)
        {
            return;
        }
        entries.put(
            stream.clone(),
            Cached {
                version,
                state: Arc::clone(state),
            },
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<StreamId, Cached<T>>> {
        // The map is consistent after any panic (each call makes one lookup or insert).
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
    fn the_cache_drops_the_least_recently_used_beyond_its_capacity() {
        let cache = StateCache::default();
        let capacity = CAPACITY.get();
        for n in 0..capacity {
            cache.put(&stream(n), Some(0), &Arc::new(n));
        }
        // Stream 0 is the oldest, but used again: stream 1 goes first.
        assert!(cache.get(&stream(0)).is_some());
        cache.put(&stream(capacity), Some(0), &Arc::new(capacity));
        assert_eq!(cache.lock().len(), capacity);
        assert!(cache.get(&stream(0)).is_some());
        assert!(cache.get(&stream(1)).is_none());
        assert!(cache.get(&stream(capacity)).is_some(), "the newest is kept");
    }
}
