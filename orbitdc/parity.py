"""What would have to be true: the parity surface (cost ratio vs the ground = 1).

:func:`parity` takes two or three parameters. One of them (``solve_for``; by default the launch
price when it is among them, else the last) is solved for; the others span a grid over their
ranges. At every grid point the value of the solved parameter at which
``cost_ratio_vs_terrestrial = 1`` is found, everything else at the architecture's (or scenario's)
values:

* **closed form where the chain is affine** in the solved parameter. The launch price is: every
  launch-dependent cost is ``billed mass x price`` (:mod:`orbitdc.economics`), so the ratio is
  ``r(p) = r0 + s p`` and ``p* = p_a + (1 - r_a) (p_c - p_a) / (r_c - r_a)`` from two evaluations.
  Affinity is checked, not assumed: the ratio at the midpoint must equal the mean of the two ends
  to 1e-9 (relative) at every grid point, else the root finder below is used;
* **root finding elsewhere**: vectorised bisection on arrays (every grid point's bracket halves in
  the same chain call, 60 halvings: a bracket ``[a, b]`` ends ``(b - a) 2^-60`` wide), which
  needs the ratio to change sign over the bracket ``[low / 10, high * 10]`` (clipped to the
  parameter's physical domain). Where it does not, there is no parity in the bracket: NaN.

Every root is checked by one more chain call (``residual = |ratio - 1|``, at most 1e-6 where
finite). :func:`minimum_conditions` words the result as a sentence the report can print.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr

from . import chain, units
from .design import _check_scalar_overrides, _load
from .errors import ParameterError
from .parameters import Architecture

#: Grid points per non-solved parameter.
PARITY_POINTS = 21
#: Halvings of the bisection bracket.
BISECTION_STEPS = 60
#: Relative tolerance of the affinity check.
AFFINE_RTOL = 1e-9
#: The bracket of the root finder: [low / BRACKET_FACTOR, high * BRACKET_FACTOR].
BRACKET_FACTOR = 10.0

OUTPUT = "cost_ratio_vs_terrestrial"

__all__ = ["parity", "minimum_conditions"]


def _ratio(arch: Architecture, overrides: Mapping[str, Any], arrays: Mapping[str, np.ndarray], dims: Sequence[str]) -> np.ndarray:
    """The cost ratio at ``arrays`` (each with one axis per name in ``dims``, length 1 where it
    does not vary), as an array with one axis per name in ``dims``."""
    trusted = {}
    for name, arr in arrays.items():
        arr = np.asarray(arr, dtype=float)
        keep = [i for i in range(arr.ndim) if arr.shape[i] > 1]
        trusted[name] = xr.DataArray(arr.reshape([arr.shape[i] for i in keep]), dims=tuple(dims[i] for i in keep))
    prep = chain.prepare(arch, overrides, trusted=trusted)
    chain.run_frame(prep.frame, arch.kind, attrs=prep.attrs, order=prep.order)
    frame = prep.frame
    full = np.asarray(np.broadcast_to(frame[OUTPUT], frame.shape), dtype=float)
    other = [i for i, d in enumerate(frame.dims) if d not in dims]
    full = full.reshape([n for i, n in enumerate(full.shape) if i not in other])  # those axes have length 1
    present = [d for d in frame.dims if d in dims]
    full = np.transpose(full, [present.index(d) for d in dims if d in present])
    return full.reshape([frame.sizes[d] if d in present else 1 for d in dims])


def parity(arch: str | Path | Architecture,
           over: Sequence[str] = ("bus_cost_per_kg", "launch_price_per_kg", "array_specific_power"),
           solve_for: str | None = None, points: int = PARITY_POINTS, scenario: str | None = None,
           year: float | None = None, **overrides: Any) -> xr.Dataset:
    """The parity surface over two or three parameters (see the module docstring).

    ``year`` is the deployment start year (the ``start_year`` override), e.g. ``year=2035``.

    Returns a Dataset on the grid of the non-solved parameters (one dimension each, named after
    them, over their ``[low, high]``) with ``parity_<solve_for>`` (the solved parameter's value at
    cost ratio 1, NaN where none lies in the bracket) and ``residual`` (``|ratio - 1|`` there);
    attrs ``solved_parameter``, ``method`` (closed form or bisection), ``direction`` (``"<="``
    when a lower value of the solved parameter is cheaper), ``max_residual`` and ``conditions``
    (the sentence of :func:`minimum_conditions`).
    """
    arch = _load(arch, scenario)
    if year is not None:
        if "start_year" in overrides:
            raise ParameterError("year", "give year or start_year, not both")
        overrides["start_year"] = year
    chain.build_inputs(arch, overrides)
    _check_scalar_overrides(overrides)
    specs = chain.parameter_specs()
    over = list(over)
    if not 2 <= len(over) <= 3 or len(set(over)) != len(over):
        raise ParameterError("over", f"give two or three different parameters, got {over}")
    for name in over:
        if name not in arch.parameters or specs[name].kind != "number":
            raise ParameterError("over", f"'{name}' is not a numeric parameter of '{arch.name}'")
        if name in overrides:
            raise ParameterError("over", f"'{name}' is both on the surface and overridden")
        p = arch.parameters[name]
        if p.canonical_low is None or not p.canonical_low < p.canonical_high:
            raise ParameterError("over", f"'{name}' has no range (low < high)")
    solve = solve_for or ("launch_price_per_kg" if "launch_price_per_kg" in over else over[-1])
    if solve not in over:
        raise ParameterError("solve_for", f"'{solve}' is not one of {', '.join(over)}")
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ParameterError("points", f"must be a whole number >= 2, got {points!r}")
    grid_names = [n for n in over if n != solve]
    from .validation import check_parity_size

    check_parity_size(points, len(grid_names))  # before the grid is built (points=100000: ~25 TB)
    grid = {n: np.linspace(arch.parameters[n].canonical_low, arch.parameters[n].canonical_high, points) for n in grid_names}
    spec = specs[solve]
    p = arch.parameters[solve]
    lo = p.canonical_low / BRACKET_FACTOR if p.canonical_low > 0 else p.canonical_low
    hi = p.canonical_high * BRACKET_FACTOR
    if spec.minimum is not None:
        lo = max(lo, np.nextafter(spec.minimum, np.inf) if spec.exclusive_minimum else spec.minimum)
    if spec.maximum is not None:
        hi = min(hi, np.nextafter(spec.maximum, -np.inf) if spec.exclusive_maximum else spec.maximum)

    dims = tuple(grid_names) + ("probe",)
    shape = tuple(points for _ in grid_names)
    arrays = {n: grid[n].reshape(tuple(points if m == n else 1 for m in grid_names) + (1,)) for n in grid_names}

    def ratio_at(values: np.ndarray) -> np.ndarray:
        """Ratio with the solved parameter at ``values`` (grid shape + probe axis)."""
        arrs = dict(arrays)
        arrs[solve] = values
        return np.broadcast_to(_ratio(arch, overrides, arrs, dims), values.shape).copy()

    ends = np.broadcast_to(np.array([lo, 0.5 * (lo + hi), hi]), shape + (3,)).copy()
    r = ratio_at(ends)
    ra, rm, rc = r[..., 0], r[..., 1], r[..., 2]
    finite = np.isfinite(r).all(axis=-1)
    affine = bool(finite.all() and np.all(np.abs(rm - 0.5 * (ra + rc)) <= AFFINE_RTOL * np.maximum(np.abs(rm), 1.0)))
    target = 1.0
    if affine:
        slope = (rc - ra) / (hi - lo)
        with np.errstate(divide="ignore", invalid="ignore"):
            root = lo + (target - ra) / slope
        dom_lo = spec.minimum if spec.minimum is not None else -np.inf
        dom_hi = spec.maximum if spec.maximum is not None else np.inf
        ok = np.isfinite(root) & (slope != 0) & (root > dom_lo if spec.exclusive_minimum else root >= dom_lo) & (root <= dom_hi)
        root = np.where(ok, root, np.nan)
        method = "closed form (the ratio is affine in the solved parameter: checked at three points)"
    else:
        fa, fc = ra - target, rc - target
        sign_change = (np.sign(fa) * np.sign(fc) <= 0) & ~np.isnan(fa) & ~np.isnan(fc)
        a = np.full(shape, lo)
        b = np.full(shape, hi)
        fa_ = np.where(np.isnan(fa), np.inf, fa)
        for _ in range(BISECTION_STEPS):  # iterations of the method; every grid point at once
            mid = 0.5 * (a + b)
            fm = ratio_at(mid[..., None])[..., 0] - target
            left = np.sign(fm) == np.sign(fa_)
            a = np.where(left, mid, a)
            fa_ = np.where(left, fm, fa_)
            b = np.where(left, b, mid)
        root = np.where(sign_change, 0.5 * (a + b), np.nan)
        slope = np.where(np.isfinite(rc - ra), rc - ra, np.sign(np.nan_to_num(rc - ra, posinf=1, neginf=-1)))
        method = f"vectorised bisection ({BISECTION_STEPS} halvings of [{lo:g}, {hi:g}])"
    # check every root with one more chain call
    probe = np.where(np.isnan(root), p.canonical_value, root)[..., None]
    residual = np.abs(ratio_at(probe)[..., 0] - target)
    residual = np.where(np.isnan(root), np.nan, residual)
    direction = "<=" if np.nanmedian(np.where(np.isfinite(slope), slope, np.nan)) > 0 else ">="
    unit = units.unit_string(spec.unit)
    coords = {n: (n, grid[n], {"units": units.unit_string(specs[n].unit), "long_name": specs[n].long_name or n}) for n in grid_names}
    ds = xr.Dataset(
        {f"parity_{solve}": (tuple(grid_names), root, {"units": unit, "long_name": f"{solve} at cost ratio 1 (NaN: none in [{lo:g}, {hi:g}])"}),
         "residual": (tuple(grid_names), residual, {"units": "1", "long_name": "|cost ratio - 1| at the root"})},
        coords=coords,
        attrs={"architecture": arch.name, "scenario": scenario or "none", "solved_parameter": solve,
               "method": method, "direction": direction, "bracket": f"[{lo:g}, {hi:g}] {unit}",
               "max_residual": float(np.nanmax(residual)) if np.isfinite(residual).any() else float("nan"),
               "start_year": float(chain.build_inputs(arch, overrides)["start_year"]) if "start_year" in arch.parameters else float("nan")},
    )
    nominal = {n: float(arch.parameters[n].canonical_value) for n in grid_names}
    nom_root = _solve_point(arch, overrides, solve, nominal, lo, hi, spec, affine)
    ds.attrs["nominal_root"] = nom_root
    ds.attrs["conditions"] = minimum_conditions(ds, nominal=nominal, nominal_root=nom_root)
    return ds


def _solve_point(arch, overrides, solve, point, lo, hi, spec, affine) -> float:
    """The root at one point of the grid parameters (the nominal one), same method."""
    dims = ("point", "probe")

    def ratio_at(values):
        arrs = {n: np.asarray(v, dtype=float).reshape(1, 1) for n, v in point.items()}
        arrs[solve] = np.asarray(values, dtype=float).reshape(1, -1)
        return np.broadcast_to(_ratio(arch, overrides, arrs, dims), (1, np.size(values)))[0]

    r = ratio_at([lo, 0.5 * (lo + hi), hi])
    if not np.isfinite(r).all() and affine:
        return float("nan")
    if affine:
        slope = (r[2] - r[0]) / (hi - lo)
        if slope == 0:
            return float("nan")
        root = lo + (1.0 - r[0]) / slope
        return float(root) if (spec.minimum is None or root >= spec.minimum) and (spec.maximum is None or root <= spec.maximum) else float("nan")
    fa, fc = r[0] - 1.0, r[2] - 1.0
    if np.isnan(fa) or np.isnan(fc) or np.sign(fa) * np.sign(fc) > 0:
        return float("nan")
    a, b = lo, hi
    for _ in range(BISECTION_STEPS):
        m = 0.5 * (a + b)
        fm = ratio_at([m])[0] - 1.0
        if np.sign(fm) == np.sign(fa):
            a, fa = m, fm
        else:
            b = m
    return 0.5 * (a + b)


def _fmt(v: float, unit: str) -> str:
    u = "" if unit in ("", "1") else f" {unit}"
    return f"{v:,.4g}{u}"


def minimum_conditions(ds: xr.Dataset, nominal: Mapping[str, float] | None = None, nominal_root: float | None = None) -> str:
    """The parity surface as a sentence: what the solved parameter must be at the nominal values
    of the others, and at the most favourable corner of their ranges."""
    solve = ds.attrs["solved_parameter"]
    var = ds[f"parity_{solve}"]
    unit = var.attrs["units"]
    op = ds.attrs["direction"]
    grid_names = list(var.dims)
    arch = ds.attrs["architecture"]
    year = ds.attrs.get("start_year")
    when = f" from {year:.0f}" if year is not None and np.isfinite(year) else ""
    vals = var.values
    if not np.isfinite(vals).any():
        ranges = ", ".join(f"{n} {_fmt(float(ds[n].min()), ds[n].attrs['units'])}-{_fmt(float(ds[n].max()), ds[n].attrs['units'])}"
                           for n in grid_names)
        return (f"{arch} does not reach cost parity with the ground{when} for any {solve} in "
                f"{ds.attrs['bracket']} with {ranges}.")
    # the most permissive root (largest if the solved parameter must stay below it)
    flat = np.where(np.isfinite(vals), vals, -np.inf if op == "<=" else np.inf)
    idx = np.unravel_index(np.argmax(flat) if op == "<=" else np.argmin(flat), vals.shape)
    corner = ", ".join(f"{n} {_fmt(float(ds[n].values[i]), ds[n].attrs['units'])}" for n, i in zip(grid_names, idx))
    best = float(vals[idx])
    parts = []
    if nominal is not None:
        at = " and ".join(f"{n} {_fmt(v, ds[n].attrs['units'])}" for n, v in nominal.items())
        if nominal_root is not None and np.isfinite(nominal_root):
            parts.append(f"{arch} reaches cost parity with the ground{when} if {solve} {op} {_fmt(nominal_root, unit)} "
                         f"at {at} (nominal)")
        else:
            parts.append(f"{arch} does not reach cost parity with the ground{when} at {at} (nominal) for any {solve} "
                         f"in {ds.attrs['bracket']}")
    parts.append(f"at the most favourable point of the ranges ({corner}) it needs {solve} {op} {_fmt(best, unit)}")
    return "; ".join(parts) + "."
