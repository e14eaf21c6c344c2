"""Uncertainty: Monte Carlo by Latin hypercube, summaries, tornado and Sobol sensitivity, dask.

Everything here is generic over the model chain: parameters are drawn from the architecture's
ranges and passed to :func:`orbitdc.chain.build_inputs` as DataArrays along a ``sample``
dimension, and the chain (:func:`orbitdc.chain.run_stages`) runs once on all of them by
broadcasting. Whatever stages exist are evaluated; nothing here knows their physics.

Which parameters are drawn
--------------------------
Every numeric ``role: uncertain`` parameter whose :attr:`~orbitdc.parameters.Parameter.dist` is
not ``"fixed"`` and whose range is not empty (``low < high``), except those given as overrides (an
override fixes a parameter). Choices and flags are never drawn. Design variables (``role: design``)
are chosen per sample from a table of optimal designs (``design="optimal"``, the default: each
sample is the best design an engineer would build in that world; :mod:`orbitdc.design`), held at
their nominal values (``design="nominal"``) or, for comparison with the behaviour before
issue 15, drawn like uncertainties (``design="sampled"``). Catalog values the architecture uses
(radiator areal density, cell efficiency, accelerator price, mass and power, vehicle payload, price
and cadence: the cells of the entries its choices name) are drawn too, each over its catalog
range as ``triangular(low, catalog value, high)`` (``draw_catalog=False`` holds them at the
catalog value; an override of the value, or of the choice by several names, holds it; an override
of the choice by one name draws that entry's range). Rank correlations between drawn parameters come from the shared
factors of ``data/correlations.yaml`` (:mod:`orbitdc.correlation`, Iman–Conover within each block). The marginal distributions, all in the parameter's
canonical unit:

* ``triangular`` (the default when a range is given): ``scipy.stats.triang`` with lower limit
  ``low``, mode ``value``, upper limit ``high``; mean ``(low + value + high) / 3``.
* ``uniform``: ``scipy.stats.uniform`` on ``[low, high]`` (``value`` is only the nominal point).
* ``loguniform``: ``scipy.stats.loguniform`` on ``[low, high]`` (``low > 0``).
* ``lognormal``: ``scipy.stats.lognorm`` with **median = value** and log-standard deviation
  ``sigma = ln(high / low) / (2 z95)``, ``z95 = Phi^-1(0.95) = 1.645``: the 5 %-95 % interval
  has the same width in log space as ``[low, high]``, and it *is* ``[low, high]`` exactly when
  ``value`` is their geometric mean ``sqrt(low * high)``. Draws may leave ``[low, high]`` (10 %
  of them do, when there is no truncation): that is the heavy tail the distribution is chosen
  for. The distribution is truncated to the parameter's physical domain declared by its stage
  (e.g. a fraction <= 1) by inverse-CDF sampling on ``[F(min), F(max)]``.

The sampling stream (reproducibility and scale)
-----------------------------------------------
Uniforms come from a Latin hypercube (``scipy.stats.qmc.LatinHypercube``), transformed by each
marginal's inverse CDF (``ppf`` from ``scipy.stats``). To keep memory bounded for tens of
millions of samples and to make the numbers independent of how the work is split, the sample
index range ``0 .. samples-1`` is cut into fixed blocks of :data:`BLOCK_SIZE` points (the last
block holds the remainder). Block ``b`` of parameter ``p`` is a one-dimensional Latin hypercube
of the block's size drawn from ``numpy.random.SeedSequence([seed, key(p), b])``, where
``key(p)`` is the first 8 bytes of SHA-256 of the parameter's name. Hence:

* the same ``(seed, samples)`` gives bit-identical draws whatever ``chunks=`` or scheduler is
  used (a dask chunk regenerates the blocks it overlaps and slices them);
* up to :data:`BLOCK_SIZE` samples form one exact Latin hypercube (each of the ``n`` strata of
  every parameter is hit exactly once); beyond that the sample is a union of independent Latin
  hypercubes of :data:`BLOCK_SIZE` points each (each block stratified);
* a parameter's draws do not depend on which other parameters exist or are overridden, so two
  runs that differ by one override (``launch_price_per_kg=500``) use common random numbers for
  everything else: their difference is a paired comparison.

Scale-out
---------
With ``chunks=`` the result is a lazy, dask-backed Dataset: the chain runs once per chunk of
samples in a dask task (stages need not know about dask) and each variable is a dask array that
picks its part of that chunk's result; the template comes from running the chain on a one-sample
slice. ``scheduler=`` runs it at once on a ``distributed.Client``, a scheduler address
(``"tcp://host:8786"``) or a local dask scheduler (``"threads"``, ``"synchronous"``) and returns
the computed Dataset. Without ``scheduler=``, ``.compute()`` on the lazy result uses dask's default
(threads, or the active ``distributed.Client``).

Memory
------
A lazy result costs memory independent of ``samples``: the ``sample`` coordinate is a
``pandas.RangeIndex`` and the graph is made of dask ``Blockwise`` layers (one per variable); at most
:data:`MAX_CHUNKS` chunks are accepted. What would be held in memory at once -- an in-memory run
(at most :data:`MAX_IN_MEMORY_SAMPLES` samples), a result brought back from ``scheduler=``, the
points of a Sobol run -- is estimated first and refused with the estimate when it exceeds the
memory available (:mod:`orbitdc.memory`).
"""
from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import xarray as xr
from scipy import stats
from scipy.stats import qmc

from . import chain, memory, units
from . import design as design_mod
from .correlation import group_key, iman_conover, resolve
from .design import _check_objective, _check_scalar_overrides, design_variables
from .orbit import EXACT_ORBITS_MAX
from .errors import OrbitdcError, ParameterError
from .frame import Frame
from .architectures import apply_scenario, follow_catalog_choices, load_architecture
from .arguments import check_count, check_samples, check_seed
from .parameters import Architecture

#: Points per block of the sampling stream (see the module docstring). A power of two.
BLOCK_SIZE = 65_536
#: Samples per chunk when a scheduler is given without ``chunks=`` (a multiple of BLOCK_SIZE).
DEFAULT_CHUNK = 4 * BLOCK_SIZE
#: Largest sample count evaluated in memory at once without ``chunks=`` (also the largest number of
#: points of a Sobol run, which evaluates the chain on all its points at once).
MAX_IN_MEMORY_SAMPLES = 5_000_000
#: Largest number of chunks of a lazy Monte Carlo: dask holds a task per chunk (and per variable
#: computed) in memory, so 10^9 samples need chunks of at least 10^4.
MAX_CHUNKS = 100_000
#: Default base sample count N for Sobol indices (N * (D + 2) chain evaluations).
SOBOL_DEFAULT_SAMPLES = 512
#: How long to wait for a dask scheduler given by its address.
CONNECT_TIMEOUT = "10s"
#: Distributions that are drawn.
DRAWN = ("triangular", "uniform", "lognormal", "loguniform")
#: Local dask schedulers accepted by name.
LOCAL_SCHEDULERS = ("threads", "synchronous", "sync", "single-threaded")

_Z95 = float(stats.norm.ppf(0.95))
_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ucx|inproc|ws|wss)://\S+|[A-Za-z0-9_.\-\[\]:]+:\d+)$")

__all__ = [
    "BLOCK_SIZE",
    "Marginal",
    "draw",
    "latin_hypercube",
    "marginals",
    "monte_carlo",
    "probability",
    "probability_cheaper",
    "probability_feasible",
    "verdict_probabilities",
    "sensitivity",
    "sobol_indices",
    "summarize",
    "tornado",
]


