# Townhall: build, run and test. `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.requirements-installed
FLASK := $(BIN)/flask --app run
PYTEST_ARGS ?=

TRANSLATIONS := app/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
# Catalogs `make extract` keeps (initialising any that are missing). English is the source language.
CATALOG_LOCALES := zh_Hans_CN en
DEMO_STAMP := instance/.demo-loaded

.PHONY: help venv translations extract untranslated run migrate migration migration-reset test lint clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

venv: $(VENV_STAMP) ## create .venv and install requirements-dev.txt (again only when requirements change)

$(VENV_STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

translations: $(MO_FILES) ## compile the Flask-Babel catalogs (.po -> .mo); nothing to do without catalogs

%.mo: %.po | $(VENV_STAMP)
	$(BIN)/pybabel compile --input-file $< --output-file $@

# The keywords (_l, lazy_ngettext...) are in babel.cfg, which tests/test_i18n.py extracts with too.
# --ignore-dirs replaces Babel's default, which also skips every folder whose name starts with "_"
# (templates/_macros/); tests/catalogs.py skips the same folders.
extract: venv ## collect strings into messages.pot and merge them into every catalog; then `make untranslated`
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs ".* __pycache__" --project Townhall \
	  --add-comments Translators: -o $(TRANSLATIONS)/messages.pot .
	for locale in $(CATALOG_LOCALES); do \
	  $(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $$locale --init-missing --previous; \
	done
	$(BIN)/python -c "$$COPY_ENGLISH_SOURCE"

untranslated: venv ## list catalog entries still to translate (empty or fuzzy); fails if there are any
	@$(BIN)/python -c "$$LIST_UNTRANSLATED"

# English is the source language: every msgstr of the en catalog is its msgid, so both catalogs are complete
# (pybabel update leaves new entries empty, or fuzzy with a neighbour's text).
define COPY_ENGLISH_SOURCE
from babel.messages.pofile import read_po, write_po
path = "$(TRANSLATIONS)/en/LC_MESSAGES/messages.po"
with open(path, "rb") as f:
    catalog = read_po(f)
for message in catalog:
    if message.id:
        message.string = message.id
        message.flags.discard("fuzzy")
        message.previous_id = []
with open(path, "wb") as f:
    write_po(f, catalog)
endef
export COPY_ENGLISH_SOURCE

define LIST_UNTRANSLATED
import glob, sys
from babel.messages.pofile import read_po
todo = 0
for path in sorted(glob.glob("$(TRANSLATIONS)/*/LC_MESSAGES/messages.po")):
    with open(path, "rb") as f:
        catalog = read_po(f)
    for m in catalog:
        strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        if m.id and (m.fuzzy or not all(strings)):
            todo += 1
            where = " ".join(f"{file}:{line}" for file, line in m.locations[:2])
            print(f"{path}: {'fuzzy' if m.fuzzy else 'empty'} {m.id!r}  ({where})")
print(f"{todo} entries to translate" if todo else "All catalogs are complete.")
sys.exit(1 if todo else 0)
endef
export LIST_UNTRANSLATED

run: venv translations ## migrate the development database, load demo data on first start, serve on 127.0.0.1:PORT (default 5000)
	@# A new default SQLite database (first start, or the file was deleted) gets the demo data again.
	@if [ -z "$${DATABASE_URL:-}" ] && [ ! -f instance/townhall.sqlite3 ]; then rm -f $(DEMO_STAMP); fi
	$(FLASK) db upgrade
	@if [ ! -f $(DEMO_STAMP) ]; then \
	  mkdir -p instance; \
	  $(FLASK) demo load | tee $(DEMO_STAMP).tmp; \
	  mv $(DEMO_STAMP).tmp $(DEMO_STAMP); \
	else \
	  echo "Demo data was loaded on first start (delete $(DEMO_STAMP) to load it again). Its logins:"; \
	  grep -i login $(DEMO_STAMP) || tail -n 5 $(DEMO_STAMP); \
	fi
	$(FLASK) run --host 127.0.0.1 --port "$${PORT:-5000}"

migrate: venv ## upgrade the development database to the newest migration
	$(FLASK) db upgrade

# Autogenerate against a throwaway SQLite database upgraded to head, so the new revision holds exactly
# the model changes, whatever state the development database is in.
migration: venv ## new migration from the model changes: make migration m="add questions"; then read and trim it
	@test -n "$(m)" || { echo 'Usage: make migration m="what changed"' >&2; exit 2; }
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	DATABASE_URL="sqlite:///$$tmp/autogenerate.sqlite3" $(FLASK) db upgrade; \
	DATABASE_URL="sqlite:///$$tmp/autogenerate.sqlite3" $(FLASK) db migrate -m "$(m)"

migration-reset: ## before the first release only: replace every migration by one initial migration
	rm -f migrations/versions/*.py
	$(MAKE) migration m="$(or $(m),meetings and accounts)"

# Both passes always run (the second only with TEST_DATABASE_URL); the target fails if either failed.
# TEST_TIMEOUT (seconds per pass) stops a hung run (e.g. a stuck thread) long before CI's own limit.
TEST_TIMEOUT ?= 2400
test: venv translations ## run the tests on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set
	@case "$${CI:-}" in 1|true|TRUE|True|yes) \
	  if [ -z "$${TEST_DATABASE_URL:-}" ] || [ -z "$${REDIS_URL:-}" ]; then \
	    echo "CI=$${CI}: TEST_DATABASE_URL and REDIS_URL must both be set (.ci/run sets them)." >&2; exit 1; \
	  fi;; \
	esac
	@run_pytest() { \
	  timeout --signal=INT --kill-after=60 $(TEST_TIMEOUT) $(BIN)/pytest "$$@" $(PYTEST_ARGS) || { rc=$$?; \
	    [ $$rc -ne 124 ] || echo "pytest was stopped after $(TEST_TIMEOUT) s (TEST_TIMEOUT)." >&2; return $$rc; }; \
	}; \
	status=0; \
	echo '== SQLite pass: pytest -m "not postgres"'; \
	(unset TEST_DATABASE_URL; run_pytest -m "not postgres") || status=1; \
	if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
	  echo '== PostgreSQL pass (TEST_DATABASE_URL): pytest -m "not browser"'; \
	  run_pytest -m "not browser" || status=1; \
	else \
	  echo "TEST_DATABASE_URL is not set: the PostgreSQL pass did not run."; \
	fi; \
	exit $$status

lint: venv ## ruff check (install ruff into .venv first: .venv/bin/pip install ruff)
	@test -x $(BIN)/ruff || { echo "ruff is not installed: $(BIN)/pip install ruff" >&2; exit 1; }
	$(BIN)/ruff check app tests migrations

clean: ## remove compiled catalogs and caches (keeps .venv and instance/)
	rm -f $(MO_FILES)
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
