# The two set-up commands on a fresh machine are `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: install run test lint generate bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml clients/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e clients/python -e '.[dev]'
	touch $@

# Serves on 127.0.0.1:50051: the mock models, plus every provider whose key is in the environment.
run: install
	$(VENV)/bin/llmgateway serve $(ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Regenerates every language from protos/: Python here, the others by clients/<lang>/generate.sh.
generate: install
	scripts/generate-python.sh
	for script in clients/*/generate.sh; do [ -x "$$script" ] && "$$script" || exit 1; done

bench: install
	bench/run.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
