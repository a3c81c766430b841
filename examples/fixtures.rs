//! Generates the authentication test corpus under `fixtures/`.
//!
//! ```text
//! cargo run --example fixtures [-- OUTPUT_DIR]      # default: fixtures/
//! cargo run --example fixtures_check [-- FIXTURES_DIR]
//! ```
//!
//! It reads the fixed test keys in `fixtures/keys/`, builds every message
//! of the corpus (`mail/NAME.eml` plus `mail/NAME.expect.toml`), signs and
//! seals them with mail-auth's own canonicalization and signing primitives,
//! and writes the DNS snapshot the messages need (`dns/zone.json`) and the
//! corpus index (`README.md`).
//!
//! Everything is deterministic: Date headers, DKIM `t=` and ARC `t=` come
//! from fixed timestamps, and RSA PKCS#1 v1.5 and Ed25519 signatures are
//! deterministic, so regenerating with unchanged keys and sources rewrites
//! byte-identical files. mail-auth's `DkimSigner::sign` and
//! `ArcSealer::seal` always stamp `SystemTime::now()`, so this generator
//! does not call them: it drives the same public building blocks they use
//! (`dkim::Signature::canonicalize`, `Canonicalization`, `SigningKey`,
//! `ArcSet`'s header writer) with a fixed timestamp instead.

#[path = "shared/keys.rs"]
mod keys;
#[path = "shared/mail.rs"]
mod mail;

use keys::{base64, base64_lines, pem_to_der, rsa_spki};
use mail::Fields;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use mail_auth::arc::{self, ArcSet, ChainValidation};
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256, SigningKey};
use mail_auth::common::headers::{HeaderWriter, Writable};
use mail_auth::dkim::{self, Canonicalization};
use mail_auth::{AuthenticatedMessage, AuthenticationResults};

const MX1: &str = "mx1.support.example.co.jp";
const MX1_IP: &str = "192.0.2.25";
const RELAY: &str = "relay.support.example.co.jp";
const RELAY_IP: &str = "192.0.2.26";
const SUPPORT: &str = "support@example.co.jp";

const RELAXED: (Canonicalization, Canonicalization) =
    (Canonicalization::Relaxed, Canonicalization::Relaxed);
const SIMPLE: (Canonicalization, Canonicalization) =
    (Canonicalization::Simple, Canonicalization::Simple);

/// Header fields the mailing list's ARC-Message-Signature covers.
const ARC_HEADERS: &[&str] = &[
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "DKIM-Signature",
    "List-Id",
    "List-Post",
    "List-Help",
    "List-Unsubscribe",
];

fn main() {
    let fixtures_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| fixtures_dir.clone());
    // The keys always come from the crate's fixtures/keys, whatever the output.
    let keys = Keys::load(&fixtures_dir.join("keys"));
    let mut zone = Zone::default();
    let fixtures = build_all(&keys, &mut zone);
    zone.check_references();

    let mail_dir = out.join("mail");
    std::fs::create_dir_all(&mail_dir).expect("create mail dir");
    std::fs::create_dir_all(out.join("dns")).expect("create dns dir");
    // Remove stale outputs so renamed scenarios do not linger.
    for entry in std::fs::read_dir(&mail_dir).expect("read mail dir") {
        let path = entry.expect("dir entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".eml") || name.ends_with(".expect.toml") {
            std::fs::remove_file(&path).expect("remove stale fixture");
        }
    }
    for f in &fixtures {
        std::fs::write(mail_dir.join(format!("{}.eml", f.name)), f.msg.bytes()).expect("write eml");
        std::fs::write(
            mail_dir.join(format!("{}.expect.toml", f.name)),
            f.expect.to_toml(f.name),
        )
        .expect("write expect");
    }
    std::fs::write(out.join("dns").join("zone.json"), zone.to_json()).expect("write zone");
    std::fs::write(out.join("README.md"), readme(&fixtures)).expect("write README");
    eprintln!(
        "wrote {} messages, {} DNS names to {}",
        fixtures.len(),
        zone.name_count(),
        out.display()
    );
}

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

struct Keys {
    /// `keys/rsa2048-a.pem`: most senders' DKIM key and the list's ARC key.
    rsa_a: RsaKey<Sha256>,
    /// `keys/rsa2048-b.pem`: the ESP's DKIM key; also published as the
    /// wrong key for the `arc-fail-key` seal.
    rsa_b: RsaKey<Sha256>,
    /// `keys/ed25519.pem`: the ed25519-sha256 DKIM key.
    ed: Ed25519Key,
}

impl Keys {
    #[allow(deprecated)] // from_pkcs8_der is the only PKCS#8 entry point without rustls-pki-types
    fn load(dir: &Path) -> Keys {
        let rsa = |file: &str| {
            RsaKey::<Sha256>::from_pkcs8_der(&pem_to_der(&dir.join(file)))
                .unwrap_or_else(|e| panic!("{file}: {e}"))
        };
        let ed = Ed25519Key::from_pkcs8_maybe_unchecked_der(&pem_to_der(&dir.join("ed25519.pem")))
            .expect("ed25519.pem");
        Keys {
            rsa_a: rsa("rsa2048-a.pem"),
            rsa_b: rsa("rsa2048-b.pem"),
            ed,
        }
    }

    /// DKIM key record for an RSA key: SubjectPublicKeyInfo DER, as
    /// `openssl pkey -pubout -outform DER` prints it.
    fn rsa_record(key: &RsaKey<Sha256>) -> String {
        format!("v=DKIM1; k=rsa; p={}", base64(&rsa_spki(&key.public_key())))
    }

    /// DKIM key record for the Ed25519 key (RFC 8463: the raw 32-byte key).
    fn ed_record(&self) -> String {
        format!("v=DKIM1; k=ed25519; p={}", base64(&self.ed.public_key()))
    }
}

// ---------------------------------------------------------------------------
// Small encoders
// ---------------------------------------------------------------------------

