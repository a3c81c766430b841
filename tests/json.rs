//! `check --json` parsed into an independent copy of its documented schema (README, "JSON
//! output"). Unknown or missing fields fail, so the public contract changes only on purpose.

use crate::util::*;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Out {
    schema: u32,
    input: String,
    verdict: Verdict,
    message: Message,
    origin: Origin,
    auth: Auth,
    evidence: Vec<Evidence>,
    actions: Vec<Action>,
    would_lower: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Verdict {
    level: String,
    sender_trust: String,
    request_risk: String,
    unverifiable: bool,
    headline: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Mailbox {
    name: Option<String>,
    address: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Hop {
    helo: Option<String>,
    from_rdns: Option<String>,
    from_ip: Option<String>,
    by_host: Option<String>,
    date: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Message {
    message_id: Option<String>,
    date: Option<String>,
    subject: Option<String>,
    from: Vec<Mailbox>,
    reply_to: Vec<Mailbox>,
    sender: Option<Mailbox>,
    return_path: Option<String>,
    received: Vec<Hop>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Origin {
    ip: Option<String>,
    helo: Option<String>,
    mail_from: Option<String>,
    source: String,
    hop: Option<usize>,
    trusted_hops: usize,
    relays_configured: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Spf {
    identity: String,
    domain: String,
    ip: Option<String>,
    result: String,
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Dkim {
    domain: String,
    selector: String,
    algorithm: String,
    canonicalization: Option<String>,
    result: String,
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Dmarc {
    domain: String,
    result: String,
    policy: Option<String>,
    p: Option<String>,
    sp: Option<String>,
    adkim: Option<String>,
    aspf: Option<String>,
    spf_aligned: bool,
    dkim_aligned: bool,
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Arc {
    result: String,
    sets: usize,
    sealer: Option<String>,
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Auth {
    source: String,
    authserv_id: Option<String>,
    spf: Option<Spf>,
    helo: Option<Spf>,
    dkim: Vec<Dkim>,
    dmarc: Option<Dmarc>,
    arc: Option<Arc>,
    unverifiable: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Match {
    text: String,
    location: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Evidence {
    code: String,
    axis: String,
    strength: String,
    message: String,
    facts: BTreeMap<String, String>,
    matched: Option<Match>,
    rule: Option<String>,
    risk: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Action {
    id: String,
    text: String,
}

const RESULTS: &[&str] = &[
    "pass",
    "fail",
    "softfail",
    "neutral",
    "none",
    "temperror",
    "permerror",
    "policy",
];

#[test]
fn every_fixture_matches_the_documented_schema() {
    let cfg = config();
    let snapshot = fixture("dns/zone.json");
    let mut args = vec![
        "check",
        "--json",
        "--config",
        s(&cfg),
        "--dns-snapshot",
        s(&snapshot),
    ];
    let files = mail_fixtures();
    args.extend(files.iter().map(|p| s(p)));
    let out = run(&args, None);
    let lines = stdout(&out);
    assert_eq!(lines.lines().count(), files.len(), "{}", stderr(&out));
    for line in lines.lines() {
        let o: Out = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(o.schema, 1);
        assert!(
            ["clear", "caution", "verify", "likely_spoofed"].contains(&o.verdict.level.as_str())
        );
        assert!(
            ["verified", "unknown", "suspicious", "spoofed"]
                .contains(&o.verdict.sender_trust.as_str())
        );
        assert!(["R0", "R1", "R2", "R3"].contains(&o.verdict.request_risk.as_str()));
        assert!(
            ["dns", "snapshot", "authentication-results", "none"].contains(&o.auth.source.as_str())
        );
        assert!(["received", "override", "zendesk", "unknown"].contains(&o.origin.source.as_str()));
        for r in o
            .auth
            .spf
            .iter()
            .chain(&o.auth.helo)
            .map(|s| &s.result)
            .chain(o.auth.dkim.iter().map(|d| &d.result))
            .chain(o.auth.dmarc.iter().map(|d| &d.result))
            .chain(o.auth.arc.iter().map(|a| &a.result))
        {
            assert!(RESULTS.contains(&r.as_str()), "{r} in {line}");
        }
        for e in &o.evidence {
            assert!(["auth", "sender", "request", "context"].contains(&e.axis.as_str()));
            assert!(
                ["strong", "medium", "weak", "info", "mitigating"].contains(&e.strength.as_str())
            );
            assert!(
                impostor::evidence::CATALOGUE.iter().any(|c| c.id == e.code),
                "{}",
                e.code
            );
            assert!(
                !e.message.contains('{'),
                "unfilled placeholder: {}",
                e.message
            );
        }
        assert!(!o.actions.is_empty());
    }
}

#[test]
fn japanese_output_fills_every_sentence() {
    let cfg = config();
    let snapshot = fixture("dns/zone.json");
    let mut args = vec![
        "check",
        "--json",
        "--lang",
        "ja",
        "--config",
        s(&cfg),
        "--dns-snapshot",
        s(&snapshot),
    ];
    let mut files = mail_fixtures();
    files.extend(
        std::fs::read_dir(fixture("sender"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml")),
    );
    args.extend(files.iter().map(|p| s(p)));
    let out = run(&args, None);
    for line in stdout(&out).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for e in v["evidence"].as_array().unwrap() {
            let m = e["message"].as_str().unwrap();
            assert!(!m.contains('{'), "unfilled placeholder: {m}");
        }
        assert!(
            v["verdict"]["headline"]
                .as_str()
                .unwrap()
                .chars()
                .any(impostor::text::is_japanese)
        );
    }
}
