//! `cadre cv` and `GET /people/{id}/cv` on the demo district, through the real binary: the
//! Sơ yếu lý lịch (Mẫu 2C) holds what the ledger holds about the person — identity, unit
//! and post, one training row per qualification and passed programme, the work periods,
//! the appraisal years — leaves what it does not hold as a dotted line, and the XLSX and
//! the API's download carry the same.

use std::path::Path;
use std::time::Duration;

use calamine::Reader;
use serde_json::Value;

use crate::helpers::*;

/// What the form prints where the ledger holds nothing.
const BLANK: &str = "……………………";

/// A demo person with two rotations (and DB-000123, the brief's example).
const PEOPLE: [&str; 2] = ["DB-000020", "DB-000123"];

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (code, output) = run_cadre(dir.path(), &["-q", "demo", "--scale", "0.05"]);
    assert_eq!(code, Some(0), "{output}");
    dir
}

fn stdout(data: &Path, args: &[&str]) -> Vec<u8> {
    let output = cadre(data).arg("-q").args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The cells of each row of the HTML table under the heading that starts with `title`.
fn html_rows(html: &str, title: &str) -> Vec<Vec<String>> {
    let section = html
        .split("<h2>")
        .find(|s| s.starts_with(title))
        .unwrap_or_else(|| panic!("no section {title}"));
    let table = section.split("</table>").next().unwrap();
    table
        .split("<tr>")
        .filter(|row| row.starts_with("<td>"))
        .map(|row| {
            row.split("<td>")
                .skip(1)
                .map(|cell| cell.split("</td>").next().unwrap().to_string())
                .collect()
        })
        .collect()
}

/// The person's events as `cadre export history` lists them: (type, effective date,
/// data).
fn history(data: &Path, code: &str) -> Vec<(String, String, Value)> {
    let csv = stdout(data, &["export", "history"]);
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[0] == code)
        .map(|r| {
            (
                r[3].to_string(),
                r[4].to_string(),
                serde_json::from_str(&r[5]).unwrap(),
            )
        })
        .collect()
}

/// mm/yyyy of an ISO date.
fn month(iso: &str) -> String {
    format!("{}/{}", &iso[5..7], &iso[..4])
}

#[test]
fn a_cv_holds_what_the_ledger_holds_and_leaves_the_rest_blank() {
    let dir = demo();
    let data = dir.path();
    for code in PEOPLE {
        let status: Value = serde_json::from_slice(&stdout(data, &["status", code])).unwrap();
        let html = String::from_utf8(stdout(data, &["cv", code])).unwrap();
        let events = history(data, code);
        let count = |kind: &str| events.iter().filter(|(t, ..)| t == kind).count();
        assert_eq!(count("EventCorrected") + count("EventVoided"), 0, "{code}");

        let name = status["full_name"].as_str().unwrap();
        assert!(html.contains(&name.to_uppercase()), "{code}: {name}");
        let birth = status["birth_date"].as_str().unwrap();
        let written = format!(
            "3) Sinh ngày: {} tháng {} năm {}",
            &birth[8..10],
            &birth[5..7],
            &birth[..4]
        );
        assert!(html.contains(&written), "{code}: {written}");
        let (unit, post) = (
            status["unit_name"].as_str().unwrap(),
            status["post"].as_str().unwrap(),
        );
        assert!(
            html.contains(&format!("Cơ quan, đơn vị sử dụng CBCC: {unit}</p>")),
            "{code}"
        );
        assert!(
            html.contains(&format!(
                "12) Chức vụ (chức danh) hiện tại: {post}, {unit}</p>"
            )),
            "{code}"
        );
        // Not in the ledger: a line to fill by hand, never a value.
        for field in [
            "4) Nơi sinh",
            "5) Quê quán",
            "7) Tôn giáo",
            "21) Khen thưởng",
        ] {
            assert!(
                html.contains(&format!("{field}: {BLANK}")),
                "{code}: {field}"
            );
        }

        // One training row per qualification recorded and per programme passed.
        let training = html_rows(&html, "27)");
        let passed = status["training"]["passed"].as_u64().unwrap() as usize;
        assert_eq!(
            training.len(),
            count("QualificationRecorded") + passed,
            "{code}: {training:?}"
        );
        assert!(passed > 0 || code == "DB-000123", "{code} has training");

        // The work periods: one from the registration, and two per rotation (there and
        // back), the last running to now.
        let work = html_rows(&html, "28)");
        let started: Vec<&String> = events
            .iter()
            .filter(|(t, ..)| t == "RotationStarted")
            .map(|(_, date, _)| date)
            .collect();
        assert_eq!(
            work.len(),
            1 + count("PersonAssigned") + 2 * started.len(),
            "{code}: {work:?}"
        );
        let registered = &events
            .iter()
            .find(|(t, ..)| t == "PersonRegistered")
            .unwrap()
            .1;
        assert!(
            work[0][0].starts_with(&month(registered)),
            "{code}: {work:?}"
        );
        for date in started {
            assert!(
                work.iter().any(|row| row[0].starts_with(&month(date))),
                "{code}: {date} in {work:?}"
            );
        }
        assert!(
            work.last().unwrap()[0].ends_with("– nay"),
            "{code}: {work:?}"
        );

        // The appraisal years, each once.
        let years: Vec<String> = events
            .iter()
            .filter(|(t, ..)| t == "Appraised")
            .map(|(.., data)| data["year"].to_string())
            .collect();
        let shown: Vec<String> = html_rows(&html, "32)")
            .into_iter()
            .map(|row| row[0].clone())
            .collect();
        assert_eq!(shown, years, "{code}");

        // The XLSX: the same rows under the same headers.
        let out = dir.path().join(format!("{code}.xlsx"));
        let out_text = out.display().to_string();
        stdout(data, &["cv", code, "--format", "xlsx", "--out", &out_text]);
        let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
        let sheet = workbook.worksheet_range("Sơ yếu lý lịch").unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        let below = |header: &str, width: usize| -> Vec<Vec<String>> {
            let at = rows.iter().position(|r| r[0] == header).unwrap();
            rows[at + 1..]
                .iter()
                .take_while(|r| !r[0].is_empty())
                .map(|r| r[..width].to_vec())
                .collect()
        };
        let unescape = |rows: Vec<Vec<String>>| -> Vec<Vec<String>> {
            rows.into_iter()
                .map(|r| r.into_iter().map(|c| c.replace("&amp;", "&")).collect())
                .collect()
        };
        assert_eq!(below("Tên trường", 5), unescape(training), "{code}");
        assert_eq!(
            below("Từ tháng, năm đến tháng, năm", 2),
            unescape(work),
            "{code}"
        );
        assert!(
            rows.iter().flatten().any(|c| c == &name.to_uppercase()),
            "{code}"
        );
        let field = |label: &str| rows.iter().find(|r| r[0] == label).map(|r| r[1].clone());
        assert_eq!(field("4) Nơi sinh:").as_deref(), Some(BLANK), "{code}");
        assert_eq!(
            field("6) Dân tộc:"),
            status["ethnicity"].as_str().map(String::from),
            "{code}"
        );
    }
    // Someone the ledger does not know: said, exit 2.
    let (code, output) = run_cadre(data, &["cv", "DB-999999"]);
    assert_eq!(code, Some(2), "{output}");
    assert!(
        output.contains("nobody holds staff code DB-999999"),
        "{output}"
    );
}

