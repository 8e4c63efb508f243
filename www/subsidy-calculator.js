// <subsidy-calculator> — an embeddable estimate of government subsidies, computed by the
// subsidy-calc rule engine (WebAssembly) from a compiled rule bundle.
//
//   <script type="module" src="subsidy-calculator.js"></script>
//   <subsidy-calculator rules="rules/baotou-rare-earth-zone.json" lang="zh-CN"></subsidy-calculator>
//
// Attributes: rules (bundle URL, resolved against the document), lang ("zh-CN" | "en"),
//   as-of ("YYYY-MM-DD", default today), version (pin a version), sync-url (keep the answers in
//   the page URL, #a=…; a value names another hash parameter), results-only (no form: show the
//   answers used and the results, e.g. for a side-by-side comparison), form (the id of a form
//   of the host page whose controls are named by question id: the element reads its answers
//   from that form and shows only the results).
// Properties: answers (get: a copy; set: replace and re-render), versions (calc.versions()),
//   ruleSet, estimate (the last estimate or null), ready (a promise settled after the current
//   bundle is loaded and rendered).
// Events (bubbling, composed): "estimate" (detail = the estimate object) after every change,
//   "estimate-error" (detail = {kind, message, …}) when no estimate is possible, "rules-loaded"
//   (detail = {ruleSet, versions}).
//
// Built for a strict CSP (default-src 'self'; style-src 'self'): no inline styles, no <style>,
// no innerHTML; the stylesheet is a <link> next to this module. Theming: CSS custom properties
// and ::part(), see subsidy-calculator.css.

import { h, clear, attr, setText } from "./lib/dom.js";
import { getEngine, replaceEngine, engineEvents, isEngineCrash } from "./lib/engine.js";
import { reconcileFields } from "./lib/form.js";
import { renderTotal, renderPrograms, totalTexts, changeText, sourceItem } from "./lib/results.js";
import { answersFromUrl, urlWithAnswers, replaceUrl } from "./lib/url-state.js";
import { msg, normalizeLang } from "./messages.js";
import { integrityFor } from "./lib/integrity.js";

const RELEASE_ROOT = new URL("./", import.meta.url);

const CSS_URL = new URL("./subsidy-calculator.css", import.meta.url);
const DEFAULT_RULES = new URL("./rules/baotou-rare-earth-zone.json", import.meta.url);
const TEXT_SIZES = ["normal", "large", "xlarge"];
const TEXT_SIZE_KEY = "subsidy-calculator.text-size";

/** The text size the visitor chose last time (any element, any page of this site). */
function storedTextSize() {
  try {
    const v = localStorage.getItem(TEXT_SIZE_KEY);
    return TEXT_SIZES.includes(v) ? v : "normal";
  } catch {
    return "normal"; // storage blocked
  }
}
const TAG = "subsidy-calculator";

let instanceCount = 0;

function plainAnswers(v) {
  const out = {};
  if (!v || typeof v !== "object" || Array.isArray(v)) return out;
  for (const [k, x] of Object.entries(v)) if (x !== undefined && x !== null) out[k] = x;
  return out;
}

function sameAnswers(a, b) {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && Object.is(a[k], b[k]));
}

export class SubsidyCalculator extends HTMLElement {
  static get observedAttributes() {
    return ["rules", "lang", "as-of", "version", "sync-url", "results-only", "form"];
  }

  constructor() {
    super();
    this._n = ++instanceCount;
    this._answers = {};
    this._formErrors = {};
    this._fields = new Map();
    this._labelCache = new Map(); // lang → Map(question id → label)
    this._openWhy = new Set();
    this._alerts = {}; // slot → [messageKey, ...params]
    this._calc = null;
    this._engine = null;
    this._bundleText = null;
    this._versions = [];
    this._ruleSet = null;
    this._estimate = null;
    this._state = "idle";
    this._loadGen = 0;
    this._answersSetByProperty = false;
    this._restoredUrl = false;
    this._lastKey = null;
    this._lastResultsKey = null;
    this._lastAlertKey = null;
    this._newReady();

    const root = this.attachShadow({ mode: "open" });
    this._buildSkeleton(root);

    this._onHashChange = () => this._hashChanged();
    this._onBeforePrint = () => this._printOpen(true);
    this._onAfterPrint = () => this._printOpen(false);
    this._onEngineReplaced = (e) => {
      if (this._engine && this._engine.gen === e.detail.broken && !this._recovering) this._recover(false);
    };
  }

  // ------------------------------------------------------------------ public API

  get answers() {
    return { ...this._answers };
  }

  set answers(v) {
    const next = plainAnswers(v);
    this._answersSetByProperty = true;
    this._answers = next;
    this._formErrors = {};
    delete this._alerts.link;
    delete this._alerts.crash;
    if (this._state === "ready") this._update({ force: true, syncInputs: true });
  }

