//! The openspf.org RFC 7208 test suite (`shared/conformance/spf/rfc7208-tests.yml`), every
//! scenario and case, through `impostor::auth::spf` against each scenario's zone served by a
//! loopback DNS server. The result compared is the MAIL FROM identity's (which impostor falls
//! back to the HELO check for when MAIL FROM has no domain); a list of results means any of
//! them is acceptable.
//!
//! Driver rules (the suite's README): `SPF` records are copied to TXT for a name without TXT
//! records of its own; `NONE` means no record; a TXT given as a list is one record of several
//! strings; `TIMEOUT` makes the name's TXT lookups go unanswered (unless it has TXT records,
//! since only the obsolete SPF type would time out then).
//!
//! Representation choices: the YAML `\xNN` escapes are code points, served as their UTF-8
//! bytes (a Rust `String` cannot hold a lone 0x80; either way the record is non-ASCII, which is
//! what those cases test); the empty record `SPF: [ ]` is served as one empty string (a TXT
//! record with no string at all is not valid on the wire, and hickory rejects it).
//!
//! Not compared: the `explanation` texts (the suite's `DEFAULT` explanation is
//! implementation-specific), and record-type-SPF behaviour (mail-auth only queries TXT, as
//! RFC 7208 requires).

use super::{Outcome, Pairs, read_suite_text, serve, yaml_documents};
use impostor::auth::dns::{Snapshot, normalize};
use impostor::auth::{Envelope, spf};
use serde::Deserialize;
use serde_yaml::Value;
use std::net::IpAddr;
use std::sync::Arc;
use tokio::task::JoinSet;

#[derive(Deserialize)]
struct Scenario {
    description: String,
    tests: Pairs<Case>,
    #[serde(default)]
    zonedata: Option<Pairs<Vec<Value>>>,
}

#[derive(Deserialize)]
struct Case {
    helo: Value,
    host: Value,
    mailfrom: Value,
    result: Value,
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// One TXT/SPF record value: a string, or a list of strings forming one record.
fn txt_value(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) if s == "NONE" => None,
        // A TXT record holds at least one string (RFC 1035 §3.3.14): the suite's empty record
        // `[ ]` goes on the wire as one empty string (hickory rejects a TXT with none).
        Value::Sequence(parts) if parts.is_empty() => Some(vec![String::new()]),
        Value::Sequence(parts) => Some(parts.iter().map(scalar).collect()),
        other => Some(vec![scalar(other)]),
    }
}

/// `4.3.2.1.in-addr.arpa` -> 1.2.3.4, and the nibble form under ip6.arpa.
fn reverse_name_ip(name: &str) -> Option<IpAddr> {
    if let Some(v4) = name.strip_suffix(".in-addr.arpa") {
        let mut octets = v4
            .split('.')
            .map(|o| o.parse::<u8>().ok())
            .collect::<Option<Vec<_>>>()?;
        octets.reverse();
        let octets: [u8; 4] = octets.try_into().ok()?;
        return Some(IpAddr::from(octets));
    }
    let v6 = name.strip_suffix(".ip6.arpa")?;
    let mut nibbles = v6
        .split('.')
        .map(|n| u8::from_str_radix(n, 16).ok())
        .collect::<Option<Vec<_>>>()?;
    nibbles.reverse();
    if nibbles.len() != 32 {
        return None;
    }
    let mut bytes = [0u8; 16];
    for (i, pair) in nibbles.chunks(2).enumerate() {
        bytes[i] = (pair[0] << 4) | pair[1];
    }
    Some(IpAddr::from(bytes))
}

