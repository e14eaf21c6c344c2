"""Uncertainty: Latin-hypercube Monte Carlo, its reproducibility under dask, summaries, tornado, Sobol.

Two kinds of test. (1) On the real chain (``example-minimal`` and every shipped architecture):
properties only (reproducibility, ranges, means, stratification, dask == in-process bit for bit),
because the stages are still changing. (2) On a synthetic one-stage chain built here (the chain's
stage list is monkeypatched): inputs constructed by hand, so the answers are known analytically
(tornado values, Sobol indices of a linear model, quantiles and probabilities of a uniform).

References for the checked numbers:
* triangular mean (a + c + b)/3 and variance (a^2+b^2+c^2-ab-ac-bc)/18: Evans, Hastings & Peacock,
  *Statistical Distributions*, 3rd ed. (2000), ch. 40;
* Ishigami function indices for a=7, b=0.1 (S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437):
  Saltelli et al., *Global Sensitivity Analysis: The Primer* (2008), sec. 4.6, as shipped in
  ``SALib.test_functions.Ishigami``; the analytic values are recomputed below from the formulae;
* Latin hypercube: McKay, Beckman & Conover, Technometrics 21 (1979) 239-245 (one point per stratum).
"""
from __future__ import annotations

import math
import socket

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import orbitdc as odc
from orbitdc import chain, stages as stages_mod, uncertainty as unc
from orbitdc.frame import Output, Stage
from orbitdc.errors import OrbitdcError, ParameterError
from orbitdc.architectures import list_architectures, load_architecture
from orbitdc.parameters import Architecture, Parameter, ParameterSpec

ARCH = "example-minimal"


# ---------------------------------------------------------------------------------- helpers
def bitwise_equal(a: xr.Dataset, b: xr.Dataset) -> None:
    """Every variable and coordinate identical, floats compared bit for bit (NaN and -0.0 too)."""
    assert set(a.variables) == set(b.variables)
    for name in a.variables:
        x, y = np.asarray(a[name].values), np.asarray(b[name].values)
        assert a[name].dims == b[name].dims, name
        assert x.shape == y.shape, name
        if x.dtype.kind == "f":
            assert y.dtype == x.dtype, name
            assert np.array_equal(x.view(np.uint64), y.view(np.uint64)), name
        else:
            assert np.array_equal(x.astype(str) if x.dtype.kind in "OU" else x,
                                  y.astype(str) if y.dtype.kind in "OU" else y), name
        assert a[name].attrs == b[name].attrs, name
    assert a.attrs == b.attrs


def make_arch(params: dict[str, dict], name: str = "synthetic", kind: str = "space") -> Architecture:
    """An Architecture built by hand: values already in the canonical unit of the synthetic specs."""
    out = {}
    for pname, d in params.items():
        p = Parameter(value=d["value"], unit=d.get("unit", "1"), low=d.get("low"), high=d.get("high"),
                      distribution=d.get("distribution"), source="orbitdc-assumption")
        p.canonical_unit = d.get("unit", "1")
        p.canonical_value = d["value"]
        if p.is_numeric:
            p.canonical_low = d.get("low", d["value"])
            p.canonical_high = d.get("high", d["value"])
        out[pname] = p
    return Architecture(name=name, description="synthetic test architecture", kind=kind, parameters=out, references={})


SYN_SPECS = {
    "a": ParameterSpec("1", "a"),
    "b": ParameterSpec("1", "b"),
    "c": ParameterSpec("1", "c", minimum=0, exclusive_minimum=True),
    "d": ParameterSpec("1", "d"),
    "frac": ParameterSpec("1", "a fraction", minimum=0, maximum=1),
    "mode": ParameterSpec("1", "a choice", kind="choice", choices=("x", "y")),
    "switch": ParameterSpec("1", "a flag", kind="flag"),
}


def _syn_run(ds):
    # y = 3a - 2b + c^2 (d has no effect); lin = 2a + b - 3c; ratio = a (a cost ratio stand-in)
    y = 3.0 * ds["a"] - 2.0 * ds["b"] + ds["c"] ** 2 + 0.0 * ds["d"]
    return {
        "y": y,
        "lin": 2.0 * ds["a"] + ds["b"] - 3.0 * ds["c"],
        "cost_ratio_vs_terrestrial": ds["a"] + 0.0 * ds["b"],
        "constant": 7.0,
        "label": np.where(ds["a"] > 1.0, "big", "small"),
        "violates_a_above_2": ds["a"] > 2.0,
    }


