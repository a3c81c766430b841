//! The 12 DMARC cases of authheaders 0.16.3 (`shared/conformance/dmarc/`), through
//! `impostor::auth::verify` against `dns-snapshot.json` served by a loopback DNS server, with
//! no client IP (SPF is not evaluated, so DMARC sees SPF `none`, as upstream runs them).
//!
//! Compared: the DKIM result and domain for the DKIM-only case; the DMARC result word and the
//! applied policy (`policy.dmarc`) for the others. impostor reports no policy when no record
//! applies; authheaders writes `policy.dmarc=none` then, so an absent policy reads as `none`.
//! The "prev" cases (DKIM result given as an earlier Authentication-Results upstream) are run
//! by really verifying DKIM, which fails for them, as the README explains.
//!
//! Not compared: authheaders' free-text comments ("Used Org Domain Record"...) and
//! `header.from`.

use super::{Outcome, crlf, read_suite_file, read_suite_text, serve};
use impostor::auth::dns::{DnsView, Snapshot};
use impostor::auth::{AuthResult, Envelope, verify};

struct Case {
    id: &'static str,
    file: &'static str,
    result: &'static str,
    policy: &'static str,
}

const CASES: &[Case] = &[
    Case {
        id: "dmarc",
        file: "test.message_signed",
        result: "pass",
        policy: "reject",
    },
    Case {
        id: "comma in display name",
        file: "testcomma.message",
        result: "pass",
        policy: "reject",
    },
    Case {
        id: "bad record",
        file: "test.bad.message",
        result: "permerror",
        policy: "none",
    },
    Case {
        id: "no From address",
        file: "test.nofrom.message",
        result: "permerror",
        policy: "none",
    },
    Case {
        id: "subdomain, sp=",
        file: "test.message_sub",
        result: "fail",
        policy: "reject",
    },
    Case {
        id: "np=, nonexistent subdomain",
        file: "test.message_np1",
        result: "fail",
        policy: "reject",
    },
    Case {
        id: "np=, existing subdomain",
        file: "test.message_np2",
        result: "fail",
        policy: "quarantine",
    },
    Case {
        id: "record without p=",
        file: "test_nop.message",
        result: "none",
        policy: "none",
    },
    Case {
        id: "two From addresses",
        file: "test.message_multi",
        result: "fail",
        policy: "reject",
    },
    Case {
        id: "two From addresses, other order",
        file: "test.message_multi2",
        result: "fail",
        policy: "reject",
    },
    Case {
        id: "PSD tree walk",
        file: "test.gov.message",
        result: "fail",
        policy: "reject",
    },
];

fn message(file: &str) -> Vec<u8> {
    crlf(&read_suite_file(&format!("dmarc/data/{file}")))
}

async fn dkim_only(view: &DnsView) -> Result<(), String> {
    let results = verify(view, &message("test.message_signed"), &Envelope::default()).await;
    match results.dkim.as_slice() {
        [d] if d.result == AuthResult::Pass && d.domain == "example.com" => Ok(()),
        other => Err(format!(
            "expected dkim=pass header.d=example.com, got {:?}",
            other
                .iter()
                .map(|d| format!("dkim={} header.d={}", d.result, d.domain))
                .collect::<Vec<_>>()
        )),
    }
}

async fn dmarc_case(view: &DnsView, case: &Case) -> Result<(), String> {
    let results = verify(view, &message(case.file), &Envelope::default()).await;
    let (result, policy) = match &results.dmarc {
        Some(d) => (
            d.result.as_str(),
            d.policy.clone().unwrap_or_else(|| "none".into()),
        ),
        None => ("(no DMARC result)", "(none)".into()),
    };
    if result == case.result && policy == case.policy {
        Ok(())
    } else {
        let reason = results
            .dmarc
            .as_ref()
            .and_then(|d| d.reason.clone())
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        Err(format!(
            "got dmarc={result}{reason} policy={policy}, expected dmarc={} policy={}",
            case.result, case.policy
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dmarc_authheaders_cases() {
    let snapshot: Snapshot = serde_json::from_str(&read_suite_text("dmarc/dns-snapshot.json"))
        .expect("dmarc/dns-snapshot.json is a snapshot");
    let view = serve(snapshot).await;
    let mut outcome = Outcome::new("dmarc");
    outcome.record("dmarc/dkim only".into(), dkim_only(&view).await);
    for case in CASES {
        outcome.record(format!("dmarc/{}", case.id), dmarc_case(&view, case).await);
    }
    assert_eq!(outcome.ran, 12, "authheaders cases");
    outcome.assert_matches_deviations();
}
