// The code editor of a coding round: CodeMirror 6 set up for an interview, not an IDE. Line numbers,
// bracket matching and closing, search (Ctrl/Cmd-F), undo, a font size, a light or dark look that
// follows the system, Tab to indent (Esc then Tab leaves, so keyboard users are not trapped) and
// Ctrl/Cmd-Enter to run. No autocompletion: its popup takes Enter, and the real rounds have none.
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  bracketMatching,
  defaultHighlightStyle,
  foldGutter,
  foldKeymap,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { Annotation, Compartment, EditorState, Prec } from "@codemirror/state";
import { oneDark } from "@codemirror/theme-one-dark";
import {
  crosshairCursor,
  drawSelection,
  dropCursor,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from "@codemirror/view";
import { checkLanguage, DEFAULT_LANGUAGE, LANGUAGES } from "./lib/languages.js";

export { LANGUAGES };

// Each language, loaded on first use (a chunk of its own), with the indentation its style guides
// use (gofmt indents with tabs).
const SUPPORT = {
  python: () => import("@codemirror/lang-python").then((m) => [m.python(), indentUnit.of("    ")]),
  javascript: () => import("@codemirror/lang-javascript").then((m) => [m.javascript(), indentUnit.of("  ")]),
  typescript: () =>
    import("@codemirror/lang-javascript").then((m) => [m.javascript({ typescript: true }), indentUnit.of("  ")]),
  go: () => import("@codemirror/lang-go").then((m) => [m.go(), indentUnit.of("\t")]),
  java: () => import("@codemirror/lang-java").then((m) => [m.java(), indentUnit.of("    ")]),
  cpp: () => import("@codemirror/lang-cpp").then((m) => [m.cpp(), indentUnit.of("    ")]),
  rust: () => import("@codemirror/lang-rust").then((m) => [m.rust(), indentUnit.of("    ")]),
};

export const DEFAULT_FONT_SIZE = 15;
const FONT_SIZES = { min: 8, max: 48 };

// The light look takes the page's colours where it defines them (mockloop.css), so the editor sits
// in the page like its other fields; the dark one is One Dark, whose contrast is tried and tested.
const light = [
  EditorView.theme({
    "&": { backgroundColor: "var(--card, #fff)", color: "var(--fg, #1d1f21)" },
    ".cm-gutters": { backgroundColor: "var(--bg, #f5f5f4)", color: "var(--muted, #5b6168)", borderColor: "var(--line, #d9dce0)" },
    ".cm-activeLine": { backgroundColor: "#1f5fbf0d" },
    ".cm-activeLineGutter": { backgroundColor: "#1f5fbf1a" },
  }),
  syntaxHighlighting(defaultHighlightStyle),
];
// The page sizes the editor with --editor-min-height and --editor-max-height (it scrolls past the
// latter); page rules cannot reach into the shadow root where it lives.
const shared = EditorView.theme({
  "&": {
    height: "100%",
    minHeight: "var(--editor-min-height, auto)",
    maxHeight: "var(--editor-max-height, none)",
    border: "1px solid var(--line, #d9dce0)",
    borderRadius: "6px",
  },
  "&.cm-focused": { outline: "3px solid var(--focus, #f0b400)", outlineOffset: "2px" },
  ".cm-scroller": { fontFamily: 'var(--mono, ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace)', lineHeight: "1.5" },
});

function fontSizeTheme(px) {
  if (!Number.isFinite(px) || px < FONT_SIZES.min || px > FONT_SIZES.max) {
    throw new RangeError(`Font size must be ${FONT_SIZES.min} to ${FONT_SIZES.max} px, not ${px}`);
  }
  return EditorView.theme({ "&": { fontSize: `${px}px` } });
}

function readOnlyState(readOnly) {
  // Read-only keeps the text focusable, selectable and scrollable by keyboard; aria-readonly tells
  // a screen reader what EditorState.readOnly tells the key handlers.
  return [EditorState.readOnly.of(readOnly), EditorView.contentAttributes.of({ "aria-readonly": String(readOnly) })];
}

// Marks the editor's own setValue, so that text from the server is not reported back as typed.
const fromOutside = Annotation.define();

/**
 * Creates an editor inside `parent`.
 *
 * options: doc (initial text), language (an id of LANGUAGES, default "python"), readOnly, fontSize
 * (px), label (the accessible name, default "Code editor"), onChange(text) after every edit the
 * user makes (not after setValue), onRun() on Ctrl/Cmd-Enter.
 *
 * The editor works at once; highlighting and indentation follow when the language's chunk has
 * loaded (`ready`, like setLanguage's promise, resolves then, and rejects if it could not load).
 */
export function createEditor(parent, options = {}) {
  const { doc = "", language = DEFAULT_LANGUAGE, readOnly = false, fontSize = DEFAULT_FONT_SIZE } = options;
  checkLanguage(language);
  const languageSlot = new Compartment();
  const readOnlySlot = new Compartment();
  const fontSlot = new Compartment();
  const themeSlot = new Compartment();
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const look = () => (dark.matches ? oneDark : light);

  // CodeMirror's styles (themes, font size) go into a <style> element, which the pages' CSP refuses,
  // unless the editor lives in a shadow root: there they are a constructed style sheet, which CSP
  // does not govern. Page colours (CSS variables) still reach inside; sizes come in the same way.
  const host = document.createElement("div");
  host.className = "code-editor-host";
  host.style.display = "block"; // set through the CSSOM, which CSP allows
  host.style.height = "100%";
  parent.append(host);
  const view = new EditorView({
    parent: host.attachShadow({ mode: "open" }),
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        foldGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        dropCursor(),
        EditorState.allowMultipleSelections.of(true),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        rectangularSelection(),
        crosshairCursor(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        search({ top: true }),
        EditorState.tabSize.of(4),
        Prec.highest(
          keymap.of([
            {
              key: "Mod-Enter",
              preventDefault: true,
              run: () => {
                options.onRun?.();
                return true;
              },
            },
          ]),
        ),
        keymap.of([
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...searchKeymap,
          ...historyKeymap,
          ...foldKeymap,
          indentWithTab,
        ]),
        EditorView.contentAttributes.of({ "aria-label": options.label || "Code editor" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && options.onChange && !update.transactions.some((tr) => tr.annotation(fromOutside))) {
            options.onChange(update.state.doc.toString());
          }
        }),
        shared,
        languageSlot.of([]),
        readOnlySlot.of(readOnlyState(readOnly)),
        fontSlot.of(fontSizeTheme(fontSize)),
        themeSlot.of(look()),
      ],
    }),
  });

  const followSystem = () => view.dispatch({ effects: themeSlot.reconfigure(look()) });
  dark.addEventListener("change", followSystem);

  let latest = 0; // a language picked while another one loads must not be overwritten by it
  let destroyed = false;
  function setLanguage(id) {
    const load = SUPPORT[checkLanguage(id)];
    const ticket = ++latest;
    return load().then((support) => {
      if (ticket === latest && !destroyed) view.dispatch({ effects: languageSlot.reconfigure(support) });
    });
  }
  const ready = setLanguage(language);
  ready.catch((error) => console.error(`editor: the ${language} support did not load; plain text meanwhile`, error));

  return {
    view,
    ready,
    getValue: () => view.state.doc.toString(),
    /**
     * Shows `text` (a live read-only view, the server's copy after a conflict) as one change over
     * the part that differs, so the cursor, the selection and the scroll position stay where they
     * were relative to the text around them, and the user can undo it.
     */
    setValue(text) {
      const old = view.state.doc.toString();
      if (text === old) return;
      let from = 0;
      const shorter = Math.min(old.length, text.length);
      while (from < shorter && old.charCodeAt(from) === text.charCodeAt(from)) from++;
      let oldEnd = old.length;
      let newEnd = text.length;
      while (oldEnd > from && newEnd > from && old.charCodeAt(oldEnd - 1) === text.charCodeAt(newEnd - 1)) {
        oldEnd--;
        newEnd--;
      }
      view.dispatch({ changes: { from, to: oldEnd, insert: text.slice(from, newEnd) }, annotations: fromOutside.of(true) });
    },
    setLanguage,
    setReadOnly: (value) => view.dispatch({ effects: readOnlySlot.reconfigure(readOnlyState(Boolean(value))) }),
    setFontSize: (px) => view.dispatch({ effects: fontSlot.reconfigure(fontSizeTheme(px)) }),
    focus: () => view.focus(),
    destroy() {
      destroyed = true;
      dark.removeEventListener("change", followSystem);
      view.destroy();
      host.remove();
    },
  };
}
