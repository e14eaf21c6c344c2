r"""Power: solar array and battery sizing, after SMAD (Wertz & Larson, 3rd ed., ch. 11).

Loads (per satellite)
---------------------
``bus_power = bus_power_fraction * it_power`` (attitude control, communications, avionics,
propulsion housekeeping; the thermal stage adds its own pumps). In daylight the load is
``P_d = it_power + bus_power``. In eclipse it depends on ``eclipse_strategy``:

* ``battery``: compute runs through the eclipse, ``P_e = P_d``;
* ``throttle``: compute stops in eclipse, only the bus runs from the battery, ``P_e = bus_power``
  (the compute stage then scales availability by the sunlit fraction).

Array (SMAD 3rd ed., eq. 11-5)
------------------------------
The array must carry the daylight load and recharge what the eclipse took:

.. math::

    P_{sa} = \frac{P_e T_e / X_e + P_d T_d / X_d}{T_d}

``T_e`` is the longest eclipse (orbit's ``max_eclipse_duration``, the design case), ``T_d =
period - T_e``; ``X_e``, ``X_d`` are the path efficiencies from array to loads through the battery
and directly (SMAD: 0.65 / 0.85 for direct energy transfer). ``P_sa`` is needed at end of life.

Array area (SMAD eqs. 11-6 to 11-9 in one line):

.. math::

    A = \frac{P_{sa}}{S \, \eta \, p \, (1 - l) (1 - d)^L}, \qquad
    1 - l = \bigl(1 - \gamma \max(0, T_a - T_{ref})\bigr) (1 - l_{point}) (1 - l_{array})

with the solar flux ``S`` (1,361 W/m2, Kopp & Lean 2011; +/-3.4 % over the year from the
Earth-Sun distance: the design uses the annual mean, aphelion gives 3.3 % less), the cell
efficiency ``eta`` and temperature coefficient ``gamma`` from ``data/catalogs/solar_cells.csv``,
the packing factor ``p``, temperature, pointing and other array losses, and the degradation ``d``
per year over the lifetime ``L`` (SMAD's lifetime degradation L_d = (1 - d)^L).

Array mass: ``m_sa = P_BOL / sigma_sa`` where ``P_BOL = P_sa / (1 - d)^L`` is what the array
delivers at beginning of life in the same conditions and ``sigma_sa = array_specific_power``
(ISS wing ~28 W/kg, iROSA ~59 W/kg).

Battery
-------
Cycles over the life ``N = (orbits per year) s L``, with ``s = eclipse_days / days in the year``
the eclipse-season share of the year (orbit stage, calendar year of ``start_year``): an orbit
with an eclipse every day (``s = 1``, every inclined LEO) cycles once per orbit, a dawn-dusk
sun-synchronous orbit only in its eclipse season (a ~600 km dawn-dusk orbit: ~90 eclipse days,
s ~ 0.25; Wertz, SMAD 2011 ch. 21, battery cycles are eclipses). Without ``eclipse_days``
(the orbit stage absent) every orbit counts. Cycle life falls with depth of discharge; a power law
``N(DoD) = N_100 DoD^-k`` gives the deepest usable discharge:

.. math::

    \mathrm{DoD} = \min\left(\mathrm{DoD}_{max}, \left(\frac{N}{N_{100}}\right)^{-1/k}\right)

The battery delivers ``P_e T_e`` through a discharge efficiency ``sqrt(eta_rt)`` (half of the
round trip), so its capacity (SMAD eq. 11-10 with one battery) and mass are:

.. math::

    E = \frac{P_e T_e}{\mathrm{DoD} \sqrt{\eta_{rt}}}, \qquad m_b = \frac{E}{e_b}

Power-system heat
-----------------
Energy lost per orbit in conditioning, charging and discharging is
``P_sa T_d - P_d T_d - P_e T_e`` (eq. 11-5 rearranged), dissipated while the array works:
``power_system_loss = P_sa - P_d - P_e T_e / T_d`` [kW], for the thermal stage.
"""
from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np
import xarray as xr

from . import parameters, units
from ._solar_array import _array_power_required
from .frame import Output, Stage
from .errors import OrbitdcError
from .catalogs import catalog_choices, catalog_lookup, catalog_parameter_value
from .parameters import ParameterSpec

