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
use regex_automata::util::iter::Searcher;
use regex_automata::{Input, MatchKind, PatternSet, meta};
use regex_syntax::hir::{Class, Hir, HirKind};
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thread_local::ThreadLocal;

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
    /// Its index in the language's `terms`.
    term: usize,
    /// The scripts a text needs for the cue to match.
    needs: Needs,
    /// Texts it must match.
    pub matches: Vec<String>,
    /// Texts it must not match.
    pub no_match: Vec<String>,
    /// The file it came from.
    pub source: String,
}

/// One distinct pattern (an alternation) of a language. Rules and cues share them: most rules
/// use the same request marker.
#[derive(Debug)]
struct Term {
    pattern: String,
    regex: meta::Regex,
    needs: Needs,
}

/// What a thread needs to search a language's patterns: a cache per regex and a pattern set
/// per set. Kept per thread and per rule set for the life of the rule set, because a lazy DFA
/// is only fast once its states are built: the `regex` crate's shared pool gives a contended
/// thread a fresh cache, which throws those states away and builds them again.
#[derive(Debug)]
struct Scratch {
    terms: Vec<Option<meta::Cache>>,
    /// The prefilter and the two cue sets, in `Language::sets` order.
    sets: Vec<(meta::Cache, PatternSet)>,
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
    terms: Vec<Term>,
    /// Sets searched in one overlapping pass, each with what its patterns stand for:
    /// `PREFILTER` is every rule's object term (a sentence that matches none costs one pass)
    /// and maps to rules; `CUES` are the escalation cues and `DEMOTING` the demoting cues, and
    /// map to cues. (Apart, as the first kind is searched in whole texts and the second only in
    /// fired sentences.)
    sets: [(meta::Regex, Vec<usize>); 3],
    /// What every member of each set needs: a sentence (or text) without it skips the pass.
    sets_need: [Needs; 3],
    scratch: ThreadLocal<RefCell<Scratch>>,
}

const PREFILTER: usize = 0;
const CUES: usize = 1;
const DEMOTING: usize = 2;

/// Where a rule fired in a folded sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fire {
    /// Index of the rule in its language.
    pub rule: usize,
    /// The span from the first to the last of the three terms, in the sentence.
    pub span: std::ops::Range<usize>,
}

impl Scratch {
    fn term(&mut self, terms: &[Term], i: usize) -> &mut meta::Cache {
        self.terms[i].get_or_insert_with(|| terms[i].regex.create_cache())
    }
}

