//! The JSON format: one object per message (`check --json`), a public contract documented in
//! the README and tested against an independent copy of its schema (`tests/json.rs`).
//!
//! ```text
//! { "schema": 1, "input", "verdict": {level, sender_trust, request_risk, unverifiable,
//!   headline}, "message": {message_id, date, subject, from, reply_to, sender, return_path,
//!   received[]}, "origin": {ip, helo, source, hop, trusted_hops, relays_configured},
//!   "auth": {source, authserv_id?, spf, helo?, dkim[], dmarc, arc, unverifiable?},
//!   "evidence": [{code, axis, strength, message, facts, matched?, rule?, risk?}],
//!   "actions": [{id, text}], "would_lower": [text] }
//! ```

use crate::evidence::{Axis, Lang, Risk, Strength};
use crate::message::{Hop, Mailbox, OriginSource};
use crate::triage::Report;
use crate::verdict::{self, Action, Level, Trust};
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The version of this format; bumped only on an incompatible change.
pub const SCHEMA: u32 = 1;

#[derive(Serialize)]
struct Out<'a> {
    schema: u32,
    input: &'a str,
    verdict: VerdictOut,
    message: MessageOut<'a>,
    origin: OriginOut<'a>,
    auth: &'a crate::auth::AuthResults,
    evidence: Vec<EvidenceOut<'a>>,
    actions: Vec<Action>,
    would_lower: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a crate::source::Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct VerdictOut {
    level: Level,
    sender_trust: Trust,
    request_risk: Risk,
    unverifiable: bool,
    headline: String,
}

impl VerdictOut {
    fn of(v: &verdict::Verdict, lang: Lang) -> VerdictOut {
        VerdictOut {
            level: v.level,
            sender_trust: v.trust,
            request_risk: v.risk,
            unverifiable: v.unverifiable,
            headline: v.headline(lang),
        }
    }
}

#[derive(Serialize)]
struct MessageOut<'a> {
    message_id: Option<&'a str>,
    date: Option<&'a str>,
    subject: Option<&'a str>,
    from: &'a [Mailbox],
    reply_to: &'a [Mailbox],
    sender: Option<&'a Mailbox>,
    return_path: Option<&'a str>,
    received: &'a [Hop],
}

#[derive(Serialize)]
struct OriginOut<'a> {
    ip: Option<IpAddr>,
    helo: Option<&'a str>,
    mail_from: Option<&'a str>,
    source: OriginSource,
    hop: Option<usize>,
    trusted_hops: usize,
    relays_configured: bool,
}

#[derive(Serialize)]
struct EvidenceOut<'a> {
    code: &'static str,
    axis: Axis,
    strength: Strength,
    message: String,
    facts: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    matched: Option<&'a crate::evidence::Match>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    risk: Option<Risk>,
}

/// One report as a single line of JSON (no trailing newline).
pub fn to_line(report: &Report, lang: Lang) -> String {
    to_line_at(report, lang, None, None)
}

/// One report as a single line of JSON with where it came from (`scan`): its location and,
/// for a ticket, the ticket object. Serialized straight from the report: going through a
/// `serde_json::Value` cost a scan a tenth of its time.
pub fn to_line_at(
    report: &Report,
    lang: Lang,
    location: Option<&crate::source::Location>,
    ticket: Option<serde_json::Value>,
) -> String {
    let mut out = out(report, lang);
    out.location = location;
    out.ticket = ticket;
    terminal_safe(serde_json::to_string(&out).expect("report serializes"))
}

/// A JSON value as one terminal-safe line.
pub fn line(value: &serde_json::Value) -> String {
    terminal_safe(serde_json::to_string(value).expect("JSON serializes"))
}

/// One report as a JSON value (the `check --json` object), for callers that add fields.
pub fn to_value(report: &Report, lang: Lang) -> serde_json::Value {
    serde_json::to_value(out(report, lang)).expect("report serializes")
}

