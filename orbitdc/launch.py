r"""Launch: vehicles, payload to the target orbit, packing, price learning, cadence, emissions.

Launch is the lever each company pulls differently: SpaceX flies its own Starship at internal
cost, Blue Origin its own New Glenn, and a buyer such as OpenAI pays the market price unless it
takes a stake in a launch company. This stage turns a satellite (``satellite_mass``,
``satellites`` from the mass stage) and an orbit (``altitude``, ``inclination`` from the orbit
stage) into launches, a launch bill, a deployment time and launch CO2, for a vehicle chosen from
``data/catalogs/launch_vehicles.csv`` (``launch_vehicle``, sweepable: every lookup is vectorised).

Models (equations; sources in the docstrings and ``data/references/launch.yaml``)
---------------------------------------------------------------------------------

**Payload to the target orbit.** The catalog gives each vehicle's payload ``m_ref`` to a reference
orbit (altitude ``h_ref``, inclination ``i_ref``). The extra delta-v to the target orbit is the
altitude change, the launch azimuth and, for an inclination below the site latitude, a plane change:

.. math::

    \Delta v_{extra} &= \pm \Delta v_{Hohmann}(r_{ref} \to r) + \left[w(i') - w(i'_{ref})\right]
        + \begin{cases} 2 v \sin\frac{\varphi - i}{2} & i < |\varphi| \\ 0 & \text{otherwise} \end{cases} \\
    w(i) &= \sqrt{v^2 - 2 v \omega R \cos i + (\omega R \cos\varphi)^2}

where ``dv_Hohmann`` is the closed form that poliastro's ``Maneuver.hohmann`` implements (the
tests check they agree), ``w(i)`` is the speed the vehicle must add to the launch site's
rotation speed to reach circular speed ``v`` on an orbit of inclination ``i`` launched directly
(azimuth ``sin(beta) = cos(i)/cos(phi)``, Vallado 2013 sec. 6.4), ``i' = max(i, |phi|)``, and an
inclination below the site latitude ``phi`` costs a plane change at the target's circular speed.
The payload follows from the rocket equation of one *effective final stage* of gross mass ``M``,
dry fraction ``eps`` and effective exhaust velocity ``c = g0 Isp_eff``:

.. math::

    \Delta v(m) &= c \ln\frac{M + m}{\varepsilon M + m}, \qquad \Delta v(m) = \Delta v(m_{ref}) + \Delta v_{extra} \\
    \Rightarrow\; m &= \frac{M (1 - R \varepsilon)}{R - 1}, \qquad R = \frac{M + m_{ref}}{\varepsilon M + m_{ref}} e^{\Delta v_{extra} / c}

``M`` and ``eps`` are the catalog's upper-stage figures. A per-kg service (rideshare) derates its
host flight's payload (``host_payload``) and scales the booked slot with it, capped at the slot. ``Isp_eff`` is calibrated in closed form
so that each vehicle with a published SSO payload reproduces it exactly
(``c = dv_sso / ln(R_sso / R_ref)``); a vehicle without one uses its engine's vacuum Isp scaled by
the geometric mean of the calibrated ratios ``Isp_eff / Isp_vac`` (:func:`upper_stage_calibration`)
over the vehicles whose published payloads are delivered by the catalog's final stage alone. A
vehicle flagged ``kick_stage`` (Electron: its second stage always ends on an elliptical transfer
orbit and the Curie kick stage circularises) keeps its own calibrated Isp, which stands for two
stages and so may exceed the final stage's vacuum Isp, but is left out of that mean: its ratio
says nothing about the losses of a single final stage.

**Packing.** Per launch: ``n = min(floor(P / m), floor(V eta rho / m), dispenser_capacity)`` with
payload ``P``, satellite mass ``m``, usable fairing volume ``V = pi d^2 h / 4``, packing
efficiency ``eta`` and stowed density ``rho``. Launches for the initial deployment are
``ceil(N / n) / (1 - p_fail)`` (expected, with a launch failure probability ``p_fail``);
replacement launches per year are ``N lambda / n / (1 - p_fail)`` for a satellite failure rate
``lambda``. A satellite heavier than the payload (or bulkier than the fairing) is infeasible
(``violates_launch_mass`` / ``violates_launch_volume``) unless ``on_orbit_assembly`` is set: then
it is split into ``k = ceil(m / min(P, V eta rho))`` modules, one launch each.

**Price.** ``launch_price_per_kg`` is quoted the way its sources quote it: per kg of payload
capacity to the vehicle's reference LEO (``vehicle_payload_leo``, the catalog's
``payload_reference``). A dedicated flight is bought whole, so it costs
``vehicle_payload_leo x launch_price_per_kg`` whatever the target orbit; a higher orbit carries
less (``payload_to_orbit``, derated above) for the same price, which is where the target orbit
costs more per kg delivered. A per-kg service (rideshare) bills the mass carried. So
``launch_cost = launches x billed mass x launch_price_per_kg`` (affine in the price, as the
economics stage's break-even needs). The learning curve (Wright 1936; ~20 % per doubling in
Suncatcher) serves the timeline and the break-even year, outside the chain's price:

    cost(M) = floor + (cost0 - floor) (M / M0)^b,    b = log2(1 - learning_rate)  (orbitdc._learning)
    price   = cost (1 + margin) unless vertically integrated

with ``M`` the cumulative mass launched by the vehicle (family), growing with a cadence that ramps
linearly from today's flights per year (``reference_year``) to the planned ones (``planned_year``)
and then grows by ``launch_cadence_growth_rate`` a year, as the year-by-year fleet's ramps do after
their plan's last point (:func:`cumulative_flights`, inverted in closed form by
:func:`year_price_reaches`): one cadence model for the static chain and the trajectory.

**Deployment.** The programme gets ``launch_cadence_share`` of the vehicle's flights from
``start_year``; ``deployment_years`` is the time to fly the initial launches
(:func:`deployment_timeline` gives capacity online by year, outside the chain).

**Emissions.** CO2 per launch = sum over propellant kinds of loaded mass x kg CO2 per kg
(``data/catalogs/propellants.csv``: complete oxidation of the fuel's carbon); per-kg services are
attributed by mass share. ``launch_co2`` covers the initial launches plus replacements over
``mission_lifetime``; ``launch_co2_per_kwh`` divides it by the IT energy delivered over that life,
to set beside ``grid_carbon_intensity`` (ASCEND: orbital compute only saves CO2 with a much
cleaner launcher).

Missing upstream stages: a variable an earlier stage has not produced (its module does not exist)
is read as NaN, so the outputs depending on it are NaN, not invented.
"""
from __future__ import annotations

import functools
from typing import Any

import astropy.constants as const
import astropy.units as u
import numpy as np
import xarray as xr

from . import _learning, units
from .frame import Output, Stage
from .errors import ArchitectureError, ParameterError
from ._launch_vehicles import (CATALOG, VEHICLE_PARAMETERS, _cum_flights, _inverse_cum_flights, _vehicle_names,  # noqa: F401
                               _vehicle_param, _vv, _year_kernel, vehicles)
from .catalogs import catalog_choices, catalog_generation, catalog_lookup, catalog_stamp, catalog_value, load_catalog
from .parameters import ParameterSpec, default_value

PROPELLANTS = "propellants"
#: Propellant kinds with a ``propellant_mass_<kind>`` field in the vehicle catalog.
PROPELLANT_KINDS = ("rp1", "methane", "hydrogen", "solid")

G0 = float(const.g0.to_value("m/s2"))  # standard gravity: the Isp convention of the rocket equation
HOURS_PER_YEAR = float(u.yr.to(u.h))  # Julian year, 8,766 h
_KG_PER_T = 1000.0
_G_PER_T = 1.0e6


