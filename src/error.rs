//! Errors as data. Ineligible is an outcome, not an error: errors are for bad rule files and
//! bad input.
//!
//! Every error has a stable `code` (snake_case, serialized as the `code` field) and its
//! arguments; its message in zh-CN or en is made from them here, in one place, for the CLI,
//! the wasm boundary and the page alike.
//!
//! * [`RuleError`] — a rule file or bundle is wrong: a [`Problem`] with the file, line and
//!   column (TOML) or the field path (JSON bundles).
//! * [`AnswerError`] — one answer is wrong: an [`AnswerProblem`] with the question id.
//! * [`EstimateError`] — why an estimate could not be made.

use crate::rules::Lang;
use serde::Serialize;
use std::fmt;

/// A list of ids or values in a message, joined with ", " (en) or "、" (zh-CN).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(transparent)]
pub struct List(pub Vec<String>);

impl List {
    fn join(&self, lang: Lang) -> String {
        self.0.join(match lang {
            Lang::En => ", ",
            Lang::Zh => "、",
        })
    }
}

impl<S: ToString> FromIterator<S> for List {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        List(iter.into_iter().map(|s| s.to_string()).collect())
    }
}

/// A period `FROM..TO` (TO exclusive, empty when open) as a person reads it: by the last day in
/// force ("2024-01-15 to 2029-01-14"), or "from FROM" when open.
pub(crate) fn period_in_words(p: &str, lang: Lang) -> String {
    let (from, to) = p.split_once("..").unwrap_or((p, ""));
    let last = crate::date::Date::parse(to).ok().and_then(|d| d.add_days(-1));
    match (last, lang) {
        (Some(l), Lang::Zh) => format!("{from} 至 {l}"),
        (Some(l), Lang::En) => format!("{from} to {l}"),
        (None, Lang::Zh) => format!("{from} 起"),
        (None, Lang::En) => format!("from {from}"),
    }
}

fn periods_in_words(periods: &List, lang: Lang) -> String {
    periods.0.iter().map(|p| period_in_words(p, lang)).collect::<List>().join(lang)
}

/// Shortens a value quoted in a message, on a character boundary.
pub(crate) fn short(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max_chars).collect();
        t.push('…');
        t
    }
}

