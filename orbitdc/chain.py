"""The model chain: inputs Dataset -> stage -> stage -> ... -> results Dataset.

After pvlib's ``ModelChain``, but as data flow: :func:`evaluate` turns an architecture (plus
overrides) into one ``xarray.Dataset`` of inputs in canonical units, then passes it through the
stages in a fixed order. Each stage is a plain function ``run(ds) -> mapping of new variables``;
it reads named variables and adds named variables (declared in its :class:`~orbitdc.frame.Stage` with units and
long names). Any input may be an array along its own dimension, so a sweep or a Monte Carlo sample
is broadcasting, not a Python loop.

Stages may add boolean ``violates_<constraint>`` variables (True where a design point breaks a
constraint). The chain turns them into ``feasible`` and ``binding_constraint`` (the first
violated constraint, in stage order, or ``"none"``).

The vocabulary (:class:`~orbitdc.frame.Frame`, :class:`~orbitdc.frame.Stage`,
:class:`~orbitdc.frame.Output`) lives in :mod:`orbitdc.frame`, below every stage; the stages are
imported by name and listed in order in :mod:`orbitdc.stages` (a missing stage is an ImportError,
never a skip). Both are re-exported here under their old names.
"""
from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Callable, Iterable, Sequence

import astropy.units as u
import numpy as np
import xarray as xr

from . import memory, outputs, units
from . import paths as _paths
from ._version import __version__
from .errors import ArchitectureError, OrbitdcError, ParameterError
from . import catalogs
from .architectures import load_architecture
from .arguments import check_override
from .catalogs import catalog_lookup
from .parameters import Architecture, ParameterSpec
from . import stages as _stages
# The vocabulary and the stage list moved to orbitdc.frame and orbitdc.stages; the old names stay
# importable from here (the chain's own code uses them too).
from .frame import (Frame, Output, Stage, _construct, _construct_public, _expand, _output_attrs,  # noqa: F401
                    _variable, apply_stage, dataset_from_frame)
from .stages import SYSTEM_PARAMETERS, describe, output_specs, parameter_specs  # noqa: F401


# The stage list and the specs collected from it live in orbitdc.stages (the stage modules are
# imported there by name); the chain re-exports them under their old names.
STAGE_MODULES: tuple[str, ...] = tuple(m.__name__ for m in _stages.MODULES)


def stages() -> list[Stage]:
    """The stages, in chain order (:data:`orbitdc.stages.STAGES`)."""
    return list(_stages.STAGES)


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
def _override_error(arch: Architecture, name: str, reason: str) -> ArchitectureError:
    return ArchitectureError(reason, file=f"override for '{arch.name}'", parameter=name)


def _override_array(arch: Architecture, name: str, value: Any, spec: ParameterSpec) -> xr.DataArray:
    """Convert one override to a DataArray in the canonical unit (a 1-d list gets dim ``name``)."""
    try:
        check_override(name, value, spec)  # wrong Python types and ragged lists: one clear error
    except ParameterError as exc:
        raise _override_error(arch, name, exc.reason) from None
    if spec.kind in ("choice", "flag"):
        if isinstance(value, xr.DataArray):
            da = value.copy()
        else:
            arr = np.asarray(value)
            da = xr.DataArray(arr, dims=(name,) if arr.ndim == 1 else (), coords={name: arr} if arr.ndim == 1 else None)
        vals = np.atleast_1d(da.values).ravel()
        if spec.kind == "choice":
            allowed = spec.allowed_choices()
            bad = [v for v in vals if str(v) not in allowed]
            if bad:
                raise _override_error(arch, name, f"'{bad[0]}' is not one of {', '.join(allowed)}")
            return da.astype(str)
        bad = [v for v in vals if not isinstance(v, (bool, np.bool_))]
        if bad:
            raise _override_error(arch, name, f"value must be true or false, got {bad[0]!r}")
        return da.astype(bool)
    try:
        return number_array(name, value, spec)
    except ParameterError as exc:
        raise _override_error(arch, name, exc.reason) from None


