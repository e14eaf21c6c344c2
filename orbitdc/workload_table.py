"""Which workloads? The numbers for the report's section on what orbit can serve (issue 27).

One call runs the chain for each architecture under every workload of
``data/catalogs/workloads.csv`` and returns, side by side, the cost ratio to the ground per useful
output (and its market view, ``market_cost_ratio_vs_terrestrial``: time to power valued at the
forgone margin, issue 22), the share of the compute the links let each workload use, the token and
training-run costs, and the orbit-commons figures (avoidance manoeuvres a year, collision probability, share of
the shell's sustainable capacity). The report (``orbitdc/report/``) renders it; this module only
computes, so the app and notebooks can use the same numbers.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .chain import compare
from .catalogs import catalog_choices

#: Outputs per architecture and workload.
PER_WORKLOAD = ("cost_ratio_vs_terrestrial", "market_cost_ratio_vs_terrestrial", "usable_compute_fraction",
                "cost_per_million_tokens", "terrestrial_cost_per_million_tokens", "cost_per_training_run",
                "terrestrial_cost_per_training_run")
#: Outputs per architecture (the orbit commons do not depend on the workload).
PER_ARCHITECTURE = ("avoidance_manoeuvres_per_year", "collision_probability_per_year", "shell_capacity_fraction",
                    "violates_shell_capacity", "satellites", "isl_capacity", "downlink_capacity")


def which_workloads(architectures: Sequence[str | Path], workloads: Sequence[str] | None = None,
                    **overrides: Any) -> xr.Dataset:
    """The chain for every architecture under every workload (dims ``architecture``, ``workload``).

    ``workloads`` defaults to every entry of ``data/catalogs/workloads.csv``; ``overrides`` apply
    to every architecture that has the parameter (as in :func:`orbitdc.compare`). Variables:
    :data:`PER_WORKLOAD` along both dimensions, :data:`PER_ARCHITECTURE` along ``architecture``
    (NaN for the ground twin, which has no orbit).
    """
    names = list(workloads) if workloads is not None else list(catalog_choices("workloads")())
    ds = compare(list(architectures), workload=names, **overrides)
    out = xr.Dataset(attrs={"architectures": ds.attrs.get("architectures", ""), "workloads": ", ".join(names)})
    for name in PER_WORKLOAD:
        if name in ds:
            da = ds[name]
            out[name] = da if "workload" in da.dims else da.expand_dims(workload=names)
    for name in PER_ARCHITECTURE:
        if name in ds:
            da = ds[name]
            out[name] = da.isel(workload=0, drop=True) if "workload" in da.dims else da
    return out


def which_workloads_rows(table: xr.Dataset) -> list[dict[str, Any]]:
    """One row per architecture for a report table: the cost ratio per workload (and its market
    view), the usable share of each workload, and the commons figures, as plain numbers (NaN where a
    figure does not apply)."""
    rows = []
    for arch in table["architecture"].values:
        t = table.sel(architecture=arch)
        row: dict[str, Any] = {"architecture": str(arch)}
        for w in t["workload"].values:
            row[f"cost_ratio_{w}"] = float(t["cost_ratio_vs_terrestrial"].sel(workload=w))
            row[f"market_cost_ratio_{w}"] = (float(t["market_cost_ratio_vs_terrestrial"].sel(workload=w))
                                             if "market_cost_ratio_vs_terrestrial" in t else np.nan)
            row[f"usable_{w}"] = float(t["usable_compute_fraction"].sel(workload=w)) if "usable_compute_fraction" in t else np.nan
        for name in ("avoidance_manoeuvres_per_year", "collision_probability_per_year", "shell_capacity_fraction"):
            row[name] = float(t[name]) if name in t else np.nan
        rows.append(row)
    return rows
