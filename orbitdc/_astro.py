"""The one module that imports the poliastro API.

poliastro (https://github.com/poliastro/poliastro) was archived in 2023; its maintained fork is
boinor (same API under a different package name). orbitdc imports ``poliastro`` when it is
installed and falls back to ``boinor`` otherwise; every other orbitdc module imports the names it
needs from here, so the choice is made once.

Re-exported names: ``Orbit``, ``Earth``, ``Sun``, ``Maneuver``, ``CowellPropagator``,
``UmbraEvent``, ``PenumbraEvent``, ``COESA76``, ``func_twobody``, ``J2_perturbation``,
``atmospheric_drag``, ``eclipse_function`` (the shadow function UmbraEvent uses), ``J2_EARTH`` (Earth's J2, dimensionless), ``R_EARTH`` (equatorial radius,
astropy Quantity), ``GM_EARTH`` (astropy Quantity), ``OMEGA_EARTH`` (rotation rate, Quantity),
``BACKEND`` (the package name actually used) and ``BACKEND_VERSION``.
"""
from __future__ import annotations

try:  # pragma: no cover - depends on what is installed
    import poliastro as _backend  # type: ignore[import-not-found]

    BACKEND = "poliastro"
except ImportError:  # pragma: no cover
    import boinor as _backend  # type: ignore[no-redef]

    BACKEND = "boinor"

import importlib

BACKEND_VERSION: str = getattr(_backend, "__version__", "unknown")


def _sub(name: str):
    return importlib.import_module(f"{BACKEND}.{name}")


_bodies = _sub("bodies")
_constants = _sub("constants")
_twobody = _sub("twobody")
_maneuver = _sub("maneuver")
_propagation = _sub("twobody.propagation")
_events = _sub("twobody.events")
_core_perturbations = _sub("core.perturbations")
_core_propagation = _sub("core.propagation")
_atmosphere = _sub("earth.atmosphere")
_core_events = _sub("core.events")

Orbit = _twobody.Orbit
Earth = _bodies.Earth
Sun = _bodies.Sun
Maneuver = _maneuver.Maneuver
CowellPropagator = _propagation.CowellPropagator
UmbraEvent = _events.UmbraEvent
PenumbraEvent = _events.PenumbraEvent
COESA76 = _atmosphere.COESA76
func_twobody = _core_propagation.func_twobody
J2_perturbation = _core_perturbations.J2_perturbation
atmospheric_drag = _core_perturbations.atmospheric_drag
eclipse_function = _core_events.eclipse_function

# Earth constants as the backend defines them (sources: the backend's constants module, which
# cites IERS/IAU values: J2 = 1.08263e-3, R = 6378.1366 km, GM = 398600.4418 km3/s2).
J2_EARTH: float = float(_constants.J2_earth.value)
R_EARTH = _constants.R_earth
GM_EARTH = _constants.GM_earth
OMEGA_EARTH = Earth.angular_velocity

__all__ = [
    "BACKEND",
    "BACKEND_VERSION",
    "COESA76",
    "CowellPropagator",
    "Earth",
    "GM_EARTH",
    "J2_EARTH",
    "J2_perturbation",
    "Maneuver",
    "OMEGA_EARTH",
    "Orbit",
    "PenumbraEvent",
    "R_EARTH",
    "Sun",
    "UmbraEvent",
    "atmospheric_drag",
    "eclipse_function",
    "func_twobody",
]
