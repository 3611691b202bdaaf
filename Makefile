# The two commands: `make run` and `make test`. Each sets itself up from nothing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app exhibit
HOST ?= 127.0.0.1
PORT ?= 5000
# The suite runs on two pytest-xdist workers: much of it waits on servers, browsers and PDF
# tools, so two workers finish it in about two thirds of the time even on two cores.
PYTEST_WORKERS ?= 2
CLUSTER_PORT ?= 8080

.PHONY: run test lint format bench cluster translations messages install install-test clean syscheck

run: export EXHIBIT_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: syscheck install translations
	$(FLASK) init-db
	$(FLASK) demo
	@# The mail worker (notices, expiring holds, reminders) runs beside the web server and
	@# stops with it; without EXHIBIT_MAIL_URL every message is a file: `flask mail list`.
	$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

test: SYSCHECK_ARGS = --test
test: syscheck install-test translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(PYTEST_WORKERS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-test
	$(BIN)/python bench/run.py

# Two app servers behind nginx, with Redis and a throwaway PostgreSQL, in a scratch folder,
# the demo loaded, until Ctrl-C (tests/topology.py; docs/operations.md, «Several servers»).
# nginx listens on CLUSTER_PORT, the two gunicorn servers on the next two ports.
cluster: install-test translations
	$(BIN)/python -m tests.topology --port $(CLUSTER_PORT)

# The Debian packages the app needs (stdlib only, before the virtualenv): what is missing and
# the apt-get line; it stops only when something required is missing (`make test` also names
# what the tests that would skip need).
syscheck:
	@$(PYTHON) exhibit/syscheck.py $(SYSCHECK_ARGS)

$(BIN)/python: | syscheck
	$(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtualenv: install Debian's python3-venv (apt-get install python3-venv)"; \
	  exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(VENV)/.installed
$(VENV)/.installed: $(BIN)/python setup.cfg
	$(BIN)/pip install --quiet -e .
	@touch $@

install-test: $(VENV)/.installed-test
$(VENV)/.installed-test: $(BIN)/python setup.cfg
	$(BIN)/pip install --quiet -e '.[test,dev]'
	@touch $@ $(VENV)/.installed

translations: install
	$(BIN)/pybabel -q compile -d exhibit/translations

# After adding interface strings: refresh the catalogues, then translate the new English
# msgstr (Russian ones stay empty). `tr` marks the services' refusals (exhibit/errors.py).
messages: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k tr -k phrase -o $(VENV)/messages.pot \
	  --ignore-dirs='.venv .git build' .
	$(BIN)/pybabel -q update -i $(VENV)/messages.pot -d exhibit/translations

clean:
	rm -rf $(VENV) build dist *.egg-info