# --------------------------------------------------------------------------------------------
# Earth constants, through the single poliastro-API module
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _earth() -> tuple[float, float, float]:
    """(GM [km3/s2], equatorial radius [km], rotation rate [rad/s]) from orbitdc._astro."""
    from ._astro import GM_EARTH, OMEGA_EARTH, R_EARTH

    return (float(GM_EARTH.to_value(u.km**3 / u.s**2)), float(R_EARTH.to_value(u.km)),
            float(OMEGA_EARTH.to_value(u.rad / u.s)))


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def _da(x: Any) -> xr.DataArray:
    return x if isinstance(x, xr.DataArray) else xr.DataArray(np.asarray(x, dtype=float))


def _num(x: Any, unit: str, name: str, lo: float | None = None, hi: float | None = None,
         lo_open: bool = False, hi_open: bool = False) -> xr.DataArray:
    """Strip units to a float DataArray and check the domain (NaN passes: absent upstream)."""
    v = _da(units.strip(x, unit, name))
    a = np.asarray(v.values, dtype=float)
    if np.isinf(a).any() and not (lo is None and hi is None):
        raise ParameterError(name, "must be finite")
    with np.errstate(invalid="ignore"):
        if lo is not None:
            bad = (a <= lo) if lo_open else (a < lo)
            if np.any(bad):
                op = ">" if lo_open else ">="
                raise ParameterError(name, f"{a[bad].flat[0]:g} {unit} is out of range: must be {op} {lo:g} {unit}")
        if hi is not None:
            bad = (a >= hi) if hi_open else (a > hi)
            if np.any(bad):
                op = "<" if hi_open else "<="
                raise ParameterError(name, f"{a[bad].flat[0]:g} {unit} is out of range: must be {op} {hi:g} {unit}")
    return v


def _get(f, name: str, fallback: float = np.nan):
    """An upstream variable, or ``fallback`` (NaN: the stage producing it is absent)."""
    return f[name] if name in f else np.float64(fallback)


def _vehicle_key(vehicle: Any) -> xr.DataArray:
    """A DataArray of vehicle names; unknown names -> ParameterError listing the known ones."""
    key = vehicle if isinstance(vehicle, xr.DataArray) else xr.DataArray(np.asarray(vehicle))
    known = vehicles()
    names = np.unique(np.asarray(key.values).astype(str))
    bad = [n for n in names if n not in known]
    if bad:
        raise ParameterError("launch_vehicle", f"'{bad[0]}' is not a known launch vehicle; known: {', '.join(known)}")
    return key.astype(str)


def vehicle_value(vehicle: Any, field: str, unit: str, default: float | None = None) -> xr.DataArray:
    """Catalog ``field`` of ``vehicle`` (a name or a DataArray of names) in ``unit``, vectorised.

    ``default`` fills cells the catalog leaves empty (optional fields such as ``payload_sso`` or
    ``propellant_mass_<kind>``); without it a missing cell is an error.
    """
    key = _vehicle_key(vehicle)
    if default is None:
        return catalog_value(CATALOG, field, key, unit)
    cat = load_catalog(CATALOG)
    if field not in cat:
        return xr.full_like(key, default, dtype=float)
    da = units.convert(cat[field].fillna(np.nan), cat[field].attrs.get("units", "1"), unit, field)
    da = da.fillna(default)
    picked = da.sel(entry=key).drop_vars("entry", errors="ignore")
    return picked.drop_attrs() if hasattr(picked, "drop_attrs") else picked


def _per_entry(field: str, unit: str, default: float | None = None) -> np.ndarray:
    """A catalog field over all entries (catalog order), as floats in ``unit``."""
    cat = load_catalog(CATALOG)
    if field not in cat:
        return np.full(cat.sizes["entry"], np.nan if default is None else default)
    vals = np.asarray(units.convert(cat[field].values.astype(float), cat[field].attrs.get("units", "1"), unit, field), dtype=float)
    return np.where(np.isnan(vals), np.nan if default is None else default, vals)


# --------------------------------------------------------------------------------------------
# Orbital mechanics (closed forms; validated against poliastro's Maneuver.hohmann in the tests)
# --------------------------------------------------------------------------------------------
def _hohmann(r1, r2, mu):
    """Kernel: (dv_a, dv_b) magnitudes [km/s] of a Hohmann transfer between circular radii [km]."""
    a_t = 0.5 * (r1 + r2)
    dv_a = np.abs(np.sqrt(2.0 * mu / r1 - mu / a_t) - np.sqrt(mu / r1))
    dv_b = np.abs(np.sqrt(mu / r2) - np.sqrt(2.0 * mu / r2 - mu / a_t))
    return dv_a, dv_b


def hohmann_delta_v(altitude_initial, altitude_final) -> xr.DataArray:
    r"""Total delta-v [m/s] of a Hohmann transfer between two circular orbits (altitudes [km]).

    .. math::

       \Delta v = \left|\sqrt{\frac{2\mu}{r_1} - \frac{\mu}{a}} - \sqrt{\frac{\mu}{r_1}}\right|
                 + \left|\sqrt{\frac{\mu}{r_2}} - \sqrt{\frac{2\mu}{r_2} - \frac{\mu}{a}}\right|,
       \qquad a = \frac{r_1 + r_2}{2}

    (Vallado 2013, Algorithm 36; the equation poliastro/boinor's
    ``Maneuver.hohmann`` implements). Earth's GM and radius come from ``orbitdc._astro``.
    """
    mu, re, _ = _earth()
    h1 = _num(altitude_initial, "km", "altitude_initial", lo=-re, lo_open=True)
    h2 = _num(altitude_final, "km", "altitude_final", lo=-re, lo_open=True)
    dv_a, dv_b = _hohmann(re + h1, re + h2, mu)
    return units.wrap((dv_a + dv_b) * 1000.0, "m/s", "Hohmann transfer delta-v")


def hohmann_delta_v_poliastro(altitude_initial, altitude_final) -> float:
    """The same delta-v [m/s] from poliastro/boinor's ``Maneuver.hohmann`` (scalar; validation)."""
    from ._astro import Earth, Maneuver, Orbit

    h1 = float(units.strip(altitude_initial, "km", "altitude_initial"))
    h2 = float(units.strip(altitude_final, "km", "altitude_final"))
    orb = Orbit.circular(Earth, alt=h1 * u.km)
    man = Maneuver.hohmann(orb, (Earth.R + h2 * u.km))
    return float(man.get_total_cost().to_value(u.m / u.s))


def _ascent_speed(v, inc_rad, lat_rad, omega_r):
    """Kernel: speed added to the site's rotation to reach circular speed ``v`` at inclination i."""
    vs = omega_r * np.cos(lat_rad)
    return np.sqrt(v * v - 2.0 * v * omega_r * np.cos(inc_rad) + vs * vs)