def number_array(name: str, value: Any, spec: ParameterSpec) -> xr.DataArray:
    """A numeric parameter's value as a DataArray in ``spec``'s canonical unit, range-checked.

    ``value`` is an astropy Quantity (converted), a bare number (read in the canonical unit), a
    string such as ``"650 km"`` (a bare number as text: canonical unit), a 1-d list or array (a
    new dimension ``name`` whose coordinate carries the unit) or a DataArray (its own dimensions).
    Raises :class:`~orbitdc.errors.ParameterError` (wrong unit, out of range, more than 1-d);
    callers say where the value came from (an override, a trajectory argument).
    """
    if isinstance(value, xr.DataArray):
        da = units.strip(value, spec.unit, name)
    else:
        if isinstance(value, str):
            value = units.quantity_from_string(value, name)
        if isinstance(value, u.Quantity) and value.unit == u.dimensionless_unscaled and spec.unit not in ("1", ""):
            value = value.value  # a bare number typed as text: canonical unit
        arr = np.asarray(units.strip(value, spec.unit, name), dtype=float)
        if arr.ndim == 0:
            da = xr.DataArray(arr)
        elif arr.ndim == 1:
            da = xr.DataArray(arr, dims=(name,), coords={name: (name, arr, {"units": units.unit_string(spec.unit)})})
        else:
            raise ParameterError(name, f"expected a number or a 1-d list, got an array of shape {arr.shape}")
    spec.check_array(name, da.values)
    return da


@dataclass
class Prepared:
    """Inputs mapped to numpy once: the frame, and what the Dataset at the edge needs."""

    arch: Architecture
    frame: Frame
    attrs: dict[str, dict]                 # per input variable
    input_dims: dict[str, tuple[str, ...]]  # exact dimensions of each input
    coords: dict[str, xr.Variable]
    order: list[str]                        # variable order of the result


