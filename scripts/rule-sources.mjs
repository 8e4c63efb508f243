// The TOML sources of each shipped rule set, for the authoring page (www/author.html): writes
// www/rules/src/<set>.json = { set, files: [{name, text}], tests: [{name, text}] } from
// rules/<set>/*.toml and rules/<set>/tests/*.toml. `make bundles` runs it.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const rules = join(root, "rules");
const out = join(root, "www", "rules", "src");
await mkdir(out, { recursive: true });

async function tomls(dir) {
  let names = [];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith(".toml")).map((e) => e.name);
  } catch {
    return [];
  }
  names.sort();
  return Promise.all(names.map(async (name) => ({ name, text: await readFile(join(dir, name), "utf8") })));
}

const sets = (await readdir(rules, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
for (const set of sets) {
  const doc = { set, files: await tomls(join(rules, set)), tests: await tomls(join(rules, set, "tests")) };
  await writeFile(join(out, `${set}.json`), JSON.stringify(doc));
}
console.log(`www/rules/src: the sources of ${sets.length} rule sets`);
