"""The wording: every verdict, constraint and sentence orbitdc says about a result, in one place.

The report, the app and the CLI all word results through this module. Nothing here is prose
written in advance: every sentence is a template filled with numbers from a results Dataset
(``evaluate``, ``compare``, ``monte_carlo``, ``trajectory``) or from the record of
:mod:`orbitdc.report.record`, and thresholds from ``data/report.yaml``
(:mod:`orbitdc.report.settings`), so the words change when the numbers do. Numbers are written
by :mod:`orbitdc.formatting`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr

from .. import formatting, units
from ..stages import output_specs, stages
from .record import TRAJECTORY_ANSWER_VARIABLES, lifetime_dose, value_of
from .settings import settings, threshold



# --------------------------------------------------------------------------------------------
# Numbers in sentences and cells
# --------------------------------------------------------------------------------------------


def fmt(x: Any, digits: int = 3) -> str:
    """A number for a table: :func:`orbitdc.formatting.number` (``digits`` significant digits,
    thousands separated, ``12.3 million``, ``yes``/``no`` for booleans); ``n/a`` if not finite."""
    return formatting.number(x, digits)


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


def display_name(entry: str) -> str:
    """A catalog entry key in words: ``new-glenn`` -> ``New Glenn``, ``falcon-9`` -> ``Falcon 9``."""
    return " ".join(w if any(c.isdigit() for c in w) and not w[0].isalpha() else w.capitalize()
                    for w in str(entry).replace("_", "-").split("-") if w)


# --------------------------------------------------------------------------------------------
# What is missing, and why
# --------------------------------------------------------------------------------------------


#: Which stage produces which variable (the agreed names), to say what is missing and why.
VARIABLE_STAGE = {
    "eclipse_fraction": "orbit", "radiation_dose": "orbit", "altitude": "orbit", "beta_angle": "orbit",
    "it_power": "compute", "availability": "compute", "radiation_tolerance": "compute",
    "solar_array_area": "power", "solar_array_mass": "power",
    "radiator_area": "thermal", "waste_heat": "thermal", "radiator_temperature": "thermal",
    "mass_breakdown": "mass", "satellite_mass": "mass", "specific_mass": "mass", "total_mass": "mass",
    "satellites": "mass",
    "launches": "launch", "deployment_years": "launch", "launch_co2_per_kwh": "launch",
    "launch_price_per_kg": "launch",
    "cost_ratio_vs_terrestrial": "economics", "cost_breakdown": "economics",
    "breakeven_launch_price": "economics", "breakeven_year": "economics",
    "cost_per_kw_year": "economics",
}


def missing_reason(name: str) -> str:
    """Why an output is absent: the stage that should produce it, or that no stage does."""

    for st in stages():
        if name in st.outputs:
            return f"stage {st.name} did not produce it for these architectures"
    stage = VARIABLE_STAGE.get(name)
    return f"stage {stage} absent" if stage else "no stage produces it"


def missing_cell(name: str) -> str:
    """The table cell of an output no stage produced (named in words; the reason in words)."""
    return f"not computed ({formatting.label(name, capital=False)}: {missing_reason(name)})"


# --------------------------------------------------------------------------------------------
# Verdicts of a nominal point, and the words of the Monte Carlo
# --------------------------------------------------------------------------------------------


def verdict(sel: xr.Dataset, kind: str, ratio_interval: tuple[float, float] | None = None) -> str:
    """The verdict of a design with no Monte Carlo (as stated): :func:`feasibility_word` and
    :func:`cost_word` of the nominal point, and the notes the thresholds in data/report.yaml call for
    (dose over life above the tolerance, a slow deployment). ``ratio_interval`` is not used (kept for
    callers of the earlier signature)."""
    if kind == "terrestrial":
        return "baseline (the comparison reference)"
    if "feasible" not in sel:
        return "not computed (no stage produced constraints)"
    feasible = bool(np.all(np.asarray(sel["feasible"].values)))
    binding = sorted(set(np.asarray(sel["binding_constraint"].values).astype(str).ravel()) - {"none"})
    words = feasibility_word(feasible, None, binding[0] if binding else "none")
    ratio = value_of(sel, "cost_ratio_vs_terrestrial")
    cost = (f"{cost_word(ratio)} ({_ratio(ratio)} as stated)" if np.isfinite(ratio) else "cost not computed")
    notes = []
    dose, tol = lifetime_dose(sel)
    if np.isfinite(dose) and np.isfinite(tol) and dose / tol > threshold("radiation_margin"):
        notes.append(f"dose over life {fmt(dose / tol)}x the hardware tolerance")
    years = value_of(sel, "deployment_years", "yr")
    if feasible and np.isfinite(years) and years > threshold("max_deployment_years"):
        notes.append(f"slow deployment ({fmt(years)} yr > {fmt(threshold('max_deployment_years'))} yr)")
    return f"{words}; {cost}" + ("; " + "; ".join(notes) if notes else "")


#: The break-even launch price when no launch price, not even a free launch, makes space as cheap as the ground.
BREAKEVEN_UNREACHABLE = "none: costs other than launch already exceed the ground"

#: The one rule of feasibility words (report, app, CLI): (the stated design closes, most samples close) -> words.
FEASIBILITY_WORDS = {
    (True, True): "feasible",
    (True, False): "feasible as stated, not in most samples",
    (False, True): "infeasible as stated, feasible in most samples",
    (False, False): "infeasible",
}

#: Each chain constraint's short name (what binds, in two words); others use the stage's long name.
CONSTRAINT_NAMES = {
    "deployment_time": "launch cadence", "total_ionizing_dose": "radiation", "launch_mass": "launch mass",
    "launch_volume": "launch volume", "launch_reach": "launch reach",
}


def constraint_name(code: str) -> str:
    """A binding constraint's code in a few words: ``deployment_time`` -> ``launch cadence``."""
    code = str(code)
    if code in CONSTRAINT_NAMES:
        return CONSTRAINT_NAMES[code]
    spec = output_specs().get(f"violates_{code}")
    return formatting.words(spec.long_name) if spec is not None else code.replace("_", " ")


