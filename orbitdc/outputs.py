"""Writing results to files: NetCDF, CSV or Parquet by the file's extension.

* ``.nc``/``.nc4`` — NetCDF through xarray, every variable with ``units`` and ``long_name``.
  Booleans (``feasible``) stay booleans: xarray stores them as ``int8`` with ``dtype: bool`` and
  reads them back as ``bool`` (``xr.open_dataset``); ``flag_values``/``flag_meanings`` say the
  same for other CF readers.
* ``.csv`` — one row per design point (the dimensions of ``feasible``: the sweep axes), one
  column per variable, the unit in the header (``altitude [km]``; no brackets for text and
  true/false columns). A variable with a dimension of its own (``mass_breakdown`` along
  ``subsystem``) gives one column per item (``mass_breakdown[solar_array] [kg]``). Values keep
  full precision (``pandas.read_csv`` reads them back exactly).
* ``.parquet`` — the same table (pyarrow), with the units and the Dataset's attributes in the
  file's metadata (``pandas.read_parquet(path).attrs``).

Writes are atomic (a temporary file in the same folder, then a rename): a failure leaves no
partial file and any earlier file intact. A new file gets the mode the umask gives (0644 with the
usual 022), an existing file keeps its mode. :func:`check_output_path` refuses, before anything is
computed, a path that could not be written (empty, unknown extension, a folder, under a file, a
missing or read-only folder).
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np
import xarray as xr

from .errors import OrbitdcError
from .stages import parameter_specs

#: File extension -> format.
FORMATS = {".nc": "netcdf", ".nc4": "netcdf", ".csv": "csv", ".parquet": "parquet"}


def check_output_path(text: Any, option: str = "-o") -> Path:
    """The output path, checked before any work: OrbitdcError (one line) if it cannot be written."""
    if text is None or not str(text).strip():
        raise OrbitdcError(f"{option} '': empty file name")
    path = Path(str(text))
    where = f"{option} {text}"
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise OrbitdcError(f"{where}: unknown file type '{suffix or '(none)'}'; use .nc (NetCDF), .csv or .parquet")
    if path.is_dir():
        raise OrbitdcError(f"{where}: is a folder; give a file name such as {Path(text) / ('results' + suffix)}")
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        raise OrbitdcError(f"{where}: exists and is not a regular file")
    parent = path.parent if str(path.parent) else Path(".")
    ancestor = parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        raise OrbitdcError(f"{where}: {ancestor} is a file, not a folder")
    if not parent.is_dir():
        raise OrbitdcError(f"{where}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OrbitdcError(f"{where}: folder {parent} is not writable")
    return path


def current_umask() -> int:
    """The process umask (read from /proc on Linux; else set and restored at once)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``.

    The file gets the mode of the file it replaces, or ``0o666 & ~umask`` when new (a temporary
    file is created 0600; left so, results would be unreadable to colleagues).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~current_umask()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_dataset(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to ``path`` in the format its extension names (atomically)."""
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise OrbitdcError(f"{path}: unknown file type '{path.suffix}'; use .nc, .csv or .parquet")
    if kind == "netcdf":
        out = netcdf_ready(ds)
        return atomic_write(path, lambda tmp: out.to_netcdf(tmp))
    table = to_table(ds)
    if kind == "csv":
        return atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))
    return atomic_write(path, lambda tmp: table.to_parquet(tmp, index=False))


def netcdf_ready(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with what NetCDF cannot hold made plain: text as fixed strings, list attributes
    joined, CF flag attributes on booleans (which stay boolean: xarray round-trips them)."""
    out = ds.copy()
    for name, var in list(out.variables.items()):
        if var.dtype.kind in ("U", "O"):
            out[name] = var.astype(str)
    for name, var in out.variables.items():
        attrs = {k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in var.attrs.items()}
        if var.dtype == bool:
            attrs.update(flag_values=np.array([0, 1], dtype="i1"), flag_meanings="false true")
        var.attrs = attrs
    out.attrs = {k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in out.attrs.items()}
    return out


def _header(name: str, da: xr.DataArray) -> str:
    if da.dtype.kind in "bUSO":
        return name
    return f"{name} [{da.attrs.get('units', '1')}]"


def design_dims(ds: xr.Dataset) -> tuple[str, ...]:
    """The dimensions that index design points: sweep axes (a dimension along which an input
    parameter varies), ``sample`` and ``architecture``. The others (``subsystem`` of
    ``mass_breakdown``, ``cost_item`` of ``cost_breakdown``) itemise one design point."""
    params = set(parameter_specs())
    design = set()
    for name, var in ds.variables.items():
        if name in params:
            design.update(var.dims)
    design.update(d for d in ds.dims if d in params or d in ("sample", "architecture"))
    return tuple(d for d in ds.dims if d in design)


def to_table(ds: xr.Dataset):
    """``ds`` as a pandas DataFrame: one row per design point, the design coordinates first, then
    every variable (broadcast to every row), with units in the column names."""
    import pandas as pd

    dims = design_dims(ds)
    sizes = tuple(ds.sizes[d] for d in dims)
    n = int(np.prod(sizes)) if dims else 1
    template = xr.DataArray(np.zeros(sizes, dtype=bool), dims=dims, coords={d: ds[d] for d in dims if d in ds.coords})
    columns: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}

    def add(label: str, da: xr.DataArray, base: xr.DataArray):
        if label in columns:
            return
        values = da.broadcast_like(template).transpose(*dims).values.reshape(n)
        columns[label] = values
        if base.dtype.kind not in "bUSO":
            units[label] = str(base.attrs.get("units", "1"))

    for d in dims:
        coord = ds[d]
        add(_header(d, coord), coord, coord)
    names = [k for k in ds.coords if k not in ds.dims] + list(ds.data_vars)
    for name in names:
        da = ds[name]
        extra = [d for d in da.dims if d not in dims]
        if not extra:
            add(_header(name, da), da, da)
            continue
        stacked = da.stack(_item=extra) if len(extra) > 1 else da.rename({extra[0]: "_item"})
        for i in range(stacked.sizes["_item"]):
            item = stacked.isel(_item=i)
            key = item["_item"].values.item() if "_item" in item.coords else i
            key = "|".join(map(str, key)) if isinstance(key, tuple) else str(key)
            add(_header(f"{name}[{key}]", da), item.drop_vars([c for c in item.coords if c not in dims], errors="ignore"), da)
    frame = pd.DataFrame(columns)
    frame.attrs = {"units": units, **{k: str(v) for k, v in ds.attrs.items()}}
    return frame
