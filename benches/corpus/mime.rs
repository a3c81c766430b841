//! Small encoders the generator needs: base64, quoted-printable, ISO-2022-JP, RFC 2047
//! encoded-words, RFC 2231 parameters, dates, and a deterministic PRNG.

use std::collections::HashMap;
use std::sync::OnceLock;

/// SplitMix64: tiny, fast, and good enough to vary a corpus. Fixed seeds make it deterministic.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        let mut r = Rng(seed);
        r.next();
        r
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[0, n)`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    pub(crate) fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub(crate) fn hex(&mut self, digits: usize) -> String {
        let mut s = String::with_capacity(digits);
        while s.len() < digits {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(digits);
        s
    }
}

pub(crate) use super::keys::{base64, base64_lines};

/// `\n`-separated text to CRLF lines, the last one terminated.
pub(crate) fn crlf(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 30 + 2);
    for line in text.trim_end_matches('\n').split('\n') {
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Quoted-printable (RFC 2045): CRLF hard breaks, soft breaks keep lines within 76 characters.
pub(crate) fn quoted_printable(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() * 2);
    let text = data.strip_suffix(b"\n").unwrap_or(data);
    for line in text.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut width = 0;
        for (i, &b) in line.iter().enumerate() {
            let last = i + 1 == line.len();
            let literal =
                ((b == b' ' || b == b'\t') && !last) || ((33..=126).contains(&b) && b != b'=');
            let len = if literal { 1 } else { 3 };
            if width + len > 75 {
                out.extend_from_slice(b"=\r\n");
                width = 0;
            }
            if literal {
                out.push(b);
            } else {
                out.extend_from_slice(format!("={b:02X}").as_bytes());
            }
            width += len;
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// JIS X 0208 code of every character the ISO-2022-JP decoder mail-parser uses knows, built by
/// decoding every two-byte code once (the first code of a character wins, as encoders do).
fn jis_table() -> &'static HashMap<char, [u8; 2]> {
    static TABLE: OnceLock<HashMap<char, [u8; 2]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let decode = mail_parser::decoders::charsets::map::charset_decoder(b"iso-2022-jp")
            .expect("mail-parser decodes ISO-2022-JP");
        let mut table = HashMap::with_capacity(8000);
        for b1 in 0x21u8..=0x7e {
            for b2 in 0x21u8..=0x7e {
                let text = decode(&[0x1b, b'$', b'B', b1, b2, 0x1b, b'(', b'B']);
                let mut chars = text.chars();
                if let (Some(c), None) = (chars.next(), chars.next())
                    && c != '\u{fffd}'
                    && !c.is_ascii()
                {
                    table.entry(c).or_insert([b1, b2]);
                }
            }
        }
        table
    })
}

/// ISO-2022-JP (RFC 1468) for one line of text: `None` when a character has no JIS X 0208
/// code (half-width katakana, emoji, …). The line ends in ASCII mode.
fn iso2022jp_line(line: &str, out: &mut Vec<u8>) -> Option<()> {
    let table = jis_table();
    let mut jis = false;
    for c in line.chars() {
        if c.is_ascii() {
            if c == '\x1b' || c == '\x0e' || c == '\x0f' {
                return None;
            }
            if jis {
                out.extend_from_slice(b"\x1b(B");
                jis = false;
            }
            out.push(c as u8);
        } else {
            let code = table.get(&c)?;
            if !jis {
                out.extend_from_slice(b"\x1b$B");
                jis = true;
            }
            out.extend_from_slice(code);
        }
    }
    if jis {
        out.extend_from_slice(b"\x1b(B");
    }
    Some(())
}

/// `\n`-separated text as ISO-2022-JP CRLF lines, or `None` when it cannot be encoded.
pub(crate) fn iso2022jp(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 2);
    for line in text.trim_end_matches('\n').split('\n') {
        iso2022jp_line(line, &mut out)?;
        out.extend_from_slice(b"\r\n");
    }
    Some(out)
}

/// Whether every character of `text` has an ISO-2022-JP encoding.
pub(crate) fn jis_encodable(text: &str) -> bool {
    let table = jis_table();
    text.chars()
        .all(|c| (c.is_ascii() && c != '\x1b') || table.contains_key(&c))
}

/// RFC 2047 B encoded-words for a header value, folded (CRLF + space) between words.
/// `jis`: ISO-2022-JP words (each one returns to ASCII), else UTF-8.
pub(crate) fn encoded_words(text: &str, jis: bool) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let charset = if jis { "ISO-2022-JP" } else { "UTF-8" };
    let mut words = Vec::new();
    let mut chunk = String::new();
    let raw = |s: &str| -> Vec<u8> {
        if jis {
            let mut out = Vec::new();
            iso2022jp_line(s, &mut out).expect("checked encodable");
            out
        } else {
            s.as_bytes().to_vec()
        }
    };
    for c in text.chars() {
        let mut candidate = chunk.clone();
        candidate.push(c);
        // An encoded-word is at most 75 characters (RFC 2047 §2).
        if 12 + charset.len() + raw(&candidate).len().div_ceil(3) * 4 > 75 && !chunk.is_empty() {
            words.push(format!("=?{charset}?B?{}?=", base64(&raw(&chunk))));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?{charset}?B?{}?=", base64(&raw(&chunk))));
    }
    words.join("\r\n ")
}

/// RFC 2231 extended parameter value: `UTF-8''percent-encoded`.
pub(crate) fn rfc2231(text: &str) -> String {
    let mut out = String::from("UTF-8''");
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Escapes text for HTML.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A point in time with the UTC offset it is written in.
#[derive(Clone, Copy)]
pub(crate) struct Ts {
    pub(crate) unix: i64,
    /// Offset in minutes east of UTC.
    pub(crate) tz: i32,
}

impl Ts {
    pub(crate) fn plus(self, seconds: i64) -> Ts {
        Ts {
            unix: self.unix + seconds,
            tz: self.tz,
        }
    }

    pub(crate) fn in_tz(self, tz: i32) -> Ts {
        Ts {
            unix: self.unix,
            tz,
        }
    }

    fn parts(self) -> (&'static str, i64, &'static str, i64, i64, i64, i64) {
        super::mail::date_parts(self.unix, i64::from(self.tz))
    }

    /// `Tue, 24 Nov 2026`, as English mail mentions a date.
    pub(crate) fn date_en(self) -> String {
        let (wd, d, mon, y, ..) = self.parts();
        format!("{wd}, {d} {mon} {y}")
    }

    /// `11月24日`, as Japanese mail mentions a date.
    pub(crate) fn date_ja(self) -> String {
        let (_, d, mon, ..) = self.parts();
        let m = super::mail::MONTHS
            .iter()
            .position(|x| *x == mon)
            .unwrap_or(0)
            + 1;
        format!("{m}月{d}日")
    }

    /// RFC 5322 date-time, e.g. `Tue, 24 Nov 2026 10:00:00 +0900`.
    pub(crate) fn rfc5322(self) -> String {
        super::mail::rfc5322(self.unix, i64::from(self.tz))
    }

    /// asctime(3) in UTC, as mbox separators carry it, e.g. `Tue Nov 24 01:00:00 2026`.
    pub(crate) fn asctime(self) -> String {
        let (wd, d, mon, y, h, mi, s) = self.in_tz(0).parts();
        format!("{wd} {mon} {d:>2} {h:02}:{mi:02}:{s:02} {y}")
    }
}