def prepare(arch: Architecture, overrides: Mapping[str, Any] | None = None,
            trusted: Mapping[str, xr.DataArray] | None = None, *, dims_first: Sequence[str] = (),
            extra_dims: Mapping[str, int] | None = None) -> Prepared:
    """Validate overrides and map every input to a numpy array on shared named axes, once.

    ``trusted`` are arrays put in place without checks (Monte Carlo draws, already inside the
    validated ranges, or the trajectory's per-year inputs), each a DataArray whose attrs become
    the variable's. ``dims_first`` puts those dimensions first in the frame (in that order);
    ``extra_dims`` adds dimensions (name -> length) that only values outside the architecture's
    parameters will carry (the trajectory's trend draws), last.
    """
    overrides = dict(overrides or {})
    trusted = dict(trusted or {})
    specs = _specs()
    unknown = [k for k in overrides if k not in arch.parameters]
    if unknown:
        raise _override_error(arch, unknown[0], f"unknown parameter; valid names: {', '.join(sorted(arch.parameters))}")
    base_values, base_attrs, catalog_backed = _base_inputs(arch, specs)
    arrays: dict[str, xr.DataArray] = {}
    attrs: dict[str, dict] = dict(base_attrs)
    ds_attrs = _dataset_attrs(arch)
    year_paths = {k: v for k, v in overrides.items() if _paths.is_path(v) and specs[k].kind == "number"}
    if "start_year" in overrides:  # the architecture file's paths, at the start year asked for
        year_paths.update({k: _paths.as_dataarray(p) for k, p in year_paths_of(arch).items()
                           if k not in overrides and k not in trusted})
    if year_paths:  # a path over the years: its value at start_year (the trajectory takes all of it)
        for name, da in _path_values(arch, year_paths, overrides, specs, base_values, ds_attrs).items():
            trusted.setdefault(name, da)
            overrides.pop(name, None)
    dims: list[str] = []
    sizes: dict[str, int] = {}
    coords: dict[str, xr.Variable] = {}
    from_catalog: list[str] = []
    given = set(overrides) | set(trusted)
    for name in [n for n in arch.parameters if n in given] if given else ():
        spec = specs[name]
        if name in trusted:
            da = trusted[name]
            if da.attrs:
                attrs[name] = dict(da.attrs)
        else:
            da = _override_array(arch, name, overrides[name], spec)
            attrs[name] = {**base_attrs[name], "source": "override"}
        arrays[name] = da
        for d in da.dims:
            n = int(da.sizes[d])
            if d not in sizes:
                dims.append(d)
                sizes[d] = n
            elif sizes[d] != n:
                raise OrbitdcError(f"overrides do not broadcast together: dimension '{d}' has lengths {sizes[d]} and {n}")
        for cname, c in da.coords.items():
            if not set(c.dims) <= set(da.dims):
                continue
            if cname in coords:
                if c.dims == (cname,) and not np.array_equal(np.asarray(coords[cname].values), np.asarray(c.values)):
                    raise OrbitdcError(f"overrides do not broadcast together: coordinate '{cname}' differs between them")
                continue
            coords[cname] = c.variable
    if given:
        # a catalog default whose choice is overridden (or swept) is looked up below, per choice
        for name in catalog_backed:
            if name not in given and specs[name].catalog[2] in given:
                catalog, field_name, choice = specs[name].catalog
                attrs[name] = {**base_attrs[name],
                               "source": f"data/catalogs/{catalog}.csv: {field_name} of the chosen {choice}"}
                from_catalog.append(name)
    # dimensions in the order the caller gave them (sweep(altitude=..., price=...) -> altitude first)
    ordered: list[str] = [d for d in dims_first if d in sizes]
    for name in list(overrides) + list(trusted):
        if name in arrays:
            for d in arrays[name].dims:
                if d not in ordered:
                    ordered.append(d)
    dims = ordered + [d for d in dims if d not in ordered]
    for d, n in (extra_dims or {}).items():
        if d not in sizes:
            dims.append(d)
            sizes[d] = int(n)
        elif sizes[d] != n:
            raise OrbitdcError(f"overrides do not broadcast together: dimension '{d}' has lengths {sizes[d]} and {n}")
    frame = Frame(dims, sizes, ds_attrs)
    input_dims: dict[str, tuple[str, ...]] = {}
    nd = len(dims)
    ones = (1,) * nd
    values = frame._vars
    for name in arch.parameters:
        if name in arrays:
            var = arrays[name].variable
            values[name] = _expand(var, dims)
            input_dims[name] = tuple(d for d in dims if d in var.dims)
        elif name not in from_catalog:
            values[name] = base_values[name].reshape(ones)
            input_dims[name] = ()
    # catalog defaults follow their (overridden or swept) choice: one lookup per distinct name
    for name in from_catalog:
        catalog, field_name, choice = specs[name].catalog
        key = frame[choice]
        value = np.asarray(catalog_lookup(catalog, field_name, key, specs[name].unit), dtype=float)
        values[name] = value.reshape(key.shape) if value.size == key.size else np.broadcast_to(value, key.shape)
        input_dims[name] = input_dims[choice]
    return Prepared(arch, frame, attrs, input_dims, coords, list(arch.parameters))


def _path_values(arch: Architecture, year_paths: Mapping[str, Any], overrides: Mapping[str, Any],
                 specs: Mapping[str, ParameterSpec], base_values: Mapping[str, np.ndarray],
                 ds_attrs: dict[str, Any]) -> dict[str, xr.DataArray]:
    """Each path's value at ``start_year`` (an override of it, or the architecture's), as a
    DataArray with the start year's dimensions (then the path's own); ``ds_attrs`` gets the
    warnings of paths held flat at that year."""
    sy = SYSTEM_PARAMETERS["start_year"]
    if "start_year" in overrides and not _paths.is_path(overrides["start_year"]):
        start = _override_array(arch, "start_year", overrides["start_year"], specs["start_year"])
    else:
        start = xr.DataArray(base_values["start_year"])
    out, warnings = {}, []
    y = np.asarray(start.values, dtype=float)
    for name, value in year_paths.items():
        spec = specs[name]
        try:
            path = _paths.as_path(name, value, spec.unit, check=lambda v, n=name, sp=spec: sp.check_array(n, v),
                                  horizon=(sy.minimum, sy.maximum))
        except ParameterError as exc:
            raise _override_error(arch, name, exc.reason) from None
        w = path.outside(float(np.min(y)), float(np.max(y)))
        if w:
            warnings.append(w)
        out[name] = xr.DataArray(path.at(y), dims=start.dims + path.dims, coords={**start.coords, **dict(path.coords)},
                                 attrs={"long_name": spec.long_name or name, "units": units.unit_string(spec.unit),
                                        "source": f"override: path {path.describe()}, at start_year"})
    if warnings:
        ds_attrs["path_warnings"] = "; ".join(warnings)
    return out


