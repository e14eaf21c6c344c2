"""The report's settings (``data/report.yaml``): verdict thresholds, default run, figure grids,
published claims. Read by :mod:`orbitdc.report` and by :mod:`orbitdc.plots` (which must not
import the report: dependencies point down)."""
from __future__ import annotations

from typing import Any

from .errors import OrbitdcError
from .parameters import DATA_DIR, load_references, read_yaml

SETTINGS_FILE = DATA_DIR / "report.yaml"


def settings() -> dict[str, Any]:
    """The report's thresholds, defaults, figure grids and claims, with source keys checked."""
    raw = read_yaml(SETTINGS_FILE)
    refs = load_references()
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
    return raw


def threshold(name: str) -> float:
    """A verdict threshold's value (in the unit written beside it in data/report.yaml)."""
    return float(settings()["thresholds"][name]["value"])
