"""The one place where orbitdc converts units.

Public model functions accept an astropy ``Quantity`` (converted here), an ``xarray.DataArray``
whose ``attrs["units"]`` astropy can parse (converted here), or a bare number/array read in the
canonical unit. They call unit-free numeric kernels and return ``DataArray`` objects carrying
``attrs["units"]`` and ``attrs["long_name"]`` (after xarray's conventions, as MetPy does).

Units that astropy lacks are defined here and enabled on import:

* ``USD`` (money, with SI prefixes: ``MUSD``, ``GUSD``), so ``"USD/kg"`` and ``"USD/(kW yr)"`` parse;
* ``FLOP`` (one floating-point operation), so ``"FLOP/s"`` parses;
* ``rad_Si`` (the radiation-dose *rad*, 0.01 Gy, absorbed in silicon). Plain ``"rad"`` would
  parse as *radian* in astropy, so orbitdc writes doses as ``rad_Si``.
"""
from __future__ import annotations

import functools
from typing import Any

import astropy.units as u
import numpy as np
import xarray as xr

from .errors import ParameterError

_NAMESPACE: dict = {}  # def_unit puts the prefixed forms (kUSD, MUSD, TFLOP, ...) here
USD = u.def_unit(["USD"], doc="United States dollar (money as a unit)", prefixes=True, namespace=_NAMESPACE)
FLOP = u.def_unit(["FLOP"], doc="one floating-point operation", prefixes=True, namespace=_NAMESPACE)
rad_Si = u.def_unit(["rad_Si"], 0.01 * u.Gy, doc="radiation absorbed dose (rad) in silicon", namespace=_NAMESPACE)
u.add_enabled_units(_NAMESPACE)

# Conversions between K and deg_C are allowed everywhere a temperature is read.
_EQUIVALENCIES = u.temperature()


def parse_unit(unit: str | u.UnitBase, name: str = "unit") -> u.UnitBase:
    """Parse a unit string strictly; ``""`` and ``"1"`` mean dimensionless."""
    if isinstance(unit, u.UnitBase):
        return unit
    if isinstance(unit, str):
        return _parse_cached(unit, name)
    return _parse(unit, name)


@functools.lru_cache(maxsize=1024)
def _parse_cached(unit: str, name: str) -> u.UnitBase:
    # astropy's parser costs ~0.5 ms a call; the chain names a few dozen distinct units
    return _parse(unit, name)


def _parse(unit, name: str) -> u.UnitBase:
    text = str(unit).strip()
    if text in ("", "1", "one", "dimensionless"):
        return u.dimensionless_unscaled
    try:
        return u.Unit(text, parse_strict="raise")
    except (ValueError, TypeError) as exc:
        raise ParameterError(name, f"unit '{unit}' is not a unit astropy can parse") from exc


def unit_string(unit: str | u.UnitBase) -> str:
    """The text stored in ``attrs['units']``: the string as written when astropy parses it."""
    if isinstance(unit, str):
        return _unit_string_cached(unit)
    return _unit_string(unit)


@functools.lru_cache(maxsize=1024)
def _unit_string_cached(unit: str) -> str:
    return _unit_string(unit)


def _unit_string(unit) -> str:
    parsed = parse_unit(unit)
    if parsed == u.dimensionless_unscaled:
        return "1"
    return unit.strip() if isinstance(unit, str) else parsed.to_string()


def convert(value: Any, from_unit: str | u.UnitBase, to_unit: str | u.UnitBase, name: str = "value"):
    """Convert plain numbers ``value`` from ``from_unit`` to ``to_unit`` (floats out)."""
    src, dst = parse_unit(from_unit, name), parse_unit(to_unit, name)
    if src == dst:
        return value
    try:
        if isinstance(value, xr.DataArray):
            factor = src.to(dst, equivalencies=_EQUIVALENCIES, value=1.0)
            offset = src.to(dst, equivalencies=_EQUIVALENCIES, value=0.0)
            return value * (factor - offset) + offset
        return src.to(dst, np.asarray(value, dtype=float), equivalencies=_EQUIVALENCIES)
    except u.UnitConversionError as exc:
        raise ParameterError(
            name, f"unit '{unit_string(src)}' cannot be converted to '{unit_string(dst)}'"
        ) from exc


