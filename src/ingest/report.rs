//! What happened to every row: accepted, or rejected with a position, field and reason.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use serde::{Serialize, Serializer};

/// Why a row was rejected. [`RejectReason::label`] is the key of the by-reason table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RejectReason {
    /// Coordinates blank (police.uk blanks them when no map point lies within 20 km).
    NoLocation,
    /// A coordinate that is not a number or not a longitude/latitude.
    BadCoordinate,
    /// A position with no British National Grid equivalent (outside OSTN15's area).
    OutsideGrid,
    /// A crime type or local category that is not known.
    UnknownCategory,
    /// A `Month` that is not `YYYY-MM`.
    BadMonth,
    /// A date, time or span that does not parse or runs backwards.
    BadTime,
    /// A local time in the hour skipped when clocks go forward.
    SkippedTime,
    /// Any other value that does not parse (alcohol flag, venue kind, radius, ...).
    BadValue,
    /// A required value is blank.
    MissingValue,
    /// An id already used by an earlier row of the same file.
    DuplicateId,
    /// A record with the wrong number of fields.
    FieldCount,
    /// A field longer than [`Limits::max_field_bytes`](super::Limits::max_field_bytes).
    FieldTooLong,
    /// A field that is not UTF-8.
    NotUtf8,
    /// A GeoJSON feature whose geometry is missing or not a Point.
    BadGeometry,
}

impl RejectReason {
    /// Every reason, in table order.
    pub const ALL: [RejectReason; 14] = [
        RejectReason::NoLocation,
        RejectReason::BadCoordinate,
        RejectReason::OutsideGrid,
        RejectReason::UnknownCategory,
        RejectReason::BadMonth,
        RejectReason::BadTime,
        RejectReason::SkippedTime,
        RejectReason::BadValue,
        RejectReason::MissingValue,
        RejectReason::DuplicateId,
        RejectReason::FieldCount,
        RejectReason::FieldTooLong,
        RejectReason::NotUtf8,
        RejectReason::BadGeometry,
    ];

    /// The label shown in reports and used as the JSON key.
    pub fn label(self) -> &'static str {
        match self {
            RejectReason::NoLocation => "no location",
            RejectReason::BadCoordinate => "bad coordinate",
            RejectReason::OutsideGrid => "outside national grid",
            RejectReason::UnknownCategory => "unknown category",
            RejectReason::BadMonth => "bad month",
            RejectReason::BadTime => "bad time",
            RejectReason::SkippedTime => "time skipped by DST",
            RejectReason::BadValue => "bad value",
            RejectReason::MissingValue => "missing value",
            RejectReason::DuplicateId => "duplicate id",
            RejectReason::FieldCount => "wrong field count",
            RejectReason::FieldTooLong => "field too long",
            RejectReason::NotUtf8 => "not UTF-8",
            RejectReason::BadGeometry => "bad geometry",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Serialize for RejectReason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// Where a rejected record is in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// 1-based physical line where a CSV record starts.
    Line(u64),
    /// 0-based index of a GeoJSON feature in `features`.
    Feature(usize),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "{n}"),
            Position::Feature(i) => write!(f, "feature {i}"),
        }
    }
}

/// One rejected row. Displays as `2017-05-hampshire-street.csv:1841: Latitude "51.5x" is not a number`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    /// The file's name.
    pub file: String,
    /// Line (CSV) or feature index (GeoJSON).
    pub position: Position,
    /// The column or property at fault, when one is.
    pub field: Option<String>,
    /// Why.
    pub reason: RejectReason,
    /// What is wrong, naming the field and value.
    pub message: String,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.position, self.message)
    }
}

/// The account of one file: every row read is either accepted or rejected for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    /// The file's name.
    pub file: String,
    /// Data rows (or features) read, header excluded.
    pub rows_read: u64,
    /// Rows turned into values.
    pub accepted: u64,
    /// Rows rejected (all of them, including those whose details were not kept).
    pub rejected: u64,
    /// Counts by reason.
    #[serde(rename = "by_reason")]
    counts: BTreeMap<RejectReason, u64>,
    /// The first rejects, up to the cap.
    rejects: Vec<Reject>,
    #[serde(skip)]
    max_kept: usize,
}

impl IngestReport {
    /// An empty report for `file` keeping at most `max_kept` reject details.
    pub fn new(file: impl Into<String>, max_kept: usize) -> Self {
        IngestReport {
            file: file.into(),
            rows_read: 0,
            accepted: 0,
            rejected: 0,
            counts: BTreeMap::new(),
            rejects: Vec::new(),
            max_kept,
        }
    }

    /// Counts an accepted row.
    pub fn accept(&mut self) {
        self.accepted += 1;
    }

    /// Counts a rejected row, keeping its detail while under the cap.
    pub fn reject(&mut self, reject: Reject) {
        self.rejected += 1;
        *self.counts.entry(reject.reason).or_insert(0) += 1;
        if self.rejects.len() < self.max_kept {
            self.rejects.push(reject);
        }
    }

