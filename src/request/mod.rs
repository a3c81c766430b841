//! The request analyzer: the current text of a message → the intents it asks for, with risk
//! R1–R3 and the escalation cues of DESIGN.md §4, as evidence.
//!
//! It reads only what this sender wrote now (`message::body::current`), folds it
//! (`text::fold`), splits it into sentences and runs every language's rules on every
//! sentence; evidence quotes the original text the rule matched.

pub mod intent;
pub mod rules;

pub use intent::Intent;
pub use rules::RuleSet;
