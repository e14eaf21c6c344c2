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
from . import parameters as _parameters
from .parameters import Architecture, ParameterSpec, catalog_lookup, check_override, load_architecture


@dataclass(frozen=True)
class Output:
    """An output variable's canonical unit and long name.

    ``dims`` names extra leading dimensions the stage adds (e.g. ``("subsystem",)``) and
    ``labels`` their coordinate values; the kernel returns such a variable with those axes first.
    """

    unit: str
    long_name: str
    dims: tuple[str, ...] = ()
    labels: tuple[tuple[str, ...], ...] = ()


class Frame(Mapping):
    """The chain's working set: plain numpy arrays on shared, named axes.

    Every array has one axis per name in ``dims`` (length 1 where it does not vary), so the
    stages' numpy arithmetic broadcasts exactly as xarray would, without any alignment or
    merging per operation (poliastro's unit-free core under a units-aware API). ``attrs`` holds
    the architecture attributes (``architecture_kind`` among them). Stages read ``frame[name]``
    and return a mapping of new names to arrays; the chain stores them with :meth:`put`.
    """

    __slots__ = ("dims", "sizes", "attrs", "_vars")

    def __init__(self, dims: Sequence[str] = (), sizes: Mapping[str, int] | None = None,
                 attrs: Mapping[str, Any] | None = None, variables: Mapping[str, np.ndarray] | None = None):
        self.dims = tuple(dims)
        self.sizes = dict(sizes or {})
        self.attrs = dict(attrs or {})
        self._vars: dict[str, np.ndarray] = dict(variables or {})

    # Mapping protocol -----------------------------------------------------------------------
    def __getitem__(self, name: str) -> np.ndarray:
        return self._vars[name]

    def __contains__(self, name: object) -> bool:
        return name in self._vars

    def __iter__(self):
        return iter(self._vars)

    def __len__(self) -> int:
        return len(self._vars)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.sizes[d] for d in self.dims)

    def put(self, name: str, value: Any, lead: int = 0) -> np.ndarray:
        """Store ``value`` with one axis per frame dimension (after ``lead`` extra leading axes)."""
        arr = np.asarray(value)
        want = len(self.dims) + lead
        if arr.ndim < want:
            arr = arr.reshape((1,) * (want - arr.ndim) + arr.shape) if lead == 0 else \
                arr.reshape(arr.shape[:lead] + (1,) * (want - arr.ndim) + arr.shape[lead:])
        elif arr.ndim > want:
            raise RuntimeError(f"'{name}' has {arr.ndim} axes, the frame {want}")
        self._vars[name] = arr
        return arr

    def copy(self) -> "Frame":
        return Frame(self.dims, self.sizes, self.attrs, self._vars)

    @classmethod
    def from_dataset(cls, ds: xr.Dataset) -> "Frame":
        """A frame of ``ds``'s data variables (each transposed to the Dataset's dimension order)."""
        dims = tuple(ds.dims)
        f = cls(dims, {d: int(ds.sizes[d]) for d in dims}, ds.attrs)
        # a swept input is its own dimension coordinate (xarray stores a variable named like
        # its dimension as the coordinate), so coordinates are inputs too
        for name, c in ds.coords.items():
            f._vars[name] = _expand(c.variable, dims)
        for name, var in ds.data_vars.items():
            f._vars[name] = _expand(var.variable, dims)
        return f


def _expand(var: xr.Variable, dims: Sequence[str]) -> np.ndarray:
    """``var``'s values with one axis per name in ``dims`` (length 1 where ``var`` lacks it)."""
    own = [d for d in dims if d in var.dims]
    extra = [d for d in var.dims if d not in dims]
    data = var.transpose(*extra, *own).values if tuple(var.dims) != tuple(extra + own) else var.values
    lead = data.shape[:len(extra)]
    return data.reshape(lead + tuple(var.sizes[d] if d in var.dims else 1 for d in dims))


def _variable(arr: np.ndarray, frame_dims: Sequence[str], sizes: Mapping[str, int], attrs: dict,
              lead_dims: Sequence[str] = (), depends: Sequence[str] | None = None) -> xr.Variable:
    """An ``xr.Variable`` from a frame array: a length-1 axis is dropped (the variable does not
    vary along it), unless ``depends`` (the known dimensions of an input) names it. So an output
    carries a dimension only where it varies along it; along a dimension of length 1 nobody can
    tell, and outputs do not carry it (the input and its coordinate do)."""
    nl = len(lead_dims)
    keep, shape = list(lead_dims), list(arr.shape[:nl])
    for i, d in enumerate(frame_dims):
        n = arr.shape[nl + i]
        if depends is not None:
            if d in depends:
                keep.append(d)
                shape.append(n)
        elif n != 1:
            keep.append(d)
            shape.append(n)
    # fastpath: the data is already a plain ndarray (xarray's coercion costs ~10 us a variable)
    return xr.Variable(tuple(keep), np.asarray(arr).reshape(shape), attrs, fastpath=True)


