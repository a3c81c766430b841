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
    state: State,
    /// A line longer than the reader's buffer, gathered; reused.
    line: Vec<u8>,
}

/// Where the split is between lines.
struct State {
    current: Option<(u64, Vec<u8>, Option<String>)>,
    prev_blank: bool,
    done: bool,
}

impl<R: BufRead> Mbox<R> {
    /// Wraps a reader positioned at the start of an mbox.
    pub fn new(input: R) -> Mbox<R> {
        Mbox {
            input,
            offset: 0,
            state: State {
                current: None,
                prev_blank: true,
                done: false,
            },
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

impl State {
    /// Takes one whole line (with its newline, if any) read at offset `at`; returns the entry
    /// it completes, if it does.
    fn line(&mut self, at: u64, line: &[u8]) -> Option<Entry> {
        let is_blank = line == b"\n" || line == b"\r\n";
        if line.starts_with(b"From ") && self.prev_blank {
            self.prev_blank = false;
            let problem = separator_problem(line);
            let previous = self.current.replace((at, Vec::new(), problem));
            return previous.map(finish);
        }
        self.prev_blank = is_blank;
        match &mut self.current {
            Some((_, body, _)) => body.extend_from_slice(unquote(line)),
            None if !is_blank => {
                // Text before the first separator: not an mbox after all.
                self.done = true;
                return Some(Entry {
                    offset: at,
                    message: Err("not an mbox: no \"From \" separator line at the start".into()),
                });
            }
            None => {}
        }
        None
    }
}

impl<R: BufRead> Iterator for Mbox<R> {
    type Item = Entry;

    /// Lines are found in the reader's buffer and runs of ordinary ones (neither a possible
    /// separator, a quoted `>From`, nor blank) copied in one piece: reading line by line into
    /// a buffer cost more than the rest of the split.
    fn next(&mut self) -> Option<Entry> {
        while !self.state.done {
            let buf = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) => {
                    self.state.done = true;
                    return Some(Entry {
                        offset: self.offset,
                        message: Err(format!("read error: {e}")),
                    });
                }
            };
            if buf.is_empty() {
                self.state.done = true;
                return self.state.current.take().map(finish);
            }
            let Some(last) = memchr::memrchr(b'\n', buf) else {
                // A line that does not end within the buffer: gathered whole.
                let mut line = std::mem::take(&mut self.line);
                line.clear();
                let read = self.input.read_until(b'\n', &mut line);
                let at = self.offset;
                self.offset += line.len() as u64;
                let entry = match read {
                    Ok(_) => self.state.line(at, &line),
                    Err(e) => {
                        self.state.done = true;
                        Some(Entry {
                            offset: at,
                            message: Err(format!("read error: {e}")),
                        })
                    }
                };
                self.line = line;
                match entry {
                    Some(e) => return Some(e),
                    None => continue,
                }
            };
            let lines = &buf[..=last];
            let (mut pos, mut run) = (0, 0);
            let mut entry = None;
            while pos < lines.len() {
                let end =
                    pos + memchr::memchr(b'\n', &lines[pos..]).map_or(lines.len() - pos, |i| i + 1);
                let line = &lines[pos..end];
                let ordinary = !matches!(line[0], b'F' | b'>' | b'\n' | b'\r');
                if ordinary && self.state.current.is_some() {
                    self.state.prev_blank = false;
                    pos = end;
                    continue;
                }
                if let Some((_, body, _)) = &mut self.state.current {
                    body.extend_from_slice(&lines[run..pos]);
                }
                entry = self.state.line(self.offset + pos as u64, line);
                pos = end;
                run = end;
                if entry.is_some() || self.state.done {
                    break;
                }
            }
            if let Some((_, body, _)) = &mut self.state.current {
                body.extend_from_slice(&lines[run..pos]);
            }
            self.input.consume(pos);
            self.offset += pos as u64;
            if entry.is_some() {
                return entry;
            }
        }
        None
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

    #[test]
    fn the_split_does_not_depend_on_the_read_buffer() {
        let text = "From a@b.example Tue Nov 24 10:00:00 2026\r\nFrom: a@b.example\r\n\r\nhello\r\n>From the start\r\n>>From deeper\r\nFrank\r\n\r\n\r\nFrom garbage\nx\n\nFrom c@d.example Tue Nov 24 10:01:00 2026\nFrom: c@d.example\n\nbye\nno newline at the end";
        let whole = split(text);
        assert_eq!(whole.len(), 3);
        for capacity in [1, 2, 3, 5, 8, 13, 64] {
            let reader = std::io::BufReader::with_capacity(capacity, text.as_bytes());
            let small: Vec<Entry> = Mbox::new(reader).collect();
            assert_eq!(small, whole, "buffer of {capacity} bytes");
        }
        assert_eq!(
            whole[0].message.as_deref().unwrap(),
            b"From: a@b.example\r\n\r\nhello\r\nFrom the start\r\n>From deeper\r\nFrank\r\n\r\n"
        );
        assert_eq!(whole[2].offset, text.find("From c@").unwrap() as u64);
        assert!(
            whole[2]
                .message
                .as_deref()
                .unwrap()
                .ends_with(b"no newline at the end")
        );
    }
}
