// The story page: the whole story (its parts and tags) autosaves as the writer types. Each save
// names the revision it was written on, so a stale tab gets 409 instead of overwriting a newer
// copy; the page then says which copy was kept, and the writer's text stays in the form (and in
// this browser's storage) until they choose. Typing saves after a pause, and at least every few
// seconds while it goes on; leaving the page sends what is unsaved.
(function () {
  "use strict";
  const form = document.getElementById("story-form");
  if (!form) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const statusEl = document.getElementById("story-status"), choices = document.getElementById("story-choices");
  const url = form.dataset.saveUrl, keepKey = "mockloop.unsaved-story:" + url;
  const PARTS = ["title", "situation", "task", "action", "result", "reflection"];
  const QUIET = 800, MAX_WAIT = 3000;
  let revision = parseInt(form.dataset.revision, 10) || 0;
  let mode = "ok";  // ok | error (refused: bad input) | offline | stale (a newer copy was kept)
  let inFlight = false, again = false, timer = null, dirtySince = null, failures = 0, retryTimer = null;

  function snapshot() {
    const out = {};
    for (const name of PARTS) out[name] = form.elements[name].value;
    for (const name of ["dimensions", "prompts"]) {
      out[name] = Array.from(form.querySelectorAll(`input[name="${name}"]:checked`), (box) => box.value);
    }
    return out;
  }
  function fill(values) {
    for (const name of PARTS) form.elements[name].value = values[name] || "";
    for (const name of ["dimensions", "prompts"]) {
      form.querySelectorAll(`input[name="${name}"]`).forEach((box) => { box.checked = (values[name] || []).includes(box.value); });
    }
  }
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  let saved = snapshot();
  const dirty = () => !same(snapshot(), saved);

  function say(text) { statusEl.textContent = text; }
  function offer(buttons) {
    choices.replaceChildren(...buttons.map(([label, onClick]) => {
      const b = document.createElement("button");
      b.type = "button"; b.className = "secondary"; b.textContent = label;
      b.addEventListener("click", onClick);
      return b;
    }));
    choices.hidden = buttons.length === 0;
  }
  function keep() {
    try { localStorage.setItem(keepKey, JSON.stringify({ values: snapshot(), revision })); } catch (e) { /* full or disabled */ }
  }
  function forget() { try { localStorage.removeItem(keepKey); } catch (e) { /* disabled */ } }
  function setRevision(value) { revision = value; form.elements.revision.value = String(value); }
  function markInvalid(field) {
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    const el = field && form.elements[field];
    if (el && el.setAttribute) el.setAttribute("aria-invalid", "true");
  }

  function schedule() {
    if (mode === "stale" || mode === "offline" || !dirty()) return;
    if (inFlight) { again = true; return; }
    const now = performance.now();
    if (dirtySince === null) dirtySince = now;
    clearTimeout(timer);
    timer = setTimeout(save, Math.max(0, Math.min(QUIET, dirtySince + MAX_WAIT - now)));
  }

  async function save(keepalive) {
    clearTimeout(timer); timer = null;
    if (mode === "stale" || !dirty()) return;
    if (inFlight) { again = true; return; }
    inFlight = true; again = false; dirtySince = null;
    const values = snapshot();
    const body = JSON.stringify({ ...values, revision });
    say("Saving…");
    try {
      const res = await fetch(url, { method: "PUT", credentials: "same-origin", keepalive: !!keepalive && body.length < 60000,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }, body });
      const answer = await res.json().catch(() => ({}));
      if (res.status >= 500) throw new Error("server error " + res.status);
      failures = 0;
      if (res.ok) {
        setRevision(answer.revision); saved = values; mode = "ok"; offer([]); markInvalid(null);
        if (dirty()) say("Unsaved changes"); else { forget(); say("Saved at " + new Date().toLocaleTimeString()); }
      } else if (res.status === 409 && answer.reason === "stale") {
        await stale(values);
      } else {  // bad input (too long, no title) or logged out: the next edit tries again
        mode = "error"; keep(); markInvalid(answer.field);
        say((answer.message || "Not saved.") + " Your text is kept here, not saved.");
      }
    } catch (e) {
      failures += 1; mode = "offline"; keep();
      say("Not saved yet: can't reach the server. Your text is kept in this browser; retrying.");
      clearTimeout(retryTimer);
      retryTimer = setTimeout(retry, Math.min(10000, 1000 * 2 ** (failures - 1)));
    } finally {
      inFlight = false;
      if (again && (mode === "ok" || mode === "error")) save();
    }
  }
  function retry() { if (mode !== "offline") return; mode = "ok"; save(); }

  // A 409: another tab or device saved first. If its copy is what this page holds, nothing is lost:
  // carry on from its revision. Otherwise say so, keep this text, and let the writer choose.
  async function stale(mine) {
    const res = await fetch(url, { credentials: "same-origin" }).catch(() => null);
    const other = res && res.ok ? await res.json().catch(() => null) : null;
    if (other) {
      const { revision: theirs, ...values } = other;
      if (same(values, mine)) { setRevision(theirs); saved = mine; mode = "ok"; say("Saved."); return; }
    }
    mode = "stale"; keep();
    say("Not saved: this story was saved from another tab or device, and that newer copy is the one kept. " +
        "Your text stays here, unsaved, until you choose:");
    offer([
      ["Use my text (replace the newer copy)", () => { if (other) setRevision(other.revision); mode = "ok"; offer([]); saved = {}; save(); }],
      ["Load the newer copy (drop mine)", () => {
        if (!other) { say("Can't load the newer copy right now; try again."); return; }
        const { revision: theirs, ...values } = other;
        fill(values); setRevision(theirs); saved = values; mode = "ok"; offer([]); forget(); say("Showing the newer copy.");
      }],
    ]);
  }

  form.addEventListener("input", () => { if (mode === "ok" || mode === "error") { say("Unsaved changes"); schedule(); } else keep(); });
  form.addEventListener("change", () => { if (mode === "ok" || mode === "error") schedule(); else keep(); });
  form.addEventListener("submit", (e) => { e.preventDefault(); save(); });  // the Save button saves now
  const leaving = () => { if (dirty()) { keep(); save(true); } };
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") leaving(); });
  window.addEventListener("pagehide", leaving);

  // Text this browser kept from an earlier visit that never reached the server.
  let kept = null;
  try { kept = JSON.parse(localStorage.getItem(keepKey) || "null"); } catch (e) { /* unreadable: ignore */ }
  if (kept && kept.values && !same(kept.values, saved)) {
    if (kept.revision === revision) {  // written on the copy shown: carry on with it
      fill(kept.values); say("Restored text typed here that was not saved yet."); schedule();
    } else {
      say("This browser kept unsaved text typed on an older copy of this story; the newer saved copy is shown.");
      offer([
        ["Restore my unsaved text", () => { fill(kept.values); offer([]); forget(); say("Unsaved changes"); schedule(); }],
        ["Discard it", () => { forget(); offer([]); say(""); }],
      ]);
    }
  } else if (kept) forget();
})();
