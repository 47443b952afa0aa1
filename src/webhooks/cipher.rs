//! Signing secrets at rest: they must be recoverable to sign, so they are encrypted (not
//! hashed) with ChaCha20-Poly1305 under a key from configuration. The subscription id is bound
//! in as associated data, so a ciphertext copied onto another row does not decrypt.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, KeyInit, Nonce};
use rand::RngExt;
use secrecy::ExposeSecret;

use super::WebhookError;
use crate::config::WebhookSettings;

const VERSION: &str = "v1.";

#[derive(Clone)]
pub struct SecretCipher {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for SecretCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretCipher(..)")
    }
}

impl SecretCipher {
    pub fn from_key(key: &[u8]) -> Result<Self, WebhookError> {
        let cipher = ChaCha20Poly1305::new_from_slice(key)
            .map_err(|_| WebhookError::Key("must be 32 bytes, base64-encoded".into()))?;
        Ok(Self { cipher })
    }

    /// The configured key, or (development) the one in the key file, generated on first use.
    pub fn from_settings(settings: &WebhookSettings) -> Result<Self, WebhookError> {
        let encoded = match &settings.secret_key {
            Some(key) => key.expose_secret().trim().to_owned(),
            None => key_from_file(Path::new(&settings.key_file))?,
        };
        let key = STANDARD.decode(encoded).map_err(|_| WebhookError::Key("is not valid base64".into()))?;
        Self::from_key(&key)
    }

    pub fn encrypt(&self, plaintext: &str, bound_to: &str) -> Result<String, WebhookError> {
        let nonce_bytes: [u8; 12] = rand::rng().random();
        let nonce = Nonce::from(nonce_bytes);
        let sealed = self
            .cipher
            .encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: bound_to.as_bytes() })
            .map_err(|_| WebhookError::Key("encryption failed".into()))?;
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{VERSION}{}", STANDARD.encode(out)))
    }

    pub fn decrypt(&self, stored: &str, bound_to: &str) -> Result<String, WebhookError> {
        let raw = stored.strip_prefix(VERSION).ok_or(WebhookError::Decrypt)?;
        let bytes = STANDARD.decode(raw).map_err(|_| WebhookError::Decrypt)?;
        if bytes.len() < 12 {
            return Err(WebhookError::Decrypt);
        }
        let (nonce_bytes, sealed) = bytes.split_at(12);
        let nonce = Nonce::try_from(nonce_bytes).map_err(|_| WebhookError::Decrypt)?;
        let plain = self
            .cipher
            .decrypt(&nonce, Payload { msg: sealed, aad: bound_to.as_bytes() })
            .map_err(|_| WebhookError::Decrypt)?;
        String::from_utf8(plain).map_err(|_| WebhookError::Decrypt)
    }
}

fn key_from_file(path: &Path) -> Result<String, WebhookError> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        return Ok(existing.trim().to_owned());
    }
    tracing::warn!(
        path = %path.display(),
        "no [webhooks] secret_key configured: generating one into this file; set secret_key (or \
         ONEPROTECT_WEBHOOK_SECRET_KEY) in production and keep it safe"
    );
    let key: [u8; 32] = rand::rng().random();
    let encoded = STANDARD.encode(key);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| WebhookError::Key(format!("cannot create {}: {e}", dir.display())))?;
    }
    write_private(path, &encoded).map_err(|e| WebhookError::Key(format!("cannot write {}: {e}", path.display())))?;
    Ok(encoded)
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_only_on_their_own_row() {
        let cipher = SecretCipher::from_key(&[7u8; 32]).unwrap_or_else(|_| unreachable!());
        let sealed = cipher.encrypt("whsec_abc", "row-1").unwrap_or_default();
        assert!(!sealed.contains("whsec_abc"));
        assert_eq!(cipher.decrypt(&sealed, "row-1").ok().as_deref(), Some("whsec_abc"));
        assert!(cipher.decrypt(&sealed, "row-2").is_err());
        let other = SecretCipher::from_key(&[8u8; 32]).unwrap_or_else(|_| unreachable!());
        assert!(other.decrypt(&sealed, "row-1").is_err());
        assert!(SecretCipher::from_key(&[1u8; 5]).is_err());
    }
}
