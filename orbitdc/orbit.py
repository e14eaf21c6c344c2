r"""Orbit and space environment: period, sun-synchronous orbits, beta angle, eclipses, drag,
orbit lifetime, trapped-radiation dose, single-event rates and ground latency.

Models (each with its equation and source in its docstring):

* circular-orbit period and the J2 secular node rate (Vallado 2013, eq. 9-41);
* sun-synchronous inclination from that rate set to :math:`360^\circ` per tropical year;
* beta angle from the Sun direction given by astropy (``get_sun``, built-in ephemeris, offline);
* eclipse fraction of a circular orbit in a cylindrical shadow (Wertz SMAD);
* drag from NRLMSIS 2.1 density tables (pymsis, ECSS solar-activity levels) or COESA76;
* radiation dose from the SPENVIS/SHIELDOSE-2 550 km table scaled with AE-8/AP-8 (radbelt);
* a numerical cross-check of eclipses with poliastro/boinor's ``CowellPropagator`` + ``UmbraEvent``.

Constants: :math:`\mu`, :math:`R_\oplus` and :math:`J_2` of the Earth come from poliastro/boinor (through ``orbitdc._astro``),
c from ``astropy.constants``; the tropical year and the altitude limits from
``data/orbit/constants.yaml``; tables from ``data/atmosphere`` and ``data/radiation``.

.. developer notes

Every public function accepts astropy Quantities, DataArrays carrying ``attrs['units']`` or bare
numbers in the canonical unit (see :mod:`orbitdc.units`) and returns DataArrays (or a Dataset)
with ``units`` and ``long_name``. The numeric kernels (``*_kernel``) take and return plain floats
in canonical units and are what the chain stage calls.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import astropy.constants as const
import astropy.units as u
import numpy as np
import pandas as pd
import xarray as xr

from . import _astro, units
from .frame import Output, Stage
from .errors import ParameterError
from .parameters import DATA_DIR, ParameterSpec, default_value, read_yaml

# --------------------------------------------------------------------------------------------
# Constants and data
# --------------------------------------------------------------------------------------------
R_EARTH_KM: float = float(_astro.R_EARTH.to_value(u.km))
MU_KM3_S2: float = float(_astro.GM_EARTH.to_value(u.km**3 / u.s**2))
J2: float = _astro.J2_EARTH
C_KM_S: float = float(const.c.to_value(u.km / u.s))
DAY_S: float = float((1 * u.d).to_value(u.s))
YEAR_S: float = float((1 * u.yr).to_value(u.s))  # Julian year, the "per year" of rates

SOLAR_ACTIVITY_LEVELS = ("low", "mean", "high")


@functools.lru_cache(maxsize=1)
def _constants() -> dict[str, float]:
    raw = read_yaml(DATA_DIR / "orbit" / "constants.yaml")
    canon = {"tropical_year": "d", "minimum_altitude": "km", "reentry_altitude": "km", "maximum_altitude": "km"}
    return {k: float(units.convert(raw[k]["value"], raw[k]["unit"], unit, k)) for k, unit in canon.items()}


def _tropical_year_s() -> float:
    return _constants()["tropical_year"] * DAY_S


# --------------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------------
def _arg(value: Any, unit: str, name: str):
    if value is None:
        raise ParameterError(name, "a value is required")
    out = units.strip(value, unit, name)
    if np.any(~np.isfinite(np.asarray(out, dtype=float))):
        raise ParameterError(name, "values must be finite numbers")
    return out


def _named(value: Any, unit: str, name: str) -> xr.DataArray:
    """As :func:`_arg`, but as a DataArray; a plain 1-d array becomes a dimension named ``name``."""
    v = _arg(value, unit, name)
    if isinstance(v, xr.DataArray):
        return v
    arr = np.asarray(v, dtype=float)
    if arr.ndim == 0:
        return xr.DataArray(arr)
    if arr.ndim == 1:
        return xr.DataArray(arr, dims=(name,), coords={name: arr})
    raise ParameterError(name, f"expected a number, a 1-d array or a DataArray, got shape {arr.shape}")


def _check_altitude(h, name: str = "altitude", upper: bool = False) -> None:
    arr = np.asarray(h, dtype=float)
    if np.any(arr <= 0):
        raise ParameterError(name, f"{arr[arr <= 0].flat[0]:g} km: altitude must be positive")
    lo = _constants()["minimum_altitude"]
    if np.any(arr < lo):
        raise ParameterError(name, f"{arr[arr < lo].flat[0]:g} km is below {lo:g} km (the orbit would decay within days)")
    hi = _constants()["maximum_altitude"]
    if upper and np.any(arr > hi):
        raise ParameterError(name, f"{arr[arr > hi].flat[0]:g} km is above {hi:g} km, the top of the shipped density/dose grids")


def _check_range(x, name: str, lo: float, hi: float, unit: str, strict_lo: bool = False) -> None:
    arr = np.asarray(x, dtype=float)
    bad = (arr <= lo if strict_lo else arr < lo) | (arr > hi)
    if np.any(bad):
        op = ">" if strict_lo else ">="
        raise ParameterError(name, f"{arr[bad].flat[0]:g} {unit} is out of range: must be {op} {lo:g} and <= {hi:g} {unit}")


def _ufunc(func, *args):
    """Apply a numpy kernel, broadcasting DataArrays by dimension name."""
    if any(isinstance(a, xr.DataArray) for a in args):
        return xr.apply_ufunc(func, *args)
    return func(*(np.asarray(a, dtype=float) if not np.isscalar(a) else a for a in args))


# --------------------------------------------------------------------------------------------
# Kernels: plain floats in canonical units (km, deg, h, min, ...)
# --------------------------------------------------------------------------------------------
def period_kernel(h):
    """Circular-orbit period [min] for altitude ``h`` [km]."""
    a = R_EARTH_KM + np.asarray(h, dtype=float)
    return 2 * np.pi * np.sqrt(a**3 / MU_KM3_S2) / 60.0


def raan_rate_kernel(h, inc_deg):
    """J2 secular node rate [deg/d] of a circular orbit."""
    a = R_EARTH_KM + np.asarray(h, dtype=float)
    n = np.sqrt(MU_KM3_S2 / a**3)
    return np.degrees(-1.5 * n * J2 * (R_EARTH_KM / a) ** 2 * np.cos(np.radians(inc_deg))) * DAY_S


def sso_inclination_kernel(h):
    """Sun-synchronous inclination [deg] (NaN where no SSO exists)."""
    a = R_EARTH_KM + np.asarray(h, dtype=float)
    n = np.sqrt(MU_KM3_S2 / a**3)
    rate = 2 * np.pi / _tropical_year_s()
    cosi = -rate / (1.5 * n * J2 * (R_EARTH_KM / a) ** 2)
    with np.errstate(invalid="ignore"):
        return np.degrees(np.arccos(np.where(np.abs(cosi) <= 1, cosi, np.nan)))


def shadow_limit_kernel(h):
    r""":math:`|\beta|` [deg] above which a circular orbit sees no eclipse: :math:`\beta^* = \arcsin(R / (R + h))`."""
    return np.degrees(np.arcsin(R_EARTH_KM / (R_EARTH_KM + np.asarray(h, dtype=float))))


def eclipse_fraction_kernel(h, beta_deg):
    """Eclipse fraction [1] of a circular orbit, cylindrical shadow (see :func:`eclipse_fraction`)."""
    h = np.asarray(h, dtype=float)
    r = R_EARTH_KM + h
    cb = np.cos(np.radians(beta_deg))
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.sqrt(h * h + 2 * R_EARTH_KM * h) / (r * cb)
        f = np.arccos(np.clip(x, -1.0, 1.0)) / np.pi
    return np.where(np.abs(beta_deg) < shadow_limit_kernel(h), f, 0.0)


def latency_kernel(h, elevation_deg):
    """Round-trip propagation delay [ms] to a ground station seen at ``elevation_deg``."""
    h = np.asarray(h, dtype=float)
    e = np.radians(elevation_deg)
    r = R_EARTH_KM + h
    slant = np.sqrt(r * r - (R_EARTH_KM * np.cos(e)) ** 2) - R_EARTH_KM * np.sin(e)
    return 2 * slant / C_KM_S * 1e3


# --------------------------------------------------------------------------------------------
# Period, SSO, node rate
# --------------------------------------------------------------------------------------------
def period(altitude) -> xr.DataArray:
    r"""Orbital period of a circular orbit [min].

    .. math:: T = 2\pi \sqrt{(R_\oplus + h)^3 / \mu}

    Kepler's third law (Vallado 2013, eq. 1-27; Wertz SMAD 2011, ch. 9). mu and R from
    poliastro/boinor (IAU 2009 / 2015 values). ``altitude`` [km] >= 160 km.
    """
    h = _arg(altitude, "km", "altitude")
    _check_altitude(h)
    return units.wrap(_ufunc(period_kernel, h), "min", "orbital period", "period")


def raan_rate(altitude, inclination) -> xr.DataArray:
    r"""Secular drift of the right ascension of the ascending node from J2 [deg/d].

    .. math:: \dot\Omega = -\tfrac{3}{2} n J_2 (R_\oplus / a)^2 \cos i, \quad n = \sqrt{\mu/a^3}

    for a circular orbit (Vallado 2013, eq. 9-41 with e = 0). J2 from poliastro/boinor.
    """
    h = _arg(altitude, "km", "altitude")
    i = _arg(inclination, "deg", "inclination")
    _check_altitude(h)
    _check_range(i, "inclination", 0, 180, "deg")
    return units.wrap(_ufunc(raan_rate_kernel, h, i), "deg/d", "J2 nodal precession rate", "raan_rate")


def sso_inclination(altitude) -> xr.DataArray:
    r"""Inclination of the circular sun-synchronous orbit at ``altitude`` [deg].

    The node must advance :math:`360^\circ` per tropical year :math:`T_{trop}` (365.2422 d, ``data/orbit/constants.yaml``):

    .. math:: \cos i = -\frac{2\pi / T_{trop}}{\tfrac32 n J_2 (R_\oplus/a)^2}

    (Vallado 2013, sec. 11.4, Example 11-3: about 98.6 deg at 800 km). Above about 5,970 km no
    sun-synchronous circular orbit exists: ParameterError.
    """
    h = _arg(altitude, "km", "altitude")
    _check_altitude(h)
    out = _ufunc(sso_inclination_kernel, h)
    if np.any(np.isnan(np.asarray(out))):
        raise ParameterError("altitude", "no sun-synchronous circular orbit exists this high")
    return units.wrap(out, "deg", "sun-synchronous inclination", "inclination")


# --------------------------------------------------------------------------------------------
# Sun direction (astropy, offline) and beta angle
# --------------------------------------------------------------------------------------------
def _to_time(time):
    from astropy.time import Time

    if isinstance(time, Time):
        t = time
    else:
        vals = time.values if isinstance(time, xr.DataArray) else time
        try:
            t = Time(np.atleast_1d(np.asarray(vals, dtype="datetime64[ns]")), scale="tt")
        except (ValueError, TypeError) as exc:
            raise ParameterError("time", f"cannot read times ({exc})") from None
    return t.reshape(-1) if t.ndim != 1 else t


def _sun_vectors(t) -> tuple[np.ndarray, float]:
    """Unit vectors to the Sun (GCRS, shape (T, 3)) and the Sun's right ascension at t[0] [deg].

    ``astropy.coordinates.get_sun`` with the built-in ephemeris; IERS downloads are disabled
    (the bundled ``astropy-iers-data`` table is enough for the Sun's direction to well below
    0.01 deg, which is all a beta angle needs).
    """
    from astropy.coordinates import get_sun
    from astropy.utils import iers

    with iers.conf.set_temp("auto_download", False), iers.conf.set_temp("auto_max_age", None), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sun = get_sun(t.tt)
        xyz = np.asarray(sun.cartesian.xyz.value, dtype=float).T
        ra0 = float(sun.ra.deg[0])
    return xyz / np.linalg.norm(xyz, axis=1, keepdims=True), ra0


@functools.lru_cache(maxsize=128)  # a trajectory touches ~25 years; 9 KB each
def _year_sun(year: int) -> tuple[np.ndarray, np.ndarray, float]:
    """(datetime64 days at noon TT, Sun unit vectors (T, 3), Sun RA on 1 January) for ``year``."""
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01")) + np.timedelta64(12, "h")
    xyz, ra0 = _sun_vectors(_to_time(days))
    return days.astype("datetime64[ns]"), xyz, ra0


def _sin_beta_kernel(h, inc, raan0, sun_xyz, dt_days):
    """sin(beta) = s . n with shape broadcast(h, inc, raan0) + (T,); node drifts at the J2 rate."""
    h, inc, raan0 = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (h, inc, raan0)))
    rate = raan_rate_kernel(h, inc)
    node = np.radians(raan0[..., None] + rate[..., None] * dt_days)
    ir = np.radians(inc)[..., None]
    si = np.sin(ir)
    s = sun_xyz  # (T, 3), or (..., T, 3): each orbit its own year's Sun
    dot = si * np.sin(node) * s[..., 0] - si * np.cos(node) * s[..., 1] + np.cos(ir) * s[..., 2]
    return np.clip(dot, -1.0, 1.0)


def _beta_kernel(h, inc, raan0, sun_xyz, dt_days):
    """beta [deg] with shape broadcast(h, inc, raan0) + (T,); node drifts at the J2 rate."""
    return np.degrees(np.arcsin(_sin_beta_kernel(h, inc, raan0, sun_xyz, dt_days)))


def _annual_statistics(h, sin_beta):
    r"""(mean eclipse fraction [1], max eclipse duration [min], eclipse days [d], albedo orbit
    factor [1]) of circular orbits at ``h`` (N,) from their daily :math:`\sin\beta` (N, T).

    The equations of :func:`eclipse_fraction_kernel` and :func:`albedo_orbit_factor_kernel`,
    written on :math:`\sin\beta` (what the orbit geometry gives) instead of on :math:`\beta`:
    :math:`\cos\beta = \sqrt{1 - \sin^2\beta}` (:math:`|\beta| \le 90^\circ`) and
    :math:`|\beta| < \beta^* \iff |\sin\beta| < R/(R+h)` (arcsin is increasing), which saves
    an arcsin and two cosines per orbit and day (the annual statistics are most of what the
    year-by-year model and the Monte Carlo spend on orbits); the same numbers to rounding.
    """
    h = np.asarray(h, dtype=float)
    r = (R_EARTH_KM + h)[:, None]
    cb = np.sqrt(1.0 - sin_beta * sin_beta)
    q = (np.sqrt(h * h + 2 * R_EARTH_KM * h))[:, None] / r  # cos(beta) at the shadow's edge
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.arccos(np.minimum(q / cb, 1.0)) / np.pi
    f = np.where(np.abs(sin_beta) < R_EARTH_KM / r, f, 0.0)
    return f.mean(axis=-1), f.max(axis=-1) * period_kernel(h), (f > 0).sum(axis=-1), cb.mean(axis=-1) / np.pi


def _resolve_orbit(altitude, inclination, ltan, raan, ra0):
    """(h, inc, raan0) DataArrays; inclination None -> sun-synchronous."""
    h = _named(altitude, "km", "altitude")
    _check_altitude(h)
    if inclination is None:
        inc = xr.apply_ufunc(sso_inclination_kernel, h)
        if np.any(np.isnan(inc.values)):
            raise ParameterError("altitude", "no sun-synchronous circular orbit exists this high")
    else:
        inc = _named(inclination, "deg", "inclination")
        _check_range(inc, "inclination", 0, 180, "deg")
    if raan is not None:
        raan0 = _named(raan, "deg", "raan")
    elif ltan is not None:
        lt = _named(ltan, "h", "ltan")
        _check_range(lt, "ltan", 0, 24, "h")
        raan0 = ra0 + 15.0 * (lt - 12.0)
    else:
        raise ParameterError("ltan", "give the local time of the ascending node (ltan) or the node (raan)")
    return h, inc, raan0


def beta_angle(altitude, inclination, time, ltan=None, raan=None) -> xr.DataArray:
    r"""Solar beta angle: the Sun's elevation above the orbit plane [deg].

    .. math:: \beta = \arcsin(\hat s \cdot \hat n), \quad
              \hat n = (\sin i \sin\Omega, -\sin i \cos\Omega, \cos i)

    (Vallado 2013, sec. 5.3). The Sun direction ``s`` comes from ``astropy.coordinates.get_sun``
    (built-in ephemeris, no download). The node at the first time is ``raan`` [deg], or is set by
    ``ltan`` [h], the local (solar) time of the ascending node:
    :math:`\Omega_0 = RA_\odot + 15^\circ/\text{h}\,(\text{ltan} - 12)`; ltan = 6 or 18 is dawn-dusk. It then drifts at the J2 rate (:func:`raan_rate`); for a
    sun-synchronous orbit (``inclination=None``: the SSO inclination at that altitude) that rate is
    the Sun's mean motion, so the node keeps its mean local time.

    ``time``: astropy ``Time``, datetime64 values or ISO strings (one or many). Plain 1-d arrays
    of altitude, inclination, ltan or raan become dimensions named after them. Result dims: the
    orbit's dims + ``time``.
    """
    t = _to_time(time)
    xyz, ra0 = _sun_vectors(t)
    h, inc, raan0 = _resolve_orbit(altitude, inclination, ltan, raan, ra0)
    dt = ((t.tt.jd - t.tt.jd[0])).astype(float)
    h_, inc_, r0_ = xr.broadcast(h, inc, raan0)
    beta = _beta_kernel(h_.values, inc_.values, r0_.values, xyz, dt)
    times = np.asarray(t.tt.datetime64, dtype="datetime64[ns]")
    da = xr.DataArray(beta, dims=h_.dims + ("time",), coords={**h_.coords, "time": times})
    return units.wrap(da, "deg", "solar beta angle", "beta_angle")


# --------------------------------------------------------------------------------------------
# Eclipses
# --------------------------------------------------------------------------------------------
def eclipse_fraction(altitude, beta) -> xr.DataArray:
    r"""Fraction of a circular orbit spent in the Earth's shadow [1].

    Cylindrical shadow (no penumbra, spherical Earth), circular orbit:

    .. math:: f = \frac{1}{\pi}\arccos\frac{\sqrt{h^2 + 2 R h}}{(R + h)\cos\beta}
              \quad\text{for } |\beta| < \beta^* = \arcsin\frac{R}{R+h}, \text{ else } 0

    (Wertz SMAD 2011, ch. 5/9 eclipse relations; REFERENCES.md). ``beta`` [deg], :math:`|\beta| \le 90^\circ`.
    """
    h = _arg(altitude, "km", "altitude")
    b = _arg(beta, "deg", "beta")
    _check_altitude(h)
    _check_range(b, "beta", -90, 90, "deg")
    return units.wrap(_ufunc(eclipse_fraction_kernel, h, b), "1", "eclipse fraction of the orbit", "eclipse_fraction")


def annual_summary_kernel(h, inc, ltan, year: int, chunk: int = 20000):
    r"""(mean eclipse fraction [1], max eclipse duration [min], eclipse days [d], albedo orbit
    factor [1]) for 1-d arrays.

    The node at 1 January (noon TT) is set by ``ltan``; then as :func:`annual_eclipse`. The
    albedo orbit factor is the annual mean of :math:`\cos\beta / \pi` (:func:`albedo_orbit_factor_kernel`).
    """
    _, xyz, ra0 = _year_sun(int(year))
    dt = np.arange(xyz.shape[0], dtype=float)
    h, inc, ltan = (np.asarray(x, dtype=float).ravel() for x in np.broadcast_arrays(h, inc, ltan))
    mean_f = np.empty(h.size)
    max_d = np.empty(h.size)
    days = np.empty(h.size)
    albedo = np.empty(h.size)
    for s in range(0, h.size, chunk):
        sl = slice(s, s + chunk)
        sin_beta = _sin_beta_kernel(h[sl], inc[sl], ra0 + 15.0 * (ltan[sl] - 12.0), xyz, dt)
        mean_f[sl], max_d[sl], days[sl], albedo[sl] = _annual_statistics(h[sl], sin_beta)
    return mean_f, max_d, days, albedo


def _annual_summary_rows(h, inc, ltan, years, chunk: int = 20000):
    """:func:`annual_summary_kernel` for 1-d arrays of orbits each in its own calendar year
    (``years``, all of the same length in days): the same arithmetic, row by row."""
    ys, inv = np.unique(np.asarray(years, dtype=float), return_inverse=True)
    suns = [_year_sun(int(y)) for y in ys]
    xyz_y = np.stack([s[1] for s in suns])  # (Y, T, 3)
    ra0_y = np.array([s[2] for s in suns])
    inv = inv.ravel()
    dt = np.arange(xyz_y.shape[1], dtype=float)
    h, inc, ltan = (np.asarray(x, dtype=float).ravel() for x in (h, inc, ltan))
    out = [np.empty(h.size) for _ in range(4)]
    mean_f, max_d, days, albedo = out
    for s in range(0, h.size, chunk):
        sl = slice(s, s + chunk)
        sin_beta = _sin_beta_kernel(h[sl], inc[sl], ra0_y[inv[sl]] + 15.0 * (ltan[sl] - 12.0), xyz_y[inv[sl]], dt)
        mean_f[sl], max_d[sl], days[sl], albedo[sl] = _annual_statistics(h[sl], sin_beta)
    return tuple(out)


def albedo_orbit_factor_kernel(beta_deg):
    r"""Orbit-mean illumination of the ground below the satellite, :math:`\cos\beta / \pi`.

    The albedo flux reflected up from the sub-satellite point scales with the cosine of the solar
    zenith angle there (Gilmore 2002, ch. 2, albedo ~ cos of the solar zenith angle); on a
    circular orbit that cosine is :math:`\cos\beta \cos\theta` (:math:`\theta` the orbit angle from the
    sub-solar crossing), so its orbit mean with the night side counted as 0 is

    .. math:: \frac{1}{2\pi}\int_{-\pi/2}^{\pi/2} \cos\beta\cos\theta\,d\theta = \frac{\cos\beta}{\pi}

    :math:`1/\pi` (0.318) for a noon-midnight orbit (:math:`\beta = 0`), 0 for a terminator (dawn-dusk) orbit at
    :math:`\beta = 90^\circ`. The thermal stage multiplies it by the albedo, the solar flux and the view factor.
    """
    return np.cos(np.radians(beta_deg)) / np.pi


def annual_eclipse(altitude, inclination=None, ltan=None, raan=None, year: int = 2030) -> xr.Dataset:
    r"""Beta angle and eclipses over one year, one sample per day (noon TT).

    Per day: ``beta_angle`` [deg] (:func:`beta_angle`), ``eclipse_fraction`` [1]
    (:func:`eclipse_fraction`, circular orbit and cylindrical shadow) and ``eclipse_duration``
    :math:`= f\,T` [min]. Summaries: ``mean_eclipse_fraction`` (mean over the days), ``max_eclipse_duration``
    [min] and ``eclipse_days`` [d] (days with any eclipse). Also ``inclination`` (resolved) and
    ``period``.

    ``inclination=None`` means sun-synchronous at that altitude (:func:`sso_inclination`). The
    node at 1 January is ``raan`` [deg] or set by ``ltan`` [h]; for an inclined orbit given only
    ``ltan`` that is its node's local time on 1 January. Plain 1-d arrays become dimensions named
    after the parameter (``altitude``, ``inclination``, ``ltan``, ``raan``), so
    ``annual_eclipse([500, 650], ltan=np.arange(0, 24))`` is a 2 x 24 x 365 grid.
    """
    days, xyz, ra0 = _year_sun(int(year))
    h, inc, raan0 = _resolve_orbit(altitude, inclination, ltan, raan, ra0)
    h_, inc_, r0_ = xr.broadcast(h, inc, raan0)
    dt = np.arange(days.size, dtype=float)
    beta = _beta_kernel(h_.values, inc_.values, r0_.values, xyz, dt)
    f = eclipse_fraction_kernel(h_.values[..., None], beta)
    T = period_kernel(h_.values)
    dur = f * T[..., None]
    dims = h_.dims + ("time",)
    coords = {**h_.coords, "time": days}
    ds = xr.Dataset(
        {
            "beta_angle": units.wrap(xr.DataArray(beta, dims=dims, coords=coords), "deg", "solar beta angle"),
            "eclipse_fraction": units.wrap(xr.DataArray(f, dims=dims, coords=coords), "1", "eclipse fraction of the orbit"),
            "eclipse_duration": units.wrap(xr.DataArray(dur, dims=dims, coords=coords), "min", "eclipse duration per orbit"),
            "mean_eclipse_fraction": units.wrap(xr.DataArray(f.mean(-1), dims=h_.dims, coords=h_.coords), "1", "annual mean eclipse fraction"),
            "max_eclipse_duration": units.wrap(xr.DataArray(dur.max(-1), dims=h_.dims, coords=h_.coords), "min", "longest eclipse of the year"),
            "eclipse_days": units.wrap(xr.DataArray((f > 0).sum(-1).astype(float), dims=h_.dims, coords=h_.coords), "d", "days of the year with eclipses"),
            "inclination": units.wrap(inc_, "deg", "inclination"),
            "period": units.wrap(xr.DataArray(T, dims=h_.dims, coords=h_.coords), "min", "orbital period"),
        }
    )
    ds.attrs.update(year=int(year), model="circular orbit, cylindrical shadow, J2 node drift; Sun from astropy get_sun")
    return ds


def propagate_eclipses(altitude, inclination, raan, start, days, *, drag: bool = False,
                       area_to_mass=None, drag_coefficient=None, solar_activity: str = "mean",
                       max_orbits: int = 100) -> pd.DataFrame:
    r"""Numerical eclipse times by propagating the orbit (cross-check of :func:`annual_eclipse`).

    Cowell propagation with poliastro/boinor's ``CowellPropagator`` of two-body + J2
    (``J2_perturbation``), optionally + drag (``atmospheric_drag`` with the density table of
    :func:`atmospheric_density`), from a circular orbit at ``start`` (any astropy ``Time``
    input) with node ``raan`` [deg], for ``days`` [d]. Shadow entries and exits are found with
    ``UmbraEvent`` (conical umbra, Escobal 1985, Sun from astropy), restarting the propagation at
    each event. ``area_to_mass`` and ``drag_coefficient`` (used with ``drag=True``) default to the
    values in ``data/defaults/orbit.yaml``. Returns a DataFrame with one row per complete eclipse: ``entry``, ``exit``
    (astropy-readable ISO times, TT) and ``duration`` [min]. Keep ``days`` small (a few orbits):
    each step evaluates the Sun's position.
    """
    from astropy.time import Time

    h = float(_arg(altitude, "km", "altitude"))
    _check_altitude(h)
    inc = float(_arg(inclination, "deg", "inclination"))
    _check_range(inc, "inclination", 0, 180, "deg")
    raan_deg = float(_arg(raan, "deg", "raan"))
    span_s = float(_arg(days, "d", "days")) * DAY_S
    t0 = Time(start, scale="tt")
    R = R_EARTH_KM
    if drag:
        am = float(_arg(_or_default(area_to_mass, "area_to_mass", "m2/kg"), "m2/kg", "area_to_mass")) * 1e-6  # km2/kg
        cd = float(_arg(_or_default(drag_coefficient, "drag_coefficient", "1"), "1", "drag_coefficient"))
        logrho = _density_log_table(solar_activity)
        alt_tab = _density_table()[0]

    def f(t, state, k):
        du = _astro.func_twobody(t, state, k)
        ax, ay, az = _astro.J2_perturbation(t, state, k, J2=J2, R=R)
        acc = np.array([ax, ay, az])
        if drag:
            hh = np.linalg.norm(state[:3]) - R
            rho = np.exp(np.interp(hh, alt_tab, logrho)) * 1e9  # kg/km3
            acc = acc + _astro.atmospheric_drag(t, state, k, C_D=cd, A_over_m=am, rho=rho)
        du[3:] += acc
        return du

    # Sun relative to the Earth (km, ICRS axes, as UmbraEvent computes it), tabulated every
    # 10 min and interpolated: UmbraEvent calls astropy's ephemeris at every step otherwise.
    from astropy.coordinates import get_body_barycentric

    tgrid = np.arange(0.0, span_s + 1200.0, 600.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tt = t0 + tgrid * u.s
        sun_tab = (get_body_barycentric("sun", tt) - get_body_barycentric("earth", tt)).xyz.to_value(u.km).T

    class _TabulatedSunUmbra(_astro.UmbraEvent):
        def __call__(self, t, u_, k):
            self._last_t = t
            r_sun = np.array([np.interp(t, tgrid, sun_tab[:, j]) for j in range(3)])
            return _astro.eclipse_function(self.k, u_, r_sun, self.R_sec, self.R_primary)

    def sun_at(t) -> np.ndarray:
        r_sun = np.array([np.interp(t, tgrid, sun_tab[:, j]) for j in range(3)])
        return r_sun / np.linalg.norm(r_sun)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        orb = _astro.Orbit.circular(_astro.Earth, h * u.km, inc * u.deg, raan_deg * u.deg, epoch=t0)
        events: list[tuple[str, float]] = []
        elapsed = 0.0
        nudge = 1.0  # s, step off a root before looking for the next one
        for _ in range(4 * max_orbits):
            remaining = span_s - elapsed
            if remaining <= nudge:
                break
            ev = _TabulatedSunUmbra(orb, terminal=True)
            end = orb.propagate(remaining * u.s, method=_astro.CowellPropagator(rtol=1e-10, events=[ev], f=f))
            t_ev = ev.last_t_without_unit
            if t_ev is None or t_ev >= remaining - 1e-3:
                break
            # the propagator returns the state at the terminal event (labelled with the end epoch)
            orb = _astro.Orbit.from_vectors(_astro.Earth, end.r, end.v, epoch=orb.epoch + t_ev * u.s)
            elapsed += t_ev
            after = orb.propagate(nudge * u.s, method=_astro.CowellPropagator(rtol=1e-10, f=f))
            # Escobal's shadow function also vanishes on the sunlit side (spurious roots): keep
            # roots behind the Earth; entry if the distance to the shadow axis is shrinking.
            r_ev, r_after = orb.r.to_value(u.km), after.r.to_value(u.km)
            s_hat = sun_at(elapsed)
            if r_ev @ s_hat < 0:
                d_ev = np.linalg.norm(r_ev - (r_ev @ s_hat) * s_hat)
                d_after = np.linalg.norm(r_after - (r_after @ s_hat) * s_hat)
                events.append(("entry" if d_after < d_ev else "exit", elapsed))
            orb = after
            elapsed += nudge
    rows = []
    for (k1, t1), (k2, t2) in zip(events, events[1:]):
        if k1 == "entry" and k2 == "exit":
            rows.append({"entry": (t0 + t1 * u.s).isot, "exit": (t0 + t2 * u.s).isot, "duration": (t2 - t1) / 60.0})
    out = pd.DataFrame(rows, columns=["entry", "exit", "duration"])
    out.attrs["units"] = {"duration": "min"}
    return out


# --------------------------------------------------------------------------------------------
# Atmosphere and drag
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _density_table() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    tab = pd.read_csv(DATA_DIR / "atmosphere" / "density_table.csv", comment="#")
    alt = tab["altitude_km"].to_numpy(float)
    logs = {}
    for level in SOLAR_ACTIVITY_LEVELS + ("coesa76",):
        col = tab[f"density_{level}_kg_m3"].to_numpy(float)
        logs[level] = np.log(col)  # NaN above 1000 km for COESA76
    return alt, logs


def _density_log_table(level: str) -> np.ndarray:
    alt, logs = _density_table()
    if level not in logs:
        raise ParameterError("solar_activity", f"'{level}' is not one of {', '.join(SOLAR_ACTIVITY_LEVELS + ('coesa76',))}")
    return logs[level]


@functools.lru_cache(maxsize=8)
def _density_uniform(level: str) -> tuple[np.ndarray, np.ndarray]:
    """Log-density resampled onto a uniform 5 km axis (contains every shipped node)."""
    alt, _ = _density_table()
    ua = np.arange(alt[0], alt[-1] + 1e-9, 5.0)
    return ua, np.interp(ua, alt, _density_log_table(level))


def _interp1(axis, values, x):
    j, w = _interp_axis(axis, x)
    return values[j] * (1 - w) + values[j + 1] * w


def density_kernel(h, level: str = "mean"):
    """Mean mass density [kg/m3] at altitude ``h`` [km] for one activity level (log-interpolated)."""
    _density_log_table(level)
    ua, lv = _density_uniform(level)
    return np.exp(_interp1(ua, lv, h))


def atmospheric_density(altitude, solar_activity: str = "mean") -> xr.DataArray:
    r"""Global, diurnal and annual mean neutral mass density [kg/m3].

    Log-linear interpolation of ``data/atmosphere/density_table.csv``: NRLMSIS 2.1 (Emmert et al.
    2021, through ``pymsis``) averaged over latitude (cos-weighted), longitude, time of day and
    season for the ECSS-E-ST-10-04C long-term activity levels (``solar_activity`` ``low`` F10.7 65
    Ap 0, ``mean`` 140/15, ``high`` 250/45; ``data/atmosphere/solar_activity.csv``), or
    ``"coesa76"`` (U.S. Standard Atmosphere 1976, static, <= 1000 km). See
    ``data/atmosphere/make_density_table.py``.
    """
    h = _arg(altitude, "km", "altitude")
    _check_altitude(h, upper=True)
    if not isinstance(solar_activity, str):
        raise ParameterError("solar_activity", "must be one of low, mean, high, coesa76")
    _density_log_table(solar_activity)
    if solar_activity == "coesa76" and np.any(np.asarray(h) > 1000):
        raise ParameterError("altitude", "COESA76 stops at 1000 km")
    return units.wrap(_ufunc(lambda x: density_kernel(x, solar_activity), h), "kg/m3", "atmospheric mass density", "atmospheric_density")


def drag_delta_v_kernel(h, area_to_mass, drag_coefficient, density):
    """Delta-V to cancel drag for one year [m/s per yr]; density [kg/m3], A/m [m2/kg]."""
    v = np.sqrt(MU_KM3_S2 / (R_EARTH_KM + np.asarray(h, dtype=float))) * 1e3  # m/s
    return 0.5 * density * v * v * drag_coefficient * area_to_mass * YEAR_S


def _or_default(value, name: str, unit: str):
    """``value``, or the parameter's default from data/defaults/orbit.yaml when None (no world
    number such as C_D = 2.2 sits in a Python signature)."""
    return default_value("orbit", name, unit) if value is None else value


def drag_delta_v(altitude, area_to_mass, drag_coefficient=None, solar_activity: str = "mean", density=None) -> xr.DataArray:
    r"""Velocity change per year needed to hold a circular orbit against drag [m/s per yr].

    .. math:: \Delta v_{yr} = \tfrac12 \rho v^2 \, C_D \frac{A}{m} \, t_{yr}, \quad v = \sqrt{\mu/(R+h)}

    (Wertz SMAD 2011, drag acceleration and Delta-V budget; Vallado 2013, eq. 8-29). The
    atmosphere's co-rotation (a few per cent of v) is neglected. ``density`` [kg/m3] overrides
    the table of :func:`atmospheric_density` (``solar_activity``). ``area_to_mass`` [m2/kg];
    ``drag_coefficient`` defaults to ``data/defaults/orbit.yaml`` (2.2, flat plate in free
    molecular flow).
    """
    h = _arg(altitude, "km", "altitude")
    _check_altitude(h, upper=density is None)
    am = _arg(area_to_mass, "m2/kg", "area_to_mass")
    _check_range(am, "area_to_mass", 0, 10, "m2/kg", strict_lo=True)
    cd = _arg(_or_default(drag_coefficient, "drag_coefficient", "1"), "1", "drag_coefficient")
    _check_range(cd, "drag_coefficient", 0, 10, "1", strict_lo=True)
    if density is None:
        rho = atmospheric_density(h, solar_activity)
        rho = rho if isinstance(h, xr.DataArray) else np.asarray(rho)
    else:
        rho = _arg(density, "kg/m3", "density")
        _check_range(rho, "density", 0, 1.3, "kg/m3")
    return units.wrap(_ufunc(drag_delta_v_kernel, h, am, cd, rho), "m/(s yr)", "drag make-up Delta-V per year", "drag_delta_v")


@functools.lru_cache(maxsize=8)
def _lifetime_table(level: str) -> tuple[np.ndarray, np.ndarray]:
    """G(h) = int_{h_reentry}^{h} dh / (sqrt(mu r) rho) [s kg/m2] on a 1 km grid, per level."""
    c = _constants()
    hs = np.arange(c["reentry_altitude"], c["maximum_altitude"] + 0.5, 1.0)
    rho = density_kernel(hs, level)  # kg/m3
    r_m = (R_EARTH_KM + hs) * 1e3
    integrand = 1.0 / (np.sqrt(MU_KM3_S2 * 1e9 * r_m) * rho)  # s kg / m^3 per m of radius
    g = np.concatenate([[0.0], np.cumsum(0.5 * (integrand[1:] + integrand[:-1]) * 1e3)])
    return hs, g


def orbit_lifetime_kernel(h, area_to_mass, drag_coefficient, level: str = "mean"):
    """Uncontrolled decay time [yr] from a circular orbit at ``h`` [km] to the re-entry altitude."""
    hs, g = _lifetime_table(level)
    return _interp1(hs, g, h) / (drag_coefficient * area_to_mass) / YEAR_S


def orbit_lifetime(altitude, area_to_mass, drag_coefficient=None, solar_activity: str = "mean") -> xr.DataArray:
    r"""Uncontrolled orbit lifetime of a circular orbit [yr] (e.g. against a 5-year disposal rule).

    The semi-major axis decays as

    .. math:: \frac{da}{dt} = -\sqrt{\mu a}\, \rho(a)\, C_D \frac{A}{m}

    (King-Hele; Vallado 2013, eq. 9-52 for e = 0), integrated from ``altitude`` down to the
    re-entry altitude of ``data/orbit/constants.yaml`` with the altitude-varying density of
    :func:`atmospheric_density` (held at one ``solar_activity`` level for the whole decay):
    t = int da / (sqrt(mu a) rho C_D A/m), tabulated once on a 1 km grid.
    """
    h = _arg(altitude, "km", "altitude")
    _check_altitude(h, upper=True)
    am = _arg(area_to_mass, "m2/kg", "area_to_mass")
    _check_range(am, "area_to_mass", 0, 10, "m2/kg", strict_lo=True)
    cd = _arg(_or_default(drag_coefficient, "drag_coefficient", "1"), "1", "drag_coefficient")
    _check_range(cd, "drag_coefficient", 0, 10, "1", strict_lo=True)
    _density_log_table(solar_activity)
    return units.wrap(_ufunc(lambda a, b, c: orbit_lifetime_kernel(a, b, c, solar_activity), h, am, cd),
                      "yr", "uncontrolled orbit lifetime", "orbit_lifetime")


# --------------------------------------------------------------------------------------------
# Radiation
# --------------------------------------------------------------------------------------------
_DOSE_FLOOR_LOG = np.log(1e-12)  # numerical floor (rad/yr) so log-dose stays finite


@functools.lru_cache(maxsize=1)
def _dose_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    tab = pd.read_csv(DATA_DIR / "radiation" / "dose_grid.csv", comment="#")
    alts = np.unique(tab["altitude_km"].to_numpy(float))
    incs = np.unique(tab["inclination_deg"].to_numpy(float))
    thick = np.unique(tab["al_thickness_mm"].to_numpy(float))
    tab = tab.sort_values(["altitude_km", "inclination_deg", "al_thickness_mm"])
    dose = tab["total_dose_rad_si_per_yr"].to_numpy(float).reshape(alts.size, incs.size, thick.size)
    # log-dose; a numerical floor keeps log finite where a model gives exactly zero flux
    return alts, incs, np.log(thick), np.log(np.maximum(dose, np.exp(_DOSE_FLOOR_LOG)))


@functools.lru_cache(maxsize=64)
def _is_uniform(axis_bytes: bytes) -> bool:
    axis = np.frombuffer(axis_bytes)
    step = (axis[-1] - axis[0]) / (axis.size - 1)
    return bool(np.allclose(np.diff(axis), step, rtol=1e-9, atol=0))


def _interp_axis(axis: np.ndarray, x):
    """Index of the left node and the weight of the right one (x clipped to the axis)."""
    x = np.clip(np.asarray(x, dtype=float), axis[0], axis[-1])
    step = (axis[-1] - axis[0]) / (axis.size - 1)
    if _is_uniform(np.ascontiguousarray(axis, dtype=float).tobytes()):  # uniform axis: no search (checked once per axis)
        j = np.minimum(((x - axis[0]) / step).astype(np.intp), axis.size - 2)
    else:
        j = np.clip(np.searchsorted(axis, x, side="right") - 1, 0, axis.size - 2)
    w = (x - axis[j]) / (axis[j + 1] - axis[j])
    return j, w


@functools.lru_cache(maxsize=1)
def _dose_grid_uniform():
    """The log-dose grid resampled onto uniform axes (10 km, 5 deg, 96 log-thickness steps).

    The altitude nodes include every shipped node and inclination is unchanged, so values at
    the shipped nodes are kept; between log-thickness nodes the two piecewise-linear curves differ
    by far less than the model's uncertainty. Uniform axes make the lookup index arithmetic.
    """
    alts, incs, lt, ld = _dose_grid()
    ua = np.arange(alts[0], alts[-1] + 1e-9, 10.0)
    ut = np.linspace(lt[0], lt[-1], 96)
    ja, wa = _interp_axis(alts, ua)
    la = ld[ja] * (1 - wa)[:, None, None] + ld[ja + 1] * wa[:, None, None]
    jt, wt = _interp_axis(lt, ut)
    lat = la[:, :, jt] * (1 - wt) + la[:, :, jt + 1] * wt
    return (ua, incs, ut), np.ascontiguousarray(lat)


def radiation_dose_kernel(h, inc, thickness_mm):
    """Total ionising dose [rad(Si)/yr] behind ``thickness_mm`` of Al (trilinear in log-dose)."""
    axes, lgrid = _dose_grid_uniform()
    h, inc, t = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (h, inc, thickness_mm)))
    (out,) = _multilinear(axes, [lgrid], (h, inc, np.log(t)))
    # exactly zero where every corner is at the numerical floor (no trapped flux at all)
    return np.where(out <= _DOSE_FLOOR_LOG + 1e-9, 0.0, np.exp(out))


def radiation_dose(altitude, inclination, shielding) -> xr.DataArray:
    r"""Trapped-particle total ionising dose per year behind aluminium [rad(Si)/yr].

    Log-dose trilinear interpolation (altitude, inclination, log thickness) of
    ``data/radiation/dose_grid.csv``: the SPENVIS/SHIELDOSE-2 dose-depth table at 550 km
    (Pfandzelter & Bermbach 2023; AP-8 MIN, AE-8 MAX, centre of Al spheres, Si) scaled to other
    altitudes by orbit-averaged AE-8/AP-8 integral fluxes from ``radbelt``:

    .. math:: D(h, i, t) = \sum_{p,e} \bar F_s(h, i)\, \frac{D_s^{550}(i, t)}{\bar F_s^{550}(i)}

    (``data/radiation/make_dose_grid.py``, ``DOSE_GRID.md``). Trapped particles only: solar
    particle events and cosmic rays are excluded. Refused (ParameterError) outside the grid:
    altitude 160-2000 km, inclination 0-180 deg, ``shielding`` 0.05-20 mm Al.
    """
    h = _arg(altitude, "km", "altitude")
    i = _arg(inclination, "deg", "inclination")
    t = _arg(shielding, "mm", "shielding")
    alts, incs, lt, _ = _dose_grid()
    _check_altitude(h)
    _check_range(h, "altitude", alts[0], alts[-1], "km")
    _check_range(i, "inclination", incs[0], incs[-1], "deg")
    tmin, tmax = float(np.exp(lt[0])), float(np.exp(lt[-1]))
    _check_range(t, "shielding", tmin * (1 - 1e-9), tmax * (1 + 1e-9), "mm")
    return units.wrap(_ufunc(radiation_dose_kernel, h, i, t), "rad_Si/yr", "total ionising dose per year behind the shielding", "radiation_dose")


def single_event_rate_kernel(dose_rate, dose_per_event):
    """Expected events per day [1/d] from a dose rate [rad(Si)/yr] and a dose per event [rad(Si)]."""
    return np.asarray(dose_rate, dtype=float) / np.asarray(dose_per_event, dtype=float) * DAY_S / YEAR_S


def single_event_rate(dose_rate, dose_per_event) -> xr.DataArray:
    r"""Expected single events per day [1/d] from a dose rate and a per-dose event figure.

    .. math:: \lambda = \dot D / D_{event}

    where ``dose_per_event`` [rad(Si)] is the accelerator-test figure (e.g. Google's Suncatcher
    TPU proton test: one silent data corruption per ~14-20 rad, one crash per ~5 krad; the
    figures live in the accelerator catalog) and ``dose_rate`` [rad(Si)/yr] comes from
    :func:`radiation_dose`. Assumes the event rate scales with the ionising dose of the orbit's
    spectrum as it did in the beam test (a first-order assumption: the test used 67 MeV
    protons).
    """
    d = _arg(dose_rate, "rad_Si/yr", "dose_rate")
    _check_range(d, "dose_rate", 0, np.inf, "rad_Si/yr")
    e = _arg(dose_per_event, "rad_Si", "dose_per_event")
    _check_range(e, "dose_per_event", 0, np.inf, "rad_Si", strict_lo=True)
    return units.wrap(_ufunc(single_event_rate_kernel, d, e), "1/d", "expected single events per day", "single_event_rate")


# --------------------------------------------------------------------------------------------
# Latency
# --------------------------------------------------------------------------------------------
def round_trip_latency(altitude, min_elevation) -> xr.DataArray:
    r"""Round-trip propagation delay to a ground station [ms], best and worst case.

    Slant range to a station seeing the satellite at elevation e:

    .. math:: \rho = \sqrt{(R+h)^2 - R^2\cos^2 e} - R \sin e, \qquad t_{rt} = 2\rho / c

    (Wertz SMAD 2011, ch. 8 slant-range geometry). Best case: zenith (:math:`\rho = h`); worst case:
    ``min_elevation`` [deg]. Propagation only (no switching or processing delay). Result has a
    ``case`` dimension (``best``, ``worst``).
    """
    h = _arg(altitude, "km", "altitude")
    _check_altitude(h)
    e = _arg(min_elevation, "deg", "min_elevation")
    _check_range(e, "min_elevation", 0, 90, "deg")
    best = _ufunc(latency_kernel, h, 90.0)
    worst = _ufunc(latency_kernel, h, e)
    best, worst = (x if isinstance(x, xr.DataArray) else xr.DataArray(np.asarray(x)) for x in (best, worst))
    best, worst = xr.broadcast(best, worst)
    da = xr.concat([best, worst], dim="case").assign_coords(case=["best", "worst"])
    return units.wrap(da, "ms", "round-trip propagation delay to a ground station", "round_trip_latency")


# --------------------------------------------------------------------------------------------
# Annual-eclipse summaries for the chain: once per distinct orbit, or a fine grid
# --------------------------------------------------------------------------------------------
#: At most this many distinct orbits are computed exactly; more (Monte Carlo) use the grids.
EXACT_ORBITS_MAX = 4096


@functools.lru_cache(maxsize=32)
def _sso_grid(year: int):
    c = _constants()
    alts = np.arange(c["minimum_altitude"], c["maximum_altitude"] + 0.1, 10.0)
    lts = np.arange(0.0, 24.001, 0.25)

    def compute():
        A, L = np.meshgrid(alts, lts, indexing="ij")
        res = annual_summary_kernel(A.ravel(), sso_inclination_kernel(A.ravel()), L.ravel(), year)
        return [r.reshape(A.shape) for r in res]

    return (alts, lts), _stored_grid("sso", year, (alts, lts), compute)


@functools.lru_cache(maxsize=32)
def _inclined_grid(year: int):
    c = _constants()
    alts = np.arange(c["minimum_altitude"], c["maximum_altitude"] + 0.1, 40.0)
    incs = np.arange(0.0, 180.001, 3.0)
    lts = np.arange(0.0, 24.001, 2.0)

    def compute():
        A, I, L = np.meshgrid(alts, incs, lts, indexing="ij")
        res = annual_summary_kernel(A.ravel(), I.ravel(), L.ravel(), year)
        return [r.reshape(A.shape) for r in res]

    return (alts, incs, lts), _stored_grid("inclined", year, (alts, incs, lts), compute)


# The grids on disk: each costs ~0.4-1 s to build and a year-by-year Monte Carlo needs one per
# calendar year, in every process (each notebook of a report, each test worker). Kept under the
# user's cache folder, named by what their numbers depend on, checked when read, written whole.
#: Environment variable naming the folder of orbitdc's on-disk cache (the eclipse grids); an empty
#: value keeps nothing on disk. Default: ``$XDG_CACHE_HOME/orbitdc`` or ``~/.cache/orbitdc``.
CACHE_DIR_ENV = "ORBITDC_CACHE_DIR"


def cache_folder() -> Path | None:
    """The folder of orbitdc's on-disk cache (:data:`CACHE_DIR_ENV`), or None when turned off."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env is not None:
        return Path(env) if env.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "orbitdc"


