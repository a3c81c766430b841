//! Verifies the generated corpus with mail-auth 0.13 against its DNS snapshot.
//!
//! ```text
//! cargo run --example fixtures_check [-- FIXTURES_DIR]   # default: fixtures/
//! ```
//!
//! For every `mail/NAME.eml` it reads `mail/NAME.expect.toml`, runs
//! mail-auth's SPF (HELO and MAIL FROM identities, and the combined
//! `SpfParameters::verify`), DKIM, ARC and DMARC verification with all DNS
//! answers taken from `dns/zone.json`, decodes From and Subject with
//! mail-parser, and compares. mail-auth is held to the `[mail_auth]` table
//! where an expect file has one (its known deviations), to `[auth]`
//! otherwise. Exits non-zero on any mismatch.
//!
//! DNS is served by pre-filled `ResolverCache`s: every TXT name of the
//! snapshot is parsed the way `MessageAuthenticator::txt_lookup` would (the
//! first record that parses wins) and a missing TXT name answers NXDOMAIN;
//! a missing A/AAAA/MX/PTR name answers with an empty record set, which
//! SPF treats like NXDOMAIN. The resolver behind the caches has no name
//! servers, so nothing leaves the process.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::dmarc::{Dmarc, Policy};
use mail_auth::hickory_resolver::config::{ResolverConfig, ResolverOpts};
use mail_auth::hickory_resolver::proto::op::ResponseCode;
use mail_auth::spf::Spf;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, DkimResult, DmarcResult, DnsError, DnssecStatus, Error, MX,
    MessageAuthenticator, Parameters, RecordSet, ResolverCache, SpfResult, Txt,
};
use serde::Deserialize;

const HOST_DOMAIN: &str = "mx1.support.example.co.jp";

#[derive(Deserialize)]
struct ZoneFile {
    txt: BTreeMap<String, serde_json::Value>,
    a: BTreeMap<String, Vec<Ipv4Addr>>,
    aaaa: BTreeMap<String, Vec<Ipv6Addr>>,
    mx: BTreeMap<String, Vec<(u16, String)>>,
    ptr: BTreeMap<IpAddr, Vec<String>>,
}

/// A cache that always answers: from the snapshot, or with `missing`.
struct Snapshot<K, V> {
    map: HashMap<K, V>,
    missing: V,
}

impl<K: Hash + Eq, V: Clone> ResolverCache<K, V> for Snapshot<K, V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        Some(
            self.map
                .get(name)
                .cloned()
                .unwrap_or_else(|| self.missing.clone()),
        )
    }
    fn remove<Q>(&self, _: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        None
    }
    fn insert(&self, _: K, _: V, _: Instant) {}
}

fn set<T>(items: Vec<T>) -> RecordSet<T> {
    RecordSet {
        rrset: Arc::from(items.into_boxed_slice()),
        dnssec_status: DnssecStatus::Indeterminate,
    }
}

struct Dns {
    txt: Snapshot<Box<str>, Txt>,
    mx: Snapshot<Box<str>, RecordSet<MX>>,
    a: Snapshot<Box<str>, RecordSet<Ipv4Addr>>,
    aaaa: Snapshot<Box<str>, RecordSet<Ipv6Addr>>,
    ptr: Snapshot<IpAddr, RecordSet<Box<str>>>,
}

/// Parses one TXT RRset the way `MessageAuthenticator::txt_lookup` does:
/// the first record that parses wins, else the last error.
fn parse_txt<T: TxtRecordParser + Into<Txt>>(records: &[Vec<u8>]) -> Txt {
    let mut result = Err(Error::Dns(DnsError::InvalidRecordType));
    for r in records {
        result = T::parse(r);
        if result.is_ok() {
            break;
        }
    }
    result.into()
}

