// `make bench`: every figure against its budget, printed as one table and written to
// BENCHMARKS.md with the date, machine and commands. Figures are medians; the machines are
// shared and noisy, so ratios are what to quote.
import { execFileSync, spawnSync } from "node:child_process";
import { readFile, writeFile, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { startServer, launch, root } from "../tests/js/harness.mjs";

const rows = [];
const add = (figure, budget, measured, ok, note = "") => rows.push({ figure, budget, measured, ok, note });
const fmt = (x, d = 2) => Number(x).toLocaleString("en-US", { maximumFractionDigits: d });

// 1. Sizes of what a browser downloads for the Baotou demo element: the release build in
// www/dist/ that the demo and embed pages load (scripts/release.mjs).
const files = [
  "dist/subsidy-calculator.js", "dist/subsidy-calculator.css", "dist/pkg/subsidy_calc.js", "dist/pkg/subsidy_calc_bg.wasm",
  "dist/rules/baotou-rare-earth-zone.json",
];
const sizes = [];
let gzTotal = 0;
for (const f of files) {
  const buf = await readFile(join(root, "www", f));
  const gz = gzipSync(buf, { level: 9 }).length;
  const br = brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  gzTotal += gz;
  sizes.push(`| ${f} | ${fmt(buf.length, 0)} | ${fmt(gz, 0)} | ${fmt(br, 0)} |`);
}
// Judged in 1,000-byte KB, the stricter reading of the budget; shown in both.
add("download, Baotou element (all files, gzip)", "≤ 100 KB", `${fmt(gzTotal, 0)} bytes (${fmt(gzTotal / 1024, 1)} KiB)`, gzTotal <= 100_000);

// 2. Native micro-benchmarks.
const native = {};
const out = execFileSync("cargo", ["bench", "--locked", "--bench", "engine"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
for (const line of out.split("\n")) if (line.startsWith("{")) { const j = JSON.parse(line); native[j.figure] = j.value; }
add("native quick path (statuses and amounts), one core", "≥ 10,000,000/s", `${fmt(native.native_quick_estimate, 0)}/s`, native.native_quick_estimate >= 1e7);
add("native full estimate object", "≥ 1,000,000/s", `${fmt(native.native_full_estimate, 0)}/s`, native.native_full_estimate >= 1e6);
add("1,000 programs × 200 questions: bundle load", "≤ 20 ms", `${fmt(native.generated_1000_bundle_load)} ms`, native.generated_1000_bundle_load <= 20);
add("1,000 programs × 200 questions: one estimate", "≤ 1 ms", `${fmt(native.generated_1000_estimate / 1000, 3)} ms`, native.generated_1000_estimate <= 1000);
const lin = [10, 100, 1000].map((n) => `${n}: ${fmt(native[`generated_${n}_estimate`], 1)} µs`).join(", ");
add("cost linear in programs (estimate)", "linear", lin, native.generated_1000_estimate / native.generated_100_estimate < 15);

// Instructions per estimate, counted by callgrind (when valgrind is installed): the same on
// every run, so they show what a change did where the wall-clock figures above swing with the
// machine's other load. Each path runs 2,000 and 12,000 times; the difference / 10,000 leaves
// out the start-up (loading the rules).
const engine = (() => {
  const r = spawnSync("cargo", ["bench", "--locked", "--bench", "engine", "--no-run", "--message-format=json"], { cwd: root, encoding: "utf8" });
  const exe = r.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).find((m) => m.target?.name === "engine" && m.executable)?.executable;
  return exe ?? null;
})();
const instructions = {};
if (engine && spawnSync("valgrind", ["--version"]).status === 0) {
  const count = (path, n) => {
    const out = `/tmp/subsidy-calc-callgrind.${path}.${n}`;
    const r = spawnSync("valgrind", ["--tool=callgrind", `--callgrind-out-file=${out}`, engine], { cwd: root, encoding: "utf8", env: { ...process.env, BENCH_ONLY: path, BENCH_N: String(n) } });
    const m = /refs:\s+([\d,]+)/.exec(r.stderr);
    if (!m) throw new Error(`callgrind ${path}: ${r.stderr}`);
    return Number(m[1].replaceAll(",", ""));
  };
  try {
    for (const path of ["quick", "full"]) instructions[path] = (count(path, 12_000) - count(path, 2_000)) / 10_000;
  } catch (e) {
    console.error(`instruction counts left out: ${e.message}`);
    for (const k of Object.keys(instructions)) delete instructions[k];
  }
}

// 3. Batch rows/s on a generated 1,000,000-row CSV.
const csv = "/tmp/subsidy-calc-bench.csv";
if (!existsSync(csv)) {
  const lines = ["applicant_type,in_zone,workstation_status,workstation_approved_on,months_in_station,school_age_children"];
  let seed = 7;
  const r = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 1_000_000; i++) {
    const t = ["enterprise", "postdoc", "doctor"][Math.floor(r() * 3)];
    const z = r() < 0.5 ? "true" : "false";
    if (t === "enterprise") lines.push(`${t},${z},approved,2024-03-0${1 + Math.floor(r() * 9)},,`);
    else if (t === "postdoc") lines.push(`${t},${z},,,${Math.floor(r() * 73)},${Math.floor(r() * 3)}`);
    else lines.push(`${t},${z},,,,${Math.floor(r() * 3)}`);
  }
  await writeFile(csv, lines.join("\n") + "\n");
}
const t0 = process.hrtime.bigint();
const b = spawnSync(join(root, "target/release/subsidy-calc"), ["batch", "--rules", "rules/baotou-rare-earth-zone", "--input", csv, "--output", "/tmp/subsidy-calc-bench.out.csv", "--as-of", "2024-07-15"], { cwd: root });
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
if (b.status !== 0) throw new Error(String(b.stderr));
add("subsidy-calc batch, CSV → CSV, one core", "≥ 1,000,000 rows/s", `${fmt(1e6 / secs, 0)} rows/s`, 1e6 / secs >= 1e6);

// 4. Browser figures.
const server = await startServer();
const browser = await launch();
try {
  const nav = [];
  for (let i = 0; i < 20; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    // Recorded in the page itself, at the first frame after the first estimate is in the DOM,
    // and sent through the console: the driver neither polls nor injects its scripts into the
    // page while it loads (waitForFunction did both and took 10–25 ms of the page's main thread),
    // nor waits for the load event.
    await page.addInitScript(() => {
      document.addEventListener("estimate", () => requestAnimationFrame(() => console.debug(`first-estimate ${performance.now()}`)), { once: true });
    });
    const first = page.waitForEvent("console", { predicate: (m) => m.text().startsWith("first-estimate "), timeout: 30_000 });
    await page.goto(`${server.url}embed-example.html`, { waitUntil: "commit" });
    const ms = Number((await first).text().split(" ")[1]);
    nav.push(ms);
    await ctx.close();
  }
  nav.sort((a, b) => a - b);
  add("navigation → first estimate rendered (median of 20)", "≤ 150 ms", `${fmt(nav[10], 1)} ms`, nav[10] <= 150);

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${server.url}embed-example.html`);
  const perCall = await page.evaluate(async () => {
    const mod = await import("./pkg/subsidy_calc.js");
    await mod.default();
    const calc = mod.Calculator.fromJson(await (await fetch("rules/baotou-rare-earth-zone.json")).text());
    const a = { applicant_type: "postdoc", in_zone: true, months_in_station: 24, school_age_children: 1 };
    for (let i = 0; i < 2000; i++) calc.estimate(a, "2024-07-15");
    const runs = [];
    for (let k = 0; k < 9; k++) {
      const t = performance.now();
      for (let i = 0; i < 2000; i++) calc.estimate(a, "2024-07-15");
      runs.push((performance.now() - t) / 2000);
    }
    runs.sort((x, y) => x - y);
    return runs[4] * 1000;
  });
  add("calc.estimate in Chromium, all answered (median)", "≤ 20 µs", `${fmt(perCall, 1)} µs`, perCall <= 20);

  const rerender = await page.evaluate(async () => {
    const el = document.querySelector("subsidy-calculator");
    el.answers = { applicant_type: "postdoc", in_zone: true, months_in_station: 1 };
    await new Promise((r) => setTimeout(r, 200));
    const input = el.shadowRoot.querySelector('[name="months_in_station"]');
    const times = [];
    for (let m = 2; m <= 22; m++) {
      const t = performance.now();
      const done = new Promise((r) => el.addEventListener("estimate", r, { once: true }));
      input.value = String(m);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await done;
      times.push(performance.now() - t);
    }
    times.sort((x, y) => x - y);
    return times[10];
  });
  add("re-render after one input change (median)", "≤ 16 ms", `${fmt(rerender, 2)} ms`, rerender <= 16);
  await ctx.close();
} finally {
  await browser.close();
  server.stop();
}

// 5. Peers, when their harness is present.
let peers = "";
if (existsSync(join(root, "bench/peers/run.sh"))) {
  const p = spawnSync("bash", [join(root, "bench/peers/run.sh")], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
  peers = p.status === 0 ? p.stdout : `peer run failed (exit ${p.status}):\n\n\`\`\`\n${(p.stdout + p.stderr).slice(-3000)}\n\`\`\`\n`;
  // The goal against the fastest peer, from its lines "- <ours>: <ratio>× faster (<time>)";
  // a row that cannot be read (a failed run) says so and counts as not within budget.
  const fastest = p.status === 0 ? /The fastest peer, (.+?) \(/.exec(peers)?.[1] : undefined;
  // The goal is on what the peers give (eligible programs and the total): `figures`. The
  // widget's whole estimate object (reasons, schedules, sources, texts too) is shown beside it.
  for (const [name, figure, goal] of [
    ["subsidy-calc figures, speed build (wasm in Node)", "figures (statuses, amounts, total), speed build", true],
    ["subsidy-calc (wasm in Node)", "the widget's whole estimate object", false],
  ]) {
    const m = fastest && new RegExp(`- ${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ([\\d.]+)× faster \\((.+?)\\)`).exec(peers);
    const label = `ours against ${fastest ?? "the fastest peer"} in Node: ${figure}`;
    const budget = goal ? "≥ 10× faster" : "none (more work than the peers do)";
    if (m) add(label, budget, `${m[1]}× (${m[2]})`, goal ? Number(m[1]) >= 10 : null);
    else add(label, budget, "not measured (the peer run failed)", goal ? false : null);
  }
}

const table = ["| figure | budget | measured | within budget |", "|---|---|---|---|", ...rows.map((r) => `| ${r.figure} | ${r.budget} | ${r.measured} | ${r.ok === null ? "—" : r.ok ? "yes" : "**no**"} |`)].join("\n");
console.log(table);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}`;
const md = `# Benchmarks

Written by \`make bench\` (scripts/bench.mjs) on ${new Date().toISOString().slice(0, 10)}, ${machine}.
Medians on a shared, noisy machine: quote ratios. Commands: \`cargo bench --bench engine\`
(native), \`subsidy-calc batch\` over a generated 1,000,000-row CSV, headless Chromium with
playwright-core and \`performance.now()\` (browser), \`bench/peers/run.sh\` (peers).

${table}

## What a browser downloads (bytes)

| file | raw | gzip -9 | brotli 11 |
|---|---|---|---|
${sizes.join("\n")}

## Native figures

${Object.entries(native).map(([k, v]) => `- ${k}: ${fmt(v, 3)}`).join("\n")}

Instructions per estimate (callgrind, the same on every run; the start-up left out):
${Object.keys(instructions).length ? Object.entries(instructions).map(([k, v]) => `- ${k}: ${fmt(v, 0)}`).join("\n") : "- not counted: valgrind is not installed or could not run"}

## Peers

${peers || "bench/peers/run.sh is not present."}
${existsSync(join(root, "bench/history.md")) ? "\n" + (await readFile(join(root, "bench/history.md"), "utf8")) : ""}`;
await writeFile(join(root, "BENCHMARKS.md"), md);
console.log("\nwritten to BENCHMARKS.md");
