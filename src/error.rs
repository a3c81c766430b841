//! The library's error type: "could not do the job" (unreadable input, a bad config, a DNS
//! server that cannot be started). A failed authentication is *not* an error: it is a result
//! (`temperror`, `permerror`) inside `auth::AuthResults`, and it feeds the verdict.

use std::path::PathBuf;

/// Everything that can stop impostor from producing a verdict.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input could not be read at all (missing file, permission, I/O error).
    #[error("{input}: cannot read: {problem}")]
    Unreadable {
        /// File name, or `<stdin>`.
        input: String,
        /// What the operating system said.
        problem: String,
    },
    /// The input was read but is not something impostor can triage.
    #[error("{input}: {problem}")]
    BadInput {
        /// File name, or `<stdin>`.
        input: String,
        /// One sentence naming the problem.
        problem: String,
    },
    /// The configuration file is invalid.
    #[error("{}{}: {problem}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Config {
        /// The config file.
        path: PathBuf,
        /// 1-based line of the offending key, when known.
        line: Option<usize>,
        /// What is wrong, naming the key.
        problem: String,
    },
    /// A service impostor needs could not be started or reached (local DNS server, store).
    #[error("{what}: {problem}")]
    Unavailable {
        /// The service.
        what: String,
        /// Why.
        problem: String,
    },
    /// A service refused the credentials or the access.
    #[error("{what}: {problem}")]
    Denied {
        /// The service.
        what: String,
        /// What to check.
        problem: String,
    },
    /// impostor itself failed on an input (a bug); the input was skipped.
    #[error("{input}: internal error, message skipped (please report): {problem}")]
    Internal {
        /// File name, or `<stdin>`.
        input: String,
        /// The panic message.
        problem: String,
    },
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

impl Error {
    /// Builds a `BadInput` error.
    pub fn bad_input(input: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::BadInput {
            input: input.into(),
            problem: problem.into(),
        }
    }

    /// Builds an `Unreadable` error from an I/O error.
    pub fn unreadable(input: impl Into<String>, err: &std::io::Error) -> Self {
        Error::Unreadable {
            input: input.into(),
            problem: crate::report::io_problem(err),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
