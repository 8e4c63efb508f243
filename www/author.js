// The authoring page (author.html): every version file and test file of a rule set in tabs,
// edited with CodeMirror 6; as you type, the same loader, checks, test runner and diff as the
// CLI run in the browser (the authoring wasm, www/pkg-author), the problems are underlined at
// their line and column and listed, and the <subsidy-calculator> beside the editor runs on the
// edited rules. Nothing leaves the browser. Bundled by scripts/release.mjs into dist/author.js.

import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { StreamLanguage, syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";
import { toml } from "@codemirror/legacy-modes/mode/toml";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import { RULESETS } from "./lib/rulesets.js";

const GLUE = new URL("../pkg-author/subsidy_calc.js", import.meta.url);
const RULES = new URL("../rules/", import.meta.url);
const DEBOUNCE_MS = 30;

const T = {
  "zh-CN": {
    pageTitle: "规则编辑器 — 政策补贴估算器",
    title: "规则编辑器",
    lead: "修改规则文件，错误会立即标出；旁边是按这些规则运行的估算器，测试用例也会自动运行。所有内容只在您的浏览器里，不会上传。",
    skip: "跳到编辑器",
    home: "政策补贴估算器",
    set: "规则集",
    template: "从模板开始（新政策）",
    files: "文件",
    downloadFile: "下载这个文件",
    downloadAll: "下载全部规则文件",
    downloadBundle: "下载编译后的规则包",
    problems: "问题",
    noProblems: "没有问题。",
    nProblems: (n) => `${n} 个问题：`,
    tests: "测试用例",
    noTests: "没有测试用例。",
    testsNotRun: "规则文件有问题，测试用例没有运行。",
    expected: "不符合：",
    diff: "与已发布版本相比",
    diffNone: "与已发布的版本相同。",
    diffNew: "这是新的规则集，没有已发布的版本可以比较。",
    diffVersion: (v) => `版本 ${v}`,
    preview: "预览",
    tabErrors: (n) => `（${n} 个问题）`,
    loading: "正在加载……",
    loadFailed: "无法加载规则编辑器。请刷新页面重试。",
  },
  en: {
    pageTitle: "Rule editor — Subsidy estimator",
    title: "Rule editor",
    lead: "Edit the rule files: problems are marked as you type, the calculator beside them runs on these rules and the test cases run too. Everything stays in your browser; nothing is uploaded.",
    skip: "Skip to the editor",
    home: "Subsidy estimator",
    set: "Rule set",
    template: "Start from a template (a new policy)",
    files: "Files",
    downloadFile: "Download this file",
    downloadAll: "Download all rule files",
    downloadBundle: "Download the compiled bundle",
    problems: "Problems",
    noProblems: "No problems.",
    nProblems: (n) => `${n} problem${n === 1 ? "" : "s"}:`,
    tests: "Test cases",
    noTests: "No test cases.",
    testsNotRun: "The rule files have problems, so the test cases did not run.",
    expected: "Did not match: ",
    diff: "Compared with the published version",
    diffNone: "The same as the published version.",
    diffNew: "A new rule set: there is no published version to compare with.",
    diffVersion: (v) => `Version ${v}`,
    preview: "Preview",
    tabErrors: (n) => ` (${n} problem${n === 1 ? "" : "s"})`,
    loading: "Loading…",
    loadFailed: "The rule editor could not load. Reload the page to try again.",
  },
};

const TEMPLATE = {
  set: "my-policy",
  files: [
    {
      name: "2025.toml",
      text: `# A new policy: replace every text, figure and source with the published one.
format = 1
rule_set = "my-policy"
version = "2025"
name = { zh-CN = "新政策", en = "A new policy" }
jurisdiction = { zh-CN = "某地", en = "Somewhere" }
currency = "CNY"
effective_from = 2025-01-01

[money]
scale = 2
rounding = "half_up"

[[sources]]
id = "clause-1"
title = "The published notice"
issuer = "The issuing office"
quote = "Postdocs in station get 10,000 yuan a year for two years."

[[questions]]
id = "in_station"
type = "bool"
label = { zh-CN = "您是在站博士后吗？", en = "Are you a postdoc in station?" }
source = "clause-1"

[[payers]]
id = "city"
name = { zh-CN = "市财政", en = "City finances" }

[[programs]]
id = "living_allowance"
name = { zh-CN = "生活补贴", en = "Living allowance" }
kind = "cash"
payers = ["city"]
source = "clause-1"

[[programs.conditions]]
when = "in_station"
text = { zh-CN = "在站博士后", en = "A postdoc in station" }
source = "clause-1"

[programs.per_year]
amount = "10000.00"
years = "2"
payer = "city"
source = "clause-1"
`,
    },
  ],
  tests: [
    {
      name: "tests/cases.toml",
      text: `[[cases]]
name = "a postdoc in station gets 10,000 a year for two years"
source = "clause-1"
as_of = 2025-06-01
answers = { in_station = true }
[cases.expect]
total = "20000.00"
`,
    },
  ],
};

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const state = {
  lang: params.get("lang") === "en" ? "en" : "zh-CN",
  set: null,
  files: [], // { name, kind: "rules" | "tests", state: EditorState }
  active: 0,
  shipped: null, // the published bundle's JSON text, when the set is a shipped one
  author: null, // the authoring engine's session on the open set (the published set read once)
  result: null,
  bundle: null,
  blobUrl: null,
  checks: 0,
  lastCheckMs: 0,
};
let Author = null;
let view = null;
let timer = null;
let checked = null; // resolves when the check of the current texts is shown

const t = (key, ...a) => {
  const v = T[state.lang][key];
  return typeof v === "function" ? v(...a) : v;
};

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c);
  return el;
}

