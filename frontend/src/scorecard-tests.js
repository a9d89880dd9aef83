// The scorecard's re-run of the hidden tests on the locked code, in the viewer's own browser (the
// server never runs candidate code). Each level's tests run against the same final code.
import { createRunner } from "./runner.js";
import { passedCount, showTests } from "./lib/test-results.js";

const box = document.getElementById("rerun");
const button = document.getElementById("rerun-hidden");
if (box && button) {
  const summary = document.getElementById("rerun-summary"), list = document.getElementById("rerun-results");
  const source = document.querySelector("pre.code-view code");
  const language = box.dataset.language;
  const byLevel = JSON.parse(box.dataset.tests);
  let runner = null;
  button.disabled = !["python", "javascript"].includes(language);
  if (button.disabled) summary.textContent = "Only Python and JavaScript run in the browser.";
  button.addEventListener("click", async () => {
    button.disabled = true;
    summary.textContent = "Running the hidden tests…";
    runner = runner || createRunner({
      pythonWorkerUrl: box.dataset.pythonWorker, jsWorkerUrl: box.dataset.jsWorker,
      pyodideIndexUrl: new URL(box.dataset.pyodide, location.href).href,
      onProgress: ({ phase }) => { if (phase !== "ready") summary.textContent = "Loading Python (first run only)…"; },
    });
    const tests = Object.values(byLevel).flatMap((group) => group[language] || []);
    const result = await runner.run({ language, code: source ? source.textContent : "", tests, timeoutMs: 30000 });
    showTests(list, tests, result.tests);
    summary.textContent = `Re-run on the locked code: ${passedCount(result.tests)} of ${tests.length} hidden tests passed` +
      (result.outcome === "ok" ? "." : ` (the code ${result.outcome === "timeout" ? "ran past 30 s" : "failed: see the first test"}).`);
    button.disabled = false;
  });
}
