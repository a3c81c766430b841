//! The authentication analyzer: SPF, DKIM, DMARC and ARC results in RFC 8601 words, and the
//! evidence they give about the sender.
//!
//! Results come from one of three sources (DESIGN.md §3): live DNS, a DNS snapshot, or a
//! trusted Authentication-Results header. A DNS failure is a `temperror` *result*, never an
//! error, and a message with one is unverifiable: it is never reported as authenticated.

pub mod dns;
pub mod results;
mod spf_syntax;
mod verify;

pub use verify::{Envelope, SpfChecks, spf, verify};

use crate::evidence::{Evidence, Strength, codes};
use serde::Serialize;
use std::fmt;

/// An authentication result, in the words of RFC 8601 §2.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthResult {
    /// Authenticated.
    Pass,
    /// Definitely not authorised.
    Fail,
    /// Probably not authorised (SPF).
    SoftFail,
    /// No assertion (SPF).
    Neutral,
    /// Nothing to evaluate.
    None,
    /// A transient (DNS) error: the result is unknown.
    TempError,
    /// A permanent error in the published records.
    PermError,
    /// Passed, but local policy rejects it.
    Policy,
}

impl AuthResult {
    /// The RFC 8601 word.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthResult::Pass => "pass",
            AuthResult::Fail => "fail",
            AuthResult::SoftFail => "softfail",
            AuthResult::Neutral => "neutral",
            AuthResult::None => "none",
            AuthResult::TempError => "temperror",
            AuthResult::PermError => "permerror",
            AuthResult::Policy => "policy",
        }
    }

    /// Parses an RFC 8601 word (RFC 7601's `hardfail` is read as `fail`).
    pub fn parse(word: &str) -> Option<AuthResult> {
        Some(match word.to_ascii_lowercase().as_str() {
            "pass" => AuthResult::Pass,
            "fail" | "hardfail" => AuthResult::Fail,
            "softfail" => AuthResult::SoftFail,
            "neutral" => AuthResult::Neutral,
            "none" => AuthResult::None,
            "temperror" => AuthResult::TempError,
            "permerror" => AuthResult::PermError,
            "policy" => AuthResult::Policy,
            _ => return None,
        })
    }
}

impl fmt::Display for AuthResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the results came from (`auth.source` in the JSON output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthSource {
    /// Live DNS.
    Dns,
    /// A DNS snapshot file.
    Snapshot,
    /// A trusted Authentication-Results header.
    AuthenticationResults,
    /// Nothing to authenticate: a ticket comment without its raw email.
    None,
}

/// The SPF identity checked (RFC 7208 §2.3, §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpfIdentity {
    /// The RFC 5321 MAIL FROM domain.
    MailFrom,
    /// The HELO/EHLO name.
    Helo,
}

impl fmt::Display for SpfIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpfIdentity::MailFrom => "MAIL FROM",
            SpfIdentity::Helo => "HELO",
        })
    }
}

/// One SPF evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpfCheck {
    /// Which identity.
    pub identity: SpfIdentity,
    /// The domain evaluated.
    pub domain: String,
    /// The client IP evaluated.
    pub ip: Option<std::net::IpAddr>,
    /// The result.
    pub result: AuthResult,
    /// Why, for errors and failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One DKIM signature's evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DkimCheck {
    /// The signing domain (`d=`).
    pub domain: String,
    /// The selector (`s=`).
    pub selector: String,
    /// The algorithm (`a=`), e.g. `rsa-sha256`.
    pub algorithm: String,
    /// Header and body canonicalization (`c=`), e.g. `relaxed/simple`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonicalization: Option<String>,
    /// The result.
    pub result: AuthResult,
    /// Why, for failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The DMARC evaluation for the From domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DmarcCheck {
    /// The RFC 5322.From domain.
    pub domain: String,
    /// The result.
    pub result: AuthResult,
    /// The policy applied (after `sp=`, `np=` and `t=`): `none`, `quarantine`, `reject`;
    /// absent when no record applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The record's `p=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p: Option<String>,
    /// The record's `sp=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sp: Option<String>,
    /// DKIM alignment mode, `relaxed` or `strict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adkim: Option<String>,
    /// SPF alignment mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspf: Option<String>,
    /// Whether SPF passed aligned.
    pub spf_aligned: bool,
    /// Whether DKIM passed aligned.
    pub dkim_aligned: bool,
    /// Why, for errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The ARC chain evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArcCheck {
    /// The chain result.
    pub result: AuthResult,
    /// Number of ARC sets.
    pub sets: usize,
    /// The domain of the newest seal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sealer: Option<String>,
    /// Why, for failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Everything authentication found for one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthResults {
    /// Where the results came from.
    pub source: AuthSource,
    /// The authserv-id whose header was used, for `authentication-results`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authserv_id: Option<String>,
    /// SPF for the identity DMARC uses: MAIL FROM, or HELO for a null sender.
    pub spf: Option<SpfCheck>,
    /// SPF for the HELO identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helo: Option<SpfCheck>,
    /// One entry per DKIM-Signature, in header order.
    pub dkim: Vec<DkimCheck>,
    /// DMARC for the From domain.
    pub dmarc: Option<DmarcCheck>,
    /// The ARC chain.
    pub arc: Option<ArcCheck>,
    /// Why the results are incomplete, when they are (a DNS timeout, the budget spent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unverifiable: Option<String>,
}