  /** The versions of the loaded rule set (calc.versions()); [] before it loads. */
  get versions() {
    return this._versions.map((v) => ({ ...v }));
  }

  get ruleSet() {
    return this._ruleSet;
  }

  /** Bytes of wasm memory the engine has now (wasm memory never shrinks: a diagnostic). */
  get engineMemory() {
    return this._engine?.memory?.buffer.byteLength ?? 0;
  }

  get estimate() {
    return this._estimate;
  }

  /** Settles once the current bundle is loaded and the first estimate rendered (or failed). */
  get ready() {
    return this._ready;
  }

  // ------------------------------------------------------------------ lifecycle

  connectedCallback() {
    this._bindHostForm();
    window.addEventListener("hashchange", this._onHashChange);
    window.addEventListener("beforeprint", this._onBeforePrint);
    window.addEventListener("afterprint", this._onAfterPrint);
    engineEvents.addEventListener("replaced", this._onEngineReplaced);
    if (this._state === "idle") {
      // start fetching and compiling the engine now; _load (a microtask later) awaits it
      getEngine().catch(() => {});
      this._scheduleLoad();
    }
  }

  disconnectedCallback() {
    this._unbindHostForm();
    window.removeEventListener("hashchange", this._onHashChange);
    window.removeEventListener("beforeprint", this._onBeforePrint);
    window.removeEventListener("afterprint", this._onAfterPrint);
    engineEvents.removeEventListener("replaced", this._onEngineReplaced);
  }

  attributeChangedCallback(name, oldValue, value) {
    if (oldValue === value) return;
    if (name === "rules") {
      if (this.isConnected || this._state !== "idle") this._scheduleLoad();
      return;
    }
    if (name === "form") {
      this._unbindHostForm();
      if (this.isConnected) this._bindHostForm();
    }
    if (name === "lang") this._renderStatic();
    if (name === "results-only") this._root.classList.toggle("results-only", this.hasAttribute("results-only"));
    this._scheduleUpdate();
  }

  // ------------------------------------------------------------------ skeleton

  _buildSkeleton(root) {
    this._root = h("div", { class: "sc", part: "container", hidden: true });
    const reveal = () => {
      this._root.hidden = false;
    };
    const link = h("link", { rel: "stylesheet", href: CSS_URL.href });
    link.addEventListener("load", reveal);
    link.addEventListener("error", reveal);
    setTimeout(reveal, 3000);

    this._loading = h("p", { class: "loading", part: "loading", role: "status" });
    this._alertBox = h("div", { class: "alerts" });
    this._title = h("h2", { class: "title", part: "title" });
    this._meta = h("p", { class: "meta", part: "meta" });
    this._textSizeLabel = h("span", { class: "text-size-label", id: "text-size-label" });
    this._textSizeButtons = TEXT_SIZES.map((size) =>
      h("button", { type: "button", class: ["btn", "btn-small", "text-size-btn"], "data-size": size, onclick: () => this._setTextSize(size, true) }));
    this._textSize = h("div", { class: "text-size", part: "text-size", role: "group", "aria-labelledby": "text-size-label" },
      this._textSizeLabel, ...this._textSizeButtons);
    this._header = h("header", { class: "head", part: "header" }, this._title, this._meta);
    this._unsupportedBox = h("div", { class: "unsupported-slot" });

    this._formTitle = h("h3", { id: "form-title", class: "section-title" });
    this._formIntro = h("p", { class: "intro" });
    this._fieldsBox = h("div", { class: "fields" });
    this._otherErrors = h("div", { class: "other-errors" });
    this._form = h("form", { class: "form", part: "form", novalidate: true, "aria-labelledby": "form-title" },
      this._formTitle, this._formIntro, this._fieldsBox, this._otherErrors);
    this._form.addEventListener("submit", (e) => e.preventDefault());
    this._form.addEventListener("input", (e) => this._onInput(e));
    this._form.addEventListener("change", (e) => this._onInput(e));

    this._resultsTitle = h("h3", { id: "results-title", class: "section-title" });
    this._totalSlot = h("div", { class: "total-slot" });
    this._live = h("p", { class: "visually-hidden live", role: "status", "aria-live": "polite", "aria-atomic": "true" });
    this._programs = h("div", { class: "programs" });
    this._programs.addEventListener("toggle", (e) => {
      const d = e.target;
      if (!(d instanceof HTMLDetailsElement) || !d.dataset.why) return;
      if (d.open) this._openWhy.add(d.dataset.why);
      else this._openWhy.delete(d.dataset.why);
    }, true);
    this._summary = h("section", { class: "answers-summary", part: "answers", "aria-labelledby": "answers-title" });
    this._note = h("p", { class: "note", part: "note" });

    this._copyBtn = h("button", { type: "button", class: "btn", part: "copy-link", onclick: () => this._copyLink() });
    this._printBtn = h("button", { type: "button", class: "btn", part: "print", onclick: () => window.print() });
    this._resetBtn = h("button", { type: "button", class: "btn btn-secondary", part: "reset", onclick: () => this._reset() });
    this._actionStatus = h("div", { class: "action-status", role: "status" });
    this._actions = h("div", { class: "actions", part: "actions" },
      h("div", { class: "buttons" }, this._copyBtn, this._printBtn, this._resetBtn), this._actionStatus);

    this._results = h("section", { class: "results", part: "results", "aria-labelledby": "results-title" },
      this._resultsTitle, this._totalSlot, this._live, this._summary, this._programs, this._note, this._actions);
    this._layout = h("div", { class: "layout", hidden: true }, this._form, this._results);
    this._root.append(this._textSize, this._loading, this._alertBox, this._header, this._unsupportedBox, this._layout);
    root.append(link, this._root);
    this._setTextSize(storedTextSize(), false);
    this._renderStatic();
  }

