//! The command path: load the states a command needs from the store, decide, append the
//! decision with the loaded versions as expectations, and retry when another writer got
//! there first. The HTTP API, the demo loader and imports all record through here.
//!
//! Owns: the glue between `domain` (pure rules) and `store` (I/O); `workset.rs` holds the
//! states loaded for a decision and what was decided on top of them, so that many
//! commands (an import) can be decided together and appended as one batch; `cache.rs`
//! keeps the states folded by earlier commands, so that a command reads only the events
//! appended to its streams since.
//! Must not: contain rules (they live in `domain::decide`) or touch sled.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

mod cache;
mod workset;

pub use workset::WorkSet;

use self::cache::StateCache;
use crate::domain::{
    CodeState, Command, DomainError, Event, InvalidStaffCode, PersonHistory, PersonId, ProgrammeId,
    ProgrammeState, SessionId, SessionState, StaffCode, UnitId, UnitState,
};
use crate::store::{AppendOutcome, AppendedEvent, Direction, Store, StoreError, StreamId};
use crate::stored::{self, DecodeError};

/// How many times a command is decided again after losing a race for a stream.
const MAX_ATTEMPTS: usize = 16;

/// Why a command was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The rules refused it. HTTP 422.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The caller's expectation of the person's version ([`Options::expected_person_version`],
    /// an `If-Match`) failed: the stream is at `actual` (`None`: no events). Nothing was
    /// recorded. HTTP 412.
    #[error("{stream} was expected at version {expected} but is at {}", version_text(*.actual))]
    Stale {
        stream: StreamId,
        expected: u64,
        actual: Option<u64>,
    },
    /// The store refused or failed. See `StoreError` for the HTTP status of each.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored event could not be read back. HTTP 500, logged.
    #[error(transparent)]
    Unreadable(#[from] DecodeError),
    /// The staff code prefix makes no valid code. HTTP 500 (it is configuration).
    #[error("staff code prefix: {0}")]
    CodePrefix(#[from] InvalidStaffCode),
    /// Other writers kept changing the same streams. HTTP 503, retry later.
    #[error("the streams kept changing under {MAX_ATTEMPTS} attempts; try again")]
    Contended,
}

/// A stream version as text: "no events" when the stream has none.
pub fn version_text(version: Option<u64>) -> String {
    version.map_or("no events".into(), |v| v.to_string())
}

/// Choices a caller can make about one command.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// "Today" for the date rules; the system clock's date when `None`.
    pub today: Option<NaiveDate>,
    /// The version the caller last saw of the person's stream (`If-Match`): the command is
    /// refused rather than decided again if the stream has moved.
    pub expected_person_version: Option<u64>,
    /// Makes a retry of the same request return the first answer and append nothing: the
    /// events get ids derived from this key.
    pub idempotency_key: Option<String>,
}

/// The staff code prefix when none is configured.
pub const DEFAULT_CODE_PREFIX: &str = "DB-";

/// Records commands; cheap to clone (clones share the folded states).
#[derive(Clone)]
pub struct Ledger {
    store: Store,
    states: Arc<States>,
    codes: Arc<CodeNumbers>,
}

/// How the ledger numbers the staff codes it gives registrations that name none.
struct CodeNumbers {
    /// E.g. `DB-`: codes are the prefix and a six-digit number (`DB-000123`).
    prefix: String,
    /// The highest number handed out so far: the search for a free one starts above it
    /// (a hint only; the code's stream decides whether a code is free).
    last_number: AtomicU64,
}

/// The folded states of each kind of stream, kept between commands.
#[derive(Default)]
struct States {
    people: StateCache<PersonHistory>,
    sessions: StateCache<SessionState>,
    programmes: StateCache<ProgrammeState>,
    units: StateCache<UnitState>,
    codes: StateCache<CodeState>,
}

/// A stream folded into a state, with the version it was folded at (`None`: no events).
pub struct Loaded<T> {
    pub state: T,
    pub version: Option<u64>,
}

impl Ledger {
    pub fn new(store: Store) -> Self {
        Ledger {
            store,
            states: Arc::default(),
            codes: Arc::new(CodeNumbers {
                prefix: DEFAULT_CODE_PREFIX.into(),
                last_number: AtomicU64::new(0),
            }),
        }
    }

    /// This ledger, giving registrations without a staff code the next free code of
    /// `prefix` (`DEFAULT_CODE_PREFIX` otherwise). Refused when `prefix` makes no code.
    pub fn with_code_prefix(mut self, prefix: &str) -> Result<Self, InvalidStaffCode> {
        StaffCode::numbered(prefix, 1)?;
        self.codes = Arc::new(CodeNumbers {
            prefix: prefix.to_string(),
            last_number: AtomicU64::new(0),
        });
        Ok(self)
    }

    /// The prefix of the staff codes this ledger gives.
    pub fn code_prefix(&self) -> &str {
        &self.codes.prefix
    }

