# Strata: `make run` runs everything locally, `make test` runs the whole suite (CI calls it too).
VENV ?= .cache/venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit web web-unit chromium pytest schema services-install services-up services-down services-status bench bench-scale soak bench-web bench-web-transfer bench-web-uploads bench-web-live chart

# The web catalogue: `npm ci` from the lockfile is its only install; it is rebuilt when a source changes.
WEB_STAMP := web/node_modules/.installed
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/codegen.ts web/tsconfig.json web/tests -type f -not -path 'web/src/gql/*' 2>/dev/null) schema.graphql

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: $(STAMP) web
	$(PY) -m devservices run

# Installs (builds from the registries) run before pytest, outside its per-test timeout.
test: lint typecheck unit web web-unit chromium services-install chart pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

# The fast tier: pure logic and the import-layer contract, seconds, no services.
unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

# pytest exits 5 when it collects no tests; make treats that as the failure it is.
# The whole suite, against the real services (the unit tier runs again in it: seconds).
pytest: $(STAMP)
	$(PY) -m pytest

$(WEB_STAMP): web/package-lock.json web/package.json
	cd web && npm ci --no-audit --no-fund
	touch $(WEB_STAMP)

web/dist/index.html: $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run build

# Codegen from schema.graphql, vue-tsc over the sources and the tests, then the Vite build.
web: web/dist/index.html

# The catalogue's non-visual parts (ranged download engine, cursor paging, map geometry): Vitest.
web-unit: $(WEB_STAMP)
	cd web && npm run test:unit

# Debian's chromium for the browser tests (apt-get when it is missing).
chromium:
	bash web/scripts/ensure-chromium.sh

schema: $(STAMP)
	$(PY) -m cli export-schema -o schema.graphql

services-install: $(STAMP)
	$(PY) -m devservices install

services-up: $(STAMP)
	$(PY) -m devservices up

services-down: $(STAMP)
	$(PY) -m devservices down

services-status: $(STAMP)
	$(PY) -m devservices status

bench: $(STAMP)
	$(PY) -m bench

# The catalogue's queries at 1,000, 10,000 and 100,000 files in one organisation (3x in the store).
bench-scale: $(STAMP)
	$(PY) -m bench scale

# Ten minutes of mixed traffic against one API process: fails when memory or descriptors grow past 10 %.
soak: $(STAMP)
	$(PY) -m bench soak

# The catalogue's benchmark: a folder of 100 files drawn, warm, in headless Chromium; JS shipped, gzipped.
bench-web: $(STAMP) web chromium
	$(PY) -m bench.web

# The browser's upload and download of 1 GiB next to the Python client's, in one run.
bench-web-transfer: $(STAMP) web chromium
	$(PY) -m bench.web_transfer

# 100 KiB files through the catalogue against the Python client: one until listed, 200 picked at once.
bench-web-uploads: $(STAMP) web chromium
	$(PY) -m bench.web_uploads

# How late the catalogue shows a Copernicus status change (p50, p99 over 50 requests).
bench-web-live: $(STAMP) web chromium
	$(PY) -m bench.web_copernicus

# helm lint + template of every values file, validated by kubeconform (also part of the tests).
chart: $(STAMP)
	$(PY) -m devservices chart