/// Declares [`Problem`]: each variant with its fields and its message in en and zh-CN. The
/// messages name the fields they use, so a variant, its arguments and its two messages are
/// one line of the table below.
macro_rules! problems {
    ($( $(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? } => $en:literal, $zh:literal; )*) => {
        /// What is wrong in a rule file.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
        #[serde(tag = "code", rename_all = "snake_case")]
        #[non_exhaustive]
        #[allow(missing_docs)]
        pub enum Problem {
            $( $(#[$doc])* $name { $($field: $ty),* }, )*
        }

        impl Problem {
            /// The message in `lang`.
            #[allow(unused_variables)]
            pub fn message(&self, lang: Lang) -> String {
                match self {
                    $( Problem::$name { $($field),* } => {
                        $( let $field = Arg::show($field, lang); )*
                        match lang {
                            Lang::En => format!($en),
                            Lang::Zh => format!($zh),
                        }
                    } )*
                }
            }
        }
    };
}

/// How an argument shows in a message.
trait Arg {
    fn show(&self, lang: Lang) -> String;
}

impl Arg for String {
    fn show(&self, _: Lang) -> String {
        self.clone()
    }
}

impl Arg for List {
    fn show(&self, lang: Lang) -> String {
        self.join(lang)
    }
}

impl Arg for i64 {
    fn show(&self, _: Lang) -> String {
        self.to_string()
    }
}

impl Arg for Option<String> {
    fn show(&self, lang: Lang) -> String {
        // a "did you mean" hint, or nothing
        match (self, lang) {
            (Some(s), Lang::En) => format!("; did you mean '{s}'?"),
            (Some(s), Lang::Zh) => format!("；是否应为 '{s}'？"),
            (None, _) => String::new(),
        }
    }
}

problems! {
    // ---- the file as a document
    /// The TOML text does not parse.
    TomlSyntax { detail: String } => "TOML syntax: {detail}", "TOML 语法错误：{detail}";
    /// The JSON bundle does not parse.
    JsonSyntax { detail: String } => "not a valid JSON bundle: {detail}", "不是有效的 JSON 规则包：{detail}";
    /// The file cannot be read.
    CannotRead { detail: String } => "cannot read: {detail}", "无法读取：{detail}";
    /// A key the format does not have.
    UnknownKey { key: String, table: String, suggestion: Option<String>, allowed: List } =>
        "unknown key '{key}' in {table}{suggestion}; allowed keys are {allowed}",
        "{table} 中有未知的键 '{key}'{suggestion}；可用的键为 {allowed}";
    /// A required key is missing.
    MissingKey { key: String, table: String } => "missing key '{key}' in {table}", "{table} 缺少键 '{key}'";
    /// A value of the wrong kind (a string where a table is needed, …).
    WrongType { key: String, found: String, expected: String } => "'{key}' must be {expected}, not {found}", "'{key}' 应为{expected}，而不是{found}";
    /// Another problem with the shape of the document.
    Invalid { detail: String } => "{detail}", "{detail}";
    /// The file is of another format version.
    Format { found: String } => "this engine reads rule files of format 1, not {found}", "本引擎读取格式 1 的规则文件，而不是 {found}";
    /// A text that must not be blank.
    Empty { key: String } => "'{key}' is empty", "'{key}' 为空";
    /// Not a valid id.
    BadId { value: String } =>
        "\"{value}\" is not a valid id: use lowercase letters, digits, '_' or '-' (at most 64)",
        "\"{value}\" 不是有效的 id：只能使用小写字母、数字、'_' 或 '-'（最多 64 个）";
    /// Not an ISO 4217 code.
    BadCurrency { value: String } => "\"{value}\" is not an ISO 4217 code like \"CNY\"", "\"{value}\" 不是 ISO 4217 货币代码（如 \"CNY\"）";
    /// A date that is not a calendar day.
    BadDate { value: String, detail: String } => "{detail}", "日期 {value} 无效：{detail}";
    /// A decimal that is not exact decimal text.
    BadDecimal { value: String, detail: String } => "{detail}", "数值 {value} 无效：{detail}";
    /// An amount written as a float.
    FloatAmount { written: String, hint: String } =>
        "{written} is a float; write amounts as decimal strings like \"{hint}\" so they stay exact",
        "{written} 是浮点数；金额请写成带引号的小数字符串，如 \"{hint}\"，以保持精确";
    /// An amount written as a bare integer.
    IntegerAmount { hint: String } => "write amounts as decimal strings like \"{hint}\"", "金额请写成带引号的小数字符串，如 \"{hint}\"";
    /// A number outside its allowed range.
    OutOfRange { key: String, value: i64, min: i64, max: i64 } => "'{key}' is {value}; it must be from {min} to {max}", "'{key}' 为 {value}，应在 {min} 到 {max} 之间";
    /// An unknown rounding mode.
    UnknownRounding { value: String, allowed: List } => "unknown rounding \"{value}\"; use one of {allowed}", "未知的舍入方式 \"{value}\"；可用 {allowed}";
    /// A link that is not http(s).
    BadUrl { value: String } => "url must start with https:// or http://", "链接必须以 https:// 或 http:// 开头";
    /// A source date that is neither a day nor a month.
    BadSourceDate { value: String } => "\"{value}\" is not a date (YYYY-MM-DD or YYYY-MM)", "\"{value}\" 不是日期（YYYY-MM-DD 或 YYYY-MM）";
    /// The end of a period is not after its start.
    BadPeriod { from: String, to: String } => "effective_to {to} must be after effective_from {from}", "effective_to {to} 必须晚于 effective_from {from}";
    // ---- ids and references
    /// An id declared twice.
    Duplicate { what: String, id: String } => "{what} id '{id}' is declared twice", "{what} id '{id}' 重复声明";
    /// References between programs deeper than the engine takes.
    ChainTooDeep { path: List, max: i64 } =>
        "programs refer to one another more than {max} deep: {path}",
        "项目之间的引用超过 {max} 层：{path}";
    /// An exclusive group larger than the engine takes.
    GroupTooLarge { group: String, count: i64, max: i64 } =>
        "exclusive group '{group}' has {count} programs; at most {max} are allowed",
        "互斥组 '{group}' 有 {count} 个项目，最多允许 {max} 个";
    /// A list longer than the engine takes.
    TooMany { list: String, count: i64, max: i64 } => "'{list}' has {count} entries; at most {max} are allowed", "'{list}' 有 {count} 项，最多允许 {max} 项";
    /// An id the engine keeps for itself.
    Reserved { id: String } => "'{id}' is a reserved name; choose another id", "'{id}' 是保留名称，请换一个 id";
    /// A source id that is not declared.
    UnknownSource { id: String } => "unknown source '{id}'; declare it under [[sources]]", "未知的来源 '{id}'；请在 [[sources]] 中声明";
    /// A payer id that is not declared.
    UnknownPayer { id: String } => "unknown payer '{id}'; declare it under [[payers]]", "未知的付款方 '{id}'；请在 [[payers]] 中声明";
    /// A schedule row paid by a payer the program does not list.
    PayerNotInProgram { id: String } => "payer '{id}' is not in the program's payers", "付款方 '{id}' 不在该项目的 payers 中";
    /// A question id that is not declared (versions_by).
    UnknownQuestionId { id: String } => "unknown question '{id}'", "未知的问题 '{id}'";
    // ---- questions
    /// Integer and decimal questions need bounds.
    NeedsBounds {} =>
        "integer and decimal questions need both min and max (they bound answers and ranges)",
        "整数和小数问题必须同时给出 min 和 max（用于校验答案和计算范围）";
    /// An enum question without options.
    NeedsOptions {} => "an enum question needs options", "枚举问题需要 options";
    /// Options on a question that is not an enum.
    OptionsOnlyForEnum {} => "only enum questions have options", "只有枚举问题可以有 options";
    /// min/max on a question type that has no order.
    BoundNotApplicable { key: String } => "'{key}' applies only to integer, decimal and date questions", "'{key}' 只适用于整数、小数和日期问题";
    /// A bound of the wrong kind.
    BadBound { key: String, expected: String } => "'{key}' must be {expected}", "'{key}' 应为{expected}";
    /// min above max.
    MinAboveMax { min: String, max: String } => "min {min} is greater than max {max}", "min {min} 大于 max {max}";
    /// versions_by names a question that is not a date question.
    VersionsByNotDate { id: String } => "versions_by must name a date question; '{id}' is not one", "versions_by 必须是日期问题；'{id}' 不是";
    // ---- programs
    /// An unknown question type.
    UnknownType { value: String } => "unknown type \"{value}\"; use bool, integer, decimal, date or enum", "未知的类型 \"{value}\"；可用 bool、integer、decimal、date 或 enum";
    /// An unknown program kind.
    UnknownKind { value: String } =>
        "unknown kind \"{value}\"; use cash, cash_unpublished, in_kind or service",
        "未知的项目类型 \"{value}\"；可用 cash、cash_unpublished、in_kind 或 service";
    /// A cash program without an amount.
    CashNeedsAmount {} => "a cash program needs an [amount] with a formula", "现金项目需要带 formula 的 [amount]";
    /// A cash program without a payer.
    CashNeedsPayer {} => "a cash program needs at least one payer", "现金项目至少需要一个付款方";
    /// A key that only cash programs have.
    OnlyCash { key: String, kind: String } =>
        "only cash programs have '{key}' ({kind} programs pay no computed amount)",
        "只有现金项目可以有 '{key}'（{kind} 项目没有计算金额）";
    /// Both a schedule table and schedule rows, or neither form complete.
    ScheduleForm { detail: String } => "{detail}", "{detail}";
    /// Programs that refer to each other in a circle.
    ProgramCycle { path: List } => "programs refer to each other in a circle: {path}", "项目之间循环引用：{path}";
    // ---- expressions
    /// A number with an exponent or a suffix.
    NumberSuffix {} => "numbers are plain decimals like 12500.00 (no exponent or suffix)", "数字须为普通小数，如 12500.00（不能有指数或后缀）";
    /// A string without its closing quote.
    UnclosedString {} => "this string is not closed", "字符串缺少结束引号";
    /// `=` where `==` is meant.
    UseDoubleEquals {} => "use == to compare", "比较请用 ==";
    /// `&&`, `||` or `!`.
    UseWords {} => "write the words and, or, not", "请写单词 and、or、not";
    /// A character the language does not have.
    UnexpectedChar { ch: String } => "unexpected character {ch}", "意外的字符 {ch}";
    /// Something else where a token was expected.
    Expected { wanted: String, found: String } => "expected {wanted}, found {found}", "此处应为 {wanted}，实际为 {found}";
    /// Nesting beyond the limit.
    TooDeep { max: i64 } => "expression nested deeper than {max} levels", "表达式嵌套超过 {max} 层";
    /// An expression beyond the length limit.
    TooLong { max: i64 } => "expression longer than {max} bytes", "表达式超过 {max} 字节";
    /// Nothing to parse.
    EmptyExpression {} => "empty expression", "表达式为空";
    /// `a < b < c`.
    ChainedComparison {} => "comparisons do not chain; join them with and", "比较不能连写；请用 and 连接";
    /// A name that is neither a question, a value, a table nor a program.
    UnknownName { name: String } => "unknown question '{name}'", "未知的问题 '{name}'";
    /// A program id that is not declared.
    UnknownProgram { name: String, known: List } => "unknown program '{name}'; the programs are {known}", "未知的项目 '{name}'；项目为 {known}";
    /// An ask_when that reads a later question.
    AskedLater { name: String } =>
        "'{name}' is asked later; a question's ask_when may only use questions declared before it",
        "'{name}' 在后面才问；问题的 ask_when 只能使用在它之前声明的问题";
    /// A string that is not an option of the question it is compared with.
    NotAnOption { value: String, question: String, options: List } =>
        "'{value}' is not an option of {question}; the options are {options}",
        "'{value}' 不是 {question} 的选项；选项为 {options}";
    /// An operator given an operand of the wrong type.
    Needs { op: String, want: String, found: String } => "'{op}' needs {want}, but this is {found}", "'{op}' 需要{want}，但这里是{found}";
    /// An operator given two operands of different types.
    Mixes { op: String, a: String, b: String } => "'{op}' mixes {a} and {b}", "'{op}' 混用了{a}和{b}";
    /// Lengths of time compared (`years(1) == months(12)`).
    SpanCompared { op: String } => "lengths of time cannot be compared with '{op}'; compare the dates they lead to, such as as_of <= graduated_on + years(2)", "时长不能用 '{op}' 比较；请比较推移后的日期，例如 as_of <= graduated_on + years(2)";
    /// A number added to or subtracted from a date.
    DatePlusNumber { op: String } => "'{op}' mixes a date and a number; write the length as years(n), months(n) or days(n)", "'{op}' 混用了日期和数字；时长请写作 years(n)、months(n) 或 days(n)";
    /// An ordering of values that have no order.
    Orders { op: String, found: String } => "'{op}' orders numbers or dates, not {found}", "'{op}' 只能比较数字或日期，不能比较{found}";
    /// `'x' in [...]` without a question before `in`.
    InNeedsValue {} => "put a question before 'in', such as applicant_type in ['postdoc']", "'in' 前面应为问题，如 applicant_type in ['postdoc']";
    /// A list item of another type than the tested value.
    ListType { item: String, value: String } => "the list holds {item}, but the value is {value}", "列表中是{item}，但被检验的值是{value}";
    /// Two strings compared with each other.
    TwoStrings {} => "compare a question with an option, not two strings", "请用问题和选项比较，而不是两个字符串";
    /// An if whose branches give plain strings.
    IfGivesString {} => "an if must give numbers, dates, booleans or options of a question", "if 的结果必须是数字、日期、布尔值或问题的选项";
    /// A function the language does not have.
    UnknownFunction { name: String, known: List } => "unknown function '{name}'; the functions are {known}", "未知的函数 '{name}'；可用函数为 {known}";
    /// A function called with the wrong number of arguments.
    Arity { name: String, expected: String, found: i64 } =>
        "{name}() takes {expected} argument(s), not {found}",
        "{name}() 需要 {expected} 个参数，而不是 {found} 个";
    /// A function given an argument of the wrong type.
    ArgType { name: String, want: String, found: String } => "{name}() takes {want}, not {found}", "{name}() 需要{want}，而不是{found}";
    /// Arguments of one function that must share a type and do not.
    ArgsMixed { name: String, a: String, b: String } => "{name}() needs one type, but got {a} and {b}", "{name}() 的参数须为同一类型，但得到{a}和{b}";
    /// A function argument that must be written as a literal.
    NeedsLiteral { name: String, want: String } => "{name}() takes {want} written in the rule file", "{name}() 需要在规则文件中直接写出的{want}";
    /// A table looked up with an option of another question.
    TableKey { table: String, expected: String, found: String } =>
        "table '{table}' is keyed by {expected}, not {found}",
        "表 '{table}' 以{expected}为键，而不是{found}";
    /// A table whose key is a question without options.
    TableKeyNotEnum { table: String, id: String } =>
        "table '{table}' must be keyed by an enum question; '{id}' is not one",
        "表 '{table}' 的键必须是选项问题；'{id}' 不是";
    /// `amount()` or `eligible()` where no program may be named (a question's ask_when).
    ProgramNotHere { name: String } =>
        "{name}() cannot be used in a question's ask_when: whether a question is asked depends on answers only",
        "问题的 ask_when 不能使用 {name}()：是否提问只取决于回答";
    /// A table that misses some options of its key question.
    TableIncomplete { table: String, missing: List } =>
        "table '{table}' has no entry for {missing}; give every option a value",
        "表 '{table}' 缺少 {missing} 的值；每个选项都需要一个值";
    /// The expression gives another type than the place needs.
    ResultType { found: String, expected: String } =>
        "this expression gives {found}, but {expected} is needed here",
        "此表达式的结果是{found}，但此处需要{expected}";
    // ---- a rule set as a whole
    /// A rule set without versions.
    NoVersionFiles {} => "no version files (*.toml) in this folder", "此文件夹中没有版本文件（*.toml）";
    /// A version file named after another version.
    FileName { version: String, stem: String } =>
        "version is \"{version}\" but the file is named {stem}.toml; name each file after its version",
        "版本为 \"{version}\"，但文件名为 {stem}.toml；请按版本命名文件";
    /// A rule set in a folder named after another id.
    FolderName { rule_set: String, folder: String } =>
        "rule_set is \"{rule_set}\" but the folder is {folder}/; keep each rule set in a folder named by its id",
        "rule_set 为 \"{rule_set}\"，但文件夹为 {folder}/；请按规则集 id 命名文件夹";
    /// Versions of one rule set that name different rule sets.
    RuleSetMismatch { found: String, expected: String } =>
        "rule_set is \"{found}\" but other files of this rule set say \"{expected}\"",
        "rule_set 为 \"{found}\"，但同一规则集的其他文件为 \"{expected}\"";
    /// A version declared twice.
    DuplicateVersion { version: String, other: String } => "version \"{version}\" is declared twice (also in {other})", "版本 \"{version}\" 重复声明（另见 {other}）";
    /// A version that starts while an open-ended one is still in force.
    OverlapOpen { other: String, period: String, end: String } =>
        "overlaps version {other} ({period}), which has no effective_to; end it on {end}",
        "与版本 {other}（{period}）重叠，该版本没有 effective_to；请将其结束于 {end}";
    /// Two versions in force on the same days.
    Overlap { other: String, period: String, start: String } =>
        "overlaps version {other} ({period}): this version starts on {start} before that one ends",
        "与版本 {other}（{period}）重叠：本版本于 {start} 开始，早于该版本结束";
    /// Days between two versions when none is in force.
    Gap { other: String, period: String, from: String, to: String } =>
        "gap after version {other} ({period}): no version is in force from {from} to {to}",
        "版本 {other}（{period}）之后有空档：{from} 至 {to} 没有有效版本";
    /// Versions of one rule set that disagree on versions_by.
    VersionsByMismatch {} => "every version of a rule set must name the same versions_by", "同一规则集的所有版本必须使用相同的 versions_by";
    /// A bundle of another format.
    BundleFormat { found: String, expected: String } =>
        "format is {found}; this engine reads \"{expected}\" (rebuild the bundle with `subsidy-calc compile`)",
        "格式为 {found}；本引擎读取 \"{expected}\"（请用 `subsidy-calc compile` 重新生成规则包）";
    /// A bundle whose rule_set does not match its versions.
    BundleRuleSet { expected: String } => "rule_set does not match the versions' rule_set \"{expected}\"", "rule_set 与各版本的 rule_set \"{expected}\" 不一致";
    /// A test file problem (rule-set tests).
    TestFile { detail: String } => "{detail}", "{detail}";
}

/// One problem in a rule file, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleError {
    /// The file (or bundle) the problem is in.
    pub file: String,
    /// 1-based line, when the source has lines (TOML files).
    pub line: Option<u32>,
    /// 1-based column in characters.
    pub column: Option<u32>,
    /// The field path, such as `programs[2].amount.formula`.
    pub field: String,
    /// What is wrong: `code` and its arguments.
    #[serde(flatten)]
    pub problem: Problem,
}

impl RuleError {
    /// A problem of a whole file (no field, no position).
    pub fn file(file: &str, problem: Problem) -> RuleError {
        RuleError { file: file.to_string(), line: None, column: None, field: String::new(), problem }
    }

    /// The problem's message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        self.problem.message(lang)
    }

    /// `file:line:col: message`, or `file: field: message` without a position.
    pub fn describe(&self, lang: Lang) -> String {
        let m = self.message(lang);
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: {m}", self.file),
            _ if self.field.is_empty() => format!("{}: {m}", self.file),
            _ => format!("{}: {}: {m}", self.file, self.field),
        }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

/// All problems found in one load; a rule set with any of them is not loaded at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RuleErrors(pub Vec<RuleError>);

impl RuleErrors {
    /// One problem of a whole file.
    pub fn one(file: &str, problem: Problem) -> RuleErrors {
        RuleErrors(vec![RuleError::file(file, problem)])
    }

    /// Each problem on its own line, in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        self.0.iter().map(|e| e.describe(lang)).collect::<Vec<_>>().join("\n")
    }
}

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

