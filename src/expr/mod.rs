//! The condition and formula language of rule files.
//!
//! A small, total expression language: it is parsed and type-checked against the questions
//! when a rule file loads, and evaluated with three-valued logic (an unanswered question is
//! *unknown*, and `false and unknown` is `false`). Grammar, lowest precedence first:
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
//! primary := NUMBER | STRING | "true" | "false" | IDENT | "as_of"
//!          | "date" "(" STRING ")" | ("min" | "max") "(" expr ("," expr)* ")"
//!          | "if" expr "then" expr "else" expr | "(" expr ")"
//! ```
//! Numbers are exact decimals (`12500.00`), strings name enum options (`'postdoc'`), `IDENT`
//! is a question id, `as_of` is the date the estimate is made for. Types are `bool`,
//! `number`, `date` and the option set of each enum question; they never mix silently.

mod check;
mod compile;
mod eval;
mod parse;

pub use check::{check, QuestionSig, Scope, SigType, Ty};
pub use compile::{compile, Code, Tri};
pub use eval::{eval, num, Env, EvalError, V};
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
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `and`
    And,
    /// `or`
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
}

/// Expression nodes. `Ident` and `Str` exist only between parsing and checking: the checker
/// resolves them into `Question`, `AsOf` and `Option`.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A decimal literal.
    Num(Decimal),
    /// `true` / `false`.
    Bool(bool),
    /// `date("YYYY-MM-DD")`.
    Date(Date),
    /// A string literal, before it is resolved to an option.
    Str(String),
    /// A name, before it is resolved.
    Ident(String),
    /// The answer to the question at this index.
    Question(usize),
    /// The date of the estimate.
    AsOf,
    /// An enum option: (question index, option index).
    Option(usize, usize),
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
    /// `min(..)`
    Min(Vec<Expr>),
    /// `max(..)`
    Max(Vec<Expr>),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Calls `f` on every node, depth first.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match &self.kind {
            Kind::Not(e) | Kind::Neg(e) => e.walk(f),
            Kind::Bin(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Kind::In { value, list, .. } => {
                value.walk(f);
                list.iter().for_each(|e| e.walk(f));
            }
            Kind::Min(v) | Kind::Max(v) => v.iter().for_each(|e| e.walk(f)),
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
}
