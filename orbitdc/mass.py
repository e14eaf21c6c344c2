r"""Mass-budget stage: close the satellite's mass budget and size the constellation.

Satellite mass (wet) = compute + shielding + solar array + battery + radiator + heat pump (and
its array) + link terminals (inter-satellite and ground: the links stage's ``link_mass``) + attitude control + propulsion dry mass + structure
+ growth margin + propellant.

Structure, attitude control and propulsion hardware scale with the satellite (fractions of its
*basic* dry mass B, SMAD 1999 Table 10-9), tanks scale with the propellant, the growth margin
is a fraction of B (AIAA S-120A mass growth allowance), and the propellant follows the rocket
equation for the lifetime delta-v (drag make-up from the orbit stage and collision avoidance from
the commons stage, times the mission life, plus a disposal burn) on the final dry mass. All of these depend on the total, so the budget is
closed exactly in closed form, with F = compute + shielding + array + battery + radiator + heat
pump (and its array) + link terminals, and r the propellant per kg of final dry mass:

.. math::

    r = e^{\Delta v / (g_0 I_{sp})} - 1, \qquad B = F + (s + a + h) B + t P, \qquad D = (1 + g) B, \qquad P = r D

.. math::

    \Rightarrow\; B = \frac{F}{1 - s - a - h - t r (1 + g)}, \qquad
    m_{satellite} = D + P = (1 + g)(1 + r) B

with s, a, h the structure, attitude-control and propulsion-hardware fractions, t the tank mass
per kg of propellant and g the growth margin. When the denominator is not positive (fractions
summing to one or more, or a propellant fraction so large that its tanks alone eat the margin)
no finite satellite closes: ``violates_mass_closure`` is set and the masses are +inf (the budget
diverges), never NaN.
"""
from __future__ import annotations

from typing import Any

import astropy.constants as const
import numpy as np
import xarray as xr

from . import units
from .frame import Output, Stage
from .catalogs import catalog_choices, catalog_lookup, catalog_parameter_value
from .parameters import DEFAULTS_DIR, ParameterSpec, read_yaml

G0 = float(const.g0.to_value("m/s2"))  # standard gravity (rocket equation's Isp convention)
MU_EARTH = float(const.GM_earth.to_value("km3/s2"))
R_EARTH_KM = float(const.R_earth.to_value("km"))

#: Subsystems of ``mass_breakdown`` (dimension ``subsystem``), in stacking order.
SUBSYSTEMS = (
    "compute", "shielding", "solar_array", "battery", "radiator", "heat_pump", "heat_pump_array",
    "isl_terminals", "attitude_control", "propulsion_dry", "structure", "growth_margin", "propellant",
)


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------
def _values(x: Any) -> np.ndarray:
    return np.asarray(x.values if isinstance(x, xr.DataArray) else x, dtype=float)


def _arr(x: Any, unit: str, name: str, lo: float | None = 0.0, hi: float | None = None, *, lo_open=False, hi_open=False):
    v = units.as_array(x, unit, name)
    units.check_domain(name, v, lo, hi, lo_open=lo_open, hi_open=hi_open, unit=unit)
    return v


# --------------------------------------------------------------------------------------------
# Kernels (canonical units, broadcasting)
# --------------------------------------------------------------------------------------------
def _disposal_dv(altitude_km, perigee_km):
    """Delta-v [m/s] of one burn lowering the perigee of a circular orbit (Hohmann first burn).

    ``v1 (1 - sqrt(2 rp / (r1 + rp)))`` with ``v1 = sqrt(mu / r1)``; exactly 0 when rp = r1."""
    r1 = R_EARTH_KM + altitude_km
    rp = np.minimum(R_EARTH_KM + perigee_km, r1)
    v1 = 1000.0 * np.sqrt(MU_EARTH / r1)
    return v1 * (1.0 - np.sqrt(2.0 * rp / (r1 + rp)))


def _propellant_ratio(dv, isp):
    """Propellant per kg of final (dry) mass: exp(dv / (g0 Isp)) - 1 (Tsiolkovsky)."""
    return np.expm1(dv / (G0 * isp))