// ------------------------------------------------------------------ editor

function editorState(text) {
  return EditorState.create({
    doc: text,
    extensions: [
      lineNumbers(),
      history(),
      drawSelection(),
      highlightActiveLine(),
      lintGutter(),
      StreamLanguage.define(toml),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      keymap.of([...defaultKeymap, ...historyKeymap]),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ "aria-label": "" }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) schedule();
      }),
    ],
  });
}

function showFile(i, focus = false) {
  if (view) state.files[state.active].state = view.state;
  state.active = i;
  const f = state.files[i];
  if (!view) view = new EditorView({ state: f.state, parent: $("editor") });
  else view.setState(f.state);
  view.contentDOM.setAttribute("aria-label", f.name);
  $("panel").setAttribute("aria-labelledby", `tab-${i}`);
  renderTabs();
  showDiagnostics();
  if (focus) view.focus();
}

function text(i) {
  return i === state.active && view ? view.state.doc.toString() : state.files[i].state.doc.toString();
}

function renderTabs() {
  const tabs = $("tabs");
  tabs.replaceChildren();
  const counts = new Map();
  for (const p of state.result?.problems ?? []) counts.set(p.file, (counts.get(p.file) ?? 0) + 1);
  state.files.forEach((f, i) => {
    const selected = i === state.active;
    const n = counts.get(f.name) ?? 0;
    tabs.append(h("button", {
      type: "button", role: "tab", id: `tab-${i}`, "aria-selected": String(selected), "aria-controls": "panel",
      tabindex: selected ? "0" : "-1", "data-file": f.name,
      onclick: () => showFile(i, true),
      onkeydown: (e) => {
        const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (!step) return;
        e.preventDefault();
        const j = (i + step + state.files.length) % state.files.length;
        showFile(j);
        $(`tab-${j}`).focus();
      },
    }, f.name, n ? h("span", { class: "tab-errors" }, t("tabErrors", n)) : null));
  });
}

/** The offset of a 1-based line and column (characters) in the editor's document. */
function offsetOf(doc, line, column) {
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  return Math.min(l.from + Math.max(column - 1, 0), l.to);
}

