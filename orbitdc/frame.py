"""The vocabulary every model stage speaks: :class:`Frame`, :class:`Stage`, :class:`Output`.

A stage is a plain function ``kernel(frame) -> mapping of new variables`` wrapped in a
:class:`Stage` that declares what it reads (its parameters, each a
:class:`~orbitdc.parameters.ParameterSpec`) and what it adds (its outputs, each an
:class:`Output` with a canonical unit and a long name). The chain (:mod:`orbitdc.chain`) passes a
:class:`Frame` of plain numpy arrays through the stages listed in :mod:`orbitdc.stages` and builds
the result Dataset once, at the edge (:func:`dataset_from_frame`).

This module sits below every stage: it imports only ``parameters`` (the schema), ``units`` and
third-party libraries, so a stage module can import it without importing the chain.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import xarray as xr

from . import units
from .parameters import ParameterSpec

__all__ = ["Frame", "Output", "Stage", "apply_stage", "dataset_from_frame"]


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
