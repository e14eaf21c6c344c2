"""``orbitdc report --pdf`` where Chromium is missing: one line on stderr, exit status 2, before
any notebook runs, nothing written (the PDF itself is checked in test_browser_report_answer.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_pdf_without_chromium_is_a_clear_error(tmp_path):
    # a PATH holding only this Python's folder (orbitdc, no chromium/chromedriver)
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    out = tmp_path / "report"
    cmd = [sys.executable, "-m", "orbitdc", "report", "spacex-starlink-compute", "--samples", "4", "--pdf",
           "--out", str(out)]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "--pdf" in lines[0] and "chromium" in lines[0].lower(), res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary folder left beside it either


def test_find_chromium_names_what_is_missing(monkeypatch):
    import pytest

    from orbitdc.errors import OrbitdcError
    from orbitdc.report.pdf import find_chromium

    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    with pytest.raises(OrbitdcError, match=r"chromium and chromedriver not found"):
        find_chromium()
