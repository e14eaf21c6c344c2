r"""Thermal stage: rejecting the waste heat of an orbital data centre by radiation.

In vacuum the only way out for heat is infrared radiation from a radiator. Every watt the
satellite uses ends as heat: IT power, bus power and the power system's own losses (plus the
work of a heat pump, if there is one). The solar array is **not** the radiator: it rejects its
own absorbed sunlight (the ~70-80% it does not convert) and sits in full sun, so it cannot also
carry the payload's heat (the mistake of one published analysis).

Model (Gilmore 2002, ch. 2 and 6; SMAD 1999, ch. 11):

* net flux of a radiator panel, per m2 of panel (planform):

  .. math::

      q = \eta_{fin} \, n_{sides} \, \varepsilon \, \sigma \, (T^4 - T_{sink}^4) - q_{abs}

  with sigma from ``astropy.constants``;
* environmental (absorbed) flux per m2 of panel, orbit averaged:

  .. math::

      q_{abs} = \alpha S \cos\theta_{sun} f_{sunlit} + F_{earth} \left(\varepsilon q_{IR} + \alpha a S k_{albedo}\right)

  where ``F_earth`` is the sum over radiating sides of the view factor to the Earth (a plate
  edge-on to the Earth - its plane containing the nadir - or facing the nadir),
  ``k_albedo`` the orbit-mean illumination of the ground below (0 on a dawn-dusk terminator
  orbit, about 1/pi for a noon-midnight orbit);
* radiator area ``A = Q / q``, mass ``A * areal density`` (catalog ``radiators``);
* the radiator cannot run hotter than the chip's maximum temperature minus the coolant loop's
  temperature drop (``T_max = T_chip - dT_loop``) unless a heat pump lifts the heat. A heat pump
  with coefficient of performance ``COP = eta_C * T_c / (T_h - T_c)`` (a fraction of Carnot)
  needs work ``W = Q_c / COP`` that is added to the heat and supplied by extra solar array
  (and battery); :func:`optimal_radiator_temperature` picks the radiator temperature that
  minimises radiator + heat pump + its power supply mass (Kerrebrock 1986).

The stage reads ``it_power``, ``bus_power``, ``power_system_loss``, ``solar_array_area``,
``solar_array_mass``, ``battery_mass`` and ``solar_flux`` (power stage), ``altitude`` and
``eclipse_fraction`` (orbit stage), the accelerator's ``max_temperature`` from
``data/catalogs/accelerators.csv`` (or a ``chip_max_temperature`` variable if a Dataset carries
one) and the parameters declared below.
"""
from __future__ import annotations

from typing import Any

import astropy.constants as const
import numpy as np
import xarray as xr

from . import units
from ._solar_array import _array_power_required
from .frame import Output, Stage
from .errors import OrbitdcError, ParameterError
from .catalogs import catalog_choices, catalog_lookup, catalog_parameter_value, catalog_value, load_catalog
from .parameters import ParameterSpec

SIGMA = float(const.sigma_sb.to_value("W / (m2 K4)"))  # Stefan-Boltzmann constant
R_EARTH_KM = float(const.R_earth.to_value("km"))  # equatorial radius (IAU 2015 nominal)

ORIENTATIONS = ("edge_on", "nadir_facing")

# Catalog fields of data/catalogs/accelerators.csv that may carry the chip's maximum
# temperature (the compute stage owns that file); the first one present is used.
# ``max_case_temperature`` (cold-plate/case limit) is preferred: the loop drop is counted from the case.
_CHIP_TEMPERATURE_FIELDS = ("max_case_temperature", "max_temperature")


# --------------------------------------------------------------------------------------------
# Input checks (vectorised; raise ParameterError naming the parameter)
# --------------------------------------------------------------------------------------------
def _values(x: Any) -> np.ndarray:
    return np.asarray(x.values if isinstance(x, xr.DataArray) else x, dtype=float)


def _check(name: str, x: Any, lo: float | None = None, hi: float | None = None, *,
           lo_open: bool = False, hi_open: bool = False, what: str = "") -> None:
    units.check_domain(name, x, lo, hi, lo_open=lo_open, hi_open=hi_open, unit=what.strip())


def _da(x: Any) -> Any:
    """Leave DataArrays alone; make numbers arrays (so results broadcast like numpy)."""
    return x if isinstance(x, xr.DataArray) else np.asarray(x, dtype=float)


# --------------------------------------------------------------------------------------------
# Numeric kernels (plain floats in canonical units; broadcast over numpy/xarray)
# --------------------------------------------------------------------------------------------
def _pow4(x):
    x2 = x * x  # two multiplications are several times faster than a general power
    return x2 * x2


def _emitted_flux(T, eps, sides, T_sink, fin_efficiency):
    return (SIGMA * fin_efficiency * sides) * eps * (_pow4(T) - _pow4(T_sink))


