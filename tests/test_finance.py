"""Time value of money (orbitdc._finance) against values derived by hand, once.

Capital recovery factor: Short, Packey & Holt (1995), NREL/TP-462-5173, eq. 4-7,
CRF = m i / (1 - (1 + i)^(-n m)), i = r / m.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitdc import _finance as F


def test_capital_recovery_factor_by_hand():
    # 8 % over 10 years: 1.08^10 = 2.158924997, 1 - 1/2.158924997 = 0.536806512,
    # 0.08 / 0.536806512 = 0.149029489 (the NREL manual's worked example gives 0.14903)
    assert float(F.capital_recovery_factor(0.08, 10.0)) == pytest.approx(0.1490294887, rel=1e-9)
    # no interest: capital repaid in equal parts, 1 / 10
    assert float(F.capital_recovery_factor(0.0, 10.0)) == 0.1
    # 12 % nominal, monthly, one year: i = 1 %, 1.01^-12 = 0.887449190, 12 x 0.01 / 0.112550810
    assert float(F.capital_recovery_factor(0.12, 1.0, 12.0)) == pytest.approx(1.0661854641, rel=1e-9)


def test_present_values_by_hand():
    # 1 USD a year for 10 years at 8 %: (1 - 1.08^-10) / 0.08 = 6.710081399
    assert float(F.annuity_present_value(0.08, 10.0)) == pytest.approx(6.7100813989, rel=1e-9)
    # declining 10 % a year at 10 %, two years: 1 / 1.1 + 0.9 / 1.21 = 1.652892562
    assert float(F.annuity_present_value(0.10, 2.0, 0.10)) == pytest.approx(1.6528925620, rel=1e-9)
    # q = (1 - d) / (1 + r) = 1: every payment is worth 1 / (1 + r), T of them
    assert float(F.annuity_present_value(0.05, 4.0, -0.05)) == pytest.approx(4.0 / 1.05, rel=1e-12)
    # three purchases two years apart at 10 %: 1 + 1.1^-2 + 1.1^-4 = 2.509459736
    assert float(F.repeated_purchases_present_value(0.10, 2.0, 3.0)) == pytest.approx(2.5094597363, rel=1e-9)
    assert float(F.repeated_purchases_present_value(0.0, 2.0, 3.0)) == 3.0
    # capital idle two years at 10 %: 1.1^2 - 1 = 0.21
    assert float(F.idle_growth(0.10, 2.0)) == pytest.approx(0.21, rel=1e-13)


@given(r=st.floats(1e-6, 0.5), n=st.floats(0.5, 60.0))
@settings(max_examples=80, deadline=None)
def test_crf_and_annuity_are_inverses_and_crf_exceeds_the_rate(r, n):
    crf = float(F.capital_recovery_factor(r, n))
    assert crf * float(F.annuity_present_value(r, n)) == pytest.approx(1.0, rel=1e-10)
    assert crf > r and crf > 1.0 / n  # repaying capital costs more than interest alone, and than no interest
    assert float(F.capital_recovery_factor(r, n + 1.0)) < crf


@given(r=st.floats(0.0, 0.3), tau=st.floats(0.5, 10.0), k=st.integers(1, 12))
@settings(max_examples=60, deadline=None)
def test_repeated_purchases_equal_their_sum(r, tau, k):
    direct = sum((1.0 + r) ** (-j * tau) for j in range(k))
    assert float(F.repeated_purchases_present_value(r, tau, k)) == pytest.approx(direct, rel=1e-10)


def test_crf_is_exact_near_zero_rate():
    # the log1p/expm1 form tends to 1/n without cancellation: CRF ~ 1/n + r/2 for small r
    crf = F.capital_recovery_factor(np.array([1e-12, 0.0]), 20.0)
    assert crf[1] == 0.05 and crf[0] == pytest.approx(0.05 + 0.5e-12, rel=1e-12)
