"""Monte Carlo benchmark: a million samples through the whole chain, both ways of treating design.

Targets (issue 26, on the 2-core machine; in memory, the full Dataset returned):

* ``monte_carlo(arch, 1_000_000)`` with the default ``design="optimal"`` (each sample the best
  design of the table for its world, catalog values drawn, the correlations of data): <= 10 s
  wall, peak memory <= 2 GB;
* the same with ``design="nominal"`` (design variables held): <= 4 s wall;
* (issue 13) 10,000,000 samples with ``chunks=131072`` reduced to quantiles: peak < 2 GB.

Each case runs in its own Python process, so that its peak memory is its own: ``VmHWM`` of
``/proc/self/status`` read after the run (the high-water mark reset just before it where the
kernel allows, so imports and warm-up are not counted twice), never with tracing on. Wall time
(``time.perf_counter``) is the figure the targets name; CPU time (``time.process_time``, every
thread) is printed beside it with the load average, because the machine is shared. The optimal
case also reports where its time goes (draws, the design choice, the chain at the chosen designs,
the one-off planning: design table and screen), timed by wrappers around those steps.

Usage::

    .venv/bin/python benchmarks/bench_mc.py                        # 1m-nominal, 1m-optimal
    .venv/bin/python benchmarks/bench_mc.py --case all             # and the 10-million-sample case
    .venv/bin/python benchmarks/bench_mc.py --case 1m-optimal --samples 200000
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _results import high_water, record, reset_high_water  # noqa: E402

CASES = ("1m-nominal", "1m-optimal", "10m")
DEFAULT_CASES = ("1m-nominal", "1m-optimal")
GB = 1e9


def _timed(store: dict, module, name: str) -> None:
    """Wrap ``module.name`` so that its wall time adds up in ``store[name]`` (a few calls per run:
    the wrapper's cost is nothing beside them)."""
    fn = getattr(module, name)

    @functools.wraps(fn)
    def wrapper(*a, **k):
        t0 = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            store[name] = store.get(name, 0.0) + time.perf_counter() - t0

    setattr(module, name, wrapper)


def _child(args) -> None:
    import numpy as np

    import orbitdc as odc
    from orbitdc import uncertainty as unc

    arch = odc.load_architecture(args.arch)
    odc.evaluate(arch)  # imports, catalogs and the eclipse grids warm (not timed)
    n = args.samples
    label = f"{n:,}" if n != 1_000_000 else "1,000,000"
    phases: dict[str, float] = {}
    if args.case == "1m-optimal":
        for name in ("_draw_arrays", "_choose_designs", "_run_one", "_plan_design"):
            _timed(phases, unc, name)
    reset = reset_high_water()
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    if args.case in ("1m-nominal", "1m-optimal"):
        design = "nominal" if args.case == "1m-nominal" else "optimal"
        ds = unc.monte_carlo(arch, n, seed=0, design=design)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        peak = high_water()
        target = "<= 4" if design == "nominal" else "<= 10"
        note = (f"{cpu:.1f} s CPU over {os.cpu_count()} CPUs; {len(unc.marginals(arch))} parameters drawn; "
                f"load average {load0:.1f} -> {os.getloadavg()[0]:.1f}")
        record(f"monte_carlo {arch.name}, {label} samples in memory, design={design!r} (wall)", wall, "s",
               target if n == 1_000_000 else None, note)
        record(f"monte_carlo {arch.name}, {label} samples, design={design!r}: peak memory (VmHWM"
               f"{', reset before the run' if reset else ''})", peak / GB, "GB",
               "<= 2" if (design == "optimal" and n == 1_000_000) else None,
               f"the result itself: {ds.nbytes / GB:.2f} GB")
        if design == "optimal":
            dose = float(np.asarray(ds["violates_total_ionizing_dose"]).sum())
            record(f"monte_carlo {arch.name}, {label} samples, design='optimal': samples violating the total dose",
                   dose, "samples", "<= 0", f"P(feasible) {float(ds['feasible'].mean()):.4f}; "
                   f"{int(ds['design_repaired'].sum())} samples repaired; {ds.attrs['design_table_candidates']} candidates")
            split = ", ".join(f"{k.strip('_').replace('_', ' ')} {v:.1f} s" for k, v in phases.items())
            record(f"monte_carlo {arch.name}, {label} samples, design='optimal': where the wall time goes "
                   "(draws, design choice, chain at the chosen designs, design table)",
                   sum(phases.values()), "s", None, split)
            print("screen: " + ds.attrs.get("design_screen", ""))
            print("screen check: " + ds.attrs.get("design_screen_check", ""))
    else:  # 10m: lazy, chunked, reduced to quantiles
        import dask

        n = 10_000_000
        lazy = unc.monte_carlo(arch, n, seed=0, chunks=args.chunk, design="nominal")
        wanted = [v for v in ("cost_ratio_vs_terrestrial", "cost_per_kw_year", "total_mass") if v in lazy.data_vars]
        summary = unc.summarize(lazy, wanted)
        with dask.config.set(num_workers=args.workers):
            summary = summary.compute(scheduler="threads")
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        record(f"monte_carlo {arch.name}, 10,000,000 samples, chunks={args.chunk}, {args.workers} threads, "
               "quantiles: peak memory (VmHWM)", high_water() / GB, "GB", "< 2",
               f"{wall:.1f} s wall, {cpu:.1f} s CPU, design='nominal', load average {load0:.1f}")
        print(json.dumps({v: [float(x) for x in np.asarray(summary[v].values).ravel()] for v in wanted}))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="spacex-starlink-compute")
    ap.add_argument("--case", choices=CASES + ("all",), default=None,
                    help=f"one case, or all (default: {', '.join(DEFAULT_CASES)})")
    ap.add_argument("--samples", type=int, default=1_000_000, help="samples of the 1m cases")
    ap.add_argument("--chunk", type=int, default=131_072, help="samples per dask chunk (10m case)")
    ap.add_argument("--workers", type=int, default=2, help="threads of the 10m case")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args)
        return 0
    cases = CASES if args.case == "all" else ((args.case,) if args.case else DEFAULT_CASES)
    print(f"orbitdc Monte Carlo benchmark: {args.arch}, {os.cpu_count()} CPUs visible, python {sys.version.split()[0]}",
          flush=True)
    status = 0
    for case in cases:
        cmd = [sys.executable, __file__, "--child", "--case", case, "--arch", args.arch, "--samples", str(args.samples),
               "--chunk", str(args.chunk), "--workers", str(args.workers)]
        proc = subprocess.run(cmd, cwd=HERE.parent)  # its records print (and reach make bench) themselves
        if proc.returncode != 0:
            print(f"[{case}] FAILED (exit {proc.returncode})", flush=True)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
