# The two commands a new user needs (README): `make report` and `make test`.
# Both build .venv if it is missing and install orbitdc with the pinned set (constraints.txt).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.orbitdc-installed

.PHONY: report test test-e2e bench docs install clean-venv

install: $(STAMP)

# uv (from PyPI, into .venv) installs the pinned set in ~30 s where pip takes ~2 min (parallel
# downloads and unpacking); the same constraints, byte-compiled like pip does. Where uv cannot be
# installed or fails, pip installs the same set.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24" wheel
	($(PY) -m pip install --quiet "uv>=0.5" && \
	  $(PY) -m uv pip install --quiet --python $(PY) --compile-bytecode -c constraints.txt -e '.[all,test,docs]') || \
	  $(PY) -m pip install --quiet -c constraints.txt -e '.[all,test,docs]'
	@touch $(STAMP)

## make report: the feasibility report of the shipped architectures -> reports/feasibility/index.html
report: $(STAMP)
	$(VENV)/bin/orbitdc report

## make test: the unit tests (pytest exits non-zero if no test ran); the slowest 25 are listed
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile -m "not e2e"

## make test-e2e: the end-to-end files (report builds, Chromium, wheels, a dask cluster: the e2e
## marker, set by file in tests/conftest.py); CI runs both steps and both must pass
test-e2e: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile -m e2e

## make bench: every benchmarks/bench_*.py, one after the other -> benchmarks/RESULTS.md (README quotes it)
bench: $(STAMP)
	$(PY) benchmarks/_results.py

## make docs: the documentation site -> docs/_build/html/index.html, built offline (nothing fetched,
## notebooks not executed), warnings are errors and every internal reference must resolve (-n).
## ORBITDC_DOCS_NOTEBOOKS=<report>/notebooks shows the notebooks with that report run's outputs.
docs: $(STAMP)
	$(PY) -m sphinx -b html -W --keep-going -n -q docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

clean-venv:
	rm -rf $(VENV)
