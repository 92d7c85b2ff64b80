//! The read models, computed from a folded [`District`]: person status, people search,
//! unit rosters and headcounts, programmes with their sessions, a session's attendance,
//! yearly totals and compliance. Pure functions of (model, date, policy, language), so the
//! live projection and a report's replay give the same answers for the same events.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::model::District;
use crate::domain::event::{ProgrammeRegistered, SessionScheduled};
use crate::domain::names::{NameKey, sort_key};
use crate::domain::person::{Change, EnrolmentState, Entry, PersonView, Timeline};
use crate::domain::policy::{Policy, PolicySet, TargetResult};
use crate::domain::vocab::{
    Classification, FeedbackChannel, Gender, Lang, MovementKind, ProgrammeCategory,
    QualificationLevel, RotationOutcome, SeparationReason, StaffCategory, Track, TrainingResult,
    UnitLevel, fold,
};
use crate::domain::{EventId, PersonId, ProgrammeId, SessionId, SessionState, StaffCode, UnitId};

/// A level held, with the event that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelHeld {
    pub track: Track,
    pub level: QualificationLevel,
    pub label: String,
    pub evidence: EventId,
    pub since: NaiveDate,
}

/// Counts of a person's enrolments by how they stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TrainingSummary {
    pub enrolments: u64,
    pub active: u64,
    pub passed: u64,
    pub failed: u64,
    pub withdrawn: u64,
}

/// A rotation under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActiveRotation {
    pub kind: MovementKind,
    pub to_unit: UnitId,
    pub to_unit_name: String,
    pub to_post: String,
    pub started_on: NaiveDate,
    pub planned_end: Option<NaiveDate>,
}

/// The most recent appraisal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LatestAppraisal {
    pub year: i32,
    pub classification: Classification,
    pub label: String,
    pub score: Option<u8>,
}

/// How a person stands against one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetStatus {
    pub target: String,
    pub label: String,
    pub met: bool,
    /// What is missing, in words a clerk understands.
    pub gaps: Vec<String>,
}

/// Where one person stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonStatus {
    pub person: PersonId,
    /// `None` only for people registered before staff codes.
    pub staff_code: Option<StaffCode>,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    pub ethnicity: String,
    /// `None`: not recorded.
    pub party_member: Option<bool>,
    pub category: StaffCategory,
    pub leadership: bool,
    pub unit: UnitId,
    pub unit_name: String,
    pub post: String,
    pub registered_on: NaiveDate,
    pub separated: Option<(NaiveDate, SeparationReason)>,
    pub qualifications: Vec<LevelHeld>,
    pub training: TrainingSummary,
    pub active_rotation: Option<ActiveRotation>,
    pub latest_appraisal: Option<LatestAppraisal>,
    /// The policy in force on the date asked about, if any.
    pub policy: Option<String>,
    pub compliance: Vec<TargetStatus>,
}

/// Status of `person` on `as_of` (today's knowledge of the facts effective by then).
pub fn person_status(
    model: &District,
    person: PersonId,
    as_of: NaiveDate,
    policies: &PolicySet,
    lang: Lang,
) -> Option<PersonStatus> {
    person_status_of(model, model.people.get(&person)?, as_of, policies, lang)
}

/// Status from a person's history folded elsewhere (e.g. only the part of their stream
/// recorded by some position), with unit names from `model`.
pub fn person_status_of(
    model: &District,
    history: &Timeline,
    as_of: NaiveDate,
    policies: &PolicySet,
    lang: Lang,
) -> Option<PersonStatus> {
    let view = history.view(Some(as_of))?;
    Some(status_of(model, &view, policies.in_force(as_of), lang))
}

