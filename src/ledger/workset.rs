//! The states a set of decisions is made on, loaded once from their streams, with every
//! decided event folded on top, so that later commands see earlier ones. The batch it
//! builds expects each stream at the version it was loaded at: if anyone else wrote in
//! between, nothing of it is written.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hash as StdHash;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::NaiveDate;
use uuid::Uuid;

use super::cache::StateCache;
use super::{Fold, Ledger, LedgerError, Loaded, derived_id};
use crate::domain::command::RegisterPerson;
use crate::domain::{
    CodeState, Command, Event, Facts, PersonHistory, PersonId, ProgrammeId, ProgrammeState,
    SessionId, SessionState, StaffCode, Target, UnitId, UnitState, decide,
};
use crate::store::{
    AppendBatch, AppendOutcome, ExpectedVersion, StoreError, StreamAppend, StreamId,
};
use crate::stored;

/// See the module doc.
pub struct WorkSet<'a> {
    ledger: &'a Ledger,
    today: NaiveDate,
    people: HashMap<PersonId, Loaded<Arc<PersonHistory>>>,
    sessions: HashMap<SessionId, Loaded<Arc<SessionState>>>,
    programmes: HashMap<ProgrammeId, Loaded<Arc<ProgrammeState>>>,
    units: HashMap<UnitId, Loaded<Arc<UnitState>>>,
    codes: HashMap<StaffCode, Loaded<Arc<CodeState>>>,
    /// Decided events in order, with their ids.
    decided: Vec<(Target, Event, Uuid)>,
}

/// Loads `id`'s state into `map` unless it is there.
fn ensure<K: Eq + StdHash + Clone, T>(
    map: &mut HashMap<K, Loaded<T>>,
    id: K,
    load: impl FnOnce(K) -> Result<Loaded<T>, LedgerError>,
) -> Result<(), LedgerError> {
    if let std::collections::hash_map::Entry::Vacant(slot) = map.entry(id.clone()) {
        slot.insert(load(id)?);
    }
    Ok(())
}

impl<'a> WorkSet<'a> {
    pub fn new(ledger: &'a Ledger, today: NaiveDate) -> Self {
        WorkSet {
            ledger,
            today,
            people: HashMap::new(),
            sessions: HashMap::new(),
            programmes: HashMap::new(),
            units: HashMap::new(),
            codes: HashMap::new(),
            decided: Vec::new(),
        }
    }

    /// The stored version of a person's stream.
    pub fn person_version(&mut self, person: PersonId) -> Result<Option<u64>, LedgerError> {
        let ledger = self.ledger;
        ensure(&mut self.people, person, |id| ledger.person(id))?;
        Ok(self.people.get(&person).and_then(|l| l.version))
    }

    /// A person's state: as loaded, with what was decided on top.
    pub fn person(&mut self, person: PersonId) -> Result<Arc<PersonHistory>, LedgerError> {
        let ledger = self.ledger;
        ensure(&mut self.people, person, |id| ledger.person(id))?;
        Ok(self
            .people
            .get(&person)
            .map_or_else(Arc::default, |l| Arc::clone(&l.state)))
    }

