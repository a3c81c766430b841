//! Streaming readers for Zendesk JSON exports (ZENDESK.md §5): the admin JSON export
//! (newline-delimited tickets, each with `comments`), incremental export pages
//! (`{"tickets": […]}`) and ticket events with comment events (`{"ticket_events": […]}`).
//!
//! Newline-delimited files are read a line at a time, so memory stays bounded by the longest
//! line and a broken line is one error, not the end of the file. A pretty-printed page is read
//! as a stream of JSON values.

use super::{Comment, Ticket};
use serde::Deserialize;
use serde_json::Value;
use std::io::BufRead;

/// One thing found in an export.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A whole ticket (with its comments, when the export has them).
    Ticket(Ticket),
    /// One comment from the ticket-events export.
    CommentEvent {
        /// The ticket it belongs to.
        ticket_id: u64,
        /// Who updated the ticket (the comment's author when not given).
        updater_id: Option<u64>,
        /// The comment.
        comment: Comment,
    },
}

/// A record with where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// `line 12`, or `value 1, ticket 3`.
    pub location: String,
    /// The record, or why the bytes there could not be read.
    pub record: Result<Record, String>,
}

/// Reads records from an export, lazily.
pub struct Reader<R: BufRead> {
    input: Option<R>,
    line: usize,
    pending: std::collections::VecDeque<Located>,
    mode: Option<Mode>,
    stream: Option<Box<dyn Iterator<Item = serde_json::Result<Value>> + Send>>,
    value_index: usize,
    done: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Lines,
    Stream,
}

impl<R: BufRead + Send + 'static> Reader<R> {
    /// Wraps a reader.
    pub fn new(input: R) -> Reader<R> {
        Reader {
            input: Some(input),
            line: 0,
            pending: Default::default(),
            mode: None,
            stream: None,
            value_index: 0,
            done: false,
        }
    }

    fn read_line(&mut self) -> Option<std::io::Result<Vec<u8>>> {
        let mut buf = Vec::new();
        match self.input.as_mut()?.read_until(b'\n', &mut buf) {
            Ok(0) => None,
            Ok(_) => {
                self.line += 1;
                Some(Ok(buf))
            }
            Err(e) => Some(Err(e)),
        }
    }
}

