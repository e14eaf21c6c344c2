"""Infeasible designs never turn into NaN (issue 13, item 5).

A design that cannot be built (the mass budget does not close) or launched (no vehicle carries a
satellite) has an unbounded cost: capex, opex, annual cost, cost per kW-year, per accelerator-hour
and the cost ratio are documented ``+inf``, the break-even launch price is "unreachable", and
summaries count such samples instead of dropping them.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import orbitdc as odc
from orbitdc.uncertainty import probability_cheaper, summarize

COSTS = ("capex", "opex", "annual_cost", "cost_per_kw_year", "cost_per_accelerator_hour", "cost_ratio_vs_terrestrial")


def test_mass_that_does_not_close_costs_infinity():
    # at 160 km the drag make-up propellant over the life exceeds what the dry mass can carry
    ds = odc.evaluate("spacex-starlink-compute", altitude=160)
    assert not bool(ds["feasible"]) and str(ds["binding_constraint"].values) == "mass_closure"
    for name in COSTS:
        assert math.isinf(float(ds[name])) and float(ds[name]) > 0, name
    assert bool(ds["breakeven_unreachable"]) and math.isnan(float(ds["breakeven_launch_price"]))


@settings(max_examples=25, deadline=None)
@given(altitude=st.floats(160.0, 2000.0), price=st.floats(0.0, 20_000.0))
def test_costs_are_never_nan_over_the_design_space(altitude, price):
    ds = odc.evaluate("blue-origin-orbital-dc", altitude=altitude, launch_price_per_kg=price)
    for name in COSTS:
        v = float(ds[name])
        assert not math.isnan(v), name
    if bool(ds["feasible"]):
        assert all(math.isfinite(float(ds[n])) for n in COSTS)


def test_monte_carlo_has_no_nan_costs():
    # Blue Origin's draws are mostly infeasible (total dose, launch mass): 64 % were NaN before
    mc = odc.monte_carlo("blue-origin-orbital-dc", samples=1000, seed=0)
    for name in COSTS:
        assert not np.isnan(mc[name].values).any(), name
    s = summarize(mc, ["cost_ratio_vs_terrestrial"])
    assert float(s["feasible_fraction"]) == pytest.approx(float(mc["feasible"].mean()))
    assert float(s["undefined_fraction"].sel(output="cost_ratio_vs_terrestrial")) == 0.0


def _hand(ratios, feasible):
    return xr.Dataset({
        "cost_ratio_vs_terrestrial": ("sample", np.asarray(ratios, dtype=float), {"units": "1"}),
        "feasible": ("sample", np.asarray(feasible, dtype=bool)),
    })


def test_probability_counts_every_sample():
    # 4 samples: one cheaper, one infeasible (inf), one undefined (NaN), one dearer: P = 1/4, not 1/3
    ds = _hand([0.5, np.inf, np.nan, 2.0], [True, False, True, True])
    assert float(probability_cheaper(ds)) == pytest.approx(0.25)


def test_summary_reports_undefined_and_feasible_shares():
    ds = _hand([0.5, np.inf, np.nan, 2.0], [True, False, True, True])
    s = summarize(ds, ["cost_ratio_vs_terrestrial"], quantiles=[0.5])
    assert float(s["undefined_fraction"].sel(output="cost_ratio_vs_terrestrial")) == pytest.approx(0.25)
    assert float(s["feasible_fraction"]) == pytest.approx(0.75)
    # the median of {0.5, 2, inf}: the infeasible sample is in the distribution, not dropped
    assert float(s["cost_ratio_vs_terrestrial"].sel(quantile=0.5)) == pytest.approx(2.0)
