"""Wright's law (orbitdc._learning) against values derived by hand, once.

Convention: a learning rate r means unit cost x (1 - r) per doubling of cumulative output, so the
exponent is b = log2(1 - r) (T. P. Wright 1936, J. Aeronautical Sciences 3(4) 122-128).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitdc import _learning as L


def test_exponent_by_hand():
    # b = ln(0.8) / ln(2) = -0.22314355131 / 0.69314718056 = -0.32192809489
    assert float(L.exponent(0.2)) == pytest.approx(-0.3219280948873623, rel=1e-15)
    assert float(L.exponent(0.0)) == 0.0          # no learning
    assert float(L.exponent(0.5)) == -1.0         # cost halves per doubling: c ~ 1/Q


def test_unit_cost_per_doubling():
    # two doublings at 20 %: 100 x 0.8 x 0.8 = 64; three at 10 %: 100 x 0.9^3 = 72.9
    assert float(L.unit_cost(100.0, 4.0, 1.0, 0.2)) == pytest.approx(64.0, rel=1e-14)
    assert float(L.unit_cost(100.0, 8.0, 1.0, 0.1)) == pytest.approx(72.9, rel=1e-14)
    # with a floor of 20 only the 180 above it learns: 20 + 180 x 0.64 = 135.2
    assert float(L.unit_cost(200.0, 4.0, 1.0, 0.2, floor=20.0)) == pytest.approx(135.2, rel=1e-14)


def test_cumulative_at_cost_inverts_unit_cost():
    # 64 is reached after two doublings (Q = 4), 135.2 with the floor of 20 too
    assert float(L.cumulative_at_cost(64.0, 100.0, 1.0, 0.2)) == pytest.approx(4.0, rel=1e-13)
    assert float(L.cumulative_at_cost(135.2, 200.0, 1.0, 0.2, floor=20.0)) == pytest.approx(4.0, rel=1e-13)


def test_average_cost_by_hand():
    # over [Q0, 2 Q0]: (1 + x)^(b+1) with x = 1 is 2^(1 + log2 0.8) = 2 x 0.8 = 1.6, so the average is
    # c(Q0) (1.6 - 1) / (b + 1) = c(Q0) 0.6 / 0.678071905112638
    b1 = 1.0 + math.log2(0.8)
    assert float(L.average_cost(100.0, 1.0, 2.0, 1.0, 0.2)) == pytest.approx(100.0 * 0.6 / b1, rel=1e-14)
    # the same interval one doubling later costs 0.8 of that: c(2) = 80
    assert float(L.average_cost(100.0, 2.0, 4.0, 1.0, 0.2)) == pytest.approx(80.0 * 0.6 / b1, rel=1e-14)
    # r = 50 % (b = -1): the mean of 1/Q over [1, 2] is ln 2
    assert float(L.average_cost_factor(1.0, 0.5)) == pytest.approx(math.log(2.0), rel=1e-12)
    assert float(L.average_cost_factor(0.0, 0.2)) == 1.0  # nothing more built: the unit cost


def test_total_cost_of_an_endless_run_is_finite_only_for_steep_learning():
    # r = 75 %: b = -2, the cost of Q^-2 over [1, inf) is 1 (one reference unit cost x lot)
    assert float(L.total_cost_factor(np.inf, 0.75)) == pytest.approx(1.0, rel=1e-14)
    assert float(L.total_cost_factor(np.inf, 0.2)) == np.inf
    # finite runs: ((1 + x)^(b+1) - 1) / (b + 1) = x times the average factor
    assert float(L.total_cost_factor(3.0, 0.2)) == pytest.approx(3.0 * float(L.average_cost_factor(3.0, 0.2)), rel=1e-13)


def test_price_margin_and_learned_price_by_hand():
    # a USD 500/kg market price at a 1.5 margin is a 200 cost; two doublings at 20 % above a
    # 20 floor: 20 + 180 x 0.64 = 135.2 of cost, 135.2 x 2.5 = 338 of price
    assert float(L.price(100.0, 1.5)) == 250.0 and float(L.price(100.0, 1.5, True)) == 100.0
    assert float(L.cost_of_price(500.0, 1.5)) == pytest.approx(200.0, rel=1e-15)
    assert float(L.learned_price(500.0, 4.0, 1.0, 0.2, floor=20.0, margin=1.5)) == pytest.approx(338.0, rel=1e-14)
    # vertically integrated: the start price is the cost, no margin on top: 20 + 480 x 0.64 = 327.2
    assert float(L.learned_price(500.0, 4.0, 1.0, 0.2, floor=20.0, margin=1.5, vertically_integrated=True)) \
        == pytest.approx(327.2, rel=1e-14)
    # a start cost at or below the floor does not learn
    assert float(L.learned_price(10.0, 4.0, 1.0, 0.2, floor=20.0)) == 10.0


@given(r=st.floats(0.0, 0.9), q0=st.floats(0.1, 100.0), span=st.floats(0.01, 50.0))
@settings(max_examples=60, deadline=None)
def test_average_cost_is_the_mean_of_the_unit_cost(r, q0, span):
    # the closed form equals a fine numerical mean of c(Q) over [q0, q0 + span]: Simpson's rule
    # in u = ln Q (c(Q) dQ = c(e^u) e^u du is smooth even where c is steep near a small q0)
    u = np.linspace(np.log(q0), np.log(q0 + span), 2001)
    f = L.unit_cost(1.0, np.exp(u), 1.0, r) * np.exp(u)
    h = u[1] - u[0]
    simpson = h / 3.0 * (f[0] + f[-1] + 4.0 * f[1:-1:2].sum() + 2.0 * f[2:-1:2].sum()) / span
    assert float(L.average_cost(1.0, q0, q0 + span, 1.0, r)) == pytest.approx(simpson, rel=1e-6)


@given(r=st.floats(0.0, 0.95), q=st.floats(1.0, 1e6), floor=st.floats(0.0, 50.0))
@settings(max_examples=60, deadline=None)
def test_unit_cost_never_rises_and_never_crosses_the_floor(r, q, floor):
    c1 = float(L.unit_cost(100.0, q, 1.0, r, floor=floor))
    c2 = float(L.unit_cost(100.0, 2.0 * q, 1.0, r, floor=floor))
    assert floor - 1e-9 <= c2 <= c1 + 1e-9
    # each doubling takes r of what lies above the floor
    assert c2 - floor == pytest.approx((1.0 - r) * (c1 - floor), rel=1e-9, abs=1e-12)
