"""The in-browser code runner (frontend/src/runner.js) in Chromium, as built by `make assets` and
served by the app (WhiteNoise: the worker CSP, Brotli, immutable caching), on a test-only page under
the app's page CSP (tests/e2e/module_page.py), so a CSP or caching problem fails here. Pyodide's cold
load takes seconds, so one page serves the whole module.
"""

from __future__ import annotations

import time

import pytest

from mockloop import create_app
from mockloop.web.assets import dist_folder
from tests.e2e.module_page import ROOT, ModulePage, serve

# The runner on window, and every progress report it gives.
CREATE = """(urls) => {
  window.progress = [];
  window.runner = window.modules.runner.createRunner({
    ...urls, onProgress: (report) => window.progress.push(report),
  });
}"""
PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "test", "DATABASE_URL": "sqlite://"})
    wsgi = ModulePage(app, {"runner": "runner.js"})
    with app.test_request_context():
        asset_url = app.jinja_env.globals["asset_url"]
        wsgi.urls = {
            "pythonWorkerUrl": asset_url("python-worker.js"),
            "jsWorkerUrl": asset_url("js-worker.js"),
            "pyodideIndexUrl": asset_url("pyodide/"),
        }
    wsgi.pyodide = dist_folder(app) / wsgi.urls["pyodideIndexUrl"].rsplit("/", 2)[-2]
    server, wsgi.url = serve(wsgi)
    yield wsgi
    server.shutdown()


@pytest.fixture(scope="module")
def runner_page(browser, site):
    """One page for the module: Pyodide loads once. Every request the browser makes is recorded."""
    context = browser.new_context()
    page = context.new_page()
    page.requested = []
    context.on("request", lambda request: page.requested.append(request.url))
    page.goto(site.url + ROOT)
    page.wait_for_function("window.modulesReady === true")
    page.evaluate(CREATE, site.urls)
    yield page
    context.close()


def run(page, language: str, code: str, **options) -> dict:
    return page.evaluate("(args) => window.runner.run(args)", {"language": language, "code": code, **options})


# -- Python ------------------------------------------------------------------------------------------


def test_python_prints_and_reports_its_load_once(runner_page, site):
    result = run(runner_page, "python", 'print("hi")\nprint("there", end="")')
    assert result["outcome"] == "ok", result
    assert result["stdout"] == "hi\nthere"
    assert result["stderr"] == "" and result["truncated"] is False
    progress = runner_page.evaluate("window.progress")
    assert [report["phase"] for report in progress][-2:] == ["start", "ready"]
    downloads = [report for report in progress if report["phase"] == "download"]
    # Brotli-compressed, the files' lengths say nothing of the bytes decoded: no total, bytes counted.
    assert downloads[-1] == {
        "phase": "download",
        "loaded": sum((site.pyodide / name).stat().st_size for name in PYODIDE_FILES),
        "total": None,
    }
    # Prefetched for the byte count, each file crossed the network once.
    requested = [path for path in site.paths if path.startswith(site.urls["pyodideIndexUrl"])]
    assert sorted(requested) == sorted(site.urls["pyodideIndexUrl"] + name for name in PYODIDE_FILES)


def test_python_exception_gives_a_traceback_of_the_candidates_code(runner_page):
    code = "def divide(a, b):\n    return a / b\n\nprint('before')\ndivide(1, 0)\n"
    result = run(runner_page, "python", code)
    assert result["outcome"] == "error"
    assert result["stdout"] == "before\n"
    stderr = result["stderr"]
    assert stderr.startswith("Traceback (most recent call last):"), stderr
    assert 'File "main.py", line 5' in stderr and 'File "main.py", line 2, in divide' in stderr
    assert "return a / b" in stderr  # the candidate's own line, quoted
    assert stderr.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "_pyodide" not in stderr  # none of the runner's frames


def test_python_syntax_error_names_the_line(runner_page):
    result = run(runner_page, "python", "x = 1\nif x\n    print(x)\n")
    assert result["outcome"] == "error"
    assert 'File "main.py", line 2' in result["stderr"] and "SyntaxError" in result["stderr"]


