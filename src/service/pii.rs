//! Keyed hashing of identity-document numbers: lookups without storing the number.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

use crate::domain::IdDocument;

/// The HMAC key of identity-document numbers (`TALENT_PII_KEY`).
#[derive(Clone)]
pub struct PiiKey(SecretSlice<u8>);

impl PiiKey {
    /// Wraps raw key bytes.
    pub fn new(key: &[u8]) -> Self {
        Self(SecretSlice::from(key.to_vec()))
    }

    /// Hex HMAC-SHA256 of the document type and normalized number: the same document
    /// always gives the same value, so it is the dedup key.
    pub fn digest(&self, document: &IdDocument) -> String {
        // Every key length is valid for HMAC; the error branch cannot occur.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.0.expose_secret()) else {
            return String::new();
        };
        mac.update(document.id_type().as_str().as_bytes());
        mac.update(b":");
        mac.update(document.number().as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl std::fmt::Debug for PiiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PiiKey(***)")
    }
}
