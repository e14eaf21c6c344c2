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

The order is visible here, in :data:`STAGE_MODULES`: a stage whose module does not exist yet is
absent, not faked.
"""
from __future__ import annotations

import importlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import astropy.units as u
import numpy as np
import xarray as xr

from . import memory, units
from .errors import ArchitectureError, OrbitdcError, ParameterError
from .parameters import Architecture, ParameterSpec, load_architecture


@dataclass(frozen=True)
class Output:
    """An output variable's canonical unit and long name."""

    unit: str
    long_name: str


@dataclass(frozen=True)
class Stage:
    """One model stage: what it reads (parameters), what it adds (outputs), and the function.

    ``kinds`` lists the architecture kinds the stage applies to (``"space"``, ``"terrestrial"``).
    ``run(ds)`` receives the Dataset so far (plain floats in canonical units) and returns a mapping
    of new variable names to DataArrays/arrays; it must return every name in ``outputs`` and may
    return extra helper variables and ``violates_*`` flags (declare them in ``outputs`` too).
    """

    name: str
    run: Callable[[xr.Dataset], Mapping[str, Any]]
    parameters: Mapping[str, ParameterSpec] = field(default_factory=dict)
    outputs: Mapping[str, Output] = field(default_factory=dict)
    kinds: frozenset[str] = frozenset({"space"})


# System-level parameters shared by every stage and every architecture (the comparison basis).
SYSTEM_PARAMETERS: dict[str, ParameterSpec] = {
    "target_it_power": ParameterSpec("kW", "target IT power of the whole system", minimum=0, exclusive_minimum=True),
    "start_year": ParameterSpec("1", "calendar year the system starts deployment", minimum=2020, maximum=2100),
    "mission_lifetime": ParameterSpec("yr", "design life of a satellite or facility", minimum=0, exclusive_minimum=True, maximum=50),
    "stated_it_power": ParameterSpec("kW", "IT power at the scale the company itself states (second view; evaluate with target_it_power=stated_it_power)", minimum=0, exclusive_minimum=True),
}

#: The chain, in order. Each module defines ``STAGE`` (a :class:`Stage`).
STAGE_MODULES: tuple[str, ...] = (
    "orbitdc.orbit",
    "orbitdc.compute",
    "orbitdc.power",
    "orbitdc.thermal",
    "orbitdc.mass",
    "orbitdc.launch",
    "orbitdc.economics",
)


def stages() -> list[Stage]:
    """The stages that exist, in chain order."""
    out = []
    for modname in STAGE_MODULES:
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as exc:
            if exc.name == modname:  # the stage is not written yet: absent, not faked
                continue
            raise
        out.append(mod.STAGE)
    return out


def parameter_specs(kind: str | None = None) -> dict[str, ParameterSpec]:
    """Every parameter any stage accepts, by name (one spec per name); with ``kind``, only the
    system parameters and those of the stages that apply to that kind of architecture."""
    specs = dict(SYSTEM_PARAMETERS)
    for st in stages():
        if kind is not None and kind not in st.kinds:
            continue
        for name, spec in st.parameters.items():
            if name in specs and specs[name] != spec:
                raise RuntimeError(f"parameter '{name}' is declared differently by two stages ({st.name})")
            specs[name] = spec
    return specs


def output_specs() -> dict[str, Output]:
    out = {
        "feasible": Output("1", "design closes with no violated constraint"),
        "binding_constraint": Output("1", "first violated constraint in chain order, or 'none'"),
    }
    for st in stages():
        out.update(st.outputs)
    return out


def describe() -> list[dict[str, Any]]:
    """The chain as a list: stage name, the kinds it applies to, its parameters and outputs."""
    return [
        {"stage": st.name, "kinds": sorted(st.kinds), "parameters": sorted(st.parameters), "outputs": list(st.outputs)}
        for st in stages()
    ]


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
def _override_error(arch: Architecture, name: str, reason: str) -> ArchitectureError:
    return ArchitectureError(reason, file=f"override for '{arch.name}'", parameter=name)


def _override_array(arch: Architecture, name: str, value: Any, spec: ParameterSpec) -> xr.DataArray:
    """Convert one override to a DataArray in the canonical unit (a 1-d list gets dim ``name``)."""
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
        if isinstance(value, xr.DataArray):
            da = units.strip(value, spec.unit, name)
        else:
            if isinstance(value, str):
                value = units.quantity_from_string(value, name)
            if isinstance(value, u.Quantity) and value.unit == u.dimensionless_unscaled and spec.unit not in ("1", ""):
                value = value.value  # a bare number typed as text: canonical unit
            data = units.strip(value, spec.unit, name)
            arr = np.asarray(data, dtype=float)
            if arr.ndim == 0:
                da = xr.DataArray(arr)
            elif arr.ndim == 1:
                da = xr.DataArray(arr, dims=(name,), coords={name: (name, arr, {"units": units.unit_string(spec.unit)})})
            else:
                raise _override_error(arch, name, f"expected a number or a 1-d list, got an array of shape {arr.shape}")
        spec.check_array(name, da.values)
    except ParameterError as exc:
        raise _override_error(arch, name, exc.reason) from None
    return da


