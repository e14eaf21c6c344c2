"""The verdicts: the report's words, computed from results and the thresholds in data/report.yaml.

Nothing here is prose written in advance: every sentence is a template filled with numbers from a
results Dataset (``compare``, ``monte_carlo``) and thresholds from ``data/report.yaml``
(:mod:`orbitdc.report_settings`), so the words change when the numbers do.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr

from . import formatting, plots
from .errors import OrbitdcError
from .report_settings import threshold
from .study import Study, value_of


def fmt(x: Any, digits: int = 3) -> str:
    """A number for a table: :func:`orbitdc.formatting.number` (``digits`` significant digits,
    thousands separated, ``12.3 million``, ``yes``/``no`` for booleans); ``n/a`` if not finite."""
    return formatting.number(x, digits)


def missing_cell(name: str) -> str:
    """The table cell of an output no stage produced (named in words; the reason in words)."""
    return f"not computed ({formatting.label(name, capital=False)}: {plots._stage_of(name)})"


def _q(mc: Mapping[str, xr.Dataset] | Any, arch: str, var: str, prob: float) -> tuple[float, float]:
    if not isinstance(mc, Mapping) or arch not in mc or var not in mc[arch]:
        return float("nan"), float("nan")
    v = np.asarray(mc[arch][var].values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if not v.size:
        return float("nan"), float("nan")
    tail = (1 - prob) / 2
    lo, hi = np.quantile(v, [tail, 1 - tail])
    return float(lo), float(hi)


def verdict(sel: xr.Dataset, kind: str, ratio_interval: tuple[float, float]) -> str:
    """Verdict wording from computed results and the thresholds in data/report.yaml."""
    if kind == "terrestrial":
        return "baseline (the comparison reference)"
    if "feasible" not in sel:
        return "not computed (no stage produced constraints)"
    feasible = bool(np.all(np.asarray(sel["feasible"].values)))
    if not feasible:
        binding = ", ".join(sorted(set(np.asarray(sel["binding_constraint"].values).astype(str).ravel()) - {"none"}))
        return f"infeasible: binding constraint {formatting.words(binding)}"
    parity = threshold("cost_ratio_parity")
    pct = int(round(100 * threshold("interval_probability")))
    lo, hi = ratio_interval
    ratio = value_of(sel, "cost_ratio_vs_terrestrial")
    if not np.isfinite(ratio):
        cost = "cost not computed (stage economics absent)"
    elif np.isfinite(lo) and np.isfinite(hi):
        if hi <= parity:
            cost = f"cost-competitive (whole {pct}% interval <= {fmt(parity)}x the ground)"
        elif lo > parity:
            cost = f"not cost-competitive (whole {pct}% interval > {fmt(parity)}x the ground)"
        else:
            cost = f"cost uncertain ({pct}% interval spans {fmt(parity)}x the ground)"
    else:
        cost = ("cost-competitive" if ratio <= parity else "not cost-competitive") + " at nominal values (no Monte Carlo)"
    notes = []
    dose, tol = lifetime_dose(sel)
    if np.isfinite(dose) and np.isfinite(tol) and dose / tol > threshold("radiation_margin"):
        notes.append(f"dose over life {fmt(dose / tol)}x the hardware tolerance")
    years = value_of(sel, "deployment_years", "yr")
    if np.isfinite(years) and years > threshold("max_deployment_years"):
        notes.append(f"slow deployment ({fmt(years)} yr > {fmt(threshold('max_deployment_years'))} yr)")
    return "feasible; " + cost + ("; " + "; ".join(notes) if notes else "")


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
        from .catalogs import catalog_value

        try:
            tol = float(catalog_value("accelerators", "tid_limit", str(sel["accelerator"].values), "rad_Si"))
        except (OrbitdcError, KeyError, ValueError):
            tol = float("nan")
    return dose, tol


def summary_rows(study: Study) -> list[dict[str, str]]:
    """The executive summary: one row per architecture, every cell computed."""
    cmp = study.compare()
    mc = study.monte_carlo() if study.space else {}
    ans = answer(study) if isinstance(mc, Mapping) and mc else None
    pct = int(round(100 * threshold("interval_probability")))
    rows = []
    for a in study.archs:
        sel = cmp.sel(architecture=a.name)
        interval = _q(mc, a.name, "cost_ratio_vs_terrestrial", threshold("interval_probability"))
        ratio = value_of(sel, "cost_ratio_vs_terrestrial")
        row = {"architecture": a.name, "kind": a.kind, "verdict": verdict(sel, a.kind, interval)}
        if ans is not None and a.kind == "space" and int(ans["samples"].sel(architecture=a.name)) > 0:
            # the same words as the first screen: from the Monte Carlo, not the nominal point
            row["verdict"] = short_verdict({k: ans[k].sel(architecture=a.name).item() for k in ans.data_vars
                                            if ans[k].dims == ("architecture",)}, threshold("interval_probability"))
        if np.isfinite(ratio):
            # The nominal point (every parameter at its stated value) can sit outside the Monte
            # Carlo interval when ranges are skewed, so the sample median is shown beside it.
            median = _q(mc, a.name, "cost_ratio_vs_terrestrial", 0.0)[0]
            row[f"cost ratio vs terrestrial [{pct}% interval]"] = (
                f"{fmt(ratio)} nominal; Monte Carlo median {fmt(median)} [{fmt(interval[0])} - {fmt(interval[1])}]"
                if np.isfinite(interval[0]) else f"{fmt(ratio)} [no Monte Carlo]")
        else:
            row[f"cost ratio vs terrestrial [{pct}% interval]"] = missing_cell("cost_ratio_vs_terrestrial")
        space = a.kind == "space"
        if ans is not None and "crossover_median" in ans:  # the year-by-year model (issue 14)
            row.update(when_cells(ans, a.name))

        def cell(value, unit, var):
            return f"{fmt(value)} {unit}".strip() if np.isfinite(value) else (missing_cell(var) if space else "n/a")

        be = value_of(sel, "breakeven_launch_price", "USD/kg")
        by = value_of(sel, "breakeven_year")
        if space and "breakeven_launch_price" in sel:
            unreachable = bool(np.all(np.asarray(sel["breakeven_unreachable"].values))) if "breakeven_unreachable" in sel else False
            row["break-even launch price (year)"] = ("none: costs other than launch already exceed the ground" if unreachable or not np.isfinite(be)
                                                     else f"{fmt(be)} USD/kg ({formatting.year(by) if np.isfinite(by) else 'year n/a'})")
        else:
            row["break-even launch price (year)"] = cell(be, "USD/kg", "breakeven_launch_price")
        row["mass per MW of IT"] = cell(value_of(sel, "specific_mass", "t/MW"), "t/MW", "specific_mass")
        gw = value_of(sel, "target_it_power", "GW")
        row["launches per GW"] = cell(value_of(sel, "launches") / gw, "", "launches")
        mw = value_of(sel, "it_power", "MW")
        row["array area per MW"] = cell(value_of(sel, "solar_array_area", "m2") / mw, "m²/MW", "solar_array_area")
        row["radiator area per MW"] = cell(value_of(sel, "radiator_area", "m2") / mw, "m²/MW", "radiator_area")
        row["eclipse fraction"] = cell(value_of(sel, "eclipse_fraction"), "", "eclipse_fraction")
        dose, tol = lifetime_dose(sel)
        if np.isfinite(dose):
            row["dose over life vs tolerance"] = (f"{fmt(dose / 1000)} krad(Si) vs {fmt(tol / 1000)} krad(Si)" if np.isfinite(tol)
                                                  else f"{fmt(dose / 1000)} krad(Si) vs tolerance not computed (radiation_tolerance absent)")
        else:
            row["dose over life vs tolerance"] = cell(dose, "", "radiation_dose")
        row["deployment"] = cell(value_of(sel, "deployment_years", "yr"), "yr", "deployment_years")
        co2, var = plots.co2_value(sel)
        row["CO2 per kWh"] = (f"{fmt(co2)} g/kWh ({formatting.label(var, capital=False)})" if var
                              else "not computed (no CO2 output)")
        if not space:  # the baseline: the space-only columns do not apply
            for k in list(row)[3:]:
                if k.startswith("cost ratio"):
                    row[k] = "1 (the reference)"
                elif k != "CO2 per kWh":
                    row[k] = "n/a (terrestrial)"
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------
# The first screen: one paragraph per architecture, from an answer Dataset (issue 16)
# --------------------------------------------------------------------------------------------
#: Variables of the answer Dataset (dimension ``architecture``), see :func:`answer`.
ANSWER_VARIABLES = {
    "kind": "space or terrestrial",
    "samples": "Monte Carlo samples (0: no Monte Carlo)",
    "p_feasible": "share of samples whose design closes (no violated constraint)",
    "p_cheaper": "share of all samples that are feasible and cost less than the ground (ratio below parity)",
    "ratio_nominal": "cost ratio to the ground with every parameter at its stated value",
    "ratio_median": "median cost ratio over the feasible samples",
    "ratio_low": "lower end of the cost-ratio interval (interval_probability, feasible samples)",
    "ratio_high": "upper end of the cost-ratio interval",
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
}


def _most_common(values: np.ndarray) -> tuple[str, int]:
    names, counts = np.unique(values.astype(str), return_counts=True)
    if not names.size:
        return "none", 0
    i = int(np.argmax(counts))
    return str(names[i]), int(counts[i])


def answer(study: Study) -> xr.Dataset:
    """The numbers behind the first screen, one row per architecture (see :data:`ANSWER_VARIABLES`).

    Probabilities come from the study's Monte Carlo; an infeasible sample counts as not cheaper
    (its costs are undefined, so it is counted, not dropped). Ratio quantiles are over the
    feasible, finite samples. The driver is the top of the tornado of the cost ratio."""
    parity = threshold("cost_ratio_parity")
    prob = threshold("interval_probability")
    cmp = study.compare()
    mc = study.monte_carlo() if study.space else {}
    tor = study.sensitivity() if study.space else {}
    mc = mc if isinstance(mc, Mapping) else {}
    tor = tor if isinstance(tor, Mapping) else {}
    specs = _parameter_specs()
    rows = []
    for a in study.archs:
        sel = cmp.sel(architecture=a.name)
        row: dict[str, Any] = {"kind": a.kind}
        row["ratio_nominal"] = value_of(sel, "cost_ratio_vs_terrestrial")
        row["feasible_nominal"] = bool(np.all(np.asarray(sel["feasible"].values))) if "feasible" in sel else True
        row["binding_nominal"] = (_most_common(np.asarray(sel["binding_constraint"].values).ravel())[0]
                                  if "binding_constraint" in sel else "none")
        for v, unit in (("launches", None), ("deployment_years", "yr"), ("mission_lifetime", "yr"),
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
            if good.any():
                tail = (1 - prob) / 2
                row["ratio_low"], row["ratio_median"], row["ratio_high"] = (
                    float(x) for x in np.quantile(ratio[good], [tail, 0.5, 1 - tail]))
            if "binding_constraint" in d and (~ok).any():
                bind = np.broadcast_to(np.asarray(d["binding_constraint"].values).astype(str), (n,))
                name, count = _most_common(bind[~ok])
                row["binding_common"], row["binding_share"] = name, count / n
                bound = ~ok & (bind == name)
                for v, unit in (("launches", None), ("deployment_years", "yr"), ("mission_lifetime", "yr"),
                                ("lifetime_dose", "rad_Si")):
                    row[f"bound_{v}"] = _median_where(d, v, unit, bound, n)
        row.update(driver="", driver_label="", driver_unit="", driver_value=np.nan, driver_best=np.nan,
                   driver_best_ratio=np.nan)
        t = tor.get(a.name)
        if isinstance(t, xr.Dataset) and t.sizes.get("parameter", 0):
            top = t.isel(parameter=0)
            low, high = float(top["low"]), float(top["high"])
            if np.isfinite(low) or np.isfinite(high):
                use_low = not np.isfinite(high) or (np.isfinite(low) and low <= high)
                name = str(top["parameter"].values)
                row.update(driver=name, driver_label=formatting.label(name, getattr(specs.get(name), "long_name", "") or None,
                                                                 capital=False),
                           driver_unit=str(top["parameter_unit"].values), driver_value=float(top["parameter_value"]),
                           driver_best=float(top["parameter_low"] if use_low else top["parameter_high"]),
                           driver_best_ratio=low if use_low else high)
        rows.append(row)
    data = {k: ("architecture", [r[k] for r in rows]) for k in ANSWER_VARIABLES}
    out = xr.Dataset(data, coords={"architecture": study.names},
                     attrs={"cost_ratio_parity": parity, "interval_probability": prob})
    tr = study.trajectory() if study.space and hasattr(study, "trajectory") else None
    if isinstance(tr, xr.Dataset):
        years = [int(y) for y in study.settings["figures"]["trajectory"]["milestone_years"]]
        # the ground has no trajectory of its own: NaN, and no samples
        out = out.merge(trajectory_answer(tr, years).reindex(architecture=study.names,
                                                             fill_value={"trajectory_samples": 0}))
        out.attrs.update(cost_ratio_parity=parity, interval_probability=prob,
                         horizon_last_year=int(tr["year"].values[-1]))
    return out


#: Variables :func:`trajectory_answer` adds to the answer Dataset (issue 14).
TRAJECTORY_ANSWER_VARIABLES = {
    "p_cheaper_in_year": "share of the trajectory samples whose capacity built that year costs at most the ground's "
                         "(dimension milestone_year)",
    "crossover_median": "median first year the capacity built that year is cheaper than the ground (NaN: beyond the horizon)",
    "crossover_low": "10 % quantile of the crossover year (NaN: beyond the horizon)",
    "crossover_high": "90 % quantile of the crossover year (NaN: beyond the horizon)",
    "p_crossover_within_horizon": "share of the samples that cross within the years computed",
    "trajectory_samples": "samples of the year-by-year Monte Carlo (0: none)",
}


def trajectory_answer(tr: xr.Dataset, milestone_years) -> xr.Dataset:
    """The year-by-year numbers of the first screen from a Monte Carlo
    :func:`orbitdc.trajectory.trajectory` over architectures (:data:`TRAJECTORY_ANSWER_VARIABLES`).

    ``p_cheaper_in_year`` is ``probability_space_cheaper`` at each milestone year (NaN for a year
    outside the trajectory and for the ground); the crossover quantiles are
    ``crossover_year_quantile`` (10/50/90 %, NaN where that quantile does not cross)."""
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
    q = tr["crossover_year_quantile"].transpose("architecture", "quantile")
    qv = np.asarray(q.values, dtype=float)
    order = [int(np.argmin(np.abs(q["quantile"].values - v))) for v in (0.1, 0.5, 0.9)]
    within = np.asarray(tr["probability_crossover_within_horizon"].values, dtype=float)
    nan = np.where(space, 1.0, np.nan)
    n = int(tr.sizes.get("sample", 0))
    return xr.Dataset(
        {"p_cheaper_in_year": (("architecture", "milestone_year"), p * nan[:, None]),
         "crossover_low": ("architecture", qv[:, order[0]] * nan),
         "crossover_median": ("architecture", qv[:, order[1]] * nan),
         "crossover_high": ("architecture", qv[:, order[2]] * nan),
         "p_crossover_within_horizon": ("architecture", within * nan),
         "trajectory_samples": ("architecture", np.where(space, n, 0))},
        coords={"architecture": names, "milestone_year": years},
        attrs={"horizon_last_year": int(tr["year"].values[-1])})


def _year(v: float, last: int) -> str:
    return f"{v:.0f}" if np.isfinite(v) else f"beyond {last}"


def when_cells(ans: xr.Dataset, name: str) -> dict[str, str]:
    """The executive summary's year-by-year cells of one architecture: "P(cheaper than ground)
    2030 / 2035 / 2040" and "crossover year (median, 80 %)" (``n/a`` for the ground)."""
    years = [int(y) for y in ans["milestone_year"].values]
    last = int(ans.attrs.get("horizon_last_year", years[-1]))
    head_p = "P(cheaper than ground) " + " / ".join(str(y) for y in years)
    head_c = "crossover year (median, 80 %)"
    r = {k: ans[k].sel(architecture=name).values for k in TRAJECTORY_ANSWER_VARIABLES}
    if int(r["trajectory_samples"]) == 0:
        return {head_p: "n/a", head_c: "n/a"}
    return {head_p: " / ".join(_pct(float(v)) for v in r["p_cheaper_in_year"]),
            head_c: crossover_words({k: float(v) for k, v in r.items() if k != "p_cheaper_in_year"}, last)}


