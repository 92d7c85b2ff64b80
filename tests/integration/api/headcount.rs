//! `GET /headcount`: the staff in service on a date, of which women, ethnic minorities and
//! party members, by category, unit level, level held and age band; a registration of
//! schema version 2 (before party membership) counted as not recorded; as known at a
//! past position, the figures of then.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Server, expect, world};

/// A woman registered at `PersonRegistered` version 2, appended raw as the log of then
/// holds it: no party membership.
async fn registered_at_version_2(server: &Server, unit: &str) {
    use cadre::domain::vocab::{Gender, StaffCategory};
    use cadre::domain::{PersonId, StaffCode, UnitId};
    use cadre::stored::upcast::PersonRegisteredV2;

    let person = PersonId(uuid::Uuid::now_v7());
    let old = PersonRegisteredV2 {
        person,
        full_name: "Lò Thị Cũ".into(),
        birth_date: chrono::NaiveDate::from_ymd_opt(1995, 5, 19).unwrap(),
        gender: Gender::Female,
        ethnicity: "Thái".into(),
        category: StaffCategory::CommuneOfficial,
        unit: UnitId(unit.parse().unwrap()),
        post: "Văn thư".into(),
        leadership: false,
        effective_date: chrono::NaiveDate::from_ymd_opt(2017, 1, 4).unwrap(),
        staff_code: Some(StaffCode::parse("DB-9001").unwrap()),
    };
    let payload = cadre::codec::encode(&old).unwrap();
    super::append_stored(server, person, "PersonRegistered", 2, payload).await;
}

async fn headcount(server: &Server, query: &str) -> Value {
    server.read_caught_up(&format!("/headcount?{query}")).await
}

/// The people counted in each entry of a list of groups, levels or bands.
fn counts(list: &Value, field: &str) -> Vec<u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|g| g[field].as_u64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_headcount_counts_who_is_in_service_and_says_what_is_not_recorded() {
    let server = Server::start().await;
    // Quàng Văn Hùng, born 1980, Thái, party membership not given.
    let w = world(&server).await;
    server
        .record(
            "/people",
            json!({"full_name": "Nguyễn Thị Lan", "birth_date": "1960-03-01", "gender": "nữ", "ethnicity": "Kinh",
                   "category": "commune_official", "unit": w.unit, "post": "Văn thư", "leadership": false,
                   "effective_date": "2017-01-03", "party_member": true}),
        )
        .await;
    let before_the_old_record = server.store.head().position;
    registered_at_version_2(&server, &w.unit).await;

    let h = headcount(&server, "as_of=2017-12-31&lang=en").await;
    let total = &h["total"];
    assert_eq!(total["staff"], 3, "{h}");
    assert_eq!(total["women"], 2, "{h}");
    assert_eq!(total["ethnic_minorities"], 2, "{h}");
    assert_eq!(total["party_members"], 1, "{h}");
    assert_eq!(
        total["party_not_recorded"], 2,
        "the version 2 registration and the one that did not say: {h}"
    );
    assert_eq!(counts(&h["by_category"], "staff").iter().sum::<u64>(), 3);
    assert_eq!(counts(&h["by_unit_level"], "staff"), [0, 3]);
    for dimension in h["qualifications"].as_array().unwrap() {
        match dimension["code"].as_str().unwrap() {
            "information_technology" | "foreign_language" => {
                assert_eq!(dimension["levels"], Value::Null, "not recorded, not 0")
            }
            _ => assert_eq!(
                counts(&dimension["levels"], "people").iter().sum::<u64>(),
                3,
                "{dimension}"
            ),
        }
    }
    // 22, 37, and a woman of 57 (her retirement age was 55).
    assert_eq!(counts(&h["age_bands"], "people"), [1, 1, 0, 0, 1], "{h}");

    let known_then = headcount(
        &server,
        &format!("as_of=2017-12-31&as_known_at={before_the_old_record}"),
    )
    .await;
    assert_eq!(known_then["total"]["staff"], 2, "{known_then}");
    assert_eq!(known_then["total"]["party_not_recorded"], 1);
    let earlier = headcount(&server, "as_of=2016-12-31").await;
    assert_eq!(earlier["total"]["staff"], 0, "nobody had joined by then");

    let bad = server
        .get("/headcount?as_known_at=yesterday", &server.viewer)
        .send()
        .await
        .unwrap();
    expect(bad, StatusCode::BAD_REQUEST).await;
}
