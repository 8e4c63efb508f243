// The JS API through the real wasm-bindgen glue, as a developer calls it: an argument of the
// wrong type (a number or a Date for `asOf`, an object for a bundle) is an `input` error that
// names the argument, never a trap. Before this was checked, a non-string reached the glue's
// string copy and trapped with "memory access out of bounds", which breaks the whole instance
// and every Calculator made by it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import init, { Calculator } from "../../www/pkg/subsidy_calc.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
await init({ module_or_path: await readFile(`${root}www/pkg/subsidy_calc_bg.wasm`) });
const bundle = await readFile(`${root}www/rules/baotou-rare-earth-zone.json`, "utf8");
const postdoc = { applicant_type: "postdoc", in_zone: true, months_in_station: 24 };

/** The error `f` throws (it must throw one). */
function thrown(f) {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail("no error was thrown");
}

test("an argument of the wrong type is an input error naming it, and the calculator keeps working", () => {
  const calc = Calculator.fromJson(bundle);
  const cases = [
    // [what is called, the field named, its kind (JS typeof, or array), the message]
    ["fromJson(number)", () => Calculator.fromJson(5), "bundle", "number", "bundle must be a string, not a number"],
    ["fromJson(object)", () => Calculator.fromJson(JSON.parse(bundle)), "bundle", "object", "bundle must be a string, not an object"],
    ["fromJson()", () => Calculator.fromJson(), "bundle", "undefined", "bundle must be a string, not undefined"],
    ["estimate asOf number", () => calc.estimate(postdoc, 20240715), "asOf", "number", "as_of must be a string, not a number"],
    ["evaluate asOf Date", () => calc.evaluate(postdoc, new Date(2024, 6, 15)), "asOf", "object", "as_of must be a string, not an object"],
    ["estimate lang number", () => calc.estimate(postdoc, "2024-07-15", { lang: 1 }), "lang", "number", "lang must be a string, not a number"],
    ["estimate version array", () => calc.estimate(postdoc, "2024-07-15", { version: ["2024"] }), "version", "array", "version must be a string, not an array"],
    ["estimate changes text", () => calc.estimate(postdoc, "2024-07-15", { changes: "yes" }), "changes", "string", "changes must be a boolean (true or false), not a string"],
    ["estimate options text", () => calc.estimate(postdoc, "2024-07-15", "en"), "options", "string", "options must be an object, not a string"],
    ["questions lang object", () => calc.questions({}, {}, "2024-07-15"), "lang", "object", "lang must be a string, not an object"],
    ["questions asOf boolean", () => calc.questions("en", {}, true), "asOf", "boolean", "as_of must be a string, not a boolean (true or false)"],
    ["questions version number", () => calc.questions("en", {}, "2024-07-15", 2024), "version", "number", "version must be a string, not a number"],
    ["answersFromForm object", () => calc.answersFromForm({ elements: [] }, "2024-07-15"), "form", "object", "form must be a form element, not an object"],
  ];
  for (const [what, call, field, found, message] of cases) {
    const e = thrown(call);
    assert.ok(!(e instanceof WebAssembly.RuntimeError), `${what}: a trap (${e.message})`);
    assert.deepEqual({ kind: e.kind, code: e.code, field: e.field, found: e.found, message: e.message }, { kind: "input", code: "bad_argument", field, found, message }, what);
  }
  // the same instance and calculator still estimate, and a new calculator loads
  assert.equal(calc.estimate(postdoc, "2024-07-15").total, "300000.00");
  assert.equal(Calculator.fromJson(bundle).estimate(postdoc, "2024-07-15", { lang: "en", changes: true }).total, "300000.00");
});

test("absent arguments keep their defaults: undefined and null alike", () => {
  const calc = Calculator.fromJson(bundle);
  const a = calc.estimate(postdoc, "2024-07-15", undefined);
  const b = calc.estimate(postdoc, "2024-07-15", null);
  const c = calc.estimate(postdoc, "2024-07-15", { lang: null, version: null, changes: null });
  const d = calc.estimate(postdoc, "2024-07-15", {});
  for (const e of [a, b, c, d]) {
    assert.equal(e.lang, "zh-CN");
    assert.equal(e.total, "300000.00");
  }
  assert.deepEqual(calc.questions(null, null, "2024-07-15", null).map((q) => q.id), ["applicant_type", "in_zone"]);
});

