//! Request rules kept as data: `rules/*.toml`, one file per language, embedded in the binary
//! and extendable with `--rules DIR` (a later file overrides by rule id). Each rule carries
//! its proof, positive and negative example sentences, which `cargo test` and
//! `impostor rules test` run.
//!
//! A rule fires when an object term, an action term and a request marker occur within one
//! sentence, inside a window counted in characters (Japanese) or tokens (English). Cues are
//! patterns with an effect: `demote` (how-to questions, problem and incident reports,
//! negations: never a request) or one of the escalation cues of DESIGN.md §4. All patterns
//! are matched against folded text (`text::fold`: NFKC, lower case), so they are written in
//! lower case and half-width.

use super::intent::Intent;
use super::script::{Has, Needs};
use crate::error::{Error, Result};
use crate::text;
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const BUILTIN: &[(&str, &str)] = &[
    ("rules/en.toml", include_str!("../../rules/en.toml")),
    ("rules/ja.toml", include_str!("../../rules/ja.toml")),
];

/// How a rule's window is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Whitespace-separated tokens (English and other spaced scripts).
    Tokens,
    /// Characters (Japanese).
    Chars,
}

/// What a cue does.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// The sentence is a question, a report or a negation: never a request (R1).
    Demote,
    /// Pressure: urgency.
    Urgency,
    /// Pressure: authority ("the CEO asked").
    Authority,
    /// Pressure: secrecy ("keep this between us").
    Secrecy,
    /// The request is for someone else.
    ThirdParty,
    /// The sender steers verification away from the number on file.
    AvoidVerification,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDef {
    language: String,
    window: Unit,
    #[serde(default)]
    patterns: BTreeMap<String, Vec<String>>,
    #[serde(default, rename = "cue")]
    cues: Vec<CueDef>,
    #[serde(default, rename = "rule")]
    rules: Vec<RuleDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CueDef {
    id: String,
    effect: Effect,
    patterns: Vec<String>,
    #[serde(default, rename = "match")]
    matches: Vec<String>,
    #[serde(default)]
    no_match: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    id: String,
    intent: Intent,
    object: Vec<String>,
    action: Vec<String>,
    #[serde(default)]
    marker: Option<Vec<String>>,
    window: usize,
    #[serde(default, rename = "match")]
    matches: Vec<String>,
    #[serde(default)]
    no_match: Vec<String>,
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// `language/id`, e.g. `ja/mfa_change.disable`.
    pub id: String,
    /// What it detects.
    pub intent: Intent,
    object: Regex,
    action: Regex,
    marker: Regex,
    /// The indices of object, action and marker in the language's `terms`.
    terms: [usize; 3],
    /// The scripts a sentence needs for the rule to fire.
    needs: Needs,
    window: usize,
    /// Sentences that must fire.
    pub matches: Vec<String>,
    /// Sentences that must not fire as a request.
    pub no_match: Vec<String>,
    /// The file it came from.
    pub source: String,
}

/// A compiled cue.
#[derive(Debug)]
pub struct Cue {
    /// `language/id`.
    pub id: String,
    /// Its effect.
    pub effect: Effect,
    regex: Regex,
    /// The scripts a text needs for the cue to match.
    needs: Needs,
    /// Texts it must match.
    pub matches: Vec<String>,
    /// Texts it must not match.
    pub no_match: Vec<String>,
    /// The file it came from.
    pub source: String,
}

impl Cue {
    /// The first match in folded text.
    pub fn find<'t>(&self, folded: &'t str) -> Option<regex::Match<'t>> {
        self.regex.find(folded)
    }
}

