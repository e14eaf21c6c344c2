"""When would it beat the ground? The year-by-year model: fleet build-up, learning and trends, cohort costs.

``evaluate`` is one snapshot: every price and rate frozen at the architecture file's values.
:func:`trajectory` adds time. For each calendar year ``y`` of ``years`` it

1. builds the fleet (:mod:`orbitdc.fleet`): satellites built, launched, in service, retired and
   failed, launches per vehicle, IT power online, and the limit (production, a vehicle's cadence,
   or none) that binds in each year, from the architecture's fleet plan (``data/fleets/``);
2. moves every trend (``data/trends/``, each sourced, each with a range):

   * **launch price** per vehicle by Wright's law on the vehicle's cumulative launched mass -
     other customers' flights (cadence x (1 - available share) x payload) plus the programme's own
     launched mass, so a big fleet drives its own price down::

         cost(y) = floor + (c_s - floor) (M(y) / M(s))^b,   b = log2(1 - launch_learning_rate)
         price   = cost (1 + launch_margin), or the cost when vertically_integrated_launch

     with ``c_s`` the architecture's ``launch_price_per_kg`` at its ``start_year`` s (as a cost),
     ``M(y)`` the mass flown before year y, and the start price for cohorts before ``s``;
   * **bus cost per kg** by Wright's law on the programme's cumulative bus mass: the cohort of
     year y pays the average unit cost of its own production, from the experience base
     ``bus_reference_mass`` at ``bus_cost_per_kg`` (:func:`orbitdc.fleet.wright_average_cost`);
   * **accelerator price** per kW of IT, ``x ((1 - d)(1 + e))^(y - y0)`` from the catalog price, on
     both sides (the accelerators of the year bought on both sides): the price per FLOP/s falls by
     ``d = accelerator_price_decline_rate`` while FLOP/s per watt grows by
     ``e = accelerator_efficiency_growth_rate`` (the cohort keeps the catalog's power and mass per kW);
   * **array specific power** ``x (1 + array_specific_power_growth_rate)^(y - y0)`` up to
     ``array_specific_power_ceiling``; **radiator areal density** falling likewise to its floor;
   * on the ground: **electricity price** ``x (1 + electricity_price_change_rate)^(y - y0)``,
     **grid-connection delay** ``+ grid_connection_delay_change (y - y0)`` clipped to
     ``[0, grid_connection_delay_max]``, and a **capacity premium** on facility capital
     ``x (1 + min(ground_capacity_premium_rate (y - y0), ground_capacity_premium_max))``

   (``y0 = trend_reference_year``, the year of today's values);
3. prices the **cohort** built in year y through the chain (``orbitdc.evaluate`` with
   ``start_year = y`` and the year's values as ``year``-dimension overrides: one call for all
   years), per vehicle, mixed by the vehicles' shares of that year's satellites:
   ``cost_per_kw_year``, ``terrestrial_cost_per_kw_year``, ``cost_ratio_vs_terrestrial``;
   ``crossover_year`` is the first year with a ratio <= 1 (NaN with
   ``crossover_within_horizon = False`` if none).

**Frozen.** ``frozen=True`` (or a list of trend names from :data:`TRENDS`) keeps a trend at the
architecture's static value: with every trend frozen the cohort cost of year y is exactly
``evaluate(arch, start_year=y)`` (for a one-vehicle plan; per vehicle otherwise).

**Accelerator price as a post-scaling.** The accelerator unit price is a catalog value, not (yet)
a chain parameter (issue 12 adds ``accelerator_price``). Until it is, the accelerator trend is
applied to the chain's output: both sides' annual costs are affine in the hardware price, and the
hardware-proportional part is, with ``H_s``/``H_t`` the space/ground hardware capital of the
economics stage (catalog price x accelerators x (1 + server share) [x (1 + space premium)])::

    space:  H_s [C_hw + (k + (1 + k) idle) C_sat + failure_rate m_rep]

(``k``, ``m_rep`` the loss-cover factors of ``orbitdc.economics.loss_cover_factors``: a premium or
the expected launch loss, never both; the forgone-margin part of time to power is not scaled, so
the post-scaling is exact only where that margin does not move with the hardware price)
    ground: H_t CRF(terrestrial_wacc, terrestrial_compute_lifetime)

(``C_hw``, ``C_sat`` the compute and bus capital recovery factors of ``orbitdc.economics``), so a
price factor f adds ``(f - 1)`` times these, per kW delivered. ``tests/test_trajectory.py`` checks
the post-scaling against the chain itself (a hardware price raised through
``space_hardware_premium`` and ``server_cost_fraction``). When the chain gains
``accelerator_price`` (or ``radiator_areal_density``) the trend is passed to it instead.

**Monte Carlo** (``samples=N``): draws every trend rate with a range (triangular on low/value/high
through ``orbitdc.uncertainty``'s Latin hypercube), the architecture's ``launch_learning_rate``
and ``bus_learning_rate``, and each cadence and production ramp as a whole, along a ``sample``
dimension; adds per year the 10/50/90 % of the cost ratio and ``probability_space_cheaper``, and
the crossover year's 10/50/90 % (``crossover_year_quantile``; NaN where the quantile does not
cross within the horizon) with ``probability_crossover_within_horizon``.

Sources: Wright (1936); Epoch AI (2022) GPU price-performance; LBNL "Queued Up" (2023); EIA AEO2025;
SpaceX's Starlink factory (2025); see ``data/trends/`` and ``data/fleets/``.
"""
from __future__ import annotations

import functools
import numbers
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import xarray as xr

from . import fleet as fl
from . import units
from .chain import _construct, evaluate, number_array, parameter_specs
from .economics import loss_cover_factors
from .errors import ArchitectureError, OrbitdcError, ParameterError
from .architectures import load_architecture
from .catalogs import catalog_value
from .parameters import (DATA_DIR, Architecture, ParameterSpec, _DefaultsFile, _pydantic_reason, _rel, _validate_parameters, load_references, read_yaml)

TRENDS_DIR = DATA_DIR / "trends"

#: Trends that ``frozen`` may name; each frozen trend keeps the architecture's static value.
TRENDS = ("launch_price", "bus_cost", "accelerator_price", "array_specific_power", "radiator_areal_density",
          "electricity_price", "grid_connection_delay", "ground_capacity_premium")

_RATE = dict(minimum=0.0, maximum=1.0, exclusive_maximum=True)
#: Parameters of ``data/trends/*.yaml`` (overridable by name in :func:`trajectory`).
TREND_PARAMETERS: dict[str, ParameterSpec] = {
    "trend_reference_year": ParameterSpec("1", "year of today's values, from which rate trends compound",
                                          minimum=2000, maximum=2100),
    "trend_valid_until": ParameterSpec("1", "last year the trends describe", minimum=2000, maximum=2200),
    "accelerator_price_decline_rate": ParameterSpec("1/yr", "fall per year of the accelerator price per FLOP/s", **_RATE),
    "accelerator_efficiency_growth_rate": ParameterSpec("1/yr", "growth per year of accelerator FLOP/s per watt",
                                                        minimum=0.0, maximum=2.0),
    "array_specific_power_growth_rate": ParameterSpec("1/yr", "growth per year of solar-array specific power",
                                                      minimum=0.0, maximum=1.0),
    "array_specific_power_ceiling": ParameterSpec("W/kg", "specific power the array trend stops at",
                                                  minimum=0.0, exclusive_minimum=True),
    "radiator_areal_density_decline_rate": ParameterSpec("1/yr", "fall per year of radiator mass per m2", **_RATE),
    "radiator_areal_density_floor": ParameterSpec("kg/m2", "areal density the radiator trend stops at",
                                                  minimum=0.0, exclusive_minimum=True),
    "electricity_price_change_rate": ParameterSpec("1/yr", "real change per year of the electricity price",
                                                   minimum=-0.5, maximum=0.5),
    "grid_connection_delay_change": ParameterSpec("1", "years of grid-connection wait added per calendar year",
                                                  minimum=-1.0, maximum=1.0),
    "grid_connection_delay_max": ParameterSpec("yr", "longest grid-connection wait the trend reaches",
                                               minimum=0.0, maximum=30.0),
    "ground_capacity_premium_rate": ParameterSpec("1/yr", "premium on facility capital per year for scarce powered capacity",
                                                  minimum=0.0, maximum=1.0),
    "ground_capacity_premium_max": ParameterSpec("1", "cap of the premium on facility capital", minimum=0.0, maximum=5.0),
}

