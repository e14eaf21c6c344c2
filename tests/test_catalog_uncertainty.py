"""Issue 15: catalog values carry ranges and Monte Carlo draws them.

Every catalog cell the architecture uses (the entries its choices name) is drawn over the cell's
range as triangular(low, catalog value, high), unless the user fixes the value (an override) or
opts out (``draw_catalog=False``). The expected moments are those of the triangular distribution
(e.g. Forbes et al., *Statistical Distributions*, 4th ed., ch. 44): mean (a + b + c) / 3,
variance (a^2 + b^2 + c^2 - ab - ac - bc) / 18 for low a, high b and mode c.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import orbitdc as odc
from orbitdc import uncertainty as unc
from orbitdc.catalogs import catalog_rows

SPACEX = "spacex-starlink-compute"
N = 4000
#: catalog-backed parameter -> (catalog, field, choice), as the stages declare (specs[...].catalog)
CATALOG_FIELDS = {
    "radiator_areal_density": ("radiators", "areal_density", "radiator"),
    "radiator_fin_efficiency": ("radiators", "fin_efficiency", "radiator"),
    "solar_cell_efficiency": ("solar_cells", "efficiency", "solar_cell"),
    "accelerator_price": ("accelerators", "unit_price", "accelerator"),
    "accelerator_mass": ("accelerators", "mass", "accelerator"),
    "accelerator_power": ("accelerators", "power", "accelerator"),
    "vehicle_payload_leo": ("launch_vehicles", "payload_reference", "launch_vehicle"),
}


def _row(catalog: str, entry: str, field: str) -> dict:
    return next(r for r in catalog_rows(catalog) if r["entry"] == entry and r["field"] == field)


@pytest.fixture(scope="module")
def mc():
    return odc.monte_carlo(SPACEX, N, seed=3, design="nominal", correlation="none")


def test_the_catalog_values_the_architecture_uses_are_drawn(mc):
    arch = odc.load_architecture(SPACEX)
    drawn = set(mc.attrs["drawn_parameters"].split(", "))
    for name, (catalog, field, choice) in CATALOG_FIELDS.items():
        row = _row(catalog, arch.parameters[choice].value, field)
        assert row["low"] < row["high"], name  # these cells carry a range in data/catalogs
        assert name in drawn, name
        assert name in mc.attrs["drawn_catalog_values"]
        assert mc[name].dims == ("sample",)
        assert "triangular" in mc[name].attrs["distribution"]


@pytest.mark.parametrize("name", sorted(CATALOG_FIELDS))
def test_draws_stay_in_the_catalog_range_with_the_triangular_spread(mc, name):
    arch = odc.load_architecture(SPACEX)
    catalog, field, choice = CATALOG_FIELDS[name]
    row = _row(catalog, arch.parameters[choice].value, field)
    p = arch.parameters[name]
    # the catalog cell in the parameter's canonical unit (the catalog may write another unit)
    scale = p.canonical_value / row["value"]
    a, c, b = row["low"] * scale, row["value"] * scale, row["high"] * scale
    x = mc[name].values
    assert x.min() >= a and x.max() <= b
    mean = (a + b + c) / 3
    sd = math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18)
    # a Latin hypercube of N points hits each of N strata once: the sample mean and standard
    # deviation of a smooth marginal are far closer than the Monte Carlo error sd/sqrt(N); 3 sd/sqrt(N)
    # and 2 % are loose bounds that a wrong distribution (e.g. uniform: sd larger by ~20 %) fails
    assert abs(x.mean() - mean) < 3 * sd / math.sqrt(N)
    assert x.std() == pytest.approx(sd, rel=0.02)
    # the median of a triangular distribution (c >= (a+b)/2): a + sqrt((b-a)(c-a)/2)
    if c >= (a + b) / 2:
        median = a + math.sqrt((b - a) * (c - a) / 2)
    else:
        median = b - math.sqrt((b - a) * (b - c) / 2)
    assert np.median(x) == pytest.approx(median, abs=3 * sd / math.sqrt(N) * 1.25)


def test_drawn_catalog_values_reach_the_physics(mc):
    """The radiator mass per m2 is the drawn areal density (plus nothing else), sample by sample:
    the draw is used by the mass model, not only recorded."""
    ratio = mc["mass_breakdown"].sel(subsystem="radiator") / mc["radiator_area"]
    np.testing.assert_allclose(ratio.values, mc["radiator_areal_density"].values, rtol=1e-12)


def test_a_user_fixed_catalog_value_is_not_drawn():
    mc = odc.monte_carlo(SPACEX, 200, seed=0, design="nominal", radiator_areal_density="2.5 kg/m2")
    assert "radiator_areal_density" not in mc.attrs["drawn_parameters"].split(", ")
    assert "sample" not in mc["radiator_areal_density"].dims
    assert float(mc["radiator_areal_density"]) == 2.5
    assert "solar_cell_efficiency" in mc.attrs["drawn_parameters"]  # the others still are


def test_a_chosen_entry_is_drawn_over_its_own_range():
    """Overriding the choice by one entry name draws that entry's catalog range (carbon-carbon
    heat-pipe radiator: 0.43-2.2 kg/m2 in data/catalogs/radiators.csv), not the file's entry's."""
    row = _row("radiators", "carbon-carbon-heat-pipe", "areal_density")
    mc = odc.monte_carlo(SPACEX, 500, seed=0, design="nominal", radiator="carbon-carbon-heat-pipe")
    x = mc["radiator_areal_density"].values
    assert x.min() >= row["low"] and x.max() <= row["high"]
    assert np.median(x) < _row("radiators", "advanced-deployable", "areal_density")["low"]


def test_opting_out_holds_catalog_values_and_leaves_other_draws_bit_identical():
    held = odc.monte_carlo(SPACEX, 300, seed=5, design="nominal", correlation="none", draw_catalog=False)
    drawn = odc.monte_carlo(SPACEX, 300, seed=5, design="nominal", correlation="none")
    assert held.attrs["drawn_catalog_values"] == "none"
    for name in CATALOG_FIELDS:
        assert "sample" not in held[name].dims
    for name in held.attrs["drawn_parameters"].split(", "):
        np.testing.assert_array_equal(held[name].values, drawn[name].values, err_msg=name)


def test_a_swept_choice_holds_its_catalog_values():
    ds = unc.draw(SPACEX, 50, seed=0, radiator=["advanced-deployable", "carbon-carbon-heat-pipe"])
    assert "radiator_areal_density" not in ds.data_vars
    assert "solar_cell_efficiency" in ds.data_vars
