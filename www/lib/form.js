// The generated form: one Field per question from calc.questions(). Fields are kept across
// re-renders (keyed by question id) and updated in place, so the input the user is typing in is
// never destroyed; a field is rebuilt only when its structure changes (type, options, limits).

import { h, attr, setText, clear } from "./dom.js";
import { msg } from "../messages.js";


/** How a question is asked: radio group (bool, enum ≤ 4), select (enum > 4), or an input. */
export function controlKind(q) {
  if (q.type === "bool") return "radio";
  if (q.type === "enum") return q.options.length <= 4 ? "radio" : "select";
  if (q.type === "date") return "date";
  if (q.type === "integer") return "integer";
  return "decimal";
}

function structureKey(q) {
  return [
    q.type,
    controlKind(q),
    q.options.map((o) => o.id).join(","),
    q.min ?? "",
    q.max ?? "",
    q.unit ? 1 : 0,
    q.help ? 1 : 0,
    q.assumption ? 1 : 0,
  ].join("|");
}

const safeId = (id) => "q-" + String(id).replace(/[^A-Za-z0-9_-]/g, "_");

export class Field {
  constructor(q, lang) {
    this.q = q;
    this.id = q.id;
    this.kind = controlKind(q);
    this.key = structureKey(q);
    this.lang = lang;
    this.error = null;
    this.domId = safeId(q.id);
    this.build();
  }

  build() {
    const q = this.q;
    const id = this.domId;
    this.el = h("div", { class: ["field", `field-${this.kind}`], part: "question", "data-question": q.id, "data-type": q.type });
    this.helpEl = q.help ? h("p", { class: "help", id: `${id}-help` }) : null;
    this.assumptionEl = q.assumption
      ? h("p", { class: "assumption", id: `${id}-assumption` },
          h("span", { class: "badge badge-assumption", part: "assumption-badge" }),
          h("span", { class: "assumption-text" }))
      : null;
    this.errorSlot = h("div", { class: "error-slot" });
    this.inputs = [];

    if (this.kind === "radio") {
      this.group = h("fieldset", { class: "group", role: "radiogroup" });
      this.labelEl = h("legend", { class: "label" });
      this.optionTexts = [];
      const opts = q.type === "bool" ? [{ id: "true" }, { id: "false" }] : q.options;
      const list = h("div", { class: ["options", opts.length <= 2 ? "options-inline" : ""] });
      opts.forEach((o, i) => {
        const input = h("input", { type: "radio", name: q.id, value: o.id, id: `${id}-${i}`, part: "input" });
        const text = h("span", { class: "option-text" });
        this.optionTexts.push(text);
        this.inputs.push(input);
        list.appendChild(h("label", { class: "option", for: `${id}-${i}` }, input, text));
      });
      this.group.append(this.labelEl);
      if (this.helpEl) this.group.append(this.helpEl);
      if (this.assumptionEl) this.group.append(this.assumptionEl);
      this.group.append(list, this.errorSlot);
      this.el.appendChild(this.group);
      this.describedTarget = this.group;
    } else {
      this.labelEl = h("label", { class: "label", for: id });
      let input;
      if (this.kind === "select") {
        input = h("select", { id, name: q.id, part: "input" });
        this.placeholder = h("option", { value: "" });
        input.appendChild(this.placeholder);
        this.optionTexts = q.options.map((o) => {
          const opt = h("option", { value: o.id });
          input.appendChild(opt);
          return opt;
        });
      } else if (this.kind === "date") {
        input = h("input", { id, name: q.id, type: "date", part: "input", min: q.min, max: q.max, autocomplete: "off" });
      } else if (this.kind === "integer") {
        input = h("input", {
          id, name: q.id, type: "number", part: "input", inputmode: "numeric", step: 1, min: q.min, max: q.max, autocomplete: "off",
        });
      } else {
        input = h("input", { id, name: q.id, type: "text", part: "input", inputmode: "decimal", autocomplete: "off", spellcheck: "false" });
      }
      this.inputs.push(input);
      this.unitEl = q.unit ? h("span", { class: "unit", id: `${id}-unit` }) : null;
      this.el.append(this.labelEl);
      if (this.helpEl) this.el.append(this.helpEl);
      if (this.assumptionEl) this.el.append(this.assumptionEl);
      this.el.append(h("div", { class: "input-row" }, input, this.unitEl), this.errorSlot);
      this.describedTarget = input;
    }
    this.updateTexts(q, this.lang);
    this.updateDescribedBy();
  }

  /** Replaces the visible texts (label, help, options) without touching the controls. */
  updateTexts(q, lang) {
    this.q = q;
    this.lang = lang;
    setText(this.labelEl, q.label);
    if (this.helpEl) setText(this.helpEl, q.help);
    if (this.assumptionEl) {
      setText(this.assumptionEl.firstChild, msg(lang, "assumption"));
      setText(this.assumptionEl.lastChild, q.assumption);
    }
    if (this.unitEl) setText(this.unitEl, q.unit);
    if (this.kind === "radio") {
      const labels = q.type === "bool" ? [msg(lang, "yes"), msg(lang, "no")] : q.options.map((o) => o.label);
      this.optionTexts.forEach((t, i) => setText(t, labels[i]));
    } else if (this.kind === "select") {
      setText(this.placeholder, msg(lang, "choose"));
      this.optionTexts.forEach((t, i) => setText(t, q.options[i].label));
    }
    if (this.error) this.setError(this.error);
  }