_SPECS: list = [None, None]  # (the stage list they were collected from, the specs)


def _specs() -> dict[str, ParameterSpec]:
    """:func:`parameter_specs` of the current stage list, collected once per list."""
    if _SPECS[0] is not _stages.STAGES:
        _SPECS[:] = [_stages.STAGES, parameter_specs()]
    return _SPECS[1]


def _base_inputs(arch: Architecture, specs: Mapping[str, ParameterSpec]) -> tuple[dict[str, np.ndarray], dict[str, dict], list[str]]:
    """Every parameter of ``arch`` as a 0-d array in its canonical unit, its attrs, and the names
    of the parameters holding their catalog default (they follow their choice): computed
    once per architecture object (a weak reference: the cache keeps no architecture alive),
    keyed by the identity of its parameters and of
    the specs (replacing a parameter, or a new stage list, computes them again). Callers share
    the attrs dicts and must not change them."""
    key = (id(specs), tuple(map(id, arch.parameters.values())), tuple(arch.parameters))
    hit = _BASE_INPUTS.get(id(arch))
    if hit is not None and hit[0]() is arch and hit[1] == key:
        return hit[2]
    values: dict[str, np.ndarray] = {}
    attrs: dict[str, dict] = {}
    for name, p in arch.parameters.items():
        spec = specs[name]
        a = {"long_name": spec.long_name or name, "source": ", ".join(p.sources)}
        v = p.canonical_value
        if spec.kind == "number":
            a["units"] = units.unit_string(spec.unit)
            values[name] = np.array(v, dtype=float)
        else:
            values[name] = np.array(v, dtype=bool) if spec.kind == "flag" else np.array(str(v))
        attrs[name] = a
    catalog_backed = [name for name, p in arch.parameters.items()
                      if specs[name].catalog is not None and p.catalog_entry is not None]
    paths = {name: p.year_path[0] for name, p in arch.parameters.items() if p.year_path is not None}
    if len(_BASE_INPUTS) >= 64:  # a few architectures are in use at a time
        _BASE_INPUTS.pop(next(iter(_BASE_INPUTS)))
    _BASE_INPUTS[id(arch)] = (weakref.ref(arch), key, (values, attrs, catalog_backed), paths)
    return values, attrs, catalog_backed


#: id(architecture) -> (a weak reference to it, its key, its base inputs) (:func:`_base_inputs`)
_BASE_INPUTS: dict[int, tuple] = {}


def year_paths_of(arch: Architecture) -> dict[str, "_paths.YearPath"]:
    """The parameters of ``arch`` given as a path over the years in its file (name -> value path),
    collected with its base inputs (once per architecture object)."""
    _base_inputs(arch, _specs())
    return _BASE_INPUTS[id(arch)][3]


def build_inputs(arch: Architecture, overrides: Mapping[str, Any] | None = None) -> xr.Dataset:
    """The input Dataset: one variable per parameter, in canonical units, overrides applied."""
    prep = prepare(arch, overrides)
    return dataset_from_frame(prep.frame, prep.order, prep.attrs, prep.coords, prep.frame.attrs, prep.input_dims)


def _dataset_attrs(arch: Architecture) -> dict[str, str]:
    extra = {"scenario": arch.scenario} if getattr(arch, "scenario", None) else {}
    return {
        **extra,
        "architecture": arch.name,
        "architecture_kind": arch.kind,
        "orbitdc_version": __version__,
        "sources": ", ".join(sorted(arch.references)),
    }