def crossover_words(r: Mapping[str, Any], last: int) -> str:
    """The crossover year in words: ``2038 (80 % interval 2033 to beyond 2050)``; ``beyond 2050
    (only 5 % of the samples cross by then)`` when the median does not cross; ``not within the
    horizon (to 2050)`` when no sample crosses by the last year."""
    med = float(r["crossover_median"])
    within = float(r["p_crossover_within_horizon"])
    if not np.isfinite(med):
        if np.isfinite(within) and within > 0:
            return f"beyond {last} (only {_pct(within)} of the samples cross by then)"
        return f"not within the horizon (to {last})"
    return f"{med:.0f} (80 % interval {_year(float(r['crossover_low']), last)} to {_year(float(r['crossover_high']), last)})"


def year_sentence(r: Mapping[str, Any], years: Sequence[int], last: int) -> str:
    """The first screen's "in which year, with what probability" sentence of one space architecture."""
    p = np.asarray(r["p_cheaper_in_year"], dtype=float)
    parts = [f"{_pct(float(v))} in {y}" for y, v in zip(years, p)]
    listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)
    cross = crossover_words(r, last)
    n = int(r["trajectory_samples"])
    when = (f"no sample becomes cheaper by {last}, the last year computed" if cross.startswith("not within the horizon (")
            else f"median crossover year {cross}")
    return (f"Year by year (the capacity built each year against the same compute built on the ground that year; "
            f"{n:,} samples of the trend rates and ramps), the chance of being cheaper than the ground is "
            f"{listed}; {when}.")


