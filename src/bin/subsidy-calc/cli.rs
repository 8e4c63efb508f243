//! The command line itself: parses flags, calls the library, prints.

use clap::{Parser, Subcommand, ValueEnum};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use subsidy_calc::{
    bundle_json, cases, diff, estimate, load_bundle, load_dir, load_file, raw_from_json_text, read_dir, rule_files, text_report, Date,
    Estimate, EstimateError, Lang, Problem, Request, RuleErrors, RuleSet,
};

#[derive(Parser)]
#[command(name = "subsidy-calc", version, about = "Subsidy policies as cited rule files; exact, explained estimates")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Text,
}

#[derive(Subcommand)]
enum Cmd {
    /// Validate rule files (default: rules/); prints file:line:col: message for each problem.
    Check {
        /// Rule files, rule-set folders, or a folder of rule sets.
        paths: Vec<PathBuf>,
        /// Language of the messages: en or zh-CN.
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Run the cases in rules/<set>/tests/; ends with "N passed, N failed".
    Test {
        /// Rule-set folders, or a folder of rule sets (default: rules/).
        paths: Vec<PathBuf>,
        /// Language of the messages: en or zh-CN.
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Estimate what an applicant gets under the version in force on a date.
    Estimate {
        /// A rule-set folder, or a compiled bundle (.json).
        #[arg(long)]
        rules: PathBuf,
        /// The date (YYYY-MM-DD); default today.
        #[arg(long)]
        as_of: Option<String>,
        /// Pin a version instead of choosing by date.
        #[arg(long = "rules-version")]
        rules_version: Option<String>,
        /// A JSON object {question_id: value}, or - for standard input.
        #[arg(long)]
        answers: Option<String>,
        /// json (the public contract) or text (a report for a person).
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// zh-CN or en.
        #[arg(long, default_value = "zh-CN")]
        lang: String,
        /// Read one answers object per line and print one compact JSON estimate per line
        /// (or {"error": {kind, message, field}} for a line that cannot be estimated).
        #[arg(long)]
        jsonl: bool,
        /// Add to each program up to three changes of answers that would make it pay, or pay
        /// more (fewest changed answers first, then the highest amount).
        #[arg(long)]
        changes: bool,
    },
    /// Show what changed between two versions of a rule set, in words.
    Diff {
        /// The rule-set folder.
        dir: PathBuf,
        /// The older version id.
        version_a: String,
        /// The newer version id.
        version_b: String,
    },
    /// Estimate many applicants: CSV (header of question ids) or JSONL in, CSV out.
    Batch {
        /// A rule-set folder, or a compiled bundle (.json).
        #[arg(long)]
        rules: PathBuf,
        /// Input: .csv (first line: question ids) or .jsonl (one answers object per line).
        #[arg(long)]
        input: PathBuf,
        /// Output CSV.
        #[arg(long)]
        output: PathBuf,
        /// The date (YYYY-MM-DD); default today.
        #[arg(long)]
        as_of: Option<String>,
        /// Print totals by program, by payer and by year.
        #[arg(long)]
        summary: bool,
        /// Rows estimated in parallel by this many workers, 1 to 256 (default: one per core);
        /// the output is the same for any number.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
        jobs: Option<u16>,
    },
    /// Write a validated, canonical JSON bundle of all versions of a rule set.
    Compile {
        /// The rule-set folder.
        dir: PathBuf,
        /// The bundle to write.
        #[arg(short, long)]
        output: PathBuf,
    },
}

fn has_toml(dir: &Path) -> bool {
    rule_files(dir).is_ok_and(|f| !f.is_empty())
}

/// Rule-set folders under a path: the path itself if it holds version files, else its
/// subfolders that do.
fn set_dirs(path: &Path) -> Result<Vec<PathBuf>, String> {
    if has_toml(path) {
        return Ok(vec![path.to_path_buf()]);
    }
    let rd = std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut dirs: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir() && has_toml(p)).collect();
    dirs.sort();
    if dirs.is_empty() {
        return Err(format!("{}: no rule files here", path.display()));
    }
    Ok(dirs)
}

fn print_errors(e: &RuleErrors, lang: Lang) {
    for x in &e.0 {
        eprintln!("{}", x.describe(lang));
    }
}

fn load_rules(path: &Path) -> Result<RuleSet, RuleErrors> {
    if path.extension().is_some_and(|x| x == "json") {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RuleErrors::one(&name, Problem::CannotRead { detail: e.to_string() }))?;
        load_bundle(&name, &text)
    } else {
        load_dir(path)
    }
}

fn parse_lang(lang: &str) -> Result<Lang, ExitCode> {
    Lang::parse(lang).ok_or_else(|| bad_input(EstimateError::BadLang { value: lang.to_string() }.message(Lang::En)))
}

