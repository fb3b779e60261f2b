//! police.uk street-level crime CSVs (`YYYY-MM-FORCE-street.csv`).
//!
//! 1. Read the file into memory (capped by [`Limits::max_csv_bytes`]; a large file on every
//!    core) and check the first line is the 12-column street-level header (a UTF-8 BOM is
//!    allowed).
//! 2. Cut the body into one piece per core (at most 4; one below 1 MiB), each starting at a
//!    record: after a line feed outside quotes.
//! 3. Parse the pieces in parallel. Each turns its CRLFs into LFs first, so line numbers and
//!    content ids do not depend on line endings. For each record (the csv crate's
//!    `ByteRecord`, reused, no per-field allocation until a row is accepted): check field
//!    count, field lengths and UTF-8; parse `Month`, `Crime type`, `Longitude`/`Latitude`;
//!    check the point has a British National Grid position (OSTN15), cached per distinct point
//!    since police.uk snap points repeat heavily (the nine real Hampshire files: 154,732 rows on
//!    20,172 points); keep one shared copy of each LSOA code, LSOA name and location text.
//! 4. Join the pieces in file order and give each row its identity
//!    ([`identity`](super::identity)): the Crime ID (a repeat on a later line is rejected,
//!    naming the first), or a content id with its occurrence number among identical rows.
//!    The result is the same, byte for byte, whatever the number of pieces (tested).
//!
//! Cost: a million rows (220 MB) in about 0.7 s on 2 cores (`benches/ingest.rs`).
//!
//! Blank coordinates are rejected as "no location" (police.uk blanks them when no map point lies
//! within 20 km of the crime); a blank `Context` and, on ASB rows, a blank `Crime ID` and
//! `Last outcome category` are normal.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use csv::ByteRecord;

use super::identity::{ContentIds, content_digest, content_id_prefix};
use super::input::{display_name, read_all_capped, read_capped};
use super::report::{IngestReport, Position, Reject, RejectReason};
use super::{IngestError, Limits, Parsed};
use crate::domain::{
    Category, CoordError, CrimeType, Incident, IncidentTime, Lsoa, Month, Source, Wgs84,
};

/// police.uk's street-level header, in order.
pub const POLICE_UK_HEADER: [&str; 12] = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
];

const CRIME_ID: usize = 0;
const MONTH: usize = 1;
const LONGITUDE: usize = 4;
const LATITUDE: usize = 5;
const LOCATION: usize = 6;
const LSOA_CODE: usize = 7;
const LSOA_NAME: usize = 8;
const CRIME_TYPE: usize = 9;

/// Source tag hashed into content ids, so equal rows of different sources never share one.
const ID_TAG: &str = "police-uk";

/// Distinct points whose grid check is cached before the cache is cleared (bounds memory).
const MAX_CACHED_POINTS: usize = 1 << 20;

/// Expands `ingest police-uk PATH...`: files as given, folders to their `*.csv` files sorted
/// by name. A folder with no CSV file is an error (a mistyped path should not ingest nothing).
pub fn expand_police_uk_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let io_err = |source| IngestError::Io {
                path: path.clone(),
                source,
            };
            let mut files = Vec::new();
            for entry in std::fs::read_dir(path).map_err(io_err)? {
                let p = entry.map_err(io_err)?.path();
                let is_csv = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
                if is_csv && p.is_file() {
                    files.push(p);
                }
            }
            if files.is_empty() {
                return Err(IngestError::NoCsvFiles { path: path.clone() });
            }
            files.sort();
            out.extend(files);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// Reads one police.uk file with default caches (see [`PoliceUkReader`] to share the grid
/// cache across files).
pub fn read_police_uk_file(path: &Path, limits: &Limits) -> Result<Parsed<Incident>, IngestError> {
    PoliceUkReader::new(*limits).read_file(path)
}

/// The grid check of each distinct point (police.uk snap points repeat heavily).
type PointCache = HashMap<(u64, u64), Result<Wgs84, CoordError>>;

/// A police.uk reader that keeps its per-point grid-check cache across files.
#[derive(Debug)]
pub struct PoliceUkReader {
    limits: Limits,
    grid: PointCache,
    /// Threads per file; `None` = by size and the machine's cores (tests force a number).
    workers: Option<usize>,
}

