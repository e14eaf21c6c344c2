"""Memory estimates: refuse up front, with an estimate, what would not fit in memory.

The chain evaluates every design point at once by broadcasting, so a sweep of 12,000 x 12,000
values, an in-memory Monte Carlo of 10^8 samples or a Sobol run of 2^24 base samples would allocate
tens to hundreds of GB and die in the middle. Instead, the size of the result is estimated before
anything large is allocated and compared with the memory available now
(``psutil.virtual_memory().available``); when it does not fit, a
:class:`~orbitdc.errors.ParameterError` says how much would be needed, how much is available and
what to do instead.

The estimate of a result: ``sum over variables of itemsize x product of its dimension sizes``.
Which variables depend on which swept parameter is not known in advance, so a small probe (two
values per swept parameter, or one Monte Carlo sample) is evaluated and its variables' dimensions
are scaled to the full sizes: the estimate is the size the full result will have. It is multiplied
by :data:`PEAK_FACTOR` for the stages' temporaries. The probe runs only when a cheap upper bound
(every variable on the full grid) does not already fit, so small runs pay nothing.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np

from .errors import ParameterError

#: Peak memory of a chain evaluation over the size of its result (the stages' temporaries). Measured
#: with ``resource.getrusage`` on sweeps of 9e4 and 4.9e5 points of spacex-starlink-compute:
#: peak / result size = 1.8 and 1.4; 2 leaves some margin.
PEAK_FACTOR = 2.0
#: Bytes of a float64 value.
VALUE_BYTES = 8
#: Largest extra dimension of an output (``cost_item``, ``subsystem``: 14 and 13 today), for the
#: cheap upper bound that decides whether a probe is needed.
_EXTRA_DIM_BOUND = 16


def available_bytes() -> int:
    """Memory available to a new allocation now (psutil: free plus reclaimable page cache)."""
    import psutil

    return int(psutil.virtual_memory().available)


def human(nbytes: float) -> str:
    """``1.2 GB``-style size (decimal prefixes)."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= size:
            return f"{nbytes / size:.3g} {unit}"
    return f"{int(nbytes)} B"


def result_bytes(ds, full_sizes: Mapping[str, int]) -> int:
    """Bytes of ``ds`` once every dimension in ``full_sizes`` has its full size (a probe scaled up).

    Each variable counts ``itemsize x product of its dimension sizes``; dimensions not in
    ``full_sizes`` keep their size in ``ds``."""
    total = 0
    for name in list(ds.data_vars) + [c for c in ds.coords if c not in ds.dims]:
        da = ds[name]
        n = 1
        for d in da.dims:
            n *= int(full_sizes.get(d, da.sizes[d]))
        total += n * da.dtype.itemsize
    return total


def refuse_if_too_big(nbytes: float, parameter: str, what: str, advice: str) -> None:
    """Raise ParameterError when ``nbytes`` x PEAK_FACTOR exceeds the memory available now."""
    need = nbytes * PEAK_FACTOR
    avail = available_bytes()
    if need > avail:
        raise ParameterError(parameter, f"{what} would need about {human(need)} of memory "
                                        f"({human(nbytes)} of results); {human(avail)} is available; {advice}")


def _axis_sizes(axes: Mapping[str, Any]) -> dict[str, int]:
    sizes = {}
    for name, values in axes.items():
        v = getattr(values, "value", values)  # an astropy Quantity: its numbers
        if isinstance(v, str) or np.ndim(v) == 0:
            continue  # a scalar is a plain override, not an axis
        try:
            sizes[name] = len(v)
        except TypeError:
            continue  # not a sequence: left for evaluate() to refuse with its own message
    return sizes


def _first(values: Any, k: int) -> Any:
    v = getattr(values, "value", values)
    head = list(v[:k]) if not isinstance(v, np.ndarray) else v[:k]
    unit = getattr(values, "unit", None)
    return head * unit if unit is not None and hasattr(values, "value") else head


def check_sweep(arch, axes: Mapping[str, Any], evaluate: Callable[..., Any], outputs: int) -> None:
    """Refuse a sweep whose result would not fit in memory, before evaluating it.

    ``arch`` is a loaded Architecture, ``axes`` the keyword arguments of :func:`orbitdc.sweep`,
    ``evaluate`` the chain's :func:`orbitdc.evaluate` and ``outputs`` how many output variables the
    chain can produce (passed in by the chain, which imports this module: no import circle).
    Free when even every variable on the full grid would fit; otherwise a probe with two values per
    axis gives each output's dimensions (see the module docstring)."""
    sizes = _axis_sizes(axes)
    if not sizes:
        return
    points = math.prod(sizes.values())
    variables = outputs + len(arch.parameters)
    upper = points * variables * _EXTRA_DIM_BOUND * VALUE_BYTES
    if upper * PEAK_FACTOR <= available_bytes():
        return

    probe_axes = {k: (_first(v, 2) if k in sizes else v) for k, v in axes.items()}
    probe = evaluate(arch, **probe_axes)
    nbytes = result_bytes(probe, sizes)
    grid = " x ".join(f"{n:,}" for n in sizes.values())
    refuse_if_too_big(nbytes, next(iter(sizes)), f"a sweep of {grid} = {points:,} design points",
                      "sweep fewer values (the result is held in memory), or draw them with "
                      "monte_carlo(..., chunks=) to run in bounded memory")


def check_lazy_chunks(n_chunks: int, max_chunks: int, samples: int, chunk: int) -> None:
    """Refuse a chunking whose task graph alone would be unreasonably large."""
    if n_chunks > max_chunks:
        suggest = -(-samples // max_chunks)
        raise ParameterError("chunks", f"{samples:,} samples in chunks of {chunk:,} make {n_chunks:,} chunks "
                                       f"(limit {max_chunks:,}: dask keeps a task per chunk and variable in memory); "
                                       f"pass chunks of at least {suggest:,} samples")


def sample_bytes(template, dim: str = "sample") -> int:
    """Bytes per sample of the variables of ``template`` (a one-sample result) along ``dim``."""
    total = 0
    for name in template.data_vars:
        da = template[name]
        if dim in da.dims:
            total += da.size // max(1, da.sizes[dim]) * da.dtype.itemsize
    return total

