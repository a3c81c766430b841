//! The ValiMail ARC test suite (`shared/conformance/arc/`), through `impostor::auth::verify`
//! against each scenario's `txt-records` served by a loopback DNS server.
//!
//! Runs: every case of the validation suite (10 scenarios, 171 cases; `tests` is read as
//! ordered pairs keeping the later of a duplicated key, as PyYAML does). The chain result is
//! mapped as the README says: pass -> `Pass`, none (or no ARC result at all, e.g. a message
//! that does not parse) -> `None`, anything else -> `Fail`; an empty `cv` means `Fail`.
//! Also the signing suite's cheap check: the expected `ARC-Seal`, `ARC-Message-Signature` and
//! `ARC-Authentication-Results` are prepended to the case's message and the chain must then
//! validate as the new seal's `cv=` says (`Pass` for none/pass, `Fail` for fail); a case whose
//! expected output is empty (no set added to a failed chain) must validate as `Fail`.
//!
//! Does not run: ARC sealing itself (impostor only verifies), nor the upstream comparison of
//! produced header tag sets.

use super::{Outcome, Pairs, crlf, read_suite_text, serve, yaml_documents};
use impostor::auth::dns::{Snapshot, normalize};
use impostor::auth::{AuthResult, Envelope, verify};
use serde::Deserialize;

#[derive(Deserialize)]
struct ValidationScenario {
    description: String,
    tests: Pairs<ValidationCase>,
    #[serde(rename = "txt-records")]
    txt_records: Pairs<String>,
}

#[derive(Deserialize)]
struct ValidationCase {
    message: String,
    #[serde(default)]
    cv: Option<String>,
}

#[derive(Deserialize)]
struct SigningScenario {
    description: String,
    tests: Pairs<SigningCase>,
    #[serde(rename = "txt-records")]
    txt_records: Pairs<String>,
}

#[derive(Deserialize)]
struct SigningCase {
    message: String,
    #[serde(rename = "AS", default)]
    seal: Option<String>,
    #[serde(rename = "AMS", default)]
    signature: Option<String>,
    #[serde(rename = "AAR", default)]
    results: Option<String>,
}

/// Key records as a snapshot; values are one TXT record each (impostor's server cuts them into
/// 255-byte strings). Folded YAML values may keep line breaks: they are removed.
fn snapshot(records: &Pairs<String>) -> Snapshot {
    let mut snap = Snapshot::default();
    for (name, value) in &records.0 {
        let value: String = value.lines().map(str::trim).collect();
        snap.txt.insert(normalize(name), vec![vec![value]]);
    }
    snap
}

/// The chain result in the suite's words, and impostor's reason.
async fn chain_result(
    view: &impostor::auth::dns::DnsView,
    message: &[u8],
) -> (&'static str, Option<String>) {
    let results = verify(view, message, &Envelope::default()).await;
    let reason = results.arc.as_ref().and_then(|a| a.reason.clone());
    let word = match results.arc.map(|a| a.result) {
        None | Some(AuthResult::None) => "None",
        Some(AuthResult::Pass) => "Pass",
        Some(_) => "Fail",
    };
    (word, reason)
}

fn judge((got, reason): (&str, Option<String>), expected: &str) -> Result<(), String> {
    match reason {
        _ if got == expected => Ok(()),
        Some(reason) => Err(format!("got {got} ({reason}), expected {expected}")),
        None => Err(format!("got {got}, expected {expected}")),
    }
}

async fn validation_suite(outcome: &mut Outcome) {
    let text = read_suite_text("arc/arc-draft-validation-tests.yml");
    let scenarios: Vec<ValidationScenario> = yaml_documents(&text);
    assert_eq!(scenarios.len(), 10, "validation scenarios");
    let before = outcome.ran;
    for scenario in &scenarios {
        let view = serve(snapshot(&scenario.txt_records)).await;
        for (name, case) in &scenario.tests.0 {
            let id = format!("arc/{}/{name}", scenario.description.trim());
            let expected = match case.cv.as_deref().map(str::trim) {
                None | Some("") => "Fail",
                Some(cv) => cv,
            };
            let got = chain_result(&view, &crlf(case.message.as_bytes())).await;
            outcome.record(id, judge(got, expected));
        }
    }
    assert_eq!(outcome.ran - before, 171, "validation cases");
}

/// `Name: value` with the YAML block's lines folded as continuation lines.
fn header(name: &str, value: &str) -> String {
    let lines: Vec<&str> = value.lines().map(str::trim_end).collect();
    format!("{name}: {}\r\n", lines.join("\r\n "))
}

/// A signature header (`ARC-Seal`, `ARC-Message-Signature`) as the sealer wrote it: its
/// `tag=value` pairs without whitespace, joined by "; ". The YAML folds long `b=` values for
/// reading (upstream compares tag sets with whitespace removed), but the seal signs the AMS
/// *with* its `b=`, and relaxed canonicalization keeps whitespace inside a value, so the folded
/// form would break the seal.
fn signature_header(name: &str, value: &str) -> String {
    let tags: Vec<String> = value
        .split(';')
        .map(|t| t.split_whitespace().collect::<String>())
        .filter(|t| !t.is_empty())
        .collect();
    format!("{name}: {}\r\n", tags.join("; "))
}

async fn signing_suite(outcome: &mut Outcome) {
    let text = read_suite_text("arc/arc-draft-sign-tests.yml");
    let scenarios: Vec<SigningScenario> = yaml_documents(&text);
    assert_eq!(scenarios.len(), 2, "signing scenarios");
    let before = outcome.ran;
    for scenario in &scenarios {
        let view = serve(snapshot(&scenario.txt_records)).await;
        for (name, case) in &scenario.tests.0 {
            let id = format!("arc-sign/{}/{name}", scenario.description.trim());
            let seal = case.seal.as_deref().unwrap_or("").trim();
            let (message, expected) = if seal.is_empty() {
                // The sealer must not extend a failed chain: the message stays as it is.
                (case.message.clone(), "Fail")
            } else {
                let cv = seal
                    .split(';')
                    .map(|t| t.trim())
                    .find_map(|t| t.strip_prefix("cv="))
                    .unwrap_or("");
                let expected = if cv.eq_ignore_ascii_case("fail") {
                    "Fail"
                } else {
                    "Pass"
                };
                let message = signature_header("ARC-Seal", seal)
                    + &signature_header(
                        "ARC-Message-Signature",
                        case.signature.as_deref().unwrap_or("").trim(),
                    )
                    + &header(
                        "ARC-Authentication-Results",
                        case.results.as_deref().unwrap_or("").trim(),
                    )
                    + &case.message;
                (message, expected)
            };
            let got = chain_result(&view, &crlf(message.as_bytes())).await;
            outcome.record(id, judge(got, expected));
        }
    }
    assert_eq!(outcome.ran - before, 17, "signing cases");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arc_valimail_suite() {
    let mut outcome = Outcome::new("arc");
    validation_suite(&mut outcome).await;
    signing_suite(&mut outcome).await;
    outcome.assert_matches_deviations();
}