fn status_of(
    model: &District,
    view: &PersonView,
    policy: Option<&Policy>,
    lang: Lang,
) -> PersonStatus {
    let mut training = TrainingSummary::default();
    for enrolment in view.enrolments.values() {
        training.enrolments += 1;
        match enrolment.state {
            EnrolmentState::Active => training.active += 1,
            EnrolmentState::Withdrawn => training.withdrawn += 1,
            EnrolmentState::Completed(TrainingResult::Passed) => training.passed += 1,
            EnrolmentState::Completed(TrainingResult::Failed) => training.failed += 1,
        }
    }
    PersonStatus {
        person: view.person,
        staff_code: view.staff_code.clone(),
        full_name: view.full_name.clone(),
        birth_date: view.birth_date,
        gender: view.gender,
        ethnicity: view.ethnicity.clone(),
        party_member: view.party_member,
        category: view.category,
        leadership: view.leadership,
        unit: view.placement.unit,
        unit_name: model.unit_name(view.placement.unit),
        post: view.placement.post.clone(),
        registered_on: view.registered_on,
        separated: view.separated,
        qualifications: view
            .status
            .iter()
            .map(|(track, e)| LevelHeld {
                track: *track,
                level: e.level,
                label: e.level.label(lang).to_string(),
                evidence: e.event,
                since: e.since,
            })
            .collect(),
        training,
        active_rotation: view.active_rotation.as_ref().map(|r| ActiveRotation {
            kind: r.kind,
            to_unit: r.to.unit,
            to_unit_name: model.unit_name(r.to.unit),
            to_post: r.to.post.clone(),
            started_on: r.started_on,
            planned_end: r.planned_end,
        }),
        latest_appraisal: view
            .appraisals
            .iter()
            .next_back()
            .map(|(year, a)| LatestAppraisal {
                year: *year,
                classification: a.classification,
                label: a.classification.label(lang).to_string(),
                score: a.score,
            }),
        policy: policy.map(|p| p.id.clone()),
        compliance: policy
            .map(|p| {
                p.evaluate(view)
                    .into_iter()
                    .map(|r| target_status(p, &r, lang))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn target_status(policy: &Policy, result: &TargetResult, lang: Lang) -> TargetStatus {
    let label = policy
        .targets
        .iter()
        .find(|t| t.id == result.target)
        .map(|t| t.label(lang).to_string())
        .unwrap_or_default();
    TargetStatus {
        target: result.target.clone(),
        label,
        met: result.is_met(),
        gaps: result.gaps.iter().map(|g| g.describe(lang)).collect(),
    }
}

/// Everyone in service on `as_of`, as they stood then.
pub fn people_in_service(
    model: &District,
    as_of: NaiveDate,
) -> impl Iterator<Item = PersonView> + '_ {
    model
        .people
        .values()
        .filter_map(move |h| h.view(Some(as_of)))
        .filter(|v| v.separated.is_none())
}

/// What a people search asks for; every given condition must hold. Only people in
/// service on `as_of` are found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeopleFilter {
    pub as_of: NaiveDate,
    pub unit: Option<UnitId>,
    pub category: Option<StaffCategory>,
    pub leadership: Option<bool>,
    /// Text the name contains, already folded (`vocab::fold`).
    pub name: Option<String>,
    /// The staff code the person holds.
    pub code: Option<StaffCode>,
    /// A target (its id) the person falls short of.
    pub gap: Option<String>,
}

/// Someone a people search found, as they stood on the filter's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonMatch {
    pub person: PersonId,
    pub staff_code: Option<StaffCode>,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub unit: UnitId,
    pub unit_name: String,
    pub post: String,
    pub category: StaffCategory,
    pub leadership: bool,
    /// The targets the person falls short of, with what is missing.
    pub gaps: Vec<TargetResult>,
}

/// The people matching `filter` with an id after `after` (all when `None`), in id order
/// (what the API pages through by cursor).
pub fn find_people<'a>(
    model: &'a District,
    filter: &'a PeopleFilter,
    policies: &'a PolicySet,
    after: Option<PersonId>,
) -> impl Iterator<Item = PersonMatch> + 'a {
    let start = after.map_or(Bound::Unbounded, Bound::Excluded);
    let people = model
        .people
        .range((start, Bound::Unbounded))
        .map(|(_, t)| t);
    matching(filter, policies, people).map(|(view, gaps)| person_match(model, view, gaps))
}

