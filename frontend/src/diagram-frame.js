// The diagram frame: renders Mermaid sources its parent page sends (diagrams.js) and answers with
// the picture as SVG text. It answers its own parent only, one diagram at a time.
import { render } from "./lib/mermaid-render.js";

const stage = document.getElementById("stage");
let queue = Promise.resolve();

window.addEventListener("message", (event) => {
  if (event.source !== window.parent || event.origin !== location.origin) return;
  const { id, source } = event.data || {};
  if (typeof id !== "number" || typeof source !== "string") return;
  queue = queue.then(async () => {
    let answer;
    try {
      answer = { id, ...(await render(source, stage)) };
    } catch (error) {
      stage.replaceChildren();
      answer = { id, error: String((error && error.message) || error) };
    }
    window.parent.postMessage(answer, location.origin);
  });
});
window.parent.postMessage({ ready: true }, location.origin);
