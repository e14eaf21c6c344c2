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

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from . import units
from .errors import ArchitectureError, ParameterError
from .catalogs import CATALOG_DIR, catalog_rows
from .parameters import DATA_DIR, Architecture, _pydantic_reason, _rel, load_references, read_yaml

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

#: Codes of ``binding_limit`` (the launch codes follow, one per vehicle: LAUNCH + v).
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

    def at(self, years: Any, q: Any = None) -> np.ndarray:
        """The ramp at ``years`` (1-d): shape ``(T,)``, or ``(T, *q.shape)`` with drawn quantiles."""
        y = np.asarray(years, dtype=float)
        k = self.knots(q)
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


class _RampFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str
    points: list[_Point]
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


@dataclass(frozen=True)
class FleetPlan:
    """A fleet plan: production ramp and vehicles (module docstring)."""

    name: str
    file: str
    production: Ramp
    vehicles: tuple[VehiclePlan, ...]

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
    return _parse_fleet(read_yaml(Path(path)), _rel(Path(path)), own_vehicle)


def _catalog_stamp() -> str:
    path = CATALOG_DIR / f"{LAUNCH_CATALOG}.csv"
    return f"{path}:{path.stat().st_mtime_ns}"


def _parse_fleet(raw: Any, file: str, own_vehicle: str) -> FleetPlan:
    if not isinstance(raw, Mapping):
        raise ArchitectureError("expected a mapping with description, production and vehicles", file=file)
    try:
        doc = _FleetFile.model_validate(raw)
    except ValidationError as exc:
        param, reason = _pydantic_reason(exc)
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"][:3] if not str(x).startswith(("float", "int", "str", "list")))
        raise ArchitectureError(reason, file=file, parameter=param or where or None) from None
    if not doc.vehicles:
        raise ArchitectureError("a fleet needs at least one launch vehicle", file=file, parameter="vehicles")
    refs = load_references()
    for key in _all_sources(doc):
        if key not in refs:
            raise ArchitectureError(f"source '{key}' is not a reference key in data/references/", file=file)
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
        ))
    plan = FleetPlan(name=str(Path(file).stem), file=file, production=production, vehicles=tuple(plans))
    _check_shares(plan, file)
    return plan


def _all_sources(doc: _FleetFile) -> set[str]:
    keys: set[str] = set()

    def add(src):
        keys.update([src] if isinstance(src, str) else src)

    for p in doc.production.points:
        add(p.source)
    for v in doc.vehicles.values():
        for p in v.share.points:
            add(p.source)
        if v.cadence != "catalog":
            for p in v.cadence.points:
                add(p.source)
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
def wright_exponent(learning_rate: Any) -> np.ndarray:
    """``b = log2(1 - learning_rate)`` (<= 0): unit cost ``c(Q) = c_ref (Q / Q_ref)^b`` falls by
    ``learning_rate`` with every doubling of cumulative output Q (Wright 1936)."""
    return np.log2(1.0 - np.asarray(learning_rate, dtype=float))


def wright_unit_cost(reference_cost: Any, cumulative: Any, reference_cumulative: Any, learning_rate: Any) -> np.ndarray:
    """Unit cost at cumulative output ``Q``: ``c_ref (Q / Q_ref)^b`` (Wright 1936)."""
    return np.asarray(reference_cost, float) * (np.asarray(cumulative, float) / np.asarray(reference_cumulative, float)) \
        ** wright_exponent(learning_rate)


