//! The Zendesk internal note for a ticket's verdict (Markdown, English or Japanese), and the
//! marker that makes posting it idempotent.

use super::escape;
use crate::evidence::{Lang, Strength};
use crate::triage::Report;
use crate::verdict::{self, Level};

/// One triaged comment of a ticket.
pub struct CommentReport<'a> {
    /// The comment id.
    pub comment_id: u64,
    /// `first` or `later`.
    pub role: &'static str,
    /// Its report.
    pub report: &'a Report,
}

/// The ticket's level: the most severe of its comments'.
pub fn level(comments: &[CommentReport<'_>]) -> Level {
    comments
        .iter()
        .map(|c| c.report.verdict.level)
        .max()
        .unwrap_or(Level::Clear)
}

/// A short stable id of a verdict: the same verdict for the same ticket gives the same marker,
/// so a second `--post` finds the first note and adds nothing.
pub fn marker(ticket_id: u64, comments: &[CommentReport<'_>]) -> String {
    let mut codes: Vec<&str> = comments
        .iter()
        .flat_map(|c| c.report.verdict.evidence.iter())
        .filter(|e| e.strength != Strength::Info)
        .map(|e| e.code.id)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let mut h: u64 = 0xcbf29ce484222325;
    for b in format!("{ticket_id}|{}|{}", level(comments), codes.join(",")).bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!(
        "impostor-verdict: {} {:012x}",
        level(comments),
        h & 0xffff_ffff_ffff
    )
}

/// Markdown special characters in message-derived text would render as formatting.
fn md(text: &str) -> String {
    escape(text)
        .chars()
        .flat_map(|c| {
            let escape_it = matches!(c, '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|');
            escape_it
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}

/// The note text.
pub fn render(ticket_id: u64, comments: &[CommentReport<'_>], lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    let level = level(comments);
    let Some(main) = comments.iter().max_by_key(|c| c.report.verdict.level) else {
        return String::new();
    };
    let v = &main.report.verdict;
    let mut out = format!(
        "**impostor: {}** — {}\n\n",
        level.label(lang),
        md(&v.headline(lang))
    );
    for c in comments {
        let ip = c.report.origin.ip.map_or_else(
            || {
                if ja {
                    "記録なし".to_string()
                } else {
                    "not recorded".to_string()
                }
            },
            |ip| ip.to_string(),
        );
        let from = c
            .report
            .message
            .from_mailbox()
            .and_then(|m| m.address.clone())
            .unwrap_or_else(|| {
                if ja {
                    "不明".into()
                } else {
                    "unknown".into()
                }
            });
        out.push_str(&if ja {
            format!(
                "- コメント {}（{}）: {} — 送信者 {}、依頼者 IP {}\n",
                c.comment_id,
                if c.role == "first" {
                    "最初の依頼"
                } else {
                    "後続"
                },
                c.report.verdict.level.label(lang),
                md(&from),
                ip
            )
        } else {
            format!(
                "- Comment {} ({}): {} — sender {}, requester IP {}\n",
                c.comment_id,
                c.role,
                c.report.verdict.level.label(lang),
                md(&from),
                ip
            )
        });
    }
    out.push_str(if ja {
        "\n**根拠**\n"
    } else {
        "\n**Evidence**\n"
    });
    let mut seen = Vec::new();
    for c in comments {
        for e in c
            .report
            .verdict
            .evidence
            .iter()
            .filter(|e| e.strength != Strength::Info)
        {
            let line = e.message(lang);
            if seen.contains(&line) || seen.len() >= 12 {
                continue;
            }
            out.push_str(&format!("- [{}] {}\n", e.strength, md(&line)));
            seen.push(line);
        }
    }
    if seen.is_empty() {
        out.push_str(if ja {
            "- 特記事項なし\n"
        } else {
            "- nothing of note\n"
        });
    }
    out.push_str(if ja {
        "\n**対応**\n"
    } else {
        "\n**What to do**\n"
    });
    for (i, a) in verdict::actions(v, lang).iter().enumerate() {
        out.push_str(&format!("{}. {}\n", i + 1, md(&a.text)));
    }
    let lower = verdict::would_lower(v, lang);
    if !lower.is_empty() {
        out.push_str(if ja {
            "\n**判定を下げる条件**\n"
        } else {
            "\n**What would lower it**\n"
        });
        for l in lower {
            out.push_str(&format!("- {}\n", md(&l)));
        }
    }
    out.push_str(&format!("\n`{}`\n", marker(ticket_id, comments)));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markdown_from_the_message_cannot_format_the_note() {
        assert_eq!(
            super::md("**urgent** [link](x)"),
            "\\*\\*urgent\\*\\* \\[link\\](x)"
        );
    }
}