def feasibility_word(feasible_nominal: bool, p_feasible: float | None = None, binding: str = "none") -> str:
    """The feasibility of a design in words, by the one rule the report, the app and the CLI share.

    The stated design (every parameter at its stated value) closes or not; with a Monte Carlo
    (``p_feasible``, the share of samples whose design closes) the words also say whether most
    samples close (:data:`FEASIBILITY_WORDS`): a design that closes as stated and in 88 % of the
    samples is "feasible", never "only under favourable assumptions". Without a Monte Carlo
    (``p_feasible`` None or NaN): ``feasible`` / ``infeasible``. An infeasible stated design names
    what binds (``binding``): ``infeasible: launch cadence``. Callers quote the share beside it."""
    ok = bool(feasible_nominal)
    if p_feasible is None or not np.isfinite(float(p_feasible)):
        word = "feasible" if ok else "infeasible"
    else:
        word = FEASIBILITY_WORDS[(ok, float(p_feasible) >= 0.5)]
    if not ok and binding not in (None, "", "none"):
        why = constraint_name(binding)
        word = f"infeasible: {why}" if word == "infeasible" else word.replace("infeasible as stated", f"infeasible as stated ({why})")
    return word


def cost_word(ratio_median: float, parity: float | None = None) -> str:
    """``cheaper than the ground`` when the cost ratio (the record's median, or a nominal value) is
    below parity, else ``not cheaper than the ground``; ``cost not computed`` when NaN. An infinite
    median (more than half of the samples do not close) is not cheaper."""
    parity = threshold("cost_ratio_parity") if parity is None else parity
    r = float(ratio_median)
    if np.isnan(r):
        return "cost not computed"
    return "cheaper than the ground" if r < parity else "not cheaper than the ground"


def ratio_text(r: float) -> str:
    """A cost ratio for a sentence: ``3.46x``; ``does not close`` when infinite (a design that does
    not close has no cost to compare: never "no cost", which a reader takes for free)."""
    r = float(r)
    if np.isinf(r):
        return "does not close"
    return _ratio(r)


def median_ratio_words(r: Mapping[str, Any], interval_probability: float | None = None) -> str:
    """The record's cost ratio in words: ``3.46x the ground's cost (median of 400 samples; 80 % of
    them 2.1x to 5.6x)``; when more than half of the samples do not close, says so instead."""
    prob = threshold("interval_probability") if interval_probability is None else interval_probability
    n = int(r["samples"])
    med, lo, hi = float(r["ratio_median"]), float(r["ratio_low"]), float(r["ratio_high"])
    pct = f"{100 * prob:.0f} %"
    if not n:
        return f"{_ratio(float(r['ratio_nominal']))} the ground's cost (as stated; no Monte Carlo)"
    if np.isinf(med):
        return f"no cost to compare: more than half of the {n:,} samples do not close"
    if not np.isfinite(hi):
        tail = f"{100 * (1 - prob) / 2:.0f} %"
        return (f"{_ratio(med)} the ground's cost (median of {n:,} samples; {pct} of them from {ratio_text(lo)} up, "
                f"and more than {tail} do not close)")
    return f"{_ratio(med)} the ground's cost (median of {n:,} samples; {pct} of them {ratio_text(lo)} to {_ratio(hi)})"


def compact_ratio_words(r: Mapping[str, Any], interval_probability: float | None = None) -> str:
    """The record's cost ratio in a few words, for the first screen: ``3.31x the ground's cost
    (median; 80 %: 2.11x-6.81x)``; ``no cost to compare (most samples do not close)``."""
    prob = threshold("interval_probability") if interval_probability is None else interval_probability
    n = int(r["samples"])
    med, lo, hi = float(r["ratio_median"]), float(r["ratio_low"]), float(r["ratio_high"])
    if not n:
        return f"{_ratio(float(r['ratio_nominal']))} the ground's cost (as stated)"
    if np.isinf(med):
        return "no cost to compare (most samples do not close)"
    if not np.isfinite(hi):
        return (f"{_ratio(med)} the ground's cost (median; {100 * prob:.0f} %: from {ratio_text(lo)} up, "
                f"the rest do not close)")
    return f"{_ratio(med)} the ground's cost (median; {100 * prob:.0f} %: {ratio_text(lo)} to {_ratio(hi)})"


