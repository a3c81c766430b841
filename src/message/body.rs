//! The current part of a message body: what this sender wrote now, without the quoted
//! history, the signature or the legal footer. Analyzers judge only this part, so a request
//! quoted from an earlier message (or a phishing mail being reported) is not taken for a new
//! one. Offsets into the full body are kept for quoting evidence.

use std::ops::Range;

/// The current text and where each of its lines came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Current {
    /// Kept lines joined with `\n`.
    pub text: String,
    /// The signature block that was cut (up to the quoted history), for identity claims.
    pub signature: String,
    /// `(offset in text, offset in body, length)` for each kept line.
    segments: Vec<(usize, usize, usize)>,
}

impl Current {
    /// The body byte range of a range of `text`.
    pub fn to_body(&self, range: Range<usize>) -> Range<usize> {
        let map = |off: usize| {
            self.segments
                .iter()
                .rev()
                .find(|(t, _, _)| *t <= off)
                .map_or(off, |(t, b, len)| b + (off - t).min(*len))
        };
        map(range.start)..map(range.end)
    }
}

/// What ends the current part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// Drop this line and everything after it.
    Here,
    /// Keep this line, drop everything after it.
    After,
}

/// The body's lines, as written and lower-cased at most once: every test below reads the
/// lower-cased form, some of them for the lines after the one they judge. A line is lower-cased
/// when first read, so the quoted history after the cut never is.
struct Lines<'a> {
    raw: Vec<&'a str>,
    lower: Vec<std::cell::OnceCell<String>>,
}

