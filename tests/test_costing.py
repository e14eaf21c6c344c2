"""Costing conventions (issue 12 item 4): mass-based (default) or per subsystem, plus a fixed
programme cost (NRE). Hand-derived from the economics docstrings:

    subsystem bus per satellite = c_a P_BOL + c_r A_rad + c_b E_bat + c_i P_IT + c_s m_rest
    m_rest = satellite_mass - compute_mass - array - battery - radiator masses

``cost_breakdown`` gives each item's present value over the mission life at the system's WACC,
and the bus is recovered over the same life, so its ``satellite_bus`` entry is the bus capital.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

import orbitdc as odc
from orbitdc import economics as econ
from orbitdc.errors import ArchitectureError

ARCH = "spacex-starlink-compute"


def _item(ds, name):
    return float(ds.cost_breakdown.sel(cost_item=name))


def _hand_bus(ds):
    mb = ds.mass_breakdown
    rest = (float(ds.satellite_mass) - float(ds.compute_mass) - float(mb.sel(subsystem="solar_array"))
            - float(mb.sel(subsystem="battery")) - float(mb.sel(subsystem="radiator")))
    per_sat = (float(ds.solar_array_bol_power) * 1e3 * float(ds.array_cost_per_watt)
               + float(ds.radiator_area) * float(ds.radiator_cost_per_m2)
               + float(ds.battery_energy) * float(ds.battery_cost_per_kwh)
               + float(ds.it_power) / 1e3 * float(ds.avionics_integration_cost_per_mw)
               + rest * float(ds.structure_cost_per_kg))
    return per_sat * float(ds.satellites)


def test_default_is_mass_costing():
    ds = odc.evaluate(ARCH)
    assert str(ds.costing.values) == "mass"
    assert _item(ds, "programme") == 0.0


def test_subsystem_bus_by_hand():
    ds = odc.evaluate(ARCH, costing="subsystem")
    assert _item(ds, "satellite_bus") == pytest.approx(_hand_bus(ds), rel=1e-9)
    # the mass closure and the launch do not depend on how the bus is costed
    mass = odc.evaluate(ARCH)
    assert float(ds.satellite_mass) == float(mass.satellite_mass)
    assert float(ds.launch_cost) == float(mass.launch_cost)


@settings(max_examples=10, deadline=None)
@given(c=st.floats(min_value=0.0, max_value=1000.0))
def test_subsystem_cost_is_linear_in_the_array_price(c):
    base = odc.evaluate(ARCH, costing="subsystem", array_cost_per_watt=0.0)
    ds = odc.evaluate(ARCH, costing="subsystem", array_cost_per_watt=c)
    added = float(base.solar_array_bol_power) * 1e3 * c * float(base.satellites)
    assert _item(ds, "satellite_bus") == pytest.approx(_item(base, "satellite_bus") + added, rel=1e-9)


def test_subsystem_prices_do_nothing_under_mass_costing():
    a = odc.evaluate(ARCH)
    b = odc.evaluate(ARCH, array_cost_per_watt=400.0, radiator_cost_per_m2=1.0)
    assert float(a.cost_per_kw_year) == float(b.cost_per_kw_year)


def test_programme_cost_by_hand():
    base = odc.evaluate(ARCH)
    nre = 2e9
    ds = odc.evaluate(ARCH, programme_cost=nre)
    assert float(ds.capex) - float(base.capex) == pytest.approx(nre, rel=1e-9)
    assert _item(ds, "programme") == pytest.approx(nre, rel=1e-12)
    crf = float(econ.capital_recovery_factor(float(base.space_wacc), float(base.mission_lifetime)))
    delivered = float(base.it_power) * float(base.satellites) * float(base.availability)
    assert float(ds.cost_per_kw_year) - float(base.cost_per_kw_year) == pytest.approx(nre * crf / delivered, rel=1e-9)


@settings(max_examples=10, deadline=None)
@given(nre=st.floats(min_value=0.0, max_value=5e9))
def test_programme_cost_never_lowers_the_cost(nre):
    base = odc.evaluate(ARCH, costing="subsystem")
    ds = odc.evaluate(ARCH, costing="subsystem", programme_cost=nre)
    assert float(ds.cost_per_kw_year) >= float(base.cost_per_kw_year)


def test_unknown_costing_is_refused():
    with pytest.raises(ArchitectureError, match="not one of mass, subsystem") as exc:
        odc.evaluate(ARCH, costing="weight")
    assert exc.value.parameter == "costing"


def test_swept_costing():
    ds = odc.evaluate(ARCH, costing=["mass", "subsystem"])
    assert ds.cost_per_kw_year.dims == ("costing",)
    assert float(ds.cost_per_kw_year.sel(costing="mass")) == float(odc.evaluate(ARCH).cost_per_kw_year)
