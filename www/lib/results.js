// The results: total (exact or range), next question, a card per program with its schedule
// (table + chart), the "why" disclosure with conditions and quoted sources, assumptions.
// Everything is built from the estimate object with textContent — rule text is data.

import { h } from "./dom.js";
import { formatMoney, formatMoneyRange, groupDecimal } from "./format.js";
import { scheduleChart } from "./chart.js";
import { msg } from "../messages.js";

const STATUS_ORDER = ["eligible", "needs_info", "not_eligible"];
const STATUS_ICON = { eligible: "✓", needs_info: "?", not_eligible: "✕" };
const RESULT_ICON = { met: "✓", not_met: "✕", unknown: "?", not_applicable: "–" };

/** The total as shown ("300,000.00 元" or "0.00 – 300,000.00 元") and as data-total. */
export function totalTexts(est, lang) {
  if (!est) return { text: msg(lang, "totalNone"), data: "", range: false };
  if (est.total !== null && est.total !== undefined) {
    return { text: formatMoney(est.total, est.currency, lang), data: est.total, range: false };
  }
  return {
    text: formatMoneyRange(est.total_min, est.total_max, est.currency, lang),
    data: `${est.total_min}\u2013${est.total_max}`,
    range: est.total_min !== est.total_max,
  };
}

/**
 * The total box. `labels` maps question id → label; `onNext(id)` focuses a question (null in
 * results-only mode, where the next question is named as text).
 */
export function renderTotal(est, { lang, labels, onNext }) {
  const t = totalTexts(est, lang);
  const box = h("div", { class: ["total-box", t.range ? "is-range" : ""], part: "total-box" },
    h("p", { class: "total-label", id: "total-label" }, msg(lang, "totalLabel")),
    h("p", { class: "total", part: "total", "data-total": t.data, "aria-describedby": "total-label" }, t.text));
  if (!est) return box;
  if (t.range) box.appendChild(h("p", { class: "total-hint" }, msg(lang, "totalRangeHint")));
  if (est.next_question) {
    const label = labels.get(est.next_question) || est.next_question;
    const lead = msg(lang, t.range || est.total === null ? "nextQuestionRange" : "nextQuestionExact");
    const target = onNext
      ? h("button", { type: "button", class: "link-button next-question", part: "next-question", "data-question-target": est.next_question,
          onclick: () => onNext(est.next_question) }, label)
      : h("strong", { class: "next-question", part: "next-question" }, label);
    box.appendChild(h("p", { class: "next" }, h("span", { class: "next-lead" }, lead), " ", target));
  }
  return box;
}

function amountLine(p, est, lang) {
  const cur = est.currency;
  let text = null;
  let cls = "";
  if (p.kind === "cash") {
    if (p.status === "not_eligible") {
      text = msg(lang, "amountNone");
      cls = "muted";
    } else if (p.amount !== null && p.amount !== undefined) text = formatMoney(p.amount, cur, lang);
    else if (p.min !== null && p.max !== null) text = formatMoneyRange(p.min, p.max, cur, lang) + (p.range_exact === false ? msg(lang, "rangeApprox") : "");
  } else if (p.kind === "cash_unpublished") text = msg(lang, "amountUnpublished");
  else if (p.kind === "in_kind") text = msg(lang, "amountInKind");
  else if (p.kind === "service") text = msg(lang, "amountService");
  if (text === null) return null;
  if (p.status === "not_eligible") cls = "muted";
  return h("p", { class: ["amount", cls], part: "amount", "data-amount": p.amount ?? (p.min !== null && p.max !== null ? `${p.min}\u2013${p.max}` : "") },
    h("span", { class: "visually-hidden" }, msg(lang, "amountLabel") + ": "), text);
}

function assumptionBadge(text, lang) {
  return h("p", { class: "assumption" },
    h("span", { class: "badge badge-assumption", part: "assumption-badge" }, msg(lang, "assumption")), " ",
    h("span", { class: "assumption-text" }, text));
}

function scheduleTable(p, est, lang) {
  return h("div", { class: "schedule-wrap" },
    // explicit roles keep the table semantics when narrow screens restyle it as stacked rows
    h("table", { class: "schedule", part: "schedule", role: "table" },
      h("caption", null, msg(lang, "scheduleTitle")),
      h("thead", { role: "rowgroup" }, h("tr", { role: "row" },
        h("th", { scope: "col", role: "columnheader" }, msg(lang, "scheduleYear")),
        h("th", { scope: "col", role: "columnheader" }, msg(lang, "schedulePayer")),
        h("th", { scope: "col", role: "columnheader", class: "num" }, msg(lang, "scheduleAmount")))),
      h("tbody", { role: "rowgroup" }, p.schedule.map((r) =>
        h("tr", { role: "row" },
          h("th", { scope: "row", role: "rowheader", class: "year" }, msg(lang, "yearN", r.year)),
          h("td", { role: "cell", class: "payer" }, r.payer_name),
          h("td", { role: "cell", class: "num" }, formatMoney(r.amount, est.currency, lang)))))));
}

