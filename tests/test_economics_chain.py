"""Economics inside the whole chain: units, like-for-like terrestrial twin, break-even year wiring.

These run the real upstream stages (compute, mass, launch, ...), so they check the agreed variable
names and units between stages rather than the economics formulas (tests/test_economics.py).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import orbitdc as odc
from orbitdc import economics as econ
from orbitdc import units


def test_outputs_carry_declared_units_and_are_positive():
    ds = odc.evaluate("example-minimal")
    for name, out in econ.OUTPUTS.items():
        assert name in ds, name
        if name != "breakeven_unreachable":
            assert units.parse_unit(ds[name].attrs["units"]) == units.parse_unit(out.unit), name
    for name in ("capex", "opex", "cost_per_kw_year", "cost_per_accelerator_hour", "cost_per_pflop_hour",
                 "terrestrial_cost_per_kw_year", "cost_ratio_vs_terrestrial", "launched_power_price"):
        val = float(ds[name])
        assert math.isfinite(val) and val > 0, name
    assert ds["cost_breakdown"].dims == ("cost_item",)
    # every breakdown item is finite and non-negative; the ground items are zero for a space system
    bd = ds["cost_breakdown"]
    assert np.all(np.isfinite(bd.values)) and np.all(bd.values >= 0)
    assert float(bd.sel(cost_item=["facility", "electricity", "water"]).sum()) == 0.0
    # launched power price = specific mass x launch price / mission lifetime (Suncatcher's metric)
    expect = float(ds.specific_mass) * float(ds.launch_price_per_kg) / float(ds.mission_lifetime)
    assert float(ds["launched_power_price"]) == pytest.approx(expect, rel=1e-12)


def test_terrestrial_architecture_equals_its_own_baseline():
    ds = odc.evaluate("terrestrial-hyperscale")
    assert float(ds["cost_ratio_vs_terrestrial"]) == 1.0
    assert float(ds["cost_per_kw_year"]) == pytest.approx(float(ds["terrestrial_cost_per_kw_year"]), rel=1e-12)
    assert math.isnan(float(ds["breakeven_launch_price"]))
    # the ground electricity alone at PUE x price x 8,766 h, per delivered kW
    energy = float(ds.electricity_price) * float(ds.pue) * 8766.0 / float(ds.availability)
    assert float(ds["cost_per_kw_year"]) > energy


def test_space_twin_is_like_for_like():
    # a space architecture's terrestrial twin, recosted with the terrestrial architecture's own
    # ground parameters, equals the terrestrial architecture's cost when the compute is the same
    # (same accelerator, same accelerators per kW): the twin is not a different baseline.
    ground = odc.evaluate("terrestrial-hyperscale")
    shared = ("accelerator", "terrestrial_availability", "pue", "electricity_price", "facility_capex",
              "grid_connection_delay", "water_usage", "terrestrial_wacc", "facility_om_rate", "water_price",
              "facility_lifetime", "terrestrial_compute_lifetime", "server_cost_fraction")
    space = odc.evaluate("spacex-starlink-compute", **{k: ground[k].values.item() for k in shared})
    per_kw_space = float(space.accelerators) / float(space.it_power)
    per_kw_ground = float(ground.accelerators) / float(ground.it_power)
    # both carry the same accelerators per kW of IT (the ground counts whole accelerators: < 1e-5)
    assert per_kw_space == pytest.approx(per_kw_ground, rel=1e-5)
    assert float(space["terrestrial_cost_per_kw_year"]) == pytest.approx(float(ground["cost_per_kw_year"]), rel=1e-5)


def test_cheaper_launch_never_raises_cost_through_the_chain():
    sw = odc.sweep("example-minimal", launch_price_per_kg=[50.0, 200.0, 1000.0, 4000.0])
    vals = sw["cost_per_kw_year"].values
    assert np.all(np.diff(vals) > 0)
    assert np.all(np.diff(sw["cost_ratio_vs_terrestrial"].values) > 0)
    assert np.ptp(np.broadcast_to(sw["terrestrial_cost_per_kw_year"].values, vals.shape)) == 0


# Launch-friendly overrides under which the Starlink-compute architecture has a break-even price.
FRIENDLY = dict(bus_cost_per_kg=100.0, space_hardware_premium=0.0, insurance_rate=0.0, satellite_failure_rate=0.0,
                space_wacc=0.08, satellite_operations_cost=5000.0)


def test_breakeven_price_closes_through_the_chain():
    ds = odc.evaluate("spacex-starlink-compute", **FRIENDLY)
    p_star = float(ds["breakeven_launch_price"])
    assert math.isfinite(p_star) and p_star > 0 and not bool(ds["breakeven_unreachable"])
    again = odc.evaluate("spacex-starlink-compute", **FRIENDLY, launch_price_per_kg=p_star)
    assert float(again["cost_ratio_vs_terrestrial"]) == pytest.approx(1.0, rel=1e-9)


def test_breakeven_year_is_when_the_learning_curve_reaches_the_price():
    from orbitdc import launch
    # the wait for power costed as idle capital only: with the forgone margin of the commissioning
    # half-year (issue 22) the friendly break-even falls below the learning curve's floor
    ds = odc.evaluate("spacex-starlink-compute", **FRIENDLY, time_to_power_valuation="interest")
    p_star, year = float(ds["breakeven_launch_price"]), float(ds["breakeven_year"])
    assert math.isfinite(year)
    price_then = launch.launch_price_by_year(
        year, ds["launch_vehicle"].values.item(), learning_rate=float(ds.launch_learning_rate),
        floor=float(ds.launch_price_floor_per_kg), margin=float(ds.launch_margin),
        vertically_integrated=bool(ds.vertically_integrated_launch))
    assert float(price_then.squeeze()) == pytest.approx(p_star, rel=1e-6)


def test_unreachable_break_even_is_flagged_not_invented():
    ds = odc.evaluate("spacex-starlink-compute", space_hardware_premium=3.0)
    assert bool(ds["breakeven_unreachable"])
    p_star = float(ds["breakeven_launch_price"])
    assert p_star < 0 and math.isnan(float(ds["breakeven_year"]))  # signed; no learning curve reaches it
    # the ratio is affine in the launch price: extrapolating two evaluations to p_star gives 1
    r = [float(odc.evaluate("spacex-starlink-compute", space_hardware_premium=3.0, launch_price_per_kg=p)
               ["cost_ratio_vs_terrestrial"]) for p in (0.0, 1000.0)]
    assert r[0] + (r[1] - r[0]) * p_star / 1000.0 == pytest.approx(1.0, rel=1e-9)


def test_bad_wacc_override_names_the_parameter():
    with pytest.raises(odc.OrbitdcError) as exc:
        odc.evaluate("example-minimal", space_wacc=-1.0)
    assert "space_wacc" in str(exc.value)
    with pytest.raises(odc.OrbitdcError) as exc:
        odc.evaluate("example-minimal", terrestrial_compute_lifetime=0)
    assert "terrestrial_compute_lifetime" in str(exc.value)
