"""Catalogs: long CSV tables of sourced numbers, one row per number, and the values they back.

``data/catalogs/NAME.csv`` has the columns ``entry,field,value,unit,low,high,source,note``;
:func:`load_catalog` returns a catalog as an ``xarray.Dataset`` along the entry dimension,
:func:`catalog_rows` its validated rows, :func:`catalog_value` / :func:`catalog_lookup` one field
of chosen entries (xarray / numpy, vectorised over swept choices). A catalog-backed parameter
(``ParameterSpec(catalog=(catalog, field, choice))``) takes the field of the entry its choice
parameter names unless a file or an override says otherwise (:func:`catalog_parameter`,
:func:`catalog_parameter_value`).

User catalogs are layered over the shipped ones with the same validation: ``catalogs/NAME.csv``
of a user data folder (:mod:`orbitdc.datadirs`), and the ``catalogs/`` folder next to a user
architecture file, registered with :func:`register_catalog_dir`. The registered folders are this
module's one piece of mutable state (``_CatalogLayers``, changed only by
:func:`register_catalog_dir` / :func:`unregister_catalog_dir`); the caches are keyed on the files'
content stamps and on that state's generation, so a changed file or a new folder is never served
stale. Kernels look up catalog values inside a run: :func:`new_run` (called by the chain when a
run starts) lets the files be checked once per run and catalog instead of at every lookup.

This module sits below the model stages (which read their catalogs through it) and above
:mod:`orbitdc.parameters` (the schema).
"""
from __future__ import annotations

import contextlib

import csv
import difflib
import functools
import math
from pathlib import Path
from typing import Any, Callable, Mapping

import astropy.units as u
import numpy as np
import xarray as xr

from . import units
from .datadirs import DataLayer, layered_files
from .errors import ArchitectureError, ParameterError
from .parameters import (DATA_DIR, MAX_FILE_BYTES, Parameter, ParameterSpec, Reference, _rel, _stamp,
                         _validate_parameter, load_references, suggest)

CATALOG_DIR = DATA_DIR / "catalogs"
CATALOG_COLUMNS = ("entry", "field", "value", "unit", "low", "high", "source", "note")


class _CatalogLayers:
    """The user catalog folders layered over the shipped catalogs, and what caches key on.

    ``dirs``: the folders registered by :func:`register_catalog_dir` (in order); ``generation``
    changes whenever they change (every catalog cache keys on it). ``run`` counts model runs
    (:func:`new_run`): within one run a catalog's files are stamped once (``run_stamp``), since a
    stamp costs ~0.2 ms and one design point looks catalogs up a few dozen times.
    """

    def __init__(self) -> None:
        self.dirs: list[Path] = []
        self.generation = 0
        self.run = 0
        self.in_run = 0  # > 0 while a model run is going on (:func:`model_run`)
        self._run_stamps: dict[str, tuple[int, int, str]] = {}

    def changed(self) -> None:
        self.generation += 1
        self._run_stamps.clear()

    def run_stamp(self, name: str) -> str:
        hit = self._run_stamps.get(name)
        if hit is not None and hit[0] == self.run and hit[1] == self.generation:
            return hit[2]
        stamp = catalog_stamp(name)
        self._run_stamps[name] = (self.run, self.generation, stamp)
        return stamp


_LAYERS = _CatalogLayers()


def new_run() -> None:
    """A model run starts: catalog files are checked again at their next lookup (once per run)."""
    _LAYERS.run += 1


@contextlib.contextmanager
def model_run():
    """A model run (the chain's stages): catalog files are checked once, at their first use in
    the run, by :func:`catalog_lookup` and :func:`load_catalog` alike (outside a run
    :func:`load_catalog` checks them at every call). Nested runs are one run (a trajectory's
    passes through the stages)."""
    if not _LAYERS.in_run:
        new_run()
    _LAYERS.in_run += 1
    try:
        yield
    finally:
        _LAYERS.in_run -= 1


def user_catalog_dirs() -> tuple[Path, ...]:
    """The user catalog folders registered with :func:`register_catalog_dir`, in order."""
    return tuple(_LAYERS.dirs)


