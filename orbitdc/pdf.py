"""Deprecated: ``orbitdc.pdf`` moved into the report package: use orbitdc.report.pdf.

Importing it warns (DeprecationWarning) and finds each name in its new module; it will be removed
in the next release.
"""
from __future__ import annotations

import warnings

from .report import pdf

MOVED_TO = "orbitdc.report.pdf"
warnings.warn(f"orbitdc.pdf is deprecated: use {MOVED_TO}", DeprecationWarning, stacklevel=2)
_MODULES = (pdf,)


def __getattr__(name: str):
    for module in _MODULES:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'orbitdc.pdf' has no attribute {name!r} (moved: {MOVED_TO})")
