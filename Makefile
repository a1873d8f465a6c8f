# The two commands of the README: `make run` (build, validate and answer the
# main trade-link questions on the embedded store) and `make test`.
# Both create the virtual environment .venv and install what they need.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: help run test crash-test bench-load bench-virtuoso-floor lint format bench bench-queries bench-reference clean fuzz fuzz-queries golden reference

help:
	@echo "make run              build, validate and answer the main trade-link questions"
	@echo "make test             lint, type-check and the whole test suite on TEST_WORKERS=2 processes (about 8 minutes)"
	@echo "make crash-test       kill -9 the stores before and after every request of a load"
	@echo "make fuzz             the contribution fuzz test with FUZZ_EXAMPLES=20000 examples"
	@echo "make fuzz-queries     the differential query test with FUZZ_EXAMPLES=20000 examples"
	@echo "make lint / format    ruff check --fix and ruff format"
	@echo "make bench            validation engines at 10k, 100k, 1m triples (BENCH_ARGS)"
	@echo "make bench-queries    what the query checks and limits cost"
	@echo "make bench-load       ftzkg load against each store's own bulk loader (BENCH_LOAD_ARGS)"
	@echo "make bench-virtuoso-floor  what an atomic load costs Virtuoso itself, beside its bulk loader"
	@echo "make bench-reference  what the complete reference data costs"
	@echo "make reference        regenerate data/reference/ from the pinned packages"
	@echo "make golden           regenerate the golden query answers in tests/expected/queries/"
	@echo "make clean            remove .venv and dist"

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

# The whole test suite on TEST_WORKERS processes (pytest-xdist), each test file on one worker so that
# its module fixtures are built once: about 8 minutes on 2 cores. Long runs have their own targets:
# crash-test, fuzz, fuzz-queries.
TEST_WORKERS ?= 2

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# Freeze a copy of ontology/ and data/ into tests/frozen/ and regenerate the golden query
# answers in tests/expected/queries/ from it (after changing a query or the data on purpose).
golden: $(VENV)/.installed-test
	$(BIN)/python tests/golden.py

# Regenerate data/reference/ (ISO 3166-1, UN M49, HS 2022, QUDT units, ISO 4217)
# from the pinned packages of the `reference` extra; `make test` checks it is current.
reference: $(VENV)/.installed-test
	$(BIN)/python -m ftzkg.refdata --out data/reference

# What the complete reference data costs (build, validation, queries, site), about a minute.
bench-reference: $(VENV)/.installed-test
	$(BIN)/python benchmarks/reference_data.py --repeat 3

# The differential query test of `make test` with many more examples (FUZZ_EXAMPLES).
FUZZ_EXAMPLES ?= 20000

fuzz-queries: $(VENV)/.installed-test
	FTZKG_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/test_query_differential.py -q

# The contribution fuzz test of `make test` (300 parser, 40 validator examples, derandomized) with
# FUZZ_EXAMPLES parser and FUZZ_EXAMPLES/10 validator examples, fresh random inputs every run.
fuzz: $(VENV)/.installed-test
	FTZKG_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/test_contribution_fuzz.py -q --hypothesis-show-statistics

# What the query checks and limits cost: whole `ftzkg query` processes against bare pyoxigraph.
bench-queries: $(VENV)/.installed-test
	$(BIN)/python benchmarks/query_overhead.py --repeat 10

# `ftzkg load` against each store's own bulk loader (Oxigraph, Virtuoso); `BENCH_LOAD_ARGS="--sizes 100k"`
BENCH_LOAD_ARGS ?= --sizes 100k,1m --repeat 3

bench-load: $(VENV)/.installed-test
	$(BIN)/python benchmarks/load_throughput.py $(BENCH_LOAD_ARGS)

# The server's own share of an atomic load on Virtuoso (no client), beside its bulk loader: the floor
# under any `ftzkg load` there (`BENCH_FLOOR_ARGS="--sizes 100k --repeat 1"`)
BENCH_FLOOR_ARGS ?= --sizes 100k,1m --repeat 3

bench-virtuoso-floor: $(VENV)/.installed-test
	$(BIN)/python benchmarks/virtuoso_floor.py $(BENCH_FLOOR_ARGS)

# kill -9 the stores before and after every request of a load (a few minutes; needs virtuoso-opensource)
crash-test: $(VENV)/.installed-test
	FTZKG_EVERY_KILL=1 $(BIN)/pytest tests/test_load_crashes.py

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
