//! `subsidy-calc batch`: one row per applicant in (CSV or JSONL), the estimate out (CSV), for a
//! zone projecting its spending. Streaming: rows are read in chunks, estimated by one worker per
//! core and written in their order, so memory stays flat however long the file and the output
//! is the same for any number of workers. A bad row gets its error in the `error` column;
//! rows in = rows out. CSV is read and written with the `csv` crate: quoted fields, fields over
//! several lines, CRLF or LF, and a UTF-8 BOM at the start (as Excel writes it).

use csv::{ByteRecord, StringRecord};
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::Path;
use subsidy_calc::{
    evaluate, kind, raw_from_json_text, Date, Decimal, Figures, Lang, Payments, ProgramKind, QType, Raw, Request, RuleSet, Status, Version,
};

/// Totals for `--summary`: what a zone planning its budget reads. Every figure is a sum over
/// the rows without an error, from the lowest to the highest the unanswered questions allow
/// (the same when the answers decide it), in the rule set's currency; every sum starts at zero
/// at the rounding scale.
struct Summary {
    rows: u64,
    errors: u64,
    /// Rows the answers did not decide (a program needs information, or an amount is a range).
    undetermined: u64,
    /// The cash total: each row's total range (exact over the row's possible answers).
    total: (Decimal, Decimal),
    /// Per program, in the rule file's order: eligible, needs info, lowest, highest.
    programs: Vec<(u64, u64, Decimal, Decimal)>,
    /// Cash per payer and per year (the keys of `Payments::new`): lowest, highest.
    by_payer: Vec<(usize, Decimal, Decimal)>,
    by_year: Vec<(u32, Decimal, Decimal)>,
    /// Rows whose cash ranges come from sample values of a question, not every value.
    sampled: u64,
    /// Rows whose payments by payer and year could not be worked out, and the first reason.
    unscheduled: u64,
    unscheduled_why: Option<String>,
    /// Whether a sum went beyond the largest decimal (and stopped there).
    overflow: bool,
    /// Where an answer picks the version (versions_by): per version applied (or undecided,
    /// `None`), the rows and their cash total, lowest and highest.
    by_version: Vec<(Option<String>, u64, Decimal, Decimal)>,
    /// Zero at the rounding scale, where every sum starts.
    zero: Decimal,
}

impl Summary {
    fn new(v: &Version, payments: &Payments) -> Summary {
        let zero = v.rounding.zero();
        Summary {
            rows: 0,
            errors: 0,
            undetermined: 0,
            total: (zero, zero),
            programs: vec![(0, 0, zero, zero); v.programs.len()],
            by_payer: payments.by_payer.iter().map(|&(k, _, _)| (k, zero, zero)).collect(),
            by_year: payments.by_year.iter().map(|&(k, _, _)| (k, zero, zero)).collect(),
            sampled: 0,
            unscheduled: 0,
            unscheduled_why: None,
            overflow: false,
            by_version: Vec::new(),
            zero,
        }
    }

    /// Adds `rows` rows with cash from `lo` to `hi` to the line of version `key` (`None`:
    /// undecided), made when first needed; the lines stay in order of version, undecided last.
    fn add_version(&mut self, key: Option<&str>, rows: u64, lo: Decimal, hi: Decimal) {
        let i = match self.by_version.iter().position(|x| x.0.as_deref() == key) {
            Some(i) => i,
            None => {
                self.by_version.push((key.map(String::from), 0, self.zero, self.zero));
                self.by_version.sort_by(|a, b| (a.0.is_none(), &a.0).cmp(&(b.0.is_none(), &b.0)));
                self.by_version.iter().position(|x| x.0.as_deref() == key).unwrap_or(0)
            }
        };
        let e = &mut self.by_version[i];
        e.1 += rows;
        add_to(&mut e.2, lo, &mut self.overflow);
        add_to(&mut e.3, hi, &mut self.overflow);
    }