# --------------------------------------------------------------------------------------------
# Marginal distributions
# --------------------------------------------------------------------------------------------
def _name_key(name: str) -> int:
    """A stable 64-bit integer for a parameter name (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


@dataclass
class Marginal:
    """The distribution of one drawn parameter, in its canonical unit.

    ``kind`` is one of :data:`DRAWN`; ``value``/``low``/``high`` come from the architecture;
    ``minimum``/``maximum`` (and ``exclusive_*``) are the physical domain declared by the stage,
    used to truncate the lognormal. :meth:`ppf` maps uniforms in (0, 1) to values.
    """

    name: str
    kind: str
    value: float
    low: float
    high: float
    unit: str = "1"
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    key: int = field(init=False)
    _dist: Any = field(init=False, repr=False, default=None)
    _trunc: tuple[float, float] | None = field(init=False, repr=False, default=None)
    _fast: Any = field(init=False, repr=False, default=None)

    def __post_init__(self):
        if self.kind not in DRAWN:
            raise ParameterError(self.name, f"distribution '{self.kind}' is not one of {', '.join(DRAWN)}")
        if not self.low < self.high:
            raise ParameterError(self.name, f"a {self.kind} distribution needs low < high (got {self.low:g}, {self.high:g})")
        self.key = _name_key(self.name)
        width = self.high - self.low
        if self.kind == "triangular":
            self._dist = stats.triang(c=(self.value - self.low) / width, loc=self.low, scale=width)
        elif self.kind == "uniform":
            self._dist = stats.uniform(loc=self.low, scale=width)
        elif self.kind == "loguniform":
            if self.low <= 0:
                raise ParameterError(self.name, "a loguniform distribution needs low > 0")
            self._dist = stats.loguniform(self.low, self.high)
        else:  # lognormal: median = value, 5-95 % log-width = ln(high/low)
            if self.low <= 0 or self.value <= 0:
                raise ParameterError(self.name, "a lognormal distribution needs low > 0")
            self._dist = stats.lognorm(s=self.sigma, scale=self.value)
            lo = self.minimum if self.minimum is not None and self.minimum > 0 else 0.0
            hi = self.maximum if self.maximum is not None else math.inf
            f_lo = float(self._dist.cdf(lo)) if lo > 0 else 0.0
            f_hi = float(self._dist.cdf(hi)) if math.isfinite(hi) else 1.0
            if f_lo > 0.0 or f_hi < 1.0:
                self._trunc = (f_lo, f_hi)

    @property
    def sigma(self) -> float:
        """Log-standard deviation of the lognormal: ln(high/low) / (2 z95)."""
        return math.log(self.high / self.low) / (2.0 * _Z95)

    @property
    def dist(self):
        """The (untruncated) frozen ``scipy.stats`` distribution."""
        return self._dist

    def _base_ppf(self, q: np.ndarray) -> np.ndarray:
        """``self.dist.ppf(q)``, computed as scipy's ``ppf`` does for 0 < q < 1 (``_ppf`` of the
        shapes, times scale, plus loc: the same floating-point operations, so the same bits) without
        its per-call argument handling, which costs more than the formula at 1e6 points."""
        if self._fast is None:
            shapes, loc, scale = self._dist.dist._parse_args(*self._dist.args, **self._dist.kwds)
            self._fast = (self._dist.dist._ppf, tuple(np.asarray(a) for a in shapes), np.asarray(loc), np.asarray(scale))
        ppf, shapes, loc, scale = self._fast
        x = ppf(q, *shapes) * scale + loc
        edge = ~((q > 0) & (q < 1))
        if edge.any():  # q of exactly 0 or 1 (or NaN): scipy's own handling of the support ends
            x[edge] = self._dist.ppf(q[edge])
        return x

    def ppf(self, q: Any) -> np.ndarray:
        """Inverse CDF: uniforms in [0, 1] -> values in the canonical unit (truncated if needed)."""
        q = np.asarray(q, dtype=float)
        if q.ndim == 0:
            return self.ppf(q[None])[0]
        if self._trunc is None:
            return self._base_ppf(q)
        f_lo, f_hi = self._trunc
        x = self._base_ppf(f_lo + q * (f_hi - f_lo))
        lo = self.minimum if self.minimum is not None else -math.inf
        hi = self.maximum if self.maximum is not None else math.inf
        if self.exclusive_minimum:
            lo = np.nextafter(lo, math.inf)
        if self.exclusive_maximum:
            hi = np.nextafter(hi, -math.inf)
        return np.clip(x, lo, hi)

    def describe(self) -> str:
        u = "" if self.unit in ("1", "") else f" {self.unit}"
        if self.kind == "triangular":
            return f"triangular(low={self.low:g}, mode={self.value:g}, high={self.high:g}){u}"
        if self.kind == "lognormal":
            extra = ""
            if self._trunc is not None:
                extra = f", truncated to [{self.minimum if self.minimum is not None else 0:g}, {self.maximum if self.maximum is not None else math.inf:g}]"
            return f"lognormal(median={self.value:g}, sigma_ln={self.sigma:.6g}; low={self.low:g}, high={self.high:g} as 5th/95th percentile width{extra}){u}"
        return f"{self.kind}(low={self.low:g}, high={self.high:g}){u}"


#: How :func:`monte_carlo` treats design variables (``role: design``): held at their nominal
#: value, chosen per sample from a table of optimal designs, or drawn like uncertainties (the
#: behaviour before issue 15, kept for comparison: it puts samples at designs nobody would build).
DESIGN_MODES = ("nominal", "optimal", "sampled")


def _check_design(design: Any) -> str:
    if design not in DESIGN_MODES:
        raise ParameterError("design", f"'{design}' is not one of {', '.join(DESIGN_MODES)}")
    return design


def marginals(arch: str | Path | Architecture, exclude: Iterable[str] = (), design: str = "nominal",
              draw_catalog: bool = True) -> list[Marginal]:
    """The drawn parameters of an architecture, sorted by name (see the module docstring).

    Only ``role: uncertain`` parameters are drawn unless ``design="sampled"``, which draws the
    design variables over their ranges too. Catalog values the architecture uses (the entries its
    choices name; ``Parameter.catalog_entry``) are drawn over the catalog cell's range unless
    ``draw_catalog=False``; one whose choice is in ``exclude`` (overridden) is not drawn (the
    callers first re-read the catalog values of a choice overridden by one entry name, see
    :func:`follow_choices`).
    """
    arch = load_architecture(arch)
    design = _check_design(design)
    specs = chain.parameter_specs()
    exclude = set(exclude)
    out = []
    for name in sorted(arch.parameters):
        p = arch.parameters[name]
        spec = specs.get(name)
        if name in exclude or spec is None or spec.kind != "number" or not p.is_numeric:
            continue
        if p.catalog_entry is not None and (not draw_catalog or spec.catalog[2] in exclude):
            continue
        if p.is_design and design != "sampled":
            continue
        kind = p.dist
        if kind == "fixed" or p.canonical_low is None or p.canonical_high is None:
            continue
        if not p.canonical_low < p.canonical_high:
            continue  # an empty range is exact: nothing to draw
        out.append(
            Marginal(
                name=name, kind=kind, value=float(p.canonical_value), low=float(p.canonical_low),
                high=float(p.canonical_high), unit=units.unit_string(spec.unit),
                minimum=spec.minimum, maximum=spec.maximum,
                exclusive_minimum=spec.exclusive_minimum, exclusive_maximum=spec.exclusive_maximum,
            )
        )
    return out


def follow_choices(arch: Architecture, overrides: Mapping[str, Any]) -> Architecture:
    """``arch`` with the catalog values of choices overridden by one entry name (e.g.
    ``radiator="carbon-carbon-heat-pipe"``): the entry's values and ranges, so that Monte Carlo
    draws a catalog value over the range of the entry in use
    (:func:`orbitdc.architectures.follow_catalog_choices`)."""
    choices = {k: v for k, v in overrides.items() if isinstance(v, str)}
    if not choices:
        return arch
    params = follow_catalog_choices(arch.parameters, choices)
    if all(params[k] is arch.parameters[k] for k in params):
        return arch
    return dataclasses.replace(arch, parameters=params)


def _held_catalog(arch: Architecture, overrides: Mapping[str, Any]) -> set[str]:
    """Catalog values whose choice is overridden by several names (a sweep): held at each name's
    catalog value, not drawn."""
    specs = chain.parameter_specs()
    return {k for k, p in arch.parameters.items()
            if p.catalog_entry is not None and specs[k].catalog[2] in overrides
            and not isinstance(overrides[specs[k].catalog[2]], str)}


# --------------------------------------------------------------------------------------------
# The sampling stream
# --------------------------------------------------------------------------------------------
def _block_uniforms(seed: int, key: int, block: int, size: int) -> np.ndarray:
    """One block of a 1-d Latin hypercube: ``size`` uniforms, one in each of ``size`` strata.

    The numbers of ``scipy.stats.qmc.LatinHypercube(d=1, rng=default_rng(SeedSequence([seed, key,
    block]))).random(size)[:, 0]``, computed as it does (a test checks the bits): the engine draws
    from the first child of the generator's seed sequence (``SeedSequence(..., spawn_key=(0,))``):
    ``size`` jitters ``U[0, 1)``, then a shuffle of the strata ``1..size``; point ``i`` is
    ``(stratum_i - jitter_i) / size``. Without the engine's set-up (a deep copy of the generator,
    an optimiser lookup) a block of 65,536 costs ~25 % less.
    """
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, key, block], spawn_key=(0,))))
    jitter = rng.uniform(size=size)
    # strata as float64 (exact below 2**53): the shuffle moves 8-byte items as it does int64 ones,
    # with the same random numbers, and the arithmetic then needs no conversion
    points = np.arange(1.0, size + 1.0)
    rng.shuffle(points)
    points -= jitter
    points /= size
    return points


def _stream(seed: int, key: int, samples: int, start: int, stop: int, transform: Callable | None = None,
            block_size: int | None = None, block_base: int = 0) -> np.ndarray:
    """Points ``start .. stop-1`` of one parameter's stream of ``samples`` points.

    Generates every block the range overlaps, applies ``transform`` (the inverse CDF) to the whole
    block, then slices: the values at an index never depend on ``start``/``stop``. ``block_base``
    offsets the block numbers in the seeds (an independent stream of the same parameters: the
    training worlds of :func:`_plan_screen`).
    """
    bs = BLOCK_SIZE if block_size is None else block_size
    blocks = range(start // bs, (stop - 1) // bs + 1)
    out = None if len(blocks) == 1 else np.empty(stop - start)
    for block in blocks:
        b0 = block * bs
        size = min(bs, samples - b0)
        u = _block_uniforms(seed, key, block_base + block, size)
        if transform is not None:
            u = transform(u)
        a, b = max(start - b0, 0), min(stop - b0, size)
        if out is None:
            return u[a:b] if (a, b) != (0, size) else u
        out[b0 + a - start: b0 + b - start] = u[a:b]
    return out


def latin_hypercube(names: Sequence[str], samples: int, seed: int = 0, start: int = 0, stop: int | None = None) -> np.ndarray:
    """The uniforms behind :func:`monte_carlo`: an array ``(stop - start, len(names))`` in (0, 1).

    Column ``j`` is the stream of parameter ``names[j]`` (independent of the other names); points
    ``start .. stop-1`` of a run of ``samples`` points. See the module docstring for the blocks.
    """
    n = check_count(samples, "samples")  # a stratified sample of one point is valid: the run's rule is checked by its caller
    seed = check_seed(seed)
    stop = n if stop is None else int(stop)
    if not 0 <= start < stop <= n:
        raise ParameterError("start", f"need 0 <= start < stop <= samples, got start={start}, stop={stop}, samples={n}")
    memory.refuse_if_too_big((stop - start) * (len(names) + 1) * memory.VALUE_BYTES, "samples",
                             f"{stop - start:,} x {len(names)} uniforms", "ask for a range start..stop at a time")
    cols = [_stream(seed, _name_key(str(nm)), n, start, stop) for nm in names]
    return np.column_stack(cols) if cols else np.empty((stop - start, 0))


def _stream_group(seed: int, group: Sequence[Marginal], spearman: np.ndarray, samples: int, start: int, stop: int,
                  block_size: int | None = None, block_base: int = 0) -> dict[str, np.ndarray]:
    """Points ``start .. stop-1`` of a group of rank-correlated parameters.

    Per block: each parameter's own Latin-hypercube uniforms (as :func:`_stream`), re-ordered
    jointly by Iman–Conover (:func:`orbitdc.correlation.iman_conover`, seeded by (seed, the group's
    names, block)), then the inverse CDFs, then the slice. Each column keeps its block's values, so
    marginals and strata are those of the independent stream.
    """
    bs = BLOCK_SIZE if block_size is None else block_size
    gkey = group_key([m.name for m in group])
    out = {m.name: np.empty(stop - start) for m in group}
    for block in range(start // bs, (stop - 1) // bs + 1):
        b0 = block * bs
        size = min(bs, samples - b0)
        u = np.column_stack([_block_uniforms(seed, m.key, block_base + block, size) for m in group])
        u = iman_conover(u, spearman, np.random.default_rng(np.random.SeedSequence([seed, gkey, block_base + block])))
        a, b = max(start - b0, 0), min(stop - b0, size)
        for j, m in enumerate(group):
            out[m.name][b0 + a - start: b0 + b - start] = m.ppf(u[a:b, j])
    return out


def _draw_arrays(margs: Sequence[Marginal], seed: int, samples: int, start: int, stop: int, threads: int = 1,
                 block_size: int | None = None, correlation: tuple[list[str], np.ndarray] | None = None,
                 block_base: int = 0) -> dict[str, np.ndarray]:
    """Draw points ``start .. stop-1`` of every marginal; ``threads > 1`` draws parameters in
    parallel (numpy releases the GIL in the shuffles, uniforms and inverse CDFs). Each parameter's
    numbers depend only on (seed, name, block), so the result is the same with any ``threads``.
    ``correlation`` (names, target Spearman matrix) re-orders that group's draws jointly
    (:func:`_stream_group`); the other parameters are drawn exactly as without it."""
    grouped = set(correlation[0]) if correlation is not None else set()

    def one(m: Marginal) -> np.ndarray:
        return _stream(seed, m.key, samples, start, stop, m.ppf, block_size, block_base)

    def group() -> dict[str, np.ndarray]:
        by_name = {m.name: m for m in margs}
        return _stream_group(seed, [by_name[n] for n in correlation[0]], correlation[1], samples, start, stop,
                             block_size, block_base)

    free = [m for m in margs if m.name not in grouped]
    if threads > 1 and len(free) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=threads) as pool:
            grouped_future = pool.submit(group) if grouped else None  # the group is one task among the rest
            arrays = list(pool.map(one, free))
            out = {m.name: a for m, a in zip(free, arrays)}
            if grouped_future is not None:
                out.update(grouped_future.result())
    else:
        out = {m.name: one(m) for m in free}
        if grouped:
            out.update(group())
    return {m.name: out[m.name] for m in margs}


#: Draw in parallel threads when a single in-memory block has at least this many values.
_THREADED_DRAW_MIN = 2_000_000


# --------------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------------
def _check_chunks(chunks: Any, n: int) -> tuple[int, ...] | None:
    if chunks is None:
        return None
    if isinstance(chunks, Mapping):
        if set(chunks) != {"sample"}:
            raise ParameterError("chunks", f"a mapping must have the single key 'sample', got {sorted(map(str, chunks))}")
        chunks = chunks["sample"]
    if isinstance(chunks, (list, tuple)):
        sizes = tuple(check_count(c, "chunks") for c in chunks)
        if sum(sizes) != n:
            raise ParameterError("chunks", f"chunk sizes add up to {sum(sizes)}, not to samples={n}")
        return sizes
    size = check_count(chunks, "chunks")
    size = min(size, n)
    full, rest = divmod(n, size)
    memory.check_lazy_chunks(full + (1 if rest else 0), MAX_CHUNKS, n, size)  # before building the tuple
    return (size,) * full + ((rest,) if rest else ())


def _check_overrides(arch: Architecture, overrides: Mapping[str, Any]) -> xr.Dataset:
    """Validate overrides (names, units, domains) before any heavy work; return the base inputs."""
    for name, val in overrides.items():
        if isinstance(val, xr.DataArray) and "sample" in val.dims:
            raise ParameterError(name, "an override may not have a 'sample' dimension: monte_carlo draws that dimension")
    return chain.build_inputs(arch, overrides)


# --------------------------------------------------------------------------------------------
# Monte Carlo
# --------------------------------------------------------------------------------------------
#: Parameters that change the orbit; when Monte Carlo draws one of them over more samples than
#: :data:`orbitdc.orbit.EXACT_ORBITS_MAX`, the whole run uses the interpolated eclipse grids.
ORBIT_PARAMETERS = ("altitude", "inclination", "ltan", "orbit_type", "start_year")


@dataclass
class _Plan:
    arch: Architecture
    margs: list[Marginal]
    overrides: dict[str, Any]
    seed: int
    samples: int
    block_size: int = field(default_factory=lambda: BLOCK_SIZE)  # fixed when planned: workers use the same
    sample_vars: frozenset[str] | None = None  # variables along ``sample`` (decided once, for every chunk)
    var_dims: dict[str, tuple[str, ...]] | None = None  # and each variable's dimension order
    design: str = "nominal"
    design_table: xr.Dataset | None = None     # design="optimal": the candidate designs (decided once)
    design_bounds: dict[str, tuple[float, float]] | None = None  # and the range of each design variable
    objective: str = "cost_per_kw_year"
    correlation: tuple[list[str], np.ndarray] | None = None  # rank-correlated group (names, Spearman)
    screen: Any = None  # design="optimal": which candidates each sample is evaluated at (DesignScreen or None)

    @property
    def eclipse_method(self) -> str:
        """Exact eclipses unless the orbit is drawn over many samples: decided for the whole run,
        so that no chunk switches method (issue 13: chunking must never change a number)."""
        drawn = any(m.name in ORBIT_PARAMETERS for m in self.margs)
        return "grid" if drawn and self.samples > EXACT_ORBITS_MAX else "exact"

    def describe(self) -> str:
        return (
            f"Latin hypercube (scipy.stats.qmc) in blocks of {self.block_size} points per parameter, block b of "
            f"parameter p seeded by numpy SeedSequence([seed, sha256(p)[:8], b]); inverse CDFs from scipy.stats"
        )


#: Samples per chain call when candidate designs are scored (``design="optimal"``): a call holds
#: samples x candidates points (~65,000 with the screen's 4 candidates a pass, ~200 MB).
SCORE_BLOCK = 16_384
#: Worlds (draws of the uncertain parameters) whose optimal designs make the design table.
DESIGN_TABLE_WORLDS = 32
#: ``design="optimal"`` runs of at least this many samples evaluate each sample at a screened part
#: of the design table (:class:`orbitdc.design.DesignScreen`); smaller runs evaluate every candidate
#: (the screen's training costs more than it saves below ~6,000 samples).
SCREEN_MIN_SAMPLES = 20_000
#: Worlds evaluated at every candidate to learn the screen (the first half) and check it (the second).
SCREEN_WORLDS = 4096
#: Block numbers of the screen's worlds start here: far beyond any run's own blocks, so that they are
#: an independent Latin hypercube of the same parameters and seed.
SCREEN_BLOCK_BASE = 2**40


def _run_block(plan: _Plan, start: int, stop: int, only_sample_vars: bool = False, threads: int = 1,
               structure: bool = False) -> xr.Dataset:
    """Draw samples ``start .. stop-1`` and run the chain on them (one call, broadcasting).

    ``design="optimal"`` first chooses each sample's design (:func:`_choose_designs`, in blocks of
    :data:`SCORE_BLOCK` samples that only keep the scores), then the chain runs once on all the
    samples at their designs. ``structure=True`` draws the marginals' quantiles instead of the
    stream: the run only shows which variables vary along ``sample`` and their types (that does
    not depend on the values), without generating a block of 65,536 draws per parameter.
    """
    n = stop - start
    if structure:
        q = (np.arange(n) + 0.5) / n
        draws = {m.name: m.ppf(q) for m in plan.margs}
    else:
        draws = _draw_arrays(plan.margs, plan.seed, plan.samples, start, stop, threads, plan.block_size,
                             plan.correlation)
    designs = _choose_designs(plan, draws, n, threads) if plan.design == "optimal" else None
    out = _run_one(plan, start, stop, draws, designs)
    out = _along_sample(out, plan.sample_vars, plan.var_dims)
    out.attrs.update(
        monte_carlo_samples=plan.samples,
        monte_carlo_seed=plan.seed,
        monte_carlo_method=plan.describe(),
        monte_carlo_block_size=plan.block_size,
        drawn_parameters=", ".join(m.name for m in plan.margs),
        drawn_catalog_values=", ".join(m.name for m in plan.margs
                                       if plan.arch.parameters[m.name].catalog_entry is not None) or "none",
        eclipse_method=plan.eclipse_method,
        correlated_parameters=", ".join(plan.correlation[0]) if plan.correlation else "none",
        correlation_method=("Iman-Conover rank correlation within each block (orbitdc.correlation)"
                            if plan.correlation else "independent"),
        design=plan.design,
        design_variables=", ".join(plan.arch.design_variables()),
    )
    if plan.design_table is not None:
        k = plan.design_table.sizes["candidate"]
        out.attrs.update(design_table_candidates=int(k),
                         design_optimized_over=plan.design_table.attrs["design_variables"],
                         design_objective=plan.objective,
                         design_method=(f"per sample, the best admissible design among {k} candidates: the nominal "
                                        f"design and the optima of {DESIGN_TABLE_WORLDS} Latin-hypercube worlds "
                                        "(orbitdc.design.design_table)"))
        out.attrs.update(_screen_attrs(plan))
    if only_sample_vars:
        out = out[[v for v in out.data_vars if "sample" in out.variables[v].dims]]
    return out


def _screen_attrs(plan: _Plan) -> dict[str, Any]:
    """What ``attrs`` say about the screen (:class:`orbitdc.design.DesignScreen`)."""
    scr = plan.screen
    if scr is None:
        return {"design_screen": "none: every sample evaluated at every candidate"}
    c = scr.check
    return {
        "design_screen": (f"each sample evaluated at {' + '.join(map(str, scr.passes))} candidates (the first "
                          "pass's for every sample, each further pass's chosen by the best so far), then at every "
                          "candidate where none of those is admissible (orbitdc.design.DesignScreen, learnt on "
                          f"{SCREEN_WORLDS // 2} worlds evaluated at every candidate)"),
        "design_screen_check": (f"{c['worlds']} held-out worlds: the exhaustive search's design in "
                                f"{100 * c['exact_share']:.1f} %, objective regret mean {100 * c['mean_regret']:.3f} %, "
                                f"99th percentile {100 * c['p99_regret']:.2f} %, max {100 * c['max_regret']:.2f} %; "
                                f"{c['evaluations_per_world']:.1f} candidates evaluated per world"),
    }


def _run_one(plan: _Plan, start: int, stop: int, draws: Mapping[str, np.ndarray],
             designs: Mapping[str, np.ndarray] | None = None) -> xr.Dataset:
    """Samples ``start .. stop-1`` (their ``draws``) through the chain in one call; ``designs``:
    each sample's design variables, ``design_candidate`` and ``design_repaired``
    (:func:`_choose_designs`)."""
    # The drawn arrays go into the chain's frame directly (``trusted``). They need no domain
    # check: triangular/uniform/loguniform draws lie in [low, high], validated against the
    # stage's domain when the architecture was loaded, and the lognormal is truncated to that
    # domain (tests check both). The user's overrides are validated by ``prepare``.
    sample = xr.Variable("sample", np.arange(start, stop, dtype=np.int64), {"long_name": "Monte Carlo sample index"})
    specs = chain.parameter_specs()
    trusted = {}
    for m in plan.margs:
        p, spec = plan.arch.parameters[m.name], specs[m.name]
        attrs = {"long_name": spec.long_name or m.name, "source": ", ".join(p.sources), "units": units.unit_string(spec.unit),
                 "distribution": m.describe()}
        trusted[m.name] = xr.DataArray(draws[m.name], dims="sample", attrs=attrs)
    if designs is not None:
        for nm in plan.design_table.data_vars:
            trusted[nm] = xr.DataArray(designs[nm], dims="sample", attrs={
                "long_name": specs[nm].long_name or nm, "units": units.unit_string(specs[nm].unit),
                "source": "optimal design per sample (design table, then the repair step)"})
    prep = _prepare_samples(plan, trusted, sample)
    drawn_inputs = {m.name: prep.frame[m.name] for m in plan.margs}
    out = chain._finish(prep)
    extra = {}
    if designs is not None:
        extra["design_candidate"] = xr.DataArray(designs["design_candidate"], dims="sample", attrs={
            "long_name": "index of the design table row the sample's design started from", "units": "1"})
        extra["design_repaired"] = xr.DataArray(designs["design_repaired"], dims="sample", attrs={
            "long_name": "the repair step gave the sample its own optimised design (no admissible table row)"})
    # a stage may output a variable named like a parameter (e.g. the resolved ``inclination``):
    # the drawn values are then kept as ``<name>_input`` (decided from the declarations, so every
    # block has the same variables)
    replaced = set(_valid_outputs(plan.arch.kind))
    for m in plan.margs:
        if m.name in replaced and drawn_inputs[m.name].size == stop - start:
            extra[f"{m.name}_input"] = xr.DataArray(drawn_inputs[m.name].reshape(-1)[: stop - start], dims="sample",
                                                    attrs=trusted[m.name].attrs)
    if extra:
        out = out.assign(extra)
    return out


def _prepare_samples(plan: _Plan, trusted: Mapping[str, xr.DataArray], sample: xr.Variable) -> "chain.Prepared":
    """The chain's inputs for a block of samples (``trusted``: their draws), with a ``sample`` axis."""
    prep = chain.prepare(plan.arch, plan.overrides, trusted=trusted)
    if "sample" not in prep.frame.sizes:
        prep.frame.dims = prep.frame.dims + ("sample",)
        prep.frame.sizes["sample"] = sample.size
        for k, v in prep.frame._vars.items():
            prep.frame._vars[k] = v.reshape(v.shape + (1,))
    prep.coords["sample"] = sample
    prep.frame.attrs["eclipse_method"] = plan.eclipse_method
    return prep


