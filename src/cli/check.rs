//! `impostor check [FILE…]`: one message from stdin or each file; human text, `--json` or
//! `--annotate`.

use super::{CheckArgs, Common, Exit, combine, report_error};
use crate::config;
use crate::error::{Error, Result};
use crate::evidence::Lang;
use crate::report::{Format, headers, human, json};
use crate::triage::{Settings, Triage};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Merges flags and the config file into `Settings` (flags win).
pub(super) fn settings(config_path: Option<&Path>, args: &Common) -> Result<(Settings, Lang)> {
    let loaded = config::load(config_path)?;
    let mut config = loaded.config;
    if let Some(ns) = args.nameserver {
        config.dns.nameserver = Some(ns);
    }
    if let Some(source) = args.auth_source {
        config.auth_source = source;
    }
    if let Some(profiles) = &args.profiles {
        config.profiles = Some(profiles.clone());
    }
    if let Some(store) = &args.store {
        config.store = Some(store.clone());
    }
    let lang = args.lang.map(Lang::from).unwrap_or(config.lang);
    Ok((
        Settings {
            config,
            config_path: loaded.path,
            dns_snapshot: args.dns_snapshot.clone(),
            record_snapshot: args.record_snapshot.clone(),
            client_ip: None,
            helo: None,
            mail_from: None,
            rules_dir: args.rules.clone(),
            no_store: args.no_store,
            extra_users: Vec::new(),
        },
        lang,
    ))
}

/// Reads one input with a size bound, so 50 MB of garbage is refused without being parsed.
fn read_input(path: Option<&Path>, limit: usize) -> Result<(Vec<u8>, String)> {
    let name = path.map_or_else(|| "<stdin>".to_string(), |p| p.display().to_string());
    let too_large = || {
        Error::bad_input(
            &name,
            format!("larger than max_message_bytes ({limit} bytes): not triaged"),
        )
    };
    let mut buf = Vec::new();
    let read = match path {
        None => std::io::stdin()
            .lock()
            .take(limit as u64 + 1)
            .read_to_end(&mut buf),
        Some(p) => {
            let file = std::fs::File::open(p).map_err(|e| Error::unreadable(&name, &e))?;
            let meta = file.metadata().map_err(|e| Error::unreadable(&name, &e))?;
            if meta.is_dir() {
                return Err(Error::Unreadable {
                    input: name,
                    problem: "is a directory".into(),
                });
            }
            if meta.len() > limit as u64 {
                return Err(too_large());
            }
            file.take(limit as u64 + 1).read_to_end(&mut buf)
        }
    };
    read.map_err(|e| Error::unreadable(&name, &e))?;
    if buf.len() > limit {
        return Err(too_large());
    }
    Ok((buf, name))
}

fn panic_text(err: tokio::task::JoinError) -> String {
    match err.try_into_panic() {
        Ok(payload) => crate::triage::panic_text(payload),
        Err(e) => e.to_string(),
    }
}

/// Runs `check`.
pub(super) fn run(config_path: Option<&Path>, args: CheckArgs) -> Result<Exit> {
    let (mut settings, lang) = settings(config_path, &args.common)?;
    settings.client_ip = args.client_ip;
    settings.helo = args.helo.clone();
    settings.mail_from = args.mail_from.clone();
    let format = if args.json {
        Format::Json
    } else if args.annotate {
        Format::Annotate
    } else {
        Format::Human
    };
    let inputs: Vec<Option<PathBuf>> = if args.files.is_empty() {
        vec![None]
    } else {
        args.files
            .iter()
            .map(|f| (f.as_os_str() != "-").then(|| f.clone()))
            .collect()
    };
    if format == Format::Annotate && inputs.len() > 1 {
        return Err(Error::bad_input(
            "--annotate",
            "takes one message (stdin or one file), as a mail filter passes it",
        ));
    }
    if settings.config_path.is_none() && format == Format::Human {
        eprintln!(
            "impostor: note: no config file found: no trusted relays or profiles are configured (see `impostor config check`)"
        );
    }
    let limit = settings.config.max_message_bytes;
    let authserv_id = settings.config.authserv_id.clone();
    let runtime = super::runtime(Some(2))?;
    runtime.block_on(async move {
        let triage = std::sync::Arc::new(Triage::new(settings).await?);
        let mut exit = Exit::Clear;
        let stdout = std::io::stdout();
        for input in &inputs {
            // Each message runs in its own task, so a bug that panics on one message is
            // reported as that message's error and the others still run.
            let task = {
                let triage = triage.clone();
                let input = input.clone();
                tokio::spawn(async move {
                    let (raw, name) = read_input(input.as_deref(), limit)?;
                    triage.check(raw, &name).await
                })
            };
            let outcome = task.await.unwrap_or_else(|join| {
                Err(Error::Internal {
                    input: input
                        .as_deref()
                        .map_or_else(|| "<stdin>".to_string(), |p| p.display().to_string()),
                    problem: panic_text(join),
                })
            });
            let report = match outcome {
                Ok(r) => r,
                Err(err) => {
                    // A panic was already reported by the panic hook.
                    if !matches!(err, Error::Internal { .. }) {
                        report_error(&err);
                    }
                    exit = combine(exit, Exit::for_error(&err));
                    continue;
                }
            };
            let bytes = match format {
                Format::Human => {
                    let mut text = human::render(&report, lang);
                    if inputs.len() > 1 {
                        text.push('\n');
                    }
                    text.into_bytes()
                }
                Format::Json => (json::to_line(&report, lang) + "\n").into_bytes(),
                Format::Annotate => headers::annotate(&report, &authserv_id),
            };
            let mut out = stdout.lock();
            if let Err(e) = out.write_all(&bytes).and_then(|_| out.flush()) {
                return Err(Error::Output(e));
            }
            exit = combine(exit, Exit::for_level(report.verdict.level));
        }
        triage.finish()?;
        Ok(exit)
    })
}