/** One answer a change sets, in words. */
function setWords(s, lang) {
  const word = (x) => (typeof x === "boolean" ? msg(lang, x ? "yes" : "no") : s.value_label && x === s.value ? s.value_label : String(x));
  if (s.value !== undefined) return msg(lang, "changeValue", s.label, word(s.value));
  if (s.min !== undefined && s.max !== undefined) return msg(lang, "changeBetween", s.label, word(s.min), word(s.max));
  if (s.min !== undefined) return msg(lang, "changeFrom", s.label, word(s.min));
  return msg(lang, "changeUpTo", s.label, word(s.max));
}

/** A change of answers (estimate.programs[].changes[]) in words. */
export function changeText(c, lang) {
  return c.set.map((s) => setWords(s, lang)).join(lang === "en" ? "; " : "；");
}

/** "How to qualify" / "How to get more": each change in words, with a button that applies it. */
function changesBlock(p, est, lang, onApply) {
  const id = `changes-${p.id}`;
  return h("div", { class: "changes", part: "changes", "data-changes": p.id },
    h("h6", { id }, msg(lang, p.status === "eligible" ? "howMore" : "howQualify")),
    h("ul", { "aria-labelledby": id }, p.changes.map((c, i) => {
      const text = changeText(c, lang);
      const then = p.kind === "cash" && c.amount !== null && c.amount !== undefined
        ? msg(lang, "changeThen", formatMoney(c.amount, est.currency, lang))
        : msg(lang, "changeThenEligible");
      return h("li", { class: "change", "data-change": i },
        h("p", { class: "change-text" }, text, lang === "en" ? ": " : "：", h("strong", { class: "change-then" }, then)),
        onApply
          ? h("button", { type: "button", class: "btn btn-small change-apply", part: "change-apply", onclick: () => onApply(c) },
              msg(lang, "changeTry"), h("span", { class: "visually-hidden" }, lang === "en" ? ` (${text})` : `（${text}）`))
          : null);
    })));
}

export function sourceItem(src, lang, repeat) {
  const meta = [];
  if (src.issuer) meta.push(h("span", null, msg(lang, "sourceIssuer"), src.issuer));
  if (src.date) meta.push(h("span", null, msg(lang, "sourceDate"), src.date));
  if (src.number) meta.push(h("span", null, msg(lang, "sourceNumber"), src.number));
  let link = null;
  if (src.url && /^https?:\/\//i.test(src.url)) {
    link = h("a", { href: src.url, rel: "noopener noreferrer external", target: "_blank", class: "source-link" },
      msg(lang, "sourceLink"), h("span", { class: "visually-hidden" }, `: ${src.title}`));
  }
  return h("li", { class: ["source", repeat ? "source-repeat" : ""], "data-source": src.id },
    h("p", { class: "source-title" }, h("cite", null, src.title)),
    meta.length ? h("p", { class: "source-meta" }, meta.flatMap((m, i) => (i ? [" · ", m] : [m]))) : null,
    src.quote ? h("blockquote", { class: "quote" }, h("p", null, src.quote)) : null,
    link ? h("p", { class: "source-url" }, link, h("span", { class: "print-url" }, " ", src.url)) : null);
}

/** A table a program's amount reads, the row of the applicant's answer marked (in words too). */
function tierTable(t, answers, lang) {
  const mine = answers?.[t.key];
  return h("table", { class: "tier", part: "tier-table", "data-table": t.id },
    h("caption", null, t.name),
    h("tbody", null, t.rows.map((r) => {
      const yours = r.option === mine;
      return h("tr", { class: yours ? "yours" : null, "aria-current": yours ? "true" : null, "data-option": r.option },
        h("th", { scope: "row" }, r.label, yours ? h("span", { class: "yours-mark" }, lang === "en" ? ` (${msg(lang, "tableYours")})` : `（${msg(lang, "tableYours")}）`) : null),
        h("td", { class: "num" }, groupDecimal(r.value)));
    })));
}

