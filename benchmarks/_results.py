"""Benchmark results: every figure a benchmark prints is one row of one table.

Each script in ``benchmarks/`` reports its figures through :func:`record`, which prints the row
and, when the script runs under ``make bench``, appends it to the run's collection (a JSON-lines
file named by the ``ORBITDC_BENCH_RESULTS`` environment variable). Run as a script, this module
is ``make bench``: it runs every ``benchmarks/bench_*.py`` in its own process, one after the
other, and writes ``benchmarks/RESULTS.md`` -- one table (measure, value, target, met?) under the
machine it ran on (cores, CPU model), the Python version, the 1-minute load average before and
after the run and the date. README's performance section quotes that file; a figure no script
prints does not belong in README.

Memory is read from the process's own high-water mark (``VmHWM`` in ``/proc/self/status``), never
from ``tracemalloc`` while timing: tracing slows every allocation down, so a time measured with it
on is not the time of the code. ``getrusage``'s ``ru_maxrss`` is not used either: Linux carries a
parent's high-water mark across fork + exec, so a child can report its parent's peak.

    python benchmarks/_results.py                 # all scripts -> benchmarks/RESULTS.md
    python benchmarks/_results.py bench_chain     # only the scripts whose name contains a word
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENV = "ORBITDC_BENCH_RESULTS"
RESULTS_MD = HERE / "RESULTS.md"

_TARGET = re.compile(r"^\s*(<=|>=|<|>|≤|≥)\s*([-+0-9.eE_,]+)\s*$")
_OPS = {"<=": float.__le__, "≤": float.__le__, ">=": float.__ge__, "≥": float.__ge__,
        "<": float.__lt__, ">": float.__gt__}

#: the rows recorded in this process (the "results collection" of one script)
RESULTS: list[dict] = []


def _script() -> str:
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return Path(path).name if path else "<interactive>"


def load_average() -> float:
    """The 1-minute load average (other work on a shared machine slows every figure down)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover - not on Linux
        return float("nan")


def met(value: float | None, target: str | None) -> bool | None:
    """Whether ``value`` meets ``target`` (``"<= 5"``, ``">= 3e6"``, ``"< 2"``, in the value's
    unit); ``None`` when there is no target or no value."""
    if value is None or not target:
        return None
    m = _TARGET.match(target)
    if not m:
        raise ValueError(f"benchmark target {target!r}: expected an operator and a number, e.g. '<= 5'")
    return bool(_OPS[m.group(1)](float(value), float(m.group(2).replace("_", "").replace(",", ""))))


def fmt(value: float | None) -> str:
    """A figure with three significant digits, thousands separated; 1e6 and up in e-notation."""
    if value is None:
        return "not run"
    v = float(value)
    if v != v:
        return "nan"
    if abs(v) >= 1e6:
        mant, exp = f"{v:.3g}".split("e")
        return f"{mant}e{int(exp)}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def record(measure: str, value: float | None, unit: str, target: str | None, note: str = "") -> dict:
    """Print one benchmark figure and add it to the results collection.

    ``measure`` says what was measured (and how: wall or CPU time, best or median of how many);
    ``value`` is the figure (``None``: not run, say why in ``note``); ``unit`` its unit;
    ``target`` the issue's target in the same unit as a comparison (``"<= 5"``, ``">= 1e6"``) or
    ``None``; ``note`` anything the reader needs to read the figure. The 1-minute load average at
    the time of recording is kept beside it.
    """
    row = {"script": _script(), "measure": measure, "value": None if value is None else float(value),
           "unit": unit, "target": target or "", "met": met(value, target), "note": note,
           "load": load_average()}
    RESULTS.append(row)
    verdict = {True: "met", False: "NOT met", None: ""}[row["met"]]
    target_txt = f"  (target {target} {unit}) {verdict}" if target else ""
    note_txt = f"  [{note}]" if note else ""
    print(f"{measure}: {fmt(value)} {unit}{target_txt}{note_txt}  load {row['load']}", flush=True)
    path = os.environ.get(ENV)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
    return row


