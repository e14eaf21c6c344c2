"""Deprecated: ``orbitdc.verdicts`` moved into the report package: use orbitdc.report.wording (the words), orbitdc.report.record (the numbers), orbitdc.report.tables (the summary table).

Importing it warns (DeprecationWarning) and finds each name in its new module; it will be removed
in the next release.
"""
from __future__ import annotations

import warnings

from .report import wording, record, tables

MOVED_TO = "orbitdc.report.wording (the words), orbitdc.report.record (the numbers), orbitdc.report.tables (the summary table)"
warnings.warn(f"orbitdc.verdicts is deprecated: use {MOVED_TO}", DeprecationWarning, stacklevel=2)
_MODULES = (wording, record, tables)


def __getattr__(name: str):
    for module in _MODULES:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'orbitdc.verdicts' has no attribute {name!r} (moved: {MOVED_TO})")
