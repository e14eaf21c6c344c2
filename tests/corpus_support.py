"""Helpers of the bad-input and fault corpora (tests/test_corpus_*.py): folder snapshots, the
one-line error check, setup steps, and running a command as a real process (optionally without
the capabilities that let root ignore file modes)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
SPACEX = "spacex-starlink-compute"
#: Text a hostile file or user might carry: a screen clear, a title change, a bell, a right-to-left
#: override and a line separator.
HOSTILE = "\x1b[2J\x1b]0;owned\x07\u202eevil\u2028x"


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under ``root`` (links not followed) with its type, size, modification time and mode."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            try:
                st_ = p.lstat()
            except OSError:
                continue
            out[str(p.relative_to(root))] = (stat.S_IFMT(st_.st_mode), st_.st_size, st_.st_mtime_ns,
                                              stat.S_IMODE(st_.st_mode))
    return out


def check_one_line(err: str, words: str) -> None:
    """``err`` is one line ``orbitdc: error: ...`` holding ``words``, with no traceback and no raw
    control character."""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("orbitdc: error: "), err
    assert "Traceback" not in err
    assert not any(ch in err[:-1] for ch in "\x1b\x07\r\u202e\u2028"), repr(err)
    assert words in err, err


def write(name: str, text: str | bytes) -> Callable[[Path], None]:
    def setup(tmp: Path):
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return setup


def mkdir(name: str) -> Callable[[Path], None]:
    return lambda tmp: (tmp / name).mkdir(parents=True, exist_ok=True)


def symlink(name: str, target: str) -> Callable[[Path], None]:
    def setup(tmp: Path):
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, tmp / name)
    return setup


def chmod(name: str, mode: int) -> Callable[[Path], None]:
    return lambda tmp: os.chmod(tmp / name, mode)


def both(*setups) -> Callable[[Path], None]:
    def setup(tmp: Path):
        for s in setups:
            s(tmp)
    return setup


def restore_modes(root: Path) -> None:
    """Make everything under ``root`` removable again (a test chmod-ed folders to 000)."""
    for dirpath, dirnames, _ in os.walk(root, followlinks=False):
        for d in dirnames:
            p = Path(dirpath) / d
            if not p.is_symlink():
                os.chmod(p, 0o755)
    for dirpath, dirnames, _ in os.walk(root, followlinks=False):
        for d in dirnames:
            p = Path(dirpath) / d
            if not p.is_symlink():
                os.chmod(p, 0o755)


@dataclass
class Case:
    id: str
    argv: list[str]
    words: str  # must appear in the one-line message
    setup: Callable[[Path], None] = lambda tmp: None
    env: dict[str, str] = field(default_factory=dict)  # values may use {tmp}
    unprivileged: bool = False  # run without root's file-mode override (permission cases)


# Root (CI) may read and write anywhere; a permission case runs without the two capabilities that
# let root ignore file modes (dropped from the bounding set before exec).
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def _without_override():
    if os.geteuid() == 0:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_orbitdc(argv: list[str], cwd: Path, env: dict[str, str] | None = None, unprivileged: bool = False,
                timeout: float = 300, prelude: str = "") -> subprocess.CompletedProcess:
    """``python -m orbitdc ARGV`` as a real process in ``cwd`` (``prelude``: Python run first, in
    the same interpreter, e.g. to hide a library)."""
    base = {k: v for k, v in os.environ.items() if k != "ORBITDC_DATA_DIR"}
    base["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    base.update(env or {})
    if prelude:
        code = prelude + "\nimport sys\nfrom orbitdc.cli import main\nsys.exit(main(sys.argv[1:]))"
        cmd = [sys.executable, "-c", code, *argv]
    else:
        cmd = [sys.executable, "-m", "orbitdc", *argv]
    return subprocess.run(cmd, cwd=cwd, env=base, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, preexec_fn=_without_override if unprivileged else None)
