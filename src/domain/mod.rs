//! The personnel-training domain: vocabulary, events, commands, rules and targets.
//!
//! Owns: what the users' words mean (`vocab`), what can be recorded (`event`), what users
//! ask (`command`), what text and dates a command may carry (`input`), the rules that
//! accept or refuse it (`decide`, one file per concern) and why they refuse (`error`),
//! how a person's stream folds into where they stand (`person`, `reference`), which posts
//! lead (`post`), the retirement age by sex and year (`retirement`), the order names sort
//! in (`names`), and targets as data (`policy`).
//! Must not: do I/O of any kind — no store, no clock, no HTTP. Callers pass `today` in.

pub mod command;
pub mod decide;
pub mod error;
pub mod event;
pub mod ids;
pub mod input;
pub mod names;
pub mod person;
pub mod policy;
pub mod post;
pub mod reference;
pub mod retirement;
pub mod vocab;

#[cfg(test)]
mod rules_tests;

pub use command::Command;
pub use decide::{Facts, Target, decide};
pub use error::DomainError;
pub use event::Event;
pub use ids::{EventId, InvalidStaffCode, PersonId, ProgrammeId, SessionId, StaffCode, UnitId};
pub use person::{PersonHistory, PersonView};
pub use policy::{Policy, PolicySet};
pub use reference::{CodeState, ProgrammeState, SessionState, UnitState};
