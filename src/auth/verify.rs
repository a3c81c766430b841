//! mail-auth calls for one message: SPF for the originating hop (HELO and MAIL FROM), DKIM for
//! every signature, ARC, and DMARC for the From domain, all within the view's time budget.

use super::dns::{DnsView, ViewKind};
use super::{
    ArcCheck, AuthResult, AuthResults, AuthSource, DkimCheck, DmarcCheck, SpfCheck, SpfIdentity,
};
use mail_auth::dkim::Canonicalization;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::dmarc::{Alignment, Policy};
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, DkimOutput, DkimResult, DmarcResult, DnsError, Error as MaError,
    SpfResult,
};
use std::net::IpAddr;

/// The SMTP envelope of the originating hop, as the Received chain or the MTA gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// The client IP.
    pub ip: Option<IpAddr>,
    /// The HELO/EHLO name.
    pub helo: Option<String>,
    /// The MAIL FROM address; `Some("")` for the null sender.
    pub mail_from: Option<String>,
    /// The receiving host, for SPF's `%{r}` macro.
    pub receiver: Option<String>,
}

/// Authenticates `raw` against the DNS view. Never fails: every problem is a result.
///
/// SPF, DKIM and ARC run concurrently, then DMARC, all against one deadline (the view's
/// per-message budget). A check the deadline cuts short is a `temperror`, so a slow or dead
/// resolver leaves the message unverifiable, never authenticated.
pub async fn verify(view: &DnsView, raw: &[u8], envelope: &Envelope) -> AuthResults {
    let source = match view.kind() {
        ViewKind::Live => AuthSource::Dns,
        ViewKind::Snapshot => AuthSource::Snapshot,
    };
    let auth = view.authenticator();
    let mut results = AuthResults::empty(source);
    let Some(message) = AuthenticatedMessage::parse(raw) else {
        results.unverifiable = Some("the message could not be parsed for authentication".into());
        return results;
    };
    let budget = view.budget();
    let deadline = tokio::time::Instant::now() + budget;
    let out_of_time = format!(
        "the DNS budget of {} ms for this message ran out",
        budget.as_millis()
    );
    let (spf, dkim, arc) = tokio::join!(
        tokio::time::timeout_at(deadline, spf(view, envelope)),
        tokio::time::timeout_at(deadline, auth.verify_dkim(cached(view, &message))),
        tokio::time::timeout_at(deadline, auth.verify_arc(cached(view, &message))),
    );

    let (dmarc_spf, dmarc_spf_domain) = match spf {
        Ok(spf) => {
            results.helo = spf.helo;
            results.spf = spf.mail_from;
            spf.for_dmarc
        }
        Err(_) => {
            results.unverifiable = Some(out_of_time.clone());
            let timed_out = |identity, domain: String| SpfCheck {
                identity,
                domain,
                ip: envelope.ip,
                result: AuthResult::TempError,
                reason: Some(out_of_time.clone()),
            };
            if let Some(helo) = envelope.helo.as_deref().filter(|h| is_domain(h)) {
                results.helo = Some(timed_out(SpfIdentity::Helo, helo.to_ascii_lowercase()));
            }
            results.spf = match envelope
                .mail_from
                .as_deref()
                .and_then(crate::message::domain_of)
            {
                Some(d) => Some(timed_out(SpfIdentity::MailFrom, d)),
                None => results.helo.clone(),
            };
            if envelope.ip.is_none() {
                results.spf = None;
                results.helo = None;
            }
            let mut out = mail_auth::SpfOutput::default();
            out = out.with_result(SpfResult::TempError);
            let domain = results
                .spf
                .as_ref()
                .map(|s| s.domain.clone())
                .unwrap_or_default();
            (out, domain)
        }
    };

    let dkim = match dkim {
        Ok(dkim) => {
            results.dkim = dkim.iter().map(dkim_check).collect();
            dkim
        }
        Err(_) => {
            results.unverifiable = Some(out_of_time.clone());
            results.dkim = message
                .dkim_headers
                .iter()
                .map(|h| DkimCheck {
                    domain: h.header.d.to_ascii_lowercase(),
                    selector: h.header.s.clone(),
                    algorithm: h.header.a.name().to_string(),
                    canonicalization: Some(format!(
                        "{}/{}",
                        canon(h.header.ch),
                        canon(h.header.cb)
                    )),
                    result: AuthResult::TempError,
                    reason: Some(out_of_time.clone()),
                })
                .collect();
            Vec::new()
        }
    };

    results.arc = match arc {
        Ok(arc) => {
            let sets = arc.sets();
            Some(ArcCheck {
                // RFC 8617 §5.2 knows only pass, fail and none for a chain: anything else fails.
                result: match dkim_word(arc.result()) {
                    r @ (AuthResult::Pass | AuthResult::None | AuthResult::TempError) => r,
                    _ => AuthResult::Fail,
                },
                sets: sets.len(),
                sealer: sets.last().map(|s| s.seal.header.d.clone()),
                reason: reason_of(arc.result()),
            })
        }
        Err(_) => Some(ArcCheck {
            result: AuthResult::TempError,
            sets: message.as_headers.len(),
            sealer: None,
            reason: Some(out_of_time.clone()),
        }),
    }
    .filter(|a| a.sets > 0 || a.result != AuthResult::None);
    // mail-auth reports "none" for seals or results without a message signature; RFC 8617
    // §5.2 makes any incomplete set a failed chain.
    if results.arc.is_none() && (!message.as_headers.is_empty() || !message.aar_headers.is_empty())
    {
        results.arc = Some(ArcCheck {
            result: AuthResult::Fail,
            sets: message.as_headers.len().max(message.aar_headers.len()),
            sealer: None,
            reason: Some(
                "ARC headers are present but no complete set (missing message signature)".into(),
            ),
        });
    }

    let from_domain = crate::message::domain_of(message.from()).unwrap_or_default();
    if !message.from().is_empty() {
        let timed_out = results.unverifiable.is_some();
        let dmarc = if timed_out {
            Err(())
        } else {
            let _ = tokio::time::timeout_at(
                deadline,
                view.cache_absent_txt(dmarc_walk_names(&from_domain)),
            )
            .await;
            tokio::time::timeout_at(
                deadline,
                auth.verify_dmarc(cached(
                    view,
                    DmarcParameters::new(&message, &dkim, &dmarc_spf_domain, &dmarc_spf),
                )),
            )
            .await
            .map_err(|_| ())
        };
        let Ok(dmarc) = dmarc else {
            results.unverifiable = Some(out_of_time.clone());
            results.dmarc = Some(DmarcCheck {
                domain: from_domain,
                result: AuthResult::TempError,
                policy: None,
                p: None,
                sp: None,
                adkim: None,
                aspf: None,
                spf_aligned: false,
                dkim_aligned: false,
                reason: Some(out_of_time),
            });
            return results;
        };
        let record = dmarc.dmarc_record();
        let result = match dmarc.result() {
            DmarcResult::Pass => AuthResult::Pass,
            DmarcResult::Fail(_) => AuthResult::Fail,
            DmarcResult::TempError(_) => AuthResult::TempError,
            DmarcResult::PermError(_) => AuthResult::PermError,
            DmarcResult::None => AuthResult::None,
        };
        let reason = match dmarc.result() {
            DmarcResult::TempError(e) | DmarcResult::PermError(e) => Some(describe(&e)),
            _ => None,
        };
        let domain = if dmarc.domain().is_empty() {
            from_domain
        } else {
            dmarc.domain().to_string()
        };
        results.dmarc = Some(DmarcCheck {
            domain,
            result,
            policy: record.map(|_| policy_word(dmarc.policy()).to_string()),
            p: record.map(|r| policy_word(r.p).to_string()),
            sp: record.map(|r| policy_word(r.sp).to_string()),
            adkim: record.map(|r| alignment_word(r.adkim).to_string()),
            aspf: record.map(|r| alignment_word(r.aspf).to_string()),
            spf_aligned: *dmarc.spf_result() == DmarcResult::Pass,
            dkim_aligned: *dmarc.dkim_result() == DmarcResult::Pass,
            reason,
        });
    }
    results
}