def _extra_delta_v(h_ref, i_ref, h, i, lat):
    """Kernel: extra delta-v [m/s] from the reference orbit (h_ref [km], i_ref [deg]) to (h, i).

    Altitude change by a Hohmann transfer (signed: a lower target gives a credit), the launch
    azimuth term for inclinations reachable directly (``i >= |phi|``) and a plane change at the
    target's circular speed for inclinations below the site latitude.
    """
    mu, re, omega = _earth()
    omega_r = omega * re  # km/s
    r_ref, r = re + h_ref, re + h
    dv_a, dv_b = _hohmann(r_ref, r, mu)
    d_alt = np.sign(r - r_ref) * (dv_a + dv_b)
    phi = np.abs(np.deg2rad(lat))
    inc, inc_ref = np.deg2rad(i), np.deg2rad(i_ref)
    # retrograde orbits (i > 90) are reached directly too; a target below |phi| (or above 180-|phi|)
    # is launched at the nearest reachable inclination, then the plane is changed
    i_eff = np.clip(inc, phi, np.pi - phi)
    i_ref_eff = np.clip(inc_ref, phi, np.pi - phi)
    v_ref = np.sqrt(mu / r_ref)
    d_az = _ascent_speed(v_ref, i_eff, phi, omega_r) - _ascent_speed(v_ref, i_ref_eff, phi, omega_r)
    v = np.sqrt(mu / r)
    d_pc = 2.0 * v * np.abs(np.sin(0.5 * (i_eff - inc))) - 2.0 * v_ref * np.abs(np.sin(0.5 * (i_ref_eff - inc_ref)))
    return (d_alt + d_az + d_pc) * 1000.0


def extra_delta_v(reference_altitude, reference_inclination, altitude, inclination, site_latitude) -> xr.DataArray:
    """Extra delta-v [m/s] from a vehicle's reference orbit to a target orbit (see module docstring).

    Parameters: altitudes [km], inclinations [deg, 0-180], launch-site latitude [deg, -90..90].
    Negative where the target is easier than the reference (lower, or closer to due east).
    """
    h_ref = _num(reference_altitude, "km", "reference_altitude", lo=0)
    i_ref = _num(reference_inclination, "deg", "reference_inclination", lo=0, hi=180)
    h = _num(altitude, "km", "altitude", lo=0)
    i = _num(inclination, "deg", "inclination", lo=0, hi=180)
    lat = _num(site_latitude, "deg", "site_latitude", lo=-90, hi=90)
    return units.wrap(_extra_delta_v(h_ref, i_ref, h, i, lat), "m/s", "extra delta-v from the reference orbit")


# --------------------------------------------------------------------------------------------
# Effective upper stage: rocket equation, calibrated on the published SSO payloads
# --------------------------------------------------------------------------------------------
def _stage_ratio(stage_mass, dry_fraction, payload):
    return (stage_mass + payload) / (dry_fraction * stage_mass + payload)


def _payload_after(m_ref, dv_extra, c, stage_mass, eps):
    """Kernel: payload [same unit as m_ref] after ``dv_extra`` [m/s] more (0 when unreachable)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        r = _stage_ratio(stage_mass, eps, m_ref) * np.exp(dv_extra / c)
        m = stage_mass * (1.0 - r * eps) / (r - 1.0)
    return np.where(r > 1.0, np.clip(m, 0.0, None), np.inf)


def payload_after_delta_v(payload_reference, extra_delta_v, effective_isp, stage_mass, dry_fraction) -> xr.DataArray:
    r"""Payload [kg] left after ``extra_delta_v`` [m/s] beyond the reference mission.

    One effective final stage (gross ``stage_mass`` [kg], ``dry_fraction`` = dry/gross,
    ``effective_isp`` [s]), reference payload :math:`m_{ref}`:

    .. math:: m = M \frac{1 - R \varepsilon}{R - 1}, \qquad
              R = \frac{M + m_{ref}}{\varepsilon M + m_{ref}} \exp\frac{\Delta v}{g_0 I_{sp}}

    with :math:`M` the stage mass and :math:`\varepsilon` the dry fraction (Tsiolkovsky; Sutton & Biblarz 2017 ch. 4).
    Zero when the stage cannot give the extra delta-v at all.
    """
    m_ref = _num(payload_reference, "kg", "payload_reference", lo=0, lo_open=True)
    dv = _num(extra_delta_v, "m/s", "extra_delta_v")
    isp = _num(effective_isp, "s", "effective_isp", lo=0, lo_open=True)
    ms = _num(stage_mass, "kg", "stage_mass", lo=0, lo_open=True)
    eps = _num(dry_fraction, "1", "dry_fraction", lo=0, hi=1, hi_open=True)
    out = xr.apply_ufunc(_payload_after, m_ref, dv, isp * G0, ms, eps)
    return units.wrap(out, "kg", "payload to the target orbit")


@functools.lru_cache(maxsize=4)
def _calibration_cached(stamp: str) -> dict[str, Any]:
    cat = load_catalog(CATALOG)
    names = [str(x) for x in cat["entry"].values]
    m_ref = _per_entry("payload_reference", "kg")
    ms = _per_entry("upper_stage_mass", "kg")
    eps = _per_entry("upper_stage_dry_fraction", "1")
    isp_vac = _per_entry("upper_stage_isp", "s")
    m_sso = _per_entry("payload_sso", "kg")
    dv = _extra_delta_v(_per_entry("reference_altitude", "km"), _per_entry("reference_inclination", "deg"),
                        _per_entry("sso_altitude", "km"), _per_entry("sso_inclination", "deg"),
                        _per_entry("site_latitude", "deg"))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.log(_stage_ratio(ms, eps, m_sso) / _stage_ratio(ms, eps, m_ref))
        c_cal = dv / ratio
    calibrated = np.isfinite(m_sso) & np.isfinite(c_cal) & (c_cal > 0)
    bad = np.isfinite(m_sso) & ~calibrated
    if bad.any():
        name = names[int(np.flatnonzero(bad)[0])]
        raise ArchitectureError(f"vehicle '{name}': the published SSO payload cannot be reproduced by the effective "
                                "upper-stage model (no positive effective Isp fits)", parameter="payload_sso")
    isp_cal = c_cal / G0
    # a vehicle whose published payloads need a kick stage (a third stage the catalog does not
    # describe) calibrates its own effective Isp but not the factor applied to other vehicles
    kick = _per_entry("kick_stage", "1", default=0.0) > 0
    single = calibrated & ~kick
    factors = isp_cal[single] / isp_vac[single]
    factor = float(np.exp(np.mean(np.log(factors)))) if factors.size else 1.0
    isp_eff = np.where(calibrated, isp_cal, isp_vac * factor)
    return {"entries": names, "effective_isp": isp_eff, "calibrated": calibrated, "kick_stage": kick,
            "isp_factor": factor, "factors": dict(zip(np.array(names)[single], factors))}


def upper_stage_calibration() -> dict[str, Any]:
    """The effective-Isp calibration: per-vehicle ``effective_isp`` [s], which are ``calibrated``
    on a published SSO payload, which need a ``kick_stage``, and the default ``isp_factor``
    (geometric mean of Isp_eff/Isp_vac over the calibrated vehicles without a kick stage, listed in
    ``factors``) applied to the others."""
    # shipped and --data-dir catalog files (their stamp) and catalogs/ folders next to user architectures
    return _calibration_cached(f"{catalog_stamp(CATALOG)}:{catalog_generation()}")


def effective_isp(vehicle: Any) -> xr.DataArray:
    """Calibrated effective Isp [s] of ``vehicle`` (a name or a DataArray of names)."""
    key = _vehicle_key(vehicle)
    cal = upper_stage_calibration()
    da = xr.DataArray(cal["effective_isp"], dims="entry", coords={"entry": cal["entries"]})
    return units.wrap(da.sel(entry=key).drop_vars("entry", errors="ignore"), "s", "effective upper-stage Isp")


def payload_to_orbit(vehicle, altitude, inclination) -> xr.DataArray:
    """Payload [kg] of ``vehicle`` to a circular orbit (``altitude`` [km], ``inclination`` [deg]).

    Derated from the catalog's reference payload by :func:`extra_delta_v` through the calibrated
    effective upper stage (module docstring). Vectorised over names and orbits.
    """
    key = _vehicle_key(vehicle)
    h = _num(altitude, "km", "altitude", lo=0)
    i = _num(inclination, "deg", "inclination", lo=0, hi=180)
    return units.wrap(_payload_kernel(key, h, i), "kg", "payload to the target orbit")


def _payload_kernel(key, h, i):
    dv = xr.apply_ufunc(_extra_delta_v, vehicle_value(key, "reference_altitude", "km"),
                        vehicle_value(key, "reference_inclination", "deg"), h, i,
                        vehicle_value(key, "site_latitude", "deg"))
    c = effective_isp(key) * G0
    m_ref = vehicle_value(key, "payload_reference", "kg")
    # a per-kg service (rideshare) books a slot on a host flight: derate the host's payload and
    # scale the slot with it, never above the slot booked
    host = vehicle_value(key, "host_payload", "kg", default=np.nan)
    has_host = host.notnull()
    m_derate = xr.where(has_host, host, m_ref)
    p = xr.apply_ufunc(_payload_after, m_derate, dv, c, vehicle_value(key, "upper_stage_mass", "kg"),
                       vehicle_value(key, "upper_stage_dry_fraction", "1"))
    return xr.where(has_host, np.minimum(p * m_ref / host, m_ref), p)


# --------------------------------------------------------------------------------------------
# Packing
# --------------------------------------------------------------------------------------------
def fairing_volume(vehicle) -> xr.DataArray:
    """Usable fairing volume [m3] of ``vehicle``: the usable envelope as a cylinder, pi d^2 h / 4."""
    d = vehicle_value(vehicle, "fairing_diameter", "m")
    hgt = vehicle_value(vehicle, "fairing_height", "m")
    return units.wrap(np.pi * d * d * hgt / 4.0, "m3", "usable fairing volume")


def _packing(payload, sat_mass, volume, density, efficiency, dispenser, assembly):
    """Kernel: (satellites per launch, modules per satellite, mass-limited?, volume-limited?)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        by_mass = np.floor(payload / sat_mass * (1.0 + 1e-12))
        vol_mass = volume * efficiency * density  # kg of stowed satellite the fairing holds
        by_volume = np.floor(vol_mass / sat_mass * (1.0 + 1e-12))
        whole = np.minimum(np.minimum(by_mass, by_volume), dispenser)
        too_heavy = sat_mass > payload * (1.0 + 1e-12)
        too_bulky = sat_mass > vol_mass * (1.0 + 1e-12)
        limit = np.minimum(payload, vol_mass)
        modules = np.where(too_heavy | too_bulky, np.ceil(sat_mass / limit * (1.0 - 1e-12)), 1.0)
        split = assembly & (too_heavy | too_bulky) & (limit > 0)
        per_launch = np.where(split, 1.0 / modules, whole)
        modules = np.where(split, modules, 1.0)
    # every output on the full broadcast shape (apply_ufunc needs it when inputs sweep different dims)
    shape = np.broadcast_shapes(*(np.shape(x) for x in (payload, sat_mass, volume, density, efficiency, dispenser, assembly)))
    return tuple(np.broadcast_to(x, shape).copy() for x in (per_launch, modules, too_heavy, too_bulky))


