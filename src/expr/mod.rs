//! The condition and formula language of rule files.
//!
//! A small, total expression language: it is parsed and type-checked against the questions,
//! named values, tables and programs when a rule file loads, and evaluated with three-valued
//! logic (an unanswered question is *unknown*, and `false and unknown` is `false`). Grammar,
//! lowest precedence first:
//!
//! ```text
//! expr    := or
//! or      := and ("or" and)*
//! and     := not ("and" not)*
//! not     := "not" not | compare
//! compare := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum)?
//!          | sum "not"? "in" "[" expr ("," expr)* "]"
//! sum     := product (("+" | "-") product)*
//! product := unary (("*" | "/") unary)*
//! unary   := "-" unary | primary
//! primary := NUMBER | STRING | "true" | "false" | "as_of" | IDENT
//!          | IDENT "(" expr ("," expr)* ")"        a function (see `functions.rs`)
//!          | IDENT "[" expr "]"                    a table looked up by an option
//!          | "if" expr "then" expr "else" expr | "(" expr ")"
//! ```
//! Numbers are exact decimals (`12500.00`), strings name enum options (`'postdoc'`), `IDENT`
//! is a question id or a named value, `as_of` is the date the estimate is made for. Types are
//! `bool`, `number`, `date`, `span` (a length of time: `years(2)`) and the option set of each
//! enum question; they never mix silently. Dates plus or minus spans are dates.

mod check;
mod compile;
mod eval;
mod functions;
mod parse;

pub use check::{check, Scope, SigType};
pub use compile::{compile, Code, Tri};
pub use eval::{eval, num, Consts, Env, EvalError, Programs, V};
pub use functions::{Func, Function, Param, FUNCTIONS};
pub use parse::{parse, ParseError};

use crate::date::Date;
use rust_decimal::Decimal;

/// Longest expression accepted, in bytes.
pub const MAX_LEN: usize = 4096;
/// Deepest nesting accepted (parentheses, operators, calls).
pub const MAX_DEPTH: usize = 64;

/// An expression node with its byte offset in the expression text.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the node is.
    pub kind: Kind,
    /// Byte offset of the node in the expression text.
    pub at: usize,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }

    /// Whether it compares.
    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
    }
}

/// Types of expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// A boolean.
    Bool,
    /// A decimal number.
    Num,
    /// A date.
    Date,
    /// A length of time.
    Span,
    /// An option of the enum question at this index.
    Enum(usize),
    /// A string literal not yet tied to a question.
    Text,
    /// A program (the argument of `amount` and `eligible`).
    Program,
}

/// Expression nodes. `Ident`, `Index` and `Str` exist only between parsing and checking: the
/// checker resolves them into questions, values, tables, programs and options.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A decimal literal.
    Num(Decimal),
    /// `true` / `false`.
    Bool(bool),
    /// A date literal (`date('2024-01-01')` after checking).
    Date(Date),
    /// A string literal, before it is resolved to an option.
    Str(String),
    /// A name, before it is resolved.
    Ident(String),
    /// `name[key]`, before it is resolved.
    Index(String, Box<Expr>),
    /// The answer to the question at this index.
    Question(usize),
    /// The date of the estimate.
    AsOf,
    /// An enum option: (question index, option index).
    Option(usize, usize),
    /// The named value at this index.
    Value(usize),
    /// The program at this index (an argument of `amount` or `eligible`).
    Program(usize),
    /// The table at this index, looked up by an option.
    Lookup(usize, Box<Expr>),
    /// `not e`
    Not(Box<Expr>),
    /// `-e`
    Neg(Box<Expr>),
    /// `a op b`
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// `e in [..]` (`negated` for `not in`).
    In {
        /// The tested value.
        value: Box<Expr>,
        /// The list.
        list: Vec<Expr>,
        /// `not in`.
        negated: bool,
    },
    /// A function of the registry and its arguments.
    Call(Func, Vec<Expr>),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Calls `f` on every node, depth first.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match &self.kind {
            Kind::Not(e) | Kind::Neg(e) | Kind::Index(_, e) | Kind::Lookup(_, e) => e.walk(f),
            Kind::Bin(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Kind::In { value, list, .. } => {
                value.walk(f);
                list.iter().for_each(|e| e.walk(f));
            }
            Kind::Call(_, v) => v.iter().for_each(|e| e.walk(f)),
            Kind::If(c, a, b) => {
                c.walk(f);
                a.walk(f);
                b.walk(f);
            }
            _ => {}
        }
    }

    /// The question indexes the expression reads, in order of first use.
    pub fn questions(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Kind::Question(q) = e.kind {
                if !out.contains(&q) {
                    out.push(q);
                }
            }
        });
        out
    }

    /// Where the expression first refers to program `p` (the byte offset of its `amount` or
    /// `eligible`).
    pub fn program_at(&self, p: usize) -> Option<usize> {
        let mut at = None;
        self.walk(&mut |e| {
            if matches!(e.kind, Kind::Program(q) if q == p) {
                at = Some(at.map_or(e.at, |a: usize| a.min(e.at)));
            }
        });
        at
    }

    /// The program indexes the expression refers to (through `amount` and `eligible`).
    pub fn programs(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Kind::Program(p) = e.kind {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        });
        out
    }

    /// Whether the expression reads no answer, no program and no date of the estimate, so it
    /// can be evaluated when the rule file loads.
    pub fn is_constant(&self) -> bool {
        let mut c = true;
        self.walk(&mut |n| {
            let reads = match &n.kind {
                Kind::Question(_) | Kind::AsOf | Kind::Str(_) | Kind::Ident(_) | Kind::Index(..) | Kind::Program(_) => true,
                Kind::Call(f, _) => f.def().reads_as_of,
                _ => false,
            };
            c &= !reads;
        });
        c
    }
}
