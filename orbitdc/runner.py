"""Deprecated: ``orbitdc.runner`` moved into the report package: use orbitdc.report.workers.

Importing it warns (DeprecationWarning) and finds each name in its new module; it will be removed
in the next release.
"""
from __future__ import annotations

import warnings

from .report import workers

MOVED_TO = "orbitdc.report.workers"
warnings.warn(f"orbitdc.runner is deprecated: use {MOVED_TO}", DeprecationWarning, stacklevel=2)
_MODULES = (workers,)


def __getattr__(name: str):
    for module in _MODULES:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'orbitdc.runner' has no attribute {name!r} (moved: {MOVED_TO})")
