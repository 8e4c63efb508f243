// Builds what browsers load. The sources in www/ (the element, lib/*.js, messages.js, the CSS)
// stay plain ES modules; this writes two copies, each one small folder with the same layout:
//
//   www/dist/             the element as ONE minified module (subsidy-calculator.js), its minified
//                         CSS, the minified wasm-bindgen glue and the wasm (pkg/), the rule bundles
//                         (rules/). The demo and embed pages load this.
//   www/release/<ver>/    the same, with the sha384 of the wasm and the rule bundles compiled into
//                         the element (lib/integrity.js's INTEGRITY), so a portal that pins the
//                         entry module with SRI verifies every byte it loads; www/integrity.json
//                         lists the sha384 of every file in it.
//
// Usage: node scripts/release.mjs   (after the wasm and the bundles are built: `make build`)
import { createHash } from "node:crypto";
import { copyFile, cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, transform } from "esbuild";

const root = fileURLToPath(new URL("../", import.meta.url));
const www = join(root, "www");
const cargo = await readFile(join(root, "Cargo.toml"), "utf8");
const version = cargo.match(/^version = "([^"]+)"/m)[1];
const TARGET = ["es2022", "chrome100", "firefox100", "safari15.4"];

const slash = (p) => p.split("\\").join("/");
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

/**
 * Bundles www/subsidy-calculator.js and its imports into out/subsidy-calculator.js. A module's
 * `import.meta.url` becomes the URL its source file would have beside the bundle, so every
 * `new URL("../pkg/…", import.meta.url)` resolves inside `out` exactly as in www/. `integrity`
 * (relative path → sha384) replaces lib/integrity.js's empty INTEGRITY.
 */
async function bundleElement(out, integrity) {
  const entry = join(www, "subsidy-calculator.js");
  const sources = {
    name: "source-urls",
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, async ({ path }) => {
        let text = await readFile(path, "utf8");
        const rel = slash(relative(www, path));
        if (path !== entry) text = text.replaceAll("import.meta.url", `new URL(${JSON.stringify(`./${rel}`)}, import.meta.url).href`);
        if (rel === "lib/integrity.js") {
          const empty = "export const INTEGRITY = {};";
          if (!text.includes(empty)) throw new Error(`lib/integrity.js no longer contains \`${empty}\``);
          text = text.replace(empty, `export const INTEGRITY = ${JSON.stringify(integrity)};`);
        }
        return { contents: text, loader: "js" };
      });
    },
  };
  // The element's own state (this._answers, this._render(), …: every property written with a
  // leading underscore) gets short names.
  const mangle = { mangleProps: /^_[a-zA-Z]/, mangleCache: {} };
  const result = await bundle(entry, join(out, "subsidy-calculator.js"), [sources], mangle);
  // a short name equal to a property the element inherits would overwrite it (`id` is the
  // only one of two letters; the shortest names come first)
  const taken = Object.values(result.mangleCache).filter((n) => n === "id");
  if (taken.length) throw new Error(`esbuild gave an element property the name ${taken}`);
}

/** One minified ES module at `outfile` from `entry` and everything it imports. */
async function bundle(entry, outfile, plugins = [], options = {}) {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "esm",
    minify: true,
    target: TARGET,
    legalComments: "none",
    logLevel: "warning",
    plugins,
    ...options,
  });
  if (result.errors.length) throw new Error(`bundling ${relative(www, entry)} failed`);
  return result;
}

/** Minifies one JS or CSS file from www/ into out/ (same relative path). */
async function minifyFile(rel, out) {
  const text = await readFile(join(www, rel), "utf8");
  const loader = rel.endsWith(".css") ? "css" : "js";
  const { code } = await transform(text, { loader, minify: true, target: TARGET, format: loader === "js" ? "esm" : undefined, legalComments: "none" });
  await mkdir(dirname(join(out, rel)), { recursive: true });
  await writeFile(join(out, rel), code);
}

/** One folder: element bundle, CSS, glue, wasm, rule bundles (without the test bundles). */
async function writeCopy(out, integrityOf) {
  await rm(out, { recursive: true, force: true });
  await mkdir(join(out, "pkg"), { recursive: true });
  // the rule bundles, without the test sets' and the authoring page's TOML sources
  await cp(join(www, "rules"), join(out, "rules"), { recursive: true, filter: (src) => !/^(test|src)(\/|$)/.test(slash(relative(join(www, "rules"), src))) });
  await copyFile(join(www, "pkg/subsidy_calc_bg.wasm"), join(out, "pkg/subsidy_calc_bg.wasm"));
  // the wasm-bindgen glue with its snippet (the overlay of the two parts of an estimate) in one module
  await bundle(join(www, "pkg/subsidy_calc.js"), join(out, "pkg/subsidy_calc.js"));
  await minifyFile("subsidy-calculator.css", out);
  await bundleElement(out, integrityOf ? await integrityOf(out) : {});
}

// The element's own fetches, the wasm and the rule bundles, relative to the copy's root.
async function fetchedHashes(out) {
  const hashes = {};
  for (const p of await files(out)) {
    const rel = slash(relative(out, p));
    if (rel.endsWith(".wasm") || rel.startsWith("rules/")) hashes[rel] = await sri(p);
  }
  return hashes;
}

const dist = join(www, "dist");
const release = join(www, "release", version);
await writeCopy(dist, null);
await writeCopy(release, fetchedHashes);
// The authoring page's script (CodeMirror and the page), for www/author.html only: the
// element's copies above do not include it.
await bundle(join(www, "author.js"), join(dist, "author.js"));

const manifest = { version, files: {} };
for (const p of await files(release)) manifest.files[slash(relative(www, p))] = await sri(p);
await writeFile(join(www, "integrity.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`www/dist and release ${version}: ${Object.keys(manifest.files).length} files under www/release/${version}, hashes in www/integrity.json`);
