//! Which scripts a rule needs in a sentence before it can fire. A rule whose every match must
//! contain Japanese script cannot fire in a sentence without any, and one whose every match
//! must contain a Latin letter cannot fire in a sentence without one: those sentences skip it,
//! and skip the language's prefilter pass when all its rules are of the kind. The need is read
//! from the pattern itself (its syntax tree), so it holds for any rule file, not only ours.

use regex_syntax::hir::{Class, Hir, HirKind};

/// What every match of a pattern (or of all of a rule's terms) must contain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// A Japanese-script character (`text::is_japanese`).
    pub japanese: bool,
    /// A Latin letter (A–Z, a–z, and the two non-ASCII characters that case-fold to them).
    pub latin: bool,
}

/// Which of those a text contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Has {
    japanese: bool,
    latin: bool,
}

/// `text::is_japanese`, as ranges (adjacent ones merged).
const JAPANESE: &[(char, char)] = &[
    ('\u{3000}', '\u{30ff}'),
    ('\u{3400}', '\u{4dbf}'),
    ('\u{4e00}', '\u{9fff}'),
    ('\u{f900}', '\u{faff}'),
    ('\u{ff66}', '\u{ff9f}'),
];

/// Latin letters as a pattern compiled case-insensitively (one with an upper-case letter) sees
/// them: ſ (U+017F) folds to s and the Kelvin sign (U+212A) to k.
const LATIN: &[(char, char)] = &[
    ('A', 'Z'),
    ('a', 'z'),
    ('\u{17f}', '\u{17f}'),
    ('\u{212a}', '\u{212a}'),
];

fn within(c: char, set: &[(char, char)]) -> bool {
    set.iter().any(|(s, e)| (*s..=*e).contains(&c))
}

/// Whether every match of `hir` contains a character of `set`. Conservative: `false` when in
/// doubt (byte classes, empty classes, anything unexpected).
fn requires(hir: &Hir, set: &[(char, char)]) -> bool {
    match hir.kind() {
        HirKind::Literal(lit) => {
            std::str::from_utf8(&lit.0).is_ok_and(|s| s.chars().any(|c| within(c, set)))
        }
        HirKind::Class(Class::Unicode(class)) => {
            !class.ranges().is_empty()
                && class
                    .ranges()
                    .iter()
                    .all(|r| set.iter().any(|(s, e)| *s <= r.start() && r.end() <= *e))
        }
        HirKind::Class(Class::Bytes(_)) | HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Repetition(rep) => rep.min >= 1 && requires(&rep.sub, set),
        HirKind::Capture(cap) => requires(&cap.sub, set),
        HirKind::Concat(subs) => subs.iter().any(|h| requires(h, set)),
        HirKind::Alternation(subs) => !subs.is_empty() && subs.iter().all(|h| requires(h, set)),
    }
}

impl Needs {
    /// What every match of a pattern, given as the syntax tree it is compiled from, contains.
    pub fn of_hir(hir: &Hir) -> Needs {
        Needs {
            japanese: requires(hir, JAPANESE),
            latin: requires(hir, LATIN),
        }
    }

    /// A rule needs what any of its terms needs (all must match).
    pub fn any(self, other: Needs) -> Needs {
        Needs {
            japanese: self.japanese || other.japanese,
            latin: self.latin || other.latin,
        }
    }

    /// A group needs what all its members need.
    pub fn all(self, other: Needs) -> Needs {
        Needs {
            japanese: self.japanese && other.japanese,
            latin: self.latin && other.latin,
        }
    }

    /// What a group of nothing needs: everything, so that `all` starts from it.
    pub fn everything() -> Needs {
        Needs {
            japanese: true,
            latin: true,
        }
    }

    /// Whether a text that `has` this can hold a match.
    pub fn met_by(self, has: Has) -> bool {
        (!self.japanese || has.japanese) && (!self.latin || has.latin)
    }
}

impl Has {
    /// What `text` contains.
    pub fn of(text: &str) -> Has {
        let mut has = Has {
            japanese: false,
            latin: false,
        };
        for c in text.chars() {
            has.latin |= within(c, LATIN);
            has.japanese |= crate::text::is_japanese(c);
            if has.latin && has.japanese {
                break;
            }
        }
        has
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Needs {
        fn of_pattern(pattern: &str) -> Needs {
            Needs::of_hir(&regex_syntax::Parser::new().parse(pattern).unwrap())
        }
    }

    #[test]
    fn reads_what_patterns_need() {
        let n = Needs::of_pattern("パスワード|暗証番号");
        assert_eq!((n.japanese, n.latin), (true, false));
        let n = Needs::of_pattern(r"(?-u:\b)(reset|change)(?-u:\b)");
        assert_eq!((n.japanese, n.latin), (false, true));
        // Either script will do: neither is needed.
        let n = Needs::of_pattern("パスワード|password");
        assert_eq!((n.japanese, n.latin), (false, false));
        // Optional or digit-only parts need nothing.
        assert_eq!(Needs::of_pattern("(pw)?[0-9]+"), Needs::default());
        assert!(Needs::of_pattern("2fa").latin);
        assert!(!Needs::of_pattern("[^ム]").japanese);
    }

    #[test]
    fn met_only_by_texts_with_the_script() {
        let ja = Needs::of_pattern("お願い");
        assert!(!ja.met_by(Has::of("please reset my password")));
        assert!(ja.met_by(Has::of("お願いします")));
        let en = Needs::of_pattern("please");
        assert!(!en.met_by(Has::of("パスワードをリセットしてください。2026")));
        assert!(en.met_by(Has::of("ID を教えて")));
        // A case-folded Kelvin sign is a Latin letter to a case-insensitive pattern.
        assert!(Needs::of_pattern("k").met_by(Has::of("\u{212a}")));
    }
}
