//! `Message`: a raw RFC 5322 message parsed once (mail-parser, `full_encoding`) into what the
//! analyzers need: the originator fields with decoded display names, the Subject, the current
//! body text and the Received chain. The raw bytes stay with it for DKIM and ARC.
//!
//! This module decides whether the bytes are a message at all; it never decides whether the
//! message is trustworthy.

pub mod body;
mod received;

pub use received::{Hop, HopFacts, Origin, OriginSource, originate};

use crate::error::{Error, Result};
use mail_parser::{Address, HeaderName, MessageParser, MimeHeaders};

/// A display name and an address, as in `"Alice" <alice@example.com>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Mailbox {
    /// The decoded display name.
    pub name: Option<String>,
    /// The address as written (not lower-cased).
    pub address: Option<String>,
}

impl Mailbox {
    /// The domain of the address, lower-cased, without a trailing dot.
    pub fn domain(&self) -> Option<String> {
        domain_of(self.address.as_deref()?)
    }
}

/// The lower-cased domain of an address.
pub fn domain_of(address: &str) -> Option<String> {
    let (_, domain) = address.rsplit_once('@')?;
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    (!domain.is_empty()).then_some(domain)
}

/// One header field, in message order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field name as written.
    pub name: String,
    /// The raw value, unfolded, not decoded.
    pub value: String,
}

/// A problem met while parsing that does not stop triage; it becomes Context evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseProblem {
    /// What could not be parsed (`the MIME structure`).
    pub what: String,
    /// Why.
    pub problem: String,
}

/// What a ticket comment gives when there is no raw email: the sender Zendesk recorded, the
/// ticket's subject, the comment text, and the client IP of web and API comments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts {
    /// The sender (`via.source.from`).
    pub from: Option<Mailbox>,
    /// The ticket's subject.
    pub subject: Option<String>,
    /// The comment text.
    pub body: String,
    /// The Message-ID Zendesk recorded for an email comment.
    pub message_id: Option<String>,
    /// When the comment was made.
    pub date: Option<String>,
    /// The client IP of a web or API comment.
    pub client_ip: Option<std::net::IpAddr>,
    /// The channel (`email`, `web`, `api` …).
    pub channel: Option<String>,
    /// Zendesk's comment flags.
    pub flags: Vec<i64>,
}

/// A parsed message.
#[derive(Debug, Clone)]
pub struct Message {
    raw: Vec<u8>,
    /// The ticket facts this message was built from, when it has no raw bytes.
    pub parts: Option<Parts>,
    /// All header fields, top first.
    pub fields: Vec<Field>,
    /// From mailboxes (normally one).
    pub from: Vec<Mailbox>,
    /// Reply-To mailboxes.
    pub reply_to: Vec<Mailbox>,
    /// The Sender mailbox.
    pub sender: Option<Mailbox>,
    /// The Return-Path address: `Some("")` for the null sender `<>`.
    pub return_path: Option<String>,
    /// The decoded Subject.
    pub subject: Option<String>,
    /// The Message-ID, without angle brackets.
    pub message_id: Option<String>,
    /// The Date header, as RFC 3339 when it parses.
    pub date: Option<String>,
    /// The Received chain, top (most recent) first.
    pub received: Vec<Hop>,
    /// The body text: text/plain preferred, else HTML converted to text.
    pub body: String,
    /// What the sender wrote now: `body` without quoted history, signature and footers,
    /// computed once for every analyzer.
    pub current: body::Current,
    /// Problems that did not stop parsing.
    pub problems: Vec<ParseProblem>,
}

