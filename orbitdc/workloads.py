r"""Workloads: the useful output of a kilowatt, and what it costs, for the chosen workload.

Every model in this field compares a kilowatt in orbit one-for-one with a kilowatt on the ground.
They are not the same product: what orbit can serve depends on the workload
(``data/catalogs/workloads.csv``):

* ``inference``: a model replica per satellite serves tokens to users; little traffic per FLOP;
* ``batch``: offline inference whose results wait for the link;
* ``training``: synchronous data-parallel pre-training across ``training_job_satellites``
  satellites, all-reducing the gradients every step over the inter-satellite links.

The links stage (:mod:`orbitdc.links`) computes the share of the orbital compute the workload can
use (``usable_compute_fraction``); the economics stage divides the space cost by it, so
``cost_per_kw_year`` and ``cost_ratio_vs_terrestrial`` are per *useful* output of that workload
(the ground's fabric carries any of them at full use). This stage, after the economics, turns the
levelised cost per delivered kW-yr into the cost of the useful unit, in orbit and on the ground:

.. math::

    c_{Mtok} = \frac{c_{kW\,yr} \, k N \, 10^6}{F_{kW} \, \eta \, t_{yr}}, \qquad
    c_{run} = \frac{c_{kW\,yr} \, 6 N D_{run}}{F_{kW} \, \eta \, t_{yr}}

with ``k`` FLOPs per token per parameter (2 for inference, 6 for training; Kaplan et al. 2020),
``N`` the model's parameters, ``F_kW`` the peak FLOP/s per kW of IT (accelerator catalog),
``eta`` the workload's FLOP efficiency, ``t_yr`` the seconds in a year and ``D_run`` the stated
training run's tokens (Llama 3 70B, 15.6T tokens). The terrestrial figures use
``terrestrial_cost_per_kw_year``: the same accelerators at the same efficiency. A training run's
cost is given for the ``training`` workload only (NaN otherwise).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from . import units
from ._workloads import (CATALOG, SECONDS_PER_YEAR, cost_per_million_tokens as _cost_per_mtok,
                         ring_allreduce_bytes as _ring_bytes, step_efficiency as _step_efficiency,
                         tokens_per_second as _tokens_per_second, workload_field)
from .frame import Output, Stage
from .catalogs import catalog_choices
from .parameters import ParameterSpec

WORKLOADS = ("inference", "training", "batch")


def _arr(x: Any, unit: str, name: str, lo: float | None = 0.0, hi: float | None = None, *, lo_open=False):
    v = units.as_array(x, unit, name)
    units.check_domain(name, v, lo, hi, lo_open=lo_open, unit=unit if unit != "1" else "")
    return v


# --------------------------------------------------------------------------------------------
# Public model functions
# --------------------------------------------------------------------------------------------
def tokens_per_second(peak_flops, flops_efficiency, flops_per_token, model_parameters) -> xr.DataArray:
    r"""Tokens per second an accelerator (or satellite) of ``peak_flops`` processes [1/s].

    .. math:: \dot n = \frac{F \, \eta}{k N}

    ``k N`` FLOPs per token: a forward pass costs about ``2N`` per token, training about ``6N``
    (Kaplan et al. 2020); ``eta`` the share of the peak the workload uses (38-43 % for Llama 3
    training; about 0.67 of the BF16 peak in Azure's GB200 NVL72 Llama 2 70B run, with
    low-precision formats). Example: 865,000 tokens/s on one NVL72 (1.8e17 FLOP/s) is
    eta = 865,000 x 1.4e11 / 1.8e17 = 0.67.
    """
    f = _arr(peak_flops, "FLOP/s", "peak_flops")
    eta = _arr(flops_efficiency, "1", "flops_efficiency", 0.0, 1.0, lo_open=True)
    k = _arr(flops_per_token, "1", "flops_per_token", lo_open=True)
    n = _arr(model_parameters, "1", "model_parameters", lo_open=True)
    return units.wrap(_tokens_per_second(f, eta, k, n), "1/s", "tokens per second", "tokens_per_second")


def ring_allreduce_bytes(gradient_bytes, nodes) -> xr.DataArray:
    r"""Bytes each node sends (and receives) to all-reduce ``gradient_bytes`` over ``nodes`` in a ring.

    .. math:: V = \frac{2 (n - 1)}{n} \, G

    A reduce-scatter then an all-gather, each moving :math:`(n-1)/n` of the buffer per node: the
    bandwidth-optimal all-reduce (Patarasuk and Yuan 2009). One node sends nothing.
    """
    g = _arr(gradient_bytes, "byte", "gradient_bytes")
    n = _arr(nodes, "1", "nodes", 1.0)
    return units.wrap(_ring_bytes(g, n), "byte", "ring all-reduce bytes per node", "ring_allreduce_bytes")


def training_step_efficiency(compute_time, communication_time, overlap=0.0) -> xr.DataArray:
    r"""Share of a synchronous training step spent computing [1].

    .. math:: \epsilon = \frac{t_c}{t_c + \max(0,\; t_{comm} - o \, t_c)}

    ``t_c`` the step's computing time, ``t_comm`` its all-reduce time (ring bytes x 8 / ring
    bandwidth), ``o`` the share of the computing time the exchange can hide behind (0: none).
    """
    tc = _arr(compute_time, "s", "compute_time", lo_open=True)
    tm = _arr(communication_time, "s", "communication_time")
    o = _arr(overlap, "1", "overlap", 0.0, 1.0)
    return units.wrap(_step_efficiency(tc, tm, o), "1", "share of a training step spent computing", "training_step_efficiency")


def cost_per_million_tokens(cost_per_kw_year, flops_per_kw, flops_efficiency, flops_per_token, model_parameters) -> xr.DataArray:
    r"""Cost of a million tokens [USD] from a levelised cost per delivered kW-yr of IT.

    .. math:: c_{Mtok} = \frac{c_{kW\,yr} \, k N \, 10^6}{F_{kW} \, \eta \, t_{yr}}

    ``F_kW`` the peak FLOP/s per kW of IT, ``t_yr`` the seconds in a (Julian) year.
    """
    c = _arr(cost_per_kw_year, "USD/(kW yr)", "cost_per_kw_year")
    fk = _arr(flops_per_kw, "FLOP/(s kW)", "flops_per_kw", lo_open=True)
    eta = _arr(flops_efficiency, "1", "flops_efficiency", 0.0, 1.0, lo_open=True)
    k = _arr(flops_per_token, "1", "flops_per_token", lo_open=True)
    n = _arr(model_parameters, "1", "model_parameters", lo_open=True)
    return units.wrap(_cost_per_mtok(c, fk, eta, k, n), "USD", "cost per million tokens", "cost_per_million_tokens")


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------
def _get(f, name: str, fallback: float = np.nan):
    return f[name] if name in f else np.float64(fallback)


def _kernel(f) -> dict[str, Any]:
    """Workload stage on numpy arrays (a :class:`orbitdc.frame.Frame`): see the module docstring."""
    w = f["workload"]
    k = workload_field(w, "flops_per_token", "1")
    n, eta = f["model_parameters"], f["workload_flops_efficiency"]
    with np.errstate(invalid="ignore", divide="ignore"):
        flops_per_kw = _get(f, "peak_flops") / _get(f, "it_power")
    space = _cost_per_mtok(_get(f, "cost_per_kw_year"), flops_per_kw, eta, k, n)
    ground = _cost_per_mtok(_get(f, "terrestrial_cost_per_kw_year"), flops_per_kw, eta, k, n)
    # the stated training run (k = 6 for training): its tokens times the cost of one token
    training = workload_field(w, "sync_allreduce", "1") > 0
    run_mtok = workload_field(w, "run_tokens", "1") / 1e6
    with np.errstate(invalid="ignore"):
        run = np.where(training, space * run_mtok, np.nan)
        run_ground = np.where(training, ground * run_mtok, np.nan)
        # useful tokens a year of the whole system (kW delivered x tokens per kW-second)
        kw_delivered = _get(f, "annual_cost") / _get(f, "cost_per_kw_year")
        tokens_year = kw_delivered * flops_per_kw * eta / (k * n) * SECONDS_PER_YEAR
    return {
        "cost_per_million_tokens": space,
        "terrestrial_cost_per_million_tokens": ground,
        "cost_per_training_run": run,
        "terrestrial_cost_per_training_run": run_ground,
        "useful_tokens_per_year": tokens_year,
    }


def run(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """The workload stage on an ``xarray.Dataset`` (see :meth:`orbitdc.frame.Stage.run`)."""
    return STAGE.run(ds)


PARAMETERS: dict[str, ParameterSpec] = {
    "workload": ParameterSpec("1", "what the compute is used for (data/catalogs/workloads.csv): inference, training or batch",
                              kind="choice", choices=catalog_choices(CATALOG)),
    "model_parameters": ParameterSpec("1", "parameters of the model the workload runs (default: the workload's catalog value)",
                                      minimum=1e6, maximum=1e14, catalog=(CATALOG, "model_parameters", "workload")),
    "workload_flops_efficiency": ParameterSpec("1", "share of the accelerators' peak FLOP/s the workload uses (default: the workload's catalog value)",
                                               minimum=0, exclusive_minimum=True, maximum=1,
                                               catalog=(CATALOG, "flops_efficiency", "workload")),
    "bits_per_token": ParameterSpec("bit", "bits that cross the ground link per token processed (default: the workload's catalog value)",
                                    minimum=0, maximum=1e6, catalog=(CATALOG, "bits_per_token", "workload")),
    "training_job_satellites": ParameterSpec("1", "satellites one synchronous training job spans (default: the workload's catalog value)",
                                             minimum=1, maximum=1e6, catalog=(CATALOG, "job_satellites", "workload")),
}

OUTPUTS: dict[str, Output] = {
    "cost_per_million_tokens": Output("USD", "cost per million useful tokens of the chosen workload"),
    "terrestrial_cost_per_million_tokens": Output("USD", "cost per million tokens of the same workload on the ground"),
    "cost_per_training_run": Output("USD", "cost of the stated training run (Llama 3 70B, 15.6T tokens; training workload only)"),
    "terrestrial_cost_per_training_run": Output("USD", "cost of the stated training run on the ground (training workload only)"),
    "useful_tokens_per_year": Output("1/yr", "useful tokens a year of the whole system for the chosen workload"),
}

STAGE = Stage(name="workload", kernel=_kernel, parameters=PARAMETERS, outputs=OUTPUTS,
              kinds=frozenset({"space", "terrestrial"}))