CATALOG = "solar_cells"
ECLIPSE_STRATEGIES = ("battery", "throttle")
MIN_PER_YEAR = float((1 * u.yr).to_value(u.min))
ORBIT_INPUTS = ("period", "max_eclipse_duration")


def default_value(name: str, unit: str) -> float:
    """A default from ``data/defaults/power.yaml`` in ``unit`` (no world number in Python)."""
    return parameters.default_value("power", name, unit)


_arr = units.as_array
_check = units.check_domain


# --------------------------------------------------------------------------------------------
# Numeric kernels (canonical units, no checks)
# --------------------------------------------------------------------------------------------
def _eol_factor(degradation, years):
    return (1.0 - degradation) ** years


def _area(power_w, efficiency, flux, packing, losses, eol):
    return power_w / (flux * efficiency * packing * (1.0 - losses) * eol)


def _depth_of_discharge(cycles, n_full, exponent, dod_max):
    return np.minimum(dod_max, (np.maximum(cycles, 1.0) / n_full) ** (-1.0 / exponent))


def _battery_energy(p_ecl_kw, t_ecl_min, dod, round_trip):
    """kW h: P_e T_e / (DoD sqrt(eta_rt))."""
    return p_ecl_kw * t_ecl_min / 60.0 / (dod * np.sqrt(round_trip))


# --------------------------------------------------------------------------------------------
# Public model functions
# --------------------------------------------------------------------------------------------
def solar_array_area(power, efficiency, *, solar_flux=None, packing_factor=1.0, losses=0.0,
                     degradation_per_year=0.0, years=0.0) -> xr.DataArray:
    r"""Solar array area [m2] delivering ``power`` at end of life.

    .. math:: A = \frac{P}{S \eta p (1 - l) (1 - d)^L}

    (SMAD 3rd ed. eqs. 11-6 to 11-9): :math:`S` the solar
    flux (default: ``solar_flux`` of data/defaults/power.yaml, 1,361 W/m2, Kopp & Lean 2011),
    :math:`\eta` the cell efficiency, :math:`p` the packing factor, :math:`l` the combined losses (temperature,
    pointing, wiring, mismatch; SMAD's inherent degradation is :math:`1 - l`), :math:`d` the degradation
    per year over :math:`L` = ``years``.

    Parameters
    ----------
    power : W (or any power Quantity) at end of life, >= 0
    efficiency : cell efficiency, 0 < eta <= 1
    solar_flux : W/m2, > 0; None = the data default
    packing_factor : 0 < p <= 1;  losses : 0 <= l < 1
    degradation_per_year : 1/yr, 0 <= d < 1;  years : yr, >= 0
    """
    p = _arr(power, "W", "power")
    eta = _arr(efficiency, "1", "efficiency")
    s = default_value("solar_flux", "W/m2") if solar_flux is None else _arr(solar_flux, "W/m2", "solar_flux")
    pf = _arr(packing_factor, "1", "packing_factor")
    loss = _arr(losses, "1", "losses")
    d = _arr(degradation_per_year, "1/yr", "degradation_per_year")
    yrs = _arr(years, "yr", "years")
    _check("power", p, lo=0)
    _check("efficiency", eta, lo=0, lo_open=True, hi=1)
    _check("solar_flux", s, lo=0, lo_open=True)
    _check("packing_factor", pf, lo=0, lo_open=True, hi=1)
    _check("losses", loss, lo=0, hi=1, hi_open=True)
    _check("degradation_per_year", d, lo=0, hi=1, hi_open=True)
    _check("years", yrs, lo=0)
    return units.wrap(_area(p, eta, s, pf, loss, _eol_factor(d, yrs)), "m2", "solar array area")