fn out<'a>(report: &'a Report, lang: Lang) -> Out<'a> {
    let v = &report.verdict;
    Out {
        schema: SCHEMA,
        input: &report.input,
        verdict: VerdictOut::of(v, lang),
        message: MessageOut {
            message_id: report.message.message_id.as_deref(),
            date: report.message.date.as_deref(),
            subject: report.message.subject.as_deref(),
            from: &report.message.from,
            reply_to: &report.message.reply_to,
            sender: report.message.sender.as_ref(),
            return_path: report.message.return_path.as_deref(),
            received: &report.message.received,
        },
        origin: OriginOut {
            ip: report.origin.ip,
            helo: report.envelope.helo.as_deref(),
            mail_from: report.envelope.mail_from.as_deref(),
            source: report.origin.source,
            hop: report.origin.hop,
            trusted_hops: report.origin.trusted_hops,
            relays_configured: report.origin.relays_configured,
        },
        auth: &report.auth,
        evidence: v
            .evidence
            .iter()
            .map(|e| EvidenceOut {
                code: e.code.id,
                axis: e.axis(),
                strength: e.strength,
                message: e.message(lang),
                facts: e.facts.iter().map(|(k, v)| (*k, v.as_str())).collect(),
                matched: e.matched.as_ref(),
                rule: e.rule.as_deref(),
                risk: e.risk,
            })
            .collect(),
        actions: verdict::actions(v, lang),
        would_lower: verdict::would_lower(v, lang),
        location: None,
        ticket: None,
    }
}

#[derive(Serialize)]
struct RecordOut<'a> {
    schema: u32,
    input: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a crate::source::Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<serde_json::Value>,
    verdict: VerdictOut,
    message: RecordMessage<'a>,
    origin: RecordOrigin,
    evidence: Vec<RecordEvidence<'a>>,
    actions: Vec<Action>,
}

#[derive(Serialize)]
struct RecordMessage<'a> {
    message_id: Option<&'a str>,
    subject: Option<&'a str>,
    from: &'a [Mailbox],
}

#[derive(Serialize)]
struct RecordOrigin {
    ip: Option<IpAddr>,
}

#[derive(Serialize)]
struct RecordEvidence<'a> {
    code: &'static str,
    strength: Strength,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'a str>,
}

/// The verdict kept in the store for a message or ticket: what an agent needs without the
/// message at hand — the verdict, who sent it from where, the findings that weigh (not the
/// `info` ones) and the actions. A subset of the `check --json` object under the same names.
/// The whole report was twenty times larger, and writing it made a scan's store most of its
/// I/O.
pub fn record(
    report: &Report,
    lang: Lang,
    location: Option<&crate::source::Location>,
    ticket: Option<serde_json::Value>,
) -> String {
    let v = &report.verdict;
    let out = RecordOut {
        schema: SCHEMA,
        input: &report.input,
        location,
        ticket,
        verdict: VerdictOut::of(v, lang),
        message: RecordMessage {
            message_id: report.message.message_id.as_deref(),
            subject: report.message.subject.as_deref(),
            from: &report.message.from,
        },
        origin: RecordOrigin {
            ip: report.origin.ip,
        },
        evidence: v
            .evidence
            .iter()
            .filter(|e| e.strength != Strength::Info || e.axis() == Axis::Request)
            .map(|e| RecordEvidence {
                code: e.code.id,
                strength: e.strength,
                message: e.message(lang),
                rule: e.rule.as_deref(),
            })
            .collect(),
        actions: verdict::actions(v, lang),
    };
    terminal_safe(serde_json::to_string(&out).expect("record serializes"))
}

/// serde_json escapes C0 controls; this also escapes DEL, C1 controls and bidi overrides,
/// which are legal in JSON strings but act on terminals. The JSON value is unchanged.
fn terminal_safe(line: String) -> String {
    // Every character `needs_escape` names is below U+0020, DEL, or starts with one of the
    // UTF-8 lead bytes C2 (C1 controls), D8 (U+061C) or E2 (the bidi marks): a byte scan
    // clears most lines without decoding them.
    let suspect = |b: &u8| *b < 0x20 || matches!(*b, 0x7f | 0xc2 | 0xd8 | 0xe2);
    if !line.as_bytes().iter().any(suspect) || !line.chars().any(crate::report::needs_escape) {
        return line;
    }
    let mut out = String::with_capacity(line.len() + 16);
    for c in line.chars() {
        if crate::report::needs_escape(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn terminal_safe_keeps_the_value() {
        let raw = serde_json::to_string("a\u{9b}b\u{202e}c\x1b").unwrap();
        let safe = super::terminal_safe(raw);
        assert!(safe.is_ascii() || !safe.contains('\u{9b}'));
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "a\u{9b}b\u{202e}c\x1b");
    }
}
