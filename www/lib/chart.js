// A small bar chart of a payment schedule, by year and stacked by payer, as inline SVG built
// with createElementNS. Sizes are SVG attributes and colours come from classes in the element's
// stylesheet, so nothing needs an inline style. Bar heights are proportions of hundredths
// computed with BigInt — the money itself stays a decimal string.

import { s, h } from "./dom.js";
import { compactMoney, formatMoney, toCents } from "./format.js";
import { msg } from "../messages.js";

let chartCount = 0;

/**
 * schedule: [{year, payer, payer_name, amount}]. Returns a <figure part="chart"> with the SVG
 * and (for more than one payer) a legend.
 */
export function scheduleChart(schedule, { name, currency, lang }) {
  const years = [...new Set(schedule.map((r) => r.year))].sort((a, b) => a - b);
  const payers = [];
  for (const r of schedule) if (!payers.some((p) => p.id === r.payer)) payers.push({ id: r.payer, name: r.payer_name });

  const totals = new Map(years.map((y) => [y, 0n]));
  for (const r of schedule) totals.set(r.year, totals.get(r.year) + toCents(r.amount));
  let max = 0n;
  for (const t of totals.values()) if (t > max) max = t;

  const col = 64;
  const gap = 16;
  const plotH = 120;
  const top = 24;
  const bottom = 26;
  const width = Math.max(200, years.length * col + 16);
  const height = top + plotH + bottom;
  const barW = col - gap;

  const id = `sc-chart-${++chartCount}`;
  const title = msg(lang, "chartTitle", name);
  const desc = schedule
    .map((r) => `${msg(lang, "yearN", r.year)}, ${r.payer_name}: ${formatMoney(r.amount, currency, lang)}`)
    .join("; ");
  const svg = s("svg", {
    class: "chart-svg",
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    "aria-labelledby": `${id}-t ${id}-d`,
    focusable: "false",
    preserveAspectRatio: "xMinYMin meet",
  });
  svg.appendChild(s("title", { id: `${id}-t`, text: title }));
  svg.appendChild(s("desc", { id: `${id}-d`, text: desc }));
  svg.appendChild(s("line", { class: "axis", x1: 0, x2: width, y1: top + plotH + 0.5, y2: top + plotH + 0.5 }));

  years.forEach((y, i) => {
    const x = 8 + i * col + gap / 2;
    let yTop = top + plotH;
    payers.forEach((p, pi) => {
      for (const r of schedule) {
        if (r.year !== y || r.payer !== p.id) continue;
        const c = toCents(r.amount);
        const hgt = max > 0n ? Number((c * BigInt(plotH * 100)) / max) / 100 : 0;
        if (hgt <= 0) continue;
        yTop -= hgt;
        svg.appendChild(
          s("rect", { class: `bar payer-${pi % 4}`, x, y: yTop.toFixed(2), width: barW, height: hgt.toFixed(2), rx: 2 })
        );
      }
    });
    const rows = schedule.filter((r) => r.year === y);
    if (rows.length === 1) {
      // one payer that year: label the bar (several payers: the table gives each amount)
      svg.appendChild(
        s("text", { class: "bar-value", x: x + barW / 2, y: Math.max(12, yTop - 6).toFixed(2), "text-anchor": "middle", "font-size": 12 },
          compactMoney(rows[0].amount, lang))
      );
    }
    svg.appendChild(
      s("text", { class: "bar-label", x: x + barW / 2, y: top + plotH + 18, "text-anchor": "middle", "font-size": 12 },
        msg(lang, "yearShort", y))
    );
  });

  const fig = h("figure", { class: "chart", part: "chart" }, svg);
  if (payers.length > 1) {
    fig.appendChild(
      h("ul", { class: "legend", "aria-label": msg(lang, "chartLegend") },
        payers.map((p, pi) =>
          h("li", null,
            s("svg", { class: "swatch", width: 14, height: 14, viewBox: "0 0 14 14", "aria-hidden": "true", focusable: "false" },
              s("rect", { class: `bar payer-${pi % 4}`, x: 0, y: 0, width: 14, height: 14, rx: 2 })),
            p.name)))
    );
  }
  return fig;
}
