//! The year-end report: rebuilt by replaying the log from position 1 (never from the live
//! projections), so anyone holding the same log gets the same figures, byte for byte.
//!
//! Owns: what the report contains (`build`: sections of labelled rows, in the chosen
//! language; `headcount`: the headcount sections), who issues it (`office`: the header and
//! signature block, from a data file) and how it is written out (`render`: JSON, CSV,
//! Markdown, HTML, XLSX).
//! Must not: read the clock or anything but the log, or iterate unordered collections
//! into its output (determinism).

mod headcount;
mod office;
mod render;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

pub use office::{DEFAULT_OFFICE, Office, OfficeError};
pub use render::{Format, escape, render};

use crate::domain::PolicySet;
use crate::domain::names::{NameKey, sort_key, text_key};
use crate::domain::person::Change;
use crate::domain::vocab::{
    Classification, FeedbackChannel, Lang, MovementKind, ProgrammeCategory, RotationOutcome,
    TrainingResult, UnitLevel,
};
use crate::projection::headcount::Headcount;
use crate::projection::views::{self, Compliance, YearTotals};
use crate::projection::{District, ProjectionError, replay};
pub use crate::spreadsheet::Cell;
use crate::store::{Hash, Head, Store, StoreError};

/// Which part of the log a report is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownAt {
    /// Everything recorded up to and including this position.
    Position(u64),
    /// Everything recorded at or before this time.
    Time(DateTime<Utc>),
}

impl KnownAt {
    /// Reads `1234` (a position), `2018-01-15` (the end of that day, UTC) or an RFC 3339
    /// time such as `2018-01-15T08:00:00Z`.
    pub fn parse(text: &str) -> Option<KnownAt> {
        if let Ok(position) = text.parse::<u64>() {
            return Some(KnownAt::Position(position));
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return KnownAt::end_of(date);
        }
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| KnownAt::Time(t.with_timezone(&Utc)))
    }

    /// Everything recorded by the end of `date` (UTC).
    pub fn end_of(date: NaiveDate) -> Option<KnownAt> {
        let end = date.and_hms_micro_opt(23, 59, 59, 999_999)?;
        Some(KnownAt::Time(end.and_utc()))
    }
}

/// What to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub year: i32,
    pub as_known_at: Option<KnownAt>,
    pub lang: Lang,
}

/// Why a report could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("year {0} is outside 1900–2200")]
    Year(i32),
    #[error("could not write the {format} report: {detail}")]
    Render {
        format: &'static str,
        detail: String,
    },
}

/// A titled table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Where the report comes from, so that anyone can rebuild and check it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meta {
    pub title: String,
    pub year: i32,
    pub lang: Lang,
    /// The last log position the report includes.
    pub position: u64,
    /// `position:hash` of that position: `cadre verify --expect-head` it later.
    pub head: String,
    pub as_known_at: Option<String>,
    pub policy: Option<String>,
    /// The date compliance is measured on (31 December of the year).
    pub compliance_as_of: NaiveDate,
}

/// The year-end report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub meta: Meta,
    pub sections: Vec<Section>,
    pub totals: YearTotals,
    pub compliance: Compliance,
    /// Headcount and quality on 31 December of the year.
    pub headcount: Headcount,
    /// Who issues the report (its header and signature block).
    pub office: Office,
}

impl Report {
    /// The same report issued by `office` instead of the shipped default.
    pub fn with_office(self, office: Office) -> Report {
        Report { office, ..self }
    }
}

fn tr(lang: Lang, vi: &str, en: &str) -> String {
    match lang {
        Lang::Vi => vi.to_string(),
        Lang::En => en.to_string(),
    }
}