impl Dns {
    fn load(path: &std::path::Path) -> Dns {
        let zone: ZoneFile = serde_json::from_slice(&std::fs::read(path).expect("read zone.json"))
            .expect("zone.json");
        let fqdn = |n: &str| format!("{}.", n.to_ascii_lowercase()).into_boxed_str();
        let mut txt = HashMap::new();
        for (name, value) in &zone.txt {
            let list = value.as_array().expect("txt list");
            let records: Vec<Vec<u8>> = if list.iter().all(|v| v.is_string()) {
                vec![
                    list.iter()
                        .map(|v| v.as_str().unwrap())
                        .collect::<String>()
                        .into_bytes(),
                ]
            } else {
                list.iter()
                    .map(|r| {
                        r.as_array()
                            .expect("record")
                            .iter()
                            .map(|v| v.as_str().expect("piece"))
                            .collect::<String>()
                            .into_bytes()
                    })
                    .collect()
            };
            let parsed = if name.contains("._domainkey.") {
                parse_txt::<DomainKey>(&records)
            } else if name.starts_with("_dmarc.") {
                parse_txt::<Dmarc>(&records)
            } else {
                parse_txt::<Spf>(&records)
            };
            txt.insert(fqdn(name), parsed);
        }
        let mut mx: HashMap<Box<str>, Vec<MX>> = HashMap::new();
        for (name, hosts) in &zone.mx {
            let list = mx.entry(fqdn(name)).or_default();
            let mut hosts = hosts.clone();
            hosts.sort();
            for (pref, host) in hosts {
                match list.iter_mut().find(|m| m.preference == pref) {
                    Some(m) => {
                        let mut ex = m.exchanges.to_vec();
                        ex.push(fqdn(&host));
                        m.exchanges = ex.into_boxed_slice();
                    }
                    None => list.push(MX {
                        exchanges: vec![fqdn(&host)].into_boxed_slice(),
                        preference: pref,
                    }),
                }
            }
        }
        Dns {
            txt: Snapshot {
                map: txt,
                missing: Txt::Error(Error::Dns(DnsError::RecordNotFound(ResponseCode::NXDomain))),
            },
            mx: Snapshot {
                map: mx.into_iter().map(|(k, v)| (k, set(v))).collect(),
                missing: set(Vec::new()),
            },
            a: Snapshot {
                map: zone
                    .a
                    .iter()
                    .map(|(k, v)| (fqdn(k), set(v.clone())))
                    .collect(),
                missing: set(Vec::new()),
            },
            aaaa: Snapshot {
                map: zone
                    .aaaa
                    .iter()
                    .map(|(k, v)| (fqdn(k), set(v.clone())))
                    .collect(),
                missing: set(Vec::new()),
            },
            ptr: Snapshot {
                map: zone
                    .ptr
                    .iter()
                    .map(|(k, v)| (*k, set(v.iter().map(|n| fqdn(n)).collect())))
                    .collect(),
                missing: set(Vec::new()),
            },
        }
    }

    #[allow(clippy::type_complexity)]
    fn params<P>(
        &self,
        p: P,
    ) -> Parameters<
        '_,
        P,
        Snapshot<Box<str>, Txt>,
        Snapshot<Box<str>, RecordSet<MX>>,
        Snapshot<Box<str>, RecordSet<Ipv4Addr>>,
        Snapshot<Box<str>, RecordSet<Ipv6Addr>>,
        Snapshot<IpAddr, RecordSet<Box<str>>>,
    > {
        Parameters::new(p)
            .with_txt_cache(&self.txt)
            .with_mx_cache(&self.mx)
            .with_ipv4_cache(&self.a)
            .with_ipv6_cache(&self.aaaa)
            .with_ptr_cache(&self.ptr)
    }
}

#[derive(Deserialize)]
struct Expect {
    client_ip: IpAddr,
    helo: String,
    mail_from: String,
    message: ExpectMessage,
    auth: ExpectAuth,
    #[serde(default)]
    mail_auth: toml::Table,
}

#[derive(Deserialize)]
struct ExpectMessage {
    from: String,
    from_name: String,
    subject: String,
}

