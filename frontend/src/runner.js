// The in-browser code runner: candidate code runs here, in Web Workers, never on the server.
//
// API
//   const runner = createRunner({pythonWorkerUrl, jsWorkerUrl, pyodideIndexUrl, pyodideBytes, onProgress})
//     pythonWorkerUrl, jsWorkerUrl: the built python-worker.js and js-worker.js (asset_url(...));
//     pyodideIndexUrl: the folder of Pyodide's runtime (asset_url("pyodide/"), ending in "/");
//     pyodideBytes: optional, the runtime's size uncompressed, so the download has a total even when
//       the files come compressed (their Content-Length then counts compressed bytes);
//     onProgress({phase, loaded, total}): while Python loads. phase "download" (loaded and total in
//       bytes; total null when unknown), then "start" (the interpreter starting), then "ready". It
//       reports again when Python reloads in the background after a run that timed out or crashed.
//   runner.run({language, code, timeoutMs = 10000, tests = []}) resolves to
//     {outcome, stdout, stderr, truncated, ms, tests, message}
//     outcome: "ok" (the program ran to its end; tests may still fail), "error" (it raised or threw:
//       the traceback is on stderr; its tests are not run), "timeout" (stopped at timeoutMs),
//       "crashed" (the runtime failed: Python would not load, ran out of memory...), "unsupported"
//       (a language the browser cannot run; message says so);
//     stdout, stderr: what the program printed, each cut at 65,536 characters (truncated: true when
//       either was);
//     ms: how long the program ran, from the start of the run to its result, Python's load excepted;
//     message: the runner's own words about the outcome for the page to show ("" when ok or error).
//     The first Python run loads Pyodide (seconds); timeoutMs counts from when it is loaded.
//     One run at a time: run() while a run is going rejects with an Error named "RunnerBusy"
//     (check runner.busy, e.g. to disable the Run button); nothing is queued.
//   runner.warm(language): start loading a runtime now so that the first run is quick.
//   runner.dispose(): stop every worker; a run going resolves "crashed", later runs reject.
//   Languages: "python", "javascript"; "typescript", "go", "java", "cpp", "rust" are "unsupported".
//
// Tests
//   tests: [{name, call, expected}]. After the program, each call runs in the program's namespace:
//   Python: an expression or statements (the last expression statement gives the value; top-level
//   await allowed). JavaScript: an expression (await allowed; a promise is awaited) or statements
//   without await (the last expression statement gives the value). Each yields
//   {name, passed, expected, actual, error, stdout, truncated}:
//     passed: no error and actual equals expected as JSON values (1 == 1.0, true != 1, key order
//       ignored); actual: the call's value as JSON (Python tuples become lists, JavaScript undefined
//       becomes null; a value JSON cannot hold is an error, not a conversion); error: the traceback
//       or the reason it did not run ("Not run: ...") or null; stdout: what the test printed, stdout
//       and stderr together, cut at 16 KB (truncated).
//   `tests` always has one entry per test given, in order. A run that times out keeps the results
//   of the tests that finished.
//
// Worker protocol (structured-clone messages; a worker is trusted with nothing it could fake)
//   runner -> python worker: {type: "load", indexURL, totalBytes}, then {type: "run", code, tests}
//   runner -> js worker:     {type: "run", code, tests}  (one run per worker; a fresh one each time)
//     tests here are [{name, call}]: expected values never reach a worker, so candidate code can
//     neither read hidden expectations nor fake a pass; the runner compares.
//   worker -> runner:
//     {type: "progress", phase, loaded, total}      Python only, while loading
//     {type: "ready"}                               loaded; runs may be sent
//     {type: "out", stream: "stdout"|"stderr", text} batched output, at most 64 KB + 1 character
//     {type: "test", index, actual, error, stdout, truncated}  one per test, as each finishes
//     {type: "done", ok}                            the run is over (ok: no uncaught error)
//     {type: "fatal", message}                      the runtime failed; the worker is discarded
//   A run past its limit gets no message: the runner terminates the worker (the only way to stop
//   `while True: pass`) and starts a fresh one for the next run. Workers delete fetch, XHR,
//   WebSocket, nested Workers, storage and postMessage from their scope before candidate code runs;
//   the worker CSP (connect-src 'self') is the boundary beyond that.
import { OUTPUT_CAP, TEST_OUTPUT_CAP } from "./lib/run-kit.js";

const DEFAULT_TIMEOUT_MS = 10000;
const SUPPORTED = new Set(["python", "javascript"]);
const NAMES = { typescript: "TypeScript", go: "Go", java: "Java", cpp: "C++", rust: "Rust" };

/** Whether two JSON values are equal: same types, numbers by value, objects regardless of key order. */
function jsonEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && jsonEqual(a[key], b[key]))
  );
}

/** A result without a run: unsupported, or the runtime not there. */
function notRun(outcome, message, tests, reason) {
  return {
    outcome,
    stdout: "",
    stderr: "",
    truncated: false,
    ms: 0,
    tests: tests.map((test) => testEntry(test, { error: `Not run: ${reason}` })),
    message,
  };
}

function unsupported(language) {
  if (language === "typescript") {
    return "TypeScript does not run in the browser here (its types would need a compiler): switch to JavaScript to run it.";
  }
  const name = NAMES[language] ?? `"${language}"`;
  return `${name} does not run in the browser; only Python and JavaScript do.`;
}

function testEntry(test, reported) {
  const expected = test.expected === undefined ? null : test.expected;
  const error = reported.error ?? null;
  const actual = error === null ? (reported.actual ?? null) : null;
  return {
    name: String(test.name),
    passed: error === null && jsonEqual(actual, expected),
    expected,
    actual,
    error,
    stdout: String(reported.stdout ?? "").slice(0, TEST_OUTPUT_CAP),
    truncated: Boolean(reported.truncated),
  };
}