SYN_STAGE = Stage(
    name="synthetic",
    kernel=_syn_run,
    parameters=SYN_SPECS,
    outputs={
        "y": Output("1", "y"),
        "lin": Output("1", "linear output"),
        "cost_ratio_vs_terrestrial": Output("1", "stand-in cost ratio"),
        "constant": Output("1", "does not depend on anything"),
        "label": Output("1", "a string output"),
        "violates_a_above_2": Output("1", "a above 2"),
    },
    kinds=frozenset({"space"}),
)

SYN_PARAMS = {
    "a": {"value": 1.0, "low": 0.0, "high": 3.0},                                # triangular (default)
    "b": {"value": 1.0, "low": 0.0, "high": 2.0, "distribution": "uniform"},
    "c": {"value": 2.0, "low": 1.0, "high": 8.0, "distribution": "loguniform"},
    "d": {"value": 5.0, "low": 4.0, "high": 6.0},
    "frac": {"value": 0.5, "low": 0.2, "high": 0.9, "distribution": "lognormal"},
    "mode": {"value": "x"},
    "switch": {"value": True},
}


@pytest.fixture
def syn(monkeypatch):
    """The synthetic chain: only SYN_STAGE runs, the architecture is SYN_PARAMS."""
    monkeypatch.setattr(stages_mod, "STAGES", (SYN_STAGE,))
    return make_arch(SYN_PARAMS)


@pytest.fixture(scope="module")
def arch():
    return load_architecture(ARCH)


@pytest.fixture(scope="module")
def mc(arch):
    # the sampler's behaviour: design variables held (the default, design="optimal", is tested in test_design.py)
    return odc.monte_carlo(arch, 3000, seed=11, design="nominal")


# ---------------------------------------------------------------------------------- the real chain
def test_public_names_are_exposed():
    assert odc.monte_carlo is unc.monte_carlo
    assert odc.sensitivity is unc.sensitivity


def test_same_seed_identical_different_seed_different(arch, mc):
    again = odc.monte_carlo(arch, 3000, seed=11, design="nominal")
    bitwise_equal(mc, again)
    other = odc.monte_carlo(arch, 3000, seed=12, design="nominal")
    drawn = [m.name for m in unc.marginals(arch)]
    assert drawn, "example-minimal must have at least one ranged parameter"
    for name in drawn:
        assert not np.array_equal(mc[name].values, other[name].values), name


def test_drawn_inputs_are_variables_along_sample_with_their_distribution(arch, mc):
    assert mc.sizes["sample"] == 3000
    assert np.array_equal(mc["sample"].values, np.arange(3000))
    outputs = set(unc._valid_outputs(arch.kind))
    for m in unc.marginals(arch):
        # a parameter the chain also outputs (e.g. a resolved inclination) is kept as <name>_input
        var = mc[f"{m.name}_input" if m.name in outputs else m.name]
        assert var.dims == ("sample",)
        assert var.attrs["distribution"].startswith(m.kind)
        assert var.attrs["source"] == ", ".join(arch.parameters[m.name].sources)
    assert mc.attrs["monte_carlo_seed"] == 11 and mc.attrs["monte_carlo_samples"] == 3000
    # every output the chain declares for this kind is present
    for name in unc._valid_outputs(arch.kind):
        assert name in mc.data_vars, name


def test_fixed_choice_and_flag_parameters_are_not_drawn(arch, mc):
    """Choices, flags, fixed parameters and (with design="nominal") design variables
    are never drawn; every other ranged number is."""
    specs = chain.parameter_specs()
    drawn = {m.name for m in unc.marginals(arch)}
    assert mc.attrs["design"] == "nominal"
    for name, p in arch.parameters.items():
        if (specs[name].kind != "number" or p.dist == "fixed" or p.canonical_low == p.canonical_high
                or p.role == "design"):
            assert name not in drawn, name
            if name not in unc._valid_outputs(arch.kind):  # else a stage may compute it per sample
                assert "sample" not in mc[name].dims, name
        else:
            assert name in drawn, name


