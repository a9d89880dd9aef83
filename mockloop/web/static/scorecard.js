// Rubric form: autosave a server-side draft as the reviewer types, so closing the tab loses nothing.
(function () {
  "use strict";
  const form = document.getElementById("scorecard-form");
  if (!form) return;
  const status = document.getElementById("draft-status");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  let timer = null, dirty = false;

  async function saveDraft(keepalive) {
    if (!dirty) return;
    dirty = false;
    const body = new FormData(form);
    body.delete("csrf_token");
    try {
      const res = await fetch(form.dataset.draftUrl, { method: "POST", body, keepalive: !!keepalive,
        credentials: "same-origin", headers: { "X-CSRFToken": csrf } });
      status.textContent = res.ok ? "Draft saved at " + new Date().toLocaleTimeString() : "Draft not saved; it will retry.";
      if (!res.ok) dirty = true;
    } catch (e) { dirty = true; status.textContent = "Offline: draft not saved yet; it will retry."; }
  }
  form.addEventListener("input", () => { dirty = true; clearTimeout(timer); timer = setTimeout(saveDraft, 1000); });
  form.addEventListener("change", () => { dirty = true; clearTimeout(timer); timer = setTimeout(saveDraft, 300); });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") saveDraft(true); });
  setInterval(saveDraft, 10000);
  form.addEventListener("submit", () => { dirty = false; clearTimeout(timer); });
})();