def short_verdict(r: Mapping[str, Any], interval_probability: float | None = None) -> str:
    """The verdict of the summary table from a record row: the first screen's words, shorter."""
    n, pf, pc = int(r["samples"]), float(r["p_feasible"]), float(r["p_cheaper"])
    feas = feasibility_word(r["feasible_nominal"], pf if n else None, r["binding_nominal"])
    if not n:
        return f"{feas} (as stated; no Monte Carlo); {cost_word(r['ratio_nominal'])} (as stated)"
    return (f"{feas} (closes in {_pct(pf)} of {n:,} samples); "
            f"{cost_word(r['ratio_median'])} (cheaper in {_pct(pc)} of the samples)")


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

    spec = output_specs().get(f"violates_{constraint}")
    return formatting.words(spec.long_name) if spec is not None else constraint.replace("_", " ")


def _bound_row(r: Mapping[str, Any]) -> dict[str, Any]:
    """The numbers of the samples bound by ``binding_common`` (medians), in binding_words' keys."""
    out = dict(r)
    for v in ("launches", "deployment_years", "mission_lifetime", "lifetime_dose"):
        if np.isfinite(float(r.get(f"bound_{v}", np.nan))):
            out[v] = r[f"bound_{v}"]
    return out


# --------------------------------------------------------------------------------------------
# The year-by-year answer
# --------------------------------------------------------------------------------------------


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
            head_c: crossover_words({k: float(v) for k, v in r.items() if np.ndim(v) == 0}, last)}


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


def binding_limit_words(code: str) -> str:
    """A trajectory's ``binding_limit`` code in words: ``launch:new-glenn`` -> ``New Glenn flights``."""
    code = str(code)
    if code.startswith("launch:"):
        return f"{display_name(code.split(':', 1)[1])} flights"
    return {"before_start": "not started yet", "none": "none (target met)",
            "production": "satellite production"}.get(code, code.replace("_", " "))


# --------------------------------------------------------------------------------------------
# The first screen: one paragraph per architecture, from the record (record.answer)
# --------------------------------------------------------------------------------------------


def title(name: str, company: str | None = None) -> str:
    """An architecture's display name: ``SpaceX — compute in Starlink satellites`` (``titles`` in
    data/report.yaml); else ``Company — name in words``; else the name in words."""
    titles = settings().get("titles") or {}
    if str(name) in titles:
        return str(titles[str(name)])
    words = str(name).replace("-", " ").replace("_", " ")
    return f"{company} — {words}" if company else words


def _row(rec: xr.Dataset, name: str) -> dict[str, Any]:
    r = {k: rec[k].sel(architecture=name).item() for k in rec.data_vars if rec[k].dims == ("architecture",)}
    for c in ("title", "company"):
        if c in rec.coords:
            r[c] = str(rec[c].sel(architecture=name).values)
    r.setdefault("title", title(name))
    r.setdefault("company", "")
    return r


def could_it_work(rec: xr.Dataset, name: str) -> str:
    """The first screen's line for one space architecture: is it feasible (the one rule, with the
    share of samples that close), and its cost against the ground (the record's median)."""
    r = _row(rec, name)
    n, pf = int(r["samples"]), float(r["p_feasible"])
    feas = feasibility_word(r["feasible_nominal"], pf if n else None, r["binding_nominal"])
    share = f"{_pct(pf)} of {n:,} samples close" if n else "as stated; no Monte Carlo"
    return f"{r['title']}: {feas} ({share}); {compact_ratio_words(r)}."


def _who(scenario: str, company: str) -> str:
    return {"proponent": "its own figures", "base": "the base figures", "skeptic": "the skeptics' figures"}.get(
        scenario, f"the {scenario} figures")


#: The scenarios the first screen's "when" sentence quotes, in order.
WHEN_SCENARIOS = ("proponent", "base", "skeptic")


def when_clause(rec: xr.Dataset, name: str) -> str:
    """One architecture's part of the "when" sentence: the median crossover year under each of
    its proponent / base / skeptic figures (``2048 on its own figures; not by 2050 on the base or
    the skeptics' figures``); empty when the record has no scenario outcomes for it."""
    if "scenario_crossover_year" not in rec or "scenario" not in rec.dims:
        return ""
    last = int(rec.attrs.get("horizon_last_year", 0) or rec.attrs.get("last_year", 0))
    d = rec.sel(architecture=name)
    crossing, never = [], []
    for s in WHEN_SCENARIOS:
        if s not in d["scenario"].values or not bool(d["scenario_shipped"].sel(scenario=s)):
            continue
        y = float(d["scenario_crossover_year"].sel(scenario=s))
        who = _who(s, str(d["company"].values) if "company" in d.coords else "")
        if np.isfinite(y):
            crossing.append(f"{formatting.year(y)} on {who}")
        else:
            never.append(who.removesuffix(" figures"))
    if not crossing and not never:
        return ""
    parts = list(crossing)
    if never:
        names = never[0] if len(never) == 1 else ", ".join(never[:-1]) + " or " + never[-1]
        parts.append(f"not by {last} on {'any of its figures' if not crossing and len(never) > 1 else names + ' figures'}")
    return "; ".join(parts)


