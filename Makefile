# ClientDesk, from a fresh clone (GNU make):
#   make run    install, migrate, load the demo agency, serve on http://127.0.0.1:5000
#   make test   install with the test extras (and Debian's chromium when root), run the suite
# See the README for the configuration (DATABASE_URL, REDIS_URL, ...).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
REDIS_URL ?= redis://127.0.0.1:6379/0
CHROMIUM := /usr/bin/chromium
export FLASK_APP := app:create_app

.PHONY: run test chromium worker scheduler bench lint clean distclean

run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask clientdesk init-roles
	$(BIN)/flask clientdesk demo
	@echo
	@echo "ClientDesk is starting on http://$(HOST):$(PORT)"
	@echo "  staff admin:   http://$(HOST):$(PORT)/login/        (demo logins above)"
	@echo "  client portal: http://$(HOST):$(PORT)/portal/login"
	@echo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# pytest's own exit codes stand: 5 (no test collected) fails the target like any failure.
test: $(VENV)/.installed-test chromium
	$(BIN)/pytest

chromium:
	@if [ -x $(CHROMIUM) ]; then \
		true; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "note: $(CHROMIUM) is missing and we are not root: the browser tests"; \
		echo "      will be skipped (and fail under CI=true). Install it: sudo apt-get install chromium"; \
	fi

worker: $(VENV)/.installed
	$(BIN)/rq worker --worker-class rq.worker.SimpleWorker clientdesk --url $(REDIS_URL)

# RQ's scheduler: enqueues the workflow sweep every 5 minutes and the mail retry every minute
# (jobs/schedule.py); a worker runs them.
scheduler: $(VENV)/.installed
	$(BIN)/rq cron jobs/schedule.py --url $(REDIS_URL)

bench: $(VENV)/.installed
	@for script in bench/*.py; do \
		echo "== $$script"; \
		$(BIN)/python "$$script" || exit 1; \
	done

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

clean:
	rm -rf .pytest_cache .ruff_cache build dist *.egg-info test-results
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -f $(VENV)/.installed $(VENV)/.installed-test $(VENV)/.installed-dev

# Also the virtualenv and instance/ (the local SQLite database and the dev secret key).
distclean: clean
	rm -rf $(VENV) instance

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps: pip runs again only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@