def _median_where(d: xr.Dataset, name: str, unit: str | None, where: np.ndarray, n: int) -> float:
    """Median of ``d[name]`` (in ``unit``) over the samples where ``where`` holds; NaN if absent."""
    if name not in d or not where.any():
        return float("nan")
    da = plots.values_in(d[name], unit) if unit is not None and d[name].attrs.get("units") else d[name]
    try:
        v = np.broadcast_to(np.asarray(da.values, dtype=float), (n,))[where]
    except (TypeError, ValueError):  # a variable with other dimensions than sample
        return float("nan")
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


def _parameter_specs() -> dict:
    from .chain import parameter_specs

    return parameter_specs()


def display_name(entry: str) -> str:
    """A catalog entry key in words: ``new-glenn`` -> ``New Glenn``, ``falcon-9`` -> ``Falcon 9``."""
    return " ".join(w if any(c.isdigit() for c in w) and not w[0].isalpha() else w.capitalize()
                    for w in str(entry).replace("_", "-").split("-") if w)


def _pct(p: float) -> str:
    """A probability as a percentage (:func:`orbitdc.formatting.percent`)."""
    return formatting.percent(p)


def num(x: float) -> str:
    """A number for a sentence: three significant digits without trailing zeros, whole numbers
    from 1,000 up with thousands separators (``5``, ``10.8``, ``1.44``, ``1,705``), words for
    millions and more; ``n/a`` if not finite (:func:`orbitdc.formatting.number`)."""
    return formatting.number(float(x))


