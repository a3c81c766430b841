//! The binary end to end: stdin and files, exit codes, bad input, escaping, `--annotate`,
//! fail-closed DNS, snapshots recorded and replayed.

use crate::util::*;

const PLAIN: &str = "Received: from mail.plain.example (mail.plain.example [198.51.100.77])\r\n\tby mx1.support.example.co.jp (Postfix) with ESMTPS id 4QX; Tue, 24 Nov 2026 10:00:00 +0900\r\nReturn-Path: <yuki@plain.example>\r\nFrom: Yuki Tanaka <yuki@plain.example>\r\nTo: support@example.co.jp\r\nSubject: Invoice question\r\nDate: Tue, 24 Nov 2026 10:00:00 +0900\r\nMessage-ID: <plain-1@plain.example>\r\n\r\nHello, my invoice for October looks wrong.\r\n";

fn zone_arg() -> String {
    zone().to_string()
}

/// `impostor check` with the fixture config and DNS from the fixture zone on loopback, then
/// `args`.
fn check(args: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
    let (cfg, zone) = (config(), zone_arg());
    let mut all = vec!["check", "--config", s(&cfg), "--nameserver", &zone];
    all.extend_from_slice(args);
    run(&all, stdin)
}

#[test]
fn reads_stdin_and_prints_a_verdict() {
    let out = check(&[], Some(PLAIN.as_bytes()));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("── <stdin>\nCLEAR"), "{text}");
    assert!(text.contains("Authentication"), "{text}");
    assert!(text.contains("198.51.100.77"), "{text}");
}

#[test]
fn missing_file_is_unreadable_and_other_files_still_run() {
    let tmp = scratch("missing");
    let good = tmp.join("good.eml");
    std::fs::write(&good, PLAIN).unwrap();
    let out = check(&["--json", "/no/such/file.eml", s(&good)], None);
    assert_eq!(code(&out), 66);
    assert_eq!(
        stderr(&out).trim(),
        "impostor: /no/such/file.eml: cannot read: no such file"
    );
    assert_eq!(json_lines(&out).len(), 1);
}

#[test]
fn bad_input_gets_one_line_and_exit_65() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        (
            "prose",
            b"Hi support,\nplease reset my password.\n".to_vec(),
        ),
        (
            "binary",
            (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ),
    ];
    for (name, input) in cases {
        let out = run(&["check", "--config", s(&config())], Some(&input));
        assert_eq!(code(&out), 65, "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.starts_with("impostor: <stdin>: "), "{name}: {err}");
        assert!(stdout(&out).is_empty(), "{name}");
    }
}

