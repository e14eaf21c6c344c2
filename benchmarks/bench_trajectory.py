"""Year-by-year model benchmark (issues 14, 21, 23): how fast ``orbitdc.trajectory`` runs.

Targets (issue 21; one core, warm): one architecture over 25 years <= 5 ms; 1,000 Monte Carlo
samples x 25 years (trend rates and ramps) <= 0.1 s. Issue 23: 25 years x 10,000 samples with the
architecture's levels drawn too (design optimal, as orbitdc.monte_carlo) <= 5 s.

A trajectory is the chain run once over (year, vehicle, points): the physical stages, the fleet
scan, the economics stage, then the Dataset. The time spent in the chain's stages
(``orbitdc.chain.run_frame``) is printed beside the total, so the figure can be read against the
chain's own speed. The process pins itself to one core and asks BLAS/OpenMP for one thread; the
figure of record is CPU time (the machine is shared: the load average is printed too).

Usage::

    .venv/bin/python benchmarks/bench_trajectory.py                # SpaceX, 1,000 and 10,000 samples
    .venv/bin/python benchmarks/bench_trajectory.py --arch NAME --repeat 20 --samples 1000 10000
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from _results import record  # noqa: E402


def _timed_stages():
    """Wrap the chain's stage runner as the trajectory calls it, to split the stages' time off."""
    import importlib

    traj = importlib.import_module("orbitdc.trajectory")  # the module (orbitdc.trajectory is also the function)
    spent = [0.0]
    orig = traj.run_frame

    def timed(*args, **kw):
        t = time.process_time()
        try:
            return orig(*args, **kw)
        finally:
            spent[0] += time.process_time() - t

    traj.run_frame = timed
    return spent


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="spacex-starlink-compute")
    ap.add_argument("--repeat", type=int, default=20, help="warm runs of the single trajectory (median reported)")
    ap.add_argument("--samples", type=int, nargs="*", default=[1_000, 10_000])
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    t0 = time.perf_counter()
    import orbitdc as odc

    arch = odc.load_architecture(args.arch)
    spent = _timed_stages()
    years = range(2026, 2051)
    odc.trajectory(arch, years)  # warm-up: imports, catalog and data caches
    print(f"== {args.arch}, years {years.start}-{years.stop - 1} (load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores; one core used; import + first call {time.perf_counter() - t0:.2f} s)")

    walls, cpus, stages = [], [], []
    for _ in range(args.repeat):
        spent[0] = 0.0
        c, t = time.process_time(), time.perf_counter()
        odc.trajectory(arch, years)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        stages.append(spent[0])
    cpu, wall, st = statistics.median(cpus), statistics.median(walls), statistics.median(stages)
    record(f"trajectory: one architecture x 25 years, warm (CPU, one core, median of {args.repeat})", cpu * 1e3, "ms", "<= 5",
           f"{args.arch}; wall {wall * 1e3:.1f} ms; the chain's stages {st * 1e3:.1f} ms, "
           f"the rest (inputs, fleet, Dataset) {(cpu - st) * 1e3:.1f} ms")

    for n in args.samples:
        levels = n > 1_000  # issue 21: the trend Monte Carlo at 1,000; issue 23: the levels drawn too at 10,000
        kw = dict(samples=n, seed=0, levels=levels)
        odc.trajectory(arch, years, **kw)  # warm at this size (the design table is made once per process)
        spent[0] = 0.0
        c, t = time.process_time(), time.perf_counter()
        mc = odc.trajectory(arch, years, **kw)
        cpu, wall = time.process_time() - c, time.perf_counter() - t
        what = "trend rates, ramps and the architecture's levels (design optimal)" if levels else "trend rates and ramps"
        record(f"trajectory: 25 years x {n:,} Monte Carlo samples, {what} (CPU)", cpu, "s",
               "<= 5" if levels else "<= 0.1",
               f"wall {wall:.3f} s; the chain's stages {spent[0]:.3f} s; "
               f"{len(mc.attrs['drawn'].split(', '))} quantities drawn")
        p = mc["probability_space_cheaper"]
        print("  P(space cohort cheaper) 2030/2035/2040: " + " / ".join(f"{float(p.sel(year=y)):.2f}" for y in (2030, 2035, 2040)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