impl Message {
    /// Parses raw bytes. `input` names the source in errors. Bytes that are not a message
    /// (empty, binary, no header fields) are an error; a damaged MIME tree is a problem
    /// recorded in `problems`.
    pub fn parse(raw: Vec<u8>, input: &str) -> Result<Message> {
        check_looks_like_mail(&raw).map_err(|p| Error::bad_input(input, p))?;
        let parsed = parser()
            .parse(&raw[..])
            .ok_or_else(|| Error::bad_input(input, "not an RFC 5322 message: no header fields"))?;

        let mut fields = Vec::new();
        let mut received = Vec::new();
        for (index, header) in parsed.headers().iter().enumerate() {
            let value = raw
                .get(header.offset_start as usize..header.offset_end as usize)
                .map(|v| unfold(&String::from_utf8_lossy(v)))
                .unwrap_or_default();
            if header.name == HeaderName::Received {
                received.push(Hop::new(index, value.clone()));
            }
            fields.push(Field {
                name: header.name.as_str().to_string(),
                value,
            });
        }

        let mut problems = Vec::new();
        let from = mailboxes(parsed.from());
        let reply_to = mailboxes(parsed.reply_to());
        let sender = mailboxes(parsed.sender()).into_iter().next();
        let return_path = fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case("Return-Path"))
            .map(|f| angle_addr(&f.value));
        let body = body_text(&parsed);
        if let Some(problem) = truncated_multipart(&parsed, &raw) {
            problems.push(problem);
        }
        Ok(Message {
            subject: parsed.subject().map(str::to_string),
            message_id: parsed.message_id().map(str::to_string),
            date: parsed.date().map(|d| d.to_rfc3339()),
            fields,
            from,
            reply_to,
            sender,
            return_path,
            received,
            current: body::current(&body),
            body,
            problems,
            raw,
            parts: None,
        })
    }

    /// A message from ticket parts, without raw bytes: authentication cannot run on it.
    pub fn from_parts(parts: Parts) -> Message {
        Message {
            raw: Vec::new(),
            fields: Vec::new(),
            from: parts.from.clone().into_iter().collect(),
            reply_to: Vec::new(),
            sender: None,
            return_path: None,
            subject: parts.subject.clone(),
            message_id: parts.message_id.as_deref().map(|m| {
                m.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            }),
            date: parts.date.clone(),
            received: Vec::new(),
            current: body::current(&parts.body),
            body: parts.body.clone(),
            problems: Vec::new(),
            parts: Some(parts),
        }
    }

    /// The bytes as read.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The first From mailbox.
    pub fn from_mailbox(&self) -> Option<&Mailbox> {
        self.from.first()
    }

    /// The From domain, when there is exactly one From address.
    pub fn from_domain(&self) -> Option<String> {
        match self.from.as_slice() {
            [one] => one.domain(),
            _ => None,
        }
    }

    /// Why this message looks automated, if it does: an auto-reply (RFC 3834 Auto-Submitted),
    /// a list or bulk message (RFC 2919 List-Id, RFC 2369 List-Unsubscribe, Precedence), or a
    /// bounce (RFC 3464 delivery report, null Return-Path).
    pub fn automated(&self) -> Option<String> {
        let field = |name: &str| {
            self.fields_named(name)
                .next()
                .map(|(_, v)| v.trim().to_ascii_lowercase())
        };
        if let Some(v) = field("Auto-Submitted").filter(|v| !v.starts_with("no")) {
            return Some(format!("Auto-Submitted: {v}"));
        }
        if let Some(v) = field("Content-Type").filter(|v| v.starts_with("multipart/report")) {
            let kind = if v.contains("delivery-status") {
                "a delivery status report"
            } else {
                "a report"
            };
            return Some(kind.to_string());
        }
        if self.return_path.as_deref() == Some("") {
            return Some("null Return-Path: a bounce or auto-reply".into());
        }
        if let Some(v) = field("List-Id") {
            return Some(format!("List-Id: {v}"));
        }
        if field("List-Unsubscribe").is_some() {
            return Some("List-Unsubscribe: a newsletter or list".into());
        }
        if let Some(v) = field("Precedence")
            .filter(|v| matches!(v.as_str(), "bulk" | "list" | "junk" | "auto_reply"))
        {
            return Some(format!("Precedence: {v}"));
        }
        if field("X-Autoreply").is_some() || field("X-Autorespond").is_some() {
            return Some("an auto-reply header".into());
        }
        None
    }

    /// The raw values of every field named `name`, top first, with their field index.
    pub fn fields_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = (usize, &'a str)> {
        self.fields
            .iter()
            .enumerate()
            .filter(move |(_, f)| f.name.eq_ignore_ascii_case(name))
            .map(|(i, f)| (i, f.value.as_str()))
    }
}

