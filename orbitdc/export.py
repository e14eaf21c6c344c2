"""Deprecated: ``orbitdc.export`` moved into the report package: use orbitdc.report.page.

Importing it warns (DeprecationWarning) and finds each name in its new module; it will be removed
in the next release.
"""
from __future__ import annotations

import warnings

from .report import page

MOVED_TO = "orbitdc.report.page"
warnings.warn(f"orbitdc.export is deprecated: use {MOVED_TO}", DeprecationWarning, stacklevel=2)
_MODULES = (page,)


def __getattr__(name: str):
    for module in _MODULES:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'orbitdc.export' has no attribute {name!r} (moved: {MOVED_TO})")
