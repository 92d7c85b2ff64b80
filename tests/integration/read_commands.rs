//! The real binary's read commands: on a folder without cadre data they fail and create
//! nothing; while `cadre serve` holds the store they name the request that asks it; and
//! their date options take dd/mm/yyyy as well as yyyy-mm-dd, naming the forms otherwise.

use std::path::Path;
use std::time::Duration;

use crate::helpers::*;

const SOMEONE: &str = "00000000-0000-0000-0000-000000000001";

/// Every command that reads the data folder, as arguments after `--data DIR`.
fn read_commands(scratch: &Path) -> Vec<Vec<String>> {
    let backup = scratch.join("backup").display().to_string();
    [
        &["report", "--year", "2017"][..],
        &["form", "bm01", "--year", "2017"],
        &["stats"],
        &["verify"],
        &["log"],
        &["status", SOMEONE],
        &["compliance"],
        &["cv", SOMEONE],
        &["rebuild"],
        &["export", "people"],
        &["export", "status"],
        &["export", "history"],
        &["export", "events"],
        &["backup", &backup],
        &["token", "list"],
        &["token", "revoke", "nobody"],
    ]
    .iter()
    .map(|args| args.iter().map(|a| a.to_string()).collect())
    .collect()
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn read_commands_on_a_folder_without_cadre_data_fail_and_create_nothing() {
    let scratch = tempfile::tempdir().unwrap();
    let missing = scratch.path().join("WRONG");
    let empty = scratch.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for args in read_commands(scratch.path()) {
        for data in [&missing, &empty] {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, output) = run_cadre(data, &args);
            assert_ne!(code, Some(0), "{args:?} on {data:?}: {output}");
            let expected = format!(
                "no cadre data at {} (use --data or CADRE_DATA; `cadre demo` makes one)",
                data.display()
            );
            assert!(output.contains(&expected), "{args:?} on {data:?}: {output}");
        }
        assert!(!missing.exists(), "{args:?} created the folder");
        assert!(
            entries(&empty).is_empty(),
            "{args:?}: {:?}",
            entries(&empty)
        );
        assert_eq!(
            entries(scratch.path()).len(),
            1,
            "{args:?} created the backup"
        );
    }
}

#[test]
fn a_read_command_while_serve_runs_names_the_request_that_answers_it() {
    let dir = tempfile::tempdir().unwrap();
    let (child, stderr, address) = serve(dir.path(), &[]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["report", "--year", "2017"],
            "GET /reports/2017?format=md&lang=vi",
        ),
        (
            &["status", SOMEONE, "--as-of", "31/12/2017"],
            &format!("GET /people/{SOMEONE}?as_of=2017-12-31"),
        ),
        (
            &["compliance", "--as-of", "31/12/2017"],
            "GET /compliance?as_of=2017-12-31",
        ),
        (
            &["cv", SOMEONE],
            &format!("GET /people/{SOMEONE}/cv?format=html"),
        ),
        (
            &["verify"],
            r#"POST /verify with the body {"expect_head":null}"#,
        ),
        (&["stats"], "GET /head"),
        (&["log", "--from", "3"], "GET /events?from=3"),
        (&["export", "events"], "GET /export/events"),
    ];
    // Checked after the server is stopped, so that a failure leaves no process behind.
    let mut wrong = Vec::new();
    for (args, request) in cases {
        let (code, output) = run_cadre(dir.path(), args);
        let hint = "is in use by another cadre process (pid ";
        let ask = format!("— while it runs, ask it: {request}");
        if code != Some(2) || !output.contains(hint) || !output.contains(&ask) {
            wrong.push(format!("{args:?}: {output}"));
        }
        // The request named is one the server answers (the person is not registered).
        let (method, path) = request.split_once(' ').unwrap();
        let (path, body) = path.split_once(" with the body ").unwrap_or((path, ""));
        let answer = http(&address, method, path, "", body);
        let found = answer.starts_with("HTTP/1.1 200") || path.starts_with("/people/");
        if !found || answer.contains("no such endpoint") {
            wrong.push(format!("{request}: {answer}"));
        }
    }
    let (status, rest) = terminate(child, stderr, Duration::from_secs(30));
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(status.is_some_and(|s| s.success()), "{rest}");
}

/// The demo district, small, in a fresh folder.
fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (code, output) = run_cadre(dir.path(), &["-q", "demo", "--scale", "0.02"]);
    assert_eq!(code, Some(0), "{output}");
    dir
}

#[test]
fn date_options_take_dd_mm_yyyy_as_they_take_yyyy_mm_dd() {
    let dir = demo();
    for command in [
        &["compliance", "--as-of"][..],
        &["export", "people", "--as-of"],
        &["compliance", "--as-known-at"],
    ] {
        let day_first = run_cadre(dir.path(), &[command, &["31/12/2017"]].concat());
        let iso = run_cadre(dir.path(), &[command, &["2017-12-31"]].concat());
        assert_eq!(day_first.0, Some(0), "{command:?}: {}", day_first.1);
        assert!(day_first.1.len() > 100, "{}", day_first.1);
        assert_eq!(day_first, iso, "{command:?}");
    }
}

#[test]
fn a_date_option_that_is_not_a_date_names_the_accepted_forms() {
    let dir = demo();
    let cases = [
        ("31/02/1987", "February has no day 31"),
        ("2017/12/31", "not a date"),
    ];
    for option in ["--as-of", "--as-known-at"] {
        for (text, why) in cases {
            let (code, output) = run_cadre(dir.path(), &["compliance", option, text]);
            assert_eq!(code, Some(2), "{option} {text}: {output}");
            assert!(output.contains(why), "{option} {text}: {output}");
            assert!(
                output.contains("dd/mm/yyyy or yyyy-mm-dd, e.g. 31/12/2017"),
                "{option} {text}: {output}"
            );
        }
    }
}