type Cached<'x, P> = mail_auth::Parameters<
    'x,
    P,
    super::dns::Cache<Box<str>, mail_auth::Txt>,
    super::dns::Cache<Box<str>, mail_auth::RecordSet<mail_auth::MX>>,
    super::dns::Cache<Box<str>, mail_auth::RecordSet<std::net::Ipv4Addr>>,
    super::dns::Cache<Box<str>, mail_auth::RecordSet<std::net::Ipv6Addr>>,
    super::dns::Cache<IpAddr, mail_auth::RecordSet<Box<str>>>,
>;

/// mail-auth parameters that use the view's caches of parsed records.
fn cached<'x, P>(view: &'x DnsView, params: P) -> Cached<'x, P> {
    let c = view.caches();
    mail_auth::Parameters::new(params)
        .with_txt_cache(&c.txt)
        .with_mx_cache(&c.mx)
        .with_ipv4_cache(&c.ipv4)
        .with_ipv6_cache(&c.ipv6)
        .with_ptr_cache(&c.ptr)
}

/// The SPF checks of one envelope.
pub struct SpfChecks {
    /// The HELO identity, when the HELO name is a domain.
    pub helo: Option<SpfCheck>,
    /// The identity DMARC uses: MAIL FROM, or HELO for the null sender.
    pub mail_from: Option<SpfCheck>,
    /// mail-auth's output and domain for that identity, as DMARC needs them.
    for_dmarc: (mail_auth::SpfOutput, String),
}

