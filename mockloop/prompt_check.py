"""`mockloop prompts check`'s proof that every shipped test is passable: each prompt's reference
solution runs against all of its tests (examples, hidden, every level), Python with the server's own
interpreter, JavaScript with Node when it is installed, each in a subprocess with a time limit.

Prompt files are trusted content; candidate code never comes here (it runs only in the browser).
The harnesses run a test the way the browser's runner does: the solution first, then each call in
the same namespace, the value of its last expression compared as JSON (code_tests.json_equal).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass

from mockloop.core.catalog import Prompt
from mockloop.core.code_tests import CodeTest, json_equal

TIME_LIMIT = 20  # seconds per prompt and language: a solution is small and its tests quick

# Top-level await is allowed, as in the browser (Pyodide): code compiled with the flag gives a
# coroutine to run on one event loop for the whole job.
PYTHON_HARNESS = r"""
import ast, asyncio, inspect, json, sys, traceback
job = json.load(sys.stdin)
ns = {"__name__": "__main__"}
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
AWAIT = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT

def run(code):
    value = eval(code, ns)
    return loop.run_until_complete(value) if inspect.iscoroutine(value) else value

run(compile(job["solution"], "<reference solution>", "exec", flags=AWAIT))
results = []
for call in job["calls"]:
    try:
        tree = ast.parse(call, "<test>")
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        run(compile(tree, "<test>", "exec", flags=AWAIT))
        value = run(compile(ast.Expression(last.value), "<test>", "eval", flags=AWAIT)) if last else None
        results.append({"actual": json.loads(json.dumps(value))})
    except Exception:
        results.append({"error": traceback.format_exc(limit=3)})
json.dump(results, sys.stdout)
"""

# As the browser's worker does it: the solution inside an async function that hands back a direct
# eval, so each call sees the solution's declarations (class and let included); a call is an
# expression (await allowed) or, failing that, statements whose last expression gives the value.
NODE_HARNESS = r"""
const job = JSON.parse(require("fs").readFileSync(0, "utf8"));
(async () => {
  const evaluate = await (0, eval)(`(async function () {${job.solution}\n;return (source) => eval(source);})`)();
  const results = [];
  for (const call of job.calls) {
    try {
      let value;
      try { value = await evaluate(`(async () => (${call}\n))`)(); }
      catch (e) { if (!(e instanceof SyntaxError)) throw e; value = await evaluate(call); }
      results.push({ actual: JSON.parse(JSON.stringify(value === undefined ? null : value)) });
    } catch (e) { results.push({ error: String((e && e.stack) || e) }); }
  }
  process.stdout.write(JSON.stringify(results));
})();
"""


@dataclass(frozen=True)
class Failure:
    prompt: Prompt
    test: CodeTest | None
    message: str

    def __str__(self) -> str:
        line = self.test.line if self.test else 1
        name = f" test {self.test.name!r}" if self.test else ""
        return f"{self.prompt.path}:{line}:{name} {self.message}"


def tests_of(prompt: Prompt) -> dict[str, list[CodeTest]]:
    """Every test of the prompt, by language, in the order a candidate meets them."""
    out: dict[str, list[CodeTest]] = {}
    groups = [g for lv in prompt.levels for g in (lv.examples, lv.hidden)] + [prompt.examples, prompt.hidden]
    for group in groups:
        for language, tests in group.items():
            out.setdefault(language, []).extend(tests)
    return out


def check(prompt: Prompt) -> tuple[int, list[Failure]]:
    """(tests passed, failures) for one prompt's reference solutions."""
    passed, failures = 0, []
    for language, tests in tests_of(prompt).items():
        command = _command(language)
        if command is None:
            failures.append(Failure(prompt, None, f"cannot check the {language} tests: node is not installed"))
            continue
        job = json.dumps({"solution": prompt.solutions[language], "calls": [t.call for t in tests]})
        try:
            done = subprocess.run(command, input=job, capture_output=True, text=True, timeout=TIME_LIMIT)
        except subprocess.TimeoutExpired:
            failures.append(Failure(prompt, None, f"the {language} solution ran past {TIME_LIMIT} s"))
            continue
        if done.returncode != 0:
            failures.append(Failure(prompt, None, f"the {language} solution failed: {done.stderr.strip()[-800:]}"))
            continue
        for test, result in zip(tests, json.loads(done.stdout), strict=True):
            if "error" in result:
                failures.append(Failure(prompt, test, f"raised: {result['error'].strip().splitlines()[-1]}"))
            elif not json_equal(result["actual"], test.expected):
                failures.append(Failure(prompt, test, f"expected {test.expected!r}, got {result['actual']!r}"))
            else:
                passed += 1
    return passed, failures


def _command(language: str) -> list[str] | None:
    if language == "python":
        return [sys.executable, "-I", "-c", PYTHON_HARNESS]
    node = shutil.which("node")
    return [node, "-e", NODE_HARNESS] if node else None
