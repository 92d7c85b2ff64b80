//! Catch-up-then-live subscriptions over the global log.
//!
//! The live channel is joined *before* the first read of the log, so every event is either
//! already durable (read from the log) or still to come (received live). Anything received
//! live that was already read is skipped; anything missed (a gap, or a subscriber too slow
//! for the channel) is read again from the log. Delivery is therefore in order, without gaps
//! or duplicates, whatever the timing of the hand-over.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::broadcast::{self, error::RecvError};

use super::{RecordedEvent, Store, StoreError};

/// How many events a catch-up read takes from the log at a time.
const CATCH_UP_PAGE: usize = 512;

/// A subscription; see the module doc. Dropping it unsubscribes.
pub struct Subscription {
    store: Store,
    live: broadcast::Receiver<Arc<[RecordedEvent]>>,
    buffer: VecDeque<RecordedEvent>,
    next: u64,
}

impl Subscription {
    pub(super) fn new(
        store: Store,
        live: broadcast::Receiver<Arc<[RecordedEvent]>>,
        from: u64,
    ) -> Self {
        Subscription {
            store,
            live,
            buffer: VecDeque::new(),
            next: from.max(1),
        }
    }

    /// The position the next event delivered will have.
    pub fn next_position(&self) -> u64 {
        self.next
    }

    /// The next event; waits for one when caught up. `Ok(None)` when the store closed.
    pub async fn next(&mut self) -> Result<Option<RecordedEvent>, StoreError> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                self.next = event.position + 1;
                return Ok(Some(event));
            }
            if self.next <= self.store.head().position {
                self.catch_up()?;
                continue;
            }
            match self.live.recv().await {
                Ok(events) => self.take_live(&events),
                // Too slow for the channel: the log still has everything.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return Ok(None),
            }
        }
    }

    fn catch_up(&mut self) -> Result<(), StoreError> {
        let upto = self.next.saturating_add(CATCH_UP_PAGE as u64 - 1);
        for event in self.store.read_between(self.next, upto) {
            self.buffer.push_back(event?);
        }
        Ok(())
    }

    fn take_live(&mut self, events: &[RecordedEvent]) {
        let expected = self.next;
        let fresh = events.iter().filter(|e| e.position >= expected);
        for (offset, event) in fresh.enumerate() {
            if event.position != expected + offset as u64 {
                // A gap: drop what was taken and read the log instead.
                self.buffer.clear();
                return;
            }
            self.buffer.push_back(event.clone());
        }
    }
}
