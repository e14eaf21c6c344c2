"""Deprecated: ``orbitdc.outdir`` moved into the report package: use orbitdc.report.folder.

Importing it warns (DeprecationWarning) and finds each name in its new module; it will be removed
in the next release.
"""
from __future__ import annotations

import warnings

from .report import folder

MOVED_TO = "orbitdc.report.folder"
warnings.warn(f"orbitdc.outdir is deprecated: use {MOVED_TO}", DeprecationWarning, stacklevel=2)
_MODULES = (folder,)


def __getattr__(name: str):
    for module in _MODULES:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'orbitdc.outdir' has no attribute {name!r} (moved: {MOVED_TO})")