def _world_frame(plan: _Plan, worlds: Mapping[str, np.ndarray], n: int) -> "chain.Prepared":
    """The chain's inputs for ``n`` worlds (draws of the uncertain parameters), along ``sample``
    (the only dimension: ``design="optimal"`` takes single-valued overrides)."""
    specs = chain.parameter_specs()
    trusted = {k: xr.DataArray(np.asarray(v, dtype=float), dims="sample",
                               attrs={"units": units.unit_string(specs[k].unit)}) for k, v in worlds.items()}
    prep = _prepare_samples(plan, trusted, xr.Variable("sample", np.arange(n)))
    if prep.frame.dims != ("sample",):
        raise RuntimeError(f"candidate designs are scored on a frame along 'sample' only, got {prep.frame.dims}")
    return prep


def _take_worlds(prep: "chain.Prepared", index: np.ndarray) -> "chain.Prepared":
    """``prep`` restricted to the worlds at ``index`` (inputs that vary along ``sample`` indexed)."""
    n = prep.frame.sizes["sample"]
    frame = Frame(prep.frame.dims, {"sample": int(index.size)}, prep.frame.attrs,
                        {k: (v[index] if v.shape[-1] == n and n != 1 else v) for k, v in prep.frame._vars.items()})
    return dataclasses.replace(prep, frame=frame)