def _ratio(x: float) -> str:
    return f"{num(x)}x" if np.isfinite(x) else "n/a"


def _value_unit(x: float, unit: str) -> str:
    unit = "" if unit in ("", "1") else f" {unit}"
    return f"{num(x)}{unit}"


def feasibility_word(p_feasible: float, interval_probability: float) -> str:
    """``feasible`` / ``infeasible`` when at least ``(1 + interval_probability) / 2`` of the samples
    agree, else ``feasible only under favourable assumptions``."""
    sure = (1 + interval_probability) / 2
    if _at_least(p_feasible, sure):
        return "feasible"
    if _at_least(1 - sure, p_feasible):
        return "infeasible"
    return "feasible only under favourable assumptions"


def cost_word(p_cheaper: float, interval_probability: float) -> str:
    """``cheaper`` / ``not cheaper`` / ``possibly cheaper`` than the ground, as :func:`feasibility_word`."""
    sure = (1 + interval_probability) / 2
    if _at_least(p_cheaper, sure):
        return "cheaper than the ground"
    if _at_least(1 - sure, p_cheaper):
        return "not cheaper than the ground"
    return "possibly cheaper than the ground"


def short_verdict(r: Mapping[str, Any], interval_probability: float) -> str:
    """The verdict of the summary table from an answer row: the first screen's words, shorter."""
    n, pf, pc = int(r["samples"]), float(r["p_feasible"]), float(r["p_cheaper"])
    nominal = "nominal design closes" if r["feasible_nominal"] else (
        "nominal design: " + binding_words(r, r["binding_nominal"]).split(":")[0])
    return (f"{feasibility_word(pf, interval_probability)} (closes in {_pct(pf)} of {n:,} samples; {nominal}); "
            f"{cost_word(pc, interval_probability)} (cheaper in {_pct(pc)} of the samples)")