    /// Adds a row's figures: statuses, program ranges (`figures` follows `fv`'s programs,
    /// matched to the summary's by id), the total, and the version when it depends on answers.
    fn add_figures(&mut self, v: &Version, fv: &Version, figures: &Figures, version: Option<Option<&str>>) {
        let zero = self.zero;
        let of = &mut self.overflow;
        let matched = v.programs.iter().map(|p| fv.programs.iter().position(|x| x.id == p.id).and_then(|j| figures.programs.get(j)));
        for (sum, f) in self.programs.iter_mut().zip(matched) {
            let Some(f) = f else { continue };
            match f.status {
                Status::Eligible => sum.0 += 1,
                Status::NeedsInfo => sum.1 += 1,
                Status::NotEligible => {}
            }
            add_to(&mut sum.2, f.min.unwrap_or(zero), of);
            add_to(&mut sum.3, f.max.unwrap_or(zero), of);
        }
        add_to(&mut self.total.0, figures.total_min, of);
        add_to(&mut self.total.1, figures.total_max, of);
        if let Some(version) = version {
            self.add_version(version, 1, figures.total_min, figures.total_max);
        }
    }

    /// Adds a row's payments by payer and by year (`p` made for `fv`; payers matched to
    /// `v`'s by id).
    fn add_payments(&mut self, v: &Version, fv: &Version, p: &Payments) {
        let of = &mut self.overflow;
        for x in &p.by_payer {
            let id = fv.payers.get(x.0).map(|y| y.id.as_str());
            if let Some(sum) = self.by_payer.iter_mut().find(|s| v.payers.get(s.0).map(|y| y.id.as_str()) == id) {
                add_to(&mut sum.1, x.1, of);
                add_to(&mut sum.2, x.2, of);
            }
        }
        for x in &p.by_year {
            if let Some(sum) = self.by_year.iter_mut().find(|s| s.0 == x.0) {
                add_to(&mut sum.1, x.1, of);
                add_to(&mut sum.2, x.2, of);
            }
        }
        if !p.exact {
            self.sampled += 1;
        }
    }

    /// Adds the summary of the rows that follow (another chunk's): the same figures as adding
    /// those rows one by one, except after a sum has gone beyond the largest decimal (the note
    /// says so either way; where each sum stopped may differ).
    fn merge(&mut self, o: Summary) {
        let of = &mut self.overflow;
        *of |= o.overflow;
        self.rows += o.rows;
        self.errors += o.errors;
        self.undetermined += o.undetermined;
        self.sampled += o.sampled;
        self.unscheduled += o.unscheduled;
        if self.unscheduled_why.is_none() {
            self.unscheduled_why = o.unscheduled_why;
        }
        add_to(&mut self.total.0, o.total.0, of);
        add_to(&mut self.total.1, o.total.1, of);
        for (s, x) in self.programs.iter_mut().zip(o.programs) {
            s.0 += x.0;
            s.1 += x.1;
            add_to(&mut s.2, x.2, of);
            add_to(&mut s.3, x.3, of);
        }
        for (s, x) in self.by_payer.iter_mut().zip(o.by_payer) {
            add_to(&mut s.1, x.1, of);
            add_to(&mut s.2, x.2, of);
        }
        for (s, x) in self.by_year.iter_mut().zip(o.by_year) {
            add_to(&mut s.1, x.1, of);
            add_to(&mut s.2, x.2, of);
        }
        for (key, rows, lo, hi) in o.by_version {
            self.add_version(key.as_deref(), rows, lo, hi);
        }
    }

