//! Every `fixtures/mail/NAME.eml` against its `NAME.expect.toml`: the originating hop and the
//! SPF, DKIM, DMARC and ARC results, once through the fixture zone served by a real DNS server
//! on loopback and once through the same zone as a snapshot file. The verdict levels the
//! decision table gives are listed here, next to why.

use crate::util::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// The verdict of every fixture with the sample organisation's profiles and the built-in rules,
/// with the sender trust, request risk and signals that decide it.
const LEVELS: &[(&str, &str)] = &[
    // spoofed sender, R3: auth.dmarc_fail, request.mfa_change
    ("ar-forged", "likely_spoofed"),
    // verified sender, R1: nothing against it
    ("ar-trusted", "clear"),
    // spoofed sender, R3: auth.dmarc_fail, request.credential_disclosure
    ("arc-fail-body", "likely_spoofed"),
    // spoofed sender, R0: auth.dmarc_fail
    ("arc-fail-key", "likely_spoofed"),
    // spoofed sender, R0: auth.dmarc_fail
    ("arc-pass", "likely_spoofed"),
    // unknown sender, R0: nothing against it
    ("dkim-fail-body", "clear"),
    // spoofed sender, R2: auth.dmarc_fail, request.password_reset
    ("dkim-fail-header", "likely_spoofed"),
    // unknown sender, R0: nothing against it
    ("dkim-multi", "clear"),
    // unknown sender, R0: nothing against it
    ("dkim-pass-ed25519", "clear"),
    // unknown sender, R2: request.email_change
    ("dkim-pass-relaxed", "verify"),
    // unknown sender, R3: request.email_change, request.escalated
    ("dkim-pass-simple", "verify"),
    // unknown sender, R0: nothing against it
    ("dkim-revoked", "clear"),
    // suspicious sender, R3: auth.dmarc_fail, request.password_reset, request.escalated, request.credential_disclosure, request.recovery_redirect
    ("dmarc-fail-none", "likely_spoofed"),
    // spoofed sender, R2: auth.dmarc_fail, request.email_change
    ("dmarc-fail-quarantine", "likely_spoofed"),
    // spoofed sender, R3: auth.dmarc_fail, sender.display_name_impersonation, sender.reply_to_diversion, request.credential_disclosure
    ("dmarc-fail-reject", "likely_spoofed"),
    // unknown sender, R0: nothing against it
    ("dmarc-forwarded", "clear"),
    // suspicious sender, R3: sender.ip_outside_networks, request.mfa_change
    ("dmarc-pass-reject", "likely_spoofed"),
    // unknown sender, R0: nothing against it
    ("dmarc-relaxed", "clear"),
    // spoofed sender, R0: auth.dmarc_fail
    ("dmarc-strict-fail", "likely_spoofed"),
    // spoofed sender, R3: auth.dmarc_fail, request.payment_change, request.email_change
    ("dmarc-subdomain-policy", "likely_spoofed"),
    // verified sender, R3: request.credential_disclosure
    ("enc-euc-jp", "verify"),
    // spoofed sender, R3: sender.display_name_impersonation, request.mfa_change
    ("enc-iso2022jp", "likely_spoofed"),
    // unknown sender, R0: nothing against it
    ("enc-shift-jis", "clear"),
    // spoofed sender, R1: sender.display_name_impersonation
    ("enc-utf8-qp", "likely_spoofed"),
    // unknown sender, R3: request.credential_disclosure
    ("escape-sequences", "verify"),
    // unknown sender, R2: request.email_change
    ("html-only", "verify"),
    // unknown sender, R0: nothing against it
    ("multipart-attachment", "clear"),
    // spoofed sender, R3: auth.dmarc_fail, request.email_change, request.escalated, request.recovery_redirect
    ("spf-fail", "likely_spoofed"),
    // unknown sender, R0: nothing against it
    ("spf-helo-fail", "clear"),
    // unknown sender, R0: nothing against it
    ("spf-neutral", "clear"),
    // unknown sender, R3: request.mfa_change
    ("spf-none", "verify"),
    // unknown sender, R0: nothing against it
    ("spf-null-sender", "clear"),
    // unknown sender, R0: nothing against it
    ("spf-pass-ipv6", "clear"),
    // unknown sender, R0: nothing against it
    ("spf-pass", "clear"),
    // unknown sender, R0: nothing against it
    ("spf-permerror-dup", "clear"),
    // unknown sender, R0: nothing against it
    ("spf-permerror-lookups", "clear"),
    // unknown sender, R0: nothing against it
    ("spf-softfail", "clear"),
];

