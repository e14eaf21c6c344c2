"""Issue 15: the parity surface ("what would have to be true") and its sentence."""
from __future__ import annotations

import numpy as np
import pytest

import orbitdc as odc
from orbitdc.report import figures as plots

SPACEX = "spacex-starlink-compute"


def _check_on_surface(par, arch, solve, n_points=6, **fixed):
    """evaluate() at points of the surface gives a cost ratio of 1 within 1e-6."""
    var = par[f"parity_{solve}"]
    finite = np.argwhere(np.isfinite(var.values))
    assert len(finite) >= n_points
    pick = finite[np.linspace(0, len(finite) - 1, n_points).astype(int)]
    for idx in pick:
        point = {d: float(par[d].values[i]) for d, i in zip(var.dims, idx)}
        point[solve] = float(var.values[tuple(idx)])
        ds = odc.evaluate(arch, **fixed, **point)
        assert float(ds["cost_ratio_vs_terrestrial"]) == pytest.approx(1.0, abs=1e-6), point


def test_launch_price_surface_is_closed_form_and_on_parity():
    # the proponent SpaceX scenario with expensive ground electricity ($0.60/kWh), so that parity
    # lies inside the ranges; the ratio is affine in the launch price (closed form)
    par = odc.parity(SPACEX, scenario="proponent", electricity_price=0.6, points=7)
    assert par.attrs["solved_parameter"] == "launch_price_per_kg"
    assert par.attrs["method"].startswith("closed form")
    assert par.attrs["direction"] == "<="
    assert set(par["parity_launch_price_per_kg"].dims) == {"bus_cost_per_kg", "array_specific_power"}
    arch = odc.load_architecture(SPACEX, scenario="proponent")
    _check_on_surface(par, arch, "launch_price_per_kg", electricity_price=0.6)
    # cheaper buses allow dearer launch (the surface slopes the right way)
    v = par["parity_launch_price_per_kg"].sel(array_specific_power=par["array_specific_power"][-1])
    finite = v.values[np.isfinite(v.values)]
    assert np.all(np.diff(finite) < 0)
    # the chain's own closed-form break-even price agrees at the nominal point
    ds = odc.evaluate(arch, electricity_price=0.6)
    assert par.attrs["nominal_root"] == pytest.approx(float(ds["breakeven_launch_price"]), rel=1e-9)
    text = par.attrs["conditions"]
    assert "launch_price_per_kg <=" in text and "reaches cost parity" in text


def test_root_finding_where_the_chain_is_not_affine():
    # the ground's cost is affine in its electricity price, so the ratio (space / ground) is not
    par = odc.parity(SPACEX, over=("launch_price_per_kg", "electricity_price"), solve_for="electricity_price",
                     scenario="proponent", points=5)
    assert par.attrs["method"].startswith("vectorised bisection")
    assert par.attrs["direction"] == ">="
    arch = odc.load_architecture(SPACEX, scenario="proponent")
    _check_on_surface(par, arch, "electricity_price", n_points=3)
    assert par.attrs["max_residual"] <= 1e-6


def test_year_is_the_start_year():
    par = odc.parity(SPACEX, over=("bus_cost_per_kg", "launch_price_per_kg"), scenario="proponent",
                     electricity_price=0.6, points=3, year=2035)
    assert par.attrs["start_year"] == 2035.0 and "from 2035" in par.attrs["conditions"]
    same = odc.parity(SPACEX, over=("bus_cost_per_kg", "launch_price_per_kg"), scenario="proponent",
                      electricity_price=0.6, points=3, start_year=2035)
    np.testing.assert_array_equal(par["parity_launch_price_per_kg"].values, same["parity_launch_price_per_kg"].values)


def test_no_parity_in_range_is_said_plainly():
    par = odc.parity(SPACEX, points=3)  # the base case: hardware alone costs more than the ground
    assert np.isnan(par["parity_launch_price_per_kg"].values).all()
    assert "does not reach cost parity" in par.attrs["conditions"]
    assert isinstance(plots.parity_contour(par), plots.Missing)


def test_parity_contour_plot():
    plots.setup(static=True)
    par = odc.parity(SPACEX, scenario="proponent", electricity_price=0.6, points=5)
    fig = plots.parity_contour(par)
    assert not isinstance(fig, plots.Missing)
    assert "bokeh" in plots.to_html(fig).lower()


def test_parity_refuses_bad_input():
    with pytest.raises(odc.ParameterError, match="over"):
        odc.parity(SPACEX, over=("launch_price_per_kg",))
    with pytest.raises(odc.ParameterError, match="over"):
        odc.parity(SPACEX, over=("launch_price_per_kg", "orbit_type"))
    with pytest.raises(odc.ParameterError, match="solve_for"):
        odc.parity(SPACEX, over=("launch_price_per_kg", "bus_cost_per_kg"), solve_for="altitude")
