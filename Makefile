# Set-up and everyday commands. Needs only Python 3.11 (python3 -m venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench golden clean debian-packages screenshots

# Debian packages the tests use (a real browser, a real PostgreSQL server, a real
# spam filter, systemd-analyze for the units feedkit schedule writes); each is
# installed when the command it provides is missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
NEEDS := chromium:/usr/bin/chromium postgresql:/usr/lib/postgresql/*/bin/postgres \
	spamassassin:/usr/bin/spamassassin systemd:/usr/bin/systemd-analyze

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/feedkit build --registry posts.yaml --out out

debian-packages:
	@missing=""; for need in $(NEEDS); do \
	  ls $${need#*:} >/dev/null 2>&1 || missing="$$missing $${need%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  command -v apt-get >/dev/null || { echo "Install:$$missing (Debian packages)"; exit 1; }; \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $$missing; fi

test: $(VENV)/.test-installed debian-packages
	$(BIN)/ruff check feedkit tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n auto

golden: $(VENV)/.test-installed
	$(BIN)/python -m pytest -q --update-golden

bench: $(VENV)/.test-installed
	$(BIN)/python bench/run.py
	$(BIN)/python bench/digest.py
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/send.py
	$(BIN)/python bench/crash.py
	$(BIN)/python bench/serve.py  # needs wrk: apt-get install wrk
	$(BIN)/python bench/workers.py

screenshots: $(VENV)/.test-installed debian-packages
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV)
	find out -mindepth 1 ! -name .gitkeep -delete
