# order_fulfilment developer commands. Everything runs through tools/dev.sh.
SHELL := /bin/bash
DEV := tools/dev.sh
# make test TAGS=/order_fulfilment:TestInstall.test_settings_round_trip
TAGS ?= /order_fulfilment
# make demo DEMO_LANG=zh_CN: the demo in Chinese (zh_CN or zh_TW) for admin and every demo user
DEMO_LANG ?=

.PHONY: help setup demo test test-only lint odoo-tests bench bench-quick pot screenshots clean
.PHONY: test-all concurrency lifecycle pytest

help:
	@echo "make setup       create .venv/ and .dev/odoo.conf (idempotent)"
	@echo "make demo        serve Odoo with the addon and demo data on http://localhost:8069"
	@echo "                 (make demo DEMO_LANG=zh_CN: in Chinese for admin and every demo user)"
	@echo "make test        lint, then the addon's tests on a fresh database"
	@echo "make lint        pre-commit: ruff, ruff-format, pylint-odoo, XML and manifest checks"
	@echo "make odoo-tests  Odoo's own sale_stock and sale_mrp tests, with and without the addon"
	@echo "make concurrency simultaneous RPC calls against a 2-worker server (own database)"
	@echo "make lifecycle   install on stock demo data, update twice, uninstall"
	@echo "make pytest      the logic tests under pytest-odoo (PYTEST_ARGS: files or options)"
	@echo "make test-all    test, pytest, concurrency, lifecycle and odoo-tests (what CI runs)"
	@echo "make pot         regenerate the translation template and merge the .po files"
	@echo "make bench       the addon's cost against stock Odoo; writes bench/results.json"
	@echo "make bench-quick the same, 10x smaller, for development"
	@echo "make screenshots README screenshots of the demo into docs/screenshots/ (needs Chromium)"

setup:
	@$(DEV) setup

demo:
	@DEMO_LANG="$(DEMO_LANG)" $(DEV) demo

# Lint and tests both run; either failing fails the target.
test: setup
	@rc=0; $(DEV) lint || rc=1; $(DEV) test "$(TAGS)" || rc=1; exit $$rc

test-only: setup
	@$(DEV) test "$(TAGS)"

lint: setup
	@$(DEV) lint

odoo-tests: setup
	@$(DEV) odoo-tests

# Reliability suites: each on a database of its own.
concurrency: setup
	@$(DEV) concurrency

lifecycle: setup
	@$(DEV) lifecycle

# The logic tests under pytest-odoo, on a database of their own.
pytest: setup
	@$(DEV) pytest $(PYTEST_ARGS)

# Everything CI runs: lint, test, concurrency, lifecycle, odoo-tests; every part runs, any failing
# fails the target; a summary with each part's duration ends the output.
test-all: setup
	@$(DEV) test-all "$(TAGS)"

# Regenerate order_fulfilment/i18n/order_fulfilment.pot and merge it into the .po files.
pot: setup
	@$(DEV) pot

# bench_base / bench_addon databases, kept between runs (bench/README.md).
bench: setup
	@$(DEV) bench

bench-quick: setup
	@$(DEV) bench --quick

# Starts a demo server on a free port, takes the README screenshots, stops it.
screenshots: setup
	@$(DEV) screenshots

clean:
	rm -rf .dev/data .dev/logs
