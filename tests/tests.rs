#![allow(unreachable_pub)]
//! The single integration test target (`autotests = false`): the heavy dependency graph is
//! linked once. Each module is one subject.

/// Shared helpers: run the binary, serve fixture zones from an in-process DNS server.
mod util;

/// The public conformance suites (SPF, DKIM, ARC, DMARC, PSL) through impostor's code.
mod conformance;

/// The binary end to end: exit codes, bad input, escaping, annotate, DNS failures.
mod cli;

/// The JSON output against an independent copy of its schema.
mod json;

/// README and example config kept true to the code.
mod docs;

/// Every fixture message against its expected results.
mod cases;

/// Damaged messages through the whole pipeline: no panic, no hang.
mod robustness;

/// The sender analyzer: no false alarms on ordinary senders; sender fixtures end to end.
mod sender;

/// `impostor scan`: formats, damaged input, CSV, resume.
mod scan;

/// `impostor ticket ID` against a local Zendesk.
mod ticket;