def when_sentence(rec: xr.Dataset) -> str:
    """The first screen's one sentence for "when would it beat the ground?": every space
    architecture's median crossover year under its own, the base and the skeptics' figures
    (companies with the same outcome named together)."""
    groups: dict[str, list[str]] = {}
    for name in rec["architecture"].values:
        r = _row(rec, str(name))
        if r["kind"] != "space":
            continue
        c = when_clause(rec, str(name))
        if c:
            groups.setdefault(c, []).append(r["company"] or r["title"])
    if not groups:
        return ""
    n = int(rec.attrs.get("scenario_samples", 0))
    how = f"median years of {n:,} samples" if n else "every rate at its value"
    clauses = [(" and ".join(who) if len(who) <= 2 else ", ".join(who[:-1]) + " and " + who[-1])
               + ": " + c.replace("its figures", "their figures" if len(who) > 1 else "its figures")
               for c, who in groups.items()]
    return "New capacity is cheaper in orbit — " + "; ".join(clauses) + f" ({WHEN_MODEL}; {how})."


#: The first screen's clause that says which model answers "when" (its numbers differ from "could it work?").
WHEN_MODEL = "year by year: the fleet built as fast as launches allow, at each year's trend values"


def models_sentence(rec: xr.Dataset) -> str:
    """Why "could it work?" and the year-by-year answer give different numbers for the same
    year: two models answering two questions (the report's "two models" section, above its table
    of both numbers side by side)."""
    start = rec["start_year"].values if "start_year" in rec else []
    years = sorted({int(y) for y in np.asarray(start, dtype=float).ravel() if np.isfinite(y)})
    when = formatting.year(years[0]) if len(years) == 1 else "its start year"
    return ("Two models answer two questions, so their numbers for the same year differ on purpose. "
            f"'Could it work?' takes each design as stated for a start in {when}: the whole target must be flown "
            "within one satellite's design life at the launch rate open to it (a design that cannot is infeasible: "
            "launch cadence), and its Monte Carlo draws every uncertain input. The year-by-year model (the headline "
            "chart and 'when would it beat the ground?') builds the fleet as fast as the launchers allow, so a slow "
            "launch cadence delays the target (the IT power online, below) instead of ruling a year out; it prices the "
            "capacity built each year at that year's values from the trends (solar-array specific power, bus cost, the "
            "launch price of the fleet file, the ground's electricity price, grid wait and capacity premium), and its "
            "Monte Carlo draws only the trend rates and ramps. Both medians count a sample without a finite cost as "
            "never cheaper.")


def models_rows(rec: xr.Dataset) -> list[dict[str, str]]:
    """One row per space architecture: the stated design (its verdict and cost ratio), the median
    of its Monte Carlo, and the year-by-year cost ratio of the capacity built at each milestone
    year (rates at their values, and the median over the trend samples)."""
    years = [int(y) for y in rec["milestone_year"].values] if "milestone_year" in rec.dims else []
    rows = []
    for name in rec["architecture"].values:
        r = _row(rec, str(name))
        if r["kind"] != "space":
            continue
        n = int(r["samples"])
        start = formatting.year(r["start_year"]) if np.isfinite(float(r.get("start_year", np.nan))) else "its start"
        row = {"architecture": r["title"],
               "static": f"{feasibility_word(r['feasible_nominal'], None, r['binding_nominal'])}; "
                         f"{ratio_text(r['ratio_nominal'])} (start {start})",
               "static_mc": ((ratio_text(r["ratio_median"]) if np.isfinite(float(r["ratio_median"]))
                              else "most samples do not close") + f" ({_pct(float(r['p_feasible']))} close)")
                             if n else "no Monte Carlo"}
        for j, y in enumerate(years):
            nominal = float(rec["ratio_in_year_nominal"].sel(architecture=name).values[j]) if "ratio_in_year_nominal" in rec else np.nan
            median = float(rec["ratio_in_year_median"].sel(architecture=name).values[j]) if "ratio_in_year_median" in rec else np.nan
            row[f"year_{y}"] = (f"{ratio_text(nominal) if np.isfinite(nominal) else 'n/a'}; median "
                                f"{ratio_text(median) if not np.isnan(median) else 'n/a'}")
        rows.append(row)
    return rows


def _cut(before: float, after: float) -> str:
    """The change from ``before`` to ``after`` as a percentage: ``-18 %``, ``+3 %``."""
    if not (np.isfinite(before) and np.isfinite(after)) or before <= 0:
        return "n/a"
    change = 100 * (after / before - 1)
    return f"{'-' if change < 0 else '+'}{num(abs(change))} %"


def lever_name(label: str) -> str:
    """A lever's name for the first screen: its long name up to the first ``of``/``to``/``for``
    after two words (``launch price per kg of payload capacity ...`` -> ``launch price per kg``)."""
    words = str(label).split()
    for i, w in enumerate(words):
        if i >= 3 and w in ("of", "to", "for", "in", "at"):
            return " ".join(words[:i])
    return str(label)


def lever_words(r: Mapping[str, Any], prefix: str) -> str:
    """One lever of the record, as a change of the stated design's cost: ``launch price per kg at
    10 USD/kg: -19 %`` (its stated value is in the folded paragraph)."""
    if not r.get(prefix):
        return ""
    change = _cut(float(r["ratio_nominal"]), float(r[prefix + "_best_ratio"]))
    if change != "n/a":
        sign, value = change[0], float(change[1:].removesuffix(" %").replace(",", ""))
        change = f"{sign}{formatting.number(value, 2)} %"
    return f"{lever_name(r[prefix + '_label'])} at {_value_unit(r[prefix + '_best'], r[prefix + '_unit'])}: {change}"


