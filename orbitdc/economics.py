r"""Economics: space total cost of ownership, the terrestrial baseline, levelised cost, break-even.

The question every reader asks is whether compute in orbit is cheaper than the same compute on the
ground, at what launch price, and how sure we are. Published answers span "22x cheaper in space"
(Starcloud) to "2.5-3x dearer" (BCG) and "up to 78x dearer" (ABI); most of that spread is *scope*
(is the IT hardware on both sides?) and *finance* (is anything discounted?). This module compares
like with like and shows its working:

* **Same compute on both sides.** For every space design point the terrestrial baseline is costed
  for the same number of the same accelerators (same catalog price, same refresh period), the same
  IT power, from the same parameters, so ``cost_ratio_vs_terrestrial`` is like for like.
* **Finance per asset class.** Capital is annualised with the capital recovery factor
  :func:`capital_recovery_factor` at a weighted average cost of capital (``space_wacc`` for the
  space programme and its ground segment, ``terrestrial_wacc`` for the data centre) over the life
  of its asset class: compute hardware (``terrestrial_compute_lifetime`` on the ground,
  ``space_compute_lifetime`` in orbit, where it cannot outlive its satellite, so
  ``min(space_compute_lifetime, mission_lifetime)``), satellites (``mission_lifetime``, but a
  satellite retires with its compute unless ``on_orbit_servicing`` swaps it, so without servicing
  ``min(space_compute_lifetime, mission_lifetime)`` too) and buildings (``facility_lifetime``;
  also used for the space ground segment).
* **Levelised per kW of IT delivered.** ``cost_per_kw_year`` = annualised capital plus yearly
  operating cost, divided by the IT power times its ``availability`` (the fraction of time it
  delivers compute).

Space (kind ``space``), whole system of ``N = satellites`` satellites, IT power ``P_IT``,
``n_acc`` accelerators at catalog price ``P_acc``:

.. math::

    \mathrm{capex} &= H_s + B + L + I + G \\
    H_s &= n_{acc} P_{acc} (1 + f_{server}) (1 + f_{premium}) \\
    B &= m_{bus} \, c_{bus} \, g(m_{bus} / m_{ref}), \qquad m_{bus} = (m_{sat} - m_{compute}) N \\
    I &= r_{ins} (H_s + B + L), \qquad G = c_{ground} P_{IT} \\
    D &= (H_s + B + L + I) \left((1 + r_s)^{t_{comm}} - 1\right)

with ``L = launch_cost`` (from the launch stage), ``f_server = server_cost_fraction``,
``f_premium = space_hardware_premium``, ``g`` Wright's law on the bus (see ``bus_cost_per_kg``,
``m_ref = bus_reference_mass``; the compute is priced from the catalog, not per kg),
``r_ins = insurance_rate``, ``c_ground = ground_segment_cost`` and ``D`` the capital idle until in
service (``t_comm = space_commissioning_time``). Without servicing a satellite retires with its
compute, so bus and launch share its life:

.. math::

    A_{space} = H_s \, \mathrm{CRF}(r_s, T) + (B + L + I + D)\, \mathrm{CRF}(r_s, T) + G\, \mathrm{CRF}(r_s, T_{fac}) + \mathrm{opex},
    \qquad T = \min(T_{hw}, T_{sat})

With ``on_orbit_servicing`` the compute is swapped ``k = ceil(T_sat / T_hw) - 1`` times:

.. math::

    A_{space} &= H_s G_k \, \mathrm{CRF}(r_s, T_{sat}) + S (G_k - 1)\, \mathrm{CRF}(r_s, T_{sat}) + (B + L + I + D)\, \mathrm{CRF}(r_s, T_{sat}) + G\, \mathrm{CRF}(r_s, T_{fac}) + \mathrm{opex} \\
    G_k &= \sum_{j=0}^{k} (1 + r_s)^{-j T_{hw}}, \qquad S = c_{serv} \, m_{compute} N

(``c_serv = servicing_cost_per_kg``: the delivery of each swapped generation). Operations, and
replacing failed satellites:

.. math::

    \mathrm{opex} = c_{ops} N + c_{bw} P_{IT} + \left(\lambda_{sat} (H_s + B) + \frac{n_{repl}}{n_{launches}} L\right)(1 + r_{ins})

(``c_ops = satellite_operations_cost``, ``c_bw = ground_bandwidth_cost``,
``lambda_sat = satellite_failure_rate``, ``n_repl = replacement_launches_per_year``).

Terrestrial (kind ``terrestrial``, and the baseline of every space point), with
``F = facility_capex P_IT`` and ``Q`` the capital idle while waiting for the grid:

.. math::

    \mathrm{capex} &= H_t + F, \qquad H_t = n_{acc} P_{acc} (1 + f_{server}) \\
    A_{ground} &= H_t \, \mathrm{CRF}(r_t, T_{hw}) + (F + Q)\, \mathrm{CRF}(r_t, T_{fac}) + f_{O\&M} F + P_{IT} h \left(p_{el} \, \mathrm{PUE} + w \, p_{w}\right) \\
    Q &= F \left((1 + r_t)^{t_{grid}} - 1\right)

(``f_O&M = facility_om_rate``, ``p_el = electricity_price``, ``w = water_usage``,
``p_w = water_price``, ``t_grid = grid_connection_delay``),
with h the hours in a year (8,766 h, the Julian year of ``astropy.units.yr``). Per-unit metrics
divide the annual cost by what is delivered: ``P_IT a`` (kW), ``n_acc a h`` (accelerator-hours),
``peak_flops a h`` (PFLOP/s-hours). ``cost_breakdown`` gives each item's present value over
``mission_lifetime`` at the system's WACC (its annual cost / ``CRF(r, mission_lifetime)``), so an
item recovered over ``mission_lifetime`` shows at face value and the items add up to the present
value of the whole.

Idle capital, like for like: the ground facility's capital waits ``t_grid`` for power (all of it
at once; ``grid_connection_delay``, or with ``grid_region`` the sourced wait of that region in the
start year, :func:`grid_connection_wait_of`); a satellite's capital waits
``space_commissioning_time`` (integration, launch campaign, orbit raising, checkout) and then
earns, because capacity in orbit comes online satellite by satellite as it is launched. The time
to deploy the whole fleet (``deployment_years`` from the launch stage) therefore changes when the
target capacity is reached, not the levelised cost per kW-yr delivered; a fleet whose deployment
outlasts ``mission_lifetime`` never reaches its target at all, which the report must show beside
the cost (it is not a cost term here).

Time to power has two views. The **cost view** (``time_to_power_valuation: interest``, the
default) is the levelised-cost convention: waiting capital idles at its financing cost (``Q`` and
``D`` above), no revenue enters. The developer builds on-site bridge power (``on_site_power_capex``
per kW, where ``on_site_power_available``) when that is cheaper than waiting:

.. math::

    T_{ttp} = \min\left(c_{bridge} P_{IT},\; Q + v\, m\, P_{del}\, t_{grid}\right) \mathrm{CRF}(r_t, T_{fac})

with :math:`v = 0` in the cost view. The **market view** counts the margin the compute forgoes
while it waits, :math:`m = R - c_0` (``revenue_per_kw_year`` less the ground's own levelised cost
per delivered kW-yr without the wait, at least 0), :math:`v = 1`, and in orbit
:math:`m P_{IT} a\, t_{s}\, \mathrm{CRF}(r_s, T)` with :math:`t_s` the space wait
(``space_time_to_power``: the commissioning time, or plus half of ``deployment_years``). It is
always reported as ``market_cost_ratio_vs_terrestrial``, and enters ``cost_ratio_vs_terrestrial``
itself only with ``time_to_power_valuation: margin``: a margin is a value (revenue less cost), kept
apart from a plant-level levelised cost as the IEA and NEA keep the LCOE apart from the
value-adjusted LCOE (Projected Costs of Generating Electricity, 2020).

Break-even launch price: every launch-dependent term above is proportional to the launch price
per kg (the launch stage bills ``launch_cost = billed mass x launch_price_per_kg``), so the space
annual cost is affine in the price, ``A(p) = A0 + S p``, and the price at which space equals the
ground per kW delivered is closed-form, ``p* = (T P_IT a_s - A0) / S``. When ``A0`` alone already
exceeds the ground cost there is no positive break-even: ``breakeven_launch_price`` is then the
signed, negative price (what the launch provider would have to pay per kg) and
``breakeven_unreachable`` is True (hardware, bus and operations already cost more than the ground);
it is NaN only where it is undefined (an unbuildable design, a zero launch price).

Delivered compute. Unit costs divide by the IT power actually delivered:
``P_IT a u (1 - s) (1 - o) U`` in orbit (availability, ``utilisation``,
``space_spare_compute_fraction``, ``space_compute_overhead_fraction`` and the links stage's
``usable_compute_fraction`` ``U``, the share the chosen ``workload`` can use through the links:
so ``cost_ratio_vs_terrestrial`` is per useful output of that workload, the ground's fabric
carrying any workload at full use) and
``P_IT a_t u_t c_t (1 - s_t) (1 - o_t)`` on the ground (``terrestrial_utilisation``, the
``terrestrial_capacity_factor`` ``c_t`` which also scales the energy bought, and the ground's
spare and overhead fractions). Every CRF uses ``payments_per_year`` ``m`` payments a year:
``CRF = m i / (1 - (1 + i)^(-n m))`` with ``i = r / m`` (1: annual, 12: monthly).
(The billed mass is read as ``launch_cost / launch_price_per_kg``, so a zero launch price gives no
break-even.) ``breakeven_year`` is the year the launch stage's learning curve brings the price
down to ``p*`` (``orbitdc.launch.year_price_reaches``; NaN if never).

Sources: CRF and levelised cost after Short, Packey & Holt (1995), NREL/TP-462-5173; launched
power price after Aguera y Arcas et al. (2025, "Project Suncatcher"); terrestrial ranges from
REFERENCES.md and ``data/references/economics.yaml``.

.. developer notes

Missing upstream stages: a variable that an earlier stage has not produced (because its module does
not exist yet) is read as NaN, so the outputs that depend on it are NaN rather than invented. The
system IT power is ``it_power * satellites`` when both exist, else ``target_it_power`` (the system
is sized to it).
"""
from __future__ import annotations

