r"""Links: what a kilowatt in orbit can actually do, given the links that tie it to its neighbours
and to the ground.

A ground AI hall trains frontier models over NVLink and InfiniBand fabrics at terabytes per second
per rack; a satellite talks to its neighbours over a few optical inter-satellite links (ISLs) of
~100-200 Gb/s each (Starlink's lasers) or, in Google's Suncatcher concept, over multi-Tb/s links to
satellites flying hundreds of metres away; and every useful token must cross a ground link that
weather interrupts. This stage sizes those links per satellite, adds their mass and power to the
satellite, and says what share of the compute a workload (``data/catalogs/workloads.csv``) can use
through them (``usable_compute_fraction``), which the economics stage divides the cost by.

Models (equations with sources in the function docstrings; values in ``data/catalogs`` and
``data/defaults/links.yaml``)
----------------------------------------------------------------------------------------------

**Optical link budget** (Majumdar and Ricklin 2008): a diffraction-limited aperture of diameter D
has gain :math:`G = (\pi D / \lambda)^2`, and

.. math::

    P_r = P_t \, \eta_t G_t \left(\frac{\lambda}{4 \pi R}\right)^2 \eta_r G_r / (L_t L_r),
    \qquad n_{ppb} = \frac{P_r}{(h c / \lambda) R_b}

(:func:`received_optical_power`, :func:`photons_per_bit`). At fixed power, apertures and photons
per bit the achievable rate therefore falls as :math:`1/R^2`, so a terminal stated to carry
:math:`R_{ref}` bit/s at range :math:`d_{ref}` carries, at the link distance d,

.. math:: r(d) = \min\left(r_{max},\; r_{ref} \left(\frac{d_{ref}}{d}\right)^2\right)

(:func:`isl_rate`; ``r_max`` the transceivers' own cap, reached in close formation). The ISL
capacity of a satellite is ``isl_terminals x r(isl_link_distance)``.

**Ground link.** An RF gateway link carries :math:`C = B \, n_{pol} \, \eta_s` (bandwidth,
polarisations, spectral efficiency of the modulation and coding; :func:`rf_link_capacity`). A site
closes the link a fraction ``a`` of the time (clouds for optical, rain fade for RF); with
``ground_sites`` independent sites to switch between (site diversity),

.. math:: A = 1 - (1 - a)^{n_{sites}}

(:func:`site_diversity_availability`; correlated weather makes this optimistic). The weather-mean
downlink capacity is ``downlink_terminals x rate x A x ground_contact_fraction``
(:func:`downlink_capacity`); the contact fraction is the share of time a ground site (or a relay
satellite over one, through the ISL mesh) is in reach.

**Latency to users**: the orbit stage's ground round trip at minimum elevation plus the ISL hops
to a satellite over a gateway, ``2 h d / c`` for ``h`` hops of ``d`` km (:func:`user_latency`).

**Mass and power added.** ``link_mass = isl_terminals x isl_terminal_mass + downlink_terminals x
m_dl`` and ``link_power = isl_terminals x p_isl + downlink_terminals x p_dl`` from the terminal
catalogs. The mass enters the mass budget (the mass stage counts ``link_mass`` in the basic dry
mass before it closes the budget, so structure, margin and propellant grow with it). The power is
drawn from the bus allowance (``bus_power_fraction x it_power``, whose sourced note already counts
the laser and radio links): the links run after the power and thermal stages, which sized the
array, battery and radiator for that allowance, and ``violates_link_power`` is set where the
terminals draw more than the whole allowance (the array would have to grow, which this chain does
not iterate). The defaults (Starlink-class lasers of 10 kg, a Ka gateway carried by the bus) give
the link mass the model counted before this stage existed, so no existing result moves.

**Workload fit** (:mod:`orbitdc.workloads`): the satellite's tokens per second at full use,
``tokens = peak_flops x eta / (k N)``, put ``tokens x bits_per_token`` on the ground link; the
ground fit is ``min(1, downlink_capacity / demand)``. A synchronous training job over ``n``
satellites (``sync_allreduce``) also all-reduces its gradients every step over the ISLs: a ring
moves ``2 (n - 1) / n x G`` bytes per satellite (Patarasuk and Yuan 2009) at the ring bandwidth
``isl_capacity / 2`` (each ring uses a send and a receive terminal; the terminals form
``isl_terminals / 2`` rings), against ``k N B / (n F eta)`` seconds of computing per step; the step
efficiency ``t_c / (t_c + max(0, t_comm - o t_c))`` multiplies the ground fit. The job spans
``min(training_job_satellites, satellites)``. The ground side is taken to carry every workload at
full use (its fabric is the reference), so the economics stage divides the space cost by
``usable_compute_fraction`` only.
"""
from __future__ import annotations

