"""Benchmark of the orbit stage (plain Python, timed in-process; not a test).

Prints:
1. annual_eclipse over 100 altitudes x 24 node times x 365 days (target < 2 s on one core);
2. the chain's orbit stage on 1e6 Monte Carlo design points (distinct altitudes and ltan), after
   the one-off interpolation grid is built (its build time printed separately);
3. the orbit stage on a 3 x 1000 sweep where the orbit has 3 distinct values (exact path);
each timed (wall, best of 3), then run once more for its peak resident memory (the process's
VmHWM, reset before the run: never measured while timing).

Run:  .venv/bin/python benchmarks/bench_orbit.py
"""
from __future__ import annotations

import time

import numpy as np
import xarray as xr

from orbitdc import orbit

from _results import high_water, record, reset_high_water, resident


def _timed(label, fn, repeat=3, target=None):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    record(f"{label} (wall, best of {repeat})", best, "s", target)
    reset_high_water()  # memory in a separate run
    before = resident()
    fn()
    record(f"{label}: peak resident memory of the process during the run (VmHWM)", high_water() / 2**20, "MiB", None,
           f"+{(high_water() - before) / 2**20:,.0f} MiB over the resident set before it (freed memory is reused)")
    return out, best


def _inputs(n, rng, orbit_type="sso"):
    dim = ("sample",)
    return xr.Dataset(
        {
            "altitude": (dim, rng.uniform(400, 1200, n)),
            "orbit_type": np.str_(orbit_type),
            "inclination": (dim, rng.uniform(30, 100, n)),
            "ltan": (dim, rng.uniform(5.5, 6.5, n)),
            "solar_activity": np.str_("mean"),
            "area_to_mass": (dim, rng.uniform(0.005, 0.1, n)),
            "drag_coefficient": 2.2,
            "shielding_thickness": (dim, rng.uniform(1, 20, n)),
            "min_elevation": 25.0,
            "start_year": 2030.0,
        }
    )


def main() -> None:
    orbit.annual_eclipse(650, ltan=6)  # warm the Sun cache (astropy) once
    alts = np.linspace(400, 1200, 100)
    ltans = np.linspace(0, 23, 24)
    ds, t = _timed("annual_eclipse, 100 altitudes x 24 node times x 365 days",
                   lambda: orbit.annual_eclipse(alts, ltan=ltans), target="< 2")
    print(f"  -> {ds['beta_angle'].size:,} beta/eclipse samples")

    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    orbit._sso_grid(2030)
    record("one-off sun-synchronous eclipse grid build (wall, once)", time.perf_counter() - t0, "s", None)
    n = 1_000_000
    inp = _inputs(n, rng)
    _, t = _timed(f"orbit stage, {n:,} Monte Carlo orbits (sso)", lambda: orbit.STAGE.run(inp))

    sweep = xr.Dataset(
        {
            "altitude": ("altitude", [500.0, 650.0, 800.0]),
            "orbit_type": np.str_("sso"),
            "inclination": 53.0,
            "ltan": 6.0,
            "solar_activity": np.str_("mean"),
            "area_to_mass": ("area_to_mass", np.linspace(0.005, 0.1, 1000)),
            "drag_coefficient": 2.2,
            "shielding_thickness": 10.0,
            "min_elevation": 25.0,
            "start_year": 2030.0,
        }
    )
    _timed("orbit stage, 3 altitudes x 1000 area_to_mass sweep (exact eclipses, 3 orbits)", lambda: orbit.STAGE.run(sweep))


if __name__ == "__main__":
    main()