def high_water() -> int:
    """This process's peak resident memory so far, in bytes (``VmHWM``; 0 where unavailable)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):  # pragma: no cover - not on Linux
        return 0


def resident() -> int:
    """This process's resident memory now, in bytes (``VmRSS``; 0 where unavailable)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration):  # pragma: no cover - not on Linux
        return 0


def reset_high_water() -> bool:
    """Reset ``VmHWM`` to the current resident set (Linux >= 4.0: ``5`` into
    ``/proc/self/clear_refs``), so the next :func:`high_water` is the peak of what runs after.
    Returns False where the kernel does not allow it (the peak is then that of the process)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:  # pragma: no cover
        return False


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):  # pragma: no cover
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        commit = commit + (" with uncommitted changes" if dirty else "") if commit else ""
    except (OSError, subprocess.SubprocessError):  # pragma: no cover
        commit = ""
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "commit": commit}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_markdown(rows: list[dict], info: dict, path: Path = RESULTS_MD) -> None:
    """Write the table of ``rows`` with the machine and run ``info`` (load before/after, date, failures)."""
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`benchmarks/_results.py`, which runs every `benchmarks/bench_*.py`);",
        "do not edit by hand. Every performance figure README quotes is a row of this table.",
        "",
        f"- Date: {info['date']}",
        f"- Machine: {info['cores']} cores, {info['cpu']}; {info['system']}",
        f"- Python {info['python']}; orbitdc commit {info['commit'] or 'unknown'}",
        f"- Load average (1 min) before the run: {info['load_before']}, after: {info['load_after']}"
        " (a shared machine: timings grow with the load; each row has the load when it was recorded)",
        f"- Scripts: {', '.join(info['scripts'])}; wall time of the whole run {info['elapsed']:.0f} s",
    ]
    if info.get("failed"):
        lines.append(f"- FAILED (no or partial figures): {', '.join(info['failed'])}")
    lines += ["", "| script | measure | value | target | met? | load | note |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        value = fmt(r["value"]) + (f" {r['unit']}" if r["value"] is not None else "")
        target = f"{r['target']} {r['unit']}" if r["target"] else "—"
        verdict = {True: "yes", False: "**no**", None: "—"}[r["met"]]
        lines.append("| " + " | ".join(_cell(c) for c in (r["script"], r["measure"], value, target, verdict,
                                                           r["load"], r["note"])) + " |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Run every benchmarks/bench_*.py and write benchmarks/RESULTS.md.")
    ap.add_argument("only", nargs="*", help="run only the scripts whose file name contains one of these words")
    ap.add_argument("-o", "--output", type=Path, default=RESULTS_MD, help="the table to write (default: %(default)s)")
    args = ap.parse_args(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if any(w in s.name for w in args.only)]
    if not scripts:
        print("benchmarks/_results.py: no benchmark script matches " + ", ".join(args.only), file=sys.stderr)
        return 2
    info = machine()
    info["date"] = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    info["load_before"] = load_average()
    info["scripts"] = [s.name for s in scripts]
    info["failed"] = []
    collection = args.output.with_suffix(".jsonl.tmp")
    collection.unlink(missing_ok=True)
    env = dict(os.environ, **{ENV: str(collection)})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    t0 = time.perf_counter()
    for script in scripts:
        print(f"== {script.name} (load average {load_average()})", flush=True)
        proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env)
        if proc.returncode != 0:
            info["failed"].append(f"{script.name} (exit {proc.returncode})")
    info["elapsed"] = time.perf_counter() - t0
    info["load_after"] = load_average()
    rows = []
    if collection.exists():
        rows = [json.loads(line) for line in collection.read_text(encoding="utf-8").splitlines() if line.strip()]
        collection.unlink()
    write_markdown(rows, info, args.output)
    print(f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}: "
          f"{len(rows)} figures from {len(scripts)} scripts" + (f"; FAILED: {', '.join(info['failed'])}" if info["failed"] else ""))
    return 1 if info["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
