"""Make data/atmosphere/density_table.csv: mean mass density by altitude per solar activity.

For each activity level in data/atmosphere/solar_activity.csv (F10.7 daily = 81-day mean, daily
Ap, as cited there) NRLMSIS 2.1 (through ``pymsis``, offline because the indices are passed
explicitly) is evaluated on a grid of 12 dates (the 15th of each month of 2030, at 0, 6, 12 and
18 UT), longitudes every 30 deg and latitudes every 10 deg, and averaged with cos(latitude)
weights: a global, diurnal and annual mean density, which is what a circular orbit's drag over a
year sees to first order. The static COESA76 profile (US Standard Atmosphere 1976, through the
poliastro API, valid to 1000 km) is added as a fourth column for comparison.

Run:  .venv/bin/python data/atmosphere/make_density_table.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

ALTITUDES = np.r_[np.arange(100.0, 1000.0, 10.0), np.arange(1000.0, 2000.1, 25.0)]
LONS = np.arange(-180.0, 180.0, 30.0)
LATS = np.arange(-85.0, 85.1, 10.0)


def main() -> None:
    import astropy.units as u
    import pymsis

    from orbitdc._astro import COESA76

    act = pd.read_csv(HERE / "solar_activity.csv", comment="#")
    dates = np.array(
        [np.datetime64(f"2030-{m:02d}-15T{h:02d}:00") for m in range(1, 13) for h in (0, 6, 12, 18)]
    )
    w = np.cos(np.radians(LATS))
    w = w / w.sum()
    out = {"altitude_km": ALTITUDES}
    for _, row in act.iterrows():
        n = dates.size
        res = pymsis.calculate(
            dates, LONS, LATS, ALTITUDES,
            f107s=np.full(n, row.f107), f107as=np.full(n, row.f107), aps=np.full((n, 7), row.ap),
            version=2.1,
        )
        rho = res[..., pymsis.Variable.MASS_DENSITY]  # (date, lon, lat, alt)
        mean = np.einsum("dolh,l->h", rho, w) / (rho.shape[0] * rho.shape[1])
        out[f"density_{row.level}_kg_m3"] = mean
        print(row.level, dict(zip(ALTITUDES[[40, 50, 60]], mean[[40, 50, 60]])), file=sys.stderr)
    coesa = COESA76()
    ok = ALTITUDES <= 1000.0
    rho76 = np.full(ALTITUDES.size, np.nan)
    rho76[ok] = [coesa.density(h * u.km).to_value(u.kg / u.m**3) for h in ALTITUDES[ok]]
    out["density_coesa76_kg_m3"] = rho76
    table = pd.DataFrame(out)
    with open(HERE / "density_table.csv", "w") as fh:
        fh.write(
            "# Global, diurnal and annual mean neutral mass density (kg/m3) by geodetic altitude (km).\n"
            "# NRLMSIS 2.1 via pymsis with the F10.7/Ap of solar_activity.csv; COESA76 (static, <=1000 km) via poliastro/boinor.\n"
            "# Made by data/atmosphere/make_density_table.py (see README.md).\n"
        )
        table.to_csv(fh, index=False, float_format="%.5e")
    print("wrote density_table.csv", file=sys.stderr)


if __name__ == "__main__":
    main()
