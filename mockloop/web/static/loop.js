// The loop page follows the timeline without a reload: statuses, pushed times, which round is open.
(function () {
  "use strict";
  const root = document.getElementById("loop");
  if (!root) return;
  const fmt = (iso) => new Date(iso).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" });
  function render(state) {
    document.getElementById("loop-done").textContent = state.done;
    document.getElementById("loop-progress").value = state.done;
    let next = null;
    for (const item of state.items) {
      const row = root.querySelector(`tr[data-round="${item.round}"]`);
      if (!row) continue;
      row.querySelector('[data-field="opens_at"]').textContent = fmt(item.opens_at);
      row.querySelector('[data-field="ends_at"]').textContent = fmt(item.ends_at);
      row.querySelector('[data-field="pushed"]').textContent = item.pushed_minutes > 0 ? `pushed ${item.pushed_minutes} min` : "";
      row.querySelector('[data-field="status"]').textContent = item.status + (item.lock_reason ? ` (${item.lock_reason})` : "");
      const action = row.querySelector('[data-field="action"]');
      action.textContent = item.startable ? "Open and start" : "Open";
      action.classList.toggle("button", item.startable);
      if (!next && item.status !== "locked") next = item;
    }
    const nextEl = document.getElementById("loop-next");
    if (state.status === "cancelled") nextEl.textContent = "This loop was cancelled.";
    else if (!next) nextEl.textContent = "All rounds are done. The summary is below (reload to see new scorecards).";
    else if (next.startable) nextEl.textContent = `Round ${next.position + 1} is open now: start it when you are ready.`;
    else if (next.status === "planned") nextEl.textContent = `Next: round ${next.position + 1} opens ${fmt(next.opens_at)}.`;
    else nextEl.textContent = `Round ${next.position + 1} is ${next.status}.`;
  }
  async function poll() {
    try {
      const res = await fetch(root.dataset.stateUrl, { credentials: "same-origin" });
      if (res.ok) render(await res.json());
    } catch (e) { /* keep the last view */ }
  }
  render(JSON.parse(root.dataset.state));
  setInterval(poll, 3000);
})();
