"""Issue 15: rank-correlated draws (Iman–Conover over the Latin hypercube, shared factors in data)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import orbitdc as odc
from orbitdc import correlation as corr
from orbitdc import uncertainty as unc
from orbitdc.errors import ArchitectureError, ParameterError

ARCH = "spacex-starlink-compute"


def _tolerance(n: int, rho: float, k: float = 4.0) -> float:
    """k standard errors of a sample Spearman correlation, from n.

    Fisher's z = atanh(r_s) has standard error sqrt(1.06 / (n - 3)) for Spearman's r_s (Fieller,
    Hartley & Pearson 1957, Biometrika 44, 470); back in r units, dr = (1 - rho^2) dz. Iman–Conover
    fixes the normal scores' correlation exactly, so the error is smaller still.
    """
    return k * (1.0 - rho ** 2) * math.sqrt(1.06 / (n - 3))


def test_zero_correlations_give_todays_draws_bit_for_bit(tmp_path):
    none = unc.draw(ARCH, 3000, seed=7, correlation="none")
    zero = unc.draw(ARCH, 3000, seed=7, correlation={"f": {"bus_cost_per_kg": 0.0, "array_specific_power": 0.0}})
    pairs = unc.draw(ARCH, 3000, seed=7, correlation={("bus_cost_per_kg", "array_specific_power"): 0.0})
    # "today's draws": the inverse CDF of each parameter's own Latin-hypercube stream
    margs = unc.marginals(ARCH)
    u = unc.latin_hypercube([m.name for m in margs], 3000, seed=7)
    for j, m in enumerate(margs):
        expected = m.ppf(u[:, j])
        for ds in (none, zero, pairs):
            assert np.array_equal(ds[m.name].values, expected), m.name
    # a correlations file whose loadings are all 0 changes nothing either
    f = tmp_path / "c.yaml"
    f.write_text("description: x\nfactors:\n  a:\n    description: y\n    loadings:\n"
                 "      bus_cost_per_kg: {value: 0.0, source: orbitdc-assumption}\n"
                 "      array_specific_power: {value: 0.0, source: orbitdc-assumption}\n")
    assert corr.resolve(corr.load_factors(f), [m.name for m in margs]) is None


def test_data_correlations_leave_uncorrelated_parameters_untouched():
    data = unc.draw(ARCH, 2000, seed=1)
    none = unc.draw(ARCH, 2000, seed=1, correlation="none")
    grouped = set(data.attrs["correlated_parameters"].split(", "))
    assert {"bus_cost_per_kg", "array_specific_power", "launch_price_per_kg"} <= grouped
    for name in data.data_vars:
        if name in grouped:
            # the same values, re-ordered: marginals (and Latin-hypercube strata) are unchanged
            assert np.array_equal(np.sort(data[name].values), np.sort(none[name].values)), name
            assert not np.array_equal(data[name].values, none[name].values), name
        else:
            assert np.array_equal(data[name].values, none[name].values), name


@pytest.mark.parametrize("rho", [0.6, -0.4, 0.9])
def test_pairwise_rank_correlation_matches_the_target(rho):
    n = 4096
    ds = unc.draw(ARCH, n, seed=3, correlation={("bus_cost_per_kg", "array_specific_power"): rho})
    r = stats.spearmanr(ds["bus_cost_per_kg"], ds["array_specific_power"])[0]
    assert r == pytest.approx(rho, abs=_tolerance(n, rho))
    # strata survive: one point in each of n probability strata
    m = next(m for m in unc.marginals(ARCH) if m.name == "bus_cost_per_kg")
    strata = np.clip(np.floor(m.dist.cdf(ds["bus_cost_per_kg"].values) * n).astype(int), 0, n - 1)
    assert np.array_equal(np.sort(strata), np.arange(n))


def test_shared_factors_give_the_one_factor_correlation_matrix():
    n = 8192
    ds = unc.draw(ARCH, n, seed=0)
    factors = corr.load_factors()
    names = ["bus_cost_per_kg", "array_specific_power", "space_hardware_premium", "launch_price_per_kg",
             "launch_cadence_share"]
    target = corr.rank_correlation(names, factors)
    # hand value: bus cost and array specific power share space_hardware_maturity: -0.7 * 0.6
    assert target[0, 1] == pytest.approx(-0.42)
    assert target[0, 3] == 0.0  # different factors: independent
    got = stats.spearmanr(np.column_stack([ds[nm].values for nm in names]))[0]
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            assert got[i, j] == pytest.approx(target[i, j], abs=_tolerance(n, target[i, j])), (names[i], names[j])


def test_correlated_monte_carlo_is_chunking_invariant_and_recorded():
    eager = odc.monte_carlo(ARCH, 500, seed=2)
    lazy = odc.monte_carlo(ARCH, 500, seed=2, chunks=(200, 300)).compute(scheduler="synchronous")
    assert eager.attrs["correlation_method"].startswith("Iman-Conover")
    for name in ("bus_cost_per_kg", "launch_price_per_kg", "cost_per_kw_year"):
        np.testing.assert_array_equal(eager[name].values, lazy[name].values)


def test_bad_correlations_are_refused(tmp_path):
    with pytest.raises(ParameterError, match="positive definite"):
        unc.draw(ARCH, 100, correlation={("bus_cost_per_kg", "array_specific_power"): 0.9,
                                         ("bus_cost_per_kg", "launch_price_per_kg"): 0.9,
                                         ("array_specific_power", "launch_price_per_kg"): -0.9})
    with pytest.raises(ParameterError, match="correlation"):
        unc.draw(ARCH, 100, correlation="strong")
    f = tmp_path / "c.yaml"
    f.write_text("description: x\nfactors:\n  a:\n    description: y\n    loadings:\n"
                 "      bus_cost_per_kg: {value: 0.8, source: orbitdc-assumption}\n"
                 "  b:\n    description: z\n    loadings:\n"
                 "      bus_cost_per_kg: {value: 0.8, source: orbitdc-assumption}\n")
    with pytest.raises(ArchitectureError, match="bus_cost_per_kg.*> 1"):
        corr.load_factors(f)
    f.write_text(f.read_text().replace("bus_cost_per_kg: {value: 0.8", "no_such_thing: {value: 0.1", 1))
    with pytest.raises(ArchitectureError, match="no_such_thing"):
        corr.load_factors(f)


from hypothesis import given, settings
from hypothesis import strategies as st


@given(n=st.integers(2, 400), k=st.integers(2, 4), rho=st.floats(-0.45, 0.9), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_iman_conover_only_reorders_each_column(n, k, rho, seed):
    """Whatever the block size and target, every column keeps exactly its values (so marginals and
    Latin-hypercube strata are untouched); blocks too small to carry a correlation are unchanged."""
    rng = np.random.default_rng(seed)
    u = rng.random((n, k))
    target = np.full((k, k), rho / (k - 1) if rho < 0 else rho)  # equicorrelation, positive definite
    np.fill_diagonal(target, 1.0)
    out = corr.iman_conover(u, target, np.random.default_rng(seed + 1))
    for j in range(k):
        assert np.array_equal(np.sort(out[:, j]), np.sort(u[:, j]))
    if n <= k + 1:
        assert np.array_equal(out, u)
