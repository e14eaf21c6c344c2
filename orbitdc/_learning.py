r"""Wright's law, written once: the learning curve every stage and the fleet model use.

Unit cost falls by a fixed fraction ``r`` (the *learning rate*) with every doubling of cumulative
output :math:`Q` (T. P. Wright, 1936, "Factors affecting the cost of airplanes", J. Aeronautical
Sciences 3(4) 122-128):

.. math:: c(Q) = c_{floor} + (c_{ref} - c_{floor}) \left(\frac{Q}{Q_{ref}}\right)^{b},
          \qquad b = \log_2(1 - r) \le 0

One sign convention everywhere: ``learning_rate`` ``r`` means cost x ``(1 - r)`` per doubling and
the exponent is ``b = log2(1 - r)`` (negative; 0 without learning). The floor (propellant,
refurbishment, operations of a launch) does not learn. The average unit cost of the output between
cumulative :math:`Q_0` and :math:`Q_1` is the integral of :math:`c(Q)` over that interval divided by
:math:`Q_1 - Q_0`; with :math:`x = (Q_1 - Q_0) / Q_0`:

.. math:: \bar c = c(Q_0)\, \frac{(1 + x)^{b+1} - 1}{(b + 1)\, x}
          \qquad (c(Q_0) \ln(1 + x) / x \text{ when } b = -1)

A seller's price is the cost times ``(1 + margin)``, or the cost itself when the buyer makes it
(``vertically_integrated``).

Plain numpy, unit-free (callers pass canonical units); below every stage: imports nothing from
orbitdc.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def exponent(learning_rate: Any) -> np.ndarray:
    r"""Wright exponent :math:`b = \log_2(1 - r)` (<= 0) of a learning rate ``r`` in [0, 1)."""
    return np.log2(1.0 - np.asarray(learning_rate, dtype=float))


def unit_cost(reference_cost: Any, cumulative: Any, reference_cumulative: Any, learning_rate: Any,
              floor: Any = 0.0) -> np.ndarray:
    r"""Unit cost at cumulative output ``Q``: :math:`c_{floor} + (c_{ref} - c_{floor}) (Q / Q_{ref})^b`.

    With ``floor = 0`` (the default) this is Wright's law itself, :math:`c_{ref} (Q/Q_{ref})^b`.
    It does not clip: a reference cost at or below the floor is the caller's case (see
    :func:`learned_price`).
    """
    ratio = np.asarray(cumulative, dtype=float) / np.asarray(reference_cumulative, dtype=float)
    c_ref = np.asarray(reference_cost, dtype=float)
    if np.ndim(floor) == 0 and floor == 0.0:
        return c_ref * ratio ** exponent(learning_rate)
    fl = np.asarray(floor, dtype=float)
    return fl + (c_ref - fl) * ratio ** exponent(learning_rate)


def cumulative_at_cost(cost: Any, reference_cost: Any, reference_cumulative: Any, learning_rate: Any,
                       floor: Any = 0.0) -> np.ndarray:
    r"""Cumulative output at which the unit cost reaches ``cost`` (the inverse of :func:`unit_cost`).

    .. math:: Q = Q_{ref} \left(\frac{c - c_{floor}}{c_{ref} - c_{floor}}\right)^{1/b}

    NaN or inf where the cost is never reached (no learning, a cost at or below the floor): the
    caller decides what that means.
    """
    fl = np.asarray(floor, dtype=float)
    b = exponent(learning_rate)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        frac = (np.asarray(cost, dtype=float) - fl) / (np.asarray(reference_cost, dtype=float) - fl)
        return np.asarray(reference_cumulative, dtype=float) * frac ** (1.0 / b)


def total_cost_factor(x: Any, learning_rate: Any) -> np.ndarray:
    r"""Cost of building ``x`` more reference lots after the first one, per reference unit cost and lot:
    :math:`((1 + x)^{b+1} - 1) / (b + 1)` (:math:`\ln(1 + x)` when :math:`b = -1`).

    Finite for an infinite ``x`` only when :math:`b < -1`; used where a design may be unbuildable
    (an infinite mass costs ``inf``, not ``inf x 0 = NaN``).
    """
    b1 = exponent(learning_rate) + 1.0
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(b1 == 0, np.log1p(x), np.expm1(b1 * np.log1p(x)) / np.where(b1 == 0, 1.0, b1))


def average_cost_factor(x: Any, learning_rate: Any) -> np.ndarray:
    r"""Average unit cost of building ``x`` more reference lots after the first one, per reference
    unit cost: :math:`((1 + x)^{b+1} - 1) / ((b + 1) x)`; 1 when :math:`x \to 0`,
    :math:`\ln(1 + x) / x` when :math:`b = -1` (a learning rate of 50 %)."""
    x = np.asarray(x, dtype=float)
    b1 = exponent(learning_rate) + 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        lx = np.log1p(x)
        g = np.where(np.abs(b1) > 1e-12, np.expm1(b1 * lx) / (b1 * x), lx / x)
    return np.where(x > 0, g, 1.0)


def average_cost(reference_cost: Any, q0: Any, q1: Any, reference_cumulative: Any, learning_rate: Any) -> np.ndarray:
    r"""Average unit cost of the output between cumulative ``q0`` and ``q1`` (module docstring):
    :math:`c(q_0)` times :func:`average_cost_factor` of :math:`x = (q_1 - q_0) / q_0`."""
    q0 = np.asarray(q0, dtype=float)
    q1 = np.asarray(q1, dtype=float)
    c0 = unit_cost(reference_cost, q0, reference_cumulative, learning_rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (q1 - q0) / q0
    return c0 * average_cost_factor(x, learning_rate)


def price(cost: Any, margin: Any, vertically_integrated: Any = False) -> np.ndarray:
    """The price paid for ``cost``: ``cost (1 + margin)``, or the cost when vertically integrated."""
    c = np.asarray(cost, dtype=float)
    return np.where(np.asarray(vertically_integrated).astype(bool), c, c * (1.0 + np.asarray(margin, dtype=float)))


def cost_of_price(price_paid: Any, margin: Any, vertically_integrated: Any = False) -> np.ndarray:
    """The internal cost behind a price (the inverse of :func:`price`): ``price / (1 + margin)``,
    or the price itself when vertically integrated."""
    p = np.asarray(price_paid, dtype=float)
    return np.where(np.asarray(vertically_integrated).astype(bool), p, p / (1.0 + np.asarray(margin, dtype=float)))


def learned_price(start_price: Any, cumulative: Any, start_cumulative: Any, learning_rate: Any, floor: Any = 0.0,
                  margin: Any = 0.0, vertically_integrated: Any = False) -> np.ndarray:
    r"""Price after learning, from the price at the start (a market price, or the internal cost
    when vertically integrated).

    The internal cost :math:`c_s` behind the start price (:func:`cost_of_price`) learns on the
    cumulative output with a floor (:func:`unit_cost`); a start cost at or below the floor does not
    learn; the price is that cost with the margin (:func:`price`). Example: USD 500/kg market price
    at a 1.5 margin is a USD 200/kg cost; two doublings at 20 % with a USD 20/kg floor give
    ``20 + 180 x 0.8^2 = 135.2`` USD/kg of cost, USD 338/kg of price.
    """
    vi = np.asarray(vertically_integrated).astype(bool)
    margin = np.asarray(margin, dtype=float)
    floor = np.asarray(floor, dtype=float)
    c_s = cost_of_price(start_price, margin, vi)
    with np.errstate(divide="ignore", invalid="ignore"):
        learned = floor + (c_s - floor) * (np.asarray(cumulative, float) / np.asarray(start_cumulative, float)) \
            ** exponent(learning_rate)
    cost = np.where(c_s > floor, learned, c_s)
    return price(cost, margin, vi)
