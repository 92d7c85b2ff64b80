//! The dashboard's two parts, drawn from the read models as the API answers them:
//! compliance with each target in force (the district, then each unit) and a year's
//! totals beside the year before's, each a chart with a table of the same figures.

use std::collections::BTreeMap;

use maud::{Markup, html};

use super::charts::{Bar, Chart, Row, Scale};
use crate::domain::vocab::{Lang, Vocabulary};
use crate::projection::views::{Compliance, Rate, TargetCompliance, YearTotals};

/// Compliance with the policy in force, one figure per target.
pub(super) fn compliance(lang: Lang, compliance: &Compliance) -> Markup {
    html! {
        section #compliance aria-labelledby="compliance-heading" {
            h2 #compliance-heading { (lang.pick("Thực hiện chỉ tiêu", "Compliance with the targets")) }
            @match &compliance.policy_name {
                None => p.notice { (lang.pick("Chưa có chỉ tiêu nào có hiệu lực vào ngày ", "No targets were in force on ")) (lang.date(compliance.as_of)) "." },
                Some(name) => {
                    p.muted { (lang.pick("Chỉ tiêu của ", "The targets of ")) "“" (name) "”." }
                    @for target in &compliance.targets { (target_figure(lang, target)) }
                }
            }
        }
    }
}

