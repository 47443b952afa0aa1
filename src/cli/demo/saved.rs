//! The demo's credentials, kept next to its database so that restarting `oneprotect demo` on
//! the same `data/` signs in with the same passwords, tokens and integration key. They are
//! demo secrets of a demo tenant, written with owner-only permissions.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SavedLogin {
    pub username: String,
    pub password: String,
    pub token: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Saved {
    pub logins: Vec<SavedLogin>,
    pub integration_key: String,
}

impl Saved {
    pub fn login(&self, username: &str) -> Option<&SavedLogin> {
        self.logins.iter().find(|l| l.username == username)
    }
}

/// Where the credentials of the demo on `database_url` are kept: beside an SQLite file, or in
/// `data/` for a server database.
pub fn path_for(database_url: &str) -> PathBuf {
    let is_file = !database_url.contains("://") || database_url.starts_with("sqlite://");
    let file = database_url.trim_start_matches("sqlite://");
    let dir = match Path::new(file).parent() {
        Some(parent) if is_file && !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("data"),
    };
    dir.join("demo-credentials.json")
}

pub fn load(path: &Path) -> Option<Saved> {
    std::fs::read(path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok())
}

pub fn store(path: &Path, saved: &Saved) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let bytes = serde_json::to_vec_pretty(saved).map_err(std::io::Error::other)?;
    std::io::Write::write_all(&mut options.open(path)?, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_sits_beside_the_database() {
        assert_eq!(path_for("data/oneprotect.db"), PathBuf::from("data/demo-credentials.json"));
        assert_eq!(path_for("/var/lib/op/op.db"), PathBuf::from("/var/lib/op/demo-credentials.json"));
        assert_eq!(path_for("op.db"), PathBuf::from("data/demo-credentials.json"));
        assert_eq!(path_for("postgres://u@h/db"), PathBuf::from("data/demo-credentials.json"));
    }

    #[test]
    fn saved_credentials_round_trip() {
        let dir = std::env::temp_dir().join(format!("demo-saved-{}", uuid::Uuid::new_v4().simple()));
        let path = dir.join("demo-credentials.json");
        let saved = Saved {
            logins: vec![SavedLogin { username: "admin".into(), password: "p".into(), token: "t".into() }],
            integration_key: "k".into(),
        };
        assert!(store(&path, &saved).is_ok());
        assert_eq!(load(&path), Some(saved));
        let _ = std::fs::remove_dir_all(dir);
    }
}
