"""The feasibility report, on the top floor of orbitdc with the app and the command line.

A notebook's one door is :class:`~orbitdc.report.study.Study`: it computes (``compare``, sweeps, Monte Carlo, tornado,
the year-by-year model; each once, cached under a key of everything that determines it) and shows
the report's sections by name (``study.show("answer")``, ``study.show("stage", "orbit")``)::

    from orbitdc.report import Study
    study = Study(["spacex-starlink-compute", "terrestrial-hyperscale"], samples=400, static=False)
    study.show("answer")

``orbitdc report`` is :func:`~orbitdc.report.builder.main` / :func:`~orbitdc.report.builder.build`. The modules, each named after what it does:

==================  ===========================================================================
``study``           :class:`~orbitdc.report.study.Study`: the computations of one report, cached by key; its sections
``record``          the numbers said about each architecture (Monte Carlo shares, quantiles, what
                    binds, the crossover), computed once
``wording``         every verdict, constraint and sentence -- the report's, the app's and the CLI's
``sections``        the report's sections by name (what ``Study.show`` returns)
``tables``          HTML tables: executive summary, stage outputs, Monte Carlo, assumptions
``figures``         HoloViews figures (bokeh), embedded or interactive
``beliefs``         the year-by-year answer under each scenario's figures ("under whose beliefs?")
``published``       published claims, costing conventions, reconciliation waterfalls
``methods``         the stages' docstrings as the Methods appendix (reST -> HTML + MathML)
``settings``        data/report.yaml: thresholds, defaults, figure grids, claims
``builder``         ``orbitdc report``: validation, the notebooks, provenance, the atomic build
``workers``         the papermill worker processes, supervised
``page``            executed notebooks -> one self-contained HTML page (contents, appendix, footer)
``pdf``             the page printed to PDF by headless Chromium
``folder``          the report folder: manifest, what may be replaced, atomic placement
==================  ===========================================================================

Numbers are written by :mod:`orbitdc.formatting` everywhere. The names below were the flat
``orbitdc.report`` module's and stay importable from here.
"""
from __future__ import annotations

import importlib
from typing import Any

#: Where each name of the package lives. Imported on first use (PEP 562), so that a module of the
#: family that needs none of them -- the papermill worker process, ``python -m
#: orbitdc.report.workers``, one per notebook -- does not import HoloViews, Bokeh and Panel
#: (~4 s) through this file before it starts.
_WHERE = {
    "parse_assignment": "..arguments",
    "NOTEBOOK_DIR": "..parameters",
    **dict.fromkeys(("DEFAULT_OUT", "PAGE_ORDER", "ROOT", "STAGE_NOTEBOOKS", "SUMMARY_NOTEBOOK", "NotebookFailed",
                     "build", "literal_parameters", "main", "provenance", "run_notebooks"), ".builder"),
    **dict.fromkeys(("all_methods_html", "methods_html"), ".methods"),
    **dict.fromkeys(("TEMPLATE_DIR", "combine", "export_html", "external_references"), ".page"),
    "claims_html": ".published",
    "lifetime_dose": ".record",
    **dict.fromkeys(("_OK_TYPES", "Study", "validate"), ".study"),
    **dict.fromkeys(("HTML", "MC_OUTPUTS", "answer_html", "assumptions_html", "esc", "limitations_html", "mc_table",
                     "stage_table", "summary", "summary_html", "summary_rows", "table_html"), ".tables"),
    **dict.fromkeys(("fmt", "verdict"), ".wording"),
}

# ``settings`` is both a submodule and the function it defines: bound here, after the submodule's
# import, so that the package's ``settings`` is the function whoever imports the submodule first
# (the submodule imports only the YAML reader).
from .settings import SETTINGS_FILE, settings, threshold  # noqa: E402,F401

__all__ = [
    "DEFAULT_OUT", "HTML", "MC_OUTPUTS", "NOTEBOOK_DIR", "PAGE_ORDER", "SETTINGS_FILE", "STAGE_NOTEBOOKS",
    "SUMMARY_NOTEBOOK", "TEMPLATE_DIR", "NotebookFailed", "Study", "all_methods_html", "answer_html", "assumptions_html",
    "build", "claims_html", "combine", "esc", "export_html", "external_references", "fmt", "lifetime_dose",
    "limitations_html", "literal_parameters", "main", "mc_table", "methods_html", "provenance", "run_notebooks",
    "settings", "stage_table", "summary", "summary_html", "summary_rows", "table_html", "threshold", "validate",
    "verdict",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value  # once: the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