from typing import Any

import astropy.constants as const
import numpy as np
import xarray as xr

from . import units
from ._constellation import satellites_for
from ._workloads import (BITS_PER_BYTE, link_fit, ring_allreduce_bytes, step_compute_time, step_efficiency,
                         tokens_per_second, workload_field)
from .frame import Output, Stage
from .catalogs import catalog_choices, catalog_lookup
from .parameters import ParameterSpec

TERMINALS = "optical_terminals"
GROUND_LINKS = "ground_links"
C_KM_S = float(const.c.to_value("km/s"))
H_PLANCK = float(const.h.to_value("J s"))
C_M_S = float(const.c.to_value("m/s"))


def _arr(x: Any, unit: str, name: str, lo: float | None = 0.0, hi: float | None = None, *, lo_open=False, hi_open=False):
    v = units.as_array(x, unit, name)
    units.check_domain(name, v, lo, hi, lo_open=lo_open, hi_open=hi_open, unit=unit if unit != "1" else "")
    return v


# --------------------------------------------------------------------------------------------
# Kernels (canonical units, broadcasting)
# --------------------------------------------------------------------------------------------
def _aperture_gain(diameter_m, wavelength_m):
    return (np.pi * diameter_m / wavelength_m) ** 2


def _received_power(p_t, d_t, d_r, lam_m, r_m, eta_t, eta_r, loss_t_db, loss_r_db):
    free_space = (lam_m / (4.0 * np.pi * r_m)) ** 2
    losses = 10.0 ** (-(loss_t_db + loss_r_db) / 10.0)
    return p_t * eta_t * _aperture_gain(d_t, lam_m) * free_space * eta_r * _aperture_gain(d_r, lam_m) * losses


def _isl_rate(distance, reference_rate, reference_range, max_rate):
    with np.errstate(divide="ignore"):
        scaled = reference_rate * (reference_range / distance) ** 2
    return np.minimum(max_rate, scaled)


def _site_diversity(a, n):
    return 1.0 - (1.0 - a) ** n


# --------------------------------------------------------------------------------------------
# Public model functions
# --------------------------------------------------------------------------------------------
def received_optical_power(transmit_power, wavelength, tx_aperture, rx_aperture, distance, *,
                           tx_efficiency=1.0, rx_efficiency=1.0, tx_loss=0.0, rx_loss=0.0) -> xr.DataArray:
    r"""Optical power received over a free-space link [W].

    .. math::

        P_r = P_t \, \eta_t \left(\frac{\pi D_t}{\lambda}\right)^2 \left(\frac{\lambda}{4 \pi R}\right)^2
              \eta_r \left(\frac{\pi D_r}{\lambda}\right)^2 10^{-(L_t + L_r)/10}

    The Friis equation with diffraction-limited aperture gains (Majumdar and Ricklin 2008), valid
    beyond the Fresnel distance :math:`D^2/\lambda` (6.5 km for 10 cm at 1550 nm): closer in the
    whole beam is caught and the power no longer grows as :math:`1/R^2`.

    Parameters
    ----------
    transmit_power : W; wavelength : nm; tx_aperture, rx_aperture : telescope diameters, m;
    distance : km; tx_efficiency, rx_efficiency : optical efficiencies (0, 1];
    tx_loss, rx_loss : other losses at each end, dB (pointing, coupling).
    """
    p = _arr(transmit_power, "W", "transmit_power")
    lam = _arr(wavelength, "nm", "wavelength", lo_open=True)
    dt = _arr(tx_aperture, "m", "tx_aperture", lo_open=True)
    dr = _arr(rx_aperture, "m", "rx_aperture", lo_open=True)
    r = _arr(distance, "km", "distance", lo_open=True)
    et = _arr(tx_efficiency, "1", "tx_efficiency", 0.0, 1.0, lo_open=True)
    er = _arr(rx_efficiency, "1", "rx_efficiency", 0.0, 1.0, lo_open=True)
    lt = _arr(tx_loss, "dB", "tx_loss", None)
    lr = _arr(rx_loss, "dB", "rx_loss", None)
    out = _received_power(p, dt, dr, lam * 1e-9, r * 1e3, et, er, lt, lr)
    return units.wrap(out, "W", "optical power received", "received_optical_power")