def strip(value: Any, unit: str | u.UnitBase, name: str = "value"):
    """Return ``value`` as plain floats in ``unit`` (a DataArray stays a DataArray).

    * ``Quantity`` -> converted ``ndarray`` (or float);
    * ``DataArray`` with ``attrs['units']`` -> converted DataArray without attrs; without units
      it is taken to be in ``unit`` already;
    * a number, list or ``ndarray`` -> taken to be in ``unit``.
    """
    if isinstance(value, u.Quantity):
        try:
            out = value.to_value(parse_unit(unit, name), equivalencies=_EQUIVALENCIES)
        except u.UnitConversionError as exc:
            raise ParameterError(
                name, f"unit '{value.unit}' cannot be converted to '{unit_string(unit)}'"
            ) from exc
        return out
    if isinstance(value, xr.DataArray):
        src = value.attrs.get("units")
        data = value if value.dtype.kind == "f" else value.astype(float)
        if src is not None:
            data = convert(data, src, unit, name)
        out = data.copy(deep=False)  # no copy of the values (a 1e7-sample array stays shared)
        out.attrs = {}
        return out
    if isinstance(value, str):
        return strip(quantity_from_string(value, name), unit, name)
    return _plain_numbers(value, unit, name)


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40] + '...' if len(text) > 40 else text}"


def _plain_numbers(value: Any, unit: str | u.UnitBase, name: str):
    """Numbers, or a list whose items may carry units ("650 km", a Quantity), as floats in
    ``unit``; anything else (None, true/false, text, mappings, ragged lists, complex or
    oversized numbers) is a ParameterError naming ``name``, never a bare TypeError."""
    def refuse(what: str | None = None):
        return ParameterError(name, f"expected a number or a list of numbers in {unit_string(unit)}, got {what or _describe(value)}")

    if value is None:
        raise refuse("None")
    if isinstance(value, (bool, np.bool_)):
        raise refuse(f"{bool(value)} (true/false is not a number)")
    if isinstance(value, (list, tuple)) and any(isinstance(v, (str, u.Quantity)) for v in value):
        out = []
        for item in value:
            if isinstance(item, str):
                q = quantity_from_string(item, name)
                # a bare number typed as text is in the canonical unit, as for a single value
                item = q.value if q.unit == u.dimensionless_unscaled else q
            elif isinstance(item, (list, tuple)):
                raise refuse("a nested list")
            x = strip(item, unit, name)
            if np.ndim(x) != 0:
                raise refuse("a nested list")
            out.append(float(x))
        return np.asarray(out, dtype=float)
    try:
        if np.isscalar(value):
            if isinstance(value, (complex, np.complexfloating, bytes, np.bytes_)):
                raise TypeError
            return float(value)
        arr = np.asarray(value)
        if arr.dtype.kind == "b":
            raise refuse("true/false values (not numbers)")
        if arr.dtype.kind not in "iuf":
            raise TypeError
        return np.asarray(arr, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise refuse() from None


def quantity_from_string(text: str, name: str = "value") -> u.Quantity:
    """Parse ``"650 km"`` or ``"500 USD/kg"`` into a Quantity (a bare number is dimensionless)."""
    try:
        return u.Quantity(text)
    except (TypeError, ValueError) as exc:
        raise ParameterError(name, f"'{text}' is not a number with a unit (e.g. '650 km')") from exc


def wrap(values: Any, unit: str | u.UnitBase, long_name: str, name: str | None = None) -> xr.DataArray:
    """Return ``values`` as a DataArray with ``attrs`` ``units`` and ``long_name``."""
    da = values if isinstance(values, xr.DataArray) else xr.DataArray(np.asarray(values))
    da = da.copy(deep=False)
    da.attrs = {"units": unit_string(unit), "long_name": long_name}
    if name is not None:
        da.name = name
    return da


def to_quantity(da: xr.DataArray) -> u.Quantity:
    """An astropy Quantity from a DataArray carrying ``attrs['units']``."""
    return u.Quantity(np.asarray(da.values), parse_unit(da.attrs.get("units", "1")))


def as_array(value: Any, unit: str | u.UnitBase, name: str = "value"):
    """:func:`strip`, with numbers and lists made float ndarrays (so results broadcast like numpy)."""
    v = strip(value, unit, name)
    return v if isinstance(v, xr.DataArray) else np.asarray(v, dtype=float)


def check_domain(name: str, value: Any, lo: float | None = None, hi: float | None = None, *,
                 lo_open: bool = False, hi_open: bool = False, unit: str = "") -> None:
    """Vectorised domain check of plain values: ParameterError naming ``name`` if any value is
    not finite or lies outside ``[lo, hi]`` (``lo_open``/``hi_open`` make a bound strict)."""
    arr = np.asarray(value.values if isinstance(value, xr.DataArray) else value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, "must be a finite number")
    suffix = f" {unit}" if unit else ""
    if lo is not None:
        bad = arr <= lo if lo_open else arr < lo
        if bad.any():
            raise ParameterError(name, f"{arr[bad].flat[0]:g}{suffix} is out of range: must be {'>' if lo_open else '>='} {lo:g}{suffix}")
    if hi is not None:
        bad = arr >= hi if hi_open else arr > hi
        if bad.any():
            raise ParameterError(name, f"{arr[bad].flat[0]:g}{suffix} is out of range: must be {'<' if hi_open else '<='} {hi:g}{suffix}")