def catalog_generation() -> int:
    """A counter that changes whenever a user catalog folder is registered (cache key for callers)."""
    return _LAYERS.generation


def catalog_files(name: str) -> list[tuple[Path, DataLayer]]:
    """The files of catalog ``name``: the shipped ``data/catalogs/NAME.csv`` and the user
    folders' ``catalogs/NAME.csv`` (whose entries are added to the shipped ones)."""
    return layered_files("catalogs", f"{name}.csv")


def catalog_stamp(name: str) -> str:
    """A key that changes when any file of catalog ``name`` changes (for caches)."""
    return _stamp(p for p, _ in catalog_files(name))


def load_catalog(name: str, dim: str = "entry") -> xr.Dataset:
    """Load ``data/catalogs/NAME.csv`` as a Dataset along ``dim`` (one variable per field).

    Numeric fields become float variables in the unit written in the file (``attrs['units']``),
    with ``<field>_low``/``<field>_high`` kept in ``attrs``-free companion variables only when a
    caller needs them (see :func:`catalog_rows`); text fields become string variables. Each
    variable's ``attrs['sources']`` lists the source keys of its cells. Every row is validated:
    known columns, a finite value for numeric rows, low <= value <= high, a source key that
    resolves, one unit per field.
    """
    stamp = _LAYERS.run_stamp(name) if _LAYERS.in_run else catalog_stamp(name)
    return _load_catalog(name, dim, stamp, _LAYERS.generation)


@functools.lru_cache(maxsize=64)
def _load_catalog(name: str, dim: str, stamp: str, generation: int) -> xr.Dataset:
    rows = catalog_rows(name)
    entries = list(dict.fromkeys(r["entry"] for r in rows))
    fields: dict[str, dict[str, Any]] = {}
    for r in rows:
        f = fields.setdefault(r["field"], {"unit": r["unit"], "values": {}, "sources": set(), "numeric": r["numeric"]})
        if f["unit"] != r["unit"] or f["numeric"] != r["numeric"]:
            raise ArchitectureError(f"field '{r['field']}' is written with two units or kinds", file=r["file"], parameter=r["field"])
        f["values"][r["entry"]] = r["value"]
        f["sources"].update(r["source"])
    data_vars = {}
    for fname, f in fields.items():
        if f["numeric"]:
            vals = np.array([f["values"].get(e, np.nan) for e in entries], dtype=float)
        else:
            vals = np.array([str(f["values"].get(e, "")) for e in entries], dtype=object)
        attrs = {"sources": sorted(f["sources"])}
        if f["numeric"]:
            attrs["units"] = units.unit_string(f["unit"] or "1")
        data_vars[fname] = xr.DataArray(vals, dims=dim, attrs=attrs)
    return xr.Dataset(data_vars, coords={dim: entries}, attrs={"catalog": name})


def catalog_rows(name: str) -> list[dict[str, Any]]:
    """Validated rows of a catalog, each with its numeric value, range, unit and source keys.

    The shipped rows (``data/catalogs/NAME.csv``) come first, then those of every user catalog
    folder registered with :func:`register_catalog_dir` (same columns). A user row is held to the
    shipped catalog: its field must exist there, its unit must convert to the shipped unit (the
    row is converted), its entry must be new (a shipped entry cannot be redefined) and must give
    every field that all shipped entries give.
    """
    return _catalog_rows(name, catalog_stamp(name), _LAYERS.generation)


