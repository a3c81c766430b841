//! Shared by the fixture generator (`examples/fixtures.rs`) and the benchmark corpus
//! (`benches/corpus/`): DKIM signing at a fixed timestamp, and the calendar arithmetic of
//! RFC 5322 dates. Included with `#[path]`, not a crate of its own.
//!
//! mail-auth's `DkimSigner::sign` stamps `t=` with `SystemTime::now()`, which would make every
//! generated file differ. `sign_at` takes the same three steps it takes
//! (`Signature::canonicalize`, `SigningKey::hash` of the body, `SigningKey::sign` of the
//! canonical headers followed by the signature with an empty `b=`) with a given `t=`. RSA
//! PKCS#1 v1.5 and Ed25519 signatures are deterministic, so the output is too.

use mail_auth::common::crypto::SigningKey;
use mail_auth::common::headers::{HeaderStream, Writable, Writer};
use mail_auth::dkim::Signature;
use mail_auth::dkim::canonicalize::CanonicalHeaders;

/// Header fields a sender's DKIM signer covers: the generator signs those present, the
/// corpus all of them (those absent are signed as absent, as `DkimSigner` does).
pub(crate) const SIGNED_HEADERS: &[&str] = &[
    "From",
    "Reply-To",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
];

/// Header fields as mail-auth parses them (name without the colon; value from after the colon
/// through the final CRLF), and the body.
pub(crate) struct Fields<'x> {
    pub(crate) headers: std::vec::IntoIter<(&'x [u8], &'x [u8])>,
    pub(crate) body: &'x [u8],
}

impl<'x> HeaderStream<'x> for Fields<'x> {
    fn next_header(&mut self) -> Option<(&'x [u8], &'x [u8])> {
        self.headers.next()
    }

    fn body(&mut self) -> &'x [u8] {
        self.body
    }
}

/// What a DKIM signature signs: the canonical signed fields, then the signature field with
/// `b=` empty (exactly what `DkimSigner::sign` hashes).
struct Signable<'a> {
    headers: CanonicalHeaders<'a>,
    signature: &'a Signature,
}

impl Writable for Signable<'_> {
    fn write(self, writer: &mut impl Writer) {
        self.headers.write(writer);
        self.signature.write(writer, false);
    }
}

/// Completes `signature` (its `a`, `d`, `s`, canonicalization and wanted `h` set) over
/// `fields`: `bh`, `h` as signed, `t`, and `b`.
pub(crate) fn sign_at<K: SigningKey>(
    key: &K,
    mut signature: Signature,
    fields: Fields<'_>,
    t: u64,
) -> Signature {
    let (_, headers, signed, body) = signature.canonicalize(fields);
    signature.bh = key.hash(body).as_ref().to_vec();
    signature.t = t;
    signature.h = signed;
    signature.b = key
        .sign(Signable {
            headers,
            signature: &signature,
        })
        .expect("DKIM signing");
    signature
}

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
/// Month abbreviations, January first.
pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01: (year, month 1–12, day).
fn civil_from_days(z: i64) -> (i64, usize, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as usize, d)
}

/// The parts of `unix` seen at UTC offset `tz` minutes: weekday, day, month, year, hour,
/// minute, second.
pub(crate) fn date_parts(
    unix: i64,
    tz: i64,
) -> (&'static str, i64, &'static str, i64, i64, i64, i64) {
    let local = unix + tz * 60;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    (
        DAYS[days.rem_euclid(7) as usize],
        d,
        MONTHS[m - 1],
        y,
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
    )
}

/// RFC 5322 date-time of `unix` at UTC offset `tz` minutes, e.g.
/// `Tue, 24 Nov 2026 10:00:00 +0900`.
pub(crate) fn rfc5322(unix: i64, tz: i64) -> String {
    let (wd, d, mon, y, h, mi, s) = date_parts(unix, tz);
    let sign = if tz < 0 { '-' } else { '+' };
    let tz = tz.abs();
    format!(
        "{wd}, {d} {mon} {y} {h:02}:{mi:02}:{s:02} {sign}{:02}{:02}",
        tz / 60,
        tz % 60
    )
}