def satellites_per_launch(payload, satellite_mass, fairing_volume, stowed_density, packing_efficiency,
                          dispenser_capacity, on_orbit_assembly=False) -> xr.DataArray:
    r"""Satellites per launch [1], limited by mass, stowed volume and dispenser count.

    :math:`n = \min(\lfloor P/m \rfloor, \lfloor V \eta \rho / m \rfloor, n_{disp})` (:math:`P` payload,
    :math:`m` satellite mass, :math:`V` fairing volume, :math:`\eta` packing efficiency, :math:`\rho` stowed
    density, :math:`n_{disp}` = ``dispenser_capacity``); 0 when one satellite does not fit
    (mass or volume), unless ``on_orbit_assembly``: then :math:`1/k` with :math:`k` modules per satellite,
    :math:`k = \lceil m / \min(P, V \eta \rho) \rceil`. Units: payload and satellite mass [kg], volume [m3],
    density [kg/m3].
    """
    p = _num(payload, "kg", "payload", lo=0)
    m = _num(satellite_mass, "kg", "satellite_mass", lo=0, lo_open=True)
    v = _num(fairing_volume, "m3", "fairing_volume", lo=0)
    rho = _num(stowed_density, "kg/m3", "satellite_stowed_density", lo=0, lo_open=True)
    eta = _num(packing_efficiency, "1", "fairing_packing_efficiency", lo=0, hi=1, lo_open=True)
    disp = _num(dispenser_capacity, "1", "dispenser_capacity", lo=1)
    asm = _da(on_orbit_assembly).astype(bool)
    n, _, _, _ = xr.apply_ufunc(_packing, p, m, v, rho, eta, disp, asm, output_core_dims=[[], [], [], []])
    return units.wrap(n, "1", "satellites per launch")


def _launch_counts(n_sat, per_launch, p_fail):
    with np.errstate(divide="ignore", invalid="ignore"):
        flights = np.where(per_launch == 0, np.inf, np.ceil(n_sat / per_launch * (1.0 - 1e-12)))
        flights = np.where(n_sat == 0, 0.0, flights)
    return flights / (1.0 - p_fail)


def launches_needed(satellites, satellites_per_launch, launch_failure_probability=0.0) -> xr.DataArray:
    r"""Expected launches [1] to deploy ``satellites``: :math:`\lceil N / n \rceil / (1 - p_{fail})` (inf if :math:`n = 0`)."""
    n_sat = _num(satellites, "1", "satellites", lo=0)
    spl = _num(satellites_per_launch, "1", "satellites_per_launch", lo=0)
    pf = _num(launch_failure_probability, "1", "launch_failure_probability", lo=0, hi=1, hi_open=True)
    return units.wrap(xr.apply_ufunc(_launch_counts, n_sat, spl, pf), "1", "launches for the initial deployment")


