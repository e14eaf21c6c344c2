r"""Compute payload: accelerators, IT power, FLOP/s, mass, radiation shielding and availability.

This is where the seed articles' hurdle "protecting electronics from radiation" is modelled, and
where the compute mass that some published analyses leave out is counted.

Per satellite (kind ``space``)
------------------------------
* **Accelerators.** The catalog ``data/catalogs/accelerators.csv`` gives, per unit (a GPU package,
  a GB200 superchip, a whole NVL72 rack, a TPU chip), its power ``P_u``, dense BF16 peak, mass and
  volume including its share of the server/rack, price and radiation figures. The IT power of one
  unit is ``P_u * k_s`` with ``k_s = server_overhead`` (switches, NICs, CPUs, pumps), or ``P_u``
  when the entry already includes them (``overhead_included = 1``, the rack). The satellite carries whole units, at least one:

  .. math::

      n = \max\left(1, \operatorname{round}\frac{P_{IT,sat}}{P_u k_s}\right)

  so ``it_power = n P_u k_s`` is the requested IT power to within half a unit.
* **Mass.** ``compute_mass = n m_u f_m`` (``f_m = compute_mass_factor``: space packaging, no fans,
  heat sinks or chassis steel, but cold plates). The volume ``V = n v_u f_v`` is packed into one
  **cube-shaped vault** (the rectangular box of least surface for its volume; geometry assumption:
  the real layout, e.g. boards spread on a radiator, has more surface and so more shield mass);
  its aluminium shell of thickness ``t`` (orbit's ``shielding_thickness``) weighs (exact shell volume, and its thin-shell limit for t much smaller than a)

  .. math::

      m_{sh} = \rho \left((a + 2t)^3 - a^3\right), \quad a = V^{1/3}; \qquad
      m_{sh} \approx 6 a^2 t \rho = A t \rho \quad (t \ll a),

  i.e. enclosure area x thickness x density (the issue's formula) plus the edge and corner terms.
* **Single events.** Suncatcher (Agüera y Arcas et al. 2025, arXiv:2511.19468) measured TPU v6e
  under 67 MeV protons: one silent data corruption (SDC) per 14-20 rad(Si) per chip, one crash per
  ~5 krad(Si). Event rates scale with the dose rate ``D`` behind the shield (orbit's
  ``radiation_dose``): per satellite with ``c`` chips per unit, per year:

  .. math::

      \lambda_{sdc} = \frac{n c D}{d_{sdc}}, \qquad \lambda_{crash} = n c \left(\frac{D}{d_{crash}} + h\right)

  where ``h = hardware_failure_rate`` per chip (an interrupt too; Llama 3: ~0.1 GPU interruptions
  per GPU-year on the ground). ``single_event_rate`` reports the radiation part per day.
* **Availability.** Each event stalls the synchronous job spanning ``J = job_span_satellites``
  satellites: an SDC costs ``t_sdc`` (detect and recompute), a crash ``t_restart + t_recompute``.
  A renewal argument (up for 1/lambda, down for t) gives

  .. math::

      A_{events} = \frac{1}{1 + J \left(\lambda_{sdc} t_{sdc} + \lambda_{crash} (t_{restart} + t_{recompute})\right)}

  Chips that fail are not repaired in orbit: the mean surviving fraction over the life ``L`` is
  ``A_hw = (1 - exp(-h L)) / (h L)``. With the ``throttle`` eclipse strategy compute stops in
  eclipse, times the sunlit fraction ``1 - eclipse_fraction``:

  .. math::

      A = A_{events} \, A_{hw} \times \begin{cases} 1 - f_{eclipse} & \text{throttle} \\ 1 & \text{otherwise} \end{cases}

* **Total dose.** ``lifetime_dose = D L``; ``violates_total_ionizing_dose`` where it exceeds the
  catalog's ``tid_limit`` (HBM irregularities from 2 krad(Si) on TPU v6e; assumed for the others).

Kind ``terrestrial``: the facility is one unit of the comparison: ``it_power = target_it_power``,
``accelerators`` to match it, ``availability = terrestrial_availability``, no shielding.

The total system size (satellites to reach ``target_it_power``) is the mass stage's ``satellites``.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import astropy.units as u
import numpy as np
import xarray as xr

from . import parameters, units
from .frame import Output, Stage
from .errors import OrbitdcError
from .catalogs import catalog_choices, catalog_lookup, catalog_parameter_value, catalog_value
from .parameters import ParameterSpec

CATALOG = "accelerators"
#: minutes per year (Julian year, astropy's ``yr``): converts event rates [1/yr] x times [min]
MIN_PER_YEAR = float((1 * u.yr).to_value(u.min))
DAYS_PER_YEAR = float((1 * u.yr).to_value(u.day))
#: orbit-stage variables this stage reads
ORBIT_INPUTS = ("radiation_dose", "eclipse_fraction", "shielding_thickness")


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def default_value(name: str, unit: str) -> float:
    """A default from ``data/defaults/compute.yaml`` in ``unit`` (so no world number sits in Python)."""
    return parameters.default_value("compute", name, unit)


_arr = units.as_array
_check = units.check_domain


# --------------------------------------------------------------------------------------------
# Numeric kernels (plain floats / arrays / DataArrays in canonical units; no checks)
# --------------------------------------------------------------------------------------------
def _unit_it_power(power_w, server_overhead, overhead_included):
    """IT power of one unit [kW]: P_u k_s, or P_u when the entry includes its overhead."""
    k = server_overhead + (1.0 - server_overhead) * overhead_included  # overhead_included is 0 or 1
    return power_w * 1e-3 * k


def _count(it_power_kw, unit_it_power_kw):
    """Whole units, at least one: n = max(1, round(P / P_unit))."""
    return np.maximum(1.0, np.rint(it_power_kw / unit_it_power_kw))


def _shielding_mass(volume_m3, thickness_m, density):
    """Mass of a cube-shaped aluminium shell around ``volume_m3``: rho((a+2t)^3 - a^3), a = V^(1/3)."""
    a = np.cbrt(volume_m3)
    return density * ((a + 2.0 * thickness_m) ** 3 - a ** 3)


def _event_rates(units_n, chips, dose_rate, sdc_dose, crash_dose, failure_rate):
    """(SDC rate, crash rate from radiation, hardware failure rate) per satellite [1/yr]."""
    n_chips = units_n * chips
    return n_chips * dose_rate / sdc_dose, n_chips * dose_rate / crash_dose, n_chips * failure_rate


def _availability(sdc_rate, crash_rate, t_sdc, t_crash, job_span, failure_rate, lifetime):
    """A_events * A_hw (rates per yr, times in min, lifetime in yr)."""
    stall = job_span * (sdc_rate * t_sdc + crash_rate * t_crash) / MIN_PER_YEAR
    x = np.maximum(failure_rate * lifetime, 1e-300)
    return (1.0 / (1.0 + stall)) * (-np.expm1(-x) / x)


# --------------------------------------------------------------------------------------------
# Public model functions (Quantities, DataArrays with units, or numbers in canonical units)
# --------------------------------------------------------------------------------------------
def accelerator_count(satellite_it_power, unit_power, server_overhead=1.0) -> xr.DataArray:
    r"""Whole accelerator units a satellite carries for a requested IT power.

    .. math:: n = \max\left(1, \operatorname{round}\frac{P_{IT}}{P_u k_s}\right)

    The IT power of a unit is its own power :math:`P_u`
    times the server overhead :math:`k_s` (host CPUs, switches, NICs, pumps; NVIDIA's reference
    systems give k_s = 10.2 kW / (8 x 0.7 kW) = 1.82 for DGX H100 and 132 kW / (36 x 2.7 kW) =
    1.36 for GB200 NVL72 per superchip; sources in data/defaults/compute.yaml).

    Parameters: satellite_it_power [kW], unit_power [W], server_overhead [1, >= 1].
    """
    p = _arr(satellite_it_power, "kW", "satellite_it_power")
    pu = _arr(unit_power, "W", "unit_power")
    k = _arr(server_overhead, "1", "server_overhead")
    _check("satellite_it_power", p, lo=0, lo_open=True)
    _check("unit_power", pu, lo=0, lo_open=True)
    _check("server_overhead", k, lo=1)
    return units.wrap(_count(p, _unit_it_power(pu, k, 0.0)), "1", "accelerator units per satellite")


def shielding_mass(volume, thickness, density=None) -> xr.DataArray:
    r"""Mass [kg] of an aluminium vault of wall ``thickness`` around a compute ``volume``.

    Geometry assumption: the electronics fill a cube (the box of least surface for its volume),
    edge :math:`a = V^{1/3}`; the shell mass is :math:`\rho\,((a + 2t)^3 - a^3)`, which tends to the
    enclosure area x thickness x density, :math:`6 a^2 t \rho`, for :math:`t \ll a`. ``density`` defaults
    to ``shielding_density`` in data/defaults/compute.yaml (Al 6061-T6, 2,700 kg/m3).

    Parameters: volume [m3, >= 0], thickness [mm, >= 0], density [kg/m3, > 0].
    """
    v = _arr(volume, "m3", "volume")
    t = _arr(thickness, "mm", "thickness")
    rho = default_value("shielding_density", "kg/m3") if density is None else _arr(density, "kg/m3", "density")
    _check("volume", v, lo=0)
    _check("thickness", t, lo=0)
    _check("density", rho, lo=0, lo_open=True)
    return units.wrap(_shielding_mass(v, t * 1e-3, rho), "kg", "radiation shielding mass")


def single_event_rate(dose_rate, chips, sdc_dose_per_event, crash_dose_per_event) -> xr.DataArray:
    r"""Radiation single events (SDC + crashes) per day for ``chips`` chips behind the shield.

    :math:`\text{rate} = c\, D \left(\frac{1}{d_{sdc}} + \frac{1}{d_{crash}}\right)` with :math:`c`
    the ``chips``, :math:`D` the dose rate [rad_Si/yr] and
    :math:`d_*` the dose per event per chip [rad_Si] (TPU v6e: :math:`d_{sdc}` = 14-20, :math:`d_{crash}` ~ 5,000;
    Suncatcher, arXiv:2511.19468).
    """
    d = _arr(dose_rate, "rad_Si/yr", "dose_rate")
    c = _arr(chips, "1", "chips")
    ds_ = _arr(sdc_dose_per_event, "rad_Si", "sdc_dose_per_event")
    dc = _arr(crash_dose_per_event, "rad_Si", "crash_dose_per_event")
    _check("dose_rate", d, lo=0)
    _check("chips", c, lo=0)
    _check("sdc_dose_per_event", ds_, lo=0, lo_open=True)
    _check("crash_dose_per_event", dc, lo=0, lo_open=True)
    sdc, crash, _ = _event_rates(1.0, c, d, ds_, dc, 0.0)
    return units.wrap((sdc + crash) / DAYS_PER_YEAR, "1/d", "radiation single events per day")


def compute_availability(dose_rate, chips, *, sdc_dose_per_event, crash_dose_per_event, sdc_recovery_time,
                         restart_time, recompute_time, hardware_failure_rate, lifetime,
                         job_span_satellites=1.0, sunlit_fraction=1.0) -> xr.DataArray:
    r"""Fraction of time compute is delivered, from single events, failures and eclipses.

    .. math::

       A = \frac{1}{1 + J\,(\lambda_{sdc} t_{sdc} + \lambda_{crash} (t_{restart} + t_{recompute}))}
           \cdot \frac{1 - e^{-hL}}{hL} \cdot s

    with :math:`\lambda_{sdc} = c D / d_{sdc}` and :math:`\lambda_{crash} = c\,(D / d_{crash} + h)` per satellite-year
    (:math:`c` chips on the satellite, :math:`D` dose rate behind the shield, :math:`h` hardware failures per
    chip-year, not repaired in orbit), :math:`J` satellites per synchronous job, :math:`L` the lifetime and
    :math:`s` the sunlit fraction when compute is throttled in eclipse (1 otherwise). Event doses from
    Suncatcher (arXiv:2511.19468); failure rate order from Llama 3 (arXiv:2407.21783, Table 5).

    Parameters: dose_rate [rad_Si/yr], chips [1, per satellite], ``*_dose_per_event`` [rad_Si],
    times [min], hardware_failure_rate [1/yr], lifetime [yr], job_span_satellites [1, >= 1],
    sunlit_fraction [1, 0..1].
    """
    d = _arr(dose_rate, "rad_Si/yr", "dose_rate")
    c = _arr(chips, "1", "chips")
    dsdc = _arr(sdc_dose_per_event, "rad_Si", "sdc_dose_per_event")
    dcr = _arr(crash_dose_per_event, "rad_Si", "crash_dose_per_event")
    tsdc = _arr(sdc_recovery_time, "min", "sdc_recovery_time")
    tre = _arr(restart_time, "min", "restart_time")
    trc = _arr(recompute_time, "min", "recompute_time")
    h = _arr(hardware_failure_rate, "1/yr", "hardware_failure_rate")
    life = _arr(lifetime, "yr", "lifetime")
    j = _arr(job_span_satellites, "1", "job_span_satellites")
    s = _arr(sunlit_fraction, "1", "sunlit_fraction")
    for name, val, kw in (("dose_rate", d, {"lo": 0}), ("chips", c, {"lo": 0}),
                          ("sdc_dose_per_event", dsdc, {"lo": 0, "lo_open": True}),
                          ("crash_dose_per_event", dcr, {"lo": 0, "lo_open": True}),
                          ("sdc_recovery_time", tsdc, {"lo": 0}), ("restart_time", tre, {"lo": 0}),
                          ("recompute_time", trc, {"lo": 0}), ("hardware_failure_rate", h, {"lo": 0}),
                          ("lifetime", life, {"lo": 0, "lo_open": True}), ("job_span_satellites", j, {"lo": 1}),
                          ("sunlit_fraction", s, {"lo": 0, "hi": 1})):
        _check(name, val, **kw)
    sdc, crash, hw = _event_rates(1.0, c, d, dsdc, dcr, h)
    a = _availability(sdc, crash + hw, tsdc, tre + trc, j, h, life) * s
    return units.wrap(a, "1", "fraction of time compute is delivered")


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------
def _cat(field: str, key, unit: str):
    """A field of the accelerator catalog for the names in ``key`` (float or array like ``key``)."""
    return catalog_lookup(CATALOG, field, key, unit)


def _catp(f, name: str):
    """A catalog-backed parameter (``accelerator_*``): the frame's value, else the catalog's."""
    return catalog_parameter_value(f, name, PARAMETERS[name])


def _kernel(f) -> dict[str, Any]:
    """Compute-payload stage on numpy arrays: see the module docstring for every equation."""
    kind = f.attrs.get("architecture_kind", "space")
    acc = f["accelerator"]
    power_w = _catp(f, "accelerator_power")
    unit_it = _unit_it_power(power_w, f["server_overhead"], _cat("overhead_included", acc, "1"))
    mass_u = _catp(f, "accelerator_mass")
    flops_u = _catp(f, "accelerator_peak_flops")
    price_u = _catp(f, "accelerator_price")
    if kind == "terrestrial":
        p_it = f["target_it_power"]
        n = _count(p_it, unit_it)
        zero = np.zeros_like(p_it)
        return {
            "it_power": p_it + 0.0,
            "accelerators": n,
            "peak_flops": n * flops_u,
            "availability": f["terrestrial_availability"] + zero,
            "compute_mass": n * mass_u,
            "shielding_mass": zero,
            "single_event_rate": zero,
            "compute_volume": n * _cat("volume", acc, "m3"),
            "lifetime_dose": zero,
            "compute_hardware_cost": n * price_u,
            "violates_total_ionizing_dose": np.zeros(np.shape(p_it), dtype=bool),
        }
    missing = [k for k in ORBIT_INPUTS if k not in f]
    if missing:
        raise OrbitdcError(f"compute stage needs {', '.join(missing)} from the orbit stage, not in the Dataset")
    n = _count(f["satellite_it_power"], unit_it)
    chips = _cat("chips", acc, "1")
    dose = f["radiation_dose"]
    volume = n * _cat("volume", acc, "m3") * f["compute_volume_factor"]
    sdc, crash, hw = _event_rates(n, chips, dose, _cat("sdc_dose_per_event", acc, "rad_Si"),
                                  _cat("crash_dose_per_event", acc, "rad_Si"), f["hardware_failure_rate"])
    life = compute_life(f)
    avail = _availability(sdc, crash + hw, f["sdc_recovery_time"], f["restart_time"] + f["recompute_time"],
                          f["job_span_satellites"], f["hardware_failure_rate"], life)
    if "eclipse_strategy" in f:
        avail = avail * np.where(f["eclipse_strategy"] == "throttle", 1.0 - f["eclipse_fraction"], 1.0)
    if "impose_availability" in f:  # a study that states its own availability (issue 12)
        avail = np.where(f["impose_availability"], f["imposed_availability"], avail)
    lifetime_dose = dose * life
    return {
        "it_power": n * unit_it,
        "accelerators": n,
        "peak_flops": n * flops_u,
        "availability": avail,
        "compute_mass": n * mass_u * f["compute_mass_factor"],
        "shielding_mass": _shielding_mass(volume, f["shielding_thickness"] * 1e-3, f["shielding_density"]),
        "single_event_rate": (sdc + crash) / DAYS_PER_YEAR,
        "compute_volume": volume,
        "lifetime_dose": lifetime_dose,
        "compute_hardware_cost": n * price_u,
        "violates_total_ionizing_dose": lifetime_dose > _catp(f, "accelerator_tid_limit"),
    }


def compute_life(f) -> Any:
    r"""Years one generation of compute serves in orbit: :math:`T_c = \min(T_{hw}, T_{sat})`.

    ``space_compute_lifetime`` :math:`T_{hw}` capped by ``mission_lifetime`` :math:`T_{sat}`: without
    on-orbit servicing a satellite retires with its compute; with servicing each generation is
    swapped after :math:`T_{hw}`. Availability (chips failing without repair) and total dose
    accumulate over this life, not the satellite's (issue 22): a 3-year compute life in a 5-year
    satellite is a 3-year mission for the compute terms. A frame without
    ``space_compute_lifetime`` (a hand-built Dataset) uses ``mission_lifetime``.
    """
    life = f["mission_lifetime"]
    if "space_compute_lifetime" in f:
        life = np.minimum(f["space_compute_lifetime"], life)
    return life


def run(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """The compute stage on an ``xarray.Dataset`` (see :meth:`orbitdc.frame.Stage.run`)."""
    return STAGE.run(ds)


def lookup(catalog: str, field: str, key, unit: str):
    """Catalog ``field`` for ``key`` (a name, numpy array or DataArray of names) in ``unit``."""
    if isinstance(key, xr.DataArray):
        if key.ndim == 0:
            return catalog_lookup(catalog, field, key.values, unit)
        return catalog_value(catalog, field, key, unit)
    return catalog_lookup(catalog, field, key, unit)


def _spec(unit: str, long_name: str, **kw) -> ParameterSpec:
    return ParameterSpec(unit, long_name, **kw)


PARAMETERS: dict[str, ParameterSpec] = {
    "accelerator": _spec("1", "accelerator unit (data/catalogs/accelerators.csv)", kind="choice", choices=catalog_choices(CATALOG)),
    "accelerator_price": _spec("USD", "purchase price of one accelerator unit (default: the accelerator's catalog unit_price)",
                               minimum=0, catalog=(CATALOG, "unit_price", "accelerator")),
    "accelerator_mass": _spec("kg", "mass of one accelerator unit with its server share (default: catalog)",
                              minimum=0, exclusive_minimum=True, catalog=(CATALOG, "mass", "accelerator")),
    "accelerator_power": _spec("W", "power (TDP) of one accelerator unit (default: catalog)",
                               minimum=0, exclusive_minimum=True, catalog=(CATALOG, "power", "accelerator")),
    "accelerator_peak_flops": _spec("FLOP/s", "dense BF16 peak of one accelerator unit (default: catalog)",
                                    minimum=0, exclusive_minimum=True, catalog=(CATALOG, "peak_flops", "accelerator")),
    "accelerator_tid_limit": _spec("rad_Si", "total ionising dose limit of the accelerator (default: catalog tid_limit)",
                                   minimum=0, exclusive_minimum=True, catalog=(CATALOG, "tid_limit", "accelerator")),
    "satellite_it_power": _spec("kW", "IT power requested per satellite", minimum=0, exclusive_minimum=True),
    "server_overhead": _spec("1", "IT power per unit of accelerator power (host CPUs, switches, NICs, pumps)", minimum=1, maximum=3),
    "compute_mass_factor": _spec("1", "space-packaged compute mass per unit of the terrestrial server-share mass", minimum=0, exclusive_minimum=True, maximum=3),
    "compute_volume_factor": _spec("1", "space-packaged compute volume per unit of the terrestrial server-share volume", minimum=0, exclusive_minimum=True, maximum=3),
    "shielding_density": _spec("kg/m3", "density of the radiation shield material", minimum=0, exclusive_minimum=True),
    "sdc_recovery_time": _spec("min", "compute time lost per silent data corruption (detect and recompute)", minimum=0),
    "restart_time": _spec("min", "time to restart a job after a crash", minimum=0),
    "recompute_time": _spec("min", "work lost per crash (mean time since the last checkpoint)", minimum=0),
    "job_span_satellites": _spec("1", "satellites whose chips run one synchronous job (an event stalls them all)", minimum=1),
    "hardware_failure_rate": _spec("1/yr", "hardware failures per accelerator chip per year", minimum=0, maximum=10),
    "impose_availability": _spec("1", "use imposed_availability in orbit instead of the modelled one (radiation, failures, eclipses)", kind="flag"),
    "imposed_availability": _spec("1", "availability in orbit imposed when impose_availability is set", minimum=0, exclusive_minimum=True, maximum=1),
    "terrestrial_availability": _spec("1", "fraction of time a terrestrial facility delivers compute", minimum=0, exclusive_minimum=True, maximum=1),
}

OUTPUTS: dict[str, Output] = {
    "it_power": Output("kW", "IT power per satellite (per facility for terrestrial)"),
    "accelerators": Output("1", "accelerator units per satellite"),
    "peak_flops": Output("FLOP/s", "dense BF16 peak compute per satellite"),
    "availability": Output("1", "fraction of time compute is delivered (radiation upsets, failures, eclipse throttling)"),
    "compute_mass": Output("kg", "compute payload mass per satellite (accelerators with their server share)"),
    "shielding_mass": Output("kg", "radiation shielding mass per satellite"),
    "single_event_rate": Output("1/d", "radiation single events (SDC and crashes) per satellite per day"),
    "compute_volume": Output("m3", "compute payload volume per satellite"),
    "lifetime_dose": Output("rad_Si", "total ionising dose behind the shield over the compute life (min(space_compute_lifetime, mission_lifetime))"),
    "compute_hardware_cost": Output("USD", "accelerator purchase price per satellite (catalog unit_price x units)"),
    "violates_total_ionizing_dose": Output("1", "lifetime dose exceeds the accelerator's total-dose limit (HBM)"),
}

STAGE = Stage(name="compute", kernel=_kernel, parameters=PARAMETERS, outputs=OUTPUTS,
              kinds=frozenset({"space", "terrestrial"}))
