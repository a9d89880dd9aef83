// The code workspace of a coding round: the editor over the saved code, autosaved like the
// scratchpad (round.js's autosave: revisions, 409s, flushes before the deadline), runs in the
// browser (runner.js: Web Workers with a wall-clock limit), each run reported to the round, and
// for the interviewer a read-only copy that follows the candidate's code and runs.
import { createEditor } from "./editor.js";
import { createRunner } from "./runner.js";
import { passedCount, showTests } from "./lib/test-results.js";
import { setUpSplitter, setUpTabs } from "./lib/workspace.js";

const RUNNABLE = new Set(["python", "javascript"]);
const round = window.mockloopRound;
const root = document.getElementById("round");
const panel = document.getElementById("code-panel");
if (round && root && panel) start();

function start() {
  const $ = (id) => document.getElementById(id);
  const source = $("code-source"), host = $("code-editor"), status = $("code-status");
  const languageSelect = $("code-language"), fontSelect = $("code-font"), runButton = $("run-code");
  const candidate = root.dataset.role === "candidate";
  const lockedNow = () => round.state().status === "locked";
  let language = languageSelect.value, readOnly = source.readOnly;

  const editor = createEditor(host, {
    doc: source.value,
    language,
    readOnly: source.readOnly,
    fontSize: parseInt(localStorage.getItem("mockloop.codeFont") || fontSelect.value, 10),
    label: candidate ? "Your code" : "The candidate's code (read-only)",
    onChange: () => area.dispatchEvent(new Event("input")),
    onRun: () => runButton && run(),
  });
  fontSelect.value = localStorage.getItem("mockloop.codeFont") || fontSelect.value;
  source.hidden = true;
  host.hidden = false;

  // To round.js's autosave the editor looks like a textarea.
  const area = new EventTarget();
  Object.defineProperties(area, {
    value: { get: () => editor.getValue(), set: (text) => editor.setValue(text) },
    readOnly: { get: () => readOnly, set: (on) => { readOnly = on; editor.setReadOnly(on); } },
    hidden: { value: false },
    dataset: { value: source.dataset },
    focus: { value: () => editor.focus() },
    select: { value: () => editor.focus() },
  });
  editor.view.contentDOM.addEventListener("blur", () => area.dispatchEvent(new Event("blur")));

  fontSelect.addEventListener("change", () => {
    editor.setFontSize(parseInt(fontSelect.value, 10));
    localStorage.setItem("mockloop.codeFont", fontSelect.value);
  });

  let saver = null;
  if (candidate) {
    saver = round.autosave(area, panel.dataset.codeUrl, status, "code", true,
      { body: () => ({ language }), key: () => language });
    languageSelect.addEventListener("change", () => {
      language = languageSelect.value;
      editor.setLanguage(language);
      saver.changed();  // the language is part of the saved code
    });
  }
  round.onState((state) => {
    if (state.status === "locked" && !area.readOnly) area.readOnly = true;
    if (state.status === "locked") { languageSelect.disabled = true; if (runButton) runButton.disabled = true; }
  });

  // ---------- runs ----------
  const progress = $("run-progress"), bar = $("run-progress-bar"), progressLabel = $("run-progress-label");
  const summary = $("run-summary"), out = $("run-stdout"), err = $("run-stderr"), list = $("run-list");
  const runSeconds = parseInt(panel.dataset.runSeconds, 10) || 10;
  const label = (id) => languageSelect.querySelector(`option[value="${id}"]`)?.textContent || id;
  const OUTCOME = { ok: "finished", error: "failed with an error", timeout: `stopped: it ran past ${runSeconds} s`,
    crashed: "stopped: the runner crashed", unsupported: "not run" };

  function show(run) {
    summary.textContent = `${label(run.language)} run ${OUTCOME[run.outcome] || run.outcome}` +
      (run.outcome === "unsupported" ? "" : ` in ${run.duration_ms} ms`) + (run.truncated ? "; output cut to the first part." : ".");
    out.textContent = run.stdout; out.hidden = !run.stdout;
    err.textContent = run.stderr; err.hidden = !run.stderr;
  }
  function listRuns(runs) {
    list.replaceChildren(...runs.slice().reverse().map((r) => {
      const li = document.createElement("li");
      const when = new Date(r.at).toLocaleTimeString();
      const level = r.level ? ` · level ${r.level}` : "";
      const counts = r.tests_total != null ? ` · ${r.tests_passed}/${r.tests_total} ${r.kind === "submit" ? "hidden" : "example"} tests` : "";
      li.textContent = r.kind === "move_on" ? `${when} · moved on from level ${r.level} without passing`
        : `${when} · ${r.kind === "submit" ? "submit" : "run"}${level} · ${label(r.language)} · ${r.outcome}${counts} · ${r.duration_ms} ms (as reported by the browser)`;
      li.className = "outcome-" + r.outcome;
      return li;
    }));
  }

  // One runner for the page, made on first use (Pyodide loads then); one run at a time.
  let runner = null, running = false;
  const buttons = () => [runButton, $("submit-code"), $("move-on"), $("run-hidden")].filter(Boolean);
  async function execute(code, tests) {
    runner = runner || createRunner({
      pythonWorkerUrl: panel.dataset.pythonWorker,
      jsWorkerUrl: panel.dataset.jsWorker,
      pyodideIndexUrl: new URL(panel.dataset.pyodide, location.href).href,
      pyodideBytes: parseInt(panel.dataset.pyodideBytes, 10) || undefined,
      onProgress: ({ phase, loaded, total }) => {
        progress.hidden = phase === "ready";
        progressLabel.textContent = phase === "download" ? "Loading Python (first run only)…" : "Starting Python…";
        if (total) { bar.max = total; bar.value = loaded; } else bar.removeAttribute("value");
      },
    });
    running = true;
    buttons().forEach((b) => { b.disabled = true; });
    try {
      return await runner.run({ language, code, timeoutMs: runSeconds * 1000, tests });
    } catch (e) {
      return { outcome: "crashed", stdout: "", stderr: String((e && e.message) || e), ms: 0, truncated: false, tests: [] };
    } finally {
      progress.hidden = true;
      running = false;
      buttons().forEach((b) => { b.disabled = lockedNow(); });
    }
  }
  const reportOf = (result) => ({ language, outcome: result.outcome, duration_ms: Math.round(result.ms || 0),
    stdout: result.stdout || "", stderr: result.stderr || "", truncated: !!result.truncated,
    code_revision: saver ? saver.revision : 0 });
  async function post(url, body) {
    const res = await fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": round.csrf }, body: JSON.stringify(body) }).catch(() => null);
    const answer = res ? await res.json().catch(() => ({})) : {};
    return { ok: !!(res && res.ok), answer, message: answer.message || "The server could not be reached; nothing was recorded." };
  }
  const unsupported = () => show({ language, outcome: "unsupported", stdout: "", duration_ms: 0,
    stderr: `${label(language)} is highlighted but cannot run in the browser; Python and JavaScript can.` });

  async function run() {
    if (running || lockedNow()) return;
    if (!RUNNABLE.has(language)) { unsupported(); return; }
    runButton.textContent = "Running…";
    summary.textContent = "Running…";
    saver.flush();  // the run is recorded against the code as saved now
    const examples = (tests.examples || {})[language] || [];
    const result = await execute(editor.getValue(), examples);
    runButton.textContent = "Run";
    const report = reportOf(result);
    if (examples.length) {
      showTests(exampleList, examples, result.tests);
      Object.assign(report, { tests_passed: passedCount(result.tests), tests_total: examples.length });
    }
    show(report);
    const sent = await post(panel.dataset.runsUrl, report);
    if (sent.ok) { shownRuns += 1; loadRuns(); } else summary.textContent += " " + sent.message;
  }
  if (runButton) runButton.addEventListener("click", run);

  // ---------- tests and levels ----------
  const exampleList = $("example-tests"), hiddenList = $("hidden-tests"), submitSummary = $("submit-summary");
  const moveOn = $("move-on"), levelLabel = $("level-label"), levelBriefs = $("level-briefs");
  let tests = { examples: {}, level: 1, levels: 0 };
  function showLevel(body) {
    tests = body;
    if (exampleList) showTests(exampleList, (tests.examples[language] || []), null);
    if (hiddenList) showTests(hiddenList, ((tests.hidden || {})[language] || []), null);
    if (levelLabel) levelLabel.textContent = `· level ${tests.level} of ${tests.levels}`;
    if (moveOn) moveOn.hidden = tests.level >= tests.levels;
    if (levelBriefs && tests.level_html && levelBriefs.children.length < tests.level_html.length) {
      // Trusted prompt HTML, rendered by the server (the same as the brief it joins).
      for (const html of tests.level_html.slice(levelBriefs.children.length)) {
        const section = document.createElement("section");
        section.className = "level-brief";
        section.innerHTML = html;
        levelBriefs.append(section);
        section.scrollIntoView({ block: "nearest" });
      }
    }
  }
  async function loadTests() {
    if (!panel.dataset.testsUrl) return;
    const res = await fetch(panel.dataset.testsUrl, { credentials: "same-origin" }).catch(() => null);
    if (res && res.ok) showLevel(await res.json());
  }
  languageSelect.addEventListener("change", () => showLevel(tests));

  async function submit() {
    if (running || lockedNow()) return;
    if (!RUNNABLE.has(language)) { unsupported(); return; }
    saver.flush();
    submitSummary.textContent = "Running the hidden tests…";
    const url = new URL(panel.dataset.hiddenUrl, location.href);
    url.search = new URLSearchParams({ language, level: tests.level });
    const res = await fetch(url, { credentials: "same-origin" }).catch(() => null);
    const body = res ? await res.json().catch(() => ({})) : {};
    if (!res || !res.ok) { submitSummary.textContent = body.message || "The server could not be reached; try again."; return; }
    const result = await execute(editor.getValue(), body.calls.map((call, i) => ({ name: `hidden ${i + 1}`, call })));
    const results = (result.tests || []).map((t) => ({ actual: t.actual, error: t.error }));
    const sent = await post(panel.dataset.submitUrl, { ...reportOf(result), level: tests.level, results });
    if (!sent.ok) { submitSummary.textContent = sent.message; return; }
    const { run: recorded, level } = sent.answer;
    const opened = level > tests.level;
    submitSummary.textContent = `Hidden tests: ${recorded.tests_passed} of ${recorded.tests_total} passed.` +
      (opened ? ` Level ${level} is open: its brief is below the others.` : "");
    shownRuns += 1; loadRuns();
    if (opened) loadTests();
  }
  const submitButton = $("submit-code");
  if (submitButton) submitButton.addEventListener("click", submit);
  if (moveOn) moveOn.addEventListener("click", async () => {
    if (!window.confirm(`Move on to level ${tests.level + 1} without passing level ${tests.level}? This is recorded.`)) return;
    const sent = await post(panel.dataset.moveOnUrl, { level: tests.level });
    if (!sent.ok) { submitSummary.textContent = sent.message; return; }
    submitSummary.textContent = `Moved on: level ${sent.answer.level} is open.`;
    shownRuns += 1; loadRuns(); loadTests();
  });

  // The interviewer runs the hidden tests on the candidate's current code, in their own browser.
  const runHidden = $("run-hidden");
  if (runHidden) runHidden.addEventListener("click", async () => {
    if (running) return;
    if (!RUNNABLE.has(language)) { unsupported(); return; }
    const hidden = (tests.hidden || {})[language] || [];
    submitSummary.textContent = "Running the hidden tests…";
    const result = await execute(editor.getValue(), hidden);
    showTests(hiddenList, hidden, result.tests);
    submitSummary.textContent = `Hidden tests on the candidate's current code: ${passedCount(result.tests)} of ${hidden.length} passed.`;
  });
  loadTests();
  buttons().forEach((b) => { b.disabled = lockedNow(); });  // ready: the page rendered them disabled

  // ---------- following: runs for both seats, the code for the interviewer ----------
  let shownRuns = -1, shownCode = parseInt(source.dataset.revision, 10) || 0;
  async function loadRuns() {
    const res = await fetch(panel.dataset.runsUrl, { credentials: "same-origin" }).catch(() => null);
    if (!res || !res.ok) return;
    const { runs } = await res.json();
    listRuns(runs);
    const last = runs.filter((r) => r.kind !== "move_on").pop();
    if (!candidate && last) show(last);
    shownRuns = runs.length;
  }
  async function loadCode() {
    const res = await fetch(panel.dataset.codeUrl, { credentials: "same-origin" }).catch(() => null);
    if (!res || !res.ok) return;
    const body = await res.json();
    if (body.language !== language) { language = body.language; languageSelect.value = language; editor.setLanguage(language); }
    editor.setValue(body.text);
    shownCode = body.revision;
  }
  round.onState((state) => {
    if (state.runs !== shownRuns) loadRuns();
    if (state.level && state.level !== tests.level) loadTests();
    if (!candidate && (state.work.code || 0) !== shownCode) loadCode();
  });
  loadRuns();

  setUpTabs(document.querySelector('.work [role="tablist"]'));
  setUpSplitter(document.getElementById("splitter"), document.getElementById("workspace"));
}
