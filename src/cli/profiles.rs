//! `impostor profiles import FILE` and `impostor profiles show EMAIL`.

use super::Exit;
use crate::config;
use crate::error::{Error, Result};
use crate::sender::profiles::{self, Profiles};
use crate::store::{self, Store};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Reads users from a Zendesk users export / API response (JSON) or CSV, detected by content,
/// and writes them as profiles TOML (to `output`, or stdout) or into the store.
pub(super) fn import(
    config_path: Option<&Path>,
    file: &Path,
    output: Option<&Path>,
    into_store: bool,
) -> Result<Exit> {
    let loaded = config::load(config_path)?;
    let input = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| Error::unreadable(&input, &e))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let users = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        profiles::import_zendesk(trimmed, &loaded.config.import, &input)?
    } else {
        profiles::import_csv(trimmed, &input)?
    };
    if users.is_empty() {
        return Err(Error::bad_input(
            &input,
            "no users with an email address found",
        ));
    }
    if into_store {
        let path = store_path(&loaded.config)?;
        let n = Store::open(&path, true)?.save_users(&users)?;
        eprintln!("impostor: {n} profile(s) written to {}", path.display());
        return Ok(Exit::Clear);
    }
    let mut merged = match output.filter(|p| p.exists()) {
        Some(p) => Profiles::load(p)?,
        None => Profiles::default(),
    };
    let n = users.len();
    for u in users {
        match merged
            .users
            .iter_mut()
            .find(|x| x.email.eq_ignore_ascii_case(&u.email))
        {
            Some(slot) => *slot = u,
            None => merged.users.push(u),
        }
    }
    let text = merged.to_toml();
    match output {
        Some(p) => {
            std::fs::write(p, &text).map_err(Error::Output)?;
            eprintln!("impostor: {n} profile(s) written to {}", p.display());
        }
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(Error::Output)?,
    }
    Ok(Exit::Clear)
}

fn store_path(c: &config::Config) -> Result<PathBuf> {
    c.store
        .clone()
        .or_else(store::default_path)
        .ok_or_else(|| Error::Unavailable {
            what: "store".into(),
            problem: "no store path: set `store` in the config".into(),
        })
}

/// Prints the profile an address belongs to, from the profiles file or the store.
pub(super) fn show(
    config_path: Option<&Path>,
    profiles_path: Option<&Path>,
    email: &str,
) -> Result<Exit> {
    let loaded = config::load(config_path)?;
    let path = profiles_path
        .map(Path::to_path_buf)
        .or(loaded.config.profiles.clone());
    let mut found = None;
    if let Some(p) = &path {
        let profiles = Profiles::load(p)?;
        found = profiles
            .by_address(email)
            .cloned()
            .map(|u| (u, p.display().to_string()));
    }
    if found.is_none()
        && let Ok(sp) = store_path(&loaded.config)
    {
        let store = Store::open(&sp, false)?;
        found = store
            .users()?
            .into_iter()
            .find(|u| u.addresses().any(|a| a.eq_ignore_ascii_case(email.trim())))
            .map(|u| (u, format!("store {}", sp.display())));
    }
    let Some((user, source)) = found else {
        return Err(Error::bad_input(email, "no profile has this address"));
    };
    let mut out = format!(
        "# {} (from {source})\n",
        crate::report::escape(&user.label())
    );
    out.push_str(&toml::to_string_pretty(&user).expect("profile serializes"));
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(Error::Output)?;
    Ok(Exit::Clear)
}