impl AuthResults {
    /// Results with nothing checked.
    pub fn empty(source: AuthSource) -> Self {
        AuthResults {
            source,
            authserv_id: None,
            spf: None,
            helo: None,
            dkim: Vec::new(),
            dmarc: None,
            arc: None,
            unverifiable: None,
        }
    }

    /// Whether DMARC passed: the only result that authenticates the From address.
    pub fn dmarc_pass(&self) -> bool {
        self.dmarc
            .as_ref()
            .is_some_and(|d| d.result == AuthResult::Pass)
    }

    /// Why the sender could not be authenticated, if a transient error stands in the way.
    /// A temperror that cannot change the outcome (SPF, while DMARC passed on DKIM) does not.
    pub fn unverifiable_reason(&self) -> Option<String> {
        if let Some(reason) = &self.unverifiable {
            return Some(reason.clone());
        }
        if self.dmarc_pass() {
            return None;
        }
        if let Some(d) = self
            .dmarc
            .as_ref()
            .filter(|d| d.result == AuthResult::TempError)
        {
            return Some(format!(
                "DMARC for {}: {}",
                d.domain,
                d.reason.as_deref().unwrap_or("DNS error")
            ));
        }
        if let Some(s) = self
            .spf
            .as_ref()
            .filter(|s| s.result == AuthResult::TempError)
        {
            return Some(format!(
                "SPF for {}: {}",
                s.domain,
                s.reason.as_deref().unwrap_or("DNS error")
            ));
        }
        self.dkim
            .iter()
            .find(|d| d.result == AuthResult::TempError)
            .map(|d| {
                format!(
                    "DKIM for {}: {}",
                    d.domain,
                    d.reason.as_deref().unwrap_or("DNS error")
                )
            })
    }
}

/// The organisational domain (the registrable domain by the Public Suffix List), used where
/// impostor compares domains itself. Falls back to the name itself for names the PSL does not
/// cover (single labels, IP literals).
pub fn org_domain(domain: &str) -> String {
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    psl::domain_str(&d).map(str::to_string).unwrap_or(d)
}

/// Turns results into evidence. `protected` are the organisation's own domains: for them an
/// unauthenticated From is spoofing whatever DMARC record they publish.
pub fn evidence(
    results: &AuthResults,
    from_domain: Option<&str>,
    protected: &[String],
) -> Vec<Evidence> {
    let mut out = Vec::new();
    let dmarc_pass = results.dmarc_pass();
    let from_org = from_domain.map(org_domain);
    let is_protected = from_org
        .as_deref()
        .is_some_and(|org| protected.iter().any(|p| org_domain(p) == org));

    // DMARC first: it is the only result about the From address the agent sees.
    match &results.dmarc {
        Some(d) => out.push(dmarc_evidence(d, is_protected, results)),
        None => {
            if let (Some(domain), true) = (from_domain, is_protected)
                && !aligned_pass(results, domain)
            {
                out.push(
                    Evidence::new(&codes::DMARC_FAIL_PROTECTED, Strength::Strong)
                        .fact("domain", domain),
                );
            }
        }
    }

    if let Some(spf) = &results.spf {
        out.push(spf_evidence(spf, dmarc_pass, results, from_org.as_deref()));
    }
    if results.dkim.is_empty() {
        out.push(Evidence::new(&codes::DKIM_NONE, Strength::Info));
    }
    for d in &results.dkim {
        let (code, strength) = match d.result {
            AuthResult::Pass => (&codes::DKIM_PASS, Strength::Info),
            AuthResult::TempError => (&codes::DKIM_TEMPERROR, Strength::Info),
            AuthResult::PermError if dmarc_pass => (&codes::DKIM_PERMERROR, Strength::Info),
            AuthResult::PermError => (&codes::DKIM_PERMERROR, Strength::Weak),
            _ if dmarc_pass => (&codes::DKIM_FAIL, Strength::Info),
            _ => (&codes::DKIM_FAIL, Strength::Weak),
        };
        out.push(
            Evidence::new(code, strength)
                .fact("domain", &d.domain)
                .fact("selector", &d.selector)
                .fact("algorithm", &d.algorithm)
                .fact("reason", d.reason.clone().unwrap_or_default()),
        );
    }
    if let Some(arc) = &results.arc {
        match arc.result {
            AuthResult::Pass => out.push(
                Evidence::new(&codes::ARC_PASS, Strength::Info)
                    .fact("sets", arc.sets.to_string())
                    .fact("sealer", arc.sealer.clone().unwrap_or_default()),
            ),
            AuthResult::None => {}
            _ => out.push(Evidence::new(&codes::ARC_FAIL, Strength::Weak).fact(
                "reason",
                arc.reason.clone().unwrap_or_else(|| arc.result.to_string()),
            )),
        }
    }
    if let Some(reason) = results.unverifiable_reason() {
        out.push(Evidence::new(&codes::UNVERIFIABLE, Strength::Info).fact("reason", reason));
    }
    out
}

