//! `--annotate`: the message written back unchanged except for added header fields, for mail
//! filters (procmail, sieve, a pipe transport): `X-Impostor-Verdict`, `X-Impostor-Reasons` and
//! an RFC 8601 `Authentication-Results` carrying the configured authserv-id.

use crate::auth::{AuthResult, AuthResults};
use crate::evidence::Strength;
use crate::triage::Report;

/// The message with the verdict headers prepended, in the message's own line-ending style.
pub fn annotate(report: &Report, authserv_id: &str) -> Vec<u8> {
    let raw = report.message.raw();
    let eol: &str = if raw.windows(2).any(|w| w == b"\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let v = &report.verdict;
    let mut reasons: Vec<&str> = v
        .evidence
        .iter()
        .filter(|e| !matches!(e.strength, Strength::Info))
        .map(|e| e.code.id)
        .collect();
    reasons.dedup();
    let mut head = String::new();
    head.push_str(&fold(
        &format!(
            "Authentication-Results: {}",
            auth_results(&report.auth, authserv_id)
        ),
        eol,
    ));
    head.push_str(&format!(
        "X-Impostor-Verdict: {}; trust={}; risk={:?}{}{eol}",
        v.level,
        v.trust,
        v.risk,
        if v.unverifiable { "; unverifiable" } else { "" }
    ));
    head.push_str(&fold(
        &format!(
            "X-Impostor-Reasons: {}",
            if reasons.is_empty() {
                "none".to_string()
            } else {
                reasons.join(", ")
            }
        ),
        eol,
    ));
    let mut out = head.into_bytes();
    out.extend_from_slice(raw);
    out
}

/// The `Authentication-Results` value (RFC 8601 §2.2): `authserv-id; method=result props`.
pub fn auth_results(r: &AuthResults, authserv_id: &str) -> String {
    let mut parts = vec![safe(authserv_id)];
    let mut any = false;
    if let Some(spf) = &r.spf {
        any = true;
        let prop = match spf.identity {
            crate::auth::SpfIdentity::MailFrom => "smtp.mailfrom",
            crate::auth::SpfIdentity::Helo => "smtp.helo",
        };
        parts.push(format!("spf={} {prop}={}", spf.result, safe(&spf.domain)));
    }
    for d in &r.dkim {
        any = true;
        let mut p = format!("dkim={} header.d={}", d.result, safe(&d.domain));
        if !d.selector.is_empty() {
            p.push_str(&format!(" header.s={}", safe(&d.selector)));
        }
        parts.push(p);
    }
    if let Some(d) = &r.dmarc {
        any = true;
        let mut p = format!("dmarc={} header.from={}", d.result, safe(&d.domain));
        if let Some(policy) = &d.policy {
            p.push_str(&format!(" policy.dmarc={policy}"));
        }
        parts.push(p);
    }
    if let Some(a) = &r.arc {
        any = true;
        parts.push(format!("arc={}", a.result));
    }
    if r.unverifiable.is_some() && !any {
        parts.push(format!("dmarc={}", AuthResult::TempError));
    } else if !any {
        parts.push("none".into());
    }
    parts.join(";\r\n\t").replace("\r\n\t", " ")
}

/// Header text must be printable ASCII without separators that would end or split the field.
fn safe(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != ';' && c != '(' && c != ')' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// Folds at `; ` and `, ` to keep lines under 78 characters (RFC 5322 §2.1.1).
fn fold(field: &str, eol: &str) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for (i, word) in field.split(' ').enumerate() {
        if i > 0 {
            if line_len + 1 + word.len() > 76 {
                out.push_str(eol);
                out.push('\t');
                line_len = 1;
            } else {
                out.push(' ');
                line_len += 1;
            }
        }
        out.push_str(word);
        line_len += word.len();
    }
    out.push_str(eol);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_long_fields() {
        let long = format!("X-Test: {}", "word ".repeat(40));
        let folded = fold(long.trim_end(), "\r\n");
        assert!(folded.split("\r\n").all(|l| l.len() <= 78));
        assert!(folded.contains("\r\n\t"));
    }

    #[test]
    fn header_values_cannot_inject_fields() {
        assert_eq!(safe("evil.example\r\nX-Bad: 1"), "evil.example??X-Bad:?1");
    }
}
