// Mermaid diagrams in Markdown: every ```mermaid block on the page (prompt briefs and guides,
// scratchpads, notes, evidence), and any that appear later (the scratchpad's preview), drawn as a
// picture with its source folded beneath. Mermaid itself runs in the diagram frame (a page of its
// own, loaded once a block is found); what comes back is shown as an image from a data URL, never
// inserted as markup. A diagram that cannot be drawn shows its source and the error.
const BLOCKS = "pre > code.language-mermaid";
const QUIET = 30_000; // ms without a word from the frame (the first diagram loads Mermaid) means it is stuck

let frame = null, ready = null, next = 0, heard = 0, watchdog = null;
const waiting = new Map(); // id -> resolve

// The frame answers in order; while it has work it is heard from, or everything waiting fails.
function watch() {
  if (watchdog) return;
  heard = Date.now();
  watchdog = setInterval(() => {
    if (!waiting.size) { clearInterval(watchdog); watchdog = null; return; }
    if (Date.now() - heard < QUIET) return;
    for (const resolve of waiting.values()) resolve({ error: "the diagram renderer did not answer in time" });
    waiting.clear();
  }, 1000);
}

function renderer() {
  if (ready) return ready;
  frame = document.createElement("iframe");
  frame.className = "diagram-frame";
  frame.title = "Diagram renderer";
  frame.setAttribute("aria-hidden", "true");
  frame.tabIndex = -1;
  frame.src = new URL("diagram-frame.html", import.meta.url).href;
  ready = new Promise((resolve) => {
    window.addEventListener("message", (event) => {
      if (event.source !== frame.contentWindow || event.origin !== location.origin) return;
      heard = Date.now();
      if (event.data && event.data.ready) resolve();
      const done = event.data && waiting.get(event.data.id);
      if (done) { waiting.delete(event.data.id); done(event.data); }
    });
  });
  document.body.append(frame);
  return ready;
}

function drawn(source) {
  const id = ++next;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    watch();
    renderer().then(() => frame.contentWindow.postMessage({ id, source }, location.origin));
  });
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

async function draw(pre) {
  const figure = element("figure", "diagram");
  figure.setAttribute("aria-busy", "true");
  pre.replaceWith(figure);
  const answer = await drawn(pre.textContent);
  figure.removeAttribute("aria-busy");
  if (answer.svg) {
    const img = element("img");
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(answer.svg);
    img.width = answer.width;
    img.height = answer.height;
    img.alt = answer.title ? `Diagram: ${answer.title}. Its Mermaid source follows.` : "A diagram; its Mermaid source follows.";
    const details = element("details");
    details.append(element("summary", null, "Diagram source"), pre);
    figure.append(img, details);
  } else {
    figure.classList.add("diagram-error");
    figure.append(
      element("p", "signal urgent", "This Mermaid diagram could not be drawn; its source is shown as written below."),
      element("pre", "diagram-message", answer.error),
      pre,
    );
  }
}

function drawAll() {
  for (const code of document.querySelectorAll(BLOCKS)) {
    if (code.dataset.diagram) continue;
    code.dataset.diagram = "drawing"; // once, however often this runs
    draw(code.parentElement);
  }
}

drawAll();
new MutationObserver(drawAll).observe(document.body, { childList: true, subtree: true });