@functools.lru_cache(maxsize=64)
def _catalog_rows(name: str, stamp: str, generation: int) -> list[dict[str, Any]]:
    path = CATALOG_DIR / f"{name}.csv"
    if not path.exists():
        known = sorted(p.stem for p in CATALOG_DIR.glob("*.csv"))
        raise ArchitectureError(f"unknown catalog '{name}'{suggest(name, known)}; known: {', '.join(known)}")
    refs = load_references()
    out = _read_catalog_file(path, refs)
    shipped_entries = {r["entry"] for r in out}
    fields = {r["field"]: r for r in out}
    required = set(fields)
    for entry in shipped_entries:
        required &= {r["field"] for r in out if r["entry"] == entry}
    # user catalog files: --data-dir / ORBITDC_DATA_DIR / ./catalogs layers, then the catalogs/
    # folders next to user architectures, all held to the shipped catalog
    user_paths = [p for p, _ in catalog_files(name) if p.resolve() != path.resolve()]
    user_paths += [d / f"{name}.csv" for d in _LAYERS.dirs]
    for user_path in dict.fromkeys(user_paths):
        if not user_path.exists():
            continue
        rows = _read_catalog_file(user_path, refs)
        file = _rel(user_path)
        seen: dict[str, set[str]] = {}
        for r in rows:
            where = f"{r['entry']}.{r['field']}"
            if r["entry"] in shipped_entries:
                raise ArchitectureError(f"entry '{r['entry']}' is already in data/catalogs/{name}.csv: "
                                        "give your entry a new name", file=file, parameter=where)
            if r["entry"] in {x["entry"] for x in out}:
                raise ArchitectureError(f"entry '{r['entry']}' is defined by another user catalog too",
                                        file=file, parameter=where)
            ref = fields.get(r["field"])
            if ref is None:
                close = difflib.get_close_matches(r["field"], sorted(fields), n=3)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise ArchitectureError(f"unknown field '{r['field']}' for catalog '{name}'{hint}; "
                                        f"known: {', '.join(sorted(fields))}", file=file, parameter=where)
            if r["numeric"] != ref["numeric"]:
                raise ArchitectureError(f"field '{r['field']}' is {'a number' if ref['numeric'] else 'text'} "
                                        f"in data/catalogs/{name}.csv", file=file, parameter=where)
            if r["numeric"] and r["unit"] != ref["unit"]:
                try:
                    src = units.parse_unit(r["unit"] or "1", where)
                    dst = units.parse_unit(ref["unit"] or "1", where)
                    if not src.is_equivalent(dst, equivalencies=u.temperature()):
                        raise ParameterError(where, f"unit '{r['unit']}' has the wrong dimension: "
                                                    f"expected a unit convertible to '{ref['unit']}'")
                    r["value"], r["low"], r["high"] = (float(units.convert(x, src, dst, where))
                                                       for x in (r["value"], r["low"], r["high"]))
                except ParameterError as exc:
                    raise ArchitectureError(exc.reason, file=file, parameter=where) from None
                r["unit"] = ref["unit"]
            seen.setdefault(r["entry"], set()).add(r["field"])
        for entry, have in seen.items():
            lacking = sorted(required - have)
            if lacking:
                raise ArchitectureError(f"entry '{entry}' lacks field(s) {', '.join(lacking)} "
                                        f"(every entry of data/catalogs/{name}.csv gives them)",
                                        file=_rel(user_path), parameter=entry)
        out = out + rows
    return out


def _read_catalog_file(path: Path, refs: Mapping[str, Reference]) -> list[dict[str, Any]]:
    """The rows of one catalog CSV, each checked (columns, finite value in range, unit, sources)."""
    file = _rel(path)
    out = []
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ArchitectureError(f"cannot read file ({exc.strerror})", file=file) from None
    if size > MAX_FILE_BYTES:
        raise ArchitectureError(f"file is {size} bytes, larger than the {MAX_FILE_BYTES} allowed", file=file)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(row for row in fh if not row.lstrip().startswith("#"))
        if tuple(reader.fieldnames or ()) != CATALOG_COLUMNS:
            raise ArchitectureError(f"columns must be {','.join(CATALOG_COLUMNS)}", file=file)
        for i, r in enumerate(reader, start=2):
            where = f"{r['entry']}.{r['field']}"

            def fail(reason):
                raise ArchitectureError(f"row {i}: {reason}", file=file, parameter=where)

            if None in r or any(v is None for v in r.values()):
                fail("wrong number of columns")
            sources = [s.strip() for s in (r["source"] or "").split(";") if s.strip()]
            if not sources:
                fail("missing source")
            for s in sources:
                if s not in refs:
                    fail(f"source '{s}' is not a reference key in data/references/")
            text = (r["value"] or "").strip()
            try:
                value = float(text)
                numeric = True
            except ValueError:
                value, numeric = text, False
            low = high = None
            if numeric:
                if not math.isfinite(value):
                    fail(f"value {text} is not finite")
                try:
                    units.parse_unit(r["unit"] or "1", where)
                except ParameterError as exc:
                    fail(exc.reason)
                try:
                    low = float(r["low"]) if (r["low"] or "").strip() else value
                    high = float(r["high"]) if (r["high"] or "").strip() else value
                except ValueError:
                    fail("low/high must be numbers")
                if not (math.isfinite(low) and math.isfinite(high)):
                    fail("low/high must be finite")
                if not low <= value <= high:
                    fail(f"value {value:g} lies outside [{low:g}, {high:g}]")
            out.append(
                {"entry": r["entry"], "field": r["field"], "value": value, "unit": (r["unit"] or "").strip(),
                 "low": low, "high": high, "source": sources, "note": r["note"], "numeric": numeric, "file": file}
            )
    return out


