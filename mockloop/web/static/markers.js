// The interviewer's markers on the round page: a few words at this moment of the round, kept by the
// server with its time (POST /api/rounds/<id>/markers). A refused or unsent marker stays in the box.
(function () {
  "use strict";
  const form = document.getElementById("marker-form");
  if (!form) return;
  const input = document.getElementById("marker-text");
  const list = document.getElementById("markers");
  const status = document.getElementById("marker-status");
  const button = form.querySelector("button[type=submit]");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  // As the server writes round times (the clock filter): 04:05, or 1:04:05 past the hour.
  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds)), h = Math.floor(s / 3600), two = (n) => String(n).padStart(2, "0");
    return `${h ? h + ":" : ""}${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      status.textContent = "Write a few words for the marker first.";
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      const res = await fetch(form.action, {
        method: "POST", credentials: "same-origin", body: JSON.stringify({ text }),
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        status.textContent = `Marker not kept: ${body.message || "status " + res.status}`;
        return;
      }
      const item = document.createElement("li"), when = document.createElement("span");
      when.className = "meta";
      when.textContent = clock(body.round_s);
      item.append(when, " ", body.text);
      list.append(item);
      input.value = "";
      status.textContent = `Marker kept at ${clock(body.round_s)}.`;
    } catch (e) {
      status.textContent = "Can't reach the server: the marker is still in the box; try again.";
    } finally {
      button.disabled = false;
      input.focus();
    }
  });
})();
