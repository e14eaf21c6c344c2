"""The installed package's version (a module of its own so that any module can read it without
importing the package's ``__init__``, which imports most modules: no import circle)."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("orbitdc")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