    /// Decides `command` on the current states and folds what it records into them.
    /// With an idempotency key, the events get ids derived from it. Returns how many
    /// events were decided.
    pub fn decide(
        &mut self,
        command: &Command,
        idempotency_key: Option<&str>,
    ) -> Result<usize, LedgerError> {
        let command = self.with_staff_code(command)?;
        let command = command.as_ref();
        self.load_for(command)?;
        let empty_code = CodeState::default();
        let empty_person = PersonHistory::default();
        let empty_session = SessionState::default();
        let empty_programme = ProgrammeState::default();
        let empty_unit = UnitState::default();
        let session_id = command.session();
        let session = session_id
            .and_then(|id| self.sessions.get(&id))
            .map(|l| l.state.as_ref());
        let programme_id = self.programme_of(command);
        let person = command
            .person()
            .and_then(|id| self.people.get(&id))
            .map(|l| l.state.as_ref());
        let elsewhere = match command.target_event() {
            Some(id) if person.is_none_or(|p| p.fact(id).is_none()) => {
                self.ledger.store().read_by_id(&id)?.map(|e| e.stream)
            }
            _ => None,
        };
        let facts = Facts {
            today: self.today,
            person: person.unwrap_or(&empty_person),
            session: session.unwrap_or(&empty_session),
            programme: programme_id
                .and_then(|id| self.programmes.get(&id))
                .map_or(&empty_programme, |l| l.state.as_ref()),
            unit: command
                .unit()
                .and_then(|id| self.units.get(&id))
                .map_or(&empty_unit, |l| l.state.as_ref()),
            code: self
                .code_of(command)
                .and_then(|code| self.codes.get(&code))
                .map_or(&empty_code, |l| l.state.as_ref()),
            target_elsewhere: elsewhere.as_ref(),
        };
        let decision = decide(&facts, command)?;
        let count = decision.len();
        for (index, (target, event)) in decision.into_iter().enumerate() {
            let id = idempotency_key.map_or_else(Uuid::now_v7, |key| derived_id(key, index));
            self.fold(target.clone(), id, &event);
            self.decided.push((target, event, id));
        }
        Ok(count)
    }

    fn programme_of(&self, command: &Command) -> Option<ProgrammeId> {
        command.programme().or_else(|| {
            command
                .session()
                .and_then(|id| self.sessions.get(&id))
                .and_then(|l| l.state.scheduled.as_ref())
                .map(|s| s.programme)
        })
    }