impl std::error::Error for RuleErrors {}

/// What a raw answer was, for messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Found {
    Null,
    Bool(bool),
    Integer(i64),
    Fraction,
    NotANumber,
    Infinite,
    Text(String),
    Array,
    Object,
    /// A value that could not be read at all (a number beyond any range, nesting too deep).
    Unreadable(String),
}

impl Found {
    fn show(&self, lang: Lang) -> String {
        match (self, lang) {
            (Found::Null, _) => "null".into(),
            (Found::Bool(b), _) => b.to_string(),
            (Found::Integer(i), Lang::En) => format!("the number {i}"),
            (Found::Integer(i), Lang::Zh) => format!("数字 {i}"),
            (Found::Fraction, Lang::En) => "a number with a fraction".into(),
            (Found::Fraction, Lang::Zh) => "带小数的数字".into(),
            (Found::NotANumber, _) => "NaN".into(),
            (Found::Infinite, Lang::En) => "an infinite number".into(),
            (Found::Infinite, Lang::Zh) => "无穷大的数".into(),
            (Found::Text(s), Lang::En) => format!("the text {:?}", short(s, 30)),
            (Found::Text(s), Lang::Zh) => format!("文字 {:?}", short(s, 30)),
            (Found::Array, Lang::En) => "an array".into(),
            (Found::Array, Lang::Zh) => "数组".into(),
            (Found::Object, Lang::En) => "an object".into(),
            (Found::Object, Lang::Zh) => "对象".into(),
            (Found::Unreadable(m), Lang::En) => format!("a value that cannot be read ({m})"),
            (Found::Unreadable(m), Lang::Zh) => format!("无法读取的值（{m}）"),
        }
    }
}