def _clear_caches() -> None:
    _LAYERS.changed()
    _load_catalog.cache_clear()
    _catalog_rows.cache_clear()
    _catalog_table.cache_clear()


def register_catalog_dir(directory: str | Path) -> None:
    """Layer the catalog CSVs of a user folder over the shipped ones (strict; see :func:`catalog_rows`).

    ``load_architecture`` calls it for a ``catalogs/`` folder next to a user architecture file, so
    a user's own radiator or accelerator entry is a row in ``my-study/catalogs/radiators.csv``
    beside ``my-study/my-architecture.yaml``. Every file is validated at once: on any error the
    folder is not registered and the error names the file and the row.
    """
    d = Path(directory).resolve()
    if d in _LAYERS.dirs or d == CATALOG_DIR.resolve():
        return
    files = sorted(d.glob("*.csv"))
    _LAYERS.dirs.append(d)
    _clear_caches()
    try:
        for f in files:
            if not (CATALOG_DIR / f.name).exists():
                known = sorted(p.stem for p in CATALOG_DIR.glob("*.csv"))
                raise ArchitectureError(f"no shipped catalog is called '{f.stem}'; known: {', '.join(known)}",
                                        file=_rel(f))
            catalog_rows(f.stem)
    except BaseException:
        _LAYERS.dirs.remove(d)
        _clear_caches()
        raise


def unregister_catalog_dir(directory: str | Path) -> None:
    """Undo :func:`register_catalog_dir` (tests; a session switching between user folders)."""
    d = Path(directory).resolve()
    if d in _LAYERS.dirs:
        _LAYERS.dirs.remove(d)
        _clear_caches()


def catalog_parameter(name: str, spec: ParameterSpec, entry: str) -> Parameter:
    """The catalog default of a catalog-backed parameter (``spec.catalog``) for one entry.

    A :class:`~orbitdc.parameters.Parameter` like one written in a file: the catalog cell's value, range, unit,
    sources and note, validated against the parameter's domain (``origin`` is the catalog file,
    ``catalog_entry`` the entry). Its distribution is the default of any ranged parameter,
    ``triangular(low, value, high)`` over the catalog cell's range (``fixed`` when the cell gives
    no range), so Monte Carlo draws it like an ``role: uncertain`` parameter written in a file;
    ``monte_carlo(..., draw_catalog=False)`` holds every catalog value instead.
    """
    catalog, field_name, choice = spec.catalog
    row = next((r for r in catalog_rows(catalog) if r["entry"] == entry and r["field"] == field_name), None)
    if row is None:
        raise ArchitectureError(f"catalog '{catalog}' has no '{field_name}' for entry '{entry}' (chosen by '{choice}')",
                                file=f"data/catalogs/{catalog}.csv", parameter=name)
    p = Parameter(value=row["value"], unit=row["unit"] or "1", low=row["low"], high=row["high"],
                  source=list(row["source"]), note=(row["note"] or None))
    p = _validate_parameter(name, p, spec, row["file"], load_references())
    p.catalog_entry = entry
    # drawn like an uncertain parameter written in a file, so it says so (show, the report's tables)
    if p.role is None:
        p.role = "uncertain"
    return p


