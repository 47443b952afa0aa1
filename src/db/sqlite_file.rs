//! Where an SQLite database lives: its folder and file are created readable by their owner
//! only (0700 / 0600). The file holds password hashes, session ids and encrypted webhook
//! secrets; a default umask (0644) would let every local user copy it. SQLite gives its
//! `-wal` and `-shm` files the main file's mode, so they follow.

use std::io::ErrorKind;
use std::path::Path;

use super::DbError;

pub fn prepare(target: &str) -> Result<(), DbError> {
    let file = Path::new(target);
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)
            .map_err(|e| DbError::UnsupportedUrl(format!("cannot create {}: {e}", dir.display())))?;
    }
    match create_private_file(file) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(DbError::UnsupportedUrl(format!("cannot create {}: {e}", file.display()))),
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    // Only folders created here get the mode; an existing one is the operator's choice.
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// An empty file is a valid empty SQLite database; creating it first fixes its mode.
#[cfg(unix)]
fn create_private_file(file: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(file).map(drop)
}

#[cfg(not(unix))]
fn create_private_file(file: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(file).map(drop)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0)
    }

    #[test]
    fn creates_folder_and_file_for_their_owner_only() {
        let root = tempfile::tempdir().expect("temp dir");
        let file = root.path().join("data").join("oneprotect.db");
        prepare(&file.to_string_lossy()).expect("prepared");
        assert_eq!(mode(&root.path().join("data")), 0o700);
        assert_eq!(mode(&file), 0o600);
        prepare(&file.to_string_lossy()).expect("an existing file is fine");
    }
}
