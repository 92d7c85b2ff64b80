//! BM01/BNV (staff of district-level bodies) and BM02/BNV (staff of communes): headcount
//! and quality on a date, from [`headcount_of`], a row per unit of the form's level and a
//! total row that is their sum.
//!
//! Columns: the staffing quota and the rank (ngạch) are not recorded; the headcount; of
//! which women, ethnic minorities, party members (and files that do not say); by staff
//! category; by the highest professional, political-theory and state-management level
//! held (each with "none on record", so each group adds up to the headcount); IT and
//! foreign language, not recorded; the age bands (adding up to the headcount).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Column, Form, Row, Sum, Value, capitalise, tr};
use crate::domain::UnitId;
use crate::domain::vocab::{Lang, Track, UnitLevel, fold};
use crate::projection::District;
use crate::projection::headcount::{Headcount, headcount_of};
use crate::projection::views::people_in_service;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Bm01,
    Bm02,
}

impl Kind {
    fn level(self) -> UnitLevel {
        match self {
            Kind::Bm01 => UnitLevel::District,
            Kind::Bm02 => UnitLevel::Commune,
        }
    }
}

pub(super) fn form(model: &District, kind: Kind, as_of: NaiveDate, lang: Lang) -> Form {
    let mut staff: BTreeMap<UnitId, Vec<_>> = BTreeMap::new();
    for view in people_in_service(model, as_of) {
        staff.entry(view.placement.unit).or_default().push(view);
    }
    let mut units: Vec<_> = model
        .units
        .values()
        .filter(|u| u.level == kind.level())
        .collect();
    units.sort_by_key(|u| (fold(&u.name), u.unit));
    let everyone = units
        .iter()
        .flat_map(|u| staff.get(&u.unit).into_iter().flatten().cloned());
    let total = layout(&headcount_of(model, as_of, lang, everyone), lang);
    let mut rows = vec![Row {
        number: String::new(),
        label: tr(lang, "Tổng số", "Total"),
        values: total.values,
        total: true,
    }];
    for (i, unit) in units.iter().enumerate() {
        let people = staff.remove(&unit.unit).unwrap_or_default();
        rows.push(Row {
            number: (i + 1).to_string(),
            label: unit.name.clone(),
            values: layout(&headcount_of(model, as_of, lang, people), lang).values,
            total: false,
        });
    }
    let (code, title_vi, title_en) = match kind {
        Kind::Bm01 => (
            "BM01/BNV",
            "Số lượng, chất lượng cán bộ, công chức cấp huyện",
            "Number and quality of district-level staff",
        ),
        Kind::Bm02 => (
            "BM02/BNV",
            "Số lượng, chất lượng cán bộ, công chức cấp xã",
            "Number and quality of commune staff",
        ),
    };
    Form {
        code,
        title: tr(lang, title_vi, title_en),
        period: match lang {
            Lang::Vi => format!("Tính đến ngày {}", lang.date(as_of)),
            Lang::En => format!("As at {}", lang.date(as_of)),
        },
        lang,
        columns: total.columns,
        row_sums: vec![Sum {
            total: 0,
            parts: (1..rows.len()).collect(),
        }],
        rows,
        column_sums: total.sums,
        notes: notes(lang),
        position: 0,
        head: String::new(),
    }
}

/// The columns of one headcount, their values, and which columns add up to which.
struct Layout {
    columns: Vec<Column>,
    values: Vec<Value>,
    sums: Vec<Sum>,
}

impl Layout {
    /// Adds a column; its number.
    fn push(&mut self, group: Option<&str>, label: &str, value: Value) -> usize {
        self.columns.push(Column {
            group: group.map(str::to_string),
            label: label.to_string(),
        });
        self.values.push(value);
        self.columns.len()
    }

