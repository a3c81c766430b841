//! The public conformance suites in `shared/conformance/` (beside the repository), run through
//! impostor's own authentication code: every DNS answer comes from an
//! `impostor::auth::dns::DnsView` snapshot served by a real DNS server on loopback.
//!
//! Each suite collects the ids of its failing cases and asserts that they are exactly the ids
//! listed in `tests/conformance/deviations/<suite>.txt` (`case-id<TAB>reason` per line, `#`
//! comments): a new failure and a stale entry both fail the test.
//!
//! Not run here: anything that needs the network, and the suites' free-text outputs
//! (SPF explanations, authheaders' comments), which are implementation-specific.

mod arc;
mod dkim;
mod dmarc;
mod psl;
mod spf;

use impostor::auth::dns::{DnsSettings, DnsView, Snapshot};
use serde::de::{Deserialize, DeserializeOwned, Deserializer, MapAccess, Visitor};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::time::Duration;

/// A file of a suite, e.g. `suite_file("spf/rfc7208-tests.yml")`.
fn suite_file(relative: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/"
    ))
    .join(relative)
}

fn read_suite_file(relative: &str) -> Vec<u8> {
    let path = suite_file(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn read_suite_text(relative: &str) -> String {
    String::from_utf8(read_suite_file(relative))
        .unwrap_or_else(|e| panic!("{relative} is not UTF-8: {e}"))
}

/// A YAML mapping read as an ordered list of pairs. A key that appears twice keeps its first
/// position and its *later* value, as PyYAML (the suites' reference loader) does; serde_yaml's
/// own maps reject such files.
#[derive(Debug, Clone)]
struct Pairs<V>(Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Pairs<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<V> {
            type Value = Pairs<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs<V>, A::Error> {
                let mut pairs: Vec<(String, V)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    match pairs.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = value,
                        None => pairs.push((key, value)),
                    }
                }
                Ok(Pairs(pairs))
            }
        }

        deserializer.deserialize_map(PairsVisitor(PhantomData))
    }
}

/// Every document of a YAML stream (`---` separated).
fn yaml_documents<T: DeserializeOwned>(text: &str) -> Vec<T> {
    serde_yaml::Deserializer::from_str(text)
        .enumerate()
        .map(|(i, doc)| {
            T::deserialize(doc).unwrap_or_else(|e| panic!("YAML document {}: {e}", i + 1))
        })
        .collect()
}

/// LF (or mixed) line ends to CRLF, as the suites' drivers do before verifying.
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 20);
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' && (i == 0 || bytes[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// A DNS view serving `snapshot` from an in-process server on loopback. The suites' TIMEOUT
/// names are never answered, so the timeout is short, yet far above a loopback answer even on a
/// loaded machine. (An unanswered lookup costs about twice the timeout, UDP then TCP; SPF runs a
/// scenario's cases concurrently so that it waits only a few times.)
async fn serve(snapshot: Snapshot) -> DnsView {
    let settings = DnsSettings {
        nameserver: None,
        timeout: Duration::from_millis(400),
        attempts: 1,
        budget: Duration::from_secs(20),
    };
    DnsView::snapshot(snapshot, &settings)
        .await
        .expect("the loopback DNS server starts")
}

/// Failing case ids of one suite, with what went wrong.
#[derive(Debug, Default)]
struct Outcome {
    suite: &'static str,
    ran: usize,
    failures: BTreeMap<String, String>,
}

impl Outcome {
    fn new(suite: &'static str) -> Self {
        Outcome {
            suite,
            ..Outcome::default()
        }
    }

    /// Records one case: `Ok` passed, `Err(detail)` failed.
    fn record(&mut self, id: String, result: Result<(), String>) {
        self.ran += 1;
        if let Err(detail) = result {
            let previous = self.failures.insert(id.clone(), detail);
            assert!(previous.is_none(), "duplicate case id {id}");
        }
    }

    /// Asserts that the failing ids are exactly the known deviations.
    fn assert_matches_deviations(&self) {
        let known = deviations(self.suite);
        let failing: BTreeSet<&String> = self.failures.keys().collect();
        let listed: BTreeSet<&String> = known.keys().collect();
        let new: Vec<_> = failing.difference(&listed).collect();
        let stale: Vec<_> = listed.difference(&failing).collect();
        eprintln!(
            "{} conformance: {} cases, {} passed, {} known deviations",
            self.suite,
            self.ran,
            self.ran - self.failures.len(),
            known.len()
        );
        if new.is_empty() && stale.is_empty() {
            return;
        }
        let mut msg = format!(
            "{} conformance does not match tests/conformance/deviations/{}.txt\n",
            self.suite, self.suite
        );
        if !new.is_empty() {
            msg += &format!(
                "\nNEW failures ({}), not in the deviations file:\n",
                new.len()
            );
            for id in new {
                msg += &format!("  {id}\t{}\n", self.failures[*id]);
            }
        }
        if !stale.is_empty() {
            msg += &format!(
                "\nSTALE deviations ({}): listed, but the case passes (or does not exist):\n",
                stale.len()
            );
            for id in stale {
                msg += &format!("  {id}\t{}\n", known[*id]);
            }
        }
        panic!("{msg}");
    }
}

/// `tests/conformance/deviations/<suite>.txt`: case id -> reason.
fn deviations(suite: &str) -> BTreeMap<String, String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/conformance/deviations")
        .join(format!("{suite}.txt"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (id, reason) = line.split_once('\t').unwrap_or_else(|| {
            panic!(
                "{}:{}: expected `case-id<TAB>reason`",
                path.display(),
                n + 1
            )
        });
        assert!(
            !reason.trim().is_empty(),
            "{}:{}: a deviation needs a reason",
            path.display(),
            n + 1
        );
        let previous = out.insert(id.to_string(), reason.trim().to_string());
        assert!(
            previous.is_none(),
            "{}:{}: {id} listed twice",
            path.display(),
            n + 1
        );
    }
    out
}
