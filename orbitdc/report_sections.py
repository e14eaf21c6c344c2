"""Sections of the feasibility report added for issues 12, 14 and 16: the year-by-year answer on
the first screen, the costing convention of each architecture and the comparison with published
analyses (a reconciliation waterfall per analysis).

Each builder takes a :class:`~orbitdc.study.Study` (or the results it computes) and returns
displayable HTML or a figure; the numbers come from orbitdc (``Study.trajectory``,
:func:`orbitdc.reconcile`), the words are templates filled with them, and the formatting goes
through :func:`orbitdc.verdicts.fmt` / :func:`orbitdc.verdicts.num` and
:func:`orbitdc.tables.table_html`, so the report's number style applies here too.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import xarray as xr

from . import formatting, plots
from .errors import OrbitdcError
from .study import Study
from .tables import HTML, RECONCILIATION_ANCHOR, esc, table_html
from .verdicts import num

#: The costing conventions (``costing`` parameter, issue 12) in words.
COSTING_WORDS = {
    "mass": "mass-based: the bus at a cost per kg, with a learning curve on cumulative production",
    "subsystem": "per subsystem: array per W, radiator per m2, battery per kWh, avionics and integration per MW, "
                 "the rest of the bus per kg",
}


# --------------------------------------------------------------------------------------------
# Issue 14 on the first screen: when would it beat the ground?
# --------------------------------------------------------------------------------------------
def when_figure(tr: xr.Dataset | plots.Missing | None):
    """The first screen's chart: the cohort cost ratio by year for each space architecture (median,
    80 % band, parity line, crossover year marked) above the IT power online by year against the
    target (:func:`orbitdc.plots.cost_ratio_by_year`, :func:`orbitdc.plots.it_power_by_year`)."""
    if isinstance(tr, plots.Missing):
        return tr
    ratio, power = plots.cost_ratio_by_year(tr), plots.it_power_by_year(tr)
    shown = [f for f in (ratio, power) if not isinstance(f, plots.Missing)]
    if not shown:
        return plots.Missing("When would it beat the ground?", f"{ratio.reason}; {power.reason}")
    if len(shown) == 1:
        return shown[0]
    return (ratio + power).cols(1)


def when_html(study: Study):
    """The chart of :func:`when_figure` for the study's trajectory (HTML or a Panel pane)."""
    return plots.show(when_figure(study.trajectory()))


# --------------------------------------------------------------------------------------------
# Under whose beliefs? The year-by-year model under each shipped scenario
# --------------------------------------------------------------------------------------------
#: The order in which scenarios are shown (others, if a folder ships them, follow by name).
SCENARIO_ORDER = ("proponent", "base", "skeptic")


def _scenario_order(names: Sequence[str]) -> list[str]:
    return [s for s in SCENARIO_ORDER if s in names] + sorted(s for s in names if s not in SCENARIO_ORDER)


def _scenario_description(arch_name: str, scenario: str) -> str:
    """The first sentence of a scenario file's ``description`` (data/scenarios/<arch>/<scenario>.yaml,
    or the same file in a user's data folder)."""
    from .datadirs import scenario_files
    from .parameters import read_yaml
    from .scenarios import SCENARIO_DIR

    path = scenario_files(arch_name, SCENARIO_DIR)[scenario][0]
    text = " ".join(str(read_yaml(path).get("description", "")).split())
    cut = text.find(". ")
    return text if cut < 0 else text[:cut + 1]


def _design_binding(arch, year: int, chain_over: dict[str, Any]) -> tuple[str, str]:
    """What binds the design of the cohort of ``year`` (``evaluate`` with ``start_year = year``):
    its ``binding_constraint`` code and the words of :func:`orbitdc.verdicts.binding_words`."""
    from .chain import evaluate
    from .study import value_of
    from .verdicts import binding_words

    ds = evaluate(arch, start_year=year, **chain_over)
    code = str(np.asarray(ds["binding_constraint"].values).ravel()[0])
    if code == "none":  # the trajectory's trends (arrays, prices) break what today's values close
        return code, "a constraint of the satellite design under that year's technology values"
    row = {k: value_of(ds, k) for k in ("launches", "deployment_years", "mission_lifetime", "lifetime_dose",
                                        "dose_tolerance")}
    row["launch_vehicle"] = str(np.asarray(ds["launch_vehicle"].values).ravel()[0]) if "launch_vehicle" in ds else ""
    return code, binding_words(row, code)


