//! Opening inputs with their size caps.

use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::Path;

use super::IngestError;

/// The name a file is reported under: its file name (`2017-05-hampshire-street.csv`).
pub(crate) fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Opens a file after checking its size against `max_bytes`.
pub(crate) fn open_capped(path: &Path, max_bytes: u64) -> Result<CappedReader<File>, IngestError> {
    let io_err = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let bytes = file.metadata().map_err(io_err)?.len();
    if bytes > max_bytes {
        return Err(IngestError::TooLarge {
            file: display_name(path),
            bytes,
            max_bytes,
        });
    }
    Ok(CappedReader::new(file, max_bytes))
}

/// Files at least this large are read on several threads.
const PARALLEL_READ_MIN_BYTES: u64 = 8 << 20;

/// Reads a whole file (size-checked) into memory.
///
/// A file of [`PARALLEL_READ_MIN_BYTES`] or more is read in one piece per core (at most 4) with
/// positional reads, since copying from the page cache into fresh pages is most of the cost
/// (a 220 MB police.uk file: 0.14 s on one thread); anything appended after the size was
/// taken is then read on, still capped.
pub(crate) fn read_capped(path: &Path, max_bytes: u64) -> Result<Vec<u8>, IngestError> {
    let mut reader = open_capped(path, max_bytes)?;
    let io_err = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = reader.get_ref().metadata().map_err(io_err)?.len();
    let mut bytes = Vec::new();
    #[cfg(unix)]
    if size >= PARALLEL_READ_MIN_BYTES {
        bytes = read_pieces(reader.get_ref(), size).map_err(io_err)?;
        reader.skip(size).map_err(io_err)?;
    }
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| cap_or_io(e, path, &display_name(path), max_bytes))?;
    Ok(bytes)
}

/// The first `size` bytes of `file`, read in one piece per core.
#[cfg(unix)]
fn read_pieces(file: &File, size: u64) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let len = usize::try_from(size).map_err(|_| io::Error::from(io::ErrorKind::OutOfMemory))?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    // Zeroed pages are mapped lazily, so each thread faults in its own piece.
    let mut bytes = vec![0u8; len];
    let piece = len.div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = bytes
            .chunks_mut(piece)
            .enumerate()
            .map(|(k, buf)| scope.spawn(move || file.read_exact_at(buf, (k * piece) as u64)))
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    })?;
    Ok(bytes)
}

/// Reads a whole stream into memory, failing past `max_bytes`.
pub(crate) fn read_all_capped<R: Read>(
    reader: R,
    file: &str,
    max_bytes: u64,
) -> Result<Vec<u8>, IngestError> {
    let mut bytes = Vec::new();
    CappedReader::new(reader, max_bytes)
        .read_to_end(&mut bytes)
        .map_err(|e| cap_or_io(e, Path::new(file), file, max_bytes))?;
    Ok(bytes)
}

/// Turns an I/O error into [`IngestError::TooLarge`] when it came from a [`CappedReader`].
pub(crate) fn cap_or_io(e: io::Error, path: &Path, file: &str, max_bytes: u64) -> IngestError {
    if e.get_ref().is_some_and(|inner| inner.is::<CapExceeded>()) {
        IngestError::TooLarge {
            file: file.to_owned(),
            bytes: max_bytes.saturating_add(1),
            max_bytes,
        }
    } else {
        IngestError::Io {
            path: path.to_path_buf(),
            source: e,
        }
    }
}

/// The marker error a [`CappedReader`] returns past its cap.
#[derive(Debug, thiserror::Error)]
#[error("input is larger than its cap")]
pub(crate) struct CapExceeded;

/// A reader that fails (rather than silently truncating) once more than `max_bytes` are read;
/// for streams such as HTTP bodies whose size is not known in advance.
pub(crate) struct CappedReader<R> {
    inner: R,
    left: u64,
}

impl<R> CappedReader<R> {
    pub(crate) fn new(inner: R, max_bytes: u64) -> Self {
        CappedReader {
            inner,
            left: max_bytes,
        }
    }
}

