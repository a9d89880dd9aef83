// The Python worker: loads Pyodide from the app (never a CDN) once, then runs one program at a time,
// each in a fresh __main__ module, with its tests after it in the same namespace. The protocol is
// described at the top of runner.js. A run past its time limit is not interrupted here: the runner
// terminates this worker and starts another.
import { CappedText, OutputStream, TEST_OUTPUT_CAP, post, removeOutside } from "./lib/run-kit.js";

// What Pyodide's loader requests, prefetched here with a byte count for the progress bar. The two
// modules it imports are then answered by the HTTP cache (they are cacheable for a year); the three
// it fetches are handed over from memory, since a browser's cache may not keep a 10 MB file (a
// private window's does not).
const IMPORTED = ["pyodide.mjs", "pyodide.asm.mjs"];
const FETCHED = ["pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];
const PROGRESS_MS = 100;

// The harness, in Python: it runs the candidate's code and tests and formats their tracebacks from
// the candidate's first frame on (Pyodide's own frames above it mean nothing to them). Expected
// values never enter the worker: the runner compares, so candidate code cannot read or fake them.
const HARNESS = `
import json, sys, traceback, types
from pyodide.code import eval_code_async

MAIN, TEST = "main.py", "<test>"
namespace = {}

def flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass

def formatted(error):
    """The traceback from the first frame in the candidate's code or a test on."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename not in (MAIN, TEST):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))

async def run_main(code):
    """Runs the program in a fresh __main__; True unless it raised (or exited with a failure)."""
    global namespace
    module = types.ModuleType("__main__")
    sys.modules["__main__"] = module  # dataclasses, pickle and typing look classes up here
    namespace = module.__dict__
    try:
        await eval_code_async(code, namespace, filename=MAIN, return_mode="none", dedent=False)
        return True
    except SystemExit as stop:  # sys.exit(): 0 or None is a success, as in a terminal
        if stop.code is None or stop.code == 0:
            return True
        sys.__stderr__.write(f"{stop.code}\\n" if isinstance(stop.code, str) else f"exit status {stop.code}\\n")
        return False
    except BaseException as error:
        sys.__stderr__.write(formatted(error))
        return False
    finally:
        flush()

async def run_test(call):
    """Evaluates a test's call in the program's namespace: [JSON text of its value, None] or [None, error]."""
    try:
        value = await eval_code_async(call, namespace, filename=TEST, return_mode="last_expr")
    except BaseException as error:
        return [None, formatted(error).rstrip()]
    finally:
        flush()
    try:
        return [json.dumps(value, allow_nan=False), None]
    except (TypeError, ValueError):
        return [None, f"The result is not a JSON value: {value!r}"[:2000]]

sys.stdout.reconfigure(line_buffering=True)  # each line reaches the runner as it is printed
types.SimpleNamespace(run_main=run_main, run_test=run_test)
`;

let pyodide = null;
let harness = null;
let target = null; // where Python's output goes now: the run's streams, or a test's capture

function write(stream, decoder) {
  return {
    write(bytes) {
      target?.[stream](decoder.decode(bytes, { stream: true }));
      return bytes.length;
    },
  };
}

/** Downloads the runtime, reporting progress; the fetched files' bodies, by absolute URL. */
async function prefetch(indexURL, totalBytes) {
  const names = [...IMPORTED, ...FETCHED];
  const answers = await Promise.allSettled(
    names.map(async (name) => {
      const response = await fetch(indexURL + name);
      if (!response.ok) throw new Error(`${name} answered HTTP ${response.status}`);
      return response;
    }),
  );
  const failed = answers.find((answer) => answer.status === "rejected");
  if (failed) throw failed.reason; // the first in the list, whichever answered first
  const responses = answers.map((answer) => answer.value);
  // A compressed response's Content-Length counts compressed bytes while the body counts decoded
  // ones, so the lengths give the total only when nothing is compressed (else the page's hint,
  // else it is unknown: the page shows the bytes loaded without a total).
  const lengths = responses.map((r) => (r.headers.get("Content-Encoding") ? NaN : Number(r.headers.get("Content-Length"))));
  const total = totalBytes || (lengths.every((n) => n > 0) ? lengths.reduce((a, b) => a + b, 0) : null);
  let loaded = 0;
  let reported = 0;
  const progress = () => post({ type: "progress", phase: "download", loaded, total });
  progress();
  const bodies = await Promise.all(
    responses.map(async (response) => {
      const chunks = [];
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        loaded += value.length;
        if (performance.now() - reported >= PROGRESS_MS) {
          reported = performance.now();
          progress();
        }
      }
      return new Blob(chunks, { type: response.headers.get("Content-Type") || "" });
    }),
  );
  progress();
  const fetched = new Map();
  names.forEach((name, i) => {
    if (FETCHED.includes(name)) fetched.set(new URL(indexURL + name, location.href).href, bodies[i]);
  });
  return fetched;
}