def _net_flux(T, eps, sides, T_sink, absorbed, fin_efficiency):
    return _emitted_flux(T, eps, sides, T_sink, fin_efficiency) - absorbed


def _view_factor_edge_on(H):
    """View factor to the Earth of one face of a plate whose plane contains the nadir."""
    s = np.sqrt(H * H - 1.0)
    return (np.arctan(1.0 / s) - s / (H * H)) / np.pi


def _view_factor_nadir(H):
    """View factor to the Earth of a plate facing the nadir (1/H^2)."""
    return 1.0 / (H * H)


def _absorbed_flux(alpha, eps, solar_flux, solar_cosine, sunlit_fraction, earth_ir, albedo, albedo_factor, earth_view):
    return alpha * solar_flux * solar_cosine * sunlit_fraction + earth_view * (eps * earth_ir + alpha * albedo * solar_flux * albedo_factor)


def _heat_pump_work(heat, T_cold, T_hot, carnot_fraction):
    """Work [same unit as heat] to lift ``heat`` from T_cold to T_hot (0 when T_hot <= T_cold)."""
    lift = np.maximum(T_hot - T_cold, 0.0)
    return heat * lift / (carnot_fraction * T_cold)


def _optimal_temperature_np(T_cold, eps, sides, fin_efficiency, absorbed, T_sink, areal_density,
                            specific_mass, carnot_fraction, max_lift, iterations: int = 60):
    """numpy kernel of :func:`_optimal_temperature` (arrays broadcast together).

    Only the design points where lifting pays off at all (``g < 0`` at the lowest usable
    temperature) enter the Newton iterations; the rest keep the passive temperature."""
    args = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (
        T_cold, eps, sides, fin_efficiency, absorbed, T_sink, areal_density, specific_mass, carnot_fraction, max_lift)))
    shape = args[0].shape
    args = [np.ravel(x) for x in args]  # 1-d working copies (0-d inputs included)
    T_cold, eps, sides, fin_efficiency, absorbed, T_sink, areal_density, specific_mass, carnot_fraction, max_lift = args
    with np.errstate(all="ignore"):
        a = fin_efficiency * sides * eps * SIGMA
        c = 1.0 / (carnot_fraction * T_cold)
        K = specific_mass * c / areal_density
        T_sink4 = _pow4(T_sink)
        # lowest temperature at which the radiator rejects anything
        lo = np.maximum(T_cold, ((absorbed + a * T_sink4) / a) ** 0.25 * (1.0 + 1e-9))

        def g_and_slope(T, T_c, a, c, K, q_abs, Ts4):
            x = (T - T_c) * c
            q = a * (_pow4(T) - Ts4) - q_abs
            q1 = 4.0 * a * T**3
            g = c * q - (1.0 + x) * q1 + K * q * q
            dg = -(1.0 + x) * 3.0 * q1 / T + 2.0 * K * q * q1
            return g, dg

        g_lo, _ = g_and_slope(lo, T_cold, a, c, K, absorbed, T_sink4)
        result = lo.copy()  # no lift pays off where g(lo) >= 0: the passive temperature
        todo = np.flatnonzero(g_lo < 0)
        if todo.size:
            sub = [x[todo] for x in (T_cold, a, c, K, absorbed, T_sink4)]
            lo_s = lo[todo]
            # upper bracket: the lift cap when finite (if the mass still falls there, the cap is
            # the answer), else double until g > 0
            cap = (T_cold + max_lift)[todo]
            hi_s = np.where(np.isfinite(cap), np.maximum(cap, lo_s), 2.0 * lo_s)
            for _ in range(12):
                g_hi, _ = g_and_slope(hi_s, *sub)
                short = (g_hi < 0) & ~np.isfinite(cap)
                if not short.any():
                    break
                hi_s = np.where(short, 2.0 * hi_s, hi_s)
            capped = g_hi <= 0  # d(mass)/dT < 0 all the way to the cap
            result[todo[capped]] = hi_s[capped]
            keep = ~capped
            idx, sub = todo[keep], [x[keep] for x in sub]
            lo_s, hi_s = lo_s[keep], hi_s[keep]
            T = 0.5 * (lo_s + hi_s)
            for _ in range(iterations):
                if idx.size == 0:
                    break
                g, dg = g_and_slope(T, *sub)
                neg = g < 0
                lo_s = np.where(neg, T, lo_s)
                hi_s = np.where(neg, hi_s, T)
                newton = T - g / np.where(dg != 0, dg, 1.0)
                inside = (newton > lo_s) & (newton < hi_s) & (dg != 0)
                T_new = np.where(inside, newton, 0.5 * (lo_s + hi_s))
                done = np.abs(T_new - T) <= 1e-7  # K
                result[idx[done]] = T_new[done]
                live = ~done
                idx, T = idx[live], T_new[live]
                lo_s, hi_s, sub = lo_s[live], hi_s[live], [x[live] for x in sub]
            result[idx] = T  # not converged within the iterations (bracketed anyway)
    return np.minimum(result, T_cold + max_lift).reshape(shape)


