//! Type checking: resolves names to questions and strings to enum options, and rejects every
//! mix of types, so evaluation never meets a type it did not expect.

use super::{BinOp, Expr, Kind, ParseError};

/// The type of a question, as the checker sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SigType {
    /// `bool`
    Bool,
    /// `integer` (a number).
    Integer,
    /// `decimal` (a number).
    Decimal,
    /// `date`
    Date,
    /// `enum` with its option ids.
    Enum(Vec<String>),
}

/// A question the expression may read.
#[derive(Clone, Debug)]
pub struct QuestionSig {
    /// Its id.
    pub id: String,
    /// Its type.
    pub ty: SigType,
}

/// What an expression may refer to.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    /// All questions of the version, in order.
    pub questions: &'a [QuestionSig],
    /// Only `questions[..visible]` may be read (a question's `ask_when` may read only earlier
    /// questions, which rules out cycles).
    pub visible: usize,
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
    /// An option of the enum question at this index.
    Enum(usize),
    /// A string literal not yet tied to a question.
    Text,
}

impl Ty {
    /// The type's name in messages.
    pub fn name(self, scope: &Scope<'_>) -> String {
        match self {
            Ty::Bool => "a boolean".into(),
            Ty::Num => "a number".into(),
            Ty::Date => "a date".into(),
            Ty::Enum(q) => format!("an option of {}", scope.questions.get(q).map_or("?", |s| s.id.as_str())),
            Ty::Text => "a string".into(),
        }
    }
}

fn err(at: usize, message: String) -> ParseError {
    ParseError { at, message }
}

fn resolve_option(e: &mut Expr, q: usize, scope: &Scope<'_>) -> Result<(), ParseError> {
    let Kind::Str(s) = &e.kind else { return Ok(()) };
    let Some(sig) = scope.questions.get(q) else { return Err(err(e.at, "internal: unknown question".into())) };
    let SigType::Enum(opts) = &sig.ty else { return Err(err(e.at, "internal: not an enum".into())) };
    match opts.iter().position(|o| o == s) {
        Some(i) => {
            e.kind = Kind::Option(q, i);
            Ok(())
        }
        None => Err(err(e.at, format!("'{}' is not an option of {}; the options are {}", s, sig.id, crate::error::joined(opts, ", ")))),
    }
}

