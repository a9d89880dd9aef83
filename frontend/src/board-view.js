// The locked board on a scorecard (and so in its print view): the drawing exported as SVG in this
// browser and shown as an image from a data URL. The SVG is never inserted into the page as markup,
// so nothing in it (a label, a link) can act as part of the page; its fonts are embedded from the
// app's own copy, subset in the board's worker. (While Excalidraw builds the SVG, the page's CSP
// reports the style attribute it sets on each text; the attribute stays in the SVG and applies
// inside the image.)
import { exportToSvg } from "@excalidraw/excalidraw";
import { parseScene } from "./lib/board-scene.js";

for (const figure of document.querySelectorAll("[data-board-picture]")) picture(figure);

async function picture(figure) {
  window.EXCALIDRAW_ASSET_PATH = new URL(figure.dataset.assets, location.href).href;
  const note = figure.querySelector(".board-note");
  try {
    const scene = parseScene(figure.querySelector("textarea").value);
    const svg = await exportToSvg({
      elements: scene.elements,
      appState: { ...scene.appState, exportBackground: true, exportWithDarkMode: false },
      files: scene.files,
      exportPadding: 16,
    });
    const img = document.createElement("img");
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(svg));
    img.width = Math.ceil(svg.viewBox.baseVal.width);
    img.height = Math.ceil(svg.viewBox.baseVal.height);
    const labels = scene.elements.filter((e) => e.type === "text" && e.text.trim()).map((e) => e.text.trim());
    img.alt = labels.length ? `The whiteboard as locked. Its labels: ${labels.join("; ")}.` : "The whiteboard as locked (no labels).";
    figure.querySelector(".board-picture").replaceChildren(img);
    note.hidden = true;
  } catch (e) {
    note.textContent = `The drawing could not be shown (${e.message || e}).`;
  }
}