def _optimal_temperature(T_cold, eps, sides, fin_efficiency, absorbed, T_sink, areal_density,
                         specific_mass, carnot_fraction, max_lift):
    """Radiator temperature T >= T_cold minimising (radiator + heat pump + power) mass per W.

    Mass per watt of cold-side heat (Q_c cancels)::

        f(T) = rho * (1 + x) / q(T) + k * x,   x = (T - T_c) / (eta_C * T_c),   q = a (T^4 - Ts^4) - q_abs

    ``rho`` areal density [kg/m2], ``k`` heat pump + power supply mass per W of work [kg/W],
    ``a = eta_fin * sides * eps * sigma``. With ``c = dx/dT = 1 / (eta_C T_c)``, ``f' = 0`` is
    ``g(T) = c q - (1 + x) q' + (k c / rho) q^2 = 0``; ``g < 0`` just above the lowest usable
    temperature and ``g > 0`` for large T. Solved by Newton's method safeguarded by bisection on
    whole arrays (a fixed maximum number of vectorised iterations, no loop over design points;
    through ``xr.apply_ufunc`` for DataArrays, so dask chunks work). The result is clipped to
    ``T_c + max_lift``.
    """
    args = (T_cold, eps, sides, fin_efficiency, absorbed, T_sink, areal_density, specific_mass, carnot_fraction, max_lift)
    if any(isinstance(x, xr.DataArray) for x in args):
        return xr.apply_ufunc(_optimal_temperature_np, *args, dask="parallelized", output_dtypes=[float])
    return _optimal_temperature_np(*args)


# --------------------------------------------------------------------------------------------
# Public model functions (Quantities, DataArrays with units, or numbers in canonical units)
# --------------------------------------------------------------------------------------------
def radiator_flux(temperature, emissivity, *, sides=2, sink_temperature=0.0, absorbed_flux=0.0,
                  fin_efficiency=1.0) -> xr.DataArray:
    r"""Net heat flux rejected per m2 of radiator panel [W/m2].

    .. math:: q = \eta_{fin}\, n_{sides}\, \varepsilon \sigma (T^4 - T_{sink}^4) - q_{abs}

    (Stefan-Boltzmann law, :math:`\sigma` from ``astropy.constants``; Gilmore 2002 eq. 6.1;
    :math:`n_{sides}` = ``sides``). A black body (:math:`\varepsilon = 1`) at 300 K
    radiates 459.3 W/m2 per side.

    Parameters
    ----------
    temperature : radiator surface temperature [K]
    emissivity : infrared hemispherical emissivity, 0 < eps <= 1
    sides : number of radiating faces (1 or 2; any value in (0, 2])
    sink_temperature : effective sink temperature [K] (deep space ~ 2.7 K; 0 K by default)
    absorbed_flux : environmental flux absorbed per m2 of panel [W/m2] (see :func:`environmental_heat_flux`)
    fin_efficiency : fin efficiency of the panel, 0 < eta <= 1

    Raises ParameterError (naming the parameter) for eps outside (0, 1], a radiator not hotter
    than its sink, or negative temperatures.
    """
    T = _da(units.strip(temperature, "K", "temperature"))
    eps = _da(units.strip(emissivity, "1", "emissivity"))
    Ts = _da(units.strip(sink_temperature, "K", "sink_temperature"))
    q_abs = _da(units.strip(absorbed_flux, "W/m2", "absorbed_flux"))
    n = _da(units.strip(sides, "1", "sides"))
    eta = _da(units.strip(fin_efficiency, "1", "fin_efficiency"))
    _check("emissivity", eps, 0.0, 1.0, lo_open=True)
    _check("temperature", T, 0.0, lo_open=True, what=" K")
    _check("sink_temperature", Ts, 0.0, what=" K")
    _check("absorbed_flux", q_abs, 0.0, what=" W/m2")
    _check("sides", n, 0.0, 2.0, lo_open=True)
    _check("fin_efficiency", eta, 0.0, 1.0, lo_open=True)
    if np.any(_values(T) <= _values(Ts)):
        raise ParameterError("temperature", "the radiator must be hotter than its sink_temperature")
    return units.wrap(_net_flux(T, eps, n, Ts, q_abs, eta), "W/m2", "net heat flux rejected per m2 of radiator panel")


