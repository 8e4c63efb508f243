// The demo page: rule set, as-of date and language selectors driving <subsidy-calculator>, and a
// side-by-side comparison of two versions of a rule set for the same answers.
// The page state (rule set, date, language) lives in the query string; the element keeps the
// answers in the hash (#a=…), so a copied link restores everything.

import { lastDay, msg } from "./messages.js";
import { RULESETS as NAMES } from "./lib/rulesets.js";

const T = {
  "zh-CN": {
    pageTitle: "政策补贴估算器",
    skip: "跳到主要内容",
    product: "政策补贴估算器",
    tagline: "根据公开政策估算您可以享受的补贴",
    title: "估算您可以享受的补贴",
    lead: "选择政策、估算日期和语言，然后回答问题。结果会随您的回答即时更新，也可以复制链接分享或打印。",
    controls: "设置",
    ruleset: "政策",
    asof: "估算日期",
    asofHelp: "按这一天施行的政策版本计算。",
    covers: (periods) => `本政策的施行期间：${periods}。`,
    compareTitle: "比较两个版本",
    compareLead: "用同样的回答，对比同一政策的两个版本（例如淄博 2019 年与 2022 年的住房补贴）。",
    compareOpen: "打开比较",
    compareClose: "关闭比较",
    versionA: "版本 A",
    versionB: "版本 B",
    versionTitle: (v, from, to) => `${v} 版（${from} 至 ${to || "今"}）`,
    switchedToZibo: "比较需要有多个版本的政策，已为您切换到“淄博市 人才住房补贴”（2019 版与 2022 版）。上方的回答会同步到两个版本。",
    oneVersion: "这项政策目前只有一个版本，两侧结果相同。",
    compareSynced: "两侧使用上方表单中的回答。",
    footer: "估算依据公开报道和政策文件整理，仅供参考，不构成审批决定。",
    embedLink: "嵌入示例：政府门户网站中的计算器",
  },
  en: {
    pageTitle: "Subsidy estimator",
    skip: "Skip to main content",
    product: "Subsidy estimator",
    tagline: "Estimate the subsidies you may receive under published policies",
    title: "Estimate the subsidies you may receive",
    lead: "Choose a policy, a date and a language, then answer the questions. The estimate updates as you answer; you can copy a link to share it, or print it.",
    controls: "Settings",
    ruleset: "Policy",
    asof: "Estimate as of",
    asofHelp: "The version of the policy in force on this day is used.",
    covers: (periods) => `This policy covers ${periods}.`,
    compareTitle: "Compare two versions",
    compareLead: "The same answers under two versions of one policy (for example Zibo's housing subsidies of 2019 and 2022).",
    compareOpen: "Open the comparison",
    compareClose: "Close the comparison",
    versionA: "Version A",
    versionB: "Version B",
    versionTitle: (v, from, to) => `${v} (${from} to ${to || "now"})`,
    switchedToZibo: "A comparison needs a policy with several versions, so the policy is now Zibo talent housing subsidies (2019 and 2022). Your answers above are used for both.",
    oneVersion: "This policy has only one version, so both sides are the same.",
    compareSynced: "Both sides use the answers from the form above.",
    footer: "Estimates are compiled from published reports and policy documents, for reference only; they are not decisions.",
    embedLink: "Embedding example: the calculator in a government portal",
  },
};

const RULESETS = Object.keys(NAMES);
const $ = (id) => document.getElementById(id);
const calc = $("calc");
const rulesetSel = $("ruleset");
const asofInput = $("asof");
const langSel = $("lang");
const toggle = $("compare-toggle");
const body = $("compare-body");
const note = $("compare-note");
const selA = $("version-a");
const selB = $("version-b");

const bundleUrl = (id) => `rules/${id}.json`;
const validDate = (s) => (s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)) ? s : null);
const normLang = (l) => (String(l || "").toLowerCase().startsWith("en") ? "en" : "zh-CN");
const t = (key, ...p) => {
  const v = T[state.lang][key] ?? T["zh-CN"][key];
  return typeof v === "function" ? v(...p) : v;
};

function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

const params = new URLSearchParams(location.search);
const state = {
  rules: RULESETS.includes(params.get("rules")) ? params.get("rules") : "baotou-rare-earth-zone",
  lang: params.has("lang") ? normLang(params.get("lang")) : "zh-CN",
  asof: validDate(params.get("asof")),
  compare: params.get("compare") === "1",
};
let compareEls = null; // [elementA, elementB] once the comparison is opened
let noteKey = null;

/** Query string ← state; the hash (the element's answers) is kept. */
function writeUrl() {
  const url = new URL(location.href);
  const q = url.searchParams;
  q.set("rules", state.rules);
  q.set("lang", state.lang);
  if (state.asof) q.set("asof", state.asof);
  else q.delete("asof");
  if (state.compare) q.set("compare", "1");
  else q.delete("compare");
  if (url.href !== location.href) history.replaceState(history.state, "", url.href);
}

function setAttrs(el) {
  el.setAttribute("rules", bundleUrl(state.rules));
  el.setAttribute("lang", state.lang);
  if (state.asof) el.setAttribute("as-of", state.asof);
  else el.removeAttribute("as-of");
}

