//! Biểu số 10-BTCTW, the training statistics of a year, from [`training`]: a row per
//! programme category (numbered I, II, …: the sum of its rows) and under it a row per level
//! its programmes confer and one for refresher training that confers none; columns by
//! unit level, each with "of which leaders and managers", then the classes.
//!
//! Columns: 3 = 4 + 6 + 8 (participations), 10 = 11 + 12 (classes). The ledger keeps a
//! district's staff, so the province-level columns (4, 5) are not recorded.

use super::{Column, Form, Row, Sum, Value, capitalise, roman, tr};
use crate::domain::vocab::{Lang, ProgrammeCategory, QualificationLevel, UnitLevel};
use crate::projection::District;
use crate::projection::training::{Count, Programme, Training, training};

pub(super) fn form(model: &District, year: i32, lang: Lang) -> Form {
    let data = training(model, year);
    let mut rows = Vec::new();
    let mut row_sums = Vec::new();
    let mut categories = Vec::new();
    for (i, category) in ProgrammeCategory::ALL.iter().enumerate() {
        let at = rows.len();
        categories.push(at);
        rows.push(Row {
            number: roman(i + 1),
            label: capitalise(category.label(lang)),
            values: values(&category_count(&data, *category)),
            total: true,
        });
        let levels = levels(&data, *category);
        row_sums.push(Sum {
            total: at,
            parts: (at + 1..at + 1 + levels.len()).collect(),
        });
        for (j, level) in levels.into_iter().enumerate() {
            let count = data
                .rows
                .get(&(*category, level))
                .cloned()
                .unwrap_or_default();
            rows.push(Row {
                number: (j + 1).to_string(),
                label: level.map_or_else(
                    || {
                        tr(
                            lang,
                            "Bồi dưỡng (không cấp văn bằng)",
                            "Refresher (no level conferred)",
                        )
                    },
                    |l| capitalise(l.label(lang)),
                ),
                values: values(&count),
                total: false,
            });
        }
    }
    row_sums.push(Sum {
        total: rows.len(),
        parts: categories,
    });
    rows.push(Row {
        number: String::new(),
        label: tr(lang, "Tổng cộng", "Total"),
        values: values(&all(&data)),
        total: true,
    });
    Form {
        code: "Biểu số 10-BTCTW",
        title: tr(
            lang,
            &format!("Thống kê kết quả đào tạo, bồi dưỡng cán bộ năm {year}"),
            &format!("Training of personnel in {year}: statistics"),
        ),
        period: tr(lang, &format!("Năm {year}"), &format!("Year {year}")),
        lang,
        columns: columns(lang),
        rows,
        column_sums: vec![
            Sum {
                total: 3,
                parts: vec![4, 6, 8],
            },
            Sum {
                total: 10,
                parts: vec![11, 12],
            },
        ],
        row_sums,
        notes: notes(&data, lang),
        position: 0,
        head: String::new(),
    }
}

fn columns(lang: Lang) -> Vec<Column> {
    let column = |group: Option<(&str, &str)>, vi: &str, en: &str| Column {
        group: group.map(|(gv, ge)| tr(lang, gv, ge)),
        label: tr(lang, vi, en),
    };
    let trainees = Some((
        "Số lượt người được đào tạo, bồi dưỡng",
        "Trainees (participations)",
    ));
    let classes = Some(("Số lớp", "Classes"));
    let leaders = || {
        column(
            trainees,
            "Trong đó lãnh đạo, quản lý",
            "Of which leaders, managers",
        )
    };
    vec![
        column(None, "STT", "No."),
        column(None, "Nội dung", "Programme"),
        column(trainees, "Tổng số (3 = 4 + 6 + 8)", "Total (3 = 4 + 6 + 8)"),
        column(trainees, "Cấp tỉnh", "Province level"),
        leaders(),
        column(trainees, "Cấp huyện", "District level"),
        leaders(),
        column(trainees, "Cấp xã", "Commune level"),
        leaders(),
        column(classes, "Tổng số (10 = 11 + 12)", "Total (10 = 11 + 12)"),
        column(classes, "Cơ sở trong tỉnh", "Providers in the province"),
        column(
            classes,
            "Cơ sở ngoài tỉnh",
            "Providers outside the province",
        ),
    ]
}

