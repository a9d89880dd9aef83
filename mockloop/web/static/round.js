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
  const sound = $("sound"), offlineEl = $("offline"), startHint = $("start-hint");
  const readOnlyPad = root.dataset.role === "interviewer";
  const controlsTimer = !!root.querySelector('[data-action="start"]');  // this seat starts the round

  let state = JSON.parse(root.dataset.state);
  let anchor = performance.now();
  let etag = null;
  let lastPhase = state.phase ? state.phase.index : null;
  let warned = { 300000: state.remaining_ms <= 300000, 60000: state.remaining_ms <= 60000 };
  let offline = false;  // the last poll or save could not reach the server
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
    statusEl.textContent = statusText(left);
    clockEl.classList.toggle("estimate", offline && state.status === "running");
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
      if (left <= 0 && !offline) poll();
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
    if (startHint) startHint.hidden = !startsAlone();
    // Offline past the deadline the server has surely locked: typing on would only lose text.
    if (pad && !readOnlyPad && state.status !== "locked") pad.readOnly = offline && state.status === "running" && left <= 0;
    if (state.status === "locked") lock();
  }

  // Statuses are lower case sentences ("paused by Nora Newcomer"): names keep their own case.
  function statusText(left) {
    const s = state.status;
    if (offline && s !== "locked") {
      return s === "running" && left <= 0 ? "time is probably up: reconnecting…" : "reconnecting…";
    }
    if (s === "paused") return state.paused_by ? `paused by ${state.paused_by}` : "paused";
    if (s === "planned") {
      if (state.mode === "peer" && !state.candidate) return controlsTimer ? "waiting for the candidate to join" : "waiting for the interviewer to start";
      if (state.mode === "peer" && !state.interviewer) return "waiting for an interviewer to join";
      return controlsTimer ? "waiting for you to start" : "waiting for the interviewer to start";
    }
    if (s === "locked") return { ended: "ended", cancelled: "cancelled" }[state.lock_reason] || "time is up";
    return s;
  }
  // The interviewer may start a peer round before the candidate has joined: the clock then runs
  // for both, so the page says so and asks before starting.
  const startsAlone = () => controlsTimer && state.status === "planned" && state.mode === "peer" && !state.candidate;

  // The server could not be reached (network error or 5xx), or can again.
  function reachable(ok) {
    if (ok === !offline) return;
    offline = !ok;
    if (offlineEl) offlineEl.hidden = ok;
    render();
    if (ok) { poll(); savers.forEach((s) => s.retry()); }
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
      if (res.status >= 500) throw new Error("server error " + res.status);
      if (res.status === 200) { const next = await res.json(); etag = res.headers.get("ETag"); accept(next); }
      pollFailures = 0;
      polling = false;
      reachable(true);
    } catch (e) {  // keep counting from the last anchor, say so, and retry with backoff
      pollFailures += 1;
      polling = false;
      reachable(false);
    }
  }
  let pollFailures = 0;
  function pollLoop() {
    const every = parseInt(root.dataset.pollMs, 10) || 3000;
    poll().finally(() => setTimeout(pollLoop, offline ? Math.min(15000, every * 2 ** Math.min(pollFailures - 1, 4)) : every));
  }

  async function act(action) {
    let res;
    try {
      res = await fetch(root.dataset.actionUrl.replace("ACTION", action), {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf, "Accept": "application/json" } });
    } catch (e) { reachable(false); signal("Can't reach the server: nothing changed. Try again when it is back.", true); return; }
    const body = await res.json().catch(() => ({}));
    if (res.ok) accept(body);
    else { signal(body.message || "That did not work; try again.", true); if (body.state) accept(body.state); }
  }
  root.querySelectorAll("[data-action]").forEach((btn) => btn.addEventListener("click", () => {
    if (btn.dataset.action === "end" && !window.confirm("End the round now? The scratchpad locks.")) return;
    if (btn.dataset.action === "start" && startsAlone()
        && !window.confirm("Start without the candidate? The clock runs for both of you from now.")) return;
    act(btn.dataset.action);
  }));

  // ---------- autosaved text (the candidate's scratchpad, the interviewer's notes) ----------
  // Each save carries the revision it was written on, so a stale tab gets 409 instead of
  // overwriting newer text; whatever the user typed stays in the textarea until it is saved.
  // One save is in flight at a time. Typing saves after a pause (QUIET) and at least every
  // MAX_WAIT while it goes on; in the last 5 s of a round every 250 ms, and two flushes aimed at
  // the deadline (allowing for the measured round trip) catch the last second. The status line
  // only ever says what is true: a tab whose save was refused says so until its user chooses.
  const QUIET = 800, MAX_WAIT = 1000, NEAR_END = 5000, NEAR_END_WAIT = 250;
  const savers = [];

  // area: a textarea, or anything that looks like one to this code (value, readOnly, hidden,
  // dataset.revision, focus/select, "input" and "blur" events): the code editor is one.
  // extra: more of the body than the text (the code's language), with a key that changes with it,
  // and merge(first, second) where plain text would not survive being joined (the board's JSON).
  function autosave(area, url, statusEl, noun, deadlineAware, extra) {
    const join = (first, second) => extra && extra.merge ? extra.merge(first, second)
      : `${first}\n\n--- merged from this tab ---\n\n${second}`;
    const keepKey = "mockloop.unsaved:" + url;  // unsaved text survives a reload or a crash here
    let revision = parseInt(area.dataset.revision, 10) || 0;
    let savedText = area.value, savedExtra = extra ? extra.key() : "";
    let mode = "ok";  // ok | offline | waiting (round not started) | stale | locked | error
    let inFlight = false, again = false, timer = null, dirtySince = null;
    let failures = 0, retryTimer = null, serverRevision = null, rtt = 300;
    let unconfirmed = [];  // texts sent on this revision whose answer never came (or sent by the page before a reload)
    const choices = document.createElement("div");
    choices.className = "controls save-choices";
    choices.hidden = true;
    statusEl.after(choices);

    const dirty = () => area.value !== savedText || (extra ? extra.key() !== savedExtra : false);
    function keep() {
      try { localStorage.setItem(keepKey, JSON.stringify({ text: area.value, revision })); } catch (e) { /* full or disabled */ }
    }
    function forget() { try { localStorage.removeItem(keepKey); } catch (e) { /* disabled */ } }
    function say(text) { statusEl.textContent = text; }
    function offer(buttons) {
      choices.replaceChildren(...buttons.map(([label, onClick]) => {
        const b = document.createElement("button");
        b.type = "button"; b.className = "secondary"; b.textContent = label;
        b.addEventListener("click", () => onClick(b));
        return b;
      }));
      choices.hidden = buttons.length === 0;
    }

    async function copyText(button, text) {
      try { await navigator.clipboard.writeText(text); button.textContent = "Copied"; return; } catch (e) { /* no clipboard */ }
      if (text === area.value && !area.hidden) { area.focus(); area.select(); }
      else {  // the text is not in the textarea: show it selected, to copy by hand
        let spare = choices.querySelector("textarea");
        if (!spare) { spare = document.createElement("textarea"); spare.readOnly = true; spare.rows = 6; spare.setAttribute("aria-label", "Your unsaved text"); choices.append(spare); }
        spare.value = text; spare.focus(); spare.select();
      }
      button.textContent = "Selected: press Ctrl+C";
    }
    const copyButton = (text) => ["Copy my text", (b) => copyText(b, text())];

    function schedule() {
      if (mode !== "ok" && mode !== "error") return;  // a refused or unreachable tab does not pretend to save
      if (!dirty()) return;
      if (inFlight) { again = true; return; }  // saved right after the one in flight
      const now = performance.now();
      if (dirtySince === null) dirtySince = now;
      const near = deadlineAware && state.status === "running" && remainingNow() <= NEAR_END;
      const quiet = near ? NEAR_END_WAIT : QUIET, maxWait = near ? NEAR_END_WAIT : MAX_WAIT;
      clearTimeout(timer);
      timer = setTimeout(save, Math.max(0, Math.min(quiet, dirtySince + maxWait - now)));
    }

    async function save(keepalive) {
      clearTimeout(timer); timer = null;
      if (mode === "stale" || mode === "locked" || area.readOnly || !dirty()) return;
      if (inFlight) { again = true; return; }
      inFlight = true; again = false; dirtySince = null;
      const text = area.value, sent = performance.now(), extraKey = extra ? extra.key() : "";
      if (mode === "ok" || mode === "error") say("Saving…");
      const body = JSON.stringify({ text, revision, ...(extra ? extra.body() : {}) });
      unconfirmed = [...unconfirmed.slice(-4), text];
      try {
        const res = await fetch(url, { method: "PUT", credentials: "same-origin", keepalive: !!keepalive && body.length < 60000,
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }, body });
        const answer = await res.json().catch(() => ({}));
        rtt = performance.now() - sent;
        if (res.status >= 500) throw new Error("server error " + res.status);
        reachable(true);
        failures = 0;
        if (!res.ok && answer.reason !== "stale") unconfirmed.pop();  // refused: that text is not stored
        if (res.ok) {
          revision = answer.revision; savedText = text; savedExtra = extraKey; mode = "ok"; unconfirmed = []; offer([]); saved();
        } else if (res.status === 409 && answer.reason === "stale") {
          await stale(answer.revision);
        } else if (res.status === 409 && answer.reason === "locked") {
          mode = "locked"; keep();
          say(answer.message + " What you typed here since your last save is only in this tab.");
          offer([copyButton(() => area.value)]);
          poll();
        } else if (res.status === 409 && answer.reason === "planned") {
          mode = "waiting"; keep();
          say("Not saved yet: the round has not started. Your text is kept here and saves when it starts.");
        } else {  // too long, logged out, not allowed: the next edit tries again
          mode = "error"; keep();
          say((answer.message || "Not saved.") + " Your text is kept in this tab, not saved.");
        }
      } catch (e) {  // network error or 5xx: retry with backoff, keep the text
        failures += 1; mode = "offline"; keep(); reachable(false);
        say("Not saved yet: can't reach the server. Your text is kept in this tab; retrying.");
        clearTimeout(retryTimer);
        retryTimer = setTimeout(retry, Math.min(10000, 1000 * 2 ** (failures - 1)));
      } finally {
        inFlight = false;
        if (deadlineAware) planFlushes(slowest());
        if (deadlineAware && state.status === "locked") locked();
        else if (again && (mode === "ok" || mode === "error")) save();
        else if (mode === "ok") schedule();
      }
    }
    function saved() {
      if (dirty()) say("Unsaved changes");
      else { forget(); say("Saved at " + new Date().toLocaleTimeString()); }
    }

    // A 409 stale. If the stored copy is text this tab sent (a save whose answer was lost, or the
    // keepalive save sent as this page reloaded), what is here builds on it: no conflict, take its revision.
    async function stale(latest) {
      const res = await fetch(url, { credentials: "same-origin" }).catch(() => null);
      const other = res && res.ok ? await res.json().catch(() => null) : null;
      if (other && (other.text === area.value || unconfirmed.includes(other.text))) {
        revision = other.revision; savedText = other.text; mode = "ok"; unconfirmed = []; offer([]); saved();
      } else refused(other ? other.revision : latest);
    }

    // A 409 stale: the other copy is the one stored. Say so until the user picks what to do.
    function refused(latest) {
      mode = "stale"; serverRevision = latest; keep();
      clearTimeout(timer);
      say(`Not saved: the ${noun} was saved from another tab or device, and that newer copy is the one kept. ` +
          "Your text stays here, unsaved, until you choose:");
      offer([copyButton(() => area.value),
        ["Merge (newer copy, then mine below it)", async () => {
          const res = await fetch(url, { credentials: "same-origin" }).catch(() => null);
          if (!res || !res.ok) { say("Can't load the newer copy right now; try again."); return; }
          const other = await res.json();
          area.value = join(other.text, area.value);
          resaveOn(other.revision);
        }],
        ["Use my text (replace the newer copy)", () => resaveOn(serverRevision)]]);
    }
    function resaveOn(latest) {
      revision = latest; mode = "ok"; offer([]); save();
    }

    function retry() {  // the server answers again, or the round started
      if (mode !== "offline" && mode !== "waiting") return;
      clearTimeout(retryTimer);
      mode = "ok";
      if (dirty()) save();
    }

    function locked() {  // the round locked: unsaved scratchpad edits can never be saved now (notes can)
      if (!deadlineAware) return;
      clearTimeout(timer); clearTimeout(retryTimer);
      if (mode === "stale" || mode === "locked" || !dirty() || inFlight) return;
      mode = "locked"; keep();
      say("The round locked before your last edits were saved: they are only in this tab.");
      offer([copyButton(() => area.value)]);
    }

    area.addEventListener("input", () => {
      if (mode === "ok" || mode === "error") { if (!inFlight) say("Unsaved changes"); schedule(); }
      else keep();  // refused, offline or not started: that message stays, and the text is kept
    });
    area.addEventListener("blur", () => save());
    const leaving = () => { if (dirty()) { keep(); save(true); } };
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") leaving(); });
    window.addEventListener("pagehide", leaving);
    let escaped = false;  // Tab indents; Esc then Tab leaves the textarea, so keyboard users are never trapped
    if (area instanceof HTMLTextAreaElement) area.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { escaped = true; return; }
      if (e.key === "Tab" && !escaped && !e.shiftKey && !area.readOnly) {
        e.preventDefault();
        area.setRangeText("    ", area.selectionStart, area.selectionEnd, "end");
        area.dispatchEvent(new Event("input"));
      }
      escaped = false;
    });

    // Text this browser kept from an earlier visit that never reached the server.
    let kept = null;
    try { kept = JSON.parse(localStorage.getItem(keepKey) || "null"); } catch (e) { /* unreadable: ignore */ }
    if (kept && typeof kept.text === "string" && kept.text !== area.value) {
      if (kept.revision === revision && !area.readOnly) {  // it builds on the copy shown: carry on with it
        area.value = kept.text;
        unconfirmed = [kept.text];  // the page may have sent it as it unloaded
        say("Restored text typed here that was not saved yet.");
        schedule();
      } else {  // written on an older copy (another tab, an earlier visit) or too late: the user decides
        say(area.readOnly ? "This browser kept text typed here that was never saved (the round locked first)."
          : `This browser kept unsaved text typed here on an older copy of the ${noun}; the newer saved copy is shown.`);
        const done = () => { forget(); offer([]); say(""); };
        offer([copyButton(() => kept.text),
          ...(area.readOnly ? [] : [["Merge it below", () => {
            area.value = join(area.value, kept.text); done(); schedule(); }]]),
          ["Discard it", done]]);
      }
    } else if (kept) forget();

    // The area now shows this stored copy (the board, when the pen comes back): build on it.
    function rebase(text, latest) {
      revision = latest; savedText = text; mode = "ok"; unconfirmed = []; offer([]); forget();
    }
    const saver = { save, retry, locked, rebase, deadlineAware, flush: () => save(), changed: schedule,
      get rtt() { return rtt; }, get revision() { return revision; },
      get pending() { return inFlight || (dirty() && (mode === "ok" || mode === "error")); } };
    savers.push(saver);
    return saver;
  }

  // Flushes aimed at the deadline: one just after the 1 s mark (so every older keystroke is in it)
  // and one a round trip (plus a margin) before the end, early enough to land before the lock.
  let flushTimers = [];
  function planFlushes(rtt) {
    flushTimers.forEach(clearTimeout);
    flushTimers = [];
    if (state.status !== "running") return;
    const left = remainingNow();
    const flushAll = () => savers.forEach((s) => { if (s.deadlineAware) s.flush(); });
    for (const at of [950, rtt + 250]) if (left > at) flushTimers.push(setTimeout(flushAll, left - at));
  }

  if (pad && !readOnlyPad) autosave(pad, root.dataset.scratchpadUrl, saveStatus, "scratchpad", true);
  const notes = $("notes");
  if (notes) autosave(notes, root.dataset.notesUrl, $("notes-status"), "notes", false);
  const slowest = () => Math.max(300, ...savers.filter((s) => s.deadlineAware).map((s) => s.rtt));
  root.addEventListener("round:state", () => {
    planFlushes(slowest());
    if (state.status === "locked") savers.forEach((s) => s.locked());
    else if (state.status === "running" || state.status === "paused") savers.forEach((s) => s.retry());
  });

  // The interviewer watches the candidate's scratchpad: fetch it whenever its revision moves.
  let shownRevision = pad ? parseInt(pad.dataset.revision, 10) || 0 : 0;
  async function refreshPad() {
    const latest = state.work.scratchpad || 0;
    if (!readOnlyPad || latest === shownRevision) return;
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
    if (res.ok && body.diagrams) import(body.diagrams);  // the preview holds Mermaid blocks: draw them
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

  // What the code workspace (round-code.js, a module loaded after this script) builds on.
  window.mockloopRound = { poll, autosave, remainingNow, csrf, state: () => state,
    onState: (fn) => root.addEventListener("round:state", (e) => fn(e.detail)) };
  render();
  setInterval(render, 250);
  setTimeout(pollLoop, parseInt(root.dataset.pollMs, 10) || 3000);
})();
