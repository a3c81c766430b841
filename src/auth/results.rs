//! Trusted Authentication-Results headers (RFC 8601).
//!
//! RFC 8601 §5: a receiver may believe an Authentication-Results header only when it was added
//! by a host it trusts, and MUST ignore one whose authserv-id it does not know, since a sender
//! can write any header it likes. So only authserv-ids from the config count, and only in the
//! topmost block: the header fields above the originating hop's Received header, added by
//! trusted hosts (DESIGN.md §2). Anything else is ignored and reported as Context evidence.

use super::{AuthResult, AuthResults, AuthSource, DkimCheck, DmarcCheck, SpfCheck, SpfIdentity};
use crate::evidence::{Evidence, Strength, codes};
use crate::message::{Message, Origin};

/// One parsed `resinfo`: `method=result reason=… ptype.property=value …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResInfo {
    /// `spf`, `dkim`, `dmarc`, `arc`, …
    pub method: String,
    /// The result word.
    pub result: String,
    /// The comment after the result, if any (often holds `p=REJECT`).
    pub comment: Option<String>,
    /// `ptype.property` → value.
    pub props: Vec<(String, String)>,
}

impl ResInfo {
    fn prop(&self, key: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// A parsed Authentication-Results header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResultsHeader {
    /// The authserv-id.
    pub authserv_id: String,
    /// The results.
    pub results: Vec<ResInfo>,
}

/// Parses one header value (RFC 8601 §2.2). Returns `None` when there is no authserv-id.
pub fn parse(value: &str) -> Option<AuthResultsHeader> {
    let (text, comments) = strip_comments(value);
    let mut parts = split_outside_quotes(&text, ';').into_iter();
    let authserv_id = parts
        .next()?
        .split_whitespace()
        .next()?
        .to_ascii_lowercase();
    let mut results = Vec::new();
    for part in parts {
        let tokens = tokens(part);
        let Some((method, result)) = tokens.first().and_then(|t| t.split_once('=')) else {
            continue;
        };
        let method = method
            .split('/')
            .next()
            .unwrap_or(method)
            .to_ascii_lowercase();
        let mut props = Vec::new();
        for t in &tokens[1..] {
            if let Some((k, v)) = t.split_once('=') {
                props.push((k.to_ascii_lowercase(), unquote(v)));
            }
        }
        let comment = comments
            .iter()
            .find(|(pos, _)| part_contains(&text, part, *pos))
            .map(|(_, c)| c.clone());
        results.push(ResInfo {
            method,
            result: result.to_ascii_lowercase(),
            comment,
            props,
        });
    }
    Some(AuthResultsHeader {
        authserv_id,
        results,
    })
}

/// Whether the comment at `pos` (an offset into `text`) falls inside `part`.
fn part_contains(text: &str, part: &str, pos: usize) -> bool {
    let start = part.as_ptr() as usize - text.as_ptr() as usize;
    (start..=start + part.len()).contains(&pos)
}

/// Removes (nested) comments outside quoted strings, remembering each top-level comment and
/// where it stood.
fn strip_comments(value: &str) -> (String, Vec<(usize, String)>) {
    let mut out = String::with_capacity(value.len());
    let mut comments = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    let mut current = String::new();
    for c in value.chars() {
        if escaped {
            if depth > 0 {
                current.push(c);
            } else {
                out.push(c);
            }
            escaped = false;
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                if depth == 0 {
                    out.push(c);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => {
                depth += 1;
                if depth > 1 {
                    current.push(c);
                }
            }
            ')' if !quoted && depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    comments.push((out.len(), std::mem::take(&mut current)));
                    out.push(' ');
                } else {
                    current.push(c);
                }
            }
            _ if depth > 0 => current.push(c),
            _ => out.push(c),
        }
    }
    (out, comments)
}