def needed_cut(r: Mapping[str, Any], parity: float | None = None) -> str:
    """How much cheaper a space architecture would have to be to match the ground, from the
    record's median: ``68 % cheaper``; ``already cheaper`` below parity; ``a design that closes``
    when more than half of the samples do not close."""
    parity = threshold("cost_ratio_parity") if parity is None else parity
    med = float(r["ratio_median"]) if int(r["samples"]) else float(r["ratio_nominal"])
    if np.isnan(med):
        return ""
    if np.isinf(med):
        return "a design that closes first"
    if med < parity:
        return "nothing more: it is already cheaper"
    return f"a {formatting.number(100 * (1 - parity / med), 2)} % lower cost"


def closing_need(r: Mapping[str, Any]) -> str:
    """What the stated design would need to close when the launch cadence binds it: ``~102
    Starship Target flights a year (97 open to it)``, the flights that would put the whole target
    in orbit within one design life; empty when it closes or something else binds."""
    if r["feasible_nominal"] or r["binding_nominal"] != "deployment_time":
        return ""
    launches, years, life = (float(r.get(k, np.nan)) for k in ("launches", "deployment_years", "mission_lifetime"))
    if not (np.isfinite(launches) and np.isfinite(years) and np.isfinite(life)) or years <= 0 or life <= 0:
        return ""
    vehicle = display_name(r.get("launch_vehicle") or "launch vehicle")
    return f"~{num(launches / life)} {vehicle} flights a year ({num(launches / years)} open to it)"


def levers_sentence(rec: xr.Dataset) -> str:
    """The first screen's one sentence for "what would have to be true?": per space architecture
    how much lower its cost would have to be (from the record's median), and the one or two
    parameters that move it most (the tornado's top two), each at the favourable end of its range
    with every other value as stated, as a change of the stated design's cost."""
    clauses = []
    for name in rec["architecture"].values:
        r = _row(rec, str(name))
        if r["kind"] != "space":
            continue
        need = needed_cut(r)
        closing = closing_need(r)
        if closing:  # the stated design does not close: first what would make it close
            need = (need.removesuffix(" first") + ": " + closing) if need.startswith("a design that closes") else \
                f"{closing}, and {need}" if need else closing
        # a cost lever means nothing while most samples do not close: what would make it close comes first
        levers = ([] if need.startswith("a design that closes") else
                  [w for w in (lever_words(r, "driver"), lever_words(r, "driver2")) if w])
        text = f"{r['company'] or r['title']} needs {need}" if need else f"{r['company'] or r['title']}"
        if levers:
            text += " (levers: " + ", ".join(levers) + ")"
        clauses.append(text)
    if not clauses:
        return ""
    return ("; ".join(clauses)[:1].upper() + "; ".join(clauses)[1:]
            + " (a lever alone at the good end of its range; flights to orbit the target within one design life).")


def first_screen(ans: xr.Dataset) -> dict[str, str]:
    """One paragraph per architecture from the record (:func:`orbitdc.report.record.answer`): the
    verdict, the chance of being cheaper than the ground, what binds, and the single change that
    matters most (the details behind the first screen's lines).

    Feasibility follows the one rule of :func:`feasibility_word` (the stated design, and whether
    most samples close); cost follows the record's median (:func:`cost_word`), over all samples, a
    sample whose design does not close counting as never cheaper."""
    parity = float(ans.attrs.get("cost_ratio_parity", threshold("cost_ratio_parity")))
    out = {}
    for name in ans["architecture"].values:
        r = _row(ans, str(name))
        if r["kind"] == "terrestrial":
            out[str(name)] = (f"{r['title']} is the ground baseline every ratio is measured against: "
                              f"{num(r['cost_per_kw_year'])} USD per kW-year of IT (as stated).")
            continue
        parts = []
        n, pf, pc = int(r["samples"]), float(r["p_feasible"]), float(r["p_cheaper"])
        feas = feasibility_word(r["feasible_nominal"], pf if n else None, r["binding_nominal"])
        stated = "closes" if r["feasible_nominal"] else f"does not close ({constraint_name(r['binding_nominal'])})"
        if n:
            parts.append(f"{r['title']}: {feas} -- the stated design {stated}, and the design closes in {_pct(pf)} "
                         f"of {n:,} Monte Carlo samples.")
            parts.append(f"It is {cost_word(r['ratio_median'], parity)}: {median_ratio_words(r)}; cheaper in "
                         f"{_pct(pc)} of the samples (a design that does not close counts as never cheaper).")
        else:
            parts.append(f"{r['title']}: {feas} (as stated; no Monte Carlo); cost {_ratio(r['ratio_nominal'])} the "
                         f"ground's (as stated).")
        if r["binding_nominal"] != "none":
            parts.append(f"What binds the stated design: {binding_words(r, r['binding_nominal'])}.")
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
            parts.append("No launch price, even free launch, would make the stated design cheaper: the costs other "
                         "than launch already exceed the ground.")
        elif np.isfinite(r["breakeven_launch_price"]):
            parts.append(f"The stated design would match the ground at a launch price of "
                         f"{num(r['breakeven_launch_price'])} USD/kg (applied today: {num(r['launch_price_per_kg'])} USD/kg).")
        if r["driver"]:
            best = float(r["driver_best_ratio"])
            side = ("reaching parity with the ground" if best <= parity else
                    "still above parity with the ground") if np.isfinite(best) else "not computed"
            parts.append(f"The single change that matters most is the {r['driver_label']}: at "
                         f"{_value_unit(r['driver_best'], r['driver_unit'])}, the favourable end of its range (stated "
                         f"{_value_unit(r['driver_value'], r['driver_unit'])}), the stated design would cost "
                         f"{_cut(float(r['ratio_nominal']), best).replace('-', '').replace('+', '')} "
                         f"{'less' if best < float(r['ratio_nominal']) else 'more'}, {side}.")
        out[str(name)] = " ".join(parts)
    return out


