# Set-up and everyday commands. Needs only Python 3.11 (python3 -m venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench golden clean screenshots

# Debian packages the tests use (a real browser, a real spam filter); installed when missing.
CHROMIUM := /usr/bin/chromium
SPAMASSASSIN := /usr/bin/spamassassin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

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

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "Install Chromium (Debian: apt-get install chromium)"; exit 1; }
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

$(SPAMASSASSIN):
	@command -v apt-get >/dev/null || { echo "Install SpamAssassin (Debian: apt-get install spamassassin)"; exit 1; }
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends spamassassin

test: $(VENV)/.test-installed $(CHROMIUM) $(SPAMASSASSIN)
	$(BIN)/ruff check feedkit tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

golden: $(VENV)/.test-installed
	$(BIN)/python -m pytest -q --update-golden

bench: $(VENV)/.test-installed
	$(BIN)/python bench/run.py
	$(BIN)/python bench/digest.py
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/send.py

screenshots: $(VENV)/.test-installed $(CHROMIUM)
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV)
	find out -mindepth 1 ! -name .gitkeep -delete
