//! Snapshot files as streams of rows. Reading splits the rows out of the JSON text as it
//! arrives (an array of rows, or an object whose arrays hold rows, like Resource Graph's
//! `{"data": [...]}`), parses them on every core and hands them over in file order; writing
//! writes one row at a time. Neither holds the whole document.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use serde_json::Value;

use super::SnapshotError;

/// How much is read from the input at a time.
const CHUNK: usize = 1 << 20;
/// How many bytes of rows go to a parsing thread at a time.
const BATCH: usize = 1 << 20;

/// Rows cut out of the text, for one parsing thread.
struct Batch {
    /// Its place in the file: batches are handed over in this order.
    seq: usize,
    /// The rows' text, back to back.
    bytes: Vec<u8>,
    /// Where each row ends in `bytes`, and where it started in the file.
    rows: Vec<(usize, u64)>,
}

impl Batch {
    fn new(seq: usize) -> Batch {
        Batch { seq, bytes: Vec::with_capacity(BATCH + BATCH / 4), rows: Vec::new() }
    }
}

/// Reads the rows of a snapshot from `input`: `parse` reads each row's text (on a pool of
/// threads once the input is larger than one read), `apply` takes what it read, one row at a
/// time in the order of the file.
pub(super) fn each_row<T, P, A>(input: impl Read + Send, parse: P, mut apply: A) -> Result<(), SnapshotError>
where
    T: Send,
    P: Fn(&[u8]) -> Result<T, serde_json::Error> + Sync,
    A: FnMut(T),
{
    let mut splitter = Splitter::new(input);
    while splitter.buf.len() < CHUNK && splitter.more()? {}
    let stop = AtomicBool::new(false);
    if splitter.ended {
        // The whole text is in memory already: threads would cost more than they save.
        let mut failed = None;
        let split = splitter.rows(&stop, |batch| match parse_batch(&batch, &parse) {
            Ok(rows) => {
                rows.into_iter().for_each(&mut apply);
                true
            }
            Err(e) => {
                failed = Some(e);
                false
            }
        });
        return failed.map_or(split, Err);
    }
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(8);
    let (work, jobs) = mpsc::sync_channel::<Batch>(workers);
    let jobs = Mutex::new(jobs);
    let (done, results) = mpsc::sync_channel::<(usize, Result<Vec<T>, SnapshotError>)>(workers);
    std::thread::scope(|scope| {
        let stop = &stop;
        let splitter = scope.spawn(move || splitter.rows(stop, |batch| work.send(batch).is_ok()));
        for _ in 0..workers {
            let (jobs, done, parse) = (&jobs, done.clone(), &parse);
            scope.spawn(move || {
                loop {
                    let next = jobs.lock().map_err(|_| ()).and_then(|j| j.recv().map_err(|_| ()));
                    let Ok(batch) = next else { break };
                    if done.send((batch.seq, parse_batch(&batch, parse))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        let mut failed = None;
        for (seq, rows) in results {
            waiting.insert(seq, rows);
            while let Some(rows) = waiting.remove(&next) {
                next += 1;
                match rows {
                    Ok(rows) if failed.is_none() => rows.into_iter().for_each(&mut apply),
                    Ok(_) => {}
                    Err(e) => {
                        failed.get_or_insert(e);
                        stop.store(true, Ordering::Relaxed);
                    }
                }
            }
        }
        let split = splitter.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // A row that is not JSON comes before whatever stopped the split.
        failed.map_or(split, Err)
    })
}

/// Parses every row of a batch, or says where the first one that is not JSON is.
fn parse_batch<T>(
    batch: &Batch,
    parse: impl Fn(&[u8]) -> Result<T, serde_json::Error>,
) -> Result<Vec<T>, SnapshotError> {
    let mut parsed = Vec::with_capacity(batch.rows.len());
    let mut start = 0;
    for &(end, at) in &batch.rows {
        let row = parse(&batch.bytes[start..end])
            .map_err(|e| SnapshotError::Json { at: at + e.column() as u64, problem: e.to_string() })?;
        parsed.push(row);
        start = end;
    }
    Ok(parsed)
}

/// Cuts rows out of JSON text as it is read.
struct Splitter<R> {
    input: R,
    buf: Vec<u8>,
    /// The next byte to look at in `buf`.
    pos: usize,
    /// Bytes dropped from the front of `buf` so far.
    dropped: u64,
    ended: bool,
}

impl<R: Read> Splitter<R> {
    fn new(input: R) -> Splitter<R> {
        Splitter { input, buf: Vec::with_capacity(CHUNK), pos: 0, dropped: 0, ended: false }
    }

    fn at(&self) -> u64 {
        self.dropped + self.pos as u64
    }

    fn malformed(&self, expected: &str) -> SnapshotError {
        SnapshotError::Json { at: self.at(), problem: format!("expected {expected}") }
    }

    /// Reads more input, keeping the bytes from `pos` on; false at the end of the input.
    fn more(&mut self) -> Result<bool, SnapshotError> {
        if self.ended {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.dropped += self.pos as u64;
            self.pos = 0;
        }
        let len = self.buf.len();
        self.buf.resize(len + CHUNK, 0);
        let read = loop {
            match self.input.read(&mut self.buf[len..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(len);
                    return Err(e.into());
                }
            }
        };
        self.buf.truncate(len + read);
        self.ended = read == 0;
        Ok(read > 0)
    }

    /// The next byte that is not white space, without taking it; `None` at the end.
    fn peek(&mut self) -> Result<Option<u8>, SnapshotError> {
        loop {
            while let Some(&b) = self.buf.get(self.pos) {
                if !b.is_ascii_whitespace() {
                    return Ok(Some(b));
                }
                self.pos += 1;
            }
            if !self.more()? {
                return Ok(None);
            }
        }
    }

    /// Takes `byte` (after white space) or says what was expected.
    fn expect(&mut self, byte: u8, expected: &str) -> Result<(), SnapshotError> {
        if self.peek()? == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.malformed(expected))
        }
    }

    /// The length of the JSON value that starts at `pos`, reading more input as needed. Only
    /// its extent is found here; the parser checks the rest.
    fn value_len(&mut self) -> Result<usize, SnapshotError> {
        let mut scan = Scan::default();
        let mut i = 0;
        loop {
            if let Some(len) = scan.run(&self.buf[self.pos..], &mut i) {
                return Ok(len);
            }
            if !self.more()? {
                return match scan.at_end(i) {
                    Some(len) => Ok(len),
                    None => Err(SnapshotError::Json {
                        at: self.dropped + (self.pos + i) as u64,
                        problem: "the text ends inside a value".to_owned(),
                    }),
                };
            }
        }
    }

    /// Splits every row out of the input, handing batches to `send` (which says whether to go
    /// on); stops early when `stop` is set.
    fn rows(mut self, stop: &AtomicBool, mut send: impl FnMut(Batch) -> bool) -> Result<(), SnapshotError> {
        let mut batch = Batch::new(0);
        while self.buf.len() < 3 && self.more()? {}
        if self.pos == 0 && self.dropped == 0 && self.buf.starts_with(b"\xEF\xBB\xBF") {
            self.pos = 3;
        }
        match self.peek()? {
            Some(b'[') => self.array(&mut batch, stop, &mut send)?,
            Some(b'{') => {
                self.pos += 1;
                if self.peek()? == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        if self.peek()? != Some(b'"') {
                            return Err(self.malformed("a key in quotes"));
                        }
                        self.pos += self.value_len()?;
                        self.expect(b':', "a colon after the key")?;
                        match self.peek()? {
                            Some(b'[') => self.array(&mut batch, stop, &mut send)?,
                            Some(_) => self.pos += self.value_len()?,
                            None => return Err(self.malformed("a value")),
                        }
                        match self.peek()? {
                            Some(b',') => self.pos += 1,
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(self.malformed("a comma or a closing brace")),
                        }
                    }
                }
            }
            Some(_) => self.pos += self.value_len()?,
            None => return Err(self.malformed("a JSON array or object, but the file is empty")),
        }
        if self.peek()?.is_some() {
            return Err(self.malformed("nothing after the end of the JSON document"));
        }
        if !batch.rows.is_empty() {
            send(batch);
        }
        Ok(())
    }

    /// Splits the elements of the array at `pos` into rows.
    fn array(
        &mut self,
        batch: &mut Batch,
        stop: &AtomicBool,
        send: &mut impl FnMut(Batch) -> bool,
    ) -> Result<(), SnapshotError> {
        self.pos += 1;
        if self.peek()? == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            if self.peek()?.is_none() {
                return Err(self.malformed("a row"));
            }
            let at = self.at();
            let len = self.value_len()?;
            batch.bytes.extend_from_slice(&self.buf[self.pos..self.pos + len]);
            batch.rows.push((batch.bytes.len(), at));
            self.pos += len;
            if batch.bytes.len() >= BATCH {
                let full = std::mem::replace(batch, Batch::new(batch.seq + 1));
                if stop.load(Ordering::Relaxed) || !send(full) {
                    return Ok(());
                }
            }
            match self.peek()? {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.malformed("a comma or a closing bracket")),
            }
        }
    }
}