@functools.lru_cache(maxsize=1)
def _grid_digest() -> str:
    """What a grid's numbers depend on besides its axes and year: this module's code, the Sun's
    position (orbitdc._astro, astropy, erfa) and numpy. Any change names a new file."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    for module_file in (__file__, _astro.__file__):
        h.update(Path(module_file).read_bytes())
    for package in ("numpy", "astropy", "pyerfa"):  # pyerfa: astropy's ERFA, the Sun's position
        try:
            h.update(f"{package} {version(package)};".encode())
        except PackageNotFoundError:
            h.update(f"{package} ?;".encode())
    return h.hexdigest()[:20]


def _stored_grid(kind: str, year: int, axes: tuple[np.ndarray, ...], compute) -> list[np.ndarray]:
    """The four grids of (mean fraction, max duration, eclipse days, albedo factor) over ``axes``:
    read from the cache folder when a file of this kind, year and digest holds exactly these axes
    and well-formed values, else ``compute()``-d and written (a temporary file renamed into place,
    so a reader never sees half a file; a folder that cannot be written just keeps nothing)."""
    folder = cache_folder()
    path = None
    if folder is not None:
        try:
            path = folder / "eclipse-grids" / f"{kind}-{int(year)}-{_grid_digest()}.npz"
        except OSError:
            path = None
    shape = tuple(a.size for a in axes)
    if path is not None and path.is_file():
        try:
            with np.load(path, allow_pickle=False) as z:
                same = all(np.array_equal(z[f"axis{i}"], a) for i, a in enumerate(axes))
                values = [np.array(z[f"value{i}"]) for i in range(4)]
            if same and all(v.shape == shape and v.dtype == np.float64 for v in values):
                return values
        except Exception:  # noqa: BLE001 - unreadable, truncated or another layout: computed again
            pass
    values = compute()
    if path is not None:
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **{f"axis{i}": a for i, a in enumerate(axes)},
                         **{f"value{i}": v for i, v in enumerate(values)})
            os.replace(tmp, path)
            tmp = None
        except OSError:
            pass
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
    return values


def _multilinear(axes, values, points):
    """Multilinear interpolation of each array in ``values`` (same grid) at ``points``."""
    idx = [_interp_axis(ax, p) for ax, p in zip(axes, points)]
    outs = [np.zeros(np.shape(points[0])) for _ in values]
    n = len(axes)
    for corner in range(2**n):
        w = 1.0
        sel = []
        for d in range(n):
            bit = (corner >> d) & 1
            j, wd = idx[d]
            sel.append(j + bit)
            w = w * (wd if bit else 1 - wd)
        flat = np.ravel_multi_index(tuple(sel), values[0].shape)
        for o, v in zip(outs, values):
            o += w * v.ravel()[flat]
    return outs


def _unique_rows(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``key`` (n x k floats) and, per row, the index of its distinct row.

    ``np.unique(key, axis=0, return_inverse=True)`` sorts the rows as records, one comparison at a
    time (~1 s for a million rows); here each column is factorised on its own (a vectorised 1-d
    sort) and the column codes combined into one integer per row. Rows compare equal exactly when
    ``np.unique(axis=0)`` finds them equal; the distinct rows come in another order, which changes
    nothing downstream (each orbit is computed on its own)."""
    n = key.shape[0]
    if n == 0:
        return key[:0], np.zeros(0, dtype=np.intp)
    code = np.zeros(n, dtype=np.int64)
    for col in key.T:
        if n and np.all(col == col[0]):
            continue  # a constant column (one year, one orbit family) separates nothing
        _, c = np.unique(col, return_inverse=True)
        code = code * (int(c.max()) + 1) + c.ravel()
        if code.size and int(code.max()) > 2**31:  # keep the combined code far from overflow
            _, code = np.unique(code, return_inverse=True)
            code = code.ravel()
    _, inverse = np.unique(code, return_inverse=True)
    inverse = inverse.ravel()
    first = np.empty(int(inverse.max()) + 1, dtype=np.intp)
    first[inverse[::-1]] = np.arange(n - 1, -1, -1)  # each distinct row's first occurrence
    return key[first], inverse


