# Tracktion: `make run LIBRARY=~/Music` runs it; `make test` checks it. Both install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LIBRARY ?= $(HOME)/Music
STAMP := $(VENV)/.installed

.PHONY: install run scan test lint unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,postgres,rabbitmq,redis]'
	# musicnn only ships the MSD_musicnn weights we read; its own pins (TensorFlow, old numpy) are stale
	$(BIN)/pip install --quiet --no-deps 'musicnn==0.1.0'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/tracktion db upgrade
	$(BIN)/tracktion up "$(LIBRARY)"

scan: install
	$(BIN)/tracktion scan "$(LIBRARY)"

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: install
	$(BIN)/pytest tests/unit -q

test: lint
	$(BIN)/pytest

bench: install
	$(BIN)/python benchmarks/scan.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
