# Strata: `make run` runs everything locally, `make test` runs the whole suite (CI calls it too).
VENV ?= .cache/venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit pytest schema services-install services-up services-down services-status bench chart

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m devservices run

# Installs (builds from the registries) run before pytest, outside its per-test timeout.
test: lint typecheck unit services-install chart pytest

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

# helm lint + template of every values file, validated by kubeconform (also part of the tests).
chart: $(STAMP)
	$(PY) -m devservices chart
