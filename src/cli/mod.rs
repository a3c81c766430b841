//! The command line: arguments (clap), their merge with the config file into `Settings`, the
//! dispatch to one file per subcommand, and the one place exit statuses are decided.

mod check;
mod config;
mod profiles;
mod rules;
mod scan;
mod ticket;

use crate::error::Error;
use crate::evidence::Lang;
use crate::verdict::Level;
use clap::{Args, Parser, Subcommand};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

/// Triage helpdesk email for social engineering: who is really writing, what they ask for,
/// and what the agent must do.
#[derive(Debug, Parser)]
#[command(name = "impostor", version, about, long_about = None)]
pub struct Cli {
    /// Config file (default: $IMPOSTOR_CONFIG, then $XDG_CONFIG_HOME/impostor/impostor.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check raw RFC 5322 messages from stdin or files.
    Check(CheckArgs),
    /// Triage many messages at once: directories, mbox, maildir, Zendesk JSON exports.
    Scan(ScanArgs),
    /// Check a Zendesk ticket by its id (through the API, or the verdict a scan stored).
    Ticket(ticket::TicketArgs),
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// List or test the request rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Import or show user profiles.
    #[command(subcommand)]
    Profiles(ProfilesCommand),
}

/// `impostor profiles …`
#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// Import users from a Zendesk users export or API response (JSON), or CSV with a header
    /// row; write profiles TOML to stdout, to --output (merged by email), or into the store.
    Import {
        /// The users file.
        file: PathBuf,
        /// The profiles file to write (existing users are kept, same emails replaced).
        #[arg(long, short, value_name = "FILE", conflicts_with = "into_store")]
        output: Option<PathBuf>,
        /// Write the profiles into the SQLite store instead.
        #[arg(long)]
        into_store: bool,
    },
    /// Print the profile an address belongs to.
    Show {
        /// The address.
        email: String,
        /// The profiles file (default: the config's `profiles`).
        #[arg(long, value_name = "FILE")]
        profiles: Option<PathBuf>,
    },
}

/// `impostor rules …`
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print every rule and cue, with its intent, risk and example counts.
    List {
        /// Extra rule files (`*.toml`) that extend or override the built-in ones.
        dir: Option<PathBuf>,
    },
    /// Run every rule's example sentences; print each failure with its rule id.
    Test {
        /// Extra rule files (`*.toml`) that extend or override the built-in ones.
        dir: Option<PathBuf>,
    },
}

/// `impostor config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a config file and print what impostor understood.
    Check {
        /// The file (default: the one impostor would use).
        file: Option<PathBuf>,
    },
}

/// Options shared by the commands that triage (`check`, `scan`).
#[derive(Debug, Args)]
pub struct Common {
    /// Language of the verdict text.
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Resolver to use instead of the system one.
    #[arg(long, value_name = "IP:PORT")]
    pub nameserver: Option<SocketAddr>,
    /// Answer DNS from a snapshot file instead of the network.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["record_snapshot", "nameserver"])]
    pub dns_snapshot: Option<PathBuf>,
    /// Write the DNS records this run used to a snapshot file.
    #[arg(long, value_name = "FILE")]
    pub record_snapshot: Option<PathBuf>,
    /// Where authentication results come from.
    #[arg(long, value_enum)]
    pub auth_source: Option<crate::config::AuthSourceSetting>,
    /// Extra request rules: every `*.toml` in DIR extends or overrides the built-in rules.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// The profiles file (overrides the config's `profiles`).
    #[arg(long, value_name = "FILE")]
    pub profiles: Option<PathBuf>,
    /// The SQLite store (overrides the config's `store`).
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Read the sender history but record nothing.
    #[arg(long)]
    pub no_store: bool,
}

/// `impostor check` arguments.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Message files; standard input when none (or `-`).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// One JSON object per message, one per line.
    #[arg(long, conflicts_with = "annotate")]
    pub json: bool,
    /// Write the message back with X-Impostor-* and Authentication-Results headers added.
    #[arg(long)]
    pub annotate: bool,
    /// The SMTP client IP, as the MTA saw it (overrides the Received chain).
    #[arg(long, value_name = "IP")]
    pub client_ip: Option<IpAddr>,
    /// The SMTP HELO/EHLO name, as the MTA saw it.
    #[arg(long, value_name = "NAME")]
    pub helo: Option<String>,
    /// The SMTP MAIL FROM address, as the MTA saw it (`<>` for the null sender).
    #[arg(long, value_name = "ADDR")]
    pub mail_from: Option<String>,
    /// Options shared with `scan`.
    #[command(flatten)]
    pub common: Common,
}

/// `impostor scan` arguments.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files, directories (of .eml, mbox or maildir) and Zendesk JSON exports.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: ScanFormat,
    /// Write results to FILE instead of standard output (needed for an exact --resume).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only output these levels (comma-separated: clear, caution, verify, likely_spoofed).
    #[arg(long, value_name = "LEVELS", value_delimiter = ',')]
    pub only: Vec<LevelArg>,
    /// Continue an interrupted scan of the same inputs and output from its checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// Messages in flight at once (checked in four batches of up to 64 messages or 4 MiB).
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub jobs: usize,
    /// Options shared with `check`.
    #[command(flatten)]
    pub common: Common,
}

/// `scan --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    /// One JSON object per line (the `check --json` schema plus `location`).
    Jsonl,
    /// CSV with a header row, safe against formula injection.
    Csv,
    /// Only the summary table.
    Summary,
}