def _at_least(p: float, t: float) -> bool:
    """p >= t up to rounding (0.1 must count as <= 1 - 0.9 although 1 - 0.9 = 0.09999999999999998)."""
    return p >= t - 1e-9


def binding_words(row: Mapping[str, Any], constraint: str) -> str:
    """What binds, in words, with numbers from ``row`` (``launches``, ``deployment_years``,
    ``mission_lifetime``, ``lifetime_dose``, ``dose_tolerance``, ``launch_vehicle``)."""
    vehicle = display_name(row.get("launch_vehicle") or "the launch vehicle")
    life = float(row.get("mission_lifetime", np.nan))
    launches = float(row.get("launches", np.nan))
    years = float(row.get("deployment_years", np.nan))
    if constraint == "deployment_time" and np.isfinite(life) and np.isfinite(launches) and np.isfinite(years) and years > 0:
        return (f"launch cadence: the {num(launches)} launches of the initial deployment take {num(years)} years at "
                f"the {vehicle} flight rate open to the programme ({num(launches / years)} a year), longer than the "
                f"{num(life)}-year design life; the {vehicle} would need ~{num(launches / life)} flights a year")
    dose, tol = float(row.get("lifetime_dose", np.nan)), float(row.get("dose_tolerance", np.nan))
    if constraint == "total_ionizing_dose" and np.isfinite(dose) and np.isfinite(tol):
        return (f"radiation: the dose over the {num(life)}-year life, {num(dose / 1000)} krad(Si), exceeds the "
                f"hardware's tolerance of {num(tol / 1000)} krad(Si)")
    if constraint in ("launch_mass", "launch_volume"):
        what = "a satellite is heavier than" if constraint == "launch_mass" else "a stowed satellite is bulkier than"
        return f"launch: {what} what the {vehicle} can carry"
    if constraint == "launch_reach":
        return f"launch: the target orbit is beyond the {vehicle}'s reach"
    from .chain import output_specs

    spec = output_specs().get(f"violates_{constraint}")
    return formatting.words(spec.long_name) if spec is not None else constraint.replace("_", " ")


