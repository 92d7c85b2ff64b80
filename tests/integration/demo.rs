//! `cadre demo` through the real binary, then the district checked against the article.

use std::collections::BTreeMap;

use cadre::domain::event::RotationStarted;
use cadre::domain::post;
use cadre::domain::vocab::{ProgrammeCategory, RotationOutcome};
use cadre::domain::{Event, PersonHistory, PersonId, PolicySet};
use cadre::projection::District;
use cadre::store::Store;
use chrono::NaiveDate;

use crate::engines::At;
use crate::helpers::cadre;

fn end_of_2017() -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 12, 31).unwrap()
}

#[test]
fn the_demo_district_loads_through_the_binary_and_matches_the_article() {
    let dir = tempfile::tempdir().unwrap();
    the_demo_matches_the_article(&At::sled(dir.path().join("data")));
}

/// `cadre demo` into the store `at`, then the district checked against the article and the
/// report against independent counts: what the demo shows on either engine.
pub fn the_demo_matches_the_article(at: &At) {
    let loaded = at.cadre().arg("demo").output().unwrap();
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    assert!(String::from_utf8_lossy(&loaded.stdout).contains("loaded the demo district"));

    let again = at.cadre().arg("demo").output().unwrap();
    assert_eq!(again.status.code(), Some(2), "a second load is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds"));

    let stats = at.cadre().arg("stats").output().unwrap();
    let stats = String::from_utf8_lossy(&stats.stdout).into_owned();
    let count = |event_type: &str| -> u64 {
        stats
            .lines()
            .find_map(|l| l.trim().strip_prefix(event_type)?.trim().parse().ok())
            .unwrap_or(0)
    };
    assert!((3300..4000).contains(&count("PersonRegistered")), "{stats}");
    assert_eq!(
        count("UnitRegistered"),
        34,
        "14 district bodies and 20 communes"
    );
    assert!(
        count("EventCorrected") >= 3 && count("EventVoided") >= 1,
        "{stats}"
    );

    assert!(at.cadre().arg("verify").output().unwrap().status.success());

    let store = Store::open_at(&at.location()).unwrap();
    let events: Vec<(uuid::Uuid, Event)> = store
        .read_all(1)
        .map(|r| {
            let r = r.unwrap();
            (r.id, cadre::stored::decode(&r).unwrap())
        })
        .collect();
    check_json_round_trip(&events);
    check_2017_training(&events);
    check_2017_rotations(&events);
    check_compliance_below_target(&events);
    check_posts_fit_units(&events);
    let model = cadre::projection::replay(&store, store.head().position, &mut |_, _| {}).unwrap();
    check_rosters(&model);
    check_rotated_leaders(&model, &events);
    drop(store);
    let report = check_report_formats(at);
    check_headcount(at, &report);
}