fn split_outside_quotes(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Whitespace-separated tokens, with spaces around `=` and `.` joined (CFWS is allowed there).
fn tokens(part: &str) -> Vec<String> {
    let mut joined = String::new();
    let mut quoted = false;
    let chars: Vec<char> = part.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '"' {
            quoted = !quoted;
        }
        if !quoted && c.is_whitespace() {
            let prev = joined.chars().last();
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(prev, Some('=') | Some('.')) || matches!(next, Some('=') | Some('.')) {
                continue;
            }
        }
        joined.push(c);
    }
    split_outside_quotes(&joined, ' ')
        .into_iter()
        .flat_map(|t| split_outside_quotes(t, '\t'))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn unquote(v: &str) -> String {
    v.trim().trim_matches('"').to_string()
}

/// The outcome of looking for trusted Authentication-Results.
#[derive(Debug, Clone)]
pub struct Trusted {
    /// Results from the topmost trusted block, if there is one.
    pub results: Option<AuthResults>,
    /// Context evidence about headers that were ignored.
    pub evidence: Vec<Evidence>,
}

/// Finds the topmost trusted block and turns it into results.
pub fn trusted(message: &Message, origin: &Origin, trusted_ids: &[String]) -> Trusted {
    let is_trusted_id = |id: &str| trusted_ids.iter().any(|t| t.eq_ignore_ascii_case(id));
    let headers: Vec<(usize, AuthResultsHeader)> = message
        .fields_named("Authentication-Results")
        .filter_map(|(i, v)| parse(v).map(|h| (i, h)))
        .collect();
    let mut evidence = Vec::new();
    let mut reported = Vec::new();

    let block_start = headers
        .iter()
        .find(|(i, h)| *i < origin.trusted_fields && is_trusted_id(&h.authserv_id));
    let block: Vec<&AuthResultsHeader> = match block_start {
        Some((start, first)) => {
            // The block ends at the next Received header: below it, another host wrote.
            let end = message
                .received
                .iter()
                .map(|h| h.field)
                .find(|f| f > start)
                .unwrap_or(usize::MAX);
            headers
                .iter()
                .filter(|(i, h)| *i >= *start && *i < end && h.authserv_id == first.authserv_id)
                .map(|(_, h)| h)
                .collect()
        }
        None => Vec::new(),
    };

    for (i, h) in &headers {
        if block.iter().any(|b| std::ptr::eq(*b, h)) || reported.contains(&h.authserv_id) {
            continue;
        }
        if !is_trusted_id(&h.authserv_id) {
            evidence.push(
                Evidence::new(&codes::AUTH_RESULTS_UNTRUSTED, Strength::Info)
                    .fact("authserv_id", &h.authserv_id),
            );
            reported.push(h.authserv_id.clone());
        } else if *i >= origin.trusted_fields {
            // Our own authserv-id where only the sender could have written it.
            let claims_pass = h.results.iter().any(|r| r.result == "pass");
            evidence.push(
                Evidence::new(
                    &codes::AUTH_RESULTS_FORGED,
                    if claims_pass {
                        Strength::Weak
                    } else {
                        Strength::Info
                    },
                )
                .fact("authserv_id", &h.authserv_id),
            );
            reported.push(h.authserv_id.clone());
        }
    }

    let results = (!block.is_empty()).then(|| to_results(&block));
    if let Some(r) = &results {
        evidence.push(
            Evidence::new(&codes::AUTH_RESULTS_USED, Strength::Info)
                .fact("authserv_id", r.authserv_id.clone().unwrap_or_default()),
        );
    }
    Trusted { results, evidence }
}

fn to_results(block: &[&AuthResultsHeader]) -> AuthResults {
    let mut r = AuthResults::empty(AuthSource::AuthenticationResults);
    r.authserv_id = block.first().map(|h| h.authserv_id.clone());
    for info in block.iter().flat_map(|h| &h.results) {
        let Some(result) = AuthResult::parse(&info.result) else {
            continue;
        };
        let reason = info
            .prop("reason")
            .map(str::to_string)
            .or(info.comment.clone());
        match info.method.as_str() {
            "spf" if r.spf.is_none() => {
                let (identity, domain) = match info.prop("smtp.mailfrom") {
                    Some(mf) => (
                        SpfIdentity::MailFrom,
                        crate::message::domain_of(mf).unwrap_or_else(|| mf.to_ascii_lowercase()),
                    ),
                    None => (
                        SpfIdentity::Helo,
                        info.prop("smtp.helo").unwrap_or("").to_ascii_lowercase(),
                    ),
                };
                r.spf = Some(SpfCheck {
                    identity,
                    domain,
                    ip: None,
                    result,
                    reason,
                });
            }
            "dkim" => r.dkim.push(DkimCheck {
                domain: info
                    .prop("header.d")
                    .or(info
                        .prop("header.i")
                        .and_then(|i| i.rsplit_once('@').map(|(_, d)| d)))
                    .unwrap_or("")
                    .to_ascii_lowercase(),
                selector: info.prop("header.s").unwrap_or("").to_string(),
                algorithm: info.prop("header.a").unwrap_or("").to_string(),
                canonicalization: None,
                result,
                reason,
            }),
            "dmarc" if r.dmarc.is_none() => {
                let comment = info.comment.as_deref().unwrap_or("").to_ascii_lowercase();
                let from_comment = |tag: &str| {
                    comment
                        .split_whitespace()
                        .find_map(|w| w.strip_prefix(tag))
                        .map(|v| {
                            v.trim_matches(|c: char| !c.is_ascii_alphabetic())
                                .to_string()
                        })
                };
                let p = info
                    .prop("policy.dmarc")
                    .map(str::to_ascii_lowercase)
                    .or_else(|| from_comment("p="));
                r.dmarc = Some(DmarcCheck {
                    domain: info.prop("header.from").unwrap_or("").to_ascii_lowercase(),
                    result,
                    policy: p.clone(),
                    p,
                    sp: from_comment("sp="),
                    adkim: None,
                    aspf: None,
                    spf_aligned: false,
                    dkim_aligned: false,
                    reason,
                });
            }
            "arc" if r.arc.is_none() => {
                r.arc = Some(super::ArcCheck {
                    result,
                    sets: 0,
                    sealer: None,
                    reason,
                });
            }
            _ => {}
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gmail_style_header() {
        let h = parse(
            "mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=sel header.b=abc;\r\n       spf=pass (google.com: domain of a@example.com designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@example.com;\r\n       dmarc=pass (p=REJECT sp=NONE dis=NONE) header.from=example.com",
        )
        .unwrap();
        assert_eq!(h.authserv_id, "mx.google.com");
        assert_eq!(h.results.len(), 3);
        let r = to_results(&[&h]);
        assert_eq!(r.dkim[0].domain, "example.com");
        assert_eq!(r.spf.as_ref().unwrap().domain, "example.com");
        let d = r.dmarc.unwrap();
        assert_eq!(d.policy.as_deref(), Some("reject"));
        assert_eq!(d.sp.as_deref(), Some("none"));
    }

    #[test]
    fn version_spaces_and_quotes() {
        let h =
            parse("mx.example.org 1; dkim/1 = fail reason=\"bad; sig\" header . d = example.net")
                .unwrap();
        assert_eq!(h.results.len(), 1);
        assert_eq!(h.results[0].method, "dkim");
        assert_eq!(h.results[0].prop("reason"), Some("bad; sig"));
        assert_eq!(h.results[0].prop("header.d"), Some("example.net"));
    }

    #[test]
    fn none_result_has_no_resinfo() {
        let h = parse("mx.example.org; none").unwrap();
        assert!(h.results.is_empty());
    }
}