/// The ids of everyone matching `filter`, in Vietnamese name order (`domain::names`), for
/// lists people read; [`found_person`] gives the rows of the page shown.
pub fn find_people_by_name(
    model: &District,
    filter: &PeopleFilter,
    policies: &PolicySet,
) -> Vec<PersonId> {
    // Only the keys are kept for everyone: the rows are made for one page.
    let mut found: Vec<(NameKey, PersonId)> = matching(filter, policies, model.people.values())
        .map(|(view, _)| (sort_key(&view.full_name), view.person))
        .collect();
    found.sort_unstable();
    found.into_iter().map(|(_, person)| person).collect()
}

/// `person` as a people search finds them, if they match `filter`.
pub fn found_person(
    model: &District,
    person: PersonId,
    filter: &PeopleFilter,
    policies: &PolicySet,
) -> Option<PersonMatch> {
    matching(filter, policies, model.people.get(&person).into_iter())
        .next()
        .map(|(view, gaps)| person_match(model, view, gaps))
}

/// The views of `people` that match `filter` on its date, with the targets each falls
/// short of.
fn matching<'a>(
    filter: &'a PeopleFilter,
    policies: &'a PolicySet,
    people: impl Iterator<Item = &'a Timeline> + 'a,
) -> impl Iterator<Item = (PersonView, Vec<TargetResult>)> + 'a {
    let policy = policies.in_force(filter.as_of);
    people.filter_map(move |history| {
        let view = history.view(Some(filter.as_of))?;
        let matches = view.separated.is_none()
            && filter.unit.is_none_or(|u| view.placement.unit == u)
            && filter.category.is_none_or(|c| view.category == c)
            && filter.leadership.is_none_or(|l| view.leadership == l)
            && filter
                .code
                .as_ref()
                .is_none_or(|c| view.staff_code.as_ref() == Some(c))
            && filter
                .name
                .as_ref()
                .is_none_or(|n| fold(&view.full_name).contains(n.as_str()));
        if !matches {
            return None;
        }
        // The targets are evaluated only for people the other conditions kept.
        let gaps: Vec<TargetResult> = policy
            .map(|p| {
                p.evaluate(&view)
                    .into_iter()
                    .filter(|r| !r.is_met())
                    .collect()
            })
            .unwrap_or_default();
        let short = |g: &String| gaps.iter().any(|r| &r.target == g);
        filter
            .gap
            .as_ref()
            .is_none_or(short)
            .then_some((view, gaps))
    })
}

fn person_match(model: &District, view: PersonView, gaps: Vec<TargetResult>) -> PersonMatch {
    PersonMatch {
        person: view.person,
        staff_code: view.staff_code,
        unit_name: model.unit_name(view.placement.unit),
        full_name: view.full_name,
        birth_date: view.birth_date,
        unit: view.placement.unit,
        post: view.placement.post,
        category: view.category,
        leadership: view.leadership,
        gaps,
    }
}

/// Met / in scope, and the percentage (one decimal; 0 while nobody is in scope).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rate {
    pub applies: u64,
    pub met: u64,
    pub percent: f64,
}

impl Rate {
    fn add(&mut self, met: bool) {
        self.applies += 1;
        self.met += u64::from(met);
        self.percent = (self.met as f64 * 1000.0 / self.applies as f64).round() / 10.0;
    }
}

/// A person short of a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shortfall {
    pub person: PersonId,
    pub staff_code: Option<StaffCode>,
    pub full_name: String,
    /// With the code, what tells two people of one name apart.
    pub birth_date: NaiveDate,
    pub unit: UnitId,
    pub unit_name: String,
    pub post: String,
    pub gaps: Vec<String>,
}