test("no value in any argument traps the engine (the widget's and the authoring build)", async () => {
  const author = await import("../../www/pkg-author/subsidy_calc.js");
  await author.default({ module_or_path: await readFile(`${root}www/pkg-author/subsidy_calc_bg.wasm`) });
  const values = [undefined, null, 0, -1.5, NaN, 1n, "", "x", "2024-07-15", true, Symbol("s"), () => 1, [], [1, "a"], {}, new Date(0),
    new Proxy({}, {}), Object.create(null), { lang: 1, version: {}, changes: [] }];
  for (const [build, { Calculator: C, Author }] of [["widget", { Calculator }], ["authoring", author]]) {
    const calc = C.fromJson(bundle);
    const calls = [
      ["fromJson", (...a) => C.fromJson(...a), [bundle]],
      ["estimate", (...a) => calc.estimate(...a), [postdoc, "2024-07-15", { lang: "en" }]],
      ["evaluate", (...a) => calc.evaluate(...a), [postdoc, "2024-07-15", { lang: "en", changes: true }]],
      ["questions", (...a) => calc.questions(...a), ["en", postdoc, "2024-07-15", "2024"]],
      ["answersFromForm", (...a) => calc.answersFromForm(...a), [{}, "2024-07-15", { lang: "en" }]],
    ];
    if (Author) {
      const session = new Author(null);
      calls.push(["new Author", (...a) => new Author(...a), [null]]);
      calls.push(["Author.check", (...a) => session.check(...a), ["baotou-rare-earth-zone", [], [], "en"]]);
    }
    let calls_made = 0;
    for (const [name, call, good] of calls) {
      for (let i = 0; i < good.length; i++) {
        for (const v of values) {
          const args = good.slice();
          args[i] = v;
          calls_made++;
          try {
            call(...args);
          } catch (e) {
            assert.ok(!(e instanceof WebAssembly.RuntimeError), `${build} ${name}, argument ${i} = ${String(v?.toString?.() ?? typeof v)}: a trap (${e.message})`);
            assert.ok(typeof e.message === "string" && e.message.length > 0, `${build} ${name}, argument ${i}: an error without a message`);
          }
        }
      }
    }
    assert.ok(calls_made > 200, `${build}: ${calls_made} calls`);
    // the instance was never broken: the same calculator still gives the postdoc's total
    assert.equal(calc.estimate(postdoc, "2024-07-15").total, "300000.00", build);
  }
});

test("a caller's exception (a getter, a Proxy trap) is thrown back as it is, and never wears the engine down", () => {
  const calc = Calculator.fromJson(bundle);
  const mine = new Error("mine");
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const hostile = [
    ["a throwing getter", () => calc.estimate({ get in_zone() { throw mine; } }, "2024-07-15")],
    ["a throwing ownKeys trap", () => calc.evaluate(new Proxy({}, { ownKeys() { throw mine; } }), "2024-07-15")],
    ["a throwing getter in the options", () => calc.estimate(postdoc, "2024-07-15", { get lang() { throw mine; } })],
    ["a throwing getter in questions' answers", () => calc.questions("en", { get applicant_type() { throw mine; } }, "2024-07-15")],
  ];
  // each of these once left part of the wasm's stack behind: a few thousand calls broke the instance
  for (const [what, call] of hostile) {
    for (let i = 0; i < 3000; i++) assert.equal(thrown(call), mine, what);
  }
  for (let i = 0; i < 3000; i++) {
    const e = thrown(() => calc.estimate(revoked, "2024-07-15"));
    assert.ok(e instanceof TypeError, `a revoked Proxy: ${e}`);
  }
  assert.equal(calc.estimate(postdoc, "2024-07-15").total, "300000.00");
});

test("an array or object answer is refused without being walked, however large or hostile", () => {
  const calc = Calculator.fromJson(bundle);
  const { errors } = calc.evaluate({ ...postdoc, in_zone: new Array(1e8), months_in_station: { get x() { throw new Error("not read"); } } }, "2024-07-15", { lang: "en" });
  assert.deepEqual(errors.map((e) => [e.field, e.found.kind]), [["in_zone", "array"], ["months_in_station", "object"]]);
});

test("a bundle nested deeper than any real one is a rules error, not a stack overflow", () => {
  let deep = '"x"';
  for (let i = 0; i < 4000; i++) deep = `[${deep}]`;
  const tampered = bundle.replace(/"source":"[^"]*"/, `"source":${deep}`);
  for (let i = 0; i < 300; i++) {
    const e = thrown(() => Calculator.fromJson(tampered));
    assert.equal(e.kind, "rules", String(e));
    assert.match(e.message, /nested deeper than 32 levels/);
  }
  assert.equal(Calculator.fromJson(bundle).estimate(postdoc, "2024-07-15").total, "300000.00");
});

test("a page that added to Object.prototype still loads bundles, and its getters are not run", () => {
  Object.prototype.meta = { v: 1 }; // eslint-disable-line no-extend-native
  Object.defineProperty(Object.prototype, "trap", { get() { throw new Error("inherited getter run"); }, enumerable: true, configurable: true });
  try {
    assert.equal(Calculator.fromJson(bundle).estimate(postdoc, "2024-07-15").total, "300000.00");
  } finally {
    delete Object.prototype.meta;
    delete Object.prototype.trap;
  }
});
