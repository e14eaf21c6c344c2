"""Thermal and mass stages inside the real chain (orbit -> compute -> power -> thermal -> mass).

These check the wiring and conservation laws on every shipped space architecture: energy (all
electrical power used ends up as heat for the radiator), mass (the parts add up to the satellite),
and that flags reach ``feasible``/``binding_constraint``.
"""
import numpy as np
import pytest
import xarray as xr

import orbitdc as odc
from orbitdc import mass

SATELLITE_STAGES = ["orbit", "compute", "power", "thermal", "mass"]
SPACE = [a for a in odc.list_architectures() if odc.load_architecture(a).kind == "space"]


@pytest.mark.parametrize("arch", SPACE)
def test_energy_and_mass_conservation_on_every_space_architecture(arch):
    # the bottom-up closure (a published architecture may impose its mass top-down with
    # mass_model=specific_power; then the compute keeps its mass and the other parts share the rest, tested in
    # test_orbit_thermal_scope.py)
    ds = odc.evaluate(arch, stages_only=SATELLITE_STAGES, mass_model="bottom_up")
    # energy: waste heat = IT + bus + power-system losses + heat pump work
    expected = ds.it_power + ds.bus_power + ds.power_system_loss + ds.heat_pump_power
    np.testing.assert_allclose(ds.waste_heat.values, expected.values, rtol=1e-12)
    # the radiator rejects that heat at its net flux
    np.testing.assert_allclose((ds.radiator_area * ds.radiator_net_flux / 1000.0).values, ds.waste_heat.values, rtol=1e-12)
    # mass: parts add up, and the compute/power/thermal masses enter unchanged
    np.testing.assert_allclose(ds.mass_breakdown.sum("subsystem").values, ds.satellite_mass.values, rtol=1e-12)
    for sub, var in (("compute", "compute_mass"), ("solar_array", "solar_array_mass"), ("battery", "battery_mass"),
                     ("radiator", "radiator_mass"), ("shielding", "shielding_mass")):
        np.testing.assert_allclose(ds.mass_breakdown.sel(subsystem=sub).values, ds[var].values, rtol=1e-12)
    # the constellation reaches the target with whole satellites, and not one more than needed
    n = ds.satellites.values
    assert np.all(n * ds.it_power.values >= ds.target_it_power.values * (1 - 1e-12))
    assert np.all((n - 1) * ds.it_power.values < ds.target_it_power.values)
    np.testing.assert_allclose(ds.total_mass.values, n * ds.satellite_mass.values / 1000.0, rtol=1e-12)
    for name, unit in (("waste_heat", "kW"), ("radiator_area", "m2"), ("radiator_temperature", "K"),
                       ("satellite_mass", "kg"), ("total_mass", "t"), ("specific_mass", "kg/kW"),
                       ("mass_breakdown", "kg")):
        assert ds[name].attrs["units"] == unit
        assert ds[name].attrs["long_name"]


def test_sweeps_broadcast_through_thermal_and_mass():
    ds = odc.sweep("example-minimal", altitude=[500.0, 800.0], radiator=["iss-hrs", "advanced-deployable"],
                   stages_only=SATELLITE_STAGES)
    assert {"altitude", "radiator"} <= set(ds.satellite_mass.dims)
    assert {"altitude", "radiator", "subsystem"} <= set(ds.mass_breakdown.dims)
    heavy = ds.satellite_mass.sel(radiator="iss-hrs")
    light = ds.satellite_mass.sel(radiator="advanced-deployable")
    assert bool((heavy > light).all())


def test_radiator_temperature_request_reaches_the_feasibility_verdict():
    ds = odc.evaluate("example-minimal", stages_only=SATELLITE_STAGES, optimize_radiator_temperature=False,
                      radiator_design_temperature=[300.0, 400.0])
    v = ds.violates_radiator_temperature.values
    assert list(v) == [False, True]
    assert ds.binding_constraint.sel(radiator_design_temperature=400.0).item() == "radiator_temperature"
    assert not bool(ds.feasible.sel(radiator_design_temperature=400.0))


def test_hydrazine_at_low_altitude_for_long_life_breaks_the_mass_closure():
    ds = odc.evaluate("example-minimal", stages_only=SATELLITE_STAGES, altitude=250.0, thruster="chemical-monoprop",
                      mission_lifetime=7.0, solar_activity="high")
    assert bool(ds.violates_mass_closure)
    assert np.isinf(float(ds.satellite_mass))
    assert ds.binding_constraint.item() == "mass_closure" and not bool(ds.feasible)


def test_subsystems_are_the_declared_ones():
    ds = odc.evaluate("example-minimal", stages_only=SATELLITE_STAGES)
    assert tuple(ds.subsystem.values) == mass.SUBSYSTEMS