# --------------------------------------------------------------------------------------------
# Under whose beliefs? One sentence per architecture over the scenarios
# --------------------------------------------------------------------------------------------


def _whose_figures(scenario: str, company: str) -> str:
    """A scenario named by whose figures it holds (the names of data/scenarios/README.md)."""
    return {"proponent": f"{company}'s own figures", "base": "the base figures",
            "skeptic": "the skeptics' figures"}.get(scenario, f"the {scenario} figures")


def _outcome_words(d: xr.Dataset, last_year: int, feasibility_year: int, said_cheaper: bool,
                   said_binding: str = "") -> str:
    """What one scenario says of one architecture (``d``: one architecture, one scenario);
    ``said_cheaper``: an earlier clause of the sentence already said "cheaper than the ground";
    ``said_binding``: the binding words an earlier clause gave in full (then named, not repeated)."""
    if not bool(d["design_feasible"]):
        words = str(d["binding_words"].values) or "a constraint of the satellite design"
        if said_binding and words == said_binding:
            code = str(d["binding_constraint"].values)
            return f"its {feasibility_year} satellite does not close either ({constraint_name(code)}, as above)"
        return f"its {feasibility_year} satellite does not close ({words})"
    if bool(d["crossover_within_horizon"]):
        return f"its new capacity becomes cheaper than the ground in {formatting.year(float(d['crossover_year']))}"
    if said_cheaper:
        return f"it does not by {last_year}"
    return f"its new capacity does not become cheaper than the ground by {last_year}"


def whose_sentence(ds: xr.Dataset, architecture: str) -> str:
    """One sentence per architecture from :func:`~orbitdc.report.beliefs.scenario_outcomes`: "Under SpaceX's own figures
    (proponent scenario), its new capacity becomes cheaper than the ground in 2048; under the base
    figures it does not by 2050; under the skeptics' figures it does not by 2050." Every clause is
    computed from ``ds``; a scenario whose first-milestone design does not close says what binds."""
    d = ds.sel(architecture=architecture)
    company = str(d["company"].values)
    last, first = int(ds.attrs["last_year"]), int(ds.attrs["feasibility_year"])
    clauses: list[str] = []
    said_binding = ""
    for s in d["scenario"].values:
        one = d.sel(scenario=s)
        if not bool(one["ships_scenario"]):
            continue
        who = _whose_figures(str(s), company)
        name = f" ({s} scenario)" if not clauses else ""
        said = any("cheaper than the ground" in c for c in clauses)
        clauses.append(f"under {who}{name}, {_outcome_words(one, last, first, said, said_binding)}")
        if not bool(one["design_feasible"]) and not said_binding:
            said_binding = str(one["binding_words"].values)
    if not clauses:
        return ""
    text = "; ".join(clauses) + "."
    return f"{title(architecture, company)}: " + text[0].upper() + text[1:]


# --------------------------------------------------------------------------------------------
# The reconciliation's steps (orbitdc.reconcile) in words
# --------------------------------------------------------------------------------------------


#: Short axis labels of the waterfall's first steps (the cost-item steps use the item's words).
RECONCILIATION_STEPS = {"published": "published", "published_arithmetic": "their arithmetic, orbitdc's mass",
                        "model_in_published_scope": "orbitdc, own scope", "mass_basis": "mass basis",
                        "finance": "finance", "availability": "availability"}


# --------------------------------------------------------------------------------------------
# One evaluated design, as the app shows it (no NaN on screen: words instead)
# --------------------------------------------------------------------------------------------


@dataclass
class DesignSummary:
    """What the app shows for one evaluated design (no NaN anywhere: words instead)."""

    architecture: str
    kind: str
    cost_ratio: float
    cost_ratio_text: str
    cost_ratio_words: str
    feasible: bool
    binding_constraint: str
    feasibility_words: str
    breakeven_words: str
    cost_words: str = ""    # space and ground cost per kW-year of IT in dollars
    cost_items: list[tuple[str, float]] = field(default_factory=list)
    cost_unit: str = "USD/kW"
    mass_items: list[tuple[str, float]] = field(default_factory=list)
    mass_unit: str = "kg/kW"
    mass_words: str = ""


