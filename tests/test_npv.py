"""Revenue and net present value (issue 12 item 3): revenue R0 per delivered kW-yr in year 1,
declining by d a year, received at year ends over the mission life T, discounted at the system's
WACC r, less the present value of every cost (the cost_breakdown total, annual / CRF):

    npv = R0 D sum_{t=1..T} (1 - d)^(t-1) / (1 + r)^t  -  annual / CRF(r, T)

with D the delivered kW (annual / cost_per_kw_year). With d = 0 the sum is 1 / CRF(r, T).
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

import orbitdc as odc
from orbitdc import economics as econ

ARCH = "spacex-starlink-compute"


def _delivered_kw(ds):
    return float(ds.annual_cost) / float(ds.cost_per_kw_year)


def test_npv_without_decline_by_hand():
    ds = odc.evaluate(ARCH, revenue_decline_rate=0.0, revenue_per_kw_year=30000.0)
    crf = float(econ.capital_recovery_factor(float(ds.space_wacc), float(ds.mission_lifetime)))
    expect = (30000.0 - float(ds.cost_per_kw_year)) * _delivered_kw(ds) / crf
    assert float(ds.npv) == pytest.approx(expect, rel=1e-10)


def test_npv_with_decline_by_explicit_sum():
    ds = odc.evaluate(ARCH, revenue_decline_rate=0.2, revenue_per_kw_year=25000.0, mission_lifetime=5.0)
    r, d, T = float(ds.space_wacc), 0.2, 5
    pv = sum((1 - d) ** (t - 1) / (1 + r) ** t for t in range(1, T + 1))
    crf = float(econ.capital_recovery_factor(r, T))
    expect = 25000.0 * _delivered_kw(ds) * pv - float(ds.annual_cost) / crf
    assert float(ds.npv) == pytest.approx(expect, rel=1e-10)


def test_terrestrial_architecture_npv_is_its_own():
    ds = odc.evaluate("terrestrial-hyperscale")
    assert float(ds.npv) == pytest.approx(float(ds.terrestrial_npv), rel=1e-12)


@settings(max_examples=10, deadline=None)
@given(d1=st.floats(0.0, 0.9), d2=st.floats(0.0, 0.9))
def test_faster_decline_never_raises_npv(d1, d2):
    lo, hi = sorted((d1, d2))
    a = float(odc.evaluate(ARCH, revenue_decline_rate=lo).npv)
    b = float(odc.evaluate(ARCH, revenue_decline_rate=hi).npv)
    assert b <= a + 1e-6 * abs(a)


@settings(max_examples=10, deadline=None)
@given(rev=st.floats(0.0, 1e5))
def test_npv_is_affine_in_revenue(rev):
    zero = odc.evaluate(ARCH, revenue_per_kw_year=0.0)
    ds = odc.evaluate(ARCH, revenue_per_kw_year=rev)
    one = odc.evaluate(ARCH, revenue_per_kw_year=1.0)
    slope = float(one.npv) - float(zero.npv)
    assert float(ds.npv) == pytest.approx(float(zero.npv) + slope * rev, rel=1e-9, abs=1e-3)