/// The names a DMARC tree walk (RFC 9989 §4.10) may ask for `domain`, as mail-auth keys them:
/// `_dmarc.` before the domain (its A-label form, as mail-auth converts it) and each of its
/// parents of at most seven labels.
fn dmarc_walk_names(domain: &str) -> Vec<String> {
    let domain = mail_auth::common::to_a_label(domain);
    let labels: Vec<&str> = domain.split('.').filter(|l| !l.is_empty()).collect();
    (1..=labels.len())
        .filter(|n| *n <= 7 || *n == labels.len())
        .map(|n| format!("_dmarc.{}.", labels[labels.len() - n..].join(".")))
        .collect()
}

/// SPF for the envelope (RFC 7208 §2.3, §2.4): HELO and MAIL FROM are separate identities.
/// DMARC uses the MAIL FROM result, or the HELO result for the null sender (RFC 7489 §3.1.2).
/// Without a client IP nothing is checked.
pub async fn spf(view: &DnsView, envelope: &Envelope) -> SpfChecks {
    let auth = view.authenticator();
    let mut checks = SpfChecks {
        helo: None,
        mail_from: None,
        for_dmarc: (mail_auth::SpfOutput::default(), String::new()),
    };
    // RFC 7208 §5: an IPv4-mapped IPv6 client is an IPv4 client.
    let Some(ip) = envelope.ip.map(|ip| ip.to_canonical()) else {
        return checks;
    };
    let receiver = envelope.receiver.as_deref().unwrap_or("localhost");
    // A HELO name that is no domain (an address literal, a bare word) is not checked, and
    // %{h} then expands to nothing rather than to a name no resolver accepts.
    let helo_raw = envelope
        .helo
        .as_deref()
        .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
        .filter(|h| is_domain(h))
        .unwrap_or_default();
    let helo_is_domain = !helo_raw.is_empty();
    let mail_from = envelope.mail_from.as_deref().unwrap_or("");
    if helo_is_domain {
        let out = match preflight(view, &helo_raw).await {
            Some(out) => out,
            None => {
                auth.verify_spf(cached(
                    view,
                    SpfParameters::verify_ehlo(ip, &helo_raw, receiver),
                ))
                .await
            }
        };
        checks.helo = Some(spf_check(SpfIdentity::Helo, &helo_raw, ip, &out));
        checks.for_dmarc = (out, helo_raw.clone());
    }
    match crate::message::domain_of(mail_from) {
        // RFC 7208 §4.3: a malformed domain gives "none" without any lookup.
        Some(domain) if !is_domain(&domain) => {
            let out = mail_auth::SpfOutput::new(domain.clone()).with_result(SpfResult::None);
            let mut check = spf_check(SpfIdentity::MailFrom, &domain, ip, &out);
            check.reason = Some("the MAIL FROM domain is not a valid domain name".into());
            checks.mail_from = Some(check);
            checks.for_dmarc = (out, domain);
        }
        Some(domain) => {
            let out = match preflight(view, &domain).await {
                Some(out) => out,
                None => {
                    auth.verify_spf(cached(
                        view,
                        SpfParameters::verify_mail_from(ip, &helo_raw, receiver, mail_from),
                    ))
                    .await
                }
            };
            checks.mail_from = Some(spf_check(SpfIdentity::MailFrom, &domain, ip, &out));
            checks.for_dmarc = (out, domain);
        }
        None => checks.mail_from = checks.helo.clone(),
    }
    checks
}