/// From `cadre log`: everyone's registration and separation dates. More than 3,200 in
/// service on every day of 2017 (registered by then, not separated by then), as the
/// article says; the report's headcount on 31/12 is that count, and each of its
/// breakdowns adds up to it.
fn check_headcount(at: &At, report: &serde_json::Value) {
    let log = at.cadre().arg("log").output().unwrap();
    assert!(log.status.success());
    let mut change: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut dated = Vec::new();
    for line in String::from_utf8(log.stdout).unwrap().lines() {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        let data = &event["data"];
        let step = match event["type"].as_str().unwrap() {
            "PersonRegistered" => 1,
            "PersonSeparated" => -1,
            "EventCorrected" | "EventVoided" => {
                let target = data.get("corrects").or(data.get("voids")).unwrap();
                assert!(
                    !dated.contains(target),
                    "the demo corrects no date of service"
                );
                continue;
            }
            _ => continue,
        };
        dated.push(event["id"].clone());
        let on: NaiveDate = serde_json::from_value(data["effective_date"].clone()).unwrap();
        *change.entry(on).or_default() += step;
    }
    let mut in_service = 0;
    let mut by_day = BTreeMap::new();
    let mut changes = change.into_iter().peekable();
    for day in NaiveDate::from_ymd_opt(2011, 12, 1)
        .unwrap()
        .iter_days()
        .take_while(|d| *d <= end_of_2017())
    {
        while let Some((_, step)) = changes.next_if(|(on, _)| *on <= day) {
            in_service += step;
        }
        by_day.insert(day, in_service);
    }
    let fewest_in_2017 = by_day
        .range(NaiveDate::from_ymd_opt(2017, 1, 1).unwrap()..)
        .map(|(_, n)| *n)
        .min();
    assert!(fewest_in_2017 > Some(3200), "{fewest_in_2017:?}");

    let headcount = &report["headcount"];
    let total = headcount["total"]["staff"].as_i64().unwrap();
    assert_eq!(total, by_day[&end_of_2017()]);
    let sum = |list: &serde_json::Value, field: &str| -> i64 {
        list.as_array()
            .unwrap()
            .iter()
            .map(|g| g[field].as_i64().unwrap())
            .sum()
    };
    assert_eq!(sum(&headcount["by_category"], "staff"), total);
    assert_eq!(sum(&headcount["by_unit_level"], "staff"), total);
    assert_eq!(sum(&headcount["age_bands"], "people"), total);
    for dimension in headcount["qualifications"].as_array().unwrap() {
        if !dimension["levels"].is_null() {
            assert_eq!(sum(&dimension["levels"], "people"), total, "{dimension}");
        }
    }
    let above_retirement_age = &headcount["age_bands"][4];
    assert_eq!(above_retirement_age["band"], "above_retirement_age");
    assert_eq!(
        above_retirement_age["people"], 0,
        "everyone retires on time"
    );
    let women = headcount["total"]["women"].as_i64().unwrap();
    assert!(women > 0 && women < total);
}

/// Every commune's roster lists its people, and the unit rates add up to the district's.
fn check_rosters(model: &District) {
    use cadre::domain::vocab::Lang;
    use cadre::projection::views;
    let policies = PolicySet::default_set();
    let district = views::compliance(model, end_of_2017(), None, &policies, Lang::Vi);
    let mut in_scope_by_units = vec![0u64; district.targets.len()];
    for unit in model.units.keys() {
        let roster = views::roster(model, *unit, end_of_2017(), &policies, Lang::Vi).unwrap();
        assert!(!roster.people.is_empty(), "{} has nobody", roster.unit_name);
        assert_eq!(
            roster.by_category.values().sum::<u64>(),
            roster.people.len() as u64
        );
        for (i, target) in roster.compliance.targets.iter().enumerate() {
            in_scope_by_units[i] += target.rate.applies;
        }
    }
    let district_in_scope: Vec<u64> = district.targets.iter().map(|t| t.rate.applies).collect();
    assert_eq!(in_scope_by_units, district_in_scope);
    let pom_lot = model
        .units
        .values()
        .find(|u| u.name == "Xã Pom Lót")
        .unwrap();
    let roster = views::roster(model, pom_lot.unit, end_of_2017(), &policies, Lang::Vi).unwrap();
    assert!(roster.people.iter().any(|p| p.post == "Bí thư Đảng ủy xã"));
}

