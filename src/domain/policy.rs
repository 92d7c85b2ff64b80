//! Targets as data: who a target applies to, what they must hold, and from when. A
//! person's compliance is judged against the policy in force on the date asked about.
//!
//! The default policy (the district resolution's three targets for 2020) is
//! `policies/district-2020.json`, validated against `schemas/policy.schema.json`.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::person::PersonView;
use super::vocab::{Lang, QualificationLevel, StaffCategory};

/// The policy file shipped with cadre.
pub const DEFAULT_POLICIES: &str = include_str!("../../policies/district-2020.json");

/// Every policy that has been in force, each from its date until the next one's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicySet {
    pub policies: Vec<Policy>,
}

/// A set of targets adopted together (a resolution), in force from `effective_from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub effective_from: NaiveDate,
    pub targets: Vec<Target>,
}

/// One target: everyone in scope must hold every requirement by the deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub id: String,
    pub label_vi: String,
    pub label_en: String,
    pub deadline: Option<NaiveDate>,
    pub applies_to: Scope,
    pub requires: Vec<Requirement>,
}

/// Who a target applies to; every given condition must hold (an empty scope is everyone).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Staff categories in scope; empty means all.
    #[serde(default)]
    pub categories: Vec<StaffCategory>,
    /// Only leaders (`true`) or only non-leaders (`false`); absent means both.
    #[serde(default)]
    pub leadership: Option<bool>,
}

/// A level to hold at least, in its track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub at_least: QualificationLevel,
}

/// A requirement a person does not meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub required: QualificationLevel,
    pub held: Option<QualificationLevel>,
}

impl Gap {
    /// The gap in words a clerk understands.
    pub fn describe(&self, lang: Lang) -> String {
        let track = self.required.track().label(lang);
        let required = self.required.label(lang);
        match (lang, self.held) {
            (Lang::En, Some(held)) => format!(
                "{track}: needs {required} or higher, holds {}",
                held.label(lang)
            ),
            (Lang::En, None) => format!("{track}: needs {required} or higher, holds none"),
            (Lang::Vi, Some(held)) => format!(
                "{track}: cần {required} trở lên, hiện có {}",
                held.label(lang)
            ),
            (Lang::Vi, None) => format!("{track}: cần {required} trở lên, chưa có"),
        }
    }
}

/// How one person stands against one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetResult {
    pub target: String,
    /// Empty when the person meets the target.
    pub gaps: Vec<Gap>,
}

impl TargetResult {
    pub fn is_met(&self) -> bool {
        self.gaps.is_empty()
    }
}

/// Why a policy file was refused.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("policy file is not valid: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("policy file is not valid: {0}")]
    Invalid(String),
}

impl PolicySet {
    /// Reads and checks a policy file (JSON of `schemas/policy.schema.json`).
    pub fn parse(json: &str) -> Result<PolicySet, PolicyError> {
        let set: PolicySet = serde_json::from_str(json)?;
        let mut dates: Vec<NaiveDate> = set.policies.iter().map(|p| p.effective_from).collect();
        dates.sort();
        if dates.windows(2).any(|w| w[0] == w[1]) {
            return Err(PolicyError::Invalid(
                "two policies take effect on the same date".into(),
            ));
        }
        for policy in &set.policies {
            let mut ids: Vec<&str> = policy.targets.iter().map(|t| t.id.as_str()).collect();
            ids.sort();
            if ids.windows(2).any(|w| w[0] == w[1]) {
                return Err(PolicyError::Invalid(format!(
                    "policy {} names a target twice",
                    policy.id
                )));
            }
            if policy.targets.iter().any(|t| t.requires.is_empty()) {
                return Err(PolicyError::Invalid(format!(
                    "policy {} has a target with no requirement",
                    policy.id
                )));
            }
        }
        Ok(set)
    }

    /// The shipped default.
    pub fn default_set() -> PolicySet {
        match PolicySet::parse(DEFAULT_POLICIES) {
            Ok(set) => set,
            // Checked by a test on every build; a broken shipped file is a bug.
            Err(e) => unreachable!("the shipped policy file is invalid: {e}"),
        }
    }

    /// The policy in force on `date`: the latest that took effect on or before it.
    pub fn in_force(&self, date: NaiveDate) -> Option<&Policy> {
        self.policies
            .iter()
            .filter(|p| p.effective_from <= date)
            .max_by_key(|p| p.effective_from)
    }
}

impl Target {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.label_vi,
            Lang::En => &self.label_en,
        }
    }

    /// Whether the target applies to `person`.
    pub fn applies_to(&self, person: &PersonView) -> bool {
        let scope = &self.applies_to;
        (scope.categories.is_empty() || scope.categories.contains(&person.category))
            && scope.leadership.is_none_or(|l| l == person.leadership)
    }

    /// The person's gaps against this target (empty: met).
    pub fn evaluate(&self, person: &PersonView) -> TargetResult {
        let gaps = self
            .requires
            .iter()
            .filter_map(|r| {
                let held = person.level(r.at_least.track());
                let met = held.is_some_and(|h| h.rank() >= r.at_least.rank());
                (!met).then_some(Gap {
                    required: r.at_least,
                    held,
                })
            })
            .collect();
        TargetResult {
            target: self.id.clone(),
            gaps,
        }
    }
}

impl Policy {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.name_vi,
            Lang::En => &self.name_en,
        }
    }

    /// The person's result for every target of this policy that applies to them.
    pub fn evaluate(&self, person: &PersonView) -> Vec<TargetResult> {
        self.targets
            .iter()
            .filter(|t| t.applies_to(person))
            .map(|t| t.evaluate(person))
            .collect()
    }
}