def _score(plan: _Plan, prep: "chain.Prepared", designs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every world of ``prep`` at ``C`` candidate designs, in one chain call on a
    ``sample x candidate`` frame (no loop over worlds or designs).

    ``designs``: ``(1, C, D)`` (the same candidates for every world) or ``(n, C, D)`` (each world
    its own), the design variables in the table's order. Returns the objective and the number of
    violated constraints, each ``(n, C)``, and ``(n, constraints)`` whether each constraint is met
    by at least one of the ``C`` designs (not necessarily the same one). ``prep`` is not changed.
    """
    names = list(plan.design_table.data_vars)
    frame = prep.frame.copy()
    n, c = frame.sizes["sample"], designs.shape[1]
    frame.dims = ("sample", "candidate")
    frame.sizes["candidate"] = c
    for key, v in frame._vars.items():
        frame._vars[key] = v.reshape(v.shape + (1,))
    for j, nm in enumerate(names):
        frame._vars[nm] = np.ascontiguousarray(designs[:, :, j], dtype=float)
    chain.run_frame(frame, plan.arch.kind, None, dict(prep.attrs), list(prep.order))
    cons = design_mod._check_constraints(plan.arch, "all")
    obj, nv = design_mod._score(frame, plan.objective, cons, ("sample", "candidate"))
    met = np.ones((n, len(cons)), dtype=bool)
    for i, con in enumerate(cons):
        if f"violates_{con}" in frame:
            viol = np.broadcast_to(design_mod._axis_view(frame, f"violates_{con}", ("sample", "candidate")), (n, c))
            met[:, i] = ~viol.all(axis=1)
    return np.broadcast_to(obj, (n, c)), np.broadcast_to(nv, (n, c)), met


#: Search effort of the repair step of ``design="optimal"`` (design points per zoom pass, passes):
#: each point is a distinct orbit whose eclipses are computed exactly (~0.1 ms each), so the
#: repair's cost is about ``REPAIR_BUDGET * (REPAIR_ITERATIONS + 1)`` orbits per repaired sample.
REPAIR_BUDGET = 128
REPAIR_ITERATIONS = 3


def _choose_designs(plan: _Plan, draws: Mapping[str, np.ndarray], n: int, threads: int = 1) -> dict[str, np.ndarray]:
    """Each sample's design (``design="optimal"``): the design variables, ``design_candidate`` and
    ``design_repaired``, each ``(n,)``; in blocks of :data:`SCORE_BLOCK` samples (``threads`` at
    once), each sample on its own (:func:`_choose_block`), so the choice never depends on the
    chunking."""
    table = plan.design_table
    names = list(table.data_vars)
    cand = np.stack([np.asarray(table[nm].values, dtype=float) for nm in names], axis=1)  # (K, D)
    edges = list(range(0, n, SCORE_BLOCK)) + [n]
    pairs = list(zip(edges[:-1], edges[1:]))

    def part(ab):
        a, b = ab
        return _choose_block(plan, cand, {k: v[a:b] for k, v in draws.items()}, b - a)

    if threads > 1 and len(pairs) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(part, pairs))
        _return_freed_memory()
    else:
        parts = [part(ab) for ab in pairs]
    chosen = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
    best = np.concatenate([p[1] for p in parts])
    obj0 = np.concatenate([p[2] for p in parts])
    nv0 = np.concatenate([p[3] for p in parts])
    promising = np.concatenate([p[4] for p in parts])
    repaired = np.zeros(n, dtype=bool)
    idx = np.nonzero(promising)[0]
    if idx.size:  # one search for all of them (each sample on its own: the same for any grouping)
        _repair(plan, draws, idx, chosen, repaired, obj0[idx], nv0[idx])
    out = {nm: np.ascontiguousarray(chosen[:, j]) for j, nm in enumerate(names)}
    out["design_candidate"] = best
    out["design_repaired"] = repaired
    return out


def _return_freed_memory() -> None:
    """Hand the memory the scoring threads freed back to the operating system before the chain
    builds the result. glibc's allocator keeps a heap per thread and, once large blocks have been
    freed, serves blocks up to 32 MB from those heaps without returning them: after the threaded
    scoring of a million samples ~0.4 GB stayed resident that the main thread could not reuse
    (measured with VmRSS). ``malloc_trim`` returns it; elsewhere (no glibc) nothing is done."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: its allocator does what it does
        pass


def _choose_block(plan: _Plan, cand: np.ndarray, worlds: Mapping[str, np.ndarray],
                  n: int) -> tuple[np.ndarray, ...]:
    """The best table rows of ``n`` samples (their ``worlds``): their designs ``(n, D)``, the rows,
    their objective and violated constraints, and whether the repair step (step 2, run by
    :func:`_choose_designs` for all the samples of a block at once) should search.

    1. Score every sample at the candidates of the design table (``cand``, ``(K, D)``): all of
       them, or with :attr:`_Plan.screen` a screened part (the first pass, the follow-up chosen by
       its best, then every candidate where none of those is admissible:
       :class:`orbitdc.design.DesignScreen`). The best is the admissible candidate with the lowest
       objective, else the one with the fewest violated constraints (:func:`orbitdc.design._best`;
       ties to the lowest row, as in the exhaustive search).
    2. Repair: a sample whose best candidate violates a constraint, while each of its constraints
       is met by some candidate (so the world may well admit a design the table lacks: e.g. an
       accelerator dose limit drawn near the low end of its catalog range, which needs more
       shield than the table's designs where launch cadence is also tight), gets its own
       optimisation (:func:`_repair`, all such samples at once, starting from its best
       candidate); the better design is kept. Samples in which some constraint is violated by
       every candidate (a world no design in reach closes) are not searched. With the screen,
       such samples were evaluated at every candidate: the repair is the exhaustive search's.
    """
    k = cand.shape[0]
    prep = _world_frame(plan, worlds, n)
    rows = np.arange(n)
    scr = plan.screen
    if scr is None:
        obj, nv, met = _score(plan, prep, cand[None])
        best = design_mod._best(obj, nv)
    else:
        obj = np.full((n, k), np.inf)
        nv = np.full((n, k), np.iinfo(np.int64).max, dtype=np.int64)
        o1, v1, met = _score(plan, prep, cand[None, scr.first])
        obj[:, scr.first], nv[:, scr.first] = o1, v1
        best = scr.first[design_mod._best(o1, v1)]
        for step in range(len(scr.follow)):
            more = scr.candidates(step, best)                                  # (n, L) table rows
            o2, v2, m2 = _score(plan, prep, cand[more])
            obj[rows[:, None], more], nv[rows[:, None], more] = o2, v2
            met |= m2
            best = design_mod._best(obj, nv)
        fallback = np.nonzero(nv[rows, best] > 0)[0]
        if fallback.size:  # no admissible candidate among those: every candidate, as the exhaustive search
            rest = np.setdiff1d(np.arange(k), scr.first)  # (the second pass's rows again: the same numbers)
            o3, v3, m3 = _score(plan, _take_worlds(prep, fallback), cand[None, rest])
            obj[fallback[:, None], rest], nv[fallback[:, None], rest] = o3, v3
            met[fallback] |= m3
            best[fallback] = design_mod._best(obj[fallback], nv[fallback])
    promising = (nv[rows, best] > 0) & met.all(axis=1)
    return cand[best], best, obj[rows, best], nv[rows, best], promising


def _repair(plan: _Plan, worlds: Mapping[str, np.ndarray], idx: np.ndarray, chosen: np.ndarray, repaired: np.ndarray,
            obj0: np.ndarray, nv0: np.ndarray) -> None:
    """The repair step of :func:`_choose_block` for the samples ``idx`` (in place: ``chosen``,
    ``repaired``), in two stages.

    Every distinct orbit of a search costs an exact eclipse computation (~0.1 ms, the whole cost
    of a search); the constraints a table row misses in such worlds (the total dose, radiator and
    launch limits) are mostly met by moving the other design variables. So the first stage
    searches with the orbit (:data:`ORBIT_PARAMETERS`) held at each sample's best row: one orbit
    per sample. Only samples it leaves inadmissible get the search over every design variable.
    A sample keeps the better of its row and the stages' designs (:func:`orbitdc.design._better`).
    """
    cons = design_mod._check_constraints(plan.arch, "all")
    names = list(plan.design_table.data_vars)
    sub = {nm: np.asarray(v, dtype=float)[idx] for nm, v in worlds.items()}
    held = [j for j, nm in enumerate(names) if nm in ORBIT_PARAMETERS]
    free = [j for j in range(len(names)) if j not in held]
    start = chosen[idx]  # each sample's best row (a copy): where both stages start
    todo = np.ones(idx.size, dtype=bool)
    if held and free:
        bounds = {names[j]: plan.design_bounds[names[j]] for j in free}
        fixed = {**sub, **{names[j]: chosen[idx, j] for j in held}}
        x, o, v, _, _ = design_mod._search(plan.arch, bounds, plan.objective, cons, plan.overrides, fixed,
                                           iterations=REPAIR_ITERATIONS, budget=REPAIR_BUDGET,
                                           start=start[:, None, free])
        better = design_mod._better(o, v, obj0, nv0)
        for i, j in enumerate(free):
            chosen[idx[better], j] = x[better, i]
        repaired[idx[better]] = True
        obj0, nv0 = np.where(better, o, obj0), np.where(better, v, nv0)
        todo = nv0 > 0
    if todo.any():
        rest = idx[todo]
        x, o, v, _, _ = design_mod._search(plan.arch, plan.design_bounds, plan.objective, cons, plan.overrides,
                                           {nm: a[todo] for nm, a in sub.items()}, iterations=REPAIR_ITERATIONS,
                                           budget=REPAIR_BUDGET, start=start[todo][:, None, :])
        better = design_mod._better(o, v, obj0[todo], nv0[todo])
        chosen[rest[better]] = x[better]
        repaired[rest[better]] = True


def level_plan(arch: Architecture, samples: int, seed: int, overrides: Mapping[str, Any], exclude: Iterable[str] = (),
               design: str = "optimal", objective: str = "cost_per_kw_year", correlation: Any = "data",
               draw_catalog: bool = True) -> _Plan:
    """The plan of a run of ``samples`` as :func:`monte_carlo` makes it - the drawn parameters,
    their correlations and, with ``design="optimal"``, the design table - for another model to
    draw from (:func:`level_draws`; the year-by-year Monte Carlo). ``exclude`` names parameters
    the caller holds (not drawn)."""
    design = _check_design(design)
    if design == "optimal" and not [n for n in design_variables(arch) if n not in overrides and n not in exclude]:
        design = "nominal"
    arch = follow_choices(arch, overrides)
    margs = marginals(arch, exclude=set(overrides) | set(exclude) | _held_catalog(arch, overrides), design=design,
                      draw_catalog=draw_catalog)
    plan = _Plan(arch=arch, margs=margs, overrides=dict(overrides), seed=seed, samples=samples, design=design,
                 objective=_check_objective(objective) if design == "optimal" else objective,
                 correlation=resolve(correlation, [m.name for m in margs]))
    if design == "optimal":
        # the design table depends on the architecture, seed, objective, overrides and the drawn
        # parameters, not on the sample count (the screen only on whether there are at least
        # SCREEN_MIN_SAMPLES, as in monte_carlo): made once per process for the same inputs
        content = tuple((k, repr(p.canonical_value), p.canonical_low, p.canonical_high, p.dist, p.role)
                        for k, p in arch.parameters.items())
        key = (arch.kind, content, seed, plan.objective, repr(sorted(overrides.items())), repr(plan.correlation),
               tuple(m.name for m in margs), samples >= SCREEN_MIN_SAMPLES)
        hit = _DESIGN_TABLES.get(key)
        if hit is not None:
            plan.design_table, plan.design_bounds, plan.screen = hit
        else:
            _plan_design(plan)
            if len(_DESIGN_TABLES) >= 16:
                _DESIGN_TABLES.pop(next(iter(_DESIGN_TABLES)))
            _DESIGN_TABLES[key] = (plan.design_table, plan.design_bounds, plan.screen)
    return plan


#: design tables (and screens) of :func:`level_plan` by what they are made from (the parameters'
#: values and ranges, seed, objective, overrides, correlations, drawn names, a screened run or not)
_DESIGN_TABLES: dict[tuple, tuple] = {}


def level_draws(plan: _Plan, start: int, stop: int) -> dict[str, np.ndarray]:
    """Samples ``start .. stop-1`` of ``plan`` (:func:`level_plan`): the uncertain parameters'
    values, sample for sample those of :func:`monte_carlo` with the same seed (the same stream
    and correlations), and with ``design="optimal"`` each sample's design chosen as
    :func:`monte_carlo` chooses it (design table, then the repair step)."""
    draws = _draw_arrays(plan.margs, plan.seed, plan.samples, start, stop, correlation=plan.correlation) \
        if plan.margs else {}
    out = dict(draws)
    if plan.design == "optimal":
        chosen = _choose_designs(plan, draws, stop - start)
        out.update({nm: chosen[nm] for nm in plan.design_table.data_vars})
    return out


def _along_sample(ds: xr.Dataset, sample_vars: frozenset[str] | None,
                  var_dims: Mapping[str, tuple[str, ...]] | None = None) -> xr.Dataset:
    """Give exactly ``sample_vars`` the ``sample`` dimension, each variable its dimensions in the
    order of ``var_dims`` (a block of one sample cannot tell a variable that varies from one that
    does not; the plan decided it once, on two samples). Works on the Variables: only those that
    change are re-assigned."""
    if sample_vars is None:
        return ds
    fixed = {}
    n = ds.sizes.get("sample", 1)
    for v in ds.data_vars:
        var = new = ds.variables[v]
        has = "sample" in var.dims
        if has and v not in sample_vars:
            new = var.isel(sample=0)
        elif not has and v in sample_vars:
            new = var.set_dims({"sample": n, **var.sizes})
        want = (var_dims or {}).get(v)
        if want is not None and set(want) == set(new.dims) and tuple(new.dims) != tuple(want):
            new = new.transpose(*want)
        if new is not var:
            fixed[v] = new
    return ds.assign(fixed) if fixed else ds


def _plan_sample_vars(plan: _Plan) -> None:
    """Decide, on a block of two samples, which variables vary along ``sample`` (a structural
    question: the block draws quantiles of the marginals, not the stream, see :func:`_run_block`)."""
    if plan.sample_vars is not None:
        return
    if plan.samples >= 2:
        two = _run_block(plan, 0, 2, structure=True)
        plan.sample_vars = frozenset(v for v in two.data_vars if "sample" in two.variables[v].dims)
        plan.var_dims = {v: tuple(two.variables[v].dims) for v in two.data_vars}
    else:  # one sample cannot show what varies: every drawn input and every output is per sample
        one = _run_block(plan, 0, 1, structure=True)
        outputs = set(_valid_outputs(plan.arch.kind)) | {f"{m.name}_input" for m in plan.margs}
        plan.sample_vars = frozenset(v for v in one.data_vars if v in outputs or v in {m.name for m in plan.margs})


def _chunk_task(index: np.ndarray, plan: _Plan, dims: Mapping[str, tuple]) -> np.ndarray:
    """One dask task: run the chain on the samples of one chunk (``index`` holds their indices);
    a one-element object array holding ``{variable: numpy array}``, each in ``dims[variable]`` order."""
    out = _run_block(plan, int(index[0]), int(index[-1]) + 1, only_sample_vars=True)
    holder = np.empty(1, dtype=object)
    holder[0] = {v: np.asarray(out[v].transpose(*d).values) for v, d in dims.items()}
    return holder


def _pick(holder: np.ndarray, variable: str) -> np.ndarray:
    return holder[0][variable]


def _lazy(plan: _Plan, chunks: tuple[int, ...]) -> xr.Dataset:
    """The Monte Carlo as a lazy dask-backed Dataset, one chain run per chunk of samples.

    Memory stays bounded whatever ``samples`` is: the ``sample`` coordinate is a
    ``pandas.RangeIndex`` (no array of indices is allocated), and the graph is built from dask
    ``Blockwise`` layers (one per variable, not one task per chunk and variable held in a dict):
    one layer runs the chain per chunk, and each variable picks its array out of that chunk's
    result, so computing several variables runs the chain once per chunk."""
    import dask.array as dsa
    import pandas as pd

    n = plan.samples
    one = _run_block(plan, 0, 1, structure=True)  # the template: types and dimensions, not values
    sample_vars = [v for v in one.data_vars if "sample" in one.variables[v].dims]
    dims = {v: one.variables[v].dims for v in sample_vars}
    index = dsa.arange(n, chunks=(chunks,), dtype=np.int64)
    per_chunk = dsa.map_blocks(_chunk_task, index, plan=plan, dims=dims, dtype=object,
                               chunks=((1,) * len(chunks),), meta=np.empty((0,), dtype=object))
    data = {}
    for v in sample_vars:
        var = one[v]
        axis = var.dims.index("sample")
        out_chunks = tuple(chunks if d == "sample" else (var.sizes[d],) for d in var.dims)
        arr = dsa.map_blocks(_pick, per_chunk, variable=v, dtype=var.dtype, chunks=out_chunks,
                             new_axis=[i for i in range(var.ndim) if i != axis],
                             meta=np.empty((0,) * var.ndim, dtype=var.dtype))
        data[v] = (var.dims, arr, var.attrs)
    coords = {k: c for k, c in one.coords.items() if "sample" not in c.dims}
    lazy = xr.Dataset(data, coords=coords)
    lazy = lazy.assign_coords(xr.Coordinates({"sample": pd.RangeIndex(n, name="sample")}))
    lazy["sample"].attrs.update(one["sample"].attrs)
    for v in one.data_vars:
        if v not in lazy.data_vars:
            lazy[v] = one[v]
    lazy = lazy[list(one.data_vars)]
    lazy.attrs = dict(one.attrs)
    return lazy


def _plan_design(plan: _Plan, over: Sequence[str] | None = None) -> None:
    """``design="optimal"``: the design table, from :data:`DESIGN_TABLE_WORLDS` worlds of the
    uncertain parameters (an independent Latin hypercube of the same seed), decided once per run
    so that chunking cannot change a number."""
    if plan.design != "optimal" or plan.design_table is not None:
        return
    w = DESIGN_TABLE_WORLDS
    worlds = _draw_arrays(plan.margs, plan.seed, w, 0, w, correlation=plan.correlation) if plan.margs else {}
    if not worlds:
        worlds = {}
    table = design_mod.design_table(plan.arch, worlds, objective=plan.objective, over=over, overrides=plan.overrides)
    bounds = design_mod._bounds(plan.arch, over, {**plan.overrides, **worlds})
    plan.design_table = table
    plan.design_bounds = {nm: bounds[nm] for nm in table.data_vars}
    plan.design_table = _cover_range_ends(plan, table, over)
    _plan_screen(plan)


def _plan_screen(plan: _Plan) -> None:
    """``design="optimal"`` with at least :data:`SCREEN_MIN_SAMPLES` samples: learn which
    candidates to evaluate each sample at (:func:`orbitdc.design.learn_screen`) from
    :data:`SCREEN_WORLDS` worlds evaluated at every candidate (an independent Latin hypercube of
    the same seed: decided once per run, so chunking cannot change a number); half of them learn
    the screen, the other half check it against the exhaustive search (``attrs``)."""
    k = plan.design_table.sizes["candidate"]
    if (plan.samples < SCREEN_MIN_SAMPLES or not plan.margs
            or k <= sum(design_mod.SCREEN_PASSES)):
        return
    w = SCREEN_WORLDS
    worlds = _draw_arrays(plan.margs, plan.seed, w, 0, w, correlation=plan.correlation, block_base=SCREEN_BLOCK_BASE)
    names = list(plan.design_table.data_vars)
    cand = np.stack([np.asarray(plan.design_table[nm].values, dtype=float) for nm in names], axis=1)
    halves = []
    for a, b in ((0, w // 2), (w // 2, w)):
        obj, nv, _ = _score(plan, _world_frame(plan, {k2: v[a:b] for k2, v in worlds.items()}, b - a), cand[None])
        halves.append((np.array(obj), np.array(nv)))
    plan.screen = design_mod.learn_screen(halves[0][0], halves[0][1], halves[1][0], halves[1][1])


def _cover_range_ends(plan: _Plan, table: xr.Dataset, over: Sequence[str] | None) -> xr.Dataset:
    """Add to the table the optima of the range-end worlds that no candidate serves.

    A Latin hypercube of :data:`DESIGN_TABLE_WORLDS` worlds rarely reaches the ends of a range
    (e.g. an accelerator dose limit near its catalog low end needs more shield than any of its
    optima has). The range-end worlds are those of the tornado: each drawn parameter at its
    ``low`` and at its ``high``, the others at their values. They are evaluated at every
    candidate (one broadcast call); for those where no candidate is admissible, their own optima
    (:func:`orbitdc.design.design_table`) join the table.
    """
    if not plan.margs:
        return table
    k = len(plan.margs)
    ends = {m.name: np.full(2 * k, m.value) for m in plan.margs}
    for i, m in enumerate(plan.margs):
        ends[m.name][2 * i], ends[m.name][2 * i + 1] = m.low, m.high
    names = list(table.data_vars)
    cand = np.stack([np.asarray(table[nm].values, dtype=float) for nm in names], axis=1)
    _, nv, _ = _score(plan, _world_frame(plan, ends, 2 * k), cand[None])
    unserved = nv.min(axis=1) > 0
    if not unserved.any():
        return table
    extra = design_mod.design_table(plan.arch, {nm: v[unserved] for nm, v in ends.items()}, objective=plan.objective,
                                    over=over, overrides=plan.overrides)
    rows = np.stack([np.asarray(extra[nm].values, dtype=float) for nm in names], axis=1)
    new = rows[~(rows[:, None, :] == cand[None, :, :]).all(axis=2).any(axis=1)]
    if not new.size:
        return table
    allrows = np.vstack([cand, new])
    return xr.Dataset({nm: ("candidate", allrows[:, j]) for j, nm in enumerate(names)},
                      coords={"candidate": np.arange(allrows.shape[0])},
                      attrs={**table.attrs, "range_end_worlds": int(unserved.sum()),
                             "range_end_candidates": int(new.shape[0])})


def _resolve_scheduler(scheduler: Any):
    """(dask scheduler for ``compute``, client to close afterwards or None)."""
    if scheduler is None:
        return None, None
    if isinstance(scheduler, str):
        text = scheduler.strip()
        if text.lower() in LOCAL_SCHEDULERS:
            return ("synchronous" if text.lower() in ("sync", "single-threaded") else text.lower()), None
        if not _ADDRESS.match(text):
            raise ParameterError(
                "scheduler",
                f"'{scheduler}' is not a dask scheduler address (e.g. 'tcp://host:8786') nor one of "
                f"{', '.join(LOCAL_SCHEDULERS)}; pass a distributed.Client, an address, or None",
            )
        from .extras import require

        require("dask", "a dask scheduler address as scheduler=")
        from distributed import Client

        try:
            client = Client(text, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ParameterError("scheduler", f"cannot connect to the dask scheduler at '{text}': {exc}") from None
        return client, client
    try:
        from distributed import Client
    except ImportError:  # the 'dask' extra is not installed: no Client can have been made
        Client = ()
    if Client and isinstance(scheduler, Client):
        if scheduler.status not in ("running", "connecting", "newly-created"):
            raise ParameterError("scheduler", f"the distributed.Client is not running (status '{scheduler.status}')")
        return scheduler, None
    raise ParameterError(
        "scheduler", f"expected a distributed.Client, a scheduler address string or None, got {type(scheduler).__name__}"
    )


def _check_fits(plan: _Plan, n: int, where: str, advice: str) -> None:
    """Refuse (ParameterError with an estimate) ``n`` samples of ``plan`` that would not fit in
    memory; a one-sample probe measures the bytes per sample only when a rough bound does not fit."""
    rough = n * (len(chain.output_specs()) + len(plan.arch.parameters)) * 16 * memory.VALUE_BYTES
    if rough * memory.PEAK_FACTOR <= memory.available_bytes():
        return
    nbytes = memory.sample_bytes(_run_block(plan, 0, 1, structure=True)) * n
    memory.refuse_if_too_big(nbytes, "samples", f"{n:,} Monte Carlo samples {where}", advice)


def monte_carlo(
    arch: str | Path | Architecture,
    samples: int,
    seed: int = 0,
    chunks: int | Sequence[int] | Mapping[str, Any] | None = None,
    scheduler: Any = None,
    design: str = "optimal",
    objective: str = "cost_per_kw_year",
    over: Sequence[str] | None = None,
    scenario: str | None = None,
    correlation: Any = "data",
    draw_catalog: bool = True,
    **overrides: Any,
) -> xr.Dataset:
    """Monte Carlo over every ranged uncertain parameter of an architecture, by Latin hypercube.

    Parameters
    ----------
    arch : name, path or :class:`~orbitdc.parameters.Architecture`
    samples : number of samples (a positive whole number): the length of dimension ``sample``.
    seed : non-negative integer; the same ``(seed, samples)`` gives bit-identical results with or
        without dask and whatever the chunking (see the module docstring).
    chunks : None (evaluate in memory, one chain call) or samples per chunk (an int, a tuple of
        chunk sizes adding up to ``samples``, or ``{"sample": ...}``): the result is then lazy
        (dask), one chain call per chunk; memory stays bounded by the chunk size. Multiples of
        :data:`BLOCK_SIZE` waste no sampling work.
    scheduler : None, a ``distributed.Client``, a scheduler address (``"tcp://host:8786"``), or
        ``"threads"``/``"synchronous"``. When given, the result is computed there and returned in
        memory (chunks default to :data:`DEFAULT_CHUNK`); a client made from an address is closed
        afterwards. For runs too large to bring back, pass ``chunks=`` only and reduce lazily
        (:func:`summarize`, :func:`probability`) under an active ``distributed.Client``.
    design : what happens to the design variables (``role: design`` in data):

        * ``"optimal"`` (default): each sample is the best design an engineer would build in that
          world: the best admissible design (lowest ``objective``) among a
          table of candidates: the nominal design and the optima, over ``over`` (default: every
          ranged design variable), of :data:`DESIGN_TABLE_WORLDS` worlds drawn from an independent
          Latin hypercube with the same seed (:func:`orbitdc.design.design_table`). The samples are
          evaluated at every candidate by broadcasting (``sample x candidate``, no loop over
          samples) and ``design_candidate`` records the choice. A constraint that depends only on
          design variables (total dose: altitude, shield, life) is then violated in no sample when
          any candidate meets it. Overrides must then be single values (a list would need a
          design table per case: pass ``design="nominal"`` to cross a list with the samples);
        * ``"nominal"``: held at their nominal values; only ``role: uncertain`` parameters are
          drawn (the default before issue 15);
        * ``"sampled"``: design variables are drawn over their ranges like uncertainties (the
          behaviour before issue 15, kept for comparison: most samples are then designs nobody
          would build).

        ``attrs['design']`` records the choice (``"nominal"`` when ``"optimal"`` has no ranged,
        non-overridden design variable to choose).
    objective, over : for ``design="optimal"`` (see :func:`orbitdc.optimize`).
    correlation : ``"data"`` (default: the shared factors of ``data/correlations.yaml``), ``"none"``
        (independent draws), ``{factor: {parameter: loading}}`` or ``{(a, b): spearman}``. The
        correlated parameters' Latin-hypercube draws are re-ordered by Iman–Conover within each
        block (:mod:`orbitdc.correlation`): marginals and strata are unchanged, and parameters with
        no correlation are drawn bit for bit as with ``"none"``. ``attrs['correlated_parameters']``
        lists them.
    scenario : optional scenario name (values and ranges from ``data/scenarios/``).
    **overrides : parameter values by name (as in :func:`orbitdc.evaluate`); an overridden
        parameter is fixed (not drawn). A 1-d list makes a dimension crossed with ``sample``.

    draw_catalog : True (default): the catalog values of the entries the architecture uses
        (radiator areal density, cell efficiency, accelerator price/mass/power, launch vehicle
        payload/price/cadence) are drawn over their catalog ranges, ``triangular(low, value,
        high)``; False holds them at the catalog values (the draws of every other parameter are
        then unchanged, bit for bit: each parameter has its own stream).

    Returns
    -------
    xarray.Dataset along ``sample`` (plus any override dimension): every input (drawn ones carry
    ``attrs['distribution']``) and every output of the chain. A drawn parameter that a stage also
    outputs under the same name (e.g. ``altitude``, ``inclination``) is kept as ``<name>_input``. Inputs and outputs that do not depend
    on any drawn parameter stay scalars. ``attrs`` record the seed, sample count and method.
    """
    arch = _load(arch, scenario)
    n = check_samples(samples)
    seed = check_seed(seed)
    design = _check_design(design)
    _check_overrides(arch, overrides)
    if design == "optimal" and over is None:
        if not [n for n in design_variables(arch) if n not in overrides]:
            design = "nominal"  # no design variable left to choose: the nominal design is the only one
    if design == "optimal":
        objective = _check_objective(objective)
        try:
            _check_scalar_overrides(overrides)
        except ParameterError as exc:
            raise ParameterError(exc.parameter, "design='optimal' (the default) takes one value per override; pass "
                                                "design='nominal' to cross a list with the samples") from None
    chunk_sizes = _check_chunks(chunks, n)
    sched, owned = _resolve_scheduler(scheduler)
    arch = follow_choices(arch, overrides)
    margs = marginals(arch, exclude=set(overrides) | _held_catalog(arch, overrides), design=design,
                      draw_catalog=draw_catalog)
    plan = _Plan(arch=arch, margs=margs, overrides=dict(overrides), seed=seed, samples=n, design=design,
                 objective=objective, correlation=resolve(correlation, [m.name for m in margs]))
    _plan_design(plan, over)
    _plan_sample_vars(plan)
    try:
        if chunk_sizes is None and sched is None:
            if n > MAX_IN_MEMORY_SAMPLES:
                need = memory.sample_bytes(_run_block(plan, 0, 1, structure=True)) * n * memory.PEAK_FACTOR
                raise ParameterError(
                    "samples",
                    f"{n:,} samples would be evaluated in memory at once (limit {MAX_IN_MEMORY_SAMPLES:,}; about "
                    f"{memory.human(need)} of memory); pass chunks= (e.g. chunks={DEFAULT_CHUNK}) to run lazily "
                    "in bounded memory",
                )
            _check_fits(plan, n, "in memory at once", f"pass chunks= (e.g. chunks={DEFAULT_CHUNK}) to run lazily in bounded memory")
            big = n * len(plan.margs) >= _THREADED_DRAW_MIN or (design == "optimal" and n > SCORE_BLOCK)
            return _run_block(plan, 0, n, threads=(os.cpu_count() or 1) if big else 1)
        if chunk_sizes is None:
            chunk_sizes = _check_chunks(DEFAULT_CHUNK, n)
        if sched is not None:  # the computed result comes back into this process's memory
            _check_fits(plan, n, "brought back from the scheduler",
                        "pass chunks= without scheduler= and reduce lazily (summarize, probability)")
        lazy = _lazy(plan, chunk_sizes)
        if sched is None:
            return lazy
        return lazy.compute(scheduler=sched)
    finally:
        if owned is not None:
            owned.close()


def _load(arch: Any, scenario: str | None) -> Architecture:
    if scenario is None:
        return load_architecture(arch)
    return apply_scenario(arch, scenario)


def draw(arch: str | Path | Architecture, samples: int, seed: int = 0, design: str = "nominal",
         correlation: Any = "data", draw_catalog: bool = True, **overrides: Any) -> xr.Dataset:
    """Only the drawn parameters of :func:`monte_carlo` (same numbers), as a Dataset along ``sample``.

    Values are in each parameter's canonical unit; ``attrs`` hold ``units``, ``distribution``,
    ``low``, ``high`` and ``value``.
    """
    arch = load_architecture(arch)
    n = check_samples(samples)
    seed = check_seed(seed)
    _check_overrides(arch, overrides)
    if n > MAX_IN_MEMORY_SAMPLES:
        raise ParameterError("samples", f"{n:,} samples in memory at once (limit {MAX_IN_MEMORY_SAMPLES:,}; about "
                                        f"{memory.human(n * (len(arch.parameters) + 1) * memory.VALUE_BYTES)}); draw a "
                                        "smaller sample, or use monte_carlo(..., chunks=)")
    arch = follow_choices(arch, overrides)
    margs = marginals(arch, exclude=set(overrides) | _held_catalog(arch, overrides),
                      design="sampled" if design == "sampled" else "nominal", draw_catalog=draw_catalog)
    corr = resolve(correlation, [m.name for m in margs])
    arrays = _draw_arrays(margs, seed, n, 0, n, correlation=corr)
    ds = xr.Dataset(
        {
            m.name: ("sample", arrays[m.name], {"units": m.unit, "distribution": m.describe(), "kind": m.kind,
                                                "low": m.low, "high": m.high, "value": m.value})
            for m in margs
        },
        coords={"sample": np.arange(n, dtype=np.int64)},
        attrs={"architecture": arch.name, "monte_carlo_seed": seed, "monte_carlo_samples": n,
               "correlated_parameters": ", ".join(corr[0]) if corr else "none"},
    )
    return ds


# --------------------------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------------------------
def _is_dask(da: xr.DataArray) -> bool:
    return da.chunks is not None


def _numeric_var(ds: xr.Dataset, name: str, what: str = "output") -> xr.DataArray:
    if not isinstance(name, str) or name not in ds.data_vars:
        valid = sorted(v for v in ds.data_vars if ds[v].dtype.kind in "fiub")
        raise ParameterError(what, f"'{name}' is not a numeric variable of this result; valid: {', '.join(valid)}")
    da = ds[name]
    if da.dtype.kind not in "fiub":
        raise ParameterError(what, f"'{name}' is not numeric (dtype {da.dtype})")
    return da


#: Quantiles at or above this come from an infinite sample (see :func:`summarize`).
_INF_STANDIN = 1e300


def summarize(ds: xr.Dataset, outputs: str | Sequence[str] | None = None, quantiles: Sequence[float] = (0.1, 0.5, 0.9)) -> xr.Dataset:
    """Quantiles of outputs over ``sample``: a Dataset with dimension ``quantile``.

    ``outputs`` is a name or a list of names (default: every numeric, non-boolean output of the
    chain present in ``ds``). Infeasible designs carry ``inf`` costs (not NaN), so they sit in the
    upper quantiles where they belong. Samples whose output is undefined (NaN) are left out of
    that output's quantiles and counted, never silently: ``undefined_fraction`` (dimension
    ``output``) gives their share per output, ``feasible_fraction`` the share of feasible samples.
    Works on lazy (dask) results: each selected output is gathered into one chunk along
    ``sample`` (8 bytes per sample), the rest stays lazy.
    """
    if outputs is None:
        known = chain.output_specs()
        outputs = [v for v in ds.data_vars if v in known and ds[v].dtype.kind in "fiu"]
    elif isinstance(outputs, str):
        outputs = [outputs]
    q = np.atleast_1d(np.asarray(quantiles, dtype=float))
    if q.ndim != 1 or q.size == 0 or not np.all((q >= 0) & (q <= 1)):
        raise ParameterError("quantiles", f"must be numbers in [0, 1], got {quantiles!r}")
    out = {}
    for name in outputs:
        da = _numeric_var(ds, name)
        if da.dtype.kind in "iub":
            da = da.astype(float)
        if "sample" not in da.dims:
            res = da.expand_dims(quantile=q).copy()
        else:
            if _is_dask(da):
                da = da.chunk({"sample": -1})
            # +inf (an infeasible design's cost) would make numpy's interpolation NaN between a
            # finite and an infinite neighbour: stand in the largest float, then map back to inf
            big = np.finfo(float).max
            res = da.where(~np.isposinf(da), big).quantile(q, dim="sample", skipna=True)
            res = res.where(res < _INF_STANDIN, np.inf)
        out[name] = res.assign_attrs(ds[name].attrs)
    undefined = []
    for name in outputs:
        da = ds[name]
        undefined.append(da.isnull().mean("sample") if "sample" in da.dims else da.isnull().astype(float))
    res = xr.Dataset(out)
    if outputs:
        res["undefined_fraction"] = xr.concat(undefined, dim="output", coords="minimal", compat="override").assign_coords(
            output=("output", list(outputs))).assign_attrs(units="1", long_name="share of samples whose output is undefined (NaN)")
    if "feasible" in ds.data_vars:
        f = ds["feasible"]
        res["feasible_fraction"] = (f.mean("sample") if "sample" in f.dims else f.astype(float)).assign_attrs(
            units="1", long_name="share of samples whose design closes")
    if "quantile" not in res.coords:
        res = res.assign_coords(quantile=q)
    res.attrs.update({k: v for k, v in ds.attrs.items() if k in ("architecture", "monte_carlo_seed", "monte_carlo_samples")})
    return res


def probability(ds: xr.Dataset, var: str, threshold: Any, below: bool = True) -> xr.DataArray:
    """Fraction of samples with ``var < threshold`` (``below=True``) or ``var > threshold``.

    ``threshold`` is a number in the variable's unit, an astropy Quantity or a string such as
    ``"500 USD/kg"``. The total is every sample: a sample where ``var`` is undefined (NaN) does
    not meet the condition (it is counted, not dropped; :func:`summarize` reports how many there
    are). Infeasible designs have infinite costs, so they are never "cheaper". Lazy in, lazy out.
    """
    da = _numeric_var(ds, var, "var")
    unit = da.attrs.get("units", "1")
    t = units.strip(threshold, unit, "threshold")
    t = float(np.asarray(t))
    if not math.isfinite(t):
        raise ParameterError("threshold", f"must be finite, got {threshold!r}")
    x = da.astype(float)
    if "sample" not in x.dims:
        x = x.expand_dims(sample=[0])
    hit = (x < t) if below else (x > t)
    p = (hit & x.notnull()).sum("sample") / x.sizes["sample"]
    op = "<" if below else ">"
    return p.assign_attrs(units="1", long_name=f"P({var} {op} {t:g} {unit if unit != '1' else ''})".replace(" )", ")"))


def probability_cheaper(ds: xr.Dataset) -> xr.DataArray:
    """P(cost_ratio_vs_terrestrial < 1): the chance orbit beats the ground, over the samples."""
    if "cost_ratio_vs_terrestrial" not in ds.data_vars:
        raise OrbitdcError("the result has no 'cost_ratio_vs_terrestrial' (is the economics stage present?)")
    return probability(ds, "cost_ratio_vs_terrestrial", 1.0, below=True)


def probability_feasible(ds: xr.Dataset) -> xr.DataArray:
    """P(feasible): the share of samples whose design closes (every sample counted)."""
    if "feasible" not in ds.data_vars:
        raise OrbitdcError("the result has no 'feasible' variable")
    f = ds["feasible"].astype(float)
    p = f.mean("sample") if "sample" in f.dims else f
    return p.assign_attrs(units="1", long_name="P(feasible)")


def verdict_probabilities(arch: str | Path | Architecture, samples: int = 10_000, seed: int = 0,
                          design: str = "optimal", scenario: str | None = None, correlation: Any = "data",
                          **overrides: Any) -> xr.Dataset:
    """What a verdict needs: P(feasible), P(cheaper than the ground) and P(both) from a Monte Carlo.

    By default each sample is the best design an engineer would build in that world
    (``design="optimal"``, see :func:`monte_carlo`), with the correlations declared in data.
    Infeasible samples cost +inf, so they are never counted as cheaper. Returns a Dataset of
    scalars (``p_feasible``, ``p_cheaper``, ``p_feasible_and_cheaper``, ``median_cost_ratio``)
    with attrs recording the architecture, scenario, design mode, samples and seed.
    """
    mc = monte_carlo(arch, samples, seed=seed, design=design, scenario=scenario, correlation=correlation, **overrides)
    ratio = mc["cost_ratio_vs_terrestrial"]
    cheaper = probability_cheaper(mc)
    both = ((ratio < 1.0) & mc["feasible"]).astype(float)
    both = both.mean("sample") if "sample" in both.dims else both
    med = ratio.where(~np.isposinf(ratio), np.finfo(float).max).median("sample") if "sample" in ratio.dims else ratio
    med = med.where(med < _INF_STANDIN, np.inf)
    return xr.Dataset(
        {"p_feasible": probability_feasible(mc), "p_cheaper": cheaper.assign_attrs(long_name="P(cost ratio < 1)"),
         "p_feasible_and_cheaper": both.assign_attrs(units="1", long_name="P(feasible and cost ratio < 1)"),
         "median_cost_ratio": med.assign_attrs(units="1", long_name="median cost ratio vs terrestrial")},
        attrs={"architecture": mc.attrs["architecture"], "scenario": scenario or "none", "design": design,
               "monte_carlo_samples": samples, "monte_carlo_seed": seed,
               "correlated_parameters": mc.attrs.get("correlated_parameters", "none")},
    )


# --------------------------------------------------------------------------------------------
# Sensitivity
# --------------------------------------------------------------------------------------------
def _valid_outputs(kind: str) -> list[str]:
    names = ["feasible"]
    for st in chain.stages():
        if kind in st.kinds:
            names.extend(st.outputs)
    return sorted(set(names))


def _check_output(arch: Architecture, output: Any) -> str:
    valid = _valid_outputs(arch.kind)
    if not isinstance(output, str) or output not in valid:
        raise ParameterError("output", f"'{output}' is not an output of the chain for a {arch.kind} architecture; valid: {', '.join(valid)}")
    return output


def _scalar_output(ds: xr.Dataset, output: str, dim: str) -> np.ndarray:
    if output not in ds.data_vars:
        raise ParameterError("output", f"'{output}' was not produced by the chain for this architecture")
    da = ds[output]
    if da.dtype.kind not in "fiub":
        raise ParameterError("output", f"'{output}' is not numeric (dtype {da.dtype})")
    extra = [d for d in da.dims if d != dim]
    if extra:
        raise ParameterError(
            "output", f"'{output}' has dimension(s) {', '.join(extra)} besides the parameters: pick a scalar output "
            "(or fix swept overrides to single values)",
        )
    size = ds.sizes[dim] if dim in ds.sizes else 1
    vals = np.asarray(da.astype(float).values)
    return np.broadcast_to(vals, (size,)).copy() if vals.ndim == 0 else vals


def tornado(arch: str | Path | Architecture, output: str, **overrides: Any) -> xr.Dataset:
    """One-at-a-time sensitivity: each drawn parameter at its ``low`` and ``high``, others nominal.

    All ``2k + 1`` cases (nominal, k lows, k highs) run in one chain call along a dimension
    ``case``. Returns a Dataset along ``parameter`` with ``low``/``high`` (the output with the
    parameter at its low/high), ``swing = |high - low|``, ``baseline``, and the parameter's
    ``parameter_low``/``parameter_value``/``parameter_high`` (canonical unit, ``parameter_unit``),
    sorted by decreasing swing (NaN last). For a lognormal, ``low``/``high`` are its 5th/95th
    percentile span as written.
    """
    arch = load_architecture(arch)
    output = _check_output(arch, output)
    _check_overrides(arch, overrides)
    arch = follow_choices(arch, overrides)
    margs = marginals(arch, exclude=set(overrides) | _held_catalog(arch, overrides))
    if not margs:
        raise OrbitdcError(f"architecture '{arch.name}' has no parameter with an uncertainty range to vary")
    k = len(margs)
    ov = dict(overrides)
    for i, m in enumerate(margs):
        vals = np.full(2 * k + 1, m.value)
        vals[1 + i] = m.low
        vals[1 + k + i] = m.high
        ov[m.name] = xr.DataArray(vals, dims="case")
    ds = chain.run_stages(chain.build_inputs(arch, ov), arch.kind)
    y = _scalar_output(ds, output, "case")
    low, high = y[1:1 + k], y[1 + k:]
    swing = np.abs(high - low)
    order = np.argsort(-np.where(np.isnan(swing), -np.inf, swing), kind="stable")
    names = [margs[i].name for i in order]
    attrs = dict(ds[output].attrs)
    res = xr.Dataset(
        {
            "low": ("parameter", low[order], attrs),
            "high": ("parameter", high[order], attrs),
            "swing": ("parameter", swing[order], {**attrs, "long_name": f"|high - low| of {output}"}),
            "baseline": ((), y[0], attrs),
            "parameter_low": ("parameter", np.array([margs[i].low for i in order])),
            "parameter_value": ("parameter", np.array([margs[i].value for i in order])),
            "parameter_high": ("parameter", np.array([margs[i].high for i in order])),
            "parameter_unit": ("parameter", np.array([margs[i].unit for i in order], dtype=str)),
            "distribution": ("parameter", np.array([margs[i].kind for i in order], dtype=str)),
        },
        coords={"parameter": names},
        attrs={"architecture": arch.name, "output": output, "method": "tornado (one at a time, low/high)"},
    )
    return res


def sobol_indices(
    model: Callable[[np.ndarray], Any],
    distributions: Mapping[str, Any],
    samples: int = SOBOL_DEFAULT_SAMPLES,
    seed: int = 0,
    conf_level: float = 0.95,
    num_resamples: int = 100,
) -> xr.Dataset:
    """First-order and total Sobol indices of ``model`` (Saltelli/Jansen estimators, SALib).

    ``distributions`` maps input names to objects with a ``ppf`` (a frozen ``scipy.stats``
    distribution or a :class:`Marginal`). ``model(X)`` receives an array ``(M, D)`` of inputs
    (columns in the order of ``distributions``) and returns ``M`` outputs; it is called once.
    Points come from ``SALib.sample.sobol.sample`` on the unit cube (scrambled Sobol sequence,
    ``M = samples * (D + 2)``) mapped through each ``ppf``; indices from
    ``SALib.analyze.sobol.analyze`` with bootstrap confidence half-widths at ``conf_level``.
    ``samples`` must be a power of two. Returns a Dataset along ``parameter`` with ``S1``,
    ``S1_conf``, ``ST``, ``ST_conf``, sorted by decreasing ``ST``.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    n = check_samples(samples)
    if n & (n - 1):
        raise ParameterError("samples", f"must be a power of two for a Sobol sequence (e.g. 256, 512, 1024), got {n}")
    seed = check_seed(seed)
    names = list(distributions)
    if not names:
        raise OrbitdcError("Sobol indices need at least one uncertain input")
    d = len(names)
    evaluations = n * (d + 2)
    # the unit-cube points, their mapped values and SALib's working copy: 3 arrays of (M, D) floats
    memory.refuse_if_too_big(3 * evaluations * d * memory.VALUE_BYTES, "samples",
                             f"a Sobol run with {n:,} base samples and {d} inputs ({evaluations:,} points)",
                             "use fewer base samples")
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    u = sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    x = np.column_stack([np.asarray(distributions[nm].ppf(u[:, j]), dtype=float) for j, nm in enumerate(names)])
    y = np.asarray(model(x), dtype=float).ravel()
    if y.shape != (u.shape[0],):
        raise OrbitdcError(f"the model returned {y.size} values for {u.shape[0]} points")
    bad = ~np.isfinite(y)
    if bad.any():
        raise OrbitdcError(f"the output is not finite at {int(bad.sum())} of {y.size} Sobol points: Sobol indices need a finite output")
    if np.all(y == y[0]):
        zeros = np.zeros(d)
        s1 = st = s1c = stc = zeros
    else:
        si = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=num_resamples,
                                   conf_level=conf_level, seed=seed, print_to_console=False)
        s1, s1c, st, stc = (np.asarray(si[k], dtype=float) for k in ("S1", "S1_conf", "ST", "ST_conf"))
    order = np.argsort(-np.where(np.isnan(st), -np.inf, st), kind="stable")
    return xr.Dataset(
        {
            "S1": ("parameter", s1[order], {"units": "1", "long_name": "first-order Sobol index"}),
            "S1_conf": ("parameter", s1c[order], {"units": "1", "long_name": f"S1 bootstrap half-width ({conf_level:g})"}),
            "ST": ("parameter", st[order], {"units": "1", "long_name": "total-order Sobol index"}),
            "ST_conf": ("parameter", stc[order], {"units": "1", "long_name": f"ST bootstrap half-width ({conf_level:g})"}),
        },
        coords={"parameter": [names[i] for i in order]},
        attrs={"method": "Sobol (SALib: scrambled Sobol sequence, Saltelli 2010 / Jansen estimators)",
               "base_samples": n, "evaluations": int(u.shape[0]), "seed": seed},
    )


def _check_sobol_size(arch: Architecture, margs: list[Marginal], overrides: Mapping[str, Any], samples: Any,
                      seed: Any) -> None:
    """Refuse, before SALib allocates anything, a Sobol run whose ``samples * (k + 2)`` points (one
    chain call) exceed the in-memory limit or the memory available, with an estimate."""
    n = check_samples(samples)
    points = n * (len(margs) + 2)
    largest = 1 << max(0, (MAX_IN_MEMORY_SAMPLES // (len(margs) + 2)).bit_length() - 1)
    advice = f"use samples <= {largest:,} (a power of two) for {len(margs)} uncertain parameters"
    if points <= MAX_IN_MEMORY_SAMPLES:
        rough = points * (len(chain.output_specs()) + len(arch.parameters)) * 16 * memory.VALUE_BYTES
        if rough * memory.PEAK_FACTOR <= memory.available_bytes():
            return
    plan = _Plan(arch=arch, margs=margs, overrides=dict(overrides), seed=check_seed(seed), samples=1)
    nbytes = (memory.sample_bytes(_run_block(plan, 0, 1, structure=True)) + 3 * len(margs) * memory.VALUE_BYTES) * points
    what = f"a Sobol run with {n:,} base samples and {len(margs)} uncertain parameters ({points:,} chain evaluations at once)"
    if points > MAX_IN_MEMORY_SAMPLES:
        raise ParameterError("samples", f"{what} exceeds the in-memory limit of {MAX_IN_MEMORY_SAMPLES:,} points "
                                        f"(about {memory.human(nbytes * memory.PEAK_FACTOR)} of memory); {advice}")
    memory.refuse_if_too_big(nbytes, "samples", what, advice)


def sensitivity(
    arch: str | Path | Architecture,
    output: str = "cost_ratio_vs_terrestrial",
    method: str = "tornado",
    samples: int = SOBOL_DEFAULT_SAMPLES,
    seed: int = 0,
    **overrides: Any,
) -> xr.Dataset:
    """Which uncertain parameters drive ``output``: ``method="tornado"`` or ``"sobol"``.

    * ``tornado``: see :func:`tornado` (one chain call on ``2k + 1`` cases).
    * ``sobol``: first-order and total Sobol indices (:func:`sobol_indices`) over the same
      distributions as :func:`monte_carlo`; the chain runs once on ``samples * (k + 2)`` points
      along ``sample``. ``samples`` (a power of two) is the Sobol base sample count.

    Overrides fix parameters (they are then not varied). Unknown outputs are refused with the
    list of valid ones.
    """
    arch = load_architecture(arch)
    if method not in ("tornado", "sobol"):
        raise ParameterError("method", f"'{method}' is not one of tornado, sobol")
    output = _check_output(arch, output)
    if method == "tornado":
        return tornado(arch, output, **overrides)
    _check_overrides(arch, overrides)
    arch = follow_choices(arch, overrides)
    margs = marginals(arch, exclude=set(overrides) | _held_catalog(arch, overrides))
    if not margs:
        raise OrbitdcError(f"architecture '{arch.name}' has no parameter with an uncertainty range to vary")
    _check_sobol_size(arch, margs, overrides, samples, seed)

    def model(x: np.ndarray) -> np.ndarray:
        ov = dict(overrides)
        for j, m in enumerate(margs):
            ov[m.name] = xr.DataArray(x[:, j], dims="sample")
        ds = chain.run_stages(chain.build_inputs(arch, ov), arch.kind)
        return _scalar_output(ds, output, "sample")

    res = sobol_indices(model, {m.name: m for m in margs}, samples=samples, seed=seed)
    res.attrs.update(architecture=arch.name, output=output)
    res["distribution"] = ("parameter", np.array([{m.name: m.kind for m in margs}[p] for p in res.parameter.values], dtype=str))
    return res