def _bound_row(r: Mapping[str, Any]) -> dict[str, Any]:
    """The numbers of the samples bound by ``binding_common`` (medians), in binding_words' keys."""
    out = dict(r)
    for v in ("launches", "deployment_years", "mission_lifetime", "lifetime_dose"):
        if np.isfinite(float(r.get(f"bound_{v}", np.nan))):
            out[v] = r[f"bound_{v}"]
    return out


def first_screen(ans: xr.Dataset) -> dict[str, str]:
    """One paragraph per architecture from an :func:`answer` Dataset: the verdict, the chance of
    being cheaper than the ground, what binds, and the single change that matters most.

    Statements about feasibility and cost follow the Monte Carlo: a design is called feasible
    (cheaper) when at least ``(1 + interval_probability) / 2`` of the samples are (the whole
    interval lies on that side), infeasible (not cheaper) when at most the complement are, and
    uncertain in between; nominal values are labelled as such."""
    parity = float(ans.attrs.get("cost_ratio_parity", threshold("cost_ratio_parity")))
    prob = float(ans.attrs.get("interval_probability", threshold("interval_probability")))
    pct = f"{100 * prob:.0f} %"
    out = {}
    for name in ans["architecture"].values:
        r = {k: ans[k].sel(architecture=name).item() for k in ans.data_vars if ans[k].dims == ("architecture",)}
        if r["kind"] == "terrestrial":
            out[str(name)] = (f"{name} is the ground baseline every ratio is measured against: "
                              f"{num(r['cost_per_kw_year'])} USD per kW-year of IT (nominal).")
            continue
        parts = []
        n, pf, pc = int(r["samples"]), float(r["p_feasible"]), float(r["p_cheaper"])
        nominal = (f"the nominal design {'closes' if r['feasible_nominal'] else 'does not close'}"
                   f"{'' if r['feasible_nominal'] else ' (' + binding_words(r, r['binding_nominal']).split(':')[0] + ')'}")
        if n:
            verdict_word = feasibility_word(pf, prob)
            parts.append(f"{name}: {verdict_word} -- the design closes in {_pct(pf)} of {n:,} Monte Carlo samples; {nominal}.")
            cost = cost_word(pc, prob)
            ratio = (f"median cost {_ratio(r['ratio_median'])} the ground's over the feasible samples ({pct} interval "
                     f"{num(r['ratio_low'])}-{num(r['ratio_high'])}x; nominal {_ratio(r['ratio_nominal'])})"
                     if np.isfinite(r["ratio_median"]) else f"no feasible sample has a cost (nominal {_ratio(r['ratio_nominal'])})")
            parts.append(f"It is {cost}: cheaper in {_pct(pc)} of the samples (infeasible ones count as not cheaper); {ratio}.")
        else:
            parts.append(f"{name}: {'feasible' if r['feasible_nominal'] else 'infeasible'} at nominal values (no Monte Carlo); "
                         f"{nominal}; cost {_ratio(r['ratio_nominal'])} the ground's (nominal).")
        if r["binding_nominal"] != "none":
            parts.append(f"What binds the nominal design: {binding_words(r, r['binding_nominal'])}.")
        if n and r["binding_common"] != "none" and r["binding_common"] != r["binding_nominal"]:
            parts.append(f"In {_pct(float(r['binding_share']))} of the samples what binds first is "
                         f"{binding_words(_bound_row(r), r['binding_common'])} (medians of those samples).")
        elif n and r["binding_common"] != "none":
            parts.append(f"The same constraint binds first in {_pct(float(r['binding_share']))} of the samples.")
        if int(r.get("trajectory_samples", 0) or 0) > 0:
            parts.append(year_sentence({**r, "p_cheaper_in_year": ans["p_cheaper_in_year"].sel(architecture=name).values},
                                       [int(y) for y in ans["milestone_year"].values],
                                       int(ans.attrs.get("horizon_last_year", ans["milestone_year"].values[-1]))))
        if r["breakeven_unreachable"]:
            parts.append("No launch price, even free launch, would make it cheaper: the costs other than launch "
                         "already exceed the ground.")
        elif np.isfinite(r["breakeven_launch_price"]):
            parts.append(f"It would match the ground at a launch price of {num(r['breakeven_launch_price'])} USD/kg "
                         f"(applied today: {num(r['launch_price_per_kg'])} USD/kg).")
        if r["driver"]:
            best = float(r["driver_best_ratio"])
            side = ("reaching parity with the ground" if best <= parity else
                    "still above parity with the ground") if np.isfinite(best) else "not computed"
            parts.append(f"The single change that matters most is the {r['driver_label']}: at "
                         f"{_value_unit(r['driver_best'], r['driver_unit'])}, the favourable end of its range (stated "
                         f"{_value_unit(r['driver_value'], r['driver_unit'])}), the nominal cost ratio would be "
                         f"{_ratio(best)} instead of {_ratio(r['ratio_nominal'])}, {side}.")
        out[str(name)] = " ".join(parts)
    return out