    /// Adds a group of columns that add up to column `total`.
    fn parts(&mut self, total: usize, group: &str, parts: Vec<(String, u64)>) {
        let parts = parts
            .into_iter()
            .map(|(label, n)| self.push(Some(group), &label, Value::Count(n)))
            .collect();
        self.sums.push(Sum { total, parts });
    }
}

fn layout(h: &Headcount, lang: Lang) -> Layout {
    let mut l = Layout {
        columns: vec![
            Column {
                group: None,
                label: tr(lang, "STT", "No."),
            },
            Column {
                group: None,
                label: tr(lang, "Tên cơ quan, đơn vị", "Body or unit"),
            },
        ],
        values: Vec::new(),
        sums: Vec::new(),
    };
    let not_recorded = tr(lang, "(không ghi nhận)", "(not recorded)");
    l.push(
        None,
        &tr(lang, "Biên chế được giao", "Staffing quota"),
        Value::NotRecorded,
    );
    let staff = l.push(
        None,
        &tr(lang, "Tổng số người đang làm việc", "Staff in service"),
        Value::Count(h.total.staff),
    );
    let of_which = tr(lang, "Trong đó", "Of which");
    for (vi, en, n) in [
        ("Nữ", "Women", h.total.women),
        (
            "Dân tộc thiểu số",
            "Ethnic minorities",
            h.total.ethnic_minorities,
        ),
        ("Đảng viên", "Party members", h.total.party_members),
        (
            "Chưa ghi nhận là đảng viên hay không",
            "Party membership not recorded",
            h.total.party_not_recorded,
        ),
    ] {
        l.push(Some(&of_which), &tr(lang, vi, en), Value::Count(n));
    }
    let categories = h
        .by_category
        .iter()
        .map(|g| (capitalise(&g.label), g.tally.staff))
        .collect();
    l.parts(
        staff,
        &tr(lang, "Theo đối tượng", "By category"),
        categories,
    );
    let rank = format!("{} {not_recorded}", tr(lang, "Ngạch", "Rank"));
    for (vi, en) in [
        ("Chuyên viên cao cấp", "Senior specialist"),
        ("Chuyên viên chính", "Principal specialist"),
        ("Chuyên viên", "Specialist"),
        ("Cán sự", "Officer"),
        ("Nhân viên", "Employee"),
    ] {
        l.push(Some(&rank), &tr(lang, vi, en), Value::NotRecorded);
    }
    for track in [
        Track::Professional,
        Track::PoliticalTheory,
        Track::StateManagement,
    ] {
        let levels = h
            .qualifications
            .iter()
            .find(|d| d.code == track.code())
            .and_then(|d| d.levels.as_ref())
            .map(|levels| {
                levels
                    .iter()
                    .map(|level| (capitalise(&level.label), level.people))
                    .collect()
            })
            .unwrap_or_default();
        l.parts(staff, &capitalise(track.label(lang)), levels);
    }
    for dimension in h.qualifications.iter().filter(|d| d.levels.is_none()) {
        let label = format!("{} {not_recorded}", capitalise(&dimension.label));
        l.push(None, &label, Value::NotRecorded);
    }
    let ages = h
        .age_bands
        .iter()
        .map(|b| (b.label.clone(), b.people))
        .collect();
    l.parts(staff, &tr(lang, "Độ tuổi", "Age"), ages);
    l
}

fn notes(lang: Lang) -> Vec<String> {
    vec![
        tr(
            lang,
            "Người đang làm việc tại ngày báo cáo, theo đơn vị công tác tại ngày đó; trình độ là trình độ cao nhất có văn bằng trong sổ ghi.",
            "People in service on the day, by the unit they worked in that day; a level is the highest held with its evidence on record.",
        ),
        tr(
            lang,
            "«—»: sổ ghi không theo dõi (biên chế được giao, ngạch, tin học, ngoại ngữ), không phải số 0.",
            "\"—\": not recorded in the ledger (staffing quota, rank, IT, foreign language), which is not 0.",
        ),
    ]
}
