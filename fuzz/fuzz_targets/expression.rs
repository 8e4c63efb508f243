//! Any text as an expression: parse, type-check against a fixed set of questions, evaluate
//! with unknown and known values. Errors are fine; panics and stack overflows are not.
#![no_main]
use libfuzzer_sys::fuzz_target;
use subsidy_calc::expr::{check, eval, parse, Env, QuestionSig, Scope, SigType, V};
use subsidy_calc::Date;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let sigs = vec![
        QuestionSig { id: "t".into(), ty: SigType::Enum(vec!["a".into(), "b".into()]) },
        QuestionSig { id: "ok".into(), ty: SigType::Bool },
        QuestionSig { id: "m".into(), ty: SigType::Integer },
        QuestionSig { id: "x".into(), ty: SigType::Decimal },
        QuestionSig { id: "d".into(), ty: SigType::Date },
    ];
    let Ok(mut e) = parse(src) else { return };
    if check(&mut e, &Scope { questions: &sigs, visible: sigs.len() }).is_err() {
        return;
    }
    let as_of = Date::parse("2024-07-15").expect("valid");
    let unknown = [V::Unknown; 5];
    let known = [
        V::Opt(1),
        V::Bool(true),
        V::Num(24.into()),
        V::Num(rust_decimal_max()),
        V::Date(as_of),
    ];
    let _ = eval(&e, &Env { values: &unknown, as_of });
    let _ = eval(&e, &Env { values: &known, as_of });
});

fn rust_decimal_max() -> subsidy_calc::Decimal {
    subsidy_calc::Decimal::MAX
}
