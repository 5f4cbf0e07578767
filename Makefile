# TradeQL: `make run` to try it, `make test-fast` while working, `make test` to check
# everything (as CI does). See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test test-fast lint typecheck schema-check pytest install clean bench bench-reads

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: install
	$(BIN)/tradeql migrate
	$(BIN)/tradeql seed-demo --if-empty
	$(BIN)/tradeql serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

schema-check: install
	$(BIN)/tradeql export-schema --check

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck schema-check pytest

# The loop while working: every check, and every test but the slow ones (load, fault,
# multi-process and subprocess tests, the SQLite runs of tests on both databases, staff lists
# paged at sizes 1 and 100: all marked `slow`, all run by `make test`).
# Its tests run in FAST_WORKERS processes (pytest-xdist, a file per process at a time); they
# share the run's connection budget (tests/connection_budget.py).
FAST_WORKERS ?= 2
test-fast: lint typecheck schema-check
	$(BIN)/pytest -m "not slow" -n $(FAST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench.catalog_discovery
	$(BIN)/python -m bench.order_placement
	$(BIN)/python -m bench.worker_throughput
	$(BIN)/python -m bench.catalog_import
	$(BIN)/python -m bench.reports
	$(BIN)/python -m bench.order_book_seed
	$(BIN)/python -m bench.caller_budget
	$(BIN)/python -m bench.gc_overhead
	$(MAKE) bench-reads

# TradeQL's reads against a hand-written Starlette + asyncpg + orjson endpoint, over HTTP with
# wrk (installed from Debian if missing); BENCH_READS_ARGS=--quick for a smoke run.
bench-reads: install
	$(BIN)/python -m bench.reads $(BENCH_READS_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