def test_python_runs_do_not_share_globals(runner_page):
    assert run(runner_page, "python", "secret = 42")["outcome"] == "ok"
    result = run(runner_page, "python", "print(secret)")
    assert result["outcome"] == "error" and "NameError: name 'secret' is not defined" in result["stderr"]


def test_python_input_meets_the_end_of_input(runner_page):
    result = run(runner_page, "python", "try:\n    input()\nexcept EOFError:\n    print('eof')\n")
    assert result["stdout"] == "eof\n", result


def test_python_infinite_loop_is_stopped_and_the_next_run_works(runner_page):
    started = time.monotonic()
    result = run(runner_page, "python", "print('spinning')\nwhile True:\n    pass\n", timeoutMs=1500)
    elapsed = time.monotonic() - started
    assert result["outcome"] == "timeout"
    assert 1.5 <= elapsed < 3.5, elapsed
    assert result["stdout"] == "spinning\n"  # what it printed before it was stopped
    assert "1.5 s" in result["message"]
    after = run(runner_page, "python", "print(sum(range(10)))")  # a fresh worker, Pyodide reloaded
    assert after["outcome"] == "ok" and after["stdout"] == "45\n", after


def test_python_output_past_the_cap_is_cut_and_says_so(runner_page):
    result = run(runner_page, "python", "for i in range(20000):\n    print('x' * 9)\n")
    assert result["outcome"] == "ok"
    assert result["truncated"] is True
    assert len(result["stdout"]) == 64 * 1024
    assert result["stdout"].startswith("xxxxxxxxx\nxxxxxxxxx\n")


def test_python_print_flood_is_stopped_at_the_limit(runner_page):
    result = run(runner_page, "python", "while True:\n    print('flood')\n", timeoutMs=1500)
    assert result["outcome"] == "timeout" and result["truncated"] is True, {**result, "stdout": len(result["stdout"])}
    assert len(result["stdout"]) == 64 * 1024


def test_python_candidate_code_cannot_reach_the_network(runner_page, site):
    run(runner_page, "python", "pass")  # Python loaded (again, if a test before stopped it)
    before = len(site.paths)
    code = "import js\nprint(hasattr(js, 'fetch'), hasattr(js, 'XMLHttpRequest'), hasattr(js, 'postMessage'))\n"
    result = run(runner_page, "python", code)
    assert result["stdout"] == "False False False\n", result
    assert site.paths[before:] == []


# -- JavaScript ----------------------------------------------------------------------------------------


def test_javascript_console_and_readable_objects(runner_page):
    code = (
        "console.log('hi', 1 + 1);\n"
        "console.log({ a: [1, 'two', { b: null }], m: new Map([['k', 1]]) });\n"
        "console.log('%s is %d', 'x', 42);\n"
        "console.error('oops');\n"
    )
    result = run(runner_page, "javascript", code)
    assert result["outcome"] == "ok", result
    assert result["stdout"] == "hi 2\n{ a: [ 1, 'two', { b: null } ], m: Map(1) { 'k' => 1 } }\nx is 42\n"
    assert result["stderr"] == "oops\n"


def test_javascript_thrown_error_names_the_line(runner_page):
    code = "function f(n) {\n  if (n > 1) throw new RangeError('too big: ' + n);\n}\nconsole.log('before');\nf(3);\n"
    result = run(runner_page, "javascript", code)
    assert result["outcome"] == "error"
    assert result["stdout"] == "before\n"
    assert result["stderr"].startswith("RangeError: too big: 3\n")
    assert "main.js:2:" in result["stderr"] and "main.js:5:" in result["stderr"]
    assert "js-worker" not in result["stderr"]


def test_javascript_syntax_error_names_the_line(runner_page):
    result = run(runner_page, "javascript", "let x = 1;\nif (x {\n}\n")
    assert result["outcome"] == "error"
    assert result["stderr"] == "main.js:2:7\nif (x {\n      ^\n\nSyntaxError: Unexpected token '{'\n"