    /// Who holds `code` now, read from the code's stream.
    pub fn code_holder(&self, code: &StaffCode) -> Result<Option<PersonId>, LedgerError> {
        Ok(self.code(code)?.state.holder)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Records `command` for `actor` with default options.
    pub async fn execute(
        &self,
        actor: &str,
        command: &Command,
    ) -> Result<AppendOutcome, LedgerError> {
        self.execute_with(actor, command, &Options::default()).await
    }

    /// Records `command` for `actor`.
    pub async fn execute_with(
        &self,
        actor: &str,
        command: &Command,
        options: &Options,
    ) -> Result<AppendOutcome, LedgerError> {
        if let Some(key) = &options.idempotency_key
            && let Some(outcome) = self.earlier_answer(key)?
        {
            return Ok(outcome);
        }
        let today = options.today.unwrap_or_else(|| Utc::now().date_naive());
        for _ in 0..MAX_ATTEMPTS {
            let work = self.prepare(command, options, today)?;
            match self.store.append(work.batch(actor)?).await {
                // Another writer got there first: decide again on what it wrote — unless
                // the caller pinned the person's version (If-Match) and that stream moved.
                Err(StoreError::WrongExpectedVersion { stream, actual, .. }) => {
                    match pinned(command, options) {
                        Some((person, expected)) if person.stream() == stream => {
                            return Err(LedgerError::Stale {
                                stream,
                                expected,
                                actual,
                            });
                        }
                        _ => continue,
                    }
                }
                Err(e) => return Err(e.into()),
                Ok(outcome) => {
                    work.keep(&outcome);
                    return Ok(outcome);
                }
            }
        }
        Err(LedgerError::Contended)
    }

    /// Loads and decides, for one attempt.
    fn prepare(
        &self,
        command: &Command,
        options: &Options,
        today: NaiveDate,
    ) -> Result<WorkSet<'_>, LedgerError> {
        let mut work = WorkSet::new(self, today);
        if let Some((person, expected)) = pinned(command, options) {
            let actual = work.person_version(person)?;
            if actual != Some(expected) {
                return Err(LedgerError::Stale {
                    stream: person.stream(),
                    expected,
                    actual,
                });
            }
        }
        work.decide(command, options.idempotency_key.as_deref())?;
        Ok(work)
    }

    /// A person's stream, folded.
    pub fn load_person(&self, id: PersonId) -> Result<Loaded<PersonHistory>, LedgerError> {
        let loaded = self.person(id)?;
        Ok(Loaded {
            state: Arc::unwrap_or_clone(loaded.state),
            version: loaded.version,
        })
    }

    pub(crate) fn person(&self, id: PersonId) -> Result<Loaded<Arc<PersonHistory>>, LedgerError> {
        self.load(&self.states.people, &id.stream())
    }

    pub(crate) fn session(&self, id: SessionId) -> Result<Loaded<Arc<SessionState>>, LedgerError> {
        self.load(&self.states.sessions, &id.stream())
    }

    pub(crate) fn programme(
        &self,
        id: ProgrammeId,
    ) -> Result<Loaded<Arc<ProgrammeState>>, LedgerError> {
        self.load(&self.states.programmes, &id.stream())
    }

    pub(crate) fn unit(&self, id: UnitId) -> Result<Loaded<Arc<UnitState>>, LedgerError> {
        self.load(&self.states.units, &id.stream())
    }

    pub(crate) fn code(&self, code: &StaffCode) -> Result<Loaded<Arc<CodeState>>, LedgerError> {
        self.load(&self.states.codes, &code.stream())
    }

    /// `stream` folded: the kept state, if any, with the events appended since.
    fn load<T: Fold>(
        &self,
        cache: &StateCache<T>,
        stream: &StreamId,
    ) -> Result<Loaded<Arc<T>>, LedgerError> {
        let (mut version, mut state) = cache
            .get(stream)
            .map_or((None, Arc::default()), |kept| (kept.version, kept.state));
        if self.store.stream_version(stream) != version {
            let from = version.map_or(0, |v| v + 1);
            let events = self
                .store
                .read_stream(stream, from, Direction::Forwards, usize::MAX)?;
            let folded = Arc::make_mut(&mut state);
            for recorded in events {
                folded.fold(recorded.id, stored::decode(&recorded)?);
                version = Some(recorded.version);
            }
            cache.put(stream, version, &state);
        }
        Ok(Loaded { state, version })
    }

    /// The answer given the first time this idempotency key was used, if it was.
    pub fn earlier_answer(&self, key: &str) -> Result<Option<AppendOutcome>, LedgerError> {
        let mut events = Vec::new();
        for index in 0.. {
            match self.store.read_by_id(&derived_id(key, index))? {
                Some(event) => events.push(AppendedEvent::of(&event)),
                None => break,
            }
        }
        Ok((!events.is_empty()).then_some(AppendOutcome {
            events,
            already_stored: true,
        }))
    }
}

/// The person whose version the caller pinned, and the version they expect.
fn pinned(command: &Command, options: &Options) -> Option<(PersonId, u64)> {
    Some((command.person()?, options.expected_person_version?))
}

/// A stream's state as the ledger folds it, one stored event at a time.
pub(crate) trait Fold: Clone + Default {
    fn fold(&mut self, id: Uuid, event: Event);
}

impl Fold for PersonHistory {
    fn fold(&mut self, id: Uuid, event: Event) {
        self.apply(id, event);
    }
}

/// The reference states fold with `evolve(self, &event) -> Self`.
macro_rules! fold_by_evolve {
    ($($state:ty),+) => {$(
        impl Fold for $state {
            fn fold(&mut self, _: Uuid, event: Event) {
                *self = std::mem::take(self).evolve(&event);
            }
        }
    )+};
}

fold_by_evolve!(SessionState, ProgrammeState, UnitState, CodeState);

/// Event `index` of the request with idempotency key `key`: a name-based UUID (v5), so the
/// same key always gives the same ids.
pub fn derived_id(key: &str, index: usize) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("cadre:{key}:{index}").as_bytes(),
    )
}

/// The id a keyed request gives what it registers when the caller chose none: the same key
/// always gives the same id, so a retry names the same person, unit, programme or session.
pub fn subject_id(key: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("cadre:{key}:subject").as_bytes(),
    )
}