#[cfg(unix)]
impl CappedReader<File> {
    /// The file.
    fn get_ref(&self) -> &File {
        &self.inner
    }

    /// Goes on from byte `offset` of the file, the bytes before it (read another way) counted
    /// against the cap.
    fn skip(&mut self, offset: u64) -> io::Result<()> {
        self.inner.seek(io::SeekFrom::Start(offset))?;
        self.left = self.left.saturating_sub(offset);
        Ok(())
    }
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // One probe byte tells end-of-input from an overflow.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(CapExceeded)),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Turns every CRLF into LF while streaming, so that CSV line numbers are exact (the csv
/// crate reports a CRLF file's records one line early) and content ids, even of quoted
/// multi-line fields, do not depend on line endings. A lone CR is passed through.
pub(crate) struct CrlfToLf<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    pending_cr: bool,
}

impl<R> CrlfToLf<R> {
    pub(crate) fn new(inner: R) -> Self {
        CrlfToLf::with_buffer(inner, 64 * 1024)
    }

    fn with_buffer(inner: R, bytes: usize) -> Self {
        CrlfToLf {
            inner,
            buf: vec![0; bytes.max(1)],
            pos: 0,
            len: 0,
            pending_cr: false,
        }
    }
}

impl<R: Read> Read for CrlfToLf<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut w = 0;
        while w < out.len() {
            if self.pos == self.len {
                if w > 0 {
                    break;
                }
                self.len = self.inner.read(&mut self.buf)?;
                self.pos = 0;
                if self.len == 0 {
                    if self.pending_cr {
                        self.pending_cr = false;
                        out[0] = b'\r';
                        return Ok(1);
                    }
                    return Ok(0);
                }
            }
            if self.pending_cr {
                self.pending_cr = false;
                if self.buf[self.pos] != b'\n' {
                    // A lone CR: emit it, then look at the next byte again.
                    out[w] = b'\r';
                    w += 1;
                    continue;
                }
            }
            // Copy up to the next CR in one slice (the common case: a whole line).
            let take = (self.len - self.pos).min(out.len() - w);
            let chunk = &self.buf[self.pos..self.pos + take];
            match chunk.iter().position(|&b| b == b'\r') {
                None => {
                    out[w..w + take].copy_from_slice(chunk);
                    w += take;
                    self.pos += take;
                }
                Some(i) => {
                    out[w..w + i].copy_from_slice(&chunk[..i]);
                    w += i;
                    self.pos += i + 1;
                    self.pending_cr = true;
                }
            }
        }
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_are_read_whole_in_pieces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        // Above the parallel threshold and not a multiple of any piece count.
        let len = usize::try_from(PARALLEL_READ_MIN_BYTES).unwrap() + 12_345;
        let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read_capped(&path, 1 << 30).unwrap(), bytes);
        assert!(matches!(
            read_capped(&path, len as u64 - 1),
            Err(IngestError::TooLarge { .. })
        ));
    }

    fn through(input: &[u8], chunk: usize, buffer: usize) -> Vec<u8> {
        let mut r = CrlfToLf::with_buffer(input, buffer);
        let mut out = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        out
    }

    #[test]
    fn crlf_becomes_lf_and_lone_cr_stays() {
        for chunk in [1, 2, 3, 64] {
            for buffer in [1, 2, 3, 5, 64] {
                let got = through(b"a\r\nb\rc\r\n\r\n\r\rxy\r", chunk, buffer);
                assert_eq!(got, b"a\nb\rc\n\n\r\rxy\r", "chunk {chunk} buffer {buffer}");
                assert_eq!(through(b"", chunk, buffer), b"");
            }
        }
    }

    #[test]
    fn capped_reader_fails_past_its_cap() {
        let mut out = Vec::new();
        assert!(
            CappedReader::new(&b"12345"[..], 5)
                .read_to_end(&mut out)
                .is_ok()
        );
        let e = CappedReader::new(&b"123456"[..], 5)
            .read_to_end(&mut out)
            .unwrap_err();
        assert!(e.get_ref().is_some_and(|i| i.is::<CapExceeded>()));
    }
}