def dataset_from_frame(frame: Frame, names: Sequence[str], attrs: Mapping[str, dict], coords: Mapping[str, xr.Variable],
                       ds_attrs: Mapping[str, Any], input_dims: Mapping[str, Sequence[str]] | None = None,
                       lead: Mapping[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] | None = None) -> xr.Dataset:
    """Assemble the result Dataset once, at the edge: one Variable per name, coordinates, attrs.

    ``input_dims`` gives the exact dimensions of the inputs (so an unswept input stays 0-d even
    when a swept dimension has length 1); ``lead`` the extra leading dimensions and their labels.
    """
    input_dims = input_dims or {}
    lead = lead or {}
    variables: dict[str, xr.Variable] = {}
    sizes = dict(frame.sizes)
    for name in names:
        lead_dims, labels = lead.get(name, ((), ()))
        variables[name] = _variable(frame[name], frame.dims, frame.sizes, dict(attrs.get(name, {})), lead_dims,
                                    input_dims.get(name))
        for d, lab in zip(lead_dims, labels):
            sizes[d] = len(lab)
            if d not in coords:
                coords = {**coords, d: xr.Variable((d,), np.asarray(lab))}
    return _construct(variables, coords, sizes, dict(ds_attrs), frame.dims)


def _construct(variables: dict[str, xr.Variable], coords: Mapping[str, xr.Variable], sizes: Mapping[str, int],
               attrs: dict, order: Sequence[str] = ()) -> xr.Dataset:
    """``xr.Dataset(variables, coords)`` without the per-variable merge and alignment.

    xarray's constructor aligns and merges every variable (~25 us each: 4 ms for the chain's 160
    variables, most of a design point's time). All variables here already share one set of
    dimensions, so the Dataset is built directly; the public constructor is the fallback if a
    future xarray drops the private entry point (a test checks both give the same Dataset).
    """
    dims = {d: sizes[d] for d in order if d in sizes}  # the frame's order first (the caller's)
    for v in list(variables.values()) + list(coords.values()):
        for d, n in zip(v.dims, v.shape):
            dims[d] = n
    try:
        from xarray.core.indexes import PandasIndex

        indexes, allvars = {}, dict(variables)
        for name, c in coords.items():
            if c.dims == (name,):
                idx = PandasIndex.from_variables({name: c}, options={})
                indexes[name] = idx
                allvars[name] = idx.create_variables({name: c})[name]
            else:
                allvars[name] = c
        return xr.Dataset._construct_direct(allvars, set(coords), dims, attrs, indexes=indexes)
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - depends on the xarray version
        return _construct_public(variables, coords, attrs)


def _construct_public(variables, coords, attrs) -> xr.Dataset:
    ds = xr.Dataset(variables, coords=dict(coords))
    ds.attrs.update(attrs)
    return ds


@dataclass(frozen=True)
class Stage:
    """One model stage: what it reads (parameters), what it adds (outputs), and its kernel.

    ``kinds`` lists the architecture kinds the stage applies to (``"space"``, ``"terrestrial"``).
    ``kernel(frame)`` receives the :class:`Frame` so far (numpy arrays in canonical units, one
    axis per dimension) and returns a mapping of new variable names to arrays; it must return
    every name in ``outputs`` and may return extra helper variables and ``violates_*`` flags
    (declare them in ``outputs`` too), and under the key ``"__attrs__"`` extra attributes per
    variable. :meth:`run` applies the kernel to an ``xarray.Dataset`` (for tests and users).
    """

    name: str
    kernel: Callable[[Frame], Mapping[str, Any]]
    parameters: Mapping[str, ParameterSpec] = field(default_factory=dict)
    outputs: Mapping[str, Output] = field(default_factory=dict)
    kinds: frozenset[str] = frozenset({"space"})

    def run(self, ds: xr.Dataset) -> dict[str, xr.DataArray]:
        """The kernel on a Dataset: its outputs as DataArrays on ``ds``'s dimensions."""
        return apply_stage(self, ds)


def apply_stage(stage: Stage, ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """Run one stage's kernel on an ``xarray.Dataset``; outputs as DataArrays with units."""
    frame = Frame.from_dataset(ds)
    new = stage.kernel(frame)
    extra = new.get("__attrs__", {}) if isinstance(new, Mapping) else {}
    coords = {k: c.variable for k, c in ds.coords.items() if set(c.dims) <= set(frame.dims)}
    out = {}
    for key, val in new.items():
        if key == "__attrs__":
            continue
        spec = stage.outputs.get(key)
        lead = len(spec.dims) if spec is not None else 0
        arr = frame.put(key, val, lead)
        attrs = _output_attrs(key, spec, ds[key].attrs if key in ds else {}, extra.get(key))
        var = _variable(arr, frame.dims, frame.sizes, attrs, spec.dims if spec is not None else ())
        var_coords = {k: c for k, c in coords.items() if set(c.dims) <= set(var.dims)}
        if spec is not None:
            for d, lab in zip(spec.dims, spec.labels):
                var_coords[d] = xr.Variable((d,), np.asarray(lab))
        out[key] = xr.DataArray(var, coords=var_coords, name=key)
    return out


def _output_attrs(key: str, spec: "Output | None", old: Mapping[str, Any], extra: Mapping[str, Any] | None) -> dict:
    if spec is None:
        attrs = dict(old)
    elif key.startswith("violates_"):
        attrs = {"long_name": spec.long_name}
    else:
        attrs = {"units": units.unit_string(spec.unit), "long_name": spec.long_name}
    if extra:
        attrs.update(extra)
    return attrs


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
    "orbitdc.links",
    "orbitdc.commons",
    "orbitdc.mass",
    "orbitdc.launch",
    "orbitdc.economics",
    "orbitdc.workloads",
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


# The parameters module validates architecture files against these specs without importing this
# module (which imports it): hand it the collector instead.
_parameters.use_parameter_specs(parameter_specs)


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
    _parameters.CHAIN_RUN[0] += 1  # catalog files are checked once per run (parameters._stamp_this_run)
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
