//! Read models folded from the log, and the runtime that keeps them current.
//!
//! Owns: the district model (`model`), the questions it answers (`views`: person status,
//! rosters and unit headcounts, programmes and sessions, yearly totals, compliance;
//! `headcount`: headcount and quality on a date; `training`: the year's participations by
//! programme, level, unit level and leadership, for the training-statistics form) and the
//! projection runtime (`runtime`: saved state, catch-up, live following, read-your-writes).
//! Must not: write events, or decide anything (rules are in `domain`).

pub mod headcount;
pub mod model;
pub mod runtime;
pub mod training;
pub mod views;

pub use model::District;
pub use runtime::{
    Projection, ProjectionError, Settings, catch_up, load_saved, person_as_known_at, person_events,
    replay, save,
};