    /// The summary as printed.
    fn text(&self, v: &Version) -> String {
        use std::fmt::Write;
        let cur = &v.currency;
        let mut ranges = false;
        let mut money = |lo: Decimal, hi: Decimal| {
            if lo == hi {
                format!("{lo} {cur}")
            } else {
                ranges = true;
                format!("{lo} – {hi} {cur}")
            }
        };
        let mut s = String::new();
        let _ = writeln!(s, "rows: {} (errors: {}, with unanswered questions: {})", self.rows, self.errors, self.undetermined);
        if self.errors > 0 {
            let _ = writeln!(s, "rows with an error are left out of every figure below");
        }
        let _ = writeln!(s, "\ncash total: {}", money(self.total.0, self.total.1));
        let _ = writeln!(s, "\nby program (eligible, needs info, cash):");
        let mut order: Vec<usize> = (0..v.programs.len()).collect();
        order.sort_by(|&a, &b| v.programs[a].id.cmp(&v.programs[b].id));
        let mut unpublished = Vec::new();
        for i in order {
            let (p, (el, ni, lo, hi)) = (&v.programs[i], self.programs[i]);
            let cash = match kind(p) {
                ProgramKind::Cash => money(lo, hi),
                ProgramKind::CashUnpublished => {
                    if el + ni > 0 {
                        unpublished.push(p.id.as_str());
                    }
                    "amount not published".into()
                }
                ProgramKind::InKind => "in kind, no cash amount".into(),
                ProgramKind::Service => "a service, no cash amount".into(),
            };
            let _ = writeln!(s, "  {}: {el} eligible, {ni} needs info, {cash}", p.id);
        }
        let _ = writeln!(s, "\nby payer (cash):");
        let mut payers: Vec<(&str, Decimal, Decimal)> =
            self.by_payer.iter().map(|&(k, lo, hi)| (v.payers.get(k).map_or("?", |p| p.id.as_str()), lo, hi)).collect();
        payers.sort_by(|a, b| a.0.cmp(b.0));
        for (id, lo, hi) in payers {
            let _ = writeln!(s, "  {id}: {}", money(lo, hi));
        }
        if self.by_payer.is_empty() {
            let _ = writeln!(s, "  none: no program pays cash");
        }
        let _ = writeln!(s, "\nby year (cash):");
        // years no schedule reaches in these rows are left out
        for &(y, lo, hi) in self.by_year.iter().filter(|(y, _, hi)| *y == 1 || !hi.is_zero()) {
            let _ = writeln!(s, "  year {y}: {}", money(lo, hi));
        }
        if !self.by_version.is_empty() {
            let _ = writeln!(s, "\nby version (rows, cash):");
            for (version, rows, lo, hi) in &self.by_version {
                let name = version
                    .as_deref()
                    .map_or("not decided (the answer that picks the version is missing)".to_string(), |x| format!("version {x}"));
                let _ = writeln!(s, "  {name}: {rows} rows, {}", money(*lo, *hi));
            }
        }
        if self.by_year.is_empty() {
            let _ = writeln!(s, "  none: no program pays cash");
        }
        let mut notes = Vec::new();
        if ranges {
            notes.push(
                "a – b: from the lowest to the highest the unanswered questions allow; the highest figures of different lines \
                 need not come together, so they can add up to more than the highest cash total"
                    .to_string(),
            );
        }
        if !unpublished.is_empty() {
            notes.push(format!("not in any sum: the amounts of {} (not published)", unpublished.join(", ")));
        }
        if self.sampled > 0 {
            notes.push(format!(
                "in {} of the rows the ranges come from sample values of an unanswered question (too many values to try each)",
                self.sampled
            ));
        }
        if self.unscheduled > 0 {
            notes.push(format!(
                "{} of the rows are left out of the payer and year sums: their payments could not be worked out ({})",
                self.unscheduled,
                self.unscheduled_why.as_deref().unwrap_or("")
            ));
        }
        if self.overflow {
            notes.push("a sum went beyond the largest decimal (about 7.9e28) and stopped there; the sums above are too small".into());
        }
        if !notes.is_empty() {
            s.push('\n');
            for n in notes {
                let _ = writeln!(s, "note: {n}");
            }
        }
        s
    }
}

/// Adds `x` to `sum`, checked: beyond the largest decimal `sum` stays and `overflow` is set.
fn add_to(sum: &mut Decimal, x: Decimal, overflow: &mut bool) {
    match sum.checked_add(x) {
        Some(t) => *sum = t,
        None => *overflow = true,
    }
}

