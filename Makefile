# mockloop: `make run` to serve, `make test` to run the whole suite. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-postgres lint db chromium node assets wheel clean bench soak

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

db: $(VENV)/.installed
	$(BIN)/mockloop db upgrade

run: db assets
	$(BIN)/mockloop serve --host $(HOST) --port $(PORT)

# The browser bundles (CodeMirror, Pyodide; frontend/build.mjs) are built from frontend/src with
# Debian's node, installed like chromium when missing. Only a source checkout needs Node: the wheel
# carries the built dist/. npm ci reinstalls when the lockfile changes, the build reruns when a source,
# the build script or the lockfile is newer than the manifest (a folder counts: a file was removed).
FRONTEND := frontend
DIST := mockloop/web/static/dist

node:
	@command -v node >/dev/null && command -v npm >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm; }

$(FRONTEND)/node_modules: $(FRONTEND)/package-lock.json | node
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(DIST)/manifest.json: $(FRONTEND)/node_modules $(FRONTEND)/build.mjs $(FRONTEND)/package-lock.json \
		$(shell find $(FRONTEND)/src 2>/dev/null) | node
	node $(FRONTEND)/build.mjs

assets: $(DIST)/manifest.json

# Browser tests drive Debian's chromium through Playwright; never `playwright install`.
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

# One pytest worker per core (pytest-xdist); every test has its own instance folder and database.
test: $(VENV)/.installed-test chromium assets
	$(BIN)/python -m pytest -q -n auto

# Lint, formatting, types (strict for mockloop/core) and the layer contracts; all settings in pyproject.toml.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The suite on PostgreSQL: .ci/with-postgres installs Debian's postgresql if needed, starts a
# throwaway cluster in a temp folder on 127.0.0.1:54329, and stops and deletes it afterwards. The
# browser tests (tests/e2e) stay with `make test`: what they add is the page's own code, which is the
# same on either engine, and they take most of the time; every route and query runs here too. So does
# everything but the wheel's test, which builds and installs the package and never opens a database.
test-postgres: $(VENV)/.installed-test assets
	.ci/with-postgres $(BIN)/python -m pytest -q -n auto --ignore=tests/e2e -m 'not wheel'

# The installable wheel in dist/, built assets included.
wheel: $(VENV)/.installed-dev assets
	$(BIN)/python -m build --wheel --no-isolation --outdir dist .

# Performance figures beside a bare Flask baseline, a few minutes, then the slowest user-Markdown
# render of every pathological case at every field's limit, then what the code editor weighs in
# Chromium (Playwright, from the test extra); see docs/performance.md.
bench: $(VENV)/.installed-test chromium assets
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	$(BIN)/python bench/run.py
	$(BIN)/python bench/render.py
	$(BIN)/python bench/editor.py

# 100 kill -9/restart cycles (lost saves must be 0), then 200 peer pairs for 60 s against 3 web
# workers on SQLite (failed requests must be 0); about 6 minutes, see docs/performance.md ("Soak").
soak: $(VENV)/.installed-test
	$(BIN)/python soak/soak.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist $(DIST) $(FRONTEND)/node_modules