function showDiagnostics() {
  if (!view) return;
  const name = state.files[state.active].name;
  const doc = view.state.doc;
  const diags = (state.result?.problems ?? []).filter((p) => p.file === name).map((p) => {
    const from = p.line ? offsetOf(doc, p.line, p.column ?? 1) : 0;
    const to = p.line ? doc.lineAt(from).to : Math.min(doc.length, 1);
    return { from, to: Math.max(to, from), severity: "error", message: p.message };
  });
  view.dispatch(setDiagnostics(view.state, diags));
}

// ------------------------------------------------------------------ checking

function schedule() {
  clearTimeout(timer);
  let resolve;
  checked = new Promise((r) => (resolve = r));
  timer = setTimeout(() => {
    check();
    resolve();
  }, DEBOUNCE_MS);
}

function check() {
  const t0 = performance.now();
  const filesOf = (kind) => state.files.flatMap((f, i) => (f.kind === kind ? [{ name: f.name, text: text(i) }] : []));
  try {
    state.result = state.author.check(state.set, filesOf("rules"), filesOf("tests"), state.lang);
  } catch (e) {
    state.result = { problems: [{ file: "", line: null, column: null, field: "", message: String(e?.message ?? e) }], bundle: null, tests: null, diff: [] };
  }
  state.checks += 1;
  renderTabs();
  showDiagnostics();
  renderProblems();
  renderTests();
  renderDiff();
  updatePreview(state.result.bundle);
  state.lastCheckMs = performance.now() - t0;
}

function jumpTo(p) {
  const i = state.files.findIndex((f) => f.name === p.file);
  if (i < 0) return;
  showFile(i);
  if (p.line) {
    const at = offsetOf(view.state.doc, p.line, p.column ?? 1);
    view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
  }
  view.focus();
}

function place(p) {
  return p.line ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
}

function renderProblems() {
  const list = $("problems");
  const problems = state.result?.problems ?? [];
  $("problems-summary").textContent = problems.length ? t("nProblems", problems.length) : t("noProblems");
  list.replaceChildren(...problems.map((p) => h("li", null,
    h("button", { type: "button", class: "problem", "data-file": p.file, "data-line": p.line ?? "", onclick: () => jumpTo(p) },
      `${place(p)}: ${p.message}`))));
}

function renderTests() {
  const list = $("tests");
  const tests = state.result?.tests;
  if (!tests) {
    $("tests-summary").textContent = t("testsNotRun");
    list.replaceChildren();
    return;
  }
  $("tests-summary").textContent = tests.cases.length || tests.failed ? tests.summary : t("noTests");
  list.replaceChildren(...tests.cases.map((c) => h("li", { class: c.failures.length ? "fail" : "ok", "data-case": c.name },
    `${c.file} :: ${c.name}`,
    c.failures.length ? h("ul", { class: "case-failure", "aria-label": t("expected") }, c.failures.map((x) => h("li", null, x))) : null)));
}

function renderDiff() {
  const box = $("diff");
  if (!state.shipped) {
    box.replaceChildren(h("p", null, t("diffNew")));
    return;
  }
  const changed = (state.result?.diff ?? []).filter((d) => d.lines.length);
  if (!state.result?.bundle) {
    box.replaceChildren();
    return;
  }
  if (!changed.length) {
    box.replaceChildren(h("p", { "data-diff": "none" }, t("diffNone")));
    return;
  }
  box.replaceChildren(...changed.map((d) => [h("h3", null, t("diffVersion", d.version)), h("ul", { "data-diff": d.version }, d.lines.map((l) => h("li", null, l)))]).flat());
}

/** The preview runs on the compiled bundle; the element frees the calculator it replaces. */
function updatePreview(bundle) {
  if (!bundle || bundle === state.bundle) return;
  state.bundle = bundle;
  const old = state.blobUrl;
  state.blobUrl = URL.createObjectURL(new Blob([bundle], { type: "application/json" }));
  const el = $("preview");
  if (old) el.addEventListener("rules-loaded", () => URL.revokeObjectURL(old), { once: true });
  el.setAttribute("rules", state.blobUrl);
}

// ------------------------------------------------------------------ files in and out