/// Quoted-printable (RFC 2045) with CRLF hard line breaks and soft breaks
/// keeping every line within 76 characters.
fn quoted_printable(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for line in text.split('\n') {
        let bytes = line.as_bytes();
        let mut cur = String::new();
        for (i, &b) in bytes.iter().enumerate() {
            let last = i + 1 == bytes.len();
            let literal =
                ((b == b' ' || b == b'\t') && !last) || ((33..=126).contains(&b) && b != b'=');
            let enc = if literal {
                (b as char).to_string()
            } else {
                format!("={b:02X}")
            };
            if cur.len() + enc.len() > 75 {
                out.extend_from_slice(cur.as_bytes());
                out.extend_from_slice(b"=\r\n");
                cur.clear();
            }
            cur.push_str(&enc);
        }
        out.extend_from_slice(cur.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    // `text` ends with '\n', which produced one empty trailing line too many.
    if out.ends_with(b"\r\n\r\n") {
        out.truncate(out.len() - 2);
    }
    out
}

/// RFC 2047 B encoded-words (UTF-8), each at most 75 characters and each
/// holding whole characters, joined by folding whitespace.
fn encode_words_utf8(text: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for ch in text.chars() {
        let mut candidate = chunk.clone();
        candidate.push(ch);
        if 12 + base64(candidate.as_bytes()).len() > 75 && !chunk.is_empty() {
            words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
            chunk = ch.to_string();
        } else {
            chunk = candidate;
        }
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

/// Text body with LF line ends → CRLF bytes.
fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

/// Deterministic token (queue ids, Message-ID local parts) from a seed.
fn token(seed: &str, len: usize, alphabet: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = String::new();
    for round in 0u64.. {
        for b in seed.bytes().chain(round.to_le_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let mut x = h;
        while x > 0 && out.len() < len {
            out.push(alphabet[(x % alphabet.len() as u64) as usize] as char);
            x /= alphabet.len() as u64;
        }
        if out.len() >= len {
            break;
        }
    }
    out
}

fn queue_id(seed: &str) -> String {
    format!(
        "4d{}",
        token(
            seed,
            10,
            b"0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz"
        )
    )
}

fn hex_id(seed: &str, len: usize) -> String {
    token(seed, len, b"0123456789abcdef")
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// Seconds since the epoch for a civil date/time at UTC offset `tz` minutes.
fn at(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, tz: i64) -> Ts {
    let days = mail::days_from_civil(y, mo, d);
    Ts {
        unix: days * 86_400 + h * 3600 + mi * 60 + s - tz * 60,
        tz,
    }
}

#[derive(Clone, Copy)]
struct Ts {
    unix: i64,
    /// UTC offset in minutes used when printing.
    tz: i64,
}

impl Ts {
    fn plus(self, secs: i64) -> Ts {
        Ts {
            unix: self.unix + secs,
            tz: self.tz,
        }
    }
    fn in_tz(self, tz: i64) -> Ts {
        Ts {
            unix: self.unix,
            tz,
        }
    }
    fn t(self) -> u64 {
        self.unix as u64
    }
    /// RFC 5322 date-time, e.g. `Tue, 4 Nov 2025 09:12:33 +0900`.
    fn rfc5322(self) -> String {
        mail::rfc5322(self.unix, self.tz)
    }
}

const JST: i64 = 9 * 60;

// ---------------------------------------------------------------------------
// DNS snapshot
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Zone {
    txt: BTreeMap<String, Vec<String>>,
    a: BTreeMap<String, Vec<String>>,
    aaaa: BTreeMap<String, Vec<String>>,
    mx: BTreeMap<String, Vec<(u16, String)>>,
    ptr: BTreeMap<String, Vec<String>>,
}

impl Zone {
    fn txt(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        let list = self.txt.entry(name.to_ascii_lowercase()).or_default();
        if !list.contains(&value) {
            list.push(value);
        }
    }

    /// An address record plus its PTR.
    fn host(&mut self, name: &str, ip: &str) {
        let addr: IpAddr = ip.parse().expect("ip");
        let map = if addr.is_ipv4() {
            &mut self.a
        } else {
            &mut self.aaaa
        };
        let list = map.entry(name.to_ascii_lowercase()).or_default();
        if !list.contains(&addr.to_string()) {
            list.push(addr.to_string());
        }
        let ptrs = self.ptr.entry(addr.to_string()).or_default();
        if !ptrs.contains(&name.to_ascii_lowercase()) {
            ptrs.push(name.to_ascii_lowercase());
        }
    }

    fn mx(&mut self, domain: &str, pref: u16, host: &str) {
        let list = self.mx.entry(domain.to_ascii_lowercase()).or_default();
        if !list.iter().any(|(_, h)| h == host) {
            list.push((pref, host.to_ascii_lowercase()));
        }
    }

    /// A sender's outbound host: address + PTR, MX for the domain and an
    /// SPF record for the HELO name (`v=spf1 a -all`).
    fn mail_host(&mut self, domain: &str, host: &str, ip: &str) {
        self.host(host, ip);
        self.mx(domain, 10, host);
        self.txt(host, "v=spf1 a -all");
    }

    fn dkim_key(&mut self, selector: &str, domain: &str, record: String) {
        self.txt(&format!("{selector}._domainkey.{domain}"), record);
    }

    fn dmarc(&mut self, domain: &str, record: &str) {
        self.txt(&format!("_dmarc.{domain}"), record);
    }

    fn name_count(&self) -> usize {
        let mut names: Vec<&String> = self
            .txt
            .keys()
            .chain(self.a.keys())
            .chain(self.aaaa.keys())
            .chain(self.mx.keys())
            .collect();
        names.sort();
        names.dedup();
        names.len()
    }

    /// Every host an SPF record or MX points at must exist in the snapshot,
    /// so nothing evaluates as an (unintended) void lookup.
    fn check_references(&self) {
        let exists = |n: &str| {
            self.a.contains_key(n) || self.aaaa.contains_key(n) || self.txt.contains_key(n)
        };
        for hosts in self.mx.values() {
            for (_, h) in hosts {
                assert!(exists(h), "MX target {h} has no address");
            }
        }
        for (name, records) in &self.txt {
            for r in records.iter().filter(|r| r.starts_with("v=spf1")) {
                for term in r.split_whitespace() {
                    let term = term.trim_start_matches(['+', '-', '~', '?']);
                    for prefix in ["include:", "a:", "mx:", "redirect="] {
                        if let Some(target) = term.strip_prefix(prefix) {
                            let target = target.split('/').next().unwrap_or(target);
                            let ok = if prefix == "mx:" {
                                self.mx.contains_key(target)
                            } else {
                                exists(target)
                            };
                            assert!(ok, "{name}: SPF term {term} points at a missing name");
                        }
                    }
                    if term == "mx" || term.starts_with("mx/") {
                        assert!(self.mx.contains_key(name), "{name}: `mx` without MX");
                    }
                    if term == "a" || term.starts_with("a/") {
                        assert!(
                            self.a.contains_key(name) || self.aaaa.contains_key(name),
                            "{name}: `a` without address"
                        );
                    }
                }
            }
        }
    }

    fn to_json(&self) -> String {
        use serde_json::{Map, Value, json};
        let mut txt = Map::new();
        for (name, records) in &self.txt {
            let pieces = |r: &String| -> Vec<Value> {
                r.as_bytes()
                    .chunks(255)
                    .map(|c| Value::String(String::from_utf8(c.to_vec()).expect("ascii TXT")))
                    .collect()
            };
            let value = if records.len() == 1 {
                Value::Array(pieces(&records[0]))
            } else {
                Value::Array(records.iter().map(|r| Value::Array(pieces(r))).collect())
            };
            txt.insert(name.clone(), value);
        }
        let strings = |m: &BTreeMap<String, Vec<String>>| {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
        };
        let mx = Value::Object(
            self.mx
                .iter()
                .map(|(k, v)| {
                    let mut v = v.clone();
                    v.sort();
                    (
                        k.clone(),
                        Value::Array(v.iter().map(|(p, h)| json!([p, h])).collect()),
                    )
                })
                .collect(),
        );
        let root = json!({
            "txt": Value::Object(txt),
            "a": strings(&self.a),
            "aaaa": strings(&self.aaaa),
            "mx": mx,
            "ptr": strings(&self.ptr),
        });
        let mut s = serde_json::to_string_pretty(&root).expect("json");
        s.push('\n');
        s
    }
}

// ---------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------

/// A message under construction: header fields (top first, each a complete
/// field with its CRLF) and the body.
#[derive(Clone)]
struct Msg {
    headers: Vec<Vec<u8>>,
    body: Vec<u8>,
    // Facts recorded while building, copied into the expect file.
    client_ip: String,
    helo: String,
    mail_from: String,
}

/// The originating part of a message, as the author's mail client wrote it.
struct Core {
    /// Raw From value, e.g. `Alice Johnson <alice@example.net>`.
    from: Vec<u8>,
    to: String,
    cc: Option<String>,
    /// Raw Subject value (may hold encoded-words or raw bytes).
    subject: Vec<u8>,
    date: Ts,
    message_id: String,
    /// Extra fields written after Message-ID (In-Reply-To, X-Mailer, ...).
    extra: Vec<(&'static str, String)>,
    content_type: String,
    cte: Option<&'static str>,
    body: Vec<u8>,
}

impl Core {
    fn new(from: impl Into<Vec<u8>>, subject: impl Into<Vec<u8>>, date: Ts, id_host: &str) -> Core {
        let from = from.into();
        let subject = subject.into();
        let seed = format!("{}{}", String::from_utf8_lossy(&from), date.unix);
        Core {
            from,
            to: SUPPORT.to_string(),
            cc: None,
            subject,
            date,
            message_id: format!("<{}.{}@{id_host}>", date.unix, hex_id(&seed, 16)),
            extra: Vec::new(),
            content_type: "text/plain; charset=UTF-8".into(),
            cte: Some("8bit"),
            body: Vec::new(),
        }
    }

    fn text(mut self, body: &str) -> Core {
        if body.is_ascii() {
            self.content_type = "text/plain; charset=us-ascii".into();
            self.cte = Some("7bit");
        }
        self.body = crlf(body);
        self
    }

    /// UTF-8 text, base64 transfer encoding.
    fn text_b64(mut self, body: &str) -> Core {
        self.cte = Some("base64");
        self.body = base64_lines(&crlf(body));
        self
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> Core {
        self.extra.push((name, value.into()));
        self
    }

    fn to(mut self, to: &str) -> Core {
        self.to = to.into();
        self
    }

    fn cc(mut self, cc: &str) -> Core {
        self.cc = Some(cc.into());
        self
    }

    fn into_msg(self) -> Msg {
        let mut headers: Vec<Vec<u8>> = Vec::new();
        let mut field = |name: &str, value: &[u8]| {
            let mut f = format!("{name}: ").into_bytes();
            f.extend_from_slice(value);
            f.extend_from_slice(b"\r\n");
            headers.push(f);
        };
        field("From", &self.from);
        field("To", self.to.as_bytes());
        if let Some(cc) = &self.cc {
            field("Cc", cc.as_bytes());
        }
        field("Subject", &self.subject);
        field("Date", self.date.rfc5322().as_bytes());
        field("Message-ID", self.message_id.as_bytes());
        for (n, v) in &self.extra {
            field(n, v.as_bytes());
        }
        field("MIME-Version", b"1.0");
        field("Content-Type", self.content_type.as_bytes());
        if let Some(cte) = self.cte {
            field("Content-Transfer-Encoding", cte.as_bytes());
        }
        Msg {
            headers,
            body: self.body,
            client_ip: String::new(),
            helo: String::new(),
            mail_from: String::new(),
        }
    }
}

/// `Display Name <addr>`, quoting the name when it needs it.
fn mailbox(name: &str, addr: &str) -> String {
    if name.is_empty() {
        return addr.to_string();
    }
    let atext = |c: char| c.is_ascii_alphanumeric() || " !#$%&'*+-/=?^_`{|}~".contains(c);
    if name.chars().all(atext) {
        format!("{name} <{addr}>")
    } else if name.is_ascii() {
        format!(
            "\"{}\" <{addr}>",
            name.replace('\\', "\\\\").replace('"', "\\\"")
        )
    } else {
        format!("{} <{addr}>", encode_words_utf8(name))
    }
}

/// Subject header value: UTF-8 B encoded-words when not ASCII.
fn subject(text: &str) -> String {
    if text.is_ascii() {
        text.to_string()
    } else {
        encode_words_utf8(text)
    }
}

/// One SMTP hop as a receiving MTA records it.
struct Hop<'a> {
    helo: &'a str,
    /// Reverse DNS name the receiver found for the client (`None`: unknown).
    rdns: Option<&'a str>,
    ip: &'a str,
    by: &'a str,
    /// `with` protocol, e.g. ESMTPS, ESMTPSA.
    with: &'a str,
    /// `for <rcpt>` clause.
    rcpt: Option<&'a str>,
    at: Ts,
    /// Software comment after the by-host, e.g. `(Postfix)`.
    software: &'a str,
}

impl Hop<'_> {
    fn header(&self) -> Vec<u8> {
        let addr: IpAddr = self.ip.parse().expect("hop ip");
        let ip = match addr {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("IPv6:{v6}"),
        };
        let rdns = self.rdns.unwrap_or("unknown");
        let id = queue_id(&format!("{}{}{}", self.by, self.ip, self.at.unix));
        let mut h = format!(
            "Received: from {} ({rdns} [{ip}])\r\n\tby {} {} with {} id {id}",
            self.helo, self.by, self.software, self.with
        );
        let tzname = if self.at.tz == JST { " (JST)" } else { "" };
        match self.rcpt {
            Some(rcpt) => {
                let _ = write!(h, "\r\n\tfor <{rcpt}>; {}{tzname}\r\n", self.at.rfc5322());
            }
            None => {
                let _ = write!(h, ";\r\n\t{}{tzname}\r\n", self.at.rfc5322());
            }
        }
        h.into_bytes()
    }
}

/// The SMTP session that delivered a message to mx1 (or to the trusted
/// relay, which then handed it to mx1).
struct Delivery<'a> {
    helo: &'a str,
    ip: &'a str,
    rdns: Option<&'a str>,
    mail_from: &'a str,
    via_relay: bool,
    at: Ts,
    /// Authentication-Results that mx1 adds above its Received field.
    auth_results: Option<String>,
}

impl Msg {
    fn bytes(&self) -> Vec<u8> {
        let mut out = self.headers.concat();
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    fn prepend(&mut self, field: impl Into<Vec<u8>>) {
        self.headers.insert(0, field.into());
    }

    /// Index of the first field called `name`.
    fn find(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| {
                h.len() > name.len()
                    && h[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                    && h[name.len()] == b':'
            })
            .unwrap_or_else(|| panic!("no {name} header"))
    }

    /// Replaces the first field called `name` with `name: value`.
    fn replace(&mut self, name: &str, value: &[u8]) {
        let i = self.find(name);
        let mut f = format!("{name}: ").into_bytes();
        f.extend_from_slice(value);
        f.extend_from_slice(b"\r\n");
        self.headers[i] = f;
    }

    /// The author's outbound server received the message from the author's
    /// mail client (a Received field the author's side adds).
    fn submitted(&mut self, client: &str, client_ip: &str, server: &str, at: Ts) {
        let hop = Hop {
            helo: client,
            rdns: None,
            ip: client_ip,
            by: server,
            with: "ESMTPSA",
            rcpt: None,
            at,
            software: "(Postfix)",
        };
        self.prepend(hop.header());
    }

    /// Adds a DKIM-Signature on top, signed at `t`.
    fn sign<K: SigningKey>(
        &mut self,
        key: &K,
        d: &str,
        s: &str,
        c: (Canonicalization, Canonicalization),
        t: Ts,
    ) -> dkim::Signature {
        let sig = dkim_sign(key, &self.bytes(), d, s, c, t.t(), mail::SIGNED_HEADERS);
        self.prepend(sig.to_header().into_bytes());
        sig
    }

    /// Hands the message to mx1: Received fields, optional
    /// Authentication-Results, Return-Path.
    fn deliver(&mut self, d: Delivery) {
        self.client_ip = d.ip.to_string();
        self.helo = d.helo.to_string();
        self.mail_from = d.mail_from.to_string();
        let first = Hop {
            helo: d.helo,
            rdns: d.rdns,
            ip: d.ip,
            by: if d.via_relay { RELAY } else { MX1 },
            with: "ESMTPS",
            rcpt: Some(SUPPORT),
            at: d.at.in_tz(JST),
            software: "(Postfix)",
        };
        self.prepend(first.header());
        if d.via_relay {
            let hop = Hop {
                helo: RELAY,
                rdns: Some(RELAY),
                ip: RELAY_IP,
                by: MX1,
                with: "ESMTPS",
                rcpt: Some(SUPPORT),
                at: d.at.plus(1).in_tz(JST),
                software: "(Postfix)",
            };
            self.prepend(hop.header());
        }
        if let Some(ar) = d.auth_results {
            self.prepend(format!("Authentication-Results: {ar}\r\n"));
        }
        self.prepend(format!("Return-Path: <{}>\r\n", d.mail_from));
    }
}

// ---------------------------------------------------------------------------
// DKIM signing and ARC sealing with fixed timestamps
// ---------------------------------------------------------------------------

fn dkim_sign<K: SigningKey>(
    key: &K,
    message: &[u8],
    d: &str,
    s: &str,
    (ch, cb): (Canonicalization, Canonicalization),
    t: u64,
    wanted: &[&str],
) -> dkim::Signature {
    let parsed = AuthenticatedMessage::parse(message).expect("parse message to sign");
    let present: Vec<String> = wanted
        .iter()
        .filter(|w| {
            parsed
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(w.as_bytes()))
        })
        .map(|w| w.to_string())
        .collect();
    let signature = dkim::Signature {
        v: 1,
        a: key.algorithm(),
        d: d.into(),
        s: s.into(),
        h: present,
        ch,
        cb,
        ..Default::default()
    };
    let fields = Fields {
        headers: parsed.headers.clone().into_iter(),
        body: &message[parsed.body_offset as usize..],
    };
    mail::sign_at(key, signature, fields, t)
}

/// Splits serialized header fields into (name, value-with-CRLF) pairs.
fn split_fields(text: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for line in text.split_inclusive(|&b| b == b'\n') {
        if matches!(line.first(), Some(b' ' | b'\t')) {
            out.last_mut()
                .expect("continuation")
                .1
                .extend_from_slice(line);
        } else {
            let colon = line.iter().position(|&b| b == b':').expect("colon");
            out.push((line[..colon].to_vec(), line[colon + 1..].to_vec()));
        }
    }
    out
}

fn field_named<'a>(fields: &'a [(Vec<u8>, Vec<u8>)], name: &str) -> &'a (Vec<u8>, Vec<u8>) {
    fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
        .expect("field")
}

/// Relaxed canonical form of `fields`, without the final CRLF (the
/// signature field being signed is the last one).
fn relaxed_input(fields: &[&(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    Canonicalization::Relaxed.canonicalize_headers(
        fields.iter().map(|(n, v)| (n.as_slice(), v.as_slice())),
        &mut out,
    );
    if out.ends_with(b"\r\n") {
        out.truncate(out.len() - 2);
    }
    out
}

/// Seals a message with ARC instance 1 (`cv=none`) at time `t`; returns
/// the ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results
/// fields, in that order. `aar` is the AAR payload after `i=1; `.
fn arc_seal(key: &RsaKey<Sha256>, message: &[u8], d: &str, s: &str, t: u64, aar: &str) -> Vec<u8> {
    let parsed = AuthenticatedMessage::parse(message).expect("parse message to seal");
    let body = &message[parsed.body_offset as usize..];
    let mut signed_fields = Vec::new();
    let mut names = Vec::new();
    for (name, value) in &parsed.headers {
        if ARC_HEADERS
            .iter()
            .any(|w| name.eq_ignore_ascii_case(w.as_bytes()))
        {
            signed_fields.push((*name, *value));
            names.push(String::from_utf8_lossy(name).into_owned());
        }
    }
    names.reverse();

    let mut ams = arc::Signature {
        i: 1,
        a: key.algorithm(),
        d: d.into(),
        s: s.into(),
        h: names,
        t,
        ch: Canonicalization::Relaxed,
        cb: Canonicalization::Relaxed,
        bh: key
            .hash(Canonicalization::Relaxed.canonical_body(body, 0))
            .as_ref()
            .to_vec(),
        ..Default::default()
    };
    let mut seal = arc::Seal {
        i: 1,
        a: key.algorithm(),
        d: d.into(),
        s: s.into(),
        t,
        cv: ChainValidation::None,
        b: Vec::new(),
    };
    let unused_results = AuthenticationResults::new(d);
    let serialize = |ams: &arc::Signature, seal: &arc::Seal| {
        split_fields(
            ArcSet {
                signature: ams.clone(),
                seal: seal.clone(),
                results: &unused_results,
            }
            .to_header()
            .as_bytes(),
        )
    };

    // ARC-Message-Signature: signed header fields + the AMS with empty b=.
    let fields = serialize(&ams, &seal);
    let mut input = Vec::new();
    Canonicalization::Relaxed
        .canonical_headers(signed_fields)
        .write(&mut input);
    input.extend(relaxed_input(&[field_named(
        &fields,
        "ARC-Message-Signature",
    )]));
    ams.b = key.sign(input.as_slice()).expect("AMS");

    // ARC-Seal: AAR, AMS, AS (empty b=) of every instance (only i=1 here).
    let aar_field = format!("ARC-Authentication-Results: i=1; {aar}\r\n");
    let aar_parsed = split_fields(aar_field.as_bytes());
    let fields = serialize(&ams, &seal);
    let input = relaxed_input(&[
        &aar_parsed[0],
        field_named(&fields, "ARC-Message-Signature"),
        field_named(&fields, "ARC-Seal"),
    ]);
    seal.b = key.sign(input.as_slice()).expect("AS");

    let fields = serialize(&ams, &seal);
    let mut out = Vec::new();
    for name in ["ARC-Seal", "ARC-Message-Signature"] {
        let (n, v) = field_named(&fields, name);
        out.extend_from_slice(n);
        out.push(b':');
        out.extend_from_slice(v);
    }
    out.extend_from_slice(aar_field.as_bytes());
    out
}

/// First 8 characters of a signature's b= value (RFC 6008 header.b).
fn header_b(sig: &dkim::Signature) -> String {
    base64(&sig.b)[..8].to_string()
}

// ---------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------

#[derive(Default, Clone)]
struct Expect {
    description: String,
    // [message]
    from: String,
    from_name: String,
    subject: String,
    language: &'static str,
    account_change: bool,
    request: &'static str,
    // [auth]
    spf: &'static str,
    spf_helo: &'static str,
    dkim: Vec<(&'static str, String)>,
    dmarc: &'static str,
    dmarc_policy: Option<&'static str>,
    arc: &'static str,
    /// (key, TOML value, comment): mail-auth 0.13 answers that differ.
    mail_auth: Vec<(&'static str, String, &'static str)>,
    // filled from the Msg
    client_ip: String,
    helo: String,
    mail_from: String,
    // README only
    how: String,
}

fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(toml_str).collect();
    format!("[{}]", items.join(", "))
}

impl Expect {
    fn to_toml(&self, name: &str) -> String {
        let mut t = String::new();
        let _ = writeln!(
            t,
            "# {name}.eml: generated by `cargo run --example fixtures`; do not edit."
        );
        let _ = writeln!(t, "description = {}", toml_str(&self.description));
        let _ = writeln!(t, "client_ip = {}", toml_str(&self.client_ip));
        let _ = writeln!(t, "helo = {}", toml_str(&self.helo));
        let _ = writeln!(
            t,
            "mail_from = {}{}",
            toml_str(&self.mail_from),
            if self.mail_from.is_empty() {
                "  # null reverse-path"
            } else {
                ""
            }
        );
        t.push_str("\n[message]\n");
        let _ = writeln!(t, "from = {}", toml_str(&self.from));
        let _ = writeln!(t, "from_name = {}", toml_str(&self.from_name));
        let _ = writeln!(t, "subject = {}", toml_str(&self.subject));
        let _ = writeln!(t, "language = {}", toml_str(self.language));
        let _ = writeln!(
            t,
            "account_change = {}  # asks for a change to login, 2FA, credentials or contact details",
            self.account_change
        );
        let _ = writeln!(t, "request = {}", toml_str(self.request));
        t.push_str("\n[auth]\n");
        let _ = writeln!(
            t,
            "spf = {}{}",
            toml_str(self.spf),
            if self.mail_from.is_empty() {
                "  # HELO identity (null sender)"
            } else {
                "  # MAIL FROM identity"
            }
        );
        let _ = writeln!(t, "spf_helo = {}", toml_str(self.spf_helo));
        let _ = writeln!(t, "dkim = {}", toml_list(self.dkim.iter().map(|(r, _)| *r)));
        let _ = writeln!(
            t,
            "dkim_domains = {}",
            toml_list(self.dkim.iter().map(|(_, d)| d.as_str()))
        );
        let _ = writeln!(t, "dmarc = {}", toml_str(self.dmarc));
        if let Some(p) = self.dmarc_policy {
            let _ = writeln!(t, "dmarc_policy = {}", toml_str(p));
        }
        let _ = writeln!(t, "arc = {}", toml_str(self.arc));
        if !self.mail_auth.is_empty() {
            t.push_str(
                "\n# What mail-auth 0.13.3 itself returns where that differs from [auth].\n[mail_auth]\n",
            );
            for (k, v, why) in &self.mail_auth {
                let _ = writeln!(t, "{k} = {v}  # {why}");
            }
        }
        t
    }
}

struct Fixture {
    name: &'static str,
    msg: Msg,
    expect: Expect,
}

struct Out(Vec<Fixture>);

impl Out {
    fn push(&mut self, name: &'static str, msg: Msg, mut expect: Expect) {
        expect.client_ip = msg.client_ip.clone();
        expect.helo = msg.helo.clone();
        expect.mail_from = msg.mail_from.clone();
        assert!(!expect.client_ip.is_empty(), "{name}: not delivered");
        self.0.push(Fixture { name, msg, expect });
    }
}

fn dk(results: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    results.iter().map(|(r, d)| (*r, d.to_string())).collect()
}

// ---------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------

const SIG_ACME: &str = "\n--\nAlice Johnson\nAccounts Payable, Northwind Trading\n";

// ---------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------

#[allow(clippy::too_many_lines)]
fn build_all(keys: &Keys, zone: &mut Zone) -> Vec<Fixture> {
    let mut out = Out(Vec::new());
    let rsa_a = Keys::rsa_record(&keys.rsa_a);
    let rsa_b = Keys::rsa_record(&keys.rsa_b);
    let ed = keys.ed_record();

    // The helpdesk's own domain.
    zone.host(MX1, MX1_IP);
    zone.host(RELAY, RELAY_IP);
    zone.mx("example.co.jp", 10, MX1);
    zone.txt("example.co.jp", "v=spf1 ip4:192.0.2.0/24 -all");
    zone.txt(MX1, "v=spf1 a -all");
    zone.txt(RELAY, "v=spf1 a -all");
    zone.dmarc(
        "example.co.jp",
        "v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.co.jp",
    );
    // Shared hosting network the attackers rent servers from (no SPF).
    let vps = |zone: &mut Zone, ip: &str| -> String {
        let name = format!("vps-{}.cloud.example", ip.replace('.', "-"));
        zone.host(&name, ip);
        name
    };

    // ======================================================================
    // SPF
    // ======================================================================

    // --- spf-pass -----------------------------------------------------------
    {
        let d = "spf-pass.example";
        let host = "mail.spf-pass.example";
        let ip = "198.51.100.10";
        zone.mail_host(d, host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dmarc(d, "v=DMARC1; p=none; rua=mailto:dmarc@spf-pass.example");
        let t = at(2025, 11, 3, 10, 2, 11, -5 * 60);
        let from = "alice.johnson@spf-pass.example";
        let mut m = Core::new(
            mailbox("Alice Johnson", from),
            "Invoice INV-20931 shows the wrong amount",
            t,
            host,
        )
        .with("X-Mailer", "Microsoft Outlook 16.0")
        .text(&format!(
            "Hello Support,\n\n\
                 Our October invoice (INV-20931) charges us for 25 seats, but we reduced\n\
                 our plan to 18 seats on September 28. Could you check the billing and\n\
                 send a corrected invoice? Our PO number is NW-4471.\n\n\
                 Thanks,{SIG_ACME}"
        ))
        .into_msg();
        m.submitted("PC-AJOHNSON", "203.0.113.140", host, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(4),
            auth_results: None,
        });
        out.push(
            "spf-pass",
            m,
            Expect {
                description: "SPF pass: client IP listed by ip4 in the MAIL FROM domain's -all record; DMARC passes on aligned SPF (p=none)".into(),
                from: from.into(),
                from_name: "Alice Johnson".into(),
                subject: "Invoice INV-20931 shows the wrong amount".into(),
                language: "en",
                account_change: false,
                request: "billing correction (wrong invoice amount)",
                spf: "pass",
                spf_helo: "pass",
                dmarc: "pass",
                dmarc_policy: Some("none"),
                arc: "none",
                how: "unsigned; spf-pass.example `v=spf1 ip4:198.51.100.10 -all`".into(),
                ..Default::default()
            },
        );
    }

    // --- spf-fail -------------------------------------------------------------
    {
        let d = "spf-fail.example";
        zone.mail_host(d, "mail.spf-fail.example", "198.51.100.11");
        zone.txt(d, "v=spf1 ip4:198.51.100.11 -all");
        zone.dmarc(d, "v=DMARC1; p=reject; rua=mailto:dmarc@spf-fail.example");
        let ip = "203.0.113.61";
        let helo = vps(zone, ip);
        let t = at(2025, 11, 3, 22, 47, 5, 0);
        let from = "david.chen@spf-fail.example";
        let mut m = Core::new(
            mailbox("David Chen", from),
            "Please update the login email on my account",
            t,
            &helo,
        )
        .text(
            "Hi,\n\n\
             I'm the admin for the Spf Fail Corp workspace. I no longer have access to\n\
             my work mailbox, so please change the login email on my account from\n\
             david.chen@spf-fail.example to d.chen.admin@freemail.example and\n\
             send the confirmation link there.\n\n\
             This is urgent, I have a board presentation tomorrow morning.\n\n\
             David Chen\n",
        )
        .into_msg();
        m.deliver(Delivery {
            helo: &helo,
            ip,
            rdns: Some(&helo),
            mail_from: from,
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "spf-fail",
            m,
            Expect {
                description: "SPF fail: MAIL FROM domain publishes -all and the client (a rented VPS) is not listed; unsigned, so DMARC fails under p=reject".into(),
                from: from.into(),
                from_name: "David Chen".into(),
                subject: "Please update the login email on my account".into(),
                language: "en",
                account_change: true,
                request: "change login email to an outside address",
                spf: "fail",
                spf_helo: "none",
                dmarc: "fail",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "unsigned; sent from 203.0.113.61, not in `v=spf1 ip4:198.51.100.11 -all`".into(),
                ..Default::default()
            },
        );
    }

    // --- spf-softfail -----------------------------------------------------------
    {
        let d = "spf-softfail.example";
        zone.mail_host(d, "mail.spf-softfail.example", "198.51.100.12");
        zone.txt(d, "v=spf1 mx ~all");
        let host = "crm.spf-softfail.example";
        let ip = "198.51.100.112";
        zone.host(host, ip);
        zone.txt(host, "v=spf1 a -all");
        let t = at(2025, 11, 4, 9, 15, 40, -8 * 60);
        let from = "maria.garcia@spf-softfail.example";
        let mut m = Core::new(
            mailbox("Maria Garcia", from),
            "How do I export a CSV report?",
            t,
            host,
        )
        .text(
            "Hi there,\n\n\
                 How do I export the monthly ticket report as CSV? The Export button on\n\
                 the Reports page only offers PDF for me. I'm on the Team plan, if that\n\
                 matters.\n\n\
                 Thanks!\n\
                 Maria Garcia\n\
                 Operations, Softfail Logistics\n",
        )
        .into_msg();
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(3),
            auth_results: None,
        });
        out.push(
            "spf-softfail",
            m,
            Expect {
                description: "SPF softfail: sent by the company's CRM host, which the `v=spf1 mx ~all` record does not cover; no DMARC record".into(),
                from: from.into(),
                from_name: "Maria Garcia".into(),
                subject: "How do I export a CSV report?".into(),
                language: "en",
                account_change: false,
                request: "how to export a CSV report",
                spf: "softfail",
                spf_helo: "pass",
                dmarc: "none",
                arc: "none",
                how: "unsigned; `v=spf1 mx ~all`, client is not the MX host".into(),
                ..Default::default()
            },
        );
    }

    // --- spf-neutral -------------------------------------------------------------
    {
        let d = "spf-neutral.example";
        let host = "mail.spf-neutral.example";
        let ip = "198.51.100.13";
        zone.mail_host(d, host, ip);
        zone.txt(d, "v=spf1 ip4:198.51.100.113 ?all");
        let t = at(2025, 11, 4, 14, 3, 52, JST);
        let from = "k.inoue@spf-neutral.example";
        let subj = "領収書の宛名変更について";
        let mut m = Core::new(mailbox("井上 和也", from), subject(subj), t, host)
            .with("X-Mailer", "Becky! ver. 2.81.05")
            .text(
                "サポートご担当者様\n\n\
                 いつもお世話になっております。井上と申します。\n\n\
                 先月分の領収書の宛名が旧社名のままになっておりました。\n\
                 「株式会社ニュートラル企画」で再発行していただくことは可能でしょうか。\n\n\
                 お手数をおかけしますが、よろしくお願いいたします。\n\n\
                 井上 和也\n",
            )
            .into_msg();
        m.submitted("inoue-pc", "203.0.113.143", host, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(3),
            auth_results: None,
        });
        out.push(
            "spf-neutral",
            m,
            Expect {
                description: "SPF neutral: the client is not listed and the record ends in ?all; no DMARC record".into(),
                from: from.into(),
                from_name: "井上 和也".into(),
                subject: subj.into(),
                language: "ja",
                account_change: false,
                request: "reissue a receipt with a new company name",
                spf: "neutral",
                spf_helo: "pass",
                dmarc: "none",
                arc: "none",
                how: "unsigned; `v=spf1 ip4:198.51.100.113 ?all`".into(),
                ..Default::default()
            },
        );
    }

    // --- spf-none ------------------------------------------------------------------
    {
        let d = "spf-none.example";
        let host = "mail.spf-none.example";
        let ip = "198.51.100.14";
        // No SPF anywhere: the domain only has a site-verification TXT record.
        zone.host(host, ip);
        zone.mx(d, 10, host);
        zone.txt(d, "site-verification=4f1c0d7e2b9a8c3d5e6f");
        let t = at(2025, 11, 5, 7, 58, 30, 60);
        let from = "lukas.becker@spf-none.example";
        let mut m = Core::new(
            mailbox("Lukas Becker", from),
            "Lost my phone - please turn off 2FA on my account",
            t,
            host,
        )
        .text(
            "Hello,\n\n\
             I lost my phone on the train yesterday and can't get my authenticator\n\
             codes any more. Could you please turn off two-factor authentication on\n\
             my account (lukas.becker@spf-none.example) so I can log in again?\n\
             I'll set it up again on my new phone afterwards.\n\n\
             Best regards,\n\
             Lukas Becker\n",
        )
        .into_msg();
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "spf-none",
            m,
            Expect {
                description: "SPF none: neither the MAIL FROM domain (only a non-SPF TXT record) nor the HELO name publishes SPF; no DMARC".into(),
                from: from.into(),
                from_name: "Lukas Becker".into(),
                subject: "Lost my phone - please turn off 2FA on my account".into(),
                language: "en",
                account_change: true,
                request: "disable two-factor authentication",
                spf: "none",
                spf_helo: "none",
                dmarc: "none",
                arc: "none",
                how: "unsigned; no SPF record (a `site-verification=` TXT only)".into(),
                ..Default::default()
            },
        );
    }

    // --- spf-permerror-dup ------------------------------------------------------------
    {
        let d = "spf-dup.example";
        let host = "mail.spf-dup.example";
        let ip = "198.51.100.31";
        zone.mail_host(d, host, ip);
        zone.txt(d, "v=spf1 ip4:198.51.100.31 -all");
        zone.txt(d, "v=spf1 mx include:_spf.spf-dup.example -all");
        zone.txt("_spf.spf-dup.example", "v=spf1 ip4:198.51.100.131 -all");
        let t = at(2025, 11, 5, 11, 20, 0, 0);
        let from = "olivia.smith@spf-dup.example";
        let mut m = Core::new(
            mailbox("Olivia Smith", from),
            "Adding three seats to our subscription",
            t,
            host,
        )
        .text(
            "Hi Support,\n\n\
                 We're onboarding three new agents next week. Can you add three seats to\n\
                 our subscription and prorate the charge on the next invoice?\n\n\
                 Kind regards,\n\
                 Olivia Smith\n\
                 Office Manager, Dup & Sons\n",
        )
        .into_msg();
        m.submitted("OSMITH-LAPTOP", "203.0.113.144", host, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(3),
            auth_results: None,
        });
        out.push(
            "spf-permerror-dup",
            m,
            Expect {
                description: "SPF permerror: the MAIL FROM domain publishes two v=spf1 records (RFC 7208 4.5); no DMARC".into(),
                from: from.into(),
                from_name: "Olivia Smith".into(),
                subject: "Adding three seats to our subscription".into(),
                language: "en",
                account_change: false,
                request: "add seats to the subscription",
                spf: "permerror",
                spf_helo: "pass",
                dmarc: "none",
                arc: "none",
                mail_auth: vec![(
                    "spf",
                    toml_str("pass"),
                    "mail-auth evaluates the first TXT record that parses as SPF instead of failing on two",
                )],
                how: "unsigned; two SPF records at spf-dup.example (the first lists the client)".into(),
                ..Default::default()
            },
        );
    }

    // --- spf-permerror-lookups ----------------------------------------------------------
    {
        let d = "spf-lookups.example";
        let host = "mail.spf-lookups.example";
        let ip = "198.51.100.40";
        // Outbound host; inbound mail goes to a separate MX host.
        zone.host(host, ip);
        zone.txt(host, "v=spf1 a -all");
        zone.host(&format!("mx.{d}"), "198.51.100.140");
        zone.mx(d, 10, &format!("mx.{d}"));
        // Evaluation order: mx(1) include:_spf1(2) a:out1(3) a:out2(4)
        // include:_spf4(5) a:out3(6) a:out4(7) a:out5(8) include:_spf2(9)
        // a:out6(10) a:out7(11 > 10: permerror) ... ip4:198.51.100.40 never reached.
        zone.txt(
            d,
            format!(
                "v=spf1 mx include:_spf1.{d} include:_spf2.{d} include:_spf3.{d} ip4:{ip} -all"
            ),
        );
        zone.txt(
            &format!("_spf1.{d}"),
            format!("v=spf1 a:out1.{d} a:out2.{d} include:_spf4.{d} ~all"),
        );
        zone.txt(
            &format!("_spf4.{d}"),
            format!("v=spf1 a:out3.{d} a:out4.{d} a:out5.{d} ~all"),
        );
        zone.txt(
            &format!("_spf2.{d}"),
            format!("v=spf1 a:out6.{d} a:out7.{d} ~all"),
        );
        zone.txt(&format!("_spf3.{d}"), format!("v=spf1 a:out8.{d} ~all"));
        for i in 1..=8 {
            zone.host(&format!("out{i}.{d}"), &format!("198.51.100.{}", 140 + i));
        }
        let t = at(2025, 11, 5, 16, 41, 9, JST);
        let from = "tanaka.hiroshi@spf-lookups.example";
        let subj = "請求書の再発行のお願い";
        let mut m = Core::new(mailbox("田中 博", from), subject(subj), t, host)
            .text_b64(
                "ご担当者様\n\n\
                 お世話になっております。ルックアップ工業の田中です。\n\n\
                 9月分の請求書を紛失してしまいました。\n\
                 お手数ですが、PDFで再発行していただけますでしょうか。\n\
                 送付先はこのメールアドレスで問題ありません。\n\n\
                 よろしくお願いいたします。\n\n\
                 田中 博\n\
                 ルックアップ工業株式会社 経理課\n",
            )
            .into_msg();
        m.submitted("tanaka-note", "203.0.113.145", host, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "spf-permerror-lookups",
            m,
            Expect {
                description: "SPF permerror: evaluating the MAIL FROM record needs more than 10 DNS-querying terms before the matching ip4 is reached; no DMARC".into(),
                from: from.into(),
                from_name: "田中 博".into(),
                subject: subj.into(),
                language: "ja",
                account_change: false,
                request: "reissue a lost invoice",
                spf: "permerror",
                spf_helo: "pass",
                dmarc: "none",
                arc: "none",
                how: "unsigned; include chain _spf1/_spf4/_spf2 with 11+ lookups before `ip4:198.51.100.40`".into(),
                ..Default::default()
            },
        );
    }

    // --- spf-pass-ipv6 ------------------------------------------------------------
    {
        let d = "spf-ipv6.example";
        let host = "mail.spf-ipv6.example";
        let ip = "2001:db8::25";
        zone.mail_host(d, host, ip);
        zone.txt(d, "v=spf1 ip6:2001:db8::/64 -all");
        zone.dmarc(
            d,
            "v=DMARC1; p=quarantine; rua=mailto:dmarc@spf-ipv6.example",
        );
        let t = at(2025, 11, 6, 8, 5, 17, 10 * 60);
        let from = "noah.wilson@spf-ipv6.example";
        let mut m = Core::new(
            mailbox("Noah Wilson", from),
            "API rate limit on the reports endpoint",
            t,
            host,
        )
        .with("User-Agent", "Mozilla Thunderbird 128.4.0")
        .text(
            "Hi,\n\n\
                 Since Monday our nightly sync gets HTTP 429 from /api/v2/reports after\n\
                 about 200 requests. The docs say the limit is 600 per hour for our plan.\n\
                 Has anything changed? Request IDs are in the attached log excerpt below:\n\n\
                 2025-11-05T02:00:13Z req=7f3a9c 429 Too Many Requests\n\
                 2025-11-05T02:00:14Z req=7f3a9d 429 Too Many Requests\n\n\
                 Cheers,\n\
                 Noah Wilson\n",
        )
        .into_msg();
        m.submitted("noah-mbp", "2001:db8:1:2::77", host, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "spf-pass-ipv6",
            m,
            Expect {
                description: "SPF pass over IPv6: the client 2001:db8::25 matches ip6:2001:db8::/64; DMARC passes on aligned SPF (p=quarantine)".into(),
                from: from.into(),
                from_name: "Noah Wilson".into(),
                subject: "API rate limit on the reports endpoint".into(),
                language: "en",
                account_change: false,
                request: "API rate limit question",
                spf: "pass",
                spf_helo: "pass",
                dmarc: "pass",
                dmarc_policy: Some("quarantine"),
                arc: "none",
                how: "unsigned; IPv6 client, `v=spf1 ip6:2001:db8::/64 -all`".into(),
                ..Default::default()
            },
        );
    }

    // --- spf-helo-fail --------------------------------------------------------------
    {
        let d = "spf-helo.example";
        let host = "mail.spf-helo.example";
        let ip = "198.51.100.16";
        zone.host(host, ip);
        zone.mx(d, 10, host);
        // Stale HELO record: still lists the server's old address.
        zone.txt(host, "v=spf1 ip4:198.51.100.116 -all");
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dmarc(d, "v=DMARC1; p=quarantine");
        let t = at(2025, 11, 6, 13, 30, 0, 0);
        let from = "emma.brown@spf-helo.example";
        let mut m = Core::new(
            mailbox("Emma Brown", from),
            "Where can I download our data processing agreement?",
            t,
            host,
        )
        .text(
            "Hello,\n\n\
                 Our auditors ask for a signed copy of your data processing agreement.\n\
                 Where in the admin console can I download it?\n\n\
                 Many thanks,\n\
                 Emma Brown\n\
                 Compliance, Helo Analytics\n",
        )
        .into_msg();
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "spf-helo-fail",
            m,
            Expect {
                description: "SPF: MAIL FROM identity passes but the HELO name's own SPF record fails (stale address); DMARC passes on the aligned MAIL FROM pass".into(),
                from: from.into(),
                from_name: "Emma Brown".into(),
                subject: "Where can I download our data processing agreement?".into(),
                language: "en",
                account_change: false,
                request: "download the data processing agreement",
                spf: "pass",
                spf_helo: "fail",
                dmarc: "pass",
                dmarc_policy: Some("quarantine"),
                arc: "none",
                mail_auth: vec![(
                    "spf_combined",
                    toml_str("fail"),
                    "SpfParameters::verify() returns the HELO result whenever HELO fails",
                )],
                how: "unsigned; HELO record `ip4:198.51.100.116 -all`, MAIL FROM record lists the client".into(),
                ..Default::default()
            },
        );
    }

    // --- spf-null-sender --------------------------------------------------------------
    {
        let d = "null-sender.example";
        let host = "mail.null-sender.example";
        let ip = "198.51.100.17";
        zone.mail_host(d, host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dmarc(d, "v=DMARC1; p=none; rua=mailto:dmarc@null-sender.example");
        let t = at(2025, 11, 6, 18, 2, 44, JST);
        let from = "h.sato@null-sender.example";
        let subj = "自動応答: Re: [#48213] ログインできない件";
        let mut m = Core::new(mailbox("佐藤 花", from), subject(subj), t, host)
            .with("Auto-Submitted", "auto-replied")
            .with(
                "In-Reply-To",
                "<ticket-48213.1762412400@support.example.co.jp>",
            )
            .text(
                "誠に恐れ入りますが、11月6日から11月10日まで不在にしております。\n\
                 11月11日以降に順次ご返信いたします。\n\n\
                 お急ぎの場合は、情報システム課（it@null-sender.example）まで\n\
                 ご連絡ください。\n\n\
                 佐藤 花\n",
            )
            .into_msg();
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: "",
            via_relay: false,
            at: t.plus(1),
            auth_results: None,
        });
        out.push(
            "spf-null-sender",
            m,
            Expect {
                description: "Null reverse-path (auto-reply): SPF is evaluated for the HELO identity (pass); DMARC passes on the HELO domain, relaxed-aligned with From".into(),
                from: from.into(),
                from_name: "佐藤 花".into(),
                subject: subj.into(),
                language: "ja",
                account_change: false,
                request: "out-of-office auto-reply",
                spf: "pass",
                spf_helo: "pass",
                dmarc: "pass",
                dmarc_policy: Some("none"),
                arc: "none",
                how: "unsigned; `MAIL FROM:<>`, HELO mail.null-sender.example `v=spf1 a -all`".into(),
                ..Default::default()
            },
        );
    }

    // ======================================================================
    // DKIM
    // ======================================================================

    // --- dkim-pass-relaxed (via the trusted relay) ---------------------------------------
    {
        let d = "dkim-relaxed.example";
        let host = "mail.dkim-relaxed.example";
        let ip = "198.51.100.20";
        zone.mail_host(d, host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("s2048", d, rsa_a.clone());
        zone.dmarc(d, "v=DMARC1; p=quarantine; adkim=r; aspf=r");
        let t = at(2025, 11, 7, 9, 41, 3, JST);
        let from = "kobayashi.mai@dkim-relaxed.example";
        let subj = "ログイン用メールアドレスの変更をお願いします";
        let mut m = Core::new(mailbox("小林 舞", from), subject(subj), t, host)
            .with("X-Mailer", "Microsoft Outlook 16.0")
            .text_b64(
                "サポートご担当者様\n\n\
                 お世話になっております。リラックス商会の小林です。\n\n\
                 来月から部署異動となるため、管理者アカウントのログイン用メールアドレスを\n\
                 kobayashi.mai@dkim-relaxed.example から\n\
                 it-admin@dkim-relaxed.example に変更していただけますでしょうか。\n\n\
                 変更手続きに必要な書類があればご教示ください。\n\n\
                 よろしくお願いいたします。\n\n\
                 小林 舞\n\
                 株式会社リラックス商会 総務部\n",
            )
            .into_msg();
        m.submitted("KOBAYASHI-PC", "203.0.113.150", host, t.plus(1));
        m.sign(&keys.rsa_a, d, "s2048", RELAXED, t.plus(2));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: true,
            at: t.plus(4),
            auth_results: None,
        });
        out.push(
            "dkim-pass-relaxed",
            m,
            Expect {
                description: "DKIM pass: rsa-sha256, 2048-bit key, c=relaxed/relaxed; arrives through the trusted relay (two trusted Received fields)".into(),
                from: from.into(),
                from_name: "小林 舞".into(),
                subject: subj.into(),
                language: "ja",
                account_change: true,
                request: "change the admin login email (to another address in the same domain)",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("pass", d)]),
                dmarc: "pass",
                dmarc_policy: Some("quarantine"),
                arc: "none",
                how: "rsa2048-a, d=dkim-relaxed.example s=s2048, relaxed/relaxed; relay hop".into(),
                ..Default::default()
            },
        );
    }

    // --- dkim-pass-ed25519 ----------------------------------------------------------------
    {
        let d = "dkim-ed25519.example";
        let host = "mail.dkim-ed25519.example";
        let ip = "198.51.100.21";
        zone.mail_host(d, host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("ed2025", d, ed.clone());
        zone.dmarc(d, "v=DMARC1; p=reject");
        let t = at(2025, 11, 7, 15, 12, 48, 0);
        let from = "sofia.rossi@dkim-ed25519.example";
        let mut m = Core::new(
            mailbox("Sofia Rossi", from),
            "Webhook retries after a 500",
            t,
            host,
        )
        .text(
            "Hello,\n\n\
                 When our webhook endpoint answers 500, how many times do you retry, and\n\
                 with what back-off? We want to size our dead-letter queue accordingly.\n\n\
                 Grazie,\n\
                 Sofia Rossi\n\
                 Platform team, Edwards & Partners\n",
        )
        .into_msg();
        m.submitted("sofia-ws", "203.0.113.151", host, t.plus(1));
        m.sign(&keys.ed, d, "ed2025", SIMPLE, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(3),
            auth_results: None,
        });
        out.push(
            "dkim-pass-ed25519",
            m,
            Expect {
                description: "DKIM pass: ed25519-sha256 (RFC 8463), c=simple/simple; DMARC pass under p=reject".into(),
                from: from.into(),
                from_name: "Sofia Rossi".into(),
                subject: "Webhook retries after a 500".into(),
                language: "en",
                account_change: false,
                request: "webhook retry policy question",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("pass", d)]),
                dmarc: "pass",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "ed25519, d=dkim-ed25519.example s=ed2025, simple/simple".into(),
                ..Default::default()
            },
        );
    }

    // --- dkim-pass-simple -----------------------------------------------------------------
    {
        let d = "dkim-simple.example";
        let host = "smtp.dkim-simple.example";
        let ip = "198.51.100.22";
        zone.mail_host(d, host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("mail2025", d, rsa_a.clone());
        zone.dmarc(
            d,
            "v=DMARC1; p=reject; rua=mailto:dmarc@dkim-simple.example",
        );
        let t = at(2025, 11, 8, 10, 0, 31, -5 * 60);
        let from = "james.miller@dkim-simple.example";
        let mut m = Core::new(
            mailbox("James Miller", from),
            "Please change my login email to my new address",
            t,
            host,
        )
        .text(
            "Hi support team,\n\n\
             We are moving to a new domain. Please change the login email for my user\n\
             from james.miller@dkim-simple.example to\n\
             james.miller@simple-holdings.example.\n\n\
             The old mailbox will be shut down at the end of the month.\n\n\
             Regards,\n\
             James Miller\n\
             IT Director, Simple Holdings\n",
        )
        .into_msg();
        m.submitted("JMILLER-T14", "203.0.113.152", host, t.plus(1));
        m.sign(&keys.rsa_a, d, "mail2025", SIMPLE, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(3),
            auth_results: None,
        });
        out.push(
            "dkim-pass-simple",
            m,
            Expect {
                description: "DKIM pass: rsa-sha256, 2048-bit key, c=simple/simple; DMARC pass under p=reject".into(),
                from: from.into(),
                from_name: "James Miller".into(),
                subject: "Please change my login email to my new address".into(),
                language: "en",
                account_change: true,
                request: "change login email to an address in another domain",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("pass", d)]),
                dmarc: "pass",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "rsa2048-a, d=dkim-simple.example s=mail2025, simple/simple".into(),
                ..Default::default()
            },
        );
    }

    // --- dkim-fail-body ---------------------------------------------------------------------
    {
        let d = "dkim-body.example";
        let host = "mail.dkim-body.example";
        let ip = "198.51.100.23";
        zone.mail_host(d, host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("s2048", d, rsa_a.clone());
        zone.dmarc(d, "v=DMARC1; p=reject");
        let t = at(2025, 11, 8, 16, 22, 5, 60);
        let from = "pieter.dejong@dkim-body.example";
        let mut m = Core::new(
            mailbox("Pieter de Jong", from),
            "Duplicate charge on card ending 4421",
            t,
            host,
        )
        .text(
            "Hello,\n\n\
                 Our credit card ending in 4421 was charged twice for the November renewal\n\
                 (two charges of EUR 1,188.00 on 1 November). Could you refund one of them?\n\n\
                 Met vriendelijke groet,\n\
                 Pieter de Jong\n\
                 Finance, Body & Co\n",
        )
        .into_msg();
        m.sign(&keys.rsa_a, d, "s2048", RELAXED, t.plus(1));
        // The sender's outbound gateway appends a disclaimer after signing.
        m.body.extend_from_slice(&crlf(
            "\n________________________________\n\
             This e-mail and any attachments are confidential. If you received it in\n\
             error, please notify the sender and delete it.\n",
        ));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(3),
            auth_results: None,
        });
        out.push(
            "dkim-fail-body",
            m,
            Expect {
                description: "DKIM fail: a disclaimer was appended to the body after signing (body hash mismatch); DMARC still passes on aligned SPF".into(),
                from: from.into(),
                from_name: "Pieter de Jong".into(),
                subject: "Duplicate charge on card ending 4421".into(),
                language: "en",
                account_change: false,
                request: "refund a duplicate charge",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("fail", d)]),
                dmarc: "pass",
                dmarc_policy: Some("reject"),
                arc: "none",
                mail_auth: vec![(
                    "dkim",
                    toml_list(["neutral"]),
                    "mail-auth reports a body-hash mismatch as neutral (Gmail does too); RFC 6376 calls it PERMFAIL",
                )],
                how: "rsa2048-a, d=dkim-body.example s=s2048, relaxed; disclaimer appended after signing".into(),
                ..Default::default()
            },
        );
    }

    // --- dkim-fail-header --------------------------------------------------------------------
    {
        let d = "dkim-header.example";
        let host = "mail.dkim-header.example";
        zone.mail_host(d, host, "198.51.100.24");
        zone.txt(d, "v=spf1 ip4:198.51.100.24 -all");
        zone.dkim_key("s2048", d, rsa_a.clone());
        zone.dmarc(
            d,
            "v=DMARC1; p=reject; rua=mailto:dmarc@dkim-header.example",
        );
        // The replaying attacker's own sending domain, with honest SPF.
        let ip = "203.0.113.62";
        let helo = vps(zone, ip);
        zone.txt("mailer-7.example", format!("v=spf1 ip4:{ip} -all"));
        zone.mx("mailer-7.example", 10, &helo);
        let t = at(2025, 11, 9, 8, 30, 0, 0);
        let from = "laura.martin@dkim-header.example";
        let mut m = Core::new(
            mailbox("Laura Martin", from),
            "Question about user roles",
            t,
            host,
        )
        .text(
            "Hello,\n\n\
                 Is it possible to give a user read-only access to reports without making\n\
                 them an agent? We'd like our CFO to see the dashboards.\n\n\
                 Thank you,\n\
                 Laura Martin\n\
                 Head of Support Operations, Header Inc.\n",
        )
        .into_msg();
        m.submitted("LMARTIN-PC", "203.0.113.153", host, t.plus(1));
        m.sign(&keys.rsa_a, d, "s2048", RELAXED, t.plus(1));
        // Replayed days later with a rewritten (signed) Subject.
        m.replace(
            "Subject",
            b"URGENT: reset the admin password and send it to me",
        );
        m.deliver(Delivery {
            helo: &helo,
            ip,
            rdns: Some(&helo),
            mail_from: "bounce-7731@mailer-7.example",
            via_relay: false,
            at: at(2025, 11, 12, 3, 14, 27, 0),
            auth_results: None,
        });
        out.push(
            "dkim-fail-header",
            m,
            Expect {
                description: "DKIM fail: a genuinely signed message replayed later with the signed Subject rewritten; SPF passes only for the replayer's own domain, so DMARC fails (p=reject)".into(),
                from: from.into(),
                from_name: "Laura Martin".into(),
                subject: "URGENT: reset the admin password and send it to me".into(),
                language: "en",
                account_change: true,
                request: "reset the admin password and send it by mail",
                spf: "pass",
                spf_helo: "none",
                dkim: dk(&[("fail", d)]),
                dmarc: "fail",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "rsa2048-a, d=dkim-header.example s=s2048, relaxed; Subject replaced after signing; resent via mailer-7.example".into(),
                ..Default::default()
            },
        );
    }

    // --- dkim-revoked ------------------------------------------------------------------------
    {
        let d = "dkim-revoked.example";
        let host = "mail.dkim-revoked.example";
        let ip = "198.51.100.26";
        zone.mail_host(d, host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("old2019", d, "v=DKIM1; k=rsa; p=".to_string());
        let t = at(2025, 11, 9, 12, 45, 19, -3 * 60);
        let from = "ana.souza@dkim-revoked.example";
        let mut m = Core::new(
            mailbox("Ana Souza", from),
            "Our logo does not show on the portal",
            t,
            host,
        )
        .text(
            "Hi,\n\n\
                 We uploaded our new logo (PNG, 512x512) in Branding settings, but the\n\
                 customer portal still shows the old one. We already cleared the browser\n\
                 cache. Is there a delay?\n\n\
                 Obrigada,\n\
                 Ana Souza\n",
        )
        .into_msg();
        m.sign(&keys.rsa_a, d, "old2019", RELAXED, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "dkim-revoked",
            m,
            Expect {
                description: "DKIM permerror: the selector's key record has an empty p= (key revoked, RFC 6376 3.6.1); no DMARC record".into(),
                from: from.into(),
                from_name: "Ana Souza".into(),
                subject: "Our logo does not show on the portal".into(),
                language: "en",
                account_change: false,
                request: "branding/logo display problem",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("permerror", d)]),
                dmarc: "none",
                arc: "none",
                how: "rsa2048-a, d=dkim-revoked.example s=old2019; record `v=DKIM1; k=rsa; p=`".into(),
                ..Default::default()
            },
        );
    }

    // --- dkim-multi ------------------------------------------------------------------------
    {
        let d = "dkim-multi.example";
        zone.mail_host(d, "mail.dkim-multi.example", "198.51.100.27");
        zone.txt(d, "v=spf1 mx include:_spf.esp.example -all");
        zone.dkim_key("esp1", d, rsa_a.clone());
        zone.dmarc(d, "v=DMARC1; p=reject; rua=mailto:dmarc@dkim-multi.example");
        let esp = "esp.example";
        let host = "mta3.esp.example";
        let ip = "198.51.100.60";
        zone.host(host, ip);
        zone.txt(host, "v=spf1 a -all");
        zone.mx(esp, 10, "mx.esp.example");
        zone.host("mx.esp.example", "198.51.100.61");
        zone.txt("_spf.esp.example", "v=spf1 ip4:198.51.100.60/30 -all");
        zone.txt(esp, "v=spf1 include:_spf.esp.example -all");
        zone.dkim_key("k1", esp, rsa_b.clone());
        let t = at(2025, 11, 10, 6, 0, 2, 0);
        let from = "notifications@dkim-multi.example";
        let mut m = Core::new(
            mailbox("Multi Cloud Monitoring", from),
            "[Ticket export] Weekly CSV export failed for workspace multi-prod",
            t,
            "mta3.esp.example",
        )
        .with("Reply-To", "ops@dkim-multi.example")
        .text(
            "Hello,\n\n\
             This is an automated message from our ops team. The weekly ticket CSV\n\
             export from your API (workspace multi-prod, job 2025-W45) failed with\n\
             \"export_timeout\" three times in a row. Could you check whether large\n\
             exports need a different endpoint?\n\n\
             -- \n\
             Multi Cloud Monitoring | ops@dkim-multi.example\n",
        )
        .into_msg();
        m.sign(&keys.rsa_a, d, "esp1", RELAXED, t.plus(1));
        m.prepend("Feedback-ID: 31337:tx:esp.example\r\n");
        m.sign(&keys.rsa_b, esp, "k1", RELAXED, t.plus(1));
        // Signatures are prepended: the ESP's is now on top.
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: "bounce+8f2k1@esp.example",
            via_relay: false,
            at: t.plus(3),
            auth_results: None,
        });
        out.push(
            "dkim-multi",
            m,
            Expect {
                description: "Two DKIM signatures, both valid: the ESP's own (d=esp.example, on top) and the author domain's (aligned); SPF passes for the ESP bounce domain only, DMARC passes via the aligned signature".into(),
                from: from.into(),
                from_name: "Multi Cloud Monitoring".into(),
                subject: "[Ticket export] Weekly CSV export failed for workspace multi-prod".into(),
                language: "en",
                account_change: false,
                request: "report a failing CSV export",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("pass", esp), ("pass", d)]),
                dmarc: "pass",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "rsa2048-a d=dkim-multi.example s=esp1 then rsa2048-b d=esp.example s=k1, both relaxed".into(),
                ..Default::default()
            },
        );
    }

    // ======================================================================
    // DMARC
    // ======================================================================

    // --- dmarc-pass-reject ------------------------------------------------------------------
    {
        let d = "dmarc-pass.example";
        let host = "mail.dmarc-pass.example";
        let ip = "198.51.100.50";
        zone.mail_host(d, host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("s2048", d, rsa_a.clone());
        zone.dmarc(d, "v=DMARC1; p=reject; rua=mailto:dmarc@dmarc-pass.example");
        let t = at(2025, 11, 10, 19, 8, 55, -5 * 60);
        let from = "ryan.oconnor@dmarc-pass.example";
        let mut m = Core::new(
            mailbox("Ryan O'Connor", from),
            "Lost my phone - please disable 2FA",
            t,
            host,
        )
        .text(
            "Hi,\n\n\
                 I lost my phone at the airport and my authenticator app was on it. Can\n\
                 you please turn off 2FA for ryan.oconnor@dmarc-pass.example? I need\n\
                 to approve the payroll run tonight.\n\n\
                 Thanks a lot,\n\
                 Ryan\n",
        )
        .into_msg();
        m.submitted("iPhone", "203.0.113.160", host, t.plus(1));
        m.sign(&keys.rsa_a, d, "s2048", RELAXED, t.plus(2));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(3),
            auth_results: None,
        });
        out.push(
            "dmarc-pass-reject",
            m,
            Expect {
                description: "DMARC pass under p=reject: aligned DKIM pass and aligned SPF pass (a genuine sender asking for something risky)".into(),
                from: from.into(),
                from_name: "Ryan O'Connor".into(),
                subject: "Lost my phone - please disable 2FA".into(),
                language: "en",
                account_change: true,
                request: "disable two-factor authentication",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("pass", d)]),
                dmarc: "pass",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "rsa2048-a, d=dmarc-pass.example s=s2048, relaxed".into(),
                ..Default::default()
            },
        );
    }

    // --- dmarc-fail-reject (with forged Received fields) --------------------------------------
    {
        let d = "dmarc-reject.example";
        zone.mail_host(d, "mail.dmarc-reject.example", "198.51.100.51");
        zone.txt(d, "v=spf1 ip4:198.51.100.51 -all");
        zone.dkim_key("s2048", d, rsa_a.clone());
        zone.dmarc(
            d,
            "v=DMARC1; p=reject; rua=mailto:dmarc@dmarc-reject.example",
        );
        let ip = "203.0.113.51";
        let helo = vps(zone, ip);
        zone.txt("quickmail.example", format!("v=spf1 ip4:{ip} -all"));
        zone.mx("quickmail.example", 10, &helo);
        let t = at(2025, 11, 11, 10, 2, 33, JST);
        let from = "watanabe.ceo@dmarc-reject.example";
        let subj = "至急：パスワードを教えてください";
        let mut m = Core::new(
            mailbox("渡辺 誠（代表取締役）", from),
            subject(subj),
            t,
            &helo,
        )
        .with("Reply-To", "watanabe.ceo.office@freemail.example")
        .text(
            "サポートご担当者様\n\n\
                 代表の渡辺です。出張先から急ぎでご連絡しております。\n\n\
                 管理画面にログインできなくなりました。\n\
                 管理者アカウント（admin@dmarc-reject.example）の\n\
                 現在のパスワードを教えてください。\n\
                 社内の担当者は休暇中のため、こちらに直接返信をお願いします。\n\n\
                 本件は他言無用でお願いいたします。\n\n\
                 渡辺 誠\n",
        )
        .into_msg();
        // Forged "history" the attacker put in before sending.
        m.prepend(
            "Received: from mail.dmarc-reject.example (mail.dmarc-reject.example [198.51.100.51])\r\n\
             \tby mx.dmarc-reject.example (Postfix) with ESMTPS id 4dFAKE0001\r\n\
             \tfor <support@example.co.jp>; Tue, 11 Nov 2025 10:02:34 +0900 (JST)\r\n",
        );
        m.prepend(
            "Received: from internal.support.example.co.jp (internal.support.example.co.jp [192.0.2.30])\r\n\
             \tby relay.support.example.co.jp (Postfix) with ESMTP id 4dFAKE0002;\r\n\
             \tTue, 11 Nov 2025 10:02:35 +0900 (JST)\r\n",
        );
        m.deliver(Delivery {
            helo: &helo,
            ip,
            rdns: Some(&helo),
            mail_from: "noreply@quickmail.example",
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "dmarc-fail-reject",
            m,
            Expect {
                description: "DMARC fail under p=reject: From domain publishes reject, the message is unsigned and SPF passes only for an unrelated MAIL FROM domain; forged Received fields below the real one claim an internal origin".into(),
                from: from.into(),
                from_name: "渡辺 誠（代表取締役）".into(),
                subject: subj.into(),
                language: "ja",
                account_change: true,
                request: "tell me the current admin password",
                spf: "pass",
                spf_helo: "none",
                dmarc: "fail",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "unsigned; MAIL FROM quickmail.example; two forged Received below mx1's".into(),
                ..Default::default()
            },
        );
    }

    // --- dmarc-fail-quarantine --------------------------------------------------------------
    {
        let d = "dmarc-quarantine.example";
        zone.mail_host(d, "mail.dmarc-quarantine.example", "198.51.100.52");
        zone.txt(d, "v=spf1 ip4:198.51.100.52 -all");
        zone.dmarc(d, "v=DMARC1; p=quarantine; pct=100");
        let ip = "203.0.113.52";
        let helo = vps(zone, ip);
        zone.txt("sendpro.example", format!("v=spf1 ip4:{ip} ~all"));
        zone.mx("sendpro.example", 10, &helo);
        let t = at(2025, 11, 11, 15, 40, 12, 0);
        let from = "accounts@dmarc-quarantine.example";
        let mut m = Core::new(
            mailbox("Quarantine Ltd Accounts", from),
            "Change of contact email for our account",
            t,
            &helo,
        )
        .text(
            "Dear Support,\n\n\
             Please note that our accounts team has a new mailbox. Kindly update the\n\
             primary contact and login email of our account to\n\
             accounts-dept@quarantine-ltd.example with immediate effect, and\n\
             confirm once done.\n\n\
             Regards,\n\
             Accounts Department\n\
             Quarantine Ltd\n",
        )
        .into_msg();
        m.deliver(Delivery {
            helo: &helo,
            ip,
            rdns: Some(&helo),
            mail_from: "mailer@sendpro.example",
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "dmarc-fail-quarantine",
            m,
            Expect {
                description: "DMARC fail under p=quarantine: unsigned, SPF passes for an unaligned bulk-mail domain".into(),
                from: from.into(),
                from_name: "Quarantine Ltd Accounts".into(),
                subject: "Change of contact email for our account".into(),
                language: "en",
                account_change: true,
                request: "change the account's contact and login email",
                spf: "pass",
                spf_helo: "none",
                dmarc: "fail",
                dmarc_policy: Some("quarantine"),
                arc: "none",
                how: "unsigned; MAIL FROM sendpro.example".into(),
                ..Default::default()
            },
        );
    }

    // --- dmarc-fail-none ------------------------------------------------------------------
    {
        let d = "dmarc-none.example";
        zone.mail_host(d, "mail.dmarc-none.example", "198.51.100.53");
        zone.txt(d, "v=spf1 ip4:198.51.100.53 ~all");
        zone.dmarc(d, "v=DMARC1; p=none; rua=mailto:dmarc@dmarc-none.example");
        let ip = "203.0.113.53";
        let helo = vps(zone, ip);
        zone.txt("bulkpost.example", format!("v=spf1 ip4:{ip} -all"));
        zone.mx("bulkpost.example", 10, &helo);
        let t = at(2025, 11, 12, 9, 5, 0, 60);
        let from = "it-helpdesk@dmarc-none.example";
        let mut m = Core::new(
            mailbox("None GmbH IT Helpdesk", from),
            "Password reset for user m.keller",
            t,
            &helo,
        )
        .text(
            "Hello,\n\n\
             Our colleague Martin Keller (m.keller@dmarc-none.example) is locked\n\
             out. Please reset his password and send the new password to this address\n\
             so we can hand it to him in person.\n\n\
             IT Helpdesk\n\
             None GmbH\n",
        )
        .into_msg();
        m.deliver(Delivery {
            helo: &helo,
            ip,
            rdns: Some(&helo),
            mail_from: "bounces@bulkpost.example",
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "dmarc-fail-none",
            m,
            Expect {
                description: "DMARC fail under p=none (monitoring only): unsigned, SPF passes for an unaligned domain".into(),
                from: from.into(),
                from_name: "None GmbH IT Helpdesk".into(),
                subject: "Password reset for user m.keller".into(),
                language: "en",
                account_change: true,
                request: "reset another user's password and mail it",
                spf: "pass",
                spf_helo: "none",
                dmarc: "fail",
                dmarc_policy: Some("none"),
                arc: "none",
                how: "unsigned; MAIL FROM bulkpost.example".into(),
                ..Default::default()
            },
        );
    }

    // --- dmarc-relaxed ------------------------------------------------------------------
    {
        let d = "dmarc-relaxed.example";
        let sub = "mail.dmarc-relaxed.example";
        let host = "out.mail.dmarc-relaxed.example";
        let ip = "198.51.100.54";
        zone.mail_host(sub, host, ip);
        zone.mx(d, 10, host);
        zone.txt(d, "v=spf1 -all");
        zone.txt(sub, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("s2048", sub, rsa_a.clone());
        zone.dmarc(
            d,
            "v=DMARC1; p=reject; rua=mailto:dmarc@dmarc-relaxed.example",
        );
        let t = at(2025, 11, 12, 11, 11, 11, JST);
        let from = "nakamura.yui@dmarc-relaxed.example";
        let subj = "CSVエクスポートの文字化けについて";
        let mut m = Core::new(mailbox("中村 結衣", from), subject(subj), t, host)
            .text(
                "ご担当者様\n\n\
                 お世話になっております。中村です。\n\n\
                 レポート画面からCSVをエクスポートしてExcelで開くと、\n\
                 日本語の列名が文字化けしてしまいます。\n\
                 Shift_JISで出力する設定などはありますでしょうか。\n\n\
                 よろしくお願いいたします。\n\n\
                 中村 結衣\n",
            )
            .into_msg();
        m.submitted("nakamura-pc", "203.0.113.161", host, t.plus(1));
        m.sign(&keys.rsa_a, sub, "s2048", RELAXED, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: "bounce@mail.dmarc-relaxed.example",
            via_relay: false,
            at: t.plus(3),
            auth_results: None,
        });
        out.push(
            "dmarc-relaxed",
            m,
            Expect {
                description: "DMARC pass by relaxed alignment: DKIM d= and MAIL FROM are the subdomain mail.dmarc-relaxed.example, From is the organizational domain".into(),
                from: from.into(),
                from_name: "中村 結衣".into(),
                subject: subj.into(),
                language: "ja",
                account_change: false,
                request: "CSV export shows garbled Japanese",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("pass", sub)]),
                dmarc: "pass",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "rsa2048-a, d=mail.dmarc-relaxed.example s=s2048, relaxed".into(),
                ..Default::default()
            },
        );
    }

    // --- dmarc-strict-fail ---------------------------------------------------------------
    {
        let d = "dmarc-strict.example";
        let sub = "mail.dmarc-strict.example";
        let host = "out.mail.dmarc-strict.example";
        let ip = "198.51.100.55";
        zone.mail_host(sub, host, ip);
        zone.mx(d, 10, host);
        zone.txt(d, "v=spf1 -all");
        zone.txt(sub, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("s2048", sub, rsa_a.clone());
        zone.dmarc(d, "v=DMARC1; p=reject; adkim=s; aspf=s");
        let t = at(2025, 11, 12, 17, 25, 3, 0);
        let from = "george.taylor@dmarc-strict.example";
        let mut m = Core::new(
            mailbox("George Taylor", from),
            "SSO setup with our identity provider",
            t,
            host,
        )
        .text(
            "Hello,\n\n\
                 We'd like to enable SAML single sign-on. Which attributes does your\n\
                 service expect in the assertion, and can we test it on a sandbox first?\n\n\
                 Best,\n\
                 George Taylor\n\
                 Strict Systems\n",
        )
        .into_msg();
        m.sign(&keys.rsa_a, sub, "s2048", RELAXED, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: "bounce@mail.dmarc-strict.example",
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "dmarc-strict-fail",
            m,
            Expect {
                description: "DMARC fail by strict alignment: adkim=s and aspf=s, DKIM and SPF pass for mail.dmarc-strict.example but From is dmarc-strict.example (relaxed would pass)".into(),
                from: from.into(),
                from_name: "George Taylor".into(),
                subject: "SSO setup with our identity provider".into(),
                language: "en",
                account_change: false,
                request: "SAML SSO setup question",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("pass", sub)]),
                dmarc: "fail",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "rsa2048-a, d=mail.dmarc-strict.example s=s2048, relaxed; record adkim=s aspf=s".into(),
                ..Default::default()
            },
        );
    }

    // --- dmarc-subdomain-policy ------------------------------------------------------------
    {
        let org = "dmarc-sp.example";
        let d = "sub.dmarc-sp.example";
        zone.mail_host(d, "mail.sub.dmarc-sp.example", "198.51.100.56");
        zone.txt(d, "v=spf1 ip4:198.51.100.56 -all");
        zone.host(org, "198.51.100.156");
        zone.dmarc(
            org,
            "v=DMARC1; p=none; sp=reject; rua=mailto:dmarc@dmarc-sp.example",
        );
        let ip = "203.0.113.56";
        let helo = vps(zone, ip);
        zone.txt("fastsend.example", format!("v=spf1 ip4:{ip} -all"));
        zone.mx("fastsend.example", 10, &helo);
        let t = at(2025, 11, 13, 8, 48, 20, 0);
        let from = "billing@sub.dmarc-sp.example";
        let mut m = Core::new(
            mailbox("SP Group Billing", from),
            "Update the bank account for our refunds",
            t,
            &helo,
        )
        .text(
            "Hello,\n\n\
             Please update the bank account we use for refunds and credits to:\n\n\
             IBAN: XX00 0000 0000 0000 0000 00 (test data)\n\
             Account holder: SP Group Treasury\n\n\
             Please also change the billing contact to treasury@fastsend.example.\n\n\
             Billing team\n",
        )
        .into_msg();
        m.deliver(Delivery {
            helo: &helo,
            ip,
            rdns: Some(&helo),
            mail_from: "ops@fastsend.example",
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "dmarc-subdomain-policy",
            m,
            Expect {
                description: "DMARC fail with the subdomain policy: From sub.dmarc-sp.example has no record, the tree walk finds _dmarc.dmarc-sp.example (p=none; sp=reject), so sp=reject applies".into(),
                from: from.into(),
                from_name: "SP Group Billing".into(),
                subject: "Update the bank account for our refunds".into(),
                language: "en",
                account_change: true,
                request: "change refund bank account and billing contact",
                spf: "pass",
                spf_helo: "none",
                dmarc: "fail",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "unsigned; MAIL FROM fastsend.example; only the org-level DMARC record".into(),
                ..Default::default()
            },
        );
    }

    // --- dmarc-forwarded --------------------------------------------------------------------
    {
        let d = "dmarc-fwd.example";
        let host = "mail.dmarc-fwd.example";
        zone.mail_host(d, host, "198.51.100.57");
        zone.txt(d, "v=spf1 ip4:198.51.100.57 -all");
        zone.dkim_key("s2048", d, rsa_a.clone());
        zone.dmarc(d, "v=DMARC1; p=reject; rua=mailto:dmarc@dmarc-fwd.example");
        // The helpdesk's old domain forwards through its registrar's service.
        let fwd = "fwd1.mail-forward.example";
        let fwd_ip = "203.0.113.80";
        zone.host(fwd, fwd_ip);
        zone.txt(fwd, "v=spf1 a -all");
        zone.mx("helpdesk-legacy.example", 10, fwd);
        let t = at(2025, 11, 13, 13, 2, 40, JST);
        let from = "yamamoto.k@dmarc-fwd.example";
        let subj = "契約更新の見積書をお願いします";
        let mut m = Core::new(mailbox("山本 健二", from), subject(subj), t, host)
            .to("support@helpdesk-legacy.example")
            .text_b64(
                "サポート窓口 御中\n\n\
                 いつもお世話になっております。フォワード電機の山本です。\n\n\
                 来年1月の契約更新に向けて、現在と同じ30ライセンスでの\n\
                 見積書を作成していただけますでしょうか。\n\
                 宛名は「フォワード電機株式会社 購買部」でお願いします。\n\n\
                 以上、よろしくお願いいたします。\n\n\
                 山本 健二\n",
            )
            .into_msg();
        m.submitted("yamamoto-pc", "203.0.113.162", host, t.plus(1));
        m.sign(&keys.rsa_a, d, "s2048", RELAXED, t.plus(1));
        m.prepend(
            Hop {
                helo: host,
                rdns: Some(host),
                ip: "198.51.100.57",
                by: fwd,
                with: "ESMTPS",
                rcpt: Some("support@helpdesk-legacy.example"),
                at: t.plus(2),
                software: "(mail-forward)",
            }
            .header(),
        );
        m.deliver(Delivery {
            helo: fwd,
            ip: fwd_ip,
            rdns: Some(fwd),
            mail_from: from,
            via_relay: false,
            at: t.plus(4),
            auth_results: None,
        });
        out.push(
            "dmarc-forwarded",
            m,
            Expect {
                description: "Forwarded without SRS: the registrar's forwarder keeps the original MAIL FROM, so SPF fails at mx1, but the aligned DKIM signature survives and DMARC passes".into(),
                from: from.into(),
                from_name: "山本 健二".into(),
                subject: subj.into(),
                language: "ja",
                account_change: false,
                request: "quote for contract renewal",
                spf: "fail",
                spf_helo: "pass",
                dkim: dk(&[("pass", d)]),
                dmarc: "pass",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "rsa2048-a, d=dmarc-fwd.example s=s2048, relaxed; forwarded by fwd1.mail-forward.example (To: the helpdesk's legacy address)".into(),
                ..Default::default()
            },
        );
    }

    // ======================================================================
    // ARC
    // ======================================================================

    let list = "lists.example";
    let list_ip = "198.51.100.91";
    zone.host(list, list_ip);
    zone.mx(list, 10, list);
    zone.txt(list, "v=spf1 a -all");
    zone.dkim_key("arc2025", list, rsa_a.clone());
    zone.dkim_key("arc2023", list, rsa_b.clone());

    // A post to the customer's IT mailing list, which support@ is subscribed
    // to. Mailman tags the Subject (breaking the author's DKIM signature),
    // adds List-* fields and ARC-seals with the results it saw.
    let list_post = |zone: &mut Zone,
                     origin: &str,
                     origin_ip: &str,
                     from_name: &str,
                     from: &str,
                     subj: &str,
                     body: &str,
                     t: Ts|
     -> (Msg, String) {
        let host = format!("mail.{origin}");
        zone.mail_host(origin, &host, origin_ip);
        zone.txt(origin, format!("v=spf1 ip4:{origin_ip} -all"));
        zone.dkim_key("s2048", origin, rsa_a.clone());
        zone.dmarc(origin, "v=DMARC1; p=reject");
        let mut m = Core::new(mailbox(from_name, from), subj, t, &host)
            .cc("it-team@lists.example")
            .text(body)
            .into_msg();
        let sig = m.sign(&keys.rsa_a, origin, "s2048", RELAXED, t.plus(1));
        // The list receives it ...
        m.prepend(
            Hop {
                helo: &host,
                rdns: Some(&host),
                ip: origin_ip,
                by: list,
                with: "ESMTPS",
                rcpt: Some("it-team@lists.example"),
                at: t.plus(2),
                software: "(Postfix)",
            }
            .header(),
        );
        // ... and what it saw, before it changes anything:
        let aar = format!(
            "lists.example;\r\n\tdkim=pass header.d={origin} header.s=s2048 header.b={};\r\n\
             \tspf=pass (lists.example: domain of {from} designates {origin_ip}\r\n\
             \t as permitted sender) smtp.mailfrom={from};\r\n\
             \tdmarc=pass (p=REJECT) header.from={origin}",
            header_b(&sig)
        );
        m.replace("Subject", format!("[it-team] {subj}").as_bytes());
        for f in [
            "Precedence: list\r\n".to_string(),
            "List-Id: IT team discussion <it-team.lists.example>\r\n".into(),
            "List-Post: <mailto:it-team@lists.example>\r\n".into(),
            "List-Help: <mailto:it-team-request@lists.example?subject=help>\r\n".into(),
            "List-Unsubscribe: <mailto:it-team-leave@lists.example>\r\n".into(),
            "X-Mailman-Version: 3.3.9\r\n".into(),
        ]
        .into_iter()
        .rev()
        {
            m.prepend(f);
        }
        (m, aar)
    };

    let arc_body = "Hi all (and support, cc),\n\n\
                    Since this morning our SAML login fails for everyone in the Sales group\n\
                    with \"invalid audience\". Nothing changed on our side. Support, could you\n\
                    check whether the entity ID of our tenant was changed?\n\n\
                    Thanks,\n\
                    Hannah Lee\n\
                    IT, Arc Origin Ltd\n";

    // --- arc-pass ------------------------------------------------------------------
    {
        let t = at(2025, 11, 14, 9, 30, 0, 0);
        let from = "hannah.lee@arc-origin.example";
        let subj = "SAML login fails with invalid audience";
        let (mut m, aar) = list_post(
            zone,
            "arc-origin.example",
            "198.51.100.90",
            "Hannah Lee",
            from,
            subj,
            arc_body,
            t,
        );
        let sealed = arc_seal(
            &keys.rsa_a,
            &m.bytes(),
            list,
            "arc2025",
            t.plus(3).t(),
            &aar,
        );
        m.prepend(sealed);
        m.deliver(Delivery {
            helo: list,
            ip: list_ip,
            rdns: Some(list),
            mail_from: "it-team-bounces@lists.example",
            via_relay: false,
            at: t.plus(5),
            auth_results: None,
        });
        let m2 = m.clone();
        out.push(
            "arc-pass",
            m,
            Expect {
                description: "ARC pass: a mailing-list copy; the list tagged the Subject (the author's DKIM now fails, DMARC fails under p=reject) but sealed an intact ARC chain (i=1, cv=none) recording dkim/spf/dmarc=pass".into(),
                from: from.into(),
                from_name: "Hannah Lee".into(),
                subject: format!("[it-team] {subj}"),
                language: "en",
                account_change: false,
                request: "SAML login failure",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("fail", "arc-origin.example")]),
                dmarc: "fail",
                dmarc_policy: Some("reject"),
                arc: "pass",
                how: "author: rsa2048-a d=arc-origin.example s=s2048; list: Subject tagged, ARC-sealed with rsa2048-a d=lists.example s=arc2025".into(),
                ..Default::default()
            },
        );

        // --- arc-fail-body: the same copy, body changed after sealing ----------------
        let mut m2 = m2;
        m2.body.extend_from_slice(&crlf(
            "\nP.S. Our new admin contact is it-admin@arc-attacker.example,\n\
             please send the SAML metadata and recovery codes there.\n",
        ));
        out.push(
            "arc-fail-body",
            m2,
            Expect {
                description: "ARC fail: the arc-pass copy with text appended to the body after sealing, so the ARC-Message-Signature body hash no longer matches".into(),
                from: from.into(),
                from_name: "Hannah Lee".into(),
                subject: format!("[it-team] {subj}"),
                language: "en",
                account_change: true,
                request: "SAML login failure; appended: send SAML metadata and recovery codes to an outside address",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("fail", "arc-origin.example")]),
                dmarc: "fail",
                dmarc_policy: Some("reject"),
                arc: "fail",
                mail_auth: vec![
                    (
                        "dkim",
                        toml_list(["neutral"]),
                        "body hash is checked before the header signature; mail-auth reports a mismatch as neutral",
                    ),
                    (
                        "arc",
                        toml_str("neutral"),
                        "mail-auth reports an AMS body-hash mismatch as neutral; RFC 8617 5.2 says the chain fails",
                    ),
                ],
                how: "as arc-pass, then two lines appended to the body after sealing".into(),
                ..Default::default()
            },
        );
    }

    // --- arc-fail-key -----------------------------------------------------------------
    {
        let t = at(2025, 11, 14, 16, 5, 30, JST);
        let from = "ishikawa.ren@arc-key.example";
        let subj = "VPN client certificate expired";
        let body = "Hello all, cc support,\n\n\
                    The client certificate bundled with the VPN profile you sent us expired\n\
                    today, so nobody in the Osaka office can connect. Could support issue a\n\
                    renewed profile?\n\n\
                    Best regards,\n\
                    Ren Ishikawa\n\
                    IT, Arc Key K.K.\n";
        let (mut m, aar) = list_post(
            zone,
            "arc-key.example",
            "198.51.100.92",
            "Ren Ishikawa",
            from,
            subj,
            body,
            t,
        );
        // Sealed with rsa2048-a, but arc2023's record publishes rsa2048-b.
        let sealed = arc_seal(
            &keys.rsa_a,
            &m.bytes(),
            list,
            "arc2023",
            t.plus(3).t(),
            &aar,
        );
        m.prepend(sealed);
        m.deliver(Delivery {
            helo: list,
            ip: list_ip,
            rdns: Some(list),
            mail_from: "it-team-bounces@lists.example",
            via_relay: false,
            at: t.plus(5),
            auth_results: None,
        });
        out.push(
            "arc-fail-key",
            m,
            Expect {
                description: "ARC fail: the list sealed with selector arc2023, whose DNS record holds a different public key, so the ARC signatures do not verify".into(),
                from: from.into(),
                from_name: "Ren Ishikawa".into(),
                subject: format!("[it-team] {subj}"),
                language: "en",
                account_change: false,
                request: "renew an expired VPN client certificate",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("fail", "arc-key.example")]),
                dmarc: "fail",
                dmarc_policy: Some("reject"),
                arc: "fail",
                how: "as arc-pass, but sealed with rsa2048-a under s=arc2023 whose record is rsa2048-b".into(),
                ..Default::default()
            },
        );
    }

    // ======================================================================
    // Authentication-Results
    // ======================================================================

    // --- ar-trusted ------------------------------------------------------------------------
    {
        let d = "ar-trusted.example";
        let host = "mail.ar-trusted.example";
        let ip = "198.51.100.70";
        zone.mail_host(d, host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("s2048", d, rsa_a.clone());
        zone.dmarc(d, "v=DMARC1; p=reject; rua=mailto:dmarc@ar-trusted.example");
        let t = at(2025, 11, 15, 10, 20, 0, JST);
        let from = "kimura.sho@ar-trusted.example";
        let subj = "二段階認証の再設定について";
        let mut m = Core::new(mailbox("木村 翔", from), subject(subj), t, host)
            .text_b64(
                "サポートご担当者様\n\n\
                 お世話になっております。木村です。\n\n\
                 機種変更をしたため、認証アプリの二段階認証を再設定したいです。\n\
                 旧端末はまだ手元にありますが、手順を教えていただけますか。\n\n\
                 よろしくお願いいたします。\n\n\
                 木村 翔\n",
            )
            .into_msg();
        m.submitted("kimura-pc", "203.0.113.170", host, t.plus(1));
        let sig = m.sign(&keys.rsa_a, d, "s2048", RELAXED, t.plus(1));
        let ar = format!(
            "mx1.support.example.co.jp;\r\n\
             \tiprev=pass policy.iprev={ip} ({host});\r\n\
             \tspf=pass smtp.mailfrom={from};\r\n\
             \tdkim=pass header.d={d} header.s=s2048 header.b={};\r\n\
             \tdmarc=pass (p=reject) header.from={d}",
            header_b(&sig)
        );
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: true,
            at: t.plus(3),
            auth_results: Some(ar),
        });
        out.push(
            "ar-trusted",
            m,
            Expect {
                description: "Authentication-Results from the helpdesk's own authserv-id (mx1.support.example.co.jp) above the top Received field; it agrees with the real results (all pass); arrives through the trusted relay".into(),
                from: from.into(),
                from_name: "木村 翔".into(),
                subject: subj.into(),
                language: "ja",
                account_change: true,
                request: "how to re-register two-factor authentication on a new phone",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("pass", d)]),
                dmarc: "pass",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "rsa2048-a, d=ar-trusted.example s=s2048, relaxed; trusted A-R on top; relay hop".into(),
                ..Default::default()
            },
        );
    }

    // --- ar-forged -------------------------------------------------------------------------
    {
        let d = "ar-forged.example";
        zone.mail_host(d, "mail.ar-forged.example", "198.51.100.71");
        zone.txt(d, "v=spf1 ip4:198.51.100.71 -all");
        zone.dkim_key("s2048", d, rsa_a.clone());
        zone.dmarc(d, "v=DMARC1; p=reject");
        let ip = "203.0.113.71";
        let helo = vps(zone, ip);
        zone.txt("mailbox-secure.example", format!("v=spf1 ip4:{ip} -all"));
        zone.mx("mailbox-secure.example", 10, &helo);
        let t = at(2025, 11, 15, 23, 50, 41, 0);
        let from = "ceo@ar-forged.example";
        let mut m = Core::new(
            mailbox("Richard Hale (CEO)", from),
            "Disable 2FA on my account - urgent",
            t,
            &helo,
        )
        .text(
            "Hi,\n\n\
             I'm travelling and my security key was stolen with my bag. Disable 2FA on\n\
             ceo@ar-forged.example right now and reply with a temporary login link.\n\
             Don't call my assistant, she is on leave. I need this before the investor\n\
             call in an hour.\n\n\
             Richard Hale\n\
             CEO, AR Forged plc\n\
             Sent from my phone\n",
        )
        .into_msg();
        // Fields the attacker wrote into the message itself.
        m.prepend(format!(
            "Authentication-Results: mx.attacker.example;\r\n\
             \tspf=pass smtp.mailfrom={d};\r\n\
             \tdkim=pass header.d={d};\r\n\
             \tdmarc=pass header.from={d}\r\n"
        ));
        m.prepend(format!(
            "Authentication-Results: mx1.support.example.co.jp;\r\n\
             \tspf=pass smtp.mailfrom={from};\r\n\
             \tdkim=pass header.d={d} header.s=s2048;\r\n\
             \tdmarc=pass (p=reject) header.from={d}\r\n"
        ));
        // The attacker's own MTA.
        m.prepend(
            Hop {
                helo: "[203.0.113.201]",
                rdns: None,
                ip: "203.0.113.201",
                by: &helo,
                with: "ESMTPSA",
                rcpt: None,
                at: t.plus(1),
                software: "(Postfix)",
            }
            .header(),
        );
        m.deliver(Delivery {
            helo: &helo,
            ip,
            rdns: Some(&helo),
            mail_from: "ceo-office@mailbox-secure.example",
            via_relay: false,
            at: t.plus(3),
            auth_results: None,
        });
        out.push(
            "ar-forged",
            m,
            Expect {
                description: "Forged Authentication-Results: below the first untrusted Received field sit one claiming the helpdesk's authserv-id and one from mx.attacker.example, both saying pass; the real results are DMARC fail (p=reject)".into(),
                from: from.into(),
                from_name: "Richard Hale (CEO)".into(),
                subject: "Disable 2FA on my account - urgent".into(),
                language: "en",
                account_change: true,
                request: "disable two-factor authentication and send a login link",
                spf: "pass",
                spf_helo: "none",
                dmarc: "fail",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "unsigned; MAIL FROM mailbox-secure.example; forged A-R (mx1 + mx.attacker.example) under the attacker's Received".into(),
                ..Default::default()
            },
        );
    }

    // ======================================================================
    // Encodings
    // ======================================================================

    let legacy = |zone: &mut Zone,
                  d: &str,
                  ip: &str,
                  local: &str,
                  text: &legacy_text::Legacy,
                  content_type: &str,
                  cte: &'static str,
                  t: Ts,
                  policy: &'static str|
     -> (Msg, Expect) {
        let host = format!("mail.{d}");
        zone.mail_host(d, &host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("s2048", d, rsa_a.clone());
        zone.dmarc(d, &format!("v=DMARC1; p={policy}"));
        let from = format!("{local}@{d}");
        let from_hdr = format!("{} <{from}>", text.from_name_words.join("\r\n "));
        let mut body = text.body_lines.join(&b"\r\n"[..]);
        body.extend_from_slice(b"\r\n");
        let mut core = Core::new(from_hdr, text.subject_words.join("\r\n "), t, &host);
        core.content_type = content_type.to_string();
        core.cte = Some(cte);
        core.body = body;
        let mut m = core.into_msg();
        m.sign(&keys.rsa_a, d, "s2048", RELAXED, t.plus(1));
        m.deliver(Delivery {
            helo: &host,
            ip,
            rdns: Some(&host),
            mail_from: &from,
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        let e = Expect {
            from,
            from_name: text.from_name.into(),
            subject: text.subject.into(),
            language: "ja",
            spf: "pass",
            spf_helo: "pass",
            dkim: dk(&[("pass", d)]),
            dmarc: "pass",
            dmarc_policy: Some(policy),
            arc: "none",
            how: format!(
                "rsa2048-a, d={d} s=s2048, relaxed; {} headers and body ({cte})",
                text.mime
            ),
            ..Default::default()
        };
        (m, e)
    };

    // --- enc-iso2022jp ------------------------------------------------------------------
    {
        let (m, e) = legacy(
            zone,
            "enc-iso2022jp.example",
            "198.51.100.80",
            "taro.yamada",
            &legacy_text::ISO2022JP,
            "text/plain; charset=ISO-2022-JP",
            "7bit",
            at(2025, 11, 16, 8, 12, 9, JST),
            "reject",
        );
        out.push(
            "enc-iso2022jp",
            m,
            Expect {
                description: "ISO-2022-JP: display name and Subject as =?ISO-2022-JP?B?...?= encoded-words, 7bit ISO-2022-JP body; DKIM/SPF/DMARC pass".into(),
                account_change: true,
                request: "disable two-factor authentication (lost phone)",
                ..e
            },
        );
    }

    // --- enc-shift-jis --------------------------------------------------------------------
    {
        let (m, e) = legacy(
            zone,
            "enc-sjis.example",
            "198.51.100.81",
            "hanako.suzuki",
            &legacy_text::SHIFT_JIS,
            "text/plain; charset=Shift_JIS",
            "base64",
            at(2025, 11, 16, 11, 40, 0, JST),
            "quarantine",
        );
        out.push(
            "enc-shift-jis",
            m,
            Expect {
                description: "Shift_JIS: =?Shift_JIS?B?...?= display name and Subject, base64 Shift_JIS body; DKIM/SPF/DMARC pass".into(),
                account_change: false,
                request: "billing correction (charged for 12 instead of 10 users)",
                ..e
            },
        );
    }

    // --- enc-euc-jp -------------------------------------------------------------------------
    {
        let (m, e) = legacy(
            zone,
            "enc-eucjp.example",
            "198.51.100.82",
            "ken.sato",
            &legacy_text::EUC_JP,
            "text/plain; charset=EUC-JP",
            "8bit",
            at(2025, 11, 16, 14, 3, 27, JST),
            "none",
        );
        out.push(
            "enc-euc-jp",
            m,
            Expect {
                description: "EUC-JP: =?EUC-JP?B?...?= display name and Subject, 8bit EUC-JP body; DKIM/SPF/DMARC pass".into(),
                account_change: true,
                request: "tell me my current password (send it to this address)",
                ..e
            },
        );
    }

    // --- enc-utf8-qp --------------------------------------------------------------------------
    {
        let d = "enc-utf8.example";
        let host = "mail.enc-utf8.example";
        let ip = "198.51.100.83";
        zone.mail_host(d, host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("s2048", d, rsa_a.clone());
        zone.dmarc(d, "v=DMARC1; p=reject");
        let t = at(2025, 11, 16, 17, 55, 13, JST);
        let from = "misaki.takahashi@enc-utf8.example";
        let subj = "CSVレポートの出力方法を教えてください";
        let mut core = Core::new(mailbox("高橋 美咲", from), subject(subj), t, host);
        core.cte = Some("quoted-printable");
        core.body = quoted_printable(
            "サポートご担当者様\n\n\
             お世話になっております。高橋です。\n\n\
             月次の問い合わせ件数レポートをCSV形式で出力したいのですが、\n\
             「レポート」画面のどこから操作すればよいでしょうか。\n\
             期間を指定して出力できるかどうかも併せて教えてください。\n\n\
             よろしくお願いいたします。\n\n\
             高橋 美咲\n",
        );
        let mut m = core.into_msg();
        m.submitted("takahashi-mac", "203.0.113.183", host, t.plus(1));
        m.sign(&keys.rsa_a, d, "s2048", RELAXED, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "enc-utf8-qp",
            m,
            Expect {
                description: "UTF-8 Japanese: =?UTF-8?B?...?= display name and Subject, quoted-printable UTF-8 body; DKIM/SPF/DMARC pass".into(),
                from: from.into(),
                from_name: "高橋 美咲".into(),
                subject: subj.into(),
                language: "ja",
                account_change: false,
                request: "how to export a CSV report",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("pass", d)]),
                dmarc: "pass",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "rsa2048-a, d=enc-utf8.example s=s2048, relaxed; UTF-8 quoted-printable body".into(),
                ..Default::default()
            },
        );
    }

    // ======================================================================
    // MIME structure
    // ======================================================================

    // --- html-only --------------------------------------------------------------------------
    {
        let d = "html-only.example";
        let host = "mail.html-only.example";
        let ip = "198.51.100.84";
        zone.mail_host(d, host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("s2048", d, rsa_a.clone());
        zone.dmarc(d, "v=DMARC1; p=quarantine");
        let t = at(2025, 11, 17, 9, 0, 7, 0);
        let from = "chloe.dubois@html-only.example";
        let mut core = Core::new(
            mailbox("Chloé Dubois", from),
            "Change of account email",
            t,
            host,
        );
        core.content_type = "text/html; charset=UTF-8".into();
        core.cte = Some("quoted-printable");
        core.body = quoted_printable(
            "<!DOCTYPE html>\n\
             <html><head><meta charset=\"utf-8\"><title>Change of account email</title></head>\n\
             <body style=\"font-family: Arial, sans-serif; font-size: 14px;\">\n\
             <p>Bonjour,</p>\n\
             <p>Please change the e-mail address of my account from\n\
             <b>chloe.dubois@html-only.example</b> to\n\
             <a href=\"mailto:chloe.dubois.perso@freemail.example\">chloe.dubois.perso@freemail.example</a>.\n\
             I am leaving the company but still need access to our shared reports.</p>\n\
             <p>You can confirm here: <a href=\"https://account-verify.example/confirm?u=cdubois\">confirm my new address</a></p>\n\
             <p>Merci d&rsquo;avance,<br>Chlo&eacute; Dubois</p>\n\
             </body></html>\n",
        );
        let mut m = core.into_msg();
        m.sign(&keys.rsa_a, d, "s2048", RELAXED, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "html-only",
            m,
            Expect {
                description: "HTML-only message (single text/html part, quoted-printable, no text/plain) with a link; DKIM/SPF/DMARC pass".into(),
                from: from.into(),
                from_name: "Chloé Dubois".into(),
                subject: "Change of account email".into(),
                language: "en",
                account_change: true,
                request: "change account email to a personal address (leaving the company)",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("pass", d)]),
                dmarc: "pass",
                dmarc_policy: Some("quarantine"),
                arc: "none",
                how: "rsa2048-a, d=html-only.example s=s2048, relaxed; text/html only".into(),
                ..Default::default()
            },
        );
    }

    // --- multipart-attachment --------------------------------------------------------------
    {
        let d = "multipart.example";
        let host = "mail.multipart.example";
        let ip = "198.51.100.85";
        zone.mail_host(d, host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("s2048", d, rsa_a.clone());
        zone.dmarc(d, "v=DMARC1; p=reject");
        let t = at(2025, 11, 17, 14, 28, 50, -5 * 60);
        let from = "ben.carter@multipart.example";
        let outer = "----=_Part_20251117_0001";
        let inner = "----=_Alt_20251117_0002";
        let text = "Hello,\n\n\
                    The attached invoice INV-30377 lists the Premium support add-on, which\n\
                    we cancelled in August. Could you remove it and send a corrected invoice?\n\n\
                    Thanks,\n\
                    Ben Carter\n\
                    Purchasing, Multipart Manufacturing\n";
        let html = "<html><body><p>Hello,</p>\n\
                    <p>The attached invoice <b>INV-30377</b> lists the Premium support add-on, which\n\
                    we cancelled in August. Could you remove it and send a corrected invoice?</p>\n\
                    <p>Thanks,<br>Ben Carter<br>Purchasing, Multipart Manufacturing</p>\n\
                    </body></html>\n";
        let pdf = "%PDF-1.4\n\
                   1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
                   2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
                   3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj\n\
                   4 0 obj << /Length 58 >> stream\n\
                   BT /F1 12 Tf 72 770 Td (Invoice INV-30377 - test data) Tj ET\n\
                   endstream endobj\n\
                   trailer << /Root 1 0 R >>\n\
                   %%EOF\n";
        let mut body = String::new();
        let _ = write!(
            body,
            "This is a multi-part message in MIME format.\n\n\
             --{outer}\n\
             Content-Type: multipart/alternative; boundary=\"{inner}\"\n\n\
             --{inner}\n\
             Content-Type: text/plain; charset=us-ascii\n\
             Content-Transfer-Encoding: 7bit\n\n\
             {text}\n\
             --{inner}\n\
             Content-Type: text/html; charset=us-ascii\n\
             Content-Transfer-Encoding: 7bit\n\n\
             {html}\n\
             --{inner}--\n\n\
             --{outer}\n\
             Content-Type: application/pdf; name=\"INV-30377.pdf\"\n\
             Content-Disposition: attachment; filename=\"INV-30377.pdf\"\n\
             Content-Transfer-Encoding: base64\n\n"
        );
        let mut bytes = crlf(&body);
        bytes.extend(base64_lines(pdf.as_bytes()));
        bytes.extend(crlf(&format!("\n--{outer}--\n")));
        let mut core = Core::new(
            mailbox("Ben Carter", from),
            "Invoice INV-30377 includes a cancelled add-on",
            t,
            host,
        );
        core.content_type = format!("multipart/mixed; boundary=\"{outer}\"");
        core.cte = None;
        core.body = bytes;
        let mut m = core.with_x_mailer("Apple Mail (2.3826)").into_msg();
        m.sign(&keys.rsa_a, d, "s2048", RELAXED, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "multipart-attachment",
            m,
            Expect {
                description: "multipart/mixed: multipart/alternative (text/plain + text/html) and a base64 application/pdf attachment; DKIM/SPF/DMARC pass".into(),
                from: from.into(),
                from_name: "Ben Carter".into(),
                subject: "Invoice INV-30377 includes a cancelled add-on".into(),
                language: "en",
                account_change: false,
                request: "billing correction (cancelled add-on still invoiced)",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("pass", d)]),
                dmarc: "pass",
                dmarc_policy: Some("reject"),
                arc: "none",
                how: "rsa2048-a, d=multipart.example s=s2048, relaxed; PDF attachment".into(),
                ..Default::default()
            },
        );
    }

    // --- escape-sequences ----------------------------------------------------------------------
    {
        let d = "escape.example";
        let host = "mail.escape.example";
        let ip = "198.51.100.86";
        zone.mail_host(d, host, ip);
        zone.txt(d, format!("v=spf1 ip4:{ip} -all"));
        zone.dkim_key("s2048", d, rsa_a.clone());
        let t = at(2025, 11, 18, 4, 4, 4, 0);
        let from = "billing@escape.example";
        let name = "Billing\x1b[31m Team\x1b]0;title\x07";
        let subj = "\x1b[31mACTION REQUIRED\x1b[0m\x1b]0;title\x07 verify your account";
        let mut core = Core::new(
            format!("\"{name}\" <{from}>").into_bytes(),
            subj.as_bytes().to_vec(),
            t,
            host,
        );
        core = core.text(
            "Hello,\n\n\
             Your helpdesk seat is about to be suspended. Reply with the e-mail\n\
             address and current password of your admin account to keep it active.\n\n\
             Billing Team\n",
        );
        let mut m = core.into_msg();
        m.sign(&keys.rsa_a, d, "s2048", RELAXED, t.plus(1));
        m.deliver(Delivery {
            helo: host,
            ip,
            rdns: Some(host),
            mail_from: from,
            via_relay: false,
            at: t.plus(2),
            auth_results: None,
        });
        out.push(
            "escape-sequences",
            m,
            Expect {
                description: "Raw terminal escape sequences (ESC [31m, ESC ]0;title BEL) in the Subject and the From display name; output must neutralise them. DKIM and SPF pass; no DMARC record".into(),
                from: from.into(),
                from_name: name.into(),
                subject: subj.into(),
                language: "en",
                account_change: true,
                request: "send admin e-mail and password",
                spf: "pass",
                spf_helo: "pass",
                dkim: dk(&[("pass", d)]),
                dmarc: "none",
                arc: "none",
                how: "rsa2048-a, d=escape.example s=s2048, relaxed; raw ESC/BEL bytes in headers".into(),
                ..Default::default()
            },
        );
    }

    out.0
}