/// One target across the district.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetCompliance {
    pub target: String,
    pub label: String,
    pub deadline: Option<NaiveDate>,
    pub rate: Rate,
    pub by_unit: Vec<UnitRate>,
    pub shortfalls: Vec<Shortfall>,
}

/// One target in one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRate {
    pub unit: UnitId,
    pub unit_name: String,
    pub rate: Rate,
}

/// Compliance with the policy in force on `as_of`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compliance {
    pub as_of: NaiveDate,
    pub policy: Option<String>,
    pub policy_name: Option<String>,
    pub targets: Vec<TargetCompliance>,
}

/// Compliance for the whole district (or one unit, when `unit` is given).
pub fn compliance(
    model: &District,
    as_of: NaiveDate,
    unit: Option<UnitId>,
    policies: &PolicySet,
    lang: Lang,
) -> Compliance {
    let Some(policy) = policies.in_force(as_of) else {
        return Compliance {
            as_of,
            policy: None,
            policy_name: None,
            targets: Vec::new(),
        };
    };
    let mut targets: Vec<(Rate, BTreeMap<UnitId, Rate>, Vec<Shortfall>)> =
        vec![Default::default(); policy.targets.len()];
    for view in
        people_in_service(model, as_of).filter(|v| unit.is_none_or(|u| v.placement.unit == u))
    {
        for (i, target) in policy.targets.iter().enumerate() {
            if !target.applies_to(&view) {
                continue;
            }
            let result = target.evaluate(&view);
            let (rate, by_unit, shortfalls) = &mut targets[i];
            rate.add(result.is_met());
            by_unit
                .entry(view.placement.unit)
                .or_default()
                .add(result.is_met());
            if !result.is_met() {
                shortfalls.push(Shortfall {
                    person: view.person,
                    staff_code: view.staff_code.clone(),
                    full_name: view.full_name.clone(),
                    birth_date: view.birth_date,
                    unit: view.placement.unit,
                    unit_name: model.unit_name(view.placement.unit),
                    post: view.placement.post.clone(),
                    gaps: result.gaps.iter().map(|g| g.describe(lang)).collect(),
                });
            }
        }
    }
    Compliance {
        as_of,
        policy: Some(policy.id.clone()),
        policy_name: Some(policy.name(lang).to_string()),
        targets: policy
            .targets
            .iter()
            .zip(targets)
            .map(|(target, (rate, by_unit, mut shortfalls))| {
                shortfalls.sort_by(|a, b| {
                    (&a.unit_name, &a.full_name, a.person).cmp(&(
                        &b.unit_name,
                        &b.full_name,
                        b.person,
                    ))
                });
                let mut by_unit: Vec<UnitRate> = by_unit
                    .into_iter()
                    .map(|(unit, rate)| UnitRate {
                        unit,
                        unit_name: model.unit_name(unit),
                        rate,
                    })
                    .collect();
                by_unit.sort_by(|a, b| (&a.unit_name, a.unit).cmp(&(&b.unit_name, b.unit)));
                TargetCompliance {
                    target: target.id.clone(),
                    label: target.label(lang).to_string(),
                    deadline: target.deadline,
                    rate,
                    by_unit,
                    shortfalls,
                }
            })
            .collect(),
    }
}

/// Someone on a unit's roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterEntry {
    pub person: PersonId,
    pub staff_code: Option<StaffCode>,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub post: String,
    pub category: StaffCategory,
    pub leadership: bool,
}

/// The people in a unit on a date, with counts and compliance per target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Roster {
    pub unit: UnitId,
    pub unit_name: String,
    pub level: Option<UnitLevel>,
    pub as_of: NaiveDate,
    pub people: Vec<RosterEntry>,
    pub by_category: BTreeMap<StaffCategory, u64>,
    pub compliance: Compliance,
}

