"""Under whose beliefs? The year-by-year model under each scenario an architecture ships
(``data/scenarios/<name>/``: the company's own figures, the base figures, the skeptics' figures).

:func:`scenario_outcomes` computes (nominal: every rate at its value) the cost ratio at the
milestone years, the crossover year, the year the target power is reached and what binds the
design of the first milestone year, per architecture and scenario; :func:`whose_html` shows it,
with the sentences of :func:`orbitdc.report.wording.whose_sentence`.
"""
from __future__ import annotations

import json
from typing import Any, Sequence

import numpy as np
import xarray as xr

from .. import formatting
from ..architectures import SCENARIO_DIR, apply_scenario, list_scenarios, load_architecture
from ..chain import evaluate
from ..datadirs import scenario_files
from ..parameters import read_yaml
from ..stages import parameter_specs
from ..trajectory import TREND_PARAMETERS, trajectory
from . import figures
from .tables import HTML, esc, table_html
from .record import median_year, value_of, year_quantiles
from .wording import binding_words, feasibility_word, title, whose_sentence



#: The order in which scenarios are shown (others, if a folder ships them, follow by name).
SCENARIO_ORDER = ("proponent", "base", "skeptic")


def _scenario_order(names: Sequence[str]) -> list[str]:
    return [s for s in SCENARIO_ORDER if s in names] + sorted(s for s in names if s not in SCENARIO_ORDER)


def _scenario_description(arch_name: str, scenario: str) -> str:
    """The first sentence of a scenario file's ``description`` (data/scenarios/<arch>/<scenario>.yaml,
    or the same file in a user's data folder)."""
    path = scenario_files(arch_name, SCENARIO_DIR)[scenario][0]
    text = " ".join(str(read_yaml(path).get("description", "")).split())
    cut = text.find(". ")
    return text if cut < 0 else text[:cut + 1]


def _design_binding(arch, year: int, chain_over: dict[str, Any]) -> tuple[bool, str, str]:
    """Does the design of the cohort of ``year`` close (``evaluate`` with ``start_year = year``: the
    chain's ``feasible``, the rule of every verdict), its ``binding_constraint`` code and the
    words of :func:`orbitdc.report.wording.binding_words` (empty when it closes)."""
    ds = evaluate(arch, start_year=year, **chain_over)
    ok = bool(np.all(np.asarray(ds["feasible"].values)))
    code = str(np.asarray(ds["binding_constraint"].values).ravel()[0])
    if ok or code == "none":
        return ok, "none", ""
    row = {k: value_of(ds, k) for k in ("launches", "deployment_years", "mission_lifetime", "lifetime_dose",
                                        "dose_tolerance")}
    row["launch_vehicle"] = str(np.asarray(ds["launch_vehicle"].values).ravel()[0]) if "launch_vehicle" in ds else ""
    return ok, code, binding_words(row, code)


#: Variables of :func:`scenario_outcomes` (architecture x scenario).
SCENARIO_OUTCOME_VARIABLES = {
    "cost_ratio_in_year": "cost of the capacity built in the year relative to the same compute on the ground "
                          "(nominal, or the median over the samples)",
    "crossover_year": "first year the capacity built costs at most the ground's (nominal, or the median over the "
                      "samples; NaN: not within the years computed)",
    "crossover_within_horizon": "the capacity built becomes cheaper than the ground within the years computed",
    "target_reached_year": "first year the target IT power is in service (NaN: not within the years computed)",
    "design_feasible": "the design of the first milestone year closes (the chain's feasible, as everywhere)",
    "binding_constraint": "what binds that design (none if it closes)",
    "binding_words": "what binds that design, in words (empty if it closes)",
    "scenario_description": "the first sentence of the scenario file's description",
}


