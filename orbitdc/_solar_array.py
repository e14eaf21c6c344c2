"""Solar array power balance shared by the power and thermal stages.

The power stage sizes the array with it; the thermal stage prices the extra array a heat pump
needs with the same equation. Stage modules do not import each other (each depends only on
frame, parameters, catalogs, units, errors and helpers like this one), so the kernel lives here and
:mod:`orbitdc.power` re-exports it.
"""
from __future__ import annotations


def _array_power_required(p_day, p_ecl, t_day, t_ecl, x_day, x_ecl):
    """SMAD eq. 11-5: P_sa = (P_e T_e / X_e + P_d T_d / X_d) / T_d (any consistent units)."""
    return (p_ecl * t_ecl / x_ecl + p_day * t_day / x_day) / t_day