/// What an answer should be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Expected {
    Bool,
    WholeNumber,
    DecimalString,
    DecimalNotNumber,
    Date,
}

impl Expected {
    fn show(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Expected::Bool, Lang::En) => "true or false",
            (Expected::Bool, Lang::Zh) => "“是”或“否”",
            (Expected::WholeNumber, Lang::En) => "a whole number",
            (Expected::WholeNumber, Lang::Zh) => "整数",
            (Expected::DecimalString, Lang::En) => "a decimal string such as \"1234.50\"",
            (Expected::DecimalString, Lang::Zh) => "数字（如 1234.50）",
            (Expected::DecimalNotNumber, Lang::En) => "a decimal written as a string, such as \"1234.50\" (numbers lose precision)",
            (Expected::DecimalNotNumber, Lang::Zh) => "以字符串书写的数字，如 \"1234.50\"（数值类型会丢失精度）",
            (Expected::Date, Lang::En) => "a date \"YYYY-MM-DD\"",
            (Expected::Date, Lang::Zh) => "日期（年-月-日）",
        }
    }
}

/// What is wrong with one answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum AnswerProblem {
    /// An answer to a question the version does not ask.
    UnknownQuestion { version: String, questions: List },
    /// The same question answered twice.
    AnsweredTwice {},
    /// A value of the wrong kind.
    WrongType { expected: Expected, found: Found },
    /// Not one of the options.
    NotAnOption { value: String, options: List },
    /// Not an option id at all.
    ExpectedOption { options: List, found: Found },
    /// Outside the question's bounds (`min`/`max` as written, either may be absent).
    OutOfRange { value: String, min: Option<String>, max: Option<String> },
    /// A date that is not a calendar day, or text that is not a date.
    BadDate { value: String, detail: String },
    /// Text that is not an exact decimal.
    BadDecimal { value: String, detail: String },
    /// The answers are not an object.
    NotAnObject {},
    /// More answers than any version has questions.
    TooManyAnswers { count: i64, max: i64 },
    /// The answers are not valid JSON.
    NotJson { detail: String },
}