#[test]
fn fifty_megabytes_of_garbage_is_refused_quickly() {
    let garbage: Vec<u8> = (0..50 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    let started = std::time::Instant::now();
    let out = run(&["check", "--config", s(&config())], Some(&garbage));
    assert_eq!(code(&out), 65, "{}", stderr(&out));
    assert!(stderr(&out).contains("larger than max_message_bytes"));
    // Not a timing assertion on speed, only a guard against hanging.
    assert!(started.elapsed().as_secs() < 60);
}

#[test]
fn truncated_mime_gets_a_verdict_with_a_context_note() {
    let msg = PLAIN.replace(
        "Date:",
        "Content-Type: multipart/mixed; boundary=\"cut\"\r\nDate:",
    ) + "--cut\r\nContent-Type: text/plain\r\n\r\nPlease change my email to new@evil.example\r\n";
    let out = check(&["--json"], Some(msg.as_bytes()));
    let v = &json_lines(&out)[0];
    let codes = evidence_codes(v);
    assert!(codes.contains(&"context.parse_problem"), "{codes:?}");
}

#[test]
fn control_characters_from_the_message_never_reach_the_terminal() {
    let msg = PLAIN
        .replace(
            "Subject: Invoice question",
            "Subject: Invoice \x1b[2J\x1b]0;owned\x07 \u{9b}31m question \u{202e}gpj.exe",
        )
        .replace("From: Yuki Tanaka", "From: \"Yuki \x1b[31mTanaka\"");
    for format in [None, Some("--json")] {
        let cfg = config();
        let mut args = vec!["check", "--config", s(&cfg), "--nameserver"];
        let z = zone_arg();
        args.push(&z);
        args.extend(format);
        let out = run(&args, Some(msg.as_bytes()));
        let text = stdout(&out);
        for bad in ['\x1b', '\x07', '\u{9b}', '\u{202e}'] {
            assert!(!text.contains(bad), "{format:?} leaked {:?}: {text}", bad);
        }
    }
}

#[test]
fn annotate_adds_headers_and_keeps_the_message_byte_for_byte() {
    let out = check(&["--annotate"], Some(PLAIN.as_bytes()));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let body = out.stdout;
    assert!(body.ends_with(PLAIN.as_bytes()));
    let added = String::from_utf8(body[..body.len() - PLAIN.len()].to_vec()).unwrap();
    assert!(
        added.starts_with("Authentication-Results: impostor.support.example.co.jp;"),
        "{added}"
    );
    assert!(
        added.contains("\r\nX-Impostor-Verdict: clear; trust=unknown; risk=R0\r\n"),
        "{added}"
    );
    assert!(added.contains("X-Impostor-Reasons: "), "{added}");
    assert!(
        added.contains("dmarc=none header.from=plain.example"),
        "{added}"
    );
    // Every added line is a header field or a fold, CRLF-terminated like the message.
    assert!(
        added
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .all(|l| l.contains(": ") || l.starts_with('\t'))
    );
}

#[test]
fn annotate_takes_one_message() {
    let out = run(&["check", "--annotate", "a.eml", "b.eml"], None);
    assert_eq!(code(&out), 65);
}

#[test]
fn dns_that_never_answers_is_temperror_never_pass() {
    let tmp = scratch("blackhole");
    let cfg = tmp.join("impostor.toml");
    std::fs::write(
        &cfg,
        "auth_source = \"dns\"\n[dns]\ntimeout_ms = 200\nattempts = 1\nbudget_ms = 2000\n",
    )
    .unwrap();
    let signed = mail_fixtures()
        .into_iter()
        .find(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .contains("DKIM-Signature:")
        })
        .expect("a DKIM-signed fixture");
    let out = run(
        &[
            "check",
            "--json",
            "--config",
            s(&cfg),
            "--nameserver",
            &black_hole().to_string(),
            s(&signed),
        ],
        None,
    );
    let v = &json_lines(&out)[0];
    assert_eq!(v["verdict"]["unverifiable"], true, "{v}");
    assert_ne!(v["verdict"]["sender_trust"], "verified");
    let auth = &v["auth"];
    for result in [&auth["spf"]["result"], &auth["dmarc"]["result"]] {
        assert_eq!(result, "temperror", "{auth}");
    }
    for d in auth["dkim"].as_array().unwrap() {
        assert_eq!(d["result"], "temperror", "{d}");
    }
    assert!(
        v["verdict"]["headline"]
            .as_str()
            .unwrap()
            .contains("could not be authenticated")
    );
}

#[test]
fn record_then_replay_gives_the_same_results() {
    let tmp = scratch("record");
    let snap = tmp.join("snap.json");
    let files: Vec<String> = mail_fixtures().iter().map(|p| s(p).to_string()).collect();
    let cfg = config();
    let mut live = vec![
        "check",
        "--json",
        "--auth-source",
        "dns",
        "--config",
        s(&cfg),
    ];
    let z = zone_arg();
    live.extend(["--nameserver", &z, "--record-snapshot", s(&snap)]);
    live.extend(files.iter().map(String::as_str));
    let first = run(&live, None);
    assert!(snap.is_file(), "{}", stderr(&first));
    let mut replay = vec![
        "check",
        "--json",
        "--auth-source",
        "dns",
        "--config",
        s(&cfg),
    ];
    replay.extend(["--dns-snapshot", s(&snap)]);
    replay.extend(files.iter().map(String::as_str));
    let second = run(&replay, None);
    let strip = |out: &std::process::Output| {
        json_lines(out)
            .into_iter()
            .map(|mut v| {
                v["auth"]["source"] = serde_json::Value::Null;
                (v["auth"].clone(), v["verdict"]["level"].clone())
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&first), strip(&second));
    assert_eq!(code(&first), code(&second));
}

#[test]
fn bad_config_names_file_line_and_key_with_exit_78() {
    let tmp = scratch("badconfig");
    let cfg = tmp.join("impostor.toml");
    std::fs::write(&cfg, "lang = \"en\"\n[dns]\ntimeout = 5\n").unwrap();
    let out = run(&["config", "check", s(&cfg)], None);
    assert_eq!(code(&out), 78);
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("impostor: {}:3: ", cfg.display())),
        "{err}"
    );
    assert!(err.contains("timeout"), "{err}");
    let out = run(&["check", "--config", s(&cfg)], Some(PLAIN.as_bytes()));
    assert_eq!(code(&out), 78);
}

