"""Deprecated: ``orbitdc.plots`` moved into the report package: use orbitdc.report.figures.

Importing it warns (DeprecationWarning) and finds each name in its new module; it will be removed
in the next release.
"""
from __future__ import annotations

import warnings

from .report import figures, record, wording

MOVED_TO = "orbitdc.report.figures"
warnings.warn(f"orbitdc.plots is deprecated: use {MOVED_TO}", DeprecationWarning, stacklevel=2)
_MODULES = (figures, record, wording)


def __getattr__(name: str):
    for module in _MODULES:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'orbitdc.plots' has no attribute {name!r} (moved: {MOVED_TO})")
