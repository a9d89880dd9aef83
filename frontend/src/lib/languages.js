// The languages a candidate can pick, shared by the editor and the static highlighter. Each grammar
// is loaded when a language is first used (a chunk of its own), so a page loads only the ones it
// shows; the static highlighter loads Lezer's grammars alone (they carry their own highlighting
// tags), never the editor.

/** In the order a picker lists them; the first is the default. */
export const LANGUAGES = [
  { id: "python", label: "Python" },
  { id: "javascript", label: "JavaScript" },
  { id: "typescript", label: "TypeScript" },
  { id: "go", label: "Go" },
  { id: "java", label: "Java" },
  { id: "cpp", label: "C++" },
  { id: "rust", label: "Rust" },
];

export const DEFAULT_LANGUAGE = LANGUAGES[0].id;

const PARSERS = {
  python: () => import("@lezer/python").then((m) => m.parser),
  javascript: () => import("@lezer/javascript").then((m) => m.parser),
  typescript: () => import("@lezer/javascript").then((m) => m.parser.configure({ dialect: "ts" })),
  go: () => import("@lezer/go").then((m) => m.parser),
  java: () => import("@lezer/java").then((m) => m.parser),
  cpp: () => import("@lezer/cpp").then((m) => m.parser),
  rust: () => import("@lezer/rust").then((m) => m.parser),
};

/** Throws, naming the known ids, unless `language` is one of them. */
export function checkLanguage(language) {
  if (!Object.hasOwn(PARSERS, language)) {
    throw new Error(`Unknown language "${language}"; known: ${LANGUAGES.map((l) => l.id).join(", ")}`);
  }
  return language;
}

/** A promise of the Lezer parser of a language id; of null for an id this list does not know. */
export function loadParser(language) {
  return Object.hasOwn(PARSERS, language) ? PARSERS[language]() : Promise.resolve(null);
}
