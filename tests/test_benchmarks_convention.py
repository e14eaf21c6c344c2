"""The benchmark convention (issue 28): every figure a benchmark prints goes through
``benchmarks/_results.record`` (so ``make bench`` collects it into ``benchmarks/RESULTS.md``), no
time is taken with memory tracing on, and memory is the process's own high-water mark."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = sorted(BENCH.glob("bench_*.py"))


def _results():
    spec = importlib.util.spec_from_file_location("_results", BENCH / "_results.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_bench_script_records_its_figures_without_tracing(script):
    src = script.read_text(encoding="utf-8")
    assert re.search(r"\brecord\(", src), f"{script.name}: figures must go through _results.record"
    assert "tracemalloc" not in src, f"{script.name}: memory tracing slows the code it times"
    assert not re.search(r"\)\.ru_maxrss", src), f"{script.name}: ru_maxrss carries a parent's peak over fork + exec; use VmHWM"


def test_targets_are_compared_in_the_value_unit():
    r = _results()
    assert r.met(4.4, "<= 5") is True and r.met(5.1, "<= 5") is False
    assert r.met(3.1e6, ">= 3e6") is True and r.met(2.0, "< 2") is False
    assert r.met(None, "<= 5") is None and r.met(1.0, None) is None
    with pytest.raises(ValueError, match="operator and a number"):
        r.met(1.0, "fast")


def test_results_table_has_machine_load_and_verdicts(tmp_path, monkeypatch):
    r = _results()
    out = tmp_path / "collected.jsonl"
    monkeypatch.setenv(r.ENV, str(out))
    row = r.record("one point", 4.4, "ms", "<= 5", "a note")
    assert out.read_text().count("\n") == 1 and row["met"] is True
    info = dict(r.machine(), date="2026-01-01", load_before=1.0, load_after=2.0, scripts=["bench_x.py"],
                failed=[], elapsed=3.0)
    md = tmp_path / "RESULTS.md"
    r.write_markdown([row, dict(row, value=6.0, met=False)], info, md)
    text = md.read_text()
    assert "cores" in text and "Python" in text and "before the run: 1.0, after: 2.0" in text
    assert "| 4.4 ms | <= 5 ms | yes |" in text and "**no**" in text