impl PoliceUkReader {
    /// A reader with these caps.
    pub fn new(limits: Limits) -> Self {
        PoliceUkReader {
            limits,
            grid: HashMap::new(),
            workers: None,
        }
    }

    /// Reads one file (size-capped by [`Limits::max_csv_bytes`]).
    pub fn read_file(&mut self, path: &Path) -> Result<Parsed<Incident>, IngestError> {
        let bytes = read_capped(path, self.limits.max_csv_bytes)?;
        self.parse(&display_name(path), bytes)
    }

    /// Reads a stream (e.g. an HTTP body) reported under the name `file`.
    pub fn read<R: Read>(
        &mut self,
        file: &str,
        reader: R,
    ) -> Result<Parsed<Incident>, IngestError> {
        let bytes = read_all_capped(reader, file, self.limits.max_csv_bytes)?;
        self.parse(file, bytes)
    }

    /// Checks the header, parses the body in line-aligned pieces on up to [`MAX_WORKERS`]
    /// threads (each turning its own CRLFs into LFs first), then gives identities in file
    /// order.
    fn parse(&mut self, file: &str, mut bytes: Vec<u8>) -> Result<Parsed<Incident>, IngestError> {
        // The header is the first line (its names hold no quotes or line feeds).
        let header_end = memchr::memchr(b'\n', &bytes).map_or(bytes.len(), |i| i + 1);
        let (head, body) = bytes.split_at_mut(header_end);
        let head = head.strip_suffix(b"\n").unwrap_or(head);
        let head = head.strip_suffix(b"\r").unwrap_or(head);
        let mut record = ByteRecord::new();
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(head);
        if !rdr
            .read_byte_record(&mut record)
            .map_err(|e| csv_error(e, file, 1))?
        {
            return Err(header_error(file, &record));
        }
        let header_ok = record.len() == POLICE_UK_HEADER.len()
            && record
                .iter()
                .zip(POLICE_UK_HEADER)
                .enumerate()
                .all(|(i, (got, want))| {
                    let got = if i == 0 { strip_bom(got) } else { got };
                    got == want.as_bytes()
                });
        if !header_ok {
            return Err(header_error(file, &record));
        }
        let workers = self.workers.unwrap_or_else(|| worker_count(body.len()));
        let mut pieces = Vec::with_capacity(workers);
        let mut rest = body;
        for (len, first_line) in split_records(rest, 2, workers) {
            let (piece, tail) = rest.split_at_mut(len);
            pieces.push((piece, first_line));
            rest = tail;
        }

        // Each worker keeps its own grid cache; the first takes over the reader's, so the
        // cache carries over to the next file.
        let limits = self.limits;
        let mut caches: Vec<PointCache> = pieces.iter().map(|_| PointCache::new()).collect();
        if let Some(first) = caches.first_mut() {
            std::mem::swap(first, &mut self.grid);
        }
        let parsed: Vec<Result<Chunk, IngestError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = pieces
                .into_iter()
                .zip(caches.iter_mut())
                .map(|((piece, first_line), cache)| {
                    scope.spawn(move || {
                        let len = crlf_to_lf(piece);
                        parse_chunk(&piece[..len], first_line, file, &limits, cache)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        if let Some(first) = caches.into_iter().next() {
            self.grid = first;
        }
        let mut done = Vec::with_capacity(parsed.len());
        for chunk in parsed {
            done.push(chunk?);
        }
        merge(file, &self.limits, done)
    }
}

/// Turns every CRLF into LF in place (a lone CR stays), as [`CrlfToLf`](super::input) does
/// for streams, so line numbers and content ids are those of the LF file; returns the new
/// length (the bytes after it are left over).
fn crlf_to_lf(bytes: &mut [u8]) -> usize {
    let mut write = 0;
    let mut read = 0;
    let mut at = 0;
    while let Some(cr) = memchr::memchr(b'\r', &bytes[at..]).map(|i| at + i) {
        at = cr + 1;
        if bytes.get(cr + 1) != Some(&b'\n') {
            continue;
        }
        bytes.copy_within(read..cr, write);
        write += cr - read;
        read = cr + 1;
    }
    if read == 0 {
        return bytes.len();
    }
    bytes.copy_within(read.., write);
    write + (bytes.len() - read)
}

/// Most threads one file is parsed on.
const MAX_WORKERS: usize = 4;
/// Bodies smaller than this are parsed on one thread (threads cost more than they save).
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// How many threads to parse a body of `len` bytes on.
fn worker_count(len: usize) -> usize {
    if len < PARALLEL_MIN_BYTES {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_WORKERS))
}

/// Cuts `body` into up to `parts` pieces that each start at the start of a record: a cut goes
/// after a line feed that is outside quotes (an even number of `"` before it, as CSV escapes
/// a quote by doubling it). Returns each piece's length with the file line its first record
/// is on (`first_line` for the first); the lengths add up to the body's.
fn split_records(body: &[u8], first_line: u64, parts: usize) -> Vec<(usize, u64)> {
    // Counting with memchr over whole slices; only the short stretch from a target offset to
    // the next record end is walked byte by byte.
    let count = |slice: &[u8], byte: u8| memchr::memchr_iter(byte, slice).count();
    let mut out = Vec::with_capacity(parts);
    let (mut start, mut line) = (0usize, first_line);
    for k in 1..parts {
        let target = (body.len() * k / parts).max(start);
        let mut quotes_odd = count(&body[start..target], b'"') % 2 == 1;
        let mut cut = None;
        for (i, &b) in body[target..].iter().enumerate() {
            if b == b'"' {
                quotes_odd = !quotes_odd;
            } else if b == b'\n' && !quotes_odd {
                cut = Some(target + i + 1);
                break;
            }
        }
        // Quote parity carries over: count it from the start of the piece each time.
        let Some(cut) = cut.filter(|&c| c < body.len()) else {
            break;
        };
        out.push((cut - start, line));
        line += count(&body[start..cut], b'\n') as u64;
        start = cut;
    }
    out.push((body.len() - start, line));
    out
}

/// What one worker parsed from its chunk, in file order.
#[derive(Debug, Default)]
struct Chunk {
    /// Accepted rows; a row without a Crime ID has the digest part of its content id until
    /// [`merge`] numbers it.
    items: Vec<Incident>,
    /// The file line of each accepted row.
    lines: Vec<u64>,
    /// The content digest of each row without a Crime ID: (index into `items`, digest).
    digests: Vec<(usize, [u8; 16])>,
    /// A 64-bit hash of each Crime ID: (hash, index into `items`), for finding repeats;
    /// sorted.
    id_hashes: Vec<(u64, usize)>,
    /// Rejected rows.
    rejects: Vec<Reject>,
}

/// Parses the records of one chunk; `first_line` is the file line of its first record.
fn parse_chunk(
    chunk: &[u8],
    first_line: u64,
    file: &str,
    limits: &Limits,
    grid: &mut PointCache,
) -> Result<Chunk, IngestError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(chunk);
    let mut record = ByteRecord::new();
    let mut out = Chunk::default();
    let mut state = RowState::default();
    let line_of = |rel: u64| first_line + rel.saturating_sub(1);
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let rel = e.position().map_or(1, csv::Position::line);
                return Err(csv_error(e, file, line_of(rel)));
            }
        }
        if (out.items.len() + out.rejects.len()) as u64 >= limits.max_rows {
            return Err(IngestError::TooManyRows {
                file: file.to_owned(),
                max_rows: limits.max_rows,
            });
        }
        let line = line_of(record.position().map_or(1, csv::Position::line));
        match row(&record, limits, grid, &mut state) {
            Ok((incident, digest)) => {
                match digest {
                    Some(d) => out.digests.push((out.items.len(), d)),
                    None => out.id_hashes.push((id_hash(&incident.id), out.items.len())),
                }
                out.items.push(incident);
                out.lines.push(line);
            }
            Err((field, reason, message)) => out.rejects.push(Reject {
                file: file.to_owned(),
                position: Position::Line(line),
                field: field.map(str::to_owned),
                reason,
                message,
            }),
        }
    }
    out.id_hashes.sort_unstable();
    Ok(out)
}