/// Where a scan through one JSON value stands, so it can go on when more text arrives.
#[derive(Default)]
struct Scan {
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// The value is a number, `true`, `false` or `null`.
    scalar: bool,
}

impl Scan {
    /// Scans `bytes` from `*i`; the value's length once its end is in `bytes`.
    fn run(&mut self, bytes: &[u8], i: &mut usize) -> Option<usize> {
        if *i == 0 {
            match bytes.first()? {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth = 1,
                _ => self.scalar = true,
            }
            *i = 1;
        }
        while *i < bytes.len() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    *i += 1;
                    continue;
                }
                match memchr::memchr2(b'"', b'\\', &bytes[*i..]) {
                    None => {
                        *i = bytes.len();
                        return None;
                    }
                    Some(at) => {
                        *i += at + 1;
                        if bytes[*i - 1] == b'\\' {
                            self.escaped = true;
                        } else {
                            self.in_string = false;
                            if self.depth == 0 {
                                return Some(*i);
                            }
                        }
                    }
                }
                continue;
            }
            let b = bytes[*i];
            if self.scalar {
                if matches!(b, b',' | b']' | b'}') || b.is_ascii_whitespace() {
                    return Some(*i);
                }
                *i += 1;
                continue;
            }
            *i += 1;
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Some(*i);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The value's length when the text ends after `len` bytes: only a number or a literal
    /// can end with the text.
    fn at_end(&self, len: usize) -> Option<usize> {
        (self.scalar && len > 0).then_some(len)
    }
}