/// Reads one CSV cell as the answer to a question of type `ty` (`None`: a column that is no
/// question), reusing `slot`'s string buffer.
fn cell_to_raw(ty: Option<QType>, cell: &str, slot: &mut Raw) {
    // Trimmed (Unicode spaces too, such as U+3000); most cells have none to trim.
    let plain = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x80);
    let cell = if plain(cell.as_bytes().first()) && plain(cell.as_bytes().last()) { cell } else { cell.trim() };
    let text = |slot: &mut Raw| match slot {
        Raw::Str(s) => {
            s.clear();
            s.push_str(cell);
        }
        _ => *slot = Raw::Str(cell.to_string()),
    };
    if cell.is_empty() {
        *slot = Raw::Null;
        return;
    }
    match ty {
        Some(QType::Bool) => {
            let yes = ["true", "yes", "1", "是"].iter().any(|w| cell.eq_ignore_ascii_case(w));
            let no = ["false", "no", "0", "否"].iter().any(|w| cell.eq_ignore_ascii_case(w));
            match (yes, no) {
                (true, _) => *slot = Raw::Bool(true),
                (_, true) => *slot = Raw::Bool(false),
                _ => text(slot),
            }
        }
        Some(QType::Integer) => match cell.parse::<i64>() {
            Ok(i) => *slot = Raw::Int(i),
            Err(_) => text(slot),
        },
        _ => text(slot),
    }
}

/// Decimals as text, remembered by their exact representation (mantissa, scale, sign): a
/// batch writes the same few amounts again and again. Direct-mapped, 256 entries.
struct DecimalCache(Vec<(u128, String)>);

impl Default for DecimalCache {
    fn default() -> Self {
        // A key no decimal has (flags with bits set that rust_decimal keeps clear), so an
        // empty entry never matches.
        DecimalCache(vec![(u128::MAX, String::new()); 256])
    }
}

impl DecimalCache {
    /// `d` as its `Display` writes it.
    fn text(&mut self, d: Decimal) -> &str {
        let key = u128::from_le_bytes(d.serialize());
        let h = ((key as u64) ^ ((key >> 64) as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56;
        let e = &mut self.0[h as usize];
        if e.0 != key {
            e.0 = key;
            e.1.clear();
            let _ = std::fmt::Write::write_fmt(&mut e.1, format_args!("{d}"));
        }
        &e.1
    }
}

/// One output row, built cell by cell in a record reused from row to row; the CSV writer
/// quotes a cell where it must.
#[derive(Default)]
struct Row {
    rec: ByteRecord,
    decimals: DecimalCache,
}

impl Row {
    fn text(&mut self, s: &str) {
        self.rec.push_field(s.as_bytes());
    }

    /// A decimal as its `Display` writes it; an empty cell for `None`.
    fn decimal(&mut self, d: Option<Decimal>) {
        match d {
            Some(x) => self.rec.push_field(self.decimals.text(x).as_bytes()),
            None => self.rec.push_field(b""),
        }
    }

    /// A whole number in decimal digits (without `core::fmt`, which costs more than the rest
    /// of the cell).
    fn int(&mut self, n: i64) {
        // 19 digits at most, and a sign.
        let mut buf = [0u8; 21];
        let mut i = buf.len();
        let mut x = n.unsigned_abs();
        loop {
            i -= 1;
            buf[i] = b'0' + (x % 10) as u8;
            x /= 10;
            if x == 0 {
                break;
            }
        }
        if n < 0 {
            i -= 1;
            buf[i] = b'-';
        }
        self.rec.push_field(&buf[i..]);
    }

    fn empty(&mut self, n: usize) {
        for _ in 0..n {
            self.rec.push_field(b"");
        }
    }

    /// An answer as the output's answer column shows it.
    fn raw(&mut self, r: &Raw) {
        match r {
            Raw::Null => self.text(""),
            Raw::Bool(b) => self.text(if *b { "true" } else { "false" }),
            Raw::Int(i) => self.int(*i),
            Raw::Float(f) => self.text(&f.to_string()),
            Raw::Str(s) => self.rec.push_field(s.as_bytes()),
            Raw::Array => self.text("an array"),
            Raw::Object => self.text("an object"),
            Raw::Unreadable(_) => self.text("?"),
        }
    }
}

/// The input file with a UTF-8 byte order mark at its start (Excel's "CSV UTF-8") skipped.
fn open_without_bom(path: &Path) -> Result<impl Read, String> {
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut f = File::open(path).map_err(err)?;
    let mut head = [0u8; 3];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(err(e)),
        }
    }
    let start = if head[..n] == [0xEF, 0xBB, 0xBF] { n } else { 0 };
    Ok(std::io::Cursor::new(head[start..n].to_vec()).chain(f))
}

