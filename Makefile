# The few commands a person types. Everything installs itself on a fresh Debian or Ubuntu machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint install system-packages browser clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

system-packages:
	@scripts/system-packages.sh

browser:
	@scripts/system-packages.sh --browser

demo: install system-packages
	$(PY) manage.py demo

test: install browser
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install system-packages
	$(PY) -m bench $(BENCH_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) var
