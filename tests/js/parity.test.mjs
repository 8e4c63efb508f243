// The same estimate from the CLI and from the wasm boundary, key by key and in the same key
// order, for at least 1,000 generated answer sets per rule set (valid, partial and some
// invalid): the browser's estimate (the shared texts with the answer part laid over them) is
// the object the CLI prints, and an error has the same kind, code, field and message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import init, { Calculator } from "../../www/pkg/subsidy_calc.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const CLI = `${root}target/release/subsidy-calc`;
const PER_SET = 1000;

await init({ module_or_path: await readFile(`${root}www/pkg/subsidy_calc_bg.wasm`) });

/** An error as both sides are compared: what a page acts on. */
const errorOf = (e) => ({ error: { kind: e.kind, code: e.code, message: e.message, field: e.field ?? null } });

// A small deterministic generator (mulberry32) so failures are reproducible.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function addDays(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function value(q, r, asOf) {
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  if (r() < 0.06) return pick(["nonsense", 1.5, -3, true, [1], { a: 1 }, "2024-02-30", 1e6]);
  switch (q.type) {
    case "bool":
      return r() < 0.5;
    case "enum":
      return pick(q.options).id;
    case "integer": {
      const lo = q.min, hi = q.max;
      return lo + Math.floor(r() * (hi - lo + 1));
    }
    case "decimal":
      return (Number(q.min) + r() * (Number(q.max) - Number(q.min))).toFixed(2);
    case "date": {
      // within the question's bounds (a bound "as_of" is the date of the estimate), wide
      // enough for birth dates and for every version's period
      const lo = /^\d{4}-\d{2}-\d{2}$/.test(q.min ?? "") ? q.min : "1955-01-01";
      const hi = q.max === "as_of" ? asOf : /^\d{4}-\d{2}-\d{2}$/.test(q.max ?? "") ? q.max : "2035-12-31";
      const days = Math.max(0, (Date.parse(hi) - Date.parse(lo)) / 86_400_000);
      return addDays(lo, Math.floor(r() * (days + 1)));
    }
    default:
      return null;
  }
}

const sets = (await readdir(`${root}rules`)).sort().map((set) => ({
  set,
  dir: `rules/${set}`,
  bundle: `www/rules/${set}.json`,
}));
assert.ok(sets.length >= 4, "every shipped rule set");
// A test set with an exclusive group, through the same checks.
sets.push({ set: "exclusive-group", dir: "tests/rules/exclusive-group", bundle: "www/rules/test/exclusive-group.json" });

for (const [i, { set, dir, bundle: bundlePath }] of sets.entries()) {
  test(`CLI and wasm agree on ${PER_SET} answer sets: ${set}`, async () => {
    const bundleText = await readFile(`${root}${bundlePath}`, "utf8");
    const bundle = JSON.parse(bundleText);
    const calc = Calculator.fromJson(bundleText);
    const r = rng(1000 + i);
    let compared = 0;
    let estimates = 0;
    for (const version of bundle.versions) {
      const rules = version.rules;
      const from = rules.effective_from;
      const dates = [from, addDays(from, 200)];
      for (const [d, asOf] of dates.entries()) {
        const lang = d === 0 ? "en" : "zh-CN";
        const n = Math.ceil(PER_SET / (bundle.versions.length * dates.length));
        const lines = [];
        for (let k = 0; k < n; k++) {
          const answers = {};
          for (const q of rules.questions) if (r() < 0.7) answers[q.id] = value(q, r, asOf);
          if (r() < 0.03) answers.unknown_question = 1;
          lines.push(answers);
        }
        const out = spawnSync(CLI, ["estimate", "--rules", dir, "--as-of", asOf, "--lang", lang, "--answers", "-", "--jsonl"], {
          cwd: root,
          input: lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
          encoding: "utf8",
          maxBuffer: 1 << 28,
        });
        assert.equal(out.status, 0, out.stderr);
        const cliRows = out.stdout.trim().split("\n").map((l) => JSON.parse(l)).map((x) => (x.error ? errorOf(x.error) : x));
        assert.equal(cliRows.length, lines.length, "rows in = rows out");
        for (const [k, answers] of lines.entries()) {
          let wasmRow;
          try {
            wasmRow = calc.estimate(answers, asOf, { lang });
            estimates++;
          } catch (e) {
            wasmRow = errorOf(e);
          }
          assert.deepEqual(wasmRow, cliRows[k], `${set} ${asOf} ${JSON.stringify(answers)}`);
          // An estimate's keys in the same order too (deepEqual does not look at the order).
          if (!wasmRow.error) assert.equal(JSON.stringify(wasmRow), JSON.stringify(cliRows[k]), `${set} ${asOf} ${JSON.stringify(answers)}`);
          compared++;
        }
      }
    }
    assert.ok(compared >= PER_SET, `compared ${compared}`);
    assert.ok(estimates >= PER_SET / 2, `most sets give estimates (${estimates})`);
  });
}