from typing import Any, Mapping

import astropy.units as u
import numpy as np
import xarray as xr

from . import _finance, _learning, units
from ._launch_vehicles import _vehicle_names, _vehicle_param, _vv, _year_kernel
from .frame import Output, Stage, apply_stage
from .errors import ArchitectureError, ParameterError
from .catalogs import catalog_lookup, catalog_rows, catalog_value
from .parameters import ParameterSpec

#: Hours in one year (Julian year, as ``astropy.units.yr``): 8,766 h.
HOURS_PER_YEAR = float(u.yr.to(u.h))
#: PFLOP/s per FLOP/s.
_PFLOPS_PER_FLOPS = float(u.Unit("FLOP/s").to(u.Unit("PFLOP/s")))
#: m3 per litre.
_M3_PER_L = float(u.L.to(u.m**3))
#: kg per tonne.
_KG_PER_T = float(u.t.to(u.kg))
#: tonnes per gram.
_T_PER_G = float(u.g.to(u.t))

#: Catalog and field holding the unit price of one accelerator.
ACCELERATOR_CATALOG = "accelerators"
ACCELERATOR_PRICE_FIELD = "unit_price"

#: Items of ``cost_breakdown`` (dimension ``cost_item``), space items first, then terrestrial.
COST_ITEMS = (
    "compute_hardware",
    "satellite_bus",
    "launch",
    "insurance",
    "ground_segment",
    "programme",
    "deployment_finance",
    "operations",
    "ground_bandwidth",
    "satellite_replacement",
    "facility",
    "grid_connection_delay",
    "facility_operations",
    "electricity",
    "water",
    "carbon",
)


# ============================================================================================
# Numeric kernels (plain floats/arrays/DataArrays in canonical units, no Quantities)
# ============================================================================================
def _crf(rate, years, periods_per_year=1.0):
    """Capital recovery factor kernel [1/yr] (:func:`orbitdc._finance.capital_recovery_factor`)."""
    return _finance.capital_recovery_factor(rate, years, periods_per_year)


def _compute_generations(rate, hardware_life, satellite_life, periods_per_year=1.0):
    """(G, CRF(rate, T_sat)) for compute swapped in orbit every ``T_hw`` over a bus life ``T_sat``.

    Generations are bought at ``j T_hw`` for ``j = 0 .. k``, ``k = ceil(T_sat / T_hw) - 1`` swaps
    (none when ``T_hw >= T_sat``); their present value per unit of one generation's cost is
    ``G = sum_j x^j = (1 - x^(k+1)) / (1 - x)`` with ``x = (1 + r)^(-T_hw)`` (``k + 1`` at r = 0;
    :func:`orbitdc._finance.repeated_purchases_present_value`). Annualised over the bus life:
    ``G CRF(r, T_sat)``, which equals ``CRF(r, T_hw)`` when ``T_sat`` is a whole multiple of
    ``T_hw`` (annuity identity). Swap deliveries cost ``(G - 1) CRF``.
    """
    k = np.maximum(np.ceil(satellite_life / hardware_life - 1e-12) - 1.0, 0.0)
    gens = _finance.repeated_purchases_present_value(rate, hardware_life, k + 1.0)
    return gens, _crf(rate, satellite_life, periods_per_year)


def _growth(rate, years):
    """``(1 + rate)^years - 1``: interest accrued on idle capital (:func:`orbitdc._finance.idle_growth`)."""
    return _finance.idle_growth(rate, years)


def loss_cover_factors(cover, insurance_rate, launch_failure_probability, service_life, cover_years=1.0):
    r"""The one counting rule for losses: ``(k, m_rep)`` of an insured or a self-insured architecture.

    A launch fails with probability :math:`p`; satellites fail in orbit at :math:`\lambda` a year.
    Each expected loss is paid exactly once, by a premium or by re-flying it:

    * **insured** (``cover = "insured"``): the premium :math:`r_{ins}` on the insured value (hardware,
      bus and the launch bill *without* re-flights) covers launch failure and early loss (the first
      ``cover_years`` :math:`T_c` in orbit, the term of a launch + first-year policy): the insurer
      pays re-flights and re-builds. :math:`k = r_{ins}`; the in-orbit failures after the cover are
      re-flown at the operator's cost, themselves insured: :math:`m_{rep} = (1 + r_{ins})(1 - \min(1, T_c / T))`;
    * **self-insured** (``"self_insured"``): no premium; a lost launch is re-built and re-flown:
      :math:`k = p / (1 - p)` (the actuarially fair premium: the expected loss per unit launched);
      every in-orbit failure is re-flown and may itself be lost at launch: :math:`m_{rep} = 1 / (1 - p)`.

    With :math:`L_0` the launch bill without re-flights and :math:`O` the owned hardware and bus,
    the capital is :math:`(1 + k)(O + L_0)` and the yearly replacement
    :math:`m_{rep} (\lambda O + s L_0)` (:math:`s` the replacement share of the launches).
    ``service_life`` :math:`T` [yr] is the satellite's life in the cost (``min(T_hw, T_sat)`` without
    servicing). Arrays broadcast; ``cover`` is a string or an array of strings.
    """
    insured = np.asarray(cover) == "insured"
    q = 1.0 - launch_failure_probability
    with np.errstate(divide="ignore", invalid="ignore"):
        covered = np.minimum(1.0, cover_years / service_life)
        k = np.where(insured, insurance_rate, launch_failure_probability / q)
        m_rep = np.where(insured, (1.0 + insurance_rate) * (1.0 - covered), 1.0 / q)
    return k, m_rep


def _wright_average(x, learning_rate):
    """Average unit-cost factor over a production run of ``x`` reference lots under Wright's law
    (:func:`orbitdc._learning.average_cost_factor`; 1 when ``x -> 0``)."""
    return _learning.average_cost_factor(x, learning_rate)


def _bus_cost(bus_mass_kg, reference_kg, cost_per_kg, learning_rate):
    """Bus cost [USD] of ``bus_mass_kg`` built after ``reference_kg`` under Wright's law.

    ``m c W(m / m_ref)`` with :func:`_wright_average` ``W``; an unbuildable design (infinite mass)
    costs ``c m_ref ((1 + x)^(b+1) - 1) / (b + 1)`` (:func:`orbitdc._learning.total_cost_factor`,
    ``x = m / m_ref``), ``inf`` instead of ``inf x 0 = NaN``.
    """
    x = bus_mass_kg / reference_kg
    grown = _learning.total_cost_factor(x, learning_rate)
    finite = np.isfinite(x)
    with np.errstate(invalid="ignore"):
        exact = bus_mass_kg * cost_per_kg * _wright_average(np.where(finite, x, 0.0), learning_rate)
    # finite masses: the original product (bit-identical results); infinite: the limit form
    return np.where(finite, exact, cost_per_kg * reference_kg * grown)


def _revenue_annuity(rate, decline, years):
    """Present value of 1 USD a year declining by ``decline`` each year, received at each year end
    over ``years`` (:func:`orbitdc._finance.annuity_present_value`); ``1 / CRF(r, T)`` when ``d = 0``."""
    return _finance.annuity_present_value(rate, years, decline)


