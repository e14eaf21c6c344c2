"""Hand-derived values and hypothesis properties for the issue-12 parameters not covered in
test_catalogs.py, test_finance_conventions.py, test_costing.py and
test_orbit_thermal_scope.py. Every equation is the stage's docstring equation:

* compute: ``it_power = n P_acc k_server`` (k_server = server_overhead unless the entry includes it),
  ``compute_mass = n m_acc f_pack``, ``peak_flops = n F_acc``, ``compute_hardware_cost = n c_acc``,
  ``violates_total_ionizing_dose = lifetime_dose > tid_limit``;
* power: ``A ~ 1 / (1 - gamma (T_array - T_ref))`` (temperature loss in the array losses);
* thermal: emitted flux ``~ eta_fin``;
* launch: ``launch_cost = launches x vehicle_payload_leo x launch_price_per_kg`` (dedicated flights);
* economics: ``CRF(r, n, m)``, subsystem costing linear in each unit cost.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

import orbitdc as odc
from orbitdc import economics as econ

ARCH = "spacex-starlink-compute"
FEW = settings(max_examples=8, deadline=None)


@pytest.fixture(scope="module")
def base():
    return odc.evaluate(ARCH)


def _item(ds, name):
    return float(ds.cost_breakdown.sel(cost_item=name))


# ---- catalog-backed parameters ------------------------------------------------------------------
@FEW
@given(fin=st.floats(min_value=0.05, max_value=1.0))
def test_fin_efficiency_property(fin):
    ds = odc.evaluate(ARCH, radiator_fin_efficiency=fin)
    emitted = float(ds.radiator_net_flux + ds.radiator_absorbed_flux)
    ref = odc.evaluate(ARCH, radiator_fin_efficiency=1.0)
    assert emitted == pytest.approx(float(ref.radiator_net_flux + ref.radiator_absorbed_flux) * fin, rel=1e-12)


def test_temperature_coefficient_by_hand(base):
    t_array = float(base.array_temperature)
    t_ref = 28.0 + 273.15  # iii-v-triple-junction reference temperature (catalog, 28 deg C)
    assert t_array > t_ref
    zero = odc.evaluate(ARCH, solar_cell_temperature_coefficient=0.0)
    g = 0.004
    ds = odc.evaluate(ARCH, solar_cell_temperature_coefficient=g)
    assert float(ds.solar_array_area) == pytest.approx(float(zero.solar_array_area) / (1 - g * (t_array - t_ref)), rel=1e-12)


@FEW
@given(g=st.floats(min_value=0.0, max_value=0.01))
def test_temperature_coefficient_never_shrinks_the_array(g):
    zero = odc.evaluate(ARCH, solar_cell_temperature_coefficient=0.0)
    ds = odc.evaluate(ARCH, solar_cell_temperature_coefficient=g)
    assert float(ds.solar_array_area) >= float(zero.solar_array_area)


@FEW
@given(price=st.floats(min_value=0.0, max_value=200_000.0))
def test_accelerator_price_property(price):
    ds = odc.evaluate(ARCH, accelerator_price=price)
    assert float(ds.compute_hardware_cost) == pytest.approx(float(ds.accelerators) * price, rel=1e-12, abs=1e-9)


@FEW
@given(mass=st.floats(min_value=1.0, max_value=200.0))
def test_accelerator_mass_property(mass):
    ds = odc.evaluate(ARCH, accelerator_mass=mass)
    assert float(ds.compute_mass) == pytest.approx(float(ds.accelerators) * mass * float(ds.compute_mass_factor), rel=1e-12)


@FEW
@given(power=st.floats(min_value=300.0, max_value=5000.0))
def test_accelerator_power_property(power):
    """gb200-superchip: overhead not included, so each unit draws power x server_overhead of IT."""
    ds = odc.evaluate(ARCH, accelerator_power=power)
    assert float(ds.it_power) == pytest.approx(float(ds.accelerators) * power / 1000.0 * float(ds.server_overhead), rel=1e-12)


def test_accelerator_peak_flops_by_hand(base):
    ds = odc.evaluate(ARCH, accelerator_peak_flops="2.5 PFLOP/s")
    assert float(ds.peak_flops) == pytest.approx(float(base.accelerators) * 2.5e15, rel=1e-12)


@FEW
@given(f=st.floats(min_value=1e12, max_value=1e17))
def test_accelerator_peak_flops_property(f):
    ds = odc.evaluate(ARCH, accelerator_peak_flops=f)
    assert float(ds.peak_flops) == pytest.approx(float(ds.accelerators) * f, rel=1e-12)


def test_accelerator_tid_limit_by_hand(base):
    dose = float(base.lifetime_dose)
    assert bool(odc.evaluate(ARCH, accelerator_tid_limit=dose * 0.99).violates_total_ionizing_dose)
    assert not bool(odc.evaluate(ARCH, accelerator_tid_limit=dose * 1.01).violates_total_ionizing_dose)


@FEW
@given(limit=st.floats(min_value=1.0, max_value=1e6))
def test_accelerator_tid_limit_property(limit):
    ds = odc.evaluate(ARCH, accelerator_tid_limit=limit)
    assert bool(ds.violates_total_ionizing_dose) == (float(ds.lifetime_dose) > limit)


@FEW
@given(leo=st.floats(min_value=50.0, max_value=400.0))
def test_vehicle_payload_leo_property(leo):
    ds = odc.evaluate(ARCH, vehicle_payload_leo=leo)
    assert float(ds.launch_cost) == pytest.approx(float(ds.launches) * leo * 1000.0 * float(ds.launch_price_per_kg), rel=1e-12)


def test_vehicle_price_moves_only_the_learning_curve(base):
    """The flight price seeds the learning curve (breakeven_year), not the chain's per-kg price."""
    ds = odc.evaluate(ARCH, vehicle_price="500 MUSD", space_hardware_premium=0.0, bus_cost_per_kg=10.0)
    cheap = odc.evaluate(ARCH, space_hardware_premium=0.0, bus_cost_per_kg=10.0)
    assert float(ds.cost_per_kw_year) == float(cheap.cost_per_kw_year)
    assert float(ds.launch_cost) == float(cheap.launch_cost)