pub struct BatchArgs<'a> {
    pub rules: &'a RuleSet,
    pub input: &'a Path,
    pub output: &'a Path,
    pub as_of: Date,
    pub summary: bool,
    /// The number of workers estimating rows ([`default_jobs`]).
    pub jobs: usize,
}

/// What stays from row to row: the version, the summary so far and the buffers.
struct Batch<'v> {
    rules: &'v RuleSet,
    v: &'v Version,
    as_of: Date,
    summarize: bool,
    summary: Summary,
    payments: Payments,
    /// For each question, the index of its answer in the row's answers.
    cols: Vec<Option<usize>>,
    /// The rows estimated so far (the number of the last one).
    n: u64,
    out: Row,
}

/// The output's header: row, the answers in, then status/amount/min/max per program, the
/// totals and the error.
fn header(v: &Version) -> Vec<String> {
    let mut head = vec!["row".to_string()];
    head.extend(v.questions.iter().map(|q| q.id.clone()));
    for p in &v.programs {
        for col in ["status", "amount", "min", "max"] {
            head.push(format!("{}_{col}", p.id));
        }
    }
    head.extend(["total", "total_min", "total_max", "error"].map(String::from));
    head
}

impl<'v> Batch<'v> {
    /// Finds each question's answer among the keys of a row's answers (once for a CSV file,
    /// for each row of JSONL).
    fn map_columns<'k>(&mut self, keys: impl Iterator<Item = &'k str>) {
        self.cols.clear();
        self.cols.resize(self.v.questions.len(), None);
        for (j, k) in keys.enumerate() {
            if let Some(i) = self.v.question_index(k) {
                self.cols[i] = Some(j);
            }
        }
    }

    /// Estimates one row (its answers, or why they could not be read; the columns mapped by
    /// `map_columns`) into `self.out`.
    fn row(&mut self, raw: Result<&[(String, Raw)], String>) {
        let v = self.v;
        let summary = &mut self.summary;
        let out = &mut self.out;
        self.n += 1;
        out.rec.clear();
        out.int(i64::try_from(self.n).unwrap_or(i64::MAX));
        // The answers in, as given, in question order.
        let cols = &self.cols;
        let result = raw.inspect(|raw| {
            for c in cols {
                match c {
                    Some(j) => out.raw(&raw[*j].1),
                    None => out.text(""),
                }
            }
        });
        if out.rec.len() == 1 {
            out.empty(v.questions.len());
        }
        let by_version = v.versions_by.is_some();
        let error = match result.and_then(|raw| {
            evaluate(self.rules, &Request { answers: raw, as_of: Some(self.as_of), version: None, lang: Lang::En, changes: false })
                .map_err(|e| e.to_string())
        }) {
            Err(e) => Some(e),
            Ok(ev) => {
                let (fv, figures) = (ev.version, &ev.figures);
                let decided = figures.programs.iter().all(|f| f.missing.is_empty());
                // the columns are the programs of the version in force on as_of, by id
                for p in &v.programs {
                    match fv.programs.iter().position(|x| x.id == p.id).and_then(|j| figures.programs.get(j)) {
                        Some(f) => {
                            out.text(f.status.name());
                            out.decimal(f.amount);
                            out.decimal(f.min);
                            out.decimal(f.max);
                        }
                        None => out.empty(4),
                    }
                }
                if !decided {
                    summary.undetermined += 1;
                }
                if self.summarize {
                    let version = by_version.then(|| ev.candidates.is_empty().then_some(fv.version.as_str()));
                    summary.add_figures(v, fv, figures, version);
                    // Payers and years: nothing to add when the answers decide that no cash is paid.
                    if !ev.candidates.is_empty() {
                        summary.unscheduled += 1;
                        summary.unscheduled_why.get_or_insert_with(|| "the version depends on an unanswered question".into());
                    } else if !(decided && figures.total.is_some_and(|t| t.is_zero())) {
                        let payments = if std::ptr::eq(fv, v) { &mut self.payments } else { &mut Payments::new(fv) };
                        match payments.compute(fv, &ev.answers, self.as_of) {
                            Ok(()) => summary.add_payments(v, fv, payments),
                            Err(e) => {
                                summary.unscheduled += 1;
                                summary.unscheduled_why.get_or_insert_with(|| e.to_string());
                            }
                        }
                    }
                }
                out.decimal(figures.total);
                out.decimal(Some(figures.total_min));
                out.decimal(Some(figures.total_max));
                None
            }
        };
        match error {
            None => out.text(""),
            Some(e) => {
                summary.errors += 1;
                out.empty(v.programs.len() * 4 + 3);
                out.text(&e);
            }
        }
        summary.rows += 1;
    }
}

