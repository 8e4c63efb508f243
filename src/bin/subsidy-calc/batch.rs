//! `subsidy-calc batch`: one row per applicant in (CSV or JSONL), the estimate out (CSV), for a
//! zone projecting its spending. Streaming: rows are read, estimated and written one at a time,
//! so memory stays flat however long the file. A bad row gets its error in the `error` column;
//! rows in = rows out.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;
use subsidy_calc::{figures, raw_from_json_text, Answers, Date, Decimal, QType, Raw, RuleSet, Status};

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

fn csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Splits one CSV record (RFC 4180 quoting; a record does not span lines).
fn csv_split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cur.is_empty() => quoted = true,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Reads one CSV cell as the answer to a question of type `ty` (`None`: a column that is no
/// question), reusing `slot`'s string buffer.
fn cell_to_raw(ty: Option<QType>, cell: &str, slot: &mut Raw) {
    let cell = cell.trim();
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

/// Appends a comma and each decimal (nothing for `None`), as CSV cells.
fn push_amounts<const N: usize>(out: &mut String, ds: [Option<Decimal>; N]) {
    for d in ds {
        out.push(',');
        if let Some(x) = d {
            let _ = write!(out, "{x}");
        }
    }
}

fn push_u64(out: &mut String, n: u64) {
    let _ = write!(out, "{n}");
}

/// Appends an answer as the output's answer column shows it.
fn push_raw(out: &mut String, r: &Raw) {
    match r {
        Raw::Null => {}
        Raw::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Raw::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Raw::Float(f) => csv_field(out, &f.to_string()),
        Raw::Str(s) => csv_field(out, s),
        Raw::Array => out.push_str("an array"),
        Raw::Object => out.push_str("an object"),
        Raw::Unreadable(_) => out.push('?'),
    }
}

pub struct BatchArgs<'a> {
    pub rules: &'a RuleSet,
    pub input: &'a Path,
    pub output: &'a Path,
    pub as_of: Date,
    pub summary: bool,
}

pub fn run(a: BatchArgs<'_>) -> Result<(), String> {
    let v = a.rules.version_on(a.as_of).map_err(|e| e.to_string())?;
    let jsonl = a.input.extension().is_some_and(|x| x == "jsonl" || x == "ndjson");
    let reader = BufReader::with_capacity(1 << 16, File::open(a.input).map_err(|e| format!("{}: {e}", a.input.display()))?);
    let mut out = BufWriter::with_capacity(1 << 16, File::create(a.output).map_err(|e| format!("{}: {e}", a.output.display()))?);
    let progress = std::io::stderr().is_terminal();
    let mut lines = reader.lines();
    let header: Vec<String> = if jsonl {
        Vec::new()
    } else {
        match lines.next() {
            Some(Ok(h)) => csv_split(h.trim_start_matches('\u{feff}')).into_iter().map(|x| x.trim().to_string()).collect(),
            Some(Err(e)) => return Err(format!("{}: {e}", a.input.display())),
            None => return Err(format!("{}: empty file (a CSV starts with a header of question ids)", a.input.display())),
        }
    };
    // Header: row, the answers in, then status/amount/min/max per program, totals, error.
    let mut head = String::from("row");
    for q in &v.questions {
        head.push(',');
        csv_field(&mut head, &q.id);
    }
    for p in &v.programs {
        for col in ["status", "amount", "min", "max"] {
            head.push(',');
            head.push_str(&format!("{}_{col}", p.id));
        }
    }
    head.push_str(",total,total_min,total_max,error\n");
    out.write_all(head.as_bytes()).map_err(|e| e.to_string())?;

    let mut summary = Summary::default();
    let mut line = String::with_capacity(256);
    let zero = v.rounding.zero();
    let mut n: u64 = 0;
    // CSV: the question type of each column, and the answers of a row in a buffer reused
    // from row to row (its keys are the header's).
    let types: Vec<Option<QType>> = header.iter().map(|k| v.question_index(k).map(|i| v.questions[i].ty)).collect();
    let mut csv_raw: Vec<(String, Raw)> = header.iter().map(|k| (k.clone(), Raw::Null)).collect();
    let mut json_raw: Vec<(String, Raw)> = Vec::new();
    let mut cols: Vec<Option<usize>> = Vec::with_capacity(v.questions.len());
    for next in lines {
        let text = next.map_err(|e| format!("{}: {e}", a.input.display()))?;
        if text.trim().is_empty() {
            continue;
        }
        n += 1;
        line.clear();
        push_u64(&mut line, n);
        let raw: Result<&[(String, Raw)], String> = if jsonl {
            raw_from_json_text(&text).map_err(|e| e.to_string()).map(|r| {
                json_raw = r;
                json_raw.as_slice()
            })
        } else {
            let cells = csv_split(&text);
            if cells.len() != header.len() {
                Err(format!("{} cells, but the header has {}", cells.len(), header.len()))
            } else {
                for ((slot, c), ty) in csv_raw.iter_mut().zip(&cells).zip(&types) {
                    cell_to_raw(*ty, c, &mut slot.1);
                }
                Ok(csv_raw.as_slice())
            }
        };
        // The answers in, as given, in question order.
        cols.clear();
        cols.resize(v.questions.len(), None);
        let result = raw.and_then(|raw| {
            for (j, (k, _)) in raw.iter().enumerate() {
                if let Some(i) = v.question_index(k) {
                    cols[i] = Some(j);
                }
            }
            for c in &cols {
                line.push(',');
                if let Some(j) = c {
                    push_raw(&mut line, &raw[*j].1);
                }
            }
            let (answers, errs) = Answers::parse(v, raw, a.as_of);
            if !errs.is_empty() {
                return Err(errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
            }
            Ok(answers)
        });
        if result.is_err() && line.matches(',').count() == 0 {
            for _ in 0..v.questions.len() {
                line.push(',');
            }
        }
        let error = match result {
            Err(e) => Some(e),
            Ok(answers) => match figures(v, &answers, a.as_of) {
                Ok(figures) => {
                    for (p, f) in v.programs.iter().zip(&figures.programs) {
                        line.push(',');
                        line.push_str(f.status.name());
                        push_amounts(&mut line, [f.amount, f.min, f.max]);
                        if a.summary {
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
                    if figures.programs.iter().any(|f| !f.missing.is_empty()) {
                        summary.undetermined += 1;
                    } else if a.summary {
                        for f in &figures.programs {
                            for &(year, payer, amount) in &f.schedule {
                                let payer = v.payers.get(payer).map_or("", |x| x.id.as_str());
                                add_to(summary.by_payer.entry(payer).or_default(), amount, &mut summary.overflow);
                                add_to(summary.by_year.entry(year).or_default(), amount, &mut summary.overflow);
                            }
                        }
                    }
                    push_amounts(&mut line, [figures.total, Some(figures.total_min), Some(figures.total_max)]);
                    None
                }
                Err(e) => Some(e.to_string()),
            },
        };
        match error {
            None => line.push_str(",\n"),
            Some(e) => {
                summary.errors += 1;
                for _ in 0..(v.programs.len() * 4 + 3) {
                    line.push(',');
                }
                line.push(',');
                csv_field(&mut line, &e);
                line.push('\n');
            }
        }
        summary.rows += 1;
        out.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
        if progress && n % 100_000 == 0 {
            eprint!("\r{n} rows");
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    if progress {
        eprintln!("\r{n} rows, done");
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
