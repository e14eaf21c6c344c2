"""Where orbitdc finds its data and notebooks: the shipped copies and the user's own folders.

Shipped data
    The checkout's top-level ``data/`` and ``notebooks/`` are the source of truth. A wheel carries
    copies inside the package (``orbitdc/_data``, ``orbitdc/_notebooks``; see ``pyproject.toml``),
    found here with ``importlib.resources``; an editable install or a plain checkout has no such
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

import errno
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


def check_folder(path: Path, label: str) -> bool:
    """Is ``path`` a folder orbitdc can read (True), or absent (False)? Anything else is an
    OrbitdcError naming ``label``: a file, a symbolic link to nothing or one that loops, a folder
    that cannot be listed or entered (mode 000, another user's)."""
    from ._text import echo

    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise OrbitdcError(f"{label}: '{echo(path, 120)}' is a symbolic link to nothing") from None
        return False
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OrbitdcError(f"{label}: '{echo(path, 120)}' is a symbolic link that loops") from None
        raise OrbitdcError(f"{label}: '{echo(path, 120)}' cannot be read ({exc.strerror})") from None
    if not stat.S_ISDIR(st.st_mode):
        raise OrbitdcError(f"{label}: '{echo(path, 120)}' is not a folder")
    if not os.access(path, os.R_OK | os.X_OK):
        raise OrbitdcError(f"{label}: folder '{echo(path, 120)}' is not readable (its permissions)")
    return True


def user_data_dirs() -> list[Path]:
    """The folders named by ``ORBITDC_DATA_DIR`` (each must exist and be a readable folder)."""
    text = os.environ.get(DATA_DIR_ENV, "")
    out = []
    for part in (p for p in text.split(os.pathsep) if p.strip()):
        path = Path(part).expanduser()
        if not check_folder(path, DATA_DIR_ENV):
            raise OrbitdcError(f"{DATA_DIR_ENV}: '{part}' does not exist")
        out.append(Path(os.path.realpath(path)))
    return out


def absolute_data_dirs(text: str | None = None) -> str | None:
    """``ORBITDC_DATA_DIR`` (or ``text``) with every folder made absolute, resolved against the
    working directory *now*: the report's notebook kernels run in another folder, where a
    relative ``ud`` would name nothing. None when the variable is not set."""
    text = os.environ.get(DATA_DIR_ENV) if text is None else text
    if text is None:
        return None
    parts = [p for p in text.split(os.pathsep) if p.strip()]
    return os.pathsep.join(os.path.abspath(os.path.expanduser(p)) for p in parts)


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
    seen: set[str] = set()
    unique = []
    for layer in found:
        # os.path.realpath, not Path.resolve: a link that loops is a name here, not a RuntimeError
        keys = {os.path.realpath(layer.root / s) for s in (layer.subdirs or USER_SUBDIRS)}
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
        if folder is not None:
            out.extend((p, layer) for p in _files_in(layer, folder, pattern))
    return out


def _files_in(layer: DataLayer, folder: Path, pattern: str) -> list[Path]:
    """Regular files matching ``pattern`` (no ``/``) in ``folder`` of ``layer``. In a user's
    layer a folder that exists but cannot be listed, or a data file that is a link to nothing or
    loops, is an error (OrbitdcError), not a folder or file silently skipped."""
    if layer.shipped:
        if not folder.is_dir():
            return []
    elif not check_folder(folder, f"data folder {layer.origin}"):
        return []  # a user folder need not have every subfolder
    found = sorted(folder.glob(pattern))
    if not layer.shipped:
        for p in found:
            if os.path.islink(p) and not is_regular_file(p) and not os.path.isdir(p):
                check_file_link(p, f"data folder {layer.origin}")
    return [p for p in found if is_regular_file(p)]


def check_file_link(path: Path, label: str) -> None:
    """A symbolic link where a data file is expected: an OrbitdcError if it names nothing or
    loops (a link to a FIFO or device is left to the reader, which refuses non-regular files)."""
    from ._text import echo

    try:
        os.stat(path)
    except FileNotFoundError:
        raise OrbitdcError(f"{label}: '{echo(path, 120)}' is a symbolic link to nothing") from None
    except OSError as exc:
        what = "a symbolic link that loops" if exc.errno == errno.ELOOP else f"unreadable ({exc.strerror})"
        raise OrbitdcError(f"{label}: '{echo(path, 120)}' is {what}") from None


def scenario_files(architecture: str, shipped: Path | None = None) -> dict[str, tuple[Path, DataLayer]]:
    """The scenarios of ``architecture`` in every layer (``scenarios/<architecture>/*.yaml``), by
    name (``shipped``: the shipped scenarios folder, if not ``data/scenarios``). A scenario
    defined in two layers is an error naming both files (nothing shadows silently)."""
    found = []
    for layer in layers():
        folder = shipped if layer.shipped and shipped is not None else layer.folder("scenarios")
        if folder is None or "/" in architecture or architecture in ("", ".", ".."):
            continue
        if layer.shipped or check_folder(folder, f"data folder {layer.origin}"):
            found.extend((p, layer) for p in _files_in(layer, folder / architecture, "*.yaml"))
    out: dict[str, tuple[Path, DataLayer]] = {}
    for path, layer in found:
        if path.stem in out:
            other = out[path.stem][0]
            raise OrbitdcError(f"scenario '{path.stem}' of '{architecture}' is defined twice: "
                               f"{display_path(other)} and {display_path(path)}")
        out[path.stem] = (path, layer)
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
