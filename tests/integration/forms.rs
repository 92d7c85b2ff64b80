//! The statistics forms through the real binary on a small demo district: each XLSX read
//! back with calamine adds up as its form defines (column totals and row totals), each
//! figure equals the read model it comes from (10-BTCTW's participations are
//! `yearly_totals`', BM01 + BM02 are `headcount`'s), and a column the ledger does not
//! record is "—", never 0; the HTML prints on A4 landscape with the same figures.

use std::path::Path;

use cadre::domain::vocab::{ProgrammeCategory, UnitLevel};
use cadre::projection::{District, headcount::headcount, views::yearly_totals};
use cadre::store::Store;
use calamine::{Data, Reader};
use chrono::NaiveDate;

use crate::helpers::run_cadre;

/// A form's sheet: the group heading row, the column-number row, and the rows below it.
struct Sheet {
    /// Each column's group heading (a merged heading repeated over its columns).
    groups: Vec<String>,
    /// The data rows: the STT and label, then each column's cell from column 3.
    rows: Vec<(String, String, Vec<Data>)>,
}

impl Sheet {
    fn read(path: &Path) -> Sheet {
        let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
        let range = workbook.worksheet_range_at(0).unwrap().unwrap();
        let all: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        let numbers = all
            .iter()
            .position(|r| {
                r.first() == Some(&Data::Float(1.0)) && r.get(1) == Some(&Data::Float(2.0))
            })
            .expect("a row of column numbers");
        for (i, cell) in all[numbers].iter().enumerate() {
            assert_eq!(
                cell,
                &Data::Float((i + 1) as f64),
                "columns numbered 1, 2, 3…"
            );
        }
        let mut groups = Vec::new();
        for cell in &all[numbers - 2] {
            match cell {
                Data::String(g) => groups.push(g.clone()),
                _ => groups.push(groups.last().cloned().unwrap_or_default()),
            }
        }
        let text = |d: &Data| match d {
            Data::String(s) => s.clone(),
            _ => String::new(),
        };
        let rows = all[numbers + 1..]
            .iter()
            .take_while(|r| !text(&r[1]).is_empty())
            .map(|r| (text(&r[0]), text(&r[1]), r[2..].to_vec()))
            .collect();
        Sheet { groups, rows }
    }

    /// Column `number` (from 3) of a row as a count; `None` for "—".
    fn value(row: &(String, String, Vec<Data>), number: usize) -> Option<u64> {
        match &row.2[number - 3] {
            Data::Float(f) => Some(*f as u64),
            Data::String(s) if s == "—" => None,
            other => panic!("column {number} of {:?}: {other:?}", row.1),
        }
    }

    fn count(row: &(String, String, Vec<Data>), number: usize) -> u64 {
        Sheet::value(row, number).unwrap_or_else(|| panic!("column {number} of {:?} is —", row.1))
    }

    /// Every row: column `total` is the sum of `parts` (those recorded).
    fn columns_add_up(&self, total: usize, parts: &[usize]) {
        for row in &self.rows {
            let sum: u64 = parts.iter().filter_map(|p| Sheet::value(row, *p)).sum();
            assert_eq!(
                Sheet::count(row, total),
                sum,
                "{:?}: {total} = {parts:?}",
                row.1
            );
        }
    }

    /// Every column: row `total` is the sum of rows `parts`.
    fn rows_add_up(&self, total: usize, parts: &[usize]) {
        for number in 3..self.rows[total].2.len() + 3 {
            let sum: Option<u64> = parts
                .iter()
                .map(|p| Sheet::value(&self.rows[*p], number))
                .sum();
            assert_eq!(
                Sheet::value(&self.rows[total], number),
                sum,
                "column {number}: {:?} = its rows",
                self.rows[total].1
            );
        }
    }

    /// The columns (numbers) under a group heading.
    fn group(&self, heading: &str) -> Vec<usize> {
        let columns: Vec<usize> = (0..self.groups.len())
            .filter(|i| self.groups[*i] == heading)
            .map(|i| i + 1)
            .collect();
        assert!(
            !columns.is_empty(),
            "no group {heading:?} in {:?}",
            self.groups
        );
        columns
    }
}

fn form(data: &Path, args: &[&str], out: &Path) {
    let out = out.display().to_string();
    let (code, output) = run_cadre(data, &[&["-q", "form"], args, &["--out", &out]].concat());
    assert_eq!(code, Some(0), "{args:?}: {output}");
}

fn end_of_2017() -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 12, 31).unwrap()
}

fn model(data: &Path) -> District {
    let store = Store::open(data).unwrap();
    cadre::projection::replay(&store, store.head().position, &mut |_, _| {}).unwrap()
}