/// Builds the 2017 report through the binary in every format and checks the article's
/// figures, that the formats agree, and that a second run gives the same bytes.
fn check_report_formats(at: &At) -> serde_json::Value {
    let out = at.data.parent().unwrap();
    let build = |format: &str, name: &str| -> Vec<u8> {
        let path = out.join(name);
        let run = at
            .cadre()
            .args(["report", "--year", "2017", "--format", format, "--out"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        std::fs::read(path).unwrap()
    };
    let json = build("json", "r1.json");
    assert_eq!(
        json,
        build("json", "r2.json"),
        "two runs give identical bytes"
    );
    let xlsx = build("xlsx", "r1.xlsx");
    assert_eq!(
        xlsx,
        build("xlsx", "r2.xlsx"),
        "two runs give identical bytes"
    );
    let html = String::from_utf8(build("html", "r.html")).unwrap();
    assert!(!build("csv", "r.csv").is_empty() && !build("md", "r.md").is_empty());

    let report: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let section = |id: &str| -> Vec<Vec<serde_json::Value>> {
        let sections = report["sections"].as_array().unwrap();
        let found = sections.iter().find(|s| s["id"] == id).unwrap();
        serde_json::from_value(found["rows"].clone()).unwrap()
    };
    let by_track = section("participations_by_track");
    let main_tracks: u64 = by_track[..3].iter().map(|r| r[1].as_u64().unwrap()).sum();
    assert!(main_tracks > 300, "{main_tracks}");
    let rotations = section("rotations");
    assert_eq!(rotations[0][2], 11, "11 rotations started in 2017");
    assert_eq!(rotations[3][2], 11, "all 11 completed well");
    let appraisals: u64 = section("appraisals")
        .iter()
        .map(|r| r[1].as_u64().unwrap())
        .sum();
    assert!(appraisals > 2500);
    for target in section("compliance") {
        assert!(target[3].as_f64().unwrap() < 100.0, "{target:?}");
    }
    assert!(!section("shortfalls").is_empty());
    assert!(html.contains("<svg") && html.contains("Báo cáo năm 2017"));

    let summary: Vec<u64> = section("summary")
        .iter()
        .map(|r| r[1].as_u64().unwrap())
        .collect();
    let html_summary = &html[html.find("id=\"summary\"").unwrap()
        ..html.find("id=\"participations_by_track\"").unwrap()];
    for n in &summary {
        assert!(
            html_summary.contains(&format!(
                "<td class=\"n\">{}</td>",
                cadre::domain::vocab::Lang::Vi.count(*n)
            )),
            "HTML lacks {n}"
        );
    }
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = workbook.worksheet_range("Tổng hợp").unwrap();
    let from_xlsx: Vec<u64> = sheet
        .rows()
        .skip(3)
        .map(|row| match &row[1] {
            calamine::Data::Float(f) => *f as u64,
            other => panic!("not a number: {other:?}"),
        })
        .collect();
    assert_eq!(
        from_xlsx, summary,
        "the spreadsheet shows the JSON's figures"
    );
    let staff = section("headcount");
    assert_eq!(staff[0][2], report["headcount"]["total"]["staff"]);
    assert!(html.contains("id=\"headcount\""));
    report
}

/// Every event's JSON reads back as the same event.
fn check_json_round_trip(events: &[(uuid::Uuid, Event)]) {
    for (_, event) in events {
        let back = Event::from_json(event.type_name(), event.to_json()).unwrap();
        assert_eq!(&back, event);
    }
    let names: Vec<&str> = events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::PersonRegistered(p) => Some(p.full_name.as_str()),
            _ => None,
        })
        .collect();
    assert!(names.iter().any(|n| n.contains('ễ')) && names.iter().any(|n| n.contains("Thị")));
}

fn check_2017_training(events: &[(uuid::Uuid, Event)]) {
    let categories: BTreeMap<_, _> = events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::ProgrammeRegistered(p) => Some((p.programme, p.category)),
            _ => None,
        })
        .collect();
    let mut main_tracks = 0;
    for (_, event) in events {
        if let Event::EnrolledInSession(e) = event
            && e.effective_date.format("%Y").to_string() == "2017"
        {
            let category = categories[&e.programme];
            if matches!(
                category,
                ProgrammeCategory::PoliticalTheory
                    | ProgrammeCategory::StateManagement
                    | ProgrammeCategory::Professional
            ) {
                main_tracks += 1;
            }
        }
    }
    assert!(
        main_tracks > 300,
        "{main_tracks} participations in the three main tracks in 2017"
    );
}

fn check_2017_rotations(events: &[(uuid::Uuid, Event)]) {
    let started: Vec<uuid::Uuid> = events
        .iter()
        .filter_map(|(id, e)| match e {
            Event::RotationStarted(r) if r.effective_date.format("%Y").to_string() == "2017" => {
                Some(*id)
            }
            _ => None,
        })
        .collect();
    assert_eq!(started.len(), 11);
    let ended_well = events
        .iter()
        .filter(|(_, e)| {
            matches!(e, Event::RotationEnded(r)
                if started.contains(&r.rotation) && r.outcome == RotationOutcome::CompletedWell)
        })
        .count();
    assert_eq!(ended_well, 11);
}