  _lang() {
    return normalizeLang(this.getAttribute("lang"));
  }

  _asOf() {
    return this.getAttribute("as-of") || undefined;
  }

  _version() {
    return this.getAttribute("version") || undefined;
  }

  _urlKey() {
    const v = this.getAttribute("sync-url");
    return v && /^[A-Za-z0-9_-]+$/.test(v) ? v : "a";
  }

  /** Texts that do not depend on the estimate. */
  _renderStatic() {
    const lang = this._lang();
    this._root.setAttribute("lang", lang);
    this._root.classList.toggle("results-only", this.hasAttribute("results-only"));
    setText(this._loading, msg(lang, "loading"));
    setText(this._formTitle, msg(lang, "formTitle"));
    setText(this._formIntro, msg(lang, "formIntro"));
    setText(this._resultsTitle, msg(lang, "resultsTitle"));
    setText(this._note, msg(lang, "disclaimer"));
    setText(this._copyBtn, msg(lang, "copyLink"));
    setText(this._printBtn, msg(lang, "print"));
    setText(this._resetBtn, msg(lang, "reset"));
    setText(this._textSizeLabel, msg(lang, "textSize"));
    for (const b of this._textSizeButtons) setText(b, msg(lang, "textSizes")[b.dataset.size]);
    clear(this._actionStatus);
    this._renderAlerts();
    if (this._state === "unsupported") this._renderUnsupported();
  }

  /** Normal, large or extra large text (and remembered, when `remember`). */
  _setTextSize(size, remember) {
    this._textSizeNow = size;
    for (const s of TEXT_SIZES) this._root.classList.toggle(`size-${s}`, s === size);
    for (const b of this._textSizeButtons) b.setAttribute("aria-pressed", String(b.dataset.size === size));
    if (remember) {
      try {
        localStorage.setItem(TEXT_SIZE_KEY, size);
      } catch {
        /* storage blocked: this page only */
      }
    }
  }

  // ------------------------------------------------------------------ without WebAssembly

  /**
   * Without a working engine (no WebAssembly, or it is blocked): the policy as the bundle gives
   * it — name, summary, programs, where to apply, the quoted sources — read in plain JS.
   */
  _showUnsupported(text) {
    let bundle = null;
    try {
      bundle = JSON.parse(text);
    } catch {
      bundle = null;
    }
    const versions = Array.isArray(bundle?.versions) ? bundle.versions.map((x) => x?.rules).filter((r) => r && typeof r === "object") : [];
    if (!versions.length) return false;
    this._unsupported = versions;
    this._state = "unsupported";
    this._loading.hidden = true;
    this._layout.hidden = true;
    this._header.hidden = true;
    this._renderUnsupported();
    this.dispatchEvent(new CustomEvent("estimate-error", { bubbles: true, composed: true, detail: { kind: "unsupported", message: "no WebAssembly" } }));
    this._resolveReady();
    return true;
  }

