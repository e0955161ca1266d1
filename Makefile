# The README's two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_ENV := DEBUG=1 ZOOM_EMULATOR=1

.PHONY: run test install unit integration e2e screenshots lint typecheck messages worker beat bench

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt constraints.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

# Creates .venv, installs, migrates, seeds the demo and serves http://127.0.0.1:8000 with the emulator.
run: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py migrate --noinput --database zoom_emulator
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# The unit tier always runs; the integration and browser tiers run when their services are there,
# and print a loud skip line otherwise (REQUIRE_INTEGRATION=1 turns a skip into a failure). bin/tier
# prints each tier's wall time, and the unit tier's against its budget (README, "Tests").
test: install unit integration e2e

# The unit tier runs on every core (pytest-xdist; each worker has its own SQLite test databases), and
# every tier lists its slowest tests, so a new slow one shows in CI's log.
unit:
	@bin/tier unit env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest tests/unit -q -p no:cacheprovider -n auto --durations=10

integration:
	@bin/tier integration $(PY) -m pytest tests/integration -q -p no:cacheprovider --durations=10

e2e:
	@bin/tier e2e env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest tests/e2e -q -p no:cacheprovider --durations=10

# Refreshes docs/screenshots/ from a served app with the emulator (Chromium from Debian's package).
screenshots: install
	env -u DATABASE_URL -u REDIS_URL SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest tests/e2e -q -p no:cacheprovider

# ruff, and the import contracts of DESIGN.md section 3 (pyproject.toml [tool.importlinter]).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# mypy with django-stubs: strict for the product apps (pyproject.toml [tool.mypy]).
typecheck: install
	$(VENV)/bin/mypy

# Regenerates locale/*/django.po from the sources (needs GNU gettext) and compiles the .mo files.
messages: install
	$(DEV_ENV) $(PY) manage.py makemessages --locale ja --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'zoom_emulator/*' --no-obsolete
	$(PY) bin/compile-messages

# Issue 16's benchmarks (not part of CI): one table of goals, figures, baselines, ratios and load.
# QUICK=1 for a short run, PROFILE=1 to print a profile of one reconcile. Needs PostgreSQL at
# DATABASE_URL (default 127.0.0.1:5432) for scratch databases; Redis servers are the benchmarks' own.
bench: install
	$(PY) bench/run_all.py $(if $(QUICK),--quick) $(if $(PROFILE),--profile)

worker: install
	$(PY) -m celery -A herp worker --loglevel INFO

beat: install
	$(PY) -m celery -A herp beat --loglevel INFO