/// Replays the log (up to `as_known_at`) and builds the report for `options.year`.
pub fn build(
    store: &Store,
    options: Options,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Report, ReportError> {
    if !(1900..=2200).contains(&options.year) {
        return Err(ReportError::Year(options.year));
    }
    let (model, head) = replayed(store, options.as_known_at, progress)?;
    Ok(from_model(&model, head, options))
}

/// The district model replayed from the log up to `as_known_at` (the head if `None`),
/// with the head it was replayed to: what the report and the forms are built from.
pub fn replayed(
    store: &Store,
    as_known_at: Option<KnownAt>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(District, Head), ReportError> {
    let upto = match as_known_at {
        None => store.head().position,
        Some(KnownAt::Position(p)) => p.min(store.head().position),
        Some(KnownAt::Time(t)) => store.position_at(t)?,
    };
    let model = replay(store, upto, progress)?;
    let hash = match store.read_at(upto)? {
        Some(event) => event.hash,
        None => Hash::ZERO,
    };
    Ok((
        model,
        Head {
            position: upto,
            hash,
        },
    ))
}

/// The report for a model already replayed to `head`.
pub fn from_model(model: &District, head: Head, options: Options) -> Report {
    let lang = options.lang;
    let year = options.year;
    let as_of = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    let policies = PolicySet::default_set();
    let totals = views::yearly_totals(model, year);
    let compliance = views::compliance(model, as_of, None, &policies, lang);
    let headcount = crate::projection::headcount::headcount(model, as_of, lang);
    let mut sections = Vec::from(headcount::sections(&headcount, lang));
    sections.extend([
        summary(&totals, lang),
        participations_by_track(&totals, lang),
        participations_by_provider(&totals, lang),
        participations_by_unit_level(&totals, lang),
        rotations(&totals, lang),
        rotation_list(model, year, lang),
        appraisals(&totals, lang),
        appraisals_by_unit(model, &totals, lang),
        feedback(&totals, lang),
    ]);
    sections.extend(compliance_sections(&compliance, lang));
    Report {
        meta: Meta {
            title: tr(
                lang,
                &format!("Báo cáo năm {year}: đào tạo, bồi dưỡng, luân chuyển và đánh giá cán bộ"),
                &format!("Year-end report {year}: training, rotation and appraisal of personnel"),
            ),
            year,
            lang,
            position: head.position,
            head: head.to_string(),
            as_known_at: options.as_known_at.map(|k| match k {
                KnownAt::Position(p) => format!("position {p}"),
                KnownAt::Time(t) => t.to_rfc3339(),
            }),
            policy: compliance.policy_name.clone(),
            compliance_as_of: as_of,
        },
        sections,
        totals,
        compliance,
        headcount,
        office: Office::default_office(),
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn percent(part: u64, whole: u64) -> Cell {
    let value = if whole == 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    };
    Cell::Percent(value)
}

fn get<K: Ord>(map: &BTreeMap<K, u64>, key: &K) -> u64 {
    map.get(key).copied().unwrap_or(0)
}

fn summary(t: &YearTotals, lang: Lang) -> Section {
    let rows = [
        (
            tr(
                lang,
                "Lượt người tham gia đào tạo, bồi dưỡng",
                "Training participations",
            ),
            t.participations.total,
        ),
        (
            tr(
                lang,
                "Số người được đào tạo, bồi dưỡng",
                "Distinct trainees",
            ),
            t.trainees.total,
        ),
        (
            tr(lang, "Hoàn thành khóa học: đạt", "Completions passed"),
            get(&t.completions, &TrainingResult::Passed),
        ),
        (
            tr(lang, "Hoàn thành khóa học: không đạt", "Completions failed"),
            get(&t.completions, &TrainingResult::Failed),
        ),
        (tr(lang, "Rút khỏi khóa học", "Withdrawals"), t.withdrawals),
        (
            tr(
                lang,
                "Lượt luân chuyển, điều động, biệt phái bắt đầu",
                "Rotations started",
            ),
            t.rotations_started.values().sum(),
        ),
        (
            tr(
                lang,
                "Lượt luân chuyển, điều động, biệt phái kết thúc",
                "Rotations ended",
            ),
            t.rotations_ended.values().sum(),
        ),
        (
            tr(lang, "Số người được đánh giá, xếp loại", "Appraisals"),
            t.appraisals.values().sum(),
        ),
        (
            tr(lang, "Ý kiến của nhân dân", "Public feedback items"),
            t.feedback.values().sum(),
        ),
    ];
    Section {
        id: "summary",
        title: tr(lang, "Tổng hợp", "Summary"),
        columns: vec![
            tr(lang, "Chỉ tiêu", "Figure"),
            tr(lang, "Số lượng", "Count"),
        ],
        rows: rows
            .into_iter()
            .map(|(label, n)| vec![text(label), Cell::Count(n)])
            .collect(),
    }
}

/// A participations table: one row per (label, participations, distinct trainees).
fn participation_section(
    id: &'static str,
    title: String,
    first_column: String,
    rows: Vec<(String, u64, u64)>,
    lang: Lang,
) -> Section {
    Section {
        id,
        title,
        columns: vec![
            first_column,
            tr(lang, "Lượt tham gia", "Participations"),
            tr(lang, "Số người", "Distinct trainees"),
        ],
        rows: rows
            .into_iter()
            .map(|(label, participations, trainees)| {
                vec![
                    text(label),
                    Cell::Count(participations),
                    Cell::Count(trainees),
                ]
            })
            .collect(),
    }
}

fn participations_by_track(t: &YearTotals, lang: Lang) -> Section {
    participation_section(
        "participations_by_track",
        tr(
            lang,
            "Đào tạo, bồi dưỡng theo lĩnh vực",
            "Participations by track",
        ),
        tr(lang, "Lĩnh vực", "Track"),
        ProgrammeCategory::ALL
            .iter()
            .map(|c| {
                let label = c.label(lang).to_string();
                (
                    label,
                    get(&t.participations.by_track, c),
                    get(&t.trainees.by_track, c),
                )
            })
            .collect(),
        lang,
    )
}

fn participations_by_provider(t: &YearTotals, lang: Lang) -> Section {
    participation_section(
        "participations_by_provider",
        tr(
            lang,
            "Đào tạo, bồi dưỡng theo cơ sở đào tạo",
            "Participations by provider",
        ),
        tr(lang, "Cơ sở đào tạo", "Provider"),
        vec![
            (
                tr(lang, "Trong tỉnh", "In the province"),
                t.participations.in_province,
                t.trainees.in_province,
            ),
            (
                tr(lang, "Ngoài tỉnh", "Outside the province"),
                t.participations.out_of_province,
                t.trainees.out_of_province,
            ),
        ],
        lang,
    )
}

fn participations_by_unit_level(t: &YearTotals, lang: Lang) -> Section {
    participation_section(
        "participations_by_unit_level",
        tr(
            lang,
            "Đào tạo, bồi dưỡng theo cấp",
            "Participations by unit level",
        ),
        tr(lang, "Cấp", "Level"),
        UnitLevel::ALL
            .iter()
            .map(|l| {
                let label = l.label(lang).to_string();
                (
                    label,
                    get(&t.participations.by_unit_level, l),
                    get(&t.trainees.by_unit_level, l),
                )
            })
            .collect(),
        lang,
    )
}

fn rotations(t: &YearTotals, lang: Lang) -> Section {
    let mut rows: Vec<Vec<Cell>> = MovementKind::ALL
        .iter()
        .map(|k| {
            vec![
                text(tr(lang, "Bắt đầu", "Started")),
                text(k.label(lang)),
                Cell::Count(get(&t.rotations_started, k)),
            ]
        })
        .collect();
    rows.extend(RotationOutcome::ALL.iter().rev().map(|o| {
        vec![
            text(tr(lang, "Kết thúc", "Ended")),
            text(o.label(lang)),
            Cell::Count(get(&t.rotations_ended, o)),
        ]
    }));
    Section {
        id: "rotations",
        title: tr(
            lang,
            "Luân chuyển, điều động, biệt phái",
            "Rotations, transfers and secondments",
        ),
        columns: vec![
            tr(lang, "Giai đoạn", "Stage"),
            tr(lang, "Loại / kết quả", "Kind / outcome"),
            tr(lang, "Số lượt", "Count"),
        ],
        rows,
    }
}

fn rotation_list(model: &District, year: i32, lang: Lang) -> Section {
    let mut rows: Vec<(NaiveDate, String, Vec<Cell>)> = Vec::new();
    for timeline in model.people.values() {
        let entries = timeline.effective(None);
        let Some(view) = timeline.view(None) else {
            continue;
        };
        let name = view.full_name.clone();
        let code = view.staff_code.map(|c| c.to_string()).unwrap_or_default();
        let birth = view.birth_date;
        for started in &entries {
            let Change::RotationStarted(start) = &started.change else {
                continue;
            };
            if started.date.year() != year {
                continue;
            }
            let end = entries.iter().find_map(|entry| match entry.change {
                Change::RotationEnded { rotation, outcome } if rotation == started.id => {
                    Some((entry.date, outcome))
                }
                _ => None,
            });
            let day = started.date;
            rows.push((
                day,
                name.clone(),
                vec![
                    text(code.clone()),
                    text(name.clone()),
                    Cell::Date(birth),
                    text(format!(
                        "{} ({})",
                        model.unit_name(start.from.unit),
                        start.from.post
                    )),
                    text(format!(
                        "{} ({})",
                        model.unit_name(start.to.unit),
                        start.to.post
                    )),
                    text(start.kind.label(lang)),
                    Cell::Date(day),
                    end.map_or_else(|| text(""), |(on, _)| Cell::Date(on)),
                    text(
                        end.map(|(_, outcome)| outcome.label(lang))
                            .unwrap_or_default(),
                    ),
                ],
            ));
        }
    }
    rows.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let rows = rows.into_iter().map(|(_, _, row)| row).collect();
    Section {
        id: "rotation_list",
        title: tr(
            lang,
            "Danh sách cán bộ luân chuyển trong năm",
            "Rotations started in the year",
        ),
        columns: vec![
            tr(lang, "Mã cán bộ", "Staff code"),
            tr(lang, "Họ và tên", "Name"),
            tr(lang, "Ngày sinh", "Birth date"),
            tr(lang, "Từ", "From"),
            tr(lang, "Đến", "To"),
            tr(lang, "Hình thức", "Kind"),
            tr(lang, "Bắt đầu", "Started"),
            tr(lang, "Kết thúc", "Ended"),
            tr(lang, "Kết quả", "Outcome"),
        ],
        rows,
    }
}

fn appraisals(t: &YearTotals, lang: Lang) -> Section {
    let total: u64 = t.appraisals.values().sum();
    Section {
        id: "appraisals",
        title: tr(
            lang,
            "Kết quả đánh giá, xếp loại",
            "Appraisal classification",
        ),
        columns: vec![
            tr(lang, "Xếp loại", "Classification"),
            tr(lang, "Số người", "People"),
            tr(lang, "Tỷ lệ (%)", "Share (%)"),
        ],
        rows: Classification::ALL
            .iter()
            .rev()
            .map(|c| {
                let n = get(&t.appraisals, c);
                vec![text(c.label(lang)), Cell::Count(n), percent(n, total)]
            })
            .collect(),
    }
}

fn appraisals_by_unit(model: &District, t: &YearTotals, lang: Lang) -> Section {
    let mut columns = vec![tr(lang, "Đơn vị", "Unit")];
    columns.extend(
        Classification::ALL
            .iter()
            .rev()
            .map(|c| c.label(lang).to_string()),
    );
    columns.push(tr(lang, "Tổng", "Total"));
    let mut rows: Vec<(String, Vec<Cell>)> = t
        .appraisals_by_unit
        .iter()
        .map(|(unit, counts)| {
            let name = model.unit_name(*unit);
            let mut row = vec![text(name.clone())];
            row.extend(
                Classification::ALL
                    .iter()
                    .rev()
                    .map(|c| Cell::Count(get(counts, c))),
            );
            row.push(Cell::Count(counts.values().sum()));
            (name, row)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Section {
        id: "appraisals_by_unit",
        title: tr(lang, "Đánh giá, xếp loại theo đơn vị", "Appraisals by unit"),
        columns,
        rows: rows.into_iter().map(|(_, r)| r).collect(),
    }
}

fn feedback(t: &YearTotals, lang: Lang) -> Section {
    Section {
        id: "feedback",
        title: tr(
            lang,
            "Ý kiến của nhân dân theo kênh",
            "Public feedback by channel",
        ),
        columns: vec![tr(lang, "Kênh", "Channel"), tr(lang, "Số ý kiến", "Items")],
        rows: FeedbackChannel::ALL
            .iter()
            .map(|c| vec![text(c.label(lang)), Cell::Count(get(&t.feedback, c))])
            .collect(),
    }
}

fn compliance_sections(c: &Compliance, lang: Lang) -> [Section; 3] {
    let rate_columns = |first: (&str, &str)| {
        vec![
            tr(lang, first.0, first.1),
            tr(lang, "Thuộc diện", "In scope"),
            tr(lang, "Đạt", "Meet"),
            tr(lang, "Tỷ lệ (%)", "Rate (%)"),
        ]
    };
    let targets = Section {
        id: "compliance",
        title: tr(
            lang,
            "Tiến độ thực hiện chỉ tiêu (đến 31/12)",
            "Progress towards the targets (at 31 Dec)",
        ),
        columns: rate_columns(("Chỉ tiêu", "Target")),
        rows: c
            .targets
            .iter()
            .map(|t| {
                vec![
                    text(t.label.clone()),
                    Cell::Count(t.rate.applies),
                    Cell::Count(t.rate.met),
                    Cell::Percent(t.rate.percent),
                ]
            })
            .collect(),
    };
    let mut columns = rate_columns(("Đơn vị", "Unit"));
    columns.insert(0, tr(lang, "Chỉ tiêu", "Target"));
    let by_unit = Section {
        id: "compliance_by_unit",
        title: tr(
            lang,
            "Tiến độ thực hiện chỉ tiêu theo đơn vị",
            "Progress towards the targets by unit",
        ),
        columns,
        rows: c
            .targets
            .iter()
            .flat_map(|t| {
                t.by_unit.iter().map(|u| {
                    vec![
                        text(t.label.clone()),
                        text(u.unit_name.clone()),
                        Cell::Count(u.rate.applies),
                        Cell::Count(u.rate.met),
                        Cell::Percent(u.rate.percent),
                    ]
                })
            })
            .collect(),
    };
    let shortfalls = Section {
        id: "shortfalls",
        title: tr(lang, "Danh sách chưa đạt chuẩn", "People short of a target"),
        columns: vec![
            tr(lang, "Đơn vị", "Unit"),
            tr(lang, "Họ và tên", "Name"),
            tr(lang, "Mã cán bộ", "Staff code"),
            tr(lang, "Ngày sinh", "Birth date"),
            tr(lang, "Chức vụ", "Post"),
            tr(lang, "Chỉ tiêu", "Target"),
            tr(lang, "Còn thiếu", "Missing"),
        ],
        rows: shortfall_rows(c),
    };
    [targets, by_unit, shortfalls]
}

/// Unit, name, staff code, the target's place in the policy.
type ShortfallOrder = (NameKey, NameKey, String, usize);

/// Every person short of a target, one row per person and target, in the order a clerk
/// looks them up: by unit, then by name (then code, then the policy's order of targets).
fn shortfall_rows(c: &Compliance) -> Vec<Vec<Cell>> {
    let mut rows: Vec<(ShortfallOrder, Vec<Cell>)> = c
        .targets
        .iter()
        .enumerate()
        .flat_map(|(order, t)| {
            t.shortfalls.iter().map(move |s| {
                let code = s
                    .staff_code
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let key = (
                    text_key(&s.unit_name),
                    sort_key(&s.full_name),
                    code.clone(),
                    order,
                );
                let row = vec![
                    text(s.unit_name.clone()),
                    text(s.full_name.clone()),
                    text(code),
                    Cell::Date(s.birth_date),
                    text(s.post.clone()),
                    text(t.label.clone()),
                    text(s.gaps.join("; ")),
                ];
                (key, row)
            })
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows.into_iter().map(|(_, row)| row).collect()
}
