// Peer benchmark: the same Baotou answer sets through subsidy-calc (wasm in Node, native CLI),
// json-rules-engine, GoRules ZEN and (from openfisca_baotou.py's output) OpenFisca; checks that
// every engine gives the same eligible program ids and the same cash total (as "%.2f" strings)
// for every set, and prints one markdown table.
//
// Usage (from the repository root; run.sh does this):
//   node bench/peers/bench.mjs ANSWERS.json [OPENFISCA_OUT.json]
import { readFile } from "node:fs/promises";
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { createRequire } from "node:module";
import init, { Calculator } from "../../www/pkg/subsidy_calc.js";

const require = createRequire(import.meta.url);
const { Engine } = require("json-rules-engine");
const { ZenEngine } = require("@gorules/zen-engine");

const HERE = new URL(".", import.meta.url).pathname;
const AS_OF = "2024-07-15";
const BATCHES = Number(process.env.BATCHES ?? 7);
const [answersPath, openfiscaPath] = process.argv.slice(2);
const sets = JSON.parse(await readFile(answersPath, "utf8"));
const N = sets.length;

const key = (eligible, total) => JSON.stringify({ eligible: [...eligible].sort(), total });
const fmt = (x) => Number(x).toFixed(2); // the peers' numbers, as "%.2f"

// ---------------------------------------------------------------- engines
// 1. Ours, wasm in Node.
await init({ module_or_path: await readFile("www/pkg/subsidy_calc_bg.wasm") });
const calc = Calculator.fromJson(await readFile("www/rules/baotou-rare-earth-zone.json", "utf8"));
const ours = {
  name: "subsidy-calc (wasm in Node)",
  run: async (a) => calc.estimate(a, AS_OF, { lang: "en" }),
  norm: (r) => key(r.programs.filter((p) => p.status === "eligible").map((p) => p.id), r.total),
};


// 2. json-rules-engine: one rule per program; the living allowance amount is a computed fact
// referenced from the event params.
const jre = new Engine([], { allowUndefinedFacts: true, replaceFactsInEventParams: true });
jre.addOperator("onOrAfterDate", (fact, value) => typeof fact === "string" && fact >= value);
jre.addFact("living_allowance_amount", async (_params, almanac) =>
  12500 * Math.min(await almanac.factValue("months_in_station"), 24),
);
const rule = (id, kind, amount, all) =>
  jre.addRule({ name: id, conditions: { all }, event: { type: id, params: { kind, amount } } });
const c = (fact, operator, value) => ({ fact, operator, value });
rule("station_setup_fund", "cash", 100000, [
  c("applicant_type", "equal", "enterprise"),
  c("in_zone", "equal", true),
  c("workstation_status", "equal", "approved"),
  c("workstation_approved_on", "onOrAfterDate", "2024-01-01"),
]);
rule("station_services", "service", 0, [
  c("applicant_type", "equal", "enterprise"),
  c("in_zone", "equal", true),
  c("workstation_status", "in", ["none", "planning"]),
]);
rule("living_allowance", "cash", { fact: "living_allowance_amount" }, [
  c("applicant_type", "equal", "postdoc"),
  c("in_zone", "equal", true),
  c("months_in_station", "greaterThanInclusive", 1),
]);
rule("housing_support", "cash_unpublished", 0, [
  c("applicant_type", "in", ["postdoc", "doctor"]),
  c("in_zone", "equal", true),
]);
rule("schooling_support", "in_kind", 0, [
  c("applicant_type", "in", ["postdoc", "doctor"]),
  c("in_zone", "equal", true),
  c("school_age_children", "greaterThanInclusive", 1),
]);
const jreEngine = {
  name: "json-rules-engine",
  run: async (a) => {
    const { events } = await jre.run(a);
    return {
      eligible: events.map((e) => e.type),
      total: events.reduce((s, e) => s + (e.params.kind === "cash" ? e.params.amount : 0), 0),
    };
  },
  norm: (r) => key(r.eligible, fmt(r.total)),
};

// 3. GoRules ZEN: decision table (collect) + expression node, bench/peers/baotou.zen.json.
const zen = new ZenEngine();
const decision = zen.createDecision(await readFile(`${HERE}baotou.zen.json`));
const zenEngine = {
  name: "GoRules ZEN",
  run: async (a) => (await decision.evaluate(a)).result,
  norm: (r) => key(r.eligible, fmt(r.total)),
};

