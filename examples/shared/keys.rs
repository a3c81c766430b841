//! Shared by the fixture generator (`examples/fixtures.rs`) and the benchmark corpus
//! (`benches/corpus/`): reading the fixed test keys and writing what signed mail needs
//! (base64 for key records and MIME bodies). Included with `#[path]`, not a crate of its own.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::path::Path;

/// The DER inside a PEM file (the keys in `fixtures/keys/` are unencrypted PKCS#8).
pub(crate) fn pem_to_der(path: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (keys are generated once; see fixtures/README.md)",
            path.display()
        )
    });
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD
        .decode(b64.trim())
        .unwrap_or_else(|e| panic!("{}: bad base64: {e}", path.display()))
}

/// Wraps a PKCS#1 RSAPublicKey in a SubjectPublicKeyInfo, as DKIM key records publish it.
pub(crate) fn rsa_spki(pkcs1: &[u8]) -> Vec<u8> {
    fn der(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else if len < 0x100 {
            out.extend([0x81, len as u8]);
        } else {
            out.extend([0x82, (len >> 8) as u8, len as u8]);
        }
        out.extend_from_slice(content);
        out
    }
    // rsaEncryption with NULL parameters.
    let mut seq = der(
        0x30,
        &[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
        ],
    );
    let mut bits = vec![0u8];
    bits.extend_from_slice(pkcs1);
    seq.extend(der(0x03, &bits));
    der(0x30, &seq)
}

/// Standard base64 with padding.
pub(crate) fn base64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// Base64 body lines of 76 characters, each CRLF-terminated (RFC 2045 §6.8).
pub(crate) fn base64_lines(data: &[u8]) -> Vec<u8> {
    let b64 = base64(data);
    let mut out = Vec::with_capacity(b64.len() + b64.len() / 38 + 2);
    for line in b64.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out
}
