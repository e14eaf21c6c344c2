"""orbitdc: could AI data centres in orbit work, and when would they beat the ground?

The public API (names are a contract, see README):

>>> import orbitdc as odc
>>> odc.list_architectures()
>>> ds = odc.evaluate("google-suncatcher", altitude=700, launch_price_per_kg=500)
>>> cmp = odc.compare(["spacex-starlink-compute", "terrestrial-hyperscale"])
>>> sw = odc.sweep("google-suncatcher", altitude=[500, 650, 800])
>>> tr = odc.trajectory("spacex-starlink-compute", years=range(2026, 2051))

``import orbitdc`` is light: each public name is imported from the module that defines it when it
is first used (PEP 562), so the model (the stage modules, xarray, astropy, scipy, boinor) loads on
the first call that needs it, not at import. The table below is the whole of the deferral: the
stage list itself (:mod:`orbitdc.stages`) imports every stage by name.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
import types

from ._version import __version__
from .errors import ArchitectureError, OrbitdcError, ParameterError

#: Each public name and the module that defines it (imported on first use).
_PUBLIC = {
    "Architecture": "orbitdc.parameters",
    "Parameter": "orbitdc.parameters",
    "compare": "orbitdc.chain",
    "evaluate": "orbitdc.chain",
    "sweep": "orbitdc.chain",
    "list_architectures": "orbitdc.architectures",
    "list_published": "orbitdc.architectures",
    "list_scenarios": "orbitdc.architectures",
    "load_architecture": "orbitdc.architectures",
    "load_catalog": "orbitdc.catalogs",
    "minimum_conditions": "orbitdc.parity",
    "parity": "orbitdc.parity",
    "monte_carlo": "orbitdc.uncertainty",
    "sensitivity": "orbitdc.uncertainty",
    "verdict_probabilities": "orbitdc.uncertainty",
    "optimize": "orbitdc.design",
    "reconcile": "orbitdc.reconciliation",
    "scenario_changes": "orbitdc.scenarios",
    "specific_mass_gap": "orbitdc.scenarios",
    # The year-by-year model. The function shadows its module's name on the package: import the
    # module's other names with ``from orbitdc.trajectory import ...``.
    "trajectory": "orbitdc.trajectory",
}

#: Public functions named like the module that defines them: the package attribute is the function.
_SHADOWED = frozenset({"parity", "trajectory"})

__all__ = sorted([*_PUBLIC, "ArchitectureError", "OrbitdcError", "ParameterError", "__version__"])


def _submodules() -> frozenset[str]:
    """The package's own public modules (``orbitdc.chain``, ``orbitdc.units``, ...), from its folder."""
    return frozenset(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def __getattr__(name: str):
    module = _PUBLIC.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # once: later lookups find it without this function
        return value
    if name in _submodules():  # ``orbitdc.chain.describe()`` after a bare ``import orbitdc``
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'orbitdc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC) | _submodules())


class _Package(types.ModuleType):
    """The package module, keeping ``orbitdc.trajectory`` and ``orbitdc.parity`` the functions.

    Importing a submodule sets it as an attribute of its package; for the two public functions
    named like their module that would replace the function by the module whenever the module
    happened to be imported first (by the report, the CLI). The modules stay reachable as
    ``sys.modules["orbitdc.trajectory"]`` and by ``from orbitdc.trajectory import ...``.
    """

    def __setattr__(self, name: str, value) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
