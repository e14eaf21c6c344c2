"""Fleet build-up: launch and production ramps, satellites in service, retired and failed, by year.

The static chain sizes one system (``satellites`` of ``satellite_mass``) and says how long the
launch campaign would take. A programme is built year by year instead: each year it launches what
its factory can build and its launch vehicles can carry, up to the number it needs to keep its
target in service, and it replaces what fails or reaches the end of its life out of the same
cadence. This module holds that bookkeeping and its data:

* **Ramps** (:class:`Ramp`): a quantity by calendar year, piecewise linear between sourced knots
  (each knot a value with a low/high range and a source), flat beyond the first and last knot.
  Cadences and production capacities may not decrease.
* **Fleet plans** (:class:`FleetPlan`, ``data/fleets/*.yaml``): per architecture, a satellite
  production ramp (mass per year) and one or more launch vehicles, each with its ``share`` of the
  programme's satellites by year (shares sum to 1 in every year), the vehicle's total ``cadence``
  (flights per year, all customers; ``catalog`` = the catalog's linear ramp from today's to the
  planned cadence), the share of those flights available to the programme (default: the
  architecture's ``launch_cadence_share``) and, for vehicles other than the architecture's own
  ``launch_vehicle``, the launch price per kg at the programme's start.
* **Bookkeeping** (:func:`fleet_kernel`): a scan over years, vectorised over every other axis.

Bookkeeping (yearly steps; ``n_c`` satellites of cohort ``c`` reach orbit in year ``c``)::

    old(t)      = sum_{c<t} n_c K(t - c)                       in service before year t's launches
    demand(t)   = max(N - old(t), 0)  for t >= start_year, else 0      (N = the target number)
    P_cap(t)    = production(t) / m_sat(t) * (1 - p_fail)            (satellites reaching orbit)
    L_cap(t)    = min_v  cadence_v(t) a_v n_v(t) (1 - p_fail) / share_v(t)
    n_t         = min(demand, P_cap, L_cap);   binding limit = whichever of the three is smallest
    built(t)    = n_t / (1 - p_fail)       (payloads lost at launch are re-built and counted failed)
    launches_v  = share_v(t) built(t) / n_v(t)                  (n_v: satellites per launch)

Ageing of a cohort (failure fraction ``lambda`` per year, life ``L`` years, ``h(a) = clip(L - a, 0, 1)``,
``h(-1) = 1``): at age ``a`` the survivors are ``K(a) = (1 - lambda)^a h(a)``; in year ``a`` of its
life a cohort loses ``F(a) = lambda (1 - lambda)^(a-1) h(a-1)`` to failures (``F(0) = 0``) and
retires ``R(a) = (1 - lambda)^a (h(a-1) - h(a))``. ``K(a) + sum_{j<=a} (F(j) + R(j)) = 1`` exactly,
so built = in service + retired + failed holds for satellites and for mass in every year. With an
integer life a cohort serves ``L`` year-ends and its ``(1 - lambda)^L`` survivors retire in year
``c + L``; a fractional life retires the last fraction one year later.

Fixed shares mean each vehicle carries its share of every year's satellites; when one vehicle's
cadence binds, the others do not take over its share (the binding vehicle is named).

Sources: Starlink production (70 satellites a week in 2025, SpaceX), vehicle cadences in
``data/catalogs/launch_vehicles.csv`` and the fleet files; see ``data/fleets/README.md``.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping

import numpy as np
from pydantic import BaseModel, ConfigDict, field_validator

from . import _learning, units
from .errors import ArchitectureError, ParameterError
from .catalogs import CATALOG_DIR, catalog_rows
from .parameters import DATA_DIR, Architecture, _rel, check_sources, read_document

FLEET_DIR = DATA_DIR / "fleets"
#: Key in a fleet file standing for the architecture's own ``launch_vehicle``.
OWN_VEHICLE = "architecture"
#: Default fleet plan for an architecture without a file of its own.
DEFAULT_FLEET = "default"
LAUNCH_CATALOG = "launch_vehicles"

#: Ramp kinds: canonical unit and whether the ramp may decrease.
RAMP_KINDS = {
    "share": ("1", True),
    "cadence": ("1/yr", False),
    "production": ("t/yr", False),
}

#: Codes of ``binding_limit`` (the launch codes follow, one per vehicle: LAUNCH + v; LAUNCH + V,
#: with shares ``fill``: every vehicle flying for the programme that year is full).
BEFORE_START, NONE, PRODUCTION, LAUNCH = 0, 1, 2, 3


# --------------------------------------------------------------------------------------------
# Ramps
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ramp:
    """A quantity by calendar year: piecewise linear through sourced knots, flat outside them.

    ``value``/``low``/``high`` are the knots in the canonical ``unit``. :meth:`at` evaluates the
    nominal ramp, or a drawn one: a quantile ``q`` (one per sample, shared by every knot, so a
    drawn ramp is the whole ramp moved towards its low or high end) maps each knot piecewise
    linearly, ``q = 0 -> low``, ``0.5 -> value``, ``1 -> high``; a running maximum keeps a
    non-decreasing ramp non-decreasing.
    """

    name: str
    unit: str
    years: np.ndarray
    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    may_decrease: bool = True
    sources: tuple[str, ...] = ()
    #: (value, low, high) growth per year after the last knot (None: held flat, or the caller's)
    growth: tuple[float, float, float] | None = None

    def knots(self, q: Any = None) -> np.ndarray:
        """Knot values, shape ``(K,)`` or ``(K, *q.shape)`` for drawn quantiles ``q`` in [0, 1]."""
        if q is None:
            return self.value
        q = np.asarray(q, dtype=float)[None, ...]
        shape = (-1,) + (1,) * (q.ndim - 1)
        lo, mid, hi = (a.reshape(shape) for a in (self.low, self.value, self.high))
        out = np.where(q < 0.5, lo + (mid - lo) * (2.0 * q), mid + (hi - mid) * (2.0 * q - 1.0))
        if not self.may_decrease:
            out = np.maximum.accumulate(out, axis=0)
        return out

    def at(self, years: Any, q: Any = None, growth: Any = None) -> np.ndarray:
        """The ramp at ``years`` (1-d): shape ``(T,)``, or ``(T, *q.shape)`` with drawn quantiles.

        ``growth`` (a rate per year, an array broadcasting against the drawn quantiles; default the
        ramp's own ``growth`` at ``q``) continues the ramp after its last knot:
        ``v_last (1 + growth)^(y - y_last)``; without either the ramp is held flat there."""
        y = np.asarray(years, dtype=float)
        if growth is None and self.growth is not None:
            growth = self.growth[0] if q is None else _drawn(np.asarray(self.growth, dtype=float), q)
        k = self.knots(q)
        base = self._interp(y, k)
        if growth is None:
            return base
        g = np.asarray(growth, dtype=float)
        after = np.maximum(y - self.years[-1], 0.0).reshape((-1,) + (1,) * (base.ndim - 1))
        with np.errstate(invalid="ignore"):
            out = base * (1.0 + g) ** after
        return np.where(after > 0, out, base)

    def _interp(self, y: np.ndarray, k: np.ndarray) -> np.ndarray:
        if k.ndim == 1:
            return np.interp(y, self.years, k)
        # linear interpolation weights, shared by every sample
        idx = np.clip(np.searchsorted(self.years, y, side="right") - 1, 0, len(self.years) - 1)
        nxt = np.minimum(idx + 1, len(self.years) - 1)
        span = self.years[nxt] - self.years[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(span > 0, np.clip((y - self.years[idx]) / np.where(span > 0, span, 1.0), 0.0, 1.0), 0.0)
        w = w.reshape((-1,) + (1,) * (k.ndim - 1))
        return k[idx] * (1.0 - w) + k[nxt] * w


def _drawn(lvh: np.ndarray, q: Any) -> np.ndarray:
    """(low, value, high) mapped piecewise linearly from quantiles ``q`` (0 -> low, 0.5 -> value, 1 -> high)."""
    v, lo, hi = lvh
    q = np.asarray(q, dtype=float)
    return np.where(q < 0.5, lo + (v - lo) * (2.0 * q), v + (hi - v) * (2.0 * q - 1.0))


def _ramp_from_points(name: str, kind: str, unit: str, points: list[Mapping[str, Any]], file: str) -> Ramp:
    canon, may_decrease = RAMP_KINDS[kind]
    years = np.array([p["year"] for p in points], dtype=float)
    if len(years) == 0:
        raise ArchitectureError("a ramp needs at least one point", file=file, parameter=name)
    if np.any(np.diff(years) <= 0):
        raise ArchitectureError("ramp years must increase strictly", file=file, parameter=name)
    try:
        conv = [[float(units.convert(p[k], unit, canon, name)) for k in ("value", "low", "high")] for p in points]
    except ParameterError as exc:
        raise ArchitectureError(exc.reason, file=file, parameter=name) from None
    value, low, high = (np.array(c) for c in zip(*conv))
    for y, v, lo, hi in zip(years, value, low, high):
        if not (math.isfinite(v) and math.isfinite(lo) and math.isfinite(hi)):
            raise ArchitectureError(f"{y:g}: values must be finite numbers", file=file, parameter=name)
        if not lo <= v <= hi:
            raise ArchitectureError(f"{y:g}: value {v:g} lies outside its range [{lo:g}, {hi:g}]", file=file, parameter=name)
        if lo < 0:
            raise ArchitectureError(f"{y:g}: {lo:g} {canon} is negative", file=file, parameter=name)
        if kind == "share" and hi > 1:
            raise ArchitectureError(f"{y:g}: a share must lie in [0, 1], got {hi:g}", file=file, parameter=name)
    if not may_decrease and np.any(np.diff(value) < 0):
        i = int(np.flatnonzero(np.diff(value) < 0)[0])
        raise ArchitectureError(f"the ramp decreases from {value[i]:g} ({years[i]:g}) to {value[i + 1]:g} ({years[i + 1]:g}) "
                                f"{canon}: a {kind} ramp may not decrease", file=file, parameter=name)
    sources = tuple(sorted({s for p in points for s in ([p["source"]] if isinstance(p["source"], str) else p["source"])}))
    return Ramp(name=name, unit=canon, years=years, value=value, low=low, high=high, may_decrease=may_decrease,
                sources=sources)


def _with_growth(ramp: Ramp, growth: "_Growth | None", file: str) -> Ramp:
    """``ramp`` continued after its last point by the file's growth per year (checked, sourced)."""
    if growth is None:
        return ramp
    name = f"{ramp.name}.growth"
    try:
        vals = [float(units.convert(x, growth.unit, "1/yr", name)) for x in (growth.value, growth.low, growth.high)]
    except ParameterError as exc:
        raise ArchitectureError(exc.reason, file=file, parameter=name) from None
    v, lo, hi = vals
    if not (all(math.isfinite(x) for x in vals) and lo <= v <= hi):
        raise ArchitectureError(f"value {v:g} must be finite and lie within its range [{lo:g}, {hi:g}]", file=file, parameter=name)
    if lo < (0.0 if not ramp.may_decrease else -1.0) or hi > 1.0:
        raise ArchitectureError(f"[{lo:g}, {hi:g}] 1/yr is out of range: a {'cadence' if not ramp.may_decrease else 'ramp'} "
                                f"grows by at most 100 % a year{' and may not shrink' if not ramp.may_decrease else ''}",
                                file=file, parameter=name)
    src = (growth.source,) if isinstance(growth.source, str) else tuple(growth.source)
    return dataclasses.replace(ramp, growth=(v, lo, hi), sources=tuple(sorted(set(ramp.sources) | set(src))))


# --------------------------------------------------------------------------------------------
# Fleet files (strict schema)
# --------------------------------------------------------------------------------------------
class _Point(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int
    value: float
    low: float
    high: float
    source: str | list[str]
    note: str | None = None

    @field_validator("source")
    @classmethod
    def _non_empty(cls, v):
        keys = [v] if isinstance(v, str) else v
        if not keys or any(not str(k).strip() for k in keys):
            raise ValueError("source must name at least one reference key")
        return v


class _Growth(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: float
    unit: str
    low: float
    high: float
    source: str | list[str]
    note: str | None = None


class _RampFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str
    points: list[_Point]
    #: growth per year after the last point (cadence ramps; default: the trend
    #: chain parameter launch_cadence_growth_rate, data/defaults/launch.yaml)
    growth: _Growth | None = None
    note: str | None = None


class _Scalar(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: float
    unit: str
    low: float
    high: float
    source: str | list[str]
    note: str | None = None


class _VehicleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    share: _RampFile
    cadence: _RampFile | Literal["catalog"]
    available_share: _Scalar | None = None
    launch_price_per_kg: _Scalar | None = None
    note: str | None = None


class _FleetFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str
    production: _RampFile
    vehicles: dict[str, _VehicleFile]
    #: fixed: each vehicle carries its share (the tightest caps the year); fill: a vehicle's
    #: excess goes to the vehicles with spare flights, in ``fill_order`` (default: file order)
    shares: Literal["fixed", "fill"] = "fixed"
    fill_order: list[str] | None = None


@dataclass(frozen=True)
class Quantity1:
    """A sourced scalar of a fleet file, in its canonical unit."""

    value: float
    low: float
    high: float
    sources: tuple[str, ...]


@dataclass(frozen=True)
class VehiclePlan:
    """One launch vehicle of a fleet plan (see the module docstring)."""

    vehicle: str
    share: Ramp
    cadence: Ramp
    available_share: Quantity1 | None
    launch_price_per_kg: Quantity1 | None
    payload_reference: float           # t per flight, catalog (learning basis of other customers' flights)
    cumulative_mass_to_date: float     # t, catalog (experience at reference_year)
    reference_year: float
    #: the cadence is the catalog's (``cadence: catalog``): its planned point is the chain's
    #: ``vehicle_flights_per_year`` when that is given or drawn (as the static launch stage reads it)
    cadence_from_catalog: bool = False


@dataclass(frozen=True)
class FleetPlan:
    """A fleet plan: production ramp and vehicles (module docstring)."""

    name: str
    file: str
    production: Ramp
    vehicles: tuple[VehiclePlan, ...]
    shares_mode: str = "fixed"
    fill_order: tuple[int, ...] | None = None

    @property
    def vehicle_names(self) -> list[str]:
        return [v.vehicle for v in self.vehicles]

    @property
    def ramps(self) -> list[Ramp]:
        """The ramps drawn in a Monte Carlo (production and cadences; shares are the plan)."""
        return [self.production] + [v.cadence for v in self.vehicles]

    @functools.cached_property
    def sources(self) -> set[str]:
        out = set(self.production.sources)
        for v in self.vehicles:
            out |= set(v.share.sources) | set(v.cadence.sources)
            for q in (v.available_share, v.launch_price_per_kg):
                if q is not None:
                    out |= set(q.sources)
        return out

    def shares(self, years: Any) -> np.ndarray:
        """Shares by year and vehicle, shape ``(T, V)``."""
        return np.stack([v.share.at(years) for v in self.vehicles], axis=1)


@functools.lru_cache(maxsize=64)
def _catalog_fields(stamp: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["entry"], r["field"]): r for r in catalog_rows(LAUNCH_CATALOG)}


def _catalog() -> dict[tuple[str, str], dict[str, Any]]:
    return _catalog_fields(_catalog_stamp())


def _catalog_number(vehicle: str, field: str, unit: str, file: str) -> dict[str, Any]:
    cat = _catalog()
    row = cat.get((vehicle, field))
    if row is None:
        raise ArchitectureError(f"launch vehicle '{vehicle}' has no '{field}' in data/catalogs/{LAUNCH_CATALOG}.csv",
                                file=file, parameter=f"vehicles.{vehicle}")
    conv = lambda x: float(units.convert(x, row["unit"] or "1", unit, field))  # noqa: E731
    return {"value": conv(row["value"]), "low": conv(row["low"]), "high": conv(row["high"]), "source": row["source"]}


def catalog_cadence(vehicle: str, file: str = f"data/catalogs/{LAUNCH_CATALOG}.csv") -> Ramp:
    """The catalog's cadence scenario of ``vehicle`` as a ramp: today's flights per year at
    ``reference_year``, linear to the planned cadence at ``planned_year``, flat after."""
    today = _catalog_number(vehicle, "flights_per_year_today", "1/yr", file)
    planned = _catalog_number(vehicle, "flights_per_year_planned", "1/yr", file)
    y0 = _catalog_number(vehicle, "reference_year", "1", file)["value"]
    y1 = _catalog_number(vehicle, "planned_year", "1", file)["value"]
    years = np.array([y0, y1]) if y1 > y0 else np.array([y0])
    pts = [today, planned] if y1 > y0 else [planned]
    name = f"{vehicle}.cadence"
    value = np.array([p["value"] for p in pts])
    if np.any(np.diff(value) < 0):
        raise ArchitectureError("the catalog cadence decreases from today's to the planned one: a cadence ramp may not "
                                "decrease", file=file, parameter=name)
    return Ramp(name=name, unit="1/yr", years=years, value=value, low=np.array([p["low"] for p in pts]),
                high=np.array([p["high"] for p in pts]), may_decrease=False,
                sources=tuple(sorted({s for p in pts for s in p["source"]})))


def _scalar(q: _Scalar | None, unit: str, name: str, file: str, lo: float, hi: float | None = None) -> Quantity1 | None:
    if q is None:
        return None
    try:
        vals = [float(units.convert(x, q.unit, unit, name)) for x in (q.value, q.low, q.high)]
    except ParameterError as exc:
        raise ArchitectureError(exc.reason, file=file, parameter=name) from None
    v, low, high = vals
    if not (all(math.isfinite(x) for x in vals) and low <= v <= high):
        raise ArchitectureError(f"value {v:g} must be finite and lie within its range [{low:g}, {high:g}]", file=file,
                                parameter=name)
    if low < lo or (hi is not None and high > hi):
        raise ArchitectureError(f"[{low:g}, {high:g}] {unit} is out of range: must lie in [{lo:g}, {hi if hi is not None else 'inf'}]",
                                file=file, parameter=name)
    src = (q.source,) if isinstance(q.source, str) else tuple(q.source)
    return Quantity1(v, low, high, src)


def fleet_path(arch: Architecture) -> Path:
    """The fleet file of an architecture: ``data/fleets/NAME.yaml``, else the default plan."""
    own = FLEET_DIR / f"{arch.name}.yaml"
    return own if own.exists() else FLEET_DIR / f"{DEFAULT_FLEET}.yaml"


def load_fleet(arch: Architecture, fleet: str | Path | Mapping[str, Any] | None = None,
               launch_vehicle: str | None = None) -> FleetPlan:
    """The fleet plan of ``arch``: ``fleet`` (a path or a mapping in the file format) or its file.

    ``launch_vehicle`` replaces the architecture's own vehicle (the ``architecture`` key); given
    without ``fleet``, the plan is that vehicle alone (the default plan), since a fleet file names
    its vehicles for the architecture's own choice.
    """
    own_vehicle = launch_vehicle if launch_vehicle is not None else str(arch.parameters["launch_vehicle"].value)
    if isinstance(fleet, Mapping):
        return _parse_fleet(dict(fleet), f"fleet for '{arch.name}'", own_vehicle)
    if fleet is None:
        path = FLEET_DIR / f"{DEFAULT_FLEET}.yaml" if launch_vehicle is not None else fleet_path(arch)
    else:
        path = Path(fleet)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None  # read_yaml reports the file
    return _load_fleet_file(str(path), stamp, own_vehicle, _catalog_stamp())


@functools.lru_cache(maxsize=64)
def _load_fleet_file(path: str, stamp: int | None, own_vehicle: str, catalog_stamp: str) -> FleetPlan:
    """A parsed fleet file, cached by path, modification time, vehicle and catalog version."""
    return _parse_fleet(Path(path), _rel(Path(path)), own_vehicle)


def _catalog_stamp() -> str:
    path = CATALOG_DIR / f"{LAUNCH_CATALOG}.csv"
    return f"{path}:{path.stat().st_mtime_ns}"


def _parse_fleet(source: Path | Mapping[str, Any], file: str, own_vehicle: str) -> FleetPlan:
    doc = read_document(source, _FleetFile, file, key_path=True)
    if not doc.vehicles:
        raise ArchitectureError("a fleet needs at least one launch vehicle", file=file, parameter="vehicles")
    check_sources(_all_sources(doc), file)
    production = _ramp_from_points("production", "production", doc.production.unit,
                                   [p.model_dump() for p in doc.production.points], file)
    known = {e for (e, _f) in _catalog()}
    plans = []
    seen = set()
    for key, v in doc.vehicles.items():
        vehicle = own_vehicle if key == OWN_VEHICLE else key
        if vehicle not in known:
            raise ArchitectureError(f"'{vehicle}' is not a launch vehicle in data/catalogs/{LAUNCH_CATALOG}.csv",
                                    file=file, parameter=f"vehicles.{key}")
        if vehicle in seen:
            raise ArchitectureError(f"vehicle '{vehicle}' appears twice", file=file, parameter=f"vehicles.{key}")
        seen.add(vehicle)
        share = _ramp_from_points(f"{vehicle}.share", "share", v.share.unit, [p.model_dump() for p in v.share.points], file)
        if v.cadence == "catalog":
            cadence = catalog_cadence(vehicle)
        else:
            cadence = _ramp_from_points(f"{vehicle}.cadence", "cadence", v.cadence.unit,
                                        [p.model_dump() for p in v.cadence.points], file)
            cadence = _with_growth(cadence, v.cadence.growth, file)
        price = _scalar(v.launch_price_per_kg, "USD/kg", f"{vehicle}.launch_price_per_kg", file, 0.0)
        if price is None and vehicle != own_vehicle:
            raise ArchitectureError("a vehicle other than the architecture's launch_vehicle needs its launch_price_per_kg",
                                    file=file, parameter=f"vehicles.{key}.launch_price_per_kg")
        plans.append(VehiclePlan(
            vehicle=vehicle, share=share, cadence=cadence,
            available_share=_scalar(v.available_share, "1", f"{vehicle}.available_share", file, 0.0, 1.0),
            launch_price_per_kg=price,
            payload_reference=_catalog_number(vehicle, "payload_reference", "t", file)["value"],
            cumulative_mass_to_date=_catalog_number(vehicle, "cumulative_mass_to_date", "t", file)["value"],
            reference_year=_catalog_number(vehicle, "reference_year", "1", file)["value"],
            cadence_from_catalog=v.cadence == "catalog",
        ))
    order = None
    if doc.fill_order is not None:
        names = [own_vehicle if k == OWN_VEHICLE else k for k in doc.fill_order]
        unknown = [n for n in names if n not in seen]
        if unknown or len(set(names)) != len(names):
            raise ArchitectureError(f"fill_order must name the plan's vehicles once each ({', '.join(sorted(seen))})"
                                    + (f", not '{unknown[0]}'" if unknown else ""), file=file, parameter="fill_order")
        vnames = [p.vehicle for p in plans]
        order = tuple(vnames.index(n) for n in names) + tuple(i for i, n in enumerate(vnames) if n not in names)
    if doc.production.growth is not None:
        production = _with_growth(production, doc.production.growth, file)
    plan = FleetPlan(name=str(Path(file).stem), file=file, production=production, vehicles=tuple(plans),
                     shares_mode=doc.shares, fill_order=order)
    _check_shares(plan, file)
    return plan


def _all_sources(doc: _FleetFile) -> set[str]:
    keys: set[str] = set()

    def add(src):
        keys.update([src] if isinstance(src, str) else src)

    for p in doc.production.points:
        add(p.source)
    if doc.production.growth is not None:
        add(doc.production.growth.source)
    for v in doc.vehicles.values():
        for p in v.share.points:
            add(p.source)
        if v.cadence != "catalog":
            for p in v.cadence.points:
                add(p.source)
            if v.cadence.growth is not None:
                add(v.cadence.growth.source)
        for q in (v.available_share, v.launch_price_per_kg):
            if q is not None:
                add(q.source)
    return keys


def _check_shares(plan: FleetPlan, file: str) -> None:
    """Shares must sum to 1 in every year: checked at every knot of every share ramp (piecewise
    linear ramps: a sum that is 1 at all knots is 1 everywhere)."""
    knots = np.unique(np.concatenate([v.share.years for v in plan.vehicles]))
    total = plan.shares(knots).sum(axis=1)
    bad = np.flatnonzero(np.abs(total - 1.0) > 1e-9)
    if bad.size:
        i = int(bad[0])
        names = ", ".join(f"{v.vehicle}.share" for v in plan.vehicles)
        raise ArchitectureError(f"the vehicles' shares sum to {total[i]:.6g} in {knots[i]:g}, not 1 ({names})",
                                file=file, parameter="vehicles.share")


# --------------------------------------------------------------------------------------------
# Wright's law helpers
# --------------------------------------------------------------------------------------------
# Wright's law lives in orbitdc._learning (one sign convention: b = log2(1 - learning_rate));
# the names the fleet model has always offered stay here.
wright_exponent = _learning.exponent
wright_unit_cost = _learning.unit_cost
wright_average_cost = _learning.average_cost
learned_launch_price = _learning.learned_price


def launch_prices(plan: FleetPlan, years: np.ndarray, start_year: Any, cadence: Any, available_share: Any,
                  own_mass: Any, start_price: Any, learning_rate: Any, floor: Any, margin: Any,
                  vertically_integrated: Any, learn: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Launch price per kg by year and vehicle, and the mass each vehicle flew before the year.

    Each vehicle learns on its cumulative launched mass ``M`` (``orbitdc._learning.learned_price``):
    its catalog mass to date at its ``reference_year``, plus, every later year, the other
    customers' flights (``cadence (1 - available_share) payload``) and the programme's own mass.
    ``M(y)`` is the mass flown before year y; the price of year y learns from ``M(s)`` at the
    programme's start s, and cohorts before s pay the start price. Axes: year T, vehicle V, then
    the points' (P).

    Parameters
    ----------
    years : (T,) consecutive calendar years
    start_year : (*P) the programme's first year
    cadence : (T, V, *P) flights per year [1/yr]; available_share : (V, *P)
    own_mass : (T, V, *P) the programme's mass launched per year on each vehicle [t/yr]
    start_price : (1, V, *P) price at the start [USD/kg]
    learning_rate, floor, margin, vertically_integrated : (*P) as ``orbitdc._learning.learned_price``
    learn : False keeps the start price in every year (the trend frozen)

    Returns (price, M), both (T, V, *P).
    """
    T, V = len(years), len(plan.vehicles)
    start_year = np.asarray(start_year, dtype=float)
    ext = (1,) * start_year.ndim
    shape_v = (1, V) + ext
    payload = np.array([v.payload_reference for v in plan.vehicles]).reshape(shape_v)
    m0 = np.array([v.cumulative_mass_to_date for v in plan.vehicles]).reshape(shape_v)
    ref_v = np.array([v.reference_year for v in plan.vehicles]).reshape(shape_v)
    year_col = np.asarray(years, dtype=float).reshape((T, 1) + ext)
    others = np.asarray(cadence) * (1.0 - np.asarray(available_share)[None, ...]) * payload
    flows = np.where(year_col > ref_v, others + own_mass, 0.0)
    m_prev = m0 + np.cumsum(flows, axis=0) - flows  # mass flown before each year [t]
    p_a = np.asarray(start_price, dtype=float)
    if not learn:
        return np.broadcast_to(p_a, np.broadcast_shapes(p_a.shape, m_prev.shape)), m_prev
    ts = np.clip(np.ceil(start_year) - years[0], 0, T - 1).astype(np.int64)
    idx = np.broadcast_to(ts[None, None, ...], (1,) + m_prev.shape[1:])
    m_start = np.take_along_axis(m_prev, idx, axis=0)
    price = learned_launch_price(p_a, m_prev, m_start, learning_rate, floor, margin, vertically_integrated)
    return np.where(year_col < np.ceil(start_year)[None, None, ...], p_a, price), m_prev


def cohort_bus_cost(built_per_year: Any, bus_mass: Any, reference_cost: Any, reference_mass: Any,
                    learning_rate: Any, alongside: Any = None) -> np.ndarray:
    """Bus cost per kg paid by each year's cohort [USD/kg]: the average unit cost of its own
    production on the programme's learning curve (``orbitdc._learning``'s average cost), from the
    experience base ``reference_mass`` [kg] at ``reference_cost`` [USD/kg].

    ``built_per_year`` (T, *P) satellites, ``bus_mass`` (T or 1, *P) kg each; a year that builds
    nothing (or an unbuildable satellite, never built) pays the unit cost where the curve stands.
    ``alongside`` (T, *P) [kg/yr]: another line's production sharing the curve (industry-wide
    learning); each year's cohort then pays the average of that year's joint production.
    """
    bus_built = mass_of(built_per_year, bus_mass)  # kg of bus per year
    flow = bus_built if alongside is None else bus_built + np.asarray(alongside, dtype=float)
    q1 = np.asarray(reference_mass, dtype=float) + np.cumsum(flow, axis=0)
    return wright_average_cost(reference_cost, q1 - flow, q1, reference_mass, learning_rate)


def mass_of(count: Any, mass: Any) -> np.ndarray:
    """``count x mass``, 0 where the count is 0 (a satellite of infinite mass - one that does not
    close - is never built, and adds no mass)."""
    count = np.asarray(count, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(count == 0, 0.0, count * mass)


# --------------------------------------------------------------------------------------------
# The bookkeeping kernel
# --------------------------------------------------------------------------------------------
def ageing_kernels(ages: np.ndarray, life: Any, failure_rate: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(K, CF, CR) by age (first axis): survivors, cumulative failures, cumulative retirements of
    one satellite launched at age 0 (module docstring). ``K + CF + CR = 1`` at every age."""
    a = np.asarray(ages, dtype=float).reshape((-1,) + (1,) * np.ndim(life))
    lam = np.asarray(failure_rate, dtype=float)[None, ...]
    h = np.clip(np.asarray(life, dtype=float)[None, ...] - a, 0.0, 1.0)
    surv = (1.0 - lam) ** a
    h_prev = np.concatenate([np.ones_like(h[:1]), h[:-1]], axis=0)
    surv_prev = np.concatenate([np.ones_like(surv[:1]), surv[:-1]], axis=0)
    fail = lam * surv_prev * h_prev
    fail[0] = 0.0
    retire = surv * (h_prev - h)
    return surv * h, np.cumsum(fail, axis=0), np.cumsum(retire, axis=0)


def fleet_kernel(years, start_year, target, life, failure_rate, launch_failure, satellite_mass, production, shares,
                 cadence, available_share, per_launch, *, unit_power=None, mode: str = "fixed",
                 fill_order=None) -> dict[str, np.ndarray]:
    """The fleet scan (module docstring). Plain numpy in canonical units; leading axes are
    ``year`` (T) and, for per-vehicle inputs, ``vehicle`` (V); the remaining axes (the points of a
    sweep or a Monte Carlo) broadcast.

    Parameters
    ----------
    years : (T,) calendar years, consecutive
    start_year : (*P) first year the programme launches
    target : (*P) satellites wanted in service; with ``unit_power``, (T or 1, *P) satellites of
        each year's size wanted that year
    life : (*P) years a satellite serves [yr]
    failure_rate : (*P) fraction of satellites failing per year [1/yr]
    launch_failure : (*P) probability a launch loses its payload
    satellite_mass : (T, *P) [kg]
    production : (T, *P) satellite mass the factory can build per year [t/yr]
    shares : (T, V) share of the programme's satellites per vehicle
    cadence : (T, V, *P) vehicle flights per year (all customers) [1/yr]
    available_share : (V, *P) share of those flights the programme may use
    per_launch : (T, V, *P) satellites per launch
    unit_power : optional (T or 1, *P) IT power of a satellite of each year's cohort [kW]: the
        programme keeps ``target x unit_power`` of IT power in service, each cohort with its own
        size (``power_in_service``); without it the bookkeeping counts satellites
    mode : ``"fixed"`` (each vehicle carries its share; the tightest vehicle caps the year) or
        ``"fill"`` (each vehicle first carries its share up to its capacity, then the excess goes
        to the vehicles with spare flights, in ``fill_order`` - indices of the vehicles, default
        their order - so the year is capped by the vehicles' total capacity)
    """
    if mode not in ("fixed", "fill"):
        raise ParameterError("shares", f"'{mode}' is not one of fixed, fill")
    years = np.asarray(years, dtype=float)
    T = years.size
    V = np.shape(shares)[1]
    target_pts = np.shape(target)[1:] if unit_power is not None else np.shape(target)
    pts = np.broadcast_shapes(np.shape(start_year), target_pts, np.shape(life), np.shape(failure_rate),
                              np.shape(launch_failure), np.shape(satellite_mass)[1:], np.shape(production)[1:],
                              np.shape(cadence)[2:], np.shape(available_share)[1:], np.shape(per_launch)[2:],
                              np.shape(unit_power)[1:] if unit_power is not None else ())
    ext = (1,) * len(pts)
    full = (T,) + pts
    pf = np.broadcast_to(launch_failure, pts)
    m_sat = np.broadcast_to(satellite_mass, full)
    share = np.asarray(shares, dtype=float).reshape((T, V) + ext)
    with np.errstate(divide="ignore", invalid="ignore"):
        prod_cap = np.broadcast_to(production, full) * 1000.0 / m_sat * (1.0 - pf)
        flights = np.asarray(cadence) * np.asarray(available_share)[None, ...]
        # satellites each vehicle's available flights put in orbit (0 where the plan gives it no share)
        abs_v = np.broadcast_to(np.where(share > 0, flights * per_launch * (1.0 - pf), 0.0), (T, V) + pts)
        cap_v = np.where(share > 0, flights * per_launch * (1.0 - pf) / np.where(share > 0, share, 1.0), np.inf)
    cap_v = np.broadcast_to(cap_v, (T, V) + pts)
    if mode == "fixed":
        launch_cap = cap_v.min(axis=1)
        binding_vehicle = cap_v.argmin(axis=1)
    else:
        launch_cap = abs_v.sum(axis=1)
        binding_vehicle = np.full(launch_cap.shape, V)  # every vehicle of the year is full: LAUNCH + V
    active = years.reshape((T,) + ext) >= np.asarray(start_year)[None, ...]
    active = np.broadcast_to(active, full)

    K, CF, CR = ageing_kernels(np.arange(T), np.broadcast_to(life, pts), np.broadcast_to(failure_rate, pts))
    n = np.zeros(full)  # satellites reaching orbit, by cohort
    demand = np.zeros(full)
    if unit_power is None:
        target = np.broadcast_to(target, pts)
        for t in range(T):
            old = (n[:t] * K[t:0:-1]).sum(axis=0) if t else np.zeros(pts)
            demand[t] = np.where(active[t], np.maximum(target - old, 0.0), 0.0)
            n[t] = np.minimum(demand[t], np.minimum(prod_cap[t], launch_cap[t]))
    else:  # IT power in service, each cohort at its own size
        p = np.broadcast_to(np.asarray(unit_power, dtype=float), full)
        want = np.broadcast_to(target, full) * p
        np_ = np.zeros(full)  # IT power reaching orbit, by cohort
        for t in range(T):
            old = (np_[:t] * K[t:0:-1]).sum(axis=0) if t else np.zeros(pts)
            with np.errstate(divide="ignore", invalid="ignore"):
                demand[t] = np.where(active[t], np.maximum(want[t] - old, 0.0) / p[t], 0.0)
            n[t] = np.minimum(demand[t], np.minimum(prod_cap[t], launch_cap[t]))
            np_[t] = mass_of(n[t], p[t])

    built = n / (1.0 - pf)
    lost = built - n
    nm = mass_of(n, m_sat)
    # every cohort's survivors, failures and retirements at year t, for numbers and mass at once
    ages = np.stack([K, CF, CR])  # (3, T, *pts): by age
    rows = [n, nm] if unit_power is None else [n, nm, np_]
    cohorts = np.stack(rows)  # (2 or 3, T, *pts): by cohort
    acc = np.empty((len(rows), 3) + full)
    for t in range(T):
        acc[:, :, t] = (cohorts[:, None, : t + 1] * ages[None, :, t::-1]).sum(axis=2)
    (in_service, failed_orbit, retired), (mass_in_service, mass_failed_orbit, mass_retired) = acc[:2]

    # binding limit: what stopped more satellites from flying this year
    tol = 1e-12 * np.maximum(demand, 1.0)
    code = np.where(~active, BEFORE_START,
                    np.where(n >= demand - tol, NONE,
                             np.where(prod_cap <= launch_cap, PRODUCTION, LAUNCH + binding_vehicle)))
    if mode == "fixed":
        with np.errstate(divide="ignore", invalid="ignore"):
            per_v = share * built[:, None, ...]
    else:
        per_v = _fill(n, share, abs_v, fill_order) / (1.0 - pf)
    with np.errstate(divide="ignore", invalid="ignore"):
        launches = np.where(per_v > 0, per_v / np.asarray(per_launch), 0.0)
    launches = np.broadcast_to(launches, (T, V) + pts)
    built_mass = mass_of(built, m_sat)
    if mode == "fixed":
        own_mass = share * built_mass[:, None, ...] / 1000.0  # t per year per vehicle
    else:
        own_mass = mass_of(per_v, m_sat[:, None, ...]) / 1000.0
    extra = {"power_in_service": acc[2, 0]} if unit_power is not None else {}
    return {
        "demand": demand,
        "to_orbit": n,
        "built_per_year": built,
        "built": np.cumsum(built, axis=0),
        "in_service": in_service,
        "retired": retired,
        "failed": failed_orbit + np.cumsum(lost, axis=0),
        "launched_mass_per_year": built_mass / 1000.0,
        "launched_mass": np.cumsum(built_mass, axis=0) / 1000.0,
        "mass_in_service": mass_in_service / 1000.0,
        "mass_retired": mass_retired / 1000.0,
        "mass_failed": (mass_failed_orbit + np.cumsum(mass_of(lost, m_sat), axis=0)) / 1000.0,
        "production_capacity": np.asarray(prod_cap),
        "launch_capacity": launch_cap,
        "launches": launches,
        "own_mass": np.broadcast_to(own_mass, (T, V) + pts),
        "satellites_by_vehicle": np.broadcast_to(per_v, (T, V) + pts),
        "binding": code,
        **extra,
    }


def _fill(n: np.ndarray, share: np.ndarray, capacity: np.ndarray, order=None) -> np.ndarray:
    """Satellites (reaching orbit) each vehicle carries when ``n`` (T, *P) fly: first its share,
    up to its ``capacity`` (T, V, *P); then what the full vehicles could not carry goes to the
    vehicles with spare capacity, one after the other in ``order`` (vehicle indices)."""
    V = capacity.shape[1]
    order = list(range(V)) if order is None else list(order)
    with np.errstate(invalid="ignore"):
        first = np.minimum(share * n[:, None, ...], capacity)
    excess = n - first.sum(axis=1)
    out = first.copy()
    for v in order:
        more = np.clip(np.minimum(excess, capacity[:, v] - first[:, v]), 0.0, None)
        out[:, v] = first[:, v] + more
        excess = excess - more
    return out