def _close(fixed, structure_fraction, attitude_fraction, hardware_fraction, tank_fraction, margin, ratio):
    """Closed-form budget. Returns (basic dry mass B, dry mass D, propellant P, total M, closes flag)."""
    opg = 1.0 + margin
    den = (1.0 - structure_fraction - attitude_fraction - hardware_fraction) - tank_fraction * ratio * opg
    fails = den <= 0  # NaN inputs (an absent upstream stage) are not a violation
    if bool(np.any(fails)):
        where = xr.where if isinstance(den, xr.DataArray) else np.where
        B = where(fails, np.inf, fixed / where(fails, 1.0, den))
    else:
        B = fixed / den
    D = opg * B
    P = ratio * D
    return B, D, P, D + P, ~fails


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------
def disposal_delta_v(altitude, perigee_altitude) -> xr.DataArray:
    r"""Delta-v [m/s] to lower the perigee of a circular orbit at ``altitude`` to ``perigee_altitude``.

    .. math:: \Delta v = v_1 \left(1 - \sqrt{\frac{2 r_p}{r_1 + r_p}}\right), \qquad v_1 = \sqrt{\mu / r_1}

    (first Hohmann burn; Curtis, Orbital Mechanics for Engineering Students, sec. 6.2; :math:`\mu`
    and :math:`R_E` from astropy). Zero when the orbit is already at or below the target perigee. Example: 650 km to
    a 50 km perigee is about 170 m/s.
    """
    h = _arr(altitude, "km", "altitude", 0.0, lo_open=True)
    hp = _arr(perigee_altitude, "km", "perigee_altitude", 0.0)
    return units.wrap(_disposal_dv(h, hp), "m/s", "disposal delta-v")


def propellant_mass(dry_mass, delta_v, isp) -> xr.DataArray:
    r"""Propellant [kg] for ``delta_v`` [m/s] with specific impulse ``isp`` [s] on a final mass ``dry_mass`` [kg].

    .. math:: m_p = m_f \left(\exp\frac{\Delta v}{g_0 I_{sp}} - 1\right)

    (Tsiolkovsky; SMAD 1999 eq. 17-7), :math:`g_0` from astropy.
    """
    m = _arr(dry_mass, "kg", "dry_mass", 0.0)
    dv = _arr(delta_v, "m/s", "delta_v", 0.0)
    isp_ = _arr(isp, "s", "isp", 0.0, lo_open=True)
    return units.wrap(m * _propellant_ratio(dv, isp_), "kg", "propellant mass")


def close_mass_budget(fixed_mass, *, structure_fraction, attitude_control_fraction, propulsion_hardware_fraction,
                      tank_fraction, growth_margin, delta_v, isp) -> xr.Dataset:
    """Close the satellite mass budget exactly (closed form, see the module docstring).

    Parameters
    ----------
    fixed_mass : kg of everything that does not scale with the satellite (payload, power, thermal, terminals)
    structure_fraction, attitude_control_fraction, propulsion_hardware_fraction : fractions of the basic dry mass, each in [0, 1)
    tank_fraction : tank mass per kg of propellant, >= 0
    growth_margin : growth allowance as a fraction of the basic dry mass, >= 0
    delta_v : lifetime delta-v [m/s]; isp : specific impulse [s]

    Returns
    -------
    Dataset with ``satellite_mass``, ``basic_dry_mass``, ``structure_mass``, ``attitude_control_mass``,
    ``propulsion_dry_mass``, ``growth_margin_mass``, ``propellant_mass`` [kg] and the boolean
    ``violates_mass_closure``. Where the budget cannot close the masses are +inf.
    """
    F = _arr(fixed_mass, "kg", "fixed_mass", 0.0)
    s = _arr(structure_fraction, "1", "structure_fraction", 0.0, 1.0, hi_open=True)
    a = _arr(attitude_control_fraction, "1", "attitude_control_fraction", 0.0, 1.0, hi_open=True)
    h = _arr(propulsion_hardware_fraction, "1", "propulsion_hardware_fraction", 0.0, 1.0, hi_open=True)
    t = _arr(tank_fraction, "1", "tank_fraction", 0.0)
    g = _arr(growth_margin, "1", "growth_margin", 0.0)
    dv = _arr(delta_v, "m/s", "delta_v", 0.0)
    isp_ = _arr(isp, "s", "isp", 0.0, lo_open=True)
    r = _propellant_ratio(dv, isp_)
    B, _, P, M, closes = _close(F, s, a, h, t, g, r)
    out = {
        "satellite_mass": (M, "kg", "satellite mass (wet)"),
        "basic_dry_mass": (B, "kg", "basic dry mass (before growth margin)"),
        "structure_mass": (s * B, "kg", "structure mass"),
        "attitude_control_mass": (a * B, "kg", "attitude control mass"),
        "propulsion_dry_mass": (h * B + t * P, "kg", "propulsion dry mass (hardware and tanks)"),
        "growth_margin_mass": (g * B, "kg", "mass growth margin"),
        "propellant_mass": (P, "kg", "propellant mass"),
    }
    ds = xr.Dataset({k: units.wrap(v, un, ln) for k, (v, un, ln) in out.items()})
    ds["violates_mass_closure"] = xr.DataArray(~np.asarray(closes) if not isinstance(closes, xr.DataArray) else ~closes)
    return ds


