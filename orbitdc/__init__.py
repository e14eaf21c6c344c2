"""orbitdc: could AI data centres in orbit work, and when would they beat the ground?

The public API (names are a contract, see README):

>>> import orbitdc as odc
>>> odc.list_architectures()
>>> ds = odc.evaluate("google-suncatcher", altitude=700, launch_price_per_kg=500)
>>> cmp = odc.compare(["spacex-starlink-compute", "terrestrial-hyperscale"])
>>> sw = odc.sweep("google-suncatcher", altitude=[500, 650, 800])
>>> tr = odc.trajectory("spacex-starlink-compute", years=range(2026, 2051))
"""
from __future__ import annotations

from ._version import __version__
from . import units  # noqa: F401  (enables USD, FLOP, rad_Si for astropy)
from .chain import compare, evaluate, sweep
from .design import optimize
from .parity import minimum_conditions, parity
from .scenarios import list_scenarios, scenario_changes, specific_mass_gap
from .errors import ArchitectureError, OrbitdcError, ParameterError
from .architectures import list_architectures, list_published, load_architecture
from .catalogs import load_catalog
from .parameters import Architecture, Parameter

# The year-by-year model. The function shadows its module's name on the package: import the
# module's other names with ``from orbitdc.trajectory import ...``.
from .trajectory import trajectory  # noqa: E402

__all__ = [
    "Architecture",
    "ArchitectureError",
    "OrbitdcError",
    "Parameter",
    "ParameterError",
    "compare",
    "evaluate",
    "list_architectures",
    "list_published",
    "load_architecture",
    "list_scenarios",
    "load_catalog",
    "minimum_conditions",
    "optimize",
    "parity",
    "scenario_changes",
    "specific_mass_gap",
    "reconcile",
    "sweep",
    "trajectory",
    "__version__",
]


def __getattr__(name):
    # monte_carlo and sensitivity live in uncertainty.py (dask, SALib); imported on first use.
    if name in ("monte_carlo", "sensitivity", "verdict_probabilities"):
        from . import uncertainty

        return getattr(uncertainty, name)

    if name == "reconcile":  # published figure -> full-TCO waterfall (issue 12)
        from .reconciliation import reconcile

        return reconcile
    raise AttributeError(f"module 'orbitdc' has no attribute {name!r}")