def scenario_outcomes(archs: Sequence[Any], years: Sequence[int], milestone_years: Sequence[int],
                      overrides: dict[str, Any] | None = None, samples: int | None = None,
                      seed: int | None = None) -> xr.Dataset | figures.Missing:
    """The year-by-year model (:func:`orbitdc.trajectory`) of each space architecture under each
    scenario it ships (``data/scenarios/<name>/``), with ``overrides`` applied on top of each
    scenario (as a user override is on top of the architecture file): nominal (every rate at its
    value), or with ``samples`` the Monte Carlo over the trend rates and ramps, whose cost ratios
    and crossover years are medians over all samples (:func:`orbitdc.report.record.year_quantiles`:
    a sample that does not get cheaper counts as never cheaper), the report's one statistic.

    Returns a Dataset over (``architecture``, ``scenario``[, ``year``]) with
    :data:`SCENARIO_OUTCOME_VARIABLES`: the cost ratio at ``milestone_years``, the crossover year
    (first year with a ratio <= 1), the year the target IT power is reached, and whether the
    design of the first milestone year's cohort closes (``design_feasible`` of the trajectory) with
    what binds it (``feasible`` and ``binding_constraint`` of ``evaluate`` at that ``start_year``:
    the chain's rule, the one every verdict of the report uses). A scenario an architecture does
    not ship is NaN / empty. Architectures without scenarios are left out; Missing when none has
    any. ``attrs``: ``last_year`` (the horizon), ``feasibility_year``, ``samples`` (0: nominal).
    """

    title = "Under whose beliefs?"
    overrides = dict(overrides or {})
    years = [int(y) for y in years]
    milestones = [int(y) for y in milestone_years if int(y) in years]
    if not milestones:
        return figures.Missing(title, f"not computed: no milestone year within {years[0]}-{years[-1]}")
    first = milestones[0]
    specs = parameter_specs()
    found = []
    for a in archs:
        a = load_architecture(a)
        if a.kind != "space":
            continue
        if a.scenario is not None:  # a Study built with scenario=: start again from the file as written
            a = load_architecture(a.path if a.path is not None else a.name)
        ships = list_scenarios(a)
        if ships:
            found.append((a, _scenario_order(ships)))
    if not found:
        return figures.Missing(title, "not computed: no space architecture of the report ships scenarios (data/scenarios/)")
    scenarios = _scenario_order(sorted({s for _, ss in found for s in ss}))
    shape = (len(found), len(scenarios))
    ratio = np.full(shape + (len(milestones),), np.nan)
    cross, target = np.full(shape, np.nan), np.full(shape, np.nan)
    within, feasible = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    binding = np.full(shape, "", dtype=object)
    binding_text = np.full(shape, "", dtype=object)
    described = np.full(shape, "", dtype=object)
    for i, (a, ships) in enumerate(found):
        own = {k: v for k, v in overrides.items() if k in a.parameters or k in TREND_PARAMETERS or k not in specs}
        chain_over = {k: v for k, v in own.items() if k in a.parameters}
        for s in ships:
            j = scenarios.index(s)
            arch_s = apply_scenario(a, s)
            if samples:
                tr = trajectory(arch_s, years, samples=samples, seed=seed, **own)
                ratio[i, j] = year_quantiles(tr["cost_ratio_vs_terrestrial"], [0.5]).sel(quantile=0.5, year=milestones).values
                cross[i, j] = float(median_year(tr["crossover_year"]))
                target[i, j] = float(median_year(tr["target_reached_year"]))
            else:
                tr = trajectory(arch_s, years, **own)
                ratio[i, j] = np.asarray(tr["cost_ratio_vs_terrestrial"].sel(year=milestones).values, dtype=float)
                cross[i, j] = float(tr["crossover_year"])
                target[i, j] = float(tr["target_reached_year"])
            within[i, j] = bool(np.isfinite(cross[i, j]))
            feasible[i, j], binding[i, j], binding_text[i, j] = _design_binding(arch_s, first, chain_over)
            described[i, j] = _scenario_description(a.name, s)
    dims = ("architecture", "scenario")
    V = SCENARIO_OUTCOME_VARIABLES
    ds = xr.Dataset(
        {"cost_ratio_in_year": (dims + ("year",), ratio, {"units": "1", "long_name": V["cost_ratio_in_year"]}),
         "crossover_year": (dims, cross, {"units": "1", "long_name": V["crossover_year"]}),
         "crossover_within_horizon": (dims, within, {"long_name": V["crossover_within_horizon"]}),
         "target_reached_year": (dims, target, {"units": "1", "long_name": V["target_reached_year"]}),
         "design_feasible": (dims, feasible, {"long_name": V["design_feasible"], "year": first}),
         "binding_constraint": (dims, binding.astype(str), {"long_name": V["binding_constraint"]}),
         "binding_words": (dims, binding_text.astype(str), {"long_name": V["binding_words"]}),
         "scenario_description": (dims, described.astype(str), {"long_name": V["scenario_description"]})},
        coords={"architecture": [a.name for a, _ in found], "scenario": scenarios, "year": milestones,
                "company": ("architecture", [a.company or a.name for a, _ in found]),
                "ships_scenario": (dims, np.array([[s in ss for s in scenarios] for _, ss in found]))},
        attrs={"last_year": years[-1], "feasibility_year": first, "overrides": ", ".join(sorted(overrides)) or "none",
               "samples": int(samples or 0)})
    return ds


#: The name under ``results/`` of :func:`whose_beliefs` saved by a notebook (read back by the others).
WHOSE_BELIEFS_FILE = "whose_beliefs"

