"""Benchmarks for issue 15: optimize over 3 design variables (target <= 1 s) and Monte Carlo with
the per-sample optimal design, 100,000 samples (target <= 30 s on 2 cores).

Run: .venv/bin/python benchmarks/bench_optimize.py [samples]
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

import orbitdc as odc
from _results import record

ARCH = "spacex-starlink-compute"


def main(samples: int = 100_000) -> None:
    odc.evaluate(ARCH)  # warm caches (architecture, catalogs, grids)
    t = time.perf_counter()
    opt = odc.optimize(ARCH, over=["altitude", "shielding_thickness", "satellite_it_power"])
    dt = time.perf_counter() - t
    record("optimize over 3 design variables (wall, once, warm)", dt, "s", "<= 1",
           f"{ARCH}; {opt.attrs['optimizer_evaluations']} chain points; binding: {opt.attrs['binding_constraints']}")
    # the default Monte Carlo: design="optimal" (per-sample best design), catalog values drawn,
    # correlations of data/correlations.yaml; wall time on the threads the machine offers (2 cores
    # in the target), CPU time over all threads, and the load average (a shared machine)
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    mc = odc.monte_carlo(ARCH, samples=samples, seed=0)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    dose = np.asarray(mc["violates_total_ionizing_dose"]).mean()
    record(f"monte_carlo default (design={mc.attrs['design']!r}, catalog values drawn), {samples:,} samples "
           f"(wall, once, {os.cpu_count()} cores)", wall, "s", "<= 30",
           f"{ARCH}; {mc.attrs['design_table_candidates']} candidate designs, "
           f"{int(mc['design_repaired'].sum())} samples repaired; {cpu:.1f} s CPU over all threads; "
           f"load average {load0:.1f} at the start")
    print(f"  P(feasible) {float(mc.feasible.mean()):.3f}, dose violations {dose:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
