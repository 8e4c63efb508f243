// The development server for www/: static files with the right types, and the strict
// Content-Security-Policy on the embed example, as a portal would serve it.
// Usage: node scripts/serve.mjs [--port N] [--root DIR]   (PORT=0 picks a free port)
import { createServer } from "node:http";
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
const root = resolve(arg("--root", "www"));
const port = Number(arg("--port", process.env.PORT ?? "8080"));
const host = arg("--host", "127.0.0.1");

export const STRICT_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; object-src 'none'";
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? "/", "http://localhost");
    let path = decodeURIComponent(url.pathname);
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(root, path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    const info = await stat(file).catch(() => null);
    if (!info || !info.isFile()) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found");
      return;
    }
    const headers = {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    };
    if (path.endsWith("embed-example.html") || path.endsWith("embed-form.html")) headers["content-security-policy"] = STRICT_CSP;
    if (path.endsWith("embed-trusted-types.html"))
      headers["content-security-policy"] = `${STRICT_CSP}; require-trusted-types-for 'script'`;
    res.writeHead(200, headers).end(await readFile(file));
  } catch (e) {
    res.writeHead(500, { "content-type": "text/plain" }).end(String(e));
  }
});

// The pages load the release build in www/dist/ (scripts/release.mjs); say so when it is missing
// or older than the element's sources, instead of quietly serving the old element.
async function staleDist() {
  const built = await stat(join(root, "dist/subsidy-calculator.js")).catch(() => null);
  if (!built) return "is missing";
  const sources = ["subsidy-calculator.js", "subsidy-calculator.css", "messages.js", "pkg/subsidy_calc.js", "pkg/subsidy_calc_bg.wasm"];
  const lib = await readdir(join(root, "lib")).catch(() => []);
  for (const f of [...sources, ...lib.map((n) => `lib/${n}`)]) {
    const s = await stat(join(root, f)).catch(() => null);
    if (s && s.mtimeMs > built.mtimeMs) return `is older than ${f}`;
  }
  return null;
}
const stale = await staleDist();
if (stale) console.warn(`warning: ${join(root, "dist")} ${stale}; run \`node scripts/release.mjs\` (or \`make build\`)`);

server.listen(port, host, () => {
  const { port: p } = server.address();
  console.log(`serving ${root} on http://${host}:${p}/`);
});
