"""Deprecated: ``orbitdc.methods`` moved into the report package: use orbitdc.report.methods.

Importing it warns (DeprecationWarning) and finds each name in its new module; it will be removed
in the next release.
"""
from __future__ import annotations

import warnings

from .report import methods

MOVED_TO = "orbitdc.report.methods"
warnings.warn(f"orbitdc.methods is deprecated: use {MOVED_TO}", DeprecationWarning, stacklevel=2)
_MODULES = (methods,)


def __getattr__(name: str):
    for module in _MODULES:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'orbitdc.methods' has no attribute {name!r} (moved: {MOVED_TO})")