def photons_per_bit(received_power, wavelength, data_rate) -> xr.DataArray:
    r"""Photons received per bit, :math:`n_{ppb} = P_r / \left((h c / \lambda) R_b\right)` [1].

    A coherent receiver needs a few tens of photons per bit; the achievable rate at a received
    power is therefore :math:`P_r / (n_{ppb} h c / \lambda)`, which is why the rate of a given
    terminal falls as :math:`1/R^2` (:func:`isl_rate`). ``received_power`` in W, ``wavelength``
    in nm, ``data_rate`` in bit/s.
    """
    p = _arr(received_power, "W", "received_power")
    lam = _arr(wavelength, "nm", "wavelength", lo_open=True)
    rb = _arr(data_rate, "bit/s", "data_rate", lo_open=True)
    photon = H_PLANCK * C_M_S / (lam * 1e-9)
    return units.wrap(p / (photon * rb), "1", "photons received per bit", "photons_per_bit")


def isl_rate(distance, reference_rate, reference_range, max_rate=np.inf) -> xr.DataArray:
    r"""Data rate of one optical terminal at a link distance [bit/s].

    .. math:: r(d) = \min\left(r_{max},\; r_{ref} \left(\frac{d_{ref}}{d}\right)^2\right)

    At fixed transmitter power, apertures and receiver sensitivity (photons per bit) the received
    power, and so the rate, falls as :math:`1/d^2` (:func:`received_optical_power`); ``r_ref`` at
    ``d_ref`` is the maker's stated point and ``r_max`` the transceivers' cap. ``distance`` and
    ``reference_range`` in km, rates in bit/s.
    """
    d = _arr(distance, "km", "distance", lo_open=True)
    r0 = _arr(reference_rate, "bit/s", "reference_rate")
    d0 = _arr(reference_range, "km", "reference_range", lo_open=True)
    rmax = units.as_array(max_rate, "bit/s", "max_rate")
    units.check_domain("max_rate", np.where(np.isinf(rmax), 0.0, rmax), 0.0, unit="bit/s")
    return units.wrap(_isl_rate(d, r0, d0, rmax), "bit/s", "data rate of one optical terminal", "isl_rate")


def rf_link_capacity(bandwidth, polarizations, spectral_efficiency) -> xr.DataArray:
    r"""Capacity of an RF link [bit/s]: :math:`C = B \, n_{pol} \, \eta_s`.

    ``bandwidth`` in MHz per polarisation, ``polarizations`` (1 or 2 reusing the spectrum),
    ``spectral_efficiency`` in bit/(s Hz) of the modulation and coding (64QAM 8/9 about 5.1).
    Worked example: Pekhterev (2021) for a Starlink satellite's gateway spectrum,
    2,000 MHz x 2 x 5.11 bit/s/Hz.
    """
    b = _arr(bandwidth, "MHz", "bandwidth")
    n = _arr(polarizations, "1", "polarizations", 0.0, 2.0, lo_open=True)
    eta = _arr(spectral_efficiency, "bit/(s Hz)", "spectral_efficiency")
    return units.wrap(b * 1e6 * n * eta, "bit/s", "RF link capacity", "rf_link_capacity")


def site_diversity_availability(site_availability, sites) -> xr.DataArray:
    r"""Availability of a ground link that may use any of ``sites`` independent sites [1].

    .. math:: A = 1 - (1 - a)^{n}

    ``a`` is one site's availability (cloud-free line of sight for an optical station: ~30 % in
    Central Europe to ~80 % at good sites; 69 % average over an Australasian network). Weather at
    nearby sites is correlated, which makes this an upper bound.
    """
    a = _arr(site_availability, "1", "site_availability", 0.0, 1.0)
    n = _arr(sites, "1", "sites", 1.0)
    return units.wrap(_site_diversity(a, n), "1", "ground link availability with site diversity", "downlink_availability")