function download(name, body, type) {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const a = h("a", { href: url, download: name.split("/").pop() });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function openSet(set) {
  let doc;
  state.shipped = null;
  if (set && RULESETS[set]) {
    const [src, bundle] = await Promise.all([fetch(new URL(`src/${set}.json`, RULES)), fetch(new URL(`${set}.json`, RULES))]);
    doc = await src.json();
    state.shipped = await bundle.text();
  } else {
    doc = TEMPLATE;
    set = TEMPLATE.set;
  }
  state.set = set;
  // the published set is read once per opened set, not on every check
  state.author?.free();
  state.author = new Author(state.shipped);
  state.files = [
    ...doc.files.map((f) => ({ name: f.name, kind: "rules", state: editorState(f.text) })),
    ...doc.tests.map((f) => ({ name: f.name.startsWith("tests/") ? f.name : `tests/${f.name}`, kind: "tests", state: editorState(f.text) })),
  ];
  state.bundle = null;
  state.active = 0;
  showFile(0);
  check();
  const q = new URLSearchParams(location.search);
  q.set("set", RULESETS[set] ? set : "template");
  window.history.replaceState(null, "", `?${q}`);
}

function renderTexts() {
  document.documentElement.lang = state.lang;
  document.title = t("pageTitle");
  for (const [id, key] of [["title", "title"], ["lead", "lead"], ["skip", "skip"], ["home", "home"], ["set-label", "set"], ["files-title", "files"],
    ["download-file", "downloadFile"], ["download-all", "downloadAll"], ["download-bundle", "downloadBundle"], ["problems-title", "problems"],
    ["tests-title", "tests"], ["diff-title", "diff"], ["preview-title", "preview"]]) $(id).textContent = t(key);
  const sel = $("set");
  const current = sel.value || state.set;
  sel.replaceChildren(...Object.entries(RULESETS).map(([id, names]) => h("option", { value: id }, names[state.lang])), h("option", { value: "template" }, t("template")));
  sel.value = current ?? "baotou-rare-earth-zone";
  $("lang").value = state.lang;
  $("preview").setAttribute("lang", state.lang);
}

async function main() {
  renderTexts();
  try {
    const mod = await import(GLUE.href);
    const exports = await mod.default();
    Author = mod.Author;
    window.subsidyAuthor.memory = () => exports.memory.buffer.byteLength;
  } catch {
    $("problems-summary").textContent = t("loadFailed");
    return;
  }
  const wanted = params.get("set");
  const set = wanted && (RULESETS[wanted] || wanted === "template") ? wanted : "baotou-rare-earth-zone";
  $("set").value = set;
  await openSet(set === "template" ? null : set);
  $("set").addEventListener("change", () => openSet($("set").value === "template" ? null : $("set").value));
  $("lang").addEventListener("change", () => {
    state.lang = $("lang").value === "en" ? "en" : "zh-CN";
    renderTexts();
    check();
  });
  $("download-file").addEventListener("click", () => download(state.files[state.active].name, text(state.active), "application/toml"));
  $("download-all").addEventListener("click", () => state.files.forEach((f, i) => download(f.name, text(i), "application/toml")));
  $("download-bundle").addEventListener("click", () => state.result?.bundle && download(`${state.set}.json`, state.result.bundle, "application/json"));
  document.body.dataset.ready = "1";
}

// For tests and measurements: replace a file's text as typing would, and wait for the check.
window.subsidyAuthor = {
  state,
  async setText(name, next) {
    const i = state.files.findIndex((f) => f.name === name);
    if (i < 0) throw new Error(`no file ${name}`);
    if (i !== state.active) showFile(i);
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next } });
    await checked;
  },
  text: (name) => text(state.files.findIndex((f) => f.name === name)),
  /** Opens `name` and puts the cursor just after the first `needle` in it, as a click would. */
  cursorAfter(name, needle) {
    const i = state.files.findIndex((f) => f.name === name);
    showFile(i);
    const at = view.state.doc.toString().indexOf(needle);
    if (at < 0) throw new Error(`${needle} is not in ${name}`);
    view.dispatch({ selection: { anchor: at + needle.length }, scrollIntoView: true });
    view.focus();
  },
  settled: () => checked,
};

main();
