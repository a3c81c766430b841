//! Streaming mbox split: messages start at a "From " line at the start of the file or after a
//! blank line; `>From ` quoting is undone (mboxrd: one `>` is removed from `>+From `, which
//! also reads mboxo's `>From `). Memory is bounded by the largest message.

use std::io::BufRead;

/// One message of an mbox, or the problem at its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Byte offset of its "From " line.
    pub offset: u64,
    /// The message, unquoted, or why the bytes at `offset` are not one.
    pub message: Result<Vec<u8>, String>,
}

/// Iterates the messages of an mbox stream.
pub struct Mbox<R: BufRead> {
    input: R,
    offset: u64,
    current: Option<(u64, Vec<u8>, Option<String>)>,
    prev_blank: bool,
    done: bool,
    /// The line being read, reused: a fresh buffer per line cost more than the split.
    line: Vec<u8>,
}

impl<R: BufRead> Mbox<R> {
    /// Wraps a reader positioned at the start of an mbox.
    pub fn new(input: R) -> Mbox<R> {
        Mbox {
            input,
            offset: 0,
            current: None,
            prev_blank: true,
            done: false,
            line: Vec::new(),
        }
    }
}

/// RFC 4155: `From ` sender, then a date (asctime). A separator without at least a sender and
/// something date-like is damaged.
fn separator_problem(line: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(line);
    let words: Vec<&str> = text.split_whitespace().collect();
    let has_digit = words
        .iter()
        .skip(2)
        .any(|w| w.bytes().any(|b| b.is_ascii_digit()));
    (words.len() < 3 || !has_digit).then(|| {
        format!(
            "bad mbox separator {:?}: expected \"From sender date\"",
            text.trim_end()
        )
    })
}

fn unquote(line: &[u8]) -> &[u8] {
    let gt = line.iter().take_while(|&&b| b == b'>').count();
    if gt > 0 && line[gt..].starts_with(b"From ") {
        &line[1..]
    } else {
        line
    }
}

impl<R: BufRead> Iterator for Mbox<R> {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        if self.done {
            return None;
        }
        let mut line = std::mem::take(&mut self.line);
        let entry = self.read(&mut line);
        self.line = line;
        entry
    }
}

impl<R: BufRead> Mbox<R> {
    fn read(&mut self, line: &mut Vec<u8>) -> Option<Entry> {
        loop {
            line.clear();
            let n = match self.input.read_until(b'\n', line) {
                Ok(n) => n,
                Err(e) => {
                    self.done = true;
                    return Some(Entry {
                        offset: self.offset,
                        message: Err(format!("read error: {e}")),
                    });
                }
            };
            if n == 0 {
                self.done = true;
                return self.current.take().map(finish);
            }
            let at = self.offset;
            self.offset += n as u64;
            let is_blank = line == b"\n" || line == b"\r\n";
            if line.starts_with(b"From ") && self.prev_blank {
                self.prev_blank = false;
                let problem = separator_problem(line);
                let previous = self.current.replace((at, Vec::new(), problem));
                if let Some(prev) = previous {
                    return Some(finish(prev));
                }
                continue;
            }
            self.prev_blank = is_blank;
            match &mut self.current {
                Some((_, body, _)) => body.extend_from_slice(unquote(line)),
                None => {
                    if !is_blank {
                        // Text before the first separator: not an mbox after all.
                        self.done = true;
                        return Some(Entry {
                            offset: at,
                            message: Err(
                                "not an mbox: no \"From \" separator line at the start".into()
                            ),
                        });
                    }
                }
            }
        }
    }
}

fn finish((offset, mut body, problem): (u64, Vec<u8>, Option<String>)) -> Entry {
    // The blank line before the next separator belongs to the mbox, not the message.
    if body.ends_with(b"\r\n\r\n") {
        body.truncate(body.len() - 2);
    } else if body.ends_with(b"\n\n") {
        body.truncate(body.len() - 1);
    }
    Entry {
        offset,
        message: match problem {
            Some(p) => Err(p),
            None => Ok(body),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<Entry> {
        Mbox::new(std::io::Cursor::new(text.as_bytes().to_vec())).collect()
    }

    #[test]
    fn splits_and_unquotes() {
        let e = split(
            "From a@b.example Tue Nov 24 10:00:00 2026\nFrom: a@b.example\n\nhello\n>From the start\n>>From deeper\nFrom inside a line is content\n\nFrom c@d.example Tue Nov 24 10:01:00 2026\nFrom: c@d.example\n\nbye\n",
        );
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].offset, 0);
        assert_eq!(
            e[0].message.as_deref().unwrap(),
            b"From: a@b.example\n\nhello\nFrom the start\n>From deeper\nFrom inside a line is content\n"
        );
        assert_eq!(
            e[1].message.as_deref().unwrap(),
            b"From: c@d.example\n\nbye\n"
        );
    }

    #[test]
    fn a_bad_separator_is_one_error_and_the_rest_goes_on() {
        let e = split(
            "From a@b.example Tue Nov 24 10:00:00 2026\nFrom: a@b.example\n\nx\n\nFrom garbage\nFrom: c@d.example\n\ny\n\nFrom e@f.example Tue Nov 24 10:02:00 2026\nFrom: e@f.example\n\nz\n",
        );
        assert_eq!(e.len(), 3);
        assert!(e[0].message.is_ok());
        assert!(
            e[1].message
                .as_ref()
                .unwrap_err()
                .contains("bad mbox separator")
        );
        assert!(e[2].message.is_ok());
    }
}