def downlink_capacity(terminals, rate, availability=1.0, contact_fraction=1.0) -> xr.DataArray:
    r"""Weather-mean ground-link capacity of one satellite [bit/s]:
    :math:`C = n_{term} \, r \, A \, f_{contact}`."""
    n = _arr(terminals, "1", "terminals")
    r = _arr(rate, "bit/s", "rate")
    a = _arr(availability, "1", "availability", 0.0, 1.0)
    fc = _arr(contact_fraction, "1", "contact_fraction", 0.0, 1.0)
    return units.wrap(n * r * a * fc, "bit/s", "weather-mean ground-link capacity per satellite", "downlink_capacity")


def user_latency(ground_round_trip, hops, hop_distance) -> xr.DataArray:
    r"""Round-trip propagation delay from a user to the compute [ms]:
    :math:`t = t_{ground} + 2 h d / c` (``ground_round_trip`` in ms, ``hops`` ISL hops of
    ``hop_distance`` km). Propagation only: no switching, queueing or processing."""
    t = _arr(ground_round_trip, "ms", "ground_round_trip")
    h = _arr(hops, "1", "hops")
    d = _arr(hop_distance, "km", "hop_distance")
    return units.wrap(t + 2.0 * h * d / C_KM_S * 1e3, "ms", "round-trip propagation delay to users", "user_latency")


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------
def _get(f, name: str, fallback: float = np.nan):
    """An upstream variable, or ``fallback`` (NaN: the stage producing it is absent, not faked)."""
    return f[name] if name in f else np.float64(fallback)


def _kernel(f) -> dict[str, Any]:
    """Links stage on numpy arrays (a :class:`orbitdc.frame.Frame`): see the module docstring."""
    term, dl = f["isl_terminal"], f["downlink"]
    n_isl, n_dl = f["isl_terminals"], f["downlink_terminals"]
    # ISLs: the terminal's stated point, scaled to the link distance
    rate = _isl_rate(f["isl_link_distance"], catalog_lookup(TERMINALS, "rate", term, "bit/s"),
                     catalog_lookup(TERMINALS, "reference_range", term, "km"),
                     catalog_lookup(TERMINALS, "max_rate", term, "bit/s"))
    isl_capacity = n_isl * rate
    # ground link: clear-weather rate, site diversity, contact
    a = _site_diversity(catalog_lookup(GROUND_LINKS, "site_availability", dl, "1"), f["ground_sites"])
    down = n_dl * catalog_lookup(GROUND_LINKS, "rate", dl, "bit/s") * a * f["ground_contact_fraction"]
    # mass and power the links add to the satellite
    link_mass = n_isl * f["isl_terminal_mass"] + n_dl * catalog_lookup(GROUND_LINKS, "mass", dl, "kg")
    link_power = (n_isl * catalog_lookup(TERMINALS, "power", term, "kW")
                  + n_dl * catalog_lookup(GROUND_LINKS, "power", dl, "kW"))
    bus = _get(f, "bus_power")
    with np.errstate(invalid="ignore"):
        violates_power = link_power > bus * (1.0 + 1e-12)
    latency = _get(f, "round_trip_latency") + 2.0 * f["isl_hops_to_ground"] * f["isl_link_distance"] / C_KM_S * 1e3

    # the workload through these links
    w = f["workload"]
    k = workload_field(w, "flops_per_token", "1")
    params, eta, bits = f["model_parameters"], f["workload_flops_efficiency"], f["bits_per_token"]
    peak = _get(f, "peak_flops")
    tokens = tokens_per_second(peak, eta, k, params)
    demand = tokens * bits
    ground = link_fit(down, demand)
    sync = workload_field(w, "sync_allreduce", "1") > 0
    if bool(np.any(sync)):
        n_job = np.minimum(f["training_job_satellites"], satellites_for(f["target_it_power"], _get(f, "it_power")))
        grad_bytes = params * workload_field(w, "gradient_bytes_per_parameter", "byte")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # no ISL capacity: an endless all-reduce
            t_comm = ring_allreduce_bytes(grad_bytes, n_job) * BITS_PER_BYTE / (isl_capacity / 2.0)
        t_comm = np.where(np.isnan(t_comm), 0.0, t_comm)  # nothing to send over nothing (n = 1)
        t_comp = step_compute_time(k, params, workload_field(w, "tokens_per_step", "1"), n_job, peak, eta)
        step = np.where(sync, step_efficiency(t_comp, t_comm, workload_field(w, "comm_overlap", "1")), 1.0)
        t_comm = np.where(sync, t_comm, 0.0)
        t_comp = np.where(sync, t_comp, np.nan)
    else:  # no workload in this frame exchanges gradients
        step, t_comm, t_comp = 1.0, 0.0, np.nan
    return {
        "isl_rate": rate,
        "isl_capacity": isl_capacity,
        "downlink_availability": a,
        "downlink_capacity": down,
        "link_mass": link_mass,
        "link_power": link_power,
        "user_latency": latency,
        "tokens_per_second": tokens,
        "ground_traffic_demand": demand,
        "allreduce_time": t_comm,
        "step_compute_time": t_comp,
        "training_step_efficiency": step,
        "usable_compute_fraction": ground * step,
        "violates_link_power": violates_power,
    }