impl Language {
    fn scratch(&self) -> std::cell::RefMut<'_, Scratch> {
        self.scratch
            .get_or(|| {
                RefCell::new(Scratch {
                    terms: (0..self.terms.len()).map(|_| None).collect(),
                    sets: self
                        .sets
                        .iter()
                        .map(|(set, _)| (set.create_cache(), PatternSet::new(set.pattern_len())))
                        .collect(),
                })
            })
            .borrow_mut()
    }

    /// The members of set `which` whose pattern occurs in `text`, which `has` what it has.
    fn members(&self, which: usize, text: &str, has: Has, scratch: &mut Scratch) -> Vec<usize> {
        if !self.sets_need[which].met_by(has) {
            return Vec::new();
        }
        let (set, index) = &self.sets[which];
        let (cache, found) = &mut scratch.sets[which];
        found.clear();
        set.which_overlapping_matches_with(cache, &Input::new(text), found);
        found.iter().map(|p| index[p.as_usize()]).collect()
    }

    /// The matches of term `i` in `text`.
    fn find_all(&self, i: usize, text: &str, scratch: &mut Scratch) -> Vec<std::ops::Range<usize>> {
        let regex = &self.terms[i].regex;
        let cache = scratch.term(&self.terms, i);
        let mut searcher = Searcher::new(Input::new(text));
        std::iter::from_fn(|| searcher.advance(|input| Ok(regex.search_with(cache, input))))
            .map(|m| m.range())
            .collect()
    }

    /// The escalation cues (or, with `demoting`, the demoting cues) that occur in folded
    /// `text`, which `has` what it has. One pass over the text for all of them: running each
    /// cue's regex cost more than the rules themselves, on mail that has none.
    pub fn cues_in(&self, text: &str, has: Has, demoting: bool) -> Vec<&Cue> {
        let which = if demoting { DEMOTING } else { CUES };
        self.members(which, text, has, &mut self.scratch())
            .into_iter()
            .map(|i| &self.cues[i])
            .filter(|c| c.needs.met_by(has))
            .collect()
    }

    /// The first match of `cue` (one of this language's) in folded `text`.
    pub fn find(&self, cue: &Cue, text: &str) -> Option<std::ops::Range<usize>> {
        let regex = &self.terms[cue.term].regex;
        let mut scratch = self.scratch();
        regex
            .search_with(scratch.term(&self.terms, cue.term), &Input::new(text))
            .map(|m| m.range())
    }

    /// Rules that fire in one folded sentence, which `has` what it has (demotion is the
    /// caller's business).
    pub fn fire(&self, sentence: &str, has: Has) -> Vec<Fire> {
        let mut scratch = self.scratch();
        let candidates = self.members(PREFILTER, sentence, has, &mut scratch);
        if candidates.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<Option<Vec<std::ops::Range<usize>>>> = vec![None; self.terms.len()];
        let mut term = |i: usize| -> Vec<std::ops::Range<usize>> {
            found[i]
                .get_or_insert_with(|| self.find_all(i, sentence, &mut scratch))
                .clone()
        };
        candidates
            .into_iter()
            .filter(|i| self.rules[*i].needs.met_by(has))
            .filter_map(|i| {
                let rule = &self.rules[i];
                best_span(rule, sentence, self.unit, &mut term).map(|span| Fire { rule: i, span })
            })
            .collect()
    }

    /// Whether a demoting cue applies to a fired rule: one in the rule's clause or after it
    /// ("I'd like to reset it, but how do I …?"). A cue in an earlier clause does not: "Thanks
    /// for resetting my password, can you also disable 2FA?" still asks for the 2FA change.
    pub fn demotes(&self, sentence: &str, has: Has, span: &std::ops::Range<usize>) -> bool {
        let clause = clause_of(sentence, span);
        let cues = self.cues_in(sentence, has, true);
        let mut scratch = self.scratch();
        cues.iter().any(|c| {
            self.find_all(c.term, sentence, &mut scratch)
                .iter()
                .any(|m| m.end > clause.start)
        })
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

/// The smallest span holding an object, an action and a marker within the rule's window.
/// `term` gives a term's matches in the sentence; the marker is asked for only once the object
/// and action are there.
fn best_span(
    rule: &Rule,
    s: &str,
    unit: Unit,
    term: &mut impl FnMut(usize) -> Vec<std::ops::Range<usize>>,
) -> Option<std::ops::Range<usize>> {
    let [object, action, marker] = rule.terms;
    let objects = term(object);
    if objects.is_empty() {
        return None;
    }
    let actions = term(action);
    if actions.is_empty() {
        return None;
    }
    let markers = term(marker);
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
                for (what, term) in [("object", rule.terms[0]), ("action", rule.terms[1])] {
                    if let Some(problem) = lint_pattern(&lang.terms[term].pattern) {
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
                if let Some(problem) = lint_pattern(&lang.terms[cue.term].pattern) {
                    failures.push(format!("{}: pattern: {problem}", cue.id));
                }
                for t in &cue.matches {
                    if lang.find(cue, &text::fold(t).text).is_none() {
                        failures.push(format!("{}: should match: {t}", cue.id));
                    }
                }
                for t in &cue.no_match {
                    if lang.find(cue, &text::fold(t).text).is_some() {
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

/// Parses a pattern as it is compiled. Patterns are matched against folded, lower-case text,
/// so they compile case-sensitively unless one has an upper-case letter, which only
/// case-insensitive matching can make reachable: case folding multiplies the automaton's size
/// and its compile time. Each pattern is parsed here once; its script needs, its own regex and
/// the sets it belongs to are all built from the one syntax tree.
fn parse(pattern: &str) -> std::result::Result<Hir, String> {
    let parse = |case_insensitive: bool| {
        regex_syntax::ParserBuilder::new()
            .case_insensitive(case_insensitive)
            .build()
            .parse(pattern)
            .map_err(|e| e.to_string().replace('\n', " "))
    };
    let hir = parse(false)?;
    if has_upper_case(&hir) {
        parse(true)
    } else {
        Ok(hir)
    }
}

/// Compiles one pattern, or a `set` of them searched for which occur (`MatchKind::All`).
fn build(
    hirs: &[&Hir],
    set: bool,
    cache_capacity: usize,
) -> std::result::Result<meta::Regex, String> {
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .match_kind(if set {
                    MatchKind::All
                } else {
                    MatchKind::LeftmostFirst
                })
                .utf8_empty(true)
                .nfa_size_limit(Some(if set { 1 << 24 } else { 1 << 22 }))
                .hybrid_cache_capacity(cache_capacity),
        )
        .build_many_from_hir(hirs)
        .map_err(|e| e.to_string().replace('\n', " "))
}

/// Whether a pattern has an upper-case letter in a literal or in a small class (`[A-Z]`) without
/// its lower case. Large classes (`\W`, `[^a-z]`) match the same lower-case text either way.
fn has_upper_case(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Literal(lit) => String::from_utf8_lossy(&lit.0)
            .chars()
            .any(char::is_uppercase),
        HirKind::Class(Class::Unicode(class)) => {
            let size: u32 = class.ranges().iter().map(|r| r.len() as u32).sum();
            let has = |c: char| {
                class
                    .ranges()
                    .iter()
                    .any(|r| (r.start()..=r.end()).contains(&c))
            };
            size < 1024
                && class
                    .ranges()
                    .iter()
                    .flat_map(|r| r.start()..=r.end())
                    .any(|c| c.is_uppercase() && c.to_lowercase().any(|l| !has(l)))
        }
        HirKind::Class(Class::Bytes(class)) => {
            let has = |b: u8| {
                class
                    .ranges()
                    .iter()
                    .any(|r| (r.start()..=r.end()).contains(&b))
            };
            class
                .ranges()
                .iter()
                .flat_map(|r| r.start()..=r.end())
                .any(|b| b.is_ascii_uppercase() && !has(b.to_ascii_lowercase()))
        }
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Repetition(rep) => has_upper_case(&rep.sub),
        HirKind::Capture(cap) => has_upper_case(&cap.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(has_upper_case),
    }
}

/// Compiles one language's merged rules.
fn compile_language(code: String, m: Merged) -> Result<Language> {
    // Rules share terms (most use the same request marker): each distinct one is
    // compiled once, which halves start-up, and searched once per sentence.
    let mut terms: Vec<Term> = Vec::new();
    // The terms' syntax trees, which the sets are built from too; dropped once they are.
    let mut hirs: Vec<Hir> = Vec::new();
    let mut compile = |what: &str, file: &str, list: &[String]| -> Result<usize> {
        let problem = |p: String| Error::Config {
            path: file.into(),
            line: None,
            problem: format!("{what}: {p}"),
        };
        let alternation = expand(list, &m.patterns).map_err(problem)?;
        if let Some(i) = terms.iter().position(|t| t.pattern == alternation) {
            return Ok(i);
        }
        let invalid = |e: String| problem(format!("invalid pattern: {e}"));
        let hir = parse(&alternation).map_err(invalid)?;
        let regex = build(&[&hir], false, 8 << 20).map_err(invalid)?;
        terms.push(Term {
            needs: Needs::of_hir(&hir),
            pattern: alternation,
            regex,
        });
        hirs.push(hir);
        Ok(terms.len() - 1)
    };
    let mut rules = Vec::new();
    for (r, file) in &m.rules {
        let id = format!("{code}/{}", r.id);
        let marker = r.marker.clone().unwrap_or_else(|| vec!["$request".into()]);
        let object = compile(&format!("{id}: object"), file, &r.object)?;
        let action = compile(&format!("{id}: action"), file, &r.action)?;
        let marker = compile(&format!("{id}: marker"), file, &marker)?;
        rules.push(Rule {
            terms: [object, action, marker],
            needs: Needs::default(),
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
        let term = compile(&id, file, &c.patterns)?;
        cues.push(Cue {
            term,
            needs: Needs::default(),
            id,
            effect: c.effect,
            matches: c.matches.clone(),
            no_match: c.no_match.clone(),
            source: file.clone(),
        });
    }
    for rule in &mut rules {
        rule.needs = rule
            .terms
            .iter()
            .fold(Needs::default(), |n, t| n.any(terms[*t].needs));
    }
    for cue in &mut cues {
        cue.needs = terms[cue.term].needs;
    }
    // A lazy DFA cache large enough for the whole set keeps the scan on the DFA; a
    // small one thrashes and the search falls back to the (slow) PikeVM.
    let set = |members: Vec<usize>, term: &dyn Fn(usize) -> usize, capacity: usize| {
        let patterns: Vec<&Hir> = members.iter().map(|i| &hirs[term(*i)]).collect();
        let need = members
            .iter()
            .fold(Needs::everything(), |n, i| n.all(terms[term(*i)].needs));
        let regex = build(&patterns, true, capacity).map_err(|problem| Error::Config {
            path: format!("rules/{code}").into(),
            line: None,
            problem,
        })?;
        Ok::<_, Error>(((regex, members), need))
    };
    let cues_of = |demoting: bool| -> Vec<usize> {
        (0..cues.len())
            .filter(|i| (cues[*i].effect == Effect::Demote) == demoting)
            .collect()
    };
    let (prefilter, _) = set((0..rules.len()).collect(), &|i| rules[i].terms[0], 64 << 20)?;
    // The prefilter stands for whole rules, which need what any of their terms needs: Japanese
    // rules with a Latin object ("パスワード|password") still skip a sentence without Japanese.
    let prefilter_need = rules
        .iter()
        .fold(Needs::everything(), |n, r| n.all(r.needs));
    let (escalation, escalation_need) = set(cues_of(false), &|i| cues[i].term, 32 << 20)?;
    let (demoting, demoting_need) = set(cues_of(true), &|i| cues[i].term, 32 << 20)?;
    Ok(Language {
        code,
        unit: m.unit,
        rules,
        cues,
        terms,
        sets: [prefilter, escalation, demoting],
        sets_need: [prefilter_need, escalation_need, demoting_need],
        scratch: ThreadLocal::new(),
    })
}

/// Makes `\b` and `\B` ASCII word boundaries, and `\w` and `\W` (outside classes) the ASCII word
/// characters and everything else. Unicode word boundaries keep the regex engine off its fast
/// DFA on non-ASCII text (every Japanese sentence), and a Unicode `\W` is a class of hundreds of
/// ranges that doubled the rules' compile time. Folded text needs no more: a boundary between
/// ASCII and Japanese is still a boundary, and a separator (`e\W?mail`) is anything but an
/// ASCII letter, digit or underscore.
fn ascii_words(pattern: &str) -> String {
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
                match (in_class, next) {
                    (0, 'b') => out.push_str("(?-u:\\b)"),
                    (0, 'B') => out.push_str("(?-u:\\B)"),
                    (0, 'w') => out.push_str("[0-9A-Za-z_]"),
                    (0, 'W') => out.push_str("[^0-9A-Za-z_]"),
                    _ => {
                        out.push(c);
                        out.push(next);
                    }
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
                    parts.push(format!("(?:{})", ascii_words(n)));
                }
            }
            None => parts.push(format!("(?:{})", ascii_words(p))),
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
    fn word_boundaries_and_classes_become_ascii_outside_classes() {
        assert_eq!(
            ascii_words(r"\bpass\b[\b]\\b"),
            r"(?-u:\b)pass(?-u:\b)[\b]\\b"
        );
        assert_eq!(
            ascii_words(r"e\W?mail\w+[\W]"),
            r"e[^0-9A-Za-z_]?mail[0-9A-Za-z_]+[\W]"
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
    fn only_upper_case_patterns_compile_case_insensitively() {
        let upper = |p: &str| has_upper_case(&regex_syntax::Parser::new().parse(p).unwrap());
        for p in [
            "password",
            r"\Wpass\W",
            "[^a-z]",
            r"\bid\b",
            "[a-zA-Z]",
            "パスワード",
        ] {
            assert!(!upper(p), "{p}");
        }
        for p in ["Password", "[A-Z]+", "(?:x|Ü)"] {
            assert!(upper(p), "{p}");
        }
        let upper = build(&[&parse("Password").unwrap()], false, 1 << 20).unwrap();
        assert!(upper.is_match("my password"));
    }

    #[test]
    fn patterns_with_invisible_or_full_width_characters_are_reported() {
        assert!(lint_pattern("pass\u{200b}word").is_some());
        assert!(lint_pattern("ﾊﾟｽﾜｰﾄﾞ").is_some());
        assert!(lint_pattern("パスワード").is_none());
    }
}