def test_javascript_async_code_is_awaited_and_rejections_reported(runner_page):
    code = "setTimeout(() => console.log('later'), 50);\nawait null;\nconsole.log('first');\n"
    result = run(runner_page, "javascript", code)
    assert result["outcome"] == "ok" and result["stdout"] == "first\nlater\n", result
    result = run(runner_page, "javascript", "Promise.reject(new Error('nobody caught me'));\n")
    assert result["outcome"] == "error" and "Error: nobody caught me" in result["stderr"], result
    result = run(runner_page, "javascript", "setTimeout(() => { throw new TypeError('in a timer'); }, 10);\n")
    assert result["outcome"] == "error" and "TypeError: in a timer" in result["stderr"], result


def test_javascript_runs_do_not_share_globals(runner_page):
    assert run(runner_page, "javascript", "globalThis.leak = 1; var x = 2;")["outcome"] == "ok"
    result = run(runner_page, "javascript", "console.log(typeof leak, typeof x, typeof fetch)")
    assert result["stdout"] == "undefined undefined undefined\n", result


def test_javascript_infinite_loop_is_stopped_and_the_next_run_works(runner_page):
    started = time.monotonic()
    result = run(runner_page, "javascript", "for (;;) {}", timeoutMs=1500)
    assert result["outcome"] == "timeout" and time.monotonic() - started < 3.5
    assert run(runner_page, "javascript", "console.log('ok')")["stdout"] == "ok\n"


def test_languages_the_browser_cannot_run(runner_page):
    for language in ("typescript", "go", "java", "cpp", "rust"):
        result = run(runner_page, language, "whatever", tests=[{"name": "t", "call": "x", "expected": 1}])
        assert result["outcome"] == "unsupported" and result["message"], result
        assert result["tests"][0]["passed"] is False
    assert "JavaScript" in run(runner_page, "typescript", "let x: number = 1")["message"]


def test_a_second_run_while_one_runs_is_refused(runner_page):
    refused = runner_page.evaluate(
        """async () => {
            const first = window.runner.run({language: "python", code: "import time\\ntime.sleep(0.5)"});
            const second = await window.runner.run({language: "python", code: "print(2)"}).catch((e) => e.name);
            return [second, (await first).outcome];
        }"""
    )
    assert refused == ["RunnerBusy", "ok"]


def test_a_python_that_cannot_load_is_reported(runner_page, site):
    result = runner_page.evaluate(
        """async (urls) => {
            const runner = window.modules.runner.createRunner({ ...urls, pyodideIndexUrl: "/static/dist/no-pyodide/" });
            const result = await runner.run({ language: "python", code: "print(1)" });
            runner.dispose();
            return result;
        }""",
        site.urls,
    )
    assert result["outcome"] == "crashed"
    assert result["message"] == "Python could not be loaded: pyodide.mjs answered HTTP 404"


def test_dispose_stops_the_run_going(runner_page, site):
    outcomes = runner_page.evaluate(
        """async (urls) => {
            const runner = window.modules.runner.createRunner(urls);
            const endless = runner.run({ language: "javascript", code: "for (;;) {}" });
            setTimeout(() => runner.dispose(), 300);
            const stopped = await endless;
            const later = await runner.run({ language: "javascript", code: "1" }).catch((e) => e.message);
            return [stopped.outcome, stopped.message, later];
        }""",
        site.urls,
    )
    assert outcomes == ["crashed", "The runner was closed.", "This runner was disposed."]


# -- tests -----------------------------------------------------------------------------------------------

PY_SOLUTION = """
def add(a, b):
    return a + b

def pairs(xs):
    print("pairing", len(xs))
    return [(x, x * 2) for x in xs]
"""

TESTS = [
    {"name": "adds", "call": "add(2, 3)", "expected": 5},
    {"name": "wrong on purpose", "call": "add(2, 2)", "expected": 5},
    {"name": "tuples are lists", "call": "pairs([1, 2])", "expected": [[1, 2], [2, 4]]},
    {"name": "statements", "call": "total = add(1, 1)\ntotal * 10", "expected": 20},
    {"name": "raises", "call": "add(1)", "expected": 1},
]


