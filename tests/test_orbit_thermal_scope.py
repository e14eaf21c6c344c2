"""Orbit/thermal inputs and scope switches (issue 12 item 5), against hand-derived values.

* ``impose_sunlit_fraction`` / ``sunlit_fraction`` s: an eclipse of (1 - s) of every orbit, every
  day: eclipse_fraction = 1 - s, max_eclipse_duration = (1 - s) x period, 365 eclipse days.
* ``radiator_sink_temperature`` up to 400 K: emitted flux ``sigma eta_fin n eps (T^4 - T_s^4)``.
* ``mass_model: specific_power``: satellite mass = IT power / ``satellite_specific_power``.
* Scope: ``include_compute_hardware``, ``discounting`` (undiscounted totals), ``cost_scope``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import orbitdc as odc
from orbitdc import economics as econ
from orbitdc.errors import ArchitectureError

ARCH = "spacex-starlink-compute"
SIGMA = 5.670374419e-8  # W m-2 K-4, CODATA 2018
HOURS = 8766.0  # Julian year


@pytest.fixture(scope="module")
def base():
    return odc.evaluate(ARCH)


def _item(ds, name):
    return float(ds.cost_breakdown.sel(cost_item=name))


# ---- sunlit fraction --------------------------------------------------------------------------
def test_imposed_sunlit_fraction_by_hand(base):
    ds = odc.evaluate(ARCH, impose_sunlit_fraction=True, sunlit_fraction=0.6)
    assert float(ds.eclipse_fraction) == pytest.approx(0.4, rel=1e-15)
    assert float(ds.max_eclipse_duration) == pytest.approx(0.4 * float(ds.period), rel=1e-15)
    assert float(ds.eclipse_days) == 365.0
    # throttle strategy: the battery carries the bus through the eclipse (SMAD eq. 11-10)
    assert str(ds.eclipse_strategy.values) == "throttle"
    e = float(ds.bus_power) * float(ds.max_eclipse_duration) / 60.0 / (
        float(ds.battery_depth_of_discharge) * math.sqrt(float(ds.battery_round_trip_efficiency)))
    assert float(ds.battery_energy) == pytest.approx(e, rel=1e-12)
    assert float(ds.period) == float(base.period)


@settings(max_examples=10, deadline=None)
@given(s=st.floats(min_value=0.5, max_value=1.0))
def test_sunlit_fraction_sets_the_eclipse_fraction(s):
    ds = odc.evaluate(ARCH, impose_sunlit_fraction=True, sunlit_fraction=s)
    assert float(ds.eclipse_fraction) == pytest.approx(1.0 - s, abs=1e-15)


def test_sunlit_fraction_ignored_unless_imposed(base):
    ds = odc.evaluate(ARCH, sunlit_fraction=0.6)
    assert float(ds.eclipse_fraction) == float(base.eclipse_fraction)


# ---- sink temperature -------------------------------------------------------------------------
def test_warm_sink_by_hand(base):
    ds = odc.evaluate(ARCH, radiator_sink_temperature=250.0)
    assert float(ds.radiator_temperature) == float(base.radiator_temperature)
    eps, fin, sides = float(base.radiator_emissivity), float(base.radiator_fin_efficiency), 2.0
    lost = SIGMA * fin * sides * eps * (250.0**4 - 2.725**4)
    assert float(base.radiator_net_flux) - float(ds.radiator_net_flux) == pytest.approx(lost, rel=1e-9)
    assert float(ds.radiator_area) == pytest.approx(float(ds.waste_heat) * 1e3 / float(ds.radiator_net_flux), rel=1e-12)


@settings(max_examples=10, deadline=None)
@given(t1=st.floats(0.0, 300.0), t2=st.floats(0.0, 300.0))
def test_warmer_sink_never_shrinks_the_radiator(t1, t2):
    lo, hi = sorted((t1, t2))
    a = float(odc.evaluate(ARCH, radiator_sink_temperature=lo).radiator_area)
    b = float(odc.evaluate(ARCH, radiator_sink_temperature=hi).radiator_area)
    assert b >= a * (1 - 1e-12)


def test_sink_above_cap_refused():
    with pytest.raises(ArchitectureError, match="out of range") as exc:
        odc.evaluate(ARCH, radiator_sink_temperature=450.0)
    assert exc.value.parameter == "radiator_sink_temperature"


# ---- top-down mass ------------------------------------------------------------------------------
def test_specific_power_mass_by_hand(base):
    ds = odc.evaluate(ARCH, mass_model="specific_power", satellite_specific_power=100.0)
    assert float(ds.satellite_mass) == pytest.approx(float(base.it_power) * 1000.0 / 100.0, rel=1e-12)
    assert float(ds.specific_mass) == pytest.approx(10.0, rel=1e-12)  # SpaceX's 100 kW per tonne
    assert float(ds.mass_breakdown.sum()) == pytest.approx(float(ds.satellite_mass), rel=1e-12)
    # the compute payload keeps its catalog mass; every other part keeps its bottom-up share of the rest
    m_c = float(base.compute_mass)
    assert float(ds.mass_breakdown.sel(subsystem="compute")) == pytest.approx(m_c, rel=1e-12)
    share = lambda d, s: float(d.mass_breakdown.sel(subsystem=s)) / (float(d.satellite_mass) - m_c)  # noqa: E731
    assert share(ds, "radiator") == pytest.approx(share(base, "radiator"), rel=1e-12)
    assert float(ds.dry_mass) + float(ds.propellant_mass) == pytest.approx(float(ds.satellite_mass), rel=1e-12)
    assert not bool(ds.violates_mass_closure)


def test_specific_power_lighter_than_its_compute_is_unbuildable(base):
    """Hand check: a whole satellite cannot weigh less than the compute it carries. The imposed mass
    P_IT / sigma must be >= compute_mass, i.e. sigma <= P_IT / m_compute; above that the design is
    flagged (mass closure) with infinite mass and costs, never a negative bus mass."""
    limit = float(base.it_power) * 1000.0 / float(base.compute_mass)  # W/kg at which the satellite is all compute
    ok = odc.evaluate(ARCH, mass_model="specific_power", satellite_specific_power=0.99 * limit)
    assert not bool(ok.violates_mass_closure) and np.isfinite(float(ok.cost_per_kw_year))
    bad = odc.evaluate(ARCH, mass_model="specific_power", satellite_specific_power=1.01 * limit)
    assert bool(bad.violates_mass_closure) and not bool(bad.feasible)
    assert np.isinf(float(bad.satellite_mass)) and np.isinf(float(bad.cost_per_kw_year))
    assert str(bad.binding_constraint.values) == "mass_closure"


@settings(max_examples=10, deadline=None)
@given(sp=st.floats(min_value=5.0, max_value=2000.0))
def test_specific_power_property(sp):
    ds = odc.evaluate(ARCH, mass_model="specific_power", satellite_specific_power=sp)
    if 1000.0 / sp >= float(ds.compute_mass) / float(ds.it_power):
        assert float(ds.specific_mass) * sp == pytest.approx(1000.0, rel=1e-12)
        assert float(ds.cost_per_kw_year) > 0
    else:  # lighter than its own compute payload
        assert bool(ds.violates_mass_closure) and np.isinf(float(ds.cost_per_kw_year))


def test_specific_power_unused_bottom_up(base):
    ds = odc.evaluate(ARCH, satellite_specific_power=50.0)
    assert float(ds.satellite_mass) == float(base.satellite_mass)


# ---- scope switches -----------------------------------------------------------------------------
def test_compute_hardware_excluded_on_both_sides(base):
    ds = odc.evaluate(ARCH, include_compute_hardware=False)
    assert _item(ds, "compute_hardware") == 0.0
    g = odc.evaluate("terrestrial-hyperscale", include_compute_hardware=False)
    assert _item(g, "compute_hardware") == 0.0
    assert float(ds.cost_per_kw_year) < float(base.cost_per_kw_year)
    assert float(ds.terrestrial_cost_per_kw_year) < float(base.terrestrial_cost_per_kw_year)


def test_undiscounted_totals_by_hand():
    """Ground at zero rate: the electricity item over the life is P h price PUE x life, and the
    hardware is bought life / T_hw times."""
    g = odc.evaluate("terrestrial-hyperscale", discounting=False)
    life = float(g.mission_lifetime)
    p = float(g.it_power)
    assert _item(g, "electricity") == pytest.approx(p * HOURS * float(g.electricity_price) * float(g.pue) * life, rel=1e-12)
    hw = float(g.accelerators) * float(g.accelerator_price) * (1 + float(g.server_cost_fraction))
    assert _item(g, "compute_hardware") == pytest.approx(hw * life / float(g.terrestrial_compute_lifetime), rel=1e-12)


def test_launch_vs_energy_by_hand(base):
    ds = odc.evaluate(ARCH, cost_scope="launch_vs_energy")
    crf = float(econ.capital_recovery_factor(float(base.space_wacc), float(base.mission_lifetime)))
    delivered = float(base.it_power) * float(base.satellites) * float(base.availability)
    # the launch bill without re-flights: launch_cost counts the re-flights of lost launches,
    # which under the insured loss cover (the default) the premium pays instead (issue 22: one
    # counting rule, never both), so the launched price is launch_cost x (1 - p_fail)
    launched = float(base.launch_cost) * (1.0 - float(base.launch_failure_probability))
    assert float(ds.cost_per_kw_year) == pytest.approx(launched * crf / delivered, rel=1e-12)
    ground = float(base.electricity_price) * float(base.pue) * HOURS / float(base.terrestrial_availability)
    assert float(ds.terrestrial_cost_per_kw_year) == pytest.approx(ground, rel=1e-12)