def earth_view_factor(altitude, orientation: str = "edge_on") -> xr.DataArray:
    r"""View factor from one face of a flat plate to the Earth (a sphere) [1].

    * ``"nadir_facing"``: :math:`F = 1 / H^2`;
    * ``"edge_on"`` (plate plane contains the nadir, normal horizontal):
      :math:`F = \frac{1}{\pi}\left(\arctan\frac{1}{\sqrt{H^2 - 1}} - \frac{\sqrt{H^2 - 1}}{H^2}\right)`;

    with :math:`H = (R_E + h) / R_E` (Gilmore 2002, ch. 2 / app.; Incropera's sphere-to-plate
    configurations). Limits: both tend to the flat-ground values (1 and 1/2) as :math:`h \to 0`.
    """
    if orientation not in ORIENTATIONS:
        raise ParameterError("orientation", f"'{orientation}' is not one of {', '.join(ORIENTATIONS)}")
    h = _da(units.strip(altitude, "km", "altitude"))
    _check("altitude", h, 0.0, lo_open=True, what=" km")
    H = (R_EARTH_KM + h) / R_EARTH_KM
    F = _view_factor_edge_on(H) if orientation == "edge_on" else _view_factor_nadir(H)
    return units.wrap(F, "1", f"view factor to the Earth of one {orientation} face")


def environmental_heat_flux(absorptivity, emissivity, *, solar_flux, solar_cosine=0.0, sunlit_fraction=1.0,
                            earth_ir_flux, earth_albedo, albedo_factor, earth_view_factor) -> xr.DataArray:
    r"""Orbit-mean environmental heat absorbed per m2 of radiator panel [W/m2].

    .. math:: q_{abs} = \alpha S \cos\theta\, f_{sun} + F\,(\varepsilon q_{IR} + \alpha a S k)

    with :math:`\alpha` the solar
    absorptivity, :math:`\varepsilon` the infrared emissivity (= IR absorptivity), :math:`S` the solar flux,
    :math:`\cos\theta` the orbit-mean cosine of sun incidence on the sunward face, :math:`f_{sun}` the sunlit
    fraction, :math:`F` the summed view factor of the radiating faces to the Earth, :math:`q_{IR}` the Earth's
    outgoing long-wave flux (~237 W/m2), :math:`a` the Bond albedo (~0.30) and :math:`k` the orbit-mean illumination factor of the
    ground below (Gilmore 2002, ch. 2; Anderson et al. 2001).
    """
    alpha = _da(units.strip(absorptivity, "1", "absorptivity"))
    eps = _da(units.strip(emissivity, "1", "emissivity"))
    S = _da(units.strip(solar_flux, "W/m2", "solar_flux"))
    cos = _da(units.strip(solar_cosine, "1", "solar_cosine"))
    fs = _da(units.strip(sunlit_fraction, "1", "sunlit_fraction"))
    ir = _da(units.strip(earth_ir_flux, "W/m2", "earth_ir_flux"))
    a = _da(units.strip(earth_albedo, "1", "earth_albedo"))
    k = _da(units.strip(albedo_factor, "1", "albedo_factor"))
    F = _da(units.strip(earth_view_factor, "1", "earth_view_factor"))
    _check("absorptivity", alpha, 0.0, 1.0)
    _check("emissivity", eps, 0.0, 1.0, lo_open=True)
    _check("solar_flux", S, 0.0)
    _check("solar_cosine", cos, 0.0, 1.0)
    _check("sunlit_fraction", fs, 0.0, 1.0)
    _check("earth_ir_flux", ir, 0.0)
    _check("earth_albedo", a, 0.0, 1.0)
    _check("albedo_factor", k, 0.0, 1.0)
    _check("earth_view_factor", F, 0.0, 2.0)
    q = _absorbed_flux(alpha, eps, S, cos, fs, ir, a, k, F)
    return units.wrap(q, "W/m2", "environmental heat absorbed per m2 of radiator panel")


def waste_heat(it_power, bus_power, power_system_loss, heat_pump_power=0.0) -> xr.DataArray:
    """Heat the radiator must reject [kW]: IT + bus + power-system losses (+ heat pump work).

    Energy conservation: all electrical power used on board ends as heat (the optical power of
    the laser terminals is negligible). The array's own heat is not included (it radiates it).
    """
    vals = []
    for name, v in (("it_power", it_power), ("bus_power", bus_power), ("power_system_loss", power_system_loss),
                    ("heat_pump_power", heat_pump_power)):
        x = _da(units.strip(v, "kW", name))
        _check(name, x, 0.0, what=" kW")
        vals.append(x)
    return units.wrap(vals[0] + vals[1] + vals[2] + vals[3], "kW", "waste heat to reject")


def radiator_area(heat, temperature, emissivity, *, sides=2, sink_temperature=0.0, absorbed_flux=0.0,
                  fin_efficiency=1.0) -> xr.DataArray:
    r"""Radiator panel area [m2] to reject ``heat`` [kW]: :math:`A = Q / q` (see :func:`radiator_flux`).

    A radiator whose net flux is not positive (environment hotter than it can radiate) cannot
    reject the heat: ParameterError naming ``temperature``.
    """
    Q = _da(units.strip(heat, "kW", "heat"))
    _check("heat", Q, 0.0, what=" kW")
    q = radiator_flux(temperature, emissivity, sides=sides, sink_temperature=sink_temperature,
                      absorbed_flux=absorbed_flux, fin_efficiency=fin_efficiency)
    if np.any(q.values <= 0):
        raise ParameterError("temperature", "too cold to reject any heat against the absorbed environmental flux")
    qv = q if isinstance(temperature, xr.DataArray) or isinstance(Q, xr.DataArray) else q.values
    return units.wrap(Q * 1000.0 / qv, "m2", "radiator panel area")


