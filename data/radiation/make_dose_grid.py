"""Make data/radiation/trapped_flux.csv and data/radiation/dose_grid.csv (run once; minutes).

Method (see data/radiation/DOSE_GRID.md for the full description and its limits):

1. Trapped-particle integral fluxes from AE-8/AP-8 through the ``radbelt`` package (offline):
   protons above ``PROTON_ENERGY`` (AP-8 MIN) and electrons above ``ELECTRON_ENERGY`` (AE-8 MAX),
   the same model phases SPENVIS used for the 550 km table. L and B/B0 come from radbelt's IGRF
   at ``FIELD_EPOCH``. For each altitude the flux is averaged over longitude on a latitude grid.
2. Orbit average for a circular orbit of inclination i: over a long time the longitude of the
   sub-satellite point is uniform and the argument of latitude u is uniform, so the time average
   is the mean over u of the longitude-mean flux at latitude asin(sin i sin u).
3. Dose: the SPENVIS/SHIELDOSE-2 550 km table (spenvis_shieldose2_550km_5yr.csv, per year = /5)
   gives the dose per unit orbit-averaged flux k(i, t) = D550(i, t) / F550(i) for protons and for
   electrons (+ bremsstrahlung); the dose at altitude h is F(h, i) k(i, t). Where F550(i) is zero
   (protons at i = 0 or 180 deg: the orbit misses the South Atlantic Anomaly at 550 km) k is taken
   from the nearest inclination with a non-zero flux, so an equatorial orbit that meets the inner
   belt at higher altitude still gets a proton dose.

Run:  .venv/bin/python data/radiation/make_dose_grid.py
"""
from __future__ import annotations

import multiprocessing as mp
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
PROTON_ENERGY = 30.0  # MeV, integral flux threshold (protons that reach ~mm-cm of Al)
ELECTRON_ENERGY = 1.0  # MeV
FIELD_EPOCH = 2025.0  # decimal year for radbelt's IGRF (L, B/B0)
ALTITUDES = np.r_[160.0, np.arange(200.0, 1000.0, 50.0), np.arange(1000.0, 2000.1, 100.0)]
LATS = np.arange(-90.0, 90.1, 3.0)
LONS = np.arange(-180.0, 180.0, 6.0)
INCLINATIONS = np.arange(0.0, 180.1, 5.0)
REF_ALTITUDE = 550.0
U_SAMPLES = 3600


def _lon_mean_flux(alt: float) -> tuple[float, np.ndarray, np.ndarray]:
    from radbelt import aep8, igrf

    lo, la = np.meshgrid(LONS, LATS)
    lval, bb0 = igrf(lo, la, alt, FIELD_EPOCH)
    fp = np.nan_to_num(aep8(PROTON_ENERGY, lval, bb0, "p", "min"), nan=0.0)
    fe = np.nan_to_num(aep8(ELECTRON_ENERGY, lval, bb0, "e", "max"), nan=0.0)
    print(f"  {alt:6.0f} km done", file=sys.stderr, flush=True)
    return alt, np.clip(fp, 0, None).mean(axis=1), np.clip(fe, 0, None).mean(axis=1)


def orbit_average(flux_lat: np.ndarray, incl_deg: np.ndarray) -> np.ndarray:
    """Mean over argument of latitude of the longitude-mean flux (last axis: latitude)."""
    u = (np.arange(U_SAMPLES) + 0.5) * 2 * np.pi / U_SAMPLES
    lat = np.degrees(np.arcsin(np.sin(np.radians(incl_deg))[:, None] * np.sin(u)[None, :]))
    out = np.empty(flux_lat.shape[:-1] + (incl_deg.size,))
    for idx in np.ndindex(flux_lat.shape[:-1]):
        out[idx] = np.interp(lat, LATS, flux_lat[idx]).mean(axis=1)
    return out


def _k_factor(dose_ref: np.ndarray, flux_ref: np.ndarray) -> np.ndarray:
    """dose per unit flux k(i, t); nearest non-zero-flux inclination where the flux is zero."""
    ok = flux_ref > 1e-3 * flux_ref.max()
    k = np.zeros_like(dose_ref)
    k[ok] = dose_ref[ok] / flux_ref[ok, None]
    good = np.flatnonzero(ok)
    for j in np.flatnonzero(~ok):
        k[j] = k[good[np.argmin(np.abs(good - j))]]
    return k


def main() -> None:
    with mp.Pool(2) as pool:
        rows = pool.map(_lon_mean_flux, list(ALTITUDES))
    rows.sort(key=lambda r: r[0])
    fp = np.array([r[1] for r in rows])  # (alt, lat)
    fe = np.array([r[2] for r in rows])
    flux = pd.DataFrame(
        {
            "altitude_km": np.repeat(ALTITUDES, LATS.size),
            "latitude_deg": np.tile(LATS, ALTITUDES.size),
            "proton_flux_gt30MeV_per_cm2_s": fp.ravel(),
            "electron_flux_gt1MeV_per_cm2_s": fe.ravel(),
        }
    )
    with open(HERE / "trapped_flux.csv", "w") as fh:
        fh.write(
            "# Longitude-mean trapped integral flux (AP-8 MIN protons > 30 MeV, AE-8 MAX electrons > 1 MeV)\n"
            "# from the radbelt package (AE-8/AP-8 with IGRF at 2025.0); made by make_dose_grid.py\n"
        )
        flux.to_csv(fh, index=False, float_format="%.6e")

    pav = orbit_average(fp, INCLINATIONS)  # (alt, incl)
    eav = orbit_average(fe, INCLINATIONS)
    ref = pd.read_csv(HERE / "spenvis_shieldose2_550km_5yr.csv")
    thick = np.sort(ref.al_thickness_mm.unique())
    years = 5.0  # the SPENVIS table covers 5 years (see README.md)

    def table(col):
        return ref.pivot(index="inclination_deg", columns="al_thickness_mm", values=col).loc[INCLINATIONS, thick].to_numpy() / years

    dp = table("trapped_protons_rad_si")
    de = table("trapped_electrons_rad_si") + table("bremsstrahlung_rad_si")
    iref = int(np.flatnonzero(ALTITUDES == REF_ALTITUDE)[0])
    kp = _k_factor(dp, pav[iref])
    ke = _k_factor(de, eav[iref])
    dose_p = pav[:, :, None] * kp[None]
    dose_e = eav[:, :, None] * ke[None]
    a, i, t = np.meshgrid(ALTITUDES, INCLINATIONS, thick, indexing="ij")
    grid = pd.DataFrame(
        {
            "altitude_km": a.ravel(),
            "inclination_deg": i.ravel(),
            "al_thickness_mm": t.ravel(),
            "total_dose_rad_si_per_yr": (dose_p + dose_e).ravel(),
            "trapped_proton_dose_rad_si_per_yr": dose_p.ravel(),
            "electron_dose_rad_si_per_yr": dose_e.ravel(),
        }
    )
    with open(HERE / "dose_grid.csv", "w") as fh:
        fh.write(
            "# Total ionising dose per year behind Al (centre of spheres, Si), altitude x inclination x thickness.\n"
            "# SPENVIS/SHIELDOSE-2 550 km table scaled by AE-8/AP-8 orbit-averaged flux (radbelt); see DOSE_GRID.md.\n"
            "# Made by data/radiation/make_dose_grid.py. Trapped particles only: no solar particle events, no GCR.\n"
        )
        grid.to_csv(fh, index=False, float_format="%.5e")
    print("wrote trapped_flux.csv and dose_grid.csv", file=sys.stderr)


if __name__ == "__main__":
    main()