def satellites_needed(target_it_power, it_power) -> xr.DataArray:
    """Whole satellites to reach ``target_it_power`` [kW] with ``it_power`` [kW] each: ceil(target / each)."""
    T = _arr(target_it_power, "kW", "target_it_power", 0.0, lo_open=True)
    p = _arr(it_power, "kW", "it_power", 0.0, lo_open=True)
    return units.wrap(_satellites(T, p), "1", "satellites")


def _satellites(target, each):
    # relative guard so that 1e6 / 100 is 10,000 and not 10,001 through rounding
    return np.ceil(target / each * (1.0 - 1e-12))


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------
def _get(f, name: str, fallback: float = np.nan):
    """An upstream variable, or ``fallback`` when the stage producing it is absent (NaN: absent, not faked)."""
    return f[name] if name in f else fallback


def _isl_terminal_mass(f):
    """Mass of one inter-satellite terminal [kg]: the frame's value (the chain puts the chosen
    terminal's catalog value there), else the catalog value of the frame's ``isl_terminal``, else
    of the default terminal (a stage run on a hand-built Dataset without the links stage)."""
    spec = PARAMETERS["isl_terminal_mass"]
    if "isl_terminal_mass" in f or "isl_terminal" in f:
        return catalog_parameter_value(f, "isl_terminal_mass", spec)
    default = read_yaml(DEFAULTS_DIR / "links.yaml")["parameters"]["isl_terminal"]["value"]
    return catalog_lookup(spec.catalog[0], spec.catalog[1], default, spec.unit)


def _kernel(f) -> dict[str, Any]:
    """Mass stage on numpy arrays (a :class:`orbitdc.frame.Frame`): see the module docstring."""
    thruster = f["thruster"]
    isp = catalog_lookup("thrusters", "isp", thruster, "s")
    tank = catalog_lookup("thrusters", "tank_fraction", thruster, "1")
    hardware = catalog_lookup("thrusters", "hardware_fraction", thruster, "1")
    parts = {
        "compute": _get(f, "compute_mass"),
        "shielding": _get(f, "shielding_mass"),
        "solar_array": _get(f, "solar_array_mass"),
        "battery": _get(f, "battery_mass"),
        "radiator": _get(f, "radiator_mass"),
        "heat_pump": _get(f, "heat_pump_mass", 0.0),
        "heat_pump_array": _get(f, "heat_pump_array_mass", 0.0),
        # link terminals (inter-satellite and ground): the links stage's total when it ran
        "isl_terminals": f["link_mass"] if "link_mass" in f else f["isl_terminals"] * _isl_terminal_mass(f),
    }
    values = list(parts.values())
    fixed = values[0]
    for v in values[1:]:
        fixed = fixed + v
    altitude = _get(f, "altitude")
    dv_disposal = _disposal_dv(altitude, f["disposal_perigee_altitude"])
    # drag make-up and collision avoidance (the commons stage's, 0 without it) over the life
    dv = (_get(f, "drag_delta_v") + _get(f, "avoidance_delta_v", 0.0)) * f["mission_lifetime"] + dv_disposal
    r = _propellant_ratio(dv, isp)
    s, a, g = f["structure_fraction"], f["attitude_control_fraction"], f["mass_growth_margin"]
    B, D, P, M, closes = _close(fixed, s, a, hardware, tank, g, r)
    parts.update({
        "attitude_control": a * B,
        "propulsion_dry": hardware * B + tank * P,
        "structure": s * B,
        "growth_margin": g * B,
        "propellant": P,
    })
    it = _get(f, "it_power")
    n = _satellites(f["target_it_power"], it)
    if "mass_model" in f and bool(np.any(f["mass_model"] == "specific_power")):
        # top-down: M = P_IT / sigma_sat (a study scaling a known satellite, e.g. SpaceX's
        # "100 kW per tonne"). The compute payload keeps its catalog mass (it is hardware whose mass is
        # known); every other part keeps its bottom-up share of the rest, M - m_compute.
        top = np.where(f["mass_model"] == "specific_power", 1.0, 0.0)
        m_top = it * 1000.0 / f["satellite_specific_power"]
        m_c = parts["compute"]
        # an imposed mass lighter than the compute payload it must carry cannot be built: like a
        # bottom-up budget that does not close, its mass is infinite and mass closure is violated
        fits = ~(m_top < m_c)
        unbuildable = (top > 0) & ~fits
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(top > 0, np.where(np.isfinite(M) & (M > m_c), (m_top - m_c) / (M - m_c), np.nan), 1.0)
        scale = np.where(unbuildable, np.inf, scale)
        M = np.where(unbuildable, np.inf, np.where(top > 0, m_top, M))
        with np.errstate(invalid="ignore"):
            P = np.where(P == 0, 0.0, P * scale)
            D = np.where(unbuildable, np.inf, M - P)
            parts = {k: (v if k == "compute" else np.where(v == 0, 0.0, v * scale)) for k, v in parts.items()}
        closes = np.where(top > 0, fits, closes)
    return {
        "satellite_mass": M,
        "satellites": n,
        "total_mass": n * M / 1000.0,
        "specific_mass": M / it,
        "propellant_mass": P,
        "structure_mass": parts["structure"],
        "dry_mass": D,
        "mission_delta_v": dv,
        "disposal_delta_v": dv_disposal,
        "mass_breakdown": _stack(parts, M),
        "violates_mass_closure": ~closes,
    }


