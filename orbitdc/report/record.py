"""The record: the numbers the report, the app and the CLI say about each architecture, computed once.

:func:`answer` gathers, per architecture, what the first screen, the executive summary and the
verdicts are made of -- the nominal point (``compare``), the Monte Carlo shares and quantiles, what
binds, the tornado's top driver and the year-by-year crossover -- into one Dataset with dimension
``architecture`` (:data:`ANSWER_VARIABLES`, :data:`TRAJECTORY_ANSWER_VARIABLES`). The words are
:mod:`orbitdc.report.wording`'s; this module only counts and takes quantiles.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import xarray as xr

from .. import formatting, units
from ..stages import parameter_specs
from ..errors import OrbitdcError
from ..catalogs import catalog_value
from .settings import threshold



def values_in(da: xr.DataArray, unit: str) -> xr.DataArray:
    """``da`` converted from its ``attrs['units']`` to ``unit`` (plain floats)."""
    src = da.attrs.get("units", "1")
    return units.convert(da.astype(float), src, unit, da.name or "value")


def value_of(sel: xr.Dataset, name: str, unit: str | None = None) -> float:
    """The value of ``name`` in ``sel`` (one architecture) in ``unit``: the median over any
    remaining dimension; NaN where the variable is absent or not numeric."""
    if name not in sel:
        return float("nan")
    da = sel[name]
    if unit is not None and da.attrs.get("units") is not None:
        da = values_in(da, unit)
    try:
        v = np.asarray(da.values, dtype=float)
    except (TypeError, ValueError):
        return float("nan")
    return float(np.nanmedian(v)) if np.isfinite(v).any() else float("nan")


def lifetime_dose(sel: xr.Dataset) -> tuple[float, float]:
    """(dose over the mission life, hardware tolerance) in rad_Si; NaN where not computed.

    The dose is the compute stage's ``lifetime_dose`` (else ``radiation_dose`` x
    ``mission_lifetime``); the tolerance is ``radiation_tolerance`` if a stage gives it, else the
    accelerator catalog's ``tid_limit`` for the architecture's accelerator."""
    dose = value_of(sel, "lifetime_dose", "rad_Si")
    if not np.isfinite(dose):
        dose = value_of(sel, "radiation_dose", "rad_Si/yr") * value_of(sel, "mission_lifetime", "yr")
    tol = value_of(sel, "radiation_tolerance", "rad_Si")
    if not np.isfinite(tol) and "accelerator" in sel:
        try:
            tol = float(catalog_value("accelerators", "tid_limit", str(sel["accelerator"].values), "rad_Si"))
        except (OrbitdcError, KeyError, ValueError):
            tol = float("nan")
    return dose, tol


# --------------------------------------------------------------------------------------------
# The answer: one row per architecture
# --------------------------------------------------------------------------------------------


#: Variables of the answer Dataset (dimension ``architecture``), see :func:`answer`.
ANSWER_VARIABLES = {
    "kind": "space or terrestrial",
    "samples": "Monte Carlo samples (0: no Monte Carlo)",
    "p_feasible": "share of samples whose design closes (no violated constraint)",
    "p_cheaper": "share of all samples that are feasible and cost less than the ground (ratio below parity)",
    "ratio_nominal": "cost ratio to the ground of the stated design (every parameter at its stated value)",
    "ratio_median": "median cost ratio over all samples, a sample whose design does not close counting as never "
                    "cheaper (infinite: more than half do not close)",
    "ratio_low": "lower end of the cost-ratio interval (interval_probability), over all samples the same way",
    "ratio_high": "upper end of the cost-ratio interval (infinite when more than its tail does not close)",
    "feasible_nominal": "the nominal design closes",
    "binding_nominal": "the nominal design's binding constraint ('none' when it closes)",
    "binding_common": "the most frequent binding constraint over the samples ('none' if all close)",
    "binding_share": "share of the samples bound by binding_common",
    "bound_launches": "median launches over the samples bound by binding_common",
    "bound_deployment_years": "median deployment years over those samples",
    "bound_mission_lifetime": "median design life over those samples [yr]",
    "bound_lifetime_dose": "median dose over the life over those samples [rad_Si]",
    "launch_vehicle": "launch vehicle catalog entry",
    "launches": "launches of the initial deployment",
    "deployment_years": "years to fly the initial deployment",
    "mission_lifetime": "design life of a satellite [yr]",
    "lifetime_dose": "dose over the life behind the shielding [rad_Si]",
    "dose_tolerance": "the hardware's total-dose tolerance [rad_Si]",
    "start_year": "year the stated design starts service (the static model's year)",
    "launch_price_per_kg": "launch price as applied [USD/kg]",
    "breakeven_launch_price": "launch price at which the cost matches the ground [USD/kg]",
    "breakeven_unreachable": "no launch price, even free, matches the ground",
    "cost_per_kw_year": "levelised cost [USD/(kW yr)]",
    "driver": "parameter at the top of the tornado ('' when none)",
    "driver_label": "its long name",
    "driver_unit": "its canonical unit",
    "driver_value": "its stated value",
    "driver_best": "the end of its range with the lower cost ratio",
    "driver_best_ratio": "the cost ratio with the driver at driver_best (others nominal)",
    "driver2": "the second parameter of the tornado ('' when none)",
    "driver2_label": "its long name",
    "driver2_unit": "its canonical unit",
    "driver2_value": "its stated value",
    "driver2_best": "the end of its range with the lower cost ratio",
    "driver2_best_ratio": "the cost ratio with the second driver at driver2_best (others nominal)",
}

#: The statistic of every cost ratio the report, the app and the CLI quote from a Monte Carlo.
RATIO_STATISTIC = ("the median over all Monte Carlo samples, a sample whose design does not close counting as "
                   "never cheaper; the interval the same way")


def ratio_quantiles(ratio: np.ndarray, feasible: np.ndarray, quantiles) -> np.ndarray:
    """Quantiles of the cost ratio over all samples, a sample whose design does not close (or whose
    cost is not finite) counting as infinitely expensive, i.e. never cheaper (:data:`RATIO_STATISTIC`).

    Empirical quantiles without interpolation (``inverted_cdf``): each is a sample's value, and the
    median is below parity exactly when more than half of the samples are cheaper than the ground
    (``p_cheaper`` > 0.5), so the median and the share never contradict each other."""
    ratio = np.asarray(ratio, dtype=float)
    counted = np.where(np.asarray(feasible, dtype=bool) & np.isfinite(ratio), ratio, np.inf)
    if not counted.size:
        return np.full(len(quantiles), np.nan)
    return np.quantile(counted, quantiles, method="inverted_cdf")


def _most_common(values: np.ndarray) -> tuple[str, int]:
    names, counts = np.unique(values.astype(str), return_counts=True)
    if not names.size:
        return "none", 0
    i = int(np.argmax(counts))
    return str(names[i]), int(counts[i])


def answer(study: Any) -> xr.Dataset:
    """The numbers behind the first screen, one row per architecture (see :data:`ANSWER_VARIABLES`).

    Probabilities come from the study's Monte Carlo; an infeasible sample counts as not cheaper
    (its costs are undefined, so it is counted, not dropped). Ratio quantiles are over all samples
    the same way (:func:`ratio_quantiles`, :data:`RATIO_STATISTIC`). The drivers are the top two
    of the tornado of the cost ratio."""
    parity = threshold("cost_ratio_parity")
    prob = threshold("interval_probability")
    cmp = study.compare()
    mc = study.monte_carlo() if study.space else {}
    tor = study.sensitivity() if study.space else {}
    mc = mc if isinstance(mc, Mapping) else {}
    tor = tor if isinstance(tor, Mapping) else {}
    specs = parameter_specs()
    rows = []
    for a in study.archs:
        sel = cmp.sel(architecture=a.name)
        row: dict[str, Any] = {"kind": a.kind}
        row["ratio_nominal"] = value_of(sel, "cost_ratio_vs_terrestrial")
        row["feasible_nominal"] = bool(np.all(np.asarray(sel["feasible"].values))) if "feasible" in sel else True
        row["binding_nominal"] = (_most_common(np.asarray(sel["binding_constraint"].values).ravel())[0]
                                  if "binding_constraint" in sel else "none")
        for v, unit in (("launches", None), ("deployment_years", "yr"), ("mission_lifetime", "yr"), ("start_year", None),
                        ("launch_price_per_kg", "USD/kg"), ("breakeven_launch_price", "USD/kg"),
                        ("cost_per_kw_year", "USD/(kW yr)")):
            row[v] = value_of(sel, v, unit)
        row["launch_vehicle"] = str(sel["launch_vehicle"].values) if "launch_vehicle" in sel else ""
        row["breakeven_unreachable"] = (bool(np.all(np.asarray(sel["breakeven_unreachable"].values)))
                                        if "breakeven_unreachable" in sel else False)
        row["lifetime_dose"], row["dose_tolerance"] = lifetime_dose(sel)
        d = mc.get(a.name)
        row.update(samples=0, p_feasible=np.nan, p_cheaper=np.nan, ratio_median=np.nan, ratio_low=np.nan,
                   ratio_high=np.nan, binding_common="none", binding_share=0.0, bound_launches=np.nan,
                   bound_deployment_years=np.nan, bound_mission_lifetime=np.nan, bound_lifetime_dose=np.nan)
        if isinstance(d, xr.Dataset) and "sample" in d.sizes:
            n = int(d.sizes["sample"])
            ok = (np.broadcast_to(np.asarray(d["feasible"].values, dtype=bool), (n,)) if "feasible" in d
                  else np.ones(n, dtype=bool))
            ratio = (np.broadcast_to(np.asarray(d["cost_ratio_vs_terrestrial"].values, dtype=float), (n,))
                     if "cost_ratio_vs_terrestrial" in d else np.full(n, np.nan))
            good = ok & np.isfinite(ratio)
            row.update(samples=n, p_feasible=float(ok.mean()), p_cheaper=float((good & (ratio < parity)).mean()))
            tail = (1 - prob) / 2
            row["ratio_low"], row["ratio_median"], row["ratio_high"] = (
                float(x) for x in ratio_quantiles(ratio, ok, [tail, 0.5, 1 - tail]))
            if "binding_constraint" in d and (~ok).any():
                bind = np.broadcast_to(np.asarray(d["binding_constraint"].values).astype(str), (n,))
                name, count = _most_common(bind[~ok])
                row["binding_common"], row["binding_share"] = name, count / n
                bound = ~ok & (bind == name)
                for v, unit in (("launches", None), ("deployment_years", "yr"), ("mission_lifetime", "yr"),
                                ("lifetime_dose", "rad_Si")):
                    row[f"bound_{v}"] = _median_where(d, v, unit, bound, n)
        t = tor.get(a.name)
        for rank, prefix in enumerate(("driver", "driver2")):
            row.update(_lever(t, rank, prefix, specs))
        rows.append(row)
    data = {k: ("architecture", [r[k] for r in rows]) for k in ANSWER_VARIABLES}
    out = xr.Dataset(data, coords={"architecture": study.names},
                     attrs={"cost_ratio_parity": parity, "interval_probability": prob, "ratio_statistic": RATIO_STATISTIC})
    tr = study.trajectory() if study.space and hasattr(study, "trajectory") else None
    if isinstance(tr, xr.Dataset):
        years = [int(y) for y in study.settings["figures"]["trajectory"]["milestone_years"]]
        # the ground has no trajectory of its own: NaN, and no samples
        nominal = study.trajectory(samples=False)
        nominal = nominal if isinstance(nominal, xr.Dataset) and "architecture" in nominal.dims else None
        out = out.merge(trajectory_answer(tr, years, nominal).reindex(architecture=study.names,
                                                             fill_value={"trajectory_samples": 0}))
        out.attrs.update(cost_ratio_parity=parity, interval_probability=prob, ratio_statistic=RATIO_STATISTIC,
                         horizon_last_year=int(tr["year"].values[-1]))
    return out


def year_quantiles(ratio: xr.DataArray, quantiles) -> xr.DataArray:
    """Quantiles over ``sample`` of a year-by-year cost ratio, a sample without a finite cost
    counting as never cheaper (the statistic of :func:`ratio_quantiles`); dimension ``quantile``
    first. Without a ``sample`` dimension, the values themselves for every quantile."""
    q = np.asarray(quantiles, dtype=float)
    if "sample" not in ratio.dims:
        return xr.concat([ratio.astype(float)] * q.size, dim=xr.DataArray(q, dims="quantile", name="quantile"))
    counted = ratio.astype(float).where(np.isfinite(ratio), np.inf)
    vals = np.moveaxis(counted.transpose("sample", ...).values, 0, -1)
    qs = np.quantile(vals, q, axis=-1, method="inverted_cdf")
    other = [d for d in counted.dims if d != "sample"]
    return xr.DataArray(qs, dims=("quantile", *other),
                        coords={"quantile": q, **{d: ratio.coords[d] for d in other if d in ratio.coords}})


def median_year(year: xr.DataArray) -> xr.DataArray:
    """The median over ``sample`` of a year that may not happen (NaN: not within the years
    computed), such a sample counting as later than any year: NaN when more than half do not."""
    if "sample" not in year.dims:
        return year.astype(float)
    m = year_quantiles(year, [0.5]).sel(quantile=0.5, drop=True)
    return m.where(np.isfinite(m))


def _lever(t: Any, rank: int, prefix: str, specs: Mapping[str, Any]) -> dict[str, Any]:
    """The tornado's parameter of rank ``rank`` (0: the widest swing) as ``<prefix>*`` fields: its
    name, long name, unit, stated value, the end of its range with the lower cost ratio and that
    ratio (empty when the tornado has no such parameter)."""
    out = {prefix: "", f"{prefix}_label": "", f"{prefix}_unit": "", f"{prefix}_value": np.nan,
           f"{prefix}_best": np.nan, f"{prefix}_best_ratio": np.nan}
    if not isinstance(t, xr.Dataset) or t.sizes.get("parameter", 0) <= rank:
        return out
    top = t.isel(parameter=rank)
    low, high = float(top["low"]), float(top["high"])
    if not (np.isfinite(low) or np.isfinite(high)):
        return out
    use_low = not np.isfinite(high) or (np.isfinite(low) and low <= high)
    name = str(top["parameter"].values)
    out.update({prefix: name,
                f"{prefix}_label": formatting.short_label(name, getattr(specs.get(name), "long_name", "") or None),
                f"{prefix}_unit": str(top["parameter_unit"].values), f"{prefix}_value": float(top["parameter_value"]),
                f"{prefix}_best": float(top["parameter_low"] if use_low else top["parameter_high"]),
                f"{prefix}_best_ratio": low if use_low else high})
    return out


#: Variables :func:`trajectory_answer` adds to the answer Dataset (issue 14).
TRAJECTORY_ANSWER_VARIABLES = {
    "p_cheaper_in_year": "share of the trajectory samples whose capacity built that year costs at most the ground's "
                         "(dimension milestone_year)",
    "ratio_in_year_median": "median cost ratio of the capacity built that year (dimension milestone_year), a sample "
                            "without a finite cost counting as never cheaper (the statistic of ratio_median)",
    "ratio_in_year_nominal": "cost ratio of the capacity built that year with every trend rate at its value "
                             "(dimension milestone_year)",
    "crossover_median": "median first year the capacity built that year is cheaper than the ground (NaN: beyond the horizon)",
    "crossover_low": "10 % quantile of the crossover year (NaN: beyond the horizon)",
    "crossover_high": "90 % quantile of the crossover year (NaN: beyond the horizon)",
    "p_crossover_within_horizon": "share of the samples that cross within the years computed",
    "trajectory_samples": "samples of the year-by-year Monte Carlo (0: none)",
}


def trajectory_answer(tr: xr.Dataset, milestone_years, nominal: xr.Dataset | None = None) -> xr.Dataset:
    """The year-by-year numbers of the first screen from a Monte Carlo
    :func:`orbitdc.trajectory.trajectory` over architectures (:data:`TRAJECTORY_ANSWER_VARIABLES`).

    ``p_cheaper_in_year`` is ``probability_space_cheaper`` at each milestone year (NaN for a year
    outside the trajectory and for the ground); the crossover quantiles are
    ``crossover_year_quantile`` (10/50/90 %, NaN where that quantile does not cross);
    ``ratio_in_year_median`` the median cost ratio of each milestone year's capacity
    (:func:`year_quantiles`), ``ratio_in_year_nominal`` the same from ``nominal`` (the trajectory
    with every rate at its value; NaN without it)."""
    years = [int(y) for y in milestone_years]
    names = [str(a) for a in tr["architecture"].values]
    kinds = ([str(k) for k in tr["architecture_kind"].values] if "architecture_kind" in tr.coords
             else ["space"] * len(names))
    space = np.array([k == "space" for k in kinds])
    p = np.full((len(names), len(years)), np.nan)
    have = [j for j, y in enumerate(years) if y in tr["year"].values]
    if have:
        sel = tr["probability_space_cheaper"].sel(year=[years[j] for j in have]).transpose("architecture", "year")
        p[:, have] = np.asarray(sel.values, dtype=float)
    ratio_med = np.full((len(names), len(years)), np.nan)
    ratio_nom = np.full((len(names), len(years)), np.nan)
    if have and "cost_ratio_vs_terrestrial" in tr:
        at = [years[j] for j in have]
        med = year_quantiles(tr["cost_ratio_vs_terrestrial"].sel(year=at), [0.5]).sel(quantile=0.5, drop=True)
        ratio_med[:, have] = np.asarray(med.transpose("architecture", "year").values, dtype=float)
        if nominal is not None and "cost_ratio_vs_terrestrial" in nominal:
            nom = nominal["cost_ratio_vs_terrestrial"].reindex(architecture=names)
            ok = [y for y in at if y in nom["year"].values]
            if ok:
                ratio_nom[:, [years.index(y) for y in ok]] = np.asarray(
                    nom.sel(year=ok).transpose("architecture", "year").values, dtype=float)
    q = tr["crossover_year_quantile"].transpose("architecture", "quantile")
    qv = np.asarray(q.values, dtype=float)
    order = [int(np.argmin(np.abs(q["quantile"].values - v))) for v in (0.1, 0.5, 0.9)]
    within = np.asarray(tr["probability_crossover_within_horizon"].values, dtype=float)
    nan = np.where(space, 1.0, np.nan)
    n = int(tr.sizes.get("sample", 0))
    return xr.Dataset(
        {"p_cheaper_in_year": (("architecture", "milestone_year"), p * nan[:, None]),
         "ratio_in_year_median": (("architecture", "milestone_year"), ratio_med * nan[:, None]),
         "ratio_in_year_nominal": (("architecture", "milestone_year"), ratio_nom * nan[:, None]),
         "crossover_low": ("architecture", qv[:, order[0]] * nan),
         "crossover_median": ("architecture", qv[:, order[1]] * nan),
         "crossover_high": ("architecture", qv[:, order[2]] * nan),
         "p_crossover_within_horizon": ("architecture", within * nan),
         "trajectory_samples": ("architecture", np.where(space, n, 0))},
        coords={"architecture": names, "milestone_year": years},
        attrs={"horizon_last_year": int(tr["year"].values[-1])})


def _median_where(d: xr.Dataset, name: str, unit: str | None, where: np.ndarray, n: int) -> float:
    """Median of ``d[name]`` (in ``unit``) over the samples where ``where`` holds; NaN if absent."""
    if name not in d or not where.any():
        return float("nan")
    da = values_in(d[name], unit) if unit is not None and d[name].attrs.get("units") else d[name]
    try:
        v = np.broadcast_to(np.asarray(da.values, dtype=float), (n,))[where]
    except (TypeError, ValueError):  # a variable with other dimensions than sample
        return float("nan")
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


#: Variables giving CO2 per kWh of IT energy, in order of preference (the first present is used).
CO2_VARIABLES = ("co2_per_kwh", "launch_co2_per_kwh", "grid_co2_per_kwh", "grid_carbon_intensity")


def co2_value(sel: xr.Dataset) -> tuple[float, str | None]:
    """CO2 per kWh of IT energy [g/(kW h)] for one architecture and the variable it came from."""
    for var in CO2_VARIABLES:
        if var in sel:
            v = value_of(sel, var, "g/(kW h)")
            if np.isfinite(v):
                return v, var
    return float("nan"), None
