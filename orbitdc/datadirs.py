"""Where orbitdc finds its data and notebooks: the shipped copies and the user's own folders.

Shipped data
    The checkout's top-level ``data/`` and ``notebooks/`` are the source of truth. A wheel carries
    copies inside the package (``orbitdc/_data``, ``orbitdc/_notebooks``; see ``pyproject.toml``),
    found here with :mod:`importlib.resources`; an editable install or a plain checkout has no such
    copies and reads the top-level folders.

User data, layered over the shipped data
    * every folder named by ``--data-dir DIR`` (the CLI exports it as ``ORBITDC_DATA_DIR``, so the
      report's notebook kernels see it too) or by ``ORBITDC_DATA_DIR`` (several folders separated
      by ``os.pathsep``), laid out like ``data/``: ``architectures/*.yaml``,
      ``references/*.yaml``, ``catalogs/NAME.csv`` (entries added to a shipped catalog) and
      ``scenarios/*.yaml``;
    * ``./architectures/*.yaml`` in the working directory.

A user file never silently shadows another: the same architecture name, reference key or catalog
entry in two files is an error naming both (see :mod:`orbitdc.parameters`).
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import ArchitectureError, OrbitdcError

#: Environment variable naming user data folders (``os.pathsep``-separated).
DATA_DIR_ENV = "ORBITDC_DATA_DIR"
#: The subfolders a user data folder may contribute.
USER_SUBDIRS = ("architectures", "references", "catalogs", "scenarios")
#: Name of the folder of architectures read from the working directory.
WORKDIR_ARCHITECTURES = "architectures"


def _shipped(name: str) -> Path:
    """The shipped folder ``name`` ("data" or "notebooks"): inside the package when installed
    from a wheel, else the checkout's top-level folder."""
    package = resources.files(__package__)
    packaged = package / f"_{name}"
    if packaged.is_dir():
        if not isinstance(packaged, Path):  # a zip import: orbitdc needs real files (pandas, papermill)
            raise OrbitdcError(f"orbitdc's {name} is inside an archive ({packaged}); install orbitdc unpacked")
        return packaged
    return Path(str(package)).resolve().parent / name


#: The shipped data folder (read-only for users: add files in a user folder instead).
SHIPPED_DATA_DIR: Path = _shipped("data")
#: The shipped notebooks (``orbitdc notebooks DIR`` copies them for JupyterLab).
SHIPPED_NOTEBOOK_DIR: Path = _shipped("notebooks")


@dataclass(frozen=True)
class DataLayer:
    """One folder laid out like ``data/``, and where it comes from.

    ``origin`` is what ``orbitdc list`` shows: ``"shipped"``, the user folder's path, or
    ``"./architectures"``. ``subdirs`` limits what the layer contributes (the working directory
    gives architectures only).
    """

    root: Path
    origin: str
    subdirs: tuple[str, ...] | None = None

    @property
    def shipped(self) -> bool:
        return self.origin == "shipped"

    def folder(self, subdir: str) -> Path | None:
        if self.subdirs is not None and subdir not in self.subdirs:
            return None
        return self.root / subdir


def user_data_dirs() -> list[Path]:
    """The folders named by ``ORBITDC_DATA_DIR`` (each must exist and be a folder)."""
    text = os.environ.get(DATA_DIR_ENV, "")
    out = []
    for part in (p for p in text.split(os.pathsep) if p.strip()):
        path = Path(part).expanduser()
        if not path.is_dir():
            what = "does not exist" if not path.exists() else "is not a folder"
            raise OrbitdcError(f"{DATA_DIR_ENV}: '{part}' {what}")
        out.append(path.resolve())
    return out


_LAYERS_CACHE: dict[tuple, tuple[DataLayer, ...]] = {}


def layers() -> list[DataLayer]:
    """The data layers, shipped first, then the user folders, then ``./architectures``.

    Follows the environment and the working directory (they may change): the layers are
    recomputed whenever ``ORBITDC_DATA_DIR``, the working directory or the existence of its
    folders change (resolving paths costs ~0.1 ms, and the chain asks for them often); a folder
    that appears twice (e.g. the working directory is ``data/``) counts once.
    """
    text = os.environ.get(DATA_DIR_ENV, "")
    cwd = os.getcwd()
    parts = [p for p in text.split(os.pathsep) if p.strip()]
    key = (text, cwd, os.path.isdir(os.path.join(cwd, WORKDIR_ARCHITECTURES)),
           tuple(os.path.isdir(os.path.expanduser(p)) for p in parts))
    hit = _LAYERS_CACHE.get(key)
    if hit is not None:
        return list(hit)
    unique = _layers()
    _LAYERS_CACHE[key] = tuple(unique)
    return unique


def _layers() -> list[DataLayer]:
    found = [DataLayer(SHIPPED_DATA_DIR.resolve(), "shipped")]
    for path in user_data_dirs():
        found.append(DataLayer(path, str(path), USER_SUBDIRS))
    workdir = Path.cwd() / WORKDIR_ARCHITECTURES
    if workdir.is_dir():
        found.append(DataLayer(Path.cwd().resolve(), f"./{WORKDIR_ARCHITECTURES}", (WORKDIR_ARCHITECTURES,)))
    seen: set[Path] = set()
    unique = []
    for layer in found:
        keys = {(layer.root / s).resolve() for s in (layer.subdirs or USER_SUBDIRS)}
        if keys & seen:
            continue
        seen |= keys
        unique.append(layer)
    return unique


def is_regular_file(path: Path) -> bool:
    """True for a regular file (not a folder, FIFO, device or broken link)."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def layered_files(subdir: str, pattern: str) -> list[tuple[Path, DataLayer]]:
    """Regular files matching ``pattern`` in ``subdir`` of every layer, layer by layer, sorted
    by name within a layer. Folders or FIFOs named like data files are not data files."""
    out = []
    for layer in layers():
        folder = layer.folder(subdir)
        if folder is None or not folder.is_dir():
            continue
        out.extend((p, layer) for p in sorted(folder.glob(pattern)) if is_regular_file(p))
    return out


def display_path(path: Path) -> str:
    """How a data file is named in messages: ``data/...`` for shipped files (wherever the package
    is installed), a path relative to the working directory when below it, else absolute."""
    path = Path(path)
    try:
        resolved = path.resolve()
    except OSError:
        return str(path)
    try:
        return str(Path("data") / resolved.relative_to(SHIPPED_DATA_DIR.resolve()))
    except ValueError:
        pass
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def architecture_files() -> dict[str, tuple[Path, DataLayer]]:
    """Every architecture file by name (its file name without ``.yaml``), with the layer it comes
    from: the shipped data, a user folder, or ``./architectures``. A name found in two files is
    an error naming both: a user architecture never silently shadows another."""
    index: dict[str, tuple[Path, DataLayer]] = {}
    for path, layer in [*layered_files("architectures", "*.yaml"), *layered_files("architectures/published", "*.yaml")]:
        name = path.stem
        if name in index:
            other = index[name][0]
            raise ArchitectureError(
                f"architecture '{name}' is defined twice: {display_path(other)} ({index[name][1].origin}) and "
                f"{display_path(path)} ({layer.origin}); rename one of them"
            )
        index[name] = (path, layer)
    return index
