# Refuge — the two commands that matter are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= $(CURDIR)/data
# `make demo PORT=8100 SMTP_PORT=2600` moves the server, the demo's mail sink and every link in
# e-mails and calendar feeds (REFUGE_BASE_URL) together.
PORT ?= 8000
SMTP_PORT ?= 8025
# The PostgreSQL run of the suite; where no server answers, its tests skip (CI fails instead).
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/refuge

.PHONY: demo test test-sqlite test-postgres lint typecheck bench clean fonts messages catalogues

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: fonts messages
	REFUGE_DATA_DIR=$(DATA) REFUGE_DEMO_NO_2FA=true REFUGE_SMTP_HOST=127.0.0.1 REFUGE_SMTP_PORT=$(SMTP_PORT) \
		REFUGE_BASE_URL=http://127.0.0.1:$(PORT) $(BIN)/refuge demo --serve --port $(PORT)

test: fonts $(VENV)/.installed-dev
	$(MAKE) messages
	$(BIN)/ruff check refuge tests bench
	REFUGE_DATA_DIR=$$(mktemp -d) $(BIN)/mypy refuge
	REFUGE_DATA_DIR=$$(mktemp -d) $(BIN)/refuge makemigrations --check --dry-run
	@# The two runs side by side, one a core: the PostgreSQL one's report follows when both have ended.
	@log=$$(mktemp); echo "make test: the PostgreSQL run goes on beside this one; its report follows at the end"; \
	  $(MAKE) --no-print-directory test-postgres >$$log 2>&1 & postgres=$$!; \
	  $(MAKE) --no-print-directory test-sqlite; sqlite_exit=$$?; \
	  wait $$postgres; postgres_exit=$$?; \
	  echo; echo "==== the PostgreSQL run ===="; cat $$log; rm -f $$log; \
	  echo "make test: SQLite run exit $$sqlite_exit, PostgreSQL run exit $$postgres_exit"; \
	  [ $$sqlite_exit -eq 0 ] && [ $$postgres_exit -eq 0 ]

# The whole suite on SQLite (browser tests included), or the database tests on PostgreSQL.
test-sqlite: fonts $(VENV)/.installed-dev
	$(BIN)/python -m pytest

test-postgres: fonts $(VENV)/.installed-dev
	REFUGE_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -m "not browser" -p no:cacheprovider

# Generated filings (PDF) need fonts for Hangul (the Korean client notice) and Cyrillic (Russian letters).
fonts:
	@command -v fc-list >/dev/null || { echo "fontconfig is missing: apt-get install fontconfig" >&2; exit 1; }
	@fc-list :lang=ko family | grep -q . || { echo "no font renders Korean: apt-get install fonts-noto-cjk" >&2; exit 1; }
	@fc-list :lang=ru family | grep -q . || { echo "no font renders Cyrillic: apt-get install fonts-dejavu-core" >&2; exit 1; }

# The interface in Russian and Korean: compile refuge/locale/*/LC_MESSAGES/django.po (the .mo files are not committed).
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { echo "gettext is missing (msgfmt): apt-get install gettext" >&2; exit 1; }
	cd refuge && REFUGE_DATA_DIR=$$(mktemp -d) ../$(BIN)/refuge compilemessages >/dev/null

# After changing a text a person reads: add its msgid to the Russian and Korean catalogues, then translate.
catalogues: $(VENV)/.installed
	cd refuge && REFUGE_DATA_DIR=$$(mktemp -d) ../$(BIN)/refuge makemessages -l ru -l ko \
		--no-location --ignore 'templates/filings/documents/*'

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check refuge tests bench

typecheck: $(VENV)/.installed-dev
	REFUGE_DATA_DIR=$$(mktemp -d) $(BIN)/mypy refuge

# Quick benchmarks; the page benchmark at 100,000 cases is in bench/README.md (it needs ~5 min to generate).
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.engine
	$(BIN)/python -m bench.recompute

clean:
	rm -rf $(VENV) build *.egg-info
