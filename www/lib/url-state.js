// Answers in the page URL: #a=<encodeURIComponent(JSON.stringify(answers))>. Other hash
// parameters (and the query) are kept as they are.

function hashParts(hash) {
  const h = (hash || "").replace(/^#/, "");
  return h ? h.split("&") : [];
}

/** The raw (still encoded) value of hash parameter `key`, or null. */
export function readHashParam(key, hash = location.hash) {
  for (const part of hashParts(hash)) {
    const i = part.indexOf("=");
    if ((i < 0 ? part : part.slice(0, i)) === key) return i < 0 ? "" : part.slice(i + 1);
  }
  return null;
}

/**
 * Parses answers from the URL. Returns {answers} (null when absent) or {error} when the link is
 * malformed: not decodable, not JSON, not a plain object, or a value of a type no question takes.
 */
export function answersFromUrl(key, hash = location.hash) {
  const raw = readHashParam(key, hash);
  if (raw === null || raw === "") return { answers: null };
  let value;
  try {
    value = JSON.parse(decodeURIComponent(raw));
  } catch {
    return { error: "malformed" };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { error: "malformed" };
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(k)) return { error: "malformed" };
    const t = typeof v;
    if (v === null) continue;
    if (t === "boolean" || t === "string" || (t === "number" && Number.isFinite(v))) out[k] = v;
    else return { error: "malformed" };
  }
  return { answers: out };
}

/** The URL with hash parameter `key` set to the answers (removed when there are none). */
export function urlWithAnswers(key, answers, href = location.href) {
  const url = new URL(href);
  const parts = hashParts(url.hash).filter((p) => (p.split("=")[0] || "") !== key);
  if (answers && Object.keys(answers).length) parts.push(`${key}=${encodeURIComponent(JSON.stringify(answers))}`);
  url.hash = parts.length ? "#" + parts.join("&") : "";
  return url.href;
}

/** Replaces the current history entry's URL (no navigation, no hashchange event). */
export function replaceUrl(href) {
  if (href === location.href) return;
  try {
    history.replaceState(history.state, "", href);
  } catch {
    // sandboxed frames may forbid it; sharing then just does not follow the URL
  }
}
