//! `impostor scan` end to end: every input format (including damaged ones), the JSONL schema,
//! CSV escaping, exit statuses, and resuming a killed scan with exactly one result per item.

use crate::util::*;
use serde_json::Value;
use std::path::Path;

fn scan(args: &[&str]) -> std::process::Output {
    let cfg = config();
    let zone = fixture("dns/zone.json");
    let mut all = vec![
        "scan",
        "--config",
        s(&cfg),
        "--dns-snapshot",
        s(&zone),
        "--no-store",
    ];
    all.extend(args);
    run(&all, None)
}

fn mbox_of(files: &[std::path::PathBuf], copies: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for copy in 0..copies {
        for f in files {
            let raw = std::fs::read(f).unwrap();
            out.extend_from_slice(b"From impostor@fixtures.example Tue Nov 24 10:00:00 2026\n");
            // Unique Message-IDs per copy keep stored verdicts apart.
            let text = String::from_utf8_lossy(&raw)
                .replace("Message-ID: <", &format!("Message-ID: <c{copy}."));
            for line in text.split_inclusive('\n') {
                let body = line.trim_start_matches('>');
                if body.starts_with("From ") {
                    out.push(b'>');
                }
                out.extend_from_slice(line.as_bytes());
            }
            if !out.ends_with(b"\n") {
                out.push(b'\n');
            }
            out.push(b'\n');
        }
    }
    out
}

#[test]
fn a_directory_of_eml_files_gives_one_object_per_message() {
    let out = scan(&[s(&fixture("mail"))]);
    assert!(matches!(code(&out), 0 | 10 | 20 | 30), "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), mail_fixtures().len());
    for v in &lines {
        // The check --json schema plus where it came from.
        for key in [
            "schema", "verdict", "message", "origin", "auth", "evidence", "actions", "location",
        ] {
            assert!(v.get(key).is_some(), "{key} missing in {v}");
        }
        assert!(v["location"]["file"].as_str().unwrap().ends_with(".eml"));
    }
    // The summary goes to stderr when results go to stdout.
    assert!(
        stderr(&out).contains("impostor scan: 37 item(s)"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&out).contains("impostor scan:"));
}

#[test]
fn mbox_with_a_bad_separator_and_a_maildir() {
    let tmp = scratch("mbox");
    let mut mbox = mbox_of(&mail_fixtures()[..3], 1);
    mbox.extend_from_slice(b"From garbage\nFrom: x@y.example\n\nbroken separator\n\n");
    mbox.extend_from_slice(&mbox_of(&mail_fixtures()[3..4], 1));
    let path = tmp.join("inbox.mbox");
    std::fs::write(&path, &mbox).unwrap();
    let out = scan(&[s(&path)]);
    assert_eq!(
        code(&out) % 10,
        1,
        "failures add one to the status: {}",
        code(&out)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 5);
    let bad = &lines[3];
    assert!(
        bad["error"]
            .as_str()
            .unwrap()
            .contains("bad mbox separator"),
        "{bad}"
    );
    assert!(bad["location"]["offset"].as_u64().is_some());
    assert!(lines[4]["verdict"].is_object());

    let md = tmp.join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(sub)).unwrap();
    }
    std::fs::copy(&mail_fixtures()[0], md.join("new/1.eml")).unwrap();
    std::fs::copy(&mail_fixtures()[1], md.join("cur/2.eml:2,S")).unwrap();
    std::fs::write(md.join("tmp/3.eml"), "half-delivered").unwrap();
    let out = scan(&[s(&md)]);
    assert_eq!(json_lines(&out).len(), 2, "tmp/ is skipped");
}

#[test]
fn zendesk_exports_in_every_shape() {
    let out = scan(&[s(&fixture("zendesk/export.ndjson"))]);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 4);
    let by_ticket = |id: u64| {
        lines
            .iter()
            .find(|v| v["location"]["ticket_id"] == id)
            .unwrap()
    };
    let hijack = by_ticket(48215);
    assert_eq!(hijack["verdict"]["level"], "likely_spoofed");
    let comments = hijack["ticket"]["comments"].as_array().unwrap();
    assert_eq!(
        comments.len(),
        2,
        "the first comment and the later one from another sender"
    );
    assert!(
        comments[1]["codes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "sender.thread_hijack")
    );
    let web = by_ticket(48214);
    assert_eq!(web["origin"]["ip"], "198.51.100.7");
    assert_eq!(web["origin"]["source"], "zendesk");
    assert_eq!(web["auth"]["source"], "none");
    assert_eq!(
        web["verdict"]["level"], "verify",
        "no raw email: R2 is verified out of band"
    );
    assert!(
        by_ticket(48213)["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "context.zendesk_flag")
    );

    let out = scan(&[s(&fixture("zendesk/incremental.json"))]);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["location"]["record"], "value 1, ticket 2");

    let out = scan(&[s(&fixture("zendesk/ticket_events.json"))]);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["location"]["ticket_id"], 48213);
    let risk = lines[1]["verdict"]["request_risk"].as_str().unwrap();
    assert!(
        risk == "R0" || risk == "R1",
        "a how-to question is not a request: {risk}"
    );
}

