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

from . import plots
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
# Issue 12: costing conventions and the reconciliation with published analyses
# --------------------------------------------------------------------------------------------
def costing_convention(arch) -> str:
    """``mass`` or ``subsystem``: the ``costing`` parameter of an architecture (its file or the
    default of data/defaults/economics.yaml)."""
    from .parameters import load_architecture

    arch = load_architecture(arch)
    p = arch.parameters.get("costing")
    return str(p.value) if p is not None else "mass"


def costing_rows(names: Sequence[Any], overrides: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """One row per space architecture (names, paths or loaded Architectures): its costing
    convention in words (an override of ``costing`` in the report's settings wins)."""
    from .parameters import load_architecture

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
    for i, step in enumerate(w["step"].values):
        change = float(w["change"].values[i])
        value = float(w["value"].values[i])
        rows.append({
            "step": "published figure" if i == 0 else _step_words(str(step), str(w["label"].values[i])),
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
    return (f"{w.attrs['architecture']} ({w.attrs['source']}; costing: {convention}): the published figure is "
            f"{num(published)} USD per kW-yr in its own scope ({w.attrs['included'].replace('_', ' ')}); orbitdc's "
            f"full cost of ownership on the same inputs is {num(full)} USD per kW-yr"
            + (f", {num(ratio)} times as much" if np.isfinite(ratio) else "")
            + f". The largest step is '{w['label'].values[big]}' ({'+' if change[big] >= 0 else '-'}{num(abs(change[big]))}).")


def published_waterfalls(names: Sequence[str] | None = None) -> dict[str, xr.Dataset | str]:
    """:func:`orbitdc.reconcile` of every published analysis (``data/architectures/published/``)
    with a claim marked ``reconcile: true``; the reason instead where it cannot be computed."""
    from .parameters import list_published
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
