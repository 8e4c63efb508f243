//! `subsidy-calc batch`: one row per applicant in (CSV or JSONL), the estimate out (CSV), for a
//! zone projecting its spending. Streaming: rows are read, estimated and written one at a time,
//! so memory stays flat however long the file. A bad row gets its error in the `error` column;
//! rows in = rows out. CSV is read and written with the `csv` crate: quoted fields, fields over
//! several lines, CRLF or LF, and a UTF-8 BOM at the start (as Excel writes it).

use csv::{ByteRecord, StringRecord};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::path::Path;
use subsidy_calc::{
    estimate_version, push_decimal, raw_from_json_text, Answers, Date, Decimal, Figures, Lang, QType, Raw, RuleSet, Status, Version,
};

/// Totals for `--summary`.
#[derive(Default)]
struct Summary<'v> {
    rows: u64,
    errors: u64,
    // Keys borrowed from the rule set: no allocation per row.
    by_program: BTreeMap<&'v str, (u64, u64, Decimal, Decimal)>, // eligible, needs_info, min sum, max sum
    by_payer: BTreeMap<&'v str, Decimal>,
    by_year: BTreeMap<u32, Decimal>,
    undetermined: u64,
    /// Whether a sum went beyond the largest decimal (and stopped there).
    overflow: bool,
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
            push_decimal(&mut e.1, d);
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
            Raw::Other(k) => self.text(k),
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
}

/// What stays from row to row: the version, the summary so far and the buffers.
struct Batch<'v> {
    v: &'v Version,
    as_of: Date,
    summarize: bool,
    summary: Summary<'v>,
    figures: Figures,
    /// For each question, the index of its answer in the row's answers.
    cols: Vec<Option<usize>>,
    /// The rows estimated so far (the number of the last one).
    n: u64,
    out: Row,
}

