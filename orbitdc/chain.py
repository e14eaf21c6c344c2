"""The model chain: inputs Dataset -> stage -> stage -> ... -> results Dataset.

After pvlib's ``ModelChain``, but as data flow: :func:`evaluate` turns an architecture (plus
overrides) into one ``xarray.Dataset`` of inputs in canonical units, then passes it through the
stages in a fixed order. Each stage is a plain function ``run(ds) -> mapping of new variables``;
it reads named variables and adds named variables (declared in its :class:`Stage` with units and
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

from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Callable, Iterable, Sequence

import astropy.units as u
import numpy as np
import xarray as xr

from . import memory, outputs, units
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
            trusted: Mapping[str, xr.DataArray] | None = None) -> Prepared:
    """Validate overrides and map every input to a numpy array on shared named axes, once.

    ``trusted`` are arrays put in place without checks (Monte Carlo draws, already inside the
    validated ranges), each a DataArray whose attrs become the variable's.
    """
    overrides = dict(overrides or {})
    trusted = dict(trusted or {})
    specs = parameter_specs()
    unknown = [k for k in overrides if k not in arch.parameters]
    if unknown:
        raise _override_error(arch, unknown[0], f"unknown parameter; valid names: {', '.join(sorted(arch.parameters))}")
    arrays: dict[str, xr.DataArray] = {}
    attrs: dict[str, dict] = {}
    dims: list[str] = []
    sizes: dict[str, int] = {}
    coords: dict[str, xr.Variable] = {}
    scalars: dict[str, Any] = {}
    from_catalog: list[str] = []
    for name, p in arch.parameters.items():
        spec = specs[name]
        a = {"long_name": spec.long_name or name, "source": ", ".join(p.sources)}
        if spec.kind == "number":
            a["units"] = units.unit_string(spec.unit)
        if name in trusted:
            da = trusted[name]
            a = dict(da.attrs) or a
        elif name in overrides:
            da = _override_array(arch, name, overrides[name], spec)
            a["source"] = "override"
        elif spec.catalog is not None and p.catalog_entry is not None and (
                spec.catalog[2] in overrides or spec.catalog[2] in trusted):
            # a catalog default whose choice is overridden (or swept): looked up below, per choice
            a["source"] = f"data/catalogs/{spec.catalog[0]}.csv: {spec.catalog[1]} of the chosen {spec.catalog[2]}"
            attrs[name] = a
            from_catalog.append(name)
            continue
        else:
            scalars[name] = p.canonical_value
            attrs[name] = a
            continue
        attrs[name] = a
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
    # dimensions in the order the caller gave them (sweep(altitude=..., price=...) -> altitude first)
    given = [n for n in list(overrides) + list(trusted) if n in arrays]
    ordered: list[str] = []
    for name in given:
        for d in arrays[name].dims:
            if d not in ordered:
                ordered.append(d)
    dims = ordered + [d for d in dims if d not in ordered]
    frame = Frame(dims, sizes, _dataset_attrs(arch))
    input_dims: dict[str, tuple[str, ...]] = {}
    nd = len(dims)
    for name in arch.parameters:
        if name in arrays:
            var = arrays[name].variable
            frame._vars[name] = _expand(var, dims)
            input_dims[name] = tuple(d for d in dims if d in var.dims)
        elif name in from_catalog:
            continue
        else:
            v = scalars[name]
            kind = specs[name].kind
            arr = np.array(v, dtype=float) if kind == "number" else (np.array(v, dtype=bool) if kind == "flag" else np.array(str(v)))
            frame._vars[name] = arr.reshape((1,) * nd)
            input_dims[name] = ()
    # catalog defaults follow their (overridden or swept) choice: one lookup per distinct name
    for name in from_catalog:
        catalog, field_name, choice = specs[name].catalog
        key = frame[choice]
        value = np.asarray(catalog_lookup(catalog, field_name, key, specs[name].unit), dtype=float)
        frame._vars[name] = value.reshape(key.shape) if value.size == key.size else np.broadcast_to(value, key.shape)
        input_dims[name] = input_dims[choice]
    return Prepared(arch, frame, attrs, input_dims, coords, list(arch.parameters))


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
              attrs: dict[str, dict] | None = None, order: list[str] | None = None) -> tuple[list[str], dict[str, dict], dict]:
    """Pass a frame through the stages for ``kind``, in order, then add feasibility.

    Updates ``frame`` in place; returns (variable order, attrs per variable, extra leading
    dimensions per variable) for :func:`dataset_from_frame`.
    """
    catalogs.new_run()  # catalog files are checked once per run, not at every lookup
    only = set(only) if only is not None else None
    attrs = dict(attrs or {})
    order = list(order or frame)
    seen = set(order)
    lead: dict[str, tuple] = {}
    violations: list[str] = []
    for st in stages():
        if kind not in st.kinds or (only is not None and st.name not in only):
            continue
        new = st.kernel(frame)
        missing = [k for k in st.outputs if k not in new]
        if missing:
            raise RuntimeError(f"stage '{st.name}' did not produce {', '.join(missing)}")
        extra = new.get("__attrs__", {})
        for key, val in new.items():
            if key == "__attrs__":
                continue
            spec = st.outputs.get(key)
            nlead = len(spec.dims) if spec is not None else 0
            arr = frame.put(key, val, nlead)
            if key.startswith("violates_"):
                frame._vars[key] = arr.astype(bool, copy=False)
                violations.append(key)
            attrs[key] = _output_attrs(key, spec, attrs.get(key, {}), extra.get(key))
            if nlead:
                lead[key] = (spec.dims, spec.labels)
            if key not in seen:
                order.append(key)
                seen.add(key)
    # Index of the first violated constraint (integers: cheap on 1e7 points), then one lookup
    # into the names; len(violations) means none.
    nd = len(frame.dims)
    first = np.full((1,) * nd, len(violations), dtype=np.int64)
    for i in reversed(range(len(violations))):
        first = np.where(frame[violations[i]], i, first)
    names = np.array([k.removeprefix("violates_") for k in violations] + ["none"])
    specs = output_specs()
    frame._vars["feasible"] = first == len(violations)
    frame._vars["binding_constraint"] = names[first]
    for key in ("feasible", "binding_constraint"):
        attrs[key] = {"long_name": specs[key].long_name}
        if key not in seen:
            order.append(key)
    return order, attrs, lead


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
             **overrides: Any) -> xr.Dataset:
    """Run the whole chain for one architecture.

    Parameters
    ----------
    arch : name, path or :class:`~orbitdc.parameters.Architecture`
    stages_only : optional names of the stages to run (default: all that apply)
    scenario : optional scenario layered over the architecture (``data/scenarios/``)
    **overrides : parameter values by name: an astropy Quantity, a number in the parameter's
        canonical unit, a string such as ``"650 km"``, a 1-d list/array (a new dimension named
        after the parameter) or a DataArray (its own dimensions).

    Returns
    -------
    xarray.Dataset with every input and output variable (``units`` and ``long_name`` in attrs).
    The inputs are mapped to numpy arrays once (:func:`prepare`), the stages run on plain arrays
    (:func:`run_frame`) and the Dataset is assembled once (:func:`dataset_from_frame`).
    """
    arch = load_architecture(arch, scenario=scenario)
    prep = prepare(arch, overrides)
    return _finish(prep, stages_only)


def _finish(prep: Prepared, stages_only: Iterable[str] | None = None) -> xr.Dataset:
    input_attrs = dict(prep.attrs)
    order, attrs, lead = run_frame(prep.frame, prep.arch.kind, stages_only, prep.attrs, prep.order)
    return dataset_from_frame(prep.frame, order, attrs, prep.coords, prep.frame.attrs,
                              _unchanged_inputs(prep.input_dims, attrs, input_attrs), lead)


def sweep(arch: str | Path | Architecture, **axes: Any) -> xr.Dataset:
    """Evaluate on the full grid of the given parameter values: one dimension per parameter.

    ``sweep(arch, altitude=[500, 650, 800], launch_price_per_kg=[100, 500, 2000])`` gives a
    3x3 result by broadcasting (no loop over design points). Scalars are plain overrides.
    """
    arch = load_architecture(arch)
    for name, values in axes.items():
        arr = values.value if isinstance(values, u.Quantity) else values
        if isinstance(values, xr.DataArray) or np.ndim(arr) > 1:
            raise _override_error(arch, name, "sweep takes a 1-d list of values per parameter")
    memory.check_sweep(arch, axes, evaluate, len(output_specs()))  # refuse up front, with an estimate, a grid that cannot fit in memory
    return evaluate(arch, **axes)


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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ready = outputs.netcdf_ready(ds)
    return outputs.atomic_write(path, lambda tmp: ready.to_netcdf(tmp))
