//! Unit tests that need the store's private parts.
