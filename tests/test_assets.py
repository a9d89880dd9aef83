"""The built front-end bundles (`make assets`): asset_url's manifest, and how the app serves dist/:
the compressed copy the client accepts, a year's immutable cache on hashed names, the right types
and the worker-only CSP."""

from __future__ import annotations

import gzip
import json

import pytest

from mockloop.web import assets
from mockloop.web.pages import CSP


@pytest.fixture
def dist(app):
    folder = assets.dist_folder(app)
    if not (folder / "manifest.json").is_file():
        pytest.fail(f"{folder} has no build: run `make assets` (make test does)")
    return folder


@pytest.fixture
def manifest(dist) -> dict[str, str]:
    return json.loads((dist / "manifest.json").read_text())


def get(client, path: str, encoding: str | None = None):
    with client.get(path, headers={"Accept-Encoding": encoding} if encoding else {}) as res:
        res.body = res.get_data()  # read before closing: a static file's response holds the file open
        return res


# -- the manifest and asset_url ----------------------------------------------------------------------


def test_a_missing_build_names_make_assets(tmp_path):
    with pytest.raises(assets.AssetsMissing, match=r"manifest.json is missing: .*`make assets`"):
        assets.Manifest(tmp_path / "manifest.json")["editor.js"]


def test_a_missing_entry_is_named_and_the_manifest_is_read_once(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"editor.js": "editor-ABCDEFGH.js"}))
    manifest = assets.Manifest(path)
    assert manifest["editor.js"] == "editor-ABCDEFGH.js"
    with pytest.raises(assets.AssetsMissing, match=r"'runner.js' is not in .*`make assets`.*frontend/src/runner.js"):
        manifest["runner.js"]
    path.write_text(json.dumps({"editor.js": "editor-IJKLMNOP.js"}))  # a build under a running server
    assert manifest["editor.js"] == "editor-ABCDEFGH.js"  # kept until the restart that serves it


def test_asset_url_gives_the_hashed_file_of_this_build(app, client, manifest):
    with app.test_request_context():
        url = app.jinja_env.globals["asset_url"]("editor.js")
        assert app.jinja_env.globals["asset_url"]("pyodide/") == f"/static/dist/{manifest['pyodide/']}"
    assert url == f"/static/dist/{manifest['editor.js']}"
    assert assets.HASHED.search(url), url
    assert get(client, url).status_code == 200


# -- serving --------------------------------------------------------------------------------------------


def test_hashed_bundles_are_compressed_as_the_client_accepts_and_cached_for_good(client, dist):
    name = max((p for p in dist.glob("*.js")), key=lambda p: p.stat().st_size).name  # the editor's core chunk
    original = (dist / name).read_bytes()
    plain, br, gz = (get(client, f"/static/dist/{name}", enc) for enc in (None, "gzip, deflate, br", "gzip"))
    for res in (plain, br, gz):
        assert res.status_code == 200
        assert res.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert res.mimetype == "text/javascript" and res.mimetype_params["charset"] == "utf-8"
        assert res.headers["Vary"] == "Accept-Encoding"  # a shared cache keeps one copy per encoding
        assert res.headers["X-Content-Type-Options"] == "nosniff"
        assert res.headers["Content-Security-Policy"] == assets.FILE_CSP
    assert "Content-Encoding" not in plain.headers and plain.body == original
    assert br.headers["Content-Encoding"] == "br" and br.body == (dist / f"{name}.br").read_bytes()
    assert len(br.body) < len(original) / 2
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.body) == original


def test_every_text_file_has_compressed_copies_and_the_zip_none(dist):
    built = [p for p in dist.rglob("*") if p.is_file() and p.suffix not in {".br", ".gz"}]
    for path in built:
        compresses = path.suffix in {".js", ".mjs", ".json", ".wasm", ".css"}
        assert path.with_name(path.name + ".br").exists() is compresses, path
        assert path.with_name(path.name + ".gz").exists() is compresses, path
    assert any(p.name == "python_stdlib.zip" for p in built)


def test_pyodide_is_served_for_workers(client, manifest):
    folder = f"/static/dist/{manifest['pyodide/']}"
    wasm = get(client, folder + "pyodide.asm.wasm", "br")
    assert wasm.status_code == 200
    assert wasm.headers["Content-Type"] == "application/wasm"  # what WebAssembly.instantiateStreaming requires
    assert wasm.headers["Content-Encoding"] == "br"
    assert wasm.headers["Cache-Control"] == "public, max-age=31536000, immutable"  # the folder names the version
    assert wasm.headers["Content-Security-Policy"] == assets.WORKER_CSP
    module = get(client, folder + "pyodide.mjs")
    assert module.mimetype == "text/javascript"  # .mjs, which Python's mimetypes may not know
    stdlib = get(client, folder + "python_stdlib.zip", "gzip, br")
    assert stdlib.status_code == 200 and "Content-Encoding" not in stdlib.headers


def test_only_workers_get_the_csp_that_allows_eval_and_wasm(client, manifest):
    assert "'wasm-unsafe-eval'" in assets.WORKER_CSP and "'unsafe-eval'" in assets.WORKER_CSP
    assert "unsafe" not in assets.FILE_CSP and "unsafe" not in CSP  # the pages stay strict
    workers = [name for name in manifest if name.endswith("-worker.js")]
    assert workers, "the runner's workers are built"
    for name, file in manifest.items():
        if name.endswith(".js"):
            res = get(client, f"/static/dist/{file}")
            assert res.headers["Content-Security-Policy"] == (assets.WORKER_CSP if name in workers else assets.FILE_CSP)
    page = get(client, "/account/login")
    assert page.headers["Content-Security-Policy"] == CSP


def test_the_manifest_changes_each_build_so_it_is_cached_briefly(client):
    res = get(client, "/static/dist/manifest.json")
    assert res.headers["Cache-Control"] == "public, max-age=60"


def test_other_static_files_and_unknown_names_stay_with_flask(client):
    icon = get(client, "/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["Content-Security-Policy"] == CSP  # Flask's after_request
    assert get(client, "/static/dist/editor-AAAAAAAA.js").status_code == 404
