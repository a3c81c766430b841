//! Where messages come from in a scan: files, directory trees of `.eml`, mbox files, maildirs
//! and Zendesk JSON exports, detected by content (not only by extension), enumerated in a
//! stable order and streamed, so a resumed scan sees the same items in the same order.

pub mod maildir;
pub mod mbox;

use crate::zendesk::export::{self, Record};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Where an item was found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// The file.
    pub file: String,
    /// Byte offset of the message in an mbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Position in a JSON export (`line 12`, `value 1, ticket 3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// The Zendesk ticket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<u64>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.file)?;
        if let Some(o) = self.offset {
            write!(f, " at offset {o}")?;
        }
        if let Some(r) = &self.record {
            write!(f, " {r}")?;
        }
        if let Some(t) = self.ticket_id {
            write!(f, " (ticket {t})")?;
        }
        Ok(())
    }
}

/// What an item holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// Raw RFC 5322 bytes.
    Raw(Vec<u8>),
    /// A Zendesk ticket (with its comments when the export has them).
    Ticket(crate::zendesk::Ticket),
    /// One comment of a ticket, from the ticket-events export.
    Comment {
        /// The comment.
        comment: crate::zendesk::Comment,
        /// Who updated the ticket.
        updater_id: Option<u64>,
    },
    /// Bytes that could not be read as an item, and why.
    Unreadable(String),
}

/// One thing to triage.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Where it was found.
    pub location: Location,
    /// What it is.
    pub content: Content,
}

/// The kind of a file, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Mbox,
    Json,
    Message,
    /// Neither: a README or a config file met while walking a directory.
    Other,
}

fn sniff(path: &Path) -> std::io::Result<Kind> {
    let mut head = [0u8; 4096];
    let mut file = File::open(path)?;
    let n = file.read(&mut head)?;
    let head = &head[..n];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    Ok(if head.starts_with(b"From ") {
        Kind::Mbox
    } else if matches!(head.get(start), Some(b'{') | Some(b'[')) {
        Kind::Json
    } else if crate::message::looks_like_mail(head) {
        Kind::Message
    } else {
        Kind::Other
    })
}

/// A file to read: the path, and whether it was named on the command line (then anything in
/// it is reported) or found in a directory (then files that are not mail are skipped).
pub type Found = Result<(PathBuf, bool), (PathBuf, String)>;

/// Every file under the given paths, in a stable order: directories are walked sorted by name
/// (maildirs by `new/` then `cur/`); hidden files and `tmp/` of a maildir are skipped.
pub fn files(paths: &[PathBuf]) -> Vec<Found> {
    let mut out = Vec::new();
    for p in paths {
        let before = out.len();
        walk(p, &mut out);
        if out.len() == before + 1
            && let Some(Ok((q, named))) = out.last_mut()
        {
            *named = q == p;
        }
    }
    out
}

fn walk(path: &Path, out: &mut Vec<Found>) {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            out.push(Err((path.to_path_buf(), crate::report::io_problem(&e))));
            return;
        }
    };
    if meta.is_file() {
        out.push(Ok((path.to_path_buf(), false)));
        return;
    }
    if maildir::is_maildir(path) {
        match maildir::messages(path) {
            Ok(files) => out.extend(files.into_iter().map(|f| Ok((f, false)))),
            Err(e) => out.push(Err((path.to_path_buf(), crate::report::io_problem(&e)))),
        }
        return;
    }
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            out.push(Err((path.to_path_buf(), crate::report::io_problem(&e))));
            return;
        }
    };
    entries.sort();
    for e in entries {
        let hidden = e
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if !hidden {
            walk(&e, out);
        }
    }
}

/// The items of the given paths, streamed. `limit` bounds a single message's size.
pub fn items(paths: &[PathBuf], limit: usize) -> impl Iterator<Item = Item> + Send + use<> {
    files(paths)
        .into_iter()
        .flat_map(move |f| file_items(f, limit))
}

fn unreadable(file: &Path, problem: String) -> Item {
    Item {
        location: Location {
            file: file.display().to_string(),
            ..Default::default()
        },
        content: Content::Unreadable(problem),
    }
}