#[test]
fn a_truncated_json_line_and_an_unreadable_file_are_reported_and_the_scan_goes_on() {
    let tmp = scratch("broken");
    let dangling = tmp.join("gone.eml");
    std::os::unix::fs::symlink(tmp.join("nowhere"), &dangling).unwrap();
    let out = scan(&[s(&fixture("zendesk/export-broken.ndjson")), s(&dangling)]);
    assert_eq!(code(&out) % 10, 1);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 4, "{}", stdout(&out));
    assert_eq!(lines[1]["location"]["record"], "line 2");
    assert!(lines[1]["error"].as_str().unwrap().starts_with("not JSON"));
    assert!(
        lines[2]["verdict"].is_object(),
        "the line after the broken one is read"
    );
    assert!(
        lines[3]["error"].as_str().unwrap().contains("cannot read"),
        "{}",
        lines[3]
    );
}

#[test]
fn csv_is_safe_against_formula_injection() {
    let tmp = scratch("csv");
    let msg = "From: \"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\" <a@b.example>\r\nSubject: +cmd|' /C calc'!A0\r\n\r\nhello\r\n";
    std::fs::write(tmp.join("evil.eml"), msg).unwrap();
    let out = scan(&["--format", "csv", s(&tmp.join("evil.eml"))]);
    let text = stdout(&out);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let subject = headers.iter().position(|h| h == "subject").unwrap();
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[subject], "'+cmd|' /C calc'!A0");
    for cell in row.iter() {
        assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
    }
}

#[test]
fn only_filters_levels() {
    let out = scan(&["--only", "likely_spoofed", s(&fixture("mail"))]);
    let lines = json_lines(&out);
    assert!(!lines.is_empty());
    assert!(
        lines
            .iter()
            .all(|v| v["verdict"]["level"] == "likely_spoofed")
    );
}

fn count_lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn a_killed_scan_resumes_with_exactly_one_result_per_item() {
    let tmp = scratch("resume");
    let mbox = tmp.join("big.mbox");
    std::fs::write(&mbox, mbox_of(&mail_fixtures(), 16)).unwrap();
    let items = mail_fixtures().len() * 16;
    let out = tmp.join("out.jsonl");
    let store = tmp.join("store.db");
    let cfg = config();
    let zone = fixture("dns/zone.json");
    let args = |resume: bool| {
        let mut a = vec![
            "scan".to_string(),
            "--config".into(),
            s(&cfg).into(),
            "--dns-snapshot".into(),
            s(&zone).into(),
            "--store".into(),
            s(&store).into(),
            "--output".into(),
            s(&out).into(),
            "--jobs".into(),
            "4".into(),
        ];
        if resume {
            a.push("--resume".into());
        }
        a.push(s(&mbox).into());
        a
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_impostor"))
        .args(args(false))
        .env("XDG_CONFIG_HOME", &tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for at least one checkpoint's worth of output, then kill without warning.
    let started = std::time::Instant::now();
    while count_lines(&out) < 50 && started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    let _ = child.wait();
    let before = count_lines(&out);
    assert!(
        before < items,
        "the scan finished before it could be killed ({before} of {items})"
    );

    let resumed = std::process::Command::new(env!("CARGO_BIN_EXE_impostor"))
        .args(args(true))
        .env("XDG_CONFIG_HOME", &tmp)
        .output()
        .unwrap();
    assert!(
        matches!(code(&resumed), 0 | 10 | 20 | 30),
        "{}",
        stderr(&resumed)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let offsets: Vec<u64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("whole JSON lines only")["location"]["offset"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(offsets.len(), items, "exactly one result per message");
    let mut sorted = offsets.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), items, "no duplicates");
    assert!(offsets.windows(2).all(|w| w[0] < w[1]), "in input order");
}