def solar_array_power_required(daylight_load, eclipse_load, daylight_duration, eclipse_duration, *,
                               daylight_path_efficiency=None, eclipse_path_efficiency=None) -> xr.DataArray:
    r"""Array power [kW] to carry the daylight load and recharge for the eclipse (SMAD eq. 11-5).

    .. math:: P_{sa} = \frac{P_e T_e / X_e + P_d T_d / X_d}{T_d}

    Path efficiencies default to the data
    (``daylight_path_efficiency`` :math:`X_d` = 0.85, ``eclipse_path_efficiency`` :math:`X_e` = 0.65: SMAD's
    direct-energy-transfer values). Loads in kW (>= 0), durations in min (:math:`T_d > 0`, :math:`T_e \ge 0`).
    """
    pd_ = _arr(daylight_load, "kW", "daylight_load")
    pe = _arr(eclipse_load, "kW", "eclipse_load")
    td = _arr(daylight_duration, "min", "daylight_duration")
    te = _arr(eclipse_duration, "min", "eclipse_duration")
    xd = default_value("daylight_path_efficiency", "1") if daylight_path_efficiency is None else _arr(daylight_path_efficiency, "1", "daylight_path_efficiency")
    xe = default_value("eclipse_path_efficiency", "1") if eclipse_path_efficiency is None else _arr(eclipse_path_efficiency, "1", "eclipse_path_efficiency")
    _check("daylight_load", pd_, lo=0)
    _check("eclipse_load", pe, lo=0)
    _check("daylight_duration", td, lo=0, lo_open=True)
    _check("eclipse_duration", te, lo=0)
    _check("daylight_path_efficiency", xd, lo=0, lo_open=True, hi=1)
    _check("eclipse_path_efficiency", xe, lo=0, lo_open=True, hi=1)
    return units.wrap(_array_power_required(pd_, pe, td, te, xd, xe), "kW", "solar array power required (end of life)")


def solar_array_mass(power, specific_power, *, degradation_per_year=0.0, years=0.0) -> xr.DataArray:
    r"""Array mass [kg]: :math:`P_{BOL} / \sigma` with :math:`P_{BOL} = P_{EOL} / (1 - d)^L`.

    ``power`` is the end-of-life power [W, >= 0]; ``specific_power`` [W/kg, > 0] the wing's
    beginning-of-life power per kg (ISS SAW ~28 W/kg, iROSA ~59 W/kg).
    """
    p = _arr(power, "W", "power")
    sp = _arr(specific_power, "W/kg", "specific_power")
    d = _arr(degradation_per_year, "1/yr", "degradation_per_year")
    yrs = _arr(years, "yr", "years")
    _check("power", p, lo=0)
    _check("specific_power", sp, lo=0, lo_open=True)
    _check("degradation_per_year", d, lo=0, hi=1, hi_open=True)
    _check("years", yrs, lo=0)
    return units.wrap(p / _eol_factor(d, yrs) / sp, "kg", "solar array mass")


def depth_of_discharge(cycles, *, cycle_life_full_depth, exponent, max_depth) -> xr.DataArray:
    r"""Deepest discharge a battery survives for ``cycles``: :math:`\min(DoD_{max}, (N/N_{100})^{-1/k})`.

    Inverts the cycle-life power law :math:`N = N_{100}\, DoD^{-k}` (orbitdc fit, anchored on LEO practice
    of 20-30 % DoD for ~30,000 cycles; SMAD 3rd ed. fig. 11-11). cycles >= 0, :math:`N_{100} > 0`, :math:`k > 0`,
    :math:`0 < DoD_{max} \le 1`.
    """
    n = _arr(cycles, "1", "cycles")
    n100 = _arr(cycle_life_full_depth, "1", "cycle_life_full_depth")
    k = _arr(exponent, "1", "exponent")
    dmax = _arr(max_depth, "1", "max_depth")
    _check("cycles", n, lo=0)
    _check("cycle_life_full_depth", n100, lo=0, lo_open=True)
    _check("exponent", k, lo=0, lo_open=True)
    _check("max_depth", dmax, lo=0, lo_open=True, hi=1)
    return units.wrap(_depth_of_discharge(n, n100, k, dmax), "1", "battery depth of discharge")