def radiator_mass(area, areal_density) -> xr.DataArray:
    """Radiator mass [kg] = panel area [m2] x areal density [kg/m2] (catalog ``radiators``)."""
    A = _da(units.strip(area, "m2", "area"))
    rho = _da(units.strip(areal_density, "kg/m2", "areal_density"))
    _check("area", A, 0.0, what=" m2")
    _check("areal_density", rho, 0.0, lo_open=True, what=" kg/m2")
    return units.wrap(A * rho, "kg", "radiator mass")


def max_radiator_temperature(chip_max_temperature, coolant_temperature_drop) -> xr.DataArray:
    """Highest passive radiator temperature [K]: chip maximum minus the coolant loop's drop."""
    Tc = _da(units.strip(chip_max_temperature, "K", "chip_max_temperature"))
    dT = _da(units.strip(coolant_temperature_drop, "K", "coolant_temperature_drop"))
    _check("chip_max_temperature", Tc, 0.0, lo_open=True, what=" K")
    _check("coolant_temperature_drop", dT, 0.0, what=" K")
    if np.any(_values(dT) >= _values(Tc)):
        raise ParameterError("coolant_temperature_drop", "must be smaller than chip_max_temperature")
    return units.wrap(Tc - dT, "K", "highest passive radiator temperature")


def heat_pump_cop(cold_temperature, hot_temperature, carnot_fraction) -> xr.DataArray:
    r"""Cooling coefficient of performance :math:`COP = \eta_C T_c / (T_h - T_c)` [1].

    :math:`\eta_C` is the fraction of the Carnot COP reached (Sridhar et al. 1993; Kerrebrock 1986).
    Requires :math:`T_h > T_c` (ParameterError naming ``hot_temperature``).
    """
    Tc = _da(units.strip(cold_temperature, "K", "cold_temperature"))
    Th = _da(units.strip(hot_temperature, "K", "hot_temperature"))
    eta = _da(units.strip(carnot_fraction, "1", "carnot_fraction"))
    _check("cold_temperature", Tc, 0.0, lo_open=True, what=" K")
    _check("carnot_fraction", eta, 0.0, 1.0, lo_open=True)
    if np.any(_values(Th) <= _values(Tc)):
        raise ParameterError("hot_temperature", "must be above cold_temperature for a heat pump")
    return units.wrap(eta * Tc / (Th - Tc), "1", "heat pump coefficient of performance")


def heat_pump_power(heat, cold_temperature, hot_temperature, carnot_fraction) -> xr.DataArray:
    r"""Heat pump work [kW] to lift ``heat`` [kW] from :math:`T_c` to :math:`T_h`: :math:`W = Q_c / COP` (0 if no lift)."""
    Q = _da(units.strip(heat, "kW", "heat"))
    Tc = _da(units.strip(cold_temperature, "K", "cold_temperature"))
    Th = _da(units.strip(hot_temperature, "K", "hot_temperature"))
    eta = _da(units.strip(carnot_fraction, "1", "carnot_fraction"))
    _check("heat", Q, 0.0, what=" kW")
    _check("cold_temperature", Tc, 0.0, lo_open=True, what=" K")
    _check("hot_temperature", Th, 0.0, lo_open=True, what=" K")
    _check("carnot_fraction", eta, 0.0, 1.0, lo_open=True)
    return units.wrap(_heat_pump_work(Q, Tc, Th, eta), "kW", "heat pump work")


