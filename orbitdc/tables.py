"""Deprecated: ``orbitdc.tables`` moved into the report package: use orbitdc.report.tables (methods_html: orbitdc.report.methods; claims_html: orbitdc.report.published).

Importing it warns (DeprecationWarning) and finds each name in its new module; it will be removed
in the next release.
"""
from __future__ import annotations

import warnings

from .report import tables, methods, published, wording

MOVED_TO = "orbitdc.report.tables (methods_html: orbitdc.report.methods; claims_html: orbitdc.report.published)"
warnings.warn(f"orbitdc.tables is deprecated: use {MOVED_TO}", DeprecationWarning, stacklevel=2)
_MODULES = (tables, methods, published, wording)


def __getattr__(name: str):
    for module in _MODULES:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'orbitdc.tables' has no attribute {name!r} (moved: {MOVED_TO})")