@pytest.mark.parametrize("name", list_architectures())
def test_draws_respect_ranges_on_every_architecture(name):
    a = load_architecture(name)
    ds = unc.draw(a, 2048, seed=3)
    for m in unc.marginals(a):
        x = ds[m.name].values
        assert np.all(np.isfinite(x)), m.name
        spec = chain.parameter_specs()[m.name]
        spec.check_array(m.name, x)  # inside the physical domain declared by the stage
        if m.kind != "lognormal":
            assert x.min() >= m.low and x.max() <= m.high, m.name
            # LHS of 2048 points: the extremes come within one stratum of the ends
            assert m.dist.cdf(x.min()) <= 1 / 2048 + 1e-12 and m.dist.cdf(x.max()) >= 1 - 1 / 2048 - 1e-12, m.name


def test_triangular_means_match_within_sampling_error(arch):
    n = 4000
    ds = unc.draw(arch, n, seed=5)
    tri = [m for m in unc.marginals(arch) if m.kind == "triangular"]
    assert tri
    for m in tri:
        a, c, b = m.low, m.value, m.high
        mean = (a + b + c) / 3
        sd = math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18)
        # 4 standard errors of an i.i.d. mean; a Latin hypercube has a smaller error still
        assert abs(ds[m.name].values.mean() - mean) <= 4 * sd / math.sqrt(n), m.name


def test_drawn_values_are_the_inverse_cdf_of_the_latin_hypercube(arch):
    n = 500
    margs = unc.marginals(arch)
    ds = unc.draw(arch, n, seed=9)
    u = unc.latin_hypercube([m.name for m in margs], n, seed=9)
    correlated = set(ds.attrs.get("correlated_parameters", "").split(", "))
    for j, m in enumerate(margs):
        if m.name in correlated:  # Iman-Conover re-orders the same values (issue 15)
            assert np.array_equal(np.sort(ds[m.name].values), np.sort(m.ppf(u[:, j]))), m.name
        else:
            assert np.array_equal(ds[m.name].values, m.ppf(u[:, j])), m.name
        # stratification survives the monotone transform: one point per probability stratum
        strata = np.floor(m.dist.cdf(ds[m.name].values) * n).astype(int) if m.kind != "lognormal" else None
        if strata is not None:
            assert np.array_equal(np.sort(np.clip(strata, 0, n - 1)), np.arange(n)), m.name


@given(n=st.integers(1, 3000), seed=st.integers(0, 2**32), k=st.integers(1, 4))
@settings(max_examples=40, deadline=None)
def test_latin_hypercube_hits_each_of_n_strata_exactly_once(n, seed, k):
    u = unc.latin_hypercube([f"p{i}" for i in range(k)], n, seed=seed)
    assert u.shape == (n, k)
    assert np.all((u > 0) & (u < 1))
    for j in range(k):
        assert np.array_equal(np.sort(np.floor(u[:, j] * n).astype(int)), np.arange(n))


def test_each_full_block_is_a_latin_hypercube_beyond_block_size(monkeypatch):
    monkeypatch.setattr(unc, "BLOCK_SIZE", 64)
    n = 64 * 5 + 17
    u = unc.latin_hypercube(["x"], n, seed=1)[:, 0]
    for b in range(5):
        blk = u[64 * b: 64 * (b + 1)]
        assert np.array_equal(np.sort(np.floor(blk * 64).astype(int)), np.arange(64))
    tail = u[64 * 5:]
    assert np.array_equal(np.sort(np.floor(tail * 17).astype(int)), np.arange(17))


def test_a_parameter_stream_does_not_depend_on_the_others():
    both = unc.latin_hypercube(["alpha", "beta"], 1000, seed=4)
    alone = unc.latin_hypercube(["beta"], 1000, seed=4)
    assert np.array_equal(both[:, 1], alone[:, 0])
    part = unc.latin_hypercube(["alpha"], 1000, seed=4, start=123, stop=456)
    assert np.array_equal(part[:, 0], both[123:456, 0])


def test_override_fixes_a_parameter_and_keeps_common_random_numbers(arch, mc):
    margs = unc.marginals(arch)
    # not altitude: the orbit stage outputs the resolved (sun-synchronous) inclination, which
    # follows the altitude, so fixing the altitude would move the variable 'inclination'
    fixed = next(m for m in margs if m.name != "altitude")
    ds = odc.monte_carlo(arch, 3000, seed=11, design="nominal", **{fixed.name: fixed.high})
    assert "sample" not in ds[fixed.name].dims
    assert float(ds[fixed.name]) == fixed.high
    for m in margs:
        if m is fixed:
            continue
        assert np.array_equal(ds[m.name].values, mc[m.name].values), m.name