/// The roster of `unit` on `as_of`; `None` for an unknown unit.
pub fn roster(
    model: &District,
    unit: UnitId,
    as_of: NaiveDate,
    policies: &PolicySet,
    lang: Lang,
) -> Option<Roster> {
    let registered = model.units.get(&unit)?;
    let mut people: Vec<RosterEntry> = people_in_service(model, as_of)
        .filter(|v| v.placement.unit == unit)
        .map(|v| RosterEntry {
            person: v.person,
            staff_code: v.staff_code,
            full_name: v.full_name,
            birth_date: v.birth_date,
            post: v.placement.post,
            category: v.category,
            leadership: v.leadership,
        })
        .collect();
    people.sort_by(|a, b| {
        (!a.leadership, &a.full_name, a.person).cmp(&(!b.leadership, &b.full_name, b.person))
    });
    let mut by_category = BTreeMap::new();
    for p in &people {
        *by_category.entry(p.category).or_insert(0) += 1;
    }
    Some(Roster {
        unit,
        unit_name: registered.name.clone(),
        level: Some(registered.level),
        as_of,
        people,
        by_category,
        compliance: compliance(model, as_of, Some(unit), policies, lang),
    })
}

/// How many people each unit has in service on `as_of` (units nobody serves in are absent).
pub fn headcount(model: &District, as_of: NaiveDate) -> BTreeMap<UnitId, u64> {
    let mut counts = BTreeMap::new();
    for view in people_in_service(model, as_of) {
        *counts.entry(view.placement.unit).or_insert(0) += 1;
    }
    counts
}

/// A programme with its sessions, latest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeSessions<'a> {
    pub programme: &'a ProgrammeRegistered,
    pub sessions: Vec<(&'a SessionScheduled, &'a SessionState)>,
}

/// Every programme, by name, with its scheduled sessions.
pub fn programmes(model: &District) -> Vec<ProgrammeSessions<'_>> {
    let mut sessions: BTreeMap<ProgrammeId, Vec<(&SessionScheduled, &SessionState)>> =
        BTreeMap::new();
    for state in model.sessions.values() {
        if let Some(schedule) = &state.scheduled {
            sessions
                .entry(schedule.programme)
                .or_default()
                .push((schedule, state));
        }
    }
    let mut listed: Vec<ProgrammeSessions<'_>> = model
        .programmes
        .values()
        .map(|programme| {
            let mut sessions = sessions.remove(&programme.programme).unwrap_or_default();
            sessions.sort_by_key(|(s, _)| std::cmp::Reverse((s.starts_on, s.session)));
            ProgrammeSessions {
                programme,
                sessions,
            }
        })
        .collect();
    listed.sort_by(|a, b| {
        (&a.programme.name, a.programme.programme).cmp(&(&b.programme.name, b.programme.programme))
    });
    listed
}

/// Someone who enrolled in a session, and where their enrolment stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    pub person: PersonId,
    pub staff_code: Option<StaffCode>,
    pub full_name: String,
    pub enrolled_on: NaiveDate,
    /// Active, withdrawn or completed (with its result).
    pub state: EnrolmentState,
    /// When it entered `state`.
    pub since: NaiveDate,
    /// Whether they hold one of the session's seats.
    pub seated: bool,
}

/// A session: its schedule, seats and everyone who enrolled in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRoll<'a> {
    pub schedule: &'a SessionScheduled,
    pub programme: Option<&'a ProgrammeRegistered>,
    pub taken: u32,
    pub free: u32,
    /// By name.
    pub attendees: Vec<Attendee>,
}

