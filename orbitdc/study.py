"""Deprecated: ``orbitdc.study`` moved into the report package: use orbitdc.report.Study (orbitdc.report.study; value_of: orbitdc.report.record).

Importing it warns (DeprecationWarning) and finds each name in its new module; it will be removed
in the next release.
"""
from __future__ import annotations

import warnings

from .report import study, record

MOVED_TO = "orbitdc.report.Study (orbitdc.report.study; value_of: orbitdc.report.record)"
warnings.warn(f"orbitdc.study is deprecated: use {MOVED_TO}", DeprecationWarning, stacklevel=2)
_MODULES = (study, record)


def __getattr__(name: str):
    for module in _MODULES:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'orbitdc.study' has no attribute {name!r} (moved: {MOVED_TO})")
