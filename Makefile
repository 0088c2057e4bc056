# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint fmt lock bench migrate worker messages clean help

help:
	@echo "make run    - install, migrate SQLite, load demo data, serve http://127.0.0.1:8000"
	@echo "make test   - install, run ruff and the whole test suite"
	@echo "make lint   - ruff only"
	@echo "make lock   - re-lock requirements/*.txt from the .in files (uv pip compile)"
	@echo "make worker - run the tasks that wait (webhook retries) while make run serves"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements/base.txt requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements/base.txt -r requirements/dev.txt
	@touch $(STAMP)

.env:
	cp .env.example .env

run: $(STAMP) .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_customers
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# PostgreSQL when DATABASE_URL is set, else SQLite; e.g. BENCH_ARGS="--duration 10".
bench: $(STAMP) requirements/bench.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements/bench.txt
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The lock files' header names the tool; existing pins are kept unless an .in file changed.
LOCK := cd requirements && ../$(BIN)/uv pip compile --quiet --python-version 3.12 --generate-hashes
lock: $(STAMP)
	$(LOCK) base.in -o base.txt
	$(LOCK) dev.in -o dev.txt
	$(LOCK) bench.in -o bench.txt

# `make run`'s immediate backend runs tasks at once; what must wait (webhook retries) waits in
# the `deferred` queue for this worker. With TASKS_BACKEND=django_tasks_db.DatabaseBackend
# every task is queued: run `make worker WORKER_BACKEND=default`.
WORKER_BACKEND ?= deferred
worker: $(STAMP) .env
	$(BIN)/python manage.py db_worker --backend $(WORKER_BACKEND)

# Every catalog but Japanese (the source language); the .mo files are committed.
LANGUAGES := en ko zh_Hant zh_Hans
messages: $(STAMP) .env
	$(BIN)/python manage.py makemessages $(addprefix -l ,$(LANGUAGES)) --no-obsolete \
		--ignore=.venv --ignore=node_modules
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