impl AnswerProblem {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        use AnswerProblem as P;
        match (self, lang) {
            (P::UnknownQuestion { version, questions }, Lang::En) => {
                format!("unknown question; the questions of version {version} are {}", questions.join(lang))
            }
            (P::UnknownQuestion { version, questions }, Lang::Zh) => {
                format!("未知的问题；版本 {version} 的问题为 {}", questions.join(lang))
            }
            (P::AnsweredTwice {}, Lang::En) => "answered twice".into(),
            (P::AnsweredTwice {}, Lang::Zh) => "重复回答".into(),
            (P::WrongType { expected, found }, Lang::En) => format!("expected {}, got {}", expected.show(lang), found.show(lang)),
            (P::WrongType { expected, found }, Lang::Zh) => format!("应为{}，实际为{}", expected.show(lang), found.show(lang)),
            (P::NotAnOption { value, options }, Lang::En) => {
                format!("{:?} is not an option; the options are {}", short(value, 30), options.join(lang))
            }
            (P::NotAnOption { value, options }, Lang::Zh) => format!("{:?} 不是可选项；可选项为 {}", short(value, 30), options.join(lang)),
            (P::ExpectedOption { options, found }, Lang::En) => format!("expected one of {}, got {}", options.join(lang), found.show(lang)),
            (P::ExpectedOption { options, found }, Lang::Zh) => format!("应为 {} 之一，实际为{}", options.join(lang), found.show(lang)),
            (P::OutOfRange { value, min, max }, Lang::En) => match (min, max) {
                (Some(a), Some(z)) => format!("{value} is out of range: it must be from {a} to {z}"),
                (Some(a), None) => format!("{value} is out of range: it must be at least {a}"),
                (None, Some(z)) => format!("{value} is out of range: it must be at most {z}"),
                (None, None) => format!("{value} is out of range"),
            },
            (P::OutOfRange { value, min, max }, Lang::Zh) => match (min, max) {
                (Some(a), Some(z)) => format!("{value} 超出范围：应在 {a} 到 {z} 之间"),
                (Some(a), None) => format!("{value} 超出范围：应不小于 {a}"),
                (None, Some(z)) => format!("{value} 超出范围：应不大于 {z}"),
                (None, None) => format!("{value} 超出范围"),
            },
            (P::BadDate { detail, .. }, Lang::En) => detail.clone(),
            (P::BadDate { value, .. }, Lang::Zh) => format!("{:?} 不是有效日期（年-月-日）", short(value, 30)),
            (P::BadDecimal { detail, .. }, Lang::En) => detail.clone(),
            (P::BadDecimal { value, .. }, Lang::Zh) => format!("{:?} 不是有效数字（如 12500.00）", short(value, 30)),
            (P::NotAnObject {}, Lang::En) => "answers must be a JSON object {\"question_id\": value}".into(),
            (P::NotAnObject {}, Lang::Zh) => "答案必须是对象 {\"问题id\": 值}".into(),
            (P::TooManyAnswers { count, max }, Lang::En) => format!("{count} answers; a rule set has at most {max} questions"),
            (P::TooManyAnswers { count, max }, Lang::Zh) => format!("共 {count} 个答案；规则集最多有 {max} 个问题"),
            (P::NotJson { detail }, Lang::En) => format!("not valid JSON: {detail}"),
            (P::NotJson { detail }, Lang::Zh) => format!("不是有效的 JSON：{detail}"),
        }
    }
}