  _renderUnsupported() {
    const lang = this._lang();
    const t = (x) => (x && typeof x === "object" ? String(x[lang] ?? x["zh-CN"] ?? "") : "");
    const day = this._asOf() ?? new Date().toISOString().slice(0, 10);
    const ordered = [...this._unsupported].sort((a, b) => String(a.effective_from).localeCompare(String(b.effective_from)));
    const v = ordered.filter((x) => String(x.effective_from) <= day).pop() ?? ordered[0];
    const programs = Array.isArray(v.programs) ? v.programs : [];
    const sources = Array.isArray(v.sources) ? v.sources : [];
    clear(this._unsupportedBox);
    this._unsupportedBox.append(h("section", { class: "unsupported", part: "unsupported", "aria-labelledby": "unsupported-title" },
      h("h2", { class: "title", id: "unsupported-title" }, t(v.name)),
      h("div", { class: "alert alert-unsupported", role: "alert" },
        h("p", null, h("strong", null, msg(lang, "unsupportedTitle"))),
        h("p", null, msg(lang, "unsupportedLead"))),
      v.summary ? h("p", { class: "summary" }, t(v.summary)) : null,
      h("p", { class: "apply" }, v.apply ? [msg(lang, "unsupportedApply"), t(v.apply)] : msg(lang, "unsupportedNoApply")),
      h("h3", { class: "section-title" }, msg(lang, "unsupportedPrograms")),
      h("ul", { class: "unsupported-programs" }, programs.map((p) => h("li", { "data-program": String(p.id ?? "") },
        h("strong", null, t(p.name)), p.description ? [lang === "en" ? ": " : "：", t(p.description)] : null))),
      sources.length ? h("h3", { class: "section-title" }, msg(lang, "sourcesTitle")) : null,
      sources.length ? h("ol", { class: "sources" }, sources.map((src) => sourceItem(
        { id: String(src.id ?? ""), title: String(src.title ?? ""), issuer: src.issuer, date: src.date, number: src.number, url: src.url, quote: src.quote },
        lang, false))) : null));
  }

  // ------------------------------------------------------------------ loading

  _newReady() {
    this._ready = new Promise((resolve) => {
      this._resolveReady = resolve;
    });
  }

  _scheduleLoad() {
    if (this._loadQueued) return;
    this._loadQueued = true;
    queueMicrotask(() => {
      this._loadQueued = false;
      this._load();
    });
  }

  _scheduleUpdate() {
    if (this._updateQueued || this._state !== "ready") return;
    this._updateQueued = true;
    queueMicrotask(() => {
      this._updateQueued = false;
      this._update({ force: true });
    });
  }

  async _load() {
    const gen = ++this._loadGen;
    if (this._state === "ready" || this._state === "failed") this._newReady();
    this._state = "loading";
    this._loading.hidden = false;
    delete this._alerts.load;
    this._renderAlerts();
    const src = this.getAttribute("rules");
    let url;
    try {
      url = src ? new URL(src, document.baseURI) : DEFAULT_RULES;
    } catch {
      url = null;
    }
    const shown = src || DEFAULT_RULES.pathname;
    clear(this._unsupportedBox);
    // the engine (glue, wasm compile) loads while the bundle downloads, not after it
    const enginePromise = typeof WebAssembly === "object" ? getEngine() : Promise.reject(new Error("no WebAssembly"));
    enginePromise.catch(() => {}); // reported below, once the bundle has arrived
    let text;
    try {
      if (!url) throw { kind: "network" };
      const resp = await fetch(url.href, { credentials: "same-origin", integrity: integrityFor(url, RELEASE_ROOT) });
      if (!resp.ok) throw { kind: "http", status: resp.status };
      text = await resp.text();
    } catch (e) {
      if (gen !== this._loadGen) return;
      if (e && e.kind === "http") {
        this._fail(["errHttp", e.status, shown], { kind: "http", status: e.status, url: url?.href, message: `HTTP ${e.status}` });
      } else {
        this._fail(["errLoad", shown], { kind: "network", url: url?.href, message: String(e?.message ?? e) });
      }
      return;
    }
    let engine;
    try {
      engine = await enginePromise;
    } catch (e) {
      if (gen !== this._loadGen) return;
      // no engine: the policy in words from the bundle, never a blank box
      if (this._showUnsupported(text)) return;
      this._fail(["errEngine"], { kind: "engine", message: String(e?.message ?? e) });
      return;
    }
    if (gen !== this._loadGen) return;
    let calc;
    try {
      calc = engine.mod.Calculator.fromJson(text);
    } catch (e) {
      if (isEngineCrash(e)) {
        try {
          engine = await replaceEngine(engine.gen);
          calc = engine.mod.Calculator.fromJson(text);
        } catch (e2) {
          if (gen !== this._loadGen) return;
          if (e2 && e2.kind === "rules") this._fail(["errRules"], { ...e2 });
          else this._fail(["errEngine"], { kind: "engine", message: String(e2?.message ?? e2) });
          return;
        }
      } else {
        if (gen !== this._loadGen) return;
        this._fail(["errRules"], e && typeof e === "object" ? { ...e, kind: e.kind || "rules" } : { kind: "rules", message: String(e) });
        return;
      }
    }
    if (gen !== this._loadGen) {
      calc.free?.();
      return;
    }
    const previous = this._ruleSet;
    this._freeCalc();
    this._calc = calc;
    this._engine = engine;
    this._bundleText = text;
    this._ruleSet = calc.ruleSet;
    this._versions = calc.versions();
    this._labelCache = new Map();
    this._openWhy.clear();
    delete this._alerts.crash;

    if (!this._answersSetByProperty && previous && previous !== this._ruleSet) {
      // answers of another rule set mean nothing here
      this._answers = {};
      this._formErrors = {};
    }
    if (!this._restoredUrl) {
      this._restoredUrl = true;
      if (this.hasAttribute("sync-url") && !this._answersSetByProperty) this._restoreFromUrl();
    }
    this._answersSetByProperty = false;
    this._applied = null;
    this._state = "ready";
    if (this._hostForm) this._readHostForm();
    this._loading.hidden = true;
    this._layout.hidden = false;
    this._header.hidden = false;
    this._lastKey = null;
    this._lastResultsKey = null;
    this._update({ force: true, syncInputs: true });
    this.dispatchEvent(new CustomEvent("rules-loaded", { bubbles: true, composed: true, detail: { ruleSet: this._ruleSet, versions: this.versions } }));
    this._resolveReady();
  }

