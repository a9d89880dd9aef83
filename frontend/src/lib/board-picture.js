// A saved drawing as an image: exported to SVG in this browser and shown from a data URL, never
// inserted as markup, so nothing in it (a label, a link) can act as part of the page. Its fonts are
// embedded from the app's own copy (assets: the URL of Excalidraw's folder), subset in the board's
// worker. Used by the scorecard's locked board (board-view.js) and the replay.
import { exportToSvg } from "@excalidraw/excalidraw";
import { parseScene } from "./board-scene.js";

/** An <img> of the drawing `text` (Excalidraw's JSON as saved), its alt text listing the labels. */
export async function boardImage(text, assets, what) {
  window.EXCALIDRAW_ASSET_PATH = new URL(assets, location.href).href;
  const scene = parseScene(text);
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
  img.alt = labels.length ? `${what}. Its labels: ${labels.join("; ")}.` : `${what} (no labels).`;
  return img;
}