#: Exact annual eclipse statistics by orbit key (altitude, SSO, inclination, node time, year):
#: kept for calls with at most this many distinct orbits (cleared past 4,096 entries).
_SUMMARY_MEMO_ORBITS = 64
_SUMMARY_MEMO: dict[tuple, tuple[float, float, float, float]] = {}


def eclipse_summaries_kernel(h, is_sso, inc, ltan, year=2030, method: str = "auto"):
    """Annual (mean fraction, max duration [min], eclipse days [d]) for flat arrays of orbits.

    ``year`` (a number or an array like the orbits) is each orbit's calendar year (floored).

    ``method="exact"``: :func:`annual_summary_kernel` once per distinct orbit (~0.1 ms each).
    ``method="grid"``: multilinear interpolation of grids computed once per year (3-5 s each, on
    first use): sun-synchronous altitude (10 km) x ltan (0.25 h), inclined altitude (40 km) x
    inclination (3 deg) x ltan (2 h). Interpolation error against the exact values (300 random
    orbits, 300-1500 km): sun-synchronous mean fraction <= 0.008, max duration <= 0.5 min,
    eclipse days <= 46 d (p95 12 d; the day count is a steep function of ltan near dawn-dusk);
    inclined mean fraction <= 0.08 (p95 0.02), max duration <= 6 min (p95 0.05), eclipse days
    p95 25 d (near-polar orbits, where the node barely drifts and the coarse ltan axis matters).
    ``method="auto"``: exact when there are at most :data:`EXACT_ORBITS_MAX` distinct orbits in
    *this call*, else the grid. A caller that splits one problem into pieces (Monte Carlo chunks)
    must decide the method once for the whole problem and pass it, so that the pieces agree
    (:func:`orbitdc.uncertainty.monte_carlo` does).
    """
    h, is_sso, inc, ltan, yr = (np.asarray(x).ravel() for x in np.broadcast_arrays(h, is_sso, inc, ltan, year))
    yr = np.floor(yr.astype(float))
    if method not in ("auto", "exact", "grid"):
        raise ParameterError("eclipse_method", f"'{method}' is not one of auto, exact, grid")
    if method == "auto" and h.size > 16 * EXACT_ORBITS_MAX:
        method = "grid"  # more orbits than the exact limit could ever hold distinct: skip the sort
    if method != "grid":
        key = np.stack([h, is_sso.astype(float), np.where(is_sso, 0.0, inc), ltan % 24.0, yr], axis=1)
        if key.shape[0] == 1:
            uniq, inverse = key, np.zeros(1, dtype=np.intp)
        else:
            uniq, inverse = _unique_rows(key)
        if method == "exact" or uniq.shape[0] <= EXACT_ORBITS_MAX:
            res = [np.empty(uniq.shape[0]) for _ in range(4)]
            # an orbit's annual statistics are a pure function of its key: a few orbits asked again
            # (a trajectory's cohorts, a slider moving the economics) are looked up, not recomputed
            small = uniq.shape[0] <= _SUMMARY_MEMO_ORBITS
            rows = [tuple(r) for r in uniq.tolist()] if small else []
            todo = np.array([i for i, r in enumerate(rows) if r not in _SUMMARY_MEMO], dtype=np.intp) if small \
                else np.arange(uniq.shape[0])
            for i, r in enumerate(rows):
                hit = _SUMMARY_MEMO.get(r)
                if hit is not None:
                    for out_, v in zip(res, hit):
                        out_[i] = v
            if todo.size:
                sub = uniq[todo]
                inc_u = np.where(sub[:, 1] > 0, sso_inclination_kernel(sub[:, 0]), sub[:, 2])
                # one batch per length of year (365 or 366 days), each orbit with its own year's
                # Sun: a trajectory's 25 cohort years cost two passes, not 25
                ys = np.unique(sub[:, 4])
                ndays = np.array([_year_sun(int(y))[1].shape[0] for y in ys])
                for n in np.unique(ndays):
                    sel = np.isin(sub[:, 4], ys[ndays == n])
                    for r, v in zip(res, _annual_summary_rows(sub[sel, 0], inc_u[sel], sub[sel, 3], sub[sel, 4])):
                        r[todo[sel]] = v
                if small:
                    if len(_SUMMARY_MEMO) > 4096:
                        _SUMMARY_MEMO.clear()
                    for i in todo:
                        _SUMMARY_MEMO[rows[i]] = tuple(float(r[i]) for r in res)
            return tuple(r[inverse] for r in res)
    out = [np.empty(h.size) for _ in range(4)]
    for y in np.unique(yr):
        in_year = yr == y
        s = is_sso.astype(bool) & in_year
        if s.any():
            axes, vals = _sso_grid(int(y))
            for o, v in zip(out, _multilinear(axes, vals, (h[s], ltan[s] % 24.0))):
                o[s] = v
        i = ~is_sso.astype(bool) & in_year
        if i.any():
            axes, vals = _inclined_grid(int(y))
            for o, v in zip(out, _multilinear(axes, vals, (h[i], inc[i], ltan[i] % 24.0))):
                o[i] = v
    return tuple(out)