#: Variables of :func:`scenario_outcomes` (architecture x scenario).
SCENARIO_OUTCOME_VARIABLES = {
    "cost_ratio_in_year": "cost of the capacity built in the year relative to the same compute on the ground (nominal)",
    "crossover_year": "first year the capacity built costs at most the ground's (NaN: not within the years computed)",
    "crossover_within_horizon": "the capacity built becomes cheaper than the ground within the years computed",
    "target_reached_year": "first year the target IT power is in service (NaN: not within the years computed)",
    "design_feasible": "the satellite of the first milestone year's cohort closes on its vehicles",
    "binding_constraint": "what binds that design (none if it closes)",
    "binding_words": "what binds that design, in words (empty if it closes)",
    "scenario_description": "the first sentence of the scenario file's description",
}


def scenario_outcomes(archs: Sequence[Any], years: Sequence[int], milestone_years: Sequence[int],
                      overrides: dict[str, Any] | None = None) -> xr.Dataset | plots.Missing:
    """The year-by-year model (:func:`orbitdc.trajectory`, nominal: every rate at its value) of each
    space architecture under each scenario it ships (``data/scenarios/<name>/``), with ``overrides``
    applied on top of each scenario (as a user override is on top of the architecture file).

    Returns a Dataset over (``architecture``, ``scenario``[, ``year``]) with
    :data:`SCENARIO_OUTCOME_VARIABLES`: the cost ratio at ``milestone_years``, the crossover year
    (first year with a ratio <= 1), the year the target IT power is reached, and whether the
    design of the first milestone year's cohort closes (``design_feasible`` of the trajectory) with
    what binds it (``binding_constraint`` of ``evaluate`` at that ``start_year``). A scenario an
    architecture does not ship is NaN / empty. Architectures without scenarios are left out;
    Missing when none has any. ``attrs``: ``last_year`` (the horizon), ``feasibility_year``.
    """
    from .chain import parameter_specs
    from .architectures import load_architecture
    from .scenarios import apply_scenario, list_scenarios
    from .trajectory import TREND_PARAMETERS, trajectory

    title = "Under whose beliefs?"
    overrides = dict(overrides or {})
    years = [int(y) for y in years]
    milestones = [int(y) for y in milestone_years if int(y) in years]
    if not milestones:
        return plots.Missing(title, f"not computed: no milestone year within {years[0]}-{years[-1]}")
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
        return plots.Missing(title, "not computed: no space architecture of the report ships scenarios (data/scenarios/)")
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
            tr = trajectory(arch_s, years, **own)
            ratio[i, j] = np.asarray(tr["cost_ratio_vs_terrestrial"].sel(year=milestones).values, dtype=float)
            cross[i, j] = float(tr["crossover_year"])
            within[i, j] = bool(tr["crossover_within_horizon"])
            target[i, j] = float(tr["target_reached_year"])
            feasible[i, j] = bool(tr["design_feasible"].sel(year=first))
            binding[i, j], binding_text[i, j] = ("none", "") if feasible[i, j] else _design_binding(arch_s, first, chain_over)
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
        attrs={"last_year": years[-1], "feasibility_year": first, "overrides": ", ".join(sorted(overrides)) or "none"})
    return ds


def whose_beliefs(study: Study) -> xr.Dataset | plots.Missing:
    """:func:`scenario_outcomes` of the study's space architectures over the years of
    ``figures.trajectory`` in data/report.yaml, with the study's overrides on top of each scenario;
    computed once per Study. ``attrs['study_scenario']``: the scenario the rest of the report uses
    (a Study built with ``scenario=``), ``none`` for the files as written."""
    def run():
        cfg = study.settings["figures"]["trajectory"]
        years = range(int(cfg["first_year"]), int(cfg["stop_year"]))
        out = scenario_outcomes(study.archs, years, cfg["milestone_years"], study.overrides)
        if isinstance(out, xr.Dataset):
            out.attrs["study_scenario"] = study.scenario or "none"
        return out

    return study._cached("whose_beliefs", run)


