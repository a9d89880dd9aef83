// Mermaid, in the diagram frame (diagram-frame.js): one block's source in, a picture out. Mermaid
// runs at its strict security level (labels are text, no clicks, no scripts). It lays labels out
// with inline styles, which the app's pages refuse (their CSP), so it runs in a frame of its own
// whose policy allows inline styles and nothing else: no inline scripts, nothing from anywhere.
import mermaid from "mermaid";

mermaid.initialize({
  startOnLoad: false,
  securityLevel: "strict",
  theme: "default", // on a white card in both colour schemes, so it prints as it shows
  fontFamily: 'system-ui, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif',
  htmlLabels: false, // SVG text, not HTML in foreignObject: an image shows it the same everywhere
  flowchart: { htmlLabels: false },
  suppressErrorRendering: true,
});

let count = 0;

// { svg, width, height, title } for a picture; throws Mermaid's error for a diagram it cannot draw.
export async function render(source, stage) {
  const { svg } = await mermaid.render(`diagram-${++count}`, source, stage);
  stage.replaceChildren();
  // Parsed into an inert document and serialized as XML, which an image needs.
  const picture = new DOMParser().parseFromString(svg, "text/html").querySelector("svg");
  const box = picture.viewBox.baseVal;
  const width = Math.ceil(box.width), height = Math.ceil(box.height);
  picture.setAttribute("width", String(width));
  picture.setAttribute("height", String(height));
  picture.removeAttribute("style"); // a max-width for inline use; the image has its own size
  const title = picture.querySelector("title")?.textContent.trim() || "";
  return { svg: new XMLSerializer().serializeToString(picture), width, height, title };
}