def _stack(parts: dict[str, Any], like) -> np.ndarray:
    """Parts along a new leading ``subsystem`` axis, broadcast to the shape of all parts and ``like``.

    One preallocated buffer filled by numpy broadcasting (no intermediate copies)."""
    shape = np.broadcast_shapes(np.shape(like), *(np.shape(parts[k]) for k in SUBSYSTEMS))
    data = np.empty((len(SUBSYSTEMS),) + shape)
    for i, key in enumerate(SUBSYSTEMS):
        data[i] = parts[key]
    return data


def run(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """The mass stage on an ``xarray.Dataset`` (see :meth:`orbitdc.frame.Stage.run`)."""
    return STAGE.run(ds)


def _p(unit, long_name, **kw) -> ParameterSpec:
    return ParameterSpec(unit, long_name, **kw)


PARAMETERS: dict[str, ParameterSpec] = {
    "structure_fraction": _p("1", "structure mass as a fraction of the basic dry mass", minimum=0, maximum=1, exclusive_maximum=True),
    "attitude_control_fraction": _p("1", "attitude control mass as a fraction of the basic dry mass", minimum=0, maximum=1, exclusive_maximum=True),
    "mass_growth_margin": _p("1", "mass growth allowance as a fraction of the basic dry mass (AIAA S-120A)", minimum=0, maximum=2),
    "isl_terminals": _p("1", "inter-satellite optical link terminals per satellite", minimum=0, maximum=100),
    "isl_terminal_mass": _p("kg", "mass of one inter-satellite link terminal (default: the chosen isl_terminal's catalog value)",
                            minimum=0, catalog=("optical_terminals", "mass", "isl_terminal")),
    "thruster": ParameterSpec("1", "thruster type for drag make-up and disposal (data/catalogs/thrusters.csv)",
                              kind="choice", choices=catalog_choices("thrusters")),
    "mass_model": ParameterSpec("1", "'bottom_up' closes the mass budget from the subsystems; 'specific_power' imposes satellite_specific_power (top-down)",
                                kind="choice", choices=("bottom_up", "specific_power")),
    "satellite_specific_power": _p("W/kg", "IT power per kg of whole satellite, used when mass_model is specific_power", minimum=0, exclusive_minimum=True, maximum=2000),
    "disposal_perigee_altitude": _p("km", "perigee altitude the disposal burn lowers the orbit to", minimum=0),
}

OUTPUTS: dict[str, Output] = {
    "satellite_mass": Output("kg", "satellite mass at launch (wet, with growth margin)"),
    "satellites": Output("1", "whole satellites to reach the target IT power"),
    "total_mass": Output("t", "mass of the whole constellation at launch"),
    "specific_mass": Output("kg/kW", "satellite mass per kW of IT power"),
    "propellant_mass": Output("kg", "propellant mass per satellite"),
    "structure_mass": Output("kg", "structure mass per satellite"),
    "dry_mass": Output("kg", "satellite dry mass (with growth margin, without propellant)"),
    "mission_delta_v": Output("m/s", "lifetime delta-v (drag make-up and collision avoidance over the mission, plus disposal)"),
    "disposal_delta_v": Output("m/s", "delta-v of the disposal burn"),
    "mass_breakdown": Output("kg", "satellite mass by subsystem", dims=("subsystem",), labels=(SUBSYSTEMS,)),
    "violates_mass_closure": Output("1", "the mass budget does not close (fractions or propellant too large)"),
}

STAGE = Stage(name="mass", kernel=_kernel, parameters=PARAMETERS, outputs=OUTPUTS, kinds=frozenset({"space"}))
