# The two commands of the README: `make run` (build, validate and answer the
# main trade-link questions on the embedded store) and `make test`.
# Both create the virtual environment .venv and install what they need.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test lint format bench clean golden

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/ftzkg build
	$(BIN)/ftzkg validate
	$(BIN)/ftzkg query trade-links
	$(BIN)/ftzkg query supply-chains
	$(BIN)/ftzkg query production

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

# Freeze a copy of ontology/ and data/ into tests/frozen/ and regenerate the golden query
# answers in tests/expected/queries/ from it (after changing a query or the data on purpose).
golden: $(VENV)/.installed-test
	$(BIN)/python tests/golden.py

lint format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `make bench BENCH_ARGS="--sizes 10k --repeat 1"` for a quick run.
BENCH_ARGS ?= --sizes 10k,100k,1m --repeat 3

bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet pyshacl-turbo pyrudof
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) dist