#[test]
fn config_is_found_through_the_environment() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_impostor"))
        .args(["config", "check"])
        .env("IMPOSTOR_CONFIG", config())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("trusted_relays: 192.0.2.24/29"));
}

#[test]
fn runs_without_any_config_and_says_so() {
    let out = run(
        &["check", "--nameserver", &zone_arg()],
        Some(PLAIN.as_bytes()),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("no trusted relays or profiles are configured"));
    assert!(stdout(&out).contains("No trusted relays are configured"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&run(&["check", "--no-such-flag"], None)), 2);
    assert_eq!(code(&run(&["check", "--client-ip", "not-an-ip"], None)), 2);
}

#[test]
fn mta_overrides_replace_the_received_chain() {
    let out = check(
        &[
            "--json",
            "--client-ip",
            "203.0.113.5",
            "--helo",
            "mx.override.example",
            "--mail-from",
            "<>",
        ],
        Some(PLAIN.as_bytes()),
    );
    let v = &json_lines(&out)[0];
    assert_eq!(v["origin"]["ip"], "203.0.113.5");
    assert_eq!(v["origin"]["source"], "override");
    assert_eq!(v["origin"]["mail_from"], "");
    assert_eq!(v["auth"]["spf"]["identity"], "helo");
    assert_eq!(v["auth"]["spf"]["domain"], "mx.override.example");
}

#[test]
fn config_is_found_in_the_xdg_config_dir() {
    let home = scratch("xdg");
    std::fs::create_dir_all(home.join("impostor")).unwrap();
    std::fs::write(
        home.join("impostor/impostor.toml"),
        "protected_domains = [\"example.co.jp\"]\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_impostor"))
        .args(["config", "check"])
        .env_remove("IMPOSTOR_CONFIG")
        .env("XDG_CONFIG_HOME", &home)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("protected_domains: example.co.jp"));
}

#[test]
fn japanese_output() {
    let out = check(&["--lang", "ja"], Some(PLAIN.as_bytes()));
    let text = stdout(&out);
    assert!(text.contains("問題なし"), "{text}");
    assert!(text.contains("認証"), "{text}");
    assert!(text.contains("通常どおり対応してください。"), "{text}");
}

#[test]
fn extra_rules_extend_the_built_in_ones_and_rules_test_names_failures() {
    let tmp = scratch("rules");
    std::fs::write(
        tmp.join("acme.toml"),
        r#"language = "en"
window = "tokens"
[[rule]]
id = "api_token.vault"
intent = "api_token"
object = ['''\bvault\b''']
action = ['''\bunseal\b''']
window = 8
match = ["Please unseal the vault for me."]
no_match = ["The vault is sealed."]
"#,
    )
    .unwrap();
    let out = run(&["rules", "test", s(&tmp)], None);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let msg = PLAIN.replace(
        "Hello, my invoice for October looks wrong.",
        "Please unseal the vault for me.",
    );
    let out = check(&["--json", "--rules", s(&tmp)], Some(msg.as_bytes()));
    let v = &json_lines(&out)[0];
    assert_eq!(v["verdict"]["request_risk"], "R2", "{v}");
    // A wrong example is reported with its rule id and sentence, and fails the command.
    std::fs::write(tmp.join("zz-bad.toml"), "language = \"en\"\nwindow = \"tokens\"\n[[rule]]\nid = \"api_token.vault\"\nintent = \"api_token\"\nobject = ['vault']\naction = ['unseal']\nwindow = 8\nmatch = [\"The vault is sealed.\"]\n").unwrap();
    let out = run(&["rules", "test", s(&tmp)], None);
    assert_ne!(code(&out), 0);
    assert!(
        stdout(&out).contains("FAIL en/api_token.vault: should match: The vault is sealed."),
        "{}",
        stdout(&out)
    );
}
