"""Shared test configuration.

Hypothesis profiles: "ci" (default) keeps property tests quick and deterministic enough for a
2-core CI machine; every test still runs (nothing is skipped for lack of something installable).

End-to-end files (issue 26): the test files that build real reports through papermill, drive
Chromium, build and install wheels or start a dask cluster are marked ``e2e`` here, by file, so
that ``make test`` runs the unit tests (``-m "not e2e"``) and ``make test-e2e`` the end-to-end
files; CI runs both, one after the other, and both must pass. A plain ``pytest`` runs everything.
"""
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: The end-to-end test files: each builds a report through papermill, drives headless Chromium,
#: builds or installs the wheel, or starts a dask cluster (what takes the time, by issue 26's count).
E2E_FILES = frozenset({
    "test_browser_app.py",            # Chromium against a served app
    "test_browser_notebooks.py",      # Chromium: the notebooks in JupyterLab
    "test_browser_report.py",         # a report build, then Chromium
    "test_browser_report_answer.py",  # the default report built once, then Chromium at 1280x800 and 390x844
    "test_browser_app_layout.py",     # Chromium against a served app at two widths
    "test_app_links.py",              # Chromium: shared links of the app
    "test_report.py",                 # report builds through papermill
    "test_report_faults.py",          # report builds interrupted and failing on purpose
    "test_report_pdf.py",             # a report build printed by Chromium
    "test_packaging.py",              # wheel builds and installs
    "test_uncertainty_cluster.py",    # a dask.distributed cluster
})

_HERE = Path(__file__).parent
_missing = sorted(name for name in E2E_FILES if not (_HERE / name).is_file())
if _missing:  # a renamed file would silently move into the unit run: say so instead
    raise pytest.UsageError(f"tests/conftest.py: E2E_FILES names files that do not exist: {', '.join(_missing)}")


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in E2E_FILES:
            item.add_marker(pytest.mark.e2e)
