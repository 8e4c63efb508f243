// calc.estimate per call for two wasm builds in one Chromium page, interleaved: rounds of 2,000
// calls (Baotou, all answered) after a 4,000-call warm-up; medians and minima of 25 rounds.
// Each build is a wasm-bindgen output folder under www/ (www/pkg is the current one; copy a
// variant to, say, www/pkg-b). Usage: node bench/estimate-ab.mjs pkg pkg-b
import { startServer, launch } from "../tests/js/harness.mjs";

const [A, B] = [process.argv[2] ?? "pkg", process.argv[3] ?? "pkg"];
const server = await startServer();
const browser = await launch();
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}favicon.svg`);
  const r = await page.evaluate(async ([A, B]) => {
    const text = await (await fetch("rules/baotou-rare-earth-zone.json")).text();
    const a = { applicant_type: "postdoc", in_zone: true, months_in_station: 24, school_age_children: 1 };
    const calcs = {};
    for (const p of [A, B]) {
      const mod = await import(`./${p}/subsidy_calc.js`);
      await mod.default();
      calcs[p] = mod.Calculator.fromJson(text);
      for (let i = 0; i < 4000; i++) calcs[p].estimate(a, "2024-07-15");
    }
    const out = { [A]: [], [B]: [] };
    for (let k = 0; k < 25; k++) {
      for (const p of k % 2 ? [A, B] : [B, A]) {
        const t = performance.now();
        for (let i = 0; i < 2000; i++) calcs[p].estimate(a, "2024-07-15");
        out[p].push(((performance.now() - t) / 2000) * 1000);
      }
    }
    return out;
  }, [A, B]);
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  for (const p of [A, B]) console.log(`${p.padEnd(14)} median ${median(r[p]).toFixed(2)} µs  min ${Math.min(...r[p]).toFixed(2)} µs`);
} finally {
  await browser.close();
  server.stop();
}
