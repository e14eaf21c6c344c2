# The two commands a new user needs (README): `make report` and `make test`.
# Both build .venv if it is missing and install orbitdc with the pinned set (constraints.txt).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.orbitdc-installed

.PHONY: report test bench install clean-venv

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24" wheel
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

## make report: the feasibility report of the shipped architectures -> reports/feasibility/index.html
report: $(STAMP)
	$(VENV)/bin/orbitdc report

## make test: the whole test suite (pytest exits non-zero if no test ran)
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile

## make bench: every benchmarks/bench_*.py, one after the other -> benchmarks/RESULTS.md (README quotes it)
bench: $(STAMP)
	$(PY) benchmarks/_results.py

clean-venv:
	rm -rf $(VENV)
