# Two entry points, each doing all set-up on a fresh machine:
#   make run   — the main job on the embedded default (SQLite, sample data)
#   make test  — lint, type checks and the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install clean system-packages

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/phancong solve scenarios/data/laocai-2024-03.instance.json --out out/laocai-2024-03.solution.json --time-limit 30

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Debian's chromium and chromium-driver (browser tests), fonts-liberation2 and
# fonts-dejavu-core (the notice PDF) and poppler-utils (its rendering test), when missing.
system-packages:
	scripts/system-packages

test: lint system-packages
	$(BIN)/pytest -n 2 --durations=30

clean:
	rm -rf $(VENV) out
