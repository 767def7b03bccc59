# Kompeten: `make run` serves the demo, `make test` runs the whole suite. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
MANAGE := $(BIN)/python manage.py
ADDR ?= 127.0.0.1:8000
PO := $(wildcard locale/*/LC_MESSAGES/django.po)
MO := $(PO:.po=.mo)

.PHONY: install run test lint format migrations-check schema-check messages worker beat bench clean

install: $(STAMP) $(MO)

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	rm -f $(VENV)/.installed-* && touch $@

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(STAMP)
	DEBUG=true $(MANAGE) compilemessages --locale $* --ignore=.venv --verbosity 0

run: export DEBUG ?= true
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) runserver $(ADDR)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: export DEBUG ?= true
migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

# The REST API's OpenAPI schema (drf-spectacular): valid, and not one warning.
schema-check: export DEBUG ?= true
schema-check: install
	$(MANAGE) spectacular --validate --fail-on-warn > /dev/null

# Extract every translatable string into locale/{id,en} and compile them.
messages: export DEBUG ?= true
messages: $(STAMP)
	$(MANAGE) makemessages --locale id --locale en --ignore '.venv/*' --ignore 'static/*' --no-obsolete
	$(MANAGE) compilemessages --ignore=.venv

worker: install
	$(BIN)/celery -A lsp worker --loglevel=info

beat: install
	$(BIN)/celery -A lsp beat --loglevel=info

# Every benchmark script in bench/, each runnable alone; each prints `name: value unit` lines.
# Modules starting with an underscore are their helpers, not scripts.
bench: install
	@for script in bench/[!_]*.py; do [ -e "$$script" ] || continue; $(BIN)/python "$$script" || exit 1; done

clean:
	rm -rf $(VENV) staticfiles .test-media
