# `make run` serves the app with the seed article; `make test` runs every test.
# Both set up .venv first, and use the embedded PostgreSQL unless DATABASE_URL is set.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEV_ENV := DEBUG=true
TEST_ENV := DEBUG=false SECRET_KEY=test-only-not-secret SECURE_SSL_REDIRECT=false EMBEDDED_DATABASE=true

.PHONY: run test lint bench install model

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,test]"
	touch $@

# The task worker (imports, suggestions) runs beside the web server and
# stops with it.
# .env gives manage.py the development settings in any shell (see README).
run: install .env
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed --suggest
	$(DEV_ENV) $(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

.env:
	printf '# Development settings, written by make run; git-ignored.\nDEBUG=true\n' > $@

test: install
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install
	$(TEST_ENV) $(PY) bench/search.py

# Rebuild the shipped language pipeline, model/en_newsreader, from the open
# treebanks in ../shared/nlp-data, and print its accuracy (see model/README.md).
model: install
	$(PY) model/train.py
