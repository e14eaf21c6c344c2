"""Deprecated: ``orbitdc.report_sections`` moved into the report package: use orbitdc.report.beliefs (under whose beliefs?), orbitdc.report.published (costing, reconciliation), orbitdc.report.figures (when_figure), Study.show('when').

Importing it warns (DeprecationWarning) and finds each name in its new module; it will be removed
in the next release.
"""
from __future__ import annotations

import warnings

from .report import beliefs, published, figures, wording

MOVED_TO = "orbitdc.report.beliefs (under whose beliefs?), orbitdc.report.published (costing, reconciliation), orbitdc.report.figures (when_figure), Study.show('when')"
warnings.warn(f"orbitdc.report_sections is deprecated: use {MOVED_TO}", DeprecationWarning, stacklevel=2)
_MODULES = (beliefs, published, figures, wording)


def __getattr__(name: str):
    for module in _MODULES:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'orbitdc.report_sections' has no attribute {name!r} (moved: {MOVED_TO})")


def when_html(study):
    """The year-by-year chart of the study (now ``study.show("when")``)."""
    return study.show("when")