def optimal_radiator_temperature(cold_temperature, emissivity, *, radiator_areal_density, heat_pump_specific_mass,
                                 power_specific_mass, carnot_fraction, sides=2, fin_efficiency=1.0,
                                 absorbed_flux=0.0, sink_temperature=0.0, max_lift=np.inf,
                                 heat_pump=True) -> xr.DataArray:
    r"""Radiator temperature [K] minimising radiator + heat pump + extra power-supply mass.

    Without a heat pump the radiator should run as hot as the loop allows: the answer is
    ``cold_temperature`` (area falls monotonically with temperature). With a heat pump lifting
    the heat from :math:`T_c` to :math:`T`, per watt of cold-side heat the mass is

    .. math:: \frac{\rho\,(1 + W/Q_c)}{q(T)} + (b + p)\, \frac{W}{Q_c}, \qquad \frac{W}{Q_c} = \frac{T - T_c}{\eta_C T_c}

    The optimum solves :math:`d/dT = 0` (vectorised safeguarded Newton; Kerrebrock 1986; Edwards and
    Richards' dimensionless grouping b/a), clipped to :math:`T_c` + ``max_lift``.

    Parameters
    ----------
    cold_temperature : highest passive radiator temperature T_c [K] (:func:`max_radiator_temperature`)
    emissivity : radiator emissivity (0, 1]
    radiator_areal_density : kg/m2 of panel
    heat_pump_specific_mass : kg per kW of heat pump work (b)
    power_specific_mass : kg of solar array (and battery) per kW of load supplied (p)
    carnot_fraction : heat pump COP as a fraction of Carnot (0, 1]
    sides, fin_efficiency, absorbed_flux, sink_temperature : as for :func:`radiator_flux`
    max_lift : largest temperature lift the heat pump provides [K]
    heat_pump : False gives ``cold_temperature`` (passive radiator)
    """
    Tc = _da(units.strip(cold_temperature, "K", "cold_temperature"))
    eps = _da(units.strip(emissivity, "1", "emissivity"))
    rho = _da(units.strip(radiator_areal_density, "kg/m2", "radiator_areal_density"))
    b = _da(units.strip(heat_pump_specific_mass, "kg/kW", "heat_pump_specific_mass"))
    p = _da(units.strip(power_specific_mass, "kg/kW", "power_specific_mass"))
    eta = _da(units.strip(carnot_fraction, "1", "carnot_fraction"))
    n = _da(units.strip(sides, "1", "sides"))
    fin = _da(units.strip(fin_efficiency, "1", "fin_efficiency"))
    q_abs = _da(units.strip(absorbed_flux, "W/m2", "absorbed_flux"))
    Ts = _da(units.strip(sink_temperature, "K", "sink_temperature"))
    lift = _da(units.strip(max_lift, "K", "max_lift"))
    _check("cold_temperature", Tc, 0.0, lo_open=True, what=" K")
    _check("emissivity", eps, 0.0, 1.0, lo_open=True)
    _check("radiator_areal_density", rho, 0.0, lo_open=True, what=" kg/m2")
    _check("heat_pump_specific_mass", b, 0.0, what=" kg/kW")
    _check("power_specific_mass", p, 0.0, what=" kg/kW")
    _check("carnot_fraction", eta, 0.0, 1.0, lo_open=True)
    _check("sides", n, 0.0, 2.0, lo_open=True)
    _check("fin_efficiency", fin, 0.0, 1.0, lo_open=True)
    _check("absorbed_flux", q_abs, 0.0, what=" W/m2")
    _check("sink_temperature", Ts, 0.0, what=" K")
    if np.any(_values(lift) < 0) or np.any(np.isnan(_values(lift))):
        raise ParameterError("max_lift", "must be >= 0 K")
    if np.any(_values(Ts) >= _values(Tc)):
        raise ParameterError("cold_temperature", "must be above sink_temperature")
    if not heat_pump:
        return units.wrap(Tc + 0.0 * eps, "K", "mass-optimal radiator temperature")
    T = _optimal_temperature(Tc, eps, n, fin, q_abs, Ts, rho, (b + p) / 1000.0, eta, lift)
    return units.wrap(T, "K", "mass-optimal radiator temperature")


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------
def chip_max_temperature(ds) -> Any:
    """The accelerator's maximum operating temperature [K] for every design point of ``ds``
    (an ``xarray.Dataset`` or a chain :class:`~orbitdc.frame.Frame`; NaN without an accelerator)."""
    if "chip_max_temperature" in ds:
        return ds["chip_max_temperature"]
    if "accelerator" not in ds:  # compute stage absent: no chip, no limit (NaN, not a guess)
        return np.nan
    cat = load_catalog("accelerators")
    for field in _CHIP_TEMPERATURE_FIELDS:
        if field in cat:
            key = ds["accelerator"]
            if isinstance(key, xr.DataArray):
                return catalog_value("accelerators", field, key, "K")
            return catalog_lookup("accelerators", field, key, "K")
    raise OrbitdcError(
        "thermal stage: data/catalogs/accelerators.csv has no maximum temperature field "
        f"(looked for {', '.join(_CHIP_TEMPERATURE_FIELDS)})"
    )


def _get(f, name: str):
    """An upstream variable, or NaN when the stage producing it is absent (absent, not faked)."""
    return f[name] if name in f else np.nan