/// The rules of one language.
#[derive(Debug)]
pub struct Language {
    /// The language code of the file (`en`, `ja`).
    pub code: String,
    /// The window unit.
    pub unit: Unit,
    /// The rules.
    pub rules: Vec<Rule>,
    /// The cues.
    pub cues: Vec<Cue>,
    /// Any object term of any rule: a sentence that matches none costs one pass.
    prefilter: RegexSet,
    /// The escalation cues and the demoting cues, each as one set with the index in `cues`
    /// of each of its patterns: one pass tells which cues of a kind occur at all. (Apart, as
    /// the first kind is searched in whole texts and the second only in fired sentences.)
    cue_sets: [(RegexSet, Vec<usize>); 2],
    /// What every rule needs, and what every cue of each set needs: a sentence (or text)
    /// without it skips the pass.
    rules_need: Needs,
    cues_need: [Needs; 2],
    /// How many distinct terms the rules use.
    terms: usize,
}

/// Where a rule fired in a folded sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fire {
    /// Index of the rule in its language.
    pub rule: usize,
    /// The span from the first to the last of the three terms, in the sentence.
    pub span: std::ops::Range<usize>,
}

impl Language {
    /// The escalation cues (or, with `demoting`, the demoting cues) that occur in folded
    /// `text`, which `has` what it has. One pass over the text for all of them: running each
    /// cue's regex cost more than the rules themselves, on mail that has none.
    pub fn cues_in<'a>(
        &'a self,
        text: &str,
        has: Has,
        demoting: bool,
    ) -> impl Iterator<Item = &'a Cue> + 'a {
        let (set, index) = &self.cue_sets[usize::from(demoting)];
        self.cues_need[usize::from(demoting)]
            .met_by(has)
            .then(|| set.matches(text))
            .into_iter()
            .flatten()
            .map(move |i| &self.cues[index[i]])
            .filter(move |c| c.needs.met_by(has))
    }

    /// Rules that fire in one folded sentence, which `has` what it has (demotion is the
    /// caller's business).
    pub fn fire(&self, sentence: &str, has: Has) -> Vec<Fire> {
        if !self.rules_need.met_by(has) {
            return Vec::new();
        }
        let candidates = self.prefilter.matches(sentence);
        if !candidates.matched_any() {
            return Vec::new();
        }
        let mut found = Terms::new(self.terms, sentence);
        candidates
            .iter()
            .filter(|i| self.rules[*i].needs.met_by(has))
            .filter_map(|i| {
                let rule = &self.rules[i];
                best_span(rule, &mut found, self.unit).map(|span| Fire { rule: i, span })
            })
            .collect()
    }

    /// Whether a demoting cue applies to a fired rule: one in the rule's clause or after it
    /// ("I'd like to reset it, but how do I …?"). A cue in an earlier clause does not: "Thanks
    /// for resetting my password, can you also disable 2FA?" still asks for the 2FA change.
    pub fn demotes(&self, sentence: &str, has: Has, span: &std::ops::Range<usize>) -> bool {
        let clause = clause_of(sentence, span);
        self.cues_in(sentence, has, true)
            .any(|c| c.regex.find_iter(sentence).any(|m| m.end() > clause.start))
    }
}

/// Clause separators: a comma or semicolon followed by a space, "but", and the Japanese
/// contrastive and listing joints.
const CLAUSE_BREAKS: &[&str] = &[", ", "; ", " but ", "、", "けど", "けれど", "が、"];

/// The clause(s) a span lies in: from the last break before it to the first break after it.
fn clause_of(sentence: &str, span: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    let start = CLAUSE_BREAKS
        .iter()
        .filter_map(|b| sentence[..span.start].rfind(b).map(|i| i + b.len()))
        .max()
        .unwrap_or(0);
    let end = CLAUSE_BREAKS
        .iter()
        .filter_map(|b| sentence[span.end..].find(b).map(|i| span.end + i))
        .min()
        .unwrap_or(sentence.len());
    start..end
}

/// The matches of each term in one sentence, searched when first needed.
struct Terms<'s> {
    sentence: &'s str,
    found: Vec<Option<Vec<std::ops::Range<usize>>>>,
}

