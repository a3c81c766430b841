//! DKIM vectors from dkimpy 1.1.8 (`shared/conformance/dkim/`), through `impostor::auth::verify`
//! against `dns-snapshot.json` (and variants of it) served by a loopback DNS server.
//!
//! Runs: the 9 fixed-data verification cases of the README table, and the sign-then-verify
//! round trips it lists, signed with mail-auth's `DkimSigner` (the keys of the data folder) and
//! verified by impostor. ring, mail-auth's crypto backend, refuses to *sign* with RSA keys under
//! 2048 bits, and dkimpy's main keys are 1024-bit: those are signed through `DkimSigner` with a
//! small PKCS#1 v1.5 `SigningKey` at the end of this file, checked bit for bit against ring.
//! Signing follows dkimpy's defaults: every header present except `Received`, `Return-Path`
//! and `DKIM-Signature`, with `From` over-signed (`h=` names it once more than it occurs),
//! which is what makes an added `From` header break the signature. "sign all headers" cases
//! sign every header name present.
//!
//! Does not run: dkimpy's own API cases (argument validation, `l=` handling, its key parsers),
//! nor the "reject without a DNS lookup" half of the bad-domain case (the loopback server does
//! not report which names were asked for). `rfc6376.w1258.msg` only has to sign and verify
//! without a crash.

use super::{Outcome, crlf, read_suite_file, read_suite_text, serve};
use impostor::auth::dns::{DnsView, Snapshot};
use impostor::auth::{AuthResult, Envelope, verify};
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256, SigningKey};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::{Canonicalization, DkimSigner};
use mail_parser::decoders::base64::base64_decode;
use small_rsa::SmallRsaKey;

const FOOTBALL_TEST: &str = "test._domainkey.football.example.com";
const EXAMPLE_TEST: &str = "test._domainkey.example.com";
const CORRUPT_KEY: &str = "k=rsa; p=MFwwDQYJKoZIhvNAQEBBQADSwAwSAJBANmBe10IgY+u7h3enWTukkqtUD5PR52Tb/mPfjC0QJTocVBq6Za/PlzfV+Py92VaCak19F4WrbVTK5Gg5tW220MCAwEAAQ==";

/// Headers dkimpy does not sign by default.
const NOT_SIGNED: &[&str] = &["received", "return-path", "dkim-signature"];

fn data(name: &str) -> Vec<u8> {
    crlf(&read_suite_file(&format!("dkim/data/{name}")))
}

/// A key record file's value (one line).
fn record(name: &str) -> String {
    read_suite_text(&format!("dkim/data/{name}"))
        .trim()
        .to_string()
}

fn base_snapshot() -> Snapshot {
    serde_json::from_str(&read_suite_text("dkim/dns-snapshot.json"))
        .expect("dkim/dns-snapshot.json is a snapshot")
}

fn with_record(name: &str, value: String) -> Snapshot {
    let mut snap = base_snapshot();
    snap.txt.insert(name.to_string(), vec![vec![value]]);
    snap
}

/// The words of one signature's result, found by `d=` and `s=`; `None` when absent.
async fn result_of(view: &DnsView, message: &[u8], d: &str, s: &str) -> Option<AuthResult> {
    let results = verify(view, message, &Envelope::default()).await;
    results
        .dkim
        .iter()
        .find(|c| c.domain.eq_ignore_ascii_case(d) && c.selector.eq_ignore_ascii_case(s))
        .map(|c| c.result)
}

fn expect(got: Option<AuthResult>, acceptable: &[AuthResult]) -> Result<(), String> {
    match got {
        Some(r) if acceptable.contains(&r) => Ok(()),
        other => Err(format!(
            "got {}, expected {}",
            other.map_or("no such signature", |r| r.as_str()),
            acceptable
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        )),
    }
}

use AuthResult::{Fail, Pass, PermError};

/// Header names of a message, in order, with repeats.
fn header_names(message: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(message);
    let mut names = Vec::new();
    for line in text.split("\r\n") {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if let Some((name, _)) = line.split_once(':') {
            names.push(name.trim().to_string());
        }
    }
    names
}

