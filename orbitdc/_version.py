"""The package's version (a module of its own so that any module can read it without importing the
package's ``__init__``: no import circle).

A literal, not ``importlib.metadata.version("orbitdc")``: reading the installed metadata costs
~0.1 s of CPU at every start (``orbitdc --version`` must answer in 0.3 s). It must equal
``project.version`` in pyproject.toml, which ``tests/test_packaging.py`` checks against both the
file and the installed metadata.
"""
from __future__ import annotations

__version__ = "0.1.0"