#: Chain parameters that are trend rates too (drawn by the Monte Carlo).
CHAIN_RATES = ("launch_learning_rate", "bus_learning_rate")
#: Stages run for the physical pass (everything but economics).
PHYSICAL_STAGES = ("orbit", "compute", "power", "thermal", "mass", "launch")
#: The quantiles of the Monte Carlo summaries.
QUANTILES = (0.1, 0.5, 0.9)

_KG_PER_T = 1000.0


# --------------------------------------------------------------------------------------------
# Trend data
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _trend_defaults_cached(stamp: str) -> dict[str, Any]:
    refs = load_references()
    merged: dict[str, Any] = {}
    for path in sorted(TRENDS_DIR.glob("*.yaml")):
        file = _rel(path)
        try:
            doc = _DefaultsFile.model_validate(read_yaml(path))
        except Exception as exc:  # pydantic ValidationError
            if hasattr(exc, "errors"):
                param, reason = _pydantic_reason(exc)
                raise ArchitectureError(reason, file=file, parameter=param) from None
            raise
        for name, p in _validate_parameters(doc.parameters, file, TREND_PARAMETERS, refs).items():
            if name in merged:
                raise ArchitectureError(f"set twice (also in {merged[name].origin})", file=file, parameter=name)
            merged[name] = p
    missing = sorted(set(TREND_PARAMETERS) - set(merged))
    if missing:
        raise ArchitectureError(f"missing trend parameters: {', '.join(missing)}", file=_rel(TRENDS_DIR))
    return merged


def trend_parameters() -> dict[str, Any]:
    """The trend parameters of ``data/trends/*.yaml`` (validated ``Parameter`` objects, by name)."""
    files = sorted(TRENDS_DIR.glob("*.yaml"))
    stamp = "|".join(f"{f}:{f.stat().st_mtime_ns}" for f in files)
    return _trend_defaults_cached(stamp)


# --------------------------------------------------------------------------------------------
# Argument handling
# --------------------------------------------------------------------------------------------
def _bad(arch: Architecture | None, name: str, reason: str) -> ArchitectureError:
    where = f"trajectory of '{arch.name}'" if arch is not None else "trajectory"
    return ArchitectureError(reason, file=where, parameter=name)


def _as_number(arch, name: str, value: Any, spec: ParameterSpec) -> xr.DataArray:
    """One numeric override in the canonical unit (a 1-d list gets a dimension named ``name``):
    :func:`orbitdc.chain.number_array`, with the error naming the trajectory."""
    try:
        return number_array(name, value, spec)
    except ParameterError as exc:
        raise _bad(arch, name, exc.reason) from None


def _frozen_set(frozen: Any, arch) -> frozenset[str]:
    if frozen is True:
        return frozenset(TRENDS)
    if frozen is False or frozen is None:
        return frozenset()
    names = [frozen] if isinstance(frozen, str) else list(frozen)
    bad = [n for n in names if n not in TRENDS]
    if bad:
        raise _bad(arch, "frozen", f"'{bad[0]}' is not a trend; trends: {', '.join(TRENDS)}")
    return frozenset(names)