    /// `command`, with the next free staff code of the ledger's prefix when it is a
    /// registration that names none. Decided again after a lost race, it takes another.
    fn with_staff_code<'c>(
        &mut self,
        command: &'c Command,
    ) -> Result<Cow<'c, Command>, LedgerError> {
        match command {
            Command::RegisterPerson(c) if c.staff_code.is_none() => {
                Ok(Cow::Owned(Command::RegisterPerson(RegisterPerson {
                    staff_code: Some(self.free_code()?),
                    ..c.clone()
                })))
            }
            _ => Ok(Cow::Borrowed(command)),
        }
    }

    /// The lowest code of the ledger's prefix above the last one it handed out whose
    /// stream is empty and which nothing in this work set claims.
    fn free_code(&mut self) -> Result<StaffCode, LedgerError> {
        let ledger = self.ledger;
        let mut number = ledger.codes.last_number.load(Ordering::Relaxed);
        loop {
            number += 1;
            let code = StaffCode::numbered(&ledger.codes.prefix, number)?;
            let taken = self.codes.contains_key(&code)
                || ledger.store().stream_version(&code.stream()).is_some();
            if !taken {
                ledger
                    .codes
                    .last_number
                    .fetch_max(number, Ordering::Relaxed);
                return Ok(code);
            }
        }
    }

    /// The staff code `command` claims, or (voiding a registration or a code's
    /// assignment) releases.
    fn code_of(&self, command: &Command) -> Option<StaffCode> {
        if let Some(code) = command.staff_code() {
            return Some(code.clone());
        }
        let (person, target) = (command.person()?, command.target_event()?);
        let loaded = self.people.get(&person)?;
        match &loaded.state.fact(target)?.event {
            Event::PersonRegistered(registration) => registration.staff_code.clone(),
            Event::StaffCodeAssigned(assigned) => Some(assigned.code.clone()),
            _ => None,
        }
    }

    fn load_for(&mut self, command: &Command) -> Result<(), LedgerError> {
        let ledger = self.ledger;
        if let Some(person) = command.person() {
            ensure(&mut self.people, person, |id| ledger.person(id))?;
        }
        if let Some(session) = command.session() {
            ensure(&mut self.sessions, session, |id| ledger.session(id))?;
        }
        if let Some(programme) = self.programme_of(command) {
            ensure(&mut self.programmes, programme, |id| ledger.programme(id))?;
        }
        if let Some(unit) = command.unit() {
            ensure(&mut self.units, unit, |id| ledger.unit(id))?;
        }
        if let Some(code) = self.code_of(command) {
            ensure(&mut self.codes, code, |code| ledger.code(&code))?;
        }
        Ok(())
    }

    /// Folds a decided event into the in-memory state of its stream.
    fn fold(&mut self, target: Target, id: Uuid, event: &Event) {
        match target {
            Target::Person(p) => fold_into(&mut self.people, p, id, event),
            Target::Session(s) => fold_into(&mut self.sessions, s, id, event),
            Target::Programme(p) => fold_into(&mut self.programmes, p, id, event),
            Target::Unit(u) => fold_into(&mut self.units, u, id, event),
            Target::StaffCode(c) => fold_into(&mut self.codes, c, id, event),
        }
    }

    /// The version a stream was loaded at: what the batch expects it still to be.
    fn loaded_version(&self, target: &Target) -> Option<u64> {
        match target {
            Target::Person(id) => self.people.get(id).and_then(|l| l.version),
            Target::Session(id) => self.sessions.get(id).and_then(|l| l.version),
            Target::Programme(id) => self.programmes.get(id).and_then(|l| l.version),
            Target::Unit(id) => self.units.get(id).and_then(|l| l.version),
            Target::StaffCode(code) => self.codes.get(code).and_then(|l| l.version),
        }
    }

    /// Whether anything was decided.
    pub fn is_empty(&self) -> bool {
        self.decided.is_empty()
    }

    /// Everything decided, as one all-or-nothing batch recorded by `actor`.
    pub fn batch(&self, actor: &str) -> Result<AppendBatch, LedgerError> {
        let mut streams: Vec<StreamAppend> = Vec::new();
        let mut positions: HashMap<StreamId, usize> = HashMap::new();
        for (target, event, id) in &self.decided {
            let new = stored::new_event(event)
                .map_err(StoreError::from)?
                .with_id(*id);
            let stream = target.stream();
            match positions.get(&stream) {
                Some(&i) => streams[i].events.push(new),
                None => {
                    positions.insert(stream.clone(), streams.len());
                    streams.push(StreamAppend {
                        stream,
                        expected: match self.loaded_version(target) {
                            Some(v) => ExpectedVersion::Exact(v),
                            None => ExpectedVersion::NoStream,
                        },
                        events: vec![new],
                    });
                }
            }
        }
        Ok(AppendBatch {
            actor: actor.to_string(),
            streams,
        })
    }

    /// Once the batch is stored (`outcome`), hands the states it changed, with what was
    /// decided on them, to the ledger: the next command on these streams starts from them
    /// instead of reading back the events just written. The batch expected each stream
    /// at the version it was loaded at, so each state is now exactly the fold of its
    /// stream up to the version stored.
    pub fn keep(self, outcome: &AppendOutcome) {
        if outcome.already_stored {
            return;
        }
        let mut stored: HashMap<&StreamId, u64> = HashMap::new();
        for event in &outcome.events {
            let version = stored.entry(&event.stream).or_insert(event.version);
            *version = (*version).max(event.version);
        }
        let states = &self.ledger.states;
        keep_changed(&states.people, self.people, &stored, |id| id.stream());
        keep_changed(&states.sessions, self.sessions, &stored, |id| id.stream());
        keep_changed(&states.programmes, self.programmes, &stored, |id| {
            id.stream()
        });
        keep_changed(&states.units, self.units, &stored, |id| id.stream());
        keep_changed(&states.codes, self.codes, &stored, StaffCode::stream);
    }
}

/// Folds a decided event into `loaded[key]`, when that state was loaded.
fn fold_into<K: Eq + StdHash, T: Fold>(
    loaded: &mut HashMap<K, Loaded<Arc<T>>>,
    key: K,
    id: Uuid,
    event: &Event,
) {
    if let Some(loaded) = loaded.get_mut(&key) {
        Arc::make_mut(&mut loaded.state).fold(id, event.clone());
    }
}

/// Puts in `cache` each state of `loaded` whose stream `stored` names, at that version.
fn keep_changed<K, T>(
    cache: &StateCache<T>,
    loaded: HashMap<K, Loaded<Arc<T>>>,
    stored: &HashMap<&StreamId, u64>,
    stream_of: impl Fn(&K) -> StreamId,
) {
    for (id, state) in loaded {
        let stream = stream_of(&id);
        if let Some(&version) = stored.get(&stream) {
            cache.put(&stream, Some(version), &state.state);
        }
    }
}
