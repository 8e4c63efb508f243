// Joins an estimate's two parts (see src/compact.rs) into the estimate object of the JSON
// contract. Imported by the wasm glue; the engine calls it from Rust, so `Calculator.estimate`
// returns the same object as before, built from a few hundred bytes per call instead of the
// whole text of the rule set. The skeleton is parsed once per version and language and frozen:
// estimates share its texts and sources, and nobody can change them under another estimate.

function freeze(x) {
  if (x && typeof x === "object" && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const k of Object.keys(x)) freeze(x[k]);
  }
  return x;
}

/** The skeleton JSON of one version and language, parsed and frozen. */
export function parseSkeleton(json) {
  return freeze(JSON.parse(json));
}

/** The estimate object from a parsed skeleton and the compact JSON of one estimate. */
export function hydrate(skel, json) {
  const c = JSON.parse(json);
  const payers = skel.payers;
  const programs = new Array(c.programs.length);
  for (let i = 0; i < programs.length; i++) {
    const sp = skel.programs[i];
    const [status, amount, min, max, rangeExact, missing, results, schedule, more] = c.programs[i];
    const reasons = new Array(sp.reasons.length);
    for (let j = 0; j < reasons.length; j++) {
      const r = sp.reasons[j];
      reasons[j] = r.assumption === undefined
        ? { result: results[j], text: r.text, source: r.source, condition: r.condition }
        : { result: results[j], text: r.text, source: r.source, condition: r.condition, assumption: r.assumption };
    }
    for (const r of more) reasons.push(r);
    const p = {
      id: sp.id,
      name: sp.name,
      kind: sp.kind,
      status,
      amount,
      min,
      max,
      range_exact: rangeExact,
      missing,
      reasons,
      schedule: schedule.map(([year, payer, amt]) => ({
        year,
        payer,
        payer_name: Object.hasOwn(payers, payer) ? payers[payer] : "",
        amount: amt,
      })),
      assumptions: sp.assumptions,
      sources: sp.sources,
      payers: sp.payers,
    };
    if (sp.description !== undefined) p.description = sp.description;
    if (sp.note !== undefined) p.note = sp.note;
    if (sp.exclusive_group !== undefined) p.exclusive_group = sp.exclusive_group;
    programs[i] = p;
  }
  return {
    rule_set: skel.rule_set,
    rule_set_name: skel.rule_set_name,
    version: c.version,
    effective_from: skel.effective_from,
    effective_to: skel.effective_to,
    as_of: c.as_of,
    lang: c.lang,
    currency: skel.currency,
    total: c.total,
    total_min: c.total_min,
    total_max: c.total_max,
    next_question: c.next_question,
    programs,
    assumptions: skel.assumptions,
    unused_answers: c.unused_answers,
  };
}