impl<'a> Lines<'a> {
    fn new(body: &'a str) -> Lines<'a> {
        let raw: Vec<&str> = body.split('\n').collect();
        let lower = raw.iter().map(|_| std::cell::OnceCell::new()).collect();
        Lines { raw, lower }
    }

    /// Line `i`, trimmed and lower-cased.
    fn lower(&self, i: usize) -> &str {
        self.lower[i].get_or_init(|| {
            let l = self.raw[i].trim();
            if l.is_ascii() {
                l.to_ascii_lowercase()
            } else {
                // Kana and kanji have no case: skipping the case tables for them halves the
                // cost of a Japanese body. (Only marker words are compared, so the final-sigma
                // rule of `str::to_lowercase` does not matter here.)
                let mut out = String::with_capacity(l.len());
                for c in l.chars() {
                    if c.is_ascii() {
                        out.push(c.to_ascii_lowercase());
                    } else if crate::text::is_japanese(c) {
                        out.push(c);
                    } else {
                        out.extend(c.to_lowercase());
                    }
                }
                out
            }
        })
    }
}

fn is_quote(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('>') || t.starts_with('＞') || t.starts_with('|')
}

/// History markers: "On … wrote:", "-----Original Message-----", the Japanese forms, and
/// forwarded-message separators.
fn history_marker(lines: &Lines<'_>, i: usize) -> bool {
    let l = lines.lower(i);
    let t = l.trim_matches(|c: char| c == '-' || c == ' ' || c == '_' || c == '=');
    if l.len() >= 10 && l.chars().all(|c| c == '_' || c == '-') {
        return true;
    }
    if matches!(
        t,
        "original message"
            | "元のメッセージ"
            | "forwarded message"
            | "転送されたメッセージ"
            | "begin forwarded message:"
            | "original"
    ) {
        return true;
    }
    if l.ends_with("wrote:") || l.ends_with("writes:") {
        return true;
    }
    if (l.ends_with("さんは書きました:")
        || l.ends_with("さんは書きました：")
        || l.ends_with("書きました:"))
        && !l.is_empty()
    {
        return true;
    }
    // Gmail's Japanese form: "2026年11月24日(火) 10:00 山田 太郎 <taro@example.jp>:"
    if l.contains('年')
        && l.contains('月')
        && l.contains('@')
        && (l.ends_with(">:") || l.ends_with(">："))
    {
        return true;
    }
    // Outlook: a From: line followed closely by Sent:/Date: and To:/Subject:.
    let is_from = l.starts_with("from:") || l.starts_with("差出人:") || l.starts_with("差出人：");
    if is_from {
        let next = i + 1..(i + 6).min(lines.raw.len());
        let has = |keys: &[&str]| {
            next.clone()
                .any(|n| keys.iter().any(|k| lines.lower(n).starts_with(k)))
        };
        return has(&["sent:", "date:", "送信日時:", "送信日時：", "日付:"])
            && has(&["to:", "subject:", "宛先:", "宛先：", "件名:", "件名："]);
    }
    false
}

fn signature_or_footer(line: &str, l: &str) -> Option<Cut> {
    if line == "-- " || line.trim() == "--" || line.trim() == "—" {
        return Some(Cut::Here);
    }
    let closing = l.trim_end_matches([',', '.', '!', '，', '、']);
    if matches!(
        closing,
        "regards"
            | "best regards"
            | "kind regards"
            | "best"
            | "thanks"
            | "thank you"
            | "cheers"
            | "sincerely"
            | "many thanks"
            | "thanks in advance"
            | "warm regards"
    ) || l.starts_with("sent from my ")
        || l.ends_with("から送信")
    {
        return Some(Cut::Here);
    }
    if l.starts_with("confidentiality notice")
        || l.starts_with("disclaimer")
        || (l.contains("confidential") && (l.contains("intended") || l.contains("recipient")))
        || (l.contains("機密")
            && (l.contains("本メール") || l.contains("このメール") || l.contains("この電子メール")))
    {
        return Some(Cut::Here);
    }
    let j = l.trim_end_matches(['。', '!', '！']);
    if matches!(
        j,
        "よろしくお願いいたします"
            | "よろしくお願いします"
            | "宜しくお願い致します"
            | "よろしくお願い致します"
            | "以上、よろしくお願いいたします"
            | "以上です"
            | "以上"
    ) {
        return Some(Cut::After);
    }
    None
}

/// The first line of a postscript ("P.S.", "PS:", 追伸) after `from`, before any quoted
/// history; the postscript runs to the history or the end.
fn postscript(lines: &Lines<'_>, from: usize) -> Option<usize> {
    for i in from..lines.raw.len() {
        if history_marker(lines, i) {
            return None;
        }
        let l = lines.lower(i);
        if l.starts_with("p.s")
            || l.starts_with("ps:")
            || l.starts_with("ps.")
            || l.starts_with("追伸")
            || l.starts_with("二伸")
        {
            return Some(i);
        }
    }
    None
}

/// The lines of a signature block, up to quoted history, at most 15 lines.
fn signature_block(lines: &Lines<'_>, from: usize) -> String {
    let mut out = Vec::new();
    for (i, l) in lines.raw.iter().enumerate().skip(from).take(15) {
        if history_marker(lines, i) || is_quote(l) {
            break;
        }
        out.push(l.trim_end_matches('\r'));
    }
    out.join("\n")
}

/// The current part of `body`.
pub fn current(body: &str) -> Current {
    let lines = Lines::new(body);
    let mut out = Current::default();
    let mut offset = 0usize;
    let mut seen_content = false;
    for (i, raw) in lines.raw.iter().enumerate() {
        let line_start = offset;
        offset += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if history_marker(&lines, i) && (seen_content || i > 0) {
            break;
        }
        if is_quote(line) {
            continue;
        }
        let cut = if seen_content {
            signature_or_footer(line, lines.lower(i))
        } else {
            None
        };
        if cut == Some(Cut::Here) {
            out.signature = signature_block(&lines, i);
            // A postscript after the signature is the sender writing again.
            if let Some(ps) = postscript(&lines, i + 1) {
                offset = lines.raw[..ps].iter().map(|l| l.len() + 1).sum();
                for (k, raw) in lines.raw.iter().enumerate().skip(ps) {
                    if history_marker(&lines, k) {
                        break;
                    }
                    let line_start = offset;
                    offset += raw.len() + 1;
                    let line = raw.strip_suffix('\r').unwrap_or(raw);
                    if is_quote(line) {
                        continue;
                    }
                    out.text.push('\n');
                    out.segments.push((out.text.len(), line_start, line.len()));
                    out.text.push_str(line);
                }
            }
            break;
        }
        if !out.text.is_empty() {
            out.text.push('\n');
        }
        out.segments.push((out.text.len(), line_start, line.len()));
        out.text.push_str(line);
        seen_content |= !line.trim().is_empty();
        if cut == Some(Cut::After) {
            out.signature = signature_block(&lines, i + 1);
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_quotes_history_and_signature() {
        let body = "Please reset my 2FA.\r\n\r\nThanks,\r\nBob\r\n\r\nOn Mon, Nov 23, 2026 at 9:00 AM Support <support@example.co.jp> wrote:\r\n> How can we help?\r\n";
        let c = current(body);
        assert_eq!(c.text, "Please reset my 2FA.\n");
        assert_eq!(c.signature, "Thanks,\nBob\n");
    }

    #[test]
    fn keeps_a_postscript_after_the_signature() {
        let body = "Can you check our SAML setup?\n\nThanks,\nHannah\n\nP.S. Please send the recovery codes to it@evil.example.\n\nOn Mon, Support wrote:\n> hi";
        let c = current(body);
        assert!(
            c.text.contains("Please send the recovery codes"),
            "{}",
            c.text
        );
        assert!(!c.text.contains("Support wrote"), "{}", c.text);
        let at = c.text.find("Please").unwrap();
        assert_eq!(&body[c.to_body(at..at + 6)], "Please");
    }

    #[test]
    fn cuts_japanese_forms() {
        let body = "二段階認証を解除してください。\nよろしくお願いいたします。\n山田\n\n---- 元のメッセージ ----\nパスワードを教えて";
        assert_eq!(
            current(body).text,
            "二段階認証を解除してください。\nよろしくお願いいたします。"
        );
        let body = "了解です。\n\n2026年11月24日(火) 10:00 サポート <support@example.co.jp>:\n> パスワードを変更してください";
        assert_eq!(current(body).text, "了解です。\n");
        let body = "ありがとうございます。\n\n山田さんは書きました:\n> 管理者権限をください";
        assert_eq!(current(body).text, "ありがとうございます。\n");
    }

    #[test]
    fn cuts_outlook_header_blocks_and_footers() {
        let body = "Can you check the invoice?\n\nFrom: Alice <a@example.com>\nSent: Monday\nTo: Support\nSubject: x\n\nPlease change my bank account.";
        assert_eq!(current(body).text, "Can you check the invoice?\n");
        let body = "Hello\nCONFIDENTIALITY NOTICE: this e-mail is for the intended recipient only.";
        assert_eq!(current(body).text, "Hello");
    }

    #[test]
    fn maps_back_to_the_body() {
        let body = "> quoted\nkeep this\n";
        let c = current(body);
        assert_eq!(c.text, "keep this\n");
        assert_eq!(&body[c.to_body(0..4)], "keep");
    }
}
