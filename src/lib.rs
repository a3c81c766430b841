//! impostor triages helpdesk email for social engineering. For each message it decides who is
//! really writing (authentication and sender identity), what they ask for, and what the agent
//! must do (DESIGN.md).
//!
//! ```text
//!  input bytes ──► Message ──┬─► auth    ──► Evidence ─┐
//!                 (parsed    ├─► sender  ──► Evidence ─┼─► Verdict ──► report
//!                  once)     └─► request ──► Evidence ─┘   (one place)
//!                                  ▲
//!                               DNS view
//! ```
//!
//! The analysis modules (`message`, `auth`, `evidence`, `verdict`) never import `cli` or
//! `report`; `triage` ties them together and `cli` sits on top.

#![warn(missing_docs)]

pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod evidence;
pub mod message;
pub mod report;
pub mod request;
pub mod sender;
pub mod source;
pub mod store;
pub mod text;
pub mod triage;
pub mod verdict;
pub mod zendesk;

pub use error::{Error, Result};
pub use evidence::{Evidence, Lang};
pub use message::Message;
pub use triage::{Report, Settings, Triage};
pub use verdict::{Level, Verdict};