function renderTexts() {
  document.documentElement.lang = state.lang;
  document.title = t("pageTitle");
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const v = t(el.dataset.i18n);
    if (typeof v === "string") el.textContent = v;
  }
  for (const opt of rulesetSel.options) opt.textContent = NAMES[opt.value]?.[state.lang] ?? opt.value;
  toggle.textContent = t(state.compare ? "compareClose" : "compareOpen");
  note.textContent = noteKey ? t(noteKey) : "";
  renderVersionOptions();
  if (calc.versions?.length) renderCoverage();
}

// ------------------------------------------------------------------ comparison

function versionsOf() {
  return calc.versions || [];
}

function renderVersionOptions() {
  const versions = versionsOf();
  for (const [sel, heading] of [[selA, $("compare-a-title")], [selB, $("compare-b-title")]]) {
    const keep = sel.value;
    sel.replaceChildren(...versions.map((v) => {
      const o = document.createElement("option");
      o.value = v.version;
      o.textContent = t("versionTitle", v.version, v.effective_from, v.effective_to);
      return o;
    }));
    if (versions.some((v) => v.version === keep)) sel.value = keep;
    const v = versions.find((x) => x.version === sel.value);
    heading.textContent = `${sel === selA ? t("versionA") : t("versionB")}${v ? (state.lang === "en" ? ": " : "：") + t("versionTitle", v.version, v.effective_from, v.effective_to) : ""}`;
  }
}

function pickDefaultVersions() {
  const versions = versionsOf();
  if (!versions.length) return;
  renderVersionOptions();
  selA.value = versions[0].version;
  selB.value = versions[versions.length - 1].version;
  renderVersionOptions();
  if (versions.length < 2 && noteKey !== "switchedToZibo") noteKey = "oneVersion";
  else if (noteKey === "oneVersion") noteKey = "compareSynced";
  note.textContent = noteKey ? t(noteKey) : "";
  applyVersions();
}

function applyVersions() {
  if (!compareEls) return;
  compareEls[0].setAttribute("version", selA.value);
  compareEls[1].setAttribute("version", selB.value);
}

function sameAnswers(a, b) {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.is(a[k], b[k]));
}

function syncCompareAnswers() {
  if (!compareEls) return;
  const answers = calc.answers;
  for (const el of compareEls) if (!sameAnswers(el.answers, answers)) el.answers = answers;
}

function buildCompare() {
  compareEls = [$("compare-a"), $("compare-b")].map((col) => {
    const el = document.createElement("subsidy-calculator");
    setAttrs(el);
    el.setAttribute("results-only", "");
    el.answers = calc.answers;
    col.appendChild(el);
    return el;
  });
}

function openCompare(open) {
  state.compare = open;
  toggle.setAttribute("aria-expanded", String(open));
  toggle.textContent = t(open ? "compareClose" : "compareOpen");
  body.hidden = !open;
  writeUrl();
  if (!open) return;
  if (versionsOf().length < 2 && calc.ruleSet) {
    // only Zibo has two versions: switch to it so the comparison shows something
    noteKey = "switchedToZibo";
    setRules("zibo");
  } else if (!noteKey) {
    noteKey = "compareSynced";
  }
  note.textContent = noteKey ? t(noteKey) : "";
  if (!compareEls) {
    buildCompare();
    if (calc.ruleSet === state.rules) pickDefaultVersions();
  }
}

// ------------------------------------------------------------------ controls

function setRules(id) {
  state.rules = id;
  rulesetSel.value = id;
  setAttrs(calc);
  if (compareEls) compareEls.forEach(setAttrs);
  writeUrl();
}

rulesetSel.addEventListener("change", () => {
  if (noteKey === "switchedToZibo") noteKey = "compareSynced";
  setRules(rulesetSel.value);
});

asofInput.addEventListener("change", () => {
  state.asof = validDate(asofInput.value);
  for (const el of [calc, ...(compareEls || [])]) setAttrs(el);
  writeUrl();
});

langSel.addEventListener("change", () => {
  state.lang = normLang(langSel.value);
  for (const el of [calc, ...(compareEls || [])]) setAttrs(el);
  renderTexts();
  writeUrl();
});

toggle.addEventListener("click", () => openCompare(!state.compare));
selA.addEventListener("change", () => {
  applyVersions();
  renderVersionOptions();
});
selB.addEventListener("change", () => {
  applyVersions();
  renderVersionOptions();
});

/** The date picker says which days the chosen policy covers, and offers only those. */
function renderCoverage() {
  const versions = calc.versions;
  const help = $("asof-help");
  if (!versions.length) {
    help.textContent = t("asofHelp");
    return;
  }
  const from = versions[0].effective_from;
  const to = versions[versions.length - 1].effective_to;
  const period = msg(state.lang, "period", from, to);
  help.textContent = `${t("asofHelp")} ${t("covers", period)}`;
  asofInput.min = from;
  if (to) asofInput.max = lastDay(to);
  else asofInput.removeAttribute("max");
}

calc.addEventListener("rules-loaded", (e) => {
  if (e.target !== calc) return;
  renderCoverage();
  if (compareEls) pickDefaultVersions();
  else renderVersionOptions();
});
calc.addEventListener("estimate", (e) => {
  if (e.target === calc) syncCompareAnswers();
});

// ------------------------------------------------------------------ start

rulesetSel.value = state.rules;
langSel.value = state.lang;
asofInput.value = state.asof || today();
setAttrs(calc);
renderTexts();
writeUrl();
// the element is defined after its attributes are set, so it loads the right bundle once
await import("./dist/subsidy-calculator.js");
if (state.compare) {
  await calc.ready;
  openCompare(true);
}