/// Splits one JSON value into records.
fn records(value: Value, location: &str) -> Vec<Located> {
    let at = |suffix: String| format!("{location}{suffix}");
    let mut out = Vec::new();
    let Value::Object(mut obj) = value else {
        return vec![Located {
            location: location.to_string(),
            record: Err("not a JSON object".into()),
        }];
    };
    if let Some(Value::Array(tickets)) = obj.remove("tickets") {
        for (i, t) in tickets.into_iter().enumerate() {
            out.push(Located {
                location: at(format!(", ticket {}", i + 1)),
                record: Ticket::deserialize(t)
                    .map(Record::Ticket)
                    .map_err(|e| format!("not a ticket: {e}")),
            });
        }
        return out;
    }
    if let Some(Value::Array(events)) = obj.remove("ticket_events") {
        for (i, event) in events.into_iter().enumerate() {
            let ticket_id = event.get("ticket_id").and_then(Value::as_u64);
            let updater_id = event.get("updater_id").and_then(Value::as_u64);
            let children = event
                .get("child_events")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for child in children {
                let kind = child
                    .get("event_type")
                    .or_else(|| child.get("type"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if !kind.eq_ignore_ascii_case("comment")
                    && !kind.eq_ignore_ascii_case("voicecomment")
                {
                    continue;
                }
                let record = match (ticket_id, Comment::deserialize(child)) {
                    (Some(ticket_id), Ok(comment)) => Ok(Record::CommentEvent {
                        ticket_id,
                        updater_id,
                        comment,
                    }),
                    (None, _) => Err("a ticket event without ticket_id".to_string()),
                    (_, Err(e)) => Err(format!("not a comment event: {e}")),
                };
                out.push(Located {
                    location: at(format!(", event {}", i + 1)),
                    record,
                });
            }
        }
        return out;
    }
    if let Some(t) = obj.remove("ticket") {
        let mut t = t;
        if let (Value::Object(map), Some(comments)) = (&mut t, obj.remove("comments")) {
            map.insert("comments".into(), comments);
        }
        return vec![Located {
            location: location.to_string(),
            record: Ticket::deserialize(t)
                .map(Record::Ticket)
                .map_err(|e| format!("not a ticket: {e}")),
        }];
    }
    if obj.contains_key("id") {
        return vec![Located {
            location: location.to_string(),
            record: Ticket::deserialize(Value::Object(obj))
                .map(Record::Ticket)
                .map_err(|e| format!("not a ticket: {e}")),
        }];
    }
    // Pagination-only objects (an empty last page) hold nothing to triage.
    if obj.contains_key("end_of_stream")
        || obj.contains_key("next_page")
        || obj.contains_key("after_cursor")
    {
        return out;
    }
    vec![Located {
        location: location.to_string(),
        record: Err("a JSON object that is neither a ticket nor an export page".into()),
    }]
}

impl<R: BufRead + Send + 'static> Iterator for Reader<R> {
    type Item = Located;

    fn next(&mut self) -> Option<Located> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Some(r);
            }
            if self.done {
                return None;
            }
            match self.mode {
                None => {
                    // Decide from the first non-empty line: a whole JSON value means one value
                    // per line; anything else is a pretty-printed document.
                    let line = loop {
                        match self.read_line() {
                            None => {
                                self.done = true;
                                return None;
                            }
                            Some(Err(e)) => {
                                self.done = true;
                                return Some(Located {
                                    location: format!("line {}", self.line + 1),
                                    record: Err(format!("read error: {e}")),
                                });
                            }
                            Some(Ok(l)) if l.iter().all(u8::is_ascii_whitespace) => continue,
                            Some(Ok(l)) => break l,
                        }
                    };
                    match serde_json::from_slice::<Value>(&line) {
                        Ok(v) => {
                            self.mode = Some(Mode::Lines);
                            let location = format!("line {}", self.line);
                            self.pending.extend(records(v, &location));
                        }
                        Err(_) => {
                            self.mode = Some(Mode::Stream);
                            let rest = self.input.take().expect("input not yet taken");
                            let chained = std::io::Read::chain(std::io::Cursor::new(line), rest);
                            self.stream = Some(Box::new(
                                serde_json::Deserializer::from_reader(chained).into_iter::<Value>(),
                            ));
                        }
                    }
                }
                Some(Mode::Lines) => match self.read_line() {
                    None => self.done = true,
                    Some(Err(e)) => {
                        self.done = true;
                        return Some(Located {
                            location: format!("line {}", self.line + 1),
                            record: Err(format!("read error: {e}")),
                        });
                    }
                    Some(Ok(l)) if l.iter().all(u8::is_ascii_whitespace) => {}
                    Some(Ok(l)) => {
                        let location = format!("line {}", self.line);
                        match serde_json::from_slice::<Value>(&l) {
                            Ok(v) => self.pending.extend(records(v, &location)),
                            Err(e) => {
                                return Some(Located {
                                    location,
                                    record: Err(format!("not JSON: {e}")),
                                });
                            }
                        }
                    }
                },
                Some(Mode::Stream) => {
                    let stream = self.stream.as_mut().expect("stream mode has a stream");
                    match stream.next() {
                        None => self.done = true,
                        Some(Ok(v)) => {
                            self.value_index += 1;
                            let location = format!("value {}", self.value_index);
                            self.pending.extend(records(v, &location));
                        }
                        Some(Err(e)) => {
                            // A broken document cannot be resynchronised.
                            self.done = true;
                            return Some(Located {
                                location: format!("value {}", self.value_index + 1),
                                record: Err(format!("not JSON: {e}")),
                            });
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Located> {
        Reader::new(std::io::Cursor::new(text.as_bytes().to_vec())).collect()
    }

    #[test]
    fn newline_delimited_tickets_with_a_broken_line() {
        let text = "{\"id\":1,\"subject\":\"a\",\"comments\":[{\"id\":10,\"plain_body\":\"hi\"}]}\n{\"id\":2,\"subj\n\n{\"id\":3}\n";
        let r = read(text);
        assert_eq!(r.len(), 3);
        assert!(
            matches!(&r[0].record, Ok(Record::Ticket(t)) if t.id == 1 && t.comments.len() == 1)
        );
        assert_eq!(r[1].location, "line 2");
        assert!(r[1].record.is_err());
        assert!(matches!(&r[2].record, Ok(Record::Ticket(t)) if t.id == 3));
    }

    #[test]
    fn pretty_printed_incremental_page() {
        let text = "{\n  \"tickets\": [\n    {\"id\": 48213, \"via\": {\"channel\": 4}},\n    {\"id\": 48214}\n  ],\n  \"end_of_stream\": true\n}\n";
        let r = read(text);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].location, "value 1, ticket 2");
    }

    #[test]
    fn ticket_events_with_comment_events() {
        let text = r#"{"ticket_events": [{"id": 1, "ticket_id": 48213, "updater_id": 7, "via": "Mail", "child_events": [
            {"id": 11, "via": {"channel": "email", "source": {"from": {"address": "a@b.example"}}}, "type": "Comment", "author_id": 7, "body": "Hi", "public": true, "event_type": "Comment"},
            {"id": 12, "via": "Mail", "status": "new", "event_type": "Create"}]}], "count": 1, "end_of_stream": true}"#;
        let r = read(text);
        assert_eq!(r.len(), 1);
        assert!(
            matches!(&r[0].record, Ok(Record::CommentEvent { ticket_id: 48213, comment, .. }) if comment.id == 11)
        );
    }
}
