//! The single integration test target (`autotests = false`): the heavy dependency graph is
//! linked once. Each module is one subject.

/// Shared helpers: run the binary, serve fixture zones from an in-process DNS server.
mod util;

/// The public conformance suites (SPF, DKIM, ARC, DMARC, PSL) through impostor's code.
mod conformance;
