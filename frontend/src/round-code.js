// The code workspace of a coding round: the editor over the saved code, autosaved like the
// scratchpad (round.js's autosave: revisions, 409s, flushes before the deadline), runs in the
// browser (runner.js: Web Workers with a wall-clock limit), each run reported to the round, and
// for the interviewer a read-only copy that follows the candidate's code and runs.
import { createEditor } from "./editor.js";
import { createRunner } from "./runner.js";

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
      li.textContent = `${when} · ${label(r.language)} · ${r.outcome} · ${r.duration_ms} ms (as reported by the browser)`;
      li.className = "outcome-" + r.outcome;
      return li;
    }));
  }

  let runner = null, running = false;
  async function run() {
    if (running || lockedNow()) return;
    if (!RUNNABLE.has(language)) {
      show({ language, outcome: "unsupported", stdout: "", duration_ms: 0,
        stderr: `${label(language)} is highlighted but cannot run in the browser; Python and JavaScript can.` });
      return;
    }
    running = true; runButton.disabled = true; runButton.textContent = "Running…";
    summary.textContent = "Running…";
    saver.flush();  // the run is recorded against the code as saved now
    runner = runner || createRunner({
      pythonWorkerUrl: panel.dataset.pythonWorker,
      jsWorkerUrl: panel.dataset.jsWorker,
      pyodideIndexUrl: new URL(panel.dataset.pyodide, location.href).href,
      onProgress: ({ phase, loaded, total }) => {
        progress.hidden = phase === "ready";
        progressLabel.textContent = phase === "ready" ? "" : `Loading Python (first run only): ${phase}…`;
        if (total) { bar.max = total; bar.value = loaded; } else bar.removeAttribute("value");
      },
    });
    let result;
    try {
      result = await runner.run({ language, code: editor.getValue(), timeoutMs: runSeconds * 1000 });
    } catch (e) {
      result = { outcome: "crashed", stdout: "", stderr: String(e && e.message || e), ms: 0, truncated: false };
    }
    progress.hidden = true;
    running = false; runButton.textContent = "Run"; runButton.disabled = lockedNow();
    const report = { language, outcome: result.outcome, duration_ms: Math.round(result.ms || 0),
      stdout: result.stdout || "", stderr: result.stderr || "", truncated: !!result.truncated, code_revision: saver.revision };
    show(report);
    const res = await fetch(panel.dataset.runsUrl, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": round.csrf }, body: JSON.stringify(report) }).catch(() => null);
    if (res && res.ok) { shownRuns += 1; loadRuns(); }
    else {
      const body = res ? await res.json().catch(() => ({})) : {};
      summary.textContent += " " + (body.message || "This run could not be recorded on the round (the server is unreachable).");
    }
  }
  if (runButton) runButton.addEventListener("click", run);

  // ---------- following: runs for both seats, the code for the interviewer ----------
  let shownRuns = -1, shownCode = parseInt(source.dataset.revision, 10) || 0;
  async function loadRuns() {
    const res = await fetch(panel.dataset.runsUrl, { credentials: "same-origin" }).catch(() => null);
    if (!res || !res.ok) return;
    const { runs } = await res.json();
    listRuns(runs);
    if (!candidate && runs.length) show(runs[runs.length - 1]);
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
    if (!candidate && (state.work.code || 0) !== shownCode) loadCode();
  });
  loadRuns();

  setUpTabs();
  setUpSplitter();
}

// Code | Scratchpad: one panel at a time, arrow keys move between the tabs (the ARIA tabs pattern).
function setUpTabs() {
  const tabs = [document.getElementById("tab-code"), document.getElementById("tab-pad")];
  const select = (tab) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      select(next); next.focus(); e.preventDefault();
    });
  });
}

// The brief's share of the width: drag the bar, or focus it and use the arrow keys; kept per browser.
function setUpSplitter() {
  const bar = document.getElementById("splitter"), ws = document.getElementById("workspace");
  if (!bar) return;
  const min = Number(bar.getAttribute("aria-valuemin")), max = Number(bar.getAttribute("aria-valuemax"));
  const set = (pct) => {
    const v = Math.round(Math.min(max, Math.max(min, pct)));
    ws.style.setProperty("--brief", v + "%");
    bar.setAttribute("aria-valuenow", String(v));
    localStorage.setItem("mockloop.briefWidth", String(v));
  };
  set(Number(localStorage.getItem("mockloop.briefWidth")) || Number(bar.getAttribute("aria-valuenow")));
  bar.addEventListener("keydown", (e) => {
    const now = Number(bar.getAttribute("aria-valuenow"));
    const step = { ArrowLeft: -5, ArrowRight: 5, Home: min - now, End: max - now }[e.key];
    if (step !== undefined) { set(now + step); e.preventDefault(); }
  });
  bar.addEventListener("pointerdown", (e) => {
    bar.setPointerCapture(e.pointerId);
    const box = ws.getBoundingClientRect();
    const move = (ev) => set(((ev.clientX - box.left) / box.width) * 100);
    bar.addEventListener("pointermove", move);
    bar.addEventListener("pointerup", () => bar.removeEventListener("pointermove", move), { once: true });
  });
}