def _heat_pump_supply(f) -> tuple[Any, Any]:
    """Extra solar array area [m2] and array + battery mass [kg] per kW of heat pump work.

    The heat pump runs whenever the compute does: through eclipses on the battery
    (``eclipse_strategy`` battery), only in daylight when the compute is throttled. Its array
    power follows SMAD eq. 11-5 (:func:`orbitdc.power.solar_array_power_required`) with the
    power stage's own path efficiencies and eclipse durations; array area and mass then scale with
    array power exactly as the power stage sized them (``solar_array_area / solar_array_power``,
    ``solar_array_mass / solar_array_power``: same cells, losses, degradation and specific power),
    and the battery with the eclipse load (``battery_mass / eclipse load``).
    """
    needed = ("solar_array_power", "solar_array_area", "solar_array_mass", "battery_mass", "period",
              "max_eclipse_duration", "daylight_path_efficiency", "eclipse_path_efficiency")
    if any(k not in f for k in needed):  # power or orbit stage absent
        return np.nan, np.nan
    throttle = (f["eclipse_strategy"] == "throttle") if "eclipse_strategy" in f else False
    t_ecl = f["max_eclipse_duration"]
    ecl_share = np.where(throttle, 0.0, 1.0)  # kW drawn in eclipse per kW of heat pump work
    p_sa = _array_power_required(1.0, ecl_share, f["period"] - t_ecl, t_ecl,
                                 f["daylight_path_efficiency"], f["eclipse_path_efficiency"])
    per_kw_array = p_sa / f["solar_array_power"]
    p_ecl = np.where(throttle, f["bus_power"], f["it_power"] + f["bus_power"])
    battery_per_kw = np.where(p_ecl > 0, f["battery_mass"] / np.where(p_ecl > 0, p_ecl, 1.0), 0.0)
    return (f["solar_array_area"] * per_kw_array,
            f["solar_array_mass"] * per_kw_array + battery_per_kw * ecl_share)


def _radiator(field: str, kind, unit: str):
    return catalog_lookup("radiators", field, kind, unit)


def _kernel(f) -> dict[str, Any]:
    """Thermal stage on numpy arrays (a :class:`orbitdc.frame.Frame`): see the module docstring."""
    it, bus, loss = _get(f, "it_power"), _get(f, "bus_power"), _get(f, "power_system_loss")
    kind = f["radiator"]
    rho = catalog_parameter_value(f, "radiator_areal_density", PARAMETERS["radiator_areal_density"])
    fin = catalog_parameter_value(f, "radiator_fin_efficiency", PARAMETERS["radiator_fin_efficiency"])
    sides = _radiator("sides", kind, "1")
    eps = f["radiator_emissivity"]
    alpha = f["radiator_absorptivity"]

    # environment: view factor of the radiating faces to the Earth, absorbed flux
    H = (R_EARTH_KM + _get(f, "altitude")) / R_EARTH_KM
    orient = f["radiator_orientation"]
    if orient.size == 1:
        F = sides * _view_factor_edge_on(H) if str(orient.flat[0]) == "edge_on" else _view_factor_nadir(H)
    else:
        F = np.where(orient == "edge_on", sides * _view_factor_edge_on(H), _view_factor_nadir(H))
    sunlit = 1.0 - f["eclipse_fraction"] if "eclipse_fraction" in f else 1.0
    q_abs = _absorbed_flux(alpha, eps, _get(f, "solar_flux"), f["radiator_solar_cosine"], sunlit,
                           f["earth_ir_flux"], f["earth_albedo"], _get(f, "albedo_orbit_factor"), F)
    T_sink = f["radiator_sink_temperature"]

    # temperatures: passive limit, requested or optimal
    T_chip = chip_max_temperature(f)
    T_cold = np.maximum(T_chip - f["coolant_temperature_drop"], 1.0)
    heat_pump = f["heat_pump"].astype(bool)
    has_pump = bool(heat_pump.any())
    optimize = f["optimize_radiator_temperature"].astype(bool)
    if has_pump:
        supply_area, supply_mass = _heat_pump_supply(f)
        T_opt = _optimal_temperature(T_cold, eps, sides, fin, q_abs, T_sink, rho,
                                     (f["heat_pump_specific_mass"] + supply_mass) / 1000.0,
                                     f["heat_pump_carnot_fraction"], f["heat_pump_max_lift"])
        T_opt = np.where(heat_pump, T_opt, T_cold)
        T_limit = T_cold + np.where(heat_pump, f["heat_pump_max_lift"], 0.0)
    else:
        T_opt = T_limit = T_cold
    T = np.where(optimize, T_opt, f["radiator_design_temperature"]) if bool((~optimize).any()) else T_opt
    violates_temperature = T > T_limit * (1.0 + 1e-12)

    # heat, work, area, mass
    Q_cold = it + bus + loss
    if has_pump:
        W = np.where(heat_pump, _heat_pump_work(Q_cold, T_cold, T, f["heat_pump_carnot_fraction"]), 0.0)
        Q = Q_cold + W
        hp = {"heat_pump_power": W, "heat_pump_mass": W * f["heat_pump_specific_mass"],
              "heat_pump_array_area": W * supply_area, "heat_pump_array_mass": W * supply_mass}
    else:  # no work anywhere: zeros (broadcast by any consumer)
        Q = Q_cold
        hp = {"heat_pump_power": 0.0, "heat_pump_mass": 0.0, "heat_pump_array_area": 0.0, "heat_pump_array_mass": 0.0}
    q_net = _net_flux(T, eps, sides, T_sink, q_abs, fin)
    violates_balance = q_net <= 0
    if bool(np.any(violates_balance)):
        area = np.where(violates_balance, np.inf, Q * 1000.0 / np.where(violates_balance, 1.0, q_net))
    else:
        area = Q * 1000.0 / q_net
    return {
        "waste_heat": Q,
        "radiator_temperature": T,
        "radiator_max_temperature": T_limit,
        "radiator_absorbed_flux": q_abs,
        "radiator_net_flux": q_net,
        "radiator_area": area,
        "radiator_mass": area * rho,
        **hp,
        "violates_radiator_temperature": violates_temperature,
        "violates_radiator_heat_balance": violates_balance,
    }


