//! Text for a person: the verdict and its headline first, then the evidence grouped
//! Request, Sender, Authentication, Context (DESIGN.md §5), then the actions.

use super::escape;
use crate::evidence::{Axis, Lang, Strength};
use crate::message::Mailbox;
use crate::triage::Report;
use crate::verdict;
use std::fmt::Write;

fn mailbox(m: &Mailbox) -> String {
    match (&m.name, &m.address) {
        (Some(n), Some(a)) => format!("\"{}\" <{}>", escape(n), escape(a)),
        (None, Some(a)) => format!("<{}>", escape(a)),
        (Some(n), None) => format!("\"{}\"", escape(n)),
        (None, None) => "(none)".into(),
    }
}

fn mark(s: Strength) -> &'static str {
    match s {
        Strength::Strong => "!!",
        Strength::Medium => "! ",
        Strength::Weak => "? ",
        Strength::Info => "· ",
        Strength::Mitigating => "+ ",
    }
}

/// Renders one report.
pub fn render(report: &Report, lang: Lang) -> String {
    let v = &report.verdict;
    let m = &report.message;
    let mut out = String::new();
    let _ = writeln!(out, "── {}", escape(&report.input));
    let _ = writeln!(
        out,
        "{}  {}",
        v.level.label(lang),
        escape(&v.headline(lang))
    );
    let from = if m.from.is_empty() {
        "(none)".to_string()
    } else {
        m.from.iter().map(mailbox).collect::<Vec<_>>().join(", ")
    };
    let (l_from, l_subject, l_trust, l_risk, l_source) = match lang {
        Lang::En => (
            "From",
            "Subject",
            "sender trust",
            "request risk",
            "auth source",
        ),
        Lang::Ja => (
            "差出人",
            "件名",
            "送信者の信頼度",
            "依頼のリスク",
            "認証の情報源",
        ),
    };
    let _ = writeln!(out, "   {l_from}: {from}");
    if let Some(s) = &m.subject {
        let _ = writeln!(out, "   {l_subject}: {}", escape(s));
    }
    let source = serde_json::to_value(report.auth.source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let trust = match (lang, v.trust) {
        (Lang::En, t) => t.to_string(),
        (Lang::Ja, crate::verdict::Trust::Verified) => "検証済み".into(),
        (Lang::Ja, crate::verdict::Trust::Unknown) => "不明".into(),
        (Lang::Ja, crate::verdict::Trust::Suspicious) => "不審".into(),
        (Lang::Ja, crate::verdict::Trust::Spoofed) => "なりすまし".into(),
    };
    let _ = writeln!(
        out,
        "   {l_trust}: {trust} · {l_risk}: {:?} · {l_source}: {source}",
        v.risk
    );
    for axis in [Axis::Request, Axis::Sender, Axis::Auth, Axis::Context] {
        let items: Vec<_> = v.evidence.iter().filter(|e| e.axis() == axis).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n {}", axis.heading(lang));
        for e in items {
            let _ = writeln!(out, "  {} {}", mark(e.strength), escape(&e.message(lang)));
            if let Some(found) = &e.matched {
                let _ = writeln!(
                    out,
                    "      «{}» ({})",
                    escape(&found.text),
                    escape(&found.location)
                );
            }
        }
    }
    let actions = verdict::actions(v, lang);
    let _ = writeln!(
        out,
        "\n {}",
        if lang == Lang::Ja {
            "対応"
        } else {
            "Actions"
        }
    );
    for (i, a) in actions.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", i + 1, a.text);
    }
    let lower = verdict::would_lower(v, lang);
    if !lower.is_empty() {
        let _ = writeln!(
            out,
            "\n {}",
            if lang == Lang::Ja {
                "判定を下げる条件"
            } else {
                "What would lower it"
            }
        );
        for l in lower {
            let _ = writeln!(out, "  - {l}");
        }
    }
    out
}
