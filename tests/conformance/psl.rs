//! The Public Suffix List test vectors (`shared/conformance/psl/tests.txt`; `test_psl.txt` holds
//! the same cases as JavaScript calls and is checked to agree), each run twice:
//!
//! - `psl/domain_str/<input>`: the README's reference semantics, `psl::domain_str` on the
//!   lower-cased input, `null` = `None`;
//! - `psl/org_domain/<input>`: impostor's `auth::org_domain`, the function it compares domains
//!   with. It never returns "nothing": where the PSL gives no registrable domain it falls back
//!   to the (lower-cased, dot-trimmed) input itself, so an expected `null` is compared as "the
//!   input comes back unchanged" and any other expected value must be returned exactly.
//!
//! Not run: the `null` input case (no Rust equivalent, as the README says) and the vectors
//! commented out upstream (`//local ...`).

use super::{Outcome, read_suite_text};
use impostor::auth::org_domain;

/// `(input, expected)` pairs; `None` for `null`.
fn tests_txt() -> Vec<(String, Option<String>)> {
    read_suite_text("psl/tests.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| {
            let mut parts = l.split_whitespace();
            let input = parts.next().expect("input").to_string();
            let expected = parts.next().expect("expected");
            (input, (expected != "null").then(|| expected.to_string()))
        })
        .collect()
}

/// The `checkPublicSuffix('input', 'expected')` calls of test_psl.txt.
fn test_psl_txt() -> Vec<(String, Option<String>)> {
    let arg = |a: &str| -> Option<String> {
        let a = a.trim();
        (a != "null").then(|| a.trim_matches('\'').to_string())
    };
    read_suite_text("psl/test_psl.txt")
        .lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("checkPublicSuffix("))
        .filter_map(|l| l.strip_suffix(");"))
        .map(|args| {
            let (input, expected) = args.split_once(',').expect("two arguments");
            (arg(input).unwrap_or_else(|| "null".into()), arg(expected))
        })
        .collect()
}

#[test]
fn psl_vectors() {
    let cases = tests_txt();
    assert_eq!(
        cases,
        test_psl_txt(),
        "tests.txt and test_psl.txt hold the same cases"
    );
    assert_eq!(cases.len(), 78, "PSL vectors");
    let mut outcome = Outcome::new("psl");
    for (input, expected) in &cases {
        if input == "null" {
            continue; // a JavaScript null, not a string: nothing to call in Rust
        }
        let lower = input.to_lowercase();
        let got = psl::domain_str(&lower);
        let result = if got == expected.as_deref() {
            Ok(())
        } else {
            Err(format!("got {got:?}, expected {expected:?}"))
        };
        outcome.record(format!("psl/domain_str/{input}"), result);

        let got = org_domain(input);
        let want = expected
            .clone()
            .unwrap_or_else(|| input.trim_end_matches('.').to_ascii_lowercase());
        let result = if got == want {
            Ok(())
        } else {
            Err(format!(
                "got {got:?}, expected {want:?}{}",
                if expected.is_none() {
                    " (null: the input itself)"
                } else {
                    ""
                }
            ))
        };
        outcome.record(format!("psl/org_domain/{input}"), result);
    }
    outcome.assert_matches_deviations();
}
