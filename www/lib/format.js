// Money and number formatting by string manipulation of the engine's decimal strings.
// Money is never turned into a float: the engine computes, this module only inserts separators.

import { normalizeLang } from "../messages.js";

const DEC = /^(-?)(\d+)(?:\.(\d+))?$/;

/** "300000.00" → "300,000.00"; anything that is not a plain decimal string is returned as is. */
export function groupDecimal(value) {
  if (value === null || value === undefined) return "";
  const s = String(value).trim();
  const m = DEC.exec(s);
  if (!m) return s;
  const [, sign, int, frac] = m;
  let out = "";
  for (let i = 0; i < int.length; i++) {
    if (i > 0 && (int.length - i) % 3 === 0) out += ",";
    out += int[i];
  }
  return sign + out + (frac !== undefined ? "." + frac : "");
}

const CURRENCY = {
  CNY: { "zh-CN": { suffix: " 元" }, en: { prefix: "CNY " } },
};

function affixes(currency, lang) {
  const c = CURRENCY[currency]?.[normalizeLang(lang)];
  if (c) return { prefix: c.prefix ?? "", suffix: c.suffix ?? "" };
  return { prefix: currency ? currency + " " : "", suffix: "" };
}

/** "300000.00", "CNY", "zh-CN" → "300,000.00 元"; en → "CNY 300,000.00". */
export function formatMoney(value, currency, lang) {
  const { prefix, suffix } = affixes(currency, lang);
  return prefix + groupDecimal(value) + suffix;
}

/** A range "0.00 – 300,000.00 元" (one value when min equals max). */
export function formatMoneyRange(min, max, currency, lang) {
  if (min === max || max === null || max === undefined) return formatMoney(min, currency, lang);
  const { prefix, suffix } = affixes(currency, lang);
  return `${prefix}${groupDecimal(min)} – ${groupDecimal(max)}${suffix}`;
}

/** Decimal string → integer count of hundredths as a BigInt (for chart proportions only). */
export function toCents(value) {
  const m = DEC.exec(String(value ?? "").trim());
  if (!m) return 0n;
  const [, sign, int, frac = ""] = m;
  const cents = BigInt(int + (frac + "00").slice(0, 2));
  return sign ? -cents : cents;
}

/** A short label for chart bars: "15万" / "150k", from the decimal string. */
export function compactMoney(value, lang) {
  const m = DEC.exec(String(value ?? "").trim());
  if (!m) return String(value ?? "");
  const [, sign, int] = m;
  const trim = (whole, rest) => {
    const r = rest.slice(0, 2).replace(/0+$/, "");
    return r ? `${whole}.${r}` : whole;
  };
  if (normalizeLang(lang) === "zh-CN") {
    if (int.length > 8) return sign + trim(int.slice(0, -8), int.slice(-8)) + "亿";
    if (int.length > 4) return sign + trim(int.slice(0, -4), int.slice(-4)) + "万";
    return sign + groupDecimal(int);
  }
  if (int.length > 6) return sign + trim(int.slice(0, -6), int.slice(-6)) + "M";
  if (int.length > 3) return sign + trim(int.slice(0, -3), int.slice(-3)) + "k";
  return sign + int;
}

/** Today's local date as YYYY-MM-DD. */
export function todayIso() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
