// The drill page: count down from the time the server says is left, then count the overrun.
// performance.now() measures the passing time, so a wrong browser clock cannot skew it.
(function () {
  "use strict";
  const root = document.getElementById("drill");
  if (!root) return;
  const clock = document.getElementById("drill-clock"), status = document.getElementById("drill-status");
  const remaining = parseInt(root.dataset.remainingMs, 10) || 0, over = parseInt(root.dataset.overMs, 10) || 0;
  const anchor = performance.now();
  let told = { half: remaining <= 30000, up: remaining <= 0 };

  const two = (n) => String(n).padStart(2, "0");
  const fmt = (ms) => { const s = Math.floor(ms / 1000); return `${two(Math.floor(s / 60))}:${two(s % 60)}`; };

  function tick() {
    const passed = performance.now() - anchor, left = remaining - passed;
    if (left > 0) {
      clock.textContent = fmt(Math.ceil(left / 1000) * 1000);
      if (!told.half && left <= 30000) { told.half = true; status.textContent = "30 seconds left."; }
    } else {
      const overrun = over + Math.max(0, passed - remaining);
      clock.textContent = "+" + fmt(overrun);
      clock.setAttribute("aria-label", "Over time by");
      if (!told.up) { told.up = true; status.textContent = "Time is up. Wrap up, then press I'm done."; }
    }
  }
  tick();
  setInterval(tick, 250);
})();
