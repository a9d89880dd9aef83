// `make assets`: bundles every top-level src/*.js into mockloop/web/static/dist/ with content-hashed
// names, copies Pyodide's runtime beside them, pre-compresses what compresses and writes
// dist/manifest.json, the map from logical names ("editor.js", "pyodide/") to built files that
// mockloop.web.assets reads. The same inputs give byte-identical outputs.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
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

async function bundle(manifest) {
  const entries = entryPoints();
  if (!entries.length) return;
  const result = await esbuild
    .build({
      entryPoints: entries,
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
const sorted = Object.fromEntries(Object.keys(manifest).sort().map((key) => [key, manifest[key]]));
writeFileSync(join(out, "manifest.json"), `${JSON.stringify(sorted, null, 2)}\n`);
const built = [...files(out)];
for (const path of built) if (COMPRESSIBLE.test(path)) compress(path);
const total = built.reduce((sum, path) => sum + statSync(path).size, 0);
rmSync(dist, { recursive: true, force: true }); // no stale hashed file outlives the build that made it
renameSync(out, dist);
console.log(`assets: ${Object.keys(sorted).length} entries, ${built.length} files (${(total / 1e6).toFixed(1)} MB) in ${relative(process.cwd(), dist)}`);
