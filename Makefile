# hubvalue: the two commands a new user needs are `make run` and `make test`.
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

.PHONY: run test lint bench demo build serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## run: install, generate a demo extract, build the warehouse and serve the dashboard
run: $(STAMP)
	$(BIN)/hubvalue generate --out $(DEMO) --referrals $(REFERRALS) --seed $(SEED) --months 36
	$(BIN)/hubvalue build --input $(DEMO) --db $(DB)
	$(BIN)/hubvalue serve --db $(DB) --port $(PORT) --audience $(AUDIENCE) --headless

## test: install and run the whole suite (browser tests skip without Chromium)
test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check metrics dashboard tests
	$(BIN)/sqlfluff lint sql

## bench: the standard benchmark (10k, 100k, 1M referrals, Parquet and CSV, median of 3 runs); writes bench/results.*
bench: $(STAMP)
	$(BIN)/hubvalue bench --referrals 10000 100000 1000000 --format parquet csv --runs 3

clean:
	rm -rf $(VENV) $(DEMO) $(DB) data/warehouse.quarantine.duckdb data/warehouse.releases.duckdb