/// Checks `e` in `scope`, resolving names in place, and returns its type.
pub fn check(e: &mut Expr, scope: &Scope<'_>) -> Result<Ty, ParseError> {
    let at = e.at;
    match &mut e.kind {
        Kind::Num(_) => Ok(Ty::Num),
        Kind::Bool(_) => Ok(Ty::Bool),
        Kind::Date(_) | Kind::AsOf => Ok(Ty::Date),
        Kind::Str(_) => Ok(Ty::Text),
        Kind::Option(q, _) => Ok(Ty::Enum(*q)),
        Kind::Question(q) => sig_ty(*q, scope),
        Kind::Ident(name) => {
            let Some(i) = scope.questions.iter().position(|q| q.id == *name) else {
                return Err(err(at, format!("unknown question '{name}'")));
            };
            if i >= scope.visible {
                return Err(err(at, format!("'{name}' is asked later; a question's ask_when may only use questions declared before it")));
            }
            e.kind = Kind::Question(i);
            sig_ty(i, scope)
        }
        Kind::Not(inner) => {
            expect(inner, scope, Ty::Bool, "not")?;
            Ok(Ty::Bool)
        }
        Kind::Neg(inner) => {
            expect(inner, scope, Ty::Num, "-")?;
            Ok(Ty::Num)
        }
        Kind::Bin(op, a, b) => {
            let op = *op;
            match op {
                BinOp::And | BinOp::Or => {
                    expect(a, scope, Ty::Bool, op.symbol())?;
                    expect(b, scope, Ty::Bool, op.symbol())?;
                    Ok(Ty::Bool)
                }
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                    expect(a, scope, Ty::Num, op.symbol())?;
                    expect(b, scope, Ty::Num, op.symbol())?;
                    Ok(Ty::Num)
                }
                BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                    let ta = check(a, scope)?;
                    let tb = check(b, scope)?;
                    let t = unify(a, ta, b, tb, scope, at, op.symbol())?;
                    if !matches!(op, BinOp::Eq | BinOp::Ne) && !matches!(t, Ty::Num | Ty::Date) {
                        return Err(err(at, format!("'{}' orders numbers or dates, not {}", op.symbol(), t.name(scope))));
                    }
                    Ok(Ty::Bool)
                }
            }
        }
        Kind::In { value, list, .. } => {
            let tv = check(value, scope)?;
            if tv == Ty::Text {
                return Err(err(value.at, "put a question before 'in', such as applicant_type in ['postdoc']".into()));
            }
            for item in list.iter_mut() {
                let ti = check(item, scope)?;
                match (tv, ti) {
                    (Ty::Enum(q), Ty::Text) => resolve_option(item, q, scope)?,
                    _ if ti == tv => {}
                    _ => return Err(err(item.at, format!("the list holds {}, but the value is {}", ti.name(scope), tv.name(scope)))),
                }
            }
            Ok(Ty::Bool)
        }
        Kind::Min(args) | Kind::Max(args) => {
            let mut t: Option<Ty> = None;
            for a in args.iter_mut() {
                let ta = check(a, scope)?;
                if !matches!(ta, Ty::Num | Ty::Date) {
                    return Err(err(a.at, format!("min and max take numbers or dates, not {}", ta.name(scope))));
                }
                if let Some(t0) = t {
                    if t0 != ta {
                        return Err(err(a.at, format!("min and max need one type, but got {} and {}", t0.name(scope), ta.name(scope))));
                    }
                }
                t = Some(ta);
            }
            Ok(t.unwrap_or(Ty::Num))
        }
        Kind::If(c, a, b) => {
            expect(c, scope, Ty::Bool, "if")?;
            let ta = check(a, scope)?;
            let tb = check(b, scope)?;
            let t = unify(a, ta, b, tb, scope, at, "if")?;
            if t == Ty::Text {
                return Err(err(at, "an if must give numbers, dates, booleans or options of a question".into()));
            }
            Ok(t)
        }
    }
}

fn sig_ty(q: usize, scope: &Scope<'_>) -> Result<Ty, ParseError> {
    Ok(match scope.questions.get(q).map(|s| &s.ty) {
        Some(SigType::Bool) => Ty::Bool,
        Some(SigType::Integer | SigType::Decimal) => Ty::Num,
        Some(SigType::Date) => Ty::Date,
        Some(SigType::Enum(_)) => Ty::Enum(q),
        None => return Err(err(0, "internal: question index out of range".into())),
    })
}

fn expect(e: &mut Expr, scope: &Scope<'_>, want: Ty, what: &str) -> Result<(), ParseError> {
    let t = check(e, scope)?;
    if t != want {
        return Err(err(e.at, format!("'{what}' needs {}, but this is {}", want.name(scope), t.name(scope))));
    }
    Ok(())
}

fn unify(a: &mut Expr, ta: Ty, b: &mut Expr, tb: Ty, scope: &Scope<'_>, at: usize, what: &str) -> Result<Ty, ParseError> {
    match (ta, tb) {
        (Ty::Enum(q), Ty::Text) => {
            resolve_option(b, q, scope)?;
            Ok(ta)
        }
        (Ty::Text, Ty::Enum(q)) => {
            resolve_option(a, q, scope)?;
            Ok(tb)
        }
        (Ty::Text, Ty::Text) => Err(err(at, "compare a question with an option, not two strings".into())),
        _ if ta == tb => Ok(ta),
        _ => Err(err(at, format!("'{what}' mixes {} and {}", ta.name(scope), tb.name(scope)))),
    }
}
