//! The one place that turns evidence into a verdict (DESIGN.md §5): sender trust from the
//! authentication and sender evidence, request risk from the request evidence, and the
//! decision table that combines them.

mod actions;

pub use actions::{Action, actions, would_lower};

use crate::evidence::{Axis, Code, Evidence, Lang, Risk, Strength, codes};
use serde::Serialize;
use std::fmt;

/// What the agent must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Nothing to do beyond the usual process.
    Clear,
    /// Something is off; no account change is asked for.
    Caution,
    /// Verify out of band before acting.
    Verify,
    /// Do not act; escalate.
    LikelySpoofed,
}

impl Level {
    /// The word used in JSON, headers and notes.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Clear => "clear",
            Level::Caution => "caution",
            Level::Verify => "verify",
            Level::LikelySpoofed => "likely_spoofed",
        }
    }

    /// The label shown to the agent.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Level::Clear, Lang::En) => "CLEAR",
            (Level::Caution, Lang::En) => "CAUTION",
            (Level::Verify, Lang::En) => "VERIFY",
            (Level::LikelySpoofed, Lang::En) => "LIKELY SPOOFED",
            (Level::Clear, Lang::Ja) => "問題なし",
            (Level::Caution, Lang::Ja) => "注意",
            (Level::Verify, Lang::Ja) => "要本人確認",
            (Level::LikelySpoofed, Lang::Ja) => "なりすましの疑い",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How far the sender is who they claim to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trust {
    /// Aligned DMARC pass and nothing against it.
    Verified,
    /// No authentication, or unverifiable.
    Unknown,
    /// One medium or two weak signals.
    Suspicious,
    /// A strong signal.
    Spoofed,
}

impl Trust {
    /// The word used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Trust::Verified => "verified",
            Trust::Unknown => "unknown",
            Trust::Suspicious => "suspicious",
            Trust::Spoofed => "spoofed",
        }
    }
}

impl fmt::Display for Trust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The decision for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// What the agent must do.
    pub level: Level,
    /// Sender trust.
    pub trust: Trust,
    /// The highest request risk.
    pub risk: Risk,
    /// Whether authentication could not be completed.
    pub unverifiable: bool,
    /// All evidence, in analyzer order.
    pub evidence: Vec<Evidence>,
    /// Index into `evidence` of the reason that decided the level, if one did.
    pub deciding: Option<usize>,
}

/// Whether a piece of evidence speaks about the sender's identity.
fn about_sender(e: &Evidence) -> bool {
    matches!(e.axis(), Axis::Auth | Axis::Sender)
        || (e.axis() == Axis::Context && e.strength != Strength::Info)
}

/// Sender trust from the evidence (DESIGN.md §5). Returns the trust and the evidence that
/// decided it.
pub fn trust(evidence: &[Evidence]) -> (Trust, Option<usize>) {
    let sender: Vec<(usize, &Evidence)> = evidence
        .iter()
        .enumerate()
        .filter(|(_, e)| about_sender(e))
        .collect();
    let first = |s: Strength| {
        sender
            .iter()
            .find(|(_, e)| e.strength == s)
            .map(|(i, _)| *i)
    };
    if let Some(i) = first(Strength::Strong) {
        return (Trust::Spoofed, Some(i));
    }
    let weak = sender
        .iter()
        .filter(|(_, e)| e.strength == Strength::Weak)
        .count();
    if let Some(i) = first(Strength::Medium) {
        return (Trust::Suspicious, Some(i));
    }
    if weak >= 2 {
        return (Trust::Suspicious, first(Strength::Weak));
    }
    if let Some(i) = evidence.iter().position(|e| e.code == &codes::UNVERIFIABLE) {
        return (Trust::Unknown, Some(i));
    }
    // Verified needs more than DMARC where more is known: a known address, and history.
    if let Some(i) = evidence.iter().position(|e| {
        e.code == &codes::SENDER_FIRST_CONTACT || e.code == &codes::SENDER_UNKNOWN_ADDRESS
    }) {
        return (Trust::Unknown, Some(i));
    }
    match evidence.iter().position(|e| e.code == &codes::DMARC_PASS) {
        Some(i) => (Trust::Verified, Some(i)),
        None => (Trust::Unknown, None),
    }
}