impl<'s> Terms<'s> {
    fn new(terms: usize, sentence: &'s str) -> Terms<'s> {
        Terms {
            sentence,
            found: vec![None; terms],
        }
    }

    fn get(&mut self, term: usize, regex: &Regex) -> &[std::ops::Range<usize>] {
        let sentence = self.sentence;
        self.found[term]
            .get_or_insert_with(|| regex.find_iter(sentence).map(|m| m.range()).collect())
    }
}

fn best_span(rule: &Rule, found: &mut Terms<'_>, unit: Unit) -> Option<std::ops::Range<usize>> {
    let s = found.sentence;
    let [object, action, marker] = rule.terms;
    let objects = found.get(object, &rule.object).to_vec();
    if objects.is_empty() {
        return None;
    }
    let actions = found.get(action, &rule.action).to_vec();
    if actions.is_empty() {
        return None;
    }
    let markers = found.get(marker, &rule.marker).to_vec();
    let mut best: Option<std::ops::Range<usize>> = None;
    for o in &objects {
        for a in &actions {
            for m in &markers {
                let start = o.start.min(a.start).min(m.start);
                let end = o.end.max(a.end).max(m.end);
                let size = match unit {
                    Unit::Chars => s[start..end].chars().count(),
                    Unit::Tokens => s[start..end].split_whitespace().count(),
                };
                if size <= rule.window && best.as_ref().is_none_or(|b| end - start < b.len()) {
                    best = Some(start..end);
                }
            }
        }
    }
    best
}

/// All languages' rules.
#[derive(Debug)]
pub struct RuleSet {
    /// One entry per language.
    pub languages: Vec<Language>,
}

/// Characters that must not appear in a rule file's patterns: invisible ones, and full-width
/// forms that folded text never contains (STYLE.md §1.14).
fn lint_pattern(p: &str) -> Option<String> {
    p.chars().find_map(|c| match c {
        '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{00ad}' => {
            Some(format!("invisible character U+{:04X}", c as u32))
        }
        '\u{ff01}'..='\u{ff5e}' | '\u{ff61}'..='\u{ff9f}' | '\u{3000}' => Some(format!(
            "full-width or half-width-kana character {c:?} (patterns see NFKC-folded text)"
        )),
        _ => None,
    })
}

impl RuleSet {
    /// The built-in rules plus, if given, every `*.toml` in `dir` (sorted by name).
    pub fn load(dir: Option<&Path>) -> Result<RuleSet> {
        let mut files: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        if let Some(dir) = dir {
            let input = dir.display().to_string();
            let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
                .map_err(|e| Error::unreadable(&input, &e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            paths.sort();
            for p in paths {
                let name = p.display().to_string();
                let text = std::fs::read_to_string(&p).map_err(|e| Error::unreadable(&name, &e))?;
                files.push((name, text));
            }
        }
        Self::from_files(&files)
    }

    /// Builds rules from (file name, TOML text) pairs; later files override earlier ones by
    /// rule id, cue id and pattern name within a language.
    pub fn from_files(files: &[(String, String)]) -> Result<RuleSet> {
        let mut langs: Vec<(String, Merged)> = Vec::new();
        for (name, text) in files {
            let def: FileDef = toml::from_str(text).map_err(|e| Error::Config {
                path: name.into(),
                line: e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
                problem: e.message().trim().replace('\n', "; "),
            })?;
            let pos = match langs.iter().position(|(c, _)| *c == def.language) {
                Some(p) => p,
                None => {
                    langs.push((
                        def.language.clone(),
                        Merged {
                            unit: def.window,
                            patterns: BTreeMap::new(),
                            cues: Vec::new(),
                            rules: Vec::new(),
                        },
                    ));
                    langs.len() - 1
                }
            };
            let m = &mut langs[pos].1;
            m.unit = def.window;
            m.patterns.extend(def.patterns);
            for c in def.cues {
                match m.cues.iter_mut().find(|(x, _)| x.id == c.id) {
                    Some(slot) => *slot = (c, name.clone()),
                    None => m.cues.push((c, name.clone())),
                }
            }
            for r in def.rules {
                match m.rules.iter_mut().find(|(x, _)| x.id == r.id) {
                    Some(slot) => *slot = (r, name.clone()),
                    None => m.rules.push((r, name.clone())),
                }
            }
        }
        // The languages compile on their own threads: compiling is most of start-up.
        let languages = std::thread::scope(|scope| {
            let running: Vec<_> = langs
                .into_iter()
                .map(|(code, m)| scope.spawn(move || compile_language(code, m)))
                .collect();
            running
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect::<Result<Vec<_>>>()
        })?;
        Ok(RuleSet { languages })
    }

    /// Runs every example; returns one line per failure (`rule id: sentence: problem`).
    pub fn test_examples(&self) -> Vec<String> {
        let mut failures = Vec::new();
        let mut ids = std::collections::HashSet::new();
        for lang in &self.languages {
            for rule in &lang.rules {
                if !ids.insert(rule.id.clone()) {
                    failures.push(format!("{}: duplicate rule id", rule.id));
                }
                for (what, regex) in [("object", &rule.object), ("action", &rule.action)] {
                    if let Some(problem) = lint_pattern(regex.as_str()) {
                        failures.push(format!("{}: {what} pattern: {problem}", rule.id));
                    }
                }
                for sentence in &rule.matches {
                    if !self.requests(sentence).contains(&rule.id) {
                        failures.push(format!("{}: should match: {sentence}", rule.id));
                    }
                }
                for sentence in &rule.no_match {
                    if self.requests(sentence).contains(&rule.id) {
                        failures.push(format!("{}: should not match: {sentence}", rule.id));
                    }
                }
            }
            for cue in &lang.cues {
                if !ids.insert(cue.id.clone()) {
                    failures.push(format!("{}: duplicate cue id", cue.id));
                }
                if let Some(problem) = lint_pattern(cue.regex.as_str()) {
                    failures.push(format!("{}: pattern: {problem}", cue.id));
                }
                for t in &cue.matches {
                    if cue.find(&text::fold(t).text).is_none() {
                        failures.push(format!("{}: should match: {t}", cue.id));
                    }
                }
                for t in &cue.no_match {
                    if cue.find(&text::fold(t).text).is_some() {
                        failures.push(format!("{}: should not match: {t}", cue.id));
                    }
                }
            }
        }
        failures
    }

    /// The ids of rules that fire as requests (not demoted) anywhere in `text`.
    pub fn requests(&self, text: &str) -> Vec<String> {
        let folded = text::fold(text);
        let mut out = Vec::new();
        for range in text::sentences(&folded.text) {
            let sentence = &folded.text[range];
            let has = Has::of(sentence);
            for lang in &self.languages {
                for fire in lang.fire(sentence, has) {
                    if !lang.demotes(sentence, has, &fire.span) {
                        out.push(lang.rules[fire.rule].id.clone());
                    }
                }
            }
        }
        out
    }
}

/// One language's rule files, merged by id.
struct Merged {
    unit: Unit,
    patterns: BTreeMap<String, Vec<String>>,
    cues: Vec<(CueDef, String)>,
    rules: Vec<(RuleDef, String)>,
}

/// Compiles one language's merged rules.
fn compile_language(code: String, m: Merged) -> Result<Language> {
    // Rules share terms (most use the same request marker): each distinct one is
    // compiled once, which halves start-up, and searched once per sentence.
    let mut terms: Vec<(Regex, Needs)> = Vec::new();
    let mut compile = |what: &str, file: &str, list: &[String]| -> Result<(Regex, usize, Needs)> {
        let alternation = expand(list, &m.patterns).map_err(|p| Error::Config {
            path: file.into(),
            line: None,
            problem: format!("{what}: {p}"),
        })?;
        if let Some(i) = terms.iter().position(|t| t.0.as_str() == alternation) {
            return Ok((terms[i].0.clone(), i, terms[i].1));
        }
        let regex = RegexBuilder::new(&alternation)
            .case_insensitive(true)
            .size_limit(1 << 22)
            .dfa_size_limit(8 << 20)
            .build()
            .map_err(|e| Error::Config {
                path: file.into(),
                line: None,
                problem: format!(
                    "{what}: invalid pattern: {}",
                    e.to_string().replace('\n', " ")
                ),
            })?;
        let needs = Needs::of_pattern(&alternation);
        terms.push((regex.clone(), needs));
        Ok((regex, terms.len() - 1, needs))
    };
    let mut rules = Vec::new();
    let mut objects = Vec::new();
    for (r, file) in &m.rules {
        let id = format!("{code}/{}", r.id);
        let marker = r.marker.clone().unwrap_or_else(|| vec!["$request".into()]);
        let (object, object_term, o) = compile(&format!("{id}: object"), file, &r.object)?;
        let (action, action_term, a) = compile(&format!("{id}: action"), file, &r.action)?;
        let (marker, marker_term, m) = compile(&format!("{id}: marker"), file, &marker)?;
        objects.push(object.as_str().to_string());
        rules.push(Rule {
            action,
            marker,
            object,
            terms: [object_term, action_term, marker_term],
            needs: o.any(a).any(m),
            id,
            intent: r.intent,
            window: r.window,
            matches: r.matches.clone(),
            no_match: r.no_match.clone(),
            source: file.clone(),
        });
    }
    let mut cues = Vec::new();
    for (c, file) in &m.cues {
        let id = format!("{code}/{}", c.id);
        let (regex, _, needs) = compile(&id, file, &c.patterns)?;
        cues.push(Cue {
            regex,
            needs,
            id,
            effect: c.effect,
            matches: c.matches.clone(),
            no_match: c.no_match.clone(),
            source: file.clone(),
        });
    }
    // A lazy DFA cache large enough for the whole set keeps the scan on the DFA; a
    // small one thrashes and the search falls back to the (slow) PikeVM.
    let prefilter = RegexSetBuilder::new(&objects)
        .case_insensitive(true)
        .size_limit(1 << 24)
        .dfa_size_limit(64 << 20)
        .build()
        .map_err(|e| Error::Config {
            path: format!("rules/{code}").into(),
            line: None,
            problem: e.to_string(),
        })?;
    let cue_set = |demoting: bool| -> Result<(RegexSet, Vec<usize>)> {
        let index: Vec<usize> = (0..cues.len())
            .filter(|i| (cues[*i].effect == Effect::Demote) == demoting)
            .collect();
        let set = RegexSetBuilder::new(index.iter().map(|i| cues[*i].regex.as_str()))
            .case_insensitive(true)
            .size_limit(1 << 24)
            .dfa_size_limit(32 << 20)
            .build()
            .map_err(|e| Error::Config {
                path: format!("rules/{code}").into(),
                line: None,
                problem: e.to_string(),
            })?;
        Ok((set, index))
    };
    let cue_sets = [cue_set(false)?, cue_set(true)?];
    let cues_need = [false, true].map(|demoting| {
        cues.iter()
            .filter(|c| (c.effect == Effect::Demote) == demoting)
            .fold(Needs::everything(), |n, c| n.all(c.needs))
    });
    let rules_need = rules
        .iter()
        .fold(Needs::everything(), |n: Needs, r: &Rule| n.all(r.needs));
    // The closure's borrow of `terms` ends with its last use above.
    let term_count = terms.len();
    Ok(Language {
        code,
        unit: m.unit,
        rules,
        cues,
        prefilter,
        cue_sets,
        rules_need,
        cues_need,
        terms: term_count,
    })
}

/// Makes `\b` and `\B` ASCII word boundaries. Unicode word boundaries keep the regex engine
/// off its fast DFA on non-ASCII text (every Japanese sentence), and folded text needs no more:
/// a boundary between ASCII and Japanese is still a boundary.
fn ascii_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push(c);
                    break;
                };
                if in_class == 0 && (next == 'b' || next == 'B') {
                    out.push_str(if next == 'b' {
                        "(?-u:\\b)"
                    } else {
                        "(?-u:\\B)"
                    });
                } else {
                    out.push(c);
                    out.push(next);
                }
            }
            '[' => {
                in_class += 1;
                out.push(c);
            }
            ']' if in_class > 0 => {
                in_class -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Expands `$name` entries and joins the list into one alternation.
fn expand(
    list: &[String],
    patterns: &BTreeMap<String, Vec<String>>,
) -> std::result::Result<String, String> {
    let mut parts = Vec::new();
    for p in list {
        match p.strip_prefix('$') {
            Some(name) => {
                let named = patterns
                    .get(name)
                    .ok_or_else(|| format!("unknown pattern ${name}"))?;
                for n in named {
                    if n.starts_with('$') {
                        return Err(format!("pattern ${name} refers to another pattern"));
                    }
                    parts.push(format!("(?:{})", ascii_boundaries(n)));
                }
            }
            None => parts.push(format!("(?:{})", ascii_boundaries(p))),
        }
    }
    if parts.is_empty() {
        return Err("empty pattern list".into());
    }
    Ok(parts.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_compile_and_every_example_holds() {
        let rules = RuleSet::load(None).expect("built-in rules compile");
        let failures = rules.test_examples();
        assert!(
            failures.is_empty(),
            "{} failing examples:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn every_intent_has_ten_examples_each_way_in_each_language() {
        let rules = RuleSet::load(None).unwrap();
        let mut missing = Vec::new();
        for lang in &rules.languages {
            for intent in Intent::ALL {
                let of = |f: fn(&Rule) -> usize| -> usize {
                    lang.rules
                        .iter()
                        .filter(|r| r.intent == *intent)
                        .map(f)
                        .sum()
                };
                let (pos, neg) = (of(|r| r.matches.len()), of(|r| r.no_match.len()));
                if pos < 10 || neg < 10 {
                    missing.push(format!(
                        "{}/{intent}: {pos} match, {neg} no_match",
                        lang.code
                    ));
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    #[test]
    fn a_demoting_cue_in_an_earlier_clause_does_not_hide_a_later_request() {
        let rules = RuleSet::load(None).unwrap();
        let ids = rules
            .requests("Thanks for resetting my password, can you also disable 2FA on my account?");
        assert!(
            ids.iter()
                .any(|i| i.ends_with("mfa_change.disable") || i.contains("mfa_change")),
            "{ids:?}"
        );
        assert!(!ids.iter().any(|i| i.contains("password_reset")), "{ids:?}");
        assert!(
            rules
                .requests("I want to reset my password, but how do I do it?")
                .is_empty()
        );
    }

    #[test]
    fn word_boundaries_become_ascii_outside_classes() {
        assert_eq!(
            ascii_boundaries(r"\bpass\b[\b]\\b"),
            r"(?-u:\b)pass(?-u:\b)[\b]\\b"
        );
    }

    #[test]
    fn later_files_override_by_id() {
        let base = r#"
language = "en"
window = "tokens"
[patterns]
request = ["please"]
[[rule]]
id = "password_reset.reset"
intent = "password_reset"
object = ["password"]
action = ["reset"]
window = 8
"#;
        let over = base.replace("[\"reset\"]", "[\"wipe\"]");
        let set = RuleSet::from_files(&[
            ("a.toml".into(), base.into()),
            ("b.toml".into(), over.clone()),
        ])
        .unwrap();
        assert_eq!(set.languages[0].rules.len(), 1);
        assert!(set.requests("Please reset my password.").is_empty());
        assert_eq!(
            set.requests("Please wipe my password."),
            ["en/password_reset.reset"]
        );
    }

    #[test]
    fn window_is_counted_in_the_file_unit() {
        let file = r#"
language = "en"
window = "tokens"
[patterns]
request = ["please"]
[[rule]]
id = "x"
intent = "password_reset"
object = ["password"]
action = ["reset"]
window = 4
"#;
        let set = RuleSet::from_files(&[("a.toml".into(), file.into())]).unwrap();
        assert_eq!(set.requests("please reset my password").len(), 1);
        assert!(
            set.requests("please, when you have a moment, reset my password")
                .is_empty()
        );
    }

    #[test]
    fn patterns_with_invisible_or_full_width_characters_are_reported() {
        assert!(lint_pattern("pass\u{200b}word").is_some());
        assert!(lint_pattern("ﾊﾟｽﾜｰﾄﾞ").is_some());
        assert!(lint_pattern("パスワード").is_none());
    }
}