def battery_energy(eclipse_load, eclipse_duration, depth_of_discharge, round_trip_efficiency=1.0) -> xr.DataArray:
    r"""Battery capacity [kW h]: :math:`E = P_e T_e / (DoD \sqrt{\eta_{rt}})` (SMAD eq. 11-10, one battery).

    eclipse_load [kW, >= 0], eclipse_duration [min, >= 0], :math:`0 < DoD \le 1`, :math:`0 < \eta_{rt} \le 1`.
    """
    pe = _arr(eclipse_load, "kW", "eclipse_load")
    te = _arr(eclipse_duration, "min", "eclipse_duration")
    dod = _arr(depth_of_discharge, "1", "depth_of_discharge")
    rt = _arr(round_trip_efficiency, "1", "round_trip_efficiency")
    _check("eclipse_load", pe, lo=0)
    _check("eclipse_duration", te, lo=0)
    _check("depth_of_discharge", dod, lo=0, lo_open=True, hi=1)
    _check("round_trip_efficiency", rt, lo=0, lo_open=True, hi=1)
    return units.wrap(_battery_energy(pe, te, dod, rt), "kW h", "battery capacity")


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------
def _kernel(ds) -> dict[str, Any]:
    """Power stage on numpy arrays (a :class:`orbitdc.frame.Frame`): see the module docstring."""
    missing = [k for k in ORBIT_INPUTS + ("it_power",) if k not in ds]
    if missing:
        raise OrbitdcError(f"power stage needs {', '.join(missing)} from earlier stages, not in the Dataset")
    cell = ds["solar_cell"]
    eta = catalog_parameter_value(ds, "solar_cell_efficiency", PARAMETERS["solar_cell_efficiency"])
    gamma = catalog_parameter_value(ds, "solar_cell_temperature_coefficient", PARAMETERS["solar_cell_temperature_coefficient"])
    t_ref = catalog_lookup(CATALOG, "reference_temperature", cell, "K")

    p_it = ds["it_power"]
    p_bus = ds["bus_power_fraction"] * p_it
    p_day = p_it + p_bus
    throttle = ds["eclipse_strategy"] == "throttle"
    p_ecl = np.where(throttle, p_bus, p_day)
    t_ecl = ds["max_eclipse_duration"]
    t_day = ds["period"] - t_ecl
    p_sa = _array_power_required(p_day, p_ecl, t_day, t_ecl, ds["daylight_path_efficiency"], ds["eclipse_path_efficiency"])

    life = ds["mission_lifetime"]
    eol = _eol_factor(ds["array_degradation_per_year"], life)
    temp_loss = np.maximum(0.0, gamma * (ds["array_temperature"] - t_ref))
    losses = 1.0 - (1.0 - temp_loss) * (1.0 - ds["pointing_loss"]) * (1.0 - ds["array_losses"])
    area = _area(p_sa * 1e3, eta, ds["solar_flux"], ds["packing_factor"], losses, eol)
    p_bol = p_sa / eol
    array_mass = p_bol * 1e3 / ds["array_specific_power"]

    cycles = MIN_PER_YEAR / ds["period"] * life * _eclipse_season_share(ds)
    dod = _depth_of_discharge(cycles, ds["battery_cycle_life"], ds["battery_cycle_life_exponent"], ds["depth_of_discharge"])
    energy = _battery_energy(p_ecl, t_ecl, dod, ds["battery_round_trip_efficiency"])
    return {
        "bus_power": p_bus,
        "solar_array_power": p_sa,
        "solar_array_area": area,
        "solar_array_mass": array_mass,
        "battery_energy": energy,
        "battery_mass": energy * 1e3 / ds["battery_specific_energy"],
        "power_system_loss": p_sa - p_day - p_ecl * t_ecl / t_day,
        "solar_array_bol_power": p_bol,
        "battery_depth_of_discharge": dod,
        "battery_cycles": cycles,
    }


def _eclipse_season_share(ds):
    """Share of the year with eclipses: ``eclipse_days`` over the days of the start year (1 without it)."""
    if "eclipse_days" not in ds:
        return 1.0
    year = np.floor(ds["start_year"]) if "start_year" in ds else 2030.0
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return np.minimum(ds["eclipse_days"] / (365.0 + leap), 1.0)


def _spec(unit: str, long_name: str, **kw) -> ParameterSpec:
    return ParameterSpec(unit, long_name, **kw)


_FRACTION = {"minimum": 0.0, "maximum": 1.0}
_EFFICIENCY = {"minimum": 0.0, "exclusive_minimum": True, "maximum": 1.0}

