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

# Each app's strings go to its own locale/; those of the package root (api.py, settings.py, ...) to
# src/partnership/locale (in LOCALE_PATHS). An absolute data dir keeps stray var/ folders out of src.
makemessages: $(STAMP)
	cd src/partnership && for app in ledger people programme cycle web trust/health_certificates exchanges/threat_intel; do \
	  (cd $$app && $(CURDIR)/$(BIN)/partnership makemessages --locale ja --no-obsolete --no-location --verbosity 0); done
	cd src/partnership && ../../$(BIN)/partnership makemessages --locale ja --no-obsolete --no-location --verbosity 0 \
	  --ignore 'ledger/*' --ignore 'people/*' --ignore 'programme/*' --ignore 'cycle/*' --ignore 'web/*' \
	  --ignore 'trust/*' --ignore 'exchanges/*'

demo: $(STAMP) messages
	$(BIN)/partnership demo --port $(PORT)

# Two nodes, JP on $(PORT) and EU on the next port, each with its own database and key, peered.
demo-federation: $(STAMP) messages
	$(BIN)/partnership demo-federation --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench fuzz
	$(BIN)/ruff check src tests bench fuzz
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests bench fuzz
	$(BIN)/ruff check --fix src tests bench fuzz

# Fast checks: lint and every test but the browser ones.
check: lint messages
	$(BIN)/pytest -m "not browser"

# Everything, browser tests included (they need /usr/bin/chromium; CI installs it).
test: lint messages
	$(BIN)/pytest

bench: $(STAMP) messages
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/certificates.py
	$(BIN)/python bench/threat_intel.py
	$(BIN)/python bench/spreadsheets.py

clean:
	rm -rf $(VENV) var build src/*.egg-info

docs: $(STAMP)
	$(BIN)/partnership gendocs
