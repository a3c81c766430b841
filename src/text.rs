//! Text folding shared by the sender and request analyzers: NFKC, case, width, long-vowel
//! marks, wave dashes and spaces, rejoined hard-wrapped Japanese lines, and sentence splits —
//! always keeping, for every folded byte, the offset of the original text it came from, so
//! evidence can quote exactly what the sender wrote.

use std::ops::Range;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folded text with a map back to the original.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    /// The folded text.
    pub text: String,
    /// `map[i]` is the original byte offset of folded byte `i`; one extra entry for the end.
    map: Vec<usize>,
}

impl Folded {
    /// Appends the fold of one normalized character that came from original offset `start`,
    /// collapsing runs of spaces.
    fn push(&mut self, c: char, start: usize) {
        let before = self.text.len();
        fold_char(c, &mut self.text);
        if self.text.ends_with(' ') && self.text[..self.text.len() - 1].ends_with([' ', '\n']) {
            self.text.pop();
        }
        for _ in before..self.text.len() {
            self.map.push(start);
        }
    }

    /// The original byte range of a folded byte range.
    pub fn original(&self, range: Range<usize>) -> Range<usize> {
        let start = self.map.get(range.start).copied().unwrap_or(0);
        let end = if range.end == 0 {
            start
        } else {
            // The end of the original character the last folded byte came from.
            self.map
                .get(range.end)
                .copied()
                .unwrap_or_else(|| self.map.last().copied().unwrap_or(0))
        };
        start..end.max(start)
    }
}

/// Whether a character is Japanese script (kana, kanji, or their punctuation).
pub fn is_japanese(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303f}' | '\u{3040}'..='\u{309f}' | '\u{30a0}'..='\u{30ff}'
        | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}'
        | '\u{ff66}'..='\u{ff9f}')
}

/// Characters NFKC leaves alone (and `fold_char` at most lower-cases): ASCII, and
/// the kana letters and unified ideographs Japanese text is made of. (The kana marks U+309B/C,
/// ゟ, ヿ and the long-vowel mark are outside these ranges on purpose.)
fn stable(c: char) -> bool {
    c.is_ascii()
        || matches!(c, '\u{3041}'..='\u{3096}' | '\u{30a1}'..='\u{30fa}' | '\u{4e00}'..='\u{9fff}')
}

/// Whether `c` is (or normalizes to) a mark that combines with the character before it.
fn combines(c: char) -> bool {
    !stable(c) && c.nfkc().next().is_some_and(is_combining_mark)
}

/// Folds one character run: NFKC, lower case, and the variant marks RFC-less mail is full of.
fn fold_char(c: char, out: &mut String) {
    match c {
        // Long-vowel marks and the dashes typed in their place.
        'ー' | '―' | '─' | '—' | '－' => out.push('ー'),
        // Wave dashes: 〜 (U+301C) and ～ (U+FF5E, NFKC gives "~").
        '〜' | '~' | '∼' => out.push('〜'),
        // Typographic apostrophes and quotes, as word processors and phones type them.
        '\u{2018}' | '\u{2019}' | '\u{02bc}' => out.push('\''),
        '\u{201c}' | '\u{201d}' => out.push('"'),
        c if c.is_whitespace() => out.push(' '),
        c => out.extend(c.to_lowercase()),
    }
}

