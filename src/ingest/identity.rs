//! Stable incident identities.
//!
//! 1. A row that carries its own id (police.uk `Crime ID`, a log's reference column, a GeoJSON
//!    `id`) keeps it. The real Hampshire files (154,732 rows, nine months) hold no Crime ID twice,
//!    within a file or across files, so a Crime ID is a reliable identity; a second row of the
//!    same file with an id already seen is rejected as a duplicate naming the first line (the
//!    source published one crime twice), never merged silently.
//! 2. A row without an id (every police.uk ASB row) gets `<32 hex>-<n>`: the first 128 bits of
//!    SHA-256 over a source tag and every field's bytes (each length-prefixed, so field
//!    boundaries count and quoting or line endings do not), and `n`, the row's occurrence
//!    (1, 2, ...) among rows of the same file with identical content. The real files hold 14,152
//!    rows byte-identical to an earlier row (several ASB reports at one snap point in one
//!    month): each is a separate incident and keeps a separate id, while re-ingesting the same
//!    file reproduces the same ids, so it adds nothing.

use std::collections::HashMap;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// The 128-bit content digest of a row's fields under a source tag.
pub fn content_digest<'a>(tag: &str, fields: impl IntoIterator<Item = &'a [u8]>) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update((tag.len() as u64).to_le_bytes());
    h.update(tag.as_bytes());
    for f in fields {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f);
    }
    let full = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// Gives content ids with occurrence numbers; one per file.
#[derive(Debug, Default)]
pub struct ContentIds {
    seen: HashMap<[u8; 16], u32>,
}

impl ContentIds {
    /// A fresh counter (start one per file).
    pub fn new() -> Self {
        ContentIds::default()
    }

    /// The id of the next row with these fields: `<32 hex digest>-<occurrence>`.
    pub fn next<'a>(&mut self, tag: &str, fields: impl IntoIterator<Item = &'a [u8]>) -> String {
        self.id_for(content_digest(tag, fields))
    }

    /// The id of the next row whose fields have this [`content_digest`].
    pub fn id_for(&mut self, digest: [u8; 16]) -> String {
        let mut id = content_id_prefix(&digest);
        self.complete(&mut id, digest);
        id
    }

    /// Completes an id begun by [`content_id_prefix`] (which can be made on another thread)
    /// with the occurrence number of the next row with this digest.
    pub fn complete(&mut self, prefix: &mut String, digest: [u8; 16]) {
        let n = self.seen.entry(digest).or_insert(0);
        *n += 1;
        let _ = write!(prefix, "-{n}");
    }
}

/// The digest part of a content id (`<32 hex>`), with room for the occurrence number that
/// [`ContentIds::complete`] adds.
pub fn content_id_prefix(digest: &[u8; 16]) -> String {
    let mut id = String::with_capacity(32 + 1 + 10);
    push_hex(&mut id, digest);
    id
}

/// Remembers ids already used in a file and the line that used each.
#[derive(Debug, Default)]
pub struct SeenIds {
    first_line: HashMap<String, u64>,
}

impl SeenIds {
    /// A fresh set (one per file).
    pub fn new() -> Self {
        SeenIds::default()
    }

    /// Records `id` at `line`; when it was seen before, returns the earlier line instead.
    pub fn first_use(&mut self, id: &str, line: u64) -> Result<(), u64> {
        if let Some(&first) = self.first_line.get(id) {
            return Err(first);
        }
        self.first_line.insert(id.to_owned(), line);
        Ok(())
    }
}

/// Salted SHA-256 of a victim or caller reference, as lowercase hex: `SHA-256(salt ‖ reference)`.
/// The reference is trimmed first; the clear text is never kept.
pub fn victim_hash(salt: &[u8], reference: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(reference.trim().as_bytes());
    let mut out = String::with_capacity(64);
    push_hex(&mut out, &h.finalize());
    out
}

/// Appends bytes as lowercase hex (a table lookup; `format!` per byte is slow on hot paths).
fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrences_number_identical_rows() {
        let mut ids = ContentIds::new();
        let a1 = ids.next("t", [b"a".as_slice(), b"b"]);
        let a2 = ids.next("t", [b"a".as_slice(), b"b"]);
        let c = ids.next("t", [b"ab".as_slice(), b""]);
        assert!(a1.ends_with("-1") && a2.ends_with("-2") && c.ends_with("-1"));
        assert_eq!(a1[..32], a2[..32]);
        assert_ne!(a1[..32], c[..32], "field boundaries count");
        assert_eq!(a1.len(), 34);
        let mut again = ContentIds::new();
        assert_eq!(again.next("t", [b"a".as_slice(), b"b"]), a1);
        assert_ne!(ContentIds::new().next("u", [b"a".as_slice(), b"b"]), a1);
    }

    #[test]
    fn victim_hash_is_salted_sha256() {
        // SHA-256("abc") is the FIPS 180-2 test vector.
        assert_eq!(
            victim_hash(b"a", "bc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(victim_hash(b"x", "bc"), victim_hash(b"a", "bc"));
    }

    #[test]
    fn seen_ids_report_the_first_line() {
        let mut s = SeenIds::new();
        assert_eq!(s.first_use("A", 2), Ok(()));
        assert_eq!(s.first_use("B", 3), Ok(()));
        assert_eq!(s.first_use("A", 9), Err(2));
    }
}