def constraint_words() -> dict[str, str]:
    """Each chain constraint (``violates_<name>``) in words, from the stages' declarations."""

    return {k.removeprefix("violates_"): v.long_name for k, v in output_specs().items() if k.startswith("violates_")}


def _scalar(ds, name: str, unit: str | None = None) -> float:
    if name not in ds:
        return float("nan")
    da = ds[name]
    if unit is not None and da.attrs.get("units") not in (None, unit):
        da = units.convert(da.astype(float), da.attrs["units"], unit, name)
    vals = np.asarray(getattr(da, "values", da), dtype=float)
    return float(vals.reshape(-1)[0]) if vals.size == 1 else float("nan")


def describe_design(ds) -> DesignSummary:
    """The numbers and sentences shown for an evaluated design (one point, no extra dims)."""
    name = str(ds.attrs.get("architecture", ""))
    kind = str(ds.attrs.get("architecture_kind", "space"))
    ratio = _scalar(ds, "cost_ratio_vs_terrestrial", "1")
    feasible = bool(np.asarray(ds["feasible"].values).reshape(-1)[0]) if "feasible" in ds else True
    binding = str(np.asarray(ds["binding_constraint"].values).reshape(-1)[0]) if "binding_constraint" in ds else "none"
    words = constraint_words()

    if math.isfinite(ratio):
        text = formatting.significant(ratio)
        if kind == "terrestrial":
            ratio_words = "the terrestrial baseline itself (ratio 1 by definition)"
        elif ratio < 1:
            ratio_words = f"{text} x the ground's cost per kW-yr of IT: cheaper than the ground"
        else:
            ratio_words = f"{text} x the ground's cost per kW-yr of IT: dearer than the ground"
        if not feasible:
            ratio_words += " - if the design closed, which it does not (below)"
    elif ratio == math.inf:  # the chain prices a design that never delivers its target at inf
        text = "infinite"
        ratio_words = "no finite cost: the design never delivers its target IT power" + (
            f" (it does not close: {binding.replace('_', ' ')})" if not feasible else "")
    else:
        text = "not defined"
        ratio_words = "not defined: the chain gives no finite cost for this design" + (
            f" (it does not close: {binding.replace('_', ' ')})" if not feasible else "")

    # the one rule of feasibility words (feasibility_word), as in the report and the CLI
    word = formatting.sentence_case(feasibility_word(feasible, None, binding))
    if feasible:
        feas_words = f"{word}: the design closes (no constraint of the chain is violated)."
    else:
        violated = [k.removeprefix("violates_") for k in ds.data_vars
                    if k.startswith("violates_") and bool(np.asarray(ds[k].values).any())]
        others = [v for v in violated if v != binding]
        feas_words = f"{word} - {words.get(binding, 'a constraint of the chain is violated')}."
        if others:
            feas_words += " Also violated: " + ", ".join(constraint_name(o) for o in others) + "."

    be = _scalar(ds, "breakeven_launch_price", "USD/kg")
    unreachable = bool(np.asarray(ds["breakeven_unreachable"].values).reshape(-1)[0]) if "breakeven_unreachable" in ds else False
    if kind == "terrestrial":
        be_words = "not applicable: nothing is launched"
    elif unreachable:  # signed break-even (issue 12): a negative price, or none for an unbuildable design
        be_words = "none: costs other than launch already exceed the ground's, even with free launch"
        if math.isfinite(be):
            be_words += f" (the launch provider would have to pay USD {formatting.significant(-be)} per kg)"
    elif math.isfinite(be):
        be_words = f"USD {formatting.significant(be)}/kg"
        year = _scalar(ds, "breakeven_year")
        if math.isfinite(year):
            be_words += f", reached in {int(round(year))} on the launch price learning curve"
        else:
            be_words += ", not reached by the launch price learning curve in the model's horizon"
    else:
        be_words = "not defined for this design"

    cost_items: list[tuple[str, float]] = []
    power_kw = _scalar(ds, "target_it_power", "kW")
    if "cost_breakdown" in ds and math.isfinite(power_kw) and power_kw > 0:
        cb = units.convert(ds["cost_breakdown"].astype(float), ds["cost_breakdown"].attrs.get("units", "USD"), "USD", "cost_breakdown")
        for item, v in zip(ds["cost_item"].values, np.asarray(cb.values, dtype=float).reshape(-1)):
            # a cost that is not finite (a design that never delivers) gets no bar, and words
            cost_items.append((str(item), float(v) / power_kw if math.isfinite(v) else float("nan")))
        unpriced = [i.replace("_", " ") for i, v in cost_items if not math.isfinite(v)]
        if unpriced:
            ratio_words += f"; no finite cost for: {', '.join(unpriced)}"

    mass_items: list[tuple[str, float]] = []
    mass_words = ""
    it_kw = _scalar(ds, "it_power", "kW")
    if "mass_breakdown" in ds and math.isfinite(it_kw) and it_kw > 0:
        mb = units.convert(ds["mass_breakdown"].astype(float), ds["mass_breakdown"].attrs.get("units", "kg"), "kg", "mass_breakdown")
        for s, v in zip(ds["subsystem"].values, np.asarray(mb.values, dtype=float).reshape(-1)):
            mass_items.append((str(s), float(v) / it_kw if math.isfinite(v) else float("nan")))
        sat = _scalar(ds, "satellite_mass", "kg")
        total = _scalar(ds, "total_mass", "t")
        mass_words = (f"satellite {formatting.significant(sat)} kg for {formatting.significant(it_kw)} kW of IT; "
                      f"fleet {formatting.significant(total)} t") if math.isfinite(sat) and math.isfinite(total) else ""
    elif kind == "terrestrial":
        mass_words = "no satellite: the terrestrial baseline"

    space_cost = _scalar(ds, "cost_per_kw_year", "USD/(kW yr)")
    ground_cost = _scalar(ds, "terrestrial_cost_per_kw_year", "USD/(kW yr)")
    cost_words = (f"space {formatting.money(space_cost)} per kW-year of IT, the ground {formatting.money(ground_cost)}"
                  if kind != "terrestrial" and math.isfinite(space_cost) and math.isfinite(ground_cost) else
                  f"{formatting.money(space_cost)} per kW-year of IT" if math.isfinite(space_cost) else "")
    return DesignSummary(
        architecture=name, kind=kind, cost_ratio=ratio, cost_ratio_text=text, cost_ratio_words=ratio_words,
        cost_words=cost_words,
        feasible=feasible, binding_constraint=binding, feasibility_words=feas_words, breakeven_words=be_words,
        cost_items=cost_items, mass_items=mass_items, mass_words=mass_words,
    )