def whose_beliefs(study: Any) -> xr.Dataset | figures.Missing:
    """:func:`scenario_outcomes` of the study's space architectures over the years of
    ``figures.trajectory`` in data/report.yaml, with the study's overrides on top of each scenario;
    computed once per Study, and read back from ``results/whose_beliefs.nc`` when a notebook of a
    study with the same key saved it there (the year-by-year notebook does,
    :meth:`~orbitdc.report.study.Study.save_whose_beliefs`; the summary notebook reads it).
    ``attrs['study_scenario']``: the scenario the rest of the report uses (a Study built with
    ``scenario=``), ``none`` for the files as written."""
    def run():
        found = study._read_saved(WHOSE_BELIEFS_FILE, stacked=True)
        if found is not None:
            return found
        cfg = study.settings["figures"]["trajectory"]
        years = range(int(cfg["first_year"]), int(cfg["stop_year"]))
        out = scenario_outcomes(study.archs, years, cfg["milestone_years"], study.overrides,
                                samples=study.samples if study.samples >= 2 else None, seed=study.seed)
        if isinstance(out, xr.Dataset):
            out.attrs["study_scenario"] = study.scenario or "none"
            out.attrs["belief_inputs"] = json.dumps(belief_inputs(out, study.overrides))
        return out

    return study._cached("whose_beliefs", run)


#: How many of a scenario's inputs the report lists (those that move the cost ratio most).
TOP_BELIEFS = 3

_WHOSE_VALUE = {"statement": "stated by {party}", "reading": "orbitdc's reading of {party}",
                "other": "sourced elsewhere"}