def _check_years(arch, years: Any, ref: float, until: float) -> np.ndarray:
    try:
        arr = np.asarray(list(years) if not isinstance(years, np.ndarray) else years)
    except TypeError:
        raise _bad(arch, "years", f"expected a sequence of calendar years, got {years!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise _bad(arch, "years", "expected a non-empty 1-d sequence of calendar years")
    if not np.issubdtype(arr.dtype, np.number) or np.any(~np.isfinite(arr.astype(float))) \
            or np.any(arr.astype(float) != np.round(arr.astype(float))):
        raise _bad(arch, "years", "calendar years must be whole numbers")
    arr = arr.astype(int)
    if np.any(np.diff(arr) <= 0):
        raise _bad(arch, "years", "years must increase strictly")
    if arr[0] < ref or arr[-1] > until:
        bad = arr[0] if arr[0] < ref else arr[-1]
        raise _bad(arch, "years", f"{bad} is outside the years the trend data describe ({ref:g}-{until:g}: "
                                  "trend_reference_year to trend_valid_until in data/trends/horizon.yaml)")
    return arr


def _value(arch: Architecture, over: Mapping[str, Any], name: str, specs) -> xr.DataArray:
    """A chain parameter in its canonical unit: the override if given, else the architecture's."""
    if name in over:
        return _as_number(arch, name, over[name], specs[name])
    p = arch.parameters[name]
    return xr.DataArray(float(p.canonical_value) if specs[name].kind == "number" else p.canonical_value)


# --------------------------------------------------------------------------------------------
# numpy <-> xarray at the edge
# --------------------------------------------------------------------------------------------
class _Points:
    """The dimensions other than ``year`` and ``vehicle`` (sweep axes, ``sample``), in a fixed order.

    Arrays travel as numpy with axes ``lead + dims`` (``lead`` a subset of ``year``, ``vehicle``);
    a dimension an array does not vary along has length 1, so numpy broadcasting does the rest.
    Dimensions found later (:meth:`add`) go at the end: older arrays are padded with length-1 axes.
    """

    def __init__(self, arrays: Iterable[Any] = ()):
        self.dims: list[str] = []
        self.sizes: dict[str, int] = {}
        self.coords: dict[str, Any] = {}
        self.add(arrays)

    def add(self, arrays: Iterable[Any], coords: Mapping[str, Any] | None = None) -> None:
        """Take the dimensions of DataArrays or Variables (``coords``: where a Variable's come from)."""
        for da in arrays:
            if not isinstance(da, (xr.DataArray, xr.Variable)):
                continue
            # a Variable has no coordinates of its own: they come from ``coords``, for a new
            # dimension only; a DataArray brings its own, for any dimension not seen with one yet
            variable = isinstance(da, xr.Variable)
            for d in da.dims:
                if d in ("year", "vehicle"):
                    continue
                new = d not in self.sizes
                if new:
                    self.dims.append(d)
                    self.sizes[d] = da.sizes[d]
                elif self.sizes[d] != da.sizes[d]:
                    raise OrbitdcError(f"dimension '{d}' has two lengths ({self.sizes[d]} and {da.sizes[d]})")
                if variable and new and coords is not None and d in coords:
                    self.coords[d] = coords[d].variable
                elif not variable and d in da.coords and d not in self.coords:
                    self.coords[d] = da.coords[d].variable

    def np(self, da: Any, lead: Sequence[str] = ()) -> np.ndarray:
        """``da`` as an array with axes ``lead + dims``; absent dimensions have length 1."""
        if not isinstance(da, (xr.DataArray, xr.Variable)):
            return np.asarray(da).reshape((1,) * (len(lead) + len(self.dims)))
        axes = (*lead, *self.dims)
        order = [d for d in axes if d in da.dims]
        if len(order) != da.ndim:
            raise RuntimeError(f"unexpected dimension in {da.dims} (expected {axes})")
        arr = np.asarray(da.transpose(*order).values if tuple(order) != da.dims else da.values)
        return arr.reshape([da.sizes[d] if d in da.dims else 1 for d in axes])

    def pad(self, arr: np.ndarray, lead: int) -> np.ndarray:
        """Pad an array made before :meth:`add` with length-1 axes for the newer dimensions."""
        arr = np.asarray(arr)
        missing = lead + len(self.dims) - arr.ndim
        return arr.reshape(arr.shape + (1,) * missing) if missing > 0 else arr

    def variable(self, arr: np.ndarray, lead: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray]:
        """(dims, data) for a Dataset variable: length-1 axes of dimensions that vary elsewhere dropped."""
        arr = self.pad(arr, len(lead))
        dims = list(lead)
        keep: list[Any] = [slice(None)] * len(lead)
        for i, d in enumerate(self.dims):
            if arr.shape[len(lead) + i] == 1 and self.sizes[d] != 1:
                keep.append(0)
            else:
                keep.append(slice(None))
                dims.append(d)
        return tuple(dims), arr[tuple(keep)]

    def da(self, arr: np.ndarray, lead: Sequence[str], coords: Mapping[str, Any]) -> xr.DataArray:
        dims, data = self.variable(arr, lead)
        c = {k: v for k, v in coords.items() if k in dims}
        c.update({d: self.coords[d] for d in dims if d in self.coords})
        return xr.DataArray(data, dims=dims, coords=c)


# --------------------------------------------------------------------------------------------
# The accelerator post-scaling (until the chain has an accelerator_price parameter)
# --------------------------------------------------------------------------------------------
def _crf(rate, years):
    """Capital recovery factor ``r / (1 - (1 + r)^-n)`` (``1/n`` at r = 0), as in orbitdc.economics."""
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = rate / -np.expm1(-years * np.log1p(rate))
    return np.where(rate == 0, 1.0 / years, out)


@functools.lru_cache(maxsize=32)
def _accelerator_catalog(name: str) -> tuple[float, float]:
    """(unit price [USD], overhead_included [1]) of an accelerator from the catalog."""
    price = float(catalog_value("accelerators", "unit_price", name, "USD"))
    try:
        oi = float(catalog_value("accelerators", "overhead_included", name, "1"))
    except ArchitectureError:
        oi = 0.0
    return price, oi


def _hardware_terms_np(ds: xr.Dataset, pts: "_Points", space: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`hardware_cost_terms` in numpy on the arrays of ``pts`` (axes year, vehicle, points
    for a space architecture; year, points on the ground), for the trajectory's hot path."""
    def g(k):
        da = ds.variables[k]
        return _year_vehicle(pts, da) if space else (pts.np(da, ["year"]) if "year" in da.dims else pts.np(da)[None, ...])

    acc = ds["accelerator"]
    names = np.unique(np.asarray(acc.values).astype(str))
    if names.size == 1:
        price, oi = _accelerator_catalog(str(names[0]))
    else:  # a swept accelerator choice
        looked = {n: _accelerator_catalog(str(n)) for n in names}
        keys = np.asarray(g("accelerator")).astype(str)
        price = np.vectorize(lambda n: looked[n][0])(keys)
        oi = np.vectorize(lambda n: looked[n][1])(keys)
    scf = g("server_cost_fraction") * (1.0 - oi)
    n_sat = g("satellites") if space else 1.0
    it_total = g("it_power") * n_sat
    h_t = g("accelerators") * n_sat * price * (1.0 + scf)
    t_hw = g("terrestrial_compute_lifetime")
    ground = h_t * _crf(g("terrestrial_wacc"), t_hw) / (it_total * (g("terrestrial_availability") if space else g("availability")))
    # the forgone margin (revenue - the ground's cost) moves against the ground's hardware price
    margin_on = (g("time_to_power_margin") > 0) if "time_to_power_margin" in ds else np.zeros((1,), bool)
    waits = margin_on & ~(g("grid_wait_bridged").astype(bool) if "grid_wait_bridged" in ds else np.zeros((1,), bool))
    ground_all = ground * (1.0 - np.where(waits, g("grid_connection_delay") * _crf(g("terrestrial_wacc"), g("facility_lifetime")), 0.0))
    if not space:
        return ground_all, ground_all
    t_hw = g("space_compute_lifetime")
    r, t_sat = g("space_wacc"), g("mission_lifetime")
    serviced = g("on_orbit_servicing").astype(bool) if "on_orbit_servicing" in ds else np.zeros((1,), bool)
    c_sat = _crf(r, np.where(serviced, t_sat, np.minimum(t_hw, t_sat)))
    k = np.maximum(np.ceil(t_sat / t_hw - 1e-12) - 1.0, 0.0)
    step = t_hw * np.log1p(r)
    with np.errstate(divide="ignore", invalid="ignore"):
        gens = np.where(step == 0, k + 1.0, np.expm1(-(k + 1.0) * step) / np.expm1(-step))
    c_hw = np.where(serviced, gens * _crf(r, t_sat), _crf(r, np.minimum(t_hw, t_sat)))
    t_service = np.where(serviced, t_sat, np.minimum(t_hw, t_sat))
    cover = g("loss_cover") if "loss_cover" in ds else "insured"
    pf = g("launch_failure_probability") if "launch_failure_probability" in ds else 0.0
    years = g("insurance_cover_years") if "insurance_cover_years" in ds else 1.0
    k, m_rep = loss_cover_factors(cover, g("insurance_rate"), pf, t_service, years)
    idle = np.expm1(g("space_commissioning_time") * np.log1p(r))
    h_s = h_t * (1.0 + g("space_hardware_premium"))
    per_unit = c_hw + (k + (1.0 + k) * idle) * c_sat + g("satellite_failure_rate") * m_rep
    lost = np.where(margin_on, g("space_commissioning_time") * c_sat, 0.0) * ground
    return h_s * per_unit / (it_total * g("availability")) - lost, ground_all


def hardware_cost_terms(ds: xr.Dataset, cross: bool = True) -> tuple[xr.DataArray, xr.DataArray]:
    """(space, ground) annual cost per kW of IT delivered that is proportional to the accelerator
    price, from a chain result (see the module docstring): the amount a hardware price factor f
    changes ``cost_per_kw_year`` and ``terrestrial_cost_per_kw_year`` by is ``(f - 1)`` times these.

    The price scales both sides at once (the year's accelerators are bought on both): the space
    term includes the cross effect of the ground's hardware on the margin forgone while the compute
    waits for power. ``cross=False`` leaves it out (the space hardware alone scaled).
    """
    price = catalog_value("accelerators", "unit_price", ds["accelerator"], "USD")
    try:
        oi = catalog_value("accelerators", "overhead_included", ds["accelerator"], "1")
    except ArchitectureError:
        oi = xr.DataArray(0.0)
    scf = ds["server_cost_fraction"] * (1.0 - oi)
    space = ds.attrs.get("architecture_kind", "space") == "space"
    n_sat = ds["satellites"] if space else xr.DataArray(1.0)
    it_total = ds["it_power"] * n_sat
    h_t = ds["accelerators"] * n_sat * price * (1.0 + scf)
    t_hw = ds["terrestrial_compute_lifetime"]
    ground_avail = ds["terrestrial_availability"] if space else ds["availability"]
    ground = h_t * _crf(ds["terrestrial_wacc"], t_hw) / (it_total * ground_avail)
    # the forgone margin of time to power (revenue - the ground's own cost) falls as the ground's
    # hardware price rises: on the ground while it waits unbridged, in orbit over commissioning
    margin_on = (ds["time_to_power_margin"] > 0) if "time_to_power_margin" in ds else xr.DataArray(False)
    bridged = ds["grid_wait_bridged"].astype(bool) if "grid_wait_bridged" in ds else xr.DataArray(False)
    wait_crf = ds["grid_connection_delay"] * _crf(ds["terrestrial_wacc"], ds["facility_lifetime"])
    ground_all = ground * (1.0 - xr.where(margin_on & ~bridged, wait_crf, 0.0))
    if not space:  # a terrestrial architecture is its own ground baseline
        return ground_all, ground_all
    t_hw = ds["space_compute_lifetime"]
    r = ds["space_wacc"]
    t_sat = ds["mission_lifetime"]
    serviced = ds["on_orbit_servicing"].astype(bool) if "on_orbit_servicing" in ds else xr.DataArray(False)
    life = xr.where(serviced, t_sat, np.minimum(t_hw, t_sat))
    c_sat = _crf(r, life)
    k = np.maximum(np.ceil(t_sat / t_hw - 1e-12) - 1.0, 0.0)
    step = t_hw * np.log1p(r)
    with np.errstate(divide="ignore", invalid="ignore"):
        gens = xr.where(step == 0, k + 1.0, np.expm1(-(k + 1.0) * step) / np.expm1(-step))
    c_hw = xr.where(serviced, gens * _crf(r, t_sat), _crf(r, np.minimum(t_hw, t_sat)))
    cover = ds["loss_cover"] if "loss_cover" in ds else xr.DataArray("insured")
    pf = ds["launch_failure_probability"] if "launch_failure_probability" in ds else xr.DataArray(0.0)
    years = ds["insurance_cover_years"] if "insurance_cover_years" in ds else xr.DataArray(1.0)
    k, m_rep = xr.apply_ufunc(loss_cover_factors, cover, ds["insurance_rate"], pf, life, years, output_core_dims=[[], []])
    idle = np.expm1(ds["space_commissioning_time"] * np.log1p(r))
    h_s = h_t * (1.0 + ds["space_hardware_premium"])
    per_unit = c_hw + (k + (1.0 + k) * idle) * c_sat + ds["satellite_failure_rate"] * m_rep
    lost = xr.where(margin_on, ds["space_commissioning_time"] * c_sat, 0.0) * ground if cross else 0.0
    return h_s * per_unit / (it_total * ds["availability"]) - lost, ground_all


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------
def trajectory(arch: str | Path | Architecture | Sequence[str | Path | Architecture],
               years: Iterable[int] = range(2026, 2051), *, frozen: bool | str | Iterable[str] = False,
               fleet: str | Path | Mapping[str, Any] | None = None, samples: int | None = None, seed: int = 0,
               scenario: str | None = None, **overrides: Any) -> xr.Dataset:
    """The year-by-year model of one architecture (or several: a list stacks them along
    ``architecture``). See the module docstring for the equations.

    Parameters
    ----------
    arch : name, path or Architecture (or a list of them)
    years : calendar years of the result (whole numbers, increasing, within the trend data's
        years ``trend_reference_year`` .. ``trend_valid_until``); the fleet is built from
        ``trend_reference_year`` whatever the first year shown
    frozen : True (every trend), False, or trend names from :data:`TRENDS` to keep static
    fleet : a fleet plan (path or mapping, ``data/fleets/README.md``) instead of the architecture's
    samples, seed : Monte Carlo over the trend rates and ramps (dimension ``sample``)
    scenario : a scenario of ``data/scenarios/`` (e.g. ``"proponent"``) layered over the
        architecture; for a list, over each architecture that ships it (``attrs['scenario']``)
    **overrides : chain parameters (as in ``evaluate``: a 1-d list is a sweep dimension) and trend
        parameters (:data:`TREND_PARAMETERS`)

    Returns
    -------
    xarray.Dataset with a ``year`` dimension (and ``vehicle`` for per-vehicle variables).
    """
    if scenario is not None:
        from .scenarios import apply_where_available

        many = isinstance(arch, (list, tuple))
        loaded = apply_where_available(list(arch) if many else [arch], scenario)
        out = trajectory(loaded if many else loaded[0], years, frozen=frozen, fleet=fleet, samples=samples,
                         seed=seed, **overrides)
        out.attrs["scenario"] = scenario
        return out
    if isinstance(arch, (list, tuple)):
        return _compare(arch, years, frozen=frozen, fleet=fleet, samples=samples, seed=seed, **overrides)
    arch = load_architecture(arch)
    if samples is not None:
        return _monte_carlo(arch, years, frozen, fleet, samples, seed, overrides)
    return _run(arch, years, frozen, fleet, overrides, ramp_q={})


def _compare(archs, years, **kw) -> xr.Dataset:
    loaded = [load_architecture(a) for a in archs]
    if not loaded:
        raise OrbitdcError("trajectory needs at least one architecture")
    names = [a.name for a in loaded]
    if len(set(names)) != len(names):
        raise OrbitdcError(f"architecture names repeat: {', '.join(names)}")
    over = {k: v for k, v in kw.items() if k not in ("frozen", "fleet", "samples", "seed")}
    specs = parameter_specs()
    results = []
    for a in loaded:
        own = {k: v for k, v in over.items() if k in a.parameters or k in TREND_PARAMETERS or k not in specs}
        results.append(trajectory(a, years, frozen=kw["frozen"], fleet=kw["fleet"], samples=kw["samples"],
                                  seed=kw["seed"], **own))
    out = xr.concat(results, dim="architecture", data_vars="all", coords="minimal", compat="override",
                    join="outer", combine_attrs="drop_conflicts")
    out = out.assign_coords(architecture=("architecture", names),
                            architecture_kind=("architecture", [a.kind for a in loaded]))
    out.attrs["architectures"] = ", ".join(names)
    for r in results:
        for var in r.data_vars:
            out[var].attrs = {**r[var].attrs, **out[var].attrs}
    return out


def _split_overrides(arch: Architecture, overrides: Mapping[str, Any]) -> tuple[dict, dict]:
    chain_over, trend_over = {}, {}
    for k, v in overrides.items():
        if k in TREND_PARAMETERS:
            trend_over[k] = v
        elif k in arch.parameters:
            chain_over[k] = v
        else:
            valid = sorted(set(arch.parameters) | set(TREND_PARAMETERS))
            raise _bad(arch, k, f"unknown parameter; valid names: {', '.join(valid)}")
    return chain_over, trend_over


def _trend_values(arch, trend_over: Mapping[str, Any]) -> dict[str, xr.DataArray]:
    out = {}
    for name, p in trend_parameters().items():
        if name in trend_over:
            out[name] = _as_number(arch, name, trend_over[name], TREND_PARAMETERS[name])
        else:
            out[name] = xr.DataArray(float(p.canonical_value))
    for name in ("trend_reference_year", "trend_valid_until"):
        if out[name].ndim:
            raise _bad(arch, name, "must be a single year (not a sweep)")
    return out


def _run(arch: Architecture, years: Any, frozen: Any, fleet: Any, overrides: Mapping[str, Any],
         ramp_q: Mapping[str, xr.DataArray], drawn: Mapping[str, xr.DataArray] | None = None) -> xr.Dataset:
    """One architecture (``ramp_q``: drawn quantiles of the ramps by ramp name; ``drawn``: drawn
    trend and chain rates, applied like overrides)."""
    frozen_set = _frozen_set(frozen, arch)
    # a scenario's stated trends and fleet plan (issue 22) act like overrides; explicit ones win
    overrides = {**{k: p.canonical_value for k, p in getattr(arch, "trends", {}).items()}, **overrides}
    if fleet is None:
        fleet = getattr(arch, "fleet", None)
    chain_over, trend_over = _split_overrides(arch, overrides)
    trend = _trend_values(arch, trend_over)
    for k, v in (drawn or {}).items():
        if k in TREND_PARAMETERS:
            trend[k] = v
        else:
            chain_over[k] = v
    ref = float(trend["trend_reference_year"])
    until = float(trend["trend_valid_until"])
    years = _check_years(arch, years, ref, until)
    grid = np.arange(int(ref), int(years[-1]) + 1)
    ix = years - grid[0]  # requested years on the grid
    yda = xr.DataArray(grid.astype(float), dims="year", coords={"year": grid})
    yreq = xr.DataArray(years.astype(float), dims="year", coords={"year": years})
    specs = parameter_specs()
    space = arch.kind == "space"
    start = _value(arch, chain_over, "start_year", specs)
    if np.any(np.asarray(start.values) < ref):
        raise _bad(arch, "start_year", f"{float(np.min(start.values)):g} is before trend_reference_year ({ref:g}): the "
                                       "fleet cannot start before the trend data")
    age = yda - ref  # years since today's values (fleet grid)
    age_req = yreq - ref  # (requested years)
    inactive: list[str] = []

    # ---- trends that change the physical design (year dimension in the chain) ----------------
    phys: dict[str, Any] = {}
    if space and "array_specific_power" not in frozen_set:
        a0 = _value(arch, chain_over, "array_specific_power", specs)
        grown = a0 * (1.0 + trend["array_specific_power_growth_rate"]) ** age
        phys["array_specific_power"] = np.minimum(grown, np.maximum(trend["array_specific_power_ceiling"], a0))
    if space and "radiator_areal_density" not in frozen_set:
        if "radiator_areal_density" in specs and "radiator_areal_density" in arch.parameters:
            r0 = _value(arch, chain_over, "radiator_areal_density", specs)
            fallen = r0 * (1.0 - trend["radiator_areal_density_decline_rate"]) ** age
            phys["radiator_areal_density"] = np.maximum(fallen, np.minimum(trend["radiator_areal_density_floor"], r0))
        else:
            inactive.append("radiator_areal_density (the chain has no radiator_areal_density parameter yet: catalog value, issue 12)")

    out = _Out(years)
    if space:
        own_vehicle = None
        if "launch_vehicle" in chain_over:
            lv = chain_over["launch_vehicle"]
            if isinstance(lv, xr.DataArray) or np.ndim(lv) != 0:
                raise _bad(arch, "launch_vehicle", "a trajectory takes one launch vehicle; give several in a fleet plan (fleet=)")
            own_vehicle = str(lv)
        plan = fl.load_fleet(arch, fleet, launch_vehicle=own_vehicle)
        vnames = plan.vehicle_names
        vda = xr.DataArray(vnames, dims="vehicle", coords={"vehicle": vnames})
        pass1 = {k: v for k, v in chain_over.items() if k != "launch_vehicle"}
        pass1.update(phys)
        pass1["launch_vehicle"] = vda
        ds1 = evaluate(arch, stages_only=PHYSICAL_STAGES, **pass1)
        pts = _Points([v for v in trend.values()] + list(ramp_q.values()))
        fleet_res = _fleet(arch, ds1, plan, grid, chain_over, specs, frozen_set, ramp_q, pts, out)
    else:
        pts = _Points([v for v in trend.values()] + list(ramp_q.values()))

    # ---- trends of the cohort's costs (requested years only) ----------------------------------
    cost_over: dict[str, Any] = {k: v for k, v in chain_over.items() if k != "launch_vehicle"}
    cost_over.update({k: v.sel(year=years) if "year" in v.dims else v for k, v in phys.items()})
    cost_over["start_year"] = yreq
    if space:
        cost_over["launch_vehicle"] = vda
        cost_over["launch_price_per_kg"] = pts.da(fleet_res["price"][ix], ["year", "vehicle"],
                                                  {"year": years, "vehicle": vnames})
        if "bus_cost" not in frozen_set:
            cost_over["bus_cost_per_kg"] = pts.da(fleet_res["bus_cost"][ix], ["year"], {"year": years})
            cost_over["bus_learning_rate"] = 0.0  # the cohort's own learning is in bus_cost_per_kg
    if "electricity_price" not in frozen_set:
        e0 = _value(arch, chain_over, "electricity_price", specs)
        cost_over["electricity_price"] = e0 * (1.0 + trend["electricity_price_change_rate"]) ** age_req
    if "grid_connection_delay" not in frozen_set:
        d0 = _value(arch, chain_over, "grid_connection_delay", specs)
        top = np.maximum(trend["grid_connection_delay_max"], d0)
        cost_over["grid_connection_delay"] = np.minimum(np.maximum(d0 + trend["grid_connection_delay_change"] * age_req, 0.0), top)
    if "ground_capacity_premium" not in frozen_set:
        f0 = _value(arch, chain_over, "facility_capex", specs)
        premium = np.minimum(trend["ground_capacity_premium_rate"] * age_req, trend["ground_capacity_premium_max"])
        cost_over["facility_capex"] = f0 * (1.0 + premium)
    accel = xr.DataArray(1.0)
    post_scale = False
    if "accelerator_price" not in frozen_set:
        accel = _accelerator_factor(trend, age_req)
        if "accelerator_price" in specs and "accelerator_price" in arch.parameters:
            cost_over["accelerator_price"] = _value(arch, chain_over, "accelerator_price", specs) * accel
        else:
            post_scale = True
    ds2 = evaluate(arch, **cost_over)

    # ---- cohort costs, mixed over the vehicles by their shares ------------------------------
    pts.add([ds2.variables[k] for k in _COST_VARIABLES if k in ds2.variables] + [accel.variable], coords=ds2.coords)

    def yv(da):  # an array on (year[, vehicle]) + points, length 1 where it does not vary
        if space:
            return _year_vehicle(pts, da)
        return pts.np(da, ["year"]) if "year" in da.dims else pts.np(da)[None, ...]

    cost_v = yv(ds2.variables["cost_per_kw_year"])
    terr_v = yv(ds2.variables["terrestrial_cost_per_kw_year"])
    if post_scale:
        d_space, d_ground = _hardware_terms_np(ds2, pts, space)
        f = pts.np(accel, ["year"])
        if space:
            f = f[:, None, ...]
        cost_v = cost_v + (f - 1.0) * d_space
        terr_v = terr_v + (f - 1.0) * d_ground
    if space:
        share = plan.shares(years).reshape((years.size, len(vnames)) + (1,) * len(pts.dims))
        cost_v = np.broadcast_to(cost_v, np.broadcast_shapes(cost_v.shape, share.shape))
        terr_v = np.broadcast_to(terr_v, np.broadcast_shapes(terr_v.shape, share.shape))
        on = share > 0
        cost = np.where(on, share * cost_v, 0.0).sum(axis=1)
        terr = np.where(on, share * terr_v, 0.0).sum(axis=1)
        cost = np.where((on & np.isnan(cost_v)).any(axis=1), np.nan, cost)
    else:
        shape = np.broadcast_shapes(cost_v.shape, terr_v.shape, (years.size,) + (1,) * len(pts.dims))
        cost, terr = np.broadcast_to(cost_v, shape), np.broadcast_to(terr_v, shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = cost / terr
    cheaper = np.nan_to_num(ratio, nan=np.inf) <= 1.0
    if not space:  # the ground is its own baseline: there is no space cohort to cross over
        cheaper = np.zeros_like(cheaper)
    within = cheaper.any(axis=0)
    crossover = np.where(within, years[cheaper.argmax(axis=0)].astype(float), np.nan)

    out.add("cost_per_kw_year", ["year"], cost, "USD/(kW yr)", "levelised cost of the capacity built in the year, per kW of IT delivered")
    out.add("terrestrial_cost_per_kw_year", ["year"], terr, "USD/(kW yr)", "levelised cost of the same compute built on the ground in the year")
    out.add("cost_ratio_vs_terrestrial", ["year"], ratio, "1", "cohort cost relative to the same compute on the ground")
    out.add("crossover_year", [], crossover, "1", "first year the space cohort costs at most the ground cohort (NaN: not within the horizon)")
    out.add("crossover_within_horizon", [], within, None, "the space cohort becomes cheaper than the ground within the years shown")
    for name, unit, long_name in (("electricity_price", "USD/(kW h)", "electricity price paid by the ground cohort"),
                                  ("grid_connection_delay", "yr", "grid-connection wait of the ground cohort"),
                                  ("facility_capex", "USD/kW", "facility capital per kW of IT of the ground cohort (with the capacity premium)")):
        out.add(name, ["year"], _on_years(pts, ds2.variables[name], years.size), unit, long_name)
    out.add("accelerator_price_factor", ["year"], _on_years(pts, accel.variable, years.size), "1",
            "accelerator price per kW of IT relative to the catalog price (both sides)")
    attrs = {}
    if space:
        out.add("bus_cost_per_kg", ["year"], _on_years(pts, ds2.variables["bus_cost_per_kg"], years.size), "USD/kg",
                "satellite bus cost per kg paid by the cohort of the year")
        violated = np.zeros((1, 1) + (1,) * len(pts.dims), dtype=bool)
        for k in ds1.data_vars:
            if k.startswith("violates_") and k != "violates_deployment_time":
                violated = violated | _year_vehicle(pts, ds1.variables[k]).astype(bool)
        if violated.shape[0] > 1:
            violated = violated[ix]
        feasible = ~(violated & (share > 0)).any(axis=1)
        out.add("design_feasible", ["year"], feasible, None,
                "the cohort's satellite closes on every vehicle it flies on (the chain's constraints but the deployment time)")
        attrs["fleet"] = plan.file
    out.attrs.update(attrs)
    out.attrs.update({
        "architecture": arch.name,
        "architecture_kind": arch.kind,
        "frozen_trends": ", ".join(t for t in TRENDS if t in frozen_set) or "none",
        "trends_inactive": "; ".join(inactive) or "none",
        "trend_reference_year": int(ref),
        "accelerator_price_trend": ("frozen" if "accelerator_price" in frozen_set else
                                    "post-scaling of the chain's hardware cost (catalog price; see orbitdc.trajectory)"
                                    if post_scale else "chain parameter accelerator_price"),
        "sources": ", ".join(sorted(set(arch.references) | _trend_sources() | (plan.sources if space else set()))),
    })
    return out.dataset(pts, vnames if space else None)


@functools.lru_cache(maxsize=64)
def _unit_string(unit: str) -> str:
    return units.unit_string(unit)


class _Out:
    """Collects result arrays (numpy, axes ``lead + point dims``) and builds the Dataset once."""

    def __init__(self, years: np.ndarray):
        self.years = years
        self.items: list[tuple[str, list[str], np.ndarray, str | None, str]] = []
        self.attrs: dict[str, Any] = {}

    def add(self, name: str, lead: Sequence[str], arr: Any, unit: str | None, long_name: str) -> None:
        self.items.append((name, list(lead), np.asarray(arr), unit, long_name))

    def dataset(self, pts: _Points, vehicles: Sequence[str] | None) -> xr.Dataset:
        data_vars = {}
        for name, lead, arr, unit, long_name in self.items:
            dims, data = pts.variable(arr, lead)
            attrs = {"long_name": long_name}
            if unit is not None:
                attrs = {"units": _unit_string(unit), "long_name": long_name}
            data_vars[name] = xr.Variable(dims, data, attrs)
        coords: dict[str, xr.Variable] = {"year": xr.Variable(("year",), self.years)}
        if vehicles is not None:
            coords["vehicle"] = xr.Variable(("vehicle",), np.asarray(vehicles))
        used = {d for v in data_vars.values() for d in v.dims}
        coords.update({d: c for d, c in pts.coords.items() if d in used})
        clash = sorted(set(coords) & set(data_vars))
        if clash:  # a swept input the trajectory also computes year by year (launch_price_per_kg)
            raise ParameterError(clash[0], "the trajectory computes it year by year: give one value, not a sweep")
        return _construct(data_vars, coords, {}, dict(self.attrs))  # the chain's direct assembly


#: Variables of the cost pass that the trajectory reads (their dimensions are the result's).
_COST_VARIABLES = ("cost_per_kw_year", "terrestrial_cost_per_kw_year", "electricity_price", "grid_connection_delay",
                   "facility_capex", "bus_cost_per_kg", "accelerator", "server_cost_fraction", "satellites", "it_power",
                   "accelerators", "terrestrial_compute_lifetime", "space_compute_lifetime", "terrestrial_wacc", "terrestrial_availability",
                   "availability", "space_wacc", "mission_lifetime", "on_orbit_servicing", "insurance_rate",
                   "space_commissioning_time", "space_hardware_premium", "satellite_failure_rate",
                   "loss_cover", "launch_failure_probability", "insurance_cover_years",
                   "time_to_power_margin", "grid_wait_bridged", "facility_lifetime")


def _on_years(pts: _Points, var: Any, n: int) -> np.ndarray:
    """A variable with axes (year, *points), the year axis spelled out to ``n`` years."""
    arr = pts.np(var, ["year"]) if "year" in var.dims else pts.np(var)[None, ...]
    return np.broadcast_to(arr, (n,) + arr.shape[1:])


def _year_vehicle(pts: _Points, da: xr.DataArray) -> np.ndarray:
    """``da`` with axes (year, vehicle, *points), length 1 where it does not vary."""
    lead = [d for d in ("year", "vehicle") if d in da.dims]
    arr = pts.np(da, lead)
    if "year" not in da.dims:
        arr = arr[None, ...]
    if "vehicle" not in da.dims:
        arr = arr[:, None, ...]
    return arr


def _accelerator_factor(trend: Mapping[str, xr.DataArray], age: xr.DataArray) -> xr.DataArray:
    """Accelerator price per kW of IT relative to the catalog: ``((1 - d)(1 + e))^(y - y0)`` - the
    price per FLOP/s falls by ``d`` a year while the FLOP/s per watt grows by ``e``."""
    return ((1.0 - trend["accelerator_price_decline_rate"]) * (1.0 + trend["accelerator_efficiency_growth_rate"])) ** age


def _trend_sources() -> set[str]:
    return {k for p in trend_parameters().values() for k in p.sources}


def _ramp_np(ramp: fl.Ramp, grid: np.ndarray, ramp_q: Mapping[str, xr.DataArray], pts: _Points) -> np.ndarray:
    """A ramp on the grid as an array with axes (year, *points) (drawn along its quantile's dims)."""
    q = ramp_q.get(ramp.name)
    if q is None:
        return ramp.at(grid).reshape((grid.size,) + (1,) * len(pts.dims))
    vals = ramp.at(grid, q.values)  # (T, *q.dims)
    da = xr.DataArray(vals, dims=("year", *q.dims))
    return pts.np(da, ["year"])


def _fleet(arch, ds1, plan, grid, chain_over, specs, frozen_set, ramp_q, pts: _Points, out: "_Out") -> dict[str, np.ndarray]:
    """The fleet scan, then the launch prices by vehicle and the bus cost by cohort (numpy on the
    grid); fleet results on the requested years go to ``out``."""
    T = grid.size
    vnames = plan.vehicle_names
    V = len(vnames)
    names = ("start_year", "satellites", "space_compute_lifetime", "mission_lifetime", "satellite_failure_rate",
             "launch_failure_probability", "satellite_mass", "compute_mass", "it_power", "satellites_per_launch",
             "launch_cadence_share", "launch_learning_rate", "launch_price_floor_per_kg", "launch_margin",
             "vertically_integrated_launch", "bus_cost_per_kg", "bus_reference_mass", "bus_learning_rate",
             "target_it_power", "launch_price_per_kg")
    serviced = "on_orbit_servicing" in ds1
    pts.add([ds1.variables[k] for k in names] + ([ds1.variables["on_orbit_servicing"]] if serviced else []),
            coords=ds1.coords)
    P = (1,) * len(pts.dims)

    def scalar(k):  # no year, no vehicle
        return pts.np(ds1.variables[k])

    def by_year(k):
        v = ds1.variables[k]
        return pts.np(v, ["year"]) if "year" in v.dims else pts.np(v)[None, ...]

    def by_year_vehicle(k):
        return _year_vehicle(pts, ds1.variables[k])

    t_hw, t_sat = scalar("space_compute_lifetime"), scalar("mission_lifetime")
    life = np.where(scalar("on_orbit_servicing").astype(bool), t_sat, np.minimum(t_hw, t_sat)) if serviced \
        else np.minimum(t_hw, t_sat)
    start = scalar("start_year")
    mass = by_year("satellite_mass")
    production = _ramp_np(plan.production, grid, ramp_q, pts)
    cad = np.stack([_ramp_np(v.cadence, grid, ramp_q, pts) for v in plan.vehicles], axis=1)
    own_share = scalar("launch_cadence_share")
    av = np.stack([np.broadcast_to(v.available_share.value if v.available_share is not None else own_share,
                                   np.broadcast_shapes(own_share.shape, P)) for v in plan.vehicles], axis=0)
    per_launch = by_year_vehicle("satellites_per_launch")
    shares = plan.shares(grid)
    res = fl.fleet_kernel(grid, start, scalar("satellites"), life, scalar("satellite_failure_rate"),
                          scalar("launch_failure_probability"), mass, production, shares, cad, av, per_launch)

    # ---- launch price by vehicle: Wright's law on cumulative launched mass --------------------
    shape_v = (1, V) + P
    payload = np.array([v.payload_reference for v in plan.vehicles]).reshape(shape_v)
    m0 = np.array([v.cumulative_mass_to_date for v in plan.vehicles]).reshape(shape_v)
    ref_v = np.array([v.reference_year for v in plan.vehicles]).reshape(shape_v)
    year_col = grid.reshape((T, 1) + P).astype(float)
    others = cad * (1.0 - av[None, ...]) * payload
    flows = np.where(year_col > ref_v, others + res["own_mass"], 0.0)
    m_prev = m0 + np.cumsum(flows, axis=0) - flows  # mass flown before each year [t]
    ts = np.clip(np.ceil(start) - grid[0], 0, T - 1)
    at_start = np.arange(T).reshape((T, 1) + P) == ts[None, None, ...]
    m_start = (m_prev * at_start).sum(axis=0, keepdims=True)
    own_price = scalar("launch_price_per_kg")
    p_a = np.stack([np.broadcast_to(v.launch_price_per_kg.value if v.launch_price_per_kg is not None else own_price,
                                    np.broadcast_shapes(own_price.shape, P)) for v in plan.vehicles], axis=0)[None, ...]
    if "launch_price" in frozen_set:
        price = np.broadcast_to(p_a, np.broadcast_shapes(p_a.shape, m_prev.shape))
    else:
        price = fl.learned_launch_price(p_a, m_prev, m_start, scalar("launch_learning_rate"),
                                        scalar("launch_price_floor_per_kg"), scalar("launch_margin"),
                                        scalar("vertically_integrated_launch"))
        price = np.where(year_col < np.ceil(start)[None, None, ...], p_a, price)
    # ---- bus cost per kg of the cohort: Wright's law on the programme's own bus mass ----------
    bus_mass = np.maximum(mass - by_year("compute_mass"), 0.0)  # kg per satellite
    bus_built = res["built_per_year"] * bus_mass
    q_ref = scalar("bus_reference_mass") * _KG_PER_T
    q1 = q_ref + np.cumsum(bus_built, axis=0)
    bus_cost = fl.wright_average_cost(scalar("bus_cost_per_kg"), q1 - bus_built, q1, q_ref, scalar("bus_learning_rate"))

    # ---- results on the requested years -------------------------------------------------------
    ix = out.years - grid[0]
    Y, YV = ["year"], ["year", "vehicle"]
    it_sat = scalar("it_power")
    target = scalar("satellites")
    add = out.add
    full = lambda a: np.broadcast_to(a, (T,) + np.shape(a)[1:])[ix]  # noqa: E731
    add("it_power_online", Y, res["in_service"][ix] * it_sat, "kW", "IT power in service at the end of the year")
    add("it_power_target", [], scalar("target_it_power"), "kW", "target IT power of the programme")
    add("satellites_target", [], target, "1", "satellites wanted in service")
    add("satellites_built", Y, res["built"][ix], "1", "satellites built since the programme started (cumulative, incl. payloads lost at launch)")
    add("satellites_built_per_year", Y, res["built_per_year"][ix], "1/yr", "satellites built in the year")
    add("satellites_in_service", Y, res["in_service"][ix], "1", "satellites in service at the end of the year")
    add("satellites_retired", Y, res["retired"][ix], "1", "satellites retired at end of life (cumulative)")
    add("satellites_failed", Y, res["failed"][ix], "1", "satellites failed in orbit or lost at launch (cumulative)")
    add("launches_per_year", Y, res["launches"].sum(axis=1)[ix], "1/yr", "launches flown for the programme in the year")
    add("launches_per_year_by_vehicle", YV, res["launches"][ix], "1/yr", "launches flown for the programme in the year, by vehicle")
    add("launched_mass_per_year", Y, res["launched_mass_per_year"][ix], "t/yr", "satellite mass launched in the year")
    add("launched_mass", Y, res["launched_mass"][ix], "t", "satellite mass launched since the programme started (cumulative)")
    add("mass_in_service", Y, res["mass_in_service"][ix], "t", "satellite mass in service at the end of the year")
    add("mass_retired", Y, res["mass_retired"][ix], "t", "satellite mass retired (cumulative)")
    add("mass_failed", Y, res["mass_failed"][ix], "t", "satellite mass failed in orbit or lost at launch (cumulative)")
    add("production_capacity", Y, full(res["production_capacity"]), "1/yr", "satellites the factory can deliver to orbit in the year")
    add("launch_capacity", Y, full(res["launch_capacity"]), "1/yr", "satellites the vehicles' available flights can put in orbit in the year")
    add("launch_price_per_kg", YV, full(price), "USD/kg", "launch price paid per kg of capacity by the cohort of the year")
    add("cumulative_launched_mass_by_vehicle", YV, full(m_prev), "t", "mass flown by the vehicle (all customers) before the year: its learning basis")
    add("satellites_per_launch", YV, full(per_launch), "1", "satellites of the cohort per launch, by vehicle")
    add("satellite_mass", Y, full(mass), "kg", "mass of one satellite of the cohort")
    add("array_specific_power", Y, full(by_year("array_specific_power") if "array_specific_power" in ds1 else np.full((1,) + P, np.nan)),
        "W/kg", "solar-array specific power of the cohort")
    labels = np.array(["before_start", "none", "production"] + [f"launch:{v}" for v in vnames])
    add("binding_limit", Y, labels[res["binding"][ix]], None,
        "what limited the satellites launched in the year: none (the target was met), production, "
        "launch:<vehicle> (its cadence), before_start")
    reached = (res["in_service"] >= target * (1.0 - 1e-9)) & (res["in_service"] > 0)
    reached = reached[: ix[-1] + 1]
    any_reached = reached.any(axis=0)
    add("target_reached_year", [], np.where(any_reached, grid[reached.argmax(axis=0)].astype(float), np.nan), "1",
        "first year the target IT power is in service (NaN: not by the last year)")
    add("target_reached_within_horizon", [], any_reached, None, "the target IT power is in service within the years computed")
    return {"price": price, "bus_cost": np.broadcast_to(bus_cost, (T,) + np.shape(bus_cost)[1:])}


# --------------------------------------------------------------------------------------------
# Monte Carlo over the trend rates
# --------------------------------------------------------------------------------------------
def _check_samples(arch, samples: Any) -> int:
    if isinstance(samples, bool) or not isinstance(samples, numbers.Integral) or samples < 2:
        raise _bad(arch, "samples", f"must be a whole number >= 2, got {samples!r}")
    return int(samples)


def _monte_carlo(arch: Architecture, years, frozen, fleet, samples, seed, overrides) -> xr.Dataset:
    from .uncertainty import Marginal, latin_hypercube

    n = _check_samples(arch, samples)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise _bad(arch, "seed", f"must be a whole number >= 0, got {seed!r}")
    frozen_set = _frozen_set(frozen, arch)
    specs = parameter_specs()
    margs = []
    for name, p in trend_parameters().items():
        p = getattr(arch, "trends", {}).get(name, p)  # a scenario's stated trend, drawn on its own range
        if name in overrides or p.dist == "fixed" or not p.canonical_low < p.canonical_high:
            continue
        spec = TREND_PARAMETERS[name]
        margs.append(Marginal(name=name, kind=p.dist, value=float(p.canonical_value), low=float(p.canonical_low),
                              high=float(p.canonical_high), unit=spec.unit, minimum=spec.minimum, maximum=spec.maximum,
                              exclusive_minimum=spec.exclusive_minimum, exclusive_maximum=spec.exclusive_maximum))
    for name in CHAIN_RATES:
        p = arch.parameters.get(name)
        if p is None or name in overrides or p.dist == "fixed" or not p.canonical_low < p.canonical_high:
            continue
        spec = specs[name]
        margs.append(Marginal(name=name, kind=p.dist, value=float(p.canonical_value), low=float(p.canonical_low),
                              high=float(p.canonical_high), unit=spec.unit, minimum=spec.minimum, maximum=spec.maximum,
                              exclusive_minimum=spec.exclusive_minimum, exclusive_maximum=spec.exclusive_maximum))
    sample = np.arange(n)
    ramp_names: list[str] = []
    if arch.kind == "space":
        own = overrides.get("launch_vehicle")
        plan = fl.load_fleet(arch, fleet if fleet is not None else getattr(arch, "fleet", None),
                             launch_vehicle=str(own) if own is not None else None)
        ramp_names = [r.name for r in plan.ramps if np.any(r.low < r.high)]
    names = [m.name for m in margs] + [f"ramp:{r}" for r in ramp_names]
    u01 = latin_hypercube(names, n, seed=seed)
    drawn = {m.name: xr.DataArray(m.ppf(u01[:, j]), dims="sample", coords={"sample": sample}) for j, m in enumerate(margs)}
    ramp_q = {r: xr.DataArray(u01[:, len(margs) + j], dims="sample", coords={"sample": sample})
              for j, r in enumerate(ramp_names)}
    out = _run(arch, years, frozen, fleet, overrides, ramp_q=ramp_q, drawn=drawn)
    for name, da in drawn.items():
        out[f"drawn_{name}"] = da.assign_attrs(long_name=f"drawn {name}")
    out.attrs["samples"] = n
    out.attrs["seed"] = int(seed)
    out.attrs["drawn"] = ", ".join(names)
    return _summarize(out)


def _summarize(mc: xr.Dataset) -> xr.Dataset:
    """Per-year quantiles of the cost ratio, probability that space is cheaper, crossover quantiles."""
    q = np.asarray(QUANTILES)
    ratio = mc["cost_ratio_vs_terrestrial"]
    vals = np.moveaxis(ratio.transpose("sample", ...).values, 0, -1)
    with np.errstate(invalid="ignore"):
        qs = np.nanquantile(vals, q, axis=-1)
    other = [d for d in ratio.dims if d != "sample"]
    mc["cost_ratio_vs_terrestrial_quantile"] = xr.DataArray(
        qs, dims=("quantile", *other), coords={"quantile": q, **{d: ratio.coords[d] for d in other if d in ratio.coords}},
        attrs={"units": "1", "long_name": "10/50/90 % of the cohort cost ratio over the samples"})
    p_cheaper = ((ratio <= 1.0) & ratio.notnull()).mean("sample")
    if mc.attrs.get("architecture_kind") != "space":
        p_cheaper = p_cheaper * np.nan  # no space cohort
    mc["probability_space_cheaper"] = p_cheaper.assign_attrs(
        units="1", long_name="share of samples in which the space cohort costs at most the ground cohort")
    cross = mc["crossover_year"].fillna(np.inf)
    cvals = np.moveaxis(cross.transpose("sample", ...).values, 0, -1)
    cq = np.quantile(cvals, q, axis=-1, method="inverted_cdf")
    cq = np.where(np.isfinite(cq), cq, np.nan)
    cother = [d for d in cross.dims if d != "sample"]
    mc["crossover_year_quantile"] = xr.DataArray(
        cq, dims=("quantile", *cother), coords={"quantile": q, **{d: cross.coords[d] for d in cother if d in cross.coords}},
        attrs={"units": "1", "long_name": "10/50/90 % of the crossover year (NaN: that quantile does not cross within the years shown)"})
    mc["probability_crossover_within_horizon"] = mc["crossover_within_horizon"].mean("sample").assign_attrs(
        units="1", long_name="share of samples whose space cohort becomes cheaper within the years shown")
    return mc


def summary(mc: xr.Dataset, years: Sequence[int] = (2030, 2035, 2040), nominal: xr.Dataset | None = None):
    """A table (pandas DataFrame, one row per space architecture) of a Monte Carlo trajectory:
    P(cheaper than ground) in ``years``, the median crossover year with its 80 % interval, the share
    of samples crossing within the horizon and, from a ``nominal`` trajectory, the year the target
    IT power is reached. A quantile that does not cross within the years computed reads 'beyond';
    probabilities are percentages (:func:`orbitdc.formatting.percent`)."""
    import pandas as pd

    from . import formatting

    def one(d: xr.Dataset, n: xr.Dataset | None) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for y in years:
            if y in d["year"].values:
                row[f"P(cheaper) {y}"] = formatting.percent(float(d["probability_space_cheaper"].sel(year=y)))
        q = np.asarray(d["crossover_year_quantile"].values, dtype=float)
        last = int(d["year"].values[-1])
        txt = lambda v: f"{v:.0f}" if np.isfinite(v) else f"beyond {last}"  # noqa: E731
        row["crossover year (median)"] = txt(q[1])
        row["80 % interval"] = f"{txt(q[0])} - {txt(q[2])}"
        row["P(crossover by last year)"] = formatting.percent(float(d["probability_crossover_within_horizon"]))
        if n is not None and "target_reached_year" in n:
            t = float(n["target_reached_year"])
            row["target IT power reached (nominal)"] = txt(t)
        return row

    if "architecture" in mc.dims:
        rows = {}
        for a in mc["architecture"].values:
            d = mc.sel(architecture=a)
            if "architecture_kind" in d.coords and str(d["architecture_kind"].values) != "space":
                continue
            n = nominal.sel(architecture=a) if nominal is not None and "architecture" in nominal.dims else nominal
            rows[str(a)] = one(d, n)
    else:
        rows = {str(mc.attrs.get("architecture", "architecture")): one(mc, nominal)}
    return pd.DataFrame.from_dict(rows, orient="index")


def drop_samples(ds: xr.Dataset) -> xr.Dataset:
    """The variables of a Monte Carlo trajectory without the ``sample`` dimension (its summaries),
    small enough to save with a report."""
    return ds[[v for v in ds.data_vars if "sample" not in ds[v].dims]].drop_dims("sample", errors="ignore")


__all__ = ["QUANTILES", "drop_samples", "summary", "TRENDS", "TREND_PARAMETERS", "hardware_cost_terms", "trajectory", "trend_parameters"]