def test_python_tests_pass_and_fail_with_expected_and_actual(runner_page):
    result = run(runner_page, "python", PY_SOLUTION, tests=TESTS)
    assert result["outcome"] == "ok", result
    by_name = {test["name"]: test for test in result["tests"]}
    assert [test["name"] for test in result["tests"]] == [test["name"] for test in TESTS]
    assert by_name["adds"] == {
        "name": "adds",
        "passed": True,
        "expected": 5,
        "actual": 5,
        "error": None,
        "stdout": "",
        "truncated": False,
    }
    assert by_name["wrong on purpose"]["passed"] is False and by_name["wrong on purpose"]["actual"] == 4
    assert by_name["tuples are lists"]["passed"] is True
    assert by_name["tuples are lists"]["stdout"] == "pairing 2\n"
    assert by_name["statements"]["passed"] is True
    raises = by_name["raises"]
    assert raises["passed"] is False and raises["actual"] is None
    assert "TypeError" in raises["error"] and "missing 1 required positional argument" in raises["error"]


def test_python_tests_compare_json_values_strictly(runner_page):
    tests = [
        {"name": "float equals int", "call": "2.0", "expected": 2},
        {"name": "bool is not int", "call": "True", "expected": 1},
        {"name": "key order", "call": "{'b': 1, 'a': [None]}", "expected": {"a": [None], "b": 1}},
        {"name": "a set is no JSON", "call": "{1, 2}", "expected": [1, 2]},
    ]
    result = {t["name"]: t for t in run(runner_page, "python", "", tests=tests)["tests"]}
    assert result["float equals int"]["passed"] and result["key order"]["passed"]
    assert not result["bool is not int"]["passed"] and result["bool is not int"]["actual"] is True
    assert not result["a set is no JSON"]["passed"]
    assert "not a JSON value: {1, 2}" in result["a set is no JSON"]["error"]


def test_tests_are_not_run_when_the_program_fails(runner_page):
    result = run(runner_page, "python", "raise ValueError('broken')", tests=TESTS[:1])
    assert result["outcome"] == "error"
    assert result["tests"][0]["passed"] is False and result["tests"][0]["error"].startswith("Not run")


def test_tests_finished_before_a_timeout_are_kept(runner_page):
    tests = [
        {"name": "quick", "call": "1", "expected": 1},
        {"name": "forever", "call": "while True: pass", "expected": None},
        {"name": "after", "call": "2", "expected": 2},
    ]
    result = run(runner_page, "python", "", tests=tests, timeoutMs=1500)
    assert result["outcome"] == "timeout"
    assert [t["passed"] for t in result["tests"]] == [True, False, False]
    assert "time limit" in result["tests"][1]["error"]


def test_javascript_tests_see_the_programs_scope(runner_page):
    code = (
        "function add(a, b) { return a + b; }\n"
        "const sleep = (ms) => new Promise((r) => setTimeout(r, ms));\n"
        "class Stack { constructor() { this.items = []; } push(x) { this.items.push(x); return this; } }\n"
    )
    tests = [
        {"name": "adds", "call": "add(2, 3)", "expected": 5},
        {"name": "wrong", "call": "add(2, 2)", "expected": 5},
        {"name": "awaits", "call": "await sleep(10).then(() => 'slept')", "expected": "slept"},
        {"name": "statements", "call": "const s = new Stack(); s.push(1).push(2); s.items", "expected": [1, 2]},
        {"name": "not JSON", "call": "new Stack()", "expected": {"items": []}},
        {"name": "throws", "call": "missing()", "expected": 1},
        {"name": "prints", "call": "console.log('inside'); add(1, 1)", "expected": 2},
    ]
    result = {t["name"]: t for t in run(runner_page, "javascript", code, tests=tests)["tests"]}
    assert result["adds"]["passed"] and result["awaits"]["passed"] and result["statements"]["passed"]
    assert result["wrong"]["passed"] is False and result["wrong"]["actual"] == 4
    assert result["not JSON"]["passed"] is False and "not a JSON value: Stack" in result["not JSON"]["error"]
    assert "ReferenceError: missing is not defined" in result["throws"]["error"]
    assert result["prints"]["passed"] and result["prints"]["stdout"] == "inside\n"


# -- the page --------------------------------------------------------------------------------------------


def test_every_request_went_to_the_test_servers_origin(runner_page, site):
    # Last in the module: by now Python and JavaScript have run, timed out and restarted.
    assert runner_page.requested, "no request was recorded"
    strangers = [url for url in runner_page.requested if not url.startswith(site.url + "/")]
    assert strangers == []
