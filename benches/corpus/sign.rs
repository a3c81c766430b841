//! DKIM keys and signing with mail-auth's `DkimSigner`, at a fixed timestamp: the signer is
//! built with mail-auth's builder as usual, and its public `template` and `key` are signed by
//! `mail::sign_at` with `t=` the message's own time.

use super::keys::{pem_to_der, rsa_spki};
use super::mail::{Fields, SIGNED_HEADERS, sign_at};
use mail_auth::common::crypto::{Algorithm, Ed25519Key, RsaKey, Sha256, SigningKey};
use mail_auth::common::headers::{HeaderWriter, Writable};
use mail_auth::dkim::{Canonicalization, DkimSigner};
use std::path::Path;

/// The fixture keys (`fixtures/keys/`).
pub(crate) struct Keys {
    pub(crate) rsa: [RsaKey<Sha256>; 2],
    pub(crate) ed: Ed25519Key,
}

impl Keys {
    #[allow(deprecated)] // from_pkcs8_der is the only PKCS#8 entry point without rustls-pki-types
    pub(crate) fn load(dir: &Path) -> Keys {
        let rsa = |file: &str| {
            RsaKey::<Sha256>::from_pkcs8_der(&pem_to_der(&dir.join(file)))
                .unwrap_or_else(|e| panic!("{file}: {e}"))
        };
        Keys {
            rsa: [rsa("rsa2048-a.pem"), rsa("rsa2048-b.pem")],
            ed: Ed25519Key::from_pkcs8_maybe_unchecked_der(&pem_to_der(&dir.join("ed25519.pem")))
                .expect("ed25519.pem"),
        }
    }

    /// The DKIM key record of RSA key `i`: SubjectPublicKeyInfo DER in `p=`.
    pub(crate) fn rsa_record(&self, i: usize) -> String {
        format!(
            "v=DKIM1; k=rsa; p={}",
            super::mime::base64(&rsa_spki(&self.rsa[i].public_key()))
        )
    }

    /// The DKIM key record of the Ed25519 key (RFC 8463: the raw 32-byte key).
    pub(crate) fn ed_record(&self) -> String {
        format!(
            "v=DKIM1; k=ed25519; p={}",
            super::mime::base64(&self.ed.public_key())
        )
    }
}

/// A borrowed key, so one loaded key serves every signer on every thread.
struct KeyRef<'a, K>(&'a K);

impl<K: SigningKey> SigningKey for KeyRef<'_, K> {
    type Hasher = K::Hasher;

    fn sign(&self, input: impl Writable) -> mail_auth::Result<Vec<u8>> {
        self.0.sign(input)
    }

    fn algorithm(&self) -> Algorithm {
        self.0.algorithm()
    }
}

/// Which key signs.
#[derive(Clone, Copy)]
pub(crate) enum Key {
    Rsa(usize),
    Ed25519,
}

/// A `DKIM-Signature: …\r\n` field for `headers` (complete fields with CRLF) and `body`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn dkim_field(
    keys: &Keys,
    key: Key,
    headers: &[Vec<u8>],
    body: &[u8],
    domain: &str,
    selector: &str,
    (ch, cb): (Canonicalization, Canonicalization),
    t: u64,
) -> Vec<u8> {
    match key {
        Key::Rsa(i) => sign(
            KeyRef(&keys.rsa[i]),
            headers,
            body,
            domain,
            selector,
            (ch, cb),
            t,
        ),
        Key::Ed25519 => sign(
            KeyRef(&keys.ed),
            headers,
            body,
            domain,
            selector,
            (ch, cb),
            t,
        ),
    }
}

fn sign<K: SigningKey>(
    key: K,
    headers: &[Vec<u8>],
    body: &[u8],
    domain: &str,
    selector: &str,
    (ch, cb): (Canonicalization, Canonicalization),
    t: u64,
) -> Vec<u8> {
    let signer = DkimSigner::from_key(key)
        .domain(domain)
        .selector(selector)
        .headers(SIGNED_HEADERS.iter().copied())
        .header_canonicalization(ch)
        .body_canonicalization(cb);
    let fields: Vec<(&[u8], &[u8])> = headers
        .iter()
        .map(|h| {
            let colon = h.iter().position(|&b| b == b':').expect("field name");
            (&h[..colon], &h[colon + 1..])
        })
        .collect();
    let fields = Fields {
        headers: fields.into_iter(),
        body,
    };
    sign_at(&signer.key, signer.template.clone(), fields, t)
        .to_header()
        .into_bytes()
}
