# Two commands for a fresh clone: `make run` and `make test`. Everything else is a building block.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
LOCK   := requirements.lock
STAMP  := $(VENV)/.installed-$(shell sha1sum $(LOCK) 2>/dev/null | cut -c1-12)
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export PYTHONDONTWRITEBYTECODE ?= 1
# Rasa would send telemetry and error reports to its servers: nothing leaves this machine.
export RASA_TELEMETRY_ENABLED := false

.PHONY: help install content model run test test-unit test-rasa lint bench lock clean

help:
	@echo "make run    install what is missing, train if no model matches the data, start on localhost"
	@echo "make test   install what is missing and run every test"
	@echo "make bench  run the benchmarks in bench/ (results in bench/results/)"
	@echo "make lint   ruff + mypy"

# A virtualenv with Python 3.10 and exactly the pinned versions; rebuilt when the lock file changes.
$(STAMP): $(LOCK)
	@set -e; \
	if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then \
	  echo "Removing $(VENV): not Python 3.10"; rm -rf $(VENV); fi; \
	if [ ! -x $(PY) ]; then \
	  PY310=$$(scripts/find-python) || exit 1; \
	  echo "Creating $(VENV) with $$PY310"; "$$PY310" -m venv $(VENV); fi; \
	$(PY) -m pip install --quiet --disable-pip-version-check "pip==24.0"; \
	echo "Installing pinned dependencies from $(LOCK) ..."; \
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(LOCK); \
	rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

content: install
	@$(PY) -m bot content check

model: content
	@$(PY) -m bot model ensure

run: model
	@$(PY) -m bot run

lint: install
	$(PY) -m ruff check bot actions tests bench
	$(PY) -m mypy bot actions

test: model lint
	@$(PY) -m rasa data validate --domain domain --data data --config config.yml --fail-on-warnings --quiet
	$(PY) -m pytest

bench: model
	$(PY) -m bench.run_all

# Re-resolve requirements.in and rewrite the lock (review the diff before committing).
lock: install
	$(PY) -m pip install --quiet -r requirements.in
	( echo "# Full pinned set (pip freeze of a resolved install). Regenerate with \`make lock\`."; \
	  $(PY) -m pip freeze --exclude-editable ) > $(LOCK)

clean:
	rm -rf models results .pytest_cache .mypy_cache .ruff_cache
