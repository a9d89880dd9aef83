// `make assets`: bundles every top-level src/*.js into mockloop/web/static/dist/ with content-hashed
// names, copies Pyodide's runtime beside them, pre-compresses what compresses and writes
// dist/manifest.json, the map from logical names ("editor.js", "pyodide/") to built files that
// mockloop.web.assets reads. The same inputs give byte-identical outputs.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
const out = join(here, "..", "mockloop", "web", "static", "dist");

// What Pyodide's loader fetches at run time (the .js/.map files and consoles are not needed).
const PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];
const COMPRESSIBLE = /\.(js|mjs|json|wasm|css)$/; // python_stdlib.zip is compressed already
// Brotli's best quality costs about 50 s on Pyodide's 9.6 MB wasm for 12% less than quality 9.
const BIG = 1 << 20;

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
  const result = await esbuild.build({
    entryPoints: entries,
    absWorkingDir: here,
    outdir: out,
    bundle: true,
    format: "esm",
    splitting: true, // editor and static highlighter share the Lezer parsers in chunks
    minify: true,
    target: "es2022",
    platform: "browser",
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    legalComments: "eof",
    metafile: true,
    logLevel: "warning",
  });
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    if (output.entryPoint) manifest[basename(output.entryPoint)] = relative(out, join(here, path));
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

rmSync(out, { recursive: true, force: true }); // no stale hashed file outlives the build that made it
mkdirSync(out, { recursive: true });
const manifest = {};
await bundle(manifest);
copyPyodide(manifest);
const sorted = Object.fromEntries(Object.keys(manifest).sort().map((key) => [key, manifest[key]]));
writeFileSync(join(out, "manifest.json"), `${JSON.stringify(sorted, null, 2)}\n`);
const built = [...files(out)];
for (const path of built) if (COMPRESSIBLE.test(path)) compress(path);
const total = built.reduce((sum, path) => sum + statSync(path).size, 0);
console.log(`assets: ${Object.keys(sorted).length} entries, ${built.length} files (${(total / 1e6).toFixed(1)} MB) in ${relative(process.cwd(), out) || "."}`);
