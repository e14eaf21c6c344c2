r"""Time value of money, written once: capital recovery, present values, growth of idle capital.

Capital recovery factor (Short, Packey & Holt 1995, *A Manual for the Economic Evaluation of
Energy Efficiency and Renewable Energy Technologies*, NREL/TP-462-5173, eq. 4-7): the level annual
payment that repays 1 USD of capital at a nominal annual rate :math:`r` compounded :math:`m` times a
year over :math:`n` years (:math:`m` payments a year, rate per period :math:`i = r / m`):

.. math:: \mathrm{CRF}(r, n) = \frac{m\, i}{1 - (1 + i)^{-n m}} \qquad (1/n \text{ at } r = 0)

Its inverse is the present value of 1 USD a year. A stream declining by :math:`d` a year, received
at each year end over :math:`T` years, is worth

.. math:: \sum_{t=1}^{T} \frac{(1 - d)^{t-1}}{(1 + r)^t} = \frac{1 - q^T}{(1 + r)(1 - q)},
          \qquad q = \frac{1 - d}{1 + r} \quad (T / (1 + r) \text{ when } q = 1)

Purchases of 1 USD repeated every :math:`\tau` years, :math:`k + 1` of them starting now, are worth
:math:`\sum_{j=0}^{k} (1 + r)^{-j\tau} = (1 - x^{k+1}) / (1 - x)` with :math:`x = (1 + r)^{-\tau}`
(:math:`k + 1` at :math:`r = 0`). Capital idle for :math:`t` years costs :math:`(1 + r)^t - 1`.

Every form is written with ``log1p``/``expm1`` so that it is exact near :math:`r = 0`. Plain numpy,
unit-free (rates per year, times in years); below every stage: imports nothing from orbitdc.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def capital_recovery_factor(rate: Any, years: Any, periods_per_year: Any = 1.0) -> np.ndarray:
    """Capital recovery factor [1/yr] (module docstring); ``rate`` per year, ``years`` in years."""
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    i = rate / periods_per_year
    periods = years * periods_per_year
    with np.errstate(divide="ignore", invalid="ignore"):
        out = periods_per_year * i / -np.expm1(-periods * np.log1p(i))
        limit = 1.0 / years
    return np.where(i == 0, limit, out)


def annuity_present_value(rate: Any, years: Any, decline: Any = 0.0) -> np.ndarray:
    """Present value of 1 USD a year, declining by ``decline`` a year, received at each year end over
    ``years`` (module docstring); with ``decline = 0`` it is ``1 / CRF(rate, years)``."""
    rate = np.asarray(rate, dtype=float)
    q = (1.0 - np.asarray(decline, dtype=float)) / (1.0 + rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        general = -np.expm1(years * np.log(q)) / ((1.0 + rate) * (1.0 - q))
    return np.where(np.abs(1.0 - q) < 1e-12, years / (1.0 + rate), general)


def repeated_purchases_present_value(rate: Any, interval: Any, purchases: Any) -> np.ndarray:
    """Present value of ``purchases`` payments of 1 USD, one now and one every ``interval`` years
    (module docstring)."""
    step = np.asarray(interval, dtype=float) * np.log1p(rate)
    n = np.asarray(purchases, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pv = np.expm1(-n * step) / np.expm1(-step)
    return np.where(step == 0, n, pv)


def idle_growth(rate: Any, years: Any) -> np.ndarray:
    """``(1 + rate)^years - 1``: the cost of capital idle for ``years`` (exact near 0)."""
    return np.expm1(np.asarray(years, dtype=float) * np.log1p(rate))
