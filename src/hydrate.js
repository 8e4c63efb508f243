// Joins an estimate's two parts (see src/compact.rs) into the estimate object of the JSON
// contract. Imported by the wasm glue; the engine calls it from Rust, so `Calculator.estimate`
// returns the same object as before, built from a short string per call instead of the
// whole text of the rule set. The skeleton is parsed once per version and language and frozen:
// estimates share its texts and sources, and nobody can change them under another estimate.

function freeze(x) {
  if (x && typeof x === "object" && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const k of Object.keys(x)) freeze(x[k]);
  }
  return x;
}

// Answers cross into the wasm from the pairs of `Object.entries`, each value classified here
// in one call (see `raw_answers` in src/wasm.rs).

/** The key of pair `i`. */
export const keyAt = (entries, i) => entries[i][0];

/** The value of pair `i` (a number or a string, as `valueKind` said). */
export const valueAt = (entries, i) => entries[i][1];

/**
 * The kind of the value of pair `i`: 0 null or undefined, 1 false, 2 true, 3 a number, 4 a
 * string, 5 an array, 6 anything else.
 */
export function valueKind(entries, i) {
  const v = entries[i][1];
  if (v === null || v === undefined) return 0;
  if (typeof v === "boolean") return v ? 2 : 1;
  if (typeof v === "number") return 3;
  if (typeof v === "string") return 4;
  return Array.isArray(v) ? 5 : 6;
}

/** The skeleton JSON of one version and language, parsed and frozen. */
export function parseSkeleton(json) {
  return freeze(JSON.parse(json));
}

// The compact part being read and the position in it (module state rather than closures:
// measured faster in V8).
let S = "";
let I = 0;

/** The next number: six bits a code unit, all but the last marked by 64. */
function num() {
  let k = 0;
  let c;
  while ((c = S.charCodeAt(I++)) >= 64) k = k * 64 + c - 64;
  return k * 64 + c;
}

/** The next string, or null. */
function str() {
  const n = num();
  if (n === 0) return null;
  const start = I;
  I += n - 1;
  return S.slice(start, I);
}

// The last decimal read.
let D = null;

/** The next decimal: a string, null, or (1) the last decimal again. */
function dec() {
  if (S.charCodeAt(I) === 1) {
    I++;
    return D;
  }
  const d = str();
  if (d !== null) D = d;
  return d;
}

/** The next count and as many strings. */
function strs() {
  const a = new Array(num());
  for (let j = 0; j < a.length; j++) a[j] = str();
  return a;
}

/** Starts reading `s`: its `as_of` and three totals, with which both kinds of compact part begin. */
function begin(s) {
  S = s;
  I = 0;
  D = null;
  return [str(), dec(), dec(), dec()];
}

/**
 * The estimate object from a parsed skeleton and the compact part of one estimate (written by
 * `compact` in src/compact.rs: numbers as one to six ASCII bytes, strings as their
 * length plus one, 0 for null, then their text; 1 for a decimal repeats the last one; condition
 * results three a unit).
 */
export function hydrate(skel, s) {
  const [asOf, total, totalMin, totalMax] = begin(s);
  const nextQuestion = str();
  const unused = strs();
  const payers = skel.payers;
  const programs = new Array(num());
  for (let k = 0; k < programs.length; k++) {
    const sp = skel.programs[k];
    const code = num();
    const amount = dec();
    const min = dec();
    const max = dec();
    const missing = strs();
    const reasons = new Array(num());
    let bits = 0;
    for (let j = 0; j < reasons.length; j++) {
      const r = sp.reasons[j];
      bits = j % 3 === 0 ? S.charCodeAt(I++) : bits >> 2;
      const result = skel.results[bits & 3];
      reasons[j] = r.assumption === undefined
        ? { result, text: r.text, source: r.source, condition: r.condition }
        : { result, text: r.text, source: r.source, condition: r.condition, assumption: r.assumption };
    }
    const schedule = new Array(num());
    for (let j = 0; j < schedule.length; j++) {
      const year = num();
      const payer = str();
      schedule[j] = { year, payer, payer_name: Object.hasOwn(payers, payer) ? payers[payer] : "", amount: dec() };
    }
    const more = str();
    if (more !== null) for (const r of JSON.parse(more)) reasons.push(r);
    const p = {
      id: sp.id,
      name: sp.name,
      kind: sp.kind,
      status: skel.statuses[code >> 1],
      amount,
      min,
      max,
      range_exact: (code & 1) === 1,
      missing,
      reasons,
      schedule,
      assumptions: sp.assumptions,
      sources: sp.sources,
      payers: sp.payers,
    };
    if (sp.description !== undefined) p.description = sp.description;
    if (sp.note !== undefined) p.note = sp.note;
    if (sp.exclusive_group !== undefined) p.exclusive_group = sp.exclusive_group;
    programs[k] = p;
  }
  return {
    rule_set: skel.rule_set,
    rule_set_name: skel.rule_set_name,
    version: skel.version,
    effective_from: skel.effective_from,
    effective_to: skel.effective_to,
    as_of: asOf,
    lang: skel.lang,
    currency: skel.currency,
    total,
    total_min: totalMin,
    total_max: totalMax,
    next_question: nextQuestion,
    programs,
    assumptions: skel.assumptions,
    unused_answers: unused,
  };
}

/**
 * The figures object from a parsed skeleton and the compact part written by `compact_figures`
 * in src/compact.rs.
 */
export function hydrateFigures(skel, s) {
  const [asOf, total, totalMin, totalMax] = begin(s);
  const programs = new Array(num());
  for (let k = 0; k < programs.length; k++) {
    programs[k] = { id: skel.programs[k].id, status: skel.statuses[num()], amount: dec(), min: dec(), max: dec() };
  }
  return {
    rule_set: skel.rule_set,
    version: skel.version,
    as_of: asOf,
    currency: skel.currency,
    total,
    total_min: totalMin,
    total_max: totalMax,
    programs,
  };
}
