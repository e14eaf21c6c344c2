"""Old import paths of names that moved, kept working for one release with a DeprecationWarning.

A module whose names moved elsewhere lists them in a ``_MOVED`` mapping (name -> the module that
now defines it) and sets ``__getattr__ = forward_moved_names(__name__, _MOVED)`` (PEP 562): the
first ``from orbitdc.parameters import load_architecture`` warns and hands over
``orbitdc.architectures.load_architecture``. Nothing inside the package uses an old path
(``tests/test_layout.py`` checks it), so these forwards are not dependencies of the package: the
layout test lists them apart and leaves them out of its circle search.
"""
from __future__ import annotations

import importlib
import warnings
from typing import Any, Callable, Mapping

#: The release after which the old paths go away.
REMOVED_IN = "0.2"


def forward_moved_names(module: str, moved: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that forwards the names in ``moved`` to their new modules."""
    moved = dict(moved)

    def __getattr__(name: str) -> Any:
        target = moved.get(name)
        if target is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(f"{module}.{name} moved to {target}.{name}; the old name goes away in orbitdc {REMOVED_IN}",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(target), name)

    return __getattr__
