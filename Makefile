# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench clean

# Re-install only when the dependencies change.
$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "TaskFlow needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

run: $(BIN)/.installed ## migrate and seed the embedded database, then serve on :8000
	$(BIN)/taskflow db upgrade
	$(BIN)/taskflow db seed
	@echo
	@echo "  API:  http://$(HOST):$(PORT)   docs: http://$(HOST):$(PORT)/docs"
	@echo "  In another terminal:  source $(VENV)/bin/activate"
	@echo "                        taskflow login --server http://$(HOST):$(PORT) --email user@example.com"
	@echo "                        (password: user123; admin@example.com / admin123 for the admin)"
	@echo
	$(BIN)/taskflow server --host $(HOST) --port $(PORT)

# Two xdist workers: the suite in about half the time on two cores (each worker has its own
# databases, Redis database and ports). `make test PYTEST_ARGS=` runs it in one process.
PYTEST_ARGS ?= -n 2

test: $(BIN)/.installed ## the whole suite, on a PostgreSQL and a Redis it starts (or TASKFLOW_TEST_*)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed ## ruff, mypy (strict on the core) and the import-layering contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(BIN)/.installed ## the benchmarks of bench/ (needs PostgreSQL and Redis)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