  _freeCalc() {
    if (this._calc && this._engine && !this._engineBroken) {
      try {
        this._calc.free();
      } catch {
        /* already unusable */
      }
    }
    this._calc = null;
  }

  _fail(alert, detail) {
    this._state = "failed";
    this._loading.hidden = true;
    this._layout.hidden = true;
    this._header.hidden = true;
    this._estimate = null;
    this._alerts.load = alert;
    this._renderAlerts();
    this.dispatchEvent(new CustomEvent("estimate-error", { bubbles: true, composed: true, detail }));
    this._resolveReady();
  }

  // ------------------------------------------------------------------ engine calls

  /** Runs fn(calc, mod); a crash of the engine starts the recovery and yields {crashed: true}. */
  _call(fn) {
    try {
      return { ok: true, value: fn(this._calc, this._engine.mod) };
    } catch (e) {
      if (isEngineCrash(e)) {
        this._recover(true);
        return { ok: false, crashed: true, error: e };
      }
      return { ok: false, error: e };
    }
  }

  /** Replaces the broken engine, re-creates the Calculator from the same bundle, keeps answers. */
  _recover(tell) {
    if (this._recovering) return this._recovering;
    const broken = this._engine ? this._engine.gen : -1;
    this._engineBroken = true;
    this._calc = null;
    this._state = "recovering";
    if (tell) {
      this._alerts.crash = ["errCrash"];
      this._renderAlerts();
    }
    this._recovering = (async () => {
      try {
        const engine = await replaceEngine(broken);
        const calc = engine.mod.Calculator.fromJson(this._bundleText);
        this._engine = engine;
        this._calc = calc;
        this._engineBroken = false;
        this._state = "ready";
        this._lastKey = null;
        // what was typed meanwhile is in the controls
        if (this._hostForm) this._readHostForm();
        else if (this._fields.size) this._readForm(this._form, [...this._fields.keys()]);
        this._update({ force: true, syncInputs: false });
      } catch (e) {
        this._fail(["errEngine"], { kind: "engine", message: String(e?.message ?? e) });
      } finally {
        this._recovering = null;
      }
    })();
    return this._recovering;
  }

  // ------------------------------------------------------------------ input

  _onInput(e) {
    const t = e.target;
    if (!t || !t.name || !this._fields.has(t.name)) return;
    if (e.type === "input") {
      delete this._alerts.crash;
      delete this._alerts.link;
    }
    // while the engine is being replaced, the form is read once it is back
    if (this._state !== "ready") return;
    this._applied = null; // an answer typed after a suggested change: no undo of both
    this._readForm(this._form, [...this._fields.keys()]);
    this._update({});
  }

  /** Sets the answers a suggested change names (a bound of a range: the nearer one). */
  _applyChange(c) {
    const lang = this._lang();
    const before = { ...this._answers };
    for (const s of c.set) {
      let v = s.value;
      if (v === undefined) {
        const now = this._answers[s.question];
        v = s.min === undefined || (s.max !== undefined && now !== undefined && now > s.max) ? s.max : s.min;
      }
      this._answers[s.question] = v;
      delete this._formErrors[s.question];
    }
    this._applied = { before, text: changeText(c, lang) };
    this._update({ force: true, syncInputs: true });
    this._results.querySelector(".applied")?.focus({ preventScroll: false });
  }

  _undoChange() {
    if (!this._applied) return;
    this._answers = this._applied.before;
    this._applied = null;
    this._update({ force: true, syncInputs: true });
    this._showActionStatus(msg(this._lang(), "changeUndone"));
    this._totalSlot.querySelector('[part~="total"]')?.focus?.({ preventScroll: false });
  }