impl<'v> Batch<'v> {
    /// The output's header: row, the answers in, then status/amount/min/max per program,
    /// the totals and the error.
    fn header(&self) -> Vec<String> {
        let mut head = vec!["row".to_string()];
        head.extend(self.v.questions.iter().map(|q| q.id.clone()));
        for p in &self.v.programs {
            for col in ["status", "amount", "min", "max"] {
                head.push(format!("{}_{col}", p.id));
            }
        }
        head.extend(["total", "total_min", "total_max", "error"].map(String::from));
        head
    }

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
        let result = raw.and_then(|raw| {
            for c in cols {
                match c {
                    Some(j) => out.raw(&raw[*j].1),
                    None => out.text(""),
                }
            }
            let (answers, errs) = Answers::parse(v, raw);
            if !errs.is_empty() {
                return Err(errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
            }
            Ok(answers)
        });
        if out.rec.len() == 1 {
            out.empty(v.questions.len());
        }
        let zero = v.rounding.zero();
        let figures = &mut self.figures;
        let error = match result {
            Err(e) => Some(e),
            Ok(answers) => match figures.compute(v, &answers, self.as_of) {
                Ok(()) => {
                    for (p, f) in v.programs.iter().zip(&figures.programs) {
                        out.text(f.status.name());
                        out.decimal(f.amount);
                        out.decimal(f.min);
                        out.decimal(f.max);
                        if self.summarize {
                            let e = summary.by_program.entry(p.id.as_str()).or_default();
                            match f.status {
                                Status::Eligible => e.0 += 1,
                                Status::NeedsInfo => e.1 += 1,
                                Status::NotEligible => {}
                            }
                            add_to(&mut e.2, f.min.unwrap_or(zero), &mut summary.overflow);
                            add_to(&mut e.3, f.max.unwrap_or(zero), &mut summary.overflow);
                        }
                    }
                    if !figures.decided {
                        summary.undetermined += 1;
                    } else if self.summarize && figures.programs.iter().any(|f| f.amount.is_some_and(|x| !x.is_zero())) {
                        // Schedules need the full estimate (payers and years).
                        if let Ok(est) = estimate_version(v, &answers, self.as_of, Lang::En) {
                            for p in &est.programs {
                                for pay in &p.schedule {
                                    add_to(summary.by_payer.entry(pay.payer).or_default(), pay.amount, &mut summary.overflow);
                                    add_to(summary.by_year.entry(pay.year).or_default(), pay.amount, &mut summary.overflow);
                                }
                            }
                        }
                    }
                    out.decimal(figures.total);
                    out.decimal(Some(figures.total_min));
                    out.decimal(Some(figures.total_max));
                    None
                }
                Err(e) => Some(e.to_string()),
            },
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

/// Whether a CSV record is a blank line (nothing but spaces): skipped, as no applicant.
fn blank(rec: &StringRecord) -> bool {
    rec.len() == 1 && rec[0].trim().is_empty()
}

pub fn run(a: BatchArgs<'_>) -> Result<(), String> {
    let v = a.rules.version_on(a.as_of).map_err(|e| e.to_string())?;
    let jsonl = a.input.extension().is_some_and(|x| x == "jsonl" || x == "ndjson");
    let input = open_without_bom(a.input)?;
    let read_err = |e: &dyn std::fmt::Display| format!("{}: {e}", a.input.display());
    let write_err = |e: csv::Error| format!("{}: {e}", a.output.display());
    let file = File::create(a.output).map_err(|e| format!("{}: {e}", a.output.display()))?;
    let mut out = csv::WriterBuilder::new().buffer_capacity(1 << 16).from_writer(file);
    let progress = std::io::stderr().is_terminal();
    let mut b = Batch {
        v,
        as_of: a.as_of,
        summarize: a.summary,
        summary: Summary::default(),
        figures: Figures::default(),
        cols: Vec::with_capacity(v.questions.len()),
        n: 0,
        out: Row::default(),
    };
    let tick = |b: &Batch<'_>| {
        if progress && b.n % 100_000 == 0 {
            eprint!("\r{} rows", b.n);
        }
    };
    if jsonl {
        out.write_record(b.header()).map_err(write_err)?;
        for next in BufReader::with_capacity(1 << 16, input).lines() {
            let text = next.map_err(|e| read_err(&e))?;
            if text.trim().is_empty() {
                continue;
            }
            let raw = raw_from_json_text(&text).map_err(|e| e.to_string());
            if let Ok(r) = &raw {
                b.map_columns(r.iter().map(|(k, _)| k.as_str()));
            }
            b.row(raw.as_deref().map_err(Clone::clone));
            out.write_byte_record(&b.out.rec).map_err(write_err)?;
            tick(&b);
        }
    } else {
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).buffer_capacity(1 << 16).from_reader(input);
        let mut rec = StringRecord::new();
        // The header: question ids (a column that is no question is reported as an unknown
        // question in each row).
        let header: Vec<String> = match rdr.read_record(&mut rec) {
            Ok(true) if !blank(&rec) => rec.iter().map(|h| h.trim().to_string()).collect(),
            Ok(_) => return Err(format!("{}: empty file (a CSV starts with a header of question ids)", a.input.display())),
            Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => {
                return Err(format!("{}: the header is not UTF-8 text (save the file as CSV UTF-8)", a.input.display()))
            }
            Err(e) => return Err(read_err(&e)),
        };
        out.write_record(b.header()).map_err(write_err)?;
        b.map_columns(header.iter().map(String::as_str));
        // The question type of each column, and the answers of a row in a buffer reused from
        // row to row (its keys are the header's).
        let types: Vec<Option<QType>> = header.iter().map(|k| v.question_index(k).map(|i| v.questions[i].ty)).collect();
        let mut answers: Vec<(String, Raw)> = header.iter().map(|k| (k.clone(), Raw::Null)).collect();
        loop {
            let raw = match rdr.read_record(&mut rec) {
                Ok(false) => break,
                Ok(true) if blank(&rec) => continue,
                Ok(true) if rec.len() != header.len() => Err(format!("{} cells, but the header has {}", rec.len(), header.len())),
                Ok(true) => {
                    for ((slot, cell), ty) in answers.iter_mut().zip(&rec).zip(&types) {
                        cell_to_raw(*ty, cell, &mut slot.1);
                    }
                    Ok(answers.as_slice())
                }
                // A row that is not UTF-8 (a file saved as GBK, say) is a bad row: the others go on.
                Err(e) => match e.kind() {
                    csv::ErrorKind::Utf8 { err, .. } => Err(format!(
                        "{}: not UTF-8 text (save the file as CSV UTF-8)",
                        header.get(err.field()).map_or("a cell", String::as_str)
                    )),
                    _ => return Err(read_err(&e)),
                },
            };
            b.row(raw);
            out.write_byte_record(&b.out.rec).map_err(write_err)?;
            tick(&b);
        }
    }
    out.flush().map_err(|e| format!("{}: {e}", a.output.display()))?;
    let summary = &b.summary;
    if progress {
        eprintln!("\r{} rows, done", b.n);
    }
    if a.summary {
        println!("rows: {} (errors: {}, with unanswered questions: {})", summary.rows, summary.errors, summary.undetermined);
        println!("\nby program (eligible, needs info, amount min – max):");
        for (id, (el, ni, lo, hi)) in &summary.by_program {
            println!("  {id}: {el} eligible, {ni} needs info, {lo} – {hi} {}", v.currency);
        }
        println!("\nby payer (known amounts):");
        for (p, x) in &summary.by_payer {
            println!("  {p}: {x} {}", v.currency);
        }
        println!("\nby year (known amounts):");
        for (y, x) in &summary.by_year {
            println!("  year {y}: {x} {}", v.currency);
        }
        if summary.overflow {
            println!("\nnote: a sum went beyond the largest decimal (about 7.9e28) and stopped there; the sums above are too small");
        }
    }
    Ok(())
}
