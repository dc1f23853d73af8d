# 政务信息化项目全生命周期管理系统 — developer and CI entry points.
#
#   make run             set everything up, load demo data, serve on http://127.0.0.1:8000/
#   make test            lint, then the whole pytest suite on SQLite and on a throwaway PostgreSQL 15
#                        (the browser journey runs once, in the PostgreSQL run)
#   make lint            ruff check, ruff format --check and mypy (configured in pyproject.toml)
#   make format          apply ruff's automatic fixes and the formatter (scripts/lint-fix.sh)
#   make typecheck       only mypy, on config/ and every app (a top-level folder with apps.py)
#   make test-sqlite     only the SQLite run
#   make test-postgres   only the PostgreSQL run (scripts/with-postgres.sh)
#   make diagram         docs/state-diagram.svg + .png from the django-fsm transitions
#   make policy-table    docs/policy.md, the numbers of the 办法, from lifecycle/policy.py
#   make clean           remove db.sqlite3 and test-artifacts/
#   make render-samples  PNGs of one letter and one form in test-artifacts/samples/
#   make load            50 simulated users for 60 s against gunicorn (2 workers) on a throwaway
#                        PostgreSQL, loopback only: p50/p95 per request kind (docs/reliability.md)
#   make simulate        the long profile of the simulation of the province (issue 14, docs/simulation.md)
#   make bench           generate a province (BENCH_PROJECTS, default 1000) on SQLite and measure
#                        every page, export and PDF against bare baselines (docs/benchmarks.md);
#                        make bench-postgres does the same on a throwaway PostgreSQL
#
# Extra pytest arguments: make test PYTEST_ARGS="-k review -x"
# Each run is spread over PYTEST_WORKERS processes (pytest-xdist; default: one per CPU,
# PYTEST_WORKERS=0 runs in one process) and ends with its 15 slowest tests.
# System packages come from scripts/ensure-system-packages.sh (needs root or sudo
# the first time, afterwards it only checks dpkg).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
MANAGE      := $(PY) manage.py
PYTEST_WORKERS ?= auto
PYTEST      := $(PY) -m pytest -n $(PYTEST_WORKERS) --durations=15
PYTEST_ARGS ?=
RUFF        := $(VENV)/bin/ruff
MYPY        := $(VENV)/bin/mypy
# mypy checks the settings package and every Django app; a new app (a top-level folder
# with an apps.py) is picked up without editing this line. Tests and scripts are not
# type-checked (ruff still lints them). Every function of a *services / *selectors module
# must be fully annotated; a few legacy modules have their errors silenced, listed with the
# reason in pyproject.toml ([[tool.mypy.overrides]] ignore_errors), to be tightened.
MYPY_PATHS  := config $(sort $(patsubst %/apps.py,%,$(wildcard */apps.py)))
ARTIFACTS   := test-artifacts
# Re-run pip only when a requirements file is newer than this stamp.
STAMP       := $(VENV)/.requirements-dev.stamp

# SQLite: make sure a DATABASE_URL from the caller's environment cannot leak in.
PYTEST_SQLITE    = env -u DATABASE_URL $(PYTEST) $(SQLITE_MARKS) --junitxml=$(ARTIFACTS)/junit-sqlite.xml $(PYTEST_ARGS)
PYTEST_POSTGRES  = bash scripts/with-postgres.sh $(PYTEST) $(POSTGRES_MARKS) --junitxml=$(ARTIFACTS)/junit-postgres.xml $(PYTEST_ARGS)

.PHONY: help run test test-sqlite test-postgres diagram clean system-packages venv messages lint format typecheck

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

system-packages:
	bash scripts/ensure-system-packages.sh

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -r requirements-dev.txt
	touch $@

# compilemessages only when the project has a locale/ directory (outside the venv);
# the compiled .mo files are not in git, so tests need this too.
messages: system-packages venv
	@if [ -n "$$(find . -path ./$(VENV) -prune -o -path ./.git -prune -o -type d -name locale -print -quit)" ]; then \
		echo "$(MANAGE) compilemessages --ignore=$(VENV)"; \
		$(MANAGE) compilemessages --ignore=$(VENV); \
	fi

# The development server with the demo: DEBUG=1 (production is the default, config/settings.py),
# and beside it the worker of the background tasks (issue 10: the annual-plan PDF, big exports
# and dossiers; projects/jobs.py), stopped with the server.
run: export DEBUG = 1
run: system-packages venv messages
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) db_worker --no-reload -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:8000

test-sqlite: system-packages venv messages
	$(PYTEST_SQLITE)

test-postgres: system-packages venv messages
	$(PYTEST_POSTGRES)

# Lint and both runs always happen (a lint finding does not hide a failing test); the
# target fails if any of them fails (including pytest's exit code 5, "no tests collected").
# The browser journey (marker "browser") runs once, on PostgreSQL: what it adds to the page
# tests, which run on both databases, is the browser and a live server committing for real
# on its own connection, which an in-memory SQLite database shares with the tests;
# `make test-sqlite` still runs it on SQLite. The other way round, the typesetting of every
# filing (marker "layout") reads WeasyPrint's boxes, which no database changes: it runs in the
# SQLite run only.
test: SQLITE_MARKS := -m "not browser"
test: POSTGRES_MARKS := -m "not layout"
test: system-packages venv messages
	@lint_rc=0; sqlite_rc=0; postgres_rc=0; \
	echo "==> [1/3] lint (ruff check, ruff format --check, mypy)"; \
	$(MAKE) --no-print-directory lint || lint_rc=$$?; \
	echo "==> [2/3] pytest on SQLite (the browser journey is left to the PostgreSQL run)"; \
	$(PYTEST_SQLITE) || sqlite_rc=$$?; \
	echo "==> [3/3] pytest on PostgreSQL 15 (throwaway cluster)"; \
	$(PYTEST_POSTGRES) || postgres_rc=$$?; \
	echo "==> make test: lint exit $$lint_rc, SQLite exit $$sqlite_rc, PostgreSQL exit $$postgres_rc"; \
	if [ "$$lint_rc" -ne 0 ] || [ "$$sqlite_rc" -ne 0 ] || [ "$$postgres_rc" -ne 0 ]; then exit 1; fi

