"""Deprecated: ``orbitdc.report_settings`` moved into the report package: use orbitdc.report.settings.

Importing it warns (DeprecationWarning) and finds each name in its new module; it will be removed
in the next release.
"""
from __future__ import annotations

import warnings

from .report.settings import SETTINGS_FILE, settings, threshold  # noqa: F401  (the package's `settings` is the function)

MOVED_TO = "orbitdc.report.settings"
warnings.warn(f"orbitdc.report_settings is deprecated: use {MOVED_TO}", DeprecationWarning, stacklevel=2)
_MODULES = ()


def __getattr__(name: str):
    for module in _MODULES:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'orbitdc.report_settings' has no attribute {name!r} (moved: {MOVED_TO})")
