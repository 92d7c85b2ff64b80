//! Seats and enrolments agree through the API, whatever dates the clerk sends: the two
//! reproductions of issue 10, finding 1.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Server, expect, world};

/// Posts as the clerk and expects a refusal with `code`; returns nothing.
async fn refused(server: &Server, path: &str, body: Value, code: &str) {
    let response = server
        .post(path, &server.clerk, &body)
        .send()
        .await
        .unwrap();
    let problem = expect(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["code"], code, "{path}: {problem}");
}

/// The seats the session's read model counts, once it has caught up with the head.
async fn seats_taken(server: &Server, session: &str) -> Value {
    server.read_caught_up(&format!("/sessions/{session}")).await["seats_taken"].clone()
}

fn on(date: &str) -> Value {
    json!({"reason": "Lý do sức khỏe", "effective_date": date})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backdated_withdrawal_frees_no_seat_and_a_re_enrolment_keeps_its_own() {
    let server = Server::start().await;
    let w = world(&server).await;
    let a = format!("/people/{}", w.person);
    let b = format!(
        "/people/{}",
        server.another_person(&w.unit, "Lò Thị Mai").await
    );
    let schedule = server
        .read_caught_up(&format!("/sessions/{}", w.session))
        .await;
    let single = server
        .record(
            "/sessions",
            json!({"programme": schedule["schedule"]["programme"], "starts_on": "2017-03-01", "ends_on": "2017-05-30",
                   "capacity": 1, "effective_date": "2017-01-10"}),
        )
        .await["subject"]
        .as_str()
        .unwrap()
        .to_string();

    // One seat: A enrols on 10/03; a withdrawal dated 01/03 is refused, so B finds the
    // session full and only A completes.
    let enrol = |session: &str, date: &str| json!({"session": session, "effective_date": date});
    server
        .record(&format!("{a}/enrolments"), enrol(&single, "2017-03-10"))
        .await;
    let head = server.store.head();
    let a_single = format!("{a}/enrolments/{single}");
    refused(
        &server,
        &format!("{a_single}/withdrawal"),
        on("2017-03-01"),
        "enrolment_out_of_order",
    )
    .await;
    assert_eq!(server.store.head(), head, "nothing was appended");
    refused(
        &server,
        &format!("{b}/enrolments"),
        enrol(&single, "2017-03-12"),
        "session_full",
    )
    .await;
    server
        .record(
            &format!("{a_single}/completion"),
            json!({"result": "passed", "effective_date": "2017-05-30"}),
        )
        .await;
    refused(
        &server,
        &format!("{b}/enrolments/{single}/completion"),
        json!({"result": "passed", "effective_date": "2017-05-30"}),
        "no_active_enrolment",
    )
    .await;
    assert_eq!(seats_taken(&server, &single).await, 1);

    // Enrol 10/03, withdraw 20/03: a re-enrolment dated 15/03 is refused; one dated 25/03
    // is a new enrolment with its own seat, which a later withdrawal gives back.
    let b_session = format!("{b}/enrolments/{}", w.session);
    server
        .record(&format!("{b}/enrolments"), enrol(&w.session, "2017-03-10"))
        .await;
    server
        .record(&format!("{b_session}/withdrawal"), on("2017-03-20"))
        .await;
    refused(
        &server,
        &format!("{b}/enrolments"),
        enrol(&w.session, "2017-03-15"),
        "enrolment_out_of_order",
    )
    .await;
    server
        .record(&format!("{b}/enrolments"), enrol(&w.session, "2017-03-25"))
        .await;
    assert_eq!(seats_taken(&server, &w.session).await, 1);
    refused(
        &server,
        &format!("{b_session}/withdrawal"),
        on("2017-03-22"),
        "enrolment_out_of_order",
    )
    .await;
    server
        .record(&format!("{b_session}/withdrawal"), on("2017-03-28"))
        .await;
    assert_eq!(seats_taken(&server, &w.session).await, 0);
    server.stop().await;
}
