//! `impostor rules list` and `impostor rules test [DIR]`, for rule authors.

use super::Exit;
use crate::error::{Error, Result};
use crate::request::{Intent, RuleSet};
use std::io::Write;
use std::path::Path;

/// Prints every rule and cue.
pub(super) fn list(dir: Option<&Path>) -> Result<Exit> {
    let rules = RuleSet::load(dir)?;
    let mut out = String::new();
    for lang in &rules.languages {
        for r in &lang.rules {
            out.push_str(&format!(
                "{:<40} {:<22} {:?}  {} match / {} no_match  ({})\n",
                r.id,
                r.intent.id(),
                r.intent.risk(),
                r.matches.len(),
                r.no_match.len(),
                r.source
            ));
        }
        for c in &lang.cues {
            out.push_str(&format!(
                "{:<40} cue: {:<17} {} match / {} no_match  ({})\n",
                c.id,
                serde_json::to_value(c.effect)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                c.matches.len(),
                c.no_match.len(),
                c.source
            ));
        }
    }
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(Error::Output)?;
    Ok(Exit::Clear)
}

/// Runs every example sentence; prints each failure with the rule id and the sentence.
pub(super) fn test(dir: Option<&Path>) -> Result<Exit> {
    let rules = RuleSet::load(dir)?;
    let failures = rules.test_examples();
    let mut out = String::new();
    let mut examples = 0;
    for lang in &rules.languages {
        for intent in Intent::ALL {
            let (pos, neg) = lang
                .rules
                .iter()
                .filter(|r| r.intent == *intent)
                .fold((0, 0), |(p, n), r| {
                    (p + r.matches.len(), n + r.no_match.len())
                });
            examples += pos + neg;
            if pos < 10 || neg < 10 {
                out.push_str(&format!(
                    "coverage: {}/{}: {pos} match, {neg} no_match (at least 10 of each expected)\n",
                    lang.code,
                    intent.id()
                ));
            }
        }
        examples += lang
            .cues
            .iter()
            .map(|c| c.matches.len() + c.no_match.len())
            .sum::<usize>();
    }
    for f in &failures {
        out.push_str(&format!("FAIL {}\n", crate::report::escape(f)));
    }
    out.push_str(&format!(
        "{} passed, {} failed\n",
        examples - failures.len().min(examples),
        failures.len()
    ));
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(Error::Output)?;
    Ok(if failures.is_empty() {
        Exit::Clear
    } else {
        Exit::BadInput
    })
}
