//! `GET /forms/{name}`: a statistics form as a download, the bytes the library fills from
//! the same log (so the API's form and `cadre form`'s agree), in either language; an
//! unknown form is a 404 problem, a form without a year or date or in an unknown format a
//! 400.

use reqwest::StatusCode;

use super::{Server, expect, world};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_is_downloaded_as_the_log_fills_it_and_bad_requests_are_problems() {
    let server = Server::start().await;
    world(&server).await;
    let response = server
        .get("/forms/bm02?year=2017&format=xlsx", &server.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let head = server.store.head().position;
    assert_eq!(
        response.headers()["x-cadre-position"],
        head.to_string().as_str()
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("cadre-bm02-2017-12-31.xlsx")
    );
    let served = response.bytes().await.unwrap();
    let options = cadre::forms::Options {
        form: cadre::forms::FormName::Bm02,
        as_of: cadre::forms::year_end(2017),
        as_known_at: None,
        lang: cadre::domain::vocab::Lang::Vi,
    };
    let built = cadre::forms::build(&server.store, options, &mut |_, _| {}).unwrap();
    assert_eq!(
        built.rows[0].values[1],
        cadre::forms::Value::Count(1),
        "the one person of the world"
    );
    let expected = cadre::forms::render(&built, cadre::forms::Format::Xlsx).unwrap();
    assert_eq!(served.as_ref(), expected.as_slice());

    let html = server
        .get("/forms/10-btctw?as_of=2017-06-30&lang=en", &server.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), StatusCode::OK);
    assert_eq!(html.headers()["content-type"], "text/html; charset=utf-8");
    let html = html.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("Year 2017"),
        "{html}"
    );

    for (path, status) in [
        ("/forms/bm03?year=2017", StatusCode::NOT_FOUND),
        ("/forms/bm01", StatusCode::BAD_REQUEST),
        ("/forms/bm01?year=2017&format=pdf", StatusCode::BAD_REQUEST),
    ] {
        let response = server.get(path, &server.viewer).send().await.unwrap();
        expect(response, status).await;
    }
}
