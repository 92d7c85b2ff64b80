//! `POST /import/{kind}`: the file as the body, validated whole, idempotent, clerks only.

use reqwest::StatusCode;

use super::{Server, expect, world};

const PEOPLE: &str = "Mã cán bộ;Họ và tên;Ngày sinh;Giới tính;Dân tộc;Đối tượng;Đơn vị;Chức vụ;Ngày vào\n\
DB-1;Lò Văn Hùng;02/04/1980;Nam;Thái;công chức cấp xã;Xã Pom Lót;Chủ tịch UBND xã;03/01/2017\n\
DB-2;Cà Thị Xuân;05/11/1985;Nữ;Thái;công chức cấp xã;xa-pom-lot;Công chức Tư pháp - Hộ tịch;03/01/2017\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_posted_by_a_clerk_is_imported_once() {
    let server = Server::start().await;
    world(&server).await;
    let post_bytes = |token: &str, query: &str, body: Vec<u8>| {
        server
            .client
            .post(format!("{}/import/people{query}", server.base))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(body)
    };
    let post = |token: &str, query: &str, body: &str| post_bytes(token, query, body.into());
    expect(
        post(&server.viewer, "", PEOPLE).send().await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    let head = server.store.head();
    let dry_run = async |body: Vec<u8>| {
        let answer = post_bytes(&server.clerk, "?dry_run=true", body).send();
        expect(answer.await.unwrap(), StatusCode::OK).await
    };
    let dry = dry_run(PEOPLE.into()).await;
    assert_eq!(
        (dry["new"].as_u64(), dry["dry_run"].as_bool()),
        (Some(2), Some(true))
    );
    assert_eq!(dry["encoding"], "utf-8");
    assert_eq!(server.store.head(), head);
    // Saved by Excel on Vietnamese Windows: tone marks combining ("Lò" is o, 0xCC).
    let windows_1258 = b"code;full name;birth date;gender;ethnicity;category;unit;post;effective date\r\n\
DB-3;Lo\xcc V\xe3n Hu\xccng;02/04/1980;Nam;Tha\xeci;commune_official;xa-pom-lot;Chu\xd2 ti\xf2ch;03/01/2017\r\n";
    let read = dry_run(windows_1258.to_vec()).await;
    assert_eq!(
        (read["new"].as_u64(), read["encoding"].as_str()),
        (Some(1), Some("windows-1258"))
    );
    let done = expect(
        post(&server.clerk, "", PEOPLE).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(done["new"], 2);
    let again = expect(
        post(&server.clerk, "", PEOPLE).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (again["new"].as_u64(), again["already_recorded"].as_u64()),
        (Some(0), Some(2))
    );

    let bad = PEOPLE
        .replace("02/04/1980", "31/02/1980")
        .replace("Xã Pom Lót", "Xã Không Có");
    let head = server.store.head();
    let problem = expect(
        post(&server.clerk, "", &bad).send().await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let columns: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["column"].as_str().unwrap())
        .collect();
    assert_eq!(
        columns,
        vec!["Ngày sinh", "Đơn vị"],
        "the file's own headers"
    );
    assert!(
        problem["errors"][0]["why"]
            .as_str()
            .unwrap()
            .starts_with("tháng 2 không có ngày 31"),
        "Vietnamese by default: {problem}"
    );
    let english = expect(
        post(&server.clerk, "", &bad)
            .header("accept-language", "en-GB,en;q=0.8")
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        english["errors"][0]["why"]
            .as_str()
            .unwrap()
            .starts_with("February has no day 31"),
        "{english}"
    );
    let csv = post(&server.clerk, "?lang=en", &bad)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = csv.text().await.unwrap();
    assert!(
        text.contains("row,column,value,why\n2,Ngày sinh,31/02/1980,February has no day 31"),
        "{text:?}"
    );
    assert_eq!(server.store.head(), head, "nothing appended");
    expect(
        post(&server.clerk, "", "not,a,people\nfile\n")
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let unknown = server
        .client
        .post(format!("{}/import/pets", server.base))
        .bearer_auth(&server.clerk)
        .body("x")
        .send()
        .await
        .unwrap();
    expect(unknown, StatusCode::NOT_FOUND).await;
    server.stop().await;
}