/// A parser for what is read from the parsed message: the MIME structure, the From, Sender
/// and Reply-To addresses, Subject, Message-ID and Date. Every other field keeps its place and
/// offsets (`fields` is read from the raw bytes) but is not parsed: To, Cc and References
/// lists cost a scan more than the body, and Received headers are parsed when walked (`Hop`).
/// Built once: its table of header parsers cost a scan more than parsing the Date.
fn parser() -> &'static MessageParser {
    static PARSER: std::sync::OnceLock<MessageParser> = std::sync::OnceLock::new();
    PARSER.get_or_init(|| {
        MessageParser::new()
            .with_mime_headers()
            .header_address(HeaderName::From)
            .header_address(HeaderName::Sender)
            .header_address(HeaderName::ReplyTo)
            .header_text(HeaderName::Subject)
            .header_id(HeaderName::MessageId)
            .header_date(HeaderName::Date)
            .default_header_ignore()
    })
}

/// text/plain preferred, else HTML converted to text. A damaged MIME tree can leave parts
/// that mail-parser does not list as the body; the first text part found is used then.
fn body_text(parsed: &mail_parser::Message<'_>) -> String {
    use mail_parser::PartType;
    if let Some(text) = parsed.body_text(0) {
        return text.into_owned();
    }
    let parts = || parsed.parts.iter().map(|p| &p.body);
    parts()
        .find_map(|b| match b {
            PartType::Text(t) => Some(t.to_string()),
            _ => None,
        })
        .or_else(|| {
            parts().find_map(|b| match b {
                PartType::Html(h) => Some(mail_parser::decoders::html::html_to_text(h)),
                _ => None,
            })
        })
        .unwrap_or_default()
}

fn mailboxes(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    let Some(address) = address else {
        return Vec::new();
    };
    address
        .iter()
        .map(|a| Mailbox {
            name: a
                .name()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty()),
            address: a.address().map(|s| s.trim().to_string()),
        })
        .collect()
}

/// `<a@b>` → `a@b`; `<>` → empty.
fn angle_addr(value: &str) -> String {
    let v = value.trim();
    match (v.find('<'), v.rfind('>')) {
        (Some(s), Some(e)) if s < e => v[s + 1..e].trim().to_string(),
        _ => v.split_whitespace().next().unwrap_or("").to_string(),
    }
}

fn unfold(value: &str) -> String {
    if !value.contains('\n') {
        return value.trim().to_string();
    }
    let mut out = String::with_capacity(value.len());
    for line in value.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !out.is_empty() && !line.is_empty() {
            out.push(' ');
        }
        out.push_str(line.trim_start_matches([' ', '\t']));
    }
    out.trim().to_string()
}

/// Whether the start of a file looks like an RFC 5322 message (for directory walks, which
/// skip other files).
pub fn looks_like_mail(head: &[u8]) -> bool {
    check_looks_like_mail(head).is_ok()
}

