"""Benchmark of start-up: ``import orbitdc``, ``orbitdc --version`` and ``orbitdc list`` from a cold
interpreter (issue 21: <= 1.0 s, <= 0.3 s and <= 0.6 s on the 2-core machine).

Each figure is the median wall time of several fresh subprocesses (a new interpreter each time,
nothing of orbitdc in memory; the operating system's file cache is warm after the first run), with
the median CPU time (user + system of the child) beside it: on a shared machine the wall time
grows with the load average, which every row prints, while the CPU time does not. The first
``evaluate`` of a fresh process (import, the model's libraries, one design point) is reported too,
without a target.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _results import record

RUNS = 7


def _command(*args: str) -> list[str]:
    """The ``orbitdc`` console script of this interpreter's environment, else ``python -m orbitdc``."""
    script = Path(sys.executable).with_name("orbitdc")
    if script.exists():
        return [str(script), *args]
    found = shutil.which("orbitdc")
    return [found, *args] if found else [sys.executable, "-m", "orbitdc", *args]


def timed(cmd: list[str], runs: int = RUNS) -> tuple[float, float]:
    """(median wall time, median CPU time of the child) over ``runs`` fresh processes [s]."""
    walls, cpus = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[:500]}")
        proc.stderr.close()
        cpus.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    cases = [
        ("import orbitdc", [sys.executable, "-c", "import orbitdc"], "<= 1.0"),
        ("orbitdc --version", _command("--version"), "<= 0.3"),
        ("orbitdc list", _command("list"), "<= 0.6"),
        ("python startup alone (the floor)", [sys.executable, "-c", "pass"], None),
        ("first evaluate in a fresh process (import + model libraries + one point)",
         [sys.executable, "-c", "import orbitdc; orbitdc.evaluate('example-minimal')"], None),
    ]
    timed(cases[0][1], 1)  # one run to warm the file cache
    for what, cmd, target in cases:
        runs = 3 if what.startswith("first evaluate") else RUNS
        wall, cpu = timed(cmd, runs)
        record(f"{what}: wall, median of {runs} fresh processes", wall, "s", target, note=f"CPU {cpu:.3f} s")


if __name__ == "__main__":
    main()