  /**
   * Reads the answers of `form` through the engine (calc.answersFromForm: each control by its
   * question's type, checked as the engine checks answers): the questions in `ids` take the
   * form's answer or none; other answers are kept. A control the browser itself cannot read
   * (a date or number it rejects) is that field's error.
   */
  _readForm(form, ids) {
    const lang = this._lang();
    const r = this._call((c) => c.answersFromForm(form, this._asOf(), { lang, version: this._version() }));
    if (!r.ok) return;
    const { answers, errors } = r.value;
    const formErrors = {};
    for (const e of errors) formErrors[e.field] ??= e.message;
    for (const id of ids) {
      if (Object.prototype.hasOwnProperty.call(answers, id)) this._answers[id] = answers[id];
      else delete this._answers[id];
      const field = this._fields.get(id);
      if (field?.badInput()) formErrors[id] = msg(lang, field.kind === "date" ? "vDate" : field.kind === "integer" ? "vWholeNumber" : "vNumber");
    }
    this._formErrors = formErrors;
  }

  /** With `form="ID"`: the host page's form gives the answers; the element shows the results. */
  _bindHostForm() {
    const id = this.getAttribute("form");
    const form = id ? this.ownerDocument.getElementById(id) : null;
    this._root.classList.toggle("host-form", Boolean(id));
    // answers that cannot be used are listed with the results when the form is the host's
    if (id) this._results.insertBefore(this._otherErrors, this._totalSlot);
    else this._form.appendChild(this._otherErrors);
    if (!(form instanceof HTMLFormElement)) {
      this._hostForm = null;
      return;
    }
    this._hostForm = form;
    this._onHostInput = () => {
      if (this._state !== "ready") return;
      this._readHostForm();
      this._update({});
    };
    form.addEventListener("input", this._onHostInput);
    form.addEventListener("change", this._onHostInput);
  }

  _unbindHostForm() {
    if (this._hostForm && this._onHostInput) {
      this._hostForm.removeEventListener("input", this._onHostInput);
      this._hostForm.removeEventListener("change", this._onHostInput);
    }
    this._hostForm = null;
  }

  /** The host form's answers: every question it has a control for. */
  _readHostForm() {
    const names = new Set([...this._hostForm.elements].map((e) => e.name).filter(Boolean));
    this._readForm(this._hostForm, [...names]);
  }

  _restoreFromUrl() {
    const r = answersFromUrl(this._urlKey());
    this._formErrors = {};
    if (r.error) {
      this._answers = {};
      this._alerts.link = ["errLink"];
    } else {
      delete this._alerts.link;
      this._answers = r.answers || {};
    }
  }

  _hashChanged() {
    if (!this.hasAttribute("sync-url") || this._state !== "ready") return;
    const r = answersFromUrl(this._urlKey());
    if (!r.error && sameAnswers(r.answers || {}, this._answers)) return;
    this._restoreFromUrl();
    this._update({ force: true, syncInputs: true });
  }

  _reset() {
    this._applied = null;
    this._answers = {};
    this._formErrors = {};
    delete this._alerts.link;
    delete this._alerts.crash;
    this._update({ force: true, syncInputs: true });
    const first = this._fields.values().next().value;
    if (first && !this.hasAttribute("results-only")) first.focusTarget().focus();
    this._showActionStatus(msg(this._lang(), "resetDone"));
  }

  _shareUrl() {
    return urlWithAnswers(this._urlKey(), this._answers, location.href);
  }

