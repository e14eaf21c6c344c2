"""Launch-vehicle catalog lookups and the launch-price learning curve, shared by two stages.

The launch stage (:mod:`orbitdc.launch`) prices and schedules launches with them; the economics
stage (:mod:`orbitdc.economics`) asks the same learning curve in which year the launch price
reaches its break-even price. Stage modules do not import each other (each depends only on
frame, parameters, catalogs, units, errors and helpers like this one), so the shared kernels live here; launch
re-exports every name under its old name.

Learning curve (Wright 1936): internal cost per kg falls by ``learning_rate`` per doubling of the
cumulative mass launched, down to a floor; flights accumulate along a cadence that ramps linearly
from today's flights per year (``reference_year``) to the planned rate (``planned_year``), then
stays there. See :func:`orbitdc.launch.launch_price_by_year` for the full description and sources.
"""
from __future__ import annotations

import numpy as np

from . import _learning
from .errors import ParameterError
from .catalogs import catalog_choices, catalog_lookup, load_catalog
from .parameters import ParameterSpec

CATALOG = "launch_vehicles"

#: Vehicle parameters whose default is a field of the vehicle's catalog row.
VEHICLE_PARAMETERS: dict[str, ParameterSpec] = {
    "vehicle_payload_leo": ParameterSpec("t", "vehicle payload to its reference LEO (default: the vehicle's catalog payload_reference)",
                                         minimum=0.0, exclusive_minimum=True, maximum=1000.0,
                                         catalog=(CATALOG, "payload_reference", "launch_vehicle")),
    "vehicle_price": ParameterSpec("USD", "price of one launch of the vehicle (default: catalog price; seeds the learning curve)",
                                   minimum=0.0, catalog=(CATALOG, "price", "launch_vehicle")),
    "vehicle_flights_per_year": ParameterSpec("1/yr", "the vehicle's planned flights per year (default: catalog flights_per_year_planned)",
                                              minimum=0.0, exclusive_minimum=True, maximum=10000.0,
                                              catalog=(CATALOG, "flights_per_year_planned", "launch_vehicle")),
}


def vehicles() -> tuple[str, ...]:
    """Names of the vehicles in ``data/catalogs/launch_vehicles.csv``."""
    return catalog_choices(CATALOG)()


def _vehicle_names(key) -> np.ndarray:
    """``key`` (numpy names) checked against the catalog: ParameterError listing the known ones."""
    arr = np.asarray(key).astype(str)
    known = vehicles()
    names = [str(arr.flat[0])] if arr.size == 1 else [str(n) for n in np.unique(arr)]
    bad = [n for n in names if n not in known]
    if bad:
        raise ParameterError("launch_vehicle", f"'{bad[0]}' is not a known launch vehicle; known: {', '.join(known)}")
    return arr


def _vv(key, field: str, unit: str, default: float | None = None):
    """Numpy :func:`orbitdc.launch.vehicle_value`: a float for one name, an array shaped like ``key`` otherwise."""
    if default is not None and field not in load_catalog(CATALOG):
        return np.full(np.shape(key), default) if np.size(key) > 1 else float(default)
    return catalog_lookup(CATALOG, field, key, unit, default)


def _vehicle_param(f, name: str, key):
    """A catalog-backed vehicle parameter (``vehicle_*``) from the frame, else from the catalog."""
    spec = VEHICLE_PARAMETERS[name]
    if name in f:
        return f[name]
    return catalog_lookup(CATALOG, spec.catalog[1], key, spec.unit)


def _after_plan(x, g):
    """Flights of a cadence of 1 a year at ``x`` years past its plan, growing at ``g`` a year:
    the integral of (1 + g)^u over [0, x] (x when g = 0)."""
    lg = np.log1p(g)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(lg > 1e-12, np.expm1(lg * x) / np.where(lg > 1e-12, lg, 1.0), x)


def _cum_flights(year, f0, f1, y0, y1, g=0.0):
    r"""Kernel: flights since ``y0`` up to ``year``: a linear ramp f0 -> f1 over [y0, y1], then f1
    growing at ``g`` a year (``launch_cadence_growth_rate``, as the year-by-year fleet's ramps):

    .. math:: F(t) = f_0 t + \tfrac{1}{2}(f_1 - f_0) t^2 / T \ (t \le T), \quad
              F(t) = F(T) + f_1 \frac{(1 + g)^{t - T} - 1}{\ln(1 + g)} \ (t > T)"""
    span = np.maximum(y1 - y0, 1e-9)
    t = year - y0
    tr = np.clip(t, 0.0, span)
    ramp = f0 * tr + 0.5 * (f1 - f0) * tr * tr / span
    return np.where(t < 0, f0 * t, ramp + f1 * _after_plan(np.maximum(t - span, 0.0), g))


def _inverse_cum_flights(target, f0, f1, y0, y1, g=0.0):
    """Kernel: the year at which ``_cum_flights`` reaches ``target`` (inf if never)."""
    span = np.maximum(y1 - y0, 1e-9)
    at_end = f0 * span + 0.5 * (f1 - f0) * span
    a = 0.5 * (f1 - f0) / span
    lg = np.log1p(g)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        disc = np.maximum(f0 * f0 + 4.0 * a * target, 0.0)
        # numerically stable root of a t^2 + f0 t - target = 0
        t_quad = np.where(np.abs(a) > 1e-12, 2.0 * target / (f0 + np.sqrt(disc)), target / f0)
        t_ramp = np.where(target <= 0, np.where(f0 > 0, target / f0, np.where(target == 0, 0.0, -np.inf)), t_quad)
        z = np.where(f1 > 0, (target - at_end) / f1, np.inf)  # years at the planned cadence
        t_after = span + np.where(lg > 1e-12, np.log1p(z * lg) / np.where(lg > 1e-12, lg, 1.0), z)
        t = np.where(target <= at_end, t_ramp, t_after)
    t = np.where(np.isnan(t) & (target > 0), np.inf, t)
    return y0 + t


def _year_kernel(p, lr, fl, mg, vi, p0, m0, mpf, f0, f1, y0, y1, g=0.0):
    c_target = _learning.cost_of_price(p, mg, vi)
    c0 = p0 / (1.0 + mg)
    b = _learning.exponent(lr)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        m_star = _learning.cumulative_at_cost(c_target, c0, m0, lr, fl)  # mass launched when the cost is reached
        flights = (m_star - m0) / mpf
        year = _inverse_cum_flights(flights, f0, f1, y0, y1, g)
    never = (c_target <= fl) | (b >= 0) | (mpf <= 0) | ~np.isfinite(year)
    year = np.where(never, np.inf, year)
    year = np.where(c_target >= c0, y0, year)
    return np.where(np.isnan(p), np.nan, year)
