// End-to-end: a person using the demo and a portal page, in real headless Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { startServer, launch, openPage, shot, total, root } from "./harness.mjs";
import { msg } from "../../www/messages.js";

let server;
let browser;
const W = "subsidy-calculator";
const AS_OF = "2024-07-15";
const WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

// ------------------------------------------------------------------ pages and answers

const demo = (query = "") => `${server.url}index.html?asof=${AS_OF}${query}`;
const embed = () => `${server.url}embed-example.html`;
/** The demo comparing Zibo's two versions (2019 and 2022) side by side. */
const ziboCompare = () => `${server.url}index.html?rules=zibo&asof=2023-01-01&compare=1`;
const q = (page, id, value) => page.locator(`${W} [data-question="${id}"] [name="${id}"]${value === undefined ? "" : `[value="${value}"]`}`).first();

async function waitTotal(page, want, host = W) {
  await page.waitForFunction(
    ([h, w]) => {
      const el = document.querySelector(h)?.shadowRoot?.querySelector('[part~="total"]');
      return el?.getAttribute("data-total") === w;
    },
    [host, want],
    { timeout: 10_000 },
  );
}

/** Waits until the totals (data-total) of every element on the page, in document order, are `want`. */
async function waitAllTotals(page, want) {
  await page.waitForFunction(
    (w) => JSON.stringify([...document.querySelectorAll("subsidy-calculator")].map((el) => el.shadowRoot?.querySelector('[part~="total"]')?.getAttribute("data-total"))) === JSON.stringify(w),
    want,
    { timeout: 10_000 },
  );
}

async function fillPostdoc(page, months = "24") {
  await q(page, "applicant_type", "postdoc").check();
  await q(page, "in_zone", "true").check();
  await q(page, "months_in_station").fill(months);
}

/**
 * A master's graduate new to Zibo, who started work there on `startedOn`: 80,000.00 under the
 * 2019 version, 120,000.00 under 2022 (which applies is picked by the start date).
 */
async function fillZiboMaster(page, startedOn = "2022-09-01") {
  await q(page, "degree", "master").check();
  await q(page, "new_to_zibo", "true").check();
  await q(page, "started_on").fill(startedOn);
}

/** Points the page's first element at another rule bundle (and as-of date). */
async function useBundle(page, rules, asOf) {
  await page.evaluate(([r, d]) => {
    const el = document.querySelector("subsidy-calculator");
    if (d) el.setAttribute("as-of", d);
    el.setAttribute("rules", r);
  }, [rules, asOf]);
}

