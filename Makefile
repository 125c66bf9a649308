# hubvalue: the two commands a new user needs are `make run` and `make test`.
# `make test-all` adds the long runs (marked slow); `make lint` runs ruff and sqlfluff.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := data/demo
DB := data/warehouse.duckdb
REFERRALS ?= 20000
SEED ?= 7
PORT ?= 8501
AUDIENCE ?= manager
# pytest-xdist workers for the test targets (this project's machines have 2 cores)
WORKERS ?= 2

.PHONY: run test test-browser test-spark test-all lint bench bench-10m demo build serve clean national

# The tests write compiled modules and reuse them (a machine may set PYTHONDONTWRITEBYTECODE,
# and then every pytest worker, and every build or server a test starts, compiles each module
# and rewrites each test module's asserts again: about 3 s of each worker's start)
test test-browser test-spark test-all: export PYTHONDONTWRITEBYTECODE :=

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	touch $(STAMP)

## run: install, generate a demo extract, build the warehouse and serve the dashboard
run: $(STAMP)
	$(BIN)/hubvalue generate --out $(DEMO) --referrals $(REFERRALS) --seed $(SEED) --months 36
	$(BIN)/hubvalue build --input $(DEMO) --db $(DB)
	$(BIN)/hubvalue serve --db $(DB) --port $(PORT) --audience $(AUDIENCE) --headless

## national: three demo areas validated into a lake, every model on Spark (local mode),
## then the dashboard on the national output (an area choice in the sidebar)
LAKE := data/lake
NATIONAL := data/national
AREAS ?= north:7 south:8 east:9
national: $(STAMP)
	rm -rf $(LAKE)
	for area_seed in $(AREAS); do \
		area=$${area_seed%%:*}; seed=$${area_seed##*:}; \
		$(BIN)/hubvalue generate --out data/demo-$$area --referrals $(REFERRALS) --seed $$seed --months 36 --quiet && \
		$(BIN)/hubvalue build --input data/demo-$$area --db data/warehouse-$$area.duckdb --quiet && \
		$(BIN)/hubvalue lake export --db data/warehouse-$$area.duckdb --lake $(LAKE) --area $$area \
		|| exit 1; \
	done
	$(BIN)/hubvalue lake build --engine spark --lake $(LAKE) --out $(NATIONAL)
	$(BIN)/hubvalue serve --db $(NATIONAL) --port $(PORT) --audience $(AUDIENCE) --headless

## test: install and run the default suite: every test but the long runs marked slow and the
## browser tests; the Spark differential test included (skipped, saying why, without Java)
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal -m 'not slow and not browser'

## test-browser: the browser tests (Debian's Chromium driven by Playwright; skipped without it)
test-browser: $(STAMP)
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal -m 'browser and not slow'

## test-spark: the Spark differential test alone (every mart of three areas on Spark against
## DuckDB, one Spark session; about 100 s on 2 cores; make test runs it too)
test-spark: $(STAMP)
	$(BIN)/python -m pytest -q -m 'spark and not slow'

## test-all: every test, the long runs marked slow too (load, scale, long fuzzing, many kills),
## with Hypothesis's `ci` profile (more examples); the browser load runs last, on their own,
## so their timings have the machine to themselves
test-all: $(STAMP)
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist loadfile -m 'not (slow and browser)' \
		--hypothesis-profile=ci
	$(BIN)/python -m pytest -q -m 'slow and browser' --hypothesis-profile=ci

## lint: ruff on the Python, sqlfluff on the SQL models
lint: $(STAMP)
	$(BIN)/ruff check metrics dashboard tests
	$(BIN)/sqlfluff lint sql

## bench: the standard benchmark (10k, 100k, 1M referrals, Parquet and CSV, median of 3 runs); writes bench/results.*
## with the targets and the figures before the faster build (bench/baseline.json) beside them
bench: $(STAMP)
	$(BIN)/hubvalue bench --referrals 10000 100000 1000000 --format parquet csv --runs 3

## bench-10m: the 10M-referral target (under 2 minutes within 8 GB), from Parquet, one run;
## writes bench/10m/results.* (generating the extract takes a while and about 3 GB of disk)
bench-10m: $(STAMP)
	$(BIN)/hubvalue bench --referrals 10000000 --format parquet --runs 1 --repeats 5 \
		--out bench/10m --baseline bench/baseline.json

clean:
	rm -rf $(VENV) $(DEMO) $(DB) data/warehouse.quarantine.duckdb data/warehouse.releases.duckdb
	rm -rf $(LAKE) $(NATIONAL) data/demo-* data/warehouse-*