/** fetch() that answers each prefetched URL once from memory, for the duration of Pyodide's load. */
function fetchFrom(fetched, network) {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href).href;
    const body = fetched.get(url);
    if (!body) return network(input, init);
    fetched.delete(url);
    return Promise.resolve(new Response(body, { status: 200, headers: { "Content-Type": body.type } }));
  };
}

async function load({ indexURL: given, totalBytes }) {
  const indexURL = new URL(given, location.href).href; // Pyodide resolves package URLs against it
  try {
    const fetched = await prefetch(indexURL, totalBytes);
    post({ type: "progress", phase: "start", loaded: 0, total: null });
    const { loadPyodide } = await import(indexURL + "pyodide.mjs");
    const network = self.fetch;
    self.fetch = fetchFrom(fetched, network);
    try {
      // packageBaseUrl: were a package ever requested, from the app, not Pyodide's default CDN.
      pyodide = await loadPyodide({ indexURL, packageBaseUrl: indexURL });
    } finally {
      self.fetch = network;
    }
    pyodide.setStdout(write("stdout", new TextDecoder()));
    pyodide.setStderr(write("stderr", new TextDecoder()));
    pyodide.setStdin({ stdin: () => null }); // input() meets the end of input, never a prompt()
    harness = pyodide.runPython(HARNESS, { globals: pyodide.globals.get("dict")() });
  } catch (error) {
    post({ type: "fatal", message: `Python could not be loaded: ${error.message || error}` });
    return;
  }
  removeOutside();
  post({ type: "progress", phase: "ready", loaded: 0, total: null });
  post({ type: "ready" });
}

async function run({ code, tests }) {
  const streams = { stdout: new OutputStream("stdout"), stderr: new OutputStream("stderr") };
  const toRun = { stdout: (text) => streams.stdout.write(text), stderr: (text) => streams.stderr.write(text) };
  target = toRun;
  let ok;
  try {
    ok = await harness.run_main(code);
    if (ok) {
      for (const [index, test] of tests.entries()) {
        const printed = new CappedText(TEST_OUTPUT_CAP);
        target = { stdout: (text) => printed.write(text), stderr: (text) => printed.write(text) };
        const answer = await harness.run_test(String(test.call));
        const [json, error] = answer.toJs();
        answer.destroy();
        target = toRun;
        post({
          type: "test",
          index,
          actual: json == null ? null : JSON.parse(json), // Python's None arrives as undefined
          error: error ?? null,
          stdout: printed.text,
          truncated: printed.truncated,
        });
      }
    }
  } catch (error) {
    // The harness catches every Python exception, so this is the runtime itself failing (a fatal
    // error, memory exhausted): this worker is done, and the runner starts another.
    streams.stdout.flush();
    streams.stderr.flush();
    post({ type: "fatal", message: `Python stopped working: ${error.message || error}` });
    return;
  }
  streams.stdout.flush();
  streams.stderr.flush();
  post({ type: "done", ok });
}

self.onmessage = ({ data }) => {
  if (data.type === "load") load(data);
  else if (data.type === "run") run(data);
};
