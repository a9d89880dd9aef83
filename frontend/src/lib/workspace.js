// The split layout of a round with a work area beside the brief: tabs over the work area and the
// splitter that sets the brief's width. Generic over the tabs round.html renders.

// One panel at a time; arrow keys move between the tabs (the ARIA tabs pattern).
export function setUpTabs(tablist) {
  const tabs = [...tablist.querySelectorAll('[role="tab"]')];
  const select = (tab) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      select(next);
      next.focus();
      e.preventDefault();
    });
  });
}

// The brief's share of the width: drag the bar, or focus it and use the arrow keys; kept per browser.
export function setUpSplitter(bar, workspace) {
  const min = Number(bar.getAttribute("aria-valuemin")), max = Number(bar.getAttribute("aria-valuemax"));
  const set = (pct) => {
    const v = Math.round(Math.min(max, Math.max(min, pct)));
    workspace.style.setProperty("--brief", v + "%");
    bar.setAttribute("aria-valuenow", String(v));
    localStorage.setItem("mockloop.briefWidth", String(v));
  };
  set(Number(localStorage.getItem("mockloop.briefWidth")) || Number(bar.getAttribute("aria-valuenow")));
  bar.addEventListener("keydown", (e) => {
    const now = Number(bar.getAttribute("aria-valuenow"));
    const step = { ArrowLeft: -5, ArrowRight: 5, Home: min - now, End: max - now }[e.key];
    if (step !== undefined) {
      set(now + step);
      e.preventDefault();
    }
  });
  bar.addEventListener("pointerdown", (e) => {
    bar.setPointerCapture(e.pointerId);
    const box = workspace.getBoundingClientRect();
    const move = (ev) => set(((ev.clientX - box.left) / box.width) * 100);
    bar.addEventListener("pointermove", move);
    bar.addEventListener("pointerup", () => bar.removeEventListener("pointermove", move), { once: true });
  });
}