@pytest.mark.slow
def test_chunked_threads_equal_in_process_bit_for_bit(arch, monkeypatch):
    monkeypatch.setattr(unc, "BLOCK_SIZE", 256)  # many blocks, chunks that straddle them
    monkeypatch.setattr(unc, "_THREADED_DRAW_MIN", 0)  # in-process draws on a thread pool
    n = 1500
    eager = odc.monte_carlo(arch, n, seed=2)
    assert np.array_equal(eager[unc.marginals(arch)[-1].name].values,
                          unc.draw(arch, n, seed=2)[unc.marginals(arch)[-1].name].values)
    lazy = odc.monte_carlo(arch, n, seed=2, chunks=(100, 667, 733))
    drawn = unc.marginals(arch)[0].name
    assert lazy[drawn].chunks == ((100, 667, 733),)  # lazy until computed
    bitwise_equal(eager, lazy.compute(scheduler="threads"))
    bitwise_equal(eager, odc.monte_carlo(arch, n, seed=2, chunks={"sample": 1024}, scheduler="synchronous"))


@pytest.mark.slow
@pytest.mark.parametrize("name", list_architectures())
def test_every_architecture_runs_chunked_equal_to_in_process(name):
    eager = odc.monte_carlo(name, 64, seed=1)
    bitwise_equal(eager, odc.monte_carlo(name, 64, seed=1, chunks=(30, 34), scheduler="threads"))


# ---------------------------------------------------------------------------------- synthetic chain
def test_synthetic_distributions(syn):
    n = 20_000
    ds = unc.draw(syn, n, seed=1)
    assert set(ds.data_vars) == {"a", "b", "c", "d", "frac"}  # choice and flag not drawn
    se = 4 / math.sqrt(n)  # 4 standard errors, in units of the standard deviation
    # uniform(0, 2): mean 1, sd 2/sqrt(12)
    assert abs(ds.b.values.mean() - 1.0) <= se * 2 / math.sqrt(12)
    # loguniform(1, 8): ln X uniform on [0, ln 8]
    lnc = np.log(ds.c.values)
    assert abs(lnc.mean() - math.log(8) / 2) <= se * math.log(8) / math.sqrt(12)
    assert ds.c.values.min() >= 1.0 and ds.c.values.max() <= 8.0
    # lognormal median 0.5, sigma = ln(0.9/0.2)/(2*1.645), truncated to the fraction's maximum 1
    f = ds.frac.values
    assert f.max() <= 1.0 and f.min() > 0
    sigma = math.log(0.9 / 0.2) / (2 * stats.norm.ppf(0.95))
    base = stats.lognorm(s=sigma, scale=0.5)
    assert base.sf(1.0) > 0.05  # the truncation matters here
    # truncated CDF at x: F(x)/F(1); compare the empirical CDF at a few points (LHS: within 1/n each)
    for x in (0.2, 0.5, 0.9):
        expected = base.cdf(x) / base.cdf(1.0)
        assert abs((f <= x).mean() - expected) <= 2 / n + 1e-12


@given(a=st.floats(0.01, 10), med=st.floats(0.01, 10), b=st.floats(0.01, 10))
@settings(max_examples=50, deadline=None)
def test_lognormal_convention_median_and_percentiles(a, med, b):
    lo, hi = sorted((a, b))
    if hi / lo < 1.001:
        return
    value = min(max(med, lo), hi)
    m = unc.Marginal("x", "lognormal", value=value, low=lo, high=hi)
    assert m.ppf(0.5) == pytest.approx(value, rel=1e-12)
    # the 5-95 % interval has the log-width of [low, high] ...
    assert math.log(m.ppf(0.95) / m.ppf(0.05)) == pytest.approx(math.log(hi / lo), rel=1e-9)
    # ... and is [low, high] itself when value is the geometric mean
    g = unc.Marginal("x", "lognormal", value=math.sqrt(lo * hi), low=lo, high=hi)
    assert g.ppf(0.05) == pytest.approx(lo, rel=1e-9) and g.ppf(0.95) == pytest.approx(hi, rel=1e-9)