/// Rejects what is plainly not mail before handing it to the (very lenient) MIME parser.
/// RFC 5322 §2.2: a header field is a printable-ASCII name, a colon, and a body; a message
/// starts with header fields. An mbox "From " separator line is tolerated.
fn check_looks_like_mail(raw: &[u8]) -> std::result::Result<(), String> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("empty input: not an email".into());
    }
    let mut rest = raw;
    if rest.starts_with(b"From ") {
        rest = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(&[][..], |p| &rest[p + 1..]);
    }
    let head_end = find_header_end(rest).unwrap_or(rest.len());
    let head = &rest[..head_end];
    if head.contains(&0) {
        return Err("not an email: binary data in the header section".into());
    }
    let mut fields = 0usize;
    let mut junk = 0usize;
    for (n, line) in head.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if n == 0 {
                junk += 1;
            }
            continue;
        }
        let is_field = line.iter().position(|&b| b == b':').is_some_and(|colon| {
            colon > 0 && line[..colon].iter().all(|&b| (33..=126).contains(&b))
        });
        if is_field {
            fields += 1;
        } else {
            if n == 0 {
                return Err("not an email: the first line is not a header field".into());
            }
            junk += 1;
        }
    }
    if fields == 0 {
        return Err("not an email: no header fields found".into());
    }
    if junk > fields {
        return Err(format!(
            "not an email: {junk} of {} header lines are not header fields",
            junk + fields
        ));
    }
    Ok(())
}

fn find_header_end(raw: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\n', raw).find(|&i| {
        let next = &raw[i + 1..];
        next.starts_with(b"\n") || next.starts_with(b"\r\n")
    })
}

/// A multipart whose closing boundary never comes was cut off in transit or on export.
fn truncated_multipart(parsed: &mail_parser::Message<'_>, raw: &[u8]) -> Option<ParseProblem> {
    let ct = parsed.root_part().content_type()?;
    if !ct.ctype().eq_ignore_ascii_case("multipart") {
        return None;
    }
    let Some(boundary) = ct.attribute("boundary") else {
        return Some(ParseProblem {
            what: "the MIME structure".into(),
            problem: "a multipart message has no boundary".into(),
        });
    };
    let close = format!("--{boundary}--");
    // From the end, where the closing boundary of a whole message is.
    let found = memchr::memmem::rfind(raw, close.as_bytes()).is_some();
    (!found).then(|| ParseProblem {
        what: "the MIME structure".into(),
        problem: format!(
            "the closing boundary of {boundary:?} is missing: the message is truncated"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Message> {
        Message::parse(s.as_bytes().to_vec(), "test")
    }

    #[test]
    fn rejects_empty_binary_and_prose() {
        for (input, want) in [
            ("", "empty input"),
            ("   \r\n", "empty input"),
            ("\u{0}\u{1}binary", "binary data"),
            ("Dear support,\nplease help.\n", "first line"),
        ] {
            let err = parse(input).unwrap_err().to_string();
            assert!(err.contains(want), "{input:?}: {err}");
        }
    }

    #[test]
    fn decodes_iso_2022_jp_display_name() {
        // "山田太郎" in ISO-2022-JP, base64 in an RFC 2047 encoded-word.
        let m = parse(
            "From: =?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?= <taro@example.jp>\r\nSubject: x\r\n\r\nbody\r\n",
        )
        .unwrap();
        assert_eq!(m.from[0].name.as_deref(), Some("山田太郎"));
        assert_eq!(m.from_domain().as_deref(), Some("example.jp"));
    }

    #[test]
    fn null_return_path() {
        let m = parse("Return-Path: <>\r\nFrom: a@b.example\r\n\r\nx").unwrap();
        assert_eq!(m.return_path.as_deref(), Some(""));
    }

    #[test]
    fn truncated_multipart_is_a_problem_not_an_error() {
        let m = parse(
            "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n",
        )
        .unwrap();
        assert_eq!(m.problems.len(), 1, "{:?}", m.problems);
        assert!(m.body.contains("hello"));
    }

    #[test]
    fn html_only_body_becomes_text() {
        let m = parse(
            "From: a@b.example\r\nContent-Type: text/html\r\n\r\n<p>Please <b>reset</b> my password</p>",
        )
        .unwrap();
        assert!(m.body.contains("Please reset my password"), "{}", m.body);
    }
}