#: Monte Carlo band on demand: samples and seed (a few hundred milliseconds of chain time).
MC_SAMPLES = 1000


MC_SEED = 0


def monte_carlo_words(arch: Any, overrides: Mapping[str, Any], samples: int = MC_SAMPLES,
                      seed: int = MC_SEED) -> str:
    """The quick Monte Carlo band of the cost ratio, the slider values held fixed, in words."""
    from ..uncertainty import monte_carlo

    # the words below say the design variables are held: the slider values are the design
    mc = monte_carlo(arch, samples=samples, seed=seed, design="nominal", **overrides)
    ratio = np.asarray(mc["cost_ratio_vs_terrestrial"].values, dtype=float).reshape(-1)
    feasible = np.asarray(mc["feasible"].values, dtype=bool).reshape(-1) if "feasible" in mc else np.ones(ratio.size, bool)
    finite = ratio[np.isfinite(ratio)]
    p = threshold("interval_probability")
    parity = threshold("cost_ratio_parity")
    if finite.size == 0:
        return f"Monte Carlo ({samples} samples): no sample gives a finite cost ratio."
    lo, med, hi = np.quantile(finite, [(1 - p) / 2, 0.5, (1 + p) / 2])
    cheaper = float(np.mean(finite <= parity))
    return (f"Monte Carlo, {samples:,} samples (seed {seed}; the slider values and the design variables "
            f"held fixed, the uncertain parameters drawn from their ranges with the correlations in data): "
            f"{round(100 * p)} % interval {formatting.significant(lo)} to "
            f"{formatting.significant(hi)} (median {formatting.significant(med)}); P(cost ratio <= {parity:g}) = "
            f"{100 * cheaper:.0f} %; {100 * float(feasible.mean()):.0f} % of samples feasible.")


@dataclass
class YearSummary:
    """The cost ratio by year (orbitdc.trajectory) of a design, and what it says in words."""

    years: list[int]
    ratio: list[float]          # NaN where not finite (a gap in the chart)
    words: str
    crossover: float = float("nan")   # the first year a new cohort costs at most the ground's (NaN: none)


def describe_years(tr, parity: float | None = None) -> YearSummary:
    """The cost ratio by calendar year of a trajectory Dataset (one design, dim ``year``) and the
    crossover in words: the first year a new space cohort costs at most the ground's."""
    parity = threshold("cost_ratio_parity") if parity is None else parity
    years = [int(y) for y in np.asarray(tr["year"].values)]
    ratio = np.asarray(tr["cost_ratio_vs_terrestrial"].values, dtype=float).reshape(-1)
    shown = [float(r) if math.isfinite(r) else float("nan") for r in ratio]
    if str(tr.attrs.get("architecture_kind", "space")) == "terrestrial":
        return YearSummary(years, shown, "the terrestrial baseline: 1 in every year by definition")
    cross = _scalar(tr, "crossover_year")
    first, last = years[0], years[-1]
    if math.isfinite(cross):
        words = f"a new space cohort costs at most the ground's from {int(round(cross))}"
    else:
        words = f"a new space cohort does not get below {parity:g} x the ground's cost by {last}"
    finite = [(y, r) for y, r in zip(years, shown) if math.isfinite(r)]
    if finite:
        words += (f" (cohort of {finite[0][0]}: {formatting.significant(finite[0][1])}; "
                  f"of {finite[-1][0]}: {formatting.significant(finite[-1][1])})")
    missing = len(years) - len(finite)
    if missing:
        words += f"; no finite cost in {missing} of the years {first}-{last}"
    if "design_feasible" in tr:
        bad = int(np.sum(~np.asarray(tr["design_feasible"].values, dtype=bool)))
        if bad:
            words += f"; the cohort's satellite does not close in {bad} of them"
    return YearSummary(years, shown, words + ".", cross if math.isfinite(cross) else float("nan"))
