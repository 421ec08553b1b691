# The two commands a newcomer needs: `make demo` and `make test`. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export PARTNERSHIP_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo demo-federation test check lint format messages makemessages bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Compile the gettext catalogs (English and Japanese); the .mo files are build output.
messages: $(STAMP)
	cd src/partnership && ../../$(BIN)/partnership compilemessages --verbosity 0

# Each app's strings go to its own locale/ (every folder below src/partnership that has one: a new
# exchange's is found); those of the package root (api.py, settings.py, ...) to src/partnership/locale
# (in LOCALE_PATHS). An absolute data dir keeps stray var/ folders out of src.
makemessages: $(STAMP)
	cd src/partnership && for app in $$(find . -mindepth 2 -maxdepth 3 -type d -name locale | sed 's|^\./||; s|/locale$$||'); do \
	  (cd $$app && $(CURDIR)/$(BIN)/partnership makemessages --locale ja --no-obsolete --no-location --verbosity 0); done
	cd src/partnership && ../../$(BIN)/partnership makemessages --locale ja --no-obsolete --no-location --verbosity 0 \
	  --ignore '*/*.py' --ignore '*/*.html' --ignore '*/*.txt'

demo: $(STAMP) messages
	$(BIN)/partnership demo --port $(PORT)

# Two nodes, JP on $(PORT) and EU on the next port, each with its own database and key, peered.
demo-federation: $(STAMP) messages
	$(BIN)/partnership demo-federation --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench fuzz
	$(BIN)/ruff check src tests bench fuzz
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format src tests bench fuzz
	$(BIN)/ruff check --fix src tests bench fuzz

# Fast checks: lint and every test but the browser ones.
check: lint messages
	$(BIN)/pytest -m "not browser"

# Everything, browser tests included (they need /usr/bin/chromium; CI installs it).
test: lint messages
	$(BIN)/pytest

# Every script in bench/ (one per figure an issue names; a new exchange adds its own).
bench: $(STAMP) messages
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var build src/*.egg-info

docs: $(STAMP)
	$(BIN)/partnership gendocs