/// Joins the chunks in file order: counts rows, rejects a Crime ID already used on an earlier
/// line, and gives rows without one their content id with its occurrence number.
fn merge(
    file: &str,
    limits: &Limits,
    mut chunks: Vec<Chunk>,
) -> Result<Parsed<Incident>, IngestError> {
    let rows: usize = chunks.iter().map(|c| c.items.len() + c.rejects.len()).sum();
    if rows as u64 > limits.max_rows {
        return Err(IngestError::TooManyRows {
            file: file.to_owned(),
            max_rows: limits.max_rows,
        });
    }
    // Crime IDs: the first line of each; later uses are rejected. Sorting the hashes (made by
    // the workers) brings equal ids together; within a run of equal hashes the ids themselves
    // are compared, in file order.
    let mut hashed: Vec<(u64, usize, usize)> = Vec::new();
    for (c, chunk) in chunks.iter().enumerate() {
        hashed.extend(chunk.id_hashes.iter().map(|&(h, i)| (h, c, i)));
    }
    // Each chunk's run is sorted already: the stable sort merges the runs.
    hashed.sort();
    let mut repeats: Vec<(usize, usize, u64)> = Vec::new();
    for run in hashed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
    {
        for (k, &(_, c, i)) in run.iter().enumerate() {
            let id = &chunks[c].items[i].id;
            if let Some(&(_, fc, fi)) = run[..k]
                .iter()
                .find(|&&(_, fc, fi)| chunks[fc].items[fi].id == *id)
            {
                repeats.push((c, i, chunks[fc].lines[fi]));
            }
        }
    }
    repeats.sort_unstable();
    let mut content_ids = ContentIds::new();
    for chunk in &mut chunks {
        for &(i, digest) in &chunk.digests {
            content_ids.complete(&mut chunk.items[i].id, digest);
        }
    }
    let mut rejects: Vec<Reject> = Vec::new();
    for &(c, i, first) in &repeats {
        let chunk = &chunks[c];
        rejects.push(Reject {
            file: file.to_owned(),
            position: Position::Line(chunk.lines[i]),
            field: Some("Crime ID".to_owned()),
            reason: RejectReason::DuplicateId,
            message: format!(
                "Crime ID {:?} already appeared on line {first}",
                chunk.items[i].id
            ),
        });
    }
    for (c, chunk) in chunks.iter_mut().enumerate() {
        let drop: Vec<usize> = repeats.iter().filter(|r| r.0 == c).map(|r| r.1).collect();
        if !drop.is_empty() {
            let mut i = 0;
            chunk.items.retain(|_| {
                i += 1;
                drop.binary_search(&(i - 1)).is_err()
            });
        }
    }

    let mut report = IngestReport::new(file, limits.max_rejects_kept);
    report.rows_read = rows as u64;
    // The first chunk's vector grows in place (a large realloc remaps pages, it does not copy).
    let mut items = chunks
        .first_mut()
        .map(|c| std::mem::take(&mut c.items))
        .unwrap_or_default();
    for chunk in &mut chunks {
        rejects.append(&mut chunk.rejects);
        items.append(&mut chunk.items);
    }
    report.accepted = items.len() as u64;
    rejects.sort_by_key(|r| match r.position {
        Position::Line(line) => line,
        Position::Feature(i) => i as u64,
    });
    for r in rejects {
        report.reject(r);
    }
    Ok(Parsed { items, report })
}