@given(kind=st.sampled_from(unc.DRAWN), lo=st.floats(1e-3, 1e3), w=st.floats(1e-3, 1e3), t=st.floats(0, 1))
@settings(max_examples=50, deadline=None)
def test_fast_inverse_cdf_is_scipy_ppf_bit_for_bit(kind, lo, w, t):
    hi = lo + w
    if not hi > lo:
        return
    m = unc.Marginal("x", kind, value=min(max(lo + t * w, lo), hi), low=lo, high=hi)
    u = np.concatenate([[0.0, 1.0], unc.latin_hypercube(["x"], 257, seed=0)[:, 0]])
    assert np.array_equal(m.ppf(u).view(np.uint64), m.dist.ppf(u).view(np.uint64))


@given(lo=st.floats(-1e6, 1e6), w=st.floats(1e-6, 1e6), t=st.floats(0, 1), n=st.integers(1, 500))
@settings(max_examples=50, deadline=None)
def test_triangular_marginal_is_bounded_and_stratified(lo, w, t, n):
    hi = lo + w
    if not hi > lo:
        return
    mode = lo + t * (hi - lo)
    m = unc.Marginal("x", "triangular", value=min(max(mode, lo), hi), low=lo, high=hi)
    u = unc.latin_hypercube(["x"], n, seed=0)[:, 0]
    x = m.ppf(u)
    assert np.all((x >= lo) & (x <= hi))
    assert np.all(np.diff(x[np.argsort(u)]) >= 0)  # monotone: the strata are kept


def test_monte_carlo_on_synthetic_chain(syn):
    ds = odc.monte_carlo(syn, 1000, seed=0)
    expected = 3 * ds.a - 2 * ds.b + ds.c ** 2
    assert np.array_equal(ds.y.values, expected.values)
    assert float(ds.constant) == 7.0 and "sample" not in ds.constant.dims
    assert np.array_equal(ds.feasible.values, ds.a.values <= 2.0)
    assert set(np.unique(ds.binding_constraint.values)) <= {"none", "a_above_2"}
    assert ds.mode.item() == "x" and bool(ds.switch) is True


@given(cuts=st.lists(st.integers(1, 700), min_size=2, max_size=6), seed=st.integers(0, 1000))  # a run has >= 2 samples
@settings(max_examples=15, deadline=None)
def test_any_chunking_gives_the_same_bits(cuts, seed):
    # the fixture cannot be used with @given; patch by hand and restore
    orig_stages, orig_block = stages_mod.STAGES, unc.BLOCK_SIZE
    stages_mod.STAGES, unc.BLOCK_SIZE = (SYN_STAGE,), 128
    try:
        a = make_arch(SYN_PARAMS)
        n = sum(cuts)
        eager = odc.monte_carlo(a, n, seed=seed)
        lazy = odc.monte_carlo(a, n, seed=seed, chunks=tuple(cuts))
        bitwise_equal(eager, lazy.compute(scheduler="threads"))
    finally:
        stages_mod.STAGES, unc.BLOCK_SIZE = orig_stages, orig_block


def test_tornado_known_answer(syn):
    tor = odc.sensitivity(syn, "y")
    # nominal: a=1, b=1, c=2, d=5, frac=0.5 -> y = 3 - 2 + 4 = 5
    assert float(tor.baseline) == pytest.approx(5.0, rel=1e-15)
    want = {  # parameter: (y at low, y at high)
        "a": (3 * 0 - 2 + 4, 3 * 3 - 2 + 4),
        "b": (3 - 0 + 4, 3 - 4 + 4),
        "c": (3 - 2 + 1, 3 - 2 + 64),
        "d": (5, 5),
        "frac": (5, 5),
    }
    assert list(tor.parameter.values) == ["c", "a", "b", "d", "frac"]  # by decreasing swing
    for p, (lo, hi) in want.items():
        assert float(tor.low.sel(parameter=p)) == pytest.approx(lo, rel=1e-15)
        assert float(tor.high.sel(parameter=p)) == pytest.approx(hi, rel=1e-15)
        assert float(tor.swing.sel(parameter=p)) == pytest.approx(abs(hi - lo), rel=1e-15)
    assert float(tor.parameter_low.sel(parameter="c")) == 1.0 and float(tor.parameter_high.sel(parameter="c")) == 8.0
    assert str(tor.distribution.sel(parameter="c").item()) == "loguniform"


def test_tornado_respects_overrides_and_constant_outputs(syn):
    tor = odc.sensitivity(syn, "y", c=3.0)
    assert "c" not in tor.parameter.values
    assert float(tor.baseline) == pytest.approx(3 - 2 + 9)
    flat = odc.sensitivity(syn, "constant")
    assert np.all(flat.swing.values == 0) and np.all(flat.low.values == 7.0)