/// RFC 7208 §4.5: two or more SPF records for a domain are a permerror. mail-auth evaluates
/// the first record that parses instead, so impostor checks the count itself for the
/// identity's own domain (the answer is cached by the resolver for mail-auth's lookup).
/// Records reached through `include:` and `redirect=` are still mail-auth's to select. A DNS
/// failure here is already the temperror of §4.4; asking again would only double the wait.
async fn preflight(view: &DnsView, domain: &str) -> Option<mail_auth::SpfOutput> {
    use mail_auth::ResolverCache;
    let permerror =
        || Some(mail_auth::SpfOutput::new(domain.to_string()).with_result(SpfResult::PermError));
    let cache = &view.caches().spf_broken;
    if let Some(broken) = cache.get(domain) {
        return if broken { permerror() } else { None };
    }
    let lookup = match view
        .authenticator()
        .0
        .txt_lookup(format!("{}.", domain.trim_end_matches('.')))
        .await
    {
        Ok(lookup) => lookup,
        Err(hickory_resolver::net::NetError::Dns(
            hickory_resolver::net::DnsError::NoRecordsFound(none),
        )) => {
            // No SPF record is no broken one, for as long as the answer may be cached: a HELO
            // name without SPF is asked about for every message otherwise.
            if let Some(until) = super::dns::absent_until(&none) {
                cache.insert(domain.into(), false, until);
            }
            return None;
        }
        Err(_) => {
            return Some(
                mail_auth::SpfOutput::new(domain.to_string()).with_result(SpfResult::TempError),
            );
        }
    };
    let records: Vec<Vec<u8>> = lookup
        .answers()
        .iter()
        .filter_map(|r| match &r.data {
            hickory_proto::rr::RData::TXT(txt) => Some(
                txt.txt_data
                    .iter()
                    .flat_map(|s| s.iter().copied())
                    .collect(),
            ),
            _ => None,
        })
        .filter(|text: &Vec<u8>| is_spf_record(text))
        .collect();
    let broken = match records.as_slice() {
        [] => false,
        [one] => std::str::from_utf8(one).map_or(true, |t| super::spf_syntax::error(t).is_some()),
        _ => true,
    };
    cache.insert(domain.into(), broken, lookup.valid_until());
    if broken { permerror() } else { None }
}

/// RFC 7208 §4.5: a record is SPF when it starts with "v=spf1" followed by a space or ends.
fn is_spf_record(text: &[u8]) -> bool {
    text.len() >= 6
        && text[..6].eq_ignore_ascii_case(b"v=spf1")
        && (text.len() == 6 || text[6] == b' ')
}

/// A fully qualified domain name (RFC 1035 §2.3.4, RFC 7208 §4.3): at least two labels of
/// 1–63 letters, digits, hyphens or underscores, 253 bytes at most, no address literal.
fn is_domain(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    name.len() <= 253
        && name.contains('.')
        && name.parse::<IpAddr>().is_err()
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn spf_check(
    identity: SpfIdentity,
    domain: &str,
    ip: IpAddr,
    out: &mail_auth::SpfOutput,
) -> SpfCheck {
    let result = match out.result() {
        SpfResult::Pass => AuthResult::Pass,
        SpfResult::Fail => AuthResult::Fail,
        SpfResult::SoftFail => AuthResult::SoftFail,
        SpfResult::Neutral => AuthResult::Neutral,
        SpfResult::TempError => AuthResult::TempError,
        SpfResult::PermError => AuthResult::PermError,
        SpfResult::None => AuthResult::None,
    };
    let reason = match result {
        AuthResult::TempError => Some("a DNS lookup timed out or failed".to_string()),
        AuthResult::PermError => {
            Some("the record is invalid, duplicated, or needs more than 10 DNS lookups".to_string())
        }
        AuthResult::Fail | AuthResult::SoftFail => out.explanation().map(str::to_string),
        _ => None,
    };
    SpfCheck {
        identity,
        domain: domain.to_string(),
        ip: Some(ip),
        result,
        reason,
    }
}

fn dkim_check(out: &DkimOutput<'_>) -> DkimCheck {
    let sig = out.signature();
    DkimCheck {
        domain: sig.map(|s| s.d.to_ascii_lowercase()).unwrap_or_default(),
        selector: sig.map(|s| s.s.clone()).unwrap_or_default(),
        algorithm: sig.map(|s| s.a.name().to_string()).unwrap_or_default(),
        canonicalization: sig.map(|s| format!("{}/{}", canon(s.ch), canon(s.cb))),
        result: dkim_word(out.result()),
        reason: reason_of(out.result()),
    }
}

fn canon(c: Canonicalization) -> &'static str {
    match c {
        Canonicalization::Relaxed => "relaxed",
        Canonicalization::Simple => "simple",
    }
}

