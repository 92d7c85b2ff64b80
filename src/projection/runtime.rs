//! Running the district projection: load the saved state, catch up from its checkpoint
//! through the store's subscription, follow live appends, save state and checkpoint
//! together now and then and on a clean stop. Never writes events.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::model::District;
use crate::codec::{self, CodecError};
use crate::domain::PersonId;
use crate::domain::person::{Fact, Timeline};
use crate::store::{Direction, SavedState, Snapshot, Store, StoreError};
use crate::stored::{DecodeError, decode, decode_ref};

/// The key the district projection's state is saved under.
pub const SNAPSHOT_NAME: &str = "district";
/// The version of the projection's code. Raise it whenever [`District`] or its fold
/// changes: a saved state of another version is discarded and the projection rebuilt.
pub const VERSION: u32 = 5;
/// How often catch-up and replay report progress, in events.
const PROGRESS_EVERY: u64 = 10_000;

/// Why the projection could not be built or followed.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored event could not be read back.
    #[error(transparent)]
    Read(#[from] DecodeError),
    #[error("the projection's state could not be encoded: {0}")]
    Encode(#[from] CodecError),
}

/// Folds the log after `model`'s checkpoint, up to `upto`, into `model`.
/// `progress(done, total)` is called every few thousand events.
pub fn catch_up(
    store: &Store,
    model: &mut District,
    upto: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), ProjectionError> {
    let upto = upto.min(store.head().position);
    store.scan(model.position + 1, upto, |recorded| {
        let event = decode_ref(&recorded)?;
        model.apply(recorded.position, recorded.id, event);
        if recorded.position.is_multiple_of(PROGRESS_EVERY) {
            progress(recorded.position, upto);
        }
        Ok::<(), ProjectionError>(())
    })?;
    progress(model.position, upto);
    Ok(())
}

/// A fresh fold of the log from position 1 up to `upto`: what reports are built from.
pub fn replay(
    store: &Store,
    upto: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<District, ProjectionError> {
    let mut model = District::default();
    catch_up(store, &mut model, upto, progress)?;
    Ok(model)
}

/// A person's events recorded up to `upto`, in recorded order (their stream only).
pub fn person_events(
    store: &Store,
    person: PersonId,
    upto: u64,
) -> Result<Vec<Fact>, ProjectionError> {
    let events = store.read_stream(&person.stream(), 0, Direction::Forwards, usize::MAX)?;
    events
        .into_iter()
        .take_while(|e| e.position <= upto)
        .map(|recorded| {
            Ok(Fact {
                id: recorded.id,
                event: decode(&recorded)?,
            })
        })
        .collect()
}

/// A person's timeline as recorded up to `upto`: a fast "as known at" for one person,
/// whatever the size of the log.
pub fn person_as_known_at(
    store: &Store,
    person: PersonId,
    upto: u64,
) -> Result<Timeline, ProjectionError> {
    let mut timeline = Timeline::default();
    for fact in person_events(store, person, upto)? {
        timeline.apply(fact.id, &fact.event);
    }
    Ok(timeline)
}

/// The last saved state, when it is intact (its checksum and the log's hash at its
/// position hold), made by this version of the code and readable; otherwise an empty model
/// (the caller catches up from position 1).
pub fn load_saved(store: &Store) -> Result<District, ProjectionError> {
    let snapshot = match store.load_snapshot(SNAPSHOT_NAME)? {
        SavedState::Intact(snapshot) => snapshot,
        SavedState::Absent => return Ok(District::default()),
        SavedState::Outdated(why) => {
            tracing::info!(%why, "saved projection state is outdated; rebuilding");
            return Ok(District::default());
        }
        SavedState::Damaged(why) => {
            tracing::warn!(%why, "saved projection state discarded; rebuilding from the log");
            return Ok(District::default());
        }
    };
    if snapshot.version != VERSION {
        tracing::info!(
            saved = snapshot.version,
            current = VERSION,
            "projection version changed; rebuilding"
        );
        return Ok(District::default());
    }
    match codec::decode::<District>(&snapshot.bytes) {
        Ok(model) if model.position == snapshot.position => Ok(model),
        Ok(_) | Err(_) => {
            tracing::warn!("saved projection state is unusable; rebuilding");
            Ok(District::default())
        }
    }
}

/// Saves `model` with its checkpoint, as one write.
pub fn save(store: &Store, model: &District) -> Result<(), ProjectionError> {
    let snapshot = Snapshot {
        position: model.position,
        version: VERSION,
        bytes: codec::encode(model)?,
    };
    store.save_snapshot(SNAPSHOT_NAME, &snapshot)?;
    Ok(())
}

/// When the running projection saves its state.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Save after at least this many new events…
    pub save_every_events: u64,
    /// …and at least this long after the last save.
    pub save_interval: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            save_every_events: 10_000,
            save_interval: Duration::from_secs(30),
        }
    }
}

