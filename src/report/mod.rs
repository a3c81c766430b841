//! Rendering a `Report`: human text, JSON, and the annotated message for mail filters.
//! Everything that echoes message content goes through `escape` (human, headers) or
//! `json::to_line` (JSON), so a terminal escape in a Subject never reaches a terminal.

pub mod csv;
pub mod headers;
pub mod human;
pub mod json;
pub mod note;

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Text for a person at a terminal.
    Human,
    /// One JSON object per message.
    Json,
    /// The message itself with verdict headers added.
    Annotate,
}

/// Escapes characters that a terminal or a log viewer would interpret: C0 and C1 controls,
/// DEL, and the bidirectional overrides that reorder displayed text (CVE-2021-42574).
/// Line breaks are escaped too: every field is shown on one line.
pub fn escape(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x1b' => out.push_str("\\e"),
            c if needs_escape(c) => {
                let code = c as u32;
                if code < 0x100 {
                    out.push_str(&format!("\\x{code:02x}"));
                } else {
                    out.push_str(&format!("\\u{{{code:04x}}}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether a character must not reach a terminal as itself.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// An I/O error in a few words, without the "(os error 2)" noise.
pub fn io_problem(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match err.kind() {
        NotFound => "no such file".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "is a directory".into(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_and_bidi() {
        assert_eq!(escape("plain 日本語"), "plain 日本語");
        assert_eq!(escape("a\x1b[31mred"), "a\\e[31mred");
        assert_eq!(escape("t\x1b]0;x\x07"), "t\\e]0;x\\x07");
        assert_eq!(escape("\u{9b}2J"), "\\x9b2J");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(escape("two\r\nlines"), "two\\r\\nlines");
    }
}
