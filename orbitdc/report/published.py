"""Published figures against orbitdc: the claims table, the costing convention of each
architecture, and the reconciliation of each published analysis with orbitdc's full cost of
ownership (:func:`orbitdc.reconcile`, a waterfall per analysis; issue 12).

The numbers come from orbitdc (``evaluate``, :func:`orbitdc.reconcile`); the words from
:mod:`orbitdc.report.wording`; the tables from :func:`orbitdc.report.tables.table_html`.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import xarray as xr

from .. import formatting
from ..architectures import list_published, load_architecture
from ..chain import evaluate
from ..errors import OrbitdcError
from ..reconciliation import reconcile, verification_of  # how a claim's source was checked (issue 28)
from . import figures
from .record import value_of
from .tables import HTML, esc, named, table_html
from .wording import RECONCILIATION_STEPS, fmt, missing_cell, num, title



#: The costing conventions (``costing`` parameter, issue 12) in words.
COSTING_WORDS = {
    "mass": "mass-based: the bus at a cost per kg, with a learning curve on cumulative production",
    "subsystem": "per subsystem: array per W, radiator per m2, battery per kWh, avionics and integration per MW, "
                 "the rest of the bus per kg",
}


# --------------------------------------------------------------------------------------------
# Published claims on the report's architectures
# --------------------------------------------------------------------------------------------


#: Anchor of the reconciliation section (:func:`reconciliation_html` builds it; the claims table points to it).
RECONCILIATION_ANCHOR = "published-reconciliation"


def claims_html(study: Any):
    """Published claims on the architectures of this report against the model's results, with
    orbitdc's full-cost ratio beside each (a claim's metric inside its range is not a confirmation:
    the reconciliation of the published analyses, :mod:`orbitdc.report.sections`, walks from each
    published figure to the full cost)."""

    rows = []
    cache: dict[str, Any] = {}
    cmp = study.compare()
    for c in study.settings["claims"]:
        arch = c["architecture"]
        if arch not in study.names:  # only the architectures of this report
            continue
        row = {"source": c["source"], "verification": verification_of(c["source"]), "claim": c["claim"],
               "architecture": title(arch),
               "variable": named(formatting.label(c["variable"]), c["variable"]),
               "claimed": f"{fmt(c['low'])}" + ("" if c["low"] == c["high"] else f" - {fmt(c['high'])}") + f" {c['unit'] if c['unit'] != '1' else ''}"}
        try:
            if arch not in cache:
                cache[arch] = evaluate(arch)
            ds = cache[arch]
        except OrbitdcError as exc:
            row["model"] = f"not computed: {exc}"
            rows.append(row)
            continue
        v = value_of(ds, c["variable"], c["unit"]) if c["variable"] in ds else float("nan")
        if not np.isfinite(v):
            row["model"] = missing_cell(c["variable"])
        else:
            lo, hi = float(c["low"]), float(c["high"])
            where = ("inside the claimed range on this metric alone" if lo <= v <= hi
                     else (f"{fmt(v / hi)}x the top of the claim" if v > hi else f"{fmt(v / lo)}x the bottom of the claim"))
            row["model"] = f"{fmt(v)} ({where})"
        full = value_of(cmp.sel(architecture=arch), "cost_ratio_vs_terrestrial")
        row["orbitdc full cost vs ground"] = f"{fmt(full)}x (nominal)" if np.isfinite(full) else "n/a"
        rows.append(row)
    pointer = (f'<p>Only claims on the architectures of this report are listed. For the published analyses '
               f'(Suncatcher, Starcloud, McCalip), the <a href="#{RECONCILIATION_ANCHOR}">reconciliation with published '
               f'analyses</a> walks from each published figure, term by term, to orbitdc\'s full cost of ownership.</p>')
    if not rows:
        return HTML("<p>No published claim concerns the architectures of this report.</p>" + pointer)
    return HTML(table_html(rows, caption="Published claims against this model (each architecture at its own defaults)",
                           headers={"variable": "quantity"})
                + pointer)


# --------------------------------------------------------------------------------------------
# Costing conventions
# --------------------------------------------------------------------------------------------


def costing_convention(arch) -> str:
    """``mass`` or ``subsystem``: the ``costing`` parameter of an architecture (its file or the
    default of data/defaults/economics.yaml)."""

    arch = load_architecture(arch)
    p = arch.parameters.get("costing")
    return str(p.value) if p is not None else "mass"


def costing_rows(names: Sequence[Any], overrides: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """One row per space architecture (names, paths or loaded Architectures): its costing
    convention in words (an override of ``costing`` in the report's settings wins)."""

    rows = []
    for name in names:
        arch = load_architecture(name)
        if arch.kind != "space":
            continue
        conv = str((overrides or {}).get("costing", costing_convention(arch)))
        rows.append({"architecture": title(arch.name, arch.company), "costing convention": conv,
                     "what it means": COSTING_WORDS.get(conv, conv)})
    return rows


def costing_html(study: Any):
    """The costing convention (mass | subsystem) of every space architecture of the report."""
    rows = costing_rows(study.archs, study.overrides)  # loaded: a user's file need not be findable by name
    return HTML(table_html(rows, ("architecture", "costing convention", "what it means"),
                           caption="Costing convention of each space architecture (parameter costing)"))


# --------------------------------------------------------------------------------------------
# The reconciliation with published analyses
# --------------------------------------------------------------------------------------------


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
    return f"{RECONCILIATION_STEPS.get(step, step.replace('_', ' '))}: {label.strip('()')}" if label.startswith("(") else label


def reconciliation_summary(w: xr.Dataset, convention: str) -> str:
    """One templated sentence per waterfall: the published figure, orbitdc's full cost, their
    quotient and the biggest step."""
    values = np.asarray(w["value"].values, dtype=float)
    change = np.asarray(w["change"].values, dtype=float)
    big = int(np.argmax(np.abs(change[1:]))) + 1
    published, full = values[0], values[-1]
    ratio = full / published if published > 0 else float("nan")
    status = f"; verification: {w.attrs['verification']}" if w.attrs.get("verification") else ""
    return (f"{title(w.attrs['architecture'])} ({w.attrs['source']}{status}; costing: {convention}): the published figure is "
            f"{num(published)} USD per kW-yr in its own scope ({w.attrs['included'].replace('_', ' ')}); orbitdc's "
            f"full cost of ownership on the same inputs is {num(full)} USD per kW-yr"
            + (f", {num(ratio)} times as much" if np.isfinite(ratio) else "")
            + f". The largest step is '{w['label'].values[big]}' ({'+' if change[big] >= 0 else '-'}{num(abs(change[big]))}).")


def published_waterfalls(names: Sequence[str] | None = None) -> dict[str, xr.Dataset | str]:
    """:func:`orbitdc.reconcile` of every published analysis (``data/architectures/published/``)
    with a claim marked ``reconcile: true``; the reason instead where it cannot be computed."""

    out: dict[str, xr.Dataset | str] = {}
    for name in (names if names is not None else list_published()):
        try:
            out[name] = reconcile(name)
        except OrbitdcError as exc:
            out[name] = f"not computed: {exc}"
    return out


def published_waterfalls_of(study: Any) -> dict[str, xr.Dataset | str]:
    """:func:`published_waterfalls`, computed once per Study (the table and the figure share it)."""
    return study._cached("published_waterfalls", published_waterfalls)


def waterfalls_figure(waterfalls: dict[str, xr.Dataset | str] | None = None):
    """The waterfalls of every published analysis (:func:`orbitdc.report.figures.waterfalls`), one
    above the other; computed with :func:`published_waterfalls` when not given."""
    return figures.waterfalls(published_waterfalls() if waterfalls is None else waterfalls)


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
        parts.append(f"<h4>{esc(title(name))}</h4><p>{esc(reconciliation_summary(w, conv))}</p>")
        parts.append(table_html(reconciliation_rows(w), caption=f"{name}: from the published figure to orbitdc's full "
                                                                f"cost (claim '{w.attrs['claim']}')"))
    parts.append("</div>")
    return HTML("".join(parts))
