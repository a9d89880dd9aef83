// Mermaid diagrams in Markdown: every ```mermaid block on the page (prompt briefs and guides,
// scratchpads, notes, evidence), and any that appear later (the scratchpad's preview), drawn as a
// picture beside its source. This file is small; Mermaid itself loads only once a block is found.
const BLOCKS = "pre > code.language-mermaid";
let renderer = null;

function drawAll() {
  const blocks = [...document.querySelectorAll(BLOCKS)].filter((code) => !code.dataset.diagram);
  if (!blocks.length) return;
  for (const code of blocks) code.dataset.diagram = "drawing";  // once, however often this runs
  renderer = renderer || import("./lib/mermaid-render.js");
  renderer.then(({ drawDiagram }) => blocks.forEach((code) => drawDiagram(code.parentElement)));
}

drawAll();
new MutationObserver(drawAll).observe(document.body, { childList: true, subtree: true });