/// Whether a CSV record is a line of spaces: skipped, as no applicant (the csv reader skips
/// empty lines itself; `""` is a row with one empty cell).
fn blank(rec: &StringRecord) -> bool {
    rec.len() == 1 && !rec[0].is_empty() && rec[0].trim().is_empty()
}

/// Rows per chunk: what the reader hands a worker at a time.
const CHUNK: usize = 4096;

/// Rows read, handed to a worker, estimated into CSV text and passed on to the writer; then
/// back to the reader, which fills it again (its buffers reused from chunk to chunk).
#[derive(Default)]
struct Chunk {
    /// The rows before this chunk.
    first: u64,
    /// How many rows the chunk holds (the first `len` of `records` or `lines`).
    len: usize,
    records: Vec<StringRecord>,
    lines: Vec<String>,
    /// The rows (by position in the chunk) that could not be read, and why.
    unreadable: Vec<(usize, String)>,
    /// The output rows, as CSV text.
    out: Vec<u8>,
    /// The summary of these rows.
    summary: Option<Summary>,
}

/// What a CSV file's header says: its question ids and each column's question type.
struct Columns {
    header: Vec<String>,
    types: Vec<Option<QType>>,
}

/// A worker: estimates the rows of one chunk after another into CSV text.
struct Worker<'v> {
    b: Batch<'v>,
    /// CSV input (`None`: JSONL).
    columns: Option<&'v Columns>,
    /// A CSV row's answers, keyed by the header, reused from row to row.
    answers: Vec<(String, Raw)>,
}

impl Worker<'_> {
    fn chunk(&mut self, c: &mut Chunk) -> Result<(), String> {
        let b = &mut self.b;
        b.n = c.first;
        c.out.clear();
        let mut out = csv::Writer::from_writer(&mut c.out);
        let mut unreadable = c.unreadable.iter().peekable();
        for i in 0..c.len {
            let raw: Result<&[(String, Raw)], String>;
            let parsed;
            if let Some((_, why)) = unreadable.next_if(|(j, _)| *j == i) {
                raw = Err(why.clone());
            } else if let Some(cols) = self.columns {
                let rec = &c.records[i];
                raw = if rec.len() == cols.header.len() {
                    for ((slot, cell), ty) in self.answers.iter_mut().zip(rec).zip(&cols.types) {
                        cell_to_raw(*ty, cell, &mut slot.1);
                    }
                    Ok(self.answers.as_slice())
                } else {
                    Err(format!("{} cells, but the header has {}", rec.len(), cols.header.len()))
                };
            } else {
                parsed = raw_from_json_text(&c.lines[i]).map_err(|e| e.to_string());
                if let Ok(r) = &parsed {
                    b.map_columns(r.iter().map(|(k, _)| k.as_str()));
                }
                raw = parsed.as_deref().map_err(Clone::clone);
            }
            b.row(raw);
            out.write_byte_record(&b.out.rec).map_err(|e| e.to_string())?;
        }
        out.flush().map_err(|e| e.to_string())?;
        drop(out);
        c.summary = Some(std::mem::replace(&mut b.summary, Summary::new(b.v, &b.payments)));
        Ok(())
    }
}

