"""The wheel is what a user installs: built from this tree, installed into a fresh venv and run from a
folder outside the checkout, it migrates its database and serves /healthz with the shipped prompts.

Offline: the wheel is built without build isolation (setuptools and build come with the test extra),
and the fresh venv finds the dependencies through a .pth line pointing at this environment's
site-packages, while mockloop itself comes from the wheel. About half a minute; select it alone with
`pytest -m wheel`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import site
import subprocess
import sys
import time
import urllib.request
import zipfile

import pytest

from tests.helpers import REPO
from tests.rig import free_port

pytestmark = pytest.mark.wheel

SKIPPED = shutil.ignore_patterns(
    ".git", ".venv", "build", "instance", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "test-results"
)
SKIPPED_AT_TOP = {"dist"}  # the checkout's own wheels; mockloop/web/static/dist/ is shipped


def not_shipped(folder: str, names: list[str]) -> set[str]:
    """What the copy leaves out; frontend/node_modules too (Node's packages are not needed to build
    a wheel of an already built checkout, and copying them takes long)."""
    skipped = SKIPPED(folder, names)
    if folder == str(REPO):
        skipped |= SKIPPED_AT_TOP & set(names)
    if folder == str(REPO / "frontend"):
        skipped |= {"node_modules"} & set(names)
    return skipped


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def test_the_installed_wheel_serves_outside_a_checkout(tmp_path):
    # A copy of the tree, so no stale build/ of the checkout can slip files into the wheel.
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=not_shipped)
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(source))
    [wheel] = (tmp_path / "dist").glob("mockloop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"mockloop/prompts/loop.yaml", "mockloop/db/migrations/env.py", "mockloop/web/templates/base.html"} <= names
    built = json.loads((REPO / "mockloop/web/static/dist/manifest.json").read_text())  # `make test` builds it
    editor = f"mockloop/web/static/dist/{built['editor.js']}"
    assert {editor, editor + ".br", editor + ".gz", "mockloop/web/static/dist/manifest.json"} <= names
    assert any(n.startswith("mockloop/prompts/systems-design/") and n.endswith(".md") for n in names)

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    [fresh_site] = (venv / "lib").glob("python3.*/site-packages")
    (fresh_site / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(venv / "bin" / "python"),
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        str(wheel),
    )

    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOCKLOOP_", "XDG_", "PYTHON"))}
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(tmp_path))
    mockloop = str(venv / "bin" / "mockloop")
    where = run(
        str(venv / "bin" / "python"),
        "-c",
        "import mockloop, mockloop.config as c; print(mockloop.__file__, c.Defaults.PROMPTS_DIR)",
        cwd=elsewhere,
        env=env,
    ).stdout.split()
    assert all(path.startswith(str(venv)) for path in where), where  # the wheel's copy, not the checkout
    run(mockloop, "db", "upgrade", cwd=elsewhere, env=env)
    instance = home / ".local" / "share" / "mockloop"
    assert (instance / "mockloop.sqlite").is_file()

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [mockloop, "serve", "--port", str(port)],
            cwd=elsewhere,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        health, give_up = None, time.monotonic() + 60
        while health is None:
            assert proc.poll() is None and time.monotonic() < give_up, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as res:
                    health = json.load(res)
            except OSError:
                time.sleep(0.2)
        assert health["status"] == "ok" and health["database"] == "ok", health
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/stages/systems-design", timeout=5) as res:
            assert res.status == 200  # a stage of the shipped loop, read from the wheel's prompts
        # The bundles come from the wheel, compressed and cached for good: an installed mockloop needs no Node.
        asset = urllib.request.Request(f"http://127.0.0.1:{port}/static/dist/{built['editor.js']}")
        asset.add_header("Accept-Encoding", "br")
        with urllib.request.urlopen(asset, timeout=5) as res:
            assert res.status == 200 and res.headers["Content-Encoding"] == "br"
            assert res.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert res.read() == (REPO / f"{editor}.br").read_bytes()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