/// What dkimpy signs: each header present (except the unsigned ones, unless `all`), as often as
/// it occurs, plus one more `From`.
fn headers_to_sign(message: &[u8], all: bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in header_names(message) {
        let lower = name.to_ascii_lowercase();
        if (all || !NOT_SIGNED.contains(&lower.as_str()))
            && !names.iter().any(|n| n.eq_ignore_ascii_case(&name))
        {
            names.push(name);
        }
    }
    names.push("From".to_string());
    names
}

struct Signing<'a> {
    domain: &'a str,
    selector: &'a str,
    header: Canonicalization,
    body: Canonicalization,
    all_headers: bool,
}

impl Signing<'_> {
    fn new<'a>(domain: &'a str, selector: &'a str) -> Signing<'a> {
        Signing {
            domain,
            selector,
            header: Canonicalization::Relaxed,
            body: Canonicalization::Relaxed,
            all_headers: false,
        }
    }

    /// The DKIM-Signature header for `message`, or mail-auth's refusal.
    fn sign<K: SigningKey<Hasher = Sha256>>(
        &self,
        key: K,
        message: &[u8],
    ) -> Result<String, String> {
        DkimSigner::from_key(key)
            .domain(self.domain)
            .selector(self.selector)
            .headers(headers_to_sign(message, self.all_headers))
            .header_canonicalization(self.header)
            .body_canonicalization(self.body)
            .sign(message)
            .map(|s| s.to_header())
            .map_err(|e| e.to_string())
    }
}

/// A PKCS#1 RSA key of any size (see [`small_rsa`]).
fn rsa_pkcs1(file: &str) -> SmallRsaKey {
    SmallRsaKey::from_pkcs1_pem(&read_suite_text(&format!("dkim/data/{file}")))
}