// ---------------------------------------------------------------- run
const us = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} ms` : `${x.toFixed(2)} µs`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
async function measure(engine) {
  const outputs = [];
  for (const a of sets) outputs.push(engine.norm(await engine.run(a))); // warm-up + agreement
  const perEstimate = [];
  for (let b = 0; b < BATCHES; b++) {
    const t0 = performance.now();
    for (const a of sets) await engine.run(a);
    perEstimate.push(((performance.now() - t0) * 1000) / N); // µs
  }
  return { name: engine.name, outputs, us: median(perEstimate) };
}

const rows = [];
for (const e of [ours, jreEngine, zenEngine]) rows.push(await measure(e));
zen.dispose();
const reference = rows[0].outputs;

// Native CLI: one process, --jsonl over all sets; median of BATCHES runs; includes process start.
{
  const input = sets.map((a) => JSON.stringify(a)).join("\n") + "\n";
  const args = ["estimate", "--rules", "rules/baotou-rare-earth-zone", "--as-of", AS_OF, "--answers", "-", "--jsonl"];
  const runs = [];
  let out;
  for (let b = 0; b < BATCHES; b++) {
    const t0 = performance.now();
    const r = spawnSync("target/release/subsidy-calc", args, { input, maxBuffer: 1 << 28, encoding: "utf8" });
    runs.push(((performance.now() - t0) * 1000) / N);
    if (r.status !== 0) throw new Error(`subsidy-calc --jsonl exited ${r.status}: ${r.stderr}`);
    out = r.stdout;
  }
  const lines = out.trim().split("\n").map((l) => JSON.parse(l));
  // One-row runs give the process start, to show the per-row cost without it too.
  const starts = [];
  for (let b = 0; b < BATCHES; b++) {
    const t0 = performance.now();
    spawnSync("target/release/subsidy-calc", args, { input: JSON.stringify(sets[0]) + "\n" });
    starts.push((performance.now() - t0) * 1000);
  }
  const start = median(starts);
  rows.push({
    name: "subsidy-calc native CLI (--jsonl, per row, incl. process start)",
    outputs: lines.map(ours.norm),
    us: median(runs),
    extra: `${us((median(runs) * N - start) / (N - 1))} without the ${us(start)} start; each row is ${(Buffer.byteLength(out) / N / 1024).toFixed(1)} KB of JSON for Node to read`,
  });
}

// OpenFisca: results computed by openfisca_baotou.py.
const notes = [];
if (openfiscaPath) {
  const of = JSON.parse(await readFile(openfiscaPath, "utf8"));
  const norm = (r) => key(r.eligible, r.total);
  if (of.web_api.error) notes.push(`OpenFisca Web API: ${of.web_api.error}`);
  else rows.push({ name: `OpenFisca ${of.version} Web API /calculate (Flask test client, 1 person)`, outputs: of.web_api.results.map(norm), us: of.web_api.median_s * 1e6 });
  rows.push({
    name: `OpenFisca ${of.version} vectorised, ${of.batch.persons.toLocaleString("en")} persons (per person)`,
    outputs: of.results.map(norm), // the 2,000 sets as one vectorised simulation
    us: (of.batch.median_s * 1e6) / of.batch.persons,
    extra: `${Math.round(of.batch.persons / of.batch.median_s).toLocaleString("en")} persons/s`,
  });
  if (!of.batch.consistent_with_2000) notes.push("OpenFisca 100k batch disagrees with its own 2,000-set run");
} else notes.push("OpenFisca: skipped (no output file)");

// ---------------------------------------------------------------- report
const base = rows[0].us;
const ratio = (x) => (x >= 0.1 ? x.toFixed(2) : x.toPrecision(2));
let failures = 0;
console.log(`\n${N} answer sets, as of ${AS_OF}; per-estimate time = median of ${BATCHES} batches (Node ${process.version}).\n`);
console.log("| engine | per-estimate median | ratio vs ours (wasm in Node) | agreement |");
console.log("| --- | ---: | ---: | ---: |");
for (const r of rows) {
  let agree = 0;
  const bad = [];
  r.outputs.forEach((o, i) => (o === reference[i] ? agree++ : bad.push(i)));
  if (r.outputs.length !== N) bad.push(`count ${r.outputs.length}`);
  if (agree !== N) {
    failures++;
    for (const i of bad.slice(0, 3))
      notes.push(`${r.name} disagrees on set ${i}: ${JSON.stringify(sets[i])}: ours ${reference[i]}, theirs ${r.outputs[i]}`);
  }
  console.log(`| ${r.name} | ${us(r.us)}${r.extra ? ` (${r.extra})` : ""} | ${ratio(r.us / base)}× | ${agree}/${N} |`);
}
// Ours against the fastest peer (a ratio, reported).
const fastest = rows.filter((r) => r.name === jreEngine.name || r.name === zenEngine.name).sort((a, b) => a.us - b.us)[0];
console.log(`\nThe fastest peer, ${fastest.name} (${us(fastest.us)}), against ours:`);
// Two decimals, rounded down: a ratio printed as 10.00 is at least 10.
for (const r of rows.slice(0, 1)) console.log(`- ${r.name}: ${(Math.floor((fastest.us / r.us) * 100) / 100).toFixed(2)}× faster (${us(r.us)})`);
for (const n of notes) console.log(`\nNote: ${n}`);
process.exit(failures ? 1 : 0);
