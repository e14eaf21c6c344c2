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

This module is the one output writer: every command that writes a file (``evaluate -o``,
``trajectory -o``, the report's results, ``orbitdc notebooks``) goes through
:func:`check_output_path` *before any computation* and :func:`atomic_write` at the end.

* Only regular files are written: an existing folder, FIFO, socket or device (``/dev/null``)
  is refused, and so is a symbolic link to one, a link to nothing or a link that loops; a link to
  a regular file is followed (the file it names is replaced, the link stays). A read-only file is
  refused rather than replaced. A format whose library is missing (``.parquet`` without pyarrow)
  is refused in one line, before any work.
* Writes are atomic (a temporary file in the same folder, then a rename): a failure leaves no
  partial file and any earlier file intact. SIGINT, SIGTERM and SIGHUP during the write remove the
  temporary file before the process ends (:mod:`orbitdc.interrupts`).
* A new file gets the mode the umask gives (0644 with the usual 022), an existing file keeps its
  mode. With ``replace=False`` (``orbitdc notebooks``) an existing file is never replaced, even
  by one that appears during the write (the temporary file is hard-linked into place).
"""
from __future__ import annotations

import errno
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


#: Format -> the libraries that can write it (any one is enough), for a message before any work.
ENGINES = {"netcdf": ("netCDF4", "h5netcdf", "scipy"), "parquet": ("pyarrow", "fastparquet"), "csv": ()}


def _engine_missing(kind: str) -> str | None:
    """The library to install for ``kind`` when none of its writers is importable, else None."""
    import importlib.util

    engines = ENGINES.get(kind, ())
    if not engines or any(importlib.util.find_spec(e) is not None for e in engines):
        return None
    return engines[0]


def check_output_path(text: Any, option: str = "-o", formats: Any = None) -> Path:
    """The output path, checked before any work: OrbitdcError (one line) if it cannot be written.

    ``formats`` limits the formats accepted (``("netcdf",)`` for the trajectory); by default every
    format of :data:`FORMATS`. See the module docstring for what is refused."""
    from ._text import echo

    if text is None or not str(text).strip():
        raise OrbitdcError(f"{option} '': empty file name")
    path = Path(str(text))
    where = f"{option} {echo(text, 120)}"
    suffix = path.suffix.lower()
    allowed = {k: v for k, v in FORMATS.items() if formats is None or v in formats}
    names = {"netcdf": ".nc (NetCDF)", "csv": ".csv", "parquet": ".parquet"}
    if suffix not in allowed:
        kinds = list(dict.fromkeys(names[v] for v in allowed.values()))
        raise OrbitdcError(f"{where}: unknown file type '{echo(suffix, 20) or '(none)'}'; use "
                           f"{', '.join(kinds[:-1]) + ' or ' + kinds[-1] if len(kinds) > 1 else kinds[0]}")
    missing = _engine_missing(allowed[suffix])
    if missing:
        install = "'orbitdc[parquet]'" if allowed[suffix] == "parquet" else missing  # the extra that has it
        raise OrbitdcError(f"{where}: writing {suffix} needs the {missing} package (pip install {install}); "
                           "or write .nc or .csv")
    target = path
    try:
        if path.is_symlink():
            target = Path(os.path.realpath(path, strict=True))
    except (OSError, RuntimeError) as exc:
        what = "a symbolic link that loops" if getattr(exc, "errno", None) == errno.ELOOP or \
            isinstance(exc, RuntimeError) else "a symbolic link to nothing"
        raise OrbitdcError(f"{where}: is {what}") from None
    try:
        st = target.stat()
    except (FileNotFoundError, NotADirectoryError):
        st = None  # the folder checks below say why
    except OSError as exc:
        raise OrbitdcError(f"{where}: cannot check it ({exc.strerror})") from None
    if st is not None:
        link = f" (a link to {target})" if target != path else ""
        if stat.S_ISDIR(st.st_mode):
            raise OrbitdcError(f"{where}: is a folder{link}; give a file name such as {Path(text) / ('results' + suffix)}")
        if not stat.S_ISREG(st.st_mode):
            raise OrbitdcError(f"{where}: exists and is not a regular file{link}")
        if not os.access(target, os.W_OK) or not st.st_mode & 0o222:  # no write bit: read-only, even for root
            raise OrbitdcError(f"{where}: exists and is read-only{link}")
    parent = target.parent if str(target.parent) else Path(".")
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


def check_output_folder(text: Any, option: str) -> Path:
    """A folder to write into (``orbitdc notebooks DIR``), checked before any work: not empty,
    not a file or device, not a symbolic link to nothing or one that loops, under a folder that
    exists (or can be created) and can be written. OrbitdcError (one line) otherwise."""
    from ._text import echo

    if text is None or not str(text).strip():
        raise OrbitdcError(f"{option}: empty folder name")
    path = Path(str(text))
    where = f"{option} {echo(text, 120)}"
    if os.path.lexists(path):
        try:
            st = os.stat(path)
        except OSError as exc:
            what = "a symbolic link that loops" if exc.errno == errno.ELOOP else \
                "a symbolic link to nothing" if isinstance(exc, FileNotFoundError) else f"unreadable ({exc.strerror})"
            raise OrbitdcError(f"{where}: is {what}") from None
        if not stat.S_ISDIR(st.st_mode):
            raise OrbitdcError(f"{where}: is a file, not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise OrbitdcError(f"{where}: folder {path} is not writable")
        return path
    ancestor = path
    while not os.path.lexists(ancestor) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OrbitdcError(f"{where}: {ancestor} is not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OrbitdcError(f"{where}: folder {ancestor} is not writable")
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


def atomic_write(path: str | Path, write: Callable[[Path], Any], replace: bool = True) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``.

    A symbolic link at ``path`` is followed (its target is replaced; the link stays). The file
    gets the mode of the file it replaces, or ``0o666 & ~umask`` when new (a temporary file is
    created 0600; left so, results would be unreadable to colleagues). SIGINT/SIGTERM/SIGHUP
    during the write raise :class:`orbitdc.interrupts.Interrupted` (where no handler of the
    caller's is installed) and the temporary file is removed. With ``replace=False`` an existing
    file is left alone: FileExistsError.
    """
    from .interrupts import interrupts_raise, signals_deferred

    path = Path(path)
    if not replace and os.path.lexists(path):
        raise FileExistsError(errno.EEXIST, "exists", str(path))
    target = Path(os.path.realpath(path)) if replace and path.is_symlink() else path
    folder = target.parent if str(target.parent) else Path(".")
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~current_umask()
    with interrupts_raise(only_default=True, restore=True):
        tmp: Path | None = None
        try:
            with signals_deferred():  # the temporary file exists only once its name is known
                fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
                tmp = Path(tmp_name)
            os.close(fd)
            write(tmp)
            os.chmod(tmp, mode)
            with signals_deferred():  # renamed and forgotten together
                if replace:
                    os.replace(tmp, target)
                else:
                    _link_exclusive(tmp, target)
                    tmp.unlink()
                tmp = None
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
    return path


def _link_exclusive(tmp: Path, target: Path) -> None:
    """Put ``tmp``'s content at ``target`` only if nothing is there (FileExistsError otherwise):
    a hard link (atomic), or an exclusive create and copy where the file system has no links."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError:
        with open(target, "xb") as fh:
            fh.write(tmp.read_bytes())


def write_text(path: str | Path, text: str, replace: bool = True) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (:func:`atomic_write`)."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), replace=replace)


def write_bytes(path: str | Path, data: bytes, replace: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (:func:`atomic_write`)."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data), replace=replace)


def write_dataset(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to ``path`` in the format its extension names (atomically; the path is
    checked first by :func:`check_output_path`)."""
    path = check_output_path(path, option="output")
    kind = FORMATS[path.suffix.lower()]
    if kind == "netcdf":
        out = netcdf_ready(ds)
        return atomic_write(path, lambda tmp: out.to_netcdf(tmp))
    table = to_table(ds)
    if kind == "csv":
        return atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))
    return atomic_write(path, lambda tmp: table.to_parquet(tmp, index=False))


def write_netcdf(ds: xr.Dataset, path: str | Path, make_folder: bool = True) -> Path:
    """Write ``ds`` to NetCDF at ``path`` (:func:`netcdf_ready`, checked, atomic), creating its
    folder if needed (``make_folder``)."""
    path = Path(path)
    if make_folder and str(path.parent):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # a file where the folder should be, a read-only parent: check_output_path says which
    path = check_output_path(path, option="output", formats=("netcdf",))
    ready = netcdf_ready(ds)
    return atomic_write(path, lambda tmp: ready.to_netcdf(tmp))


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
