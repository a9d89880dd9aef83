// The round page: countdown anchored to the server's clock, timer controls, scratchpad autosave.
// The server owns time: we only count down from the remaining time it reported, measured with
// performance.now(), so a wrong browser clock cannot skew the countdown.
(function () {
  "use strict";
  const root = document.getElementById("round");
  if (!root) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const clockEl = $("clock"), statusEl = $("status"), progress = $("progress"), endsEl = $("ends");
  const signalEl = $("signal"), announceEl = $("announce"), phasesEl = $("phases");
  const pad = $("scratchpad"), saveStatus = $("save-status"), preview = $("preview");
  const sound = $("sound");
  const readOnlyPad = root.dataset.role === "interviewer";

  let state = JSON.parse(root.dataset.state);
  let anchor = performance.now();
  let etag = null;
  let lastPhase = state.phase ? state.phase.index : null;
  let warned = { 300000: state.remaining_ms <= 300000, 60000: state.remaining_ms <= 60000 };
  let flushedForDeadline = false;
  let lockedShown = state.status === "locked";

  // ---------- time ----------
  function remainingNow() {
    if (state.status !== "running") return state.remaining_ms;
    return Math.max(0, state.remaining_ms - (performance.now() - anchor));
  }
  function fmt(ms) {
    const s = Math.ceil(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const two = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
  }
  function spoken(ms) {
    const min = Math.round(ms / 60000);
    return min >= 1 ? `${min} minute${min === 1 ? "" : "s"} left` : "less than a minute left";
  }
  function phaseIndexAt(elapsed) {
    for (let i = 0; i < state.phases.length; i++) if (elapsed < state.phases[i].end_ms) return i;
    return state.phases.length - 1;
  }

  function beep() {
    if (!sound || !sound.checked) return;
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.1;
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no audio device: the visible signal still shows */ }
  }
  function signal(text, urgent) {
    signalEl.textContent = text;
    signalEl.hidden = false;
    signalEl.classList.toggle("urgent", !!urgent);
    announceEl.textContent = text;
    beep();
  }

  function render() {
    const left = remainingNow();
    clockEl.textContent = fmt(left);
    const elapsed = state.total_ms - left;
    progress.max = state.total_ms;
    progress.value = Math.min(elapsed, state.total_ms);
    statusEl.textContent = state.status === "paused" && state.paused_by ? `paused by ${state.paused_by}` :
      state.status === "planned" ? "waiting for the interviewer to start" :
      (state.status === "locked" ? (state.lock_reason === "ended" ? "ended" : "time is up") : state.status);
    const idx = state.status === "planned" ? null : phaseIndexAt(elapsed);
    Array.from(phasesEl.children).forEach((li, i) => {
      li.classList.toggle("current", i === idx);
      li.classList.toggle("done", idx !== null && i < idx);
      if (i === idx) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
    });
    if (state.status === "running") {
      if (idx !== lastPhase && lastPhase !== null) signal(`Next phase: ${state.phases[idx].name}. ${spoken(left)}.`);
      for (const mark of [300000, 60000]) {
        if (!warned[mark] && left <= mark && state.total_ms > mark) {
          warned[mark] = true;
          signal(mark === 60000 ? "One minute left." : "Five minutes left.", mark === 60000);
        }
      }
      if (!flushedForDeadline && left <= 2500) { flushedForDeadline = true; save(true); }
      if (left <= 0) poll();
    }
    lastPhase = idx;
    if (endsEl) {
      endsEl.textContent = state.deadline && state.status === "running"
        ? "Ends at " + new Date(Date.now() + left).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" })
        : (state.status === "paused" ? "Paused: the deadline moves while paused." : "");
    }
    root.querySelectorAll("[data-action]").forEach((btn) => {
      const a = btn.dataset.action, s = state.status;
      const allowed = { start: ["planned"], pause: ["running"], resume: ["paused"], extend: ["running", "paused"],
        end: ["planned", "running", "paused"] }[a] || [];
      btn.disabled = !allowed.includes(s);
      btn.hidden = (a === "pause" && s === "paused") || (a === "resume" && s !== "paused") || (a === "start" && s !== "planned");
    });
    if (state.status === "locked") lock();
  }

  function lock() {
    if (pad) pad.readOnly = true;
    if (lockedShown) return;
    lockedShown = true;
    const msg = state.lock_reason === "ended" ? "Round ended." : "Time is up: the round is locked.";
    if (root.dataset.mode === "solo") {
      signal(msg + " Taking you to scoring…", true);
      setTimeout(() => { window.location.assign(root.dataset.doneUrl); }, 2500);
    } else {
      signal(msg, true);
      const after = $("after-round");
      if (after) after.hidden = false;
    }
  }

  function accept(next) {
    const wasLocked = state.status === "locked";
    if (next.status === "paused" && state.status !== "paused") announceEl.textContent = "Paused.";
    if (next.status === "running" && state.status === "paused") announceEl.textContent = "Resumed. " + spoken(next.remaining_ms);
    if (next.extensions > state.extensions) announceEl.textContent = "Five minutes added. " + spoken(next.remaining_ms);
    state = next;
    anchor = performance.now();
    if (!wasLocked) render();
    root.dispatchEvent(new CustomEvent("round:state", { detail: state }));
  }

  let polling = false;
  async function poll() {
    if (polling) return;
    polling = true;
    try {
      const headers = etag ? { "If-None-Match": etag } : {};
      const res = await fetch(root.dataset.stateUrl, { headers, credentials: "same-origin" });
      if (res.status === 200) { etag = res.headers.get("ETag"); accept(await res.json()); }
    } catch (e) { /* offline for a moment: keep counting from the last anchor */ }
    finally { polling = false; }
  }

  async function act(action) {
    const res = await fetch(root.dataset.actionUrl.replace("ACTION", action), {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf, "Accept": "application/json" } });
    const body = await res.json().catch(() => ({}));
    if (res.ok) accept(body);
    else { signal(body.message || "That did not work; try again.", true); if (body.state) accept(body.state); }
  }
  root.querySelectorAll("[data-action]").forEach((btn) => btn.addEventListener("click", () => {
    if (btn.dataset.action === "end" && !window.confirm("End the round now? The scratchpad locks.")) return;
    act(btn.dataset.action);
  }));

  // ---------- autosaved text (the candidate's scratchpad, the interviewer's notes) ----------
  // Each save carries the revision it was written on, so a stale tab gets 409 instead of
  // overwriting newer text; whatever the user typed stays in the textarea until it is saved.
  function autosave(area, url, statusEl, flushBeforeDeadline) {
    let revision = parseInt(area.dataset.revision, 10) || 0;
    let savedText = area.value, saving = false, again = false, debounce = null, stale = false;
    async function save(keepalive) {
      if (area.readOnly || stale || area.value === savedText) return;
      if (saving) { again = true; return; }
      saving = true;
      const text = area.value;
      statusEl.textContent = "Saving…";
      try {
        const res = await fetch(url, { method: "PUT", credentials: "same-origin", keepalive: !!keepalive,
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }, body: JSON.stringify({ text, revision }) });
        const body = await res.json().catch(() => ({}));
        if (res.ok) { revision = body.revision; savedText = text; statusEl.textContent = "Saved at " + new Date().toLocaleTimeString(); }
        else if (res.status === 409 && body.reason === "stale") { stale = true; statusEl.textContent = body.message + " Your text here is kept, unsaved."; }
        else if (res.status === 409) { statusEl.textContent = body.message; poll(); }
        else statusEl.textContent = (body.message || "Not saved.") + " Your text is kept; it will retry.";
      } catch (e) {
        statusEl.textContent = "Offline: not saved yet. Your text is kept; it will retry.";
      } finally {
        saving = false;
        if (again) { again = false; save(); }
      }
    }
    area.addEventListener("input", () => { clearTimeout(debounce); debounce = setTimeout(save, 800); statusEl.textContent = "Unsaved changes"; });
    area.addEventListener("blur", () => save());
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") save(true); });
    window.addEventListener("pagehide", () => save(true));
    setInterval(() => save(), 10000);  // retry after a failure
    let escaped = false;  // Tab indents; Esc then Tab leaves the textarea, so keyboard users are never trapped
    area.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { escaped = true; return; }
      if (e.key === "Tab" && !escaped && !e.shiftKey && !area.readOnly) {
        e.preventDefault();
        area.setRangeText("    ", area.selectionStart, area.selectionEnd, "end");
        area.dispatchEvent(new Event("input"));
      }
      escaped = false;
    });
    return save;
  }
  const noop = () => {};
  const save = pad && !readOnlyPad ? autosave(pad, root.dataset.scratchpadUrl, saveStatus) : noop;
  const notes = $("notes");
  if (notes) autosave(notes, root.dataset.notesUrl, $("notes-status"));

  // The interviewer watches the candidate's scratchpad: fetch it whenever its revision moves.
  let shownRevision = pad ? parseInt(pad.dataset.revision, 10) || 0 : 0;
  async function refreshPad() {
    if (!readOnlyPad || state.scratchpad_revision === shownRevision) return;
    const res = await fetch(root.dataset.scratchpadUrl, { credentials: "same-origin" });
    if (res.ok) { const body = await res.json(); pad.value = body.text; shownRevision = body.revision; }
  }

  // Links that appear as the round moves on: scorecards, the swapped round.
  const links = $("round-links");
  function renderLinks() {
    if (!links) return;
    const items = [];
    for (const c of state.scorecards || []) items.push([c.url, c.role === "self" ? "Candidate's self-assessment" : "Interviewer's scorecard"]);
    if (state.next_round) items.push([state.next_round, "Open the swapped round (roles reversed)"]);
    links.replaceChildren(...items.map(([href, text]) => {
      const li = document.createElement("li"), a = document.createElement("a");
      a.href = href; a.textContent = text; li.append(a); return li;
    }));
    const seat = $("peer-names");
    if (seat && state.mode === "peer") seat.textContent = `Candidate: ${state.candidate || "waiting for someone to join"} · Interviewer: ${state.interviewer || "waiting for someone to join"}`;
  }
  root.addEventListener("round:state", () => { refreshPad(); renderLinks(); });

  // ---------- preview tabs ----------
  const tabWrite = $("tab-write"), tabPreview = $("tab-preview");
  async function showPreview(on) {
    tabWrite.setAttribute("aria-selected", String(!on));
    tabPreview.setAttribute("aria-selected", String(on));
    pad.hidden = on; preview.hidden = !on;
    if (!on) { pad.focus(); return; }
    preview.textContent = "Rendering…";
    const res = await fetch(root.dataset.previewUrl, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }, body: JSON.stringify({ text: pad.value }) });
    const body = await res.json().catch(() => ({}));
    preview.innerHTML = res.ok ? body.html : "";  // sanitized server side with nh3
    if (!res.ok) preview.textContent = body.message || "Preview failed.";
  }
  if (tabWrite && tabPreview) {
    tabWrite.addEventListener("click", () => showPreview(false));
    tabPreview.addEventListener("click", () => showPreview(true));
  }

  // ---------- sound preference ----------
  if (sound) {
    sound.checked = localStorage.getItem("mockloop.sound") === "1";
    sound.addEventListener("change", () => localStorage.setItem("mockloop.sound", sound.checked ? "1" : "0"));
  }

  window.mockloopRound = { poll, state: () => state, onState: (fn) => root.addEventListener("round:state", (e) => fn(e.detail)) };
  render();
  setInterval(render, 250);
  setInterval(poll, parseInt(root.dataset.pollMs, 10) || 3000);
})();