/// Whether SPF or DKIM passed for a domain aligned (relaxed) with `from_domain`; used for
/// protected domains that publish no DMARC record.
fn aligned_pass(results: &AuthResults, from_domain: &str) -> bool {
    let org = org_domain(from_domain);
    let spf = results
        .spf
        .as_ref()
        .is_some_and(|s| s.result == AuthResult::Pass && org_domain(&s.domain) == org);
    let dkim = results
        .dkim
        .iter()
        .any(|d| d.result == AuthResult::Pass && org_domain(&d.domain) == org);
    spf || dkim
}

fn dmarc_evidence(d: &DmarcCheck, is_protected: bool, results: &AuthResults) -> Evidence {
    let with_domain = |code, strength| Evidence::new(code, strength).fact("domain", &d.domain);
    match d.result {
        AuthResult::Pass => {
            let (aligned, aligned_ja) = match (d.spf_aligned, d.dkim_aligned) {
                (true, true) => ("SPF and DKIM", "SPF と DKIM"),
                (true, false) => ("SPF", "SPF"),
                _ => ("DKIM", "DKIM"),
            };
            with_domain(&codes::DMARC_PASS, Strength::Mitigating)
                .fact("aligned", aligned)
                .fact("aligned_ja", aligned_ja)
        }
        AuthResult::TempError => with_domain(&codes::DMARC_TEMPERROR, Strength::Info).fact(
            "reason",
            d.reason.clone().unwrap_or_else(|| "DNS error".into()),
        ),
        _ if is_protected && !aligned_pass(results, &d.domain) => {
            with_domain(&codes::DMARC_FAIL_PROTECTED, Strength::Strong)
        }
        AuthResult::PermError => with_domain(&codes::DMARC_PERMERROR, Strength::Weak)
            .fact("reason", d.reason.clone().unwrap_or_default()),
        // Most small domains publish no DMARC: the From address is unprotected, which keeps
        // the sender unverified, but it is no sign of forgery.
        AuthResult::None => with_domain(&codes::DMARC_NONE, Strength::Info),
        _ => {
            let policy = d.policy.clone().unwrap_or_else(|| "unknown".into());
            let strength = match policy.as_str() {
                "reject" | "quarantine" => Strength::Strong,
                _ => Strength::Medium,
            };
            with_domain(&codes::DMARC_FAIL, strength).fact("policy", policy)
        }
    }
}

fn spf_evidence(
    spf: &SpfCheck,
    dmarc_pass: bool,
    results: &AuthResults,
    from_org: Option<&str>,
) -> Evidence {
    let own_domain = from_org.is_some_and(|org| org_domain(&spf.domain) == org);
    let dmarc_evaluated = results
        .dmarc
        .as_ref()
        .is_some_and(|d| matches!(d.result, AuthResult::Fail | AuthResult::Pass));
    let (code, strength) = match spf.result {
        AuthResult::Pass => (&codes::SPF_PASS, Strength::Info),
        // Forwarding breaks SPF: with DMARC passing on DKIM the failure says nothing.
        AuthResult::Fail if dmarc_pass => (&codes::SPF_FAIL, Strength::Info),
        // The From domain itself says this IP may not send for it, and no DMARC speaks.
        AuthResult::Fail if own_domain && !dmarc_evaluated => (&codes::SPF_FAIL, Strength::Medium),
        AuthResult::Fail => (&codes::SPF_FAIL, Strength::Weak),
        AuthResult::SoftFail if dmarc_pass => (&codes::SPF_SOFTFAIL, Strength::Info),
        AuthResult::SoftFail => (&codes::SPF_SOFTFAIL, Strength::Weak),
        AuthResult::Neutral | AuthResult::Policy => (&codes::SPF_NEUTRAL, Strength::Info),
        AuthResult::None => (&codes::SPF_NONE, Strength::Info),
        AuthResult::TempError => (&codes::SPF_TEMPERROR, Strength::Info),
        AuthResult::PermError if dmarc_pass => (&codes::SPF_PERMERROR, Strength::Info),
        AuthResult::PermError => (&codes::SPF_PERMERROR, Strength::Weak),
    };
    Evidence::new(code, strength)
        .fact("domain", &spf.domain)
        .fact("identity", spf.identity.to_string())
        .fact(
            "ip",
            spf.ip
                .map_or_else(|| "the sending host".into(), |ip| ip.to_string()),
        )
        .fact("reason", spf.reason.clone().unwrap_or_default())
}