/// The highest request risk, and the evidence that carries it. Automated mail from an
/// authenticated sender (a newsletter, an auto-reply) asks nothing of the agent.
pub fn risk(evidence: &[Evidence]) -> (Risk, Option<usize>) {
    let has = |code: &Code| evidence.iter().any(|e| std::ptr::eq(e.code, code));
    if has(&codes::AUTOMATED) && has(&codes::DMARC_PASS) {
        return (Risk::R0, None);
    }
    evidence
        .iter()
        .enumerate()
        .filter(|(_, e)| e.axis() == Axis::Request)
        .filter_map(|(i, e)| e.risk.map(|r| (r, Some(i))))
        .max_by_key(|(r, _)| *r)
        .unwrap_or((Risk::R0, None))
}

/// Medium sender signals with distinct codes: two findings of one kind are not independent.
fn independent_mediums(evidence: &[Evidence]) -> usize {
    let mut codes: Vec<&str> = evidence
        .iter()
        .filter(|e| about_sender(e) && e.strength == Strength::Medium)
        .map(|e| e.code.id)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes.len()
}

/// The decision table of DESIGN.md §5.
pub fn decide(trust: Trust, risk: Risk, independent_mediums: usize) -> Level {
    use Level::*;
    match (risk, trust) {
        (_, Trust::Spoofed) => LikelySpoofed,
        (Risk::R0 | Risk::R1, Trust::Verified | Trust::Unknown) => Clear,
        (Risk::R0 | Risk::R1, Trust::Suspicious) => Caution,
        (Risk::R2, Trust::Suspicious) if independent_mediums >= 2 => LikelySpoofed,
        (Risk::R2, _) => Verify,
        (Risk::R3, Trust::Suspicious) => LikelySpoofed,
        // R3 never drops below verify, even from a verified mailbox: it may be compromised.
        (Risk::R3, _) => Verify,
    }
}

impl Verdict {
    /// Decides a verdict from all evidence of one message.
    pub fn from_evidence(evidence: Vec<Evidence>) -> Verdict {
        let (trust, trust_reason) = trust(&evidence);
        let (risk, risk_reason) = risk(&evidence);
        let level = decide(trust, risk, independent_mediums(&evidence));
        let deciding = match level {
            Level::LikelySpoofed | Level::Caution => trust_reason,
            Level::Verify => risk_reason,
            Level::Clear => trust_reason.filter(|&i| evidence[i].code == &codes::DMARC_PASS),
        };
        Verdict {
            level,
            trust,
            risk,
            unverifiable: evidence.iter().any(|e| e.code == &codes::UNVERIFIABLE),
            evidence,
            deciding,
        }
    }