/// One answer that does not fit its question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnswerError {
    /// The question id (or the unknown key) the problem is in.
    pub field: String,
    /// What is wrong: `code` and its arguments.
    #[serde(flatten)]
    pub problem: AnswerProblem,
}

impl AnswerError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        self.problem.message(lang)
    }
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message(Lang::En))
    }
}

/// Why an estimate could not be made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EstimateError {
    /// No version of the rule set is in force on the date.
    NoVersion {
        /// The date asked for.
        as_of: String,
        /// The periods the versions cover, as `FROM..TO` (TO exclusive, empty when open).
        covered: List,
    },
    /// A version was pinned that the rule set does not have.
    UnknownVersion {
        /// The version asked for.
        version: String,
        /// The versions there are.
        known: List,
    },
    /// Some answers do not fit their questions; every one is listed.
    Answers {
        /// Each bad answer.
        errors: Vec<AnswerError>,
    },
    /// The date of the estimate is not a date.
    BadAsOf {
        /// As given.
        value: String,
        /// Why.
        detail: String,
    },
    /// A language the engine does not speak.
    BadLang {
        /// As given.
        value: String,
    },
    /// An argument of the JS API is not of its type (a string where text is asked for).
    BadArgument {
        /// The argument, as the API names it.
        field: String,
        /// What it must be: `string`, `boolean`, `object` or `form`.
        expected: String,
        /// What it is instead: its JS `typeof`, or `array`.
        found: String,
    },
    /// Arithmetic overflowed or divided by zero while evaluating a formula.
    Arithmetic {
        /// The program whose formula failed.
        program: String,
        /// What failed.
        detail: String,
    },
    /// A program's schedule does not add up to its amount for these answers (a rule-file bug).
    ScheduleMismatch {
        /// The program.
        program: String,
        /// The amount.
        amount: String,
        /// The sum of the schedule rows.
        schedule_sum: String,
    },
}