function whyDetails(p, lang, open, seen, answers) {
  const sourceNo = new Map(p.sources.map((s, i) => [s.id, i + 1]));
  const details = h("details", { class: "why", part: "why", "data-why": p.id });
  if (open) details.open = true;
  details.appendChild(h("summary", null, msg(lang, "why")));
  const body = h("div", { class: "why-body" });
  if (p.reasons.length) {
    body.appendChild(h("h6", null, msg(lang, "conditions")));
    body.appendChild(h("ul", { class: "reasons" }, p.reasons.map((r) => {
      const n = sourceNo.get(r.source);
      return h("li", { class: ["reason", `reason-${r.result}`], "data-result": r.result },
        h("span", { class: ["result-badge", `result-${r.result}`] },
          h("span", { "aria-hidden": "true", class: "icon" }, RESULT_ICON[r.result] ?? "•"), " ",
          msg(lang, `result.${r.result}`)),
        h("span", { class: "reason-body" },
          h("span", { class: "reason-text" }, r.text),
          n ? h("span", { class: "source-ref" }, lang === "en" ? ` (${msg(lang, "sourceRef", n)})` : `（${msg(lang, "sourceRef", n)}）`) : null,
          r.assumption ? assumptionBadge(r.assumption, lang) : null));
    })));
  }
  for (const t of p.tables ?? []) body.appendChild(tierTable(t, answers, lang));
  if (p.sources.length) {
    body.appendChild(h("h6", null, msg(lang, "sourcesTitle")));
    body.appendChild(h("ol", { class: "sources" }, p.sources.map((s) => {
      // a source already quoted in an earlier card is printed by title only
      const repeat = seen.has(s.id);
      seen.add(s.id);
      return sourceItem(s, lang, repeat);
    })));
  }
  details.appendChild(body);
  return details;
}

function programCard(p, est, { lang, labels, openWhy, seen, answers, onApply }) {
  const head = h("div", { class: "card-head" },
    h("h5", { class: "program-name" }, p.name),
    h("p", { class: ["status-badge", `status-${p.status}`], part: `status status-${p.status}` },
      h("span", { "aria-hidden": "true", class: "icon" }, STATUS_ICON[p.status] ?? "•"), " ",
      msg(lang, `status.${p.status}`)));
  const card = h("article", { class: ["card", `card-${p.status}`], part: "program", "data-program": p.id, "data-status": p.status, "data-kind": p.kind },
    head,
    h("p", { class: "kind" }, msg(lang, `kind.${p.kind}`)),
    amountLine(p, est, lang));
  if (p.description) card.appendChild(h("p", { class: "description" }, p.description));
  if (p.note) card.appendChild(h("p", { class: "program-note", part: "program-note" }, p.note));
  if (p.exclusive_group) card.appendChild(h("p", { class: "exclusive" }, msg(lang, "exclusive")));
  if (p.excluded_by) {
    const other = est.programs.find((x) => x.id === p.excluded_by);
    card.appendChild(h("p", { class: "excluded-by", part: "excluded-by" }, msg(lang, "excludedBy", other?.name ?? p.excluded_by)));
  }
  if (p.status === "needs_info" && p.missing.length) {
    const known = p.missing.map((id) => labels.get(id)).filter(Boolean);
    if (known.length) card.appendChild(h("p", { class: "missing" }, msg(lang, "stillMissing"), known.join(lang === "en" ? "; " : "；")));
  }
  if (p.payers.length && p.status !== "not_eligible") {
    card.appendChild(h("p", { class: "payers" }, msg(lang, "payers"), p.payers.join(lang === "en" ? "; " : "、")));
  }
  if (p.changes?.length && p.status !== "needs_info") card.appendChild(changesBlock(p, est, lang, onApply));
  for (const a of p.assumptions) card.appendChild(assumptionBadge(a, lang));
  if (p.schedule.length) {
    card.appendChild(h("div", { class: "schedule-block" },
      scheduleTable(p, est, lang),
      scheduleChart(p.schedule, { name: p.name, currency: est.currency, lang })));
  }
  card.appendChild(whyDetails(p, lang, openWhy.has(p.id), seen, answers));
  return card;
}

/** The program cards, grouped: eligible first, then needs_info, then not_eligible. */
export function renderPrograms(est, options) {
  const opts = { ...options, seen: new Set() };
  const { lang } = opts;
  const frag = document.createDocumentFragment();
  const titles = { eligible: "groupEligible", needs_info: "groupNeedsInfo", not_eligible: "groupNotEligible" };
  for (const status of STATUS_ORDER) {
    const progs = est.programs.filter((p) => p.status === status);
    if (!progs.length) continue;
    frag.appendChild(h("section", { class: ["group-section", `group-${status}`], "data-group": status },
      h("h4", { class: "group-title" }, msg(lang, titles[status]), h("span", { class: "count" }, ` (${progs.length})`)),
      h("div", { class: "cards" }, progs.map((p) => programCard(p, est, opts)))));
  }
  // programs with a status this version of the element does not know still show up
  const other = est.programs.filter((p) => !STATUS_ORDER.includes(p.status));
  if (other.length) frag.appendChild(h("div", { class: "cards" }, other.map((p) => programCard(p, est, opts))));
  if (est.assumptions && est.assumptions.length) {
    frag.appendChild(h("section", { class: "general-assumptions" },
      h("h4", null, msg(lang, "generalAssumptions")),
      est.assumptions.map((a) => assumptionBadge(a, lang))));
  }
  return frag;
}

export { groupDecimal };
