"""Year-by-year model benchmark (issue 14): how fast ``orbitdc.trajectory`` runs.

Targets: one architecture over 25 years <= 50 ms warm; 25 years x 10,000 Monte Carlo samples of
one architecture <= 10 s on the 2-core machine.

The time of a trajectory is two chain calls (the physical pass for the fleet, the cost pass for
the cohorts) plus the trajectory's own work (fleet scan, learning curves, assembly). Both are
printed, so the figure can be read against the chain's own speed. The load average is printed
too: on a shared machine the figures scale with it.

Usage::

    .venv/bin/python benchmarks/bench_trajectory.py                # both cases, SpaceX
    .venv/bin/python benchmarks/bench_trajectory.py --arch NAME --repeat 20 --samples 10000
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from _results import record


def _timed_chain():
    """Wrap the chain call the trajectory makes, to split chain time from the trajectory's own."""
    traj = sys.modules["orbitdc.trajectory"]
    spent = [0.0]
    orig = traj.evaluate

    def timed(*args, **kw):
        t = time.perf_counter()
        try:
            return orig(*args, **kw)
        finally:
            spent[0] += time.perf_counter() - t

    traj.evaluate = timed
    return spent


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="spacex-starlink-compute")
    ap.add_argument("--repeat", type=int, default=10, help="warm runs of the single trajectory (median reported)")
    ap.add_argument("--samples", type=int, default=10_000)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    import orbitdc as odc

    arch = odc.load_architecture(args.arch)
    spent = _timed_chain()
    years = range(2026, 2051)
    odc.trajectory(arch, years)  # warm-up: imports, catalog and data caches
    print(f"== {args.arch}, years {years.start}-{years.stop - 1} (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores;"
          f" import + first call {time.perf_counter() - t0:.2f} s)")

    totals, chains = [], []
    for _ in range(args.repeat):
        spent[0] = 0.0
        t = time.perf_counter()
        odc.trajectory(arch, years)
        totals.append(time.perf_counter() - t)
        chains.append(spent[0])
    tot, ch = statistics.median(totals), statistics.median(chains)
    record(f"trajectory: one architecture x 25 years, warm (wall, median of {args.repeat})", tot * 1e3, "ms", "<= 50",
           f"{args.arch}; chain {ch * 1e3:.1f} ms in its 2 calls, the trajectory's own {(tot - ch) * 1e3:.1f} ms")

    spent[0] = 0.0
    t = time.perf_counter()
    mc = odc.trajectory(arch, years, samples=args.samples, seed=0)
    tot = time.perf_counter() - t
    record(f"trajectory: 25 years x {args.samples:,} Monte Carlo samples, one architecture (wall, once)", tot, "s",
           "<= 10", f"chain {spent[0]:.2f} s, the trajectory's own {tot - spent[0]:.2f} s; "
           f"{len(mc.attrs['drawn'].split(', '))} rates and ramps drawn")
    p = mc["probability_space_cheaper"]
    print(f"  P(space cohort cheaper) 2030/2035/2040: "
          + " / ".join(f"{float(p.sel(year=y)):.2f}" for y in (2030, 2035, 2040)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