def test_tornado_evaluates_the_chain_once(syn, monkeypatch):
    calls = []
    real = chain.run_stages

    def counting(ds, *a, **k):
        calls.append(dict(ds.sizes))
        return real(ds, *a, **k)

    monkeypatch.setattr(chain, "run_stages", counting)
    odc.sensitivity(syn, "y")
    assert len(calls) == 1 and calls[0]["case"] == 2 * 5 + 1
    calls.clear()
    odc.sensitivity(syn, "lin", method="sobol", samples=64)
    assert len(calls) == 1 and calls[0]["sample"] == 64 * (5 + 2)


def _ishigami_analytic(a=7.0, b=0.1):
    """Ishigami & Homma (1990) variance decomposition, x_i ~ U(-pi, pi)."""
    v1 = 0.5 * (1 + b * math.pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * math.pi ** 8 / 18 - b ** 2 * math.pi ** 8 / 50
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_sobol_wrapper_on_ishigami():
    from SALib.test_functions import Ishigami

    s1_true, st_true = _ishigami_analytic()
    dists = {f"x{i}": stats.uniform(loc=-math.pi, scale=2 * math.pi) for i in (1, 2, 3)}
    res = unc.sobol_indices(Ishigami.evaluate, dists, samples=4096, seed=0)
    assert list(res.parameter.values) == ["x1", "x2", "x3"]  # ST: 0.558 > 0.442 > 0.244
    for i, name in enumerate(("x1", "x2", "x3")):
        r = res.sel(parameter=name)
        # within twice the 95 % bootstrap half-width (about 4 standard errors)
        assert abs(float(r.S1) - s1_true[i]) <= 2 * float(r.S1_conf), name
        assert abs(float(r.ST) - st_true[i]) <= 2 * float(r.ST_conf), name


def test_sobol_through_the_chain_on_a_linear_output(syn):
    # lin = 2a + b - 3c: independent inputs, first-order = total = c_i^2 Var_i / sum
    var_a = (0 + 9 + 1 - 0 - 0 - 3) / 18  # triangular(0, 1, 3)
    var_b = 4 / 12  # uniform(0, 2)
    L = math.log(8.0)
    var_c = (64 - 1) / (2 * L) - (7 / L) ** 2  # loguniform(1, 8)
    parts = np.array([4 * var_a, var_b, 9 * var_c])
    s = parts / parts.sum()
    res = odc.sensitivity(syn, "lin", method="sobol", samples=2048, seed=1)
    assert res.attrs["output"] == "lin"
    for name, si in zip(("a", "b", "c"), s):
        r = res.sel(parameter=name)
        assert abs(float(r.S1) - si) <= 2 * float(r.S1_conf), name
        assert abs(float(r.ST) - si) <= 2 * float(r.ST_conf), name
    for name in ("d", "frac"):  # no effect: total index zero up to sampling noise
        r = res.sel(parameter=name)
        assert abs(float(r.ST)) <= 2 * float(r.ST_conf) + 1e-12, name


def test_summaries_on_a_uniform_output(syn):
    n = 1000
    ds = odc.monte_carlo(syn, n, seed=2)
    # cost_ratio_vs_terrestrial = a ~ triangular(0, 1, 3); quantiles follow its inverse CDF
    a_dist = stats.triang(c=1 / 3, loc=0, scale=3)
    s = unc.summarize(ds, "cost_ratio_vs_terrestrial", quantiles=(0.1, 0.5, 0.9))
    assert list(s["quantile"].values) == [0.1, 0.5, 0.9]
    for q in (0.1, 0.5, 0.9):
        # LHS: exactly one point per 1/n probability stratum, so the empirical quantile's
        # probability level is within 1/n of q
        got = float(s.cost_ratio_vs_terrestrial.sel(quantile=q))
        assert abs(a_dist.cdf(got) - q) <= 1.0 / n + 1e-12
    p = unc.probability_cheaper(ds)
    assert abs(float(p) - a_dist.cdf(1.0)) <= 1.0 / n + 1e-12
    p_hi = unc.probability(ds, "cost_ratio_vs_terrestrial", 2.0, below=False)
    assert abs(float(p_hi) - a_dist.sf(2.0)) <= 1.0 / n + 1e-12
    const = unc.summarize(ds, ["constant"])
    assert np.all(const.constant.values == 7.0)


def test_summaries_of_a_lazy_result_equal_the_eager_ones(syn):
    eager = odc.monte_carlo(syn, 3000, seed=4)
    lazy = odc.monte_carlo(syn, 3000, seed=4, chunks=700)
    s_lazy = unc.summarize(lazy, ["y", "lin"])
    assert s_lazy.y.chunks is not None
    xr.testing.assert_identical(unc.summarize(eager, ["y", "lin"]), s_lazy.compute(scheduler="threads"))
    xr.testing.assert_identical(unc.probability(eager, "y", 5.0), unc.probability(lazy, "y", 5.0).compute(scheduler="threads"))


# ---------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("samples", [0, -5, 1.5, "10", True, None, float("nan")])
def test_bad_sample_count(arch, samples):
    with pytest.raises(ParameterError) as exc:
        odc.monte_carlo(arch, samples)
    assert exc.value.parameter == "samples"


@pytest.mark.parametrize("seed", [-1, 1.5, "0", None])
def test_bad_seed(arch, seed):
    with pytest.raises(ParameterError) as exc:
        odc.monte_carlo(arch, 10, seed=seed)
    assert exc.value.parameter == "seed"


def test_unknown_and_bad_overrides(arch):
    with pytest.raises(OrbitdcError) as exc:
        odc.monte_carlo(arch, 10, no_such_parameter=3)
    assert "no_such_parameter" in str(exc.value)
    with pytest.raises(OrbitdcError) as exc:
        odc.monte_carlo(arch, 10, target_it_power=-1)
    assert "target_it_power" in str(exc.value)
    with pytest.raises(ParameterError) as exc:
        odc.monte_carlo(arch, 10, target_it_power=xr.DataArray([1.0, 2.0], dims="sample"))
    assert exc.value.parameter == "target_it_power"


@pytest.mark.parametrize("chunks", [0, -3, (5, 4), {"samples": 5}, 2.5])
def test_bad_chunks(arch, chunks):
    with pytest.raises(ParameterError) as exc:
        odc.monte_carlo(arch, 10, chunks=chunks)
    assert exc.value.parameter == "chunks"


@pytest.mark.parametrize("scheduler", [42, "not a scheduler", object(), ["tcp://x:1"]])
def test_bad_scheduler(arch, scheduler):
    with pytest.raises(ParameterError) as exc:
        odc.monte_carlo(arch, 10, scheduler=scheduler)
    assert exc.value.parameter == "scheduler"


def test_unreachable_scheduler_address(arch, monkeypatch):
    monkeypatch.setattr(unc, "CONNECT_TIMEOUT", "1s")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ParameterError) as exc:
        odc.monte_carlo(arch, 10, scheduler=f"tcp://127.0.0.1:{port}")
    assert exc.value.parameter == "scheduler" and "cannot connect" in str(exc.value)


