//! The demo district's history as commands, simulated year by year from a seed. Pure:
//! the same seed gives the same commands. Every leaver's post is filled again by a
//! newcomer a few weeks later, and a few posts are added each year, so the district keeps
//! the article's "more than 3,200 staff" through 2017.

use crate::domain::command::{
    Appraise, AssignPerson, CompleteTraining, EndRotation, Enrol, RecordQualification,
    RegisterPerson, RegisterProgramme, RegisterUnit, ScheduleSession, Separate, StartRotation,
    WithdrawEnrolment,
};
use chrono::{Datelike, Duration, NaiveDate};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::names::*;
use crate::domain::Command;
use crate::domain::event::{Certificate, FeedbackItem, Placement};
use crate::domain::ids::{PersonId, ProgrammeId, SessionId, StaffCode, UnitId};
use crate::domain::post;
use crate::domain::vocab::{
    Classification, FeedbackChannel, Gender, GeneralEducationLevel, MovementKind,
    PoliticalTheoryLevel, ProfessionalLevel, QualificationLevel as Q, RotationOutcome,
    SeparationReason, StaffCategory, StateManagementLevel, Track, TrainingResult, UnitLevel,
};

/// The prefix of the demo's staff codes, before [`Plan::with_code_prefix`].
const DEMO_CODE_PREFIX: &str = "DB-";

/// The first and last year of the demo's history.
pub const FIRST_YEAR: i32 = 2012;
pub const LAST_YEAR: i32 = 2017;
/// Rotations between district bodies and commune key posts in 2017, as the article says.
pub const ROTATIONS_2017: usize = 11;

/// Corrections to make once the history is recorded (they name events by id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlannedCorrection {
    /// Correct the institution on the person's first professional qualification.
    QualificationInstitution(PersonId),
    /// Void the second of two identical qualification records.
    DuplicateQualification(PersonId),
    /// Raise the person's 2017 classification after a review.
    Appraisal2017(PersonId),
}

/// Everything to record: reference data in order, then each person's timeline.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Units and programmes, then sessions: each inner list may run concurrently.
    pub reference: Vec<Vec<Command>>,
    /// One timeline per person, in date order.
    pub people: Vec<Vec<Command>>,
    pub corrections: Vec<PlannedCorrection>,
}

impl Plan {
    /// The plan with its staff codes numbered after `prefix` instead (the same numbers).
    pub fn with_code_prefix(mut self, prefix: &str) -> Plan {
        let registrations = self.people.iter_mut().flat_map(|t| t.iter_mut());
        for command in registrations {
            if let Command::RegisterPerson(RegisterPerson {
                staff_code: Some(code),
                ..
            }) = command
                && let Some(number) = code.as_str().strip_prefix(DEMO_CODE_PREFIX)
                && let Ok(renumbered) = StaffCode::parse(&format!("{prefix}{number}"))
            {
                *code = renumbered;
            }
        }
        self
    }

    pub fn command_count(&self) -> usize {
        self.reference.iter().map(Vec::len).sum::<usize>()
            + self.people.iter().map(Vec::len).sum::<usize>()
            + self.corrections.len()
    }
}

struct UnitInfo {
    id: UnitId,
    level: UnitLevel,
    kind: Option<BodyKind>,
    staffing: &'static Staffing,
    name: &'static str,
}

struct Sim {
    id: PersonId,
    gender: Gender,
    birth: NaiveDate,
    category: StaffCategory,
    unit: usize,
    post: String,
    leadership: bool,
    registered: NaiveDate,
    levels: [Option<Q>; 4],
    left: Option<NaiveDate>,
    timeline: Vec<Command>,
}

impl Sim {
    fn level(&self, track: Track) -> Option<Q> {
        self.levels[track_index(track)]
    }

    fn raise(&mut self, level: Q) {
        let slot = &mut self.levels[track_index(level.track())];
        if slot.is_none_or(|held| held.rank() < level.rank()) {
            *slot = Some(level);
        }
    }

    /// In service for the rest of `year` (leavers are known from the start of their
    /// year) and hired before November of it.
    fn active_through(&self, year: i32) -> bool {
        self.left.is_none() && self.registered < date(year, 11, 1)
    }
}