/// A 64-bit hash of a Crime ID (std's SipHash with fixed keys: the same in every worker).
fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// Why a row is rejected: the field (if one is at fault), the reason and the message.
type RowError = (Option<&'static str>, RejectReason, String);

/// Validates one record; on failure returns the field, reason and message.
fn row(
    record: &ByteRecord,
    limits: &Limits,
    grid: &mut PointCache,
    state: &mut RowState,
) -> Result<(Incident, Option<[u8; 16]>), RowError> {
    if record.len() != POLICE_UK_HEADER.len() {
        return Err((
            None,
            RejectReason::FieldCount,
            format!("expected 12 fields, found {}", record.len()),
        ));
    }
    let mut text: [&str; 12] = [""; 12];
    for (i, raw) in record.iter().enumerate() {
        let name = POLICE_UK_HEADER[i];
        if raw.len() > limits.max_field_bytes {
            return Err((
                Some(name),
                RejectReason::FieldTooLong,
                format!(
                    "{name} is {} bytes long (at most {})",
                    raw.len(),
                    limits.max_field_bytes
                ),
            ));
        }
        text[i] = std::str::from_utf8(raw).map_err(|_| {
            (
                Some(name),
                RejectReason::NotUtf8,
                format!("{name} is not valid UTF-8"),
            )
        })?;
    }

    let month = state.month(text[MONTH]).ok_or_else(|| {
        (
            Some("Month"),
            RejectReason::BadMonth,
            format!("Month {:?} is not a month (YYYY-MM)", text[MONTH]),
        )
    })?;
    let crime_type = crime_type(text[CRIME_TYPE]).ok_or_else(|| {
        (
            Some("Crime type"),
            RejectReason::UnknownCategory,
            format!(
                "Crime type {:?} is not a police.uk crime type",
                text[CRIME_TYPE]
            ),
        )
    })?;
    let location = location(grid, text[LONGITUDE], text[LATITUDE])?;

    let crime_id = text[CRIME_ID].trim();
    let (id, digest) = if crime_id.is_empty() {
        let digest = content_digest(ID_TAG, record.iter());
        (content_id_prefix(&digest), Some(digest))
    } else {
        (crime_id.to_owned(), None)
    };
    let mut non_empty = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| state.shared(s))
    };
    let lsoa = match (non_empty(text[LSOA_CODE]), non_empty(text[LSOA_NAME])) {
        (Some(code), Some(name)) => Some(Lsoa { code, name }),
        _ => None,
    };
    let incident = Incident {
        id,
        source: Source::PoliceUk,
        category: Category::of_type(crime_type),
        time: IncidentTime::Month { month },
        location,
        lsoa,
        location_desc: non_empty(text[LOCATION]),
        ward: None,
        alcohol: None,
        victim_hash: None,
    };
    Ok((incident, digest))
}

