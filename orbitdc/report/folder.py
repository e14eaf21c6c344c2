"""The report folder: built beside its target, moved into place whole, never replacing anything but
an earlier report.

* **What may be replaced.** A report folder holds ``orbitdc-manifest.json``: every file and folder
  the report wrote, with each file's size and SHA-256. ``--out DIR`` may replace ``DIR`` only if it
  is empty or holds exactly what its manifest lists, unchanged. Anything else (a file of the user's,
  an edited file, a folder without a manifest, a symbolic link) is refused before anything runs
  (:class:`~orbitdc.errors.OrbitdcError`, exit status 2), and nothing is deleted.
* **Atomic placement.** The report is built in ``.NAME.tmp-PID-START-XXXX`` beside ``DIR``; when it
  is complete the previous report is moved aside to ``.NAME.old-PID-START-XXXX``, the new one is
  renamed into place and the old one removed. A failed or interrupted run removes its temporary
  folder and leaves the previous report as it was.
* **Debris of killed runs.** SIGKILL cannot be cleaned up by the process itself, so every run first
  removes the temporary folders of runs that are no longer alive. The owner is identified by the
  pid *and* the process start time in the folder name (a recycled pid does not look alive). An
  ``.old-`` folder of a dead run whose target is missing (killed between the two renames) is moved
  back into place: the previous report comes back rather than being deleted.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import OrbitdcError

#: The manifest file in every report folder.
MANIFEST = "orbitdc-manifest.json"
#: Two process start times closer than this (seconds) are the same process (psutil rounds them).
_START_TOLERANCE = 1.0
_OWNED = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-(?P<start>\d+)-[^/]+$")


# --------------------------------------------------------------------------------------------
# The manifest
# --------------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _walk(folder: Path) -> tuple[dict[str, Path], set[str], list[str]]:
    """(files by relative path, folders, other entries such as symbolic links), manifest excluded."""
    files, dirs, other = {}, set(), []
    for root, dirnames, filenames in os.walk(folder):
        rel_root = Path(root).relative_to(folder)
        for d in list(dirnames):
            p = Path(root) / d
            rel = (rel_root / d).as_posix()
            if p.is_symlink():
                other.append(rel)
                dirnames.remove(d)
            else:
                dirs.add(rel)
        for f in filenames:
            p = Path(root) / f
            rel = (rel_root / f).as_posix()
            if rel == MANIFEST:
                continue
            if p.is_symlink() or not p.is_file():
                other.append(rel)
            else:
                files[rel] = p
    return files, dirs, other


def write_manifest(folder: Path, info: dict[str, Any] | None = None) -> Path:
    """List every file (size, SHA-256) and folder under ``folder`` in ``folder/MANIFEST``."""
    files, dirs, other = _walk(folder)
    if other:
        raise RuntimeError(f"the report folder holds entries that are not plain files: {other[:3]}")
    manifest = {
        "written_by": "orbitdc report",
        **(info or {}),
        "folders": sorted(dirs),
        "files": {rel: {"size": p.stat().st_size, "sha256": _sha256(p)} for rel, p in sorted(files.items())},
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return path


def foreign_entry(folder: Path) -> str | None:
    """Why ``folder`` may not be replaced (naming one entry), or None when it holds only what its
    manifest lists, unchanged (or nothing at all)."""
    if not any(folder.iterdir()):
        return None
    mpath = folder / MANIFEST
    if not mpath.is_file() or mpath.is_symlink():
        return f"holds files orbitdc did not write (no {MANIFEST})"
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        listed = manifest["files"]
        listed_dirs = set(manifest["folders"])
        if not isinstance(listed, dict):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        return f"its {MANIFEST} is unreadable"
    files, dirs, other = _walk(folder)
    if other:
        return f"holds '{other[0]}', which orbitdc did not write (not a plain file)"
    extra = sorted(set(files) - set(listed)) or sorted(dirs - listed_dirs)
    if extra:
        return f"holds '{extra[0]}', which orbitdc did not write"
    for rel, p in sorted(files.items()):
        entry = listed[rel]
        if not isinstance(entry, dict) or p.stat().st_size != entry.get("size") or _sha256(p) != entry.get("sha256"):
            return f"'{rel}' was changed after orbitdc wrote it"
    return None


def check_replaceable(out: Path) -> None:
    """Raise OrbitdcError (naming ``out`` and the reason) unless ``out`` is absent, empty, or a
    report folder holding exactly what orbitdc wrote."""
    if out.is_symlink():
        raise OrbitdcError(f"--out {out}: is a symbolic link; refusing to replace it (give the folder it points to)")
    if not out.exists():
        return
    if not out.is_dir():
        raise OrbitdcError(f"--out {out}: exists and is not a folder; refusing to replace it")
    try:
        why = foreign_entry(out)
    except OSError as exc:
        raise OrbitdcError(f"--out {out}: cannot be read ({exc.strerror}); refusing to replace it") from None
    if why:
        raise OrbitdcError(f"--out {out}: {why}; refusing to replace it (choose another --out or move your files)")


# --------------------------------------------------------------------------------------------
# Owned temporary folders
# --------------------------------------------------------------------------------------------
def _start_time(pid: int) -> float | None:
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def _owner_alive(pid: int, start: int) -> bool:
    t = _start_time(pid)
    return t is not None and abs(int(t) - start) <= _START_TOLERANCE


def _owned_prefix(out: Path, kind: str) -> str:
    t = _start_time(os.getpid())
    return f".{out.name}.{kind}-{os.getpid()}-{int(t or 0)}-"


def make_workdir(out: Path) -> Path:
    """A new temporary folder beside ``out``, named after this process (see the module docstring)."""
    work = Path(tempfile.mkdtemp(prefix=_owned_prefix(out, "tmp"), dir=out.parent)).resolve()
    os.chmod(work, 0o755)
    return work


def remove_stale(out: Path) -> list[Path]:
    """Remove the temporary folders of dead runs beside ``out``; restore an orphaned previous report
    (see the module docstring). Returns the folders removed or restored."""
    done = []
    try:
        entries = sorted(out.parent.iterdir())
    except OSError:
        return done
    for p in entries:
        m = _OWNED.match(p.name)
        if not m or m["name"] != out.name or not p.is_dir() or p.is_symlink():
            continue
        if _owner_alive(int(m["pid"]), int(m["start"])):
            continue
        previous = p / "report"
        if m["kind"] == "old" and previous.is_dir() and not out.exists() and not out.is_symlink():
            os.rename(previous, out)
        shutil.rmtree(p, ignore_errors=True)
        done.append(p)
    return done


def move_into_place(work: Path, out: Path) -> None:
    """Replace ``out`` by ``work``: the previous report is removed only once the new one is in place.
    Call with interrupts deferred (:func:`orbitdc.interrupts.signals_deferred`)."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=_owned_prefix(out, "old"), dir=out.parent))
        os.rename(out, old / "report")
    os.rename(work, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
