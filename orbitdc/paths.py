r"""Paths over the years: any numeric parameter given year by year.

A path is a parameter's value at a few calendar years, ``{2026: 1500, 2030: 165, 2035: 15}``,
read between them by a stated interpolation and held flat outside them:

* **log-linear** (geometric between the years) for prices and costs (a unit in ``USD``) and for
  specific powers (``*_specific_power``): quantities that fall or grow by a rate, where halfway
  between 1500 and 165 USD/kg is ``sqrt(1500 x 165) = 497``, not 833;
* **linear** for everything else (fractions, years, lifetimes, powers).

.. math:: v(y) = v_i \left(\frac{v_{i+1}}{v_i}\right)^{w}\ \text{(log-linear)}, \quad
          v(y) = v_i + w\,(v_{i+1} - v_i)\ \text{(linear)}, \quad w = \frac{y - y_i}{y_{i+1} - y_i}

Before the first year and after the last the value is held at the nearest end; the Dataset says
so in ``attrs['path_warnings']``. :func:`interpolation` states the rule for each parameter.

A path comes from Python (a mapping ``{year: value}`` or a DataArray with a ``year`` dimension),
from YAML (the same mapping under ``value:``) or from the command line
(``--set launch_price_per_kg=2026:1500,2030:165,2035:15``; :func:`parse_path_text`). In
:func:`orbitdc.trajectory` the path is the parameter's per-year input and replaces its trend; in
:func:`orbitdc.evaluate` the value at ``start_year`` is used.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import xarray as xr

from . import units
from .errors import ParameterError

#: Interpolations a path may use.
INTERPOLATIONS = ("log", "linear")
_YEAR_ITEM = re.compile(r"^\s*(\d{4})\s*:\s*(.+?)\s*$")


def interpolation(name: str, unit: str) -> str:
    """The stated interpolation of a parameter's path: ``"log"`` for prices and costs (its
    canonical unit is in USD) and specific powers (the name ends in ``specific_power``),
    ``"linear"`` otherwise."""
    if "USD" in str(unit) or name.endswith("specific_power"):
        return "log"
    return "linear"


@dataclass(frozen=True)
class YearPath:
    """A parameter's values at whole calendar years (canonical unit), increasing years.

    ``values`` has the years on its first axis, and may carry more axes (one path per point of
    a sweep or sample), named by ``dims`` after ``year``.
    """

    name: str
    years: np.ndarray
    values: np.ndarray
    kind: str = "linear"
    dims: tuple[str, ...] = ()
    coords: tuple[tuple[str, xr.Variable], ...] = ()

    def at(self, years: Any) -> np.ndarray:
        """The path at ``years`` (any shape): shape ``years.shape + values.shape[1:]``. Exactly a
        given value at a given year; held flat outside the given years."""
        y = np.asarray(years, dtype=float)
        k = self.years
        idx = np.clip(np.searchsorted(k, y, side="right") - 1, 0, k.size - 1)
        nxt = np.minimum(idx + 1, k.size - 1)
        span = k[nxt] - k[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(span > 0, np.clip((y - k[idx]) / np.where(span > 0, span, 1.0), 0.0, 1.0), 0.0)
        extra = self.values.ndim - 1
        w = w.reshape(w.shape + (1,) * extra)
        lo, hi = self.values[idx], self.values[nxt]
        if self.kind == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                out = lo * (hi / lo) ** w
        else:
            out = lo + w * (hi - lo)
        return np.where(w == 0.0, lo, np.where(w == 1.0, hi, out))  # the given values, exactly

    def outside(self, first: float, last: float) -> str | None:
        """A warning when years ``first .. last`` reach beyond the path (held flat there)."""
        y0, y1 = float(self.years[0]), float(self.years[-1])
        parts = []
        if first < y0:
            parts.append(f"held at its {y0:.0f} value before {y0:.0f}")
        if last > y1:
            parts.append(f"held at its {y1:.0f} value after {y1:.0f}")
        if not parts:
            return None
        return f"{self.name}: {' and '.join(parts)} (path given {y0:.0f}-{y1:.0f})"

    def describe(self) -> str:
        """``2026: 1500, 2030: 165 (log-linear)`` (the first point of a path with more axes)."""
        first = self.values.reshape(self.values.shape[0], -1)[:, 0]
        pts = ", ".join(f"{y:.0f}: {v:.6g}" for y, v in zip(self.years, first))
        return f"{pts} ({'log-linear' if self.kind == 'log' else 'linear'})"


def as_dataarray(path: YearPath) -> xr.DataArray:
    """``path`` as a DataArray with a ``year`` dimension (the canonical unit is the caller's)."""
    return xr.DataArray(path.values, dims=("year",) + path.dims, coords={"year": path.years, **dict(path.coords)})


def is_path(value: Any) -> bool:
    """True for a mapping of years to values, or a DataArray with a ``year`` dimension."""
    if isinstance(value, xr.DataArray):
        return "year" in value.dims
    return isinstance(value, Mapping)


def as_path(name: str, value: Any, unit: str, check=None, horizon: tuple[float, float] | None = None) -> YearPath:
    """A :class:`YearPath` from a mapping ``{year: value}`` (values numbers, astropy Quantities
    or strings with units) or a DataArray with a ``year`` dimension (``attrs['units']`` converted
    like any DataArray), in the canonical ``unit``.

    ``check(values)`` range-checks the values (the parameter's spec); ``horizon`` (first, last)
    refuses a year outside the years the model describes. Every problem is a one-line
    :class:`~orbitdc.errors.ParameterError` naming the parameter: years not whole or not
    increasing, fewer than two years, a value that is not a finite number, a value out of range,
    a zero or negative value on a log-linear path.
    """
    kind = interpolation(name, unit)
    dims: tuple[str, ...] = ()
    coords: tuple = ()
    if isinstance(value, xr.DataArray):
        if "year" not in value.dims:
            raise ParameterError(name, "a path needs a 'year' dimension")
        if "year" not in value.coords:
            raise ParameterError(name, "a path needs its years as the 'year' coordinate")
        da = value.transpose("year", ...)
        years = np.asarray(da["year"].values)
        vals = units.strip(da.drop_vars("year"), unit, name)
        dims = tuple(d for d in da.dims if d != "year")
        coords = tuple((d, da.coords[d].variable) for d in dims if d in da.coords)
        raw = np.asarray(vals.values if isinstance(vals, xr.DataArray) else vals)
    elif isinstance(value, Mapping):
        if not value:
            raise ParameterError(name, "an empty path: give at least two years, e.g. {2026: 1500, 2035: 15}")
        years = np.asarray(list(value.keys()), dtype=object)
        items = list(value.values())
        try:
            conv = [units.strip(units.quantity_from_string(v, name) if isinstance(v, str) else v, unit, name) for v in items]
        except ParameterError as exc:
            raise ParameterError(name, f"path value: {exc.reason}") from None
        try:
            raw = np.asarray([np.asarray(c, dtype=float) for c in conv], dtype=float)
        except (TypeError, ValueError):
            raise ParameterError(name, "path values must be numbers") from None
        if raw.ndim != 1:
            raise ParameterError(name, "path values must be single numbers (one per year)")
    else:
        raise ParameterError(name, f"expected a path {{year: value}}, got {type(value).__name__}")
    try:
        yf = np.asarray([float(y) for y in years], dtype=float)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int of 400 digits
        raise ParameterError(name, f"path years must be whole calendar years, got {list(years)!r}"[:200]) from None
    if yf.size < 2:
        raise ParameterError(name, f"a path needs at least two years, got {yf.size} (one value: give the number itself)")
    if np.any(~np.isfinite(yf)) or np.any(yf != np.round(yf)):
        raise ParameterError(name, "path years must be whole calendar years")
    if np.any(np.diff(yf) <= 0):
        raise ParameterError(name, f"path years must increase strictly, got {', '.join(f'{y:.0f}' for y in yf)}")
    try:
        raw = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(name, "path values must be numbers") from None
    if raw.shape[0] != yf.size:
        raise ParameterError(name, "a path needs one value per year")
    if not np.all(np.isfinite(raw)):
        bad = float(yf[np.flatnonzero(~np.isfinite(raw.reshape(yf.size, -1)).any(axis=1))[0]])
        raise ParameterError(name, f"path value for {bad:.0f} is not a finite number")
    if horizon is not None:
        first, last = horizon
        out = yf[(yf < first) | (yf > last)]
        if out.size:
            raise ParameterError(name, f"path year {out[0]:.0f} is outside the years the model describes ({first:.0f}-{last:.0f})")
    if kind == "log" and np.any(raw <= 0):
        raise ParameterError(name, "a price, cost or specific power path is log-linear: its values must be > 0")
    if check is not None:
        check(raw)
    return YearPath(name=name, years=yf, values=raw, kind=kind, dims=dims, coords=coords)


def parse_path_text(raw: str) -> dict[int, Any] | None:
    """``2026:1500,2030:165,2035:15`` (``--set``) as ``{2026: "1500", ...}`` (values as text, read
    by the parameter with its unit: ``2026:1500 USD/kg`` works), or None if ``raw`` is not a path."""
    parts = [p for p in raw.split(",")]
    matches = [_YEAR_ITEM.match(p) for p in parts]
    if not all(matches):
        if any(matches):
            bad = next(p for p, m in zip(parts, matches) if not m)
            raise ParameterError("--set", f"'{raw}': item '{bad.strip()}' is not YEAR:VALUE (a path is 2026:1500,2030:165)")
        return None
    out: dict[int, Any] = {}
    for m in matches:
        year = int(m.group(1))
        if year in out:
            raise ParameterError("--set", f"'{raw}': year {year} given twice")
        out[year] = _number_or_text(m.group(2))
    return out


def _number_or_text(text: str) -> Any:
    try:
        v = float(text)
    except ValueError:
        return text
    return v if math.isfinite(v) else text