def _value_text(value: Any, unit: str, name: str = "") -> str:
    if name.endswith("year") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return formatting.year(float(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return formatting.number(float(value)) + ("" if unit in ("", "1") else f" {unit}")
    if isinstance(value, dict):  # a path over the years: its first and last points
        ys = sorted(value)
        return f"{_value_text(value[ys[0]], unit)} in {ys[0]} to {_value_text(value[ys[-1]], unit)} in {ys[-1]}"
    return str(value).replace("_", " ")


def belief_inputs(ds: xr.Dataset, overrides: dict[str, Any] | None = None,
                  top: int = TOP_BELIEFS) -> list[dict[str, str]]:
    """Which belief gives which answer (issue 22): for every architecture of ``ds`` and every
    scenario it ships other than ``base``, the sentence of :func:`orbitdc.scenarios.attribution`
    (the party quoted only for the values its file marks as its statements) and the ``top`` inputs
    of :func:`orbitdc.scenarios.whose_beliefs` that move the cost ratio of the stated design most
    (``evaluate`` at the architecture's start year, with that one input put back at its base value),
    each with its value, base value, source keys and tags, and whose it is. Rows of words for
    :func:`belief_inputs_html`; an architecture that cannot be loaded by name is left out."""
    from ..architectures import load_scenario
    from ..errors import OrbitdcError
    from ..scenarios import attribution, whose_beliefs as ranked_inputs

    rows: list[dict[str, str]] = []
    for a in ds["architecture"].values:
        for s in ds["scenario"].values:
            if str(s) == "base" or not bool(ds["ships_scenario"].sel(architecture=a, scenario=s)):
                continue
            try:
                sentence = attribution(str(a), str(s))
                ranked = ranked_inputs(str(a), str(s), top=top, **dict(overrides or {}))
                base_arch = load_architecture(str(a))
                # whose a value is: the scenario's party (a critique's, an analyst's), not the company
                party = load_scenario(base_arch, str(s)).party or base_arch.company or str(a)
            except OrbitdcError:
                continue
            inputs = [{"input": r["parameter"].replace("_", " "),
                       "scenario value": _value_text(r["value"], r["unit"], r["parameter"]),
                       "base value": _value_text(r["base_value"], r["unit"], r["parameter"]),
                       "moves the cost ratio by": (f"{float(r['effect']):+.2f}" if np.isfinite(float(r["effect"]))
                                                   else "design does not close without it"),
                       "source": f"{r['source']} ({r['tag']})" if r["source"] else "none",
                       "whose": _WHOSE_VALUE.get(r["attribution"], "sourced elsewhere").format(party=party)}
                      for r in ranked]
            rows.append({"architecture": str(a), "company": str(ds["company"].sel(architecture=a).values),
                         "scenario": str(s), "attribution": sentence, "inputs": inputs})
    return rows


def belief_inputs_html(ds: xr.Dataset) -> str:
    """The folded part of "under whose beliefs?": per architecture and scenario, whose figures it
    holds and the inputs that move the answer most, each beside its source (HTML text)."""
    rows = json.loads(ds.attrs.get("belief_inputs", "[]") or "[]")
    if not rows:
        return ""
    parts = ["<details><summary>Which belief gives which answer: the inputs of each scenario that move "
             "the cost ratio most, each beside its source</summary>",
             "<p>Each input is put back at its base value with everything else of the scenario kept; "
             "the shift is what that belief does to the cost ratio of the stated design in its start "
             "year (the static model; the table above is the year-by-year model). Negative: the belief "
             "makes space cheaper.</p>"]
    for r in rows:
        parts.append(f"<p><b>{esc(title(r['architecture'], r['company']))}, {esc(r['scenario'])} scenario.</b> "
                     f"{esc(r['attribution'])}</p>")
        if r["inputs"]:
            parts.append(table_html(r["inputs"], caption=f"{title(r['architecture'], r['company'])}: "
                                                         f"the {r['scenario']} scenario's inputs that move the answer most"))
    parts.append("</details>")
    return "".join(parts)


def whose_rows(ds: xr.Dataset) -> list[dict[str, str]]:
    """The table of :func:`scenario_outcomes`: one row per architecture and scenario shipped."""
    last, first = int(ds.attrs["last_year"]), int(ds.attrs["feasibility_year"])
    rows = []
    for a in ds["architecture"].values:
        for s in ds["scenario"].values:
            d = ds.sel(architecture=a, scenario=s)
            if not bool(d["ships_scenario"]):
                continue
            row = {"architecture": title(str(a), str(ds["company"].sel(architecture=a).values)), "figures": str(s)}
            for y in ds["year"].values:
                r = float(d["cost_ratio_in_year"].sel(year=y))
                row[f"cost ratio {int(y)}"] = formatting.number(r) if np.isfinite(r) else "no design"
            cross = float(d["crossover_year"])
            row["cheaper from"] = formatting.year(cross) if np.isfinite(cross) else f"not by {last}"
            t = float(d["target_reached_year"])
            row["target power reached"] = formatting.year(t) if np.isfinite(t) else f"not by {last}"
            row[f"{first} design"] = feasibility_word(bool(d["design_feasible"]), None, str(d["binding_constraint"].values))
            rows.append(row)
    return rows


def whose_html(study_or_ds: Any):
    """The first screen's "under whose beliefs?" part: what each scenario holds (one line each),
    a sentence per architecture and the table of :func:`whose_rows` (HTML)."""
    ds = whose_beliefs(study_or_ds) if not isinstance(study_or_ds, (xr.Dataset, figures.Missing)) else study_or_ds
    if isinstance(ds, figures.Missing):
        return HTML(f"<p>{esc(ds.title)}: {esc(ds.reason)}</p>")
    parts = ['<div class="orbitdc-whose">']
    n = int(ds.attrs.get("samples", 0))
    how = (f"the median over {formatting.number(n)} samples of the trend rates and ramps (a sample that does not get "
           "cheaper counts as never cheaper)" if n else "every rate at its value (no Monte Carlo)")
    parts.append("<p>Cost ratio: the cost of the capacity built in the year over the same compute built on the "
                 f"ground that year, {how}; below 1 space is cheaper; the design of the first year is "
                 "said feasible when it closes with every value as stated. "
                 + ("The rest of the report uses the architecture files as written (the base figures)."
                    if ds.attrs.get("study_scenario", "none") == "none" else
                    f"The rest of the report uses the {esc(ds.attrs['study_scenario'])} figures.")
                 + (f" Your overrides ({esc(formatting.words(ds.attrs['overrides']))}) apply on top of every scenario."
                    if ds.attrs.get("overrides", "none") != "none" else "") + "</p>")
    # what each scenario is, from its file: a description every architecture shares is said once
    shipped = ds["ships_scenario"].values
    common = {}
    for j, s in enumerate(ds["scenario"].values):
        texts = {str(t) for t in ds["scenario_description"].values[:, j][shipped[:, j]]}
        if len(texts) == 1 and len(ds["architecture"]) > 1:
            common[str(s)] = texts.pop()
    if common:
        parts.append("<p>" + esc("; ".join(f"{s.capitalize()} scenario: {t.rstrip('.')}" for s, t in common.items())) + ".</p>")
    parts.append("<ul>")
    for a in ds["architecture"].values:
        d = ds.sel(architecture=a)
        what = "; ".join(f"{s} scenario: {str(d['scenario_description'].sel(scenario=s).values).rstrip('.')}"
                         for s in d["scenario"].values
                         if bool(d["ships_scenario"].sel(scenario=s)) and str(s) not in common)
        parts.append(f"<li>{esc(whose_sentence(ds, str(a)))}" + (f"<br><small>{esc(what)}.</small>" if what else "")
                     + "</li>")
    parts.append("</ul>")
    parts.append(table_html(whose_rows(ds), caption="The year-by-year model under each scenario's figures "
                                                    f"({'medians over the samples' if n else 'nominal values'}; "
                                                    "cost ratio below 1: space is cheaper)"))
    parts.append(belief_inputs_html(ds))
    parts.append("</div>")
    return HTML("".join(parts))