def run(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """The thermal stage on an ``xarray.Dataset`` (see :meth:`orbitdc.frame.Stage.run`)."""
    return STAGE.run(ds)


def _p(unit, long_name, **kw) -> ParameterSpec:
    return ParameterSpec(unit, long_name, **kw)


PARAMETERS: dict[str, ParameterSpec] = {
    "radiator": ParameterSpec("1", "radiator technology (data/catalogs/radiators.csv)", kind="choice",
                              choices=catalog_choices("radiators")),
    "radiator_areal_density": _p("kg/m2", "radiator mass per m2 of panel (default: the radiator's catalog value)",
                                 minimum=0, exclusive_minimum=True, maximum=100,
                                 catalog=("radiators", "areal_density", "radiator")),
    "radiator_fin_efficiency": _p("1", "radiator fin efficiency (default: the radiator's catalog value)",
                                  minimum=0, exclusive_minimum=True, maximum=1,
                                  catalog=("radiators", "fin_efficiency", "radiator")),
    "radiator_emissivity": _p("1", "infrared emissivity of the radiator coating", minimum=0, exclusive_minimum=True, maximum=1),
    "radiator_absorptivity": _p("1", "solar absorptivity of the radiator coating (design-life value)", minimum=0, maximum=1),
    "radiator_solar_cosine": _p("1", "orbit-mean cosine of sun incidence on the radiator's sunward face", minimum=0, maximum=1),
    "radiator_orientation": ParameterSpec("1", "radiator attitude relative to the Earth", kind="choice", choices=ORIENTATIONS),
    "radiator_sink_temperature": _p("K", "effective sink temperature seen by the radiator (deep space 2.7 K; a study may fold environment loads into a warmer sink)", minimum=0, maximum=400),
    "earth_ir_flux": _p("W/m2", "Earth outgoing long-wave (infrared) flux, orbit mean", minimum=0, maximum=500),
    "earth_albedo": _p("1", "Earth Bond albedo, orbit mean", minimum=0, maximum=1),
    "coolant_temperature_drop": _p("K", "temperature drop from the chip limit to the radiator surface (cold plate, loop, fin root)", minimum=0, maximum=150),
    "radiator_design_temperature": _p("K", "radiator temperature asked for when not optimised", minimum=0, exclusive_minimum=True, maximum=1000),
    "optimize_radiator_temperature": ParameterSpec("1", "use the mass-optimal radiator temperature instead of the design temperature", kind="flag"),
    "heat_pump": ParameterSpec("1", "a heat pump lifts the waste heat above the chip loop temperature", kind="flag"),
    "heat_pump_carnot_fraction": _p("1", "heat pump coefficient of performance as a fraction of Carnot", minimum=0, exclusive_minimum=True, maximum=1),
    "heat_pump_specific_mass": _p("kg/kW", "heat pump mass per kW of input work", minimum=0),
    "heat_pump_max_lift": _p("K", "largest temperature lift the heat pump provides", minimum=0, maximum=500),
}

OUTPUTS: dict[str, Output] = {
    "waste_heat": Output("kW", "waste heat rejected by the radiator (IT + bus + power-system losses + heat pump work)"),
    "radiator_temperature": Output("K", "radiator temperature used"),
    "radiator_max_temperature": Output("K", "highest allowed radiator temperature (chip limit - loop drop, + heat pump lift)"),
    "radiator_absorbed_flux": Output("W/m2", "environmental heat absorbed per m2 of radiator panel"),
    "radiator_net_flux": Output("W/m2", "net heat rejected per m2 of radiator panel"),
    "radiator_area": Output("m2", "radiator panel area"),
    "radiator_mass": Output("kg", "radiator mass"),
    "heat_pump_power": Output("kW", "heat pump input work"),
    "heat_pump_mass": Output("kg", "heat pump mass"),
    "heat_pump_array_area": Output("m2", "extra solar array area to power the heat pump"),
    "heat_pump_array_mass": Output("kg", "extra solar array and battery mass to power the heat pump"),
    "violates_radiator_temperature": Output("1", "radiator temperature above the chip limit minus the loop drop (plus the heat pump lift)"),
    "violates_radiator_heat_balance": Output("1", "absorbed environmental heat exceeds what the radiator emits"),
}

STAGE = Stage(name="thermal", kernel=_kernel, parameters=PARAMETERS, outputs=OUTPUTS, kinds=frozenset({"space"}))
