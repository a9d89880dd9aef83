// The JavaScript worker: runs one program, then its tests in the program's scope, and is thrown
// away (the runner starts a new one for the next run, so no global a program sets survives it).
// A program is done when its code has finished, promises included, and no timer it set is left
// pending, as in Node. The protocol is described at the top of runner.js.
import { CappedText, OutputStream, TEST_OUTPUT_CAP, post, removeOutside } from "./lib/run-kit.js";

const MAIN = "main.js";
const TEST = "test.js";
const native = Object.fromEntries(
  ["setTimeout", "clearTimeout", "setInterval", "clearInterval"].map((name) => [name, globalThis[name].bind(globalThis)]),
);
const evalGlobal = eval; // called by another name, eval runs its code in the global scope

// -- console: what a program prints -----------------------------------------------------------------

const MAX_DEPTH = 3;
const MAX_ITEMS = 100;

/** A value as console.log shows it (after Node's style): strings bare at the top, quoted inside. */
function show(value, depth = 0, seen = new Set()) {
  switch (typeof value) {
    case "string":
      return depth ? quote(value) : value;
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return value.toString();
    case "undefined":
      return "undefined";
    case "function":
      return /^class\b/.test(Function.prototype.toString.call(value))
        ? `[class ${value.name || "(anonymous)"}]`
        : `[Function: ${value.name || "(anonymous)"}]`;
    case "boolean":
      return String(value);
  }
  if (value === null) return "null";
  if (value instanceof Error) return describe(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (value instanceof Promise) return "Promise { <pending or settled> }";
  if (seen.has(value)) return "[Circular]";
  const kind = Array.isArray(value) ? "Array" : value.constructor?.name || "Object";
  if (depth >= MAX_DEPTH) return `[${kind}]`;
  seen.add(value);
  try {
    const inner = (item) => show(item, depth + 1, seen);
    if (Array.isArray(value) || ArrayBuffer.isView(value)) {
      const items = Array.from(value.slice(0, MAX_ITEMS), inner);
      if (value.length > MAX_ITEMS) items.push(`... ${value.length - MAX_ITEMS} more items`);
      const prefix = Array.isArray(value) ? "" : `${kind}(${value.length}) `;
      return `${prefix}${items.length ? `[ ${items.join(", ")} ]` : "[]"}`;
    }
    if (value instanceof Map || value instanceof Set) {
      const items = [...value].slice(0, MAX_ITEMS).map((entry) =>
        value instanceof Map ? `${inner(entry[0])} => ${inner(entry[1])}` : inner(entry),
      );
      return `${kind}(${value.size}) ${items.length ? `{ ${items.join(", ")} }` : "{}"}`;
    }
    const items = Object.keys(value)
      .slice(0, MAX_ITEMS)
      .map((key) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : quote(key)}: ${inner(value[key])}`);
    const prefix = kind === "Object" ? "" : `${kind} `;
    return `${prefix}${items.length ? `{ ${items.join(", ")} }` : "{}"}`;
  } finally {
    seen.delete(value);
  }
}

function quote(text) {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
}

/** console.log's arguments as one line: a format string's %s %d %i %f %o %O %j %c first, if any. */
function line(args) {
  const rest = [...args];
  let head = "";
  if (typeof rest[0] === "string" && rest.length > 1 && rest[0].includes("%")) {
    head = rest.shift().replace(/%([sdifoOjc%])/g, (match, code) => {
      if (code === "%") return "%";
      if (!rest.length) return match;
      const arg = rest.shift();
      if (code === "s") return typeof arg === "string" ? arg : show(arg, 1);
      if (code === "d" || code === "i") return String(code === "i" ? Math.trunc(Number(arg)) : Number(arg));
      if (code === "f") return String(Number(arg));
      if (code === "j") return JSON.stringify(arg);
      if (code === "c") return ""; // CSS has no meaning in plain text
      return show(arg, 1);
    });
    return [head, ...rest.map((arg) => show(arg))].join(" ");
  }
  return rest.map((arg) => show(arg)).join(" ");
}

/** An error as stderr shows it: its message, then only the frames in the program or a test. */
function describe(error) {
  if (!(error instanceof Error)) return `Uncaught ${show(error, 1)}`;
  const stack = String(error.stack || "");
  const frames = stack.split("\n").filter((text) => /^\s+at /.test(text));
  const own = frames.filter((text) => text.includes(MAIN) || text.includes(TEST));
  return [`${error.name}: ${error.message}`, ...own].join("\n");
}

let out = null; // where console output goes now: the run's streams, or a test's capture
for (const [names, stream] of [
  [["log", "info", "debug", "dir", "table"], "stdout"],
  [["error", "warn", "trace"], "stderr"],
]) {
  for (const name of names) globalThis.console[name] = (...args) => out?.[stream](`${line(args)}\n`);
}
globalThis.console.assert = (condition, ...args) => {
  if (!condition) out?.stderr(`Assertion failed${args.length ? `: ${line(args)}` : ""}\n`);
};

// -- timers: a program is done when none it set is pending -------------------------------------------

const pending = new Set();
let whenIdle = null; // resolves when `pending` empties, or the program fails

function settled() {
  if (!pending.size && whenIdle) whenIdle();
}

function timer(set, repeat) {
  return (callback, ms, ...args) => {
    const run = typeof callback === "function" ? () => callback(...args) : () => evalGlobal(String(callback));
    const id = set(() => {
      if (!repeat) pending.delete(id);
      try {
        run();
      } finally {
        settled();
      }
    }, ms);
    pending.add(id);
    return id;
  };
}

function clear(cancel) {
  return (id) => {
    cancel(id);
    pending.delete(id);
    settled();
  };
}

globalThis.setTimeout = timer(native.setTimeout, false);
globalThis.setInterval = timer(native.setInterval, true);
globalThis.clearTimeout = clear(native.clearTimeout);
globalThis.clearInterval = clear(native.clearInterval);

// -- a run ----------------------------------------------------------------------------------------------

let failure = null; // the first error nothing caught: thrown in a callback, or a promise rejected unhandled
let testFailure = null; // the same, while a test runs

function uncaught(error) {
  if (current) testFailure ??= describe(error);
  else if (!failure) {
    failure = describe(error);
    whenIdle?.(); // as in Node, an uncaught error ends the program
  }
}

let current = null; // the test running now, if one is
let locate = null; // set while syntaxError() waits for the error event that gives the line
self.addEventListener("error", (event) => {
  event.preventDefault();
  if (locate) locate(event);
  else uncaught(event.error ?? event.message);
});
self.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  uncaught(event.reason);
});

const WRAPPER = "(async function () {";

/** A syntax error with its place: eval's SyntaxError has none, but the same source compiled as a
 * timer's string (only compiled: it is a function expression, never called) reports its line. */
async function syntaxError(error, source, code) {
  const event = await new Promise((resolve) => {
    locate = resolve;
    native.setTimeout(source);
    native.setTimeout(() => resolve(null));
  });
  locate = null;
  if (!event?.lineno) return `SyntaxError: ${error.message}`;
  const column = event.lineno === 1 ? event.colno - WRAPPER.length : event.colno;
  const text = code.split("\n")[event.lineno - 1] ?? "";
  return `${MAIN}:${event.lineno}:${column}\n${text}\n${" ".repeat(Math.max(0, column - 1))}^\n\nSyntaxError: ${error.message}`;
}

/** Two turns of the event loop: Chromium reports a promise rejected unhandled in a task of its own. */
async function ticks() {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => native.setTimeout(resolve));
}

/** JSON's view of a test's value, refusing what JSON cannot hold rather than quietly changing it. */
function toJson(value, top = true) {
  if (value === undefined && top) return null; // a function that returns nothing
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.map((item) => toJson(item, false));
  if (typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    return Object.fromEntries(Object.keys(value).map((key) => [key, toJson(value[key], false)]));
  }
  throw new TypeError(`The result is not a JSON value: ${show(value, 1)}`);
}

/** A test's call, in the program's scope: an expression (await allowed), else statements, whose
 * last expression statement gives the value. */
async function evaluateTest(evaluate, call) {
  let fn;
  try {
    fn = evaluate(`(async () => (${call}\n))\n//# sourceURL=${TEST}`);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return await evaluate(`${call}\n//# sourceURL=${TEST}`);
  }
  return await fn();
}

async function run({ code, tests }) {
  const streams = { stdout: new OutputStream("stdout"), stderr: new OutputStream("stderr") };
  const toRun = { stdout: (text) => streams.stdout.write(text), stderr: (text) => streams.stderr.write(text) };
  out = toRun;
  let evaluate = null;
  // The program's first line is the wrapper's, so line numbers in errors are the candidate's own.
  // It returns a direct eval, which sees the program's declarations, for the tests.
  const source = `${WRAPPER}${code}\n;return (source) => eval(source);})\n//# sourceURL=${MAIN}`;
  let program = null;
  try {
    program = evalGlobal(source);
  } catch (error) {
    failure = error instanceof SyntaxError ? await syntaxError(error, source, code) : describe(error);
  }
  try {
    if (program) evaluate = await program();
  } catch (error) {
    failure ??= describe(error);
  }
  // A top-level return, legal only inside the wrapper, skipped the wrapper's own.
  if (program && typeof evaluate !== "function") failure ??= "SyntaxError: Illegal return statement";
  if (!failure && pending.size) await new Promise((resolve) => (whenIdle = resolve));
  whenIdle = null;
  await ticks(); // lets a last unhandled rejection report
  if (failure) toRun.stderr(`${failure}\n`);
  else {
    for (const [index, test] of tests.entries()) {
      const printed = new CappedText(TEST_OUTPUT_CAP);
      out = { stdout: (text) => printed.write(text), stderr: (text) => printed.write(text) };
      current = test;
      testFailure = null;
      let actual = null;
      let error = null;
      try {
        actual = toJson(await evaluateTest(evaluate, String(test.call)));
      } catch (thrown) {
        error = describe(thrown);
      }
      await ticks();
      error ??= testFailure;
      current = null;
      out = toRun;
      post({ type: "test", index, actual: error ? null : actual, error, stdout: printed.text, truncated: printed.truncated });
    }
  }
  streams.stdout.flush();
  streams.stderr.flush();
  post({ type: "done", ok: !failure });
}

removeOutside();
self.onmessage = ({ data }) => {
  if (data.type === "run") run(data);
};
post({ type: "ready" });