/// Verdict levels on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LevelArg {
    /// clear
    Clear,
    /// caution
    Caution,
    /// verify
    Verify,
    /// likely_spoofed
    #[value(name = "likely_spoofed", alias = "likely-spoofed")]
    LikelySpoofed,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Level {
        match l {
            LevelArg::Clear => Level::Clear,
            LevelArg::Caution => Level::Caution,
            LevelArg::Verify => Level::Verify,
            LevelArg::LikelySpoofed => Level::LikelySpoofed,
        }
    }
}

/// `--lang` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Japanese.
    Ja,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::En => Lang::En,
            LangArg::Ja => Lang::Ja,
        }
    }
}

/// Exit statuses: verdict levels and error kinds are kept apart, and there is no catch-all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Exit {
    /// Every message is `clear` (or the command succeeded).
    Clear = 0,
    /// `scan`: everything that could be read is `clear`, but some inputs failed.
    ClearWithFailures = 1,
    /// Command-line usage error (from clap).
    Usage = 2,
    /// The most severe verdict is `caution`.
    Caution = 10,
    /// `scan`: `caution`, and some inputs failed.
    CautionWithFailures = 11,
    /// The most severe verdict is `verify`.
    Verify = 20,
    /// `scan`: `verify`, and some inputs failed.
    VerifyWithFailures = 21,
    /// The most severe verdict is `likely_spoofed`.
    LikelySpoofed = 30,
    /// `scan`: `likely_spoofed`, and some inputs failed.
    LikelySpoofedWithFailures = 31,
    /// An input is not something impostor can triage (not an email, too large, bad snapshot).
    BadInput = 65,
    /// An input could not be read.
    Unreadable = 66,
    /// A service could not be started or reached.
    Unavailable = 69,
    /// impostor failed on an input (a bug); the input was skipped.
    Internal = 70,
    /// A service refused the credentials or the access (Zendesk 401, 403).
    Denied = 77,
    /// Output could not be written.
    Output = 74,
    /// The config file is invalid.
    Config = 78,
}

impl Exit {
    /// The status for a verdict level.
    pub fn for_level(level: Level) -> Exit {
        match level {
            Level::Clear => Exit::Clear,
            Level::Caution => Exit::Caution,
            Level::Verify => Exit::Verify,
            Level::LikelySpoofed => Exit::LikelySpoofed,
        }
    }

    /// The status of a scan: the most severe verdict, one more when some inputs failed.
    pub fn for_scan(level: Level, failures: bool) -> Exit {
        match (level, failures) {
            (l, false) => Exit::for_level(l),
            (Level::Clear, true) => Exit::ClearWithFailures,
            (Level::Caution, true) => Exit::CautionWithFailures,
            (Level::Verify, true) => Exit::VerifyWithFailures,
            (Level::LikelySpoofed, true) => Exit::LikelySpoofedWithFailures,
        }
    }

    /// The status for an error.
    pub fn for_error(err: &Error) -> Exit {
        match err {
            Error::Unreadable { .. } => Exit::Unreadable,
            Error::BadInput { .. } => Exit::BadInput,
            Error::Config { .. } => Exit::Config,
            Error::Unavailable { .. } => Exit::Unavailable,
            Error::Internal { .. } => Exit::Internal,
            Error::Denied { .. } => Exit::Denied,
            Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Clear,
            Error::Output(_) => Exit::Output,
        }
    }

    fn is_error(self) -> bool {
        (self as u8) >= 60 || self == Exit::Usage
    }
}

/// Prints an error the one way impostor reports errors: one line on stderr.
pub(crate) fn report_error(err: &Error) {
    eprintln!("impostor: {}", crate::report::escape(&err.to_string()));
}

/// Runs the command line and returns the exit status.
pub fn main() -> ExitCode {
    // A panic (a bug) is reported in one line; `check` then skips that input and goes on.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let text = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!(
            "impostor: internal error{location}: {}",
            crate::report::escape(&text)
        );
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Usage as u8 } else { 0 });
        }
    };
    let exit = run(cli);
    ExitCode::from(exit as u8)
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Exit {
    let result = match cli.command {
        Command::Check(args) => check::run(cli.config.as_deref(), args),
        Command::Scan(args) => scan::run(cli.config.as_deref(), args),
        Command::Ticket(args) => ticket::run(cli.config.as_deref(), args),
        Command::Config(ConfigCommand::Check { file }) => {
            config::check(file.as_deref().or(cli.config.as_deref()))
        }
        Command::Rules(RulesCommand::List { dir }) => rules::list(dir.as_deref()),
        Command::Profiles(ProfilesCommand::Import {
            file,
            output,
            into_store,
        }) => profiles::import(cli.config.as_deref(), &file, output.as_deref(), into_store),
        Command::Profiles(ProfilesCommand::Show { email, profiles }) => {
            profiles::show(cli.config.as_deref(), profiles.as_deref(), &email)
        }
        Command::Rules(RulesCommand::Test { dir }) => rules::test(dir.as_deref()),
    };
    match result {
        Ok(exit) => exit,
        Err(err) => {
            let exit = Exit::for_error(&err);
            if exit != Exit::Clear {
                report_error(&err);
            }
            exit
        }
    }
}

/// Combines statuses of several inputs: any error wins over verdicts (the first error kind
/// met is kept), otherwise the most severe verdict.
/// The async runtime a command runs its checks on; `workers` threads, or one per core.
fn runtime(workers: Option<usize>) -> crate::error::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = workers {
        builder.worker_threads(n);
    }
    builder
        .enable_all()
        .build()
        .map_err(|e| crate::error::Error::Unavailable {
            what: "async runtime".into(),
            problem: e.to_string(),
        })
}

fn combine(a: Exit, b: Exit) -> Exit {
    match (a.is_error(), b.is_error()) {
        (true, _) => a,
        (false, true) => b,
        (false, false) => a.max(b),
    }
}