impl Core {
    fn with_x_mailer(self, mailer: &str) -> Core {
        self.with("X-Mailer", mailer)
    }
}

// ---------------------------------------------------------------------------
// README
// ---------------------------------------------------------------------------

fn readme(fixtures: &[Fixture]) -> String {
    let mut s = String::from(README_HEAD);
    s.push_str(
        "| file | scenario | how it was made | spf (helo) | dkim | dmarc (policy) | arc |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for f in fixtures {
        let e = &f.expect;
        let dkim = if e.dkim.is_empty() {
            "none".to_string()
        } else {
            e.dkim
                .iter()
                .map(|(r, d)| format!("{r} ({d})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let dmarc = match e.dmarc_policy {
            Some(p) => format!("{} ({p})", e.dmarc),
            None => e.dmarc.to_string(),
        };
        let esc = |t: &str| t.replace('|', "\\|");
        let _ = writeln!(
            s,
            "| `{}.eml` | {} | {} | {} ({}) | {} | {} | {} |",
            f.name,
            esc(&e.description),
            esc(&e.how),
            e.spf,
            e.spf_helo,
            dkim,
            dmarc,
            e.arc
        );
    }
    s.push_str(README_TAIL);
    s
}

const README_HEAD: &str = r#"# Authentication test corpus

Realistic RFC 5322 messages as the helpdesk's inbound host
`mx1.support.example.co.jp` (192.0.2.25) stores them, each with the DNS data
needed to authenticate it and the results a correct verifier must report.
Customer and attacker names are under the reserved `.example` TLD, each
scenario its own registrable domain (`spf-fail.example`), so none imitates
the helpdesk's `example.co.jp`; all addresses are
documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
2001:db8::/32). Every message is CRLF-terminated.

**`mail/`, `dns/` and this README are generated** (`keys/` is fixed;
`impostor.toml` is the tool's test configuration, kept by hand): edit
`examples/fixtures.rs` and run

```sh
cargo run --example fixtures            # rewrites fixtures/mail, fixtures/dns, fixtures/README.md
cargo run --example fixtures_check      # verifies every message with mail-auth against zone.json
```

Regeneration is byte-for-byte reproducible: Date headers, Received
timestamps and DKIM/ARC `t=` values are fixed, and RSA PKCS#1 v1.5 and
Ed25519 signatures are deterministic. mail-auth's own `DkimSigner::sign()`
and `ArcSealer::seal()` always stamp `SystemTime::now()` into `t=`, so the
generator does not call them; it runs the same steps with mail-auth's public
pieces (`dkim::Signature::canonicalize`, `Canonicalization`,
`SigningKey::sign`, the `ArcSet` header writer) and a fixed `t=`. No
signature carries `x=` (no expiry).

The three legacy-charset messages (ISO-2022-JP, Shift_JIS, EUC-JP) embed
bytes produced by Python's codecs: `python3 examples/fixtures_text.py
--update examples/fixtures.rs` re-encodes the texts kept in that script.

## Layout

- `keys/`: the fixed test keys (private; test use only).
- `mail/NAME.eml`: the message; `mail/NAME.expect.toml`: what a correct
  verifier reports for it.
- `dns/zone.json`: the DNS snapshot: `{"txt": {name: [strings]}, "a": {name:
  [ip]}, "aaaa": {name: [ip6]}, "mx": {name: [[pref, host]]}, "ptr": {ip:
  [names]}}`. Names are lower-case without a trailing dot. A TXT list of
  strings is one record split into <=255-byte pieces; a list of lists is
  several records (only `spf-dup.example` has that). A name that is
  absent is NXDOMAIN.

## Keys

Made once with OpenSSL 3.0 and never regenerated (the DKIM/ARC key records
in `zone.json` are derived from them at generation time):

```sh
openssl genrsa -out fixtures/keys/rsa2048-a.pem 2048
openssl genrsa -out fixtures/keys/rsa2048-b.pem 2048
openssl genpkey -algorithm ed25519 -out fixtures/keys/ed25519.pem
```

All three are unencrypted PKCS#8 PEM (`BEGIN PRIVATE KEY`). The RSA key
records publish the SubjectPublicKeyInfo (`openssl pkey -pubout`), the
Ed25519 record the raw 32-byte key (RFC 8463).

- `rsa2048-a.pem`: every RSA DKIM signature except the ESP's (selectors
  `s2048`, `mail2025`, `esp1`, `old2019`) and the mailing list's ARC key
  (`arc2025._domainkey.lists.example`).
- `rsa2048-b.pem`: the ESP's DKIM key (`k1._domainkey.esp.example`); also
  what `arc2023._domainkey.lists.example` publishes, which is why
  `arc-fail-key.eml` (sealed with key a under `arc2023`) fails.
- `ed25519.pem`: `ed2025._domainkey.dkim-ed25519.example`.

## Expectation files

```toml
description = "..."
client_ip = "198.51.100.10"     # the SMTP client mx1 (or the trusted relay) talked to
helo = "mail.spf-pass.example"
mail_from = "alice@..."         # "" for a null reverse-path

[message]
from = "alice@..."              # RFC5322.From address
from_name = "Alice Johnson"     # decoded display name
subject = "..."                 # decoded Subject
language = "en"                 # en | ja
account_change = false          # asks to change login/2FA/credentials/contact details
request = "..."                 # short summary of what is asked

[auth]                          # RFC 8601 result words
spf = "pass"                    # MAIL FROM identity (HELO identity for a null sender)
spf_helo = "pass"               # HELO identity
dkim = ["pass"]                 # one per DKIM-Signature, in header order ([] if unsigned)
dkim_domains = ["..."]          # the d= of each
dmarc = "pass"                  # pass | fail | none | temperror | permerror
dmarc_policy = "reject"         # the policy of the record that applies (p, or sp for a subdomain);
                                # present whenever a DMARC record was found
arc = "none"                    # pass | fail | none

[mail_auth]                     # optional: what mail-auth 0.13.3 answers where it differs
```

Trust model assumed by the expectations: only Received fields added by
`mx1.support.example.co.jp` and `relay.support.example.co.jp` (192.0.2.26)
are trusted; the client is the `from` host of the topmost Received field
not added by the relay. DMARC follows RFC 9989 (DMARCbis): the policy record
and organizational domains come from the DNS tree walk, not the Public Suffix
List. For every fixture except `dmarc-subdomain-policy.eml` a PSL-based
(RFC 7489) evaluator reaches the same result; for that one it would look for
`_dmarc.example`, find nothing and say `none`.

Every message is addressed `To: support@example.co.jp` except
`dmarc-forwarded.eml` (sent to the helpdesk's old address
`support@helpdesk-legacy.example`, which a registrar forwards); the three
`arc-*` messages also carry `Cc: it-team@lists.example`, the list whose
copy is the one delivered.

## Messages

"#;

const README_TAIL: &str = r#"
## Where mail-auth 0.13.3 disagrees

`cargo run --example fixtures_check` holds mail-auth to the `[mail_auth]`
values where present:

- **Two SPF records** (`spf-permerror-dup`): mail-auth uses the first TXT
  record that parses as SPF instead of returning permerror (RFC 7208 4.5),
  so its answer depends on record order.
- **HELO before MAIL FROM** (`spf-helo-fail`): `SpfParameters::verify()`
  checks HELO first and returns the HELO result whenever that is `fail`, even
  though the MAIL FROM identity passes; use `verify_mail_from()` /
  `verify_ehlo()` separately to get both identities.
- **Body hash mismatch** (`dkim-fail-body`, and `arc-fail-body`): mail-auth
  returns `neutral` for a DKIM body-hash mismatch and for an ARC-Message-Signature
  body-hash mismatch. RFC 6376 makes the former a PERMFAIL (reported as
  `fail` here) and RFC 8617 5.2 makes the latter a failed chain.
- A revoked key (`p=` empty) is reported by mail-auth as `permerror`, which
  is what the expectation uses as well.
"#;

// BEGIN legacy_text (generated by examples/fixtures_text.py; do not edit by hand)
#[rustfmt::skip]
mod legacy_text {
    /// One legacy-charset text: the Unicode original and its encoded forms.
    pub(crate) struct Legacy {
        pub(crate) mime: &'static str,
        pub(crate) from_name: &'static str,
        pub(crate) subject: &'static str,
        /// RFC 2047 encoded-words of the display name, one per folded line.
        pub(crate) from_name_words: &'static [&'static str],
        /// RFC 2047 encoded-words of the Subject, one per folded line.
        pub(crate) subject_words: &'static [&'static str],
        /// Body lines in the target charset (joined with CRLF; for Shift_JIS
        /// these are already the base64 lines).
        pub(crate) body_lines: &'static [&'static [u8]],
    }
    pub(crate) const ISO2022JP: Legacy = Legacy {
        mime: "ISO-2022-JP",
        from_name: "山田 太郎",
        subject: "【至急】二段階認証を解除してください",
        from_name_words: &[
            "=?ISO-2022-JP?B?GyRCOzNFRBsoQiAbJEJCQE86GyhC?=",
        ],
        subject_words: &[
            "=?ISO-2022-JP?B?GyRCIVo7ajVeIVtGc0NKMyxHJz5aJHIycj18JDckRiQvJEAkNSQkGyhC?=",
        ],
        body_lines: &[
            b"\x1b$B%5%]!<%H$4C4Ev<TMM\x1b(B",
            b"",
            b"\x1b$B$$$D$b$*@$OC$K$J$C$F$*$j$^$9!#\x1b(B",
            b"\x1b$B3t<02q<R%5%s%W%k>&;v\x1b(B \x1b$B7PM}It$N;3ED$G$9!#\x1b(B",
            b"",
            b"\x1b$B:rF|%9%^!<%H%U%)%s$rJ6<:$7$F$7$^$$!\"G'>Z%\"%W%j$N%3!<%I$,3NG'$G$-$^$;$s!#\x1b(B",
            b"\x1b$B;j5^!\";d$N%\"%+%&%s%H!J\x1b(Btaro.yamada@enc-iso2022jp.example\x1b$B!K$N\x1b(B",
            b"\x1b$BFsCJ3,G'>Z$r2r=|$7$F$$$?$@$1$J$$$G$7$g$&$+!#\x1b(B",
            b"",
            b"\x1b$BK\\F|Cf$K7n<!$NDy$a=hM}$,$\"$j!\"%m%0%$%s$G$-$J$$$HBgJQ:$$j$^$9!#\x1b(B",
            b"\x1b$B2r=|$,:Q$_$^$7$?$i!\"$3$N%a!<%k%\"%I%l%908$K$4O\"Mm$/$@$5$$!#\x1b(B",
            b"",
            b"\x1b$B$h$m$7$/$*4j$$$$$?$7$^$9!#\x1b(B",
            b"",
            b"--",
            b"\x1b$B;3ED\x1b(B \x1b$BB@O:\x1b(B",
            b"\x1b$B3t<02q<R%5%s%W%k>&;v\x1b(B \x1b$B7PM}It\x1b(B",
        ],
    };
    pub(crate) const SHIFT_JIS: Legacy = Legacy {
        mime: "Shift_JIS",
        from_name: "鈴木 花子",
        subject: "10月分の請求書の金額について",
        from_name_words: &[
            "=?Shift_JIS?B?l+mW2CCJ1I5x?=",
        ],
        subject_words: &[
            "=?Shift_JIS?B?MTCMjpWqgsyQv4uBj5GCzIvginqCyYLCgqKCxA==?=",
        ],
        body_lines: &[
            b"g1SDfIFbg2eDWoOTg16BW4zkkoYNCg0KgqiQophigsmCyILBgsSCqILogtyCt4FCgt2CyILGlaiO",
            b"WYLMl+mW2ILFgreBQg0KDQoxMIyOlaqCzJC/i4GPkYFpkL+LgY+RlNSNhiBJTlYtMjAyNS0xMC0w",
            b"MDQygWqC8IptlEaCtYK9gsaCsYLrgUENCjEyg4aBW4NVgVuVqoLMi+CKeoLFkL+LgYKzguqCxIKi",
            b"gtyCtYK9gUINCpW+jtCCzIxflvGCzTEwg4aBW4NVgVuCzILNgriCxYK3gsyCxYFBgrKKbZRGgqKC",
            b"vYK+gq+C3IK3gsWCtYLlgqSCqYFCDQoNCpCzgrWCoovginqCzJC/i4GPkYLwjcSUrY1zgrWCxIKi",
            b"gr2CvoKvgtyCtYK9gueNS4KigsWCt4FCDQqOeJWlivqT+oKqi9+CooK9gt+BQYKokYGC34LJgrKJ",
            b"8ZOagqKCvYK+gq+C6YLGj5WCqYLogtyCt4FCDQoNCoLHgqSCvILmguuCtYKtgqiK6IKigqKCvYK1",
            b"gtyCt4FCDQoNCpfpltggidSOcQ0Kgt2CyILGlaiOWYqUjq6J747QIJGNlrGJ2w0K",
        ],
    };
    pub(crate) const EUC_JP: Legacy = Legacy {
        mime: "EUC-JP",
        from_name: "佐藤 健",
        subject: "パスワードを教えてください",
        from_name_words: &[
            "=?EUC-JP?B?urTGoyC38g==?=",
        ],
        subject_words: &[
            "=?EUC-JP?B?pdGluaXvobylyaTytrWkqKTGpK+kwKS1pKQ=?=",
        ],
        body_lines: &[
            b"\xa4\xaa\xc0\xa4\xcf\xc3\xa4\xcb\xa4\xca\xa4\xc3\xa4\xc6\xa4\xaa\xa4\xea\xa4\xde\xa4\xb9\xa1\xa3\xba\xb4\xc6\xa3\xa4\xc7\xa4\xb9\xa1\xa3",
            b"",
            b"\xc0\xe8\xbd\xb5\xa4\xab\xa4\xe9\xa5\xed\xa5\xb0\xa5\xa4\xa5\xf3\xa4\xc7\xa4\xad\xa4\xca\xa4\xaf\xa4\xca\xa4\xc3\xa4\xc6\xa4\xb7\xa4\xde\xa4\xa4\xa4\xde\xa4\xb7\xa4\xbf\xa1\xa3",
            b"\xa5\xd1\xa5\xb9\xa5\xef\xa1\xbc\xa5\xc9\xa4\xf2\xcb\xba\xa4\xec\xa4\xc6\xa4\xb7\xa4\xde\xa4\xc3\xa4\xbf\xa4\xce\xa4\xc7\xa1\xa2\xb8\xbd\xba\xdf\xa4\xce\xa5\xd1\xa5\xb9\xa5\xef\xa1\xbc\xa5\xc9\xa4\xf2\xb6\xb5\xa4\xa8\xa4\xc6\xa4\xaf\xa4\xc0\xa4\xb5\xa4\xa4\xa1\xa3",
            b"",
            b"\xc5\xd0\xcf\xbf\xa4\xb7\xa4\xc6\xa4\xa4\xa4\xeb\xa5\xe1\xa1\xbc\xa5\xeb\xa5\xa2\xa5\xc9\xa5\xec\xa5\xb9\xa4\xcf\xc2\xe0\xbf\xa6\xa4\xb7\xa4\xbf\xc1\xb0\xc7\xa4\xbc\xd4\xa4\xce\xa4\xe2\xa4\xce\xa4\xc7\xa1\xa2",
            b"\xa4\xe2\xa4\xa6\xbc\xf5\xbf\xae\xa4\xc7\xa4\xad\xa4\xde\xa4\xbb\xa4\xf3\xa1\xa3\xa5\xd1\xa5\xb9\xa5\xef\xa1\xbc\xa5\xc9\xa4\xcf\xa4\xb3\xa4\xce\xa5\xe1\xa1\xbc\xa5\xeb\xa4\xd8\xa4\xce\xca\xd6\xbf\xae\xa4\xc7\xc1\xf7\xa4\xc3\xa4\xc6\xa4\xaf\xa4\xc0\xa4\xb5\xa4\xa4\xa1\xa3",
            b"",
            b"\xb5\xde\xa4\xae\xa4\xc7\xc0\xc1\xb5\xe1\xa5\xc7\xa1\xbc\xa5\xbf\xa4\xf2\xb3\xce\xc7\xa7\xa4\xb9\xa4\xeb\xc9\xac\xcd\xd7\xa4\xac\xa4\xa2\xa4\xeb\xa4\xbf\xa4\xe1\xa1\xa2",
            b"\xcb\xdc\xc6\xfc\xc3\xe6\xa4\xcb\xc2\xd0\xb1\xfe\xa4\xb7\xa4\xc6\xa4\xa4\xa4\xbf\xa4\xc0\xa4\xb1\xa4\xeb\xa4\xc8\xbd\xf5\xa4\xab\xa4\xea\xa4\xde\xa4\xb9\xa1\xa3",
            b"",
            b"\xba\xb4\xc6\xa3 \xb7\xf2",
        ],
    };
}
// END legacy_text