/// Where the rows come from: a CSV reader (its header already read) or JSONL lines.
enum Input<R: Read> {
    Csv(csv::Reader<R>),
    Jsonl(BufReader<R>),
}

impl<R: Read> Input<R> {
    /// Reads rows into `c` until it holds [`CHUNK`] rows or the input ends (then `false`).
    /// Lines of spaces are skipped; a row that is not UTF-8 is kept as unreadable.
    fn fill(&mut self, c: &mut Chunk, columns: Option<&Columns>) -> Result<bool, String> {
        while c.len < CHUNK {
            match self {
                Input::Csv(r) => {
                    if c.records.len() == c.len {
                        c.records.push(StringRecord::new());
                    }
                    match r.read_record(&mut c.records[c.len]) {
                        Ok(false) => return Ok(false),
                        Ok(true) if blank(&c.records[c.len]) => continue,
                        Ok(true) => {}
                        // A row that is not UTF-8 (a file saved as GBK, say) is a bad row: the others go on.
                        Err(e) => match e.kind() {
                            csv::ErrorKind::Utf8 { err, .. } => {
                                let header = columns.map(|x| x.header.as_slice()).unwrap_or_default();
                                let cell = header.get(err.field()).map_or("a cell", String::as_str);
                                c.unreadable.push((c.len, format!("{cell}: not UTF-8 text (save the file as CSV UTF-8)")));
                            }
                            _ => return Err(e.to_string()),
                        },
                    }
                }
                Input::Jsonl(r) => {
                    if c.lines.len() == c.len {
                        c.lines.push(String::new());
                    }
                    let line = &mut c.lines[c.len];
                    line.clear();
                    match r.read_line(line) {
                        Ok(0) => return Ok(false),
                        Ok(_) => {
                            // the line without its end (LF or CRLF)
                            let end = line.strip_suffix('\n').map_or(line.len(), |l| l.strip_suffix('\r').unwrap_or(l).len());
                            line.truncate(end);
                            if line.trim().is_empty() {
                                continue;
                            }
                        }
                        // a line that is not UTF-8 (read and passed over) is a bad row: the others go on
                        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                            line.clear();
                            c.unreadable.push((c.len, "not UTF-8 text (save the file as UTF-8)".to_string()));
                        }
                        Err(e) => return Err(e.to_string()),
                    }
                }
            }
            c.len += 1;
        }
        Ok(true)
    }
}

