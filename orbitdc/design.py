"""Design variables are chosen, not drawn: :func:`optimize` and the per-sample design table.

A parameter's ``role`` (in data: ``design`` or ``uncertain``) says whether it is a decision an
engineer makes (altitude, shielding, satellite size, ...) or a fact about the world nobody controls
(launch price, cell efficiency, ...). :func:`optimize` picks the design variables that minimise an
objective subject to the chain's feasibility constraints; :func:`design_table` does so for many
"worlds" (draws of the uncertain parameters) at once, and :func:`orbitdc.monte_carlo` with
``design="optimal"`` gives each sample the best design of that table for its world.

Method (vectorised; no Python loop over design points or samples)
-----------------------------------------------------------------
1. **Coarse grid.** Each design variable ``x_d`` spans ``[low, high]`` from the architecture (or the
   bounds given in ``over``). With ``D`` variables and ``K`` points a side, the full grid of
   ``K**D`` points is used while ``K**D <= GRID_BUDGET``; beyond that a Latin hypercube of
   ``GRID_BUDGET`` points (scipy.stats.qmc, fixed seed). All points go through the chain in one
   call (the design variables as arrays along ``design_point``; with worlds, along
   ``world x design_point``).
2. **Selection.** A point is admissible where it violates none of the chosen constraints
   (``constraints="all"``: every ``violates_*`` flag the chain raises, i.e. ``feasible``). Points
   rank by the number of violated constraints, then by the objective: the best admissible point if
   there is one, else the point with the fewest violations (then the lowest objective), and
   ``optimum_feasible`` is False. The nominal design is one of the first pass's points, so the
   optimum never ranks below it.
3. **Refinement.** The box shrinks around the best point to ``best +/- one grid step`` (clipped to
   the bounds) and step 1-2 repeat ``REFINE_ITERATIONS`` times: the box width falls by a factor
   ``(K - 1) / 2`` per iteration (4 with ``K = 9``), so after 6 iterations the optimum is located to
   ``(high - low) / 4**7`` of each variable's range, where the objective is continuous. Piecewise
   constant terms (whole satellites, whole launches) make the objective step-like; the grid search
   needs no gradient, which is why it is used instead of a gradient method.
4. **Binding constraints.** At the optimum each design variable is moved by one final grid step
   either way (one more chain call on ``2 D`` points); a constraint violated at any of those
   neighbours is *binding* (it stops the design from moving further).

The grid settings below are numerical-method choices, not facts about the world.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr
from scipy.stats import qmc

from . import chain, units
from .errors import ParameterError
from .architectures import apply_scenario, load_architecture
from .parameters import Architecture

#: Grid points per design variable in each pass.
GRID_POINTS = 9
#: Largest number of points in one pass; above it a Latin hypercube of this many points.
GRID_BUDGET = 4096
#: Zoom passes after the coarse grid.
REFINE_ITERATIONS = 6
#: Design-table search (per world; all worlds in one call): fewer points and passes than
#: :func:`optimize`, because each sample then takes the best of all the worlds' optima.
TABLE_BUDGET = 1024
TABLE_ITERATIONS = 3
#: Outputs that may be minimised.
OBJECTIVES = ("cost_per_kw_year", "cost_ratio_vs_terrestrial", "cost_per_accelerator_hour", "capex",
              "total_mass", "satellite_mass", "specific_mass", "annual_cost")

__all__ = ["optimize", "design_variables", "design_table", "GRID_POINTS", "GRID_BUDGET", "REFINE_ITERATIONS"]


# --------------------------------------------------------------------------------------------
# What is optimised
# --------------------------------------------------------------------------------------------
def design_variables(arch: str | Path | Architecture) -> list[str]:
    """Numeric design variables of ``arch`` with a non-empty range and a distribution other than
    ``fixed`` (the default ``over``): the comparison basis (``target_it_power``, ``start_year``) is
    a design parameter held fixed, not one to optimise."""
    arch = load_architecture(arch)
    specs = chain.parameter_specs()
    out = []
    for name in arch.design_variables():
        p = arch.parameters[name]
        spec = specs.get(name)
        if spec is None or spec.kind != "number" or not p.is_numeric:
            continue
        if p.canonical_low is None or p.canonical_high is None or not p.canonical_low < p.canonical_high:
            continue
        if p.distribution == "fixed":
            continue
        out.append(name)
    return out


def _bounds(arch: Architecture, over: Any, overrides: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """{name: (low, high)} in canonical units from ``over`` (names, or a mapping to (low, high))."""
    specs = chain.parameter_specs()
    if over is None:
        over = [n for n in design_variables(arch) if n not in overrides]
    if isinstance(over, str):
        over = [over]
    items = over.items() if isinstance(over, Mapping) else [(n, None) for n in over]
    out: dict[str, tuple[float, float]] = {}
    for name, rng in items:
        if name not in arch.parameters:
            raise ParameterError("over", f"'{name}' is not a parameter of '{arch.name}'")
        if name in overrides:
            raise ParameterError("over", f"'{name}' is both optimised and overridden")
        spec, p = specs[name], arch.parameters[name]
        if spec.kind != "number":
            raise ParameterError("over", f"'{name}' is a {spec.kind}, not a number: evaluate each choice separately")
        if rng is None:
            lo, hi = p.canonical_low, p.canonical_high
            if lo is None or hi is None or not lo < hi:
                raise ParameterError("over", f"'{name}' has no range (low < high) to optimise over")
        else:
            try:
                lo, hi = (float(np.asarray(units.strip(v, spec.unit, name))) for v in rng)
            except (TypeError, ValueError):
                raise ParameterError("over", f"bounds of '{name}' must be (low, high)") from None
            if not lo < hi:
                raise ParameterError("over", f"bounds of '{name}' need low < high, got ({lo:g}, {hi:g})")
            spec.check_array(name, [lo, hi])
        out[name] = (float(lo), float(hi))
    if not out:
        raise ParameterError("over", f"'{arch.name}' has no design variable with a range to optimise")
    return out


def _check_objective(objective: Any) -> str:
    if objective not in OBJECTIVES:
        raise ParameterError("objective", f"'{objective}' is not one of {', '.join(OBJECTIVES)}")
    return objective


def _constraint_names(arch: Architecture) -> list[str]:
    return [k.removeprefix("violates_") for st in chain.stages() if arch.kind in st.kinds
            for k in st.outputs if k.startswith("violates_")]


def _check_constraints(arch: Architecture, constraints: Any) -> list[str]:
    known = _constraint_names(arch)
    if constraints == "all":
        return known
    if isinstance(constraints, str):
        constraints = [constraints]
    bad = [c for c in constraints if c not in known]
    if bad:
        raise ParameterError("constraints", f"'{bad[0]}' is not a constraint of the chain; known: {', '.join(known)}")
    return list(constraints)


# --------------------------------------------------------------------------------------------
# Vectorised search
# --------------------------------------------------------------------------------------------
def _unit_points(d: int, k: int = GRID_POINTS, budget: int = GRID_BUDGET) -> tuple[np.ndarray, float]:
    """Points in [0, 1]^d (rows) and the grid step in unit coordinates."""
    if k ** d <= budget:
        axes = np.meshgrid(*([np.linspace(0.0, 1.0, k)] * d), indexing="ij")
        return np.column_stack([a.ravel() for a in axes]), 1.0 / (k - 1)
    pts = qmc.LatinHypercube(d=d, rng=np.random.default_rng(0)).random(budget)
    return pts, float(budget ** (-1.0 / d))


def _axis_view(frame: chain.Frame, name: str, order: Sequence[str]) -> np.ndarray:
    """``frame[name]`` broadcast to the frame's shape and transposed to ``order`` (other axes must
    have length 1)."""
    arr = np.broadcast_to(frame[name], frame.shape)
    perm = [frame.dims.index(d) for d in order if d in frame.dims]
    rest = [i for i in range(len(frame.dims)) if i not in perm]
    arr = np.transpose(arr, rest + perm)
    return arr.reshape(arr.shape[len(rest):]) if all(arr.shape[i] == 1 for i in range(len(rest))) else arr


def _run(arch: Architecture, overrides: Mapping[str, Any], trusted: Mapping[str, xr.DataArray]) -> chain.Frame:
    prep = chain.prepare(arch, overrides, trusted=trusted)
    chain.run_frame(prep.frame, arch.kind, attrs=prep.attrs, order=prep.order)
    return prep.frame


def _score(frame: chain.Frame, objective: str, constraints: Sequence[str], order: Sequence[str]):
    """(objective, number of violated constraints), axes in ``order``. The objective is kept as
    computed (an inadmissible point is told apart by its violations, and among equally
    inadmissible points the cheaper one still ranks first)."""
    obj = np.array(_axis_view(frame, objective, order), dtype=float)
    nviol = np.zeros(obj.shape, dtype=np.int64)
    for c in constraints:
        key = f"violates_{c}"
        if key in frame:
            nviol = nviol + _axis_view(frame, key, order).astype(np.int64)
    return obj, nviol


def _best(obj: np.ndarray, nviol: np.ndarray) -> np.ndarray:
    """Index of the best point along the last axis, lexicographically: fewest violated constraints
    (0: admissible), then lowest objective (NaN and +inf last). Ties go to the first point."""
    big = np.float64(np.finfo(float).max)
    fewest = nviol.min(axis=-1, keepdims=True)
    masked = np.where(nviol == fewest, np.where(np.isfinite(obj), obj, big), np.inf)
    return np.argmin(masked, axis=-1)


def _better(obj_a: np.ndarray, nv_a: np.ndarray, obj_b: np.ndarray, nv_b: np.ndarray) -> np.ndarray:
    """Where (nv_a, obj_a) ranks strictly before (nv_b, obj_b) (same order as :func:`_best`)."""
    big = np.finfo(float).max
    a = np.where(np.isfinite(obj_a), obj_a, big)
    b = np.where(np.isfinite(obj_b), obj_b, big)
    return (nv_a < nv_b) | ((nv_a == nv_b) & (a < b))


def _search(arch: Architecture, bounds: Mapping[str, tuple[float, float]], objective: str, constraints: Sequence[str],
            overrides: Mapping[str, Any], worlds: Mapping[str, np.ndarray] | None = None,
            iterations: int = REFINE_ITERATIONS, points: int = GRID_POINTS, budget: int = GRID_BUDGET,
            start: np.ndarray | None = None):
    """Grid-then-zoom minimisation, for one world or for ``W`` worlds at once.

    ``worlds`` maps uncertain parameters to arrays of length ``W`` (put along ``world``). Returns
    (best values ``(W, D)``, objective ``(W,)``, violations ``(W,)``, final step ``(W, D)``,
    chain evaluations).
    """
    names = list(bounds)
    d = len(names)
    lo0 = np.array([bounds[n][0] for n in names])
    hi0 = np.array([bounds[n][1] for n in names])
    w = 1 if not worlds else len(next(iter(worlds.values())))
    unit, ustep = _unit_points(d, points, budget)
    lo = np.broadcast_to(lo0, (w, d)).copy()
    hi = np.broadcast_to(hi0, (w, d)).copy()
    world_arrays = {k: xr.DataArray(np.asarray(v, dtype=float), dims="world") for k, v in (worlds or {}).items()}
    order = ("world", "design_point")
    evaluations = 0
    best_x = best_obj = best_nv = step = None
    for it in range(iterations + 1):
        x = lo[:, None, :] + unit[None, :, :] * (hi - lo)[:, None, :]          # (W, G, D)
        if it == 0 and start is not None:  # the nominal design competes too: never worse than it
            x = np.concatenate([x, np.broadcast_to(np.clip(start, lo0, hi0), (w, 1, d))], axis=1)
        trusted = dict(world_arrays)
        for j, n in enumerate(names):
            trusted[n] = xr.DataArray(x[:, :, j], dims=order)
        frame = _run(arch, overrides, trusted)
        evaluations += x.shape[0] * x.shape[1]
        obj, nv = _score(frame, objective, constraints, order)
        obj = np.broadcast_to(obj, x.shape[:2])
        nv = np.broadcast_to(nv, x.shape[:2])
        i = _best(obj, nv)
        rows = np.arange(w)
        cand_x, cand_obj, cand_nv = x[rows, i], obj[rows, i], nv[rows, i]
        if best_x is None:
            best_x, best_obj, best_nv = cand_x, cand_obj, cand_nv
        else:  # keep the previous best where the zoomed grid did not improve on it
            better = _better(cand_obj, cand_nv, best_obj, best_nv)
            best_x = np.where(better[:, None], cand_x, best_x)
            best_obj = np.where(better, cand_obj, best_obj)
            best_nv = np.where(better, cand_nv, best_nv)
        step = (hi - lo) * ustep
        lo = np.maximum(best_x - step, lo0)
        hi = np.minimum(best_x + step, hi0)
    return best_x, best_obj, best_nv, step, evaluations


def _binding(arch: Architecture, names: Sequence[str], x: np.ndarray, step: np.ndarray,
             bounds: Mapping[str, tuple[float, float]], constraints: Sequence[str],
             overrides: Mapping[str, Any]) -> list[str]:
    """Constraints violated one final grid step away from the optimum ``x`` (one chain call)."""
    d = len(names)
    pts = np.repeat(x[None, :], 2 * d, axis=0)
    for j, n in enumerate(names):
        lo, hi = bounds[n]
        pts[2 * j, j] = max(x[j] - step[j], lo)
        pts[2 * j + 1, j] = min(x[j] + step[j], hi)
    trusted = {n: xr.DataArray(pts[:, j], dims="design_point") for j, n in enumerate(names)}
    frame = _run(arch, overrides, trusted)
    out = []
    for c in constraints:
        key = f"violates_{c}"
        if key in frame and bool(np.any(frame[key])):
            out.append(c)
    return out


def optimize(arch: str | Path | Architecture, objective: str = "cost_per_kw_year",
             over: Sequence[str] | Mapping[str, tuple[Any, Any]] | None = None, constraints: str | Sequence[str] = "all",
             *, scenario: str | None = None, **overrides: Any) -> xr.Dataset:
    """The design that minimises ``objective`` subject to the feasibility constraints.

    Parameters
    ----------
    arch : name, path or :class:`~orbitdc.parameters.Architecture`
    objective : an output to minimise (:data:`OBJECTIVES`), default ``cost_per_kw_year``.
    over : design variables to choose (names, or a mapping ``name -> (low, high)`` in canonical
        units or Quantities); default every numeric ``role: design`` parameter with a range that is
        not overridden (:func:`design_variables`).
    constraints : ``"all"`` (every ``violates_*`` flag of the chain) or a list of constraint names
        (e.g. ``["total_ionizing_dose"]``); only those make a design inadmissible.
    scenario : optional scenario name (see :mod:`orbitdc.scenarios`).
    **overrides : fixed parameter values, as in :func:`orbitdc.evaluate`.

    Returns
    -------
    The full chain result at the optimum (as :func:`orbitdc.evaluate` returns it) with ``attrs``:
    ``design`` ("optimal"), ``optimized_over`` (names), ``objective``, ``optimum_feasible``,
    ``binding_constraints`` (comma-separated, "none" if no constraint is active),
    ``optimizer_evaluations`` and ``optimizer_method``; and a variable ``optimal_<name>`` per design
    variable (the chosen value, with its bounds in attrs). See the module docstring for the method.
    """
    arch = _load(arch, scenario)
    objective = _check_objective(objective)
    cons = _check_constraints(arch, constraints)
    chain.build_inputs(arch, overrides)  # validates the overrides (names, units, domains) first
    _check_scalar_overrides(overrides)
    bounds = _bounds(arch, over, overrides)
    names = list(bounds)
    nominal = np.array([float(arch.parameters[n].canonical_value) for n in names])
    x, obj, nv, step, n_eval = _search(arch, bounds, objective, cons, overrides, start=nominal)
    x, step = x[0], step[0]
    binding = _binding(arch, names, x, step, bounds, cons, overrides)
    optimum = {n: float(x[j]) for j, n in enumerate(names)}
    ds = chain.evaluate(arch, **overrides, **optimum)
    specs = chain.parameter_specs()
    for j, n in enumerate(names):
        ds[f"optimal_{n}"] = xr.DataArray(x[j], attrs={
            "units": units.unit_string(specs[n].unit), "long_name": f"optimal {specs[n].long_name or n}",
            "search_low": bounds[n][0], "search_high": bounds[n][1], "resolution": float(step[j])})
    ds.attrs.update(
        design="optimal",
        optimized_over=", ".join(names),
        objective=objective,
        constraints=", ".join(cons),
        optimum_feasible=int(nv[0] == 0),
        objective_value=float(obj[0]),
        binding_constraints=", ".join(binding) or "none",
        optimizer_evaluations=int(n_eval + 2 * len(names) + 1),
        optimizer_method=f"grid {GRID_POINTS}^D (Latin hypercube of {GRID_BUDGET} above that), then "
                         f"{REFINE_ITERATIONS} zoom passes around the best admissible point (orbitdc.design)",
    )
    if scenario is not None:
        ds.attrs["scenario"] = scenario
    return ds


def _check_scalar_overrides(overrides: Mapping[str, Any]) -> None:
    for name, value in overrides.items():
        v = value.value if hasattr(value, "unit") and hasattr(value, "value") else value
        if isinstance(v, xr.DataArray) or np.ndim(v) > 0:
            raise ParameterError(name, "optimize takes one value per override (optimise each case separately)")


def _load(arch: Any, scenario: str | None) -> Architecture:
    if scenario is None:
        return load_architecture(arch)
    return apply_scenario(arch, scenario)


# --------------------------------------------------------------------------------------------
# The design table behind monte_carlo(design="optimal")
# --------------------------------------------------------------------------------------------
def design_table(arch: Architecture, worlds: Mapping[str, np.ndarray], objective: str = "cost_per_kw_year",
                 over: Sequence[str] | None = None, constraints: str | Sequence[str] = "all",
                 overrides: Mapping[str, Any] | None = None, iterations: int = TABLE_ITERATIONS,
                 budget: int = TABLE_BUDGET) -> xr.Dataset:
    """Optimal designs for ``W`` worlds at once (one vectorised search), as a table.

    ``worlds`` maps uncertain parameters to arrays of length ``W`` (e.g. the first draws of the
    Monte Carlo stream). Returns a Dataset along ``candidate`` (the distinct optimal designs, the
    nominal design first) with one variable per design variable, and ``attrs['design_variables']``.
    Candidates whose optimum was inadmissible in their own world are kept only if no admissible one
    exists.
    """
    overrides = dict(overrides or {})
    objective = _check_objective(objective)
    cons = _check_constraints(arch, constraints)
    bounds = _bounds(arch, over, {**overrides, **worlds})
    names = list(bounds)
    start = np.array([float(arch.parameters[n].canonical_value) for n in names])
    x, obj, nv, _, n_eval = _search(arch, bounds, objective, cons, overrides, worlds, iterations=iterations,
                                    budget=budget, start=start)
    ok = nv == 0
    rows = x[ok] if ok.any() else x
    nominal = np.array([[float(arch.parameters[n].canonical_value) for n in names]])
    table = np.unique(np.vstack([nominal, rows]), axis=0)
    # the nominal design first (a stable reference), then the optima in sorted order
    is_nom = np.all(table == nominal, axis=1)
    table = np.vstack([table[is_nom], table[~is_nom]])
    return xr.Dataset(
        {n: ("candidate", table[:, j]) for j, n in enumerate(names)},
        coords={"candidate": np.arange(table.shape[0])},
        attrs={"design_variables": ", ".join(names), "worlds": int(len(x)), "objective": objective,
               "constraints": ", ".join(cons), "evaluations": int(n_eval)},
    )


# --------------------------------------------------------------------------------------------
# The screen: which candidates of the table each Monte Carlo sample is evaluated at
# --------------------------------------------------------------------------------------------
#: Candidates evaluated in each pass of the screen: every sample at the first pass's rows, then in
#: each further pass at the rows chosen by the best row found so far.
SCREEN_PASSES = (4, 3, 2)


def regret(obj: np.ndarray, nviol: np.ndarray) -> np.ndarray:
    """``(W, K)`` regret of choosing each candidate instead of the best of the row (``_best``):
    ``obj / obj_best - 1`` where the candidate violates no more constraints than the best, 1.0
    (a whole objective lost) where it violates more; 0 at the best. A candidate whose objective is
    not finite (where the best's is) also counts 1.0."""
    rows = np.arange(obj.shape[0])
    b = _best(obj, nviol)
    ob, vb = obj[rows, b][:, None], nviol[rows, b][:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rel = obj / ob - 1.0
    # a best that is not finite has only non-finite rivals as admissible as it: nothing to lose
    rel = np.where(np.isfinite(ob), np.where(np.isfinite(obj), rel, 1.0), 0.0)
    return np.where(nviol > vb, 1.0, np.clip(rel, 0.0, 1.0))


def _greedy_cover(reg: np.ndarray, size: int, current: np.ndarray, exclude: Sequence[int] = ()) -> list[int]:
    """Up to ``size`` columns of ``reg`` (W, K) that, added one at a time, most reduce the summed
    regret of each row's best so far (``current``, (W,)): greedy set cover, ties to the lowest
    column; columns in ``exclude`` and columns that reduce nothing are not taken."""
    chosen: list[int] = []
    cur = np.asarray(current, dtype=float).copy()
    for _ in range(size):
        total = np.minimum(cur[:, None], reg).sum(axis=0)
        total[list(exclude) + chosen] = np.inf
        k = int(np.argmin(total))
        if not total[k] < cur.sum():
            break
        chosen.append(k)
        cur = np.minimum(cur, reg[:, k])
    return chosen


def _masked(obj: np.ndarray, nviol: np.ndarray, seen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``obj`` and ``nviol`` with the rows not evaluated (``~seen``) ranked last by :func:`_best`."""
    return np.where(seen, obj, np.inf), np.where(seen, nviol, np.iinfo(np.int64).max)


@dataclass(frozen=True)
class DesignScreen:
    """Which rows of a design table each world is evaluated at, learnt from worlds evaluated at all.

    Pass 1 evaluates every world at the rows ``first``; each further pass ``p`` at the rows
    ``follow[p][b]`` (-1: none), where ``b`` is the world's best row so far (``_best``). Where
    the best row after the last pass violates a constraint, every row is evaluated (the exhaustive
    search), so a world in which any row is admissible gets an admissible row, exactly as the
    exhaustive search gives; otherwise the world's row is the best of those it was evaluated at.
    ``check`` holds the regret against the exhaustive search on held-out worlds.
    """

    first: np.ndarray
    follow: tuple[np.ndarray, ...]
    check: dict = field(default_factory=dict, compare=False)

    @property
    def passes(self) -> tuple[int, ...]:
        return (len(self.first),) + tuple(f.shape[1] for f in self.follow)

    def candidates(self, step: int, best: np.ndarray) -> np.ndarray:
        """``(W, L)`` rows of further pass ``step`` (0-based) for the worlds' best rows so far
        (a -1 becomes that best row: evaluated again, the same numbers)."""
        f = self.follow[step][best]
        return np.where(f < 0, best[:, None], f)

    def choose(self, obj: np.ndarray, nviol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Apply the screen to a full ``(W, K)`` evaluation (to check it): the row chosen per world
        and how many rows each world was evaluated at."""
        w = obj.shape[0]
        rows = np.arange(w)
        seen = np.zeros(obj.shape, dtype=bool)
        seen[:, self.first] = True
        best = _best(*_masked(obj, nviol, seen))
        for step in range(len(self.follow)):
            seen[rows[:, None], self.candidates(step, best)] = True
            best = _best(*_masked(obj, nviol, seen))
        fallback = nviol[rows, best] > 0
        seen[fallback] = True
        best[fallback] = _best(obj[fallback], nviol[fallback])
        return best, seen.sum(axis=1)


def learn_screen(obj: np.ndarray, nviol: np.ndarray, check_obj: np.ndarray, check_nviol: np.ndarray,
                 passes: Sequence[int] = SCREEN_PASSES) -> DesignScreen:
    """A :class:`DesignScreen` learnt from ``W`` worlds evaluated at all ``K`` rows of a table
    (``obj``, ``nviol``: ``(W, K)``), checked on other worlds (``check_*``).

    ``first``: the ``passes[0]`` rows that minimise the summed regret (:func:`regret`) of the best
    of them over the worlds (greedy set cover). Pass ``p``: for the worlds whose best row so far is
    ``b``, the ``passes[p]`` further rows that most reduce their regret (greedy again, from their
    regret so far).
    """
    w, k = obj.shape
    rows = np.arange(w)
    reg = regret(obj, nviol)
    first = np.array(_greedy_cover(reg, passes[0], np.full(w, np.inf)), dtype=np.int64)
    seen = np.zeros((w, k), dtype=bool)
    seen[:, first] = True
    best = _best(*_masked(obj, nviol, seen))
    follow = []
    for size in passes[1:]:
        table = np.full((k, size), -1, dtype=np.int64)
        for b in np.unique(best):
            mine = best == b
            more = _greedy_cover(reg[mine], size, reg[mine, b], exclude=[int(b)])
            table[b, :len(more)] = more
        follow.append(table)
        f = table[best]
        seen[rows[:, None], np.where(f < 0, best[:, None], f)] = True
        best = _best(*_masked(obj, nviol, seen))
    screen = DesignScreen(first, tuple(follow))
    chosen, evaluated = screen.choose(check_obj, check_nviol)
    got = regret(check_obj, check_nviol)[np.arange(len(chosen)), chosen]
    screen.check.update(
        worlds=int(len(chosen)), exact_share=float(np.mean(got == 0.0)), mean_regret=float(got.mean()),
        p99_regret=float(np.quantile(got, 0.99)), max_regret=float(got.max()),
        evaluations_per_world=float(evaluated.mean()))
    return screen
