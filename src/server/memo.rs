//! A bounded, version-aware memo for expensive values (analyses, tile sources): each key is
//! computed once on the blocking pool and shared by every request that needs it.
//!
//! 1. Under a short lock, the key's slot is found or made in an LRU map of at most
//!    `capacity` entries; entries of older snapshot versions are dropped then, so a new
//!    ingest shows at once and old values do not hold memory.
//! 2. The slot is a `tokio::sync::OnceCell`: the first caller runs the computation with
//!    `spawn_blocking` (it is CPU-bound) and concurrent callers of the same key wait for that
//!    one run. A computation that panics is not stored; the next caller tries again.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use lru::LruCache;
use tokio::sync::OnceCell;

use super::error::ApiError;

/// A memo key: the snapshot version and a text naming what is computed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemoKey {
    /// Snapshot version the value was computed on.
    pub version: u64,
    /// What was computed (endpoint or layer and the checked request).
    pub what: String,
}

type Slots<V> = LruCache<MemoKey, Arc<OnceCell<V>>>;

/// The memo (see the module doc).
#[derive(Debug)]
pub struct Memo<V> {
    slots: Mutex<Slots<V>>,
    runs: AtomicU64,
}

impl<V: Clone + Send + Sync + 'static> Memo<V> {
    /// A memo keeping at most `capacity` values (at least 1).
    pub fn new(capacity: usize) -> Memo<V> {
        Memo {
            slots: Mutex::new(LruCache::new(
                NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN),
            )),
            runs: AtomicU64::new(0),
        }
    }

    /// How many computations have run (each counts once, however many callers shared it).
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// How many values are kept now.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no value is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Slots<V>> {
        // Every operation under the lock is one LruCache call, so a panic elsewhere cannot
        // leave the map half-changed: a poisoned lock is still sound to use.
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn slot(&self, key: MemoKey) -> Arc<OnceCell<V>> {
        let mut slots = self.lock();
        if let Some(slot) = slots.get(&key) {
            return Arc::clone(slot);
        }
        let stale: Vec<MemoKey> = slots
            .iter()
            .filter(|(k, _)| k.version < key.version)
            .map(|(k, _)| k.clone())
            .collect();
        for k in stale {
            slots.pop(&k);
        }
        let slot = Arc::new(OnceCell::new());
        slots.put(key, Arc::clone(&slot));
        slot
    }

    /// The value of `key`: kept, or computed once by `compute` on the blocking pool. The
    /// error is a 500 for a computation that panicked.
    pub async fn get_or_compute(
        &self,
        key: MemoKey,
        compute: impl FnOnce() -> V + Send + 'static,
    ) -> Result<V, ApiError> {
        let what = key.what.clone();
        let slot = self.slot(key);
        slot.get_or_try_init(|| async {
            self.runs.fetch_add(1, Ordering::Relaxed);
            tokio::task::spawn_blocking(compute)
                .await
                .map_err(|e| ApiError::Internal {
                    detail: format!("computing {what} failed: {e}"),
                })
        })
        .await
        .cloned()
    }
}
