"""The verdicts: the report's words, computed from results and the thresholds in data/report.yaml.

Nothing here is prose written in advance: every sentence is a template filled with numbers from a
results Dataset (``compare``, ``monte_carlo``) and thresholds from ``data/report.yaml``
(:mod:`orbitdc.report_settings`), so the words change when the numbers do.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import xarray as xr

from . import plots
from .errors import OrbitdcError
from .report_settings import threshold
from .study import Study, value_of

def fmt(x: Any, digits: int = 3) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not np.isfinite(v):
        return "n/a"
    if v == 0:
        return "0"
    if abs(v) >= 1e5 or abs(v) < 1e-3:
        return f"{v:.{digits}g}"
    return f"{v:,.{max(0, digits - 1 - int(np.floor(np.log10(abs(v)))))}f}"


def missing_cell(name: str) -> str:
    return f"not computed ({name} absent: {plots._stage_of(name)})"


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
        return f"infeasible: binding constraint {binding}"
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
        from .parameters import catalog_value

        try:
            tol = float(catalog_value("accelerators", "tid_limit", str(sel["accelerator"].values), "rad_Si"))
        except (OrbitdcError, KeyError, ValueError):
            tol = float("nan")
    return dose, tol


def summary_rows(study: Study) -> list[dict[str, str]]:
    """The executive summary: one row per architecture, every cell computed."""
    cmp = study.compare()
    mc = study.monte_carlo() if study.space else {}
    pct = int(round(100 * threshold("interval_probability")))
    rows = []
    for a in study.archs:
        sel = cmp.sel(architecture=a.name)
        interval = _q(mc, a.name, "cost_ratio_vs_terrestrial", threshold("interval_probability"))
        ratio = value_of(sel, "cost_ratio_vs_terrestrial")
        row = {"architecture": a.name, "kind": a.kind, "verdict": verdict(sel, a.kind, interval)}
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

        def cell(value, unit, var):
            return f"{fmt(value)} {unit}".strip() if np.isfinite(value) else (missing_cell(var) if space else "n/a")

        be = value_of(sel, "breakeven_launch_price", "USD/kg")
        by = value_of(sel, "breakeven_year")
        if space and "breakeven_launch_price" in sel:
            unreachable = bool(np.all(np.asarray(sel["breakeven_unreachable"].values))) if "breakeven_unreachable" in sel else False
            row["break-even launch price (year)"] = ("none: costs other than launch already exceed the ground" if unreachable or not np.isfinite(be)
                                                     else f"{fmt(be)} USD/kg ({fmt(by, 4) if np.isfinite(by) else 'year n/a'})")
        else:
            row["break-even launch price (year)"] = cell(be, "USD/kg", "breakeven_launch_price")
        row["mass per MW of IT"] = cell(value_of(sel, "specific_mass", "t/MW"), "t/MW", "specific_mass")
        gw = value_of(sel, "target_it_power", "GW")
        row["launches per GW"] = cell(value_of(sel, "launches") / gw, "", "launches")
        mw = value_of(sel, "it_power", "MW")
        row["array area per MW"] = cell(value_of(sel, "solar_array_area", "m2") / mw, "m2/MW", "solar_array_area")
        row["radiator area per MW"] = cell(value_of(sel, "radiator_area", "m2") / mw, "m2/MW", "radiator_area")
        row["eclipse fraction"] = cell(value_of(sel, "eclipse_fraction"), "", "eclipse_fraction")
        dose, tol = lifetime_dose(sel)
        if np.isfinite(dose):
            row["dose over life vs tolerance"] = (f"{fmt(dose / 1000)} krad(Si) vs {fmt(tol / 1000)} krad(Si)" if np.isfinite(tol)
                                                  else f"{fmt(dose / 1000)} krad(Si) vs tolerance not computed (radiation_tolerance absent)")
        else:
            row["dose over life vs tolerance"] = cell(dose, "", "radiation_dose")
        row["deployment"] = cell(value_of(sel, "deployment_years", "yr"), "yr", "deployment_years")
        co2, var = plots.co2_value(sel)
        row["CO2 per kWh"] = f"{fmt(co2)} g/kWh ({var})" if var else "not computed (no CO2 output)"
        if not space:  # the baseline: the space-only columns do not apply
            for k in list(row)[3:]:
                if k.startswith("cost ratio"):
                    row[k] = "1 (the reference)"
                elif k != "CO2 per kWh":
                    row[k] = "n/a (terrestrial)"
        rows.append(row)
    return rows