fn check_compliance_below_target(events: &[(uuid::Uuid, Event)]) {
    let mut people: BTreeMap<PersonId, PersonHistory> = BTreeMap::new();
    for (id, event) in events {
        if let Some(person) = event.person() {
            people.entry(person).or_default().apply(*id, event.clone());
        }
    }
    let policies = PolicySet::default_set();
    let policy = policies.in_force(end_of_2017()).unwrap();
    for target in &policy.targets {
        let (mut applies, mut met) = (0, 0);
        for history in people.values() {
            let Some(view) = history.view(Some(end_of_2017())) else {
                continue;
            };
            if view.separated.is_some() || !target.applies_to(&view) {
                continue;
            }
            applies += 1;
            met += usize::from(target.evaluate(&view).is_met());
        }
        assert!(applies > 20, "{}: {applies} people in scope", target.id);
        assert!(met < applies, "{}: everyone compliant", target.id);
        assert!(
            met * 2 > applies,
            "{}: most people compliant ({met}/{applies})",
            target.id
        );
    }
}

#[test]
fn everyone_in_the_demo_has_a_staff_code_that_status_and_exports_find() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str]| cadre(&data).args(args).output().unwrap();
    assert!(run(&["demo", "--scale", "0.03"]).status.success());

    let first = run(&["status", "DB-000001", "--as-of", "2017-12-31"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let first: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(first["staff_code"], "DB-000001");
    // Any case; and the same person by id.
    let id = first["person"].as_str().unwrap();
    let by_id = run(&["status", id, "--as-of", "2017-12-31"]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&by_id.stdout).unwrap(),
        first
    );
    let lower = run(&["status", "db-000001", "--as-of", "2017-12-31"]);
    assert!(lower.status.success());

    let nobody = run(&["status", "DB-999999"]);
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("nobody holds staff code DB-999999"));

    // Every registration claimed its code: as many claims as registrations.
    let store = Store::open(&data).unwrap();
    let counts = store.type_counts().unwrap();
    assert_eq!(
        counts.get("StaffCodeClaimed"),
        counts.get("PersonRegistered")
    );
    assert!(counts.get("PersonRegistered").is_some_and(|n| *n > 50));
    store.close().unwrap();
    drop(store);

    // Every row of the export carries its code and birth date.
    let export = run(&["export", "people", "--format", "json"]);
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&export.stdout).unwrap();
    assert!(!rows.is_empty());
    for row in &rows {
        let code = row["staff_code"].as_str().unwrap();
        assert!(code.starts_with("DB-") && code.len() == 9, "{row}");
        assert!(
            row["birth_date"].as_str().is_some_and(|b| b.len() == 10),
            "{row}"
        );
    }
}

#[test]
fn the_demo_numbers_its_codes_after_the_prefix_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str]| cadre(&data).args(args).output().unwrap();
    assert!(
        run(&["demo", "--scale", "0.01", "--code-prefix", "HT-"])
            .status
            .success()
    );
    let status = run(&["status", "HT-000001", "--as-of", "2017-12-31"]);
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(!run(&["status", "DB-000001"]).status.success());
}