def _whose_figures(scenario: str, company: str) -> str:
    """A scenario named by whose figures it holds (the names of data/scenarios/README.md)."""
    return {"proponent": f"{company}'s own figures", "base": "the base figures",
            "skeptic": "the skeptics' figures"}.get(scenario, f"the {scenario} figures")


def _outcome_words(d: xr.Dataset, last_year: int, feasibility_year: int, said_cheaper: bool) -> str:
    """What one scenario says of one architecture (``d``: one architecture, one scenario);
    ``said_cheaper``: an earlier clause of the sentence already said "cheaper than the ground"."""
    if not bool(d["design_feasible"]):
        words = str(d["binding_words"].values) or "a constraint of the satellite design"
        return f"its {feasibility_year} satellite does not close ({words})"
    if bool(d["crossover_within_horizon"]):
        return f"its new capacity becomes cheaper than the ground in {formatting.year(float(d['crossover_year']))}"
    if said_cheaper:
        return f"it does not by {last_year}"
    return f"its new capacity does not become cheaper than the ground by {last_year}"


def whose_sentence(ds: xr.Dataset, architecture: str) -> str:
    """One sentence per architecture from :func:`scenario_outcomes`: "Under SpaceX's own figures
    (proponent scenario), its new capacity becomes cheaper than the ground in 2048; under the base
    figures it does not by 2050; under the skeptics' figures it does not by 2050." Every clause is
    computed from ``ds``; a scenario whose first-milestone design does not close says what binds."""
    d = ds.sel(architecture=architecture)
    company = str(d["company"].values)
    last, first = int(ds.attrs["last_year"]), int(ds.attrs["feasibility_year"])
    clauses: list[str] = []
    for s in d["scenario"].values:
        one = d.sel(scenario=s)
        if not bool(one["ships_scenario"]):
            continue
        who = _whose_figures(str(s), company)
        name = f" ({s} scenario)" if not clauses else ""
        said = any("cheaper than the ground" in c for c in clauses)
        clauses.append(f"under {who}{name}, {_outcome_words(one, last, first, said)}")
    if not clauses:
        return ""
    text = "; ".join(clauses) + "."
    return f"{architecture}: " + text[0].upper() + text[1:]


def whose_rows(ds: xr.Dataset) -> list[dict[str, str]]:
    """The table of :func:`scenario_outcomes`: one row per architecture and scenario shipped."""
    last, first = int(ds.attrs["last_year"]), int(ds.attrs["feasibility_year"])
    rows = []
    for a in ds["architecture"].values:
        for s in ds["scenario"].values:
            d = ds.sel(architecture=a, scenario=s)
            if not bool(d["ships_scenario"]):
                continue
            row = {"architecture": str(a), "figures": str(s)}
            for y in ds["year"].values:
                r = float(d["cost_ratio_in_year"].sel(year=y))
                row[f"cost ratio {int(y)}"] = formatting.number(r) if np.isfinite(r) else "no design"
            cross = float(d["crossover_year"])
            row["cheaper from"] = formatting.year(cross) if np.isfinite(cross) else f"not by {last}"
            t = float(d["target_reached_year"])
            row["target power reached"] = formatting.year(t) if np.isfinite(t) else f"not by {last}"
            row[f"{first} design"] = ("closes" if bool(d["design_feasible"])
                                      else f"no: {str(d['binding_constraint'].values).replace('_', ' ')}")
            rows.append(row)
    return rows


def whose_html(study_or_ds: Study | xr.Dataset | plots.Missing):
    """The first screen's "under whose beliefs?" part: what each scenario holds (one line each),
    a sentence per architecture and the table of :func:`whose_rows` (HTML)."""
    ds = whose_beliefs(study_or_ds) if isinstance(study_or_ds, Study) else study_or_ds
    if isinstance(ds, plots.Missing):
        return HTML(f"<p>{esc(ds.title)}: {esc(ds.reason)}</p>")
    parts = ['<div class="orbitdc-whose">']
    parts.append("<p>Cost ratio: the cost of the capacity built in the year over the same compute built on the "
                 "ground that year, every rate at its value (no Monte Carlo); below 1 space is cheaper. "
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
                                                    "(nominal values; cost ratio below 1: space is cheaper)"))
    parts.append("</div>")
    return HTML("".join(parts))