fn dkim_word(r: &DkimResult) -> AuthResult {
    match r {
        DkimResult::Pass => AuthResult::Pass,
        // mail-auth reports a body hash mismatch as neutral; RFC 6376 §6.1.3 makes it a
        // PERMFAIL, and for an agent a changed body is a failed signature.
        DkimResult::Neutral(MaError::Dkim(mail_auth::dkim::DkimError::FailedBodyHashMatch)) => {
            AuthResult::Fail
        }
        DkimResult::Neutral(_) => AuthResult::Neutral,
        DkimResult::Fail(_) => AuthResult::Fail,
        DkimResult::PermError(_) => AuthResult::PermError,
        DkimResult::TempError(_) => AuthResult::TempError,
        DkimResult::None => AuthResult::None,
    }
}

fn reason_of(r: &DkimResult) -> Option<String> {
    match r {
        DkimResult::Neutral(e)
        | DkimResult::Fail(e)
        | DkimResult::PermError(e)
        | DkimResult::TempError(e) => Some(describe(e)),
        DkimResult::Pass | DkimResult::None => None,
    }
}

/// mail-auth's errors in words an agent can act on.
fn describe(e: &MaError) -> String {
    use mail_auth::dkim::DkimError;
    match e {
        MaError::Dkim(DkimError::FailedBodyHashMatch) => {
            "the body was changed after signing (body hash mismatch)".into()
        }
        MaError::Dkim(DkimError::RevokedPublicKey) => {
            "the signing key has been revoked (empty p= in DNS)".into()
        }
        MaError::Dkim(DkimError::SignatureExpired) => "the signature has expired".into(),
        MaError::Crypto(_) => {
            "the signature does not match the signed headers (changed after signing, or wrong key)"
                .into()
        }
        MaError::Dns(DnsError::RecordNotFound(_)) => "no key or record was found in DNS".into(),
        MaError::Dns(DnsError::Resolver(r)) if r.is_empty() => "a DNS lookup failed".into(),
        MaError::Dns(DnsError::Resolver(r)) => format!("a DNS lookup failed ({r})"),
        MaError::Dns(DnsError::InvalidRecordType) => "the DNS record is not valid".into(),
        MaError::NotAligned => "the authenticated domain is not aligned with From".into(),
        other => other.to_string(),
    }
}

fn policy_word(p: Policy) -> &'static str {
    match p {
        Policy::None | Policy::Unspecified => "none",
        Policy::Quarantine => "quarantine",
        Policy::Reject => "reject",
    }
}

fn alignment_word(a: Alignment) -> &'static str {
    match a {
        Alignment::Relaxed => "relaxed",
        Alignment::Strict => "strict",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dmarc_walk_names_are_the_names_mail_auth_asks_for() {
        assert_eq!(
            dmarc_walk_names("mail.Example.co.jp."),
            [
                "_dmarc.jp.",
                "_dmarc.co.jp.",
                "_dmarc.example.co.jp.",
                "_dmarc.mail.example.co.jp."
            ]
        );
        assert_eq!(
            dmarc_walk_names("例え.jp"),
            ["_dmarc.jp.", "_dmarc.xn--r8jz45g.jp."]
        );
        // Nine labels: the name itself, then seven labels and fewer (RFC 9989 §4.10.1).
        let names = dmarc_walk_names("a.b.c.d.e.f.g.h.example");
        assert_eq!(names.len(), 8);
        assert_eq!(names[6], "_dmarc.c.d.e.f.g.h.example.");
        assert_eq!(names[7], "_dmarc.a.b.c.d.e.f.g.h.example.");
        assert!(dmarc_walk_names("").is_empty());
    }

    #[tokio::test]
    async fn preflight_remembers_names_without_spf_and_flags_two_records() {
        use crate::auth::dns::{DnsSettings, Snapshot};
        use mail_auth::ResolverCache;
        let snapshot: Snapshot = serde_json::from_str(
            r#"{"txt": {"two.example": [["v=spf1 -all"], ["v=spf1 +all"]]}, "a": {"none.example": ["192.0.2.1"]}}"#,
        )
        .unwrap();
        let settings = DnsSettings::for_tests(std::time::Duration::from_secs(2));
        let view = DnsView::snapshot(snapshot, &settings).await.unwrap();
        for absent in ["none.example", "missing.example"] {
            assert!(preflight(&view, absent).await.is_none());
            assert_eq!(
                view.caches().spf_broken.get(absent),
                Some(false),
                "{absent}"
            );
        }
        let two = preflight(&view, "two.example").await.unwrap();
        assert_eq!(two.result(), SpfResult::PermError);
    }
}