fn check(paths: Vec<PathBuf>, lang: Lang) -> ExitCode {
    let paths = if paths.is_empty() { vec![PathBuf::from("rules")] } else { paths };
    let (mut ok, mut bad) = (0, 0);
    for p in paths {
        if p.is_file() {
            match load_file(&p) {
                Ok(_) => ok += 1,
                Err(e) => {
                    print_errors(&e, lang);
                    bad += 1;
                }
            }
            continue;
        }
        match set_dirs(&p) {
            Ok(dirs) => {
                for d in dirs {
                    match load_dir(&d) {
                        Ok(rs) => {
                            ok += 1;
                            println!("ok {} ({} version{})", d.display(), rs.versions.len(), if rs.versions.len() == 1 { "" } else { "s" });
                        }
                        Err(e) => {
                            print_errors(&e, lang);
                            bad += 1;
                        }
                    }
                }
            }
            Err(m) => {
                eprintln!("{m}");
                bad += 1;
            }
        }
    }
    if bad > 0 {
        eprintln!("{bad} rule set(s) with errors, {ok} ok");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn test(paths: Vec<PathBuf>, lang: Lang) -> ExitCode {
    let paths = if paths.is_empty() { vec![PathBuf::from("rules")] } else { paths };
    let (mut passed, mut failed, mut broken) = (0usize, 0usize, 0usize);
    for p in paths {
        let dirs = match set_dirs(&p) {
            Ok(d) => d,
            Err(m) => {
                eprintln!("{m}");
                broken += 1;
                continue;
            }
        };
        for d in dirs {
            let rs = match load_dir(&d) {
                Ok(rs) => rs,
                Err(e) => {
                    print_errors(&e, lang);
                    broken += 1;
                    continue;
                }
            };
            let tests = d.join("tests");
            let files = rule_files(&tests).unwrap_or_default();
            if files.is_empty() {
                eprintln!("{}: no test cases (add rules/<set>/tests/*.toml)", d.display());
                broken += 1;
            }
            let mut run = cases::Run::default();
            for f in files {
                run.add(cases::run_file(&rs, &f));
            }
            for r in run.cases.iter().filter(|r| !r.failures.is_empty()) {
                println!("FAIL {} :: {}", r.file, r.name);
                for x in &r.failures {
                    println!("    {x}");
                }
            }
            for e in &run.broken {
                print_errors(e, lang);
            }
            passed += run.passed();
            failed += run.failed();
        }
    }
    let failed = failed + broken;
    println!("{}", cases::summary_line(passed, failed));
    if failed > 0 || passed == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn bad_input(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("subsidy-calc: {msg}");
    ExitCode::from(2)
}

struct EstimateArgs {
    rules: PathBuf,
    as_of: Option<String>,
    pin: Option<String>,
    answers: Option<String>,
    format: Format,
    lang: String,
    jsonl: bool,
    changes: bool,
}

/// A line of `--jsonl` output for an answers object that cannot be estimated: the error's
/// kind, code and arguments, and its message in `lang`.
fn error_line(e: &EstimateError, lang: Lang) -> String {
    let mut error = serde_json::to_value(e).unwrap_or_default();
    if let Some(o) = error.as_object_mut() {
        o.insert("kind".into(), e.kind().into());
        o.insert("message".into(), e.message(lang).into());
        o.insert("field".into(), e.field().into());
    }
    serde_json::json!({ "error": error }).to_string()
}

fn run_jsonl(rs: &RuleSet, text: &str, as_of: Date, pin: Option<&str>, lang: Lang, changes: bool) -> ExitCode {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row = match raw_from_json_text(line) {
            Err(e) => error_line(&EstimateError::Answers { errors: vec![e] }, lang),
            Ok(raw) => match estimate(rs, &Request { answers: &raw, as_of: Some(as_of), version: pin, lang, changes }) {
                Ok(est) => serde_json::to_string(&est).unwrap_or_default(),
                Err(e) => error_line(&e, lang),
            },
        };
        if writeln!(out, "{row}").is_err() {
            return ExitCode::from(1);
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn run_estimate(args: EstimateArgs) -> ExitCode {
    let EstimateArgs { rules, as_of, pin, answers, format, lang, jsonl, changes } = args;
    let lang = match parse_lang(&lang) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let as_of = match parse_as_of(as_of.as_deref(), lang) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let text = match answers.as_deref() {
        None => "{}".to_string(),
        Some("-") => {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                return bad_input(format!("--answers -: cannot read standard input: {e}"));
            }
            s
        }
        Some(f) => match std::fs::read_to_string(f) {
            Ok(s) => s,
            Err(e) => return bad_input(format!("--answers {f}: {e}")),
        },
    };
    if jsonl {
        return match load_rules(&rules) {
            Ok(rs) => run_jsonl(&rs, &text, as_of, pin.as_deref(), lang, changes),
            Err(e) => bad_input(e.0.first().map(|x| x.describe(lang)).unwrap_or_default()),
        };
    }
    let raw = match raw_from_json_text(&text) {
        Ok(r) => r,
        Err(e) => return bad_input(format!("{}: {}", e.field, e.message(lang))),
    };
    let rs = match load_rules(&rules) {
        Ok(rs) => rs,
        Err(e) => return bad_input(e.0.first().map(|x| x.describe(lang)).unwrap_or_default()),
    };
    let req = Request { answers: &raw, as_of: Some(as_of), version: pin.as_deref(), lang, changes };
    match estimate(&rs, &req) {
        Ok(est) => {
            match format {
                Format::Json => match serde_json::to_string_pretty(&est) {
                    Ok(s) => println!("{s}"),
                    Err(e) => return bad_input(e),
                },
                Format::Text => match rs.version(texts_version(&est)) {
                    Ok(v) => print!("{}", text_report(&est, v, lang)),
                    Err(e) => return bad_input(e.message(lang)),
                },
            }
            ExitCode::SUCCESS
        }
        Err(e) => bad_input(e.message(lang)),
    }
}

/// The version whose texts an estimate shows (the latest candidate while the version is not
/// decided).
fn texts_version<'a>(est: &'a Estimate<'_>) -> &'a str {
    est.version.or(est.version_candidates.last().copied()).unwrap_or_default()
}

fn parse_as_of(as_of: Option<&str>, lang: Lang) -> Result<Date, ExitCode> {
    match as_of.map(Date::parse).transpose() {
        Ok(d) => Ok(d.unwrap_or_else(Date::today)),
        Err(detail) if lang == Lang::En => Err(bad_input(format!("--as-of: {detail}"))),
        Err(detail) => Err(bad_input(EstimateError::BadAsOf { value: as_of.unwrap_or_default().to_string(), detail }.message(lang))),
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Check { paths, lang } => match parse_lang(&lang) {
            Ok(lang) => check(paths, lang),
            Err(code) => code,
        },
        Cmd::Test { paths, lang } => match parse_lang(&lang) {
            Ok(lang) => test(paths, lang),
            Err(code) => code,
        },
        Cmd::Estimate { rules, as_of, rules_version, answers, format, lang, jsonl, changes } => {
            run_estimate(EstimateArgs { rules, as_of, pin: rules_version, answers, format, lang, jsonl, changes })
        }
        Cmd::Batch { rules, input, output, as_of, summary, jobs } => {
            let as_of = match parse_as_of(as_of.as_deref(), Lang::En) {
                Ok(d) => d,
                Err(code) => return code,
            };
            let rs = match load_rules(&rules) {
                Ok(rs) => rs,
                Err(e) => return bad_input(e.0.first().map(ToString::to_string).unwrap_or_default()),
            };
            match crate::batch::run(crate::batch::BatchArgs {
                rules: &rs,
                input: &input,
                output: &output,
                as_of,
                summary,
                jobs: jobs.map_or_else(crate::batch::default_jobs, usize::from),
            }) {
                Ok(()) => ExitCode::SUCCESS,
                Err(m) => bad_input(m),
            }
        }
        Cmd::Diff { dir, version_a, version_b } => {
            let rs = match load_dir(&dir) {
                Ok(rs) => rs,
                Err(e) => {
                    print_errors(&e, Lang::En);
                    return ExitCode::from(1);
                }
            };
            let (a, b) = match (rs.version(&version_a), rs.version(&version_b)) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => return bad_input(e),
            };
            let lines = diff(a, b);
            println!("{} {} → {}", rs.id, a.version, b.version);
            if lines.is_empty() {
                println!("  no differences");
            }
            for l in lines {
                println!("  {l}");
            }
            ExitCode::SUCCESS
        }
        Cmd::Compile { dir, output } => {
            let (rs, files) = match read_dir(&dir) {
                Ok(x) => x,
                Err(e) => {
                    print_errors(&e, Lang::En);
                    return ExitCode::from(1);
                }
            };
            let json = bundle_json(&rs.id, &files);
            if let Err(e) = load_bundle(&output.display().to_string(), &json) {
                print_errors(&e, Lang::En);
                return ExitCode::from(1);
            }
            if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
                if let Err(e) = std::fs::create_dir_all(parent) {
                    return bad_input(format!("{}: {e}", parent.display()));
                }
            }
            match std::fs::write(&output, json) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => bad_input(format!("{}: {e}", output.display())),
            }
        }
    }
}
