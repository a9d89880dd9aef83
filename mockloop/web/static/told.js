// "Told it" buttons beside a behavioral round: record which of your stories you told in it.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById("told-status");
  document.querySelectorAll("button[data-told-url]").forEach((button) => {
    button.addEventListener("click", async () => {
      const used = button.getAttribute("aria-pressed") !== "true";
      button.disabled = true;
      try {
        const res = await fetch(button.dataset.toldUrl, { method: "PUT", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }, body: JSON.stringify({ used }) });
        const body = await res.json().catch(() => ({}));
        if (!res.ok) throw new Error(body.message || "Not recorded; try again.");
        button.setAttribute("aria-pressed", String(body.used));
        if (status) status.textContent = body.used ? "Recorded as told." : "No longer recorded as told.";
      } catch (e) {
        if (status) status.textContent = e.message && !e.message.startsWith("Failed") ? e.message : "Can't reach the server: not recorded; try again.";
      } finally { button.disabled = false; }
    });
  });
})();
