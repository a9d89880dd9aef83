// `make assets`: bundles every top-level src/*.js into mockloop/web/static/dist/ with content-hashed
// names, copies Pyodide's runtime and Excalidraw's fonts and stylesheet beside them, pre-compresses
// what compresses and writes dist/manifest.json, the map from logical names ("editor.js",
// "pyodide/", "excalidraw/") to built files that mockloop.web.assets reads. The same inputs give
// byte-identical outputs.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
const dist = join(here, "..", "mockloop", "web", "static", "dist");
// Built in a folder of its own beside dist/ and swapped in at the end, so a failed build leaves the
// last good one (and never a half-written one) for a server or a test that is using it.
mkdirSync(dirname(dist), { recursive: true });
const out = mkdtempSync(join(dirname(dist), ".dist-"));
chmodSync(out, 0o755); // mkdtemp's folder is private; dist/ is served and packaged

// What Pyodide's loader fetches at run time (the .js/.map files and consoles are not needed).
const PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];
const COMPRESSIBLE = /\.(js|mjs|json|wasm|css)$/; // python_stdlib.zip is compressed already
// Brotli's best quality costs about 50 s on Pyodide's 9.6 MB wasm for 12% less than quality 9.
const BIG = 1 << 20;
const EXCALIDRAW = join(here, "node_modules", "@excalidraw", "excalidraw", "dist", "prod");

function fail(message) {
  rmSync(out, { recursive: true, force: true });
  console.error(`assets: ${message}`);
  process.exit(1);
}

function entryPoints() {
  let names = [];
  try {
    names = readdirSync(src).filter((name) => name.endsWith(".js"));
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  return names.sort().map((name) => join(src, name));
}

// Excalidraw lists a CDN (esm.sh) after EXCALIDRAW_ASSET_PATH for every font, which the browser
// tries whenever it loads the font list; the app serves every font itself, so the fallback goes.
// The build fails if the code it edits is not there (another Excalidraw version): it must never
// ship a board that reaches for another host.
const noCdnFonts = {
  name: "no-cdn-fonts",
  setup(build) {
    build.onLoad({ filter: /[\\/]@excalidraw[\\/]excalidraw[\\/]dist[\\/]prod[\\/][^\\/]+\.js$/ }, async ({ path }) => {
      const code = await readFile(path, "utf8");
      if (!code.includes("ASSETS_FALLBACK_URL")) return { contents: code, loader: "js" };
      const fallback = /return (\w+)\.push\(new URL\(\w+,\w+\.ASSETS_FALLBACK_URL\)\),\1\}/g;
      const found = code.match(fallback) || [];
      if (found.length !== 1) throw new Error(`${path}: Excalidraw's font CDN fallback was not found once (found ${found.length}); update the no-cdn-fonts step`);
      return { contents: code.replace(fallback, "return $1}"), loader: "js" };
    });
  },
};

async function bundle(manifest) {
  const entries = entryPoints();
  if (!entries.length) return;
  const result = await esbuild
    .build({
      // Excalidraw subsets fonts for an SVG export in a worker that is a module of its own: as an
      // entry point named *-worker it is served with the worker policy (wasm), see web/assets.py.
      entryPoints: [...entries, { in: join(EXCALIDRAW, "subset-worker.chunk.js"), out: "board-worker" }],
      absWorkingDir: here,
      outdir: out,
      bundle: true,
      format: "esm",
      splitting: true, // each language a chunk loaded on first use, shared by the editor and code-view
      minify: true,
      target: "es2022",
      platform: "browser",
      entryNames: "[name]-[hash]",
      chunkNames: "chunk-[hash]",
      legalComments: "eof",
      loader: { ".css": "text" }, // a module's own styles, which it adopts as a constructed sheet
      metafile: true,
      logLevel: "warning",
      plugins: [noCdnFonts],
    })
    .catch(() => fail("the bundles did not build (esbuild's messages above)"));
  // Dynamically imported modules (the languages) are reported with an entryPoint too; only the
  // top-level sources are the pages' names.
  const ours = new Set(entries.map((path) => relative(here, path)));
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    if (ours.has(output.entryPoint)) manifest[basename(output.entryPoint)] = relative(out, join(here, path));
  }
}

function copyPyodide(manifest) {
  const pkg = join(here, "node_modules", "pyodide");
  const { version } = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
  const folder = `pyodide-${version}`;
  mkdirSync(join(out, folder));
  // Read and written rather than copied, so the copies get ordinary modes (npm ships the wasm executable).
  for (const name of PYODIDE_FILES) writeFileSync(join(out, folder, name), readFileSync(join(pkg, name)));
  manifest["pyodide/"] = `${folder}/`;
}

// The fonts Excalidraw draws and exports with (EXCALIDRAW_ASSET_PATH points here) and its stylesheet,
// which pages link: inline styles would break the pages' CSP.
function copyExcalidraw(manifest) {
  const { version } = JSON.parse(readFileSync(join(EXCALIDRAW, "..", "..", "package.json"), "utf8"));
  const folder = `excalidraw-${version}`;
  mkdirSync(join(out, folder));
  cpSync(join(EXCALIDRAW, "fonts"), join(out, folder, "fonts"), { recursive: true });
  writeFileSync(join(out, folder, "index.css"), readFileSync(join(EXCALIDRAW, "index.css")));
  manifest["excalidraw/"] = `${folder}/`;
}

// The diagram frame's page, at a fixed name beside diagrams.js, which loads it: Mermaid runs there
// under a policy that allows the inline styles it lays labels out with (web/assets.py FRAME_CSP).
function writeDiagramFrame(manifest) {
  const font = 'system-ui, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Diagram renderer</title>
<style>body { margin: 0; } #stage { width: 1200px; font: 16px ${font}; }</style></head>
<body><div id="stage"></div><script type="module" src="${manifest["diagram-frame.js"]}"></script></body></html>
`;
  writeFileSync(join(out, "diagram-frame.html"), html);
}

function* files(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

function compress(path) {
  const data = readFileSync(path);
  // Node writes gzip headers with no name and mtime 0, so the bytes depend on the content only.
  writeFileSync(`${path}.gz`, zlib.gzipSync(data, { level: 9 }));
  const params = {
    [zlib.constants.BROTLI_PARAM_QUALITY]: data.length > BIG ? 9 : zlib.constants.BROTLI_MAX_QUALITY,
    [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    [zlib.constants.BROTLI_PARAM_MODE]: path.endsWith(".wasm") ? zlib.constants.BROTLI_MODE_GENERIC : zlib.constants.BROTLI_MODE_TEXT,
  };
  writeFileSync(`${path}.br`, zlib.brotliCompressSync(data, { params }));
}

const manifest = {};
await bundle(manifest);
copyPyodide(manifest);
copyExcalidraw(manifest);
writeDiagramFrame(manifest);
const sorted = Object.fromEntries(Object.keys(manifest).sort().map((key) => [key, manifest[key]]));
writeFileSync(join(out, "manifest.json"), `${JSON.stringify(sorted, null, 2)}\n`);
const built = [...files(out)];
for (const path of built) if (COMPRESSIBLE.test(path)) compress(path);
const total = built.reduce((sum, path) => sum + statSync(path).size, 0);
rmSync(dist, { recursive: true, force: true }); // no stale hashed file outlives the build that made it
renameSync(out, dist);
console.log(`assets: ${Object.keys(sorted).length} entries, ${built.length} files (${(total / 1e6).toFixed(1)} MB) in ${relative(process.cwd(), dist)}`);