def run(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """The links stage on an ``xarray.Dataset`` (see :meth:`orbitdc.frame.Stage.run`)."""
    return STAGE.run(ds)


def _p(unit, long_name, **kw) -> ParameterSpec:
    return ParameterSpec(unit, long_name, **kw)


PARAMETERS: dict[str, ParameterSpec] = {
    "isl_terminal": ParameterSpec("1", "optical inter-satellite link terminal (data/catalogs/optical_terminals.csv)",
                                  kind="choice", choices=catalog_choices(TERMINALS)),
    "isl_link_distance": _p("km", "distance to the neighbours the inter-satellite links connect", minimum=0,
                            exclusive_minimum=True, maximum=10000),
    "downlink": ParameterSpec("1", "space-to-ground link (data/catalogs/ground_links.csv)", kind="choice",
                              choices=catalog_choices(GROUND_LINKS)),
    "downlink_terminals": _p("1", "ground-link terminals per satellite", minimum=0, maximum=100),
    "ground_sites": _p("1", "ground sites the ground link can switch between (site diversity)", minimum=1, maximum=1000),
    "ground_contact_fraction": _p("1", "share of time a ground site, or a relay satellite over one, is in reach", minimum=0, maximum=1),
    "isl_hops_to_ground": _p("1", "inter-satellite hops from the compute satellite to one over a gateway", minimum=0, maximum=100),
}

OUTPUTS: dict[str, Output] = {
    "isl_rate": Output("bit/s", "data rate of one inter-satellite link terminal at the link distance"),
    "isl_capacity": Output("bit/s", "inter-satellite link capacity per satellite (all terminals)"),
    "downlink_availability": Output("1", "ground-link availability with site diversity (weather)"),
    "downlink_capacity": Output("bit/s", "weather-mean ground-link capacity per satellite"),
    "link_mass": Output("kg", "mass of the link terminals (inter-satellite and ground) per satellite"),
    "link_power": Output("kW", "power the link terminals draw per satellite"),
    "user_latency": Output("ms", "round-trip propagation delay to users (ground link and inter-satellite hops)"),
    "tokens_per_second": Output("1/s", "tokens per second per satellite at full use for the chosen workload"),
    "ground_traffic_demand": Output("bit/s", "ground-link traffic per satellite at full use for the chosen workload"),
    "allreduce_time": Output("s", "time per training step to all-reduce the gradients over the inter-satellite links"),
    "step_compute_time": Output("s", "computing time per training step (NaN for workloads without steps)"),
    "training_step_efficiency": Output("1", "share of a training step spent computing (1 without gradient exchange)"),
    "usable_compute_fraction": Output("1", "share of the orbital compute the chosen workload can use through the links"),
    "violates_link_power": Output("1", "the link terminals draw more power than the whole bus allowance (bus_power_fraction x it_power)"),
}

STAGE = Stage(name="links", kernel=_kernel, parameters=PARAMETERS, outputs=OUTPUTS, kinds=frozenset({"space"}))