#[test]
fn the_forms_add_up_as_defined_and_give_the_read_models_figures() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, output) = run_cadre(&data, &["-q", "demo", "--scale", "0.05"]);
    assert_eq!(code, Some(0), "{output}");
    let path = |name: &str| dir.path().join(name);
    form(
        &data,
        &["10-btctw", "--year", "2017", "--format", "xlsx"],
        &path("t.xlsx"),
    );
    form(
        &data,
        &["bm01", "--year", "2017", "--format", "xlsx"],
        &path("b1.xlsx"),
    );
    form(
        &data,
        &["bm02", "--as-of", "31/12/2017", "--format", "xlsx"],
        &path("b2.xlsx"),
    );
    form(&data, &["bm01", "--as-of", "2017-12-31"], &path("b1.html"));
    let model = model(&data);

    let training = Sheet::read(&path("t.xlsx"));
    training.columns_add_up(3, &[4, 6, 8]);
    training.columns_add_up(10, &[11, 12]);
    let groups: Vec<usize> = (0..training.rows.len())
        .filter(|i| {
            training.rows[*i].0.chars().all(|c| "IVX".contains(c))
                && !training.rows[*i].0.is_empty()
        })
        .collect();
    assert_eq!(groups.len(), ProgrammeCategory::ALL.len());
    let last = training.rows.len() - 1;
    for (g, start) in groups.iter().enumerate() {
        let end = groups.get(g + 1).copied().unwrap_or(last);
        training.rows_add_up(*start, &(start + 1..end).collect::<Vec<_>>());
    }
    training.rows_add_up(last, &groups);
    let totals = yearly_totals(&model, 2017);
    let total = &training.rows[last];
    assert_eq!(Sheet::count(total, 3), totals.participations.total);
    assert!(totals.participations.total > 0);
    let by_level = |l| {
        totals
            .participations
            .by_unit_level
            .get(&l)
            .copied()
            .unwrap_or(0)
    };
    assert_eq!(Sheet::count(total, 6), by_level(UnitLevel::District));
    assert_eq!(Sheet::count(total, 8), by_level(UnitLevel::Commune));
    for (row, category) in groups.iter().zip(ProgrammeCategory::ALL) {
        let expected = totals
            .participations
            .by_track
            .get(category)
            .copied()
            .unwrap_or(0);
        assert_eq!(
            Sheet::count(&training.rows[*row], 3),
            expected,
            "{category:?}"
        );
    }
    for row in &training.rows {
        assert_eq!(
            Sheet::value(row, 4),
            None,
            "province level is not recorded, not 0"
        );
        assert_eq!(Sheet::value(row, 5), None);
    }

    let h = headcount(&model, end_of_2017(), cadre::domain::vocab::Lang::Vi);
    let mut staff = 0;
    for (file, level) in [
        ("b1.xlsx", UnitLevel::District),
        ("b2.xlsx", UnitLevel::Commune),
    ] {
        let sheet = Sheet::read(&path(file));
        sheet.rows_add_up(0, &(1..sheet.rows.len()).collect::<Vec<_>>());
        for heading in [
            "Theo đối tượng",
            "Trình độ chuyên môn",
            "Lý luận chính trị",
            "Quản lý nhà nước",
            "Độ tuổi",
        ] {
            sheet.columns_add_up(4, &sheet.group(heading));
        }
        let total = &sheet.rows[0];
        let group = h
            .by_unit_level
            .iter()
            .find(|g| g.code == level.code())
            .unwrap();
        assert_eq!(Sheet::count(total, 4), group.tally.staff, "{file}");
        let of_which = sheet.group("Trong đó");
        let tally = [
            group.tally.women,
            group.tally.ethnic_minorities,
            group.tally.party_members,
            group.tally.party_not_recorded,
        ];
        for (column, expected) in of_which.iter().zip(tally) {
            assert_eq!(
                Sheet::count(total, *column),
                expected,
                "{file} column {column}"
            );
        }
        for not_recorded in [vec![3], sheet.group("Ngạch (không ghi nhận)")].concat() {
            assert!(
                sheet
                    .rows
                    .iter()
                    .all(|r| Sheet::value(r, not_recorded).is_none()),
                "{file} {not_recorded}"
            );
        }
        let named = |label: &str| {
            sheet
                .groups
                .iter()
                .position(|g| g.starts_with(label))
                .unwrap()
                + 1
        };
        for label in ["Tin học", "Ngoại ngữ"] {
            assert!(
                sheet
                    .rows
                    .iter()
                    .all(|r| Sheet::value(r, named(label)).is_none()),
                "{file} {label}"
            );
        }
        staff += Sheet::count(total, 4);
    }
    assert_eq!(
        staff, h.total.staff,
        "BM01 and BM02 together are everyone in service"
    );

    let html = std::fs::read_to_string(path("b1.html")).unwrap();
    assert!(html.contains("@page { size: A4 landscape"));
    assert!(html.contains("BM01/BNV") && html.contains("Tính đến ngày 31/12/2017"));
    let first = Sheet::read(&path("b1.xlsx")).rows[0].clone();
    assert!(html.contains(&format!("<td class=\"n\">{}</td>", Sheet::count(&first, 4))));
    assert!(
        html.contains("<td class=\"nr\""),
        "not recorded is marked in the HTML too"
    );
}

#[test]
fn a_form_is_the_same_bytes_each_time_and_names_its_choices() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, output) = run_cadre(&data, &["-q", "demo", "--scale", "0.02"]);
    assert_eq!(code, Some(0), "{output}");
    let once = run_cadre(
        &data,
        &["-q", "form", "10-btctw", "--year", "2017", "--lang", "en"],
    );
    let again = run_cadre(
        &data,
        &["-q", "form", "10-btctw", "--year", "2017", "--lang", "en"],
    );
    assert_eq!(once, again);
    assert!(once.1.contains("<html lang=\"en\">") && once.1.contains("Of which leaders, managers"));
    let (code, output) = run_cadre(&data, &["form", "bm03", "--year", "2017"]);
    assert_ne!(code, Some(0));
    assert!(output.contains("10-btctw"), "{output}");
    let (code, output) = run_cadre(&data, &["form", "bm01"]);
    assert_ne!(code, Some(0));
    assert!(
        output.contains("--year") && output.contains("--as-of"),
        "{output}"
    );
}