    /// The headline: the level and the deciding reason, in one sentence.
    pub fn headline(&self, lang: Lang) -> String {
        let reason = self.deciding.map(|i| self.evidence[i].message(lang));
        let unverifiable = match lang {
            Lang::En => " The sender could not be authenticated.",
            Lang::Ja => " 送信者を認証できませんでした。",
        };
        let base = match (self.level, lang, reason) {
            (Level::Clear, Lang::En, None) => {
                "Nothing in this message needs special handling.".to_string()
            }
            (Level::Clear, Lang::Ja, None) => {
                "このメールに特別な対応は必要ありません。".to_string()
            }
            (Level::Clear, Lang::En, Some(r)) => {
                format!("Authenticated sender, no risky request: {r}")
            }
            (Level::Clear, Lang::Ja, Some(r)) => {
                format!("認証済みの送信者で、危険な依頼はありません: {r}")
            }
            (Level::Caution, Lang::En, r) => format!(
                "Be careful with this sender: {}",
                r.unwrap_or_else(|| "some signals do not add up.".into())
            ),
            (Level::Caution, Lang::Ja, r) => format!(
                "この送信者には注意してください: {}",
                r.unwrap_or_else(|| "いくつかの兆候があります。".into())
            ),
            (Level::Verify, Lang::En, r) => format!(
                "Verify the requester out of band before acting: {}",
                r.unwrap_or_else(|| "the message asks for an account change.".into())
            ),
            (Level::Verify, Lang::Ja, r) => format!(
                "対応する前に別の連絡手段で本人確認をしてください: {}",
                r.unwrap_or_else(|| "アカウント変更の依頼です。".into())
            ),
            (Level::LikelySpoofed, Lang::En, r) => format!(
                "Do not act on this message; escalate: {}",
                r.unwrap_or_else(|| "the sender is likely not who they claim to be.".into())
            ),
            (Level::LikelySpoofed, Lang::Ja, r) => format!(
                "このメールの依頼には対応せず、エスカレーションしてください: {}",
                r.unwrap_or_else(|| "送信者はなりすましの可能性が高いです。".into())
            ),
        };
        if self.unverifiable && self.trust == Trust::Unknown {
            base + unverifiable
        } else {
            base
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{Code, codes};

    #[test]
    fn every_cell_of_the_table() {
        use Level::*;
        use Risk::*;
        use Trust::*;
        let table = [
            // (risk, trust, independent mediums, expected)
            (R0, Verified, 0, Clear),
            (R0, Unknown, 0, Clear),
            (R0, Suspicious, 1, Caution),
            (R0, Spoofed, 0, LikelySpoofed),
            (R1, Verified, 0, Clear),
            (R1, Unknown, 0, Clear),
            (R1, Suspicious, 2, Caution),
            (R1, Spoofed, 0, LikelySpoofed),
            (R2, Verified, 0, Verify),
            (R2, Unknown, 0, Verify),
            (R2, Suspicious, 1, Verify),
            (R2, Suspicious, 2, LikelySpoofed),
            (R2, Spoofed, 0, LikelySpoofed),
            (R3, Verified, 0, Verify),
            (R3, Unknown, 0, Verify),
            (R3, Suspicious, 1, LikelySpoofed),
            (R3, Spoofed, 0, LikelySpoofed),
        ];
        for (risk, trust, mediums, want) in table {
            assert_eq!(
                decide(trust, risk, mediums),
                want,
                "{risk:?} {trust:?} {mediums}"
            );
        }
    }

    fn ev(code: &'static Code, s: Strength) -> Evidence {
        Evidence::new(code, s).fact("domain", "example.net")
    }

    fn request(risk: Risk) -> Evidence {
        static REQ: Code = Code {
            id: "request.test",
            axis: Axis::Request,
            en: "asks for something",
            ja: "依頼",
        };
        let mut e = Evidence::new(&REQ, Strength::Medium);
        e.risk = Some(risk);
        e
    }

    #[test]
    fn dmarc_reject_failure_is_likely_spoofed() {
        let v = Verdict::from_evidence(vec![ev(&codes::DMARC_FAIL, Strength::Strong)]);
        assert_eq!((v.trust, v.level), (Trust::Spoofed, Level::LikelySpoofed));
        assert!(v.headline(Lang::En).contains("DMARC fails"));
    }

    #[test]
    fn spf_only_failure_with_dkim_aligned_pass_is_not_spoofing() {
        let v = Verdict::from_evidence(vec![
            ev(&codes::DMARC_PASS, Strength::Mitigating),
            ev(&codes::SPF_FAIL, Strength::Info),
        ]);
        assert_eq!((v.trust, v.level), (Trust::Verified, Level::Clear));
    }

    #[test]
    fn mitigating_never_cancels_strong() {
        let v = Verdict::from_evidence(vec![
            ev(&codes::DMARC_PASS, Strength::Mitigating),
            ev(&codes::DMARC_FAIL_PROTECTED, Strength::Strong),
        ]);
        assert_eq!(v.trust, Trust::Spoofed);
    }

    #[test]
    fn unverifiable_is_unknown_never_verified() {
        let v = Verdict::from_evidence(vec![
            ev(&codes::DMARC_TEMPERROR, Strength::Info),
            ev(&codes::UNVERIFIABLE, Strength::Info),
        ]);
        assert_eq!(v.trust, Trust::Unknown);
        assert!(v.unverifiable);
        assert!(v.headline(Lang::En).contains("could not be authenticated"));
    }

    #[test]
    fn two_weak_signals_make_a_suspicious_sender() {
        let v = Verdict::from_evidence(vec![
            ev(&codes::SPF_SOFTFAIL, Strength::Weak),
            ev(&codes::DKIM_FAIL, Strength::Weak),
        ]);
        assert_eq!((v.trust, v.level), (Trust::Suspicious, Level::Caution));
    }

    #[test]
    fn r3_from_a_verified_mailbox_still_needs_verification() {
        let v = Verdict::from_evidence(vec![
            ev(&codes::DMARC_PASS, Strength::Mitigating),
            request(Risk::R3),
        ]);
        assert_eq!(v.level, Level::Verify);
        assert_eq!(v.risk, Risk::R3);
    }
}
