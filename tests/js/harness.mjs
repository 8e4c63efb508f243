// Shared end-to-end harness: serves www/ with the project's dev server on a free port and
// drives Debian's Chromium through playwright-core (each context is a fresh, empty profile). Screenshots go to test-results/.
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const artifacts = join(root, "test-results");

export async function startServer() {
  const child = spawn(process.execPath, [join(root, "scripts/serve.mjs"), "--port", "0"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error("the dev server did not start")), 10_000);
    child.stdout.on("data", (d) => {
      buf += d;
      const m = buf.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.on("exit", (code) => reject(new Error(`the dev server exited (${code})`)));
  });
  return { url, stop: () => child.kill() };
}

export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  await mkdir(artifacts, { recursive: true });
  return browser;
}

/**
 * A page that records console errors, page errors, CSP violations and every request. Other
 * options (deviceScaleFactor, permissions, …) go to browser.newContext as they are.
 */
export async function openPage(browser, url, { viewport = { width: 1280, height: 900 }, locale = "zh-CN", ...contextOptions } = {}) {
  const context = await browser.newContext({ viewport, locale, ...contextOptions });
  const page = await context.newPage();
  const log = { errors: [], requests: [], csp: [] };
  page.on("pageerror", (e) => log.errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") log.errors.push(m.text());
    if (/Content Security Policy|Trusted Type/i.test(m.text())) log.csp.push(m.text());
  });
  page.on("request", (r) => log.requests.push(r.url()));
  await page.goto(url);
  return { page, context, log };
}

export async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/** The exact total string the element shows (data-total), once it is rendered. */
export async function total(page, host = "subsidy-calculator") {
  const el = page.locator(`${host} [part~="total"]`).first();
  await el.waitFor();
  return el.getAttribute("data-total");
}
