//! Secrets handed to clients (API tokens, integration keys) and user passwords.
//!
//! Tokens and keys are 256-bit random values, so a fast SHA-256 hash is enough to store them
//! safely and lets every request find its token with one indexed lookup. Passwords are chosen
//! by people and get argon2.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use rand::RngExt;
use sha2::{Digest, Sha256};

pub const TOKEN_PREFIX: &str = "opt_";
pub const INTEGRATION_KEY_PREFIX: &str = "opi_";

/// A new random secret, e.g. `opt_3q2+…`, URL-safe.
pub fn generate_secret(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::rng().random();
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored instead of a token or integration key.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_and_prefixed() {
        let a = generate_secret(TOKEN_PREFIX);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert!(a.len() > 40);
        assert_ne!(a, generate_secret(TOKEN_PREFIX));
        assert_eq!(hash_secret(&a), hash_secret(&a));
        assert_ne!(hash_secret(&a), a);
    }

    #[test]
    fn passwords_verify_only_themselves() {
        let stored = hash_password("correct horse").unwrap_or_default();
        assert!(verify_password("correct horse", &stored));
        assert!(!verify_password("wrong", &stored));
        assert!(!verify_password("x", "not a hash"));
    }
}
