// Shortens the names the wasm and its wasm-bindgen glue share: every import (module and name,
// such as "./subsidy_calc_bg.js" / "__wbg_get_unchecked_e6325ad374eff861") and every export
// (such as "calculator_estimate") becomes one or two letters, in the wasm (binaryen's
// --minify-imports-and-exports-and-modules) and in the glue alike. The hashed import names are
// 1 KB of hard-to-compress text in each file. The target_features section goes too: it only
// tells later tools which wasm features the module uses (this is the last tool).
//
// Usage: node scripts/minify-wasm-names.mjs [pkg dir]   (after wasm-bindgen and wasm-opt: `make wasm`)
// Fails, leaving both files as they were, when the glue does not use the names as expected.
import { execFileSync } from "node:child_process";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const pkg = process.argv[2] ?? join(root, "www/pkg");
const wasmPath = join(pkg, "subsidy_calc_bg.wasm");
const gluePath = join(pkg, "subsidy_calc.js");
const tmp = `${wasmPath}.min`;

const features = ["--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals"];
const out = execFileSync(join(root, "node_modules/.bin/wasm-opt"), [...features, wasmPath, "--minify-imports-and-exports-and-modules", "--strip-target-features", "-o", tmp], {
  encoding: "utf8",
});
const map = JSON.parse(out.slice(out.indexOf("{")));
const newModule = new Map(WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(tmp))).map((i) => [i.name, i.module]));

const count = (text, re) => (text.match(re) ?? []).length;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
let glue = readFileSync(gluePath, "utf8");
try {
  const modules = new Map();
  for (const [mod, name, short] of map.imports) {
    // an import is a key of the object of its module, written once
    const re = new RegExp(`\\b${escape(name)}(?=: function)`, "g");
    if (count(glue, re) !== 1) throw new Error(`import ${name}: expected once in the glue`);
    glue = glue.replace(re, short);
    modules.set(mod, newModule.get(short));
  }
  for (const [mod, short] of modules) {
    const key = `${JSON.stringify(mod)}: import`;
    if (count(glue, new RegExp(escape(key), "g")) !== 1) throw new Error(`module ${mod}: expected once in the glue`);
    glue = glue.replace(key, `${JSON.stringify(short)}: import`);
  }
  const renamed = new Map(map.exports);
  glue = glue.replace(/\bwasm\.(\w+)/g, (all, name) => {
    if (!renamed.has(name)) throw new Error(`the glue uses wasm.${name}, which the wasm does not export`);
    return `wasm.${renamed.get(name)}`;
  });
  for (const [, name] of map.imports) if (glue.includes(name)) throw new Error(`import ${name} is still in the glue`);
} catch (e) {
  rmSync(tmp);
  throw e;
}
renameSync(tmp, wasmPath);
writeFileSync(gluePath, glue);
console.log(`minified ${map.imports.length} import and ${map.exports.length} export names`);
