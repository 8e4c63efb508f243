// Writes a versioned, pinnable copy of the widget: www/release/<version>/ holds the element,
// its modules, CSS, the wasm and the rule bundles; www/integrity.json lists the sha384 of every
// file, and the copy's lib/integrity.js carries the hashes of what the element fetches itself
// (wasm, bundles), so a portal that pins the entry module with SRI verifies everything it loads.
import { createHash } from "node:crypto";
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const www = join(root, "www");
const cargo = await readFile(join(root, "Cargo.toml"), "utf8");
const version = cargo.match(/^version = "([^"]+)"/m)[1];
const out = join(www, "release", version);

const ASSETS = ["subsidy-calculator.js", "subsidy-calculator.css", "messages.js", "lib", "pkg", "rules"];
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
for (const a of ASSETS) await cp(join(www, a), join(out, a), { recursive: true, filter: (src) => !src.includes(`${"rules"}/test`) });

async function files(dir) {
  const list = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) list.push(...(await files(p)));
    else list.push(p);
  }
  return list.sort();
}
const sri = async (p) => `sha384-${createHash("sha384").update(await readFile(p)).digest("base64")}`;

// The element's own fetches: wasm and bundles, relative to the release root.
const fetched = {};
for (const p of await files(out)) {
  const rel = relative(out, p).split("\\").join("/");
  if (rel.endsWith(".wasm") || rel.startsWith("rules/")) fetched[rel] = await sri(p);
}
const integrityJs = await readFile(join(out, "lib/integrity.js"), "utf8");
await writeFile(join(out, "lib/integrity.js"), integrityJs.replace("export const INTEGRITY = {};", `export const INTEGRITY = ${JSON.stringify(fetched, null, 2)};`));

const manifest = { version, files: {} };
for (const p of await files(out)) manifest.files[relative(www, p).split("\\").join("/")] = await sri(p);
await writeFile(join(www, "integrity.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`release ${version}: ${Object.keys(manifest.files).length} files under www/release/${version}, hashes in www/integrity.json`);