fn expectations() -> Vec<(String, toml::Table)> {
    mail_fixtures()
        .iter()
        .filter_map(|eml| {
            let expect = eml.with_extension("expect.toml");
            let text = std::fs::read_to_string(&expect).ok()?;
            let name = eml.file_stem()?.to_str()?.to_string();
            Some((name, toml::from_str(&text).expect("expect file parses")))
        })
        .collect()
}

fn run_all(source: &[&str]) -> BTreeMap<String, Value> {
    let cfg = config();
    let mut args = vec!["check", "--json", "--config", s(&cfg)];
    args.extend(source);
    let files = mail_fixtures();
    args.extend(files.iter().map(|p| s(p)));
    let out = run(&args, None);
    assert!(
        code(&out) < 60,
        "error exit {}: {}",
        code(&out),
        stderr(&out)
    );
    json_lines(&out)
        .into_iter()
        .map(|v| {
            let input = v["input"].as_str().unwrap();
            let name = input
                .rsplit('/')
                .next()
                .unwrap()
                .trim_end_matches(".eml")
                .to_string();
            (name, v)
        })
        .collect()
}

fn str_of(v: &Value) -> String {
    v.as_str()
        .map_or_else(|| "none".to_string(), str::to_string)
}

fn compare(name: &str, expect: &toml::Table, got: &Value, problems: &mut Vec<String>) {
    let mut check = |what: &str, want: String, have: String| {
        if want != have {
            problems.push(format!("{name}: {what}: expected {want}, got {have}"));
        }
    };
    let e = |k: &str| expect.get(k).and_then(|v| v.as_str()).map(str::to_string);
    if let Some(ip) = e("client_ip") {
        check("client ip", ip, str_of(&got["origin"]["ip"]));
    }
    if let Some(helo) = e("helo") {
        check("helo", helo, str_of(&got["origin"]["helo"]));
    }
    if let Some(mf) = e("mail_from") {
        check("mail from", mf, str_of(&got["origin"]["mail_from"]));
    }
    // Decoded originator fields (RFC 2047 in UTF-8, ISO-2022-JP, Shift_JIS, EUC-JP).
    if let Some(m) = expect.get("message").and_then(|m| m.as_table()) {
        let f = |k: &str| m.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let msg = &got["message"];
        if let Some(from) = f("from") {
            check("from", from, str_of(&msg["from"][0]["address"]));
        }
        if let Some(name) = f("from_name") {
            check("from name", name, str_of(&msg["from"][0]["name"]));
        }
        if let Some(subject) = f("subject") {
            check("subject", subject, str_of(&msg["subject"]));
        }
    }
    let Some(auth) = expect.get("auth").and_then(|a| a.as_table()) else {
        return;
    };
    let a = |k: &str| auth.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let g = &got["auth"];
    if let Some(spf) = a("spf") {
        check("spf", spf, str_of(&g["spf"]["result"]));
    }
    // An Authentication-Results header reports one SPF identity, not both.
    let from_header = g["source"] == "authentication-results";
    if let Some(helo) = a("spf_helo").filter(|_| !from_header) {
        check("spf helo", helo, str_of(&g["helo"]["result"]));
    }
    if let Some(dkim) = auth.get("dkim").and_then(|d| d.as_array()) {
        let want: Vec<String> = dkim
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let have: Vec<String> = g["dkim"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| str_of(&d["result"]))
            .collect();
        check("dkim", format!("{want:?}"), format!("{have:?}"));
    }
    if let Some(domains) = auth.get("dkim_domains").and_then(|d| d.as_array()) {
        let want: Vec<String> = domains
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let have: Vec<String> = g["dkim"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| str_of(&d["domain"]))
            .collect();
        check("dkim domains", format!("{want:?}"), format!("{have:?}"));
    }
    if let Some(dmarc) = a("dmarc") {
        check("dmarc", dmarc, str_of(&g["dmarc"]["result"]));
    }
    if let Some(policy) = a("dmarc_policy") {
        check("dmarc policy", policy, str_of(&g["dmarc"]["policy"]));
    }
    if let Some(arc) = a("arc") {
        check("arc", arc, str_of(&g["arc"]["result"]));
    }
}