def _safe_div(num, den):
    """``num / den`` where ``den > 0``, NaN elsewhere (no inf, no warnings).

    The mask is applied to the denominator (often the smaller array) before dividing, so a large
    numerator costs one pass.
    """
    if isinstance(den, xr.DataArray):
        den = den.where(den > 0)
    else:
        den = np.where(np.asarray(den) > 0, den, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


# ============================================================================================
# Public model functions (accept Quantities, DataArrays with units, or numbers in canonical units)
# ============================================================================================
def _check_rate(rate, name):
    arr = np.asarray(rate.values if isinstance(rate, xr.DataArray) else rate, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, "must be a finite number")
    if np.any(arr <= -1.0):
        raise ParameterError(name, f"{arr[arr <= -1.0].flat[0]:g} is <= -100%: a discount rate must be > -1")


def _check_positive(value, name, unit):
    arr = np.asarray(value.values if isinstance(value, xr.DataArray) else value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, "must be a finite number")
    if np.any(arr <= 0):
        raise ParameterError(name, f"{arr[arr <= 0].flat[0]:g} {unit} is out of range: must be > 0")


def _check_nonnegative(value, name, unit):
    arr = np.asarray(value.values if isinstance(value, xr.DataArray) else value, dtype=float)
    if np.any(~np.isfinite(arr)) or np.any(arr < 0):
        bad = arr[~(np.isfinite(arr) & (arr >= 0))].flat[0]
        raise ParameterError(name, f"{bad:g} {unit} is out of range: must be a finite number >= 0")


def _as_da(x) -> xr.DataArray:
    return x if isinstance(x, xr.DataArray) else xr.DataArray(np.asarray(x, dtype=float))


def capital_recovery_factor(rate, years, periods_per_year=1) -> xr.DataArray:
    r"""Capital recovery factor: the level yearly payment that repays 1 USD of capital.

    .. math:: CRF = \frac{m\, i}{1 - (1 + i)^{-n m}}

    with :math:`i = r / m` the rate per period (:math:`r` = ``rate``, a
    nominal annual rate compounded :math:`m` = ``periods_per_year`` times a year) and :math:`n` = ``years``; the
    result is the *annual* payment (:math:`m` periodic payments). At :math:`r = 0` it is :math:`1 / n`.
    Example: 8 % over 10 years gives 0.14903 per year.

    Source: Short, Packey & Holt (1995), *A Manual for the Economic Evaluation of Energy
    Efficiency and Renewable Energy Technologies*, NREL/TP-462-5173, eq. 4-7 (CRF) [E].

    Parameters
    ----------
    rate : weighted average cost of capital per year [1] (0.08 = 8 %), > -1
    years : recovery period [yr], > 0
    periods_per_year : payments per year [1], > 0

    Returns
    -------
    DataArray [1/yr]
    """
    r = units.strip(rate, "1", "rate")
    n = units.strip(years, "yr", "years")
    m = units.strip(periods_per_year, "1", "periods_per_year")
    _check_rate(r, "rate")
    _check_positive(n, "years", "yr")
    _check_positive(m, "periods_per_year", "")
    _check_rate(_as_da(r) / _as_da(m), "rate")
    return units.wrap(xr.apply_ufunc(_crf, _as_da(r), _as_da(n), _as_da(m)), "1/yr", "capital recovery factor")


def annualised_cost(capital, rate, years) -> xr.DataArray:
    r"""Level yearly cost of ``capital`` [USD] financed at ``rate`` over ``years``: :math:`\text{capital} \times CRF`.

    Source: Short, Packey & Holt (1995), NREL/TP-462-5173 [E]. Returns USD/yr.
    """
    c = units.strip(capital, "USD", "capital")
    crf = capital_recovery_factor(rate, years)
    return units.wrap(_as_da(c) * _as_da(crf.values), "USD/yr", "annualised capital cost")


def idle_capital_cost(capital, rate, delay) -> xr.DataArray:
    r"""Cost of capital spent ``delay`` years before it earns: :math:`\text{capital}\,((1 + \text{rate})^{\text{delay}} - 1)`.

    Used for the grid-connection delay of a terrestrial data centre (the facility is built but
    waits for power) and for the deployment time of a constellation (interest during construction).
    Source: standard compound interest (Short, Packey & Holt 1995, NREL/TP-462-5173) [E].

    Parameters: capital [USD], rate [1/yr as a fraction], delay [yr]. Returns USD.
    """
    c = units.strip(capital, "USD", "capital")
    r = units.strip(rate, "1", "rate")
    d = units.strip(delay, "yr", "delay")
    _check_rate(r, "rate")
    _check_nonnegative(d, "delay", "yr")
    return units.wrap(_as_da(c) * xr.apply_ufunc(_growth, _as_da(r), _as_da(d)), "USD", "cost of idle capital")


def launched_power_price(specific_mass, launch_price_per_kg, lifetime) -> xr.DataArray:
    r"""Suncatcher's "launched power price": launch spend per kW of IT per year of life.

    :math:`\text{specific_mass} \times \text{launch_price_per_kg} / \text{lifetime}` [USD/(kW yr)]. A narrower metric than
    ``cost_per_kw_year``: it leaves out hardware, manufacturing, insurance, operations and
    finance; the report shows both. Example (Suncatcher, Starlink-like ~20.5 kg/kW, 5 yr):
    ~$14,700 per kW-yr at ~$3,600/kg and ~$810 per kW-yr at $200/kg.

    Source: Aguera y Arcas et al. (2025), "Towards a future space-based, highly scalable AI
    infrastructure system design", arXiv:2511.19468 [PP].

    Parameters
    ----------
    specific_mass : satellite mass per kW of IT [kg/kW], >= 0
    launch_price_per_kg : [USD/kg], >= 0
    lifetime : [yr], > 0
    """
    m = units.strip(specific_mass, "kg/kW", "specific_mass")
    p = units.strip(launch_price_per_kg, "USD/kg", "launch_price_per_kg")
    t = units.strip(lifetime, "yr", "lifetime")
    _check_nonnegative(m, "specific_mass", "kg/kW")
    _check_nonnegative(p, "launch_price_per_kg", "USD/kg")
    _check_positive(t, "lifetime", "yr")
    return units.wrap(_as_da(m) * _as_da(p) / _as_da(t), "USD/(kW yr)", "launched power price")


def terrestrial_power_cost(electricity_price, pue, duration=1 * u.yr) -> xr.DataArray:
    r"""Electricity spend per kW of IT over ``duration``: :math:`\text{electricity_price} \times PUE \times \text{hours}`.

    Over one year this is Suncatcher's terrestrial band: $0.06/kWh at PUE 1.09 gives ~$573 per
    kW-yr and $0.25/kWh at PUE 1.4 ~$3,068 (their "$570-3,000"). Hours from astropy's Julian year
    (8,766 h/yr). Source: Aguera y Arcas et al. (2025), arXiv:2511.19468 [PP].

    Parameters: electricity_price [USD/(kW h)] >= 0, pue [1] >= 1, duration [yr] >= 0.
    Returns USD/kW (per kW of IT).
    """
    c = units.strip(electricity_price, "USD/(kW h)", "electricity_price")
    q = units.strip(pue, "1", "pue")
    d = units.strip(duration, "yr", "duration")
    _check_nonnegative(c, "electricity_price", "USD/(kW h)")
    _check_nonnegative(d, "duration", "yr")
    qa = np.asarray(q.values if isinstance(q, xr.DataArray) else q, dtype=float)
    if np.any(~np.isfinite(qa)) or np.any(qa < 1):
        raise ParameterError("pue", "power usage effectiveness must be a finite number >= 1")
    return units.wrap(_as_da(c) * _as_da(q) * _as_da(d) * HOURS_PER_YEAR, "USD/kW", "electricity cost per kW of IT")


def terrestrial_energy_cost(it_power, electricity_price, pue, duration) -> xr.DataArray:
    r"""Electricity bill of a data centre: :math:`\text{it_power} \times PUE \times \text{hours} \times \text{electricity_price}` [USD].

    Example (Starcloud white paper, 2024): 40 MW for 10 years at $0.04/kWh (PUE 1) is about $140M.
    """
    p = units.strip(it_power, "kW", "it_power")
    _check_nonnegative(p, "it_power", "kW")
    per_kw = terrestrial_power_cost(electricity_price, pue, duration)
    return units.wrap(_as_da(p) * _as_da(per_kw.values), "USD", "electricity cost")


def bus_cost_per_kg(programme_mass, reference_cost_per_kg, reference_mass, learning_rate) -> xr.DataArray:
    r"""Average satellite-bus manufacturing cost per kg for a programme, with Wright's learning law.

    Unit cost falls by ``learning_rate`` with every doubling of cumulative production (Wright
    1936): :math:`c(Q) = c_{ref} (Q / Q_{ref})^b`, :math:`b = \log_2(1 - \text{learning_rate})`. With :math:`Q_{ref}` (the
    cumulative mass already built when the cost was :math:`c_{ref}`) and a programme of mass :math:`M` built
    after it, the average cost per kg is

    .. math:: c_{ref}\, \frac{(1 + x)^{b+1} - 1}{(b + 1)\, x}, \qquad x = M / Q_{ref}

    Source: T. P. Wright (1936), "Factors affecting the cost of airplanes", J. Aeronautical
    Sciences 3(4) 122-128 [PR].

    Parameters
    ----------
    programme_mass : bus mass to build [kg], >= 0
    reference_cost_per_kg : [USD/kg] at cumulative production ``reference_mass``, >= 0
    reference_mass : [kg] (a Quantity in t is converted), > 0
    learning_rate : [1] cost reduction per doubling, 0 <= lr < 1
    """
    m = units.strip(programme_mass, "kg", "programme_mass")
    c = units.strip(reference_cost_per_kg, "USD/kg", "reference_cost_per_kg")
    q = units.strip(reference_mass, "kg", "reference_mass")
    lr = units.strip(learning_rate, "1", "learning_rate")
    _check_nonnegative(m, "programme_mass", "kg")
    _check_nonnegative(c, "reference_cost_per_kg", "USD/kg")
    _check_positive(q, "reference_mass", "kg")
    la = np.asarray(lr.values if isinstance(lr, xr.DataArray) else lr, dtype=float)
    if np.any(~np.isfinite(la)) or np.any(la < 0) or np.any(la >= 1):
        raise ParameterError("learning_rate", "must be a fraction in [0, 1)")
    return units.wrap(_as_da(c) * xr.apply_ufunc(_wright_average, _as_da(m) / _as_da(q), _as_da(lr)), "USD/kg",
                      "average bus cost per kg")


def breakeven_launch_price(fixed_annual_cost, annual_cost_per_launch_price, target_annual_cost):
    r"""Launch price at which an affine space cost :math:`A_0 + S p` equals a target (closed form).

    :math:`p^* = (\text{target} - A_0) / S`. Returns ``(price, unreachable)``: ``price`` [USD/kg] is NaN and
    ``unreachable`` True where no positive price reaches the target (:math:`A_0 \ge \text{target}`: the costs
    that do not depend on launch already exceed it) or where :math:`S \le 0` (launch price does not
    matter). Inputs: :math:`A_0` [USD/yr], S [USD/yr per USD/kg = kg/yr], target [USD/yr].
    """
    a0 = _as_da(units.strip(fixed_annual_cost, "USD/yr", "fixed_annual_cost"))
    s = _as_da(units.strip(annual_cost_per_launch_price, "kg/yr", "annual_cost_per_launch_price"))
    t = _as_da(units.strip(target_annual_cost, "USD/yr", "target_annual_cost"))
    price, unreachable = _breakeven(a0, s, t)
    return (units.wrap(price, "USD/kg", "break-even launch price"),
            unreachable.assign_attrs(long_name="no positive launch price breaks even"))


def _breakeven(a0, s, t):
    """(price, unreachable): the signed ``(t - a0) / s`` where ``s > 0`` (NaN where the cost does
    not depend on the launch price); unreachable where ``a0 >= t`` (the price is then <= 0: the
    launch provider would have to pay that much per kg for space to match the ground)."""
    margin = t - a0
    if isinstance(margin, xr.DataArray) or isinstance(s, xr.DataArray):
        with np.errstate(divide="ignore", invalid="ignore"):
            p = margin / xr.where(s > 0, s, np.nan)
        return p, margin <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        p = margin / np.where(s > 0, s, np.nan)
        return p, margin <= 0


# ============================================================================================
# The stage
# ============================================================================================
_FRAC = dict(minimum=0.0, maximum=1.0)
PARAMETERS: dict[str, ParameterSpec] = {
    "space_wacc": ParameterSpec("1", "weighted average cost of capital of the space programme (per year)",
                                minimum=-1.0, exclusive_minimum=True, maximum=1.0),
    "terrestrial_wacc": ParameterSpec("1", "weighted average cost of capital of a terrestrial data centre (per year)",
                                      minimum=-1.0, exclusive_minimum=True, maximum=1.0),
    "terrestrial_compute_lifetime": ParameterSpec("yr", "economic life of compute hardware on the ground (refresh cycle)",
                                                  minimum=0.0, exclusive_minimum=True, maximum=20.0),
    "space_compute_lifetime": ParameterSpec("yr", "economic life of compute hardware in orbit (capped by mission_lifetime)",
                                            minimum=0.0, exclusive_minimum=True, maximum=20.0),
    "payments_per_year": ParameterSpec("1/yr", "capital repayments per year in the capital recovery factor (1 annual, 12 monthly)",
                                       minimum=1.0, maximum=365.0),
    "utilisation": ParameterSpec("1", "fraction of the available compute in orbit that is sold or used",
                                 minimum=0.0, exclusive_minimum=True, maximum=1.0),
    "terrestrial_utilisation": ParameterSpec("1", "fraction of the available compute on the ground that is sold or used",
                                             minimum=0.0, exclusive_minimum=True, maximum=1.0),
    "terrestrial_capacity_factor": ParameterSpec("1", "mean IT load of the ground facility over its IT capacity (energy and delivery scale with it)",
                                                 minimum=0.0, exclusive_minimum=True, maximum=1.0),
    "space_spare_compute_fraction": ParameterSpec("1", "share of the compute in orbit held as spares (launched and paid, not delivering)",
                                                  minimum=0.0, maximum=1.0, exclusive_maximum=True),
    "terrestrial_spare_compute_fraction": ParameterSpec("1", "share of the compute on the ground held as spares (paid, not delivering)",
                                                        minimum=0.0, maximum=1.0, exclusive_maximum=True),
    "space_compute_overhead_fraction": ParameterSpec("1", "share of the delivered compute in orbit used by the system itself (redundancy, checkpointing, management)",
                                                     minimum=0.0, maximum=1.0, exclusive_maximum=True),
    "terrestrial_compute_overhead_fraction": ParameterSpec("1", "share of the delivered compute on the ground used by the system itself",
                                                           minimum=0.0, maximum=1.0, exclusive_maximum=True),
    "facility_lifetime": ParameterSpec("yr", "economic life of a data-centre building or ground segment",
                                       minimum=0.0, exclusive_minimum=True, maximum=60.0),
    "server_cost_fraction": ParameterSpec("1", "server, network and rack cost per unit of accelerator cost", minimum=0.0, maximum=5.0),
    # the upper bound only catches a slip: first-of-a-kind space compute is quoted at 12-21x the
    # ground's hardware (a premium of 11-20) and radiation-hardened parts at 10x or more (issue 23)
    "space_hardware_premium": ParameterSpec("1", "extra cost of packaging and qualifying compute hardware for orbit, per unit of hardware cost",
                                            minimum=0.0, maximum=100.0),
    "bus_cost_per_kg": ParameterSpec("USD/kg", "satellite bus manufacturing cost per kg at the reference cumulative production",
                                     minimum=0.0),
    "bus_reference_mass": ParameterSpec("t", "cumulative satellite mass already built when bus_cost_per_kg applied",
                                        minimum=0.0, exclusive_minimum=True),
    "bus_learning_rate": ParameterSpec("1", "bus cost reduction per doubling of cumulative production (Wright)",
                                       minimum=0.0, maximum=1.0, exclusive_maximum=True),
    "insurance_rate": ParameterSpec("1", "launch plus first-year insurance premium per unit of insured value", **_FRAC),
    "ground_segment_cost": ParameterSpec("USD/kW", "ground segment capital (gateways, network) per kW of IT in orbit", minimum=0.0),
    "satellite_operations_cost": ParameterSpec("USD/yr", "operations cost per satellite per year", minimum=0.0),
    "ground_bandwidth_cost": ParameterSpec("USD/(kW yr)", "ground-station service and backhaul bandwidth per kW of IT per year", minimum=0.0),
    "facility_capex": ParameterSpec("USD/kW", "data-centre construction capital per kW of IT (critical load)", minimum=0.0),
    "facility_om_rate": ParameterSpec("1/yr", "data-centre operation and maintenance per year, per unit of facility capital", minimum=0.0, maximum=1.0),
    "electricity_price": ParameterSpec("USD/(kW h)", "electricity price paid by a terrestrial data centre", minimum=0.0),
    "pue": ParameterSpec("1", "power usage effectiveness of the terrestrial data centre", minimum=1.0, maximum=5.0),
    "water_usage": ParameterSpec("L/(kW h)", "water use effectiveness (on-site water per kWh of IT energy)", minimum=0.0),
    "water_price": ParameterSpec("USD/m3", "price of water for a terrestrial data centre", minimum=0.0),
    "grid_connection_delay": ParameterSpec("yr", "wait for a grid connection before a terrestrial data centre can run",
                                           minimum=0.0, maximum=30.0),
    "discounting": ParameterSpec("1", "discount at the WACCs (false: every rate 0, so cost_breakdown holds undiscounted totals over the life)", kind="flag"),
    "include_compute_hardware": ParameterSpec("1", "count the compute hardware on both sides (false: a study that leaves it out of scope)", kind="flag"),
    "cost_scope": ParameterSpec("1", "'full' TCO, or 'launch_vs_energy': the launch bill in orbit against the electricity bill on the ground",
                                kind="choice", choices=("full", "launch_vs_energy")),
    "revenue_per_kw_year": ParameterSpec("USD/(kW yr)", "revenue per kW-yr of delivered IT in the first year (compute rented or sold)", minimum=0.0),
    "revenue_decline_rate": ParameterSpec("1/yr", "yearly decline of the revenue per kW-yr (compute price deflation)", minimum=0.0, maximum=1.0, exclusive_maximum=True),
    "costing": ParameterSpec("1", "bus costing convention: 'mass' (bus_cost_per_kg with learning) or 'subsystem' ($/W, $/m2, $/kWh, $/MW, $/kg)",
                             kind="choice", choices=("mass", "subsystem")),
    "array_cost_per_watt": ParameterSpec("USD/W", "solar array cost per W of beginning-of-life power (subsystem costing)", minimum=0.0),
    "radiator_cost_per_m2": ParameterSpec("USD/m2", "radiator cost per m2 of panel (subsystem costing)", minimum=0.0),
    "battery_cost_per_kwh": ParameterSpec("USD/(kW h)", "battery cost per kWh of capacity (subsystem costing)", minimum=0.0),
    "avionics_integration_cost_per_mw": ParameterSpec("USD/MW", "avionics, harness, assembly, integration and test per MW of IT (subsystem costing)", minimum=0.0),
    "structure_cost_per_kg": ParameterSpec("USD/kg", "cost per kg of the rest of the bus: structure, propulsion, attitude control, shielding, margins (subsystem costing)", minimum=0.0),
    "programme_cost": ParameterSpec("USD", "fixed programme cost (non-recurring engineering), recovered over the mission life", minimum=0.0),
    "space_commissioning_time": ParameterSpec("yr", "time from paying for a satellite and its launch to its entering service",
                                              minimum=0.0, maximum=10.0),
    "on_orbit_servicing": ParameterSpec("1", "compute is swapped in orbit every space_compute_lifetime (else a satellite retires with its compute)",
                                        kind="flag"),
    "servicing_cost_per_kg": ParameterSpec("USD/kg", "cost of delivering and installing 1 kg of replacement compute in orbit (hardware price excluded)",
                                           minimum=0.0),
    "loss_cover": ParameterSpec("1", "how launch failure and early loss are paid: 'insured' (a premium covers them) or 'self_insured' (re-built and re-flown at the operator's cost); never both",
                                kind="choice", choices=("insured", "self_insured")),
    "insurance_cover_years": ParameterSpec("yr", "years in orbit an insurance policy covers after launch (launch + first-year policies: 1)",
                                           minimum=0.0, maximum=30.0),
    "facility_land_soft_fraction": ParameterSpec("1", "land, design and soft costs of the data centre per unit of its construction capital",
                                                 minimum=0.0, maximum=2.0),
    "time_to_power_valuation": ParameterSpec("1", "how waiting for power is costed in cost_ratio_vs_terrestrial: 'interest' (idle capital at its financing cost: the levelised-cost convention) or 'margin' (the compute that cannot run also forgoes its market margin: the market view inside the cost)",
                                             kind="choice", choices=("interest", "margin")),
    "space_time_to_power": ParameterSpec("1", "what the space side waits for when the wait is valued by margin: 'commissioning' (each satellite's own time to service) or 'deployment' (plus half the fleet's deployment time: the average satellite's wait for its launch)",
                                         kind="choice", choices=("commissioning", "deployment")),
    "grid_region": ParameterSpec("1", "region and year table of grid-connection waits (data/catalogs/grid_connection_wait.csv) the ground reads at its start year; 'none': grid_connection_delay",
                                 kind="choice", choices=lambda: ("none", *grid_wait_regions())),
    "on_site_power_capex": ParameterSpec("USD/kW", "capital of on-site (bridge) power that lets a data centre run before its grid connection",
                                         minimum=0.0),
    "on_site_power_available": ParameterSpec("1", "on-site bridge power can be built instead of waiting for the grid (false: the constrained ground)", kind="flag"),
    "carbon_price": ParameterSpec("USD/t", "price of CO2 on both sides: the grid's CO2 on the ground, the launches' CO2 in orbit (0: not priced)",
                                  minimum=0.0),
    # the same parameter (and spec) as the launch stage's: one value for the grid the space design
    # is compared with and the grid the ground baseline draws from
    "grid_carbon_intensity": ParameterSpec("g/(kW h)", "carbon intensity of grid electricity for the ground comparison", minimum=0.0),
}

OUTPUTS: dict[str, Output] = {
    "capex": Output("USD", "capital cost of the whole system"),
    "opex": Output("USD/yr", "operating cost of the whole system per year"),
    "cost_per_kw_year": Output("USD/(kW yr)", "levelised cost per kW of IT delivered per year"),
    "cost_per_accelerator_hour": Output("USD/h", "levelised cost per delivered accelerator-hour"),
    "cost_per_pflop_hour": Output("USD s/(PFLOP h)", "levelised cost per hour of 1 PFLOP/s of delivered peak compute"),
    "cost_per_h100_hour": Output("USD/h", "levelised cost per delivered H100-equivalent GPU-hour (one H100 SXM's dense BF16 peak, accelerator catalog)"),
    "grid_co2_per_kwh": Output("g/(kW h)", "CO2 of the grid electricity the same compute on the ground draws, per kWh of IT energy (grid carbon intensity x PUE)"),
    "co2_ratio_vs_terrestrial": Output("1", "CO2 per kWh of IT energy relative to the same compute on the grid (in orbit: launch CO2 per kWh over grid_co2_per_kwh; the ground: 1)"),
    "time_to_power_margin": Output("USD/(kW yr)", "market margin of a delivered kW-yr forgone while compute waits for power (revenue - the ground's own levelised cost, >= 0; 0 when the wait is costed as interest)"),
    "grid_wait_bridged": Output("1", "the ground bridges its grid wait with on-site power (cheaper than waiting)"),
    "grid_connection_wait": Output("yr", "years the ground waits for its grid connection (grid_connection_delay, or the grid_region table at start_year)"),
    "market_cost_ratio_vs_terrestrial": Output("1", "the market view: cost per delivered kW-yr with the margin each side forgoes while it waits for power counted as a cost, relative to the ground's (equals cost_ratio_vs_terrestrial under time_to_power_valuation 'margin')"),
    "terrestrial_cost_per_kw_year": Output("USD/(kW yr)", "levelised cost of the same compute on the ground per kW of IT delivered per year"),
    "cost_ratio_vs_terrestrial": Output("1", "levelised cost relative to the same compute on the ground"),
    "breakeven_launch_price": Output("USD/kg", "launch price at which space costs the same as the ground (signed: negative when costs other than launch already exceed the ground; NaN only for an unbuildable design)"),
    "breakeven_unreachable": Output("1", "no positive launch price breaks even (costs other than launch already exceed the ground)"),
    "breakeven_year": Output("1", "calendar year the launch price learning curve reaches the break-even price"),
    "launched_power_price": Output("USD/(kW yr)", "launched power price (Suncatcher): specific mass x launch price / lifetime"),
    "annual_cost": Output("USD/yr", "levelised annual cost of the whole system (annualised capital + opex)"),
    "terrestrial_annual_cost": Output("USD/yr", "levelised annual cost of the same compute on the ground"),
    "npv": Output("USD", "net present value over mission_lifetime: declining revenue per delivered kW-yr less the present value of every cost"),
    "terrestrial_npv": Output("USD", "net present value over mission_lifetime of the same compute on the ground"),
    "cost_breakdown": Output("USD", "present value over mission_lifetime of each cost item (at the system's WACC)",
                             dims=("cost_item",), labels=(COST_ITEMS,)),
}


def _get(f, name: str):
    """A variable of the frame, or NaN when no stage has produced it yet."""
    return f[name] if name in f else np.nan


def _get_or(f, name: str, neutral: float):
    """A parameter of the frame, or its neutral value (a Dataset built before the parameter existed)."""
    return f[name] if name in f else neutral


def _catalog_or(f, field: str, unit: str, fallback: float):
    """A field of the accelerator catalog for the frame's ``accelerator`` (``fallback`` without one)."""
    if "accelerator" not in f:
        return fallback
    try:
        return catalog_lookup(ACCELERATOR_CATALOG, field, f["accelerator"], unit)
    except ArchitectureError as exc:
        if "unknown catalog" in exc.reason or "has no field" in exc.reason:
            return fallback
        raise


#: Catalog entry whose dense BF16 peak defines one "H100-equivalent" GPU (``cost_per_h100_hour``).
REFERENCE_ACCELERATOR = "h100-sxm"
#: Catalog of grid carbon intensity by region and year (``grid_carbon_intensity_of``).
GRID_CATALOG = "grid_carbon_intensity"


def reference_peak_flops() -> float:
    r"""Dense BF16 peak [FLOP/s] of one H100 SXM (``data/catalogs/accelerators.csv``): the unit of
    ``cost_per_h100_hour``, :math:`\text{annual} / (\text{peak_flops} / \text{this} \times \text{availability} \times 8766\ \text{h})`."""
    return float(catalog_lookup(ACCELERATOR_CATALOG, "peak_flops", REFERENCE_ACCELERATOR, "FLOP/s"))


def grid_carbon_intensity_of(region: str, year: float) -> float:
    """Carbon intensity [g/(kW h)] of ``region``'s grid in ``year`` from
    ``data/catalogs/grid_carbon_intensity.csv`` (entries ``REGION-YEAR``), linear between the
    years the table gives for that region; a year outside them or an unknown region is a
    :class:`~orbitdc.errors.ParameterError` (no extrapolation)."""
    rows = [r for r in catalog_rows(GRID_CATALOG) if r["field"] == "carbon_intensity"]
    entries = {r["entry"]: r for r in rows}
    points = sorted((float(catalog_lookup(GRID_CATALOG, "year", e, "1")), float(catalog_lookup(GRID_CATALOG, "carbon_intensity", e, "g/(kW h)")))
                    for e in entries if e.rsplit("-", 1)[0] == region)
    if not points:
        regions = sorted({e.rsplit("-", 1)[0] for e in entries})
        raise ParameterError("grid_region", f"unknown region '{region}'; known: {', '.join(regions)}")
    years = [p[0] for p in points]
    if not years[0] <= float(year) <= years[-1]:
        raise ParameterError("year", f"{year} is outside the years of region '{region}' in {GRID_CATALOG}.csv "
                                     f"({years[0]:.0f}-{years[-1]:.0f})")
    return float(np.interp(float(year), years, [p[1] for p in points]))


#: Catalog of grid-connection waits by region and year (``grid_connection_wait_of``).
GRID_WAIT_CATALOG = "grid_connection_wait"


def grid_wait_regions() -> tuple[str, ...]:
    """Regions of ``data/catalogs/grid_connection_wait.csv`` (entries ``REGION-YEAR``)."""
    return tuple(sorted({r["entry"].rsplit("-", 1)[0] for r in catalog_rows(GRID_WAIT_CATALOG)}))


def grid_connection_wait_of(region: str, year: Any) -> Any:
    r"""Years a large load in ``region`` waits for its grid connection when it asks in ``year``,
    from ``data/catalogs/grid_connection_wait.csv`` (entries ``REGION-YEAR``, each sourced):

    .. math::

        t_{grid}(y) = t_i + (t_{i+1} - t_i) \frac{y - y_i}{y_{i+1} - y_i}, \qquad y_i \le y \le y_{i+1}

    linear between the years the table gives for the region, the first wait before its first year
    and the last wait after its last year (no source projects further). ``year`` may be an array.
    An unknown region is a :class:`~orbitdc.errors.ParameterError` naming the known ones.
    Sources: LBNL "Queued Up" (2023, 2025), Dominion Energy (2024), IEA "Energy and AI" (2025),
    JLL (2026), EirGrid (2021-22), Ember (2025); see each row's note."""
    entries = {r["entry"] for r in catalog_rows(GRID_WAIT_CATALOG)}
    mine = sorted(e for e in entries if e.rsplit("-", 1)[0] == str(region))
    if not mine:
        raise ParameterError("grid_region", f"unknown region '{region}'; known: none, {', '.join(grid_wait_regions())}")
    points = sorted((float(catalog_lookup(GRID_WAIT_CATALOG, "year", e, "1")),
                     float(catalog_lookup(GRID_WAIT_CATALOG, "wait", e, "yr"))) for e in mine)
    out = np.interp(np.asarray(year, dtype=float), [p[0] for p in points], [p[1] for p in points])
    return float(out) if np.ndim(out) == 0 else out


def _grid_wait(f, delay):
    """The ground's wait [yr]: ``delay`` (``grid_connection_delay``) where ``grid_region`` is
    ``none``, else the region's table at the frame's ``start_year`` (one lookup per region named,
    not per point)."""
    if "grid_region" not in f:
        return delay
    region = np.asarray(f["grid_region"]).astype(str)
    if not np.any(region != "none"):
        return delay
    year = np.asarray(_get(f, "start_year"), dtype=float)
    shape = np.broadcast_shapes(region.shape, year.shape)
    region, year = np.broadcast_to(region, shape), np.broadcast_to(year, shape)
    table = np.full(shape, np.nan)
    for name in np.unique(region[region != "none"]):
        mask = region == name
        table[mask] = grid_connection_wait_of(str(name), year[mask])
    return np.where(region == "none", delay, table)


def accelerator_price(ds) -> Any:
    """Unit price [USD] of the ``accelerator`` choice from ``data/catalogs/accelerators.csv`` (NaN if unknown)."""
    if "accelerator_price" in ds:  # the catalog-backed parameter (catalog default or override)
        return ds["accelerator_price"]
    if isinstance(ds, xr.Dataset):
        if "accelerator" not in ds:
            return xr.DataArray(np.nan)
        return catalog_value(ACCELERATOR_CATALOG, ACCELERATOR_PRICE_FIELD, ds["accelerator"], "USD")
    return _catalog_or(ds, ACCELERATOR_PRICE_FIELD, "USD", np.nan)


def _breakeven_year(f, price):
    """Break-even year from the launch stage's learning curve (``orbitdc._launch_vehicles._year_kernel``).

    NaN where there is no break-even price, where the learning curve never reaches it (the launch
    function's ``+inf``: at or below its floor), or when the launch stage (or its vehicle) is absent.
    """
    price = np.asarray(price, dtype=float)
    if "launch_vehicle" not in f or not np.isfinite(price).any():
        return np.full(price.shape, np.nan)
    key = _vehicle_names(f["launch_vehicle"])
    vv = _vv
    m_ref = _vehicle_param(f, "vehicle_payload_leo", key)  # t
    p0 = _vehicle_param(f, "vehicle_price", key) / (m_ref * _KG_PER_T)
    lr = f["launch_learning_rate"] if "launch_learning_rate" in f else 0.2
    fl = f["launch_price_floor_per_kg"] if "launch_price_floor_per_kg" in f else 0.0
    mg = f["launch_margin"] if "launch_margin" in f else 0.0
    vi = f["vertically_integrated_launch"] if "vertically_integrated_launch" in f else False
    args = (lr, fl, mg, vi, p0, vv(key, "cumulative_mass_to_date", "t"), m_ref,
            vv(key, "flights_per_year_today", "1/yr"), _vehicle_param(f, "vehicle_flights_per_year", key),
            vv(key, "reference_year", "1"), vv(key, "planned_year", "1"),
            f["launch_cadence_growth_rate"] if "launch_cadence_growth_rate" in f else 0.0)
    if all(np.size(a) == 1 for a in args):  # scalar learning inputs: only the points with a price
        finite = np.isfinite(price)
        year = np.full(price.shape, np.nan)
        year[finite] = _year_kernel(price[finite], *(np.asarray(a).reshape(()) for a in args))
    else:
        year = _year_kernel(price, *args)
    return np.where(np.isfinite(year), year, np.nan)


def costs(ds: xr.Dataset, price_per_accelerator: Any = None) -> dict[str, xr.DataArray]:
    """Every economics output for the Dataset ``ds`` (parameters and upstream outputs).

    ``price_per_accelerator`` [USD] overrides the catalog lookup (for tests and what-ifs).
    Pure broadcasting: any input may carry its own dimensions.
    """
    if price_per_accelerator is not None:
        p = units.strip(price_per_accelerator, "USD")
        if isinstance(p, xr.DataArray):
            ds = ds.assign(_price_per_accelerator=p)
        else:
            ds = ds.assign(_price_per_accelerator=xr.DataArray(np.asarray(p, dtype=float)))
    return apply_stage(STAGE, ds)


def _subsystem_bus_cost(f, bus_mass):
    """Per-satellite bus cost [USD] by subsystem (``costing: subsystem``):

    ``c_a P_BOL + c_r A_rad + c_b E_bat + c_i P_IT + c_s (m_bus - m_array - m_battery - m_radiator)``

    array $/W of beginning-of-life power, radiator $/m2 of panel, battery $/kWh of capacity,
    avionics and integration $/MW of IT power, and $/kg for the rest of the bus (structure,
    propulsion, attitude control, shielding, terminals, margins, propellant). No learning curve:
    the unit costs are those of the production run the study assumes. An unbuildable design
    (infinite mass or area) costs ``inf``.
    """
    g = lambda name: _get(f, name)  # noqa: E731
    rest = bus_mass - g("solar_array_mass") - g("battery_mass") - g("radiator_mass")
    with np.errstate(invalid="ignore"):
        cost = (g("solar_array_bol_power") * 1e3 * g("array_cost_per_watt")
                + g("radiator_area") * g("radiator_cost_per_m2")
                + g("battery_energy") * g("battery_cost_per_kwh")
                + g("it_power") * 1e-3 * g("avionics_integration_cost_per_mw")
                + rest * g("structure_cost_per_kg"))
    return np.where(np.isinf(bus_mass) | np.isinf(g("radiator_area")), np.inf, cost)


def _kernel(f) -> dict[str, Any]:
    """Economics on numpy arrays (a :class:`orbitdc.frame.Frame`): see the module docstring."""
    kind = f.attrs.get("architecture_kind", "space")
    g = lambda name: _get(f, name)  # noqa: E731
    p_acc = f["_price_per_accelerator"] if "_price_per_accelerator" in f else accelerator_price(f)

    space = kind == "space"
    n_sat = g("satellites") if (space and "satellites" in f) else 1.0
    if "it_power" in f and (not space or "satellites" in f):
        it_total = g("it_power") * n_sat
    else:
        it_total = g("target_it_power")
    n_acc = g("accelerators") * n_sat
    flops = g("peak_flops") * n_sat
    avail = g("availability")
    t_sat = g("mission_lifetime")
    t_hw = g("terrestrial_compute_lifetime")
    t_hw_s = g("space_compute_lifetime")
    m_pay = _get_or(f, "payments_per_year", 1.0)
    # delivered fraction of the installed IT power on each side (availability x utilisation x
    # spares x overhead, and the ground's capacity factor): the denominators of every unit cost
    cf_t = _get_or(f, "terrestrial_capacity_factor", 1.0)
    deliver_t = (_get_or(f, "terrestrial_utilisation", 1.0) * cf_t
                 * (1.0 - _get_or(f, "terrestrial_spare_compute_fraction", 0.0))
                 * (1.0 - _get_or(f, "terrestrial_compute_overhead_fraction", 0.0)))
    deliver_s = (_get_or(f, "utilisation", 1.0) * (1.0 - _get_or(f, "space_spare_compute_fraction", 0.0))
                 * (1.0 - _get_or(f, "space_compute_overhead_fraction", 0.0))
                 # the share of the compute the chosen workload can use through the links (issue 27)
                 * _get_or(f, "usable_compute_fraction", 1.0))
    t_fac = g("facility_lifetime")
    # scope switches (issue 12): undiscounted totals, compute hardware in or out, full TCO or
    # launch against ground energy
    discount = _get_or(f, "discounting", True)
    r_t = np.where(discount, g("terrestrial_wacc"), 0.0)
    with_hw = np.where(_get_or(f, "include_compute_hardware", True), 1.0, 0.0)
    launch_vs_energy = (f["cost_scope"] == "launch_vs_energy") if "cost_scope" in f else False
    # A catalog entry that already includes its servers (the NVL72 rack: overhead_included = 1) is
    # priced whole, so the server/network share is not added again.
    scf = g("server_cost_fraction") * (1.0 - _catalog_or(f, "overhead_included", "1", 0.0))

    # ---- terrestrial baseline of the same compute -------------------------------------------
    hw_t = n_acc * p_acc * (1.0 + scf) * with_hw
    # an AI hall's construction, plus land and soft costs (design, permits, fees) as a share of it
    construction = g("facility_capex") * it_total
    fac = construction * (1.0 + _get_or(f, "facility_land_soft_fraction", 0.0))
    crf_t_hw = _crf(r_t, t_hw, m_pay)
    crf_t_fac = _crf(r_t, t_fac, m_pay)
    energy_kwh = it_total * HOURS_PER_YEAR * cf_t  # kW h per year of IT energy at the mean load
    electricity = energy_kwh * g("electricity_price") * g("pue")
    water = energy_kwh * g("water_usage") * _M3_PER_L * g("water_price")
    fac_om = construction * g("facility_om_rate")
    # an optional carbon price on both sides (default 0): the grid's CO2 here, the launches' there
    carbon_price = _get_or(f, "carbon_price", 0.0)
    grid_carbon = energy_kwh * g("pue") * _get_or(f, "grid_carbon_intensity", 0.0) * _T_PER_G * carbon_price
    t_items = {
        "compute_hardware": hw_t * crf_t_hw,
        "facility": fac * crf_t_fac,
        "grid_connection_delay": 0.0,
        "facility_operations": fac_om,
        "electricity": electricity,
        "water": water,
        "carbon": grid_carbon,
    }
    if np.any(launch_vs_energy):  # the ground's energy bill only (Suncatcher's comparison)
        keep = np.where(launch_vs_energy, 0.0, 1.0)
        t_items = {k: (v if k == "electricity" else v * keep) for k, v in t_items.items()}
    a_ground = avail if not space else g("terrestrial_availability")
    delivered_t = it_total * a_ground * deliver_t
    # time to power: the facility waits t_grid for the grid (grid_connection_delay, or the region's
    # table at the start year). Cost view ("interest", the default): the building's capital idles at
    # its financing cost, as a levelised cost counts interest during construction. Market view
    # ("margin"): the compute that cannot run also forgoes its margin over the wait, m = revenue -
    # the ground's own levelised cost per delivered kW-yr (>= 0). Either way the developer builds
    # on-site (bridge) power instead where it is available and cheaper than waiting. Recovered over
    # the facility life. Both views are computed: the chosen one enters the cost, the market one
    # also gives market_cost_ratio_vs_terrestrial.
    t_grid = _grid_wait(f, g("grid_connection_delay"))
    idle_building = fac * _growth(r_t, t_grid)
    margin = np.maximum(0.0, _get_or(f, "revenue_per_kw_year", 0.0) - _safe_div(sum(t_items.values()), delivered_t))
    margin = np.where(np.isfinite(margin), margin, 0.0)
    by_margin = (f["time_to_power_valuation"] == "margin") if "time_to_power_valuation" in f else False
    bridge = _get_or(f, "on_site_power_capex", np.inf) * it_total * np.where(t_grid > 0, 1.0, 0.0)
    can_bridge = _get_or(f, "on_site_power_available", False) != 0
    waiting_cost = idle_building
    waiting_market = idle_building + margin * delivered_t * t_grid
    ttp_cost = np.where(can_bridge & (bridge < waiting_cost), bridge, waiting_cost) * crf_t_fac
    ttp_market = np.where(can_bridge & (bridge < waiting_market), bridge, waiting_market) * crf_t_fac
    bridging = can_bridge & (bridge < np.where(by_margin, waiting_market, waiting_cost))
    ttp = np.where(by_margin, ttp_market, ttp_cost)
    scope_keep = np.where(launch_vs_energy, 0.0, 1.0) if np.any(launch_vs_energy) else 1.0
    t_items["grid_connection_delay"] = ttp * scope_keep
    t_annual = sum(t_items.values())
    t_kwyr = _safe_div(t_annual, delivered_t)
    # the market view of the ground: its time to power at the market valuation
    t_market_kwyr = _safe_div(t_annual + (ttp_market - ttp) * scope_keep, delivered_t)

    out: dict[str, Any] = {}
    if not space:
        annual = t_annual
        items = t_items
        capex = hw_t + fac
        opex = electricity + water + fac_om + grid_carbon
        rate = r_t
        avail = avail * deliver_t
        kwyr = _safe_div(annual, it_total * avail)
        out["terrestrial_cost_per_kw_year"] = kwyr
        out["cost_ratio_vs_terrestrial"] = np.where(np.isnan(kwyr), np.nan, 1.0)
        out["market_cost_ratio_vs_terrestrial"] = np.where(np.isnan(t_market_kwyr), np.nan, 1.0)
        out["breakeven_launch_price"] = np.nan
        out["breakeven_unreachable"] = False
        out["breakeven_year"] = np.nan
        out["launched_power_price"] = np.nan
    else:
        r_s = np.where(discount, g("space_wacc"), 0.0)
        hw_s = n_acc * p_acc * (1.0 + scf) * (1.0 + g("space_hardware_premium")) * with_hw
        sat_mass = g("satellite_mass")
        bus_mass = (sat_mass - g("compute_mass")) if "compute_mass" in f else sat_mass
        bus_total = bus_mass * n_sat
        ref_kg = g("bus_reference_mass") * _KG_PER_T
        bus = _bus_cost(bus_total, ref_kg, g("bus_cost_per_kg"), g("bus_learning_rate"))
        if "costing" in f and bool(np.any(f["costing"] == "subsystem")):
            bus = np.where(f["costing"] == "subsystem", _subsystem_bus_cost(f, bus_mass) * n_sat, bus)
        launch = g("launch_cost")  # the launch stage's bill, re-flights of failed launches included
        price = g("launch_price_per_kg")
        p_fail = _get_or(f, "launch_failure_probability", 0.0)
        q_ok = 1.0 - p_fail
        launch0 = launch * q_ok  # the bill without re-flights
        owned = hw_s + bus
        insured = owned + launch0
        # Compute obsolescence (issue 14): without on-orbit servicing a satellite retires with its
        # compute, so bus, launch, insurance and idle capital are recovered over min(T_hw, T_sat)
        # like the compute itself; with servicing the bus lives T_sat and the compute is swapped.
        serviced = f["on_orbit_servicing"].astype(bool) if "on_orbit_servicing" in f else False
        t_service = np.where(serviced, t_sat, np.minimum(t_hw_s, t_sat))
        # one counting rule (issue 22): a premium or re-flying, never both
        cover = f["loss_cover"] if "loss_cover" in f else "insured"
        k_loss, m_rep = loss_cover_factors(cover, g("insurance_rate"), p_fail, t_service,
                                           _get_or(f, "insurance_cover_years", 1.0))
        insurance = k_loss * insured
        ground_seg = g("ground_segment_cost") * it_total
        programme = _get_or(f, "programme_cost", 0.0)
        capex = insured + insurance + ground_seg + programme
        idle = _growth(r_s, g("space_commissioning_time"))
        crf_sat = _crf(r_s, t_service, m_pay)
        gens, crf_bus = _compute_generations(r_s, t_hw_s, t_sat, m_pay)
        crf_hw = np.where(serviced, gens * crf_bus, _crf(r_s, np.minimum(t_hw_s, t_sat), m_pay))
        with np.errstate(invalid="ignore"):
            swaps = np.where(serviced, g("servicing_cost_per_kg") * g("compute_mass") * n_sat * ((gens - 1.0) * crf_bus), 0.0)
        crf_gs = _crf(r_s, t_fac, m_pay)
        fail = g("satellite_failure_rate")
        ops = g("satellite_operations_cost") * n_sat
        bandwidth = g("ground_bandwidth_cost") * it_total
        # replacing failed satellites: their hardware and bus, and the launches the launch stage
        # counts for them (billed like the initial launches), under the loss-cover rule
        if "replacement_launches_per_year" in f and "launches" in f:
            # of the launch bill, per year; where no launch can carry a satellite (both counts
            # infinite) the share is the failure rate itself (the limit of N lambda / n / ceil(N / n))
            repl_share = np.where(np.isinf(g("launches")), fail, _safe_div(g("replacement_launches_per_year"), g("launches")))
        else:  # launch stage without a flight count: a failed satellite's share of the launch bill
            repl_share = fail
        replacement = m_rep * (fail * owned + repl_share * launch0)
        opex = ops + bandwidth + replacement
        # the launches' CO2 at the carbon price (0 by default): initial launches as capital,
        # replacement launches per year
        co2_launch = _get_or(f, "co2_per_launch", 0.0) * carbon_price
        with np.errstate(invalid="ignore"):
            launch_carbon = np.where(carbon_price == 0, 0.0,
                                     co2_launch * (g("launches") * crf_sat + _get_or(f, "replacement_launches_per_year", 0.0)))
        # time to power in orbit: each satellite's capital idles for the commissioning time (its
        # interest is in deployment_finance) and, in the market view, its compute forgoes the
        # market margin (the ground's, as on the ground) over its wait for power: the commissioning
        # time, or with space_time_to_power 'deployment' also half the fleet's deployment time (the
        # average satellite's wait for its launch when the whole fleet is wanted at once)
        t_wait_s = g("space_commissioning_time")
        if "space_time_to_power" in f and np.any(f["space_time_to_power"] == "deployment"):
            with np.errstate(invalid="ignore"):
                t_wait_s = t_wait_s + np.where(f["space_time_to_power"] == "deployment", 0.5 * g("deployment_years"), 0.0)
        with np.errstate(invalid="ignore"):
            lost_market = np.where(margin > 0, margin * it_total * avail * deliver_s * t_wait_s, 0.0)
        lost_margin = np.where(by_margin, lost_market, 0.0)
        items = {
            "compute_hardware": hw_s * crf_hw + swaps,
            "satellite_bus": bus * crf_sat,
            "launch": launch0 * crf_sat,
            "insurance": insurance * crf_sat,
            "ground_segment": ground_seg * crf_gs,
            "programme": programme * crf_sat,
            # no idle time, no interest, even on an unbounded bill (inf x 0 would be NaN)
            "deployment_finance": np.where(idle == 0, 0.0, (insured + insurance) * (idle * crf_sat)) + lost_margin * crf_sat,
            "operations": ops,
            "ground_bandwidth": bandwidth,
            "satellite_replacement": replacement,
            "carbon": launch_carbon,
        }
        if np.any(launch_vs_energy):  # the launch bill only (Suncatcher's launched power price)
            keep = np.where(launch_vs_energy, 0.0, 1.0)
            items = {k: (v if k == "launch" else v * keep) for k, v in items.items()}
        annual = sum(items.values())
        rate = r_s
        avail = avail * deliver_s
        kwyr = _safe_div(annual, it_total * avail)
        out["terrestrial_cost_per_kw_year"] = t_kwyr
        out["cost_ratio_vs_terrestrial"] = _safe_div(kwyr, t_kwyr)
        # the market view: each side's forgone margin counted (the space item is in
        # deployment_finance, recovered over the satellite's service life; not in the Suncatcher scope)
        keep_s = np.where(launch_vs_energy, 0.0, 1.0) if np.any(launch_vs_energy) else 1.0
        market_kwyr = _safe_div(annual + (lost_market - lost_margin) * crf_sat * keep_s, it_total * avail)
        out["market_cost_ratio_vs_terrestrial"] = _safe_div(market_kwyr, t_market_kwyr)
        # affine in the launch price: S = d(annual)/d(price) from the billed mass
        billed_mass = _safe_div(launch, price)
        slope = billed_mass * q_ok * ((1.0 + k_loss) * crf_sat * (1.0 + idle) + m_rep * repl_share)
        with np.errstate(invalid="ignore"):
            a0 = annual - slope * price
        target = t_kwyr * it_total * avail
        p_star, unreachable = _breakeven(a0, slope, target)
        # a design that cannot be built or launched (infinite mass, no launch can carry it) has
        # an unbounded cost: no launch price breaks even (inf - inf would otherwise be NaN)
        unbounded = np.isinf(annual)
        p_star = np.where(unbounded, np.nan, p_star)
        unreachable = unreachable | unbounded
        out["breakeven_launch_price"] = p_star
        out["breakeven_unreachable"] = unreachable
        # a price at or below zero is never reached by a learning curve
        out["breakeven_year"] = _breakeven_year(f, np.where(p_star > 0, p_star, np.nan))
        with np.errstate(invalid="ignore"):  # a free launch costs nothing per kW, whatever the mass
            out["launched_power_price"] = np.where(price == 0, 0.0, g("specific_mass") * price / t_sat)

    # the market margin the wait for power forgoes (0 when costed as interest), and whether the
    # ground bridged its wait with on-site power: the trajectory's hardware post-scaling reads both
    out["time_to_power_margin"] = np.where(by_margin, margin, 0.0)
    out["grid_wait_bridged"] = np.asarray(bridging, dtype=bool)
    out["grid_connection_wait"] = t_grid
    out["capex"] = capex
    out["opex"] = opex
    out["annual_cost"] = annual
    out["terrestrial_annual_cost"] = t_annual
    out["cost_per_kw_year"] = kwyr
    out["cost_per_accelerator_hour"] = _safe_div(annual, n_acc * avail * HOURS_PER_YEAR)
    out["cost_per_pflop_hour"] = _safe_div(annual, flops * _PFLOPS_PER_FLOPS * avail * HOURS_PER_YEAR)
    # per H100-equivalent GPU-hour: the delivered peak in units of one H100 SXM's dense BF16 peak
    # (so one GPU and a 72-GPU rack compare); the H100's peak comes from the accelerator catalog
    out["cost_per_h100_hour"] = _safe_div(annual, flops / reference_peak_flops() * avail * HOURS_PER_YEAR)
    # the ground's grid CO2 per kWh of IT energy: every kWh of IT draws PUE kWh from the grid
    out["grid_co2_per_kwh"] = _get(f, "grid_carbon_intensity") * g("pue")
    # in orbit the energy is solar: the CO2 that counts is the launch's (combustion), per kWh of IT
    out["co2_ratio_vs_terrestrial"] = (_safe_div(_get(f, "launch_co2_per_kwh"), out["grid_co2_per_kwh"])
                                       if kind == "space" else np.ones_like(np.asarray(out["grid_co2_per_kwh"], dtype=float)))
    # net present value over mission_lifetime: revenue per delivered kW-yr declining each year,
    # less the present value of every cost item (the cost_breakdown total)
    if "revenue_per_kw_year" not in f:  # a Dataset without revenue: no NPV (absent, not invented)
        out["npv"] = out["terrestrial_npv"] = np.nan
    else:
        rev0, dec = g("revenue_per_kw_year"), _get_or(f, "revenue_decline_rate", 0.0)
        m_cr = _crf(rate, t_sat, m_pay)
        out["npv"] = rev0 * it_total * avail * _revenue_annuity(rate, dec, t_sat) - annual / m_cr
        r_ground = r_t
        t_deliv = it_total * a_ground * deliver_t
        out["terrestrial_npv"] = (rev0 * t_deliv * _revenue_annuity(r_ground, dec, t_sat)
                                  - t_annual / _crf(r_ground, t_sat, m_pay))
    # present value over mission_lifetime of each item: annual / CRF(rate, mission_lifetime)
    out["cost_breakdown"] = _stack_items(items, 1.0 / _crf(rate, t_sat, m_pay))
    return out


def _stack_items(items: Mapping[str, Any], factor) -> np.ndarray:
    """``items[k] * factor`` stacked along a new leading ``cost_item`` axis (0 for absent items).

    Written into one preallocated array (no broadcast copies, no concat)."""
    parts = [items.get(k, 0.0) for k in COST_ITEMS]
    shape = np.broadcast_shapes(np.shape(factor), *(np.shape(p) for p in parts))
    data = np.empty((len(COST_ITEMS),) + shape)
    for i, part in enumerate(parts):
        np.multiply(part, factor, out=data[i, ...])
    return data


def run(ds: xr.Dataset) -> Mapping[str, xr.DataArray]:
    """The economics stage on an ``xarray.Dataset`` (see :meth:`orbitdc.frame.Stage.run`)."""
    return STAGE.run(ds)


STAGE = Stage(
    name="economics",
    kernel=_kernel,
    parameters=PARAMETERS,
    outputs=OUTPUTS,
    kinds=frozenset({"space", "terrestrial"}),
)