#: Frame attribute naming the eclipse method for the whole problem ("auto", "exact" or "grid").
ECLIPSE_METHOD_ATTR = "eclipse_method"


# --------------------------------------------------------------------------------------------
# The chain stage
# --------------------------------------------------------------------------------------------
def _kernel(f) -> dict[str, Any]:
    """Orbit stage on numpy arrays (one axis per chain dimension): see the module docstring."""
    h = f["altitude"]
    sso = f["orbit_type"] == "sso"
    inc = np.where(sso, sso_inclination_kernel(h), f["inclination"])
    if np.any(np.isnan(inc)):
        raise ParameterError("altitude", "no sun-synchronous circular orbit exists this high")
    # eclipses of the calendar year the design point starts in (each point its own year, so the
    # result never depends on which other points share the call)
    year = f["start_year"] if "start_year" in f else 2030
    hb, sb, ib, lb, yb = np.broadcast_arrays(h, sso, inc, f["ltan"], year)
    mean_f, max_d, ndays, albedo = eclipse_summaries_kernel(hb, sb, ib, lb, yb, f.attrs.get(ECLIPSE_METHOD_ATTR, "auto"))
    shape = hb.shape
    if "impose_sunlit_fraction" in f and bool(np.any(f["impose_sunlit_fraction"])):
        # a study's own sunlit fraction s: an eclipse of (1 - s) of every orbit, every day
        imp = np.broadcast_to(f["impose_sunlit_fraction"], shape).ravel()
        ecl = np.broadcast_to(1.0 - f["sunlit_fraction"], shape).ravel()
        per = np.broadcast_to(period_kernel(h), shape).ravel()
        mean_f = np.where(imp, ecl, mean_f)
        max_d = np.where(imp, ecl * per, max_d)
        ndays = np.where(imp, np.where(ecl > 0, 365.0, 0.0), ndays)

    # density: per activity level present, then select
    sa = f["solar_activity"]
    levels = [str(x) for x in np.unique(sa)]
    for lv in levels:
        if lv not in SOLAR_ACTIVITY_LEVELS:
            raise ParameterError("solar_activity", f"'{lv}' is not one of {', '.join(SOLAR_ACTIVITY_LEVELS)}")
    rho = density_kernel(h, levels[0])
    for lv in levels[1:]:
        rho = np.where(sa == lv, density_kernel(h, lv), rho)
    am, cd = f["area_to_mass"], f["drag_coefficient"]
    lifetime = None
    for lv in levels:
        t_lv = orbit_lifetime_kernel(h, am, cd, lv)
        lifetime = t_lv if lifetime is None else np.where(sa == lv, t_lv, lifetime)
    return {
        "altitude": h,
        "inclination": inc,
        "period": period_kernel(h),
        "eclipse_fraction": mean_f.reshape(shape),
        "max_eclipse_duration": max_d.reshape(shape),
        "eclipse_days": ndays.reshape(shape),
        "albedo_orbit_factor": albedo.reshape(shape),
        "atmospheric_density": rho,
        "drag_delta_v": drag_delta_v_kernel(h, am, cd, rho),
        "orbit_lifetime": lifetime,
        "radiation_dose": radiation_dose_kernel(h, inc, f["shielding_thickness"]),
        "round_trip_latency": latency_kernel(h, f["min_elevation"]),
        "round_trip_latency_zenith": latency_kernel(h, 90.0),
    }


