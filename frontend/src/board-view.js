// The locked board on a scorecard (and so in its print view), drawn as an image by
// lib/board-picture.js. (While Excalidraw builds the SVG, the page's CSP reports the style attribute
// it sets on each text; the attribute stays in the SVG and applies inside the image.)
import { boardImage } from "./lib/board-picture.js";

for (const figure of document.querySelectorAll("[data-board-picture]")) picture(figure);

async function picture(figure) {
  const note = figure.querySelector(".board-note");
  try {
    const img = await boardImage(figure.querySelector("textarea").value, figure.dataset.assets, "The whiteboard as locked");
    figure.querySelector(".board-picture").replaceChildren(img);
    note.hidden = true;
  } catch (e) {
    note.textContent = `The drawing could not be shown (${e.message || e}).`;
  }
}
