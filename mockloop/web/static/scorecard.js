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

  // The interviewer's markers: "Add to evidence" appends one, with its time, to the chosen
  // dimension's evidence (then saved with the draft, like typing).
  const added = document.getElementById("marker-added");
  for (const button of form.querySelectorAll("[data-add-marker]")) {
    button.addEventListener("click", () => {
      const item = button.closest("li"), select = item.querySelector("select");
      const evidence = document.getElementById(select.value);
      evidence.value = evidence.value.trim() ? `${evidence.value.trimEnd()}\n${item.dataset.marker}` : item.dataset.marker;
      evidence.dispatchEvent(new Event("input", { bubbles: true }));
      added.textContent = `Added to the evidence for ${select.selectedOptions[0].textContent}.`;
    });
  }
})();
