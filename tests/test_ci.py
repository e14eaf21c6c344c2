"""CI's shape (issue 26): the unit tests and the end-to-end files are two steps of .ci/run, both
must pass, and nothing is dropped between them: every test is in exactly one of the two runs."""
import re
from pathlib import Path

import conftest

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_unit_tests_then_the_end_to_end_tests_and_stops_on_a_failure():
    run = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in run
    lines = [line.strip() for line in run.splitlines()]
    assert lines.index("make test") < lines.index("make test-e2e")


def test_make_test_and_make_test_e2e_split_the_suite_by_the_e2e_marker():
    makefile = (ROOT / "Makefile").read_text()
    unit = re.search(r"^test:.*\n\t(.*)$", makefile, re.M).group(1)
    e2e = re.search(r"^test-e2e:.*\n\t(.*)$", makefile, re.M).group(1)
    # the same run but for the marker expression: one is the other's complement
    assert unit.replace('-m "not e2e"', "-m e2e") == e2e
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^addopts = ".*--durations=\d+', pyproject, re.M)
    assert re.search(r'^\s*"e2e: ', pyproject, re.M)  # registered (--strict-markers)


def test_the_end_to_end_files_exist_and_are_test_files():
    for name in conftest.E2E_FILES:
        assert (ROOT / "tests" / name).is_file() and name.startswith("test_"), name