/// Parses and grid-checks a point, cached per distinct point.
fn location(
    grid: &mut PointCache,
    lon: &str,
    lat: &str,
) -> Result<Wgs84, (Option<&'static str>, RejectReason, String)> {
    let (lon_t, lat_t) = (lon.trim(), lat.trim());
    match (lon_t.is_empty(), lat_t.is_empty()) {
        (true, true) => {
            return Err((
                None,
                RejectReason::NoLocation,
                "no location: Longitude and Latitude are blank (police.uk gives no point when none lies within 20 km)".to_owned(),
            ));
        }
        (true, false) | (false, true) => {
            let name = if lon_t.is_empty() {
                "Longitude"
            } else {
                "Latitude"
            };
            return Err((
                Some(name),
                RejectReason::NoLocation,
                format!("no location: {name} is blank"),
            ));
        }
        (false, false) => {}
    }
    let number = |name: &'static str, t: &str| {
        t.parse::<f64>().map_err(|_| {
            (
                Some(name),
                RejectReason::BadCoordinate,
                format!("{name} {t:?} is not a number"),
            )
        })
    };
    let lon = number("Longitude", lon_t)?;
    let lat = number("Latitude", lat_t)?;
    if grid.len() >= MAX_CACHED_POINTS {
        grid.clear();
    }
    let checked = *grid
        .entry((lon.to_bits(), lat.to_bits()))
        .or_insert_with(|| {
            let p = Wgs84::new(lon, lat)?;
            p.to_bng()?;
            Ok(p)
        });
    checked.map_err(|e| match e {
        CoordError::OutsideGrid { .. } => (None, RejectReason::OutsideGrid, e.to_string()),
        _ => (None, RejectReason::BadCoordinate, e.to_string()),
    })
}

/// Per-chunk state: the months parsed so far, and one shared copy of each LSOA code and name
/// and location text (a force's month repeats each on many rows).
#[derive(Debug, Default)]
struct RowState {
    /// Month texts seen and their months; a file holds one month (police.uk) or a few.
    months: Vec<(String, Month)>,
    /// Texts shared so far.
    texts: HashSet<Arc<str>>,
}

/// Most distinct month texts [`RowState`] remembers (a decade is 120).
const MAX_CACHED_MONTHS: usize = 256;
/// Most distinct texts [`RowState`] shares (a force's year has some 100,000 LSOA and street
/// names; past this, texts are copied per row).
const MAX_SHARED_TEXTS: usize = 1 << 18;

impl RowState {
    /// `text` as a shared string: the copy made for an earlier row, or a new one.
    fn shared(&mut self, text: &str) -> Arc<str> {
        if let Some(s) = self.texts.get(text) {
            return Arc::clone(s);
        }
        let s: Arc<str> = Arc::from(text);
        if self.texts.len() < MAX_SHARED_TEXTS {
            self.texts.insert(Arc::clone(&s));
        }
        s
    }

