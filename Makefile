# Two commands for a fresh clone: `make run` and `make test`. Everything else is a building block.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
LOCK   := requirements.lock
STAMP  := $(VENV)/.installed-$(shell sha1sum $(LOCK) 2>/dev/null | cut -c1-12)
WEBSTAMP := web/node_modules/.installed-$(shell sha1sum web/package-lock.json 2>/dev/null | cut -c1-12)
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export PYTHONDONTWRITEBYTECODE ?= 1
# Rasa would send telemetry and error reports to its servers: nothing leaves this machine.
export RASA_TELEMETRY_ENABLED := false

.PHONY: help install content model run test lint bench bench-topology lock clean browser haproxy run-production

help:
	@echo "make run    install what is missing, train if no model matches the data, start on localhost"
	@echo "make test   install what is missing and run every test"
	@echo "make bench  run the benchmarks in bench/ (results in bench/results/)"
	@echo "make lint   ruff + mypy"
	@echo "make run-production  several Rasa servers behind HAProxy on PostgreSQL, Redis, RabbitMQ (REPLICAS=2)"

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

# The widget's browser dependency (socket.io-client) from the npm registry, served by the project.
$(WEBSTAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js (apt-get install nodejs npm)"; exit 1; }
	@cd web && npm ci --no-audit --no-fund --silent
	@rm -f web/node_modules/.installed-*; touch $@

install: $(STAMP) $(WEBSTAMP)

# Debian's Chromium for the browser tests (never a browser downloaded by a test tool).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then echo "Installing Debian's chromium for the browser tests ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; fi; }

# Debian's HAProxy, the load balancer of the production topology (never a home-made proxy).
haproxy:
	@command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || { \
	  if [ "$$(id -u)" = 0 ]; then echo "Installing Debian's haproxy for the production topology ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; \
	  else echo "The production topology (and its tests) need Debian's haproxy: sudo apt-get install haproxy"; fi; }

content: install
	@$(PY) -m bot content check

model: content
	@$(PY) -m bot model ensure

run: model
	@$(PY) -m bot run

REPLICAS ?= 2
run-production: model haproxy
	@$(PY) -m bot run --production --replicas $(REPLICAS)

lint: install
	$(PY) -m ruff check bot actions tests bench
	$(PY) -m mypy bot actions

test: model lint browser haproxy
	@$(PY) -m rasa data validate --domain domain --data data --config config.yml --fail-on-warnings --quiet
	$(PY) -m pytest --durations=25

bench: model
	$(PY) -m bench.run_all

# Load and faults on the production topology (needs TEST_DATABASE_URL, TEST_REDIS_URL, TEST_AMQP_URL).
bench-topology: model haproxy
	$(PY) -m bench.topology

# Re-resolve requirements.in and rewrite the lock (review the diff before committing).
lock: install
	$(PY) -m pip install --quiet -r requirements.in
	( echo "# Full pinned set (pip freeze of a resolved install). Regenerate with \`make lock\`."; \
	  $(PY) -m pip freeze --exclude-editable ) > $(LOCK)

clean:
	rm -rf models results .pytest_cache .mypy_cache .ruff_cache
