# Set-up and everyday commands. Needs only Python 3.11 (python3 -m venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench golden clean debian-packages screenshots docs release

# Debian packages the tests use (a real browser, a real PostgreSQL server, a real
# IMAP server, a real spam filter, systemd-analyze); each is installed when the file that shows it is
# there is missing.
# apt-get needs root: it runs through sudo for anyone else, and when it can't run
# at all the target says what to install by hand instead of failing inside apt.
NEEDS := chromium:/usr/bin/chromium postgresql:/usr/lib/postgresql/*/bin/postgres \
	dovecot-imapd:/usr/sbin/dovecot \
	spamassassin:/usr/bin/spamassassin systemd:/usr/bin/systemd-analyze
WHY := the tests drive a real browser (chromium), a real database server \
	(postgresql), a real IMAP server (dovecot-imapd), a real spam filter (spamassassin) and systemd-analyze (systemd) \
	for the units feedkit schedule writes

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

# feedkit's bytecode is compiled as pip compiles an installed package's (an editable
# install under PYTHONDONTWRITEBYTECODE would compile every module at every run).
run: $(VENV)/.run-installed
	$(BIN)/python -m compileall -q feedkit
	$(BIN)/feedkit build --registry posts.yaml --out out

debian-packages:
	@missing=""; for need in $(NEEDS); do \
	  ls $${need#*:} >/dev/null 2>&1 || missing="$$missing $${need%%:*}"; done; \
	[ -z "$$missing" ] && exit 0; \
	cannot() { echo "make test: missing Debian packages:$$missing" >&2; \
	  echo "  ($(WHY))." >&2; echo "  $$1 As root, run:" >&2; \
	  echo "    apt-get install$$missing" >&2; echo "  then make test again." >&2; exit 1; }; \
	command -v apt-get >/dev/null || cannot "This system has no apt-get."; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo=sudo; \
	else cannot "Installing them needs root, and there is no sudo."; fi; \
	echo "make test: installing Debian packages:$$missing ($(WHY))"; \
	{ $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $$missing; } || cannot "apt-get could not install them."

test: $(VENV)/.test-installed debian-packages
	$(BIN)/ruff check feedkit tests bench tools docs/screenshots.py
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n auto

golden: $(VENV)/.test-installed
	$(BIN)/python -m pytest -q --update-golden

bench: $(VENV)/.test-installed
	$(BIN)/python -m compileall -q feedkit
	$(BIN)/python bench/run.py
	$(BIN)/python bench/digest.py
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/send.py
	$(BIN)/python bench/crash.py
	$(BIN)/python bench/serve.py  # needs wrk: apt-get install wrk
	$(BIN)/python bench/workers.py
	$(BIN)/python bench/inbox.py

docs: $(VENV)/.test-installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# The version in feedkit/__init__.py, its CHANGELOG.md section, the sdist and the wheel
# in dist/ checked by twine, and the tag vX.Y.Z, from a clean main (docs/release.md).
# Runs in the environment make test made (hatchling, twine), which it doesn't rebuild.
release:
	$(BIN)/python tools/release.py

# What make screenshots needs besides the tests' packages: a real feed reader (liferea)
# in a virtual display (xvfb), its settings (gsettings) in a session bus (dbus-daemon),
# xdotool to press its keys, and ImageMagick's import to take the picture.
SHOT_NEEDS := liferea:/usr/bin/liferea xvfb:/usr/bin/Xvfb dbus-daemon:/usr/bin/dbus-run-session \
	libglib2.0-bin:/usr/bin/gsettings xdotool:/usr/bin/xdotool imagemagick:/usr/bin/import

screenshots: $(VENV)/.test-installed debian-packages
	@$(MAKE) -s debian-packages NEEDS="$(SHOT_NEEDS)" \
	  WHY="the README shows the feed in a real feed reader (liferea) in a virtual display"
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV)
	find out -mindepth 1 ! -name .gitkeep -delete
