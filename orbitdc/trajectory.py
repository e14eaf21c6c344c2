"""When would it beat the ground? The year-by-year model: fleet build-up, learning and trends, cohort costs.

``evaluate`` is one snapshot: every price and rate frozen at the architecture file's values.
:func:`trajectory` adds time, and it is the same chain: the chain's stages run once over a
``year`` dimension (the cohort built in year ``y`` has ``start_year = y``), a ``vehicle`` dimension
(the vehicles of the fleet plan) and any sweep or ``sample`` dimension, with the year's trend
values as per-year inputs like any override. For the calendar years from ``trend_reference_year``
to the last year asked for it

1. moves the trends (``data/trends/``, each sourced, each with a range) that are inputs of the
   chain, from today's values (the architecture's, at ``y0 = trend_reference_year``):

   * **array specific power** ``x (1 + array_specific_power_growth_rate)^(y - y0)`` up to
     ``array_specific_power_ceiling``; **radiator areal density** falling likewise to its floor;
   * **accelerator price** per unit (the chain's ``accelerator_price``, both sides)
     ``x ((1 - d)(1 + e))^(y - y0)``: the price per FLOP/s falls by
     ``d = accelerator_price_decline_rate`` while FLOP/s per watt grows by
     ``e = accelerator_efficiency_growth_rate`` (a unit keeps the catalog's power and mass);
   * on the ground: **electricity price** ``x (1 + electricity_price_change_rate)^(y - y0)``,
     **grid-connection delay** ``+ grid_connection_delay_change (y - y0)`` clipped to
     ``[0, grid_connection_delay_max]`` (with a ``grid_region``, that region's sourced wait at the
     cohort's year instead: ``orbitdc.economics.grid_connection_wait_of``), and a **capacity premium** on facility capital
     ``x (1 + min(ground_capacity_premium_rate (y - y0), ground_capacity_premium_max))``;

2. runs the physical stages (orbit, compute, power, thermal, mass, launch) once over all
   dimensions;
3. builds the fleet (:mod:`orbitdc.fleet`): satellites built, launched, in service, retired and
   failed, launches per vehicle, IT power online and the limit (production, a vehicle's cadence,
   or none) that binds each year, from the architecture's fleet plan (``data/fleets/``); and the
   two learning curves that depend on it:

   * **launch price** per vehicle by Wright's law on the vehicle's cumulative launched mass -
     other customers' flights (cadence x (1 - available share) x payload) plus the programme's own
     launched mass, so a big fleet drives its own price down::

         cost(y) = floor + (c_s - floor) (M(y) / M(s))^b,   b = log2(1 - launch_learning_rate)
         price   = cost (1 + launch_margin), or the cost when vertically_integrated_launch

     with ``c_s`` the architecture's ``launch_price_per_kg`` at its ``start_year`` s (as a cost),
     ``M(y)`` the mass flown before year y, and the start price for cohorts before ``s``;
   * **bus cost per kg** by Wright's law on the programme's cumulative bus mass: the cohort of
     year y pays the average unit cost of its own production, from the experience base
     ``bus_reference_mass`` at ``bus_cost_per_kg`` (:func:`orbitdc.fleet.cohort_bus_cost`);

4. runs the economics stage once, on the years asked for, with the learned launch price (the
   launch bill is the launch stage's ``launches x billed mass x price``) and bus cost. The
   cohort's cost is mixed over the vehicles by their shares of that year's satellites:
   ``cost_per_kw_year``, ``terrestrial_cost_per_kw_year``, ``cost_ratio_vs_terrestrial``;
   ``crossover_year`` is the first year from the programme's ``start_year`` with a ratio <= 1
   (NaN with ``crossover_within_horizon = False`` if none).

**Frozen.** ``frozen=True`` (or a list of trend names from :data:`TRENDS`) keeps a trend at the
architecture's static value. With every trend frozen the cohort of year y *is*
``evaluate(arch, start_year=y)`` (per vehicle: ``cost_per_kw_year_by_vehicle``): the same stages
on the same inputs, so the numbers agree to rounding, not by a second model that agrees.

An unbuildable cohort (a satellite that does not close: infinite mass) costs ``inf`` like
``evaluate``'s, and ``binding_constraint`` names what binds it; it is never built, so it adds
nothing to the fleet or to any learning curve.

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
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import xarray as xr

from . import _finance, catalogs
from . import fleet as fl
from . import paths as _paths
from . import units
from .chain import Frame, _expand, dataset_from_frame, number_array, parameter_specs, prepare, run_frame, year_paths_of
from .errors import ArchitectureError, OrbitdcError, ParameterError
from .architectures import load_architecture
from .catalogs import catalog_value
from .arguments import check_count, check_samples, check_seed
from .economics import loss_cover_factors
from .parameters import DATA_DIR, Architecture, ParameterSpec, _rel, load_references, read_parameters_file

TRENDS_DIR = DATA_DIR / "trends"

#: Trends that ``frozen`` may name; each frozen trend keeps the architecture's static value.
TRENDS = ("launch_price", "bus_cost", "accelerator_price", "array_specific_power", "radiator_areal_density",
          "electricity_price", "grid_connection_delay", "ground_capacity_premium", "launch_cadence")

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
    "industry_satellite_production": ParameterSpec("t/yr", "satellite mass a line alongside builds per year (learning 'industry')",
                                                   minimum=0.0),
    "bus_cost_decline_rate": ParameterSpec("1/yr", "fall per year of the bus cost per kg (learning 'calendar')", **_RATE),
    "array_cost_learning_rate": ParameterSpec("1", "array cost fall per doubling of own array power (learning 'own')", **_RATE),
    "array_cost_decline_rate": ParameterSpec("1/yr", "fall per year of the array cost per W (learning 'calendar')", **_RATE),
    "radiator_cost_learning_rate": ParameterSpec("1", "radiator cost fall per doubling of own radiator area (learning 'own')", **_RATE),
    "radiator_cost_decline_rate": ParameterSpec("1/yr", "fall per year of the radiator cost per m2 (learning 'calendar')", **_RATE),
    "space_premium_learning_rate": ParameterSpec("1", "space hardware premium fall per doubling of own accelerators in orbit (learning 'own')", **_RATE),
    "space_premium_decline_rate": ParameterSpec("1/yr", "fall per year of the space hardware premium (learning 'calendar')", **_RATE),
    "ground_scarcity_premium_decline_rate": ParameterSpec("1/yr", "fall per year of the ground's scarcity premium "
                                                          "(ground_price=True)", **_RATE),
}

#: Cost items whose learning a user chooses (``learning={item: basis}``), the bases each takes,
#: and the default (today's model: Wright's law on the programme's own bus mass, nothing else).
LEARNING_ITEMS = {
    "bus": ("own", "industry", "calendar", "none"),
    "array": ("own", "calendar", "none"),
    "radiator": ("own", "calendar", "none"),
    "premium": ("own", "calendar", "none"),
}
#: The learning each item follows when ``learning=`` does not name it: the bus learns on its own
#: cumulative mass, nothing else learns.
LEARNING_DEFAULT = {"bus": "own", "array": "none", "radiator": "none", "premium": "none"}

#: Chain parameters that are trend rates too (drawn by the Monte Carlo).
CHAIN_RATES = ("launch_learning_rate", "bus_learning_rate")
#: Stages run before the fleet (everything before economics).
PHYSICAL_STAGES = ("orbit", "compute", "power", "thermal", "links", "commons", "mass", "launch")
#: Stages run after the fleet (on its grid; the years asked for are taken after): economics and what reads its costs.
COST_STAGES = ("economics", "workload")
#: The quantiles of the Monte Carlo summaries.
QUANTILES = (0.1, 0.5, 0.9)
#: Constraints the cohort's design is judged on: the chain's, but the static deployment time
#: (the fleet scan builds the programme up year by year instead).
_NOT_DESIGN = ("violates_deployment_time",)

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
        _, params = read_parameters_file(path, TREND_PARAMETERS, refs=refs)
        for name, p in params.items():
            if name in merged:
                raise ArchitectureError(f"set twice (also in {merged[name].origin})", file=file, parameter=name)
            merged[name] = p
    missing = sorted(set(TREND_PARAMETERS) - set(merged))
    if missing:
        raise ArchitectureError(f"missing trend parameters: {', '.join(missing)}", file=_rel(TRENDS_DIR))
    return merged


def trend_parameters() -> dict[str, Any]:
    """The trend parameters of ``data/trends/*.yaml`` (validated ``Parameter`` objects, by name)."""
    return _trend_defaults_cached(_trend_stamp())


def _trend_stamp() -> str:
    files = sorted(TRENDS_DIR.glob("*.yaml"))
    return "|".join(f"{f}:{f.stat().st_mtime_ns}" for f in files)


def _trend_sources() -> frozenset[str]:
    return _trend_sources_cached(_trend_stamp())


@functools.lru_cache(maxsize=8)
def _trend_sources_cached(stamp: str) -> frozenset[str]:
    return frozenset(k for p in _trend_defaults_cached(stamp).values() for k in p.sources)


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


def _split_overrides(arch: Architecture, overrides: Mapping[str, Any]) -> tuple[dict, dict]:
    chain_over, trend_over = {}, {}
    for k, v in overrides.items():
        if k in TREND_PARAMETERS:
            if _paths.is_path(v):
                raise _bad(arch, k, "a trend rate takes one value; give a path of the quantity itself instead "
                                    "(e.g. electricity_price={2026: 0.08, 2040: 0.12})")
            trend_over[k] = v
        elif k in arch.parameters:
            chain_over[k] = v
        else:
            valid = sorted(set(arch.parameters) | set(TREND_PARAMETERS))
            raise _bad(arch, k, f"unknown parameter; valid names: {', '.join(valid)}")
    return chain_over, trend_over


def _trend_values(arch, trend_over: Mapping[str, Any], coords: dict[str, xr.Variable]) -> dict[str, xr.Variable]:
    """Trend parameters in their canonical units (an override's coordinates go to ``coords``)."""
    out = {}
    for name, p in trend_parameters().items():
        if name in trend_over:
            da = _as_number(arch, name, trend_over[name], TREND_PARAMETERS[name])
            for c, v in da.coords.items():
                coords.setdefault(c, v.variable)
            out[name] = da.variable
        else:
            out[name] = xr.Variable((), float(p.canonical_value))
    for name in ("trend_reference_year", "trend_valid_until"):
        if out[name].ndim:
            raise _bad(arch, name, "must be a single year (not a sweep)")
    return out


# --------------------------------------------------------------------------------------------
# Frames over (year, vehicle, points)
# --------------------------------------------------------------------------------------------
def _take_years(frame: Frame, ix: np.ndarray, n_grid: int) -> None:
    """Keep the years ``ix`` of the grid (the year axis is the frame's first) in every array."""
    if ix.size == n_grid:
        return
    nd = len(frame.dims)
    for name, arr in list(frame.items()):
        lead = arr.ndim - nd  # extra leading axes of stage outputs (subsystem, cost_item)
        if arr.shape[lead] == n_grid:
            frame._vars[name] = np.take(arr, ix, axis=lead)
    frame.sizes["year"] = ix.size


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------
def trajectory(arch: str | Path | Architecture | Sequence[str | Path | Architecture],
               years: Iterable[int] = range(2026, 2051), *, frozen: bool | str | Iterable[str] = False,
               fleet: str | Path | Mapping[str, Any] | None = None, samples: int | None = None, seed: int = 0,
               scenario: str | None = None, levels: bool = True, design: str = "optimal",
               correlation: Any = "data", draw_catalog: bool = True, chunks: int | None = None,
               learning: Mapping[str, str] | None = None, ground_price: bool = False, **overrides: Any) -> xr.Dataset:
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
    samples, seed : Monte Carlo (dimension ``sample``): the trend rates, the ramps and - with
        ``levels`` (default) - the architecture's uncertain levels, drawn jointly
    levels, design, correlation, draw_catalog : ``levels=True`` draws the uncertain parameters
        exactly as :func:`orbitdc.monte_carlo` does for the same ``seed`` (the same stream,
        ``correlation`` and ``draw_catalog``), with each sample's design chosen as it chooses it
        (``design="optimal"``, or ``"nominal"``); ``levels=False`` draws the trends and ramps only
    chunks : samples per chain run (the result does not depend on it, bit for bit)
    learning : how each cost item learns, ``{item: basis}`` (:data:`LEARNING_ITEMS`): ``"own"``
        (Wright's law on the programme's own production), ``"industry"`` (bus: a satellite line
        alongside adds its experience), ``"calendar"`` (a fall per year) or ``"none"``; the rates
        are trend parameters (``data/trends/learning.yaml``), drawn by the Monte Carlo. Default
        :data:`LEARNING_DEFAULT` (the bus learns on its own mass, nothing else learns)
    ground_price : also compare each cohort with the price the ground's compute *sells* at (its
        cost x (1 + a scarcity premium): ``revenue_per_kw_year`` in ``trend_reference_year``, the
        premium falling by ``ground_scarcity_premium_decline_rate`` a year):
        ``cost_ratio_vs_ground_price``, beside the cost-vs-cost ratio, which stays the answer of
        record. Not the economics stage's *market view* (``market_cost_ratio_vs_terrestrial``:
        the margin forgone while compute waits for power, counted as a cost on both sides)
    scenario : a scenario of ``data/scenarios/`` (e.g. ``"proponent"``) layered over the
        architecture; for a list, over each architecture that ships it (``attrs['scenario']``)
    **overrides : chain parameters (as in ``evaluate``: a 1-d list is a sweep dimension) and trend
        parameters (:data:`TREND_PARAMETERS`)

    Returns
    -------
    xarray.Dataset with a ``year`` dimension (and ``vehicle`` for per-vehicle variables).
    """
    years = _check_arguments(arch, years, frozen, fleet, samples, seed, scenario, overrides)
    if scenario is not None:
        from .scenarios import apply_where_available

        many = isinstance(arch, (list, tuple))
        loaded = apply_where_available(list(arch) if many else [arch], scenario)
        out = trajectory(loaded if many else loaded[0], years, frozen=frozen, fleet=fleet, samples=samples,
                         seed=seed, levels=levels, design=design, correlation=correlation,
                         draw_catalog=draw_catalog, chunks=chunks, learning=learning, ground_price=ground_price, **overrides)
        out.attrs["scenario"] = scenario
        return out
    mc = dict(levels=levels, design=design, correlation=correlation, draw_catalog=draw_catalog, chunks=chunks)
    if isinstance(arch, (list, tuple)):
        return _compare(arch, years, frozen=frozen, fleet=fleet, samples=samples, seed=seed, mc=mc,
                        learning=learning, ground_price=ground_price, **overrides)
    arch = load_architecture(arch)
    learn = _check_learning(arch, learning)
    if samples is not None:
        return _monte_carlo(arch, years, frozen, fleet, samples, seed, overrides, learning=learn, ground_price=ground_price, **mc)
    return _run(arch, years, frozen, fleet, overrides, ramp_q={}, learning=learn, ground_price=ground_price)


def _check_learning(arch, learning: Any) -> dict[str, str]:
    """``learning`` completed with :data:`LEARNING_DEFAULT`; an unknown item or basis is one error."""
    if learning is None:
        return dict(LEARNING_DEFAULT)
    if not isinstance(learning, Mapping):
        raise _bad(arch, "learning", f"expected a mapping {{item: basis}}, got {type(learning).__name__}")
    out = dict(LEARNING_DEFAULT)
    for item, basis in learning.items():
        if item not in LEARNING_ITEMS:
            raise _bad(arch, "learning", f"'{item}' is not a cost item; items: {', '.join(LEARNING_ITEMS)}")
        if basis not in LEARNING_ITEMS[item]:
            raise _bad(arch, "learning", f"{item}: '{basis}' is not one of {', '.join(LEARNING_ITEMS[item])}")
        out[item] = basis
    return out


def _check_arguments(arch, years, frozen, fleet, samples, seed, scenario, overrides) -> np.ndarray:
    """The arguments checked before anything is loaded or computed (:mod:`orbitdc.validation`:
    types, and the memory the run would need); the years as an integer array."""
    from .validation import check_trajectory_arguments

    ref = float(trend_parameters()["trend_reference_year"].canonical_value)
    return check_trajectory_arguments(arch, years, frozen=frozen, fleet=fleet, samples=samples, seed=seed,
                                      scenario=scenario, overrides=overrides, trends=TRENDS, reference_year=ref)


def _compare(archs, years, **kw) -> xr.Dataset:
    loaded = [load_architecture(a) for a in archs]
    if not loaded:
        raise OrbitdcError("trajectory needs at least one architecture")
    names = [a.name for a in loaded]
    if len(set(names)) != len(names):
        raise OrbitdcError(f"architecture names repeat: {', '.join(names)}")
    over = {k: v for k, v in kw.items() if k not in ("frozen", "fleet", "samples", "seed", "mc", "learning", "ground_price")}
    specs = parameter_specs()
    results = []
    for a in loaded:
        own = {k: v for k, v in over.items() if k in a.parameters or k in TREND_PARAMETERS or k not in specs}
        results.append(trajectory(a, years, frozen=kw["frozen"], fleet=kw["fleet"], samples=kw["samples"],
                                  seed=kw["seed"], learning=kw.get("learning"), ground_price=kw.get("ground_price", False),
                                  **kw.get("mc", {}), **own))
    out = xr.concat(results, dim="architecture", data_vars="all", coords="minimal", compat="override",
                    join="outer", combine_attrs="drop_conflicts")
    out = out.assign_coords(architecture=("architecture", names),
                            architecture_kind=("architecture", [a.kind for a in loaded]))
    out.attrs["architectures"] = ", ".join(names)
    for r in results:
        for var in r.data_vars:
            out[var].attrs = {**r[var].attrs, **out[var].attrs}
    return out


def _run(arch: Architecture, years: Any, frozen: Any, fleet: Any, overrides: Mapping[str, Any],
         ramp_q: Mapping[str, xr.DataArray], drawn: Mapping[str, xr.DataArray] | None = None,
         build: bool = True, eclipse_method: str | None = None,
         learning: Mapping[str, str] | None = None, ground_price: bool = False) -> "xr.Dataset | _Results":
    """One architecture (``ramp_q``: drawn quantiles of the ramps by ramp name; ``drawn``: drawn
    trend and chain rates, applied like overrides). ``build=False``: the results before the
    Dataset is built (the Monte Carlo adds its summaries first). One model run: the catalogs'
    files are checked once for both passes through the stages."""
    with catalogs.model_run():
        return _run_once(arch, years, frozen, fleet, overrides, ramp_q, drawn, build, eclipse_method,
                         dict(learning or LEARNING_DEFAULT), ground_price)


def _run_once(arch, years, frozen, fleet, overrides, ramp_q, drawn, build, eclipse_method=None, learning=None,
              ground_price=False):
    frozen_set = _frozen_set(frozen, arch)
    # a scenario's stated trends and fleet plan (issue 22) act like overrides; explicit ones win
    overrides = {**{k: p.canonical_value for k, p in getattr(arch, "trends", {}).items()}, **overrides}
    if fleet is None:
        fleet = getattr(arch, "fleet", None)
    chain_over, trend_over = _split_overrides(arch, overrides)
    for name, path in year_paths_of(arch).items():  # the architecture file's paths, unless overridden
        if name not in chain_over:
            chain_over[name] = _paths.as_dataarray(path)
    coords: dict[str, xr.Variable] = {}
    trend = _trend_values(arch, trend_over, coords)
    trusted: dict[str, xr.DataArray] = {}
    for k, v in (drawn or {}).items():
        if k in TREND_PARAMETERS:
            trend[k] = v.variable
        else:
            trusted[k] = v
        for c, cv in v.coords.items():
            coords.setdefault(c, cv.variable)
    for q in ramp_q.values():
        for c, cv in q.coords.items():
            coords.setdefault(c, cv.variable)
    ref = float(trend["trend_reference_year"].values)
    until = float(trend["trend_valid_until"].values)
    years = _check_years(arch, years, ref, until)
    grid = np.arange(int(ref), int(years[-1]) + 1)
    ix = years - grid[0]  # the requested years on the grid
    T = grid.size
    specs = parameter_specs()
    space = arch.kind == "space"
    paths, path_notes = _year_paths(arch, chain_over, specs, grid, years, (ref, until), trusted, coords)
    # a path replaces the trend of its parameter (the launch price: of the vehicles it prices)
    off = frozen_set | {PATH_TRENDS[n] for n in paths if n in PATH_TRENDS}

    # ---- the programme's start (the chain's start_year is the cohort's year) ------------------
    if "start_year" in chain_over:
        start_da = _as_number(arch, "start_year", chain_over.pop("start_year"), specs["start_year"])
        for c, cv in start_da.coords.items():
            coords.setdefault(c, cv.variable)
    else:
        start_da = xr.DataArray(float(arch.parameters["start_year"].canonical_value))
    if np.any(np.asarray(start_da.values) < ref):
        raise _bad(arch, "start_year", f"{float(np.min(start_da.values)):g} is before trend_reference_year ({ref:g}): the "
                                       "fleet cannot start before the trend data")
    trusted["start_year"] = xr.DataArray(grid.astype(float), dims="year")
    plan = None
    if space:
        own_vehicle = None
        if "launch_vehicle" in chain_over:
            lv = chain_over.pop("launch_vehicle")
            if isinstance(lv, xr.DataArray) or np.ndim(lv) != 0:
                raise _bad(arch, "launch_vehicle", "a trajectory takes one launch vehicle; give several in a fleet plan (fleet=)")
            own_vehicle = str(lv)
        if "launch_price_per_kg" in chain_over:
            lp = chain_over["launch_price_per_kg"]
            if isinstance(lp, xr.DataArray) or np.ndim(getattr(lp, "value", lp)) != 0:
                raise _bad(arch, "launch_price_per_kg", "the trajectory computes it year by year (the learning curve): "
                                                        "give one value (the price at the start), not a sweep")
        plan = fl.load_fleet(arch, fleet, launch_vehicle=own_vehicle)
        trusted["launch_vehicle"] = xr.DataArray(np.array(plan.vehicle_names), dims="vehicle")

    # ---- the chain's inputs over (year[, vehicle], points) -------------------------------------
    lead = ("year", "vehicle") if space else ("year",)
    extra: dict[str, int] = {}
    for v in [*trend.values(), start_da.variable, *(q.variable for q in ramp_q.values())]:
        for d, n in zip(v.dims, v.shape):
            if d in ("year", "vehicle"):
                raise OrbitdcError(f"dimension '{d}' is the trajectory's own: name a sweep dimension otherwise")
            if extra.setdefault(d, int(n)) != n:
                raise OrbitdcError(f"overrides do not broadcast together: dimension '{d}' has lengths {extra[d]} and {n}")
    prep = prepare(arch, chain_over, trusted, dims_first=lead, extra_dims=extra)
    frame = prep.frame
    if eclipse_method is not None:  # decided once for a Monte Carlo run (chunking must not change it)
        frame.attrs["eclipse_method"] = eclipse_method
    for c, cv in prep.coords.items():
        coords.setdefault(c, cv)
    tr = {k: _expand(v, frame.dims) for k, v in trend.items()}
    start = _expand(start_da.variable, frame.dims)
    age = (grid - ref).astype(float).reshape((T,) + (1,) * (len(frame.dims) - 1))
    inactive = _trend_inputs(arch, frame, tr, age, off, space)

    # ---- physical stages once, the fleet, economics once --------------------------------------
    if space:
        start_price = frame["launch_price_per_kg"]
        # the launch stage prices the billed mass at 1 USD/kg: its launch_cost is then the billed
        # mass, re-priced below with the year's learned price (launches x billed x price)
        frame._vars["launch_price_per_kg"] = np.ones((1,) * len(frame.dims))
    run_frame(frame, arch.kind, only=PHYSICAL_STAGES, flags=False)
    fleet_res = None
    if space:
        try:
            # the chain's launch_cadence_growth_rate: the static launch stage's deployment and
            # break-even year grow the catalog cadence after planned_year by the same rate
            growth = None if "launch_cadence" in frozen_set else frame["launch_cadence_growth_rate"]
            fleet_res = _fleet(frame, plan, grid, start, start_price, ramp_q, frozen_set, "bus_cost_per_kg" in paths,
                               growth, learning["bus"], tr, age)
        except ParameterError as exc:  # a path given for a quantity the fleet scan takes once
            raise _bad(arch, exc.parameter, exc.reason) from None
    if space:
        price = fleet_res["price"]
        with np.errstate(invalid="ignore"):
            frame._vars["launch_cost"] = np.where(np.isinf(frame["launches"]), np.inf, frame["launch_cost"] * price)
        frame._vars["launch_price_per_kg"] = price
        if "bus_cost" not in frozen_set or "bus_cost_per_kg" in paths:
            # the cohort's own learning (or the path) is in its bus cost per kg
            frame._vars["bus_cost_per_kg"] = fleet_res["bus_cost"][:, None]
            frame._vars["bus_learning_rate"] = np.zeros((1,) * len(frame.dims))
        _item_learning(frame, fleet_res, learning, tr, age, set(paths))
    run_frame(frame, arch.kind, only=COST_STAGES, flags=False)
    if ground_price and space:  # the ground's own cost in trend_reference_year (the grid's first year)
        ground_at_reference = np.array(frame["terrestrial_cost_per_kw_year"][0, 0], copy=True)
        revenue_today = np.asarray(frame["revenue_per_kw_year"])[0, 0]
    _take_years(frame, ix, T)  # the years asked for (economics ran on the fleet's grid)
    out = _result(arch, frame, years, start[:, 0] if space else start, plan, fleet_res, ix, grid, coords,
                  frozen_set, inactive)
    out.drawn = {k: np.asarray(v.values) for k, v in (drawn or {}).items()}
    if ground_price and space:
        _ground_price(out, tr, age[ix] if age.shape[0] == T else age, years, start[0, 0], ground_at_reference,
                      revenue_today)
    out.attrs_ds["learning"] = "; ".join(f"{k}: {v}" for k, v in learning.items())
    if space:
        for item, (param, _, _, _, _) in _ITEMS.items():
            if learning.get(item, "none") != "none" or param in paths:
                spec = specs[param]
                out.add(param, ["year"], frame[param][:, 0], spec.unit, f"{spec.long_name} paid by the cohort of the year")
    if paths:
        out.attrs_ds["paths"] = "; ".join(f"{n}: {p.describe()}" for n, p in paths.items())
    if path_notes:
        out.attrs_ds["path_warnings"] = "; ".join(path_notes)
    return out.dataset() if build else out


#: Cost items other than the bus: the chain parameter, the per-satellite quantity the programme
#: produces (frame variable, scale to the item's unit) and the learning and calendar rates.
_ITEMS = {
    "array": ("array_cost_per_watt", "solar_array_bol_power", 1e3, "array_cost_learning_rate", "array_cost_decline_rate"),
    "radiator": ("radiator_cost_per_m2", "radiator_area", 1.0, "radiator_cost_learning_rate", "radiator_cost_decline_rate"),
    "premium": ("space_hardware_premium", "accelerators", 1.0, "space_premium_learning_rate", "space_premium_decline_rate"),
}


def _item_learning(frame: Frame, res: Mapping[str, np.ndarray], learning: Mapping[str, str],
                   tr: Mapping[str, np.ndarray], age: np.ndarray, paths: set[str]) -> None:
    """The year's array cost per W, radiator cost per m2 and space hardware premium under the
    learning chosen (:data:`LEARNING_ITEMS`; a path of the parameter wins): ``calendar`` today's
    value x (1 - rate)^(y - y0); ``own`` the cohort's average on Wright's curve of the programme's
    own cumulative production of the item (its experience base the first building year's output,
    at today's value: :func:`orbitdc.fleet.cohort_bus_cost` on those units)."""
    for item, (param, per_sat, scale, rate, decline) in _ITEMS.items():
        basis = learning.get(item, "none")
        if basis == "none" or param in paths or param not in frame:
            continue
        today = frame[param]
        if basis == "calendar":
            frame._vars[param] = today * (1.0 - tr[decline]) ** age
            continue
        units = fl.mass_of(res["built_per_year"], frame[per_sat][:, 0] * scale)  # the item built per year
        first = np.argmax(units > 0, axis=0)
        base = np.take_along_axis(units, first[None, ...], axis=0)  # one first-year output: the experience base
        with np.errstate(invalid="ignore", divide="ignore"):
            cost = fl.cohort_bus_cost(res["built_per_year"], frame[per_sat][:, 0] * scale, today[0, 0],
                                      np.where(base > 0, base, 1.0), tr[rate][0, 0])
        frame._vars[param] = np.where(base > 0, cost, today[0, 0])[:, None]


def _ground_price(out: "_Results", tr: Mapping[str, np.ndarray], age: np.ndarray, years: np.ndarray,
                  start: np.ndarray, ground_at_reference: np.ndarray, revenue: np.ndarray) -> None:
    r"""The optional comparison with the price the ground's compute sells at (``ground_price=True``).

    .. math:: P_g(y) = C_g(y)\,\bigl(1 + p_0 (1 - d)^{y - y_0}\bigr), \qquad
              p_0 = \frac{R}{C_g(y_0)} - 1

    with :math:`C_g(y)` the ground cohort's levelised cost per delivered kW-yr, :math:`R` the
    architecture's ``revenue_per_kw_year`` (the rental price of a kW-yr of compute today, the
    figure the economics stage's market view also values the forgone margin with),
    :math:`y_0` = ``trend_reference_year`` and :math:`d` = ``ground_scarcity_premium_decline_rate``
    (``data/trends/ground.yaml``): today's premium of price over cost fades as supply catches up.
    So :math:`P_g(y_0) = R` exactly. The ratio is the space cohort's *cost* over this price;
    the crossover against it counts cohorts from the programme's start only."""
    terr = out.frame["terrestrial_cost_per_kw_year"][:, 0]  # (year, points) on the years asked for
    with np.errstate(invalid="ignore", divide="ignore"):
        premium_today = revenue / ground_at_reference - 1.0
    premium = premium_today[None, ...] * ((1.0 - tr["ground_scarcity_premium_decline_rate"]) ** age)[:, 0]
    price = terr * (1.0 + premium)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = out.frame["cost_per_kw_year"][:, 0] / price
    n_points = out.n_points
    cheaper = (np.nan_to_num(ratio, nan=np.inf) <= 1.0) & (years.reshape((-1,) + (1,) * n_points) >= start[None, ...])
    within = cheaper.any(axis=0)
    out.add("ground_scarcity_premium", [], premium_today, "1",
            "the ground's price over its cost, minus one, in trend_reference_year (revenue_per_kw_year / the ground's cost - 1)")
    out.add("ground_price_per_kw_year", ["year"], price, "USD/(kW yr)",
            "price the same compute sells at on the ground in the year: its cost x (1 + the fading scarcity premium)")
    out.add("cost_ratio_vs_ground_price", ["year"], ratio, "1",
            "cohort cost relative to the ground's selling price (beside cost_ratio_vs_terrestrial, the cost-vs-cost answer; "
            "not market_cost_ratio_vs_terrestrial, the time-to-power market view)")
    out.add("crossover_year_vs_ground_price", [], np.where(within, years[cheaper.argmax(axis=0)].astype(float), np.nan),
            "1", "first year from the programme's start the space cohort costs at most the ground's selling price (NaN: none)")


#: The trend a path of a chain parameter replaces (``launch_price_per_kg``: for the vehicles it
#: prices, handled in the fleet's launch prices).
PATH_TRENDS = {"bus_cost_per_kg": "bus_cost", "accelerator_price": "accelerator_price",
               "array_specific_power": "array_specific_power", "radiator_areal_density": "radiator_areal_density",
               "electricity_price": "electricity_price", "grid_connection_delay": "grid_connection_delay",
               "facility_capex": "ground_capacity_premium"}


def _year_paths(arch: Architecture, chain_over: dict, specs, grid: np.ndarray,
                years: np.ndarray, horizon: tuple[float, float], trusted: dict, coords: dict
                ) -> tuple[dict[str, _paths.YearPath], list[str]]:
    """Paths among the overrides (taken out of ``chain_over``): each becomes its parameter's
    per-year input (``trusted``, on the fleet's grid of years). Returns the paths and the
    warnings of the ones held flat within the years computed."""
    paths: dict[str, _paths.YearPath] = {}
    notes: list[str] = []
    for name in [k for k, v in chain_over.items() if _paths.is_path(v)]:
        spec = specs[name]
        if spec.kind != "number":
            raise _bad(arch, name, "a path over the years takes numbers")
        if name == "start_year":
            raise _bad(arch, name, "the programme's first year takes one value, not a path")
        try:
            path = _paths.as_path(name, chain_over.pop(name), spec.unit,
                                  check=lambda v, n=name, sp=spec: sp.check_array(n, v), horizon=horizon)
        except ParameterError as exc:
            raise _bad(arch, name, exc.reason) from None
        paths[name] = path
        note = path.outside(float(grid[0]), float(years[-1]))
        if note:
            notes.append(note)
        for c, cv in path.coords:
            coords.setdefault(c, cv)
        trusted[name] = xr.DataArray(path.at(grid), dims=("year",) + path.dims, coords=dict(path.coords),
                                     attrs={"long_name": spec.long_name or name, "units": units.unit_string(spec.unit),
                                            "source": f"override: path {path.describe()}"})
    return paths, notes


def _trend_inputs(arch: Architecture, frame: Frame, tr: Mapping[str, np.ndarray], age: np.ndarray,
                  frozen_set: frozenset[str], space: bool) -> list[str]:
    """Put the year's trend values in the frame (the chain's inputs, from today's values in it)."""
    inactive = []
    put = frame._vars.__setitem__
    if space and "array_specific_power" not in frozen_set:
        a0 = frame["array_specific_power"]
        grown = a0 * (1.0 + tr["array_specific_power_growth_rate"]) ** age
        put("array_specific_power", np.minimum(grown, np.maximum(tr["array_specific_power_ceiling"], a0)))
    if space and "radiator_areal_density" not in frozen_set:
        if "radiator_areal_density" in frame:
            r0 = frame["radiator_areal_density"]
            fallen = r0 * (1.0 - tr["radiator_areal_density_decline_rate"]) ** age
            put("radiator_areal_density", np.maximum(fallen, np.minimum(tr["radiator_areal_density_floor"], r0)))
        else:
            inactive.append("radiator_areal_density (the architecture has no radiator_areal_density parameter)")
    if "electricity_price" not in frozen_set:
        put("electricity_price", frame["electricity_price"] * (1.0 + tr["electricity_price_change_rate"]) ** age)
    if "grid_connection_delay" not in frozen_set:
        d0 = frame["grid_connection_delay"]
        top = np.maximum(tr["grid_connection_delay_max"], d0)
        put("grid_connection_delay", np.minimum(np.maximum(d0 + tr["grid_connection_delay_change"] * age, 0.0), top))
    if "ground_capacity_premium" not in frozen_set:
        premium = np.minimum(tr["ground_capacity_premium_rate"] * age, tr["ground_capacity_premium_max"])
        put("facility_capex", frame["facility_capex"] * (1.0 + premium))
    factor = np.ones((1,) * len(frame.dims))
    if "accelerator_price" not in frozen_set:
        if "accelerator_price" in frame:
            factor = _accelerator_factor(tr, age)
            put("accelerator_price", frame["accelerator_price"] * factor)
        else:
            inactive.append("accelerator_price (the architecture has no accelerator_price parameter)")
    put("_accelerator_price_factor", factor)  # as applied (reported)
    return inactive


def _accelerator_factor(trend: Mapping[str, Any], age: Any) -> Any:
    """Accelerator price relative to today's: ``((1 - d)(1 + e))^(y - y0)`` - the price per FLOP/s
    falls by ``d`` a year while the FLOP/s per watt grows by ``e`` (a unit keeps its power)."""
    return ((1.0 - trend["accelerator_price_decline_rate"]) * (1.0 + trend["accelerator_efficiency_growth_rate"])) ** age


def _fleet(frame: Frame, plan: fl.FleetPlan, grid: np.ndarray, start: np.ndarray, start_price: np.ndarray,
           ramp_q: Mapping[str, xr.DataArray], frozen_set: frozenset[str], bus_path: bool = False,
           growth: np.ndarray | None = None, bus_basis: str = "own", tr: Mapping[str, np.ndarray] | None = None,
           age: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The fleet scan on the chain's physical results (axes year, vehicle, points; the grid's
    years), then the launch prices by vehicle and the bus cost by cohort. ``start_price`` with
    a year axis is a path of the architecture's launch price (the price of the vehicles it
    prices, instead of their learning curve); ``bus_path``: the frame's bus cost is a path."""
    def pt(name):  # no year, no vehicle: (*points)
        a = frame[name]
        if a.shape[0] != 1 or a.shape[1] != 1:
            raise ParameterError(name, "the fleet scan takes one value of it for the whole programme: "
                                       "a path over the years is not supported for it")
        return a[0, 0]

    def yr(name):  # (1 or T, *points)
        a = frame[name]
        if a.shape[1] != 1:
            raise RuntimeError(f"'{name}' varies by vehicle; the fleet scan takes one value per year")
        return a[:, 0]

    T = grid.size
    serviced = pt("on_orbit_servicing").astype(bool) if "on_orbit_servicing" in frame else False
    t_hw, t_sat = pt("space_compute_lifetime"), pt("mission_lifetime")
    life = np.where(serviced, t_sat, np.minimum(t_hw, t_sat))
    mass = yr("satellite_mass")
    production = _ramp(plan.production, grid, ramp_q, frame.dims)
    # a catalog cadence plans the chain's vehicle_flights_per_year when it is given or drawn (the
    # static launch stage's planned cadence): one cadence for evaluate and the fleet
    planned = frame["vehicle_flights_per_year"] if "vehicle_flights_per_year" in frame else None
    cad = np.stack([_ramp(v.cadence, grid, ramp_q, frame.dims, growth,
                          planned[0, i] if planned is not None and v.cadence_from_catalog else None)
                    for i, v in enumerate(plan.vehicles)], axis=1)
    own_share = pt("launch_cadence_share")
    av = np.stack([np.broadcast_to(v.available_share.value if v.available_share is not None else own_share,
                                   own_share.shape) for v in plan.vehicles], axis=0)
    sats, it = yr("satellites"), yr("it_power")
    by_year = sats.shape[0] > 1 or it.shape[0] > 1  # the satellite's size changes by year (a path)
    res = fl.fleet_kernel(grid, start[0, 0], sats if by_year else sats[0], life, pt("satellite_failure_rate"),
                          pt("launch_failure_probability"), mass, production, plan.shares(grid), cad, av,
                          frame["satellites_per_launch"], unit_power=it if by_year else None,
                          mode=plan.shares_mode, fill_order=plan.fill_order)
    if by_year:
        res["target_power"] = sats * it  # IT power wanted in service, by year
    own_price = start_price[0, 0]
    p_a = np.stack([np.broadcast_to(v.launch_price_per_kg.value if v.launch_price_per_kg is not None else own_price,
                                    own_price.shape) for v in plan.vehicles], axis=0)[None, ...]
    price, m_prev = fl.launch_prices(plan, grid, start[0, 0], cad, av, res["own_mass"], p_a,
                                     pt("launch_learning_rate"), pt("launch_price_floor_per_kg"), pt("launch_margin"),
                                     pt("vertically_integrated_launch"), learn="launch_price" not in frozen_set)
    if start_price.shape[0] > 1:  # a path of the architecture's launch price: the price of the vehicles it prices
        own = np.array([v.launch_price_per_kg is None for v in plan.vehicles]).reshape((1, -1) + (1,) * (price.ndim - 2))
        price = np.where(own, start_price, price)
    if bus_path:
        bus_cost = yr("bus_cost_per_kg")
    elif bus_basis == "calendar":
        bus_cost = pt("bus_cost_per_kg") * (1.0 - tr["bus_cost_decline_rate"][:, 0]) ** age[:, 0]
    elif bus_basis == "none":
        bus_cost = pt("bus_cost_per_kg")[None, ...]
    else:
        bus_mass = np.maximum(mass - yr("compute_mass"), 0.0)  # kg per satellite
        alongside = tr["industry_satellite_production"][:, 0] * _KG_PER_T if bus_basis == "industry" else None
        bus_cost = fl.cohort_bus_cost(res["built_per_year"], bus_mass, pt("bus_cost_per_kg"),
                                      pt("bus_reference_mass") * _KG_PER_T, pt("bus_learning_rate"), alongside)
    res["flights_available"] = np.broadcast_to(cad * av[None, ...], res["launches"].shape)
    res.update(price=price, launched_by_vehicle=m_prev, bus_cost=np.broadcast_to(bus_cost, (T,) + bus_cost.shape[1:]),
               production_capacity=np.broadcast_to(res["production_capacity"], (T,) + res["production_capacity"].shape[1:]))
    return res


def _ramp(ramp: fl.Ramp, grid: np.ndarray, ramp_q: Mapping[str, xr.DataArray], dims: Sequence[str],
          growth: np.ndarray | None = None, planned: np.ndarray | None = None) -> np.ndarray:
    """A ramp on the grid with axes (year, *points) (drawn along its quantile's dimensions). A
    ramp without a growth of its own continues after its last point at ``growth`` (a frame
    array: the chain parameter launch_cadence_growth_rate), else it is held flat there.
    ``planned`` (*points): the value of the last point instead of the ramp's (a catalog cadence
    planning the chain's vehicle_flights_per_year), the ramp linear to it from its first point."""
    q = ramp_q.get(ramp.name)
    n_points = len(dims) - 2  # the frame's dims are (year, vehicle, *points)
    if q is None:
        arr = ramp.at(grid).reshape((grid.size,) + (1,) * n_points)
    else:
        arr = _expand(xr.Variable(("year", *q.dims), ramp.at(grid, q.values)), dims)[:, 0]
    if planned is not None and ramp.years.size > 1:
        y0, y1 = ramp.years[0], ramp.years[-1]
        w = np.clip((grid - y0) / (y1 - y0), 0.0, 1.0).reshape((grid.size,) + (1,) * n_points)
        first = arr[:1]  # the first point's value (drawn or not): before y0 the ramp holds it
        arr = first + (np.asarray(planned)[None, ...] - first) * w
    elif planned is not None:
        arr = np.broadcast_to(np.asarray(planned)[None, ...], np.broadcast_shapes(arr.shape, (1,) + np.shape(planned)))
    if growth is not None and ramp.growth is None:
        after = np.maximum(grid - ramp.years[-1], 0.0).reshape((grid.size,) + (1,) * n_points)
        arr = np.where(after > 0, arr * (1.0 + growth[0, 0]) ** after, arr)
    return arr


# --------------------------------------------------------------------------------------------
# The result, built once
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=128)
def _unit_string(unit: str) -> str:
    return units.unit_string(unit)


class _Results:
    """Result arrays on the frame's axes (year, [vehicle,] points), with units and long names;
    the Dataset is built once (:meth:`dataset`)."""

    def __init__(self, frame: Frame, n_years: int, space: bool):
        self.dims = frame.dims
        self.sizes = dict(frame.sizes, year=n_years)
        self.space = space
        self.frame = Frame(frame.dims, self.sizes)
        self.attrs: dict[str, dict] = {}
        self.depends: dict[str, tuple[str, ...]] = {}
        self.lead: dict[str, tuple[tuple[str, ...], tuple[tuple, ...]]] = {}
        self.names: list[str] = []
        self.coords: dict[str, xr.Variable] = {}
        self.attrs_ds: dict[str, Any] = {}
        self.drawn: dict[str, np.ndarray] = {}  # the Monte Carlo's drawn values (1-d along sample)

    @property
    def n_points(self) -> int:
        return len(self.dims) - (2 if self.space else 1)

    def add(self, name: str, lead: Sequence[str], arr: Any, unit: str | None, long_name: str,
            extra: tuple[str, Sequence[Any]] | None = None) -> None:
        """``arr`` has axes ``lead`` (a subset of year, vehicle, in that order) then the points;
        ``extra`` = (dimension, labels) for one more axis before them all (``quantile``)."""
        arr = np.asarray(arr)
        k = 1 if extra is not None else 0
        if arr.ndim != k + len(lead) + self.n_points:
            raise RuntimeError(f"'{name}' has {arr.ndim} axes for {list(lead)} and the points")
        if "year" not in lead:
            arr = arr[(slice(None),) * k + (None,)]
        if self.space and "vehicle" not in lead:
            arr = arr[(slice(None),) * (k + 1) + (None,)]
        want = arr.shape[:k] + tuple(self.sizes[d] if d in lead else n for d, n in zip(self.dims, arr.shape[k:]))
        if want != arr.shape:
            arr = np.broadcast_to(arr, want)
        self.frame._vars[name] = arr
        # a point dimension is kept where the variable varies along it (or has length 1 anyway)
        points = [d for d, n in zip(self.dims, arr.shape[k:]) if d not in ("year", "vehicle") and (n != 1 or self.sizes[d] == 1)]
        self.depends[name] = tuple(lead) + tuple(points)
        if extra is not None:
            self.lead[name] = ((extra[0],), (tuple(extra[1]),))
        self.attrs[name] = {"units": _unit_string(unit), "long_name": long_name} if unit is not None else {"long_name": long_name}
        self.names.append(name)

    def dataset(self) -> xr.Dataset:
        used = {d for n in self.names for d in self.depends[n]}
        coords = {k: v for k, v in self.coords.items() if set(v.dims) <= used}
        clash = sorted(set(coords) & set(self.names))
        if clash:  # a swept input the trajectory also computes year by year
            raise ParameterError(clash[0], "the trajectory computes it year by year: give one value, not a sweep")
        return dataset_from_frame(self.frame, self.names, self.attrs, coords, self.attrs_ds, self.depends, self.lead)


def _result(arch: Architecture, frame: Frame, years: np.ndarray, start: np.ndarray, plan: fl.FleetPlan | None,
            res: Mapping[str, np.ndarray] | None, ix: np.ndarray, grid: np.ndarray, coords: dict[str, xr.Variable],
            frozen_set: frozenset[str], inactive: list[str]) -> xr.Dataset:
    space = plan is not None
    out = _Results(frame, years.size, space)
    add = out.add
    Y, YV = ["year"], ["year", "vehicle"]
    yv = lambda name: frame[name]  # noqa: E731  (year, vehicle, points) on the requested years
    y_ = (lambda name: frame[name][:, 0]) if space else (lambda name: frame[name])  # noqa: E731
    p_ = (lambda name: frame[name][0, 0]) if space else (lambda name: frame[name][0])  # noqa: E731
    start_pts = start[0]
    coords = dict(coords)
    coords["year"] = xr.Variable(("year",), years)

    if space:
        vnames = plan.vehicle_names
        coords["vehicle"] = xr.Variable(("vehicle",), np.asarray(vnames))
        full = lambda a: np.broadcast_to(a, (grid.size,) + np.shape(a)[1:])[ix]  # noqa: E731
        sizes_by_year = "power_in_service" in res  # cohorts of different sizes: counted in IT power
        if sizes_by_year:
            online = res["power_in_service"]
        else:
            online = res["in_service"] * p_("it_power")
        add("it_power_online", Y, online[ix], "kW", "IT power in service at the end of the year")
        if frame["target_it_power"].shape[0] > 1:
            add("it_power_target", Y, y_("target_it_power"), "kW", "target IT power of the programme")
        else:
            add("it_power_target", [], p_("target_it_power"), "kW", "target IT power of the programme")
        if frame["satellites"].shape[0] > 1:
            add("satellites_target", Y, y_("satellites"), "1", "satellites of the year's size wanted in service")
        else:
            add("satellites_target", [], p_("satellites"), "1", "satellites wanted in service")
        add("satellites_built", Y, res["built"][ix], "1", "satellites built since the programme started (cumulative, incl. payloads lost at launch)")
        add("satellites_built_per_year", Y, res["built_per_year"][ix], "1/yr", "satellites built in the year")
        add("satellites_in_service", Y, res["in_service"][ix], "1", "satellites in service at the end of the year")
        add("satellites_retired", Y, res["retired"][ix], "1", "satellites retired at end of life (cumulative)")
        add("satellites_failed", Y, res["failed"][ix], "1", "satellites failed in orbit or lost at launch (cumulative)")
        add("launches_per_year", Y, res["launches"].sum(axis=1)[ix], "1/yr", "launches flown for the programme in the year")
        add("launches_per_year_by_vehicle", YV, res["launches"][ix], "1/yr", "launches flown for the programme in the year, by vehicle")
        add("flights_available_by_vehicle", YV, full(res["flights_available"]), "1/yr",
            "the vehicle's flights in the year (all customers) the programme may use")
        add("satellites_launched_by_vehicle", YV, res["satellites_by_vehicle"][ix], "1/yr",
            "satellites launched for the programme in the year, by vehicle (incl. payloads lost at launch)")
        add("launched_mass_per_year", Y, res["launched_mass_per_year"][ix], "t/yr", "satellite mass launched in the year")
        add("launched_mass", Y, res["launched_mass"][ix], "t", "satellite mass launched since the programme started (cumulative)")
        add("mass_in_service", Y, res["mass_in_service"][ix], "t", "satellite mass in service at the end of the year")
        add("mass_retired", Y, res["mass_retired"][ix], "t", "satellite mass retired (cumulative)")
        add("mass_failed", Y, res["mass_failed"][ix], "t", "satellite mass failed in orbit or lost at launch (cumulative)")
        add("production_capacity", Y, res["production_capacity"][ix], "1/yr", "satellites the factory can deliver to orbit in the year")
        add("launch_capacity", Y, full(res["launch_capacity"]), "1/yr", "satellites the vehicles' available flights can put in orbit in the year")
        add("launch_price_per_kg", YV, full(res["price"]), "USD/kg", "launch price paid per kg of capacity by the cohort of the year")
        add("cumulative_launched_mass_by_vehicle", YV, full(res["launched_by_vehicle"]), "t",
            "mass flown by the vehicle (all customers) before the year: its learning basis")
        add("satellites_per_launch", YV, yv("satellites_per_launch"), "1", "satellites of the cohort per launch, by vehicle")
        add("satellite_mass", Y, y_("satellite_mass"), "kg", "mass of one satellite of the cohort")
        add("array_specific_power", Y, y_("array_specific_power") if "array_specific_power" in frame
            else np.full((1,) * (len(frame.dims) - 1), np.nan), "W/kg", "solar-array specific power of the cohort")
        labels = np.array(["before_start", "none", "production"] + [f"launch:{v}" for v in vnames] + ["launch:all"])
        add("binding_limit", Y, labels[res["binding"][ix]], None,
            "what limited the satellites launched in the year: none (the target was met), production, "
            "launch:<vehicle> (its cadence), launch:all (shares fill: every vehicle full), before_start")
        if sizes_by_year:  # on the grid up to the last year asked: the target of each year
            want = np.broadcast_to(res["target_power"], online.shape)
            reached = (online >= want * (1.0 - 1e-9)) & (online > 0)
        else:
            reached = (res["in_service"] >= p_("satellites") * (1.0 - 1e-9)) & (res["in_service"] > 0)
        reached = reached[: ix[-1] + 1]
        any_reached = reached.any(axis=0)
        add("target_reached_year", [], np.where(any_reached, grid[reached.argmax(axis=0)].astype(float), np.nan), "1",
            "first year the target IT power is in service (NaN: not by the last year)")
        add("target_reached_within_horizon", [], any_reached, None, "the target IT power is in service within the years computed")

    # ---- cohort costs, mixed over the vehicles by their shares ------------------------------
    cost_v, terr_v = frame["cost_per_kw_year"], frame["terrestrial_cost_per_kw_year"]
    n_points = len(frame.dims) - (2 if space else 1)
    if space:
        share = plan.shares(years).reshape((years.size, len(vnames)) + (1,) * n_points)
        if plan.shares_mode == "fill":  # the cohort flies as the vehicles' spare flights let it
            per_v = res["satellites_by_vehicle"][ix]
            total = per_v.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(total > 0, per_v / np.where(total > 0, total, 1.0), share)
        on = share > 0
        cost_v = np.broadcast_to(cost_v, np.broadcast_shapes(cost_v.shape, share.shape))
        terr_v = np.broadcast_to(terr_v, np.broadcast_shapes(terr_v.shape, share.shape))
        cost = np.where(on, share * cost_v, 0.0).sum(axis=1)
        terr = np.where(on, share * terr_v, 0.0).sum(axis=1)
        cost = np.where((on & np.isnan(cost_v)).any(axis=1), np.nan, cost)
    else:
        shape = np.broadcast_shapes(cost_v.shape, terr_v.shape, (years.size,) + (1,) * n_points)
        cost, terr = np.broadcast_to(cost_v, shape), np.broadcast_to(terr_v, shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = cost / terr
    cheaper = np.nan_to_num(ratio, nan=np.inf) <= 1.0
    # a cohort before the programme's start is not built: it cannot cross over
    cheaper = cheaper & (years.reshape((-1,) + (1,) * n_points) >= start_pts[None, ...])
    if not space:  # the ground is its own baseline: there is no space cohort to cross over
        cheaper = np.zeros_like(cheaper)
    within = cheaper.any(axis=0)
    crossover = np.where(within, years[cheaper.argmax(axis=0)].astype(float), np.nan)
    add("cost_per_kw_year", Y, cost, "USD/(kW yr)", "levelised cost of the capacity built in the year, per kW of IT delivered")
    add("terrestrial_cost_per_kw_year", Y, terr, "USD/(kW yr)", "levelised cost of the same compute built on the ground in the year")
    add("cost_ratio_vs_terrestrial", Y, ratio, "1", "cohort cost relative to the same compute on the ground")
    add("crossover_year", [], crossover, "1",
        "first year from the programme's start the space cohort costs at most the ground cohort (NaN: not within the horizon)")
    add("crossover_within_horizon", [], within, None, "the space cohort becomes cheaper than the ground within the years shown")
    for name, unit, long_name in (("electricity_price", "USD/(kW h)", "electricity price paid by the ground cohort"),
                                  ("grid_connection_delay", "yr", "grid-connection wait of the ground cohort"),
                                  ("facility_capex", "USD/kW", "facility capital per kW of IT of the ground cohort (with the capacity premium)")):
        # the wait the ground cohort has: the trend's grid_connection_delay, or a grid_region's table
        source = "grid_connection_wait" if name == "grid_connection_delay" and "grid_connection_wait" in frame else name
        add(name, Y, y_(source), unit, long_name)
    add("accelerator_price_factor", Y, y_("_accelerator_price_factor"), "1",
        "accelerator price relative to today's (the trend; both sides)")
    attrs: dict[str, Any] = {}
    if space:
        add("cost_per_kw_year_by_vehicle", YV, yv("cost_per_kw_year"), "USD/(kW yr)",
            "levelised cost of the capacity built in the year on each vehicle (the chain at start_year = year)")
        add("bus_cost_per_kg", Y, y_("bus_cost_per_kg"), "USD/kg", "satellite bus cost per kg paid by the cohort of the year")
        names = [k for k in frame if k.startswith("violates_") and k not in _NOT_DESIGN]
        first = np.full((1,) * len(frame.dims), len(names), dtype=np.int64)
        for i in reversed(range(len(names))):
            first = np.where(frame[names[i]] & on, i, first)
        first = first.min(axis=1)  # over the vehicles the cohort flies on
        words = np.array([k.removeprefix("violates_") for k in names] + ["none"])
        add("design_feasible", Y, first == len(names), None,
            "the cohort's satellite closes on every vehicle it flies on (the chain's constraints but the deployment time)")
        add("binding_constraint", Y, words[first], None,
            "first constraint the cohort's satellite violates, in chain order (none: it closes; deployment time not judged)")
        attrs["fleet"] = plan.file
        attrs["fleet_shares"] = plan.shares_mode if plan.shares_mode == "fixed" else \
            f"fill (order: {', '.join(vnames[i] for i in (plan.fill_order or range(len(vnames))))})"
    attrs.update({
        "architecture": arch.name,
        "architecture_kind": arch.kind,
        "frozen_trends": ", ".join(t for t in TRENDS if t in frozen_set) or "none",
        "trends_inactive": "; ".join(inactive) or "none",
        "trend_reference_year": int(grid[0]),
        "accelerator_price_trend": "frozen" if "accelerator_price" in frozen_set else "chain parameter accelerator_price",
        "sources": ", ".join(sorted(set(arch.references) | _trend_sources() | (plan.sources if space else set()))),
    })
    out.coords, out.attrs_ds = coords, attrs
    return out


# --------------------------------------------------------------------------------------------
# Deprecated: the accelerator post-scaling (the chain has accelerator_price now)
# --------------------------------------------------------------------------------------------
def _crf(rate, years):
    """Capital recovery factor (:func:`orbitdc._finance.capital_recovery_factor`)."""
    return _finance.capital_recovery_factor(rate, years)


def hardware_cost_terms(ds: xr.Dataset, cross: bool = True) -> tuple[xr.DataArray, xr.DataArray]:
    """Deprecated (the trajectory passes the accelerator price to the chain's ``accelerator_price``;
    to be removed in the next release). (space, ground) annual cost per kW of IT delivered that is
    proportional to the accelerator price, from a chain result: a hardware price factor f changes
    ``cost_per_kw_year`` and ``terrestrial_cost_per_kw_year`` by ``(f - 1)`` times these.

    The price scales both sides at once (the year's accelerators are bought on both): the space
    term includes the cross effect of the ground's hardware on the margin forgone while the compute
    waits for power. ``cross=False`` leaves it out (the space hardware alone scaled).
    """
    warnings.warn("orbitdc.trajectory.hardware_cost_terms is deprecated: the chain's accelerator_price parameter "
                  "carries the accelerator price (evaluate(..., accelerator_price=...))", DeprecationWarning, stacklevel=2)
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
    wait = ds["grid_connection_wait"] if "grid_connection_wait" in ds else ds["grid_connection_delay"]
    wait_crf = wait * _crf(ds["terrestrial_wacc"], ds["facility_lifetime"])
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
    t_wait = ds["space_commissioning_time"]
    if "space_time_to_power" in ds:
        t_wait = t_wait + xr.where(ds["space_time_to_power"] == "deployment", 0.5 * ds["deployment_years"], 0.0)
    lost = xr.where(margin_on, t_wait * c_sat, 0.0) * ground if cross else 0.0
    return h_s * per_unit / (it_total * ds["availability"]) - lost, ground_all


# --------------------------------------------------------------------------------------------
# Monte Carlo over the trend rates
# --------------------------------------------------------------------------------------------
def _check_samples(arch, samples: Any) -> int:
    try:
        return check_samples(samples)  # the one rule (orbitdc.arguments), the error naming the trajectory
    except ParameterError as exc:
        raise _bad(arch, "samples", exc.reason) from None


@functools.lru_cache(maxsize=256)
def _marginal(name, kind, value, low, high, unit, minimum, maximum, exclusive_minimum, exclusive_maximum):
    """A :class:`orbitdc.uncertainty.Marginal`, built once per distribution (scipy's frozen
    distributions cost ~0.5 ms each to make)."""
    from .uncertainty import Marginal

    return Marginal(name=name, kind=kind, value=value, low=low, high=high, unit=unit, minimum=minimum, maximum=maximum,
                    exclusive_minimum=exclusive_minimum, exclusive_maximum=exclusive_maximum)


def _monte_carlo(arch: Architecture, years, frozen, fleet, samples, seed, overrides, levels: bool = True,
                 design: str = "optimal", correlation: Any = "data", draw_catalog: bool = True,
                 chunks: int | None = None, learning: Mapping[str, str] | None = None, ground_price: bool = False) -> xr.Dataset:
    """The trajectory Monte Carlo: trend rates (triangular on their ranges) and ramps (one
    quantile per ramp) from their own named streams; with ``levels``, the architecture's
    uncertain parameters from :func:`orbitdc.uncertainty.level_draws` - the stream, correlations
    and design choice of :func:`orbitdc.monte_carlo` for the same seed. Every value of a sample
    depends only on (seed, name, sample): ``chunks`` cannot change a number."""
    from .uncertainty import latin_hypercube, level_draws, level_plan

    n = _check_samples(arch, samples)
    try:
        seed = check_seed(seed)
    except ParameterError as exc:
        raise _bad(arch, "seed", exc.reason) from None
    if chunks is not None:
        try:
            chunks = min(check_count(chunks, "chunks"), n)
        except ParameterError as exc:
            raise _bad(arch, "chunks", exc.reason) from None
    specs = parameter_specs()
    trend_margs = []
    for name, p in trend_parameters().items():
        p = getattr(arch, "trends", {}).get(name, p)  # a scenario's stated trend, drawn on its own range
        if name in overrides or p.dist == "fixed" or not p.canonical_low < p.canonical_high:
            continue
        spec = TREND_PARAMETERS[name]
        trend_margs.append(_marginal(name, p.dist, float(p.canonical_value), float(p.canonical_low), float(p.canonical_high),
                                     spec.unit, spec.minimum, spec.maximum, spec.exclusive_minimum, spec.exclusive_maximum))
    if not levels:  # the learning rates are trend rates too (drawn with the levels otherwise)
        for name in CHAIN_RATES:
            p = arch.parameters.get(name)
            if p is None or name in overrides or p.dist == "fixed" or not p.canonical_low < p.canonical_high:
                continue
            spec = specs[name]
            trend_margs.append(_marginal(name, p.dist, float(p.canonical_value), float(p.canonical_low),
                                         float(p.canonical_high), spec.unit, spec.minimum, spec.maximum,
                                         spec.exclusive_minimum, spec.exclusive_maximum))
    ramp_names: list[str] = []
    plan = None
    if arch.kind == "space":
        own = overrides.get("launch_vehicle")
        plan = fl.load_fleet(arch, fleet if fleet is not None else getattr(arch, "fleet", None),
                             launch_vehicle=str(own) if own is not None else None)
        ramp_names = [r.name for r in plan.ramps if np.any(r.low < r.high)]
    names = [m.name for m in trend_margs] + [f"ramp:{r}" for r in ramp_names]
    chain_over = {k: v for k, v in overrides.items() if k not in TREND_PARAMETERS}
    levels_plan = None
    if levels:
        if design == "optimal":
            bad = [k for k, v in chain_over.items() if not _paths.is_path(v) and np.ndim(getattr(v, "value", v)) > 0]
            if bad:
                raise _bad(arch, bad[0], "design='optimal' (the default) takes one value per override; pass "
                                         "design='nominal' (or levels=False) to cross a list with the samples")
        try:
            levels_plan = level_plan(arch, n, seed, chain_over, exclude=_held_by_trajectory(arch, plan, overrides),
                                     design=design, correlation=correlation, draw_catalog=draw_catalog)
        except ParameterError as exc:
            raise _bad(arch, exc.parameter, exc.reason) from None
    n_years = int(np.asarray(years)[-1]) - int(trend_parameters()["trend_reference_year"].canonical_value) + 1
    bounds = list(range(0, n, chunks or n)) + [n]
    parts: list[_Results] = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        sample = np.arange(start, stop)
        u01 = latin_hypercube(names, n, seed=seed, start=start, stop=stop)
        drawn = {m.name: xr.DataArray(m.ppf(u01[:, j]), dims="sample", coords={"sample": sample})
                 for j, m in enumerate(trend_margs)}
        ramp_q = {r: xr.DataArray(u01[:, len(trend_margs) + j], dims="sample", coords={"sample": sample})
                  for j, r in enumerate(ramp_names)}
        if levels_plan is not None:
            for k, v in level_draws(levels_plan, start, stop).items():
                drawn[k] = xr.DataArray(v, dims="sample", coords={"sample": sample})
        method = _eclipse_method(drawn, n, n_years)
        parts.append(_run(arch, years, frozen, fleet, overrides, ramp_q=ramp_q, drawn=drawn, build=False,
                          eclipse_method=method, learning=learning, ground_price=ground_price))
    out = parts[0] if len(parts) == 1 else _concat_samples(parts)
    level_names = [m.name for m in levels_plan.margs] if levels_plan is not None else []
    chosen = list(levels_plan.design_table.data_vars) if levels_plan is not None and levels_plan.design_table is not None else []
    out.attrs_ds.update(samples=n, seed=int(seed), drawn=", ".join(names + level_names),
                        levels_drawn=", ".join(level_names) or "none",
                        levels_correlated=", ".join(levels_plan.correlation[0]) if levels_plan is not None
                        and levels_plan.correlation else "none",
                        design=levels_plan.design if levels_plan is not None else "nominal (levels not drawn)",
                        design_variables=", ".join(chosen) or "none",
                        monte_carlo_method=("trend rates, ramps and (levels) the architecture's uncertain parameters by "
                                            "Latin hypercube, each from its own stream (seed, name, block) as "
                                            "orbitdc.monte_carlo draws them"))
    lead = (0,) * (2 if out.space else 1)
    for name in [m.name for m in trend_margs] + level_names:
        values = xr.Variable(("sample",), _drawn_values(parts, name))
        out.add(f"drawn_{name}", [], _expand(values, out.dims)[lead], None, f"drawn {name}")
        out.attrs[f"drawn_{name}"] = {**out.attrs[f"drawn_{name}"], **_drawn_unit(name, specs)}
    _summarize(out)
    return out.dataset()


def _held_by_trajectory(arch: Architecture, plan: "fl.FleetPlan | None", overrides: Mapping[str, Any]) -> set[str]:
    """Uncertain parameters the year-by-year model holds instead of drawing: the programme's start
    (one value per run), the architecture file's paths (their years are the input), and, with a
    fleet of several vehicles, the launch vehicle's catalog values (each vehicle keeps its own)."""
    specs = parameter_specs()
    held = {"start_year"} | set(year_paths_of(arch))
    if plan is not None and len(plan.vehicles) > 1:
        held |= {k for k in arch.parameters if specs[k].catalog is not None and specs[k].catalog[2] == "launch_vehicle"}
    return held


def _eclipse_method(drawn: Mapping[str, xr.DataArray], samples: int, years: int) -> str:
    """Exact eclipses unless the orbit varies over more orbits than the exact limit (decided once
    for the whole run from the sample count, as orbitdc.monte_carlo does: chunks agree)."""
    from .orbit import EXACT_ORBITS_MAX
    from .uncertainty import ORBIT_PARAMETERS

    varies = any(k in drawn for k in ORBIT_PARAMETERS if k != "start_year")
    return "grid" if varies and samples * years > EXACT_ORBITS_MAX else "exact"


def _drawn_values(parts: Sequence[_Results], name: str) -> np.ndarray:
    """A drawn parameter's values over every chunk (1-d along ``sample``)."""
    return np.concatenate([np.asarray(p.drawn[name]) for p in parts])


def _concat_samples(parts: Sequence[_Results]) -> _Results:
    """The results of consecutive sample chunks as one (each variable joined along ``sample``
    where it varies along it; the others are the same in every chunk)."""
    first = parts[0]
    ax = list(first.dims).index("sample")
    out = _Results(Frame(first.dims, first.sizes), first.sizes["year"], first.space)
    out.sizes["sample"] = sum(p.sizes["sample"] for p in parts)
    out.frame.sizes["sample"] = out.sizes["sample"]
    out.coords = dict(first.coords)
    out.coords["sample"] = xr.Variable(("sample",), np.arange(out.sizes["sample"]))
    out.attrs_ds = dict(first.attrs_ds)
    out.drawn = {k: np.concatenate([np.asarray(p.drawn[k]) for p in parts]) for k in first.drawn}
    for name in first.names:
        arrs = [p.frame[name] for p in parts]
        k = len(first.lead.get(name, ((), ()))[0])
        axis = k + ax
        if all(a.shape[axis] == 1 for a in arrs) and all(np.array_equal(a, arrs[0]) for a in arrs[1:]) \
                and "sample" not in first.depends[name]:
            joined = arrs[0]
        else:
            joined = np.concatenate([np.broadcast_to(a, a.shape[:axis] + (p.sizes["sample"],) + a.shape[axis + 1:])
                                     for a, p in zip(arrs, parts)], axis=axis)
        out.frame._vars[name] = joined
        points = [d for d, n in zip(out.dims, joined.shape[k:]) if d not in ("year", "vehicle") and (n != 1 or out.sizes[d] == 1)]
        lead_dims = [d for d in first.depends[name] if d in ("year", "vehicle")]
        out.depends[name] = tuple(lead_dims) + tuple(points)
        out.attrs[name] = first.attrs[name]
        if name in first.lead:
            out.lead[name] = first.lead[name]
        out.names.append(name)
    return out


def _drawn_unit(name: str, specs) -> dict[str, str]:
    spec = TREND_PARAMETERS.get(name) or specs.get(name)
    return {"units": _unit_string(spec.unit)} if spec is not None and spec.kind == "number" else {}


def _summarize(out: _Results) -> None:
    """Per-year quantiles of the cost ratio and the probability that space is cheaper, the
    crossover year's quantiles and the share crossing within the horizon: over the ``sample``
    axis of the results, before the Dataset is built."""
    q = np.asarray(QUANTILES)
    ax = list(out.dims).index("sample")
    ratio = out.frame["cost_ratio_vs_terrestrial"]
    lead = ["year", "vehicle"] if out.space else ["year"]
    y_only = ratio[:, 0] if out.space else ratio  # (year, *points)
    axis = ax - (1 if out.space else 0)  # the sample axis of y_only
    with np.errstate(invalid="ignore"):
        qs = np.nanquantile(y_only, q, axis=axis, keepdims=True)
    out.add("cost_ratio_vs_terrestrial_quantile", ["year"], qs, "1", "10/50/90 % of the cohort cost ratio over the samples",
            extra=("quantile", q))
    cheaper = ((y_only <= 1.0) & ~np.isnan(y_only)).mean(axis=axis, keepdims=True)
    if not out.space:
        cheaper = cheaper * np.nan  # no space cohort
    out.add("probability_space_cheaper", ["year"], cheaper, "1",
            "share of samples in which the space cohort costs at most the ground cohort")
    first = (0,) * len(lead)
    cross = np.where(np.isnan(out.frame["crossover_year"][first]), np.inf, out.frame["crossover_year"][first])
    cq = np.quantile(cross, q, axis=ax - len(lead), method="inverted_cdf", keepdims=True)
    out.add("crossover_year_quantile", [], np.where(np.isfinite(cq), cq, np.nan), "1",
            "10/50/90 % of the crossover year (NaN: that quantile does not cross within the years shown)",
            extra=("quantile", q))
    within = out.frame["crossover_within_horizon"][first].mean(axis=ax - len(lead), keepdims=True)
    out.add("probability_crossover_within_horizon", [], within, "1",
            "share of samples whose space cohort becomes cheaper within the years shown")


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