fn file_items(file: Found, limit: usize) -> Box<dyn Iterator<Item = Item> + Send> {
    let (path, named) = match file {
        Ok(p) => p,
        Err((p, problem)) => {
            return Box::new(std::iter::once(unreadable(
                &p,
                format!("cannot read: {problem}"),
            )));
        }
    };
    let name = path.display().to_string();
    let kind = match sniff(&path) {
        Ok(k) => k,
        Err(e) => {
            return Box::new(std::iter::once(unreadable(
                &path,
                format!("cannot read: {}", crate::report::io_problem(&e)),
            )));
        }
    };
    let open = || File::open(&path).map(|f| BufReader::with_capacity(256 * 1024, f));
    match (kind, open()) {
        (Kind::Other, _) if !named => Box::new(std::iter::empty()),
        (_, Err(e)) => Box::new(std::iter::once(unreadable(
            &path,
            format!("cannot read: {}", crate::report::io_problem(&e)),
        ))),
        (Kind::Message | Kind::Other, Ok(mut reader)) => {
            let mut buf = Vec::new();
            let item = match (&mut reader).take(limit as u64 + 1).read_to_end(&mut buf) {
                Err(e) => unreadable(
                    &path,
                    format!("cannot read: {}", crate::report::io_problem(&e)),
                ),
                Ok(_) if buf.len() > limit => unreadable(
                    &path,
                    format!("larger than max_message_bytes ({limit} bytes)"),
                ),
                Ok(_) => Item {
                    location: Location {
                        file: name,
                        ..Default::default()
                    },
                    content: Content::Raw(buf),
                },
            };
            Box::new(std::iter::once(item))
        }
        (Kind::Mbox, Ok(reader)) => Box::new(mbox::Mbox::new(reader).map(move |e| Item {
            location: Location {
                file: name.clone(),
                offset: Some(e.offset),
                ..Default::default()
            },
            content: match e.message {
                Ok(m) if m.len() > limit => {
                    Content::Unreadable(format!("larger than max_message_bytes ({limit} bytes)"))
                }
                Ok(m) => Content::Raw(m),
                Err(p) => Content::Unreadable(p),
            },
        })),
        (Kind::Json, Ok(reader)) => Box::new(json_items(reader, name)),
    }
}

fn json_items<R: BufRead + Send + 'static>(
    reader: R,
    name: String,
) -> impl Iterator<Item = Item> + Send {
    export::Reader::new(reader).map(move |located| {
        let mut location = Location {
            file: name.clone(),
            record: Some(located.location),
            ..Default::default()
        };
        let content = match located.record {
            Ok(Record::Ticket(t)) => {
                location.ticket_id = Some(t.id);
                Content::Ticket(t)
            }
            Ok(Record::CommentEvent {
                ticket_id,
                updater_id,
                comment,
            }) => {
                location.ticket_id = Some(ticket_id);
                Content::Comment {
                    comment,
                    updater_id,
                }
            }
            Err(problem) => Content::Unreadable(problem),
        };
        Item { location, content }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_kinds_by_content_and_walks_in_order() {
        let dir = std::env::temp_dir().join(format!("impostor-source-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("md/cur")).unwrap();
        std::fs::create_dir_all(dir.join("md/new")).unwrap();
        std::fs::create_dir_all(dir.join("md/tmp")).unwrap();
        std::fs::write(
            dir.join("b.txt"),
            "From a@b.example Tue Nov 24 10:00:00 2026\nFrom: a@b.example\n\nx\n",
        )
        .unwrap();
        std::fs::write(dir.join("a.data"), "{\"id\": 7, \"comments\": []}\n").unwrap();
        std::fs::write(dir.join("c.eml"), "From: c@d.example\n\ny\n").unwrap();
        std::fs::write(dir.join("md/new/1"), "From: n@d.example\n\nnew\n").unwrap();
        std::fs::write(dir.join("md/cur/2"), "From: c@d.example\n\ncur\n").unwrap();
        std::fs::write(dir.join("md/tmp/3"), "From: t@d.example\n\ntmp\n").unwrap();
        let items: Vec<Item> = items(std::slice::from_ref(&dir), 1 << 20).collect();
        let kinds: Vec<&str> = items
            .iter()
            .map(|i| match &i.content {
                Content::Raw(_) => "raw",
                Content::Ticket(_) => "ticket",
                Content::Comment { .. } => "comment",
                Content::Unreadable(_) => "error",
            })
            .collect();
        assert_eq!(kinds, ["ticket", "raw", "raw", "raw", "raw"]);
        assert_eq!(items[1].location.offset, Some(0));
        assert!(items[3].location.file.ends_with("md/new/1"));
        assert!(items[4].location.file.ends_with("md/cur/2"));
    }
}