/** A worker and the handler its messages go to now. */
class Session {
  constructor(url, name) {
    this.worker = new Worker(url, { type: "module", name });
    this.handle = () => {};
    this.worker.onmessage = ({ data }) => this.handle(data);
    // A worker that fails to load (a missing file, a CSP refusal) or dies gets an error event.
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.handle({ type: "fatal", message: event.message || "The worker could not start." });
    };
    this.ready = new Promise((resolve, reject) => {
      this.handle = (data) => {
        if (data.type === "ready") resolve();
        else if (data.type === "fatal") reject(new Error(data.message));
        else this.onEarly?.(data);
      };
    });
    this.ready.catch(() => {}); // a load failure is reported by the run that waits for it
  }

  terminate() {
    this.worker.terminate();
  }
}

export function createRunner({ pythonWorkerUrl, jsWorkerUrl, pyodideIndexUrl, pyodideBytes = null, onProgress = () => {} }) {
  let python = null; // kept between runs: Pyodide is slow to load
  let nextJs = null; // a fresh worker waiting for the next JavaScript run
  let current = null; // {session, finish} of the run going
  let disposed = false;
  let close;
  const closed = new Promise((resolve) => (close = resolve)); // ends a wait for a load at dispose()

  function startPython() {
    python = new Session(pythonWorkerUrl, "mockloop-python");
    python.onEarly = (data) => {
      if (data.type === "progress") onProgress({ phase: data.phase, loaded: data.loaded, total: data.total });
    };
    python.worker.postMessage({ type: "load", indexURL: pyodideIndexUrl, totalBytes: pyodideBytes });
    return python;
  }

  function discard(session) {
    session.terminate();
    if (session === python) python = null;
    if (session === nextJs) nextJs = null;
  }

  function sessionFor(language) {
    if (language === "python") return python ?? startPython();
    const session = nextJs ?? new Session(jsWorkerUrl, "mockloop-javascript");
    nextJs = null;
    return session;
  }

  /** One run on a loaded worker, settled by its "done", a "fatal", the time limit or dispose(). */
  function execute(session, code, tests, timeoutMs) {
    return new Promise((resolve) => {
      const stdout = { text: "", over: false };
      const stderr = { text: "", over: false };
      const results = [];
      const started = performance.now();
      const finish = (outcome, message = "") => {
        clearTimeout(timer);
        session.handle = () => {};
        current = null;
        const why = { timeout: "Not run: the time limit was reached.", crashed: "Not run: the runtime failed." };
        resolve({
          outcome,
          stdout: stdout.text,
          stderr: stderr.text,
          truncated: stdout.over || stderr.over,
          ms: Math.round(performance.now() - started),
          tests: tests.map(
            (test, i) =>
              results[i] ??
              testEntry(test, { error: why[outcome] ?? "Not run: the program ended with an error." }),
          ),
          message,
        });
      };
      const timer = setTimeout(() => {
        discard(session);
        finish("timeout", `Stopped after ${timeoutMs / 1000} s, the time limit for a run.`);
      }, timeoutMs);
      current = { session, finish };
      session.handle = (data) => {
        if (data.type === "out") {
          const stream = data.stream === "stderr" ? stderr : stdout;
          const room = OUTPUT_CAP - stream.text.length;
          const text = String(data.text);
          stream.text += text.slice(0, room);
          if (text.length > room) stream.over = true;
        } else if (data.type === "test" && Number.isInteger(data.index) && tests[data.index]) {
          results[data.index] = testEntry(tests[data.index], data);
        } else if (data.type === "done") {
          finish(data.ok ? "ok" : "error");
        } else if (data.type === "fatal") {
          discard(session);
          finish("crashed", String(data.message));
        }
      };
      session.worker.postMessage({ type: "run", code, tests: tests.map(({ name, call }) => ({ name, call })) });
    });
  }

  async function run({ language, code, timeoutMs = DEFAULT_TIMEOUT_MS, tests = [] }) {
    if (disposed) throw new Error("This runner was disposed.");
    if (current) {
      const busy = new Error("A run is already going: wait for its result.");
      busy.name = "RunnerBusy";
      throw busy;
    }
    const given = tests.map((test) => ({ name: test.name, call: String(test.call), expected: test.expected }));
    if (!SUPPORTED.has(language)) return notRun("unsupported", unsupported(language), given, "the language cannot run here.");
    const session = sessionFor(language);
    // Taken before the load so that a second run() while Python loads is refused too.
    current = { session, finish: null };
    try {
      await Promise.race([session.ready, closed]);
    } catch (error) {
      current = null;
      discard(session);
      return notRun("crashed", error.message, given, "the runtime failed.");
    }
    if (disposed) return notRun("crashed", "The runner was closed.", given, "the runner was closed.");
    const result = await execute(session, code, given, timeoutMs);
    if (language === "javascript") {
      discard(session); // one run per JavaScript worker: nothing a program set survives it
      if (!disposed) nextJs = new Session(jsWorkerUrl, "mockloop-javascript");
    } else if (!python && !disposed) {
      startPython(); // stopped or crashed: load a fresh one now, so that the next run is quick
    }
    return result;
  }

  return {
    run,
    warm(language) {
      if (disposed) return;
      if (language === "python") python ?? startPython();
      else if (language === "javascript") nextJs ??= new Session(jsWorkerUrl, "mockloop-javascript");
    },
    get busy() {
      return current !== null;
    },
    dispose() {
      disposed = true;
      close();
      current?.finish?.("crashed", "The runner was closed.");
      for (const session of [python, nextJs, current?.session]) if (session) session.terminate();
      python = nextJs = current = null;
    },
  };
}