  updateDescribedBy() {
    const ids = [];
    if (this.helpEl) ids.push(this.helpEl.id);
    if (this.assumptionEl) ids.push(this.assumptionEl.id);
    if (this.unitEl) ids.push(this.unitEl.id);
    if (this.errorEl) ids.push(this.errorEl.id);
    attr(this.describedTarget, "aria-describedby", ids.length ? ids.join(" ") : null);
  }

  /** Shows (or, with null, removes) a note the engine computed for the answer (an age). */
  setNote(text) {
    if (!text) {
      this.noteEl?.remove();
      this.noteEl = null;
      return;
    }
    if (!this.noteEl) {
      this.noteEl = h("p", { class: "computed", part: "computed", "aria-live": "polite" });
      this.errorSlot.before(this.noteEl);
    }
    setText(this.noteEl, text);
  }

  /** Shows (or, with null, removes) the inline validation message. */
  setError(text) {
    this.error = text || null;
    if (!this.error) {
      if (this.errorEl) {
        this.errorEl.remove();
        this.errorEl = null;
      }
      attr(this.describedTarget, "aria-invalid", null);
      for (const i of this.inputs) attr(i, "aria-invalid", null);
      this.el.classList.remove("invalid");
    } else {
      if (!this.errorEl) {
        this.errorEl = h("p", { class: "field-error", id: `${this.domId}-error`, part: "error" });
        this.errorSlot.appendChild(this.errorEl);
      }
      setText(this.errorEl, this.error);
      attr(this.describedTarget, "aria-invalid", "true");
      if (this.kind !== "radio") attr(this.inputs[0], "aria-invalid", "true");
      this.el.classList.add("invalid");
    }
    this.updateDescribedBy();
  }

  /** Puts an answer into the controls. */
  setValue(answer) {
    if (this.kind === "radio") {
      const v = answer === undefined || answer === null ? null : String(answer);
      for (const i of this.inputs) i.checked = v !== null && i.value === v;
    } else if (this.kind === "select") {
      const v = answer === undefined || answer === null ? "" : String(answer);
      this.inputs[0].value = this.q.options.some((o) => o.id === v) ? v : "";
    } else {
      const v = answer === undefined || answer === null ? "" : String(answer);
      if (this.inputs[0].value !== v) this.inputs[0].value = v;
    }
  }

  /** Whether the browser itself cannot read what was typed (a date or number it rejects). */
  badInput() {
    return this.kind !== "radio" && this.kind !== "select" && Boolean(this.inputs[0].validity?.badInput);
  }

  /** The control to focus (the checked radio, else the first). */
  focusTarget() {
    if (this.kind === "radio") return this.inputs.find((i) => i.checked) || this.inputs[0];
    return this.inputs[0];
  }

  /** The answer as text for the printed summary. */
  display(answer) {
    if (answer === undefined || answer === null) return msg(this.lang, "answerMissing");
    if (this.q.type === "bool") return answer ? msg(this.lang, "yes") : msg(this.lang, "no");
    if (this.q.type === "enum") return this.q.options.find((o) => o.id === answer)?.label ?? String(answer);
    return this.q.unit ? `${answer} ${this.q.unit}` : String(answer);
  }
}

/**
 * Brings `container` in line with `questions`: reuses fields by id (updating texts in place),
 * builds new ones, removes those no longer asked, keeps order with minimal moves.
 * Returns {fields: Map, created: [Field]}.
 */
export function reconcileFields(container, fieldsById, questions, lang) {
  const next = new Map();
  const created = [];
  for (const q of questions) {
    let f = fieldsById.get(q.id);
    if (f && f.key === structureKey(q)) {
      if (f.lang !== lang || f.q.label !== q.label || f.q.help !== q.help || f.q.unit !== q.unit || f.q.assumption !== q.assumption ||
          f.q.options.some((o, i) => o.label !== q.options[i]?.label)) {
        f.updateTexts(q, lang);
      } else {
        f.q = q;
      }
    } else {
      f = new Field(q, lang);
      created.push(f);
    }
    next.set(q.id, f);
  }
  // remove what is no longer asked first, so kept fields never move
  for (const [id, f] of fieldsById) if (next.get(id) !== f) f.el.remove();
  let ref = container.firstChild;
  for (const f of next.values()) {
    if (f.el === ref) ref = ref.nextSibling;
    else container.insertBefore(f.el, ref);
  }
  while (ref) {
    const n = ref.nextSibling;
    ref.remove();
    ref = n;
  }
  return { fields: next, created };
}

export { clear };