#[derive(Deserialize)]
struct ExpectAuth {
    spf: String,
    spf_helo: String,
    dkim: Vec<String>,
    dkim_domains: Vec<String>,
    dmarc: String,
    dmarc_policy: Option<String>,
    arc: String,
}

fn spf_word(r: SpfResult) -> &'static str {
    match r {
        SpfResult::Pass => "pass",
        SpfResult::Fail => "fail",
        SpfResult::SoftFail => "softfail",
        SpfResult::Neutral => "neutral",
        SpfResult::TempError => "temperror",
        SpfResult::PermError => "permerror",
        SpfResult::None => "none",
    }
}

fn dkim_word(r: &DkimResult) -> &'static str {
    match r {
        DkimResult::Pass => "pass",
        DkimResult::Neutral(_) => "neutral",
        DkimResult::Fail(_) => "fail",
        DkimResult::PermError(_) => "permerror",
        DkimResult::TempError(_) => "temperror",
        DkimResult::None => "none",
    }
}

fn dmarc_word(r: &DmarcResult) -> &'static str {
    match r {
        DmarcResult::Pass => "pass",
        DmarcResult::Fail(_) => "fail",
        DmarcResult::TempError(_) => "temperror",
        DmarcResult::PermError(_) => "permerror",
        DmarcResult::None => "none",
    }
}

fn policy_word(p: Policy) -> &'static str {
    match p {
        Policy::None => "none",
        Policy::Quarantine => "quarantine",
        Policy::Reject => "reject",
        Policy::Unspecified => "unspecified",
    }
}

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures"));
    let dns = Dns::load(&dir.join("dns").join("zone.json"));
    let auth = MessageAuthenticator::new(
        ResolverConfig::from_name_servers(Vec::new()),
        ResolverOpts::default(),
    )
    .expect("resolver");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    let mut names: Vec<String> = std::fs::read_dir(dir.join("mail"))
        .expect("mail dir")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".eml").map(str::to_string)
        })
        .collect();
    names.sort();

    let mut failures = 0;
    for name in &names {
        let raw = std::fs::read(dir.join("mail").join(format!("{name}.eml"))).expect("eml");
        let expect: Expect = toml::from_str(
            &std::fs::read_to_string(dir.join("mail").join(format!("{name}.expect.toml")))
                .expect("expect file"),
        )
        .unwrap_or_else(|e| panic!("{name}.expect.toml: {e}"));
        let problems = rt.block_on(check(&auth, &dns, &raw, &expect));
        if problems.is_empty() {
            println!("ok    {name}");
        } else {
            failures += 1;
            println!("FAIL  {name}");
            for p in problems {
                println!("        {p}");
            }
        }
    }
    println!("{} passed, {} failed", names.len() - failures, failures);
    if failures > 0 {
        std::process::exit(1);
    }
}