def test_too_many_samples_in_memory_points_to_chunks(arch, monkeypatch):
    monkeypatch.setattr(unc, "MAX_IN_MEMORY_SAMPLES", 10)
    with pytest.raises(ParameterError) as exc:
        odc.monte_carlo(arch, 11)
    assert exc.value.parameter == "samples" and "chunks" in str(exc.value)


def test_unknown_output_lists_valid_ones(arch):
    with pytest.raises(ParameterError) as exc:
        odc.sensitivity(arch, "no_such_output")
    assert exc.value.parameter == "output"
    assert "feasible" in str(exc.value)
    for name in unc._valid_outputs(arch.kind):
        assert name in str(exc.value)


def test_bad_sensitivity_arguments(syn):
    with pytest.raises(ParameterError) as exc:
        odc.sensitivity(syn, "y", method="morris")
    assert exc.value.parameter == "method"
    with pytest.raises(ParameterError) as exc:
        odc.sensitivity(syn, "y", method="sobol", samples=100)
    assert exc.value.parameter == "samples"
    with pytest.raises(ParameterError) as exc:
        odc.sensitivity(syn, "label")
    assert exc.value.parameter == "output" and "not numeric" in str(exc.value)
    with pytest.raises(ParameterError) as exc:
        odc.sensitivity(syn, "y", a=[0.5, 1.5])
    assert exc.value.parameter == "output" and "dimension" in str(exc.value)
    with pytest.raises(OrbitdcError):
        odc.sensitivity(syn, "y", a=1.0, b=1.0, c=2.0, d=5.0, frac=0.5)  # nothing left to vary