/// A target: the district's rate and each unit's, as bars out of 100 % and, beside them
/// (below on a narrow screen), as a table.
fn target_figure(lang: Lang, target: &TargetCompliance) -> Markup {
    let district = lang.pick("Toàn huyện", "Whole district");
    let rates = std::iter::once((district, &target.rate)).chain(
        target
            .by_unit
            .iter()
            .map(|u| (u.unit_name.as_str(), &u.rate)),
    );
    let chart = Chart {
        id: format!("target-{}-title", target.target),
        title: target.label.clone(),
        series: Vec::new(),
        rows: rates
            .map(|(label, rate)| Row {
                label: label.to_string(),
                bars: vec![Bar {
                    value: rate.percent,
                    text: lang.percent(rate.percent),
                }],
            })
            .collect(),
        scale: Scale::Percent,
    };
    html! {
        figure.chart.card id={ "target-" (target.target) } {
            figcaption { (target.label) }
            @if let Some(deadline) = target.deadline {
                p.help { (lang.pick("Thời hạn: ", "Deadline: ")) (lang.date(deadline)) }
            }
            @if target.rate.applies == 0 {
                p.muted { (lang.pick("Không có ai thuộc diện của chỉ tiêu này.", "Nobody is within this target's scope.")) }
            } @else {
                div.grid {
                    @if let Some(svg) = chart.svg() { div { (svg) } }
                    div.scroll {
                        table.data {
                            thead { tr {
                                th scope="col" { (lang.pick("Đơn vị", "Unit")) }
                                th.num scope="col" { (lang.pick("Đạt", "Met")) }
                                th.num scope="col" { (lang.pick("Thuộc diện", "In scope")) }
                                th.num scope="col" { (lang.pick("Tỷ lệ", "Rate")) }
                            } }
                            tbody {
                                tr.district { th scope="row" { (district) } (rate_cells(lang, &target.rate)) }
                                @for unit in &target.by_unit {
                                    tr {
                                        th scope="row" { a href={ "/console/units/" (unit.unit) } { (unit.unit_name) } }
                                        (rate_cells(lang, &unit.rate))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn rate_cells(lang: Lang, rate: &Rate) -> Markup {
    html! {
        td.num { (lang.count(rate.met)) }
        td.num { (lang.count(rate.applies)) }
        td.num { (lang.percent(rate.percent)) }
    }
}

/// `this` year's totals beside `last` year's.
pub(super) fn totals(lang: Lang, this: &YearTotals, last: &YearTotals) -> Markup {
    let years = (this.year, last.year);
    let figures = [
        figure(
            lang,
            "participations",
            lang.pick(
                "Lượt tham gia đào tạo, bồi dưỡng, theo loại",
                "Participations in training, by track",
            ),
            years,
            pairs(
                lang,
                Some((this.participations.total, last.participations.total)),
                &this.participations.by_track,
                &last.participations.by_track,
            ),
        ),
        figure(
            lang,
            "trainees",
            lang.pick(
                "Số người được đào tạo, bồi dưỡng (mỗi người tính một lần), theo loại",
                "Distinct trainees (each person once), by track",
            ),
            years,
            pairs(
                lang,
                Some((this.trainees.total, last.trainees.total)),
                &this.trainees.by_track,
                &last.trainees.by_track,
            ),
        ),
        figure(
            lang,
            "rotations-started",
            lang.pick(
                "Luân chuyển, điều động, biệt phái bắt đầu",
                "Rotations, transfers and secondments started",
            ),
            years,
            pairs(lang, None, &this.rotations_started, &last.rotations_started),
        ),
        figure(
            lang,
            "rotations-ended",
            lang.pick(
                "Luân chuyển kết thúc, theo kết quả",
                "Rotations ended, by outcome",
            ),
            years,
            pairs(lang, None, &this.rotations_ended, &last.rotations_ended),
        ),
        figure(
            lang,
            "appraisals",
            lang.pick(
                "Đánh giá, xếp loại chất lượng (theo năm được đánh giá)",
                "Appraisals by classification (by the year appraised)",
            ),
            years,
            pairs(lang, None, &this.appraisals, &last.appraisals),
        ),
        figure(
            lang,
            "feedback",
            lang.pick(
                "Ý kiến nhận xét của nhân dân, theo kênh",
                "Public feedback, by channel",
            ),
            years,
            pairs(lang, None, &this.feedback, &last.feedback),
        ),
    ];
    html! {
        div.grid { @for figure in figures { (figure) } }
    }
}

/// (label, this year, last year): the total (the sums, unless given) first, then every
/// value of the vocabulary either year counted, in the vocabulary's order; none when both
/// years count nothing.
fn pairs<K: Vocabulary + Ord>(
    lang: Lang,
    total: Option<(u64, u64)>,
    this: &BTreeMap<K, u64>,
    last: &BTreeMap<K, u64>,
) -> Vec<(String, u64, u64)> {
    let total = total.unwrap_or_else(|| (this.values().sum(), last.values().sum()));
    if total == (0, 0) {
        return Vec::new();
    }
    let count = |map: &BTreeMap<K, u64>, key: &K| map.get(key).copied().unwrap_or(0);
    let values = K::all()
        .iter()
        .map(|key| {
            (
                key.label(lang).to_string(),
                count(this, key),
                count(last, key),
            )
        })
        .filter(|(_, a, b)| (*a, *b) != (0, 0));
    std::iter::once((lang.pick("Tổng số", "Total").to_string(), total.0, total.1))
        .chain(values)
        .collect()
}

/// One comparison: a chart of two bars a row and the table of the same figures.
fn figure(
    lang: Lang,
    id: &str,
    title: &str,
    (year, last_year): (i32, i32),
    pairs: Vec<(String, u64, u64)>,
) -> Markup {
    let chart = Chart {
        id: format!("{id}-title"),
        title: format!("{title}: {year}, {last_year}"),
        series: vec![year.to_string(), last_year.to_string()],
        rows: pairs
            .iter()
            .map(|(label, a, b)| Row {
                label: label.clone(),
                bars: [a, b]
                    .into_iter()
                    .map(|n| Bar {
                        value: *n as f64,
                        text: lang.count(*n),
                    })
                    .collect(),
            })
            .collect(),
        scale: Scale::Largest,
    };
    html! {
        figure.chart.card #(id) {
            figcaption { (title) }
            @if let Some(svg) = chart.svg() {
                (svg)
                div.scroll {
                    table.data {
                        thead { tr {
                            th scope="col" { (lang.pick("Loại", "Kind")) }
                            th.num scope="col" { (year) }
                            th.num scope="col" { (last_year) }
                        } }
                        tbody {
                            @for (label, a, b) in &pairs {
                                tr { th scope="row" { (label) } td.num { (lang.count(*a)) } td.num { (lang.count(*b)) } }
                            }
                        }
                    }
                }
            } @else {
                p.muted { (lang.pick("Không có số liệu năm ", "Nothing recorded in ")) (year) (lang.pick(" và năm ", " or ")) (last_year) "." }
            }
        }
    }
}
