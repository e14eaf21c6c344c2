"""Chunking never changes a number (issue 13, item 4).

With ``samples=68000, chunks=65536`` the last chunk holds 2,464 samples: few enough that a
per-chunk rule would switch the orbit stage from its interpolated eclipse grid to exact eclipses,
which changed 41 variables (capex by ~3.6e9 USD). The method is now decided once per Monte Carlo
run (``_Plan.eclipse_method``) and the eclipse year per design point, so every chunking gives the
same bits as the in-memory run.
"""
from __future__ import annotations

import numpy as np
import pytest

import orbitdc as odc
from orbitdc import uncertainty


@pytest.mark.slow
def test_uneven_last_chunk_gives_the_same_bits():
    # design="sampled" draws the altitude (a design variable), so the run uses the eclipse grid
    eager = odc.monte_carlo("spacex-starlink-compute", samples=68_000, seed=3, design="sampled")
    lazy = odc.monte_carlo("spacex-starlink-compute", samples=68_000, seed=3, chunks=65_536,
                           design="sampled").compute(scheduler="synchronous")
    assert eager.attrs["eclipse_method"] == lazy.attrs["eclipse_method"] == "grid"  # altitude is drawn
    assert set(eager.data_vars) == set(lazy.data_vars)
    for name in eager.data_vars:
        a, b = eager[name], lazy[name].transpose(*eager[name].dims)
        np.testing.assert_array_equal(a.values, b.values, err_msg=name)


def test_eclipse_method_is_decided_for_the_whole_run():
    arch = odc.load_architecture("spacex-starlink-compute")
    drawn = uncertainty.marginals(arch, design="sampled")  # orbit parameters drawn
    few = uncertainty._Plan(arch=arch, margs=drawn, overrides={}, seed=0, samples=100)
    many = uncertainty._Plan(arch=arch, margs=drawn, overrides={}, seed=0, samples=100_000)
    fixed_orbit = uncertainty._Plan(arch=arch, margs=uncertainty.marginals(arch, exclude=uncertainty.ORBIT_PARAMETERS),
                                    overrides={}, seed=0, samples=100_000)
    assert few.eclipse_method == "exact"
    assert many.eclipse_method == "grid"
    assert fixed_orbit.eclipse_method == "exact"  # one orbit: exact whatever the sample count


def test_eclipses_of_a_point_do_not_depend_on_its_neighbours():
    # the same orbit, evaluated alone and inside a sweep whose other points start in other years
    alone = odc.evaluate("spacex-starlink-compute", start_year=2031)
    swept = odc.evaluate("spacex-starlink-compute", start_year=[2028.0, 2031.0, 2040.0])
    for name in ("eclipse_fraction", "max_eclipse_duration", "eclipse_days"):
        assert float(swept[name].sel(start_year=2031.0)) == float(alone[name])
