r"""Orbit commons: what a constellation costs the orbit it shares, and what sharing it costs the
constellation.

A constellation of ten thousand 100-kW satellites shares low Earth orbit with everyone else.
Starlink reported 148,696 collision-avoidance manoeuvres in the six months to November 2025 with
some 9,000 satellites; every manoeuvre spends propellant; every satellite must leave orbit within
the FCC's five years; an altitude band can hold only so many satellites before collisions feed
on themselves. This stage counts those per satellite, adds the avoidance propellant to the mass
budget (it runs before the mass stage, which adds ``avoidance_delta_v`` to the lifetime Delta-V),
and flags a constellation larger than its shell's capacity (``violates_shell_capacity``).

Models (equations with sources in the function docstrings; values in
``data/catalogs/debris_flux.csv`` and ``data/defaults/commons.yaml``)
--------------------------------------------------------------------------------------------

**Flux.** The flux of catalogued (about 10 cm and larger) objects through a satellite's
cross-section, :math:`F_{10}(h)` per m2 per year, is read from ``debris_flux.csv`` and interpolated
log-linearly in altitude (held at the end values outside the table; :func:`catalogued_flux`). The
flux of objects of 1 cm and larger is ``debris_size_ratio x F_10`` (ESA's population model: about
900,000 objects > 1 cm against 34,000 > 10 cm).

**Collision probability** (Poisson, kinetic theory): with the satellite's mean cross-section
:math:`\bar A` (a randomly oriented flat plate of one-side area A shows A/2 on average; A is the
solar array plus the radiator planform),

.. math:: P_{yr} = 1 - e^{-F_{10} \bar A \cdot 1\,\mathrm{yr}}

for objects large enough to fragment a satellite (ESA: a 10 cm impact "would entail a catastrophic
fragmentation of a typical satellite"), before any avoidance (:func:`collision_probability`).
``small_debris_impacts_per_year`` counts the 1-10 cm impacts (untracked, unavoidable; "a 1 cm
object will most likely disable a spacecraft", ESA) on the same area.

**Avoidance manoeuvres.** A conjunction in the encounter plane with miss distance r and an
isotropic combined position uncertainty :math:`\sigma` has collision probability
:math:`P_c = \frac{A_{hb}}{2\pi\sigma^2} e^{-r^2/2\sigma^2}` (hard-body area :math:`A_{hb}`,
Foster et al. 2007). An operator manoeuvres when :math:`P_c` exceeds a threshold :math:`P_{th}`,
i.e. for every object passing within :math:`r^{*2} = 2\sigma^2 \ln\frac{A_{hb}}{2\pi\sigma^2 P_{th}}`,
and objects cross that disk at the flux :math:`F_{10}`:

.. math:: N_{man} = F_{10}\, 2\pi\sigma^2 \ln\frac{A_{hb}}{2\pi\sigma^2 P_{th}} \quad (0 \text{ when the logarithm is negative})

(:func:`avoidance_manoeuvres`). ``sigma`` is calibrated so that a Starlink V2 Mini (116 m2 of
arrays and body) at 550 km with SpaceX's 3e-7 threshold makes Starlink's reported ~33 manoeuvres a
satellite-year; larger satellites and stricter thresholds manoeuvre more. The Delta-V a year is
``N_man x avoidance_delta_v_per_manoeuvre``.

**Deorbit.** The mass stage sizes a disposal burn for every satellite (to
``disposal_perigee_altitude``), which meets the FCC's 5-year rule by design. What the rule cannot
reach is a satellite that dies first: it decays on its own in ``orbit_lifetime`` years (orbit
stage). ``passive_reentry_within_rule`` says whether a dead satellite still re-enters within
``deorbit_rule_years``; ``derelict_satellites`` is the standing number of dead satellites in the
shell, ``satellites x satellite_failure_rate x min(orbit_lifetime, ...)`` by Little's law
(failures a year x years each stays). ``derelict_collision_probability`` is the chance that one
such dead satellite, which can no longer dodge, is hit by a catalogued object before it re-enters:
:math:`1 - e^{-F_{10} \bar A \, T_{orbit}}` at the flux of its operating altitude (an ASSUMPTION:
the flux is held while the orbit decays). For scale: the FCC's legacy limit on the probability of
collision with large objects is 0.001 per satellite (Lindsay et al. 2021).

**Shell capacity.** D'Ambrosio, Lifson and Linares (2022, MOCAT-3 source-sink model) estimate
the sustainable capacity of 200-900 km at about 12.6 million satellites (7 % failure rate).
Spread uniformly over that span (an ASSUMPTION: the paper's shell-by-shell optimum was not read),
a band of ``shell_width`` km around the orbit holds

.. math:: N_{shell} = \frac{N_{LEO}}{\Delta h_{LEO}} \, w \left(\frac{A_{ref}}{A}\right)^{\kappa}

satellites of planform area A, where :math:`A_{ref}` is the capacity study's reference satellite
and :math:`\kappa = 1`: collision risk grows with cross-section, so a satellite ten times larger
uses ten reference satellites' share of the risk (:func:`shell_capacity`).
``shell_capacity_fraction = satellites / N_shell``; above 1 the constellation alone needs more
than its shell's sustainable capacity and ``violates_shell_capacity`` is set.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np
import xarray as xr

from . import units
from ._constellation import satellites_for
from .frame import Output, Stage
from .catalogs import catalog_stamp, load_catalog
from .parameters import ParameterSpec

FLUX_CATALOG = "debris_flux"


def _arr(x: Any, unit: str, name: str, lo: float | None = 0.0, hi: float | None = None, *, lo_open=False):
    v = units.as_array(x, unit, name)
    units.check_domain(name, v, lo, hi, lo_open=lo_open, unit=unit if unit != "1" else "")
    return v


# --------------------------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _flux_table(stamp: str) -> tuple[np.ndarray, np.ndarray]:
    cat = load_catalog(FLUX_CATALOG)
    h = units.convert(np.asarray(cat["altitude"].values, dtype=float), cat["altitude"].attrs["units"], "km")
    fx = units.convert(np.asarray(cat["flux_catalogued"].values, dtype=float),
                       cat["flux_catalogued"].attrs["units"], "1/(m2 yr)")
    order = np.argsort(h)
    return np.asarray(h)[order], np.log(np.asarray(fx)[order])


def _catalogued_flux(h):
    hs, log_f = _flux_table(catalog_stamp(FLUX_CATALOG))  # re-read only when a catalog file changes
    return np.exp(np.interp(h, hs, log_f))  # np.interp holds the end values outside the table


def _collision_probability(flux, area, years):
    return -np.expm1(-flux * area * years)


def _manoeuvres(flux, hard_body_area, sigma, threshold):
    x = 2.0 * np.pi * sigma * sigma
    with np.errstate(divide="ignore", invalid="ignore"):
        log = np.log(hard_body_area / (x * threshold))
    return flux * x * np.maximum(log, 0.0)


def _shell_capacity(leo_capacity, leo_span, width, area, reference_area, exponent=1.0):
    with np.errstate(divide="ignore"):
        return leo_capacity / leo_span * width * (reference_area / area) ** exponent


# --------------------------------------------------------------------------------------------
# Public model functions
# --------------------------------------------------------------------------------------------
def catalogued_flux(altitude) -> xr.DataArray:
    r"""Flux of catalogued objects (~10 cm and larger) at a circular orbit's altitude [1/(m2 yr)].

    :math:`\ln F` is interpolated linearly in altitude between the rows of
    ``data/catalogs/debris_flux.csv`` and held at the end values outside them. Each row is
    derived from a published close-approach count: objects passing within a miss distance d cross
    a disk of :math:`\pi d^2`, so :math:`F = n_{approach} / (\pi d^2)` (1 a day within 5 km at 550 km
    gives 4.65e-6; 3.4 a day at 1,200 km gives 1.58e-5; Lewis 2022 from CelesTrak SOCRATES).
    """
    h = _arr(altitude, "km", "altitude", lo_open=True)
    return units.wrap(_catalogued_flux(h), "1/(m2 yr)", "flux of catalogued objects", "catalogued_flux")


def collision_probability(flux, area, duration=1.0) -> xr.DataArray:
    r"""Probability of at least one impact [1]: :math:`P = 1 - e^{-F A t}` (Poisson arrivals).

    ``flux`` in 1/(m2 yr), ``area`` the mean cross-section in m2, ``duration`` in yr.
    """
    f = _arr(flux, "1/(m2 yr)", "flux")
    a = _arr(area, "m2", "area")
    t = _arr(duration, "yr", "duration")
    return units.wrap(_collision_probability(f, a, t), "1", "probability of at least one impact", "collision_probability")


def avoidance_manoeuvres(flux, hard_body_area, position_sigma, probability_threshold) -> xr.DataArray:
    r"""Collision-avoidance manoeuvres a year for one satellite [1/yr].

    .. math:: N = F \, 2\pi\sigma^2 \ln\frac{A_{hb}}{2\pi\sigma^2 P_{th}}

    (zero when the logarithm is negative: no conjunction can reach the threshold). Derivation: the
    2-D Gaussian collision probability of a conjunction at miss distance r,
    :math:`P_c = A_{hb}/(2\pi\sigma^2)\, e^{-r^2/2\sigma^2}` (Foster et al. 2007), exceeds
    :math:`P_{th}` inside a disk of area :math:`\pi r^{*2}`, which objects cross at the flux F.
    ``flux`` in 1/(m2 yr), ``hard_body_area`` in m2, ``position_sigma`` in m, ``probability_threshold`` [1].
    """
    f = _arr(flux, "1/(m2 yr)", "flux")
    a = _arr(hard_body_area, "m2", "hard_body_area", lo_open=True)
    s = _arr(position_sigma, "m", "position_sigma", lo_open=True)
    p = _arr(probability_threshold, "1", "probability_threshold", 0.0, 1.0, lo_open=True)
    return units.wrap(_manoeuvres(f, a, s, p), "1/yr", "collision-avoidance manoeuvres a year", "avoidance_manoeuvres")


def shell_capacity(altitude_band, satellite_area, *, leo_capacity, leo_span, reference_area, exponent=1.0) -> xr.DataArray:
    r"""Satellites of a given size an altitude band can hold sustainably [1].

    .. math:: N_{shell} = \frac{N_{LEO}}{\Delta h_{LEO}} \, w \left(\frac{A_{ref}}{A}\right)^{\kappa}

    ``leo_capacity`` satellites over ``leo_span`` km of altitude (D'Ambrosio et al. 2022: about
    12.6 million over 200-900 km), spread uniformly (an assumption), in a band of ``altitude_band``
    km; a satellite of planform ``satellite_area`` m2 counts as :math:`(A/A_{ref})^\kappa` reference
    satellites of ``reference_area``.
    """
    w = _arr(altitude_band, "km", "altitude_band")
    a = _arr(satellite_area, "m2", "satellite_area", lo_open=True)
    n = _arr(leo_capacity, "1", "leo_capacity")
    span = _arr(leo_span, "km", "leo_span", lo_open=True)
    ref = _arr(reference_area, "m2", "reference_area", lo_open=True)
    k = _arr(exponent, "1", "exponent")
    return units.wrap(_shell_capacity(n, span, w, a, ref, k), "1", "sustainable satellites in the altitude band", "shell_capacity")


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------
def _get(f, name: str, fallback: float = np.nan):
    return f[name] if name in f else np.float64(fallback)


def _kernel(f) -> dict[str, Any]:
    """Commons stage on numpy arrays (a :class:`orbitdc.frame.Frame`): see the module docstring."""
    h = _get(f, "altitude")
    f10 = _catalogued_flux(h)
    planform = _get(f, "solar_array_area") + _get(f, "radiator_area")
    mean_area = 0.5 * planform  # a randomly oriented flat plate shows half its one-side area
    p_year = _collision_probability(f10, mean_area, 1.0)
    small = (f["debris_size_ratio"] - 1.0) * f10 * mean_area
    n_man = _manoeuvres(f10, planform, f["conjunction_position_sigma"], f["avoidance_probability_threshold"])
    dv = n_man * f["avoidance_delta_v_per_manoeuvre"]
    n_sat = satellites_for(f["target_it_power"], _get(f, "it_power"))
    capacity = _shell_capacity(f["leo_capacity"], f["leo_capacity_span"], f["shell_width"], planform,
                               f["capacity_reference_area"])
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = n_sat / capacity
    lifetime = _get(f, "orbit_lifetime")
    derelicts = n_sat * _get(f, "satellite_failure_rate", 0.0) * np.minimum(lifetime, 1e6)
    derelict_hit = _collision_probability(f10, mean_area, lifetime)  # it can no longer manoeuvre
    return {
        "catalogued_flux": f10,
        "collision_probability_per_year": p_year,
        "small_debris_impacts_per_year": small,
        "avoidance_manoeuvres_per_year": n_man,
        "avoidance_delta_v": dv,
        "shell_capacity": capacity,
        "shell_capacity_fraction": fraction,
        "derelict_satellites": derelicts,
        "derelict_collision_probability": derelict_hit,
        "passive_reentry_within_rule": lifetime <= f["deorbit_rule_years"],
        "violates_shell_capacity": fraction > 1.0,
    }


def run(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """The commons stage on an ``xarray.Dataset`` (see :meth:`orbitdc.frame.Stage.run`)."""
    return STAGE.run(ds)


def _p(unit, long_name, **kw) -> ParameterSpec:
    return ParameterSpec(unit, long_name, **kw)


PARAMETERS: dict[str, ParameterSpec] = {
    "debris_size_ratio": _p("1", "objects of 1 cm and larger per catalogued (~10 cm) object", minimum=1, maximum=1000),
    "conjunction_position_sigma": _p("m", "combined 1-sigma position uncertainty of a conjunction in the encounter plane",
                                     minimum=0, exclusive_minimum=True, maximum=100000),
    "avoidance_probability_threshold": _p("1", "collision probability above which the operator manoeuvres",
                                          minimum=0, exclusive_minimum=True, maximum=1),
    "avoidance_delta_v_per_manoeuvre": _p("m/s", "Delta-V of one collision-avoidance manoeuvre", minimum=0, maximum=100),
    "shell_width": _p("km", "altitude band the constellation occupies", minimum=0, exclusive_minimum=True, maximum=2000),
    "leo_capacity": _p("1", "sustainable number of satellites in the capacity study's altitude span", minimum=0),
    "leo_capacity_span": _p("km", "altitude span of the capacity study", minimum=0, exclusive_minimum=True, maximum=2000),
    "capacity_reference_area": _p("m2", "planform area of the capacity study's reference satellite",
                                  minimum=0, exclusive_minimum=True, maximum=10000),
    "deorbit_rule_years": _p("yr", "years within which a satellite must re-enter after its mission (FCC 22-74: 5)",
                             minimum=0, exclusive_minimum=True, maximum=100),
}

OUTPUTS: dict[str, Output] = {
    "catalogued_flux": Output("1/(m2 yr)", "flux of catalogued (~10 cm and larger) objects at the orbit"),
    "collision_probability_per_year": Output("1", "probability a satellite is hit by a catalogued object in a year, before avoidance"),
    "small_debris_impacts_per_year": Output("1/yr", "impacts of 1-10 cm debris (untracked, unavoidable) per satellite a year"),
    "avoidance_manoeuvres_per_year": Output("1/yr", "collision-avoidance manoeuvres per satellite a year"),
    "avoidance_delta_v": Output("m/(s yr)", "collision-avoidance Delta-V per satellite a year"),
    "shell_capacity": Output("1", "satellites of this size the constellation's altitude band can hold sustainably"),
    "shell_capacity_fraction": Output("1", "the constellation's share of its altitude band's sustainable capacity"),
    "derelict_satellites": Output("1", "standing number of failed satellites left to decay in the shell"),
    "derelict_collision_probability": Output("1", "probability a satellite that dies in orbit is hit by a catalogued object before it re-enters"),
    "passive_reentry_within_rule": Output("1", "a satellite that dies in orbit still re-enters within the deorbit rule"),
    "violates_shell_capacity": Output("1", "the constellation needs more satellites than the sustainable capacity of its altitude shell (D'Ambrosio et al. 2022, spread over 200-900 km, scaled by satellite area)"),
}

STAGE = Stage(name="commons", kernel=_kernel, parameters=PARAMETERS, outputs=OUTPUTS, kinds=frozenset({"space"}))
