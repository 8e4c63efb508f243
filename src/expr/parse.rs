//! Lexer and recursive-descent parser; depth and length are bounded, so no input can exhaust
//! the stack.

use super::{BinOp, Expr, Func, Kind, MAX_DEPTH, MAX_LEN};
use crate::error::{short, List, Problem};
use crate::money::parse_decimal;

/// A problem at a byte offset of the expression text (parsing or checking).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset in the expression.
    pub at: usize,
    /// What is wrong.
    pub problem: Problem,
}

fn err(at: usize, problem: Problem) -> ParseError {
    ParseError { at, problem }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(String),
    Str(String),
    Ident(String),
    Sym(&'static str),
    End,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number {n}"),
        Tok::Str(s) => format!("string '{}'", short(s, 20)),
        Tok::Ident(i) => format!("'{}'", short(i, 30)),
        Tok::Sym(s) => format!("'{s}'"),
        Tok::End => "the end of the expression".to_string(),
    }
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            if i < b.len() && (b[i].is_ascii_alphabetic()) {
                return Err(err(i, Problem::NumberSuffix {}));
            }
            // digits, points and underscores (ASCII): the number without its underscores
            let num = b.get(start..i).unwrap_or_default().iter().filter(|&&d| d != b'_').map(|&d| char::from(d)).collect();
            out.push((Tok::Num(num), start));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Ident(src[start..i].to_string()), start));
        } else if c == b'\'' || c == b'"' {
            i += 1;
            while i < b.len() && b[i] != c {
                i += 1;
            }
            if i >= b.len() {
                return Err(err(start, Problem::UnclosedString {}));
            }
            out.push((Tok::Str(src[start + 1..i].to_string()), start));
            i += 1;
        } else {
            let two = src.get(i..i + 2).unwrap_or("");
            let sym: &'static str = match two {
                "==" => "==",
                "!=" => "!=",
                "<=" => "<=",
                ">=" => ">=",
                _ => match c {
                    b'(' => "(",
                    b')' => ")",
                    b'[' => "[",
                    b']' => "]",
                    b',' => ",",
                    b'+' => "+",
                    b'-' => "-",
                    b'*' => "*",
                    b'/' => "/",
                    b'<' => "<",
                    b'>' => ">",
                    b'=' => return Err(err(i, Problem::UseDoubleEquals {})),
                    b'&' | b'|' | b'!' => return Err(err(i, Problem::UseWords {})),
                    _ => {
                        let ch = src[i..].chars().next().unwrap_or('?');
                        return Err(err(i, Problem::UnexpectedChar { ch: format!("{ch:?}") }));
                    }
                },
            };
            i += sym.len();
            out.push((Tok::Sym(sym), start));
        }
    }
    out.push((Tok::End, src.len()));
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    depth: usize,
}

const KEYWORDS: [&str; 8] = ["and", "or", "not", "in", "if", "then", "else", "true"];