def wright_average_cost(reference_cost: Any, q0: Any, q1: Any, reference_cumulative: Any, learning_rate: Any) -> np.ndarray:
    """Average unit cost of the output between cumulative ``q0`` and ``q1`` (Wright's law).

    ``c(q0) ((1 + x)^(b+1) - 1) / ((b + 1) x)``, ``x = (q1 - q0) / q0`` (the integral of
    ``c_ref (Q/Q_ref)^b`` over ``[q0, q1]`` divided by ``q1 - q0``); ``c(q0)`` when ``q1 = q0``,
    ``c(q0) ln(1 + x) / x`` when ``b = -1``.
    """
    q0 = np.asarray(q0, dtype=float)
    q1 = np.asarray(q1, dtype=float)
    b1 = wright_exponent(learning_rate) + 1.0
    c0 = wright_unit_cost(reference_cost, q0, reference_cumulative, learning_rate)
    x = (q1 - q0) / q0
    with np.errstate(divide="ignore", invalid="ignore"):
        lx = np.log1p(x)
        g = np.where(np.abs(b1) > 1e-12, np.expm1(b1 * lx) / (b1 * x), lx / x)
    return c0 * np.where(x > 0, g, 1.0)


def learned_launch_price(start_price: Any, cumulative_mass: Any, start_mass: Any, learning_rate: Any, floor: Any = 0.0,
                         margin: Any = 0.0, vertically_integrated: Any = False) -> np.ndarray:
    """Launch price per kg after learning, from the price at the programme's start [USD/kg].

    The start price is a market price (``cost (1 + margin)``) or, when ``vertically_integrated``,
    the internal cost ``c_s``. The cost learns on the vehicle's cumulative launched mass ``M``
    (Wright 1936, with a floor; as ``orbitdc.launch.learning_curve_price``)::

        cost  = floor + (c_s - floor) (M / M_s)^b,   b = log2(1 - learning_rate)
        price = cost (1 + margin), or cost when vertically integrated

    A start cost at or below the floor does not learn. Example: USD 500/kg market price at a 1.5
    margin is a USD 200/kg cost; two doublings of launched mass at 20 % with a USD 20/kg floor give
    ``20 + 180 x 0.8^2 = 135.2`` USD/kg of cost, USD 338/kg of price.
    """
    vi = np.asarray(vertically_integrated).astype(bool)
    margin = np.asarray(margin, dtype=float)
    floor = np.asarray(floor, dtype=float)
    p = np.asarray(start_price, dtype=float)
    c_s = np.where(vi, p, p / (1.0 + margin))
    with np.errstate(divide="ignore", invalid="ignore"):
        learned = floor + (c_s - floor) * (np.asarray(cumulative_mass, float) / np.asarray(start_mass, float)) \
            ** wright_exponent(learning_rate)
    cost = np.where(c_s > floor, learned, c_s)
    return np.where(vi, cost, cost * (1.0 + margin))


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
                 cadence, available_share, per_launch) -> dict[str, np.ndarray]:
    """The fleet scan (module docstring). Plain numpy in canonical units; leading axes are
    ``year`` (T) and, for per-vehicle inputs, ``vehicle`` (V); the remaining axes (the points of a
    sweep or a Monte Carlo) broadcast.

    Parameters
    ----------
    years : (T,) calendar years, consecutive
    start_year : (*P) first year the programme launches
    target : (*P) satellites wanted in service
    life : (*P) years a satellite serves [yr]
    failure_rate : (*P) fraction of satellites failing per year [1/yr]
    launch_failure : (*P) probability a launch loses its payload
    satellite_mass : (T, *P) [kg]
    production : (T, *P) satellite mass the factory can build per year [t/yr]
    shares : (T, V) share of the programme's satellites per vehicle
    cadence : (T, V, *P) vehicle flights per year (all customers) [1/yr]
    available_share : (V, *P) share of those flights the programme may use
    per_launch : (T, V, *P) satellites per launch
    """
    years = np.asarray(years, dtype=float)
    T = years.size
    V = np.shape(shares)[1]
    pts = np.broadcast_shapes(np.shape(start_year), np.shape(target), np.shape(life), np.shape(failure_rate),
                              np.shape(launch_failure), np.shape(satellite_mass)[1:], np.shape(production)[1:],
                              np.shape(cadence)[2:], np.shape(available_share)[1:], np.shape(per_launch)[2:])
    ext = (1,) * len(pts)
    full = (T,) + pts
    pf = np.broadcast_to(launch_failure, pts)
    m_sat = np.broadcast_to(satellite_mass, full)
    share = np.asarray(shares, dtype=float).reshape((T, V) + ext)
    with np.errstate(divide="ignore", invalid="ignore"):
        prod_cap = np.broadcast_to(production, full) * 1000.0 / m_sat * (1.0 - pf)
        flights = np.asarray(cadence) * np.asarray(available_share)[None, ...]
        cap_v = np.where(share > 0, flights * per_launch * (1.0 - pf) / np.where(share > 0, share, 1.0), np.inf)
    cap_v = np.broadcast_to(cap_v, (T, V) + pts)
    launch_cap = cap_v.min(axis=1)
    binding_vehicle = cap_v.argmin(axis=1)
    active = years.reshape((T,) + ext) >= np.asarray(start_year)[None, ...]
    active = np.broadcast_to(active, full)
    target = np.broadcast_to(target, pts)

    K, CF, CR = ageing_kernels(np.arange(T), np.broadcast_to(life, pts), np.broadcast_to(failure_rate, pts))
    n = np.zeros(full)  # satellites reaching orbit, by cohort
    demand = np.zeros(full)
    for t in range(T):
        old = (n[:t] * K[t:0:-1]).sum(axis=0) if t else np.zeros(pts)
        demand[t] = np.where(active[t], np.maximum(target - old, 0.0), 0.0)
        n[t] = np.minimum(demand[t], np.minimum(prod_cap[t], launch_cap[t]))

    built = n / (1.0 - pf)
    lost = built - n
    nm = n * m_sat
    in_service = np.empty(full)
    retired = np.empty(full)
    failed_orbit = np.empty(full)
    mass_in_service = np.empty(full)
    mass_retired = np.empty(full)
    mass_failed_orbit = np.empty(full)
    for t in range(T):
        k, cf, cr = K[t::-1], CF[t::-1], CR[t::-1]
        c = n[: t + 1]
        cm = nm[: t + 1]
        in_service[t] = (c * k).sum(axis=0)
        retired[t] = (c * cr).sum(axis=0)
        failed_orbit[t] = (c * cf).sum(axis=0)
        mass_in_service[t] = (cm * k).sum(axis=0)
        mass_retired[t] = (cm * cr).sum(axis=0)
        mass_failed_orbit[t] = (cm * cf).sum(axis=0)

    # binding limit: what stopped more satellites from flying this year
    tol = 1e-12 * np.maximum(demand, 1.0)
    code = np.where(~active, BEFORE_START,
                    np.where(n >= demand - tol, NONE,
                             np.where(prod_cap <= launch_cap, PRODUCTION, LAUNCH + binding_vehicle)))
    with np.errstate(divide="ignore", invalid="ignore"):
        per_v = share * built[:, None, ...]
        launches = np.where(per_v > 0, per_v / np.asarray(per_launch), 0.0)
    launches = np.broadcast_to(launches, (T, V) + pts)
    own_mass = share * (built * m_sat)[:, None, ...] / 1000.0  # t per year per vehicle
    return {
        "demand": demand,
        "to_orbit": n,
        "built_per_year": built,
        "built": np.cumsum(built, axis=0),
        "in_service": in_service,
        "retired": retired,
        "failed": failed_orbit + np.cumsum(lost, axis=0),
        "launched_mass_per_year": built * m_sat / 1000.0,
        "launched_mass": np.cumsum(built * m_sat, axis=0) / 1000.0,
        "mass_in_service": mass_in_service / 1000.0,
        "mass_retired": mass_retired / 1000.0,
        "mass_failed": (mass_failed_orbit + np.cumsum(lost * m_sat, axis=0)) / 1000.0,
        "production_capacity": np.asarray(prod_cap),
        "launch_capacity": launch_cap,
        "launches": launches,
        "own_mass": np.broadcast_to(own_mass, (T, V) + pts),
        "binding": code,
    }
