"""Benchmark of ``orbitdc report`` at its defaults (the shipped architectures, data/report.yaml's
sample count and seed; issue 26: <= 60 s warm on the 2-core machine).

Two builds into a temporary folder, each a fresh ``orbitdc report`` process: the first with an
empty on-disk cache of its own (``ORBITDC_CACHE_DIR``: the eclipse grids are built), the second
with that cache filled (warm: what a user's second report costs). Wall times, with the seconds of
each notebook (``provenance.json``) in the note; the load average is in every row.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import record


def _build(folder: Path, cache: Path, name: str) -> tuple[float, dict]:
    exe = Path(sys.executable).with_name("orbitdc")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "orbitdc"]
    env = {**os.environ, "ORBITDC_CACHE_DIR": str(cache), "ORBITDC_PROGRESS": "0"}
    t0 = time.perf_counter()
    proc = subprocess.run([*cmd, "report", "--out", str(folder / name)], env=env, capture_output=True, text=True,
                          cwd=folder, timeout=1800)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"orbitdc report failed ({proc.returncode}): {proc.stderr[-1000:]}")
    prov = json.loads((folder / name / "provenance.json").read_text())
    return wall, prov


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="orbitdc-bench-report-") as tmp:
        folder = Path(tmp)
        cache = folder / "cache"
        for label, name, target in (("cold (eclipse grids built)", "cold", None), ("warm (eclipse grids read)", "warm", "<= 60")):
            wall, prov = _build(folder, cache, name)
            nb = ", ".join(f"{k[:2]} {v:.0f} s" for k, v in sorted(prov["notebook_seconds"].items()))
            record(f"orbitdc report at defaults ({prov['samples']} samples, {len(prov['parameters']['architectures'])} "
                   f"architectures), {label} (wall)", wall, "s", target, note=f"notebooks: {nb}")


if __name__ == "__main__":
    main()