#[test]
fn the_api_gives_the_same_cv_to_auditors_and_none_to_viewers() {
    let dir = demo();
    let data = dir.path();
    let status: Value = serde_json::from_slice(&stdout(data, &["status", PEOPLE[0]])).unwrap();
    let id = status["person"].as_str().unwrap().to_string();
    let html = stdout(data, &["cv", &id]);
    let xlsx_file = data.join("cv.xlsx");
    let xlsx_text = xlsx_file.display().to_string();
    stdout(
        data,
        &["cv", PEOPLE[0], "--format", "xlsx", "--out", &xlsx_text],
    );
    let xlsx = std::fs::read(&xlsx_file).unwrap();
    let viewer = add_token(data, "viewer-1", "viewer");
    let auditor = add_token(data, "auditor-1", "auditor");
    let (child, stderr, address) = serve(data, &[]);
    let get = |path: &str, token: &str| {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        use std::io::{Read, Write};
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\r\n"
        )
        .unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&answer[..split]).to_string();
        (head, answer[split + 4..].to_vec())
    };
    // Asked once the read models have folded the log: the record is the one at that
    // position.
    let started = std::time::Instant::now();
    while !get("/readyz", "").0.starts_with("HTTP/1.1 200") {
        assert!(started.elapsed() < Duration::from_secs(30), "never ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    let path = format!("/people/{id}/cv");
    let as_viewer = get(&path, &viewer);
    let as_auditor = get(&path, &auditor);
    let as_xlsx = get(&format!("{path}?format=xlsx"), &auditor);
    let unknown = get("/people/00000000-0000-0000-0000-000000000001/cv", &auditor);
    let (status, rest) = terminate(child, stderr, Duration::from_secs(30));
    assert!(status.is_some_and(|s| s.success()), "{rest}");

    assert!(as_viewer.0.starts_with("HTTP/1.1 403"), "{}", as_viewer.0);
    assert!(as_auditor.0.starts_with("HTTP/1.1 200"), "{}", as_auditor.0);
    let head = as_auditor.0.to_lowercase();
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(
        head.contains(&format!(
            "content-disposition: attachment; filename=\"so-yeu-ly-lich-{}.html\"",
            PEOPLE[0].to_lowercase()
        )),
        "{head}"
    );
    assert_eq!(
        String::from_utf8_lossy(&as_auditor.1),
        String::from_utf8_lossy(&html),
        "the API's HTML differs from `cadre cv`'s"
    );
    assert!(as_xlsx.0.starts_with("HTTP/1.1 200"), "{}", as_xlsx.0);
    assert!(
        as_xlsx.1 == xlsx,
        "the API's XLSX differs from `cadre cv`'s"
    );
    assert!(unknown.0.starts_with("HTTP/1.1 404"), "{}", unknown.0);
}