impl EstimateError {
    /// The category the CLI and the page act on: `no_version`, `unknown_version`, `answer`,
    /// `input`, `arithmetic` or `schedule_mismatch`.
    pub fn kind(&self) -> &'static str {
        match self {
            EstimateError::NoVersion { .. } => "no_version",
            EstimateError::UnknownVersion { .. } => "unknown_version",
            EstimateError::Answers { .. } => "answer",
            EstimateError::BadAsOf { .. } | EstimateError::BadLang { .. } | EstimateError::BadArgument { .. } => "input",
            EstimateError::Arithmetic { .. } => "arithmetic",
            EstimateError::ScheduleMismatch { .. } => "schedule_mismatch",
        }
    }

    /// The first field at fault, when the error is about input.
    pub fn field(&self) -> Option<&str> {
        match self {
            EstimateError::Answers { errors } => errors.first().map(|e| e.field.as_str()),
            EstimateError::BadAsOf { .. } => Some("as_of"),
            EstimateError::BadLang { .. } => Some("lang"),
            EstimateError::BadArgument { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        use EstimateError as E;
        let zh = lang == Lang::Zh;
        match self {
            E::NoVersion { as_of, covered } if zh => {
                format!("{as_of} 没有有效的政策版本；本规则集施行期间为 {}", periods_in_words(covered, lang))
            }
            E::NoVersion { as_of, covered } => format!(
                "no version is in force on {as_of}; the rule set is in force {}",
                if covered.0.is_empty() { "in no period".to_string() } else { periods_in_words(covered, lang) }
            ),
            E::UnknownVersion { version, known } if zh => format!("没有版本 {version:?}；现有版本为 {}", known.join(lang)),
            E::UnknownVersion { version, known } => format!("there is no version {version:?}; the versions are {}", known.join(lang)),
            E::Answers { errors } => {
                let sep = if zh { "；" } else { "; " };
                errors.iter().map(|e| format!("{}: {}", e.field, e.message(lang))).collect::<Vec<_>>().join(sep)
            }
            E::BadAsOf { value, .. } if zh => format!("估算日期 {:?} 无效，应为 年-月-日", short(value, 30)),
            E::BadAsOf { detail, .. } => format!("as_of: {detail}"),
            E::BadLang { value } if zh => format!("未知的语言 {:?}；可用 zh-CN 或 en", short(value, 30)),
            E::BadLang { value } => format!("unknown language {:?}; use zh-CN or en", short(value, 30)),
            E::BadArgument { field, expected, found } if zh => {
                format!("{field} 应为{}，而不是{}", js_type(expected, lang), js_type(found, lang))
            }
            E::BadArgument { field, expected, found } => {
                format!("{field} must be {}, not {}", js_type(expected, lang), js_type(found, lang))
            }
            E::Arithmetic { program, detail } if zh => format!("项目 {program} 计算出错：{detail}"),
            E::Arithmetic { program, detail } => format!("program {program}: {detail}"),
            E::ScheduleMismatch { program, amount, schedule_sum } if zh => {
                format!("项目 {program}：发放计划合计 {schedule_sum}，但金额为 {amount}（规则文件错误）")
            }
            E::ScheduleMismatch { program, amount, schedule_sum } => {
                format!("program {program}: the schedule adds up to {schedule_sum} but the amount is {amount} (rule file error)")
            }
        }
    }
}

/// A JS value's kind (`typeof`, `array` or `form`) in words.
fn js_type(kind: &str, lang: Lang) -> String {
    let (zh, en) = match kind {
        "string" => ("字符串", "a string"),
        "form" => ("表单元素（form）", "a form element"),
        "number" => ("数字", "a number"),
        "boolean" => ("布尔值（true 或 false）", "a boolean (true or false)"),
        "object" => ("对象", "an object"),
        "array" => ("数组", "an array"),
        "bigint" => ("大整数", "a bigint"),
        "function" => ("函数", "a function"),
        "symbol" => ("符号", "a symbol"),
        "undefined" => ("undefined", "undefined"),
        other => return short(other, 20),
    };
    if lang == Lang::Zh { zh } else { en }.to_string()
}

impl fmt::Display for EstimateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for EstimateError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message names its arguments: no `{` left unformatted, none empty, and the two
    /// languages differ where the text is not only an argument.
    #[test]
    fn messages_fill_their_arguments() {
        let p = Problem::UnknownKey {
            key: "amout".into(),
            table: "programs[0].amount".into(),
            suggestion: Some("amount".into()),
            allowed: List(vec!["formula".into(), "cap".into()]),
        };
        assert_eq!(p.message(Lang::En), "unknown key 'amout' in programs[0].amount; did you mean 'amount'?; allowed keys are formula, cap");
        assert_eq!(p.message(Lang::Zh), "programs[0].amount 中有未知的键 'amout'；是否应为 'amount'？；可用的键为 formula、cap");
        let json = serde_json::to_value(&p).unwrap_or_default();
        assert_eq!(json["code"], "unknown_key");
        assert_eq!(json["allowed"][1], "cap");
        let e = AnswerError { field: "months".into(), problem: AnswerProblem::AnsweredTwice {} };
        assert_eq!(serde_json::to_string(&e).unwrap_or_default(), r#"{"field":"months","code":"answered_twice"}"#);
    }
}