# --------------------------------------------------------------------------------------------
# Running the chain
# --------------------------------------------------------------------------------------------
def run_frame(frame: Frame, kind: str = "space", only: Iterable[str] | None = None,
              attrs: dict[str, dict] | None = None, order: list[str] | None = None,
              flags: bool = True) -> tuple[list[str], dict[str, dict], dict]:
    """Pass a frame through the stages for ``kind``, in order, then add feasibility.

    Updates ``frame`` in place; returns (variable order, attrs per variable, extra leading
    dimensions per variable) for :func:`~orbitdc.frame.dataset_from_frame`. ``only`` names the stages to run
    (default: all that apply); ``flags=False`` leaves out ``feasible`` and ``binding_constraint``
    (a caller running the stages in parts adds them once, :func:`add_flags`).
    """
    only = set(only) if only is not None else None
    attrs = dict(attrs or {})
    order = list(order or frame)
    seen = set(order)
    lead: dict[str, tuple] = {}
    with catalogs.model_run():  # catalog files are checked once per run, not at every lookup
        _run_stages(frame, kind, only, attrs, order, seen, lead)
    if flags:
        add_flags(frame, attrs, order, seen)
    return order, attrs, lead


def _run_stages(frame: Frame, kind: str, only: set[str] | None, attrs: dict, order: list, seen: set, lead: dict) -> None:
    put = frame.put
    for st in stages():
        if kind not in st.kinds or (only is not None and st.name not in only):
            continue
        new = st.kernel(frame)
        outputs_ = st.outputs
        missing = [k for k in outputs_ if k not in new]
        if missing:
            raise RuntimeError(f"stage '{st.name}' did not produce {', '.join(missing)}")
        extra = new.get("__attrs__", {})
        for key, val in new.items():
            if key == "__attrs__":
                continue
            spec = outputs_.get(key)
            nlead = len(spec.dims) if spec is not None else 0
            arr = put(key, val, nlead)
            if key.startswith("violates_"):
                frame._vars[key] = arr.astype(bool, copy=False)
            ex = extra.get(key)
            attrs[key] = _static_attrs(key, spec) if spec is not None and not ex else \
                _output_attrs(key, spec, attrs.get(key, {}), ex)
            if nlead:
                lead[key] = (spec.dims, spec.labels)
            if key not in seen:
                order.append(key)
                seen.add(key)


def add_flags(frame: Frame, attrs: dict[str, dict] | None = None, order: list[str] | None = None,
              seen: set[str] | None = None, exclude: Iterable[str] = ()) -> None:
    """``feasible`` and ``binding_constraint`` from the frame's ``violates_*`` variables (in the
    order the stages added them; ``exclude`` names flags not to judge)."""
    exclude = set(exclude)
    violations = [k for k in frame if k.startswith("violates_") and k not in exclude]
    # Index of the first violated constraint (integers: cheap on 1e7 points), then one lookup
    # into the names; len(violations) means none.
    nd = len(frame.dims)
    first = np.full((1,) * nd, len(violations), dtype=np.int64)
    for i in reversed(range(len(violations))):
        first = np.where(frame[violations[i]], i, first)
    names = np.array([k.removeprefix("violates_") for k in violations] + ["none"])
    frame._vars["feasible"] = first == len(violations)
    frame._vars["binding_constraint"] = names[first]
    if attrs is not None:
        specs = _outputs()
        for key in ("feasible", "binding_constraint"):
            attrs[key] = {"long_name": specs[key].long_name}
            if order is not None and key not in (seen if seen is not None else order):
                order.append(key)


@functools.lru_cache(maxsize=1024)
def _static_attrs(key: str, spec: Output) -> dict:
    """An output's attrs from its declaration (shared: callers copy before changing them)."""
    return _output_attrs(key, spec, {}, None)


_OUTPUTS: list = [None, None]  # (the stage list they were collected from, the output specs)


def _outputs() -> dict[str, Output]:
    """:func:`output_specs` of the current stage list, collected once per list."""
    if _OUTPUTS[0] is not _stages.STAGES:
        _OUTPUTS[:] = [_stages.STAGES, output_specs()]
    return _OUTPUTS[1]


def run_stages(ds: xr.Dataset, kind: str = "space", only: Iterable[str] | None = None) -> xr.Dataset:
    """Pass an input Dataset through the stages for ``kind``, in order; add feasibility."""
    frame = Frame.from_dataset(ds)
    input_attrs = {k: dict(v.attrs) for k, v in ds.data_vars.items()}
    input_dims = {k: tuple(d for d in frame.dims if d in v.dims) for k, v in ds.data_vars.items()}
    order, attrs, lead = run_frame(frame, kind, only, input_attrs, list(ds.data_vars))
    coords = {k: c.variable for k, c in ds.coords.items()}
    return dataset_from_frame(frame, order, attrs, coords, ds.attrs, _unchanged_inputs(input_dims, attrs, input_attrs), lead)


