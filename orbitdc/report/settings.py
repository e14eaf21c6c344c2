"""The report's settings (``data/report.yaml``): verdict thresholds, default run, figure grids,
published claims. Read by every part of :mod:`orbitdc.report` and by :mod:`orbitdc.app`."""
from __future__ import annotations

import copy
from typing import Any

from .._yaml import read_yaml
from ..datadirs import SHIPPED_DATA_DIR as DATA_DIR  # orbitdc.parameters.DATA_DIR, without importing the model
from ..errors import OrbitdcError

SETTINGS_FILE = DATA_DIR / "report.yaml"
#: The last settings read, with the file's modification time and the references they were checked against.
_CACHE: dict[str, Any] = {}


def settings() -> dict[str, Any]:
    """The report's thresholds, defaults, figure grids and claims, with source keys checked (a
    copy: read again when the file or the references change)."""
    return copy.deepcopy(_checked())


def _checked() -> dict[str, Any]:
    from ..parameters import load_references  # here: importing this module stays light (orbitdc.report)

    refs = load_references()  # cached by the reference files' stamps: the same object while they do not change
    try:
        stamp = (SETTINGS_FILE.stat().st_mtime_ns, id(refs))
    except OSError:
        stamp = None
    if stamp is not None and _CACHE.get("stamp") == stamp:
        return _CACHE["settings"]
    raw = read_yaml(SETTINGS_FILE)
    where = "data/report.yaml"
    for section in ("defaults", "thresholds", "figures", "claims", "limitations"):
        if section not in raw:
            raise OrbitdcError(f"{where}: missing section '{section}'")
    for name, t in raw["thresholds"].items():
        if not {"value", "unit", "source", "note"} <= set(t):
            raise OrbitdcError(f"{where}: threshold '{name}' needs value, unit, source and note")
    for item in [*raw["thresholds"].values(), *raw["figures"].values(), *raw["claims"]]:
        keys = item["source"] if isinstance(item["source"], list) else [item["source"]]
        bad = [k for k in keys if k not in refs]
        if bad:
            raise OrbitdcError(f"{where}: source '{bad[0]}' is not a reference key in data/references/")
    _CACHE.update(stamp=stamp, settings=raw)
    return raw


def threshold(name: str) -> float:
    """A verdict threshold's value (in the unit written beside it in data/report.yaml)."""
    return float(_checked()["thresholds"][name]["value"])