STAGE = Stage(
    name="orbit",
    kernel=_kernel,
    parameters={
        "altitude": ParameterSpec("km", "circular orbit altitude", minimum=160, maximum=2000),
        "orbit_type": ParameterSpec("1", "orbit family: sun-synchronous or inclined", kind="choice", choices=("sso", "inclined")),
        "inclination": ParameterSpec("deg", "orbit inclination (used when orbit_type is inclined)", minimum=0, maximum=180),
        "ltan": ParameterSpec("h", "local time of the ascending node (fixed for sso; on 1 January for inclined)", minimum=0, maximum=24),
        "solar_activity": ParameterSpec("1", "solar activity level for atmospheric density", kind="choice", choices=SOLAR_ACTIVITY_LEVELS),
        "area_to_mass": ParameterSpec("m2/kg", "ballistic (drag) area per unit mass", minimum=0, exclusive_minimum=True, maximum=10),
        "drag_coefficient": ParameterSpec("1", "drag coefficient C_D", minimum=0, exclusive_minimum=True, maximum=10),
        "shielding_thickness": ParameterSpec("mm", "aluminium-equivalent shielding around the electronics", minimum=0.05, maximum=20),
        "min_elevation": ParameterSpec("deg", "minimum elevation of a ground-station link", minimum=0, maximum=90),
        "impose_sunlit_fraction": ParameterSpec("1", "use sunlit_fraction instead of the eclipse geometry", kind="flag"),
        "sunlit_fraction": ParameterSpec("1", "fraction of every orbit in sunlight when impose_sunlit_fraction is set", minimum=0, maximum=1),
    },
    outputs={
        "altitude": Output("km", "circular orbit altitude"),
        "inclination": Output("deg", "orbit inclination (resolved: the SSO value when sun-synchronous)"),
        "period": Output("min", "orbital period"),
        "eclipse_fraction": Output("1", "annual mean fraction of each orbit in eclipse"),
        "max_eclipse_duration": Output("min", "longest eclipse of the year"),
        "eclipse_days": Output("d", "days per year with eclipses"),
        "albedo_orbit_factor": Output("1", "annual mean illumination of the ground below, cos(beta)/pi (albedo flux / (albedo x solar flux))"),
        "atmospheric_density": Output("kg/m3", "mean atmospheric mass density at the orbit"),
        "drag_delta_v": Output("m/(s yr)", "drag make-up Delta-V per year"),
        "orbit_lifetime": Output("yr", "uncontrolled orbit lifetime (decay to re-entry)"),
        "radiation_dose": Output("rad_Si/yr", "trapped-particle dose per year behind the shielding"),
        "round_trip_latency": Output("ms", "round-trip propagation delay to a ground station at minimum elevation"),
        "round_trip_latency_zenith": Output("ms", "round-trip propagation delay to a ground station at zenith"),
    },
    kinds=frozenset({"space"}),
)
