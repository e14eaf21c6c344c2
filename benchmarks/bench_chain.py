"""Benchmark: the whole model chain, from one design point to a million, on one core.

Targets (warm, one core of the 2-core machine; issue 11, tightened by issue 21):

* one design point through the whole chain (``orbitdc.evaluate``): <= 5 ms; with a few outputs
  (``variables=[...]``: only the stages they need, no full Dataset): <= 1 ms;
* a 10,000-point sweep (100 altitudes x 100 launch prices): <= 10 ms for the full Dataset, <= 3 ms
  for a few outputs;
* 1e6 points (1000 x 1000): >= 3e6 points/s;
* ``load_architecture`` by name, cached: <= 1 ms after the first call;
* the 10,000-point sweep against a plain scalar Python loop calling the stage kernels point by
  point (``chain.run_frame`` on a 0-d frame per point, no Dataset assembly): ratio >= 100x.

Timed in-process with ``time.perf_counter`` (wall) and ``time.process_time`` (CPU: the figure of
record when other processes share the machine); the best of ``--repeat`` runs is reported. The
process pins itself to one core (``os.sched_setaffinity``) and asks BLAS/OpenMP for one thread.

    .venv/bin/python benchmarks/bench_chain.py [--arch spacex-starlink-compute] [--repeat 5] [--quick]
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import orbitdc  # noqa: E402
from orbitdc import chain  # noqa: E402

from _results import high_water, record, reset_high_water  # noqa: E402


def best(fn, repeat: int) -> tuple[float, float]:
    """(best wall seconds, best CPU seconds) of ``repeat`` calls after one warm-up call."""
    fn()
    walls, cpus = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="spacex-starlink-compute")
    ap.add_argument("--repeat", type=int, default=5, help="timed repetitions (best is reported)")
    ap.add_argument("--quick", action="store_true", help="skip the 1e6-point sweep and loop over 1,000 points only")
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    arch = orbitdc.load_architecture(args.arch)
    print(f"orbitdc {orbitdc.__version__}; architecture {arch.name} ({arch.kind}); one core; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    # 1. load_architecture by name, cached
    wall, cpu = best(lambda: orbitdc.load_architecture(args.arch), max(args.repeat, 20))
    record("load_architecture by name, cached (CPU, best of 20)", cpu * 1e3, "ms", "<= 1", f"{wall * 1e3:.3f} ms wall")

    # 2. one design point
    wall, cpu = best(lambda: orbitdc.evaluate(arch), max(args.repeat, 20))
    record("one design point through the whole chain, evaluate (CPU, best of 20)", cpu * 1e3, "ms", "<= 5",
           f"{args.arch}; {wall * 1e3:.2f} ms wall")

    # 2b. one design point, a few outputs (issue 21: compute and return only what is asked)
    few = ["cost_ratio_vs_terrestrial", "cost_per_kw_year", "satellite_mass"]
    wall, cpu = best(lambda: orbitdc.evaluate(arch, variables=few), max(args.repeat, 20))
    record(f"one design point, {len(few)} outputs, evaluate(variables=...) (CPU, best of 20)", cpu * 1e3, "ms", "<= 1",
           f"{args.arch}; {wall * 1e3:.2f} ms wall; {', '.join(few)}")

    # 3. 10,000-point sweep
    alt = np.linspace(400.0, 1200.0, 100)
    price = np.geomspace(50.0, 5000.0, 100)
    wall, cpu = best(lambda: orbitdc.sweep(arch, altitude=alt, launch_price_per_kg=price), args.repeat)
    sweep_cpu = cpu
    record(f"10,000-point sweep, 100 altitudes x 100 launch prices, full Dataset (CPU, best of {args.repeat})",
           cpu * 1e3, "ms", "<= 10", f"{wall * 1e3:.1f} ms wall")
    wall, cpu = best(lambda: orbitdc.sweep(arch, altitude=alt, launch_price_per_kg=price, variables=few), args.repeat)
    record(f"10,000-point sweep, {len(few)} outputs, sweep(variables=...) (CPU, best of {args.repeat})", cpu * 1e3, "ms",
           "<= 3", f"{wall * 1e3:.1f} ms wall")

    # 4. the same sweep as a plain scalar Python loop over the stage kernels
    prep = chain.prepare(arch)
    points = [(h, p) for h in alt for p in price]
    if args.quick:
        points = points[:: len(points) // 1000]

    def loop():
        for h, p in points:
            f = prep.frame.copy()
            f.put("altitude", h)
            f.put("launch_price_per_kg", p)
            chain.run_frame(f, arch.kind, attrs=prep.attrs, order=prep.order)

    c0, t0 = time.process_time(), time.perf_counter()
    loop()
    loop_wall, loop_cpu = time.perf_counter() - t0, time.process_time() - c0
    per_point = loop_cpu / len(points)
    ratio = per_point * alt.size * price.size / sweep_cpu
    record("10,000-point sweep vs a scalar Python loop over the stage kernels (CPU per point)", ratio, "x", ">= 100",
           f"the loop: {per_point * 1e3:.2f} ms a point over {len(points):,} points")

    # 5. 1e6 points
    if not args.quick:
        alt = np.linspace(400.0, 1200.0, 1000)
        price = np.geomspace(50.0, 5000.0, 1000)
        wall, cpu = best(lambda: orbitdc.sweep(arch, altitude=alt, launch_price_per_kg=price), max(1, args.repeat // 2))
        record(f"1,000,000-point sweep, 1000 x 1000 (points per CPU-second, best of {max(1, args.repeat // 2)})",
               1e6 / cpu, "points/s", ">= 3e6", f"{wall:.3f} s wall")
        # memory in its own run, after the timing: the process's high-water mark reset first
        reset_high_water()
        orbitdc.sweep(arch, altitude=alt, launch_price_per_kg=price)
        record("1,000,000-point sweep: peak resident memory of the process (VmHWM)", high_water() / 2**20, "MiB", None)


if __name__ == "__main__":
    main()