# All three checks always run, so one `make lint` shows every finding; the target fails
# if any of them fails. Configuration: pyproject.toml. Fix what can be fixed by itself
# with `make format`.
lint: venv
	@check_rc=0; format_rc=0; mypy_rc=0; \
	echo "--> ruff check"; \
	$(RUFF) check . || check_rc=$$?; \
	echo "--> ruff format --check"; \
	$(RUFF) format --check --output-format concise . || format_rc=$$?; \
	echo "--> mypy $(MYPY_PATHS)"; \
	$(MAKE) --no-print-directory typecheck || mypy_rc=$$?; \
	if [ "$$check_rc" -ne 0 ] || [ "$$format_rc" -ne 0 ] || [ "$$mypy_rc" -ne 0 ]; then \
		echo "lint: ruff check exit $$check_rc, ruff format exit $$format_rc, mypy exit $$mypy_rc (try: make format)"; \
		exit 1; \
	fi

# The mypy plugin of django-stubs imports config.settings; keep a caller's DATABASE_URL
# out, as for the SQLite tests (the settings only read it, nothing connects).
typecheck: venv
	env -u DATABASE_URL $(MYPY) $(MYPY_PATHS)

format: venv
	bash scripts/lint-fix.sh

# graph_transitions renders via the graphviz package and leaves the DOT source next to
# the SVG (docs/state-diagram); the PNG is drawn from that source, which is kept as .gv.
diagram: export DEBUG = 1
diagram: system-packages venv
	$(MANAGE) graph_transitions -o docs/state-diagram.svg projects.Project
	mv -f docs/state-diagram docs/state-diagram.gv
	# Long Chinese state names read better in rounded boxes than in circles.
	sed -i 's/shape=circle/shape=box style=rounded/; s/shape=doublecircle/shape=box style="rounded,bold" peripheries=2/' docs/state-diagram.gv
	for fmt in svg png; do \
		dot -T$$fmt -Gfontname="Noto Sans CJK SC" -Nfontname="Noto Sans CJK SC" \
			-Efontname="Noto Sans CJK SC" -o docs/state-diagram.$$fmt docs/state-diagram.gv; \
	done

# The table of the policy's numbers; tests/lifecycle/test_policy_table.py fails when it is stale.
.PHONY: policy-table
policy-table: export DEBUG = 1
policy-table: venv
	$(MANAGE) policy_table --write

clean:
	rm -rf db.sqlite3 db.sqlite3-journal db.sqlite3-wal db.sqlite3-shm $(ARTIFACTS)

# PNGs of one official letter and one form, to look at the layout (issue 4).
.PHONY: render-samples
render-samples: system-packages venv
	$(PY) scripts/render_samples.py $(ARTIFACTS)/samples
	pdftoppm -r 80 -png $(ARTIFACTS)/samples/letter.pdf $(ARTIFACTS)/samples/letter
	pdftoppm -r 80 -png $(ARTIFACTS)/samples/form.pdf $(ARTIFACTS)/samples/form
	@ls $(ARTIFACTS)/samples/*.png

# The load test of docs/reliability.md: locust (requirements-load.txt, installed on first use)
# against gunicorn with 2 workers on a throwaway PostgreSQL, loopback only, bounded in time.
# LOAD_USERS, LOAD_SPAWN_RATE, LOAD_DURATION and LOAD_OUT override the defaults (50, 10, 60s,
# test-artifacts/load); bench/load/run.sh says what happens.
.PHONY: load
load: system-packages venv messages
	test -x $(VENV)/bin/locust || $(PY) -m pip install --disable-pip-version-check -r requirements-load.txt
	bash bench/load/run.sh

# Issue 10: not tests — figures for docs/benchmarks.md (bench/run.py: generate_province, then
# bench/measure.py). Results in bench/results/<database>-<projects>.{json,md}.
BENCH_PROJECTS ?= 1000
BENCH_ARGS ?=
.PHONY: bench bench-postgres
bench: venv
	env -u DATABASE_URL $(PY) bench/run.py --projects $(BENCH_PROJECTS) $(BENCH_ARGS)

bench-postgres: venv
	bash scripts/with-postgres.sh $(PY) bench/run.py --projects $(BENCH_PROJECTS) $(BENCH_ARGS)

# Issue 14: the stateful simulation of the province (tests/simulation, docs/simulation.md), long
# profile: SIMULATION_SEQUENCES sequences (default 100) of 200 steps on SQLite, one process, the
# summary printed at the end (steps per kind, refusals per article, invariants checked, time).
# The short profile (30 × 40, derandomised) runs in make test.
SIMULATION_SEQUENCES ?= 100
.PHONY: simulate
simulate: venv messages
	env -u DATABASE_URL SIMULATION_PROFILE=long SIMULATION_SEQUENCES=$(SIMULATION_SEQUENCES) \
		$(PY) -m pytest -p no:cacheprovider -o addopts="" -q -s -rfE tests/simulation/test_simulation.py
