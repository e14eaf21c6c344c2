"""The report's sections by name: what a notebook shows with ``study.show(name)``.

Each entry is a function of a :class:`~orbitdc.report.study.Study` (and, for some, one argument)
returning something a notebook displays: an HTML block (:mod:`orbitdc.report.tables`,
:mod:`orbitdc.report.beliefs`, :mod:`orbitdc.report.published`, :mod:`orbitdc.report.methods`) or
a figure (:mod:`orbitdc.report.figures`, embedded or interactive as chosen with
:func:`orbitdc.report.figures.setup`). The notebooks hold no logic: they name the sections.
"""
from __future__ import annotations

from typing import Any, Callable

from ..trajectory import summary as trajectory_summary
from . import beliefs, figures, methods, published, tables



def _reconciliation(study: Any):
    """The costing convention of each architecture, then each published analysis' waterfall table."""
    waterfalls = published.published_waterfalls_of(study)
    return tables.HTML(published.costing_html(study).data + published.reconciliation_html(waterfalls).data)


def _trajectory_table(study: Any):
    """The year-by-year Monte Carlo in a table: P(cheaper) at the milestone years, the crossover."""
    mc = study.trajectory()
    if isinstance(mc, figures.Missing):
        return tables.HTML(mc.html())
    years = [int(y) for y in study.settings["figures"]["trajectory"]["milestone_years"]]
    nominal = study.trajectory(samples=False)
    frame = trajectory_summary(mc, years, nominal=nominal if not isinstance(nominal, figures.Missing) else None)
    return tables.HTML(frame.to_html(classes="orbitdc-table", border=0))


#: Figures by name: a function of the study returning a HoloViews object (or Missing).
FIGURES: dict[str, Callable[[Any], Any]] = {
    "headline": lambda s: figures.headline(s.trajectory()),
    "when": lambda s: figures.when_figure(s.trajectory()),
    "cost_vs_launch_price": lambda s: figures.cost_vs_launch_price(s.launch_price_sweep(), s.compare()),
    "cost_ratio_distribution": lambda s: figures.cost_ratio_distribution(s.monte_carlo()),
    "waterfalls": lambda s: published.waterfalls_figure(published.published_waterfalls_of(s)),
    "eclipse_year": lambda s: figures.eclipse_year(s.orbit_year()),
    "area_per_mw": lambda s: figures.area_per_mw(s.compare()),
    "radiator_vs_temperature": lambda s: figures.radiator_vs_temperature(s.radiator_sweep()),
    "mass_budget": lambda s: figures.mass_budget(s.compare()),
    "deployment_timeline": lambda s: figures.deployment_timeline(s.compare(), s.monte_carlo(compute=False)),
    "co2_per_kwh": lambda s: figures.co2_per_kwh(s.compare()),
    "cost_stack": lambda s: figures.cost_stack(s.compare()),
    "tornados": lambda s: figures.tornados(s.sensitivity()),
    "cost_ratio_by_year": lambda s: figures.cost_ratio_by_year(s.trajectory()),
    "it_power_by_year": lambda s: figures.it_power_by_year(s.trajectory(samples=False)),
}

#: Tables and text blocks by name: a function of the study (and of the extra arguments of
#: ``study.show``) returning displayable HTML.
BLOCKS: dict[str, Callable[..., Any]] = {
    "answer": tables.answer_html,
    "models": tables.models_html,
    "whose": beliefs.whose_html,
    "summary": tables.summary,
    "assumptions": tables.assumptions_html,
    "methods": lambda study: methods.all_methods_html(),
    "claims": published.claims_html,
    "reconciliation": _reconciliation,
    "limitations": tables.limitations_html,
    "stage": tables.stage_table,
    "monte_carlo_table": tables.mc_table,
    "trajectory_table": _trajectory_table,
    "binding_limits": lambda s: tables.binding_limit_table(s.trajectory(samples=False)),
    "workloads": tables.workloads_html,
}


def _shown(make: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda study: figures.show(make(study))


#: Every section by name (what ``study.show(name, ...)`` returns): the blocks, and the figures
#: displayed (embedded in the HTML report, interactive in JupyterLab).
SECTIONS: dict[str, Callable[..., Any]] = {**BLOCKS, **{name: _shown(make) for name, make in FIGURES.items()}}