/// Writes rows in the shape of a Resource Graph response, `{"data": [...], "count": N, ...}`,
/// one at a time.
pub struct RowWriter<W: Write> {
    out: W,
    rows: usize,
}

impl<W: Write> RowWriter<W> {
    /// Starts the document.
    pub fn new(mut out: W) -> io::Result<RowWriter<W>> {
        out.write_all(b"{\"data\":[")?;
        Ok(RowWriter { out, rows: 0 })
    }

    /// Writes one row.
    pub fn row(&mut self, row: &Value) -> io::Result<()> {
        if self.rows > 0 {
            self.out.write_all(b",")?;
        }
        serde_json::to_writer(&mut self.out, row)?;
        self.rows += 1;
        Ok(())
    }

    /// How many rows were written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Ends the document (`truncated`: a source cut some rows short) and flushes it; the number
    /// of rows written.
    pub fn finish(mut self, truncated: bool) -> io::Result<usize> {
        writeln!(
            self.out,
            "],\"count\":{n},\"totalRecords\":{n},\"resultTruncated\":\"{truncated}\"}}",
            n = self.rows
        )?;
        self.out.flush()?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows `each_row` finds in `text`, as JSON, fed through a reader that returns a few
    /// bytes at a time so that rows straddle reads.
    fn split(text: &str, step: usize) -> Result<Vec<Value>, SnapshotError> {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(out.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut rows = Vec::new();
        each_row(Trickle(text.as_bytes(), step), |b| serde_json::from_slice::<Value>(b), |v| rows.push(v))?;
        Ok(rows)
    }

    #[test]
    fn rows_are_found_in_every_shape_and_across_reads() {
        let text = "\u{feff} { \"count\": 3, \"data\" : [ {\"type\":\"a\",\"s\":\"}]\\\"[{\"}, 7 ,\"x\",{\"n\":[1,{}]}] ,\"more\":[ true ], \"skip\":{\"data\":[9]}}\n";
        for step in [1, 2, 3, 7, 64, 1 << 20] {
            let rows = split(text, step).unwrap();
            assert_eq!(
                rows,
                vec![
                    serde_json::json!({"type": "a", "s": "}]\"[{"}),
                    serde_json::json!(7),
                    serde_json::json!("x"),
                    serde_json::json!({"n": [1, {}]}),
                    serde_json::json!(true),
                ],
                "read {step} bytes at a time"
            );
        }
        assert_eq!(split("[]", 1).unwrap(), Vec::<Value>::new());
        assert_eq!(split("{}", 1).unwrap(), Vec::<Value>::new());
        assert_eq!(split("[1,2]", 1).unwrap(), vec![serde_json::json!(1), serde_json::json!(2)]);
        assert_eq!(split("  42 ", 1).unwrap(), Vec::<Value>::new());
    }

    #[test]
    fn broken_text_says_where() {
        let at = |text: &str| match split(text, 3) {
            Err(SnapshotError::Json { at, problem }) => (at, problem),
            other => panic!("{text:?} read as {other:?}"),
        };
        assert_eq!(at(""), (0, "expected a JSON array or object, but the file is empty".to_owned()));
        assert_eq!(at("{not json").0, 1);
        assert_eq!(at("[{\"a\":1} {\"b\":2}]").0, 9);
        assert_eq!(at("[{\"a\":1}] x").0, 10);
        assert_eq!(at("[{\"a\":1},{\"b\":").1, "the text ends inside a value");
        assert!(at("[{\"a\":1},{\"b\":nope}]").1.contains("expected ident"));
        assert!(
            at("[{\"a\":1},{\"b\":nope}]").0 >= 9,
            "a row's error counts from the row's place in the file"
        );
    }

    #[test]
    fn a_long_file_is_read_in_order_on_every_core() {
        let rows: Vec<String> = (0..60_000)
            .map(|i| format!("{{\"type\":\"x\",\"n\":{i},\"pad\":\"{}\"}}", "y".repeat(i % 90)))
            .collect();
        let text = format!("{{\"data\":[{}],\"count\":60000}}", rows.join(","));
        assert!(text.len() > 3 * CHUNK, "more than one read, so the rows are parsed by the pool");
        let read = split(&text, 64 * 1024).unwrap();
        let order: Vec<u64> = read.iter().map(|r| r["n"].as_u64().unwrap()).collect();
        assert_eq!(order, (0..60_000).collect::<Vec<u64>>());
    }

    #[test]
    fn a_broken_row_in_a_long_file_stops_the_read() {
        let mut text = String::from("[");
        for i in 0..50_000 {
            text.push_str(&format!("{{\"type\":\"x\",\"n\":{i},\"pad\":\"{}\"}},", "y".repeat(40)));
        }
        text.push_str("{\"type\":oops}]");
        let mut seen = 0usize;
        let result = each_row(text.as_bytes(), |b| serde_json::from_slice::<Value>(b), |_| seen += 1);
        assert!(matches!(result, Err(SnapshotError::Json { .. })), "{result:?}");
        assert!(seen <= 50_000);
    }

    #[test]
    fn written_rows_read_back_in_order() {
        let mut out = Vec::new();
        let mut w = RowWriter::new(&mut out).unwrap();
        for i in 0..3 {
            w.row(&serde_json::json!({"type": "t", "i": i})).unwrap();
        }
        assert_eq!(w.rows(), 3);
        assert_eq!(w.finish(true).unwrap(), 3);
        let doc: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(doc["count"], 3);
        assert_eq!(doc["resultTruncated"], "true");
        let rows = split(std::str::from_utf8(&out).unwrap(), 5).unwrap();
        assert_eq!(rows.iter().map(|r| r["i"].as_u64().unwrap()).collect::<Vec<_>>(), vec![0, 1, 2]);
    }
}