/// Each unit's staff hold posts of its kind, and the registration's leadership flag says
/// what the post's title says.
fn check_posts_fit_units(events: &[(uuid::Uuid, Event)]) {
    let codes: BTreeMap<_, _> = events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::UnitRegistered(u) => Some((u.unit, u.code.clone())),
            _ => None,
        })
        .collect();
    let mut posts: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for (_, event) in events {
        if let Event::PersonRegistered(p) = event {
            assert_eq!(p.leadership, post::is_leading(&p.post), "{p:?}");
            let unit = codes[&p.unit].as_str();
            let unit = if unit.starts_with("xa-") { "xa" } else { unit };
            *posts.entry(unit).or_default().entry(&p.post).or_default() += 1;
        }
    }
    let has = |unit: &str, post: &str| posts[unit].contains_key(post);
    for post in [
        "Bác sĩ",
        "Y sĩ",
        "Điều dưỡng",
        "Dược sĩ",
        "Hộ sinh",
        "Giám đốc",
    ] {
        assert!(has("trung-tam-y-te", post), "health centre lacks {post}");
    }
    for post in ["Giáo viên", "Hiệu trưởng", "Phó Hiệu trưởng"] {
        assert!(has("khoi-truong-hoc", post), "schools lack {post}");
    }
    assert!(has("ban-chi-huy-quan-su", "Chỉ huy trưởng"));
    assert!(has("cong-an-huyen", "Trưởng Công an huyện"));
    for post in [
        "Chủ tịch UBND xã",
        "Phó Chủ tịch UBND xã",
        "Bí thư Đảng ủy xã",
        "Phó Bí thư Đảng ủy xã",
        "Công chức Tư pháp - Hộ tịch",
        "Chỉ huy trưởng Quân sự xã",
    ] {
        assert!(has("xa", post), "communes lack {post}");
    }
    for post in ["Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên", "Kế toán"] {
        assert!(
            has("phong-noi-vu", post) || has("phong-giao-duc", post),
            "{post}"
        );
    }
    for (unit, posts) in &posts {
        let teaches = posts.contains_key("Giáo viên");
        let nurses = posts.contains_key("Bác sĩ") || posts.contains_key("Điều dưỡng");
        assert_eq!(
            teaches,
            *unit == "khoi-truong-hoc",
            "{unit}: teachers only in schools"
        );
        assert_eq!(
            nurses,
            *unit == "trung-tam-y-te",
            "{unit}: doctors only in health"
        );
    }
    let health = &posts["trung-tam-y-te"];
    let leaders: usize = health
        .iter()
        .filter(|(p, _)| post::is_leading(p))
        .map(|(_, n)| n)
        .sum();
    let staff: usize = health.values().sum();
    assert!(
        leaders * 10 < staff,
        "doctors and nurses mostly lead nobody: {leaders}/{staff}"
    );
}

/// While a 2017 rotation into a commune's leading post lasts, the person counts among
/// leaders — in their status and in the commune's compliance — and once it ends, their
/// own flag applies again.
fn check_rotated_leaders(model: &District, events: &[(uuid::Uuid, Event)]) {
    use cadre::domain::vocab::Lang;
    use cadre::projection::views;
    const LEADERS: &str = "leaders-university-and-state-management";
    let policies = PolicySet::default_set();
    let rotations: Vec<&RotationStarted> = events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::RotationStarted(r) if r.effective_date.format("%Y").to_string() == "2017" => {
                Some(r)
            }
            _ => None,
        })
        .collect();
    assert!(rotations.iter().all(|r| post::is_leading(&r.to.post)));
    let status = |r: &RotationStarted, on: NaiveDate| {
        views::person_status(model, r.person, on, &policies, Lang::Vi).unwrap()
    };
    let leads = |status: &views::PersonStatus| {
        status.leadership && status.compliance.iter().any(|t| t.target == LEADERS)
    };
    let before = |r: &RotationStarted| r.effective_date.pred_opt().unwrap();
    let non_leaders: Vec<&&RotationStarted> = rotations
        .iter()
        .filter(|r| !status(r, before(r)).leadership)
        .collect();
    assert!(!non_leaders.is_empty(), "a non-leader rotated in 2017");
    for r in non_leaders {
        let during = r.effective_date;
        assert!(
            leads(&status(r, during)),
            "{} leads in {}",
            r.person,
            r.to.post
        );
        assert!(!leads(&status(r, end_of_2017())), "{} is back", r.person);
        let leaders_in_commune = |on: NaiveDate| {
            let compliance = views::compliance(model, on, Some(r.to.unit), &policies, Lang::Vi);
            let target = compliance
                .targets
                .iter()
                .find(|t| t.target == LEADERS)
                .unwrap();
            let counted: Vec<PersonId> = views::people_in_service(model, on)
                .filter(|v| v.placement.unit == r.to.unit && v.leadership)
                .map(|v| v.person)
                .collect();
            assert_eq!(target.rate.applies, counted.len() as u64);
            counted
        };
        assert!(leaders_in_commune(during).contains(&r.person));
        assert!(!leaders_in_commune(before(r)).contains(&r.person));
    }
}