# --------------------------------------------------------------------------------------------
# Issue 12: costing conventions and the reconciliation with published analyses
# --------------------------------------------------------------------------------------------
def costing_convention(arch) -> str:
    """``mass`` or ``subsystem``: the ``costing`` parameter of an architecture (its file or the
    default of data/defaults/economics.yaml)."""
    from .architectures import load_architecture

    arch = load_architecture(arch)
    p = arch.parameters.get("costing")
    return str(p.value) if p is not None else "mass"


def costing_rows(names: Sequence[Any], overrides: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """One row per space architecture (names, paths or loaded Architectures): its costing
    convention in words (an override of ``costing`` in the report's settings wins)."""
    from .architectures import load_architecture

    rows = []
    for name in names:
        arch = load_architecture(name)
        if arch.kind != "space":
            continue
        conv = str((overrides or {}).get("costing", costing_convention(arch)))
        rows.append({"architecture": arch.name, "costing convention": conv,
                     "what it means": COSTING_WORDS.get(conv, conv)})
    return rows


def costing_html(study: Study):
    """The costing convention (mass | subsystem) of every space architecture of the report."""
    rows = costing_rows(study.archs, study.overrides)  # loaded: a user's file need not be findable by name
    return HTML(table_html(rows, ("architecture", "costing convention", "what it means"),
                           caption="Costing convention of each space architecture (parameter costing)"))


def reconciliation_rows(w: xr.Dataset) -> list[dict[str, str]]:
    """The rows of one waterfall (:func:`orbitdc.reconcile`): each step with what it changes, the
    change and the running figure in USD per kW-yr; the first row is the published figure."""
    rows = []
    status = w.attrs.get("verification")  # verified / secondary / unverified (data/published_claims.yaml)
    first = "published figure" + (f" ({status})" if status else "")
    for i, step in enumerate(w["step"].values):
        change = float(w["change"].values[i])
        value = float(w["value"].values[i])
        rows.append({
            "step": first if i == 0 else _step_words(str(step), str(w["label"].values[i])),
            "change [USD/(kW yr)]": num(value) if i == 0 else (("+" if change >= 0 else "-") + num(abs(change))),
            "running figure [USD/(kW yr)]": num(value),
        })
    return rows


def _step_words(step: str, label: str) -> str:
    """A step's label, with its kind named where the label alone is a remark (``(already bottom-up)``)."""
    return f"{_STEP_SHORT.get(step, step.replace('_', ' '))}: {label.strip('()')}" if label.startswith("(") else label


def reconciliation_summary(w: xr.Dataset, convention: str) -> str:
    """One templated sentence per waterfall: the published figure, orbitdc's full cost, their
    quotient and the biggest step."""
    values = np.asarray(w["value"].values, dtype=float)
    change = np.asarray(w["change"].values, dtype=float)
    big = int(np.argmax(np.abs(change[1:]))) + 1
    published, full = values[0], values[-1]
    ratio = full / published if published > 0 else float("nan")
    status = f"; verification: {w.attrs['verification']}" if w.attrs.get("verification") else ""
    return (f"{w.attrs['architecture']} ({w.attrs['source']}{status}; costing: {convention}): the published figure is "
            f"{num(published)} USD per kW-yr in its own scope ({w.attrs['included'].replace('_', ' ')}); orbitdc's "
            f"full cost of ownership on the same inputs is {num(full)} USD per kW-yr"
            + (f", {num(ratio)} times as much" if np.isfinite(ratio) else "")
            + f". The largest step is '{w['label'].values[big]}' ({'+' if change[big] >= 0 else '-'}{num(abs(change[big]))}).")


def published_waterfalls(names: Sequence[str] | None = None) -> dict[str, xr.Dataset | str]:
    """:func:`orbitdc.reconcile` of every published analysis (``data/architectures/published/``)
    with a claim marked ``reconcile: true``; the reason instead where it cannot be computed."""
    from .architectures import list_published
    from .reconciliation import reconcile

    out: dict[str, xr.Dataset | str] = {}
    for name in (names if names is not None else list_published()):
        try:
            out[name] = reconcile(name)
        except OrbitdcError as exc:
            out[name] = f"not computed: {exc}"
    return out


#: Short axis labels of the waterfall's first steps (the cost-item steps use the item's words).
_STEP_SHORT = {"published": "published", "published_arithmetic": "their arithmetic, orbitdc's mass",
               "model_in_published_scope": "orbitdc, own scope", "mass_basis": "mass basis",
               "finance": "finance", "availability": "availability"}


def waterfall_figure(w: xr.Dataset):
    """One waterfall of :func:`orbitdc.reconcile`: a bar per step from the running figure before it
    to the one after (the first from zero), in USD per kW-yr; rises and falls in two colours."""
    import holoviews as hv

    values = np.asarray(w["value"].values, dtype=float)
    before = np.concatenate([[0.0], values[:-1]])
    x = np.arange(values.size, dtype=float)
    up = values >= before
    y = plots._dim("cost", "USD per kW-yr")
    xd = plots._dim("step", "step")
    bars = []
    for mask, colour in ((up, "#c0504d"), (~up, "#4f81bd")):
        rects = [(x[i] - 0.4, before[i], x[i] + 0.4, values[i]) for i in np.flatnonzero(mask)]
        bars.append(hv.Rectangles(rects, kdims=[xd, y, "x1", "y1"]).opts(color=colour, line_color=None))
    ticks = [(float(i), _STEP_SHORT.get(str(s), str(s).replace("_", " "))) for i, s in enumerate(w["step"].values)]
    title = f"{w.attrs['architecture']}: published figure to orbitdc's full cost"
    return plots._opts(hv.Overlay(bars), title=title, xticks=ticks, xrotation=45, height=plots._HEIGHT + 40,
                       tools=[], show_legend=False)


def waterfalls_figure(waterfalls: dict[str, xr.Dataset | str] | None = None):
    """The waterfalls of every published analysis, one above the other (or Missing)."""
    import holoviews as hv

    waterfalls = published_waterfalls() if waterfalls is None else waterfalls
    figs = [waterfall_figure(w) for w in waterfalls.values() if isinstance(w, xr.Dataset)]
    if not figs:
        return plots.Missing("Reconciliation waterfalls", "not computed: " + "; ".join(map(str, waterfalls.values())))
    return hv.Layout(figs).cols(1)


def reconciliation_html(waterfalls: dict[str, xr.Dataset | str] | None = None):
    """The comparison with published analyses: per analysis, a sentence and the waterfall table
    from its published figure, term by term, to orbitdc's full-TCO figure (issue 12)."""
    waterfalls = published_waterfalls() if waterfalls is None else waterfalls
    parts = [f'<div id="{RECONCILIATION_ANCHOR}" class="orbitdc-reconciliation">',
             "<p>Each published analysis states one figure in its own scope. orbitdc runs the same architecture "
             "with the publication's own assumptions and walks, one term at a time, from that figure to orbitdc's "
             "levelised full cost of ownership per kW-yr of IT delivered; every step is a number, so a reader sees "
             "which assumption moves the figure and by how much. A published figure inside orbitdc's range of one "
             "metric does not confirm the analysis: the last row is the figure to set against the ground.</p>"]
    for name, w in waterfalls.items():
        if isinstance(w, str):
            parts.append(f"<p>{esc(name)}: {esc(w)}</p>")
            continue
        conv = costing_convention(name)
        parts.append(f"<h4>{esc(name)}</h4><p>{esc(reconciliation_summary(w, conv))}</p>")
        parts.append(table_html(reconciliation_rows(w), caption=f"{name}: from the published figure to orbitdc's full "
                                                                f"cost (claim '{w.attrs['claim']}')"))
    parts.append("</div>")
    return HTML("".join(parts))