fn track_index(track: Track) -> usize {
    match track {
        Track::GeneralEducation => 0,
        Track::Professional => 1,
        Track::PoliticalTheory => 2,
        Track::StateManagement => 3,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

struct Generator {
    rng: ChaCha8Rng,
    /// Posts left this year, by unit and date, to be filled again.
    vacancies: Vec<(usize, NaiveDate)>,
    units: Vec<UnitInfo>,
    programmes: Vec<ProgrammeId>,
    people: Vec<Sim>,
    plan: Plan,
    sessions: Vec<Command>,
    scale: f64,
}

/// Plans the demo district for `seed`; `scale` 1.0 gives about 3,200 staff.
pub fn plan(seed: u64, scale: f64) -> Plan {
    let mut generator = Generator {
        rng: ChaCha8Rng::seed_from_u64(seed),
        vacancies: Vec::new(),
        units: Vec::new(),
        programmes: Vec::new(),
        people: Vec::new(),
        plan: Plan::default(),
        sessions: Vec::new(),
        scale,
    };
    generator.reference();
    generator.initial_staff();
    for year in FIRST_YEAR..=LAST_YEAR {
        generator.year(year);
    }
    generator.corrections();
    let sessions = std::mem::take(&mut generator.sessions);
    generator.plan.reference.push(sessions);
    for mut person in generator.people {
        person.timeline.sort_by_key(command_sort_key);
        generator.plan.people.push(person.timeline);
    }
    generator.plan
}

/// Timelines run in date order; on one date, registration first.
fn command_sort_key(command: &Command) -> (NaiveDate, u8) {
    let first = u8::from(!matches!(command, Command::RegisterPerson(_)));
    let date = command.effective_date();
    (date, first)
}

impl Generator {
    fn uuid(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(self.rng.random()).into_uuid()
    }

    fn pick<T: Copy>(&mut self, options: &[T]) -> T {
        *options.choose(&mut self.rng).unwrap_or(&options[0])
    }

    /// Picks from `(weight, value)` pairs.
    fn weighted<T: Copy>(&mut self, options: &[(u32, T)]) -> T {
        let total: u32 = options.iter().map(|(w, _)| w).sum();
        let mut roll = self.rng.random_range(0..total.max(1));
        for (weight, value) in options {
            if roll < *weight {
                return *value;
            }
            roll -= weight;
        }
        options[options.len() - 1].1
    }

    fn reference(&mut self) {
        let start = date(2011, 12, 1);
        let mut first = Vec::new();
        for spec in DISTRICT_BODIES {
            let id = UnitId(self.uuid());
            first.push(Command::RegisterUnit(RegisterUnit {
                unit: id,
                code: spec.code.to_string(),
                name: spec.name.to_string(),
                level: spec.level,
                effective_date: start,
            }));
            self.units.push(UnitInfo {
                id,
                level: spec.level,
                kind: Some(spec.kind),
                staffing: spec.staffing,
                name: spec.name,
            });
        }
        for name in COMMUNES {
            let id = UnitId(self.uuid());
            first.push(Command::RegisterUnit(RegisterUnit {
                unit: id,
                code: format!("xa-{}", crate::domain::vocab::fold(name).replace(' ', "-")),
                name: format!("Xã {name}"),
                level: UnitLevel::Commune,
                effective_date: start,
            }));
            self.units.push(UnitInfo {
                id,
                level: UnitLevel::Commune,
                kind: None,
                staffing: &COMMUNE,
                name,
            });
        }
        for spec in PROGRAMMES {
            let id = ProgrammeId(self.uuid());
            first.push(Command::RegisterProgramme(RegisterProgramme {
                programme: id,
                name: spec.name.to_string(),
                category: spec.category,
                confers: spec.confers,
                provider: spec.provider.to_string(),
                in_province: spec.in_province,
                duration_days: spec.days,
                effective_date: start,
            }));
            self.programmes.push(id);
        }
        self.plan.reference.push(first);
    }

    fn scaled(&self, n: usize) -> usize {
        ((n as f64 * self.scale).round() as usize).max(1)
    }

    fn initial_staff(&mut self) {
        let registered = date(2012, 1, 3);
        let sizes: Vec<usize> = DISTRICT_BODIES
            .iter()
            .map(|u| u.size)
            .chain(COMMUNES.iter().map(|_| COMMUNE_SIZE))
            .collect();
        for (unit, size) in sizes.into_iter().enumerate() {
            let size = self.scaled(size);
            for slot in 0..size {
                self.hire(unit, slot, registered);
            }
        }
    }

    /// Registers someone in `unit`: `slot` n of its first staff holds its n-th post (head
    /// and deputies first), the rest and later hires a staff post — a newcomer never a
    /// leading one.
    fn hire(&mut self, unit: usize, slot: usize, registered: NaiveDate) {
        let kind = self.units[unit].kind;
        let newcomer = registered > date(FIRST_YEAR, 1, 3);
        let post = self.post_for(unit, slot, newcomer);
        let leadership = post::is_leading(post);
        let category = match kind {
            None => StaffCategory::CommuneOfficial,
            Some(BodyKind::Party) if self.rng.random_bool(0.7) => StaffCategory::Cadre,
            Some(BodyKind::Party | BodyKind::Department | BodyKind::Armed) => {
                StaffCategory::CivilServant
            }
            Some(BodyKind::Service) => StaffCategory::PublicEmployee,
        };
        let post = post.to_string();
        let gender = if self.rng.random_bool(if kind == Some(BodyKind::Service) {
            0.65
        } else {
            0.4
        }) {
            Gender::Female
        } else {
            Gender::Male
        };
        // Below the retirement age (55 for women, 60 for men until 2020), which
        // `retirements` holds them to.
        let retires_at = if gender == Gender::Female { 55 } else { 60 };
        let age = if leadership {
            self.rng.random_range(35..retires_at.min(58))
        } else if newcomer {
            self.rng.random_range(22..32)
        } else {
            self.rng.random_range(22..retires_at.min(59))
        };
        let birth = date(
            registered.year() - age,
            self.rng.random_range(1..13),
            self.rng.random_range(1..29),
        );
        let (surname, ethnicity) = self.pick(SURNAMES);
        let (middle, given) = match gender {
            Gender::Male => (self.pick(MALE_MIDDLE), self.pick(MALE_GIVEN)),
            Gender::Female => (self.pick(FEMALE_MIDDLE), self.pick(FEMALE_GIVEN)),
        };
        let id = PersonId(uuid::Builder::from_random_bytes(self.rng.random()).into_uuid());
        let party_member = self.party_member(category, leadership);
        let mut sim = Sim {
            id,
            gender,
            birth,
            category,
            unit,
            post,
            leadership,
            registered,
            levels: [None; 4],
            left: None,
            timeline: Vec::new(),
        };
        sim.timeline.push(Command::RegisterPerson(RegisterPerson {
            person: id,
            full_name: format!("{surname} {middle} {given}"),
            birth_date: birth,
            gender,
            ethnicity: ethnicity.to_string(),
            category,
            unit: self.units[unit].id,
            post: sim.post.clone(),
            leadership,
            effective_date: registered,
            // DB-000001, DB-000002, … in the order people are planned.
            staff_code: StaffCode::numbered(DEMO_CODE_PREFIX, self.people.len() as u64 + 1).ok(),
            party_member,
        }));
        for level in self.initial_levels(&sim) {
            self.record(&mut sim, level, registered);
        }
        self.people.push(sim);
    }

    /// Party membership as a file would say it: most leaders and cadres, fewer of the
    /// others; a few files do not say (not recorded).
    fn party_member(&mut self, category: StaffCategory, leadership: bool) -> Option<bool> {
        let share = match (leadership, category) {
            (true, _) => 0.95,
            (_, StaffCategory::Cadre) => 0.9,
            (_, StaffCategory::CommuneOfficial) => 0.6,
            (_, StaffCategory::CivilServant) => 0.5,
            (_, StaffCategory::PublicEmployee) => 0.3,
        };
        let recorded = self.rng.random_bool(0.97);
        let member = self.rng.random_bool(share);
        recorded.then_some(member)
    }

    fn post_for(&mut self, unit: usize, slot: usize, newcomer: bool) -> &'static str {
        let staffing = self.units[unit].staffing;
        if let Some(post) = staffing.posts.get(slot) {
            return post;
        }
        let staff: Vec<(u32, &'static str)> = staffing
            .staff
            .iter()
            .copied()
            .filter(|(_, post)| !(newcomer && post::is_leading(post)))
            .collect();
        self.weighted(&staff)
    }

    fn initial_levels(&mut self, sim: &Sim) -> Vec<Q> {
        use GeneralEducationLevel as G;
        use PoliticalTheoryLevel as P;
        use ProfessionalLevel as Pr;
        use StateManagementLevel as S;
        let commune = sim.category == StaffCategory::CommuneOfficial;
        let general = if commune {
            self.weighted(&[
                (5, G::Primary),
                (20, G::LowerSecondary),
                (75, G::UpperSecondary),
            ])
        } else {
            G::UpperSecondary
        };
        let professional = match (sim.leadership, sim.category) {
            (true, StaffCategory::CommuneOfficial) => self.weighted(&[
                (25, Some(Pr::University)),
                (15, Some(Pr::College)),
                (30, Some(Pr::Intermediate)),
                (15, Some(Pr::Elementary)),
                (15, None),
            ]),
            (true, _) => self.weighted(&[
                (6, Some(Pr::Master)),
                (86, Some(Pr::University)),
                (8, Some(Pr::College)),
            ]),
            (_, StaffCategory::CommuneOfficial) => self.weighted(&[
                (8, Some(Pr::University)),
                (12, Some(Pr::College)),
                (45, Some(Pr::Intermediate)),
                (18, Some(Pr::Elementary)),
                (17, None),
            ]),
            (_, StaffCategory::PublicEmployee) => self.weighted(&[
                (55, Some(Pr::University)),
                (32, Some(Pr::College)),
                (11, Some(Pr::Intermediate)),
                (2, None),
            ]),
            _ => self.weighted(&[
                (70, Some(Pr::University)),
                (17, Some(Pr::College)),
                (9, Some(Pr::Intermediate)),
                (4, None),
            ]),
        };
        let state_management = match (sim.leadership, sim.category) {
            (true, StaffCategory::CommuneOfficial) => {
                self.weighted(&[(45, Some(S::Specialist)), (55, None)])
            }
            (true, _) => self.weighted(&[
                (78, Some(S::Specialist)),
                (10, Some(S::PrincipalSpecialist)),
                (12, None),
            ]),
            (_, StaffCategory::PublicEmployee) => {
                self.weighted(&[(5, Some(S::Specialist)), (95, None)])
            }
            _ => self.weighted(&[(28, Some(S::Specialist)), (72, None)]),
        };
        let political = match (sim.leadership, sim.category) {
            (true, StaffCategory::CommuneOfficial) => self.weighted(&[
                (25, None),
                (30, Some(P::Elementary)),
                (40, Some(P::Intermediate)),
                (5, Some(P::Advanced)),
            ]),
            (true, _) => self.weighted(&[
                (10, Some(P::Elementary)),
                (60, Some(P::Intermediate)),
                (30, Some(P::Advanced)),
            ]),
            (_, StaffCategory::Cadre) => self.weighted(&[
                (20, Some(P::Elementary)),
                (70, Some(P::Intermediate)),
                (10, None),
            ]),
            (_, StaffCategory::PublicEmployee) => {
                self.weighted(&[(20, Some(P::Elementary)), (80, None)])
            }
            _ => self.weighted(&[
                (45, Some(P::Elementary)),
                (30, Some(P::Intermediate)),
                (25, None),
            ]),
        };
        let mut levels = vec![Q::GeneralEducation(general)];
        levels.extend(professional.map(Q::Professional));
        levels.extend(state_management.map(Q::StateManagement));
        levels.extend(political.map(Q::PoliticalTheory));
        levels
    }

    fn record(&mut self, sim: &mut Sim, level: Q, on: NaiveDate) {
        let earned = sim.birth + Duration::days(365 * 18 + self.rng.random_range(0..3000));
        let issued_on = earned.min(on - Duration::days(30));
        let field = match level.track() {
            Track::Professional => Some(
                self.pick(&[
                    "Sư phạm",
                    "Y khoa",
                    "Luật",
                    "Kinh tế",
                    "Nông nghiệp",
                    "Quản lý nhà nước",
                    "Kế toán",
                ])
                .to_string(),
            ),
            _ => None,
        };
        let institution = match level.track() {
            Track::GeneralEducation => None,
            Track::Professional => Some(self.pick(INSTITUTIONS).to_string()),
            Track::PoliticalTheory | Track::StateManagement => {
                Some("Trường Chính trị tỉnh Điện Biên".to_string())
            }
        };
        let certificate = Certificate {
            number: format!(
                "{}-{:06}",
                level
                    .code()
                    .chars()
                    .next()
                    .unwrap_or('X')
                    .to_ascii_uppercase(),
                self.rng.random_range(0..1_000_000)
            ),
            issued_on,
        };
        sim.timeline
            .push(Command::RecordQualification(RecordQualification {
                person: sim.id,
                level,
                field,
                institution,
                certificate: Some(certificate),
                effective_date: on,
            }));
        sim.raise(level);
    }

    fn year(&mut self, year: i32) {
        self.retirements(year);
        self.fill_vacancies(year);
        if year > FIRST_YEAR {
            for _ in 0..self.scaled(45) {
                let unit = self.weighted(&[
                    (55, 13usize),
                    (15, 12),
                    (10, 2),
                    (8, 5),
                    (12, DISTRICT_BODIES.len()),
                ]);
                let unit = if unit == DISTRICT_BODIES.len() {
                    DISTRICT_BODIES.len() + self.rng.random_range(0..COMMUNES.len())
                } else {
                    unit
                };
                let hired = date(
                    year,
                    self.rng.random_range(3..10),
                    self.rng.random_range(1..28),
                );
                self.hire(unit, 99, hired);
            }
        }
        self.promotions(year);
        self.training(year);
        self.rotations(year);
        self.appraisals(year);
    }

    fn retirements(&mut self, year: i32) {
        let resign = self.scaled(2);
        for i in 0..self.people.len() {
            let p = &self.people[i];
            if p.left.is_some() {
                continue;
            }
            let limit = if p.gender == Gender::Male { 60 } else { 55 };
            if year - p.birth.year() == limit {
                let on = date(year, p.birth.month(), p.birth.day().min(28));
                let on = on.max(p.registered + Duration::days(1));
                self.leave(i, on, SeparationReason::Retired);
            }
        }
        for _ in 0..resign {
            let i = self.rng.random_range(0..self.people.len());
            if self.people[i].left.is_none() && self.people[i].registered.year() < year {
                let on = date(year, self.rng.random_range(2..10), 15);
                self.leave(i, on, SeparationReason::Resigned);
            }
        }
    }

    /// A newcomer in each post left this year, three to ten weeks after (by the end of
    /// December at the latest).
    fn fill_vacancies(&mut self, year: i32) {
        for (unit, left) in std::mem::take(&mut self.vacancies) {
            let after = left + Duration::days(self.rng.random_range(21..70));
            self.hire(unit, 99, after.min(date(year, 12, 28)).max(left));
        }
    }

    fn leave(&mut self, i: usize, on: NaiveDate, reason: SeparationReason) {
        self.vacancies.push((self.people[i].unit, on));
        let person = &mut self.people[i];
        person.left = Some(on);
        person.timeline.push(Command::Separate(Separate {
            person: person.id,
            reason,
            effective_date: on,
        }));
    }

    fn promotions(&mut self, year: i32) {
        let mut candidates: Vec<usize> = (0..self.people.len())
            .filter(|&i| {
                let p = &self.people[i];
                p.active_through(year)
                    && p.registered.year() < year
                    && !p.leadership
                    && p.level(Track::Professional).is_some_and(|l| l.rank() >= 3)
                    && matches!(
                        self.units[p.unit].kind,
                        Some(BodyKind::Department | BodyKind::Party)
                    )
            })
            .collect();
        candidates.shuffle(&mut self.rng);
        for i in candidates.into_iter().take(self.scaled(6)) {
            let deputy = self.units[self.people[i].unit].staffing.deputy();
            let on = date(year, 6, self.rng.random_range(1..28));
            let unit = self.units[self.people[i].unit].id;
            let p = &mut self.people[i];
            p.leadership = true;
            p.post = deputy.to_string();
            p.timeline.push(Command::AssignPerson(AssignPerson {
                person: p.id,
                unit,
                post: deputy.to_string(),
                category: p.category,
                leadership: true,
                effective_date: on,
            }));
        }
    }

    /// Who may take programme `index` (by its spec) given what they hold.
    fn eligible(&self, index: usize, p: &Sim) -> bool {
        use PoliticalTheoryLevel as P;
        use ProfessionalLevel as Pr;
        use StateManagementLevel as S;
        let spec = &PROGRAMMES[index];
        let pt = p.level(Track::PoliticalTheory);
        let sm = p.level(Track::StateManagement);
        let pro = p.level(Track::Professional);
        let commune = p.category == StaffCategory::CommuneOfficial;
        let service = p.category == StaffCategory::PublicEmployee;
        match spec.confers {
            Some(Q::PoliticalTheory(P::Elementary)) => pt.is_none() && !service,
            Some(Q::PoliticalTheory(P::Intermediate)) => {
                pt == Some(Q::PoliticalTheory(P::Elementary)) && !service
            }
            Some(Q::PoliticalTheory(P::Advanced)) => {
                p.leadership && pt == Some(Q::PoliticalTheory(P::Intermediate))
            }
            Some(Q::StateManagement(S::Specialist)) => sm.is_none() && (!service || p.leadership),
            Some(Q::StateManagement(_)) => {
                sm == Some(Q::StateManagement(S::Specialist))
                    && (p.leadership || pro.is_some_and(|l| l.rank() >= 3))
            }
            Some(Q::Professional(Pr::Intermediate)) => commune && pro.is_none_or(|l| l.rank() < 1),
            Some(Q::Professional(Pr::College)) => service && pro.is_none_or(|l| l.rank() < 2),
            Some(Q::Professional(_)) => !service && pro == Some(Q::Professional(Pr::College)),
            _ => match spec.category {
                crate::domain::vocab::ProgrammeCategory::Professional => commune,
                _ => true,
            },
        }
    }

    /// Participations per programme per year; 2017 is the article's year.
    fn quota(&self, index: usize, year: i32) -> usize {
        const BASE: [usize; 12] = [45, 60, 15, 80, 25, 25, 22, 15, 58, 15, 10, 15];
        let factor = if year == LAST_YEAR {
            1.0
        } else {
            0.7 + 0.05 * f64::from(year - FIRST_YEAR)
        };
        self.scaled((BASE[index] as f64 * factor).round() as usize)
    }

    fn training(&mut self, year: i32) {
        let mut taken_this_year = vec![0u8; self.people.len()];
        for (index, spec) in PROGRAMMES.iter().enumerate() {
            let mut candidates: Vec<usize> = (0..self.people.len())
                .filter(|&i| {
                    let p = &self.people[i];
                    p.active_through(year)
                        && p.registered.year() < year
                        && taken_this_year[i] < 2
                        && self.eligible(index, p)
                })
                .collect();
            candidates.shuffle(&mut self.rng);
            // The resolution's first target: leaders go first to state-management courses.
            if matches!(spec.confers, Some(Q::StateManagement(_))) {
                candidates.sort_by_key(|&i| !self.people[i].leadership);
            }
            candidates.truncate(self.quota(index, year));
            for &i in &candidates {
                taken_this_year[i] += 1;
            }
            for cohort in candidates.chunks(50) {
                self.session(index, year, cohort);
            }
        }
    }

    fn session(&mut self, index: usize, year: i32, cohort: &[usize]) {
        let spec = &PROGRAMMES[index];
        let session = SessionId(self.uuid());
        let latest_start = date(year, 12, 10) - Duration::days(i64::from(spec.days));
        let earliest = date(year, 2, 15);
        let span = (latest_start - earliest).num_days().max(1);
        let starts_on =
            (earliest + Duration::days(self.rng.random_range(0..span))).min(date(year, 9, 30));
        let ends_on = (starts_on + Duration::days(i64::from(spec.days))).min(date(year, 12, 10));
        self.sessions
            .push(Command::ScheduleSession(ScheduleSession {
                session,
                programme: self.programmes[index],
                starts_on,
                ends_on,
                capacity: cohort.len() as u32 + self.rng.random_range(0..6),
                effective_date: starts_on - Duration::days(30),
            }));
        for &i in cohort {
            let roll = self.rng.random_range(0..100);
            let person = self.people[i].id;
            let mut steps = vec![Command::Enrol(Enrol {
                person,
                session,
                effective_date: starts_on - Duration::days(5),
            })];
            if roll < 2 {
                steps.push(Command::WithdrawEnrolment(WithdrawEnrolment {
                    person,
                    session,
                    reason: self
                        .pick(&["Lý do sức khỏe", "Được cử đi công tác đột xuất"])
                        .to_string(),
                    effective_date: starts_on + Duration::days(i64::from(spec.days) / 3),
                }));
            } else {
                let result = if roll < 5 {
                    TrainingResult::Failed
                } else {
                    TrainingResult::Passed
                };
                steps.push(Command::CompleteTraining(CompleteTraining {
                    person,
                    session,
                    result,
                    grade: (result == TrainingResult::Passed)
                        .then(|| self.pick(&["Giỏi", "Khá", "Trung bình"]).to_string()),
                    certificate: None,
                    effective_date: ends_on,
                }));
                if let (TrainingResult::Passed, Some(level)) = (result, spec.confers) {
                    self.people[i].raise(level);
                }
            }
            self.people[i].timeline.extend(steps);
        }
    }

    fn rotations(&mut self, year: i32) {
        let count = if year == LAST_YEAR {
            ROTATIONS_2017
        } else if year >= 2014 {
            3
        } else {
            0
        };
        let communes: Vec<usize> = (0..self.units.len())
            .filter(|&u| self.units[u].level == UnitLevel::Commune)
            .collect();
        let mut chosen: Vec<usize> = Vec::new();
        if year == LAST_YEAR {
            // The article's example: the deputy head of the propaganda board to Pom Lót.
            let propaganda = DISTRICT_BODIES
                .iter()
                .position(|u| u.code == "ban-tuyen-giao");
            if let Some(deputy) = (0..self.people.len()).find(|&i| {
                let p = &self.people[i];
                Some(p.unit) == propaganda && p.post == "Phó Trưởng ban" && p.active_through(year)
            }) {
                chosen.push(deputy);
            }
        }
        let mut pool: Vec<usize> = (0..self.people.len())
            .filter(|&i| {
                let p = &self.people[i];
                p.active_through(year)
                    && p.registered.year() < year
                    && matches!(
                        self.units[p.unit].kind,
                        Some(BodyKind::Party | BodyKind::Department)
                    )
                    && !chosen.contains(&i)
            })
            .collect();
        pool.shuffle(&mut self.rng);
        chosen.extend(pool.into_iter().take(count.saturating_sub(chosen.len())));
        for (n, &i) in chosen.iter().enumerate() {
            let commune = if n == 0 && year == LAST_YEAR {
                communes
                    .iter()
                    .copied()
                    .find(|&u| self.units[u].name == "Pom Lót")
                    .unwrap_or(communes[0])
            } else {
                self.pick(&communes)
            };
            let post = if n == 0 && year == LAST_YEAR {
                COMMUNE_KEY_POSTS[0]
            } else {
                self.pick(COMMUNE_KEY_POSTS)
            };
            let outcome = if year == LAST_YEAR {
                RotationOutcome::CompletedWell
            } else {
                self.weighted(&[
                    (70, RotationOutcome::CompletedWell),
                    (25, RotationOutcome::Completed),
                    (5, RotationOutcome::NotCompleted),
                ])
            };
            let started = date(year, 2, self.rng.random_range(1..28));
            let ended = date(year, 12, self.rng.random_range(15..21));
            let person = self.people[i].id;
            let to = Placement {
                unit: self.units[commune].id,
                post: post.to_string(),
            };
            let decision_number = format!("{}/QĐ-HU", self.rng.random_range(100..999));
            let assessment = match outcome {
                RotationOutcome::CompletedWell => "Hoàn thành tốt nhiệm vụ được giao tại cơ sở",
                RotationOutcome::Completed => "Hoàn thành nhiệm vụ",
                RotationOutcome::NotCompleted => "Chưa hoàn thành nhiệm vụ được giao",
            };
            let timeline = &mut self.people[i].timeline;
            timeline.push(Command::StartRotation(StartRotation {
                person,
                kind: MovementKind::Rotation,
                to,
                planned_end: Some(date(year, 12, 31)),
                decision_number,
                effective_date: started,
            }));
            timeline.push(Command::EndRotation(EndRotation {
                person,
                outcome,
                assessment: assessment.to_string(),
                effective_date: ended,
            }));
        }
    }

    fn appraisals(&mut self, year: i32) {
        for i in 0..self.people.len() {
            if !self.people[i].active_through(year) {
                continue;
            }
            let classification = self.weighted(&[
                (15, Classification::Excellent),
                (66, Classification::Good),
                (16, Classification::Completed),
                (3, Classification::NotCompleted),
            ]);
            let feedback_count = self.weighted(&[(88, 0usize), (9, 1), (3, 2)]);
            let feedback = (0..feedback_count)
                .map(|_| {
                    let channel = self.pick(FeedbackChannel::ALL);
                    FeedbackItem {
                        channel,
                        summary: match channel {
                            FeedbackChannel::Press => "Bài viết biểu dương trên Báo Điện Biên Phủ",
                            FeedbackChannel::VoterMeetings => {
                                "Cử tri phản ánh thái độ phục vụ nhân dân"
                            }
                            FeedbackChannel::FatherlandFront => {
                                "Ý kiến giám sát của Mặt trận Tổ quốc"
                            }
                            FeedbackChannel::ComplaintsPetitions => {
                                "Đơn kiến nghị về giải quyết thủ tục hành chính"
                            }
                        }
                        .to_string(),
                    }
                })
                .collect();
            let score = (year == LAST_YEAR).then(|| self.rng.random_range(50..100));
            let p = &mut self.people[i];
            p.timeline.push(Command::Appraise(Appraise {
                person: p.id,
                year,
                classification,
                score,
                feedback,
                effective_date: date(year, 12, 26),
            }));
        }
    }

    fn corrections(&mut self) {
        let mut recorded: Vec<usize> = (0..self.people.len())
            .filter(|&i| {
                self.people[i].timeline.iter().any(|c| {
                    matches!(c, Command::RecordQualification(RecordQualification { level, .. }) if level.track() == Track::Professional)
                })
            })
            .collect();
        recorded.shuffle(&mut self.rng);
        let mut picked = recorded.into_iter();
        for i in picked.by_ref().take(8) {
            self.plan
                .corrections
                .push(PlannedCorrection::QualificationInstitution(
                    self.people[i].id,
                ));
        }
        for i in picked.take(5) {
            let p = &mut self.people[i];
            // The duplicate is dated a month after registration: not for someone gone by then.
            if p.left
                .is_some_and(|left| left <= p.registered + Duration::days(30))
            {
                continue;
            }
            let first = p.timeline.iter().find_map(|c| match c {
                Command::RecordQualification(_) => Some(c.clone()),
                _ => None,
            });
            if let Some(Command::RecordQualification(RecordQualification {
                person,
                level,
                field,
                institution,
                certificate,
                effective_date,
            })) = first
            {
                p.timeline
                    .push(Command::RecordQualification(RecordQualification {
                        person,
                        level,
                        field,
                        institution,
                        certificate,
                        effective_date: effective_date + Duration::days(30),
                    }));
                self.plan
                    .corrections
                    .push(PlannedCorrection::DuplicateQualification(person));
            }
        }
        let mut appraised: Vec<PersonId> = self
            .people
            .iter()
            .filter(|p| p.active_through(LAST_YEAR))
            .map(|p| p.id)
            .collect();
        appraised.shuffle(&mut self.rng);
        for id in appraised.into_iter().take(3) {
            self.plan
                .corrections
                .push(PlannedCorrection::Appraisal2017(id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_plans_the_same_district() {
        assert_eq!(plan(5, 0.05).people, plan(5, 0.05).people);
        assert_ne!(plan(5, 0.05).people, plan(6, 0.05).people);
    }

    /// Staff in service on `day`: registered by then and not separated by then.
    fn in_service(plan: &Plan, day: NaiveDate) -> usize {
        let on_or_before = |c: &Command| c.effective_date() <= day;
        plan.people
            .iter()
            .filter(|t| {
                t.iter()
                    .any(|c| matches!(c, Command::RegisterPerson(_)) && on_or_before(c))
                    && !t
                        .iter()
                        .any(|c| matches!(c, Command::Separate(_)) && on_or_before(c))
            })
            .count()
    }

    #[test]
    fn the_district_keeps_more_than_3200_staff_through_2017() {
        let plan = plan(2017, 1.0);
        let days = date(2017, 1, 1)
            .iter_days()
            .take_while(|d| d.year() == 2017);
        let fewest = days.map(|d| in_service(&plan, d)).min().unwrap_or(0);
        assert!(fewest > 3200, "{fewest}");
    }

    #[test]
    fn every_timeline_starts_with_a_registration() {
        let plan = plan(7, 0.2);
        for timeline in &plan.people {
            assert!(
                matches!(timeline.first(), Some(Command::RegisterPerson(_))),
                "{:#?}",
                &timeline[..timeline.len().min(3)]
            );
        }
    }
}
