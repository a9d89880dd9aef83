// A list of test results (the round's run panel, the scorecard's re-run), built with DOM calls only:
// names, calls, values and output are user or prompt text, never markup.
const json = (value) => (value === undefined ? "—" : JSON.stringify(value));

/** Fill `list` (an <ol>) with one item per test: name, pass/fail, call, expected and actual, output. */
export function showTests(list, tests, results) {
  list.replaceChildren(...tests.map((test, i) => {
    const result = results ? results[i] : null;
    const li = document.createElement("li");
    const head = document.createElement("p");
    const name = document.createElement("strong");
    name.textContent = test.name;
    head.append(name);
    if (result) {
      const verdict = document.createElement("span");
      verdict.className = result.passed ? "verdict pass" : "verdict fail";
      verdict.textContent = result.passed ? " ✓ passed" : " ✗ failed";
      head.append(verdict);
      li.className = result.passed ? "pass" : "fail";
    }
    li.append(head);
    const code = document.createElement("pre");
    code.className = "test-call";
    code.textContent = test.call;
    li.append(code);
    const values = document.createElement("p");
    values.className = "meta";
    values.textContent = "expected " + json(test.expected) + (result && !result.error ? " · got " + json(result.actual) : "");
    li.append(values);
    for (const [text, cls] of [[result && result.error, "output stderr"], [result && result.stdout, "output"]]) {
      if (!text) continue;
      const pre = document.createElement("pre");
      pre.className = cls;
      pre.textContent = text;
      li.append(pre);
    }
    return li;
  }));
}

export const passedCount = (results) => results.filter((r) => r.passed).length;
