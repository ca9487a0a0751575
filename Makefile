# 一门 (yimen) — the commands the README names.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Debian packages each target needs; installed by scripts/system-packages.sh.
TEST_SYSTEM_PACKAGES := chromium fonts-noto-cjk wrk nodejs postgresql
BENCH_SYSTEM_PACKAGES := wrk postgresql
DEMO_DIR ?= .demo

.PHONY: demo test bench lint clean venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-base

venv: $(VENV)/.installed-base

demo: $(VENV)/.installed-base
	$(BIN)/python -m queue_server.demo --dir $(DEMO_DIR)

tests/axe/node_modules/.installed: tests/axe/package.json tests/axe/package-lock.json
	command -v npm >/dev/null || scripts/system-packages.sh npm
	npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error
	touch $@

test: $(VENV)/.installed-dev
	scripts/system-packages.sh $(TEST_SYSTEM_PACKAGES)
	$(MAKE) tests/axe/node_modules/.installed
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-dev
	scripts/system-packages.sh $(BENCH_SYSTEM_PACKAGES)
	$(BIN)/python -m benchmarks

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