def test_bad_summary_arguments(syn):
    ds = odc.monte_carlo(syn, 50, seed=0)
    with pytest.raises(ParameterError) as exc:
        unc.summarize(ds, "nope")
    assert exc.value.parameter == "output" and "y" in str(exc.value)
    with pytest.raises(ParameterError) as exc:
        unc.summarize(ds, "y", quantiles=(0.5, 1.5))
    assert exc.value.parameter == "quantiles"
    with pytest.raises(ParameterError) as exc:
        unc.probability(ds, "label", 1.0)
    assert exc.value.parameter == "var"
    with pytest.raises(OrbitdcError):
        unc.probability_cheaper(ds.drop_vars("cost_ratio_vs_terrestrial"))


# ---------------------------------------------------------------------------- issue 26: the stream
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm as _norm
from scipy.stats import qmc as _qmc


@given(seed=st.integers(0, 2**63 - 1), key=st.integers(0, 2**64 - 1), block=st.integers(0, 2**41),
       size=st.integers(1, 3000))
@settings(max_examples=60, deadline=None)
def test_block_uniforms_are_scipys_latin_hypercube_bit_for_bit(seed, key, block, size):
    """The sampling stream is defined as scipy's LatinHypercube(d=1) seeded by SeedSequence([seed,
    key, block]) (module docstring); the faster construction must give the same bits."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, key, block]))
    want = _qmc.LatinHypercube(d=1, rng=rng).random(size)[:, 0]
    got = unc._block_uniforms(seed, key, block, size)
    assert got.dtype == want.dtype and np.array_equal(got, want)
    # and it is a Latin hypercube: one point in each of the size strata
    assert np.array_equal(np.sort(np.floor(got * size)), np.arange(size))


def test_iman_conover_gives_the_published_double_argsort_ranks_bit_for_bit():
    """Iman & Conover (1982) re-order each column to the ranks of the score matrix T:
    sort(u)[argsort(argsort(T))]; the one-sort form must give the same numbers."""
    from orbitdc import correlation as corr

    rng = np.random.default_rng(3)
    for n, k in ((65_536, 8), (300, 3)):
        u = rng.random((n, k))
        target = np.full((k, k), 0.4)
        np.fill_diagonal(target, 1.0)
        got = corr.iman_conover(u, target, np.random.default_rng(9))
        r = np.random.default_rng(9)
        scores = _norm.ppf(np.arange(1, n + 1) / (n + 1.0))  # van der Waerden scores
        m = np.column_stack([r.permutation(scores) for _ in range(k)])
        f = np.linalg.cholesky(np.corrcoef(m, rowvar=False))
        pearson = 2.0 * np.sin(np.pi * target / 6.0)  # Pearson (1907) for the target Spearman
        np.fill_diagonal(pearson, 1.0)
        p = np.linalg.cholesky(pearson)
        t = m @ np.linalg.inv(f).T @ p.T
        want = np.column_stack([np.sort(u[:, j])[np.argsort(np.argsort(t[:, j], kind="stable"), kind="stable")]
                                for j in range(k)])
        assert np.array_equal(got, want)


def test_stable_order_falls_back_on_ties():
    from orbitdc.correlation import _stable_order

    x = np.array([3.0, 1.0, 3.0, 2.0, 1.0, np.nan, 0.5])
    assert np.array_equal(_stable_order(x), np.argsort(x, kind="stable"))
    y = np.random.default_rng(0).standard_normal(10_000)
    assert np.array_equal(_stable_order(y), np.argsort(y, kind="stable"))


@given(rows=st.lists(st.tuples(st.sampled_from([500.0, 550.0, -0.0, 0.0, 1e300]), st.sampled_from([0.0, 1.0]),
                               st.sampled_from([53.0, 97.6]), st.sampled_from([6.0, 18.25]),
                               st.sampled_from([2030.0, 2031.0])), min_size=1, max_size=60))
@settings(max_examples=60, deadline=None)
def test_unique_orbit_rows_match_numpy_unique_rows(rows):
    from orbitdc.orbit import _unique_rows

    key = np.array(rows, dtype=float)
    uniq, inverse = _unique_rows(key)
    want, _ = np.unique(key, axis=0, return_inverse=True)
    assert len(uniq) == len(want)
    assert np.array_equal(uniq[inverse], key)            # each row maps to an equal distinct row
    assert len({tuple(r) for r in uniq.tolist()}) == len(uniq)  # and the distinct rows are distinct
