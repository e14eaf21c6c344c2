"""Memory (issue 13 #8): bounded with ``chunks=``, or refused up front with an estimate.

Before: ``monte_carlo(samples=10**9, chunks=131072)`` allocated the whole sample index and one
graph entry per chunk and variable (about 19 GB measured by extrapolating 10^8 samples: 1.9 GB);
a Sobol run with 2**24 base samples and a 12,000 x 12,000 sweep died in the allocation.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import orbitdc as odc
from orbitdc import chain, memory
from orbitdc import uncertainty as unc
from orbitdc.errors import ParameterError

ARCH = "spacex-starlink-compute"
GB = 10**9


def _build_in_subprocess(samples: int, design: str | None, probe: bool = False) -> dict:
    """Build a lazy Monte Carlo of ``samples`` in chunks of 131,072 in a fresh interpreter, which
    reports its own peak resident memory after the build (and, with ``probe``, after computing 5
    samples of block 3, with those samples and the sampling stream's values for them)."""
    design_kw = "" if design is None else f", design={design!r}"
    # The child's own high-water mark: VmHWM of /proc/self/status belongs to the memory map exec
    # created. getrusage's ru_maxrss does not: Linux carries the parent's high-water mark across
    # fork + exec, so a pytest worker grown to ~1 GB by earlier tests read as this build's peak.
    code = textwrap.dedent(f"""
        import resource, json

        def high_water():
            try:
                with open("/proc/self/status") as f:
                    return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM:"))
            except (OSError, StopIteration):
                return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

        from orbitdc import uncertainty as U
        n = {samples}
        ds = U.monte_carlo({ARCH!r}, samples=n, seed=0, chunks=131072{design_kw})
        out = dict(built=high_water(), size=ds.sizes["sample"],
                   index=type(ds.indexes["sample"]).__name__,
                   chunks=len(ds["capex"].chunks[ds["capex"].dims.index("sample")]))
        if {probe!r}:
            start = 3 * U.BLOCK_SIZE + 7
            part = ds.isel(sample=slice(start, start + 5)).compute()
            m = U.marginals({ARCH!r})[0]
            name = m.name if m.name in part else m.name + "_input"
            ref = U._stream(0, m.key, n, start, start + 5, m.ppf)
            out.update(peak=high_water(),
                       same=bool((part[name].values == ref).all()), samples=part["sample"].values.tolist())
        print(json.dumps(out))
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    import json

    return json.loads(res.stdout.strip().splitlines()[-1])


def test_billion_sample_lazy_monte_carlo_stays_bounded():
    """10^9 samples in chunks of 131,072 (the design held at its nominal values: the lazy sampling
    itself): built in bounded memory (a subprocess measures its own peak), and the samples it holds
    are those of the sampling stream (checked at block 3)."""
    got = _build_in_subprocess(10**9, "nominal", probe=True)
    assert got["size"] == 10**9 and got["index"] == "RangeIndex" and got["chunks"] == -(-10**9 // 131072)
    assert got["built"] < 1 * GB  # the sample index alone would be 8 GB
    assert got["peak"] < 2 * GB  # plus one chunk of 131,072 samples computed
    assert got["same"] and got["samples"] == list(range(3 * 65536 + 7, 3 * 65536 + 12))


def test_billion_sample_optimal_design_memory_does_not_grow_with_samples():
    """With the default per-sample optimal design, building adds the design table (a fixed set of
    candidate designs and range-end worlds, ~250 MB measured alone),
    which must not grow with the number of samples: 10^9 samples build in the memory of 10^6 (the
    sample index alone would be 8 GB more)."""
    small = _build_in_subprocess(10**6, None)
    big = _build_in_subprocess(10**9, None)
    assert big["size"] == 10**9 and big["index"] == "RangeIndex"
    assert big["built"] - small["built"] < 1 * GB  # one float per 8 samples would already be 1 GB
    assert big["built"] < 2 * GB


def test_sobol_with_2_pow_24_samples_refused_up_front():
    t0 = time.time()
    with pytest.raises(ParameterError) as exc:
        odc.sensitivity(ARCH, method="sobol", samples=2**24)
    msg = str(exc.value)
    assert exc.value.parameter == "samples"
    assert "16,777,216 base samples" in msg and "in-memory limit of 5,000,000 points" in msg
    assert "TB of memory" in msg and "use samples <= " in msg
    assert time.time() - t0 < 30  # refused before SALib draws 10^9 points


def test_sobol_suggestion_fits():
    """The suggested base sample count is a power of two whose evaluations fit the limit."""
    margs = unc.marginals(ARCH)
    with pytest.raises(ParameterError) as exc:
        odc.sensitivity(ARCH, method="sobol", samples=2**20)
    suggested = int(str(exc.value).split("use samples <= ")[1].split()[0].replace(",", ""))
    assert suggested & (suggested - 1) == 0
    assert suggested * (len(margs) + 2) <= unc.MAX_IN_MEMORY_SAMPLES < 2 * suggested * (len(margs) + 2)


def test_generic_sobol_indices_refuse_inputs_that_cannot_fit(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 10**6)
    called = []
    with pytest.raises(ParameterError) as exc:
        unc.sobol_indices(lambda x: called.append(1) or x[:, 0], {"a": unc.stats.uniform(), "b": unc.stats.uniform()},
                          samples=2**14)
    assert "Sobol run with 16,384 base samples and 2 inputs" in str(exc.value) and not called


def test_twelve_thousand_squared_sweep_refused_with_estimate(monkeypatch):
    """The issue's case, on a machine with 16 GB available (the estimate does not depend on it)."""
    monkeypatch.setattr(memory, "available_bytes", lambda: 16 * GB)
    t0 = time.time()
    with pytest.raises(ParameterError) as exc:
        odc.sweep(ARCH, altitude=np.linspace(400, 1200, 12_000), target_it_power=np.linspace(10, 1000, 12_000))
    msg = str(exc.value)
    assert "a sweep of 12,000 x 12,000 = 144,000,000 design points would need about" in msg
    assert "16 GB is available" in msg and "monte_carlo(..., chunks=)" in msg
    need = float(msg.split("would need about ")[1].split(" GB")[0])
    assert need > 16  # more than available: that is why it was refused
    assert time.time() - t0 < 30


def test_huge_sweep_refused_on_this_machine():
    """10^10 design points need more than any machine has (80 GB for each output alone)."""
    with pytest.raises(ParameterError) as exc:
        odc.sweep(ARCH, altitude=np.linspace(400, 1200, 100_000), launch_price_per_kg=np.geomspace(10, 1e4, 100_000))
    assert "10,000,000,000 design points" in str(exc.value)


def test_sweep_estimate_matches_the_real_result():
    """The probe (2 values per axis) scaled to 40 x 30 predicts the size of the real 40 x 30 sweep."""
    axes = dict(altitude=np.linspace(500, 900, 40), launch_price_per_kg=np.geomspace(50, 5000, 30))
    arch = odc.load_architecture(ARCH)
    probe = chain.evaluate(arch, altitude=axes["altitude"][:2], launch_price_per_kg=axes["launch_price_per_kg"][:2])
    estimate = memory.result_bytes(probe, {"altitude": 40, "launch_price_per_kg": 30})
    real = odc.sweep(arch, **axes)
    actual = memory.result_bytes(real, {})
    assert estimate == pytest.approx(actual, rel=0.02)  # fixed-width strings may differ in width


def test_small_sweep_needs_no_probe(monkeypatch):
    calls = []
    real = chain.evaluate
    monkeypatch.setattr(chain, "evaluate", lambda *a, **k: calls.append(1) or real(*a, **k))
    odc.sweep(ARCH, altitude=[500, 650, 800], launch_price_per_kg=[100, 500, 2000])
    assert calls == [1]  # the sweep itself only


def test_in_memory_monte_carlo_over_the_limit_gives_an_estimate():
    with pytest.raises(ParameterError) as exc:
        odc.monte_carlo(ARCH, samples=10**9)
    msg = str(exc.value)
    assert "1,000,000,000 samples would be evaluated in memory at once (limit 5,000,000; about" in msg
    assert "TB of memory" in msg and "chunks=" in msg


def test_in_memory_monte_carlo_that_cannot_fit_is_refused(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 10**6)
    with pytest.raises(ParameterError) as exc:
        odc.monte_carlo(ARCH, samples=4096)
    assert "4,096 Monte Carlo samples in memory at once would need about" in str(exc.value)


def test_too_many_chunks_refused_before_the_chunk_tuple_is_built():
    t0 = time.time()
    with pytest.raises(ParameterError) as exc:
        odc.monte_carlo(ARCH, samples=10**12, chunks=1)
    assert exc.value.parameter == "chunks" and "1,000,000,000,000 chunks" in str(exc.value)
    assert time.time() - t0 < 30


def test_result_brought_back_from_a_scheduler_must_fit(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 10**6)
    with pytest.raises(ParameterError) as exc:
        odc.monte_carlo(ARCH, samples=4096, chunks=1024, scheduler="synchronous")
    assert "brought back from the scheduler" in str(exc.value)


def test_lazy_result_without_scheduler_is_not_checked(monkeypatch):
    """Lazy results stay lazy: no check against the memory of the whole result."""
    monkeypatch.setattr(memory, "available_bytes", lambda: 10**6)
    lazy = odc.monte_carlo(ARCH, samples=4096, chunks=1024)
    assert lazy["capex"].chunks is not None


def test_latin_hypercube_refuses_what_cannot_fit():
    with pytest.raises(ParameterError) as exc:
        unc.latin_hypercube([f"p{i}" for i in range(100)], 10**12)
    assert "uniforms would need about" in str(exc.value)
    # a range of the same stream is fine
    assert unc.latin_hypercube(["p0", "p1"], 10**12, start=5, stop=9).shape == (4, 2)


@pytest.mark.parametrize("nbytes,text", [(999, "999 B"), (1500, "1.5 kB"), (2.5e9, "2.5 GB"), (3.2e12, "3.2 TB")])
def test_human_sizes(nbytes, text):
    assert memory.human(nbytes) == text
