"""Lives and finance conventions (issue 12 item 3), each against a hand-derived value.

Levelised cost (economics module docstring): ``cost_per_kw_year = annual / (P_IT x delivered)``,
with ``delivered = availability x utilisation x (1 - spare) x (1 - overhead)`` in orbit and
``a_t x u_t x c_t x (1 - s_t) x (1 - o_t)`` on the ground; every capital recovery factor uses
``payments_per_year`` m: ``CRF = m i / (1 - (1 + i)^(-n m))``, ``i = r / m``
(Short, Packey & Holt 1995 with m payments a year).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import orbitdc as odc
from orbitdc import economics as econ

SPACE = "spacex-starlink-compute"
GROUND = "terrestrial-hyperscale"


@pytest.fixture(scope="module")
def space():
    return odc.evaluate(SPACE)


@pytest.fixture(scope="module")
def ground():
    return odc.evaluate(GROUND)


def _item(ds, name):
    return float(ds.cost_breakdown.sel(cost_item=name))


def test_monthly_payments_crf_by_hand():
    # 8 %/yr, 5 yr, monthly: i = 0.0066667, n = 60: payment factor 0.0202764 per month -> 0.243317 /yr
    i = 0.08 / 12
    hand = 12 * i / (1 - (1 + i) ** -60)
    assert hand == pytest.approx(0.243317, rel=1e-5)
    assert float(econ.capital_recovery_factor(0.08, 5, 12)) == pytest.approx(hand, rel=1e-12)


def test_payments_per_year_in_the_chain(ground):
    """Ground hardware annual cost = H x CRF(r, T_hw, m): the hardware item of the annual cost moves by
    the ratio of the CRFs, the energy bill does not."""
    monthly = odc.evaluate(GROUND, payments_per_year=12)
    r, t = float(ground.terrestrial_wacc), float(ground.terrestrial_compute_lifetime)
    ratio_hw = float(econ.capital_recovery_factor(r, t, 12)) / float(econ.capital_recovery_factor(r, t, 1))
    # breakdown items are present values at the same m: annual item / CRF(r, life, m)
    tl = float(ground.mission_lifetime)
    pv = lambda ds, m: _item(ds, "compute_hardware") * float(econ.capital_recovery_factor(r, tl, m))  # noqa: E731
    assert pv(monthly, 12) == pytest.approx(pv(ground, 1) * ratio_hw, rel=1e-12)
    assert pv(monthly, 12) / pv(ground, 1) < 1.0  # paying monthly costs less than paying a year in arrears
    assert _item(monthly, "electricity") * float(econ.capital_recovery_factor(r, tl, 12)) == pytest.approx(
        _item(ground, "electricity") * float(econ.capital_recovery_factor(r, tl, 1)), rel=1e-12)


def test_space_compute_lifetime_moves_only_the_space_capital_recovery(space):
    # Without on-orbit servicing a satellite retires with its compute (issue 14), so the compute,
    # the bus and the launch are all recovered over min(space_compute_lifetime, mission_lifetime):
    # each of them scales by CRF(r, min(3, L)) / CRF(r, min(T_before, L)); operations and the
    # ground do not move.
    longer = odc.evaluate(SPACE, space_compute_lifetime=3.0)
    r = float(space.space_wacc)
    life = float(space.mission_lifetime)
    t_before = min(float(space.space_compute_lifetime), life)
    ratio = float(econ.capital_recovery_factor(r, min(3.0, life))) / float(econ.capital_recovery_factor(r, t_before))
    for item in ("compute_hardware", "satellite_bus", "launch"):
        assert _item(longer, item) == pytest.approx(_item(space, item) * ratio, rel=1e-12), item
    assert float(longer.terrestrial_cost_per_kw_year) == float(space.terrestrial_cost_per_kw_year)
    assert _item(longer, "operations") == _item(space, "operations")


def test_terrestrial_compute_lifetime_moves_only_the_ground(space):
    ds = odc.evaluate(SPACE, terrestrial_compute_lifetime=3.0)
    assert float(ds.cost_per_kw_year) == float(space.cost_per_kw_year)
    assert float(ds.terrestrial_cost_per_kw_year) > float(space.terrestrial_cost_per_kw_year)


@settings(max_examples=15, deadline=None)
@given(u=st.floats(min_value=0.05, max_value=1.0))
def test_utilisation_divides_the_space_unit_cost(u):
    base = odc.evaluate(SPACE)
    ds = odc.evaluate(SPACE, utilisation=u)
    assert float(ds.cost_per_kw_year) * u == pytest.approx(float(base.cost_per_kw_year), rel=1e-12)
    assert float(ds.terrestrial_cost_per_kw_year) == float(base.terrestrial_cost_per_kw_year)
    assert float(ds.annual_cost) == float(base.annual_cost)


@settings(max_examples=15, deadline=None)
@given(u=st.floats(min_value=0.05, max_value=1.0))
def test_terrestrial_utilisation_divides_the_ground_unit_cost(u):
    base = odc.evaluate(SPACE)
    ds = odc.evaluate(SPACE, terrestrial_utilisation=u)
    assert float(ds.terrestrial_cost_per_kw_year) * u == pytest.approx(float(base.terrestrial_cost_per_kw_year), rel=1e-12)
    assert float(ds.cost_per_kw_year) == float(base.cost_per_kw_year)


def test_capacity_factor_by_hand(ground):
    """Ground at capacity factor c: energy (electricity + water) x c, delivered x c:
    cost(c) = (A - E + c E) / (P a c)."""
    c = 0.6
    ds = odc.evaluate(GROUND, terrestrial_capacity_factor=c)
    r, tl = float(ground.terrestrial_wacc), float(ground.mission_lifetime)
    crf = float(econ.capital_recovery_factor(r, tl))
    energy = (_item(ground, "electricity") + _item(ground, "water")) * crf
    annual = float(ground.annual_cost)
    delivered = float(ground.it_power) * float(ground.availability)
    assert float(ds.cost_per_kw_year) == pytest.approx((annual - energy + c * energy) / (delivered * c), rel=1e-12)


@pytest.mark.parametrize("name", ["space_spare_compute_fraction", "space_compute_overhead_fraction"])
def test_space_spare_and_overhead_scale_delivery(space, name):
    ds = odc.evaluate(SPACE, **{name: 0.2})
    assert float(ds.cost_per_kw_year) == pytest.approx(float(space.cost_per_kw_year) / 0.8, rel=1e-12)
    assert float(ds.capex) == float(space.capex)


@pytest.mark.parametrize("name", ["terrestrial_spare_compute_fraction", "terrestrial_compute_overhead_fraction"])
def test_ground_spare_and_overhead_scale_delivery(space, name):
    ds = odc.evaluate(SPACE, **{name: 0.1})
    assert float(ds.terrestrial_cost_per_kw_year) == pytest.approx(float(space.terrestrial_cost_per_kw_year) / 0.9, rel=1e-12)
    assert float(ds.cost_per_kw_year) == float(space.cost_per_kw_year)


@settings(max_examples=10, deadline=None)
@given(a=st.floats(min_value=0.3, max_value=1.0))
def test_imposed_availability(a):
    base = odc.evaluate(SPACE)
    ds = odc.evaluate(SPACE, impose_availability=True, imposed_availability=a)
    assert float(ds.availability) == a
    assert float(ds.cost_per_kw_year) * a == pytest.approx(float(base.cost_per_kw_year) * float(base.availability), rel=1e-12)


def test_imposed_availability_off_by_default(space):
    assert not bool(space.impose_availability)
    assert float(space.availability) != float(space.imposed_availability)


def test_signed_breakeven_and_flag(space):
    """Every shipped space design is dearer than the ground before launch: a negative price, flagged."""
    p = float(space.breakeven_launch_price)
    assert bool(space.breakeven_unreachable) == (p <= 0)
    r = [float(odc.evaluate(SPACE, launch_price_per_kg=x).cost_ratio_vs_terrestrial) for x in (0.0, 500.0)]
    assert r[0] + (r[1] - r[0]) * p / 500.0 == pytest.approx(1.0, rel=1e-9)


def test_breakeven_nan_only_when_undefined():
    ds = odc.evaluate(SPACE, satellite_it_power=[100.0, 1e5])  # the second cannot be built
    assert math.isfinite(float(ds.breakeven_launch_price[0]))
    assert np.isinf(float(ds.cost_ratio_vs_terrestrial[1])) and math.isnan(float(ds.breakeven_launch_price[1]))