/// A row's columns 3 to 12.
fn values(count: &Count) -> Vec<Value> {
    let level = |l: UnitLevel| Value::Count(count.by_unit_level.get(&l).copied().unwrap_or(0));
    let leaders =
        |l: UnitLevel| Value::Count(count.leaders_by_unit_level.get(&l).copied().unwrap_or(0));
    let (inside, outside) = (
        count.sessions_in_province.len() as u64,
        count.sessions_out_of_province.len() as u64,
    );
    vec![
        Value::Count(count.by_unit_level.values().sum()),
        Value::NotRecorded,
        Value::NotRecorded,
        level(UnitLevel::District),
        leaders(UnitLevel::District),
        level(UnitLevel::Commune),
        leaders(UnitLevel::Commune),
        Value::Count(inside + outside),
        Value::Count(inside),
        Value::Count(outside),
    ]
}

/// The level rows of a category: its track's levels, highest first, any other level its
/// programmes confer, then refresher training.
fn levels(data: &Training, category: ProgrammeCategory) -> Vec<Option<QualificationLevel>> {
    let mut levels: Vec<QualificationLevel> = category
        .track()
        .map(QualificationLevel::of_track)
        .unwrap_or_default();
    levels.reverse();
    for (c, level) in data.rows.keys() {
        if let Some(level) = level.filter(|l| *c == category && !levels.contains(l)) {
            levels.push(level);
        }
    }
    levels.into_iter().map(Some).chain([None]).collect()
}

fn category_count(data: &Training, category: ProgrammeCategory) -> Count {
    merged(data.rows.iter().filter(|((c, _), _)| *c == category))
}

fn all(data: &Training) -> Count {
    merged(data.rows.iter())
}

/// Participations added up, classes as distinct sessions (a class teaches one programme,
/// so a row's classes are the sum of its rows').
fn merged<'a>(rows: impl Iterator<Item = (&'a Programme, &'a Count)>) -> Count {
    let mut sum = Count::default();
    for (_, count) in rows {
        for (level, n) in &count.by_unit_level {
            *sum.by_unit_level.entry(*level).or_insert(0) += n;
        }
        for (level, n) in &count.leaders_by_unit_level {
            *sum.leaders_by_unit_level.entry(*level).or_insert(0) += n;
        }
        sum.unknown_unit_level += count.unknown_unit_level;
        sum.sessions_in_province
            .extend(count.sessions_in_province.iter().copied());
        sum.sessions_out_of_province
            .extend(count.sessions_out_of_province.iter().copied());
    }
    sum
}

fn notes(data: &Training, lang: Lang) -> Vec<String> {
    let mut notes = vec![
        tr(
            lang,
            "Đếm theo lượt người: mỗi người một lượt cho mỗi chương trình ghi danh trong năm (không tính ghi danh đã rút); cấp và chức vụ lãnh đạo, quản lý tại ngày ghi danh.",
            "Counted in participations: one per person per programme enrolled in during the year (withdrawn enrolments not counted); unit level and leadership on the day of enrolment.",
        ),
        tr(
            lang,
            "Cột 4, 5 (cấp tỉnh): sổ ghi của huyện không theo dõi cán bộ cấp tỉnh, đánh dấu «—».",
            "Columns 4 and 5 (province level): the district's ledger does not hold province-level staff, marked \"—\".",
        ),
    ];
    let unknown: u64 = data.rows.values().map(|c| c.unknown_unit_level).sum();
    if unknown > 0 {
        notes.push(tr(
            lang,
            &format!("{} lượt của đơn vị chưa đăng ký không có cấp, không tính vào cột 3.", lang.count(unknown)),
            &format!("{} participations from units never registered have no unit level and are not in column 3.", lang.count(unknown)),
        ));
    }
    notes
}