/// The scenario's zone as an impostor snapshot, following the suite's driver rules.
fn snapshot(zonedata: &Pairs<Vec<Value>>) -> Snapshot {
    let mut snap = Snapshot::default();
    for (name, records) in &zonedata.0 {
        let name = normalize(name);
        let mut txt = Vec::new();
        let mut spf = Vec::new();
        let mut txt_given = false;
        let mut timeout = false;
        for record in records {
            let (rtype, value) = match record {
                Value::String(s) if s == "TIMEOUT" => {
                    timeout = true;
                    continue;
                }
                Value::Mapping(m) if m.len() == 1 => {
                    let (k, v) = m.iter().next().expect("one entry");
                    (scalar(k), v)
                }
                other => panic!("{name}: unexpected zone entry {other:?}"),
            };
            match rtype.as_str() {
                "TXT" => {
                    txt_given = true;
                    txt.extend(txt_value(value));
                }
                "SPF" => spf.extend(txt_value(value)),
                "A" => {
                    let ip = scalar(value);
                    match ip.parse() {
                        Ok(ip) => snap.a.entry(name.clone()).or_default().push(ip),
                        Err(_) => panic!("{name}: bad A {ip}"),
                    }
                }
                "AAAA" => {
                    let ip = scalar(value);
                    match ip.parse() {
                        Ok(ip) => snap.aaaa.entry(name.clone()).or_default().push(ip),
                        Err(_) => panic!("{name}: bad AAAA {ip}"),
                    }
                }
                "MX" => {
                    let Value::Sequence(mx) = value else {
                        panic!("{name}: bad MX {value:?}");
                    };
                    let pref = scalar(&mx[0]).parse().expect("MX preference");
                    snap.mx
                        .entry(name.clone())
                        .or_default()
                        .push((pref, normalize(&scalar(&mx[1]))));
                }
                "PTR" => {
                    let ip = reverse_name_ip(&name)
                        .unwrap_or_else(|| panic!("PTR owner {name} is not a reverse name"));
                    snap.ptr
                        .entry(ip)
                        .or_default()
                        .push(normalize(&scalar(value)));
                }
                "CNAME" => {
                    snap.cname.insert(name.clone(), normalize(&scalar(value)));
                }
                other => panic!("{name}: unknown record type {other}"),
            }
        }
        // RFC 7208 dropped type SPF: the suite expects drivers to serve SPF records as TXT for a
        // name that has no TXT of its own (`TXT: NONE` says it has none, and none is copied).
        if !txt_given {
            txt = spf;
        }
        if !txt.is_empty() {
            snap.txt.insert(name.clone(), txt);
        } else if timeout {
            snap.timeout.insert(name.clone());
        }
    }
    snap
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spf_rfc7208_suite() {
    let text = read_suite_text("spf/rfc7208-tests.yml");
    let scenarios: Vec<Scenario> = yaml_documents(&text);
    assert_eq!(scenarios.len(), 16, "scenarios in the suite");
    let mut outcome = Outcome::new("spf");
    for scenario in &scenarios {
        let snap = scenario.zonedata.as_ref().map(snapshot).unwrap_or_default();
        let view = Arc::new(serve(snap).await);
        // A scenario's cases run concurrently, so its TIMEOUT cases wait out one timeout.
        let mut running = JoinSet::new();
        for (name, case) in &scenario.tests.0 {
            let id = format!("spf/{}/{name}", scenario.description);
            let expected: Vec<String> = match &case.result {
                Value::Sequence(list) => list.iter().map(scalar).collect(),
                one => vec![scalar(one)],
            };
            let ip: IpAddr = scalar(&case.host)
                .parse()
                .unwrap_or_else(|e| panic!("{id}: bad host: {e}"));
            let envelope = Envelope {
                ip: Some(ip),
                helo: Some(scalar(&case.helo)),
                mail_from: Some(scalar(&case.mailfrom)),
                receiver: None,
            };
            let view = view.clone();
            running.spawn(async move {
                let checks = spf(&view, &envelope).await;
                let got = checks
                    .mail_from
                    .as_ref()
                    .map_or("none", |c| c.result.as_str());
                let result = if expected.iter().any(|e| e == got) {
                    Ok(())
                } else {
                    Err(format!("got {got}, expected {}", expected.join(" or ")))
                };
                (id, result)
            });
        }
        while let Some(done) = running.join_next().await {
            let (id, result) = done.expect("an SPF case panicked");
            outcome.record(id, result);
        }
    }
    assert_eq!(outcome.ran, 203, "cases in the suite");
    outcome.assert_matches_deviations();
}
