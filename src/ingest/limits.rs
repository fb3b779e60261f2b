//! Caps on every size that comes from outside.

/// Caps on one input. Exceeding a file or row cap is an [`IngestError`](super::IngestError);
/// a field over its cap rejects that row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest CSV file read, bytes (default 1 GiB: a force's whole year of street files is
    /// about 50 MB).
    pub max_csv_bytes: u64,
    /// Largest GeoJSON file read, bytes (default 256 MiB; GeoJSON is parsed in memory).
    pub max_geojson_bytes: u64,
    /// Most data rows (or features) read from one file (default 10,000,000).
    pub max_rows: u64,
    /// Longest field, bytes (default 1,024; the longest real police.uk field is 64).
    pub max_field_bytes: usize,
    /// Most reject details kept per file (default 1,000); every reject is still counted.
    pub max_rejects_kept: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_csv_bytes: 1 << 30,
            max_geojson_bytes: 256 << 20,
            max_rows: 10_000_000,
            max_field_bytes: 1024,
            max_rejects_kept: 1000,
        }
    }
}