    /// Parses a month, reusing an earlier result for the same text.
    fn month(&mut self, text: &str) -> Option<Month> {
        if let Some((_, m)) = self.months.iter().find(|(raw, _)| raw == text) {
            return Some(*m);
        }
        let m: Month = text.parse().ok()?;
        if self.months.len() < MAX_CACHED_MONTHS {
            self.months.push((text.to_owned(), m));
        }
        Some(m)
    }
}

/// A csv error at `line` as an ingest error.
fn csv_error(e: csv::Error, file: &str, line: u64) -> IngestError {
    IngestError::Csv {
        file: file.to_owned(),
        line,
        message: format!("{:?}", e.into_kind()),
    }
}

/// A crime type by its exact police.uk name (the fast path), else by [`CrimeType::lookup`].
fn crime_type(text: &str) -> Option<CrimeType> {
    CrimeType::ALL
        .into_iter()
        .find(|t| t.name() == text)
        .or_else(|| CrimeType::lookup(text))
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

fn header_error(file: &str, record: &ByteRecord) -> IngestError {
    IngestError::Header {
        file: file.to_owned(),
        expected: POLICE_UK_HEADER.join(","),
        found: record
            .iter()
            .map(String::from_utf8_lossy)
            .collect::<Vec<_>>()
            .join(","),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::input::CrlfToLf;

    const HEADER: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n";

    fn read(body: &str) -> Parsed<Incident> {
        PoliceUkReader::new(Limits::default())
            .read("t.csv", format!("{HEADER}{body}").as_bytes())
            .unwrap()
    }

    #[test]
    fn accepts_a_crime_and_an_asb_row() {
        let p = read(
            "abc123,2017-05,Hampshire Constabulary,Hampshire Constabulary,-1.091,50.797,On or near Guildhall Walk,E01017013,Portsmouth 012A,Violence and sexual offences,Under investigation,\n\
             ,2017-05,Hampshire Constabulary,Hampshire Constabulary,-1.091,50.797,On or near Guildhall Walk,,,Anti-social behaviour,,\n",
        );
        assert_eq!((p.report.rows_read, p.report.accepted), (2, 2));
        let a = &p.items[0];
        assert_eq!(a.id, "abc123");
        assert_eq!(
            a.category.crime_type,
            Some(CrimeType::ViolenceAndSexualOffences)
        );
        assert_eq!(
            a.time,
            IncidentTime::Month {
                month: Month::new(2017, 5).unwrap()
            }
        );
        assert_eq!(a.lsoa.as_ref().unwrap().authority(), "Portsmouth");
        assert_eq!(
            a.location_desc.as_deref(),
            Some("On or near Guildhall Walk")
        );
        assert_eq!((a.location.lon(), a.location.lat()), (-1.091, 50.797));
        let b = &p.items[1];
        assert!(b.id.ends_with("-1") && b.id.len() == 34, "{}", b.id);
        assert_eq!(b.lsoa, None);
    }

    #[test]
    fn a_wrong_header_is_an_error() {
        let e = PoliceUkReader::new(Limits::default())
            .read("t.csv", "Crime ID,Month\n".as_bytes())
            .unwrap_err();
        assert!(matches!(e, IngestError::Header { .. }), "{e}");
        let bom = format!("\u{feff}{HEADER}");
        assert!(
            PoliceUkReader::new(Limits::default())
                .read("t.csv", bom.as_bytes())
                .is_ok()
        );
    }

    /// A body cut into chunks parses exactly as on one thread: the same incidents and ids (Crime
    /// IDs, content ids numbered across chunk borders), the same rejects on the same lines,
    /// quoted fields with line feeds and commas kept whole.
    #[test]
    fn chunked_parsing_equals_one_thread() {
        let mut body = String::new();
        for i in 0..400 {
            match i % 7 {
                0 => body.push_str(",2017-05,H,H,-1.09,50.79,\"On or near\nTwo, Lines\",,,Anti-social behaviour,,\n"),
                1 => body.push_str(&format!("id{i},2017-05,H,H,-1.08,50.78,X,E01,Portsmouth 001A,Drugs,,\n")),
                2 => body.push_str("dup-id,2017-05,H,H,-1.08,50.78,X,,,Drugs,,\n"),
                3 => body.push_str(",2017-05,H,H,,,X,,,Drugs,,\n"),
                4 => body.push_str(",2017-05,H,H,-1.07,50.77,Same,,,Anti-social behaviour,,\n"),
                5 => body.push_str(",2017-05,H,H,-1.07,50.77,\"Quote \"\"x\"\"\",,,Bad type,,\n"),
                _ => body.push_str(&format!(",2017-0{},H,H,-1.06,50.76,Y,,,Robbery,,\n", i % 9 + 1)),
            }
        }
        let text = format!("{HEADER}{body}");
        let read_with = |workers| {
            let mut r = PoliceUkReader::new(Limits::default());
            r.workers = Some(workers);
            r.read("t.csv", text.as_bytes()).unwrap()
        };
        let one = read_with(1);
        assert!(
            one.report.rejected > 50 && one.report.accepted > 200,
            "{}",
            one.report
        );
        for workers in [2, 3, 4, 13] {
            let many = read_with(workers);
            assert_eq!(many.items, one.items, "{workers} workers");
            assert_eq!(many.report.rows_read, one.report.rows_read);
            assert_eq!(
                many.report.rejects(),
                one.report.rejects(),
                "{workers} workers"
            );
        }
        // The same file with CRLF line endings (inside the quoted field too), cut anywhere,
        // reads as the LF file: same ids, lines and rejects.
        let crlf = text.replace('\n', "\r\n");
        for workers in [1, 2, 3, 13] {
            let mut r = PoliceUkReader::new(Limits::default());
            r.workers = Some(workers);
            let got = r.read("t.csv", crlf.as_bytes()).unwrap();
            assert_eq!(got.items, one.items, "CRLF, {workers} workers");
            assert_eq!(
                got.report.rejects(),
                one.report.rejects(),
                "CRLF, {workers} workers"
            );
        }
        let dup = one
            .report
            .rejects()
            .iter()
            .find(|r| r.reason == RejectReason::DuplicateId)
            .unwrap();
        // Records: header line 1; record i starts on line 2 + i + (records before it of kind 0).
        assert_eq!(dup.position, Position::Line(2 + 9 + 2), "{dup}");
        assert!(dup.message.contains("on line 5"), "{dup}");
    }

    #[test]
    fn crlf_becomes_lf_in_place() {
        for (text, want) in [
            ("a\r\nb\r\n", "a\nb\n"),
            ("\r\n\r\r\n\rx\r", "\n\r\n\rx\r"),
            ("no breaks", "no breaks"),
            ("", ""),
        ] {
            let mut bytes = text.as_bytes().to_vec();
            let len = crlf_to_lf(&mut bytes);
            bytes.truncate(len);
            let mut streamed = Vec::new();
            CrlfToLf::new(text.as_bytes())
                .read_to_end(&mut streamed)
                .unwrap();
            assert_eq!(bytes, want.as_bytes(), "{text:?}");
            assert_eq!(bytes, streamed, "{text:?}");
        }
    }

    #[test]
    fn cuts_fall_between_records() {
        let body = b"a,\"x\ny\"\nb,c\n\"\"\"q\n\",d\ne\n";
        for parts in 1..6 {
            let chunks = split_records(body, 2, parts);
            assert_eq!(chunks.iter().map(|c| c.0).sum::<usize>(), body.len());
            let mut start = 0;
            for (len, line) in chunks {
                assert!(
                    [(0, 2), (8, 4), (12, 5), (21, 7)].contains(&(start, line)),
                    "{parts} parts: cut at {start} (line {line})"
                );
                start += len;
            }
        }
    }

    #[test]
    fn caps_rows_and_bytes() {
        let row = ",2017-05,H,H,-1.09,50.79,X,,,Drugs,,\n";
        let limits = Limits {
            max_rows: 2,
            ..Limits::default()
        };
        let body = format!("{HEADER}{row}{row}{row}");
        let e = PoliceUkReader::new(limits)
            .read("t.csv", body.as_bytes())
            .unwrap_err();
        assert!(
            matches!(e, IngestError::TooManyRows { max_rows: 2, .. }),
            "{e}"
        );
        let limits = Limits {
            max_csv_bytes: 200,
            ..Limits::default()
        };
        let e = PoliceUkReader::new(limits)
            .read("t.csv", body.as_bytes())
            .unwrap_err();
        assert!(
            matches!(e, IngestError::TooLarge { max_bytes: 200, .. }),
            "{e}"
        );
    }
}
