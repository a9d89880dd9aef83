"""The in-browser code runner's times in Chromium: Pyodide's cold start, warm runs, a run of 20 tests.

The runner module (frontend/src/runner.js, as `make assets` built it) runs on tests/e2e/module_page.py's
page against the app, so Pyodide's files arrive as the app serves them (Brotli, from 127.0.0.1: the
network costs next to nothing here, the figure is the machine's). Each cold start is a fresh browser
context (an empty HTTP cache) timed from createRunner() and run("print(1)") to the result; the best
of 3 is the figure, since a neighbour taking CPU can only make a start slower. Then, on the loaded
runner, the best of 5: a warm print(1), the same program with 20 tests (the tests protocol of
runner.js), and, best of 3, the first run after a run stopped at its time limit (the worker is replaced
and Pyodide loaded again, from the HTTP cache), and a JavaScript run (a fresh worker each run). Times
are wall clock in the page, from run() to its result. Prints a table, then one JSON line (the last
line); no targets (the issue asks for the figures). Under a minute; needs `make assets` and Debian's
chromium.

    .venv/bin/python bench/code_runner.py
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.e2e.module_page

from browser import CHROMIUM  # noqa: E402

from mockloop import create_app  # noqa: E402
from tests.e2e.module_page import ROOT, ModulePage, serve  # noqa: E402

COLD_STARTS, WARM_RUNS, RESTARTS = 3, 5, 3

# A phone-screen sized solution and 20 tests of it, each a call with its expected JSON value.
SOLUTION = """
def merge(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
"""
CALLS = [f"merge([[i * 3, i * 3 + {n % 4}] for i in range({n})])" for n in range(20)]


def tests() -> list[dict]:
    """The 20 tests, their expected values from the solution run here, by CPython."""
    namespace: dict = {}
    exec(SOLUTION, namespace)
    return [{"name": f"test {i}", "call": call, "expected": eval(call, namespace)} for i, call in enumerate(CALLS)]


MEASURE_COLD = """async (urls) => {
  const started = performance.now();
  window.runner = window.modules.runner.createRunner(urls);
  const result = await window.runner.run({ language: "python", code: "print(1)" });
  return { ms: performance.now() - started, result };
}"""

MEASURE_RUN = """async (options) => {
  const started = performance.now();
  const result = await window.runner.run(options);
  return { ms: performance.now() - started, result };
}"""


def cold_start(context, url: str, urls: dict) -> tuple[float, object]:
    """(milliseconds to the first run's result, the page) in a fresh context."""
    page = context.new_page()
    page.goto(url + ROOT)
    page.wait_for_function("window.modulesReady === true")
    cold = page.evaluate(MEASURE_COLD, urls)
    if cold["result"]["stdout"] != "1\n":
        raise RuntimeError(f"the cold run did not print 1: {json.dumps(cold['result'])[:500]}")
    return cold["ms"], page


def timed(page, options: dict) -> float:
    """Milliseconds from run() to its result; the run must succeed (every test passing, if any)."""
    measured = page.evaluate(MEASURE_RUN, options)
    result = measured["result"]
    if result["outcome"] != "ok" or not all(test["passed"] for test in result["tests"]):
        raise RuntimeError(f"the run did not succeed: {json.dumps(result)[:500]}")
    return measured["ms"]


def measure() -> dict[str, float]:
    """Milliseconds: cold (best and every start), warm, tests_20, after_timeout, javascript."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    instance = Path(tempfile.mkdtemp(prefix="mockloop-bench-runner-"))
    try:
        app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "DATABASE_URL": "sqlite://"})
        site = ModulePage(app, {"runner": "runner.js"})
        with app.test_request_context():
            asset_url = app.jinja_env.globals["asset_url"]
            urls = {
                "pythonWorkerUrl": asset_url("python-worker.js"),
                "jsWorkerUrl": asset_url("js-worker.js"),
                "pyodideIndexUrl": asset_url("pyodide/"),
            }
        server, url = serve(site)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                colds = []
                for _ in range(COLD_STARTS - 1):
                    context = browser.new_context()  # an empty HTTP cache: Pyodide is downloaded again
                    colds.append(cold_start(context, url, urls)[0])
                    context.close()
                ms, page = cold_start(browser.new_context(), url, urls)  # its runner serves the warm figures
                colds.append(ms)
                python = {"language": "python", "code": SOLUTION}
                figures = {
                    "cold": min(colds),
                    "colds": colds,
                    "warm": min(timed(page, {**python, "code": "print(1)"}) for _ in range(WARM_RUNS)),
                    "tests_20": min(timed(page, {**python, "tests": tests()}) for _ in range(WARM_RUNS)),
                    "after_timeout": min(after_timeout(page) for _ in range(RESTARTS)),
                    "javascript": min(
                        timed(page, {"language": "javascript", "code": "console.log(1)"}) for _ in range(WARM_RUNS)
                    ),
                }
                browser.close()
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(instance, ignore_errors=True)
    return figures


def after_timeout(page) -> float:
    stopped = page.evaluate(MEASURE_RUN, {"language": "python", "code": "while True: pass", "timeoutMs": 500})
    if stopped["result"]["outcome"] != "timeout":
        raise RuntimeError(f"the endless loop was not stopped: {stopped['result']}")
    return timed(page, {"language": "python", "code": "print(1)"})


def rows(figures: dict) -> list[tuple[str, str, str | None]]:
    """(label, shown, JSON key) for each figure, in table order."""
    colds = ", ".join(f"{ms / 1000:.2f}" for ms in figures["colds"])
    return [
        (
            f"Pyodide cold start to print(1), best of {len(figures['colds'])}",
            f"{figures['cold'] / 1000:.2f} s ({colds} s)",
            "pyodide_cold_ms",
        ),
        (f"warm Python run, print(1), best of {WARM_RUNS}", f"{figures['warm']:.0f} ms", "python_warm_ms"),
        (
            f"warm Python run of {len(CALLS)} tests, best of {WARM_RUNS}",
            f"{figures['tests_20']:.0f} ms",
            "python_tests_20_ms",
        ),
        (
            f"first Python run after a timeout (Pyodide reloaded), best of {RESTARTS}",
            f"{figures['after_timeout'] / 1000:.2f} s",
            "python_after_timeout_ms",
        ),
        (f"JavaScript run (a fresh worker), best of {WARM_RUNS}", f"{figures['javascript']:.0f} ms", "js_run_ms"),
    ]


def json_values(figures: dict) -> dict[str, int]:
    keys = {"pyodide_cold_ms": "cold", "python_warm_ms": "warm", "python_tests_20_ms": "tests_20"}
    keys |= {"python_after_timeout_ms": "after_timeout", "js_run_ms": "javascript"}
    return {key: round(figures[name]) for key, name in keys.items()}


def main() -> int:
    figures = measure()
    table = [("figure", "measured")] + [(label, shown) for label, shown, _ in rows(figures)]
    width = max(len(label) for label, _ in table)
    for label, shown in table:
        print(f"{label.ljust(width)}  {shown}")
    print(json.dumps(json_values(figures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
