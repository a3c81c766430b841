//! Maildir (`cur/`, `new/`, `tmp/`): the messages in `new/` and `cur/`, sorted by name; `tmp/`
//! holds deliveries in progress and is skipped.

use std::path::{Path, PathBuf};

/// Whether `dir` is a maildir.
pub fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() && dir.join("new").is_dir()
}

/// The message files of a maildir, `new/` then `cur/`, each sorted by name.
pub fn messages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        files.sort();
        out.extend(files);
    }
    Ok(out)
}