/// The same key through mail-auth's ring backend (2048 bits and more only).
#[allow(deprecated)] // from_key_der needs rustls-pki-types, which is not a dependency
fn rsa_pkcs1_ring(file: &str) -> RsaKey<Sha256> {
    RsaKey::<Sha256>::from_rsa_pem(&read_suite_text(&format!("dkim/data/{file}")))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[allow(deprecated)]
fn rsa_pkcs8(file: &str) -> RsaKey<Sha256> {
    RsaKey::<Sha256>::from_pkcs8_pem(&read_suite_text(&format!("dkim/data/{file}")))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// An Ed25519 key from a base64 seed file and the `p=` of its DNS record.
fn ed25519(seed_file: &str, dns_value: &str) -> Ed25519Key {
    let seed = base64_decode(
        read_suite_text(&format!("dkim/data/{seed_file}"))
            .trim()
            .as_bytes(),
    )
    .expect("base64 seed");
    let public = dns_value
        .rsplit_once("p=")
        .map(|(_, p)| p.trim())
        .expect("p= in the record");
    let public = base64_decode(public.as_bytes()).expect("base64 public key");
    Ed25519Key::from_seed_and_public_key(&seed, &public).expect("Ed25519 key")
}

fn signed(header: &str, message: &[u8]) -> Vec<u8> {
    let mut out = header.as_bytes().to_vec();
    out.extend_from_slice(message);
    out
}

/// Inserts a header line at the top of the header block or at its end.
fn add_header(message: &[u8], line: &str, at_end: bool) -> Vec<u8> {
    if !at_end {
        return signed(line, message);
    }
    let split = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header/body separator")
        + 2;
    let mut out = message[..split].to_vec();
    out.extend_from_slice(line.as_bytes());
    out.extend_from_slice(&message[split..]);
    out
}

/// The 9 cases of the README table.
async fn fixed_cases(outcome: &mut Outcome) {
    let view = serve(base_snapshot()).await;
    let corrupt = serve(with_record(FOOTBALL_TEST, CORRUPT_KEY.to_string())).await;

    let msg = data("rfc6376.signed.msg");
    let got = result_of(&view, &msg, "football.example.com", "brisbane").await;
    outcome.record(
        "dkim/verify/rfc6376.signed.msg/ed25519".into(),
        expect(got, &[Pass]),
    );
    let got = result_of(&view, &msg, "football.example.com", "test").await;
    outcome.record(
        "dkim/verify/rfc6376.signed.msg/rsa".into(),
        expect(got, &[Pass]),
    );

    let msg = data("rfc6376.signed.rsa.msg");
    let got = result_of(&view, &msg, "football.example.com", "test").await;
    outcome.record(
        "dkim/verify/rfc6376.signed.rsa.msg".into(),
        expect(got, &[Pass]),
    );
    let got = result_of(&corrupt, &msg, "football.example.com", "test").await;
    outcome.record(
        "dkim/verify/rfc6376.signed.rsa.msg/corrupt-key".into(),
        expect(got, &[Fail, PermError]),
    );

    let msg = data("rfc6376.signed.no_t.msg");
    let got = result_of(&view, &msg, "football.example.com", "test").await;
    outcome.record(
        "dkim/verify/rfc6376.signed.no_t.msg".into(),
        expect(got, &[Fail]),
    );

    let msg = data("ed25519test2.msg");
    let got = result_of(&view, &msg, "test.ex", "sed").await;
    outcome.record("dkim/verify/ed25519test2.msg".into(), expect(got, &[Pass]));

    let msg = data("test2.message");
    let got = result_of(&view, &msg, "gmail.com", "20120113").await;
    outcome.record("dkim/verify/test2.message".into(), expect(got, &[Pass]));

    let msg = data("test.message.baddomain");
    let results = verify(&view, &msg, &Envelope::default()).await;
    let got = match results.dkim.as_slice() {
        [one] => expect(Some(one.result), &[Fail, PermError]),
        other => Err(format!("expected one signature, got {other:?}")),
    };
    outcome.record("dkim/verify/test.message.baddomain".into(), got);

    let msg = data("test.message");
    let results = verify(&view, &msg, &Envelope::default()).await;
    let got = if results.dkim.is_empty() {
        Ok(())
    } else {
        Err(format!("expected no signature, got {:?}", results.dkim))
    };
    outcome.record("dkim/verify/test.message".into(), got);
}

/// Sign-then-verify round trips.
async fn round_trips(outcome: &mut Outcome) {
    use Canonicalization::{Relaxed, Simple};
    let view = serve(base_snapshot()).await;
    let message = data("test.message");

    // All four canonicalizations, and what breaks (or does not break) the signature.
    for (header, body) in [
        (Simple, Simple),
        (Simple, Relaxed),
        (Relaxed, Simple),
        (Relaxed, Relaxed),
    ] {
        let c = format!(
            "{}-{}",
            if header == Simple {
                "simple"
            } else {
                "relaxed"
            },
            if body == Simple { "simple" } else { "relaxed" }
        );
        let signing = Signing {
            header,
            body,
            ..Signing::new("example.com", "test")
        };
        let sig = signing
            .sign(rsa_pkcs1("test.private"), &message)
            .expect("signs");
        let base = format!("dkim/sign/test.message/{c}");
        let cases: [(&str, Vec<u8>, &[AuthResult]); 5] = [
            ("", signed(&sig, &message), &[Pass]),
            (
                "/body-appended",
                signed(&sig, &[&message[..], b"foo"].concat()),
                &[Fail],
            ),
            (
                "/from-added-above",
                signed(
                    &sig,
                    &add_header(
                        &message,
                        "From: \"Resident Evil\" <sales@spammer.com>\r\n",
                        false,
                    ),
                ),
                &[Fail],
            ),
            (
                "/from-added-below",
                signed(
                    &sig,
                    &add_header(
                        &message,
                        "From: \"Resident Evil\" <sales@spammer.com>\r\n",
                        true,
                    ),
                ),
                &[Fail],
            ),
            (
                "/unsigned-header-added",
                signed(&sig, &add_header(&message, "X-Foo: bar\r\n", true)),
                &[Pass],
            ),
        ];
        for (suffix, msg, acceptable) in cases {
            let got = result_of(&view, &msg, "example.com", "test").await;
            outcome.record(format!("{base}{suffix}"), expect(got, acceptable));
        }
    }

    // The same signature against other key records at test._domainkey.example.com.
    let sig = Signing::new("example.com", "test")
        .sign(rsa_pkcs1("test.private"), &message)
        .expect("signs");
    let msg = signed(&sig, &message);
    for (file, acceptable) in [
        ("test2.txt", &[Pass][..]),
        ("badversion.txt", &[Fail, PermError][..]),
        ("badk.txt", &[Fail, PermError][..]),
        ("test_tlsrpt.txt", &[Fail, PermError][..]),
    ] {
        let variant = serve(with_record(EXAMPLE_TEST, record(file))).await;
        let got = result_of(&variant, &msg, "example.com", "test").await;
        outcome.record(
            format!("dkim/sign/test.message/record-{file}"),
            expect(got, acceptable),
        );
    }

    // Ed25519.
    let msg = data("ed25519test.msg");
    let key = ed25519("ed25519test.key", &record("ed25519test.dns"));
    let got = match Signing::new("example.net", "test").sign(key, &msg) {
        Ok(sig) => result_of(&view, &signed(&sig, &msg), "example.net", "test").await,
        Err(e) => panic!("ed25519test.msg: {e}"),
    };
    outcome.record("dkim/sign/ed25519test.msg".into(), expect(got, &[Pass]));

    let msg = data("rfc6376.msg");
    let key = ed25519(
        "rfc8032_7_1.key",
        "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
    );
    let sig = Signing::new("football.example.com", "brisbane")
        .sign(key, &msg)
        .expect("signs");
    let got = result_of(
        &view,
        &signed(&sig, &msg),
        "football.example.com",
        "brisbane",
    )
    .await;
    outcome.record("dkim/sign/rfc6376.msg/ed25519".into(), expect(got, &[Pass]));

    // RSA key formats: PKCS#1 and PKCS#8 private keys, SubjectPublicKeyInfo and bare PKCS#1
    // public keys in DNS.
    let spki_1024 = serve(with_record(
        EXAMPLE_TEST,
        record("1024_testkey_wo_markers.pub.txt"),
    ))
    .await;
    for (key_file, selector, view) in [
        ("1024_testkey.key", "test", &spki_1024),
        ("1024_testkey.key", "test2", &view),
        ("2048_testkey.key", "test3", &view),
        ("2048_testkey.key", "test4", &view),
        ("2048_testkey_PKCS8.key", "test5", &view),
    ] {
        let signing = Signing::new("example.com", selector);
        let sig = if key_file.contains("PKCS8") {
            signing.sign(rsa_pkcs8(key_file), &message)
        } else if key_file.starts_with("2048") {
            signing.sign(rsa_pkcs1_ring(key_file), &message)
        } else {
            signing.sign(rsa_pkcs1(key_file), &message)
        }
        .expect("signs");
        let got = result_of(view, &signed(&sig, &message), "example.com", selector).await;
        outcome.record(
            format!("dkim/sign/key-format/{key_file}/{selector}"),
            expect(got, &[Pass]),
        );
    }

    // Every header signed, repeated ones included.
    for file in ["message.mbox", "test_extra.message"] {
        let msg = data(file);
        let signing = Signing {
            all_headers: true,
            ..Signing::new("example.com", "test")
        };
        let sig = signing
            .sign(rsa_pkcs1("test.private"), &msg)
            .expect("signs");
        let got = result_of(&view, &signed(&sig, &msg), "example.com", "test").await;
        outcome.record(
            format!("dkim/sign/{file}/all-headers"),
            expect(got, &[Pass]),
        );
    }

    // No From: the signer must refuse (RFC 6376 §5.4: From is required in h=).
    let msg = data("test_nofrom.message");
    let refused = match Signing::new("example.com", "test").sign(rsa_pkcs1("test.private"), &msg) {
        Err(_) => Ok(()),
        Ok(sig) => Err(format!(
            "signed anyway ({})",
            sig.split(';')
                .map(str::trim)
                .find(|t| t.starts_with("h="))
                .unwrap_or("no h=")
        )),
    };
    outcome.record("dkim/sign/test_nofrom.message/refused".into(), refused);

    // Windows-1258 header bytes: sign and verify must not crash; the result is not compared.
    let msg = data("rfc6376.w1258.msg");
    let sig = Signing::new("example.com", "test")
        .sign(rsa_pkcs1("test.private"), &msg)
        .expect("signs");
    let _ = result_of(&view, &signed(&sig, &msg), "example.com", "test").await;
    outcome.record("dkim/sign/rfc6376.w1258.msg/no-crash".into(), Ok(()));
}

/// The fallback signer must agree with ring's bit for bit (PKCS#1 v1.5 is deterministic).
#[test]
fn small_rsa_signer_matches_ring() {
    let input: &[u8] = b"from:Test User <test@example.com>\r\ndkim-signature:v=1; b=";
    let ours = rsa_pkcs1("2048_testkey.key").sign(input).expect("signs");
    let ring = rsa_pkcs1_ring("2048_testkey.key")
        .sign(input)
        .expect("signs");
    assert_eq!(ours, ring);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dkim_dkimpy_vectors() {
    let mut outcome = Outcome::new("dkim");
    fixed_cases(&mut outcome).await;
    round_trips(&mut outcome).await;
    outcome.assert_matches_deviations();
}

/// RSA PKCS#1 v1.5 SHA-256 signing for any key size. mail-auth's ring backend refuses to sign
/// with RSA keys under 2048 bits (`KeyRejected::TooSmall`), and dkimpy's main test keys
/// (`test.private`, `1024_testkey.key`) are 1024-bit. The scheme is deterministic, so this
/// signer is checked against ring's on a 2048-bit key before it is used.
mod small_rsa {
    use mail_auth::common::crypto::{Algorithm, Sha256, SigningKey};
    use mail_auth::common::headers::Writable;
    use mail_parser::decoders::base64::base64_decode;

    /// DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1).
    const SHA256_INFO: &[u8] = &[
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];

    pub(super) struct SmallRsaKey {
        /// Little-endian 64-bit limbs.
        n: Vec<u64>,
        d: Vec<u64>,
        bytes: usize,
    }

    impl SmallRsaKey {
        /// From a PEM `RSA PRIVATE KEY` (PKCS#1).
        pub(super) fn from_pkcs1_pem(pem: &str) -> SmallRsaKey {
            let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            let der = base64_decode(b64.as_bytes()).expect("base64 PEM body");
            let (tag, body, _) = tlv(&der);
            assert_eq!(tag, 0x30, "RSAPrivateKey is a SEQUENCE");
            let mut ints = Vec::new();
            let mut rest = body;
            while !rest.is_empty() {
                let (tag, value, next) = tlv(rest);
                assert_eq!(tag, 0x02, "RSAPrivateKey holds INTEGERs");
                ints.push(value);
                rest = next;
            }
            let strip =
                |v: &[u8]| -> Vec<u8> { v.iter().copied().skip_while(|&b| b == 0).collect() };
            let n = strip(ints[1]);
            let d = strip(ints[3]);
            let bytes = n.len();
            let limbs = bytes.div_ceil(8);
            SmallRsaKey {
                n: from_be(&n, limbs),
                d: from_be(&d, limbs),
                bytes,
            }
        }
    }

    impl SigningKey for SmallRsaKey {
        type Hasher = Sha256;

        fn sign(&self, input: impl Writable) -> mail_auth::Result<Vec<u8>> {
            let hash = self.hash(input);
            let t = [SHA256_INFO, hash.as_ref()].concat();
            // EM = 0x00 0x01 PS(0xff..) 0x00 T (RFC 8017 §9.2)
            let mut em = vec![0xffu8; self.bytes];
            em[0] = 0;
            em[1] = 1;
            let sep = self.bytes - t.len() - 1;
            em[sep] = 0;
            em[sep + 1..].copy_from_slice(&t);
            let m = from_be(&em, self.n.len());
            Ok(to_be(&mod_pow(&m, &self.d, &self.n), self.bytes))
        }

        fn algorithm(&self) -> Algorithm {
            Algorithm::RsaSha256
        }
    }

    /// One DER TLV: tag, value, rest.
    fn tlv(der: &[u8]) -> (u8, &[u8], &[u8]) {
        let tag = der[0];
        let (len, start) = match der[1] {
            l if l < 0x80 => (l as usize, 2),
            l => {
                let n = (l & 0x7f) as usize;
                let len = der[2..2 + n]
                    .iter()
                    .fold(0usize, |acc, &b| (acc << 8) | b as usize);
                (len, 2 + n)
            }
        };
        (tag, &der[start..start + len], &der[start + len..])
    }

    fn from_be(bytes: &[u8], limbs: usize) -> Vec<u64> {
        let mut out = vec![0u64; limbs];
        for (i, &b) in bytes.iter().rev().enumerate() {
            out[i / 8] |= (b as u64) << (8 * (i % 8));
        }
        out
    }

    fn to_be(limbs: &[u64], bytes: usize) -> Vec<u8> {
        (0..bytes)
            .rev()
            .map(|i| (limbs[i / 8] >> (8 * (i % 8))) as u8)
            .collect()
    }

    fn geq(a: &[u64], b: &[u64]) -> bool {
        for i in (0..a.len().max(b.len())).rev() {
            let (x, y) = (
                a.get(i).copied().unwrap_or(0),
                b.get(i).copied().unwrap_or(0),
            );
            if x != y {
                return x > y;
            }
        }
        true
    }

    /// a -= b (a >= b).
    fn sub_in_place(a: &mut [u64], b: &[u64]) {
        let mut borrow = 0u64;
        for (i, x) in a.iter_mut().enumerate() {
            let y = b.get(i).copied().unwrap_or(0);
            let (d1, o1) = x.overflowing_sub(y);
            let (d2, o2) = d1.overflowing_sub(borrow);
            *x = d2;
            borrow = (o1 || o2) as u64;
        }
    }

    /// Montgomery product a·b·R⁻¹ mod n (CIOS), R = 2^(64·limbs).
    fn mont_mul(a: &[u64], b: &[u64], n: &[u64], n0inv: u64) -> Vec<u64> {
        let k = n.len();
        let mut t = vec![0u64; k + 2];
        for &ai in a {
            let mut carry = 0u128;
            for j in 0..k {
                let s = t[j] as u128 + ai as u128 * b[j] as u128 + carry;
                t[j] = s as u64;
                carry = s >> 64;
            }
            let s = t[k] as u128 + carry;
            t[k] = s as u64;
            t[k + 1] = (s >> 64) as u64;
            let m = t[0].wrapping_mul(n0inv);
            let mut carry = 0u128;
            for j in 0..k {
                let s = t[j] as u128 + m as u128 * n[j] as u128 + carry;
                t[j] = s as u64;
                carry = s >> 64;
            }
            let s = t[k] as u128 + carry;
            t[k] = s as u64;
            t[k + 1] += (s >> 64) as u64;
            t.remove(0);
            t.push(0);
        }
        let mut r = t[..=k].to_vec();
        if geq(&r, n) {
            sub_in_place(&mut r, n);
        }
        r.truncate(k);
        r
    }

    /// base^exp mod n, for odd n and base < n.
    fn mod_pow(base: &[u64], exp: &[u64], n: &[u64]) -> Vec<u64> {
        let k = n.len();
        // -n⁻¹ mod 2^64 by Newton's iteration (each step doubles the correct bits).
        let mut inv = n[0];
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(n[0].wrapping_mul(inv)));
        }
        let n0inv = inv.wrapping_neg();
        // R² mod n by doubling 1 (2·64·k) times.
        let mut r2 = vec![0u64; k + 1];
        r2[0] = 1;
        for _ in 0..2 * 64 * k {
            let mut carry = 0u64;
            for limb in r2.iter_mut() {
                let next = *limb >> 63;
                *limb = (*limb << 1) | carry;
                carry = next;
            }
            if geq(&r2, n) {
                sub_in_place(&mut r2, n);
            }
        }
        r2.truncate(k);
        let mut one = vec![0u64; k];
        one[0] = 1;
        let base_m = mont_mul(base, &r2, n, n0inv);
        let mut acc = mont_mul(&one, &r2, n, n0inv);
        for i in (0..exp.len() * 64).rev() {
            acc = mont_mul(&acc, &acc, n, n0inv);
            if (exp[i / 64] >> (i % 64)) & 1 == 1 {
                acc = mont_mul(&acc, &base_m, n, n0inv);
            }
        }
        mont_mul(&acc, &one, n, n0inv)
    }
}