def replacement_launches_per_year(satellites, satellites_per_launch, satellite_failure_rate,
                                  launch_failure_probability=0.0, mission_lifetime=None) -> xr.DataArray:
    r"""Replacement launches per year [1/yr]: :math:`N (\lambda\ [+\ 1/T]) / n / (1 - p_{fail})`.

    Failed satellites (rate :math:`\lambda` [1/yr]) are replaced; given ``mission_lifetime`` :math:`T` [yr], the
    steady-state replacement of satellites reaching end of life (:math:`1/T`) is added too (the
    chain does not: it covers one generation of ``mission_lifetime`` years).
    """
    n_sat = _num(satellites, "1", "satellites", lo=0)
    spl = _num(satellites_per_launch, "1", "satellites_per_launch", lo=0)
    lam = _num(satellite_failure_rate, "1/yr", "satellite_failure_rate", lo=0)
    pf = _num(launch_failure_probability, "1", "launch_failure_probability", lo=0, hi=1, hi_open=True)
    rate = lam
    if mission_lifetime is not None:
        rate = lam + 1.0 / _num(mission_lifetime, "yr", "mission_lifetime", lo=0, lo_open=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = xr.where(spl == 0, np.inf, n_sat * rate / spl) / (1.0 - pf)
    return units.wrap(out, "1/yr", "replacement launches per year")


# --------------------------------------------------------------------------------------------
# Price: Wright's law on cumulative mass, market price vs internal cost, cadence scenario
# --------------------------------------------------------------------------------------------
def _check_learning_rate(lr):
    return _num(lr, "1", "launch_learning_rate", lo=0, hi=1, hi_open=True)


def learning_curve_price(initial_price, cumulative_mass, initial_cumulative_mass, learning_rate, floor=0.0) -> xr.DataArray:
    r"""Wright's law on cumulative launched mass, with a floor [USD/kg].

    .. math:: \text{price} = p_{floor} + (p_0 - p_{floor}) \left(\frac{M}{M_0}\right)^{b}, \qquad
              b = \log_2(1 - \text{learning_rate})

    Each doubling of cumulative mass :math:`M` cuts the part above the floor (propellant, refurbishment, operations)
    by ``learning_rate`` (Wright 1936; Suncatcher 2025 uses ~20 % per doubling for launch).
    ``learning_rate`` in [0, 1); masses in t (any consistent mass unit as Quantities).
    """
    p0 = _num(initial_price, "USD/kg", "initial_price", lo=0)
    m = _num(cumulative_mass, "t", "cumulative_mass", lo=0, lo_open=True)
    m0 = _num(initial_cumulative_mass, "t", "initial_cumulative_mass", lo=0, lo_open=True)
    if learning_rate is None:
        learning_rate = default_value("launch", "launch_learning_rate", "1")
    lr = _check_learning_rate(learning_rate)
    fl = _num(floor, "USD/kg", "launch_price_floor_per_kg", lo=0)
    price = xr.apply_ufunc(_learning.unit_cost, p0, m, m0, lr, fl)  # Wright's law (orbitdc._learning)
    price = xr.where(p0 > fl, price, p0)  # a start price at or below the floor does not learn
    return units.wrap(price, "USD/kg", "launch price per kg (learning curve)")


def market_price(internal_cost, margin, vertically_integrated=False) -> xr.DataArray:
    """Price paid [USD/kg]: internal cost x (1 + margin), or the internal cost when integrated."""
    c = _num(internal_cost, "USD/kg", "internal_cost", lo=0)
    mg = _num(margin, "1", "launch_margin", lo=0)
    vi = _da(vertically_integrated).astype(bool)
    return units.wrap(xr.apply_ufunc(_learning.price, c, mg, vi), "USD/kg", "launch price paid per kg")


def cumulative_flights(year, flights_per_year_today, flights_per_year_planned, reference_year, planned_year,
                       growth_rate=None) -> xr.DataArray:
    """Flights [1] flown between ``reference_year`` and ``year`` in the cadence scenario.

    Cadence ramps linearly from ``flights_per_year_today`` at ``reference_year`` to
    ``flights_per_year_planned`` at ``planned_year``, then grows by ``growth_rate`` a year
    (default ``launch_cadence_growth_rate`` of ``data/defaults/launch.yaml``; 0 holds it flat).
    """
    f0, f1, y0, y1 = _cadence_args(flights_per_year_today, flights_per_year_planned, reference_year, planned_year)
    y = _num(year, "1", "year")
    g = _growth_arg(growth_rate)
    return units.wrap(xr.apply_ufunc(_cum_flights, y, f0, f1, y0, y1, g), "1", "cumulative flights")


def _growth_arg(growth_rate) -> xr.DataArray:
    if growth_rate is None:
        growth_rate = default_value("launch", "launch_cadence_growth_rate", "1/yr")
    return _num(growth_rate, "1/yr", "launch_cadence_growth_rate", lo=0, hi=1)


def _cadence_args(f0, f1, y0, y1):
    f0 = _num(f0, "1/yr", "flights_per_year_today", lo=0)
    f1 = _num(f1, "1/yr", "flights_per_year_planned", lo=0)
    y0 = _num(y0, "1", "reference_year")
    y1 = _num(y1, "1", "planned_year")
    if np.any(np.asarray((y1 < y0).values)):
        raise ParameterError("planned_year", "must not be earlier than reference_year")
    return f0, f1, y0, y1


def _vehicle_learning(vehicle) -> dict[str, xr.DataArray]:
    key = _vehicle_key(vehicle)
    m_ref = vehicle_value(key, "payload_reference", "t")
    return {
        "initial_price": vehicle_value(key, "price", "USD") / (m_ref * _KG_PER_T),
        "initial_cumulative_mass": vehicle_value(key, "cumulative_mass_to_date", "t"),
        "mass_per_flight": m_ref,
        "flights_per_year_today": vehicle_value(key, "flights_per_year_today", "1/yr"),
        "flights_per_year_planned": vehicle_value(key, "flights_per_year_planned", "1/yr"),
        "reference_year": vehicle_value(key, "reference_year", "1"),
        "planned_year": vehicle_value(key, "planned_year", "1"),
    }


def vehicle_learning_inputs(vehicle) -> dict[str, xr.DataArray]:
    """Learning-curve inputs of a vehicle from the catalog: list price per kg of reference payload
    [USD/kg], cumulative mass to date [t], mass per flight (reference payload) [t], cadence today
    and planned [1/yr], reference and planned years."""
    return _vehicle_learning(vehicle)


def launch_price_by_year(year, vehicle=None, *, initial_price=None, learning_rate=None, initial_cumulative_mass=None,
                         mass_per_flight=None, flights_per_year_today=None, flights_per_year_planned=None,
                         reference_year=None, planned_year=None, floor=0.0, margin=0.0,
                         vertically_integrated=False, cadence_growth_rate=None) -> xr.DataArray:
    r"""Launch price per kg [USD/kg] by calendar ``year`` from a cadence scenario.

    flights per year -> cumulative mass :math:`M(y) = M_0 + m_{flight} F(y)` (:func:`cumulative_flights`)
    -> Wright's-law internal cost :math:`c = c_{floor} + (c_0 - c_{floor})(M/M_0)^{b}`, :math:`b = \log_2(1 - r)`, with
    :math:`c_0 = p_0/(1 + \text{margin})` (:math:`p_0` = ``initial_price``, the market price today)
    -> market price :math:`c\,(1 + \text{margin})`, or the cost
    when ``vertically_integrated``. Defaults come from the catalog for ``vehicle``; explicit
    keywords override them; ``learning_rate`` defaults to ``launch_learning_rate`` in
    ``data/defaults/launch.yaml`` (Suncatcher's ~20 % per doubling). Before ``reference_year`` the
    price is the initial one.
    ``year`` may be a list (becomes a ``year`` dimension) or a DataArray.
    """
    args = _learning_args(vehicle, initial_price, initial_cumulative_mass, mass_per_flight, flights_per_year_today,
                          flights_per_year_planned, reference_year, planned_year)
    if learning_rate is None:
        learning_rate = default_value("launch", "launch_learning_rate", "1")
    lr = _check_learning_rate(learning_rate)
    fl = _num(floor, "USD/kg", "launch_price_floor_per_kg", lo=0)
    mg = _num(margin, "1", "launch_margin", lo=0)
    vi = _da(vertically_integrated).astype(bool)
    y = year if isinstance(year, xr.DataArray) else xr.DataArray(np.atleast_1d(np.asarray(year, dtype=float)),
                                                                   dims="year", coords={"year": np.atleast_1d(year)})
    flights = xr.apply_ufunc(_cum_flights, y, args["f0"], args["f1"], args["y0"], args["y1"],
                             _growth_arg(cadence_growth_rate))
    mass = args["m0"] + args["mpf"] * np.maximum(flights, 0.0)
    cost0 = args["p0"] / (1.0 + mg)
    cost = xr.where(cost0 > fl, xr.apply_ufunc(_learning.unit_cost, cost0, mass, args["m0"], lr, fl), cost0)
    price = xr.apply_ufunc(_learning.price, cost, mg, vi)
    return units.wrap(price, "USD/kg", "launch price per kg by year")


def _learning_args(vehicle, p0, m0, mpf, f0, f1, y0, y1) -> dict[str, xr.DataArray]:
    base = _vehicle_learning(vehicle) if vehicle is not None else {}

    def pick(name, given, unit, **dom):
        if given is None:
            if name not in base:
                raise ParameterError(name, "give a value or a launch vehicle to take it from")
            given = base[name]
        return _num(given, unit, name, **dom)

    out = {
        "p0": pick("initial_price", p0, "USD/kg", lo=0),
        "m0": pick("initial_cumulative_mass", m0, "t", lo=0, lo_open=True),
        "mpf": pick("mass_per_flight", mpf, "t", lo=0),
    }
    f0 = pick("flights_per_year_today", f0, "1/yr", lo=0)
    f1 = pick("flights_per_year_planned", f1, "1/yr", lo=0)
    y0 = pick("reference_year", y0, "1")
    y1 = pick("planned_year", y1, "1")
    out["f0"], out["f1"], out["y0"], out["y1"] = _cadence_args(f0, f1, y0, y1)
    return out


def year_price_reaches(price, ds: xr.Dataset | None = None, *, vehicle=None, initial_price=None, learning_rate=None,
                       initial_cumulative_mass=None, mass_per_flight=None, flights_per_year_today=None,
                       flights_per_year_planned=None, reference_year=None, planned_year=None, floor=None,
                       margin=None, vertically_integrated=None, cadence_growth_rate=None) -> xr.DataArray:
    r"""Calendar year at which the learning-curve price paid falls to ``price`` [USD/kg] (vectorised).

    Closed form (Wright's law + the cadence ramp): the internal cost must reach
    :math:`c^* = \text{price}` (integrated) or :math:`\text{price}/(1 + \text{margin})`;
    :math:`M^* = M_0 \left(\frac{c^* - c_{floor}}{c_0 - c_{floor}}\right)^{-1/b}`;
    flights needed :math:`(M^* - M_0)/m_{flight}`; the year is the inverse of :func:`cumulative_flights`.
    Returns ``reference_year`` where the price is already at or above today's, ``+inf`` where it is
    never reached (at or below the floor, no learning, no flights), NaN where ``price`` is NaN.

    Inputs come from ``ds`` (a chain Dataset: ``launch_vehicle``, ``launch_learning_rate``,
    ``launch_price_floor_per_kg``, ``launch_margin``, ``vertically_integrated_launch``) and/or
    ``vehicle`` (catalog), overridden by explicit keywords.
    """
    if ds is not None and not isinstance(ds, xr.Dataset):
        raise ParameterError("ds", "expected an xarray.Dataset from the chain (or None)")
    if ds is not None:
        vehicle = ds["launch_vehicle"] if vehicle is None and "launch_vehicle" in ds else vehicle
        learning_rate = ds.get("launch_learning_rate") if learning_rate is None else learning_rate
        floor = ds.get("launch_price_floor_per_kg") if floor is None else floor
        margin = ds.get("launch_margin") if margin is None else margin
        vertically_integrated = ds.get("vertically_integrated_launch") if vertically_integrated is None else vertically_integrated
        cadence_growth_rate = ds.get("launch_cadence_growth_rate") if cadence_growth_rate is None else cadence_growth_rate
    learning_rate = 0.2 if learning_rate is None else learning_rate
    floor = 0.0 if floor is None else floor
    margin = 0.0 if margin is None else margin
    vertically_integrated = False if vertically_integrated is None else vertically_integrated
    args = _learning_args(vehicle, initial_price, initial_cumulative_mass, mass_per_flight, flights_per_year_today,
                          flights_per_year_planned, reference_year, planned_year)
    if isinstance(price, xr.DataArray) and str(price.attrs.get("units", "")).strip() in ("", "1"):
        price = price.copy(deep=False)
        price.attrs = {}  # a bare DataArray (or one marked dimensionless) is read in USD/kg
    p = _num(price, "USD/kg", "price")
    if learning_rate is None:
        learning_rate = default_value("launch", "launch_learning_rate", "1")
    lr = _check_learning_rate(learning_rate)
    fl = _num(floor, "USD/kg", "launch_price_floor_per_kg", lo=0)
    mg = _num(margin, "1", "launch_margin", lo=0)
    vi = _da(vertically_integrated).astype(bool)
    out = xr.apply_ufunc(_year_kernel, p, lr, fl, mg, vi, args["p0"], args["m0"], args["mpf"],
                         args["f0"], args["f1"], args["y0"], args["y1"], _growth_arg(cadence_growth_rate))
    return units.wrap(out, "1", "year the launch price reaches the given price")


def price_per_kg_at_orbit(price_per_kg_reference, payload_reference, payload_at_orbit) -> xr.DataArray:
    r"""Convert a $/kg quoted on the reference payload to $/kg of capacity at the target orbit:
    :math:`p_{ref}\, m_{ref} / m_{orbit}` (a whole flight costs the same; fewer kg reach the target)."""
    p = _num(price_per_kg_reference, "USD/kg", "price_per_kg_reference", lo=0)
    mr = _num(payload_reference, "kg", "payload_reference", lo=0, lo_open=True)
    mo = _num(payload_at_orbit, "kg", "payload_at_orbit", lo=0)
    with np.errstate(divide="ignore"):
        return units.wrap(p * mr / mo, "USD/kg", "launch price per kg of capacity at the target orbit")


# --------------------------------------------------------------------------------------------
# Deployment
# --------------------------------------------------------------------------------------------
def deployment_years(launches, start_year, flights_per_year_today, flights_per_year_planned, reference_year,
                     planned_year, cadence_share, cadence_growth_rate=None) -> xr.DataArray:
    """Years [yr] from ``start_year`` to fly ``launches`` with ``cadence_share`` of the vehicle's
    flights (cadence scenario of :func:`cumulative_flights`, growing by ``cadence_growth_rate``
    after ``planned_year``); inf when no flights are available."""
    n = _num(launches, "1", "launches", lo=0)
    s = _num(start_year, "1", "start_year")
    share = _num(cadence_share, "1", "launch_cadence_share", lo=0, hi=1, lo_open=True)
    f0, f1, y0, y1 = _cadence_args(flights_per_year_today, flights_per_year_planned, reference_year, planned_year)
    return units.wrap(xr.apply_ufunc(_deploy_kernel, n, s, share, f0, f1, y0, y1, _growth_arg(cadence_growth_rate)),
                      "yr", "years to deploy")


def _deploy_kernel(n, s, share, f0, f1, y0, y1, g=0.0):
    with np.errstate(divide="ignore", invalid="ignore"):
        done_at = _cum_flights(s, f0, f1, y0, y1, g) + n / share
        end = _inverse_cum_flights(done_at, f0, f1, y0, y1, g)
    out = np.where(n > 0, end - s, 0.0)
    return np.where(np.isnan(out) & (n > 0), np.inf, out)


def deployment_timeline(ds: xr.Dataset, years=None) -> xr.DataArray:
    r"""Capacity online [kW of IT] by calendar year (a ``year`` dimension), from a chain result.

    .. math:: \text{capacity}(y) = P_{IT} \min\left(1, s\, \frac{F(y) - F(y_0)}{n_{launches}}\right)

    with :math:`P_{IT}` = ``target_it_power``, :math:`s` the ``share``, :math:`y_0` = ``start_year``,
    :math:`n_{launches}` the ``launches`` and :math:`F`
    the vehicle's cumulative flights (:func:`cumulative_flights`). Outside the chain on purpose: a
    ``year`` dimension would multiply memory in a large sweep. ``years`` defaults to
    ``start_year .. start_year + 30``.
    """
    for name in ("launches", "launch_vehicle", "target_it_power", "start_year", "launch_cadence_share"):
        if name not in ds:
            raise ParameterError(name, "the Dataset has no such variable (run the launch stage first)")
    if years is None:
        s0 = float(np.nanmin(np.asarray(ds["start_year"].values, dtype=float)))
        years = np.arange(s0, s0 + 31.0)
    y = years if isinstance(years, xr.DataArray) else xr.DataArray(np.asarray(years, dtype=float), dims="year",
                                                                     coords={"year": np.asarray(years)})
    lv = _vehicle_learning(ds["launch_vehicle"])
    f0, f1, y0, y1 = lv["flights_per_year_today"], lv["flights_per_year_planned"], lv["reference_year"], lv["planned_year"]
    g = _growth_arg(ds["launch_cadence_growth_rate"] if "launch_cadence_growth_rate" in ds else None)
    flown = (xr.apply_ufunc(_cum_flights, y, f0, f1, y0, y1, g)
             - xr.apply_ufunc(_cum_flights, ds["start_year"], f0, f1, y0, y1, g)) * ds["launch_cadence_share"]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = xr.where(ds["launches"] > 0, (flown / ds["launches"]).clip(0.0, 1.0), 1.0)
    cap = ds["target_it_power"] * frac
    return units.wrap(cap.transpose("year", ...), "kW", "IT capacity online")


# --------------------------------------------------------------------------------------------
# Emissions
# --------------------------------------------------------------------------------------------
def propellant_co2_factor(kind) -> xr.DataArray:
    """kg CO2 per kg of loaded propellant for a propellant kind (``data/catalogs/propellants.csv``)."""
    cat = load_catalog(PROPELLANTS)
    key = kind if isinstance(kind, xr.DataArray) else xr.DataArray(np.asarray(kind))
    known = [str(x) for x in cat["entry"].values]
    bad = [k for k in np.unique(np.asarray(key.values).astype(str)) if k not in known]
    if bad:
        raise ParameterError("propellant", f"'{bad[0]}' is not a known propellant; known: {', '.join(known)}")
    return units.wrap(catalog_value(PROPELLANTS, "co2_per_kg_propellant", key, "1"), "1", "kg CO2 per kg propellant")


def co2_per_launch(vehicle) -> xr.DataArray:
    """Combustion CO2 [t] of one whole flight of ``vehicle``: sum over kinds of propellant mass x factor."""
    key = _vehicle_key(vehicle)
    total = xr.DataArray(0.0)
    for kind in PROPELLANT_KINDS:
        mass = vehicle_value(key, f"propellant_mass_{kind}", "t", default=0.0)
        total = total + mass * float(propellant_co2_factor(kind))
    return units.wrap(total, "t", "CO2 per launch")


def launch_co2_per_kwh(launch_co2, it_power, lifetime, availability=1.0) -> xr.DataArray:
    r"""Grams of launch CO2 per kWh of IT energy over the system's life [g/(kW h)].

    .. math:: \frac{\text{launch_co2 [t]} \times 10^6}{\text{it_power [kW]} \times \text{lifetime [yr]}
              \times 8766\ \text{h/yr} \times \text{availability}}
    """
    co2 = _num(launch_co2, "t", "launch_co2", lo=0)
    p = _num(it_power, "kW", "it_power", lo=0, lo_open=True)
    t = _num(lifetime, "yr", "mission_lifetime", lo=0, lo_open=True)
    a = _num(availability, "1", "availability", lo=0, hi=1, lo_open=True)
    return units.wrap(co2 * _G_PER_T / (p * t * HOURS_PER_YEAR * a), "g/(kW h)", "launch CO2 per kWh of IT energy")


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------
_FRAC = dict(minimum=0.0, maximum=1.0)
PARAMETERS: dict[str, ParameterSpec] = {
    "launch_vehicle": ParameterSpec("1", "launch vehicle (data/catalogs/launch_vehicles.csv)", kind="choice",
                                    choices=catalog_choices(CATALOG)),
    **VEHICLE_PARAMETERS,  # catalog-backed vehicle parameters (orbitdc._launch_vehicles)
    "launch_price_per_kg": ParameterSpec("USD/kg", "launch price per kg of payload capacity to the vehicle's reference LEO (a dedicated flight costs vehicle_payload_leo x this)", minimum=0.0),
    "launch_margin": ParameterSpec("1", "launch provider's margin over its internal cost (price = cost x (1 + margin))",
                                   minimum=0.0, maximum=20.0),
    "vertically_integrated_launch": ParameterSpec("1", "the programme owns its launcher and pays internal cost", kind="flag"),
    "launch_learning_rate": ParameterSpec("1", "launch cost reduction per doubling of cumulative launched mass (Wright)",
                                          minimum=0.0, maximum=1.0, exclusive_maximum=True),
    "launch_price_floor_per_kg": ParameterSpec("USD/kg", "floor of the launch cost learning curve (propellant, refurbishment, operations)",
                                               minimum=0.0),
    "launch_cadence_share": ParameterSpec("1", "share of the vehicle's flights available to the programme",
                                          minimum=0.0, exclusive_minimum=True, maximum=1.0),
    "launch_cadence_growth_rate": ParameterSpec("1/yr", "growth per year of a vehicle's flights after its planned cadence "
                                                "(planned_year, or the last point of a fleet plan)", minimum=0.0, maximum=1.0),
    "launch_failure_probability": ParameterSpec("1", "probability that a launch loses its payload",
                                                minimum=0.0, maximum=1.0, exclusive_maximum=True),
    "satellite_failure_rate": ParameterSpec("1/yr", "fraction of satellites failing per year (replaced)", minimum=0.0, maximum=1.0),
    "satellite_stowed_density": ParameterSpec("kg/m3", "satellite mass per stowed volume in the fairing",
                                              minimum=0.0, exclusive_minimum=True, maximum=5000.0),
    "fairing_packing_efficiency": ParameterSpec("1", "fraction of the usable fairing volume filled by stowed satellites",
                                                minimum=0.0, exclusive_minimum=True, maximum=1.0),
    "dispenser_capacity": ParameterSpec("1", "most satellites one dispenser/stack can release per launch", minimum=1.0),
    "on_orbit_assembly": ParameterSpec("1", "satellites too large for one launch are assembled in orbit from modules", kind="flag"),
    "grid_carbon_intensity": ParameterSpec("g/(kW h)", "carbon intensity of grid electricity for the ground comparison", minimum=0.0),
}

OUTPUTS: dict[str, Output] = {
    "launch_price_per_kg": Output("USD/kg", "launch price per kg of payload capacity to the vehicle's reference LEO (as applied)"),
    "payload_to_orbit": Output("kg", "vehicle payload to the target orbit"),
    "satellites_per_launch": Output("1", "satellites per launch (a fraction: modules assembled in orbit)"),
    "launches": Output("1", "expected launches for the initial deployment"),
    "launch_cost": Output("USD", "launch cost of the initial deployment"),
    "replacement_launches_per_year": Output("1/yr", "launches per year replacing failed satellites"),
    "deployment_years": Output("yr", "years to fly the initial deployment"),
    "launch_co2": Output("t", "launch CO2 (combustion) of the initial deployment and replacements over the mission life"),
    "launch_co2_per_kwh": Output("g/(kW h)", "launch CO2 per kWh of IT energy over the mission life"),
    "launch_co2_to_grid_ratio": Output("1", "launch CO2 per kWh over the grid's carbon intensity"),
    "co2_per_launch": Output("t", "combustion CO2 of one launch (per-kg services: the programme's share)"),
    "launch_fill_fraction": Output("1", "payload mass carried per launch over the payload capacity bought"),
    "modules_per_satellite": Output("1", "launch modules per satellite (1 unless assembled in orbit)"),
    "violates_launch_mass": Output("1", "a satellite (or module) is heavier than the vehicle's payload to the orbit"),
    "violates_launch_volume": Output("1", "a stowed satellite is bulkier than the usable fairing volume"),
    "violates_launch_reach": Output("1", "the vehicle cannot reach the target orbit at all"),
    "violates_deployment_time": Output(
        "1", "the initial deployment takes longer than the satellites' design life, so the fleet never reaches its target"),
}


def _isp_np(key):
    cal = upper_stage_calibration()
    table = dict(zip(cal["entries"], cal["effective_isp"]))
    if np.size(key) == 1:
        return float(table[str(np.asarray(key).flat[0])])
    uniq, inv = np.unique(np.asarray(key).astype(str), return_inverse=True)
    return np.asarray([table[str(n)] for n in uniq])[inv.reshape(np.shape(key))]


def _payload_np(key, h, i, m_ref=None):
    """Numpy :func:`_payload_kernel` (payload [kg] to the target orbit from ``m_ref`` [kg] to the
    vehicle's reference LEO; default the catalog's ``payload_reference``)."""
    dv = _extra_delta_v(_vv(key, "reference_altitude", "km"), _vv(key, "reference_inclination", "deg"), h, i,
                        _vv(key, "site_latitude", "deg"))
    c = _isp_np(key) * G0
    if m_ref is None:
        m_ref = _vv(key, "payload_reference", "kg")
    host = _vv(key, "host_payload", "kg", default=np.nan)
    has_host = ~np.isnan(host)
    m_derate = np.where(has_host, host, m_ref)
    p = _payload_after(m_derate, dv, c, _vv(key, "upper_stage_mass", "kg"), _vv(key, "upper_stage_dry_fraction", "1"))
    with np.errstate(invalid="ignore"):
        return np.where(has_host, np.minimum(p * m_ref / host, m_ref), p)


def _co2_per_launch_np(key):
    total = 0.0
    for kind in PROPELLANT_KINDS:
        factor = catalog_lookup(PROPELLANTS, "co2_per_kg_propellant", kind, "1")
        total = total + _vv(key, f"propellant_mass_{kind}", "t", default=0.0) * factor
    return total


def _kernel(f) -> dict[str, Any]:
    """The launch stage on numpy arrays (a :class:`orbitdc.frame.Frame`): see the module docstring."""
    key = _vehicle_names(f["launch_vehicle"])
    h = _get(f, "altitude")
    i = _get(f, "inclination")
    m_sat = _get(f, "satellite_mass")
    n_sat = _get(f, "satellites")
    price = f["launch_price_per_kg"]
    m_leo = _vehicle_param(f, "vehicle_payload_leo", key) * _KG_PER_T
    payload = _payload_np(key, h, i, m_leo)
    vol = np.pi * _vv(key, "fairing_diameter", "m") ** 2 * _vv(key, "fairing_height", "m") / 4.0
    asm = f["on_orbit_assembly"].astype(bool)
    spl, modules, too_heavy, too_bulky = _packing(payload, m_sat, vol, f["satellite_stowed_density"],
                                                  f["fairing_packing_efficiency"], f["dispenser_capacity"], asm)
    reach_fail = payload <= 0
    pf = f["launch_failure_probability"]
    launches = _launch_counts(n_sat, spl, pf)
    with np.errstate(divide="ignore", invalid="ignore"):
        repl = np.where(spl == 0, np.inf, n_sat * f["satellite_failure_rate"] / spl) / (1.0 - pf)
    # billed mass per launch: a whole flight's capacity, or the mass carried for per-kg services
    per_kg = _vv(key, "sold_per_kg", "1", default=0.0) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        carried = np.where(modules > 1, m_sat / modules, spl * m_sat)
    # a dedicated flight costs its LEO capacity x the per-kg-to-LEO price (the price's basis)
    billed = np.where(per_kg, carried, m_leo)
    never = np.isinf(launches)  # no launch can carry a satellite: cost and CO2 are unbounded, not NaN
    with np.errstate(invalid="ignore"):
        launch_cost = np.where(never, np.inf, launches * billed * price)
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(payload > 0, carried / payload, np.nan)
    # emissions: a per-kg service is attributed by its mass share of the host flight
    host = _vv(key, "host_payload", "kg", default=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(per_kg, carried / host, 1.0)
    co2_launch = _co2_per_launch_np(key) * share
    life = f["mission_lifetime"]
    with np.errstate(invalid="ignore"):
        co2 = np.where(never, np.inf, co2_launch * (launches + repl * life))
    avail = _get(f, "availability", 1.0)
    energy_kwh = f["target_it_power"] * life * HOURS_PER_YEAR * avail
    with np.errstate(divide="ignore", invalid="ignore"):
        co2_kwh = co2 * _G_PER_T / energy_kwh
        ratio = co2_kwh / f["grid_carbon_intensity"]
    years = _deploy_kernel(launches, f["start_year"], f["launch_cadence_share"],
                           _vv(key, "flights_per_year_today", "1/yr"), _vehicle_param(f, "vehicle_flights_per_year", key),
                           _vv(key, "reference_year", "1"), _vv(key, "planned_year", "1"),
                           _get(f, "launch_cadence_growth_rate", 0.0))
    known = ~np.isnan(m_sat) & ~np.isnan(payload)
    out = {
        "launch_price_per_kg": price,
        "payload_to_orbit": payload,
        "satellites_per_launch": spl,
        "launches": launches,
        "launch_cost": launch_cost,
        "replacement_launches_per_year": repl,
        "deployment_years": years,
        "launch_co2": co2,
        "launch_co2_per_kwh": co2_kwh,
        "launch_co2_to_grid_ratio": ratio,
        "co2_per_launch": co2_launch,
        "launch_fill_fraction": fill,
        "modules_per_satellite": modules,
        "violates_launch_mass": (too_heavy & ~asm & known) | reach_fail,
        "violates_launch_volume": too_bulky & ~too_heavy & ~asm & known & ~reach_fail,
        "violates_launch_reach": reach_fail,
        # The first satellites die before the last ones fly: the target capacity is never online.
        "violates_deployment_time": years > life,
        "launch_vehicle": f["launch_vehicle"],
    }
    names = [str(key.flat[0])] if key.size == 1 else [str(n) for n in np.unique(key)]
    label = ", ".join(names)
    out["__attrs__"] = {k: {"launch_vehicle": label} for k in out if k != "launch_vehicle"}
    out["__attrs__"]["launch_vehicle"] = {"vehicles": label, "basis": _basis_text(load_catalog(CATALOG), tuple(names))}
    return out


def _basis_text(cat: xr.Dataset, names: tuple[str, ...]) -> str:
    """``name: basis`` of each vehicle (the catalog's price basis), cached per catalog object."""
    key = (id(cat), names)
    hit = _BASIS.get(key)
    if hit is None or hit[0] is not cat:
        basis = dict(zip((str(e) for e in cat["entry"].values), (str(b) for b in cat["basis"].values)))
        hit = _BASIS[key] = (cat, ", ".join(f"{n}: {basis[n]}" for n in names))
    return hit[1]


#: (id(catalog), vehicle names) -> (that catalog, the basis text): the catalog Dataset is cached
#: per file version, so a new version is a new object and a new entry
_BASIS: dict[tuple, tuple] = {}


def run(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """The launch stage on an ``xarray.Dataset`` (see :meth:`orbitdc.frame.Stage.run`)."""
    return STAGE.run(ds)


STAGE = Stage(name="launch", kernel=_kernel, parameters=PARAMETERS, outputs=OUTPUTS, kinds=frozenset({"space"}))