/// Folds `text` (NFKC, case, width, marks, spaces), keeping offsets. Hard-wrapped lines are
/// rejoined: a line break between two Japanese characters disappears, any other becomes a
/// space; a blank line stays a paragraph break (`\n`).
pub fn fold(text: &str) -> Folded {
    let mut out = Folded {
        text: String::with_capacity(text.len()),
        map: Vec::with_capacity(text.len() + 1),
    };
    let bytes = text.as_bytes();
    let char_at = |i: usize| text.get(i..).and_then(|t| t.chars().next());
    let mut i = 0;
    let mut group = String::new();
    let mut normalized = String::new();
    while i < bytes.len() {
        let b = bytes[i];
        // ASCII other than a line break, followed by ASCII (which never combines): most of
        // English mail, a byte at a time with no table lookups.
        if b.is_ascii() && b != b'\r' && b != b'\n' && bytes.get(i + 1).is_none_or(u8::is_ascii) {
            if (b as char).is_whitespace() {
                if !out.text.ends_with([' ', '\n']) {
                    out.text.push(' ');
                    out.map.push(i);
                }
            } else {
                out.text.push(b.to_ascii_lowercase() as char);
                out.map.push(i);
            }
            i += 1;
            continue;
        }
        let Some(c) = char_at(i) else { break };
        let start = i;
        let after = i + c.len_utf8();
        if c == '\r' || c == '\n' {
            // A run of line breaks: one is a wrap, two or more a paragraph.
            let mut j = i;
            let mut newlines = 0;
            while let Some(n) =
                char_at(j).filter(|n| matches!(n, '\r' | '\n' | ' ' | '\t' | '\u{3000}'))
            {
                if n == '\n' {
                    newlines += 1;
                }
                j += n.len_utf8();
            }
            let prev = out.text.chars().next_back();
            let next = char_at(j);
            let joiner = if newlines >= 2 {
                Some('\n')
            } else if prev.is_some_and(is_japanese) && next.is_some_and(is_japanese) {
                None
            } else {
                Some(' ')
            };
            if let Some(sep) =
                joiner.filter(|sep| prev.is_some() && (!out.text.ends_with(' ') || *sep == '\n'))
            {
                if sep == '\n' && out.text.ends_with(' ') {
                    out.text.pop();
                    out.map.pop();
                }
                out.text.push(sep);
                out.map.push(start);
            }
            i = j;
            continue;
        }
        // Most characters are their own NFKC form and are not followed by a combining mark:
        // they skip the normalizer, which otherwise costs more than the rest of the fold.
        if stable(c) && char_at(after).is_none_or(|n| !combines(n)) {
            if c.is_ascii() {
                out.push(c, start);
            } else {
                // Kana and ideographs have no case: they fold to themselves.
                out.text.push(c);
                out.map.extend(std::iter::repeat_n(start, c.len_utf8()));
            }
            i = after;
            continue;
        }
        // A base character with the marks that compose with it (ﾊ + ﾟ → パ).
        group.clear();
        group.push(c);
        let mut j = after;
        while let Some(next) = char_at(j).filter(|n| combines(*n)) {
            group.push(next);
            j += next.len_utf8();
        }
        normalized.clear();
        normalized.extend(group.nfkc());
        for n in normalized.chars() {
            out.push(n, start);
        }
        i = j;
    }
    out.map.push(text.len());
    out
}

/// Sentence ranges (in folded text): split after 。！？!?, after `.` followed by a space or
/// Japanese, and at paragraph breaks. Ranges are trimmed of spaces.
pub fn sentences(folded: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = folded.as_bytes();
    let push = |s: usize, e: usize, out: &mut Vec<Range<usize>>| {
        let piece = &folded[s..e];
        let lead = piece.len() - piece.trim_start().len();
        let trail = piece.len() - piece.trim_end().len();
        if s + lead < e - trail {
            out.push(s + lead..e - trail);
        }
    };
    for (i, c) in folded.char_indices() {
        let end = i + c.len_utf8();
        let boundary = match c {
            '。' | '！' | '？' | '!' | '?' | '\n' => true,
            '.' => {
                bytes.get(end).is_none_or(|b| *b == b' ' || *b == b'\n')
                    || folded[end..].chars().next().is_some_and(is_japanese)
            }
            _ => false,
        };
        if boundary {
            push(start, end, &mut out);
            start = end;
        }
    }
    push(start, folded.len(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_case_and_marks_keeping_offsets() {
        let original = "ﾊﾟｽﾜｰﾄﾞを\r\nリセットしてください。PASSWORD　Reset〜";
        let f = fold(original);
        assert_eq!(f.text, "パスワードをリセットしてください。password reset〜");
        let at = f.text.find("リセット").unwrap();
        let r = f.original(at..at + "リセット".len());
        assert_eq!(&original[r], "リセット");
        let at = f.text.find("パスワード").unwrap();
        let r = f.original(at..at + "パスワード".len());
        assert_eq!(&original[r], "ﾊﾟｽﾜｰﾄﾞ");
    }

    #[test]
    fn the_fast_path_still_composes_following_marks() {
        // A base letter the fast path would take alone, followed by a combining mark.
        let f = fold("か\u{3099}ぎ cafe\u{301} ｶﾞ ﾞ");
        assert_eq!(f.text, "がぎ café ガ \u{3099}".nfkc().collect::<String>());
        let at = f.text.find("café").unwrap();
        assert_eq!(
            f.original(at..at + "café".len()),
            "か\u{3099}ぎ ".len().."か\u{3099}ぎ cafe\u{301}".len()
        );
    }

    #[test]
    fn wraps_and_paragraphs() {
        let f = fold("Please reset\nmy password.\n\n二段階認証を解\n除してください");
        assert_eq!(
            f.text,
            "please reset my password.\n二段階認証を解除してください"
        );
    }

    #[test]
    fn splits_sentences_in_both_languages() {
        let f = fold("Hi. Please reset my 2FA! I lost my phone.お願いします。至急対応を");
        let s: Vec<&str> = sentences(&f.text).into_iter().map(|r| &f.text[r]).collect();
        assert_eq!(
            s,
            [
                "hi.",
                "please reset my 2fa!",
                "i lost my phone.",
                "お願いします。",
                "至急対応を"
            ]
        );
    }
}
