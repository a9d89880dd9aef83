// Draws one Mermaid block (a <pre><code class="language-mermaid">) as a picture, with the source
// kept beside it. Mermaid runs at its strict security level (labels are text, no clicks, no
// scripts), and its SVG is parsed into an inert document and shown as an image from a data URL, so
// a hostile label cannot become part of the page. A diagram that does not parse shows its source
// and Mermaid's error, never a blank.
import mermaid from "mermaid";

// Measured in the page and drawn inside the image with the same fonts (the stage's CSS matches).
const FONT = 'system-ui, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif';
mermaid.initialize({
  startOnLoad: false,
  securityLevel: "strict",
  theme: "default",  // on a white card in both colour schemes, so it prints as it shows
  fontFamily: FONT,
  htmlLabels: false,  // SVG text, not HTML in foreignObject: an image shows it the same everywhere
  flowchart: { htmlLabels: false },
  suppressErrorRendering: true,
});

let stage = null, count = 0, queue = Promise.resolve();

export function drawDiagram(pre) {
  queue = queue.then(() => draw(pre));  // one at a time: Mermaid renders through shared state
  return queue;
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

async function draw(pre) {
  const source = pre.textContent;
  const figure = element("figure", "diagram");
  pre.replaceWith(figure);
  if (!stage) {
    stage = element("div", "diagram-stage");
    stage.setAttribute("aria-hidden", "true");
    document.body.append(stage);
  }
  try {
    const { svg } = await mermaid.render(`mermaid-diagram-${++count}`, source, stage);
    const picture = new DOMParser().parseFromString(svg, "text/html").querySelector("svg");
    const box = picture.viewBox.baseVal;
    picture.setAttribute("width", String(Math.ceil(box.width)));
    picture.setAttribute("height", String(Math.ceil(box.height)));
    picture.removeAttribute("style");  // a max-width for inline use; the image has its own size
    const img = element("img");
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(picture));
    img.width = Math.ceil(box.width);
    img.height = Math.ceil(box.height);
    const title = picture.querySelector("title")?.textContent.trim();
    img.alt = title ? `Diagram: ${title}. Its Mermaid source follows.` : "A diagram; its Mermaid source follows.";
    const details = element("details");
    details.append(element("summary", null, "Diagram source"), pre);
    figure.append(img, details);
  } catch (error) {
    figure.classList.add("diagram-error");
    figure.append(
      element("p", "signal urgent", "This Mermaid diagram could not be drawn; its source is shown as written below."),
      element("pre", "diagram-message", String((error && error.message) || error)),
      pre,
    );
  } finally {
    stage.replaceChildren();
  }
}
