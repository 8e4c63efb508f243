// End-to-end: a person using the demo and a portal page, in real headless Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { startServer, launch, openPage, shot, total, root } from "./harness.mjs";

let server;
let browser;
const W = "subsidy-calculator";
const AS_OF = "2024-07-15";

before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

const demo = (query = "") => `${server.url}index.html?asof=${AS_OF}${query}`;
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

async function fillPostdoc(page, months = "24") {
  await q(page, "applicant_type", "postdoc").check();
  await q(page, "in_zone", "true").check();
  await q(page, "months_in_station").fill(months);
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
  await other.goto(`${demo()}#a=%7Bnot-json`);
  await other.reload();
  const alert = other.locator(`${W} [role="alert"], ${W} [part~="error"]`).first();
  await alert.waitFor();
  assert.ok((await alert.textContent()).trim().length > 0);
  assert.equal(await q(other, "applicant_type", "postdoc").isChecked(), false);
  await context.close();
});

test("the form can be completed by keyboard alone", async () => {
  const { page, context } = await openPage(browser, demo("&lang=en"), { locale: "en" });
  await page.selectOption("#lang", "en").catch(() => {});
  await q(page, "applicant_type", "enterprise").focus();
  await page.keyboard.press("ArrowDown"); // → postdoc
  await page.keyboard.press("Tab"); // → in_zone group
  await page.keyboard.press("Space");
  await page.keyboard.press("Tab"); // → months
  await page.keyboard.type("24");
  await waitTotal(page, "300000.00");
  assert.equal(await q(page, "applicant_type", "postdoc").isChecked(), true);
  await context.close();
});

test("an invalid answer is shown beside its field and the other answers are kept", async () => {
  const { page, context } = await openPage(browser, demo());
  await fillPostdoc(page, "240");
  const input = q(page, "months_in_station");
  await page.waitForFunction(() => {
    const i = document.querySelector("subsidy-calculator").shadowRoot.querySelector('[name="months_in_station"]');
    return i?.getAttribute("aria-invalid") === "true";
  });
  const described = await input.getAttribute("aria-describedby");
  assert.ok(described, "the error is tied to the field");
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
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
    assert.deepEqual(
      results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
      [],
      url,
    );
    await context.close();
  }
});

test("works at 360 px wide and at 200% zoom without horizontal scrolling", async () => {
  for (const width of [360, 640]) {
    const { page, context } = await openPage(browser, demo(), { viewport: { width, height: 800 } });
    await fillPostdoc(page);
    await waitTotal(page, "300000.00");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${width}px: ${overflow}px horizontal overflow`);
    await shot(page, `postdoc-${width}px`);
    await context.close();
  }
});

test("comparing Zibo 2019 and 2022 for the same answers", async () => {
  const { page, context } = await openPage(browser, `${server.url}index.html?rules=zibo&asof=2023-01-01&compare=1`);
  await q(page, "degree", "master").first().check();
  await q(page, "new_to_zibo", "true").first().check();
  await waitTotal(page, "120000.00");
  await page.waitForFunction(() => [...document.querySelectorAll("subsidy-calculator")].some((el) => el.shadowRoot?.querySelector('[part~="total"]')?.getAttribute("data-total") === "80000.00"), null, { timeout: 10_000 });
  const totals = await page.evaluate(() =>
    [...document.querySelectorAll("subsidy-calculator")].map((el) => el.shadowRoot.querySelector('[part~="total"]')?.getAttribute("data-total")),
  );
  assert.ok(totals.includes("80000.00") && totals.includes("120000.00"), JSON.stringify(totals));
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
  const { page, context } = await openPage(browser, `${server.url}embed-example.html`);
  await page.evaluate(() => document.querySelector("subsidy-calculator").setAttribute("rules", "rules/does-not-exist.json"));
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
  const { page, context, log } = await openPage(browser, `${server.url}embed-example.html`);
  await page.evaluate(() => {
    window.__xss = undefined;
    const el = document.querySelector("subsidy-calculator");
    el.setAttribute("as-of", "2024-06-01");
    el.setAttribute("rules", "rules/test/hostile-text.json");
  });
  await q(page, "kind", "a").check();
  await q(page, "count").fill("2");
  await waitTotal(page, "2000.00");
  const card = page.locator(`${W} [data-program="evil_program"]`);
  for (const d of await card.locator("details").all()) await d.locator("summary").click();
  const shadowText = await page.evaluate(() => document.querySelector("subsidy-calculator").shadowRoot.textContent);
  assert.match(shadowText, /<script>window.__xss='program'<\/script>Program|<script>window.__xss='program'<\/script>项目/);
  assert.match(shadowText, /<img src=x onerror="window.__xss='label'">/);
  assert.match(shadowText, /window.__xss='quote'/);
  const injected = await page.evaluate(() => {
    const root = document.querySelector("subsidy-calculator").shadowRoot;
    return root.querySelectorAll("img, script, iframe, svg[onload], b, u, a[href^='javascript']").length +
      root.querySelectorAll("style").length;
  });
  assert.equal(injected, 0, "no element was created from rule text");
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__xss), undefined, "no injected code ran");
  assert.deepEqual(log.csp, []);
  await shot(page, "hostile-text");
  await context.close();
});

test("money golden cases reach the page exactly: 0.1 + 0.2, 1.005, half-up against half-even", async () => {
  for (const [set, want] of [
    ["money-half-up", { rounded_base: "1.01", third: "0.34", total: "1.65" }],
    ["money-half-even", { rounded_base: "1.00", third: "0.34", total: "1.64" }],
  ]) {
    const { page, context } = await openPage(browser, `${server.url}embed-example.html`);
    await page.evaluate((s) => {
      const el = document.querySelector("subsidy-calculator");
      el.setAttribute("as-of", "2024-06-01");
      el.setAttribute("rules", `rules/test/${s}.json`);
    }, set);
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
  // A number input accepts only numeric text; these are the hostile numbers a person can type.
  for (const bad of ["1e400", "-1", "9".repeat(400), "24.5", "-0.0000001"]) {
    await q(page, "months_in_station").fill(bad);
    await page.waitForFunction(() => {
      const i = document.querySelector("subsidy-calculator").shadowRoot.querySelector('[name="months_in_station"]');
      return i?.getAttribute("aria-invalid") === "true" || i?.value === "";
    });
    assert.equal(await q(page, "applicant_type", "postdoc").isChecked(), true, bad);
  }
  await q(page, "months_in_station").fill("24");
  await waitTotal(page, "300000.00");
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  await context.close();
});

test("a crafted shared link is validated like typed answers", async () => {
  const { page, context } = await openPage(browser, `${demo()}#a=${encodeURIComponent(JSON.stringify({ applicant_type: "postdoc", in_zone: true, months_in_station: 1e6, __proto__x: "<img src=x onerror=alert(1)>" }))}`);
  await page.locator(`${W} [role="alert"], ${W} [aria-invalid="true"]`).first().waitFor();
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  const imgs = await page.evaluate(() => document.querySelector("subsidy-calculator").shadowRoot.querySelectorAll("img").length);
  assert.equal(imgs, 0);
  await context.close();
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