/// A running projection; cheap to clone.
#[derive(Clone)]
pub struct Projection {
    shared: Arc<Shared>,
}

struct Shared {
    store: Store,
    /// Readers hold this only to compute an answer; never across an `.await`.
    model: RwLock<District>,
    position: watch::Sender<u64>,
    stop: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<Result<(), ProjectionError>>>>,
    settings: Settings,
}

impl Projection {
    /// Loads the saved state and starts following the log (catching up first). Must be
    /// called within a tokio runtime.
    pub fn start(store: Store, settings: Settings) -> Result<Projection, ProjectionError> {
        let model = load_saved(&store)?;
        let (position, _) = watch::channel(model.position);
        let (stop, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            store,
            model: RwLock::new(model),
            position,
            stop,
            task: Mutex::new(None),
            settings,
        });
        let task = tokio::spawn(follow(shared.clone()));
        *shared.task.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
        Ok(Projection { shared })
    }

    /// Answers a question from the model; returns the answer and the position it reflects.
    pub fn read<R>(&self, question: impl FnOnce(&District) -> R) -> (R, u64) {
        let model = self.shared.model.read().unwrap_or_else(|p| p.into_inner());
        let position = model.position;
        (question(&model), position)
    }

    /// The last position folded in.
    pub fn position(&self) -> u64 {
        *self.shared.position.borrow()
    }

    /// Waits until the model has folded `position` (read-your-writes), at most `timeout`.
    /// Returns the position reached, which is below `position` on a time-out.
    pub async fn wait_for(&self, position: u64, timeout: Duration) -> u64 {
        let mut watched = self.shared.position.subscribe();
        let reached = tokio::time::timeout(timeout, watched.wait_for(|p| *p >= position)).await;
        match reached {
            Ok(Ok(p)) => *p,
            _ => self.position(),
        }
    }

    /// Saves the state and checkpoint now.
    pub fn save_now(&self) -> Result<(), ProjectionError> {
        let model = self.shared.model.read().unwrap_or_else(|p| p.into_inner());
        save(&self.shared.store, &model)
    }

    /// Stops following and saves (a clean shutdown).
    pub async fn stop(&self) -> Result<(), ProjectionError> {
        self.shared.stop.send_replace(true);
        let task = self
            .shared
            .task
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(task) = task {
            match task.await {
                Ok(result) => result?,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => {}
            }
        }
        self.save_now()
    }
}

async fn follow(shared: Arc<Shared>) -> Result<(), ProjectionError> {
    let start = *shared.position.borrow();
    let mut subscription = shared.store.subscribe(start + 1);
    let mut stop = shared.stop.subscribe();
    let mut unsaved = 0u64;
    let mut last_save = Instant::now();
    loop {
        let next = tokio::select! {
            _ = stop.wait_for(|s| *s) => return Ok(()),
            next = subscription.next() => next,
        };
        let Some(recorded) = next? else {
            return Ok(());
        };
        let event = match decode(&recorded) {
            Ok(event) => event,
            Err(e) => {
                tracing::error!(position = recorded.position, error = %e, "projection stopped at an unreadable event");
                return Err(e.into());
            }
        };
        {
            let mut model = shared.model.write().unwrap_or_else(|p| p.into_inner());
            model.apply(recorded.position, recorded.id, event);
        }
        shared.position.send_replace(recorded.position);
        unsaved += 1;
        if unsaved >= shared.settings.save_every_events
            && last_save.elapsed() >= shared.settings.save_interval
        {
            let model = shared.model.read().unwrap_or_else(|p| p.into_inner());
            save(&shared.store, &model)?;
            unsaved = 0;
            last_save = Instant::now();
        }
    }
}