impl Parser {
    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).map_or(&Tok::End, |t| &t.0)
    }
    fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(0, |t| t.1)
    }
    fn bump(&mut self) -> (Tok, usize) {
        let t = self.toks.get(self.pos).cloned().unwrap_or((Tok::End, 0));
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Sym(x) if *x == s)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(x) if x == w)
    }
    fn expect_sym(&mut self, s: &str) -> Result<(), ParseError> {
        if self.is_sym(s) {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected(&format!("'{s}'")))
        }
    }
    fn expect_word(&mut self, w: &str) -> Result<(), ParseError> {
        if self.is_word(w) {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected(&format!("'{w}'")))
        }
    }
    fn unexpected(&self, wanted: &str) -> ParseError {
        err(self.at(), Problem::Expected { wanted: wanted.to_string(), found: describe(self.peek()) })
    }
    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(self.at(), Problem::TooDeep { max: MAX_DEPTH as i64 }));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        let r = self.or();
        self.depth -= 1;
        r
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.and()?;
        let depth = self.depth;
        while self.is_word("or") {
            self.enter()?;
            let at = self.bump().1;
            let right = self.and()?;
            left = Expr { kind: Kind::Bin(BinOp::Or, Box::new(left), Box::new(right)), at };
        }
        self.depth = depth;
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.not()?;
        let depth = self.depth;
        while self.is_word("and") {
            self.enter()?;
            let at = self.bump().1;
            let right = self.not()?;
            left = Expr { kind: Kind::Bin(BinOp::And, Box::new(left), Box::new(right)), at };
        }
        self.depth = depth;
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        if self.is_word("not") {
            let at = self.bump().1;
            self.enter()?;
            let inner = self.not();
            self.depth -= 1;
            return Ok(Expr { kind: Kind::Not(Box::new(inner?)), at });
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<Expr, ParseError> {
        let left = self.sum()?;
        let op = match self.peek() {
            Tok::Sym("==") => Some(BinOp::Eq),
            Tok::Sym("!=") => Some(BinOp::Ne),
            Tok::Sym("<") => Some(BinOp::Lt),
            Tok::Sym("<=") => Some(BinOp::Le),
            Tok::Sym(">") => Some(BinOp::Gt),
            Tok::Sym(">=") => Some(BinOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            let at = self.bump().1;
            let right = self.sum()?;
            if matches!(self.peek(), Tok::Sym("==" | "!=" | "<" | "<=" | ">" | ">=")) {
                return Err(err(self.at(), Problem::ChainedComparison {}));
            }
            return Ok(Expr { kind: Kind::Bin(op, Box::new(left), Box::new(right)), at });
        }
        let negated = self.is_word("not") && matches!(self.toks.get(self.pos + 1), Some((Tok::Ident(w), _)) if w == "in");
        if negated || self.is_word("in") {
            let at = self.at();
            if negated {
                self.bump();
            }
            self.bump();
            self.expect_sym("[")?;
            let mut list = vec![self.expr()?];
            while self.is_sym(",") {
                self.bump();
                if self.is_sym("]") {
                    break;
                }
                list.push(self.expr()?);
            }
            self.expect_sym("]")?;
            return Ok(Expr { kind: Kind::In { value: Box::new(left), list, negated }, at });
        }
        Ok(left)
    }

    fn sum(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.product()?;
        let depth = self.depth;
        loop {
            let op = match self.peek() {
                Tok::Sym("+") => BinOp::Add,
                Tok::Sym("-") => BinOp::Sub,
                _ => {
                    self.depth = depth;
                    return Ok(left);
                }
            };
            self.enter()?;
            let at = self.bump().1;
            let right = self.product()?;
            left = Expr { kind: Kind::Bin(op, Box::new(left), Box::new(right)), at };
        }
    }

    fn product(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        let depth = self.depth;
        loop {
            let op = match self.peek() {
                Tok::Sym("*") => BinOp::Mul,
                Tok::Sym("/") => BinOp::Div,
                _ => {
                    self.depth = depth;
                    return Ok(left);
                }
            };
            self.enter()?;
            let at = self.bump().1;
            let right = self.unary()?;
            left = Expr { kind: Kind::Bin(op, Box::new(left), Box::new(right)), at };
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.is_sym("-") {
            let at = self.bump().1;
            self.enter()?;
            let inner = self.unary();
            self.depth -= 1;
            return Ok(Expr { kind: Kind::Neg(Box::new(inner?)), at });
        }
        self.primary()
    }

    fn args(&mut self) -> Result<Vec<Expr>, ParseError> {
        self.expect_sym("(")?;
        let mut v = vec![self.expr()?];
        while self.is_sym(",") {
            self.bump();
            v.push(self.expr()?);
        }
        self.expect_sym(")")?;
        Ok(v)
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let (tok, at) = self.bump();
        let kind = match tok {
            Tok::Num(n) => Kind::Num(parse_decimal(&n).map_err(|detail| err(at, Problem::BadDecimal { value: n.clone(), detail }))?),
            Tok::Str(s) => Kind::Str(s),
            Tok::Sym("(") => {
                let e = self.expr()?;
                self.expect_sym(")")?;
                return Ok(e);
            }
            Tok::Ident(w) => match w.as_str() {
                "true" => Kind::Bool(true),
                "false" => Kind::Bool(false),
                "as_of" => Kind::AsOf,
                "if" => {
                    let c = self.expr()?;
                    self.expect_word("then")?;
                    let a = self.expr()?;
                    self.expect_word("else")?;
                    let b = self.expr()?;
                    Kind::If(Box::new(c), Box::new(a), Box::new(b))
                }
                _ if KEYWORDS.contains(&w.as_str()) => {
                    return Err(err(at, Problem::Expected { wanted: "a value".into(), found: format!("'{w}'") }))
                }
                _ if self.is_sym("(") => match Func::by_name(&w) {
                    Some(f) => Kind::Call(f, self.args()?),
                    None => return Err(err(at, Problem::UnknownFunction { name: short(&w, 30), known: List::from_iter(Func::names()) })),
                },
                _ if self.is_sym("[") => {
                    self.bump();
                    let key = self.expr()?;
                    self.expect_sym("]")?;
                    Kind::Index(w, Box::new(key))
                }
                _ => Kind::Ident(w),
            },
            other => {
                self.pos -= 1;
                return Err(err(at, Problem::Expected { wanted: "a value".into(), found: describe(&other) }));
            }
        };
        Ok(Expr { kind, at })
    }
}

/// Parses an expression. The result still holds names; [`super::check`] resolves them.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    if src.len() > MAX_LEN {
        return Err(err(0, Problem::TooLong { max: MAX_LEN as i64 }));
    }
    if src.chars().all(char::is_whitespace) {
        return Err(err(0, Problem::EmptyExpression {}));
    }
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0, depth: 0 };
    let e = p.expr()?;
    if !matches!(p.peek(), Tok::End) {
        return Err(p.unexpected("an operator or the end of the expression"));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use crate::rules::Lang;

    fn message(src: &str) -> String {
        parse(src).unwrap_err().problem.message(Lang::En)
    }

    #[test]
    fn precedence() {
        let e = parse("a or b and not c == 1 + 2 * 3").unwrap();
        let Kind::Bin(BinOp::Or, _, r) = e.kind else { panic!("{e:?}") };
        let Kind::Bin(BinOp::And, _, r) = r.kind else { panic!() };
        let Kind::Not(r) = r.kind else { panic!() };
        let Kind::Bin(BinOp::Eq, _, r) = r.kind else { panic!() };
        assert!(matches!(r.kind, Kind::Bin(BinOp::Add, _, _)));
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        assert_eq!(parse("a == ").unwrap_err().at, 5);
        assert_eq!(parse("a = 1").unwrap_err().at, 2);
        assert_eq!(parse("a && b").unwrap_err().at, 2);
        assert_eq!(message("1 < 2 < 3"), "comparisons do not chain; join them with and");
        assert!(message("foo(1)").contains("unknown function"));
        assert!(parse("'abc").is_err());
        assert!(parse("1e5").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn depth_is_bounded() {
        let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert!(message(&deep).contains("nested"));
        let nots = format!("{}true", "not ".repeat(1000));
        assert!(parse(&nots).is_err());
        let negs = "-".repeat(3000) + "1";
        assert!(parse(&negs).is_err());
        let chain = vec!["a"; 200].join(" or ");
        assert!(message(&chain).contains("nested"));
        let sum = vec!["1"; 200].join(" + ");
        assert!(message(&sum).contains("nested"));
        assert!(parse(&vec!["1"; 50].join(" + ")).is_ok());
        assert!(parse(&"x".repeat(MAX_LEN + 1)).is_err());
    }

    #[test]
    fn membership_and_calls() {
        let e = parse("t not in ['a', 'b',]").unwrap();
        assert!(matches!(e.kind, Kind::In { negated: true, .. }));
        let e = parse("12500.00 * min(m, 24)").unwrap();
        assert!(matches!(e.kind, Kind::Bin(BinOp::Mul, _, _)));
        assert!(parse("if a then 1 else 2").is_ok());
        assert!(matches!(parse("per_year[degree]").unwrap().kind, Kind::Index(..)));
        assert!(matches!(parse("age(birth_date)").unwrap().kind, Kind::Call(Func::Age, _)));
    }
}