PARAMETERS: dict[str, ParameterSpec] = {
    "solar_cell": _spec("1", "solar cell technology (data/catalogs/solar_cells.csv)", kind="choice", choices=catalog_choices(CATALOG)),
    "solar_cell_efficiency": _spec("1", "solar cell beginning-of-life efficiency at AM0 (default: the cell's catalog value)",
                                   **_EFFICIENCY, catalog=(CATALOG, "efficiency", "solar_cell")),
    "solar_cell_temperature_coefficient": _spec(
        "1/K", "relative loss of cell power per kelvin above the reference temperature (default: the cell's catalog value)",
        minimum=0.0, maximum=0.05, catalog=(CATALOG, "temperature_coefficient", "solar_cell")),
    "solar_flux": _spec("W/m2", "solar irradiance at 1 au (total solar irradiance)", minimum=0, exclusive_minimum=True),
    "packing_factor": _spec("1", "fraction of the array area covered by active cells", **_EFFICIENCY),
    "array_losses": _spec("1", "array losses other than temperature and pointing (wiring, mismatch, UV, shadowing)", minimum=0.0, maximum=1.0, exclusive_maximum=True),
    "array_temperature": _spec("K", "solar array operating temperature", minimum=0, exclusive_minimum=True, maximum=450),
    "pointing_loss": _spec("1", "mean cosine loss of sun pointing (1 - <cos theta>)", minimum=0.0, maximum=1.0, exclusive_maximum=True),
    "array_degradation_per_year": _spec("1/yr", "solar array power degradation per year (radiation, UV, thermal cycling)", minimum=0.0, maximum=1.0, exclusive_maximum=True),
    "array_specific_power": _spec("W/kg", "solar array (wing) beginning-of-life power per kg", minimum=0, exclusive_minimum=True),
    "eclipse_strategy": _spec("1", "battery: compute runs through eclipses; throttle: compute stops, a battery carries only the bus", kind="choice", choices=ECLIPSE_STRATEGIES),
    "battery_specific_energy": _spec("W h/kg", "battery pack energy per kg", minimum=0, exclusive_minimum=True),
    "depth_of_discharge": _spec("1", "maximum allowed battery depth of discharge (cap on the cycle-life value)", **_EFFICIENCY),
    "battery_cycle_life": _spec("1", "battery cycle life at 100 % depth of discharge (N_100)", minimum=0, exclusive_minimum=True),
    "battery_cycle_life_exponent": _spec("1", "exponent k of the cycle-life law N = N_100 DoD^-k", minimum=0, exclusive_minimum=True),
    "battery_round_trip_efficiency": _spec("1", "battery round-trip energy efficiency", **_EFFICIENCY),
    "bus_power_fraction": _spec("1", "non-IT bus load per unit of IT power", minimum=0.0, maximum=1.0),
    "daylight_path_efficiency": _spec("1", "path efficiency array to loads in daylight (SMAD X_d)", **_EFFICIENCY),
    "eclipse_path_efficiency": _spec("1", "path efficiency array to loads through the battery (SMAD X_e)", **_EFFICIENCY),
}

OUTPUTS: dict[str, Output] = {
    "bus_power": Output("kW", "non-IT bus power per satellite"),
    "solar_array_power": Output("kW", "solar array power at end of life (SMAD eq. 11-5)"),
    "solar_array_area": Output("m2", "solar array area per satellite"),
    "solar_array_mass": Output("kg", "solar array mass per satellite"),
    "battery_energy": Output("kW h", "battery capacity per satellite"),
    "battery_mass": Output("kg", "battery mass per satellite"),
    "power_system_loss": Output("kW", "heat dissipated by power conditioning and battery while in sunlight"),
    "solar_array_bol_power": Output("kW", "solar array power at beginning of life"),
    "battery_depth_of_discharge": Output("1", "battery depth of discharge allowed by cycle life"),
    "battery_cycles": Output("1", "battery charge-discharge cycles over the lifetime"),
}

STAGE = Stage(name="power", kernel=_kernel, parameters=PARAMETERS, outputs=OUTPUTS, kinds=frozenset({"space"}))


def run(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """The power stage on an ``xarray.Dataset`` (see :meth:`orbitdc.frame.Stage.run`)."""
    return STAGE.run(ds)
