//! Placeholder, filled by the conformance work.