/// The roll of `session` as its people's facts in force say; `None` when it was never
/// scheduled.
pub fn session_roll(model: &District, session: SessionId) -> Option<SessionRoll<'_>> {
    let state = model.sessions.get(&session)?;
    let schedule = state.scheduled.as_ref()?;
    let mut attendees: Vec<Attendee> = model
        .people
        .values()
        .filter_map(|timeline| {
            let view = timeline.view(None)?;
            let enrolment = view.enrolments.get(&session)?;
            Some(Attendee {
                person: view.person,
                seated: state.seats.contains(&view.person),
                staff_code: view.staff_code,
                full_name: view.full_name,
                enrolled_on: enrolment.enrolled_on,
                state: enrolment.state,
                since: enrolment.since,
            })
        })
        .collect();
    attendees.sort_by(|a, b| (&a.full_name, a.person).cmp(&(&b.full_name, b.person)));
    Some(SessionRoll {
        schedule,
        programme: model.programmes.get(&schedule.programme),
        taken: state.taken(),
        free: state.free(),
        attendees,
    })
}

/// Participations (lượt) and distinct trainees, split three ways.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Breakdown {
    pub total: u64,
    pub by_track: BTreeMap<ProgrammeCategory, u64>,
    /// At providers inside the province.
    pub in_province: u64,
    /// At providers outside the province.
    pub out_of_province: u64,
    pub by_unit_level: BTreeMap<UnitLevel, u64>,
}

/// What a year added up to, by effective date (appraisals by the year they assess).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct YearTotals {
    pub year: i32,
    /// One per person per programme whose enrolment took effect in the year and was not
    /// withdrawn.
    pub participations: Breakdown,
    pub trainees: Breakdown,
    pub completions: BTreeMap<TrainingResult, u64>,
    pub withdrawals: u64,
    pub rotations_started: BTreeMap<MovementKind, u64>,
    pub rotations_ended: BTreeMap<RotationOutcome, u64>,
    pub appraisals: BTreeMap<Classification, u64>,
    pub appraisals_by_unit: BTreeMap<UnitId, BTreeMap<Classification, u64>>,
    pub feedback: BTreeMap<FeedbackChannel, u64>,
}

/// A participation's track, provider (in the province or not) and unit level.
type Split = (ProgrammeCategory, Option<bool>, Option<UnitLevel>);

/// Adds one to `map[key]`.
fn bump<K: Ord>(map: &mut BTreeMap<K, u64>, key: K) {
    *map.entry(key).or_insert(0) += 1;
}

/// The totals of `year`, from the facts in force (corrections applied, voids skipped).
pub fn yearly_totals(model: &District, year: i32) -> YearTotals {
    let mut totals = YearTotals {
        year,
        ..YearTotals::default()
    };
    let mut trainees: BTreeMap<Split, BTreeSet<PersonId>> = BTreeMap::new();
    let mut all_trainees = BTreeSet::new();
    for (person, timeline) in &model.people {
        let entries = timeline.effective(None);
        let withdrawn = withdrawn_sessions(&entries);
        let mut seen_programmes = BTreeSet::new();
        for entry in entries {
            if counted_in(&entry.change, entry.date, &withdrawn) != Some(year) {
                continue;
            }
            match &entry.change {
                Change::Enrolled {
                    programme, unit, ..
                } => {
                    if !seen_programmes.insert(*programme) {
                        continue;
                    }
                    let programme = model.programmes.get(programme);
                    let category = programme.map_or(ProgrammeCategory::Other, |p| p.category);
                    let in_province = programme.map(|p| p.in_province);
                    let level = model.units.get(unit).map(|u| u.level);
                    count_participation(&mut totals.participations, category, in_province, level);
                    trainees
                        .entry((category, in_province, level))
                        .or_default()
                        .insert(*person);
                    all_trainees.insert(*person);
                }
                Change::Completed { result, .. } => bump(&mut totals.completions, *result),
                Change::Withdrawn { .. } => totals.withdrawals += 1,
                Change::RotationStarted(movement) => {
                    bump(&mut totals.rotations_started, movement.kind)
                }
                Change::RotationEnded { outcome, .. } => {
                    bump(&mut totals.rotations_ended, *outcome)
                }
                Change::Appraised {
                    classification,
                    unit,
                    feedback,
                    ..
                } => {
                    bump(&mut totals.appraisals, *classification);
                    bump(
                        totals.appraisals_by_unit.entry(*unit).or_default(),
                        *classification,
                    );
                    for channel in feedback {
                        bump(&mut totals.feedback, *channel);
                    }
                }
                _ => {}
            }
        }
    }
    totals.trainees = distinct_trainees(&trainees, all_trainees.len() as u64);
    totals
}