fn check_source(source: &[&str]) {
    let got = run_all(source);
    let mut problems = Vec::new();
    let expectations = expectations();
    assert!(
        expectations.len() >= 30,
        "fixtures missing: {}",
        expectations.len()
    );
    for (name, expect) in &expectations {
        match got.get(name) {
            Some(v) => compare(name, expect, v, &mut problems),
            None => problems.push(format!("{name}: no output")),
        }
    }
    for (name, level) in LEVELS {
        let have = got.get(*name).map(|v| str_of(&v["verdict"]["level"]));
        if have.as_deref() != Some(level) {
            problems.push(format!("{name}: level: expected {level}, got {have:?}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn fixtures_through_a_dns_server_on_loopback() {
    let z = zone().to_string();
    check_source(&["--nameserver", &z]);
}

#[test]
fn fixtures_through_the_snapshot_file() {
    let zone = fixture("dns/zone.json");
    check_source(&["--dns-snapshot", s(&zone)]);
}

#[test]
fn forged_and_untrusted_authentication_results_are_reported_and_ignored() {
    let zone = fixture("dns/zone.json");
    let cfg = config();
    let path = fixture("mail/ar-forged.eml");
    let out = run(
        &[
            "check",
            "--json",
            "--config",
            s(&cfg),
            "--dns-snapshot",
            s(&zone),
            s(&path),
        ],
        None,
    );
    let v = &json_lines(&out)[0];
    assert_eq!(
        v["auth"]["source"], "snapshot",
        "the forged header must not be used"
    );
    let codes = evidence_codes(v);
    assert!(codes.contains(&"context.auth_results_forged"), "{codes:?}");
    assert!(
        codes.contains(&"context.auth_results_untrusted"),
        "{codes:?}"
    );

    let trusted = fixture("mail/ar-trusted.eml");
    let out = run(
        &[
            "check",
            "--json",
            "--config",
            s(&cfg),
            "--dns-snapshot",
            s(&zone),
            s(&trusted),
        ],
        None,
    );
    let v = &json_lines(&out)[0];
    assert_eq!(v["auth"]["source"], "authentication-results");
    assert_eq!(v["auth"]["authserv_id"], "mx1.support.example.co.jp");
}

#[test]
fn exit_status_is_the_most_severe_verdict() {
    let zone = fixture("dns/zone.json");
    let cfg = config();
    let one = |name: &str| {
        let path = fixture(&format!("{name}.eml"));
        code(&run(
            &[
                "check",
                "--config",
                s(&cfg),
                "--dns-snapshot",
                s(&zone),
                s(&path),
            ],
            None,
        ))
    };
    assert_eq!(one("mail/spf-pass"), 0);
    assert_eq!(one("sender/freemail-claim"), 10);
    assert_eq!(one("mail/html-only"), 20);
    assert_eq!(one("mail/dmarc-fail-reject"), 30);
}
