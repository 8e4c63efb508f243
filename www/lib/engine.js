// Loads the wasm engine once per page and replaces it after a panic.
//
// A panic inside the wasm traps (RuntimeError "unreachable") and leaves that module instance
// unusable. Recovery re-imports the glue with a cache-busting query, which gives a fresh module
// record with its own memory, and initialises it again. Every Calculator made by the broken
// instance must be re-created from its bundle text; elements listen for "replaced" to do so.

import { integrityFor } from "./integrity.js";

const ROOT = new URL("../", import.meta.url);
const GLUE = new URL("../pkg/subsidy_calc.js", import.meta.url);
const WASM = new URL("../pkg/subsidy_calc_bg.wasm", import.meta.url);

let generation = 0;
let current = null; // Promise<{gen, mod}>
export const engineEvents = new EventTarget();

async function create(gen) {
  const url = new URL(GLUE);
  if (gen > 0) url.searchParams.set("instance", String(gen));
  const mod = await import(url.href);
  const integrity = integrityFor(WASM, ROOT);
  const exports = await mod.default({ module_or_path: integrity ? fetch(WASM, { integrity }) : WASM });
  return { gen, mod, memory: exports.memory };
}

/** The current engine: {gen, mod, memory} where mod is the wasm-bindgen glue (Calculator). */
export function getEngine() {
  if (!current) {
    current = create(generation);
    current.catch(() => {
      // let a later call retry (e.g. a flaky network while fetching the .wasm)
      if (generation === 0) current = null;
    });
  }
  return current;
}

/** Marks engine `gen` as broken; returns the replacement (created once however many callers). */
export function replaceEngine(gen) {
  if (gen === generation) {
    generation += 1;
    current = create(generation);
    engineEvents.dispatchEvent(new CustomEvent("replaced", { detail: { broken: gen, gen: generation } }));
  }
  return getEngine();
}

/** The generation of the engine in use now. */
export function currentGeneration() {
  return generation;
}

/** True for a failure of the engine itself (a trap or a glue error), not an engine result. */
export function isEngineCrash(err) {
  if (typeof WebAssembly !== "undefined" && err instanceof WebAssembly.RuntimeError) return true;
  return err instanceof Error && !(err && typeof err.kind === "string");
}