/** Calls fn until it returns something truthy (or the time is up); returns the last value. */
async function poll(fn, timeout = 10_000) {
  const end = Date.now() + timeout;
  let v;
  while (!(v = await fn()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return v;
}

// ------------------------------------------------------------------ what the element shows

/**
 * Field `id`'s error as assistive technology gets it: aria-invalid on its control (the group for
 * radios) and the text of each element its aria-describedby names (null for a name that matches
 * no element).
 */
const fieldError = (page, id) =>
  page.evaluate((id) => {
    const root = document.querySelector("subsidy-calculator").shadowRoot;
    const field = root.querySelector(`[data-question="${id}"]`);
    const control = field?.querySelector("fieldset") ?? field?.querySelector(`[name="${id}"]`);
    if (!control) return null;
    const ids = (control.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
    return { invalid: control.getAttribute("aria-invalid"), described: ids.map((i) => root.getElementById(i)?.textContent.trim() ?? null) };
  }, id);

/** Waits for field `id` to be invalid with `want` in the text its aria-describedby names. */
async function assertFieldError(page, id, want) {
  const ok = (s) => s?.invalid === "true" && s.described.some((t) => t?.includes(want));
  const s = await poll(async () => {
    const state = await fieldError(page, id);
    return ok(state) && state;
  }) || (await fieldError(page, id));
  assert.ok(s, `${id}: no such field`);
  assert.equal(s.invalid, "true", `${id}: aria-invalid`);
  assert.ok(s.described.every((t) => t), `${id}: aria-describedby names a missing or empty element: ${JSON.stringify(s.described)}`);
  assert.ok(s.described.some((t) => t.includes(want)), `${id}: the text it is described by, ${JSON.stringify(s.described)}, says "${want}"`);
}

// Payloads that set window.__xss if the browser ever runs them: as markup, or as a link that is
// clicked. The tests that use them run on the demo page, which has no CSP: markup that became
// HTML there would run (under the embed page's CSP an inline handler would be blocked anyway).
const XSS = {
  img: (tag) => `<img src=x onerror="window.__xss='${tag}'">`,
  script: (tag) => `<script>window.__xss='${tag}'</script>`,
  url: (tag) => `javascript:window.__xss='${tag}'`,
};

/** No element was made from text in the first element's shadow root, and no injected code ran. */
async function assertNothingRan(page, label = "") {
  await page.waitForTimeout(300); // an <img src=x> fails, and would run its onerror, a moment later
  assert.equal(await page.evaluate(() => window.__xss), undefined, `${label}: no injected code ran`);
  const made = await page.evaluate(() =>
    [...document.querySelector("subsidy-calculator").shadowRoot.querySelectorAll(
      "img, script, iframe, style, svg[onload], b, u, a[href^='javascript' i], [onerror], [onload], [onmouseover]",
    )].map((e) => e.outerHTML));
  assert.deepEqual(made, [], `${label}: no element was created from text`);
}

/**
 * The focused element, through open shadow roots, and what shows its focus: a computed outline
 * (not none, non-zero width) or box-shadow on it or on the label wrapping it (radios draw their
 * ring on the option's label).
 */
const focused = (page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    let inElement = false;
    while (el?.shadowRoot?.activeElement) {
      inElement ||= el.localName === "subsidy-calculator";
      el = el.shadowRoot.activeElement;
    }
    if (!el || el === document.body) return { what: "the document", ring: null };
    const ringOf = (x) => {
      const cs = getComputedStyle(x);
      if (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0) return `outline ${cs.outlineStyle} ${cs.outlineWidth}`;
      if (cs.boxShadow !== "none") return `box-shadow ${cs.boxShadow}`;
      return null;
    };
    let ring = ringOf(el) ?? (el.closest("label") && ringOf(el.closest("label")));
    // Tab also stops on the calendar button inside Chromium's own date control: the focus is then
    // in the browser's closed shadow tree (the input itself no longer matches :focus) and the
    // browser draws the ring there, where getComputedStyle cannot see it.
    if (!ring && el.matches('input[type="date"]') && !el.matches(":focus")) ring = "the browser's own ring on the date control's calendar button";
    return {
      what: `${el.localName}${el.id ? "#" + el.id : ""}${el.name ? `[name=${el.name}]` : ""}${el.value && el.type === "radio" ? `[value=${el.value}]` : ""} "${(el.textContent ?? "").trim().slice(0, 40)}"`,
      ring,
      inElement,
      name: el.name ?? null,
      value: el.value ?? null,
      checked: el.checked ?? null,
      why: el.localName === "summary" ? el.closest("details[data-why]")?.dataset.why ?? null : null,
    };
  });

async function axeViolations(page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_22_AA).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Opens every "why" of the first element by clicking its summary, as a person would. */
async function openEveryWhy(page) {
  for (const s of await page.locator(`${W} details[data-why] > summary`).all()) await s.click();
  const closed = await page.locator(`${W} details[data-why]:not([open])`).count();
  assert.equal(closed, 0, "every why is open");
}

test("a postdoc with 24 months sees 300,000.00, with the schedule and the why", async () => {
  const { page, context, log } = await openPage(browser, demo());
  await fillPostdoc(page);
  await waitTotal(page, "300000.00");
  const text = await page.locator(`${W} [part~="total"]`).first().textContent();
  assert.match(text, /300,000\.00/);
  const card = page.locator(`${W} [data-program="living_allowance"]`);
  assert.equal(await card.getAttribute("data-status"), "eligible");
  const cardText = await card.textContent();
  assert.match(cardText, /150,000\.00/);
  await card.locator("details summary").first().click();
  assert.match(await card.textContent(), /30万元的生活补贴/, "the quoted clause is shown");
  await shot(page, "postdoc-300000-zh");
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("an enterprise approved in 2024 sees 100,000.00; in English too", async () => {
  const { page, context, log } = await openPage(browser, demo("&lang=en"));
  await page.selectOption("#lang", "en").catch(() => {});
  await q(page, "applicant_type", "enterprise").check();
  await q(page, "in_zone", "true").check();
  await q(page, "workstation_status", "approved").check();
  await q(page, "workstation_approved_on").fill("2024-03-01");
  await waitTotal(page, "100000.00");
  const card = page.locator(`${W} [data-program="station_setup_fund"]`);
  assert.equal(await card.getAttribute("data-status"), "eligible");
  assert.match(await card.textContent(), /setup fund/i);
  await shot(page, "enterprise-100000-en");
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("switching language keeps the answers and changes the text", async () => {
  const { page, context } = await openPage(browser, demo());
  await fillPostdoc(page, "13");
  await waitTotal(page, "162500.00");
  const zh = await page.locator(`${W} [data-program="living_allowance"]`).textContent();
  assert.match(zh, /在站博士后生活补贴/);
  await page.selectOption("#lang", "en");
  await page.waitForFunction(() => /Living allowance/.test(document.querySelector("subsidy-calculator").shadowRoot.textContent));
  await waitTotal(page, "162500.00");
  assert.equal(await q(page, "months_in_station").inputValue(), "13");
  await context.close();
});

test("a shared link restores the answers; a malformed link shows a message and an empty form", async () => {
  const { page, context } = await openPage(browser, demo());
  await fillPostdoc(page, "24");
  await waitTotal(page, "300000.00");
  await page.waitForFunction(() => location.hash.length > 3);
  const link = page.url();
  const other = await context.newPage();
  await other.goto(link);
  await waitTotal(other, "300000.00");
  assert.equal(await q(other, "months_in_station").inputValue(), "24");
  // a malformed link opened in a new tab (a reload of the open page would race with the element
  // removing the bad hash from the address it keeps in step)
  const bad = await context.newPage();
  await bad.goto(`${demo()}#a=%7Bnot-json`);
  for (const p of [bad, other]) {
    // and the same link followed inside a page already open (hashchange)
    if (p === other) await other.goto(`${demo()}#a=%7Bnot-json`);
    const alert = p.locator(`${W} [role="alert"], ${W} [part~="error"]`).first();
    await alert.waitFor();
    assert.match(await alert.textContent(), /链接|link/i);
    assert.equal(await q(p, "applicant_type", "postdoc").isChecked(), false);
  }
  await context.close();
});

test("an invalid answer is shown beside its field and the other answers are kept", async () => {
  const { page, context } = await openPage(browser, demo());
  await fillPostdoc(page, "240");
  const input = q(page, "months_in_station");
  // the error is tied to the field: its aria-describedby names the message
  // the engine's message, in the page's language
  await assertFieldError(page, "months_in_station", "240 超出范围：应在 0 到 72 之间");
  assert.equal(await input.inputValue(), "240", "the typed text is kept");
  assert.equal(await q(page, "applicant_type", "postdoc").isChecked(), true);
  await input.fill("24");
  await waitTotal(page, "300000.00");
  await context.close();
});

for (const file of ["embed-example.html", "embed-trusted-types.html"]) {
  test(`${file} works under its strict CSP, fetching only the widget's own assets`, async () => {
    const { page, context, log } = await openPage(browser, `${server.url}${file}`);
    const response = await page.request.get(`${server.url}${file}`);
    assert.match(response.headers()["content-security-policy"], /script-src 'self' 'wasm-unsafe-eval'/);
    await fillPostdoc(page);
    await waitTotal(page, "300000.00");
    await shot(page, file.replace(".html", ""));
    assert.deepEqual(log.csp, [], "no CSP or Trusted Types violation");
    assert.deepEqual(log.errors, []);
    const origin = new URL(server.url).origin;
    for (const r of log.requests) assert.equal(new URL(r).origin, origin, `only own assets: ${r}`);
    assert.ok(!log.requests.some((r) => r.includes("postdoc")), "answers never leave the browser");
    await context.close();
  });
}

test("axe reports no WCAG 2.2 AA violations on the demo and the embed page", async () => {
  for (const [url, fill] of [
    [demo(), true],
    [demo("&lang=en"), false],
    [`${server.url}embed-example.html`, true],
  ]) {
    const { page, context } = await openPage(browser, url);
    await q(page, "applicant_type").waitFor();
    if (fill) {
      await fillPostdoc(page, "6");
      await waitTotal(page, "75000.00");
    }
    assert.deepEqual(await axeViolations(page), [], url);
    await context.close();
  }
});

test("comparing Zibo 2019 and 2022 for the same answers", async () => {
  const { page, context } = await openPage(browser, ziboCompare());
  await fillZiboMaster(page);
  // the form's element (2022, in force on 2023-01-01), then version A (2019) and version B (2022)
  await waitAllTotals(page, ["120000.00", "80000.00", "120000.00"]);
  await shot(page, "compare-zibo");
  await context.close();
});

test("a panic inside the wasm leaves the element usable", async () => {
  // The engine built with its test hook (www/pkg-test, never shipped) stands in for the
  // shipped one; the hook makes the engine's next call panic, whichever call the page makes.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  await context.route(/\/dist\/pkg\/([^?]*)/, (route) => {
    const file = new URL(route.request().url()).pathname.split("/dist/pkg/")[1];
    return route.fulfill({ path: join(root, "www/pkg-test", file) });
  });
  const page = await context.newPage();
  await page.goto(demo());
  await fillPostdoc(page, "12");
  await waitTotal(page, "150000.00");
  await page.evaluate(async () => (await import(new URL("dist/pkg/subsidy_calc.js", location.href).href)).__panicOnNextCall());
  await q(page, "months_in_station").fill("13");
  await page.locator(`${W} [role="alert"][data-error="crash"]`).waitFor();
  await q(page, "months_in_station").fill("24");
  await waitTotal(page, "300000.00");
  await context.close();
});

test("a missing or invalid bundle is reported plainly in the page", async () => {
  const { page, context } = await openPage(browser, embed());
  await useBundle(page, "rules/does-not-exist.json");
  const alert = page.locator(`${W} [role="alert"]`).first();
  await alert.waitFor();
  assert.ok((await alert.textContent()).trim().length > 5);
  await context.close();
});

test("the README shows the embed snippet that the embed example uses", async () => {
  const readme = await readFile(join(root, "README.md"), "utf8");
  assert.match(readme, /<script type="module" src="subsidy-calculator.js"><\/script>/);
  assert.match(readme, /<subsidy-calculator rules="rules\/baotou-rare-earth-zone.json" lang="zh-CN"><\/subsidy-calculator>/);
});

test("rule text is data: markup in labels, help and quotes shows as text and runs nothing", async () => {
  const { page, context, log } = await openPage(browser, embed());
  await useBundle(page, "rules/test/hostile-text.json", "2024-06-01");
  await q(page, "kind", "a").check();
  await q(page, "count").fill("2");
  await waitTotal(page, "2000.00");
  const card = page.locator(`${W} [data-program="evil_program"]`);
  for (const d of await card.locator("details").all()) await d.locator("summary").click();
  const shadowText = await page.evaluate(() => document.querySelector("subsidy-calculator").shadowRoot.textContent);
  assert.match(shadowText, /<script>window.__xss='program'<\/script>Program|<script>window.__xss='program'<\/script>项目/);
  assert.match(shadowText, /<img src=x onerror="window.__xss='label'">/);
  assert.match(shadowText, /window.__xss='quote'/);
  await assertNothingRan(page, "rule text");
  assert.deepEqual(log.csp, []);
  await shot(page, "hostile-text");
  await context.close();
});

test("money golden cases reach the page exactly: 0.1 + 0.2, 1.005, half-up against half-even", async () => {
  for (const [set, want] of [
    ["money-half-up", { rounded_base: "1.01", third: "0.34", total: "1.65" }],
    ["money-half-even", { rounded_base: "1.00", third: "0.34", total: "1.64" }],
  ]) {
    const { page, context } = await openPage(browser, embed());
    await useBundle(page, `rules/test/${set}.json`, "2024-06-01");
    await q(page, "base").fill("1.005");
    await waitTotal(page, want.total);
    const text = (id) => page.locator(`${W} [data-program="${id}"]`).textContent();
    assert.match(await text("point_one_plus_point_two"), /0\.30/);
    assert.match(await text("rounded_base"), new RegExp(want.rounded_base.replace(".", "\\.")));
    assert.match(await text("third"), new RegExp(want.third.replace(".", "\\.")));
    await context.close();
  }
});

test("hostile values typed into the form are shown beside the field; other answers stay", async () => {
  const { page, context } = await openPage(browser, demo("&lang=en"));
  await q(page, "applicant_type", "postdoc").check();
  await q(page, "in_zone", "true").check();
  const months = q(page, "months_in_station");
  // A number input accepts only numeric text; these are the hostile numbers a person can type.
  // what the browser cannot read as a number is refused by the element; the rest by the engine
  const wholeNumber = msg("en", "vWholeNumber");
  const engineWhole = (text) => `expected a whole number, got the text "${text}"`;
  for (const [bad, want] of [
    ["1e400", wholeNumber],
    ["-1", "-1 is out of range: it must be from 0 to 72"],
    ["9".repeat(400), wholeNumber],
    ["24.5", engineWhole("24.5")],
    ["-0.0000001", engineWhole("-0.0000001")],
  ]) {
    // from a valid answer each time, so the error seen below can only be this value's
    await months.fill("24");
    await waitTotal(page, "300000.00");
    await months.fill(bad);
    await assertFieldError(page, "months_in_station", want);
    const answers = await page.evaluate(() => document.querySelector("subsidy-calculator").answers);
    assert.deepEqual(answers, { applicant_type: "postdoc", in_zone: true }, `${bad.slice(0, 12)}: not taken as an answer; the others stay`);
  }
  await months.fill("24");
  await waitTotal(page, "300000.00");
  await context.close();
});

test("markup typed into a text field stays text in the field, is refused beside it and runs nothing", async () => {
  const { page, context, log } = await openPage(browser, demo("&lang=en"), { locale: "en" });
  await q(page, "applicant_type").waitFor();
  await useBundle(page, "rules/test/money-half-up.json");
  const base = q(page, "base");
  for (const bad of [XSS.img("typed-img"), XSS.script("typed-script"), XSS.url("typed-url")]) {
    await base.fill(bad);
    // the engine's message quotes what was typed, as text
    await assertFieldError(page, "base", "is not a decimal number (write it like \"12500.00\"");
    assert.equal(await base.inputValue(), bad, "the typed text is kept, literally");
    await assertNothingRan(page, bad);
  }
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("a crafted shared link is validated like typed answers", async () => {
  const links = [
    {
      answers: { applicant_type: XSS.img("link-option"), in_zone: true, months_in_station: 1e6, __proto__x: XSS.img("link-key") },
      // the message beside the field quotes the value (shortened), as text
      invalid: { applicant_type: "<img src=x onerror=" },
      other: { months_in_station: "out of range", __proto__x: "unknown question" },
      used: ["in_zone"],
    },
    {
      answers: { applicant_type: "postdoc", in_zone: true, months_in_station: XSS.script("link-number"), school_age_children: XSS.url("link-url") },
      invalid: { months_in_station: "got the text \"<script>window.__xss=", school_age_children: "got the text \"javascript:window.__xss=" },
      other: {},
      used: ["applicant_type", "in_zone"],
    },
  ];
  for (const link of links) {
    const { page, context } = await openPage(browser, `${demo("&lang=en")}#a=${encodeURIComponent(JSON.stringify(link.answers))}`, { locale: "en" });
    for (const [id, want] of Object.entries(link.invalid)) await assertFieldError(page, id, want);
    // answers no shown question takes are listed by their id, with the reason
    const other = await page.locator(`${W} [data-error="answers"] li`).evaluateAll((items) =>
      Object.fromEntries(items.map((li) => [li.querySelector("code").textContent, li.textContent])));
    for (const [id, want] of Object.entries(link.other)) assert.match(other[id] ?? "", new RegExp(want), id);
    // had a value become a link or markup, clicking the message that quotes it would run it
    for (const id of Object.keys(link.invalid)) {
      await page.locator(`${W} [data-question="${id}"] .field-error`).evaluate((p) => [p, ...p.querySelectorAll("*")].forEach((el) => el.click()));
    }
    await assertNothingRan(page, JSON.stringify(link.answers));
    // the answers summary (printed, and shown by results-only elements) lists only the answers used
    const listed = await page.locator(`${W} [data-answer]`).evaluateAll((dds) => dds.map((dd) => dd.dataset.answer));
    assert.deepEqual(listed, link.used, "refused answers are not listed as answers");
    await context.close();
  }
});

test("a portal can pin a release with Subresource Integrity, and tampered bytes are refused", async () => {
  const manifest = JSON.parse(await readFile(join(root, "www/integrity.json"), "utf8"));
  const base = `release/${manifest.version}/`;
  const entry = `${base}subsidy-calculator.js`;
  const imports = {};
  for (const [path, hash] of Object.entries(manifest.files)) if (path.endsWith(".js")) imports[`${server.url}${path}`] = hash;
  const html = `<!doctype html><html lang="zh-CN"><head><title>SRI</title>
<script type="importmap">${JSON.stringify({ integrity: imports })}</script>
<script type="module" src="${entry}" integrity="${manifest.files[entry]}" crossorigin="anonymous"></script></head>
<body><subsidy-calculator rules="${base}rules/baotou-rare-earth-zone.json" as-of="${AS_OF}"></subsidy-calculator></body></html>`;
  for (const tamper of [false, true]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const consoleText = [];
    page.on("console", (m) => consoleText.push(m.text()));
    await page.route(`${server.url}sri.html`, (route) => route.fulfill({ contentType: "text/html", body: html }));
    if (tamper) {
      await page.route(`**/${base}pkg/subsidy_calc_bg.wasm`, async (route) => {
        const resp = await route.fetch();
        const body = Buffer.from(await resp.body());
        body[body.length - 1] ^= 1;
        await route.fulfill({ response: resp, body });
      });
    }
    await page.goto(`${server.url}sri.html`);
    if (!tamper) {
      await fillPostdoc(page);
      await waitTotal(page, "300000.00");
    } else {
      const alert = page.locator(`${W} [role="alert"]`).first();
      await alert.waitFor();
      assert.equal(await page.locator(`${W} [part~="total"]`).count(), 0, "no estimate from tampered code");
      assert.ok(consoleText.some((t) => /integrity/i.test(t)), `the browser refused it for integrity: ${consoleText.join(" | ")}`);
    }
    await context.close();
  }
});

test("a portal's own form drives the element (form=ID): answers from its controls, the estimate beside it", async () => {
  const { page, context, log } = await openPage(browser, `${server.url}embed-form.html`);
  await page.locator(`${W} [part~="total"]`).first().waitFor();
  // the element shows no form of its own
  assert.equal(await page.locator(`${W} [part~="form"]`).isVisible(), false);
  await page.locator('#apply-form [name="applicant_type"][value="postdoc"]').check();
  await page.locator('#apply-form [name="in_zone"][value="true"]').check();
  await page.locator("#months").fill("13");
  await waitTotal(page, "162500.00");
  const answers = await page.evaluate(() => document.querySelector("subsidy-calculator").answers);
  assert.deepEqual(answers, { applicant_type: "postdoc", in_zone: true, months_in_station: 13 });
  // a value the question does not take is reported by the element, in the page's language
  await page.locator("#months").fill("80");
  const other = page.locator(`${W} [data-error="answers"]`);
  await other.waitFor();
  assert.match(await other.textContent(), /months_in_station.*80 超出范围/);
  assert.equal(await page.evaluate(() => "months_in_station" in document.querySelector("subsidy-calculator").answers), false);
  assert.deepEqual(log.csp, [], "no CSP violation");
  assert.deepEqual(log.errors, []);
  await context.close();
});

// ------------------------------------------------------------------ print, keyboard, sharing, the element's API

test("printing: the results and every 'why' are on paper, the controls are not", async () => {
  const { page, context } = await openPage(browser, demo("&lang=en"), { locale: "en" });
  await fillPostdoc(page);
  await waitTotal(page, "300000.00");
  await page.locator(`${W} [data-program="living_allowance"] details > summary`).click(); // opened by the person

  // A real print (page.pdf fires beforeprint and afterprint): the element opens every "why" for
  // it and afterwards closes again only those it opened.
  await page.evaluate(() => {
    const whys = () => Object.fromEntries([...document.querySelector("subsidy-calculator").shadowRoot.querySelectorAll("details[data-why]")].map((d) => [d.dataset.why, d.open]));
    window.__printed = [];
    for (const type of ["beforeprint", "afterprint"]) addEventListener(type, () => window.__printed.push([type, whys()]));
  });
  await page.pdf();
  const [[, during], [, afterwards]] = await page.evaluate(() => window.__printed);
  assert.ok(Object.keys(during).length >= 3, JSON.stringify(during));
  for (const [id, open] of Object.entries(during)) assert.equal(open, true, `${id} is open while printing`);
  for (const [id, open] of Object.entries(afterwards)) assert.equal(open, id === "living_allowance", `${id} after printing`);

  // On paper (print media, the "why"s closed as the person left them): the print stylesheet alone
  // shows the contents of the eligible programs' "why", and hides what cannot be used on paper.
  await page.emulateMedia({ media: "print" });
  const paper = await page.evaluate(() => {
    const shown = (el) => !!el?.checkVisibility({ visibilityProperty: true, opacityProperty: true, contentVisibilityAuto: true });
    const root = document.querySelector("subsidy-calculator").shadowRoot;
    return {
      total: shown(root.querySelector('[part~="total"]')) && root.querySelector('[part~="total"]').textContent,
      answers: shown(root.querySelector('[part~="answers"]')) && root.querySelector('[part~="answers"]').textContent,
      eligibleWhy: [...root.querySelectorAll('[data-status="eligible"] details[data-why]')].map((d) => ({
        id: d.dataset.why,
        open: d.open,
        reasons: [...d.querySelectorAll(".reason")].every(shown) && d.querySelectorAll(".reason").length,
        quote: shown(d.querySelector(".quote")) && d.querySelector(".quote").textContent,
      })),
      controls: [...root.querySelectorAll("input, select, button, summary"), ...document.querySelectorAll("input, select, button, .skip-link")]
        .filter(shown)
        .map((el) => el.outerHTML.slice(0, 80)),
    };
  });
  assert.match(paper.total || "", /300,000\.00/, "the total is printed");
  assert.match(paper.answers || "", /A postdoc in station/, "the answers are printed");
  assert.ok(paper.eligibleWhy.length >= 2, JSON.stringify(paper.eligibleWhy));
  for (const why of paper.eligibleWhy) {
    assert.ok(why.reasons > 0, `${why.id}: the conditions are printed`);
    assert.ok(why.quote, `${why.id}: the quoted clause is printed`);
  }
  assert.ok(paper.eligibleWhy.some((w) => !w.open), "a closed 'why' is printed too");
  assert.deepEqual(paper.controls, [], "no form control, button or toggle on paper");
  await context.close();
});

test("from the top of the page the keyboard alone reaches the form, answers it and reaches the results, the focus always visible", async () => {
  const { page, context } = await openPage(browser, demo("&lang=en"), { locale: "en" });
  await q(page, "applicant_type").waitFor();
  assert.equal((await focused(page)).what, "the document", "the focus starts on the document");
  const press = async (key) => {
    await page.keyboard.press(key);
    const f = await focused(page);
    assert.ok(f.ring, `after ${key}: the focus on ${f.what} is not visible`);
    return f;
  };
  const tabUntil = async (done, most) => {
    for (let i = 0; i < most; i++) {
      const f = await press("Tab");
      if (done(f)) return f;
    }
    assert.fail(`not reached in ${most} presses of Tab`);
  };
  // through the skip link and the demo's settings into the element
  let f = await tabUntil((x) => x.inElement, 15);
  assert.match(f.what, /^button "Normal"/, "the element's first stop is its text-size switch");
  f = await press("Enter");
  f = await tabUntil((x) => x.name === "applicant_type", 3);
  f = await press("ArrowDown");
  assert.deepEqual([f.value, f.checked], ["postdoc", true]);
  f = await press("Tab");
  assert.deepEqual([f.name, f.value], ["in_zone", "true"]);
  f = await press("Space");
  assert.equal(f.checked, true, "Space answers yes");
  f = await press("Tab");
  assert.equal(f.name, "months_in_station", "the question that appeared for a postdoc comes next");
  await page.keyboard.type("24");
  await waitTotal(page, "300000.00");
  // on into the results: the "why" of the living allowance opens with Enter
  await tabUntil((x) => x.why === "living_allowance", 10);
  await press("Enter");
  const why = page.locator(`${W} details[data-why="living_allowance"]`);
  assert.equal(await why.getAttribute("open"), "");
  assert.ok(await why.locator(".quote").first().isVisible(), "the quoted clause is shown");
  await context.close();
});

test("the demo's copied link brings back the language, the date, the rule set and the answers", async () => {
  const { page, context } = await openPage(browser, `${server.url}index.html`, { permissions: ["clipboard-read", "clipboard-write"] });
  await q(page, "applicant_type").waitFor();
  await page.selectOption("#ruleset", "zibo");
  await q(page, "degree").waitFor();
  await page.fill("#asof", "2020-06-01");
  await page.selectOption("#lang", "en");
  await fillZiboMaster(page, "2020-03-01");
  await waitTotal(page, "80000.00"); // the 2019 version, in force on that date (2022's gives 120,000.00)
  await page.locator(`${W} [part~="copy-link"]`).click();
  await page.locator(`${W} .action-status`, { hasText: msg("en", "copied") }).waitFor();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(link, page.url(), "the copied link is the page's own URL");

  // someone else opens it
  const { page: other, context: otherContext } = await openPage(browser, link);
  const state = await other.evaluate(async () => {
    await customElements.whenDefined("subsidy-calculator");
    const el = document.querySelector("subsidy-calculator");
    await el.ready;
    return {
      ruleset: document.querySelector("#ruleset").value,
      asof: document.querySelector("#asof").value,
      lang: document.querySelector("#lang").value,
      pageLang: document.documentElement.lang,
      element: { rules: el.getAttribute("rules"), lang: el.getAttribute("lang"), asOf: el.getAttribute("as-of") },
      estimate: { ruleSet: el.estimate?.rule_set, version: el.estimate?.version, asOf: el.estimate?.as_of, total: el.estimate?.total },
      answers: el.answers,
    };
  });
  assert.deepEqual(state, {
    ruleset: "zibo",
    asof: "2020-06-01",
    lang: "en",
    pageLang: "en",
    element: { rules: "rules/zibo.json", lang: "en", asOf: "2020-06-01" },
    estimate: { ruleSet: "zibo", version: "2019", asOf: "2020-06-01", total: "80000.00" },
    answers: { degree: "master", new_to_zibo: true, started_on: "2020-03-01" },
  });
  assert.equal(await q(other, "degree", "master").isChecked(), true);
  assert.match(await other.locator(`${W} [data-question="degree"]`).textContent(), /Your highest degree/);
  await otherContext.close();
  await context.close();
});

test("events: rules-loaded, estimate on every change (detail is the estimate), estimate-error with its kind", async () => {
  const { page, context } = await openPage(browser, "about:blank");
  await page.addInitScript(() => {
    window.__events = [];
    for (const type of ["rules-loaded", "estimate", "estimate-error"]) {
      addEventListener(type, (e) => window.__events.push({
        type,
        bubbles: e.bubbles,
        composed: e.composed,
        target: e.target.localName,
        detailIsEstimate: e.detail === e.target.estimate,
        detail: JSON.parse(JSON.stringify(e.detail)),
      }));
    }
  });
  await page.goto(embed());
  const events = (type) => page.evaluate((t) => window.__events.filter((e) => e.type === t), type);
  const next = async (type, count) => poll(async () => (await events(type))[count]);

  const loaded = await next("rules-loaded", 0);
  assert.ok(loaded, "rules-loaded");
  assert.equal(loaded.detail.ruleSet, "baotou-rare-earth-zone");
  assert.deepEqual(loaded.detail.versions.map((v) => v.version), ["2024"]);
  assert.deepEqual([loaded.bubbles, loaded.composed, loaded.target], [true, true, W]);

  let seen = (await events("estimate")).length;
  assert.ok(seen >= 1, "an estimate once loaded");
  const first = (await events("estimate"))[seen - 1];
  assert.deepEqual([first.bubbles, first.composed, first.detailIsEstimate], [true, true, true]);
  assert.equal(first.detail.next_question, "applicant_type");
  for (const [id, answer] of [
    ["applicant_type", () => q(page, "applicant_type", "postdoc").check()],
    ["in_zone", () => q(page, "in_zone", "true").check()],
    ["months_in_station", () => q(page, "months_in_station").fill("24")],
  ]) {
    await answer();
    const e = await next("estimate", seen);
    assert.ok(e, `an estimate event after answering ${id}`);
    assert.equal(e.detailIsEstimate, true);
    seen = (await events("estimate")).length;
  }
  const last = (await events("estimate")).at(-1).detail;
  assert.equal(last.total, "300000.00");
  assert.equal(last.programs.find((p) => p.id === "living_allowance")?.status, "eligible");

  await page.evaluate(() => document.querySelector("subsidy-calculator").setAttribute("as-of", "1990-01-01"));
  const noVersion = await next("estimate-error", 0);
  assert.equal(noVersion?.detail.kind, "no_version", JSON.stringify(noVersion));
  assert.deepEqual([noVersion.bubbles, noVersion.composed], [true, true]);
  assert.equal(await page.evaluate(() => document.querySelector("subsidy-calculator").estimate), null);

  await useBundle(page, "rules/does-not-exist.json");
  const missing = await next("estimate-error", 1);
  assert.deepEqual([missing?.detail.kind, missing?.detail.status], ["http", 404], JSON.stringify(missing));
  await context.close();
});

test("attributes: version pins a version (Zibo 2019 against 2022); results-only shows the results without the form", async () => {
  const { page, context } = await openPage(browser, embed());
  await q(page, "applicant_type").waitFor();
  await useBundle(page, "rules/zibo.json", "2023-01-01");
  await fillZiboMaster(page);
  await waitTotal(page, "120000.00"); // 2022, in force on 2023-01-01
  const setAttr = (name, value) => page.evaluate(([n, v]) => {
    const el = document.querySelector("subsidy-calculator");
    if (v === null) el.removeAttribute(n);
    else el.setAttribute(n, v);
  }, [name, value]);
  const version = () => page.evaluate(() => document.querySelector("subsidy-calculator").estimate?.version);
  await setAttr("version", "2019");
  await waitTotal(page, "80000.00");
  assert.equal(await version(), "2019");
  await setAttr("version", null);
  await waitTotal(page, "120000.00");
  assert.equal(await version(), "2022");

  const layout = () => page.evaluate(() => {
    const root = document.querySelector("subsidy-calculator").shadowRoot;
    const shown = (el) => !!el?.checkVisibility();
    return {
      form: shown(root.querySelector('[part~="form"]')),
      inputs: [...root.querySelectorAll("input, select")].filter(shown).length,
      total: shown(root.querySelector('[part~="total"]')),
      programs: [...root.querySelectorAll('[part~="program"]')].filter(shown).length,
      answers: shown(root.querySelector('[part~="answers"]')) ? root.querySelector('[part~="answers"]').textContent : null,
    };
  });
  const before = await layout();
  assert.equal(before.form, true);
  await setAttr("results-only", "");
  await poll(async () => !(await layout()).form);
  const only = await layout();
  assert.deepEqual([only.form, only.inputs, only.total], [false, 0, true], JSON.stringify(only));
  assert.equal(only.programs, before.programs, "the same program cards");
  assert.match(only.answers ?? "", /硕士研究生/, "the answers used are shown");
  await waitTotal(page, "120000.00");
  await context.close();
});

// ------------------------------------------------------------------ the second round's rule language

/** The text of the first element's part `name`. */
const partText = (page, name) => page.locator(`${W} [part~="${name}"]`).first().textContent();

test("Changsha: dates typed in date inputs, the age computed beside the birth date, the tier table with the applicant's row marked", async () => {
  const { page, context, log } = await openPage(browser, `${server.url}index.html?rules=changsha&asof=2024-07-15&lang=en`);
  await q(page, "degree", "master").check();
  assert.equal(await q(page, "birth_date").getAttribute("type"), "date");
  await q(page, "birth_date").fill("1998-05-20");
  await q(page, "graduated_on").fill("2024-06-30");
  await q(page, "hukou_in_changsha", "true").check();
  await q(page, "works_in_changsha", "true").check();
  await q(page, "public_staff", "false").check();
  await q(page, "bought_first_home", "false").check();
  await waitTotal(page, "20000.00");
  const field = page.locator(`${W} [data-question="birth_date"]`);
  await poll(async () => /Age on the estimate date: 26/.test(await field.textContent()));
  assert.match(await field.textContent(), /Age on the estimate date: 26/, "the age the engine computed, beside the date");
  const card = page.locator(`${W} [data-program="living_allowance"]`);
  await card.locator("details summary").first().click();
  const marked = card.locator('[data-table="living_per_year"] tr[aria-current="true"]');
  assert.equal(await marked.count(), 1, "one row marked");
  assert.equal(await marked.getAttribute("data-option"), "master");
  assert.match(await marked.textContent(), /10,000\.00/);
  assert.match(await card.textContent(), /"Within two years of graduation" is read as/, "the assumption is shown");
  // the 35th birthday on the estimate date: no longer under 35
  await q(page, "birth_date").fill("1989-07-15");
  await waitTotal(page, "0.00");
  assert.match(await field.textContent(), /Age on the estimate date: 35/);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("Zengcheng: outside 2024-01-15 to 2029-01-14 the element says the policy is not in force and names its period; the demo's date picker offers only those days", async () => {
  const { page, context, log } = await openPage(browser, `${server.url}index.html?rules=guangzhou-zengcheng&asof=2029-01-15`);
  const alert = page.locator(`${W} [data-error="estimate"]`);
  await alert.waitFor();
  const text = await alert.textContent();
  assert.match(text, /2029-01-15/, "names the date asked");
  assert.match(text, /2024-01-15 至 2029-01-14/, "names the period by its last day");
  assert.equal(await page.locator("#asof").getAttribute("min"), "2024-01-15");
  assert.equal(await page.locator("#asof").getAttribute("max"), "2029-01-14");
  assert.match(await page.locator("#asof-help").textContent(), /2024-01-15 至 2029-01-14/);
  // the last day in force estimates
  await page.locator("#asof").fill("2029-01-14");
  await q(page, "station_in_zengcheng", "true").check();
  await q(page, "passed_opening", "true").check();
  await q(page, "passed_midterm", "true").check();
  await waitTotal(page, "100000.00");
  assert.equal(await page.locator(`${W} [data-error="estimate"]`).count(), 0, "the alert is gone");
  assert.deepEqual(log.errors.filter((e) => !/no version/i.test(e)), []);
  await context.close();
});

test("Zibo: the header says which version applies and why, or that it depends on the start date", async () => {
  const { page, context } = await openPage(browser, `${server.url}index.html?rules=zibo&asof=2023-01-01&lang=en`);
  await q(page, "degree", "master").check();
  await q(page, "new_to_zibo", "true").check();
  await poll(async () => /depends on/.test(await partText(page, "meta")));
  assert.match(await partText(page, "meta"), /Which rules apply depends on "The day you started full-time work in Zibo" \(2019, 2022\)/);
  await q(page, "started_on").fill("2021-05-01");
  await waitTotal(page, "80000.00");
  assert.match(await partText(page, "meta"), /The 2019 rules apply: The day you started full-time work in Zibo: 2021-05-01/);
  await context.close();
});

// ------------------------------------------------------------------ what would change my result

test("how to qualify: a postdoc outside the zone sees the change in words, applies it, sees the estimate under it, and undoes it", async () => {
  const { page, context, log } = await openPage(browser, demo("&lang=en"));
  await q(page, "applicant_type", "postdoc").check();
  await q(page, "in_zone", "false").check();
  await q(page, "months_in_station").fill("13");
  await q(page, "school_age_children").fill("0");
  await waitTotal(page, "0.00");
  const card = page.locator(`${W} [data-program="living_allowance"]`);
  const changes = card.locator('[part~="changes"]');
  await changes.waitFor();
  const items = changes.locator("li");
  assert.equal(await items.count(), 2);
  assert.match(await changes.locator("h6").textContent(), /How to qualify/);
  assert.match(await items.nth(0).textContent(), /Works at a zone enterprise or workstation|zone/i);
  assert.match(await items.nth(0).textContent(), /: Yes: then CNY 162,500\.00/);
  assert.match(await items.nth(1).textContent(), /from 24 to 72: then CNY 300,000\.00/);
  // a fixed fact (a postdoc, not an enterprise) is never suggested
  const setQuestions = await page.evaluate(() =>
    document.querySelector("subsidy-calculator").estimate.programs.flatMap((p) => p.changes ?? []).flatMap((c) => c.set.map((s) => s.question)));
  assert.ok(setQuestions.length > 0 && !setQuestions.includes("applicant_type"), JSON.stringify(setQuestions));
  await items.nth(1).getByRole("button").click();
  await waitTotal(page, "300000.00");
  assert.equal(await q(page, "in_zone", "true").isChecked(), true, "the form shows the changed answer");
  assert.equal(await q(page, "months_in_station").inputValue(), "24");
  const applied = page.locator(`${W} [part~="changes-applied"]`);
  assert.match(await applied.textContent(), /changed as suggested/);
  const focusedApplied = await page.evaluate(() => document.querySelector("subsidy-calculator").shadowRoot.activeElement?.getAttribute("part"));
  assert.equal(focusedApplied, "changes-applied", "the focus moves to the note, so it is read out");
  assert.deepEqual(await axeViolations(page), [], "axe with a change applied");
  await applied.getByRole("button", { name: "Undo the change" }).click();
  await waitTotal(page, "0.00");
  assert.equal(await q(page, "in_zone", "false").isChecked(), true);
  assert.equal(await q(page, "months_in_station").inputValue(), "13");
  assert.equal(await applied.count(), 0);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("how to get more: an enterprise planning a workstation is shown approval with its date range; applying it sets both", async () => {
  const { page, context } = await openPage(browser, demo());
  await q(page, "applicant_type", "enterprise").check();
  await q(page, "in_zone", "true").check();
  await q(page, "workstation_status", "planning").check();
  await waitTotal(page, "0.00");
  const changes = page.locator(`${W} [data-program="station_setup_fund"] [part~="changes"]`);
  await changes.waitFor();
  assert.match(await changes.textContent(), /2024-01-01 至 2024-07-15/);
  assert.match(await changes.textContent(), /可得 100,000\.00/);
  await changes.getByRole("button").first().click();
  await waitTotal(page, "100000.00");
  assert.equal(await q(page, "workstation_approved_on").inputValue(), "2024-01-01");
  await context.close();
});

test("text size: normal, large, extra large, remembered; at extra large no horizontal scrolling at 360 px and axe 0", async () => {
  const { page, context } = await openPage(browser, demo("&lang=en"), { viewport: { width: 360, height: 800 } });
  await fillPostdoc(page);
  await waitTotal(page, "300000.00");
  const size = () => page.locator(`${W} [part~="total"]`).first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  const group = page.locator(`${W} [part~="text-size"]`);
  assert.equal(await group.getAttribute("role"), "group");
  const normal = await size();
  await group.getByRole("button", { name: "Large", exact: true }).click();
  assert.equal(await group.locator('[data-size="large"]').getAttribute("aria-pressed"), "true");
  assert.equal(await group.getByRole("button", { name: "Large", exact: true }).count(), 1, "the tick is not part of the button's name");
  const large = await size();
  await group.getByRole("button", { name: "Extra large" }).click();
  const xlarge = await size();
  assert.ok(normal < large && large < xlarge, `${normal} < ${large} < ${xlarge}`);
  assert.ok(Math.abs(xlarge / normal - 1.5) < 0.01, "extra large is 1.5 times");
  await openEveryWhy(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${overflow}px of horizontal scrolling at extra large`);
  const lineHeights = await page.locator(`${W} .reason-text, ${W} [data-question] .label`).evaluateAll((els) =>
    els.map((e) => { const cs = getComputedStyle(e); return parseFloat(cs.lineHeight) / parseFloat(cs.fontSize); }));
  assert.ok(lineHeights.every((r) => r >= 1.3), `line spacing ≥ 1.3: ${lineHeights}`);
  assert.deepEqual(await axeViolations(page), [], "axe at extra large");
  await shot(page, "text-size-xlarge-360px-en");
  // remembered on the next visit
  await page.reload();
  await fillPostdoc(page);
  await waitTotal(page, "300000.00");
  assert.equal(await page.locator(`${W} [part~="text-size"] [data-size="xlarge"]`).getAttribute("aria-pressed"), "true");
  assert.ok(Math.abs((await size()) - xlarge) < 0.5);
  await context.close();
});

test("without WebAssembly the element shows the policy from its bundle: name, summary, programs, where to apply, quoted sources", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  await context.addInitScript(() => {
    delete globalThis.WebAssembly;
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${server.url}index.html?rules=zhongshan&asof=2024-07-15`);
  const box = page.locator(`${W} [part~="unsupported"]`);
  await box.waitFor();
  const text = await box.textContent();
  assert.match(text, /中山市博士后生活补贴与留中山补贴/, "the policy's name");
  assert.match(text, /不支持 WebAssembly/, "says why there is no estimate");
  assert.match(text, /在站博士后生活补贴/, "its programs");
  assert.match(text, /民营企业建站资助上浮 10%/);
  assert.match(text, /150,000 yuan per year for up to 2 years/, "the quoted sources");
  assert.match(text, /如何申请：向中山市人力资源和社会保障局咨询申报/, "where to apply");
  assert.equal(await page.locator(`${W} [part~="loading"]`).isVisible(), false, "no stuck loading");
  assert.equal(await page.locator(`${W} [part~="form"]`).isVisible(), false);
  assert.deepEqual(await axeViolations(page), []);
  await shot(page, "no-wasm-zhongshan");
  assert.deepEqual(errors, []);
  await context.close();
});

// ------------------------------------------------------------------ the authoring page

const author = (query) => `${server.url}author.html?${query}`;
const authorReady = (page) => page.waitForFunction(() => document.body.dataset.ready === "1");

test("authoring: open Baotou, its tests pass as in the CLI; type an error, see it at its line, undo; edit an amount, the preview, the tests and the diff follow; download the bundle", async () => {
  const { page, context, log } = await openPage(browser, author("set=baotou-rare-earth-zone&lang=en"), { acceptDownloads: true });
  await authorReady(page);
  await page.evaluate(() => window.subsidyAuthor.settled());
  assert.deepEqual(await page.locator('[role="tab"]').allTextContents(), ["2024.toml", "tests/dates-and-input.toml", "tests/enterprise.toml", "tests/postdoc.toml"]);
  const cli = execFileSync(join(root, "target/release/subsidy-calc"), ["test", "rules/baotou-rare-earth-zone"], { cwd: root, encoding: "utf8" }).trim().split("\n").pop();
  assert.equal(await page.locator("#tests-summary").textContent(), cli, "the CLI's summary line");
  assert.match(cli, /^\d+ passed, 0 failed$/);
  assert.equal(await page.locator("#problems-summary").textContent(), "No problems.");
  assert.equal(await page.locator("#diff").textContent(), "The same as the published version.");
  assert.deepEqual(await axeViolations(page), [], "axe on the authoring page");

  // type an error where the setup fund's amount is
  const text = await page.evaluate(() => window.subsidyAuthor.text("2024.toml"));
  const needle = 'formula = "100000.00';
  const line = text.slice(0, text.indexOf(needle)).split("\n").length;
  await page.evaluate((n) => window.subsidyAuthor.cursorAfter("2024.toml", n), needle);
  await page.keyboard.type(" +");
  await page.evaluate(() => window.subsidyAuthor.settled());
  const problem = page.locator("#problems .problem").first();
  await problem.waitFor();
  assert.match(await problem.textContent(), new RegExp(`^2024\\.toml:${line}:\\d+: `), "the problem names the file and the line typed on");
  assert.equal(await page.locator("#problems-summary").textContent(), "1 problem:");
  assert.ok(await page.locator(".cm-lintRange-error").count() > 0, "underlined in the editor");
  assert.match(await page.locator('[role="tab"][aria-selected="true"]').textContent(), /1 problem/);
  assert.match(await page.locator("#tests-summary").textContent(), /did not run/);
  // undo with the keyboard
  await page.keyboard.press("Control+z");
  await page.evaluate(() => window.subsidyAuthor.settled());
  await page.waitForFunction(() => document.getElementById("problems-summary").textContent === "No problems.");
  assert.equal(await page.locator("#tests-summary").textContent(), cli);

  // edit an amount (the setup fund and its schedule row): the preview pays it, the tests and the diff say so
  const preview = page.locator("#preview");
  const loaded = page.evaluate(() => new Promise((r) => document.getElementById("preview").addEventListener("rules-loaded", r, { once: true })));
  await page.evaluate((t) => window.subsidyAuthor.setText("2024.toml", t.replaceAll('"100000.00"', '"120000.00"')), text);
  await loaded;
  await page.evaluate(() => {
    const el = document.getElementById("preview");
    el.setAttribute("as-of", "2024-07-15");
    el.answers = { applicant_type: "enterprise", in_zone: true, workstation_status: "approved", workstation_approved_on: "2024-03-01" };
  });
  await waitTotal(page, "120000.00", "#preview");
  assert.match(await page.locator("#tests-summary").textContent(), /^\d+ passed, [1-9]\d* failed$/);
  const failure = page.locator("#tests li.fail").first();
  assert.match(await failure.textContent(), /expected "100000\.00", got "120000\.00"/, "each failure with its expected and actual values");
  assert.match(await page.locator("#diff").textContent(), /program station_setup_fund: amount 100000\.00 → 120000\.00/);
  const download = page.waitForEvent("download");
  await page.locator("#download-bundle").click();
  const file = await (await download).path();
  const bundle = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(bundle.rule_set, "baotou-rare-earth-zone");
  assert.match(JSON.stringify(bundle), /120000\.00/);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("authoring: 1,000 edits keep the wasm memory flat (the calculators each edit replaces are freed)", async () => {
  const { page, context } = await openPage(browser, author("set=baotou-rare-earth-zone"));
  await authorReady(page);
  const sizes = await page.evaluate(async () => {
    const el = document.getElementById("preview");
    const a = window.subsidyAuthor;
    const base = a.text("2024.toml");
    const out = [];
    for (let i = 1; i <= 1000; i++) {
      const loaded = new Promise((r) => el.addEventListener("rules-loaded", r, { once: true }));
      await a.setText("2024.toml", base.replaceAll('"100000.00"', `"${100000 + i}.00"`));
      await loaded;
      if (i === 100 || i === 1000) out.push({ element: el.engineMemory, author: a.memory() });
    }
    return out;
  });
  assert.ok(sizes[0].element > 0 && sizes[0].author > 0, JSON.stringify(sizes));
  // Flat: at most one 64 KiB page more after 1,000 edits than after 100 (the allocator's high
  // water); 900 calculators left unfreed would keep some 70 MB.
  assert.equal(sizes[1].author, sizes[0].author, `the authoring wasm: ${JSON.stringify(sizes)}`);
  assert.ok(sizes[1].element - sizes[0].element <= 65_536, `the element's wasm: ${JSON.stringify(sizes)}`);
  await context.close();
});

test("authoring: the template starts a new policy that checks and passes its test; the embed page never loads the authoring wasm", async () => {
  const { page, context, log } = await openPage(browser, author("set=template&lang=en"));
  await authorReady(page);
  await page.evaluate(() => window.subsidyAuthor.settled());
  assert.deepEqual(await page.locator('[role="tab"]').allTextContents(), ["2025.toml", "tests/cases.toml"]);
  assert.equal(await page.locator("#problems-summary").textContent(), "No problems.");
  assert.equal(await page.locator("#tests-summary").textContent(), "1 passed, 0 failed");
  assert.match(await page.locator("#diff").textContent(), /new rule set/);
  // the tabs follow the arrow keys
  await page.locator('[role="tab"][aria-selected="true"]').focus();
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.locator('[role="tab"][aria-selected="true"]').textContent(), "tests/cases.toml");
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(log.errors, []);
  await context.close();
  const embedPage = await openPage(browser, embed());
  await embedPage.page.locator(`${W} [part~="total"]`).first().waitFor();
  assert.deepEqual(embedPage.log.requests.filter((u) => /pkg-author|author\.js/.test(u)), []);
  await embedPage.context.close();
});

// ------------------------------------------------------------------ accessibility and layout

test("axe reports no WCAG 2.2 AA violations with an error beside a field, every 'why' open, and the comparison", async () => {
  for (const [state, url, reach] of [
    ["an error beside a field", demo(), async (page) => {
      await fillPostdoc(page, "240");
      await assertFieldError(page, "months_in_station", "240 超出范围：应在 0 到 72 之间");
    }],
    ["every 'why' open", demo("&lang=en"), async (page) => {
      await fillPostdoc(page, "6");
      await waitTotal(page, "75000.00");
      await openEveryWhy(page);
    }],
    ["the comparison of Zibo 2019 and 2022", ziboCompare(), async (page) => {
      await fillZiboMaster(page);
      await waitAllTotals(page, ["120000.00", "80000.00", "120000.00"]);
    }],
  ]) {
    const { page, context } = await openPage(browser, url);
    await reach(page);
    assert.deepEqual(await axeViolations(page), [], state);
    await context.close();
  }
});

// Chrome's browser zoom reflows: at 200 % a 1280×800 window lays the page out in a 640×400
// CSS-pixel viewport and reports devicePixelRatio 2, because Blink applies the zoom as part of the
// device scale factor ("zoom for DSF"): media queries, wrapping and layout are those of 640 px, and
// each CSS pixel is drawn with 2×2 device pixels. A context with viewport 640×400 and
// deviceScaleFactor 2 is exactly that window at 200 % (a bare 640 px viewport draws text at half
// that size; CDP's Emulation.setPageScaleFactor is a pinch zoom that magnifies the 1280 px layout
// and reflows nothing, so it cannot show a layout problem).
const LAYOUTS = [
  { name: "200% zoom of a 1280×800 window", options: { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 }, width: 640, dpr: 2 },
  { name: "a 360 px wide phone", options: { viewport: { width: 360, height: 800 } }, width: 360, dpr: 1 },
];
// Running text (not headings, which may scale with the width): the same CSS size as at 100 % in a
// wide window, so zoomed it is drawn at twice the size.
const BODY_TEXT = [".lead", `${W} .intro`, `${W} [data-question] .label`, `${W} .help`, `${W} .option-text`, `${W} .reason-text`, `${W} .quote p`, `${W} .btn`];
const MIN_TEXT_PX = 12;

/** Fills the demo, opens every "why", and measures: overflow, boxes outside the viewport, text sizes. */
async function measureLayout(page) {
  await fillPostdoc(page);
  await waitTotal(page, "300000.00");
  await openEveryWhy(page);
  const sizes = {};
  for (const sel of BODY_TEXT) sizes[sel] = await page.locator(sel).first().evaluate((el) => getComputedStyle(el).fontSize);
  const layout = await page.evaluate(() => {
    const all = [];
    const walk = (root) => {
      for (const el of root.querySelectorAll("*")) {
        all.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    const width = document.documentElement.clientWidth;
    const outside = [];
    let smallest = Infinity;
    for (const el of all) {
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
      const box = el.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) continue; // visually hidden, for screen readers only
      if (box.left < -0.5 || box.right > width + 0.5) outside.push(`${el.localName}.${el.getAttribute("class") ?? ""} ${Math.round(box.left)}…${Math.round(box.right)}`);
      if ([...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim())) smallest = Math.min(smallest, parseFloat(getComputedStyle(el).fontSize));
    }
    return {
      width,
      innerWidth,
      dpr: devicePixelRatio,
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      outside,
      smallest,
    };
  });
  return { ...layout, sizes };
}

test("at 200% zoom and at 360 px wide: no horizontal scrolling, nothing cut off, text not shrunk", async () => {
  const base = await openPage(browser, demo(), { viewport: { width: 1280, height: 800 } });
  const wide = await measureLayout(base.page);
  await base.context.close();
  for (const layout of LAYOUTS) {
    for (const lang of ["zh-CN", "en"]) {
      const label = `${layout.name}, ${lang}`;
      const { page, context } = await openPage(browser, demo(`&lang=${lang}`), { locale: lang, ...layout.options });
      const m = await measureLayout(page);
      assert.deepEqual([m.innerWidth, m.dpr], [layout.width, layout.dpr], `${label}: the viewport`);
      assert.ok(m.overflow <= 0, `${label}: ${m.overflow}px of horizontal scrolling`);
      assert.deepEqual(m.outside, [], `${label}: boxes cut off at the viewport's edge`);
      assert.ok(m.smallest >= MIN_TEXT_PX, `${label}: text of ${m.smallest}px`);
      if (lang === "zh-CN") assert.deepEqual(m.sizes, wide.sizes, `${label}: running text as large as in a wide window`);
      await shot(page, `postdoc-${layout.width}px-dpr${layout.dpr}-${lang}`);
      await context.close();
    }
  }
});