@FEW
@given(flights=st.floats(min_value=10.0, max_value=5000.0))
def test_more_flights_never_slow_the_deployment(flights):
    ds = odc.evaluate(ARCH, vehicle_flights_per_year=flights)
    more = odc.evaluate(ARCH, vehicle_flights_per_year=flights * 2)
    assert float(more.deployment_years) <= float(ds.deployment_years) * (1 + 1e-12)
    assert float(more.cost_per_kw_year) == float(ds.cost_per_kw_year)


# ---- finance --------------------------------------------------------------------------------------
@FEW
@given(m=st.integers(min_value=1, max_value=365))
def test_payments_per_year_property(m):
    """Ground compute hardware, present value at the same m: H CRF(r, T_hw, m) / CRF(r, life, m)."""
    g = odc.evaluate("terrestrial-hyperscale", payments_per_year=m)
    r, t, life = float(g.terrestrial_wacc), float(g.terrestrial_compute_lifetime), float(g.mission_lifetime)
    hw = float(g.accelerators) * float(g.accelerator_price) * (1 + float(g.server_cost_fraction))
    expect = hw * float(econ.capital_recovery_factor(r, t, m)) / float(econ.capital_recovery_factor(r, life, m))
    assert _item(g, "compute_hardware") == pytest.approx(expect, rel=1e-12)


@FEW
@given(t=st.floats(min_value=0.5, max_value=20.0))
def test_space_compute_lifetime_property(t):
    ds = odc.evaluate(ARCH, space_compute_lifetime=t)
    r, life = float(ds.space_wacc), float(ds.mission_lifetime)
    hw = float(ds.compute_hardware_cost) * float(ds.satellites) * (1 + float(ds.server_cost_fraction)) * (
        1 + float(ds.space_hardware_premium))
    expect = hw * float(econ.capital_recovery_factor(r, min(t, life))) / float(econ.capital_recovery_factor(r, life))
    assert _item(ds, "compute_hardware") == pytest.approx(expect, rel=1e-12)


@FEW
@given(c=st.floats(min_value=0.05, max_value=1.0))
def test_capacity_factor_property(c):
    g = odc.evaluate("terrestrial-hyperscale")
    ds = odc.evaluate("terrestrial-hyperscale", terrestrial_capacity_factor=c)
    crf = float(econ.capital_recovery_factor(float(g.terrestrial_wacc), float(g.mission_lifetime)))
    energy = (_item(g, "electricity") + _item(g, "water")) * crf
    delivered = float(g.it_power) * float(g.availability)
    assert float(ds.cost_per_kw_year) == pytest.approx((float(g.annual_cost) - energy + c * energy) / (delivered * c), rel=1e-12)


@FEW
@given(s=st.floats(min_value=0.0, max_value=0.9), o=st.floats(min_value=0.0, max_value=0.9))
def test_spare_and_overhead_property(s, o):
    base = odc.evaluate(ARCH)
    ds = odc.evaluate(ARCH, space_spare_compute_fraction=s, space_compute_overhead_fraction=o,
                      terrestrial_spare_compute_fraction=o, terrestrial_compute_overhead_fraction=s)
    assert float(ds.cost_per_kw_year) == pytest.approx(float(base.cost_per_kw_year) / ((1 - s) * (1 - o)), rel=1e-12)
    assert float(ds.terrestrial_cost_per_kw_year) == pytest.approx(
        float(base.terrestrial_cost_per_kw_year) / ((1 - s) * (1 - o)), rel=1e-12)


# ---- subsystem costing: linear in each unit cost --------------------------------------------------
@pytest.mark.parametrize("name, quantity", [
    ("radiator_cost_per_m2", lambda ds: float(ds.radiator_area)),
    ("battery_cost_per_kwh", lambda ds: float(ds.battery_energy)),
    ("avionics_integration_cost_per_mw", lambda ds: float(ds.it_power) / 1e3),
])
@FEW
@given(c=st.floats(min_value=0.0, max_value=1e6))
def test_subsystem_unit_costs_are_linear(name, quantity, c):
    zero = odc.evaluate(ARCH, costing="subsystem", **{name: 0.0})
    ds = odc.evaluate(ARCH, costing="subsystem", **{name: c})
    added = quantity(zero) * c * float(zero.satellites)
    assert _item(ds, "satellite_bus") == pytest.approx(_item(zero, "satellite_bus") + added, rel=1e-9, abs=1e-3)


@FEW
@given(c=st.floats(min_value=0.0, max_value=1e4))
def test_structure_cost_is_linear(c):
    zero = odc.evaluate(ARCH, costing="subsystem", structure_cost_per_kg=0.0)
    ds = odc.evaluate(ARCH, costing="subsystem", structure_cost_per_kg=c)
    mb = zero.mass_breakdown
    rest = (float(zero.satellite_mass) - float(zero.compute_mass) - float(mb.sel(subsystem="solar_array"))
            - float(mb.sel(subsystem="battery")) - float(mb.sel(subsystem="radiator")))
    assert _item(ds, "satellite_bus") == pytest.approx(_item(zero, "satellite_bus") + rest * c * float(zero.satellites),
                                                       rel=1e-9, abs=1e-3)
