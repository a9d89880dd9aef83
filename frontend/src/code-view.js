// Read-only highlighted code for the scorecard and the print view: the text is already on the page
// (escaped by the template, readable without script); this wraps its tokens in tok-* spans, coloured
// by lib/code-view.css. Lezer's parsers and classHighlighter only: no editor is loaded.
import { classHighlighter, highlightCode } from "@lezer/highlight";
import colours from "./lib/code-view.css";
import { loadParser } from "./lib/languages.js";

// A constructed style sheet, as CodeMirror's own styles are: the pages' CSP allows no inline style.
const sheet = new CSSStyleSheet();
sheet.replaceSync(colours);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

/**
 * Replaces the children of `element` (a <pre> or its <code>) with `code`, its tokens in spans whose
 * classes name their kind (tok-keyword, tok-string, ...). Built with DOM nodes, never as HTML, so
 * the candidate's code cannot become markup. A language it does not know is shown as plain text.
 * Resolves once done (the language's grammar is loaded on first use).
 */
export async function renderStatic(element, code, language) {
  const parser = await loadParser(language);
  if (!parser) {
    element.replaceChildren(code);
    return;
  }
  const pieces = document.createDocumentFragment();
  highlightCode(
    code,
    parser.parse(code),
    classHighlighter,
    (text, classes) => {
      if (!classes) {
        pieces.append(text);
        return;
      }
      const span = document.createElement("span");
      span.className = classes;
      span.textContent = text;
      pieces.append(span);
    },
    () => pieces.append("\n"),
  );
  element.replaceChildren(pieces);
}

/** Highlights every `<code data-language>` inside a `pre.code-view` under `root`, in place. */
export function highlightAll(root = document) {
  const blocks = [...root.querySelectorAll("pre.code-view > code[data-language]")];
  return Promise.all(blocks.map((code) => renderStatic(code, code.textContent, code.dataset.language)));
}

// Loaded as the page's module script, it highlights what the page shows (modules run after parsing).
// If a grammar cannot be loaded the code stays as the page showed it, plain but complete.
highlightAll().catch((error) => console.error("code-view: highlighting failed", error));