/// The number of workers `batch` runs by default: one per core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Runs `batch`. The rows are read in chunks on this thread, estimated by `jobs` workers
/// (chunk k by worker k mod jobs) and written in their order by a writer thread, which adds
/// up the summary chunk by chunk, in row order. Memory stays bounded by the chunks in flight.
pub fn run(a: BatchArgs<'_>) -> Result<(), String> {
    let v = a.rules.version_on(a.as_of).map_err(|e| e.to_string())?;
    let jsonl = a.input.extension().is_some_and(|x| x == "jsonl" || x == "ndjson");
    let input = open_without_bom(a.input)?;
    let read_err = |e: &dyn std::fmt::Display| format!("{}: {e}", a.input.display());
    let write_err = |e: &dyn std::fmt::Display| format!("{}: {e}", a.output.display());
    let mut file = File::create(a.output).map_err(|e| write_err(&e))?;
    let progress = std::io::stderr().is_terminal();
    let jobs = a.jobs.max(1);
    let batch = || {
        let payments = Payments::new(v);
        Batch {
            rules: a.rules,
            v,
            as_of: a.as_of,
            summarize: a.summary,
            summary: Summary::new(v, &payments),
            payments,
            cols: Vec::with_capacity(v.questions.len()),
            n: 0,
            out: Row::default(),
        }
    };
    let mut head = csv::Writer::from_writer(Vec::new());
    head.write_record(header(v)).map_err(|e| write_err(&e))?;
    let head = head.into_inner().map_err(|e| write_err(&e))?;

    let (mut input, columns) = if jsonl {
        (Input::Jsonl(BufReader::with_capacity(1 << 16, input)), None)
    } else {
        let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).buffer_capacity(1 << 16).from_reader(input);
        let mut rec = StringRecord::new();
        // The header: question ids (a column that is no question is reported as an unknown
        // question in each row).
        let header: Vec<String> = match r.read_record(&mut rec) {
            Ok(true) if !blank(&rec) => rec.iter().map(|h| h.trim().to_string()).collect(),
            Ok(_) => return Err(format!("{}: empty file (a CSV starts with a header of question ids)", a.input.display())),
            Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => {
                return Err(format!("{}: the header is not UTF-8 text (save the file as CSV UTF-8)", a.input.display()))
            }
            Err(e) => return Err(read_err(&e)),
        };
        let types = header.iter().map(|k| v.question_index(k).map(|i| v.questions[i].ty)).collect();
        (Input::Csv(r), Some(Columns { header, types }))
    };
    let columns = columns.as_ref();

    let (rows, summary) = std::thread::scope(|s| -> Result<(u64, Summary), String> {
        use std::sync::mpsc::{channel, sync_channel};
        let (free_tx, free_rx) = channel::<Chunk>();
        let (mut to_workers, mut from_workers, mut workers) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..jobs {
            let (tx, rx) = sync_channel::<Chunk>(1);
            let (done_tx, done_rx) = sync_channel::<Chunk>(1);
            to_workers.push(tx);
            from_workers.push(done_rx);
            let mut w = Worker {
                b: batch(),
                columns,
                answers: columns.map_or_else(Vec::new, |c| c.header.iter().map(|k| (k.clone(), Raw::Null)).collect()),
            };
            if let Some(c) = columns {
                w.b.map_columns(c.header.iter().map(String::as_str));
            }
            let worker = std::thread::Builder::new().spawn_scoped(s, move || -> Result<(), String> {
                for mut c in rx {
                    w.chunk(&mut c)?;
                    if done_tx.send(c).is_err() {
                        break;
                    }
                }
                Ok(())
            });
            workers.push(worker.map_err(|e| format!("could not start a worker: {e}"))?);
        }
        let writer = std::thread::Builder::new().spawn_scoped(s, move || -> Result<(u64, Summary), String> {
            file.write_all(&head).map_err(|e| write_err(&e))?;
            let mut total = Summary::new(v, &Payments::new(v));
            let mut rows = 0u64;
            for k in 0.. {
                let Ok(mut c) = from_workers[k % jobs].recv() else { break };
                file.write_all(&c.out).map_err(|e| write_err(&e))?;
                if let Some(s) = c.summary.take() {
                    total.merge(s);
                }
                let before = rows;
                rows += c.len as u64;
                if progress && rows / 100_000 > before / 100_000 {
                    eprint!("\r{rows} rows");
                }
                let _ = free_tx.send(c);
            }
            file.flush().map_err(|e| write_err(&e))?;
            Ok((rows, total))
        });
        let writer = writer.map_err(|e| format!("could not start the writer: {e}"))?;

        // Read the rows in chunks and hand them out in turn, each chunk's buffers reused once
        // the writer is done with it.
        let mut read = Ok(());
        let (mut first, mut k) = (0u64, 0usize);
        loop {
            let mut c = free_rx.try_recv().unwrap_or_default();
            (c.first, c.len) = (first, 0);
            c.unreadable.clear();
            let more = match input.fill(&mut c, columns) {
                Ok(more) => more,
                Err(e) => {
                    read = Err(read_err(&e));
                    false
                }
            };
            if c.len > 0 {
                first += c.len as u64;
                if to_workers[k % jobs].send(c).is_err() {
                    break;
                }
                k += 1;
            }
            if !more {
                break;
            }
        }
        drop(to_workers);
        for w in workers {
            w.join().unwrap_or_else(|_| Err("a worker stopped".into()))?;
        }
        let written = writer.join().unwrap_or_else(|_| Err("the writer stopped".into()))?;
        read?;
        Ok(written)
    })?;
    if progress {
        eprintln!("\r{rows} rows, done");
    }
    if a.summary {
        print!("{}", summary.text(v));
    }
    Ok(())
}
