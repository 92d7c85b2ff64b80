//! The report's headcount sections, as at 31 December: staff by category and unit level
//! (of which women, ethnic minorities, party members), by level held in each track, and
//! by age band, from [`Headcount`]. A kind of level the ledger does not record reads
//! "not recorded" where its count would be, never 0.

use super::{Cell, Section, text, tr};
use crate::domain::vocab::Lang;
use crate::projection::headcount::{Group, Headcount, Tally};

pub(super) fn sections(h: &Headcount, lang: Lang) -> [Section; 3] {
    [staff(h, lang), qualifications(h, lang), ages(h, lang)]
}

fn tally_row(breakdown: String, group: String, t: &Tally) -> Vec<Cell> {
    vec![
        text(breakdown),
        text(group),
        Cell::Count(t.staff),
        Cell::Count(t.women),
        Cell::Count(t.ethnic_minorities),
        Cell::Count(t.party_members),
        Cell::Count(t.party_not_recorded),
    ]
}

fn staff(h: &Headcount, lang: Lang) -> Section {
    let mut rows = vec![tally_row(
        tr(lang, "Tổng số", "Total"),
        String::new(),
        &h.total,
    )];
    let mut add = |breakdown: (&str, &str), groups: &[Group]| {
        rows.extend(groups.iter().map(|g| {
            tally_row(
                tr(lang, breakdown.0, breakdown.1),
                g.label.clone(),
                &g.tally,
            )
        }));
    };
    add(("Theo đối tượng", "By category"), &h.by_category);
    add(("Theo cấp", "By unit level"), &h.by_unit_level);
    Section {
        id: "headcount",
        title: tr(
            lang,
            "Số lượng cán bộ, công chức, viên chức (đến 31/12)",
            "Staff in service (at 31 Dec)",
        ),
        columns: vec![
            tr(lang, "Phân loại", "Breakdown"),
            tr(lang, "Nhóm", "Group"),
            tr(lang, "Tổng số", "Staff"),
            tr(lang, "Nữ", "Women"),
            tr(lang, "Dân tộc thiểu số", "Ethnic minorities"),
            tr(lang, "Đảng viên", "Party members"),
            tr(
                lang,
                "Chưa ghi nhận là đảng viên hay không",
                "Party membership not recorded",
            ),
        ],
        rows,
    }
}

fn qualifications(h: &Headcount, lang: Lang) -> Section {
    let mut rows = Vec::new();
    for dimension in &h.qualifications {
        match &dimension.levels {
            Some(levels) => rows.extend(levels.iter().map(|l| {
                vec![
                    text(dimension.label.clone()),
                    text(l.label.clone()),
                    Cell::Count(l.people),
                ]
            })),
            None => rows.push(vec![
                text(dimension.label.clone()),
                text(""),
                text(tr(lang, "Sổ ghi không theo dõi", "Not recorded")),
            ]),
        }
    }
    Section {
        id: "headcount_quality",
        title: tr(
            lang,
            "Chất lượng cán bộ: trình độ cao nhất (đến 31/12)",
            "Staff by highest level held (at 31 Dec)",
        ),
        columns: vec![
            tr(lang, "Loại trình độ", "Kind of level"),
            tr(lang, "Trình độ", "Level"),
            tr(lang, "Số người", "People"),
        ],
        rows,
    }
}

fn ages(h: &Headcount, lang: Lang) -> Section {
    Section {
        id: "headcount_age",
        title: tr(
            lang,
            "Cán bộ theo độ tuổi (đến 31/12)",
            "Staff by age (at 31 Dec)",
        ),
        columns: vec![tr(lang, "Độ tuổi", "Age"), tr(lang, "Số người", "People")],
        rows: h
            .age_bands
            .iter()
            .map(|b| vec![text(b.label.clone()), Cell::Count(b.people)])
            .collect(),
    }
}
