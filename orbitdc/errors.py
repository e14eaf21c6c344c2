"""Exceptions raised by orbitdc.

Every error a user can cause by bad input derives from :class:`OrbitdcError` (itself a
``ValueError``), so the CLI can turn it into one line on stderr and exit status 2.
"""
from __future__ import annotations


class OrbitdcError(ValueError):
    """Base class for errors caused by bad input (files, parameters, overrides)."""


class ArchitectureError(OrbitdcError):
    """An architecture file, catalog or override is invalid.

    The message names the file, the parameter and the reason; the same pieces are kept as
    attributes for programmatic use.
    """

    def __init__(self, reason: str, *, file: str | None = None, parameter: str | None = None):
        self.file = file
        self.parameter = parameter
        self.reason = reason
        where = []
        if file:
            where.append(str(file))
        if parameter:
            where.append(f"parameter '{parameter}'")
        prefix = ": ".join(where)
        super().__init__(f"{prefix}: {reason}" if prefix else reason)


class ParameterError(OrbitdcError):
    """A model function was called with a value outside its physical domain."""

    def __init__(self, parameter: str, reason: str):
        self.parameter = parameter
        self.reason = reason
        super().__init__(f"parameter '{parameter}': {reason}")
