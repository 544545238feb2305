# Two commands do all the set-up on a fresh machine:
#   make quiz   -> installs everything, then opens the theory quiz on the default bank
#   make test   -> installs everything, then runs ruff, the layer contract and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# A local wheel folder (this course's lab machines keep the CPU build of torch there).
PIP_LOCAL := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)

.PHONY: quiz test setup lint bench clean

$(STAMP): pyproject.toml scripts/install-system-packages.sh
	bash scripts/install-system-packages.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install $(PIP_LOCAL) -e '.[dev]'
	$(BIN)/quiz setup
	touch $(STAMP)

setup: $(STAMP)

quiz: setup
	$(BIN)/quiz take

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) build *.egg-info