    /// Counts one row's outcome: an accepted item goes into `items`; a rejected row is counted
    /// with its detail at `position` of this report's file.
    pub(crate) fn take<T>(
        &mut self,
        items: &mut Vec<T>,
        position: Position,
        outcome: Result<T, super::row::RowError>,
    ) {
        match outcome {
            Ok(item) => {
                self.accept();
                items.push(item);
            }
            Err(e) => {
                let reject = Reject {
                    file: self.file.clone(),
                    position,
                    field: e.field,
                    reason: e.reason,
                    message: e.message,
                };
                self.reject(reject);
            }
        }
    }

    /// The reject details kept (the first [`Limits::max_rejects_kept`](super::Limits)).
    pub fn rejects(&self) -> &[Reject] {
        &self.rejects
    }

    /// Rejects counted but whose details were not kept.
    pub fn rejects_not_kept(&self) -> u64 {
        self.rejected - self.rejects.len() as u64
    }

    /// Reject counts by reason label.
    pub fn by_reason(&self) -> BTreeMap<&'static str, u64> {
        self.counts.iter().map(|(r, n)| (r.label(), *n)).collect()
    }

    /// Reject count for one reason.
    pub fn count(&self, reason: RejectReason) -> u64 {
        self.counts.get(&reason).copied().unwrap_or(0)
    }

    /// Whether every row read was accepted (what `--strict` requires).
    pub fn is_clean(&self) -> bool {
        self.rejected == 0
    }
}

impl fmt::Display for IngestReport {
    /// The text summary: a line of totals, the by-reason counts, then the kept rejects.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} rows read, {} accepted, {} rejected",
            self.file, self.rows_read, self.accepted, self.rejected
        )?;
        for (reason, n) in &self.counts {
            writeln!(f, "  {:<24}{n:>10}", reason.label())?;
        }
        for r in &self.rejects {
            writeln!(f, "  {r}")?;
        }
        if self.rejects_not_kept() > 0 {
            writeln!(f, "  ... and {} more rejects", self.rejects_not_kept())?;
        }
        Ok(())
    }
}

/// A table over several files: one line per file, a total line, and rejects by reason.
pub fn summary_table(reports: &[IngestReport]) -> String {
    let mut out = String::new();
    let width = reports
        .iter()
        .map(|r| r.file.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let _ = writeln!(
        out,
        "{:<width$}  {:>10}  {:>10}  {:>10}",
        "file", "read", "accepted", "rejected"
    );
    let (mut read, mut accepted, mut rejected) = (0u64, 0u64, 0u64);
    let mut by_reason: BTreeMap<RejectReason, u64> = BTreeMap::new();
    for r in reports {
        let _ = writeln!(
            out,
            "{:<width$}  {:>10}  {:>10}  {:>10}",
            r.file, r.rows_read, r.accepted, r.rejected
        );
        read += r.rows_read;
        accepted += r.accepted;
        rejected += r.rejected;
        for (reason, n) in &r.counts {
            *by_reason.entry(*reason).or_insert(0) += n;
        }
    }
    let _ = writeln!(
        out,
        "{:<width$}  {read:>10}  {accepted:>10}  {rejected:>10}",
        "total"
    );
    if by_reason.is_empty() {
        let _ = writeln!(out, "rejected by reason: none");
    } else {
        let _ = writeln!(out, "rejected by reason:");
        for (reason, n) in by_reason {
            let _ = writeln!(out, "  {:<24}{n:>10}", reason.label());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reject(line: u64, reason: RejectReason) -> Reject {
        Reject {
            file: "f.csv".into(),
            position: Position::Line(line),
            field: Some("Latitude".into()),
            reason,
            message: format!("Latitude \"x{line}\" is not a number"),
        }
    }

    #[test]
    fn keeps_the_first_rejects_and_counts_all() {
        let mut r = IngestReport::new("f.csv", 2);
        r.rows_read = 5;
        for line in 2..5 {
            r.reject(reject(line, RejectReason::BadCoordinate));
        }
        r.reject(reject(6, RejectReason::NoLocation));
        r.accept();
        assert_eq!(r.rejected, 4);
        assert_eq!(r.rejects().len(), 2);
        assert_eq!(r.rejects_not_kept(), 2);
        assert_eq!(
            r.by_reason(),
            BTreeMap::from([("bad coordinate", 3), ("no location", 1)])
        );
        assert_eq!(
            r.rejects()[0].to_string(),
            "f.csv:2: Latitude \"x2\" is not a number"
        );
        let text = r.to_string();
        assert!(
            text.starts_with("f.csv: 5 rows read, 1 accepted, 4 rejected\n"),
            "{text}"
        );
        assert!(text.contains("... and 2 more rejects"), "{text}");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["by_reason"]["bad coordinate"], 3);
        assert_eq!(json["rejects"][0]["position"]["line"], 2);
    }

    #[test]
    fn summary_table_totals() {
        let mut a = IngestReport::new("a.csv", 10);
        a.rows_read = 3;
        a.accepted = 2;
        a.reject(reject(3, RejectReason::NoLocation));
        let mut b = IngestReport::new("b.csv", 10);
        b.rows_read = 1;
        b.accepted = 1;
        let t = summary_table(&[a, b]);
        assert!(
            t.contains("total           4           3           1"),
            "{t}"
        );
        assert!(t.contains("  no location                      1"), "{t}");
    }
}