def build_inputs(arch: Architecture, overrides: Mapping[str, Any] | None = None) -> xr.Dataset:
    """The input Dataset: one variable per parameter, in canonical units, overrides applied."""
    overrides = dict(overrides or {})
    specs = parameter_specs()
    unknown = [k for k in overrides if k not in arch.parameters]
    if unknown:
        raise _override_error(arch, unknown[0], f"unknown parameter; valid names: {', '.join(sorted(arch.parameters))}")
    data_vars = {}
    for name, p in arch.parameters.items():
        spec = specs[name]
        attrs = {"long_name": spec.long_name or name, "source": ", ".join(p.sources)}
        if spec.kind == "number":
            attrs["units"] = units.unit_string(spec.unit)
        if name in overrides:
            da = _override_array(arch, name, overrides[name], spec)
            attrs["source"] = "override"
        elif spec.kind == "number":
            da = xr.DataArray(np.float64(p.canonical_value))
        elif spec.kind == "flag":
            da = xr.DataArray(np.bool_(p.canonical_value))
        else:
            da = xr.DataArray(np.str_(p.canonical_value))
        da.attrs = attrs
        data_vars[name] = da
    try:
        ds = xr.Dataset(data_vars)
    except ValueError as exc:
        raise OrbitdcError(f"overrides do not broadcast together: {exc}") from None
    ds.attrs.update(_dataset_attrs(arch))
    return ds


def _dataset_attrs(arch: Architecture) -> dict[str, str]:
    from . import __version__

    return {
        "architecture": arch.name,
        "architecture_kind": arch.kind,
        "orbitdc_version": __version__,
        "sources": ", ".join(sorted(arch.references)),
    }


# --------------------------------------------------------------------------------------------
# Running the chain
# --------------------------------------------------------------------------------------------
def run_stages(ds: xr.Dataset, kind: str = "space", only: Iterable[str] | None = None) -> xr.Dataset:
    """Pass an input Dataset through the stages for ``kind``, in order; add feasibility."""
    only = set(only) if only is not None else None
    violations: list[str] = []
    coord_attrs = {k: dict(v.attrs) for k, v in ds.coords.items()}
    for st in stages():
        if kind not in st.kinds or (only is not None and st.name not in only):
            continue
        new = st.run(ds)
        missing = [k for k in st.outputs if k not in new]
        if missing:
            raise RuntimeError(f"stage '{st.name}' did not produce {', '.join(missing)}")
        assigned = {}
        for key, val in new.items():
            da = val if isinstance(val, xr.DataArray) else xr.DataArray(val)
            out = st.outputs.get(key)
            if out is not None:
                extra = {k: v for k, v in da.attrs.items() if k not in ("units", "long_name")}
                if key.startswith("violates_"):
                    da = da.assign_attrs(long_name=out.long_name)
                else:
                    da = units.wrap(da, out.unit, out.long_name).assign_attrs(extra)
            assigned[key] = da
            if key.startswith("violates_"):
                violations.append(key)
        ds = _restore_coord_attrs(ds.assign(assigned), coord_attrs)
    # Index of the first violated constraint (integers: cheap on 1e7 points), then one lookup
    # into the names; len(violations) means none.
    first = xr.DataArray(len(violations))
    for i in reversed(range(len(violations))):
        first = xr.where(ds[violations[i]].astype(bool), i, first)
    names = np.array([k.removeprefix("violates_") for k in violations] + ["none"])
    feasible = first == len(violations)
    binding = first.copy(data=names[np.asarray(first.values)])
    ds["feasible"] = feasible.assign_attrs(long_name=output_specs()["feasible"].long_name)
    ds["binding_constraint"] = binding.astype(str).assign_attrs(long_name=output_specs()["binding_constraint"].long_name)
    return _restore_coord_attrs(ds, coord_attrs)


def _restore_coord_attrs(ds: xr.Dataset, coord_attrs: Mapping[str, dict]) -> xr.Dataset:
    """Stage arithmetic (xr.where, apply_ufunc) may carry coordinates without their attrs, and
    assigning such a result would strip the sweep coordinates' units: put the inputs' back."""
    for cname, cattrs in coord_attrs.items():
        if cname in ds.coords and not ds.coords[cname].attrs:
            ds.coords[cname].attrs.update(cattrs)
    return ds


def evaluate(arch: str | Path | Architecture, *, stages_only: Iterable[str] | None = None, **overrides: Any) -> xr.Dataset:
    """Run the whole chain for one architecture.

    Parameters
    ----------
    arch : name, path or :class:`~orbitdc.parameters.Architecture`
    stages_only : optional names of the stages to run (default: all that apply)
    **overrides : parameter values by name: an astropy Quantity, a number in the parameter's
        canonical unit, a string such as ``"650 km"``, a 1-d list/array (a new dimension named
        after the parameter) or a DataArray (its own dimensions).

    Returns
    -------
    xarray.Dataset with every input and output variable (``units`` and ``long_name`` in attrs).
    """
    arch = load_architecture(arch)
    ds = build_inputs(arch, overrides)
    return run_stages(ds, arch.kind, stages_only)


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
    memory.check_sweep(arch, axes)  # refuse up front, with an estimate, a grid that cannot fit in memory
    return evaluate(arch, **axes)


def compare(archs: Sequence[str | Path | Architecture], **overrides: Any) -> xr.Dataset:
    """Evaluate several architectures and stack them along a new ``architecture`` dimension.

    Variables a stage does not produce for an architecture (e.g. orbit outputs for the
    terrestrial baseline) are NaN there. Overrides apply to every architecture that has the
    parameter.
    """
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
    """Write ``ds`` to NetCDF atomically (temp file in the same folder, then rename).

    Booleans are stored as int8 with ``flag_values`` (NetCDF has no bool type).
    """
    path = Path(path)
    out = ds.copy()
    for name, var in list(out.variables.items()):
        if var.dtype == bool:
            out[name] = var.astype("i1")
            out[name].attrs.update(var.attrs, flag_values="0 1", flag_meanings="false true")
        elif var.dtype.kind in ("U", "O"):
            out[name] = var.astype(str)
    for name, var in out.variables.items():
        var.attrs = {k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in var.attrs.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        out.to_netcdf(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
