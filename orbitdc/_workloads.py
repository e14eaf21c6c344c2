r"""Workload kernels shared by the links stage (what the links let a satellite run) and the
workload stage (what the useful output costs). Unit-free numpy in canonical units; the documented
public functions with their equations are in :mod:`orbitdc.workloads`.

The workload itself is an entry of ``data/catalogs/workloads.csv`` (``inference``, ``training``,
``batch``), read through :func:`workload_field`.
"""
from __future__ import annotations

import numpy as np

from .catalogs import catalog_lookup

CATALOG = "workloads"
SECONDS_PER_YEAR = 365.25 * 86400.0  # Julian year, as astropy's ``yr``
BITS_PER_BYTE = 8.0


def workload_field(workload, field: str, unit: str):
    """A field of the chosen workload(s) from ``data/catalogs/workloads.csv`` in ``unit``."""
    return catalog_lookup(CATALOG, field, workload, unit)


def tokens_per_second(peak_flops, flops_efficiency, flops_per_token, model_parameters):
    """Tokens per second of ``peak_flops`` [FLOP/s]: ``peak eta / (k N)``."""
    return peak_flops * flops_efficiency / (flops_per_token * model_parameters)


def ring_allreduce_bytes(gradient_bytes, n):
    """Bytes each of ``n`` nodes sends (and receives) in a ring all-reduce: ``2 (n - 1) / n G``."""
    n = np.asarray(n, dtype=float)
    return np.where(n > 1, 2.0 * (n - 1.0) / np.where(n > 0, n, 1.0), 0.0) * gradient_bytes


def step_compute_time(flops_per_token, model_parameters, tokens_per_step, n, node_flops, flops_efficiency):
    """Seconds of computation per training step over ``n`` nodes: ``k N B / (n F eta)``."""
    return flops_per_token * model_parameters * tokens_per_step / (n * node_flops * flops_efficiency)


def step_efficiency(t_compute, t_comm, overlap):
    """Share of a step spent computing: ``t_c / (t_c + max(0, t_comm - o t_c))``."""
    exposed = np.maximum(t_comm - overlap * t_compute, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(exposed > 0, t_compute / (t_compute + exposed), 1.0)


def link_fit(capacity, demand):
    """Share of a demand [bit/s] a capacity [bit/s] carries: ``min(1, C / D)`` (1 when D = 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(demand > 0, np.minimum(1.0, capacity / np.where(demand > 0, demand, 1.0)), 1.0)


def cost_per_million_tokens(cost_per_kw_year, flops_per_kw, flops_efficiency, flops_per_token, model_parameters):
    """USD per million tokens from a levelised cost per delivered kW-yr [USD/(kW yr)] and the
    peak FLOP/s per kW of IT: ``c k N 10^6 / (F_kW eta t_yr)``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return cost_per_kw_year * flops_per_token * model_parameters * 1e6 / (
            flops_per_kw * flops_efficiency * SECONDS_PER_YEAR)