  async _copyLink() {
    const url = this._shareUrl();
    const lang = this._lang();
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error("no clipboard");
      await navigator.clipboard.writeText(url);
      this._showActionStatus(msg(lang, "copied"));
    } catch {
      const id = `share-${this._n}`;
      const input = h("input", { type: "text", readonly: true, id, class: "share-url", value: url, part: "share-url" });
      clear(this._actionStatus);
      this._actionStatus.append(h("label", { for: id }, msg(lang, "copyFailed")), input);
      input.focus();
      input.select();
    }
  }

  _showActionStatus(text) {
    clear(this._actionStatus);
    this._actionStatus.append(h("p", null, text));
  }

  _focusQuestion(id) {
    const f = this._fields.get(id);
    if (!f) return;
    f.el.scrollIntoView?.({ block: "center", behavior: "smooth" });
    f.focusTarget().focus({ preventScroll: true });
  }

  // ------------------------------------------------------------------ compute and render

  _update({ force = false, syncInputs = false }) {
    if (this._state !== "ready" || !this._calc) return;
    const lang = this._lang();
    const asOf = this._asOf();
    const version = this._version();
    const key = JSON.stringify([this._answers, this._formErrors, lang, asOf, version]);
    if (!force && key === this._lastKey) return;
    this._lastKey = key;

    const answers = { ...this._answers };
    const qr = this._call((c) => c.questions(lang, answers, asOf, version));
    if (qr.crashed) return;
    const er = this._call((c) => c.evaluate(answers, asOf, { lang, version, changes: true }));
    if (er.crashed) return;

    const questions = qr.ok && Array.isArray(qr.value) ? qr.value : [];
    let estimate = null;
    let fieldErrors = [];
    let error = null;
    if (er.ok) {
      estimate = er.value.estimate ?? null;
      fieldErrors = er.value.errors ?? [];
      error = er.value.error ?? null;
    } else {
      error = er.error;
    }
    if (!error && !qr.ok) error = qr.error;
    if (!estimate && !error) error = { kind: "unknown", message: "no estimate" };

    let labels = this._labelCache.get(lang);
    if (!labels) this._labelCache.set(lang, (labels = new Map()));
    for (const q of questions) labels.set(q.id, q.label);

    this._renderForm(questions, fieldErrors, lang, syncInputs);
    // the age the engine computed from a date, beside that date
    for (const f of this._fields.values()) {
      const age = estimate?.ages?.find((a) => a.question === f.id);
      f.setNote(age ? msg(lang, "ageIs", age.years) : null);
    }
    this._estimate = estimate;

    if (error) {
      this._alerts.estimate = this._errorAlert(error);
    } else {
      delete this._alerts.estimate;
    }
    this._renderAlerts();
    this._renderHeader(estimate, lang);
    this._renderResults(estimate, labels, lang);
    this._renderSummary(lang);
    this._announce(estimate, lang);

    if (this.hasAttribute("sync-url")) replaceUrl(urlWithAnswers(this._urlKey(), this._answers));

    if (estimate) {
      this.dispatchEvent(new CustomEvent("estimate", { bubbles: true, composed: true, detail: estimate }));
    } else {
      const detail = error && typeof error === "object" ? { ...error } : { kind: "unknown", message: String(error) };
      this.dispatchEvent(new CustomEvent("estimate-error", { bubbles: true, composed: true, detail }));
    }
  }

  _errorAlert(error) {
    const kind = error?.kind;
    if (kind === "no_version") {
      const ranges = this._versions.map((v) => msg(this._lang(), "period", v.effective_from, v.effective_to)).join(this._lang() === "en" ? ", " : "、");
      return ["errNoVersion", this._asOf() ?? "", ranges];
    }
    if (kind === "unknown_version") return ["errUnknownVersion", this._version() ?? "", this._versions.map((v) => v.version).join(", ")];
    if (kind === "input") return ["errAsOf", this._asOf() ?? ""];
    // a rule-file error found while estimating (a schedule that does not add up): say which
    if (typeof error?.message === "string" && error.message) return ["errGenericDetail", error.message];
    return ["errGeneric"];
  }

  _renderAlerts() {
    const lang = this._lang();
    const order = ["load", "link", "crash", "estimate"];
    const items = order.filter((k) => this._alerts[k]).map((k) => [k, msg(lang, ...this._alerts[k])]);
    const key = JSON.stringify(items);
    if (key === this._lastAlertKey) return;
    this._lastAlertKey = key;
    clear(this._alertBox);
    for (const [k, text] of items) {
      this._alertBox.appendChild(h("div", { class: ["alert", `alert-${k}`], role: "alert", part: "error", "data-error": k }, h("p", null, text)));
    }
  }

  _renderHeader(est, lang) {
    const shown = est ? est.version ?? est.version_candidates?.[est.version_candidates.length - 1] : null;
    const v = shown ? this._versions.find((x) => x.version === shown) : this._versions[this._versions.length - 1];
    const name = est?.rule_set_name ?? v?.name?.[lang] ?? this._ruleSet ?? "";
    setText(this._title, name);
    clear(this._meta);
    if (v) {
      const parts = [];
      if (v.jurisdiction?.[lang]) parts.push(v.jurisdiction[lang]);
      parts.push(msg(lang, "versionInfo", v.version, v.effective_from, v.effective_to));
      if (est) parts.push(msg(lang, "asOfInfo", est.as_of));
      // a rule set whose version the applicant's own date picks says which applies and why
      const by = v.versions_by;
      if (est && by) {
        const label = this._labelCache.get(lang)?.get(by) ?? by;
        if (est.version && this._answers[by]) parts.push(msg(lang, "versionBecause", est.version, label, this._answers[by]));
        else if (!est.version) parts.push(msg(lang, "versionDepends", label, est.version_candidates.join(lang === "en" ? ", " : "、")));
      }
      parts.forEach((p, i) => {
        if (i) this._meta.append(h("span", { class: "sep", "aria-hidden": "true" }, " · "));
        this._meta.append(h("span", null, p));
      });
    }
  }

  _renderForm(questions, fieldErrors, lang, syncInputs) {
    const root = this.shadowRoot;
    const active = root.activeElement;
    const activeName = active && this._fieldsBox.contains(active) ? active.name : null;
    const activeValue = active ? active.value : null;

    const { fields, created } = reconcileFields(this._fieldsBox, this._fields, questions, lang);
    this._fields = fields;
    for (const f of fields.values()) {
      if (syncInputs || created.includes(f)) f.setValue(this._answers[f.id]);
    }
    if (activeName && !active.isConnected) {
      const f = fields.get(activeName);
      if (f) {
        const target = f.kind === "radio" ? f.inputs.find((i) => i.value === activeValue) || f.focusTarget() : f.focusTarget();
        target.focus({ preventScroll: true });
      }
    }

    const engineErr = new Map();
    for (const e of fieldErrors) if (!engineErr.has(e.field)) engineErr.set(e.field, e.message);
    for (const f of fields.values()) {
      const text = this._formErrors[f.id] ?? engineErr.get(f.id) ?? null;
      if (f.error !== text) f.setError(text);
    }
    // errors of answers that no shown question takes (e.g. from a hand-made link)
    // with the host's form, every error is listed with the results (the element's own fields
    // are not shown)
    const other = [...engineErr, ...Object.entries(this._formErrors)].filter(([id]) => this._hostForm || !fields.has(id));
    const otherKey = JSON.stringify([lang, other]);
    if (otherKey !== this._otherKey) {
      this._otherKey = otherKey;
      clear(this._otherErrors);
      if (other.length) {
        this._otherErrors.append(h("div", { class: "alert alert-answers", part: "error", "data-error": "answers" },
          h("p", null, msg(lang, "errOtherAnswers")),
          h("ul", null, other.map(([id, m]) => h("li", null,
            h("code", null, id), lang === "en" ? ": " : "：", m)))));
      }
    }
  }

  _renderResults(est, labels, lang) {
    const resultsOnly = this.hasAttribute("results-only");
    const key = JSON.stringify([est, lang, resultsOnly, this._answers, this._applied?.text ?? null]);
    if (key === this._lastResultsKey) return;
    this._lastResultsKey = key;

    // keep focus on an equivalent control across the rebuild
    const active = this.shadowRoot.activeElement;
    let refocus = null;
    if (active && this._results.contains(active)) {
      const why = active.closest("details[data-why]");
      if (active.tagName === "SUMMARY" && why) refocus = `details[data-why="${CSS.escape(why.dataset.why)}"] > summary`;
      else if (active.classList.contains("next-question")) refocus = ".next-question";
    }

    clear(this._totalSlot);
    clear(this._programs);
    this._totalSlot.appendChild(renderTotal(est, {
      lang,
      labels,
      onNext: resultsOnly ? null : (id) => this._focusQuestion(id),
    }));
    if (this._applied) {
      this._totalSlot.appendChild(h("div", { class: "applied", part: "changes-applied", tabindex: "-1", role: "status" },
        h("p", null, msg(lang, "changeApplied", this._applied.text)),
        h("button", { type: "button", class: "btn btn-secondary", part: "changes-undo", onclick: () => this._undoChange() }, msg(lang, "changeUndo"))));
    }
    const onApply = resultsOnly || this._hostForm ? null : (c) => this._applyChange(c);
    if (est) this._programs.appendChild(renderPrograms(est, { lang, labels, openWhy: this._openWhy, answers: this._answers, onApply }));
    if (refocus) {
      const el = this._results.querySelector(refocus);
      if (el) el.focus({ preventScroll: true });
    }
  }

  _renderSummary(lang) {
    clear(this._summary);
    this._summary.append(h("h4", { id: "answers-title" }, msg(lang, "answersTitle")));
    // only the answers used: one refused beside its field (e.g. from a hand-made link) is not an answer
    const rows = [...this._fields.values()].filter((f) => this._answers[f.id] !== undefined && !f.error);
    if (!rows.length) {
      this._summary.append(h("p", null, msg(lang, "noAnswers")));
      return;
    }
    this._summary.append(h("dl", null, rows.map((f) => [
      h("dt", null, f.q.label),
      h("dd", { "data-answer": f.id }, f.display(this._answers[f.id])),
    ])));
  }

  _announce(est, lang) {
    const text = est ? `${msg(lang, "totalLabel")}: ${totalTexts(est, lang).text}` : msg(lang, "totalNone");
    clearTimeout(this._announceTimer);
    this._announceTimer = setTimeout(() => setText(this._live, text), 700);
  }

  /** Opens every "why" for printing (and closes again those it opened). */
  _printOpen(printing) {
    for (const d of this.shadowRoot.querySelectorAll("details[data-why]")) {
      if (printing) {
        if (!d.open) {
          d.dataset.printOpened = "1";
          d.open = true;
        }
      } else if (d.dataset.printOpened) {
        delete d.dataset.printOpened;
        d.open = false;
      }
    }
  }
}

if (!customElements.get(TAG)) customElements.define(TAG, SubsidyCalculator);
