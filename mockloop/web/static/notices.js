// In-app notices (a round opening, a reminder 10 minutes before, a no-show), and a browser
// notification for each when the user has allowed them.
(function () {
  "use strict";
  const box = document.getElementById("notices");
  if (!box) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const shown = new Set();
  async function poll() {
    let body;
    try {
      const res = await fetch(box.dataset.url, { credentials: "same-origin" });
      if (!res.ok) return;
      body = await res.json();
    } catch (e) { return; }
    for (const n of body.notices) {
      if (shown.has(n.id)) continue;
      shown.add(n.id);
      const p = document.createElement("p"), a = document.createElement("a"), ok = document.createElement("button");
      p.className = "flash notice";
      a.href = n.url; a.textContent = n.text;
      ok.type = "button"; ok.className = "link"; ok.textContent = "Dismiss";
      ok.addEventListener("click", async () => {
        await fetch(`/api/notices/${n.id}/seen`, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf } });
        p.remove();
      });
      p.append(a, " ", ok);
      box.append(p);
      if (window.Notification && Notification.permission === "granted") new Notification("mockloop", { body: n.text });
    }
  }
  const allow = document.getElementById("allow-notifications");
  if (allow && window.Notification && Notification.permission === "default") {
    allow.hidden = false;
    allow.addEventListener("click", () => Notification.requestPermission().then(() => { allow.hidden = true; }));
  }
  poll();
  setInterval(poll, 15000);
})();