/// The years whose [`yearly_totals`] count anything, by the same rule (so a page can
/// offer the years that have figures).
pub fn years_with_totals(model: &District) -> BTreeSet<i32> {
    let mut years = BTreeSet::new();
    for timeline in model.people.values() {
        let entries = timeline.effective(None);
        let withdrawn = withdrawn_sessions(&entries);
        years.extend(
            entries
                .iter()
                .filter_map(|entry| counted_in(&entry.change, entry.date, &withdrawn)),
        );
    }
    years
}

/// The sessions a person withdrew from (their enrolments count in no year).
pub(super) fn withdrawn_sessions(entries: &[&Entry]) -> BTreeSet<SessionId> {
    entries
        .iter()
        .filter_map(|entry| match entry.change {
            Change::Withdrawn { session } => Some(session),
            _ => None,
        })
        .collect()
}

/// The year a fact effective on `date` counts in for the totals: its effective year, or
/// for an appraisal the year it assesses; `None` for what the totals do not count.
pub(super) fn counted_in(
    change: &Change,
    date: NaiveDate,
    withdrawn: &BTreeSet<SessionId>,
) -> Option<i32> {
    match change {
        Change::Enrolled { session, .. } if withdrawn.contains(session) => None,
        Change::Enrolled { .. }
        | Change::Completed { .. }
        | Change::Withdrawn { .. }
        | Change::RotationStarted(_)
        | Change::RotationEnded { .. } => Some(date.year()),
        Change::Appraised { year, .. } => Some(*year),
        _ => None,
    }
}

fn count_participation(
    breakdown: &mut Breakdown,
    category: ProgrammeCategory,
    in_province: Option<bool>,
    level: Option<UnitLevel>,
) {
    breakdown.total += 1;
    bump(&mut breakdown.by_track, category);
    match in_province {
        Some(true) => breakdown.in_province += 1,
        Some(false) => breakdown.out_of_province += 1,
        None => {}
    }
    if let Some(level) = level {
        bump(&mut breakdown.by_unit_level, level);
    }
}

fn sizes<K: Ord>(sets: BTreeMap<K, BTreeSet<PersonId>>) -> BTreeMap<K, u64> {
    sets.into_iter().map(|(k, v)| (k, v.len() as u64)).collect()
}

/// Distinct people per split: a person who attended two programmes of one track counts once
/// for that track.
fn distinct_trainees(sets: &BTreeMap<Split, BTreeSet<PersonId>>, total: u64) -> Breakdown {
    let mut by_track: BTreeMap<ProgrammeCategory, BTreeSet<PersonId>> = BTreeMap::new();
    let mut by_provider: BTreeMap<bool, BTreeSet<PersonId>> = BTreeMap::new();
    let mut by_level: BTreeMap<UnitLevel, BTreeSet<PersonId>> = BTreeMap::new();
    for ((category, in_province, level), people) in sets {
        by_track.entry(*category).or_default().extend(people);
        if let Some(p) = in_province {
            by_provider.entry(*p).or_default().extend(people);
        }
        if let Some(l) = level {
            by_level.entry(*l).or_default().extend(people);
        }
    }
    let providers = |p: bool| by_provider.get(&p).map_or(0, |s| s.len() as u64);
    Breakdown {
        total,
        in_province: providers(true),
        out_of_province: providers(false),
        by_track: sizes(by_track),
        by_unit_level: sizes(by_level),
    }
}