def _unchanged_inputs(input_dims: dict, attrs: dict, input_attrs: dict) -> dict:
    """Exact dimensions are known for inputs no stage replaced (a replaced one may vary more)."""
    return {k: v for k, v in input_dims.items() if attrs.get(k) is input_attrs.get(k)}


def evaluate(arch: str | Path | Architecture, *, stages_only: Iterable[str] | None = None, scenario: str | None = None,
             variables: Iterable[str] | None = None, **overrides: Any) -> xr.Dataset:
    """Run the whole chain for one architecture.

    Parameters
    ----------
    arch : name, path or :class:`~orbitdc.parameters.Architecture`
    stages_only : optional names of the stages to run (default: all that apply)
    scenario : optional scenario layered over the architecture (``data/scenarios/``)
    variables : optional names of the inputs and outputs wanted: only the stages they need run
        (those up to the last stage producing one; ``feasible`` and ``binding_constraint`` need
        every stage) and the Dataset holds only them - the fast path for a few numbers
    **overrides : parameter values by name: an astropy Quantity, a number in the parameter's
        canonical unit, a string such as ``"650 km"``, a 1-d list/array (a new dimension named
        after the parameter) or a DataArray (its own dimensions).

    Returns
    -------
    xarray.Dataset with every input and output variable (``units`` and ``long_name`` in attrs),
    or only ``variables``. The inputs are mapped to numpy arrays once (:func:`prepare`), the
    stages run on plain arrays (:func:`run_frame`) and the Dataset is assembled once
    (:func:`~orbitdc.frame.dataset_from_frame`).
    """
    arch = load_architecture(arch, scenario=scenario)
    names = None if variables is None else _check_variables(arch, variables)
    prep = prepare(arch, overrides)
    if names is None:
        return _finish(prep, stages_only)
    only = _stages_for(names, arch.kind) if stages_only is None else stages_only
    needs_flags = "feasible" in names or "binding_constraint" in names
    order, attrs, lead = run_frame(prep.frame, arch.kind, only, prep.attrs, prep.order, flags=needs_flags)
    missing = [n for n in names if n not in prep.frame]
    if missing:
        raise OrbitdcError(f"variables: '{missing[0]}' is not computed by the stages run ({', '.join(sorted(only))})")
    return dataset_from_frame(prep.frame, names, attrs, prep.coords, prep.frame.attrs,
                              _unchanged_inputs(prep.input_dims, attrs, prep.attrs), lead)


def _check_variables(arch: Architecture, variables: Iterable[str]) -> list[str]:
    """The names asked for, each an input of ``arch`` or an output of a stage for its kind."""
    if isinstance(variables, str):
        variables = [variables]
    try:
        names = [str(v) for v in variables]
    except TypeError:
        raise OrbitdcError(f"variables: expected a list of variable names, got {variables!r}") from None
    if not names:
        raise OrbitdcError("variables: name at least one variable (or leave variables out for all)")
    known = set(arch.parameters) | set(_producers(arch.kind)) | {"feasible", "binding_constraint"}
    bad = [n for n in names if n not in known]
    if bad:
        raise OrbitdcError(f"variables: '{bad[0]}' is not an input or output of the chain for '{arch.name}' "
                           f"({arch.kind}); see orbitdc.chain.describe()")
    return list(dict.fromkeys(names))


_PRODUCERS: dict[tuple[str, int], tuple[tuple, dict[str, int]]] = {}


def _producers(kind: str) -> dict[str, int]:
    """Output name -> index (in chain order) of the last stage of ``kind`` that produces it
    (collected once per stage list)."""
    stage_list = _stages.STAGES
    hit = _PRODUCERS.get((kind, id(stage_list)))
    if hit is not None and hit[0] is stage_list:
        return hit[1]
    out = {key: i for i, st in enumerate(stage_list) if kind in st.kinds for key in st.outputs}
    _PRODUCERS[(kind, id(stage_list))] = (stage_list, out)
    return out