def catalog_parameter_value(f: Any, name: str, spec: ParameterSpec):
    """A catalog-backed parameter from the frame ``f`` if it is there (the chain puts it there),
    else the catalog field of the frame's choice (a stage run on a hand-built Dataset)."""
    if name in f:
        return f[name]
    catalog, field_name, choice = spec.catalog
    return catalog_lookup(catalog, field_name, f[choice], spec.unit)


def catalog_value(catalog: str, field: str, key: Any, unit: str, dim: str = "entry") -> xr.DataArray:
    """Look up ``field`` of catalog entries ``key`` (a name or a DataArray of names), in ``unit``.

    Vectorised: ``key`` may be a DataArray of entry names along any dimensions (a swept choice);
    the result has the same dimensions and no catalog coordinate. Unknown names and missing
    cells are ArchitectureErrors naming the catalog and the field.
    """
    ds = load_catalog(catalog, dim)
    if field not in ds:
        raise ArchitectureError(f"catalog '{catalog}' has no field '{field}'", parameter=field)
    key_da = key if isinstance(key, xr.DataArray) else xr.DataArray(np.asarray(key))
    names = np.unique(np.asarray(key_da.values).astype(str))
    unknown = [n for n in names if n not in ds[dim].values]
    if unknown:
        raise ArchitectureError(
            f"'{unknown[0]}' is not in catalog '{catalog}'; known: {', '.join(map(str, ds[dim].values))}",
            parameter=field,
        )
    da = ds[field]
    picked = da.sel({dim: key_da.astype(str)})
    picked = picked.drop_vars(dim, errors="ignore")
    if "units" in da.attrs:
        vals = picked.values
        if np.isnan(vals).any():
            raise ArchitectureError(f"catalog '{catalog}' has no value of '{field}' for {', '.join(names)}", parameter=field)
        picked = units.convert(picked, da.attrs["units"], unit, field)
    return picked.drop_attrs() if hasattr(picked, "drop_attrs") else picked


@functools.lru_cache(maxsize=4096)
def _catalog_table(catalog: str, field: str, unit: str, stamp: Any = None) -> dict[str, float]:
    """One catalog field as {entry: value in ``unit``} (NaN for an empty cell)."""
    ds = load_catalog(catalog)
    if field not in ds:
        raise ArchitectureError(f"catalog '{catalog}' has no field '{field}'", parameter=field)
    da = ds[field]
    vals = np.atleast_1d(np.asarray(da.values, dtype=float))
    if "units" in da.attrs:
        vals = np.atleast_1d(units.convert(vals, da.attrs["units"], unit, field))
    return {str(e): float(v) for e, v in zip(ds["entry"].values, vals)}


def catalog_lookup(catalog: str, field: str, key: Any, unit: str, default: float | None = None):
    """``field`` of the catalog entries named by ``key`` (a name or a numpy array of names), in ``unit``.

    The numpy counterpart of :func:`catalog_value` for the chain's kernels: a float for one name,
    else an array shaped like ``key``. ``default`` fills empty cells; without it an empty cell is
    an error. Unknown names are ArchitectureErrors naming the catalog and the field.
    """
    table = _catalog_table(catalog, field, unit, _LAYERS.run_stamp(catalog))  # the stamp: user catalogs may change
    arr = np.asarray(key)
    if arr.size == 1:
        names, inverse = [str(arr.flat[0])], None
    else:
        uniq, inverse = np.unique(arr.astype(str), return_inverse=True)
        names = [str(n) for n in uniq]
    values = []
    for n in names:
        if n not in table:
            raise ArchitectureError(f"'{n}' is not in catalog '{catalog}'; known: {', '.join(table)}", parameter=field)
        v = table[n]
        if not math.isfinite(v):
            if default is None:
                raise ArchitectureError(f"catalog '{catalog}' has no value of '{field}' for {n}", parameter=field)
            v = float(default)
        values.append(v)
    if inverse is None:
        return values[0]
    return np.asarray(values)[inverse.reshape(arr.shape)]


def catalog_choices(catalog: str, dim: str = "entry") -> Callable[[], tuple[str, ...]]:
    """A callable giving the entry names of a catalog (for ``ParameterSpec(choices=...)``)."""
    return lambda: tuple(str(x) for x in load_catalog(catalog, dim)[dim].values)
