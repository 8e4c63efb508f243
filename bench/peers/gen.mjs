// Seeded generator of complete Baotou answer sets, shared by every engine in the peer benchmark.
// Usage: node gen.mjs OUT.json [COUNT=2000] [SEED=20240715]
// "Complete" = every question whose ask_when holds is answered, and no other question is.
import { writeFileSync } from "node:fs";

const [out, countArg = "2000", seedArg = "20240715"] = process.argv.slice(2);
if (!out) {
  console.error("usage: node gen.mjs OUT.json [COUNT] [SEED]");
  process.exit(2);
}

// mulberry32: small, fast, deterministic across Node versions.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(Number(seedArg));
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const pad = (n) => String(n).padStart(2, "0");

// Dates cluster around the 2024-01-01 threshold so both sides of it are well covered. An
// approval date cannot be after the day of the estimate (the rule file's max = "as_of"), so
// every date is on or before AS_OF, the date every engine is asked for.
const AS_OF = "2024-07-15";
const EDGE_DATES = ["2023-12-31", "2024-01-01", "2024-01-02", "1990-01-01", AS_OF];
function date() {
  if (rnd() < 0.15) return pick(EDGE_DATES);
  const y = int(2018, 2024);
  const m = int(1, 12);
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const d = `${y}-${pad(m)}-${pad(int(1, dim))}`;
  return d > AS_OF ? AS_OF : d;
}
// Months: edges 0, 1, 23, 24, 25, 72 are over-sampled.
const months = () => (rnd() < 0.3 ? pick([0, 1, 12, 13, 23, 24, 25, 72]) : int(0, 72));
const children = () => (rnd() < 0.3 ? pick([0, 1, 10]) : int(0, 10));

const sets = [];
for (let i = 0; i < Number(countArg); i++) {
  const applicant_type = pick(["enterprise", "postdoc", "doctor"]);
  const a = { applicant_type, in_zone: rnd() < 0.75 };
  if (applicant_type === "enterprise") {
    a.workstation_status = pick(["none", "planning", "approved"]);
    if (a.workstation_status === "approved") a.workstation_approved_on = date();
  }
  if (applicant_type === "postdoc") a.months_in_station = months();
  if (applicant_type === "postdoc" || applicant_type === "doctor") a.school_age_children = children();
  sets.push(a);
}
writeFileSync(out, JSON.stringify(sets));
console.log(`gen: ${sets.length} answer sets (seed ${seedArg}) -> ${out}`);
