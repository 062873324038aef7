# Watchkeeper: `make run` to try it, `make test` to check it. Needs Python 3.11, Node.js and make.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# uv lives outside .venv: uv refuses to sync into a directory that is not already a Python environment.
UV_HOME := build/uv
UV := $(shell command -v uv 2>/dev/null || echo $(UV_HOME)/bin/uv)
GOVUK := node_modules/govuk-frontend/dist/govuk

.PHONY: install run test lint types pytest assets clean bench bench-notify bench-statuspage bench-register bench-insights bench-alerts bench-oncall

$(UV):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(UV_HOME) && $(UV_HOME)/bin/pip install --quiet uv

$(BIN)/watchkeeper: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

build/static/govuk-frontend.min.css: node_modules/.package-lock.json
	mkdir -p build/static
	cp $(GOVUK)/govuk-frontend.min.* build/static/
	cp -R $(GOVUK)/assets/. build/static/
	@touch $@

assets: build/static/govuk-frontend.min.css

install: $(BIN)/watchkeeper assets

run: install
	$(BIN)/watchkeeper migrate
	$(BIN)/watchkeeper manage collectstatic --no-input --verbosity 0
	$(BIN)/watchkeeper demo
	$(BIN)/watchkeeper statuspage export
	exec $(BIN)/watchkeeper serve

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

types: install
	$(BIN)/mypy
	$(BIN)/mypy --strict src/watchkeeper/domain

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint types pytest

# Every benchmark, then one table of figures and goals; PostgreSQL too when BENCH_POSTGRES_URL or DATABASE_URL names one.
bench: install
	$(BIN)/python bench/all.py $(BENCH_ARGS)

bench-notify: install
	$(BIN)/python bench/notify.py

# The HTTP part needs wrk and nginx (apt-get install wrk nginx-light); without them it is skipped.
bench-statuspage: install
	$(BIN)/python bench/statuspage.py $(BENCH_ARGS)

bench-register: install
	$(BIN)/python bench/register.py

# Alert intake at 50 requests a second, and the most one web worker sustains. BENCH_POSTGRES_URL for PostgreSQL.
bench-alerts: install
	$(BIN)/python bench/alerts.py $(BENCH_ARGS)

bench-oncall: install
	$(BIN)/python bench/oncall.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules build var/staticfiles

# SQLite in a scratch folder, then PostgreSQL when BENCH_POSTGRES_URL (or DATABASE_URL) names one; a database the
# bench did not create is refused unless BENCH_ARGS=--empty-database says it may be emptied.
bench-insights: install
	$(BIN)/python bench/insights.py $(BENCH_ARGS)
