"""Benchmark of the launch stage: run(ds) over a 1e5- and a 1e6-point synthetic sweep (satellite
mass x altitude x vehicle), timed in-process (wall, best of 3); peak memory in a separate run from
the process's own high-water mark (VmHWM, reset before the run), never while timing."""
from __future__ import annotations

import time
import warnings

import numpy as np
import xarray as xr

import orbitdc.launch as L
from _results import high_water, record, reset_high_water, resident

warnings.filterwarnings("ignore")


def synthetic(n_mass: int, n_alt: int, vehicles: list[str]) -> xr.Dataset:
    base = dict(
        launch_price_per_kg=500.0, launch_margin=1.5, vertically_integrated_launch=np.bool_(False),
        launch_learning_rate=0.2, launch_price_floor_per_kg=20.0, launch_cadence_share=0.3,
        launch_failure_probability=0.02, satellite_failure_rate=0.02, satellite_stowed_density=250.0,
        fairing_packing_efficiency=0.5, dispenser_capacity=100.0, on_orbit_assembly=np.bool_(False),
        grid_carbon_intensity=480.0, target_it_power=1e6, start_year=2030.0, mission_lifetime=5.0,
        inclination=98.0, satellites=1000.0,
    )
    ds = xr.Dataset({k: xr.DataArray(v) for k, v in base.items()})
    ds["launch_vehicle"] = xr.DataArray(vehicles, dims="launch_vehicle")
    ds["satellite_mass"] = xr.DataArray(np.linspace(100, 20_000, n_mass), dims="satellite_mass")
    ds["altitude"] = xr.DataArray(np.linspace(400, 1500, n_alt), dims="altitude")
    return ds


def main() -> None:
    L.run(synthetic(2, 2, ["electron"]))  # warm caches (catalog, calibration)
    vehicles = list(L.vehicles())[:10]
    for n_mass, n_alt in ((100, 100), (1000, 100)):
        ds = synthetic(n_mass, n_alt, vehicles)
        points = n_mass * n_alt * len(vehicles)

        def run():
            float(L.run(ds)["launch_cost"].sum())

        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
        dt = min(times)
        record(f"launch stage alone, {points:,} points over {len(vehicles)} vehicles (wall, best of 3)",
               points / dt, "points/s", None, f"{dt:.2f} s")
        reset_high_water()
        before = resident()
        run()
        record(f"launch stage alone, {points:,} points: peak resident memory of the process during the run (VmHWM)",
               high_water() / 2**20, "MiB", None,
               f"+{(high_water() - before) / 2**20:,.0f} MiB over the resident set before it (freed memory is reused)")


if __name__ == "__main__":
    main()