def _stages_for(names: Sequence[str], kind: str) -> list[str]:
    """The stages (names) needed for ``names``: every stage of ``kind`` up to the last producer
    of one of them (a stage reads what the stages before it added); all of them for the flags."""
    stage_list = _stages.STAGES
    prod = _producers(kind)
    if "feasible" in names or "binding_constraint" in names:
        last = len(stage_list) - 1
    else:
        last = max((prod[n] for n in names if n in prod), default=-1)
    return [st.name for st in stage_list[: last + 1] if kind in st.kinds]


def _finish(prep: Prepared, stages_only: Iterable[str] | None = None) -> xr.Dataset:
    input_attrs = dict(prep.attrs)
    order, attrs, lead = run_frame(prep.frame, prep.arch.kind, stages_only, prep.attrs, prep.order)
    return dataset_from_frame(prep.frame, order, attrs, prep.coords, prep.frame.attrs,
                              _unchanged_inputs(prep.input_dims, attrs, input_attrs), lead)


def sweep(arch: str | Path | Architecture, *, variables: Iterable[str] | None = None, **axes: Any) -> xr.Dataset:
    """Evaluate on the full grid of the given parameter values: one dimension per parameter.

    ``sweep(arch, altitude=[500, 650, 800], launch_price_per_kg=[100, 500, 2000])`` gives a
    3x3 result by broadcasting (no loop over design points). Scalars are plain overrides.
    ``variables`` as in :func:`evaluate` (only those, and only the stages they need).
    """
    arch = load_architecture(arch)
    for name, values in axes.items():
        arr = values.value if isinstance(values, u.Quantity) else values
        if isinstance(values, xr.DataArray) or np.ndim(arr) > 1:
            raise _override_error(arch, name, "sweep takes a 1-d list of values per parameter")
    memory.check_sweep(arch, axes, evaluate, len(output_specs()))  # refuse up front, with an estimate, a grid that cannot fit in memory
    return evaluate(arch, variables=variables, **axes)


def compare(archs: Sequence[str | Path | Architecture], **overrides: Any) -> xr.Dataset:
    """Evaluate several architectures and stack them along a new ``architecture`` dimension.

    Variables a stage does not produce for an architecture (e.g. orbit outputs for the
    terrestrial baseline) are NaN there. Overrides apply to every architecture that has the
    parameter.
    """
    if isinstance(archs, (str, Path, Architecture)) or not isinstance(archs, Iterable):
        raise OrbitdcError(f"compare takes a list of architectures (names, paths or Architecture objects), got {type(archs).__name__}")
    loaded = [load_architecture(a) for a in archs]
    if not loaded:
        raise OrbitdcError("compare needs at least one architecture")
    names = [a.name for a in loaded]
    if len(set(names)) != len(names):
        raise OrbitdcError(f"architecture names repeat: {', '.join(names)}")
    results = []
    for a in loaded:
        own = {k: v for k, v in overrides.items() if k in a.parameters}
        results.append(evaluate(a, **own))
    out = xr.concat(results, dim="architecture", data_vars="all", coords="minimal",
                    compat="equals", join="outer", combine_attrs="drop_conflicts")
    out = out.assign_coords(architecture=("architecture", names))
    out.attrs["architectures"] = ", ".join(names)
    out.attrs["sources"] = ", ".join(sorted({k for a in loaded for k in a.references}))
    for r, name in zip(results, names):
        for var in r.data_vars:
            out[var].attrs = {**r[var].attrs, **out[var].attrs}
    return out


# --------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------
def to_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to NetCDF atomically (a temporary file in the same folder, then a rename),
    creating the folder if needed.

    Written as ``orbitdc evaluate -o x.nc`` writes (:func:`orbitdc.outputs.netcdf_ready` and
    :func:`orbitdc.outputs.atomic_write`): a new file gets the mode the umask gives (0644 with the
    usual 022), booleans (``feasible``) read back as ``bool`` with ``xr.open_dataset``, text as
    fixed strings, list attributes joined.
    """
    return outputs.write_netcdf(ds, path)