async fn check(auth: &MessageAuthenticator, dns: &Dns, raw: &[u8], e: &Expect) -> Vec<String> {
    let problems = std::cell::RefCell::new(Vec::new());
    let compare = |what: &str, got: String, want: String| {
        if got != want {
            problems
                .borrow_mut()
                .push(format!("{what}: mail-auth says {got}, expected {want}"));
        }
    };
    // Expected value for mail-auth: the [mail_auth] override, else [auth].
    let want = |key: &str, auth_value: String| -> String {
        match e.mail_auth.get(key) {
            Some(toml::Value::String(s)) => s.clone(),
            Some(toml::Value::Array(a)) => format!(
                "{:?}",
                a.iter()
                    .map(|v| v.as_str().unwrap_or("?").to_string())
                    .collect::<Vec<_>>()
            ),
            Some(v) => v.to_string(),
            None => auth_value,
        }
    };

    // Headers as a human sees them.
    let parsed = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("mail-parser");
    let from = parsed.from().and_then(|a| a.first());
    compare(
        "From address",
        from.and_then(|a| a.address())
            .unwrap_or_default()
            .to_string(),
        e.message.from.clone(),
    );
    compare(
        "From display name",
        from.and_then(|a| a.name()).unwrap_or_default().to_string(),
        e.message.from_name.clone(),
    );
    compare(
        "Subject",
        parsed.subject().unwrap_or_default().to_string(),
        e.message.subject.clone(),
    );
    if raw
        .windows(2)
        .filter(|w| w[1] == b'\n')
        .any(|w| w[0] != b'\r')
    {
        problems
            .borrow_mut()
            .push("bare LF line ending".to_string());
    }

    // SPF.
    let ip = e.client_ip;
    let helo_out = auth
        .verify_spf(dns.params(SpfParameters::verify_ehlo(ip, &e.helo, HOST_DOMAIN)))
        .await;
    let mail_from_out = if e.mail_from.is_empty() {
        helo_out.clone()
    } else {
        auth.verify_spf(dns.params(SpfParameters::verify_mail_from(
            ip,
            &e.helo,
            HOST_DOMAIN,
            &e.mail_from,
        )))
        .await
    };
    let combined = auth
        .verify_spf(dns.params(SpfParameters::verify(
            ip,
            &e.helo,
            HOST_DOMAIN,
            &e.mail_from,
        )))
        .await;
    let compare_spf = |what: &str, got: SpfResult, key: &str, auth_value: &str| {
        let want_value = match key {
            "spf_combined" => e
                .mail_auth
                .get("spf_combined")
                .or_else(|| e.mail_auth.get("spf"))
                .and_then(|v| v.as_str())
                .unwrap_or(auth_value)
                .to_string(),
            _ => want(key, auth_value.to_string()),
        };
        compare(what, spf_word(got).to_string(), want_value);
    };
    compare_spf(
        "SPF (HELO)",
        helo_out.result(),
        "spf_helo",
        &e.auth.spf_helo,
    );
    compare_spf(
        "SPF (MAIL FROM)",
        mail_from_out.result(),
        "spf",
        &e.auth.spf,
    );
    compare_spf(
        "SPF verify()",
        combined.result(),
        "spf_combined",
        &e.auth.spf,
    );

    // DKIM.
    let message = AuthenticatedMessage::parse(raw).expect("AuthenticatedMessage");
    let dkim = auth.verify_dkim(dns.params(&message)).await;
    compare(
        "DKIM",
        format!(
            "{:?}",
            dkim.iter()
                .map(|o| dkim_word(o.result()))
                .collect::<Vec<_>>()
        ),
        want("dkim", format!("{:?}", e.auth.dkim)),
    );
    compare(
        "DKIM domains",
        format!(
            "{:?}",
            dkim.iter()
                .map(|o| o.signature().map(|s| s.d.clone()).unwrap_or_default())
                .collect::<Vec<_>>()
        ),
        format!("{:?}", e.auth.dkim_domains),
    );

    // ARC.
    let arc = auth.verify_arc(dns.params(&message)).await;
    compare(
        "ARC",
        dkim_word(arc.result()).to_string(),
        want("arc", e.auth.arc.clone()),
    );

    // DMARC, fed with the MAIL FROM identity's SPF result (HELO for <>).
    let mail_from_domain = if e.mail_from.is_empty() {
        e.helo.clone()
    } else {
        e.mail_from
            .rsplit_once('@')
            .map(|(_, d)| d.to_string())
            .unwrap_or_default()
    };
    let dmarc = auth
        .verify_dmarc(dns.params(DmarcParameters {
            message: &message,
            dkim_output: &dkim,
            dkim2_output: None,
            rfc5321_mail_from_domain: &mail_from_domain,
            spf_output: &mail_from_out,
        }))
        .await;
    compare(
        "DMARC",
        dmarc_word(&dmarc.result()).to_string(),
        want("dmarc", e.auth.dmarc.clone()),
    );
    let policy = dmarc
        .dmarc_record()
        .map(|_| policy_word(dmarc.policy()).to_string());
    compare(
        "DMARC policy",
        format!("{policy:?}"),
        format!("{:?}", e.auth.dmarc_policy),
    );
    problems.into_inner()
}
