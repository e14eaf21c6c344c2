"""Reconcile a published figure with orbitdc's full cost of ownership, term by term (issue 12).

A published analysis states one figure in its own scope (Suncatcher: launch spend per kW-yr on
its own mass basis; McCalip: satellites plus launch per W over 5 years, GPUs excluded). orbitdc's
headline is the levelised full cost per kW-yr delivered. :func:`reconcile` walks from one to the
other in steps, each a number in USD/(kW yr), so a reader sees which assumption moves how much:

0. ``published``: the figure as stated, per kW-yr: a USD/(kW yr) figure as is; a total in USD
   divided by the IT power and the life (undiscounted, as the publication adds it up).
1. ``model_in_published_scope``: orbitdc on the published architecture with the publication's
   own assumptions (its file and the claim's overrides), counting only the cost items the
   publication includes, undiscounted, at 100 % availability. The step from 0 is the model's
   own arithmetic on the same inputs (packing, whole flights billed at LEO capacity, rounding).
2. ``mass_basis``: orbitdc's bottom-up mass closure in place of a top-down specific power
   (zero when the publication already uses a bottom-up mass).
3. ``finance``: discounting at the WACC (capital recovered with interest, idle capital).
4. ``availability``: orbitdc's modelled availability (radiation, failures, eclipses) in place of 100 %.
5. one step per cost item the publication leaves out (compute hardware, bus, insurance, ...),
   each its share of orbitdc's full levelised cost.

The last value is ``cost_per_kw_year`` of ``evaluate(arch, **claim overrides, full scope,
mass_model="bottom_up")``:
the steps add up exactly (each cost item's share is ``cost_per_kw_year x item / sum of items``,
because every ``cost_breakdown`` item is its annual cost over the same ``CRF / delivered``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from . import units
from .chain import evaluate
from .economics import COST_ITEMS
from .errors import OrbitdcError
from .architectures import load_architecture
from .parameters import DATA_DIR, Architecture, read_yaml

CLAIMS_FILE = DATA_DIR / "published_claims.yaml"
PER_KW_YEAR = "USD/(kW yr)"


def published_claim(arch: str | Architecture, claim: str | None = None) -> tuple[str, dict]:
    """The claim of ``data/published_claims.yaml`` to reconcile for ``arch``: ``claim`` by id, else
    the one marked ``reconcile: true`` for that architecture."""
    name = arch.name if isinstance(arch, Architecture) else load_architecture(arch).name
    claims = read_yaml(CLAIMS_FILE)["claims"]
    if claim is not None:
        if claim not in claims:
            raise OrbitdcError(f"{CLAIMS_FILE.name}: no claim '{claim}'")
        return claim, claims[claim]
    marked = [(k, c) for k, c in claims.items() if c.get("architecture") == name and c.get("reconcile")]
    if not marked:
        raise OrbitdcError(f"{CLAIMS_FILE.name}: no claim marked 'reconcile: true' for architecture '{name}'")
    return marked[0]


#: verification statuses from the strongest to the weakest (data/references, issue 28)
VERIFICATION_ORDER = ("verified", "secondary", "unverified")


def verification_of(sources: str | list[str]) -> str:
    """The weakest verification status among reference keys ``sources`` (``verified``,
    ``secondary`` or ``unverified``; an unknown key or a missing status counts as unverified)."""
    from .parameters import load_references

    refs = load_references()
    keys = [sources] if isinstance(sources, str) else list(sources)
    statuses = [refs[k].verification_status if k in refs else "unverified" for k in keys] or ["unverified"]
    return max(statuses, key=VERIFICATION_ORDER.index)


def _shares(ds: xr.Dataset) -> dict[str, float]:
    """Each cost item's share of ``cost_per_kw_year`` [USD/(kW yr)]."""
    cb = ds["cost_breakdown"]
    total = float(cb.sum())
    kwyr = float(ds["cost_per_kw_year"])
    if not (np.isfinite(total) and total > 0 and np.isfinite(kwyr)):
        raise OrbitdcError(f"reconcile: the design of '{ds.attrs.get('architecture')}' has no finite cost to split")
    return {k: kwyr * float(cb.sel(cost_item=k)) / total for k in COST_ITEMS}


def reconcile(arch: str | Architecture, claim: str | None = None) -> xr.Dataset:
    """A waterfall from a published figure to orbitdc's full-TCO figure (module docstring).

    Returns a Dataset along ``step``: ``value`` (cumulative, USD/(kW yr)), ``change`` (from the
    previous step) and ``label`` (what the step changes); attrs name the claim, its source, the
    published figure as stated and the cost items the publication includes.
    """
    arch = load_architecture(arch)
    cid, c = published_claim(arch, claim)
    over: dict[str, Any] = dict(c.get("overrides") or {})
    included = list(c.get("included") or [])
    unknown = [k for k in included if k not in COST_ITEMS]
    if unknown or not included:
        raise OrbitdcError(f"{CLAIMS_FILE.name}: claim '{cid}' must list the cost items it includes "
                           f"(cost_breakdown names), got {included}")

    full = dict(over, include_compute_hardware=True, cost_scope="full")
    own = dict(full, discounting=False, impose_availability=True, imposed_availability=1.0)
    top_down = str(arch.parameters["mass_model"].value) == "specific_power" if "mass_model" in arch.parameters else False

    ds_own = evaluate(arch, **own)
    life = float(ds_own["mission_lifetime"])
    it_kw = float(ds_own["target_it_power"])
    unit = units.parse_unit(c["unit"], cid)
    if unit.is_equivalent(units.parse_unit(PER_KW_YEAR)):
        published = float(units.convert(c["value"], unit, PER_KW_YEAR, cid))
    elif unit.is_equivalent(units.parse_unit("USD")):  # a total: per kW of IT and year of life, undiscounted
        published = float(units.convert(c["value"], unit, "USD", cid)) / (it_kw * life)
    else:
        raise OrbitdcError(f"{CLAIMS_FILE.name}: claim '{cid}' is in {c['unit']}, neither USD/(kW yr) nor USD")

    steps: list[tuple[str, str, float]] = [("published", f"{c['statement']} (per kW-yr)", published)]
    s_own = _shares(ds_own)
    # A publication prices launch and satellites as mass x price per kg; orbitdc buys whole flights
    # at the vehicle's capacity to its reference LEO (less payload to a higher or inclined orbit,
    # packing) and prices the bus without the compute it carries. The publication's own arithmetic on
    # orbitdc's masses comes first, so that a gap between it and the model is named, not hidden.
    per_kg = {"launch": "launch_price_per_kg", "satellite_bus": "bus_cost_per_kg"}
    mass_kg = float(ds_own["total_mass"]) * 1000.0
    costing = str(ds_own["costing"].item()) if "costing" in ds_own else "mass"
    arithmetic = {k: mass_kg * float(ds_own[p]) / (it_kw * life) for k, p in per_kg.items()
                  if k in included and p in ds_own and costing != "subsystem"}
    steps.append(("published_arithmetic",
                  ("the publication's arithmetic (mass x price per kg) on orbitdc's masses" if arithmetic
                   else "(no item priced per kg)"),
                  sum(arithmetic.get(k, s_own[k]) for k in included)))
    steps.append(("model_in_published_scope",
                  "orbitdc's cost model on the same assumptions and items (whole flights at the vehicle's reference-LEO "
                  "capacity, the bus without its compute), undiscounted, 100 % available",
                  sum(s_own[k] for k in included)))
    mass = dict(own, mass_model="bottom_up") if top_down else own
    ds_mass = evaluate(arch, **mass) if top_down else ds_own
    s_mass = _shares(ds_mass)
    steps.append(("mass_basis", "orbitdc's bottom-up mass closure" if top_down else "(already bottom-up)",
                  sum(s_mass[k] for k in included)))
    fin = dict(mass, discounting=True)
    s_fin = _shares(evaluate(arch, **fin))
    steps.append(("finance", "discounted at the WACC, idle capital", sum(s_fin[k] for k in included)))
    avail = {k: v for k, v in fin.items() if k not in ("impose_availability", "imposed_availability")}
    avail["impose_availability"] = False
    ds_full = evaluate(arch, **avail)
    s_full = _shares(ds_full)
    running = sum(s_full[k] for k in included)
    steps.append(("availability", "orbitdc's modelled availability", running))
    for item in COST_ITEMS:
        if item in included or s_full[item] == 0.0:
            continue
        running += s_full[item]
        steps.append((item, f"adds {item.replace('_', ' ')}", running))

    names = [s[0] for s in steps]
    values = np.array([s[2] for s in steps])
    change = np.diff(values, prepend=0.0)
    change[0] = values[0]
    attrs = {"units": PER_KW_YEAR}
    return xr.Dataset(
        {
            "value": ("step", values, {**attrs, "long_name": "cumulative figure after the step"}),
            "change": ("step", change, {**attrs, "long_name": "change made by the step"}),
            "label": ("step", np.array([s[1] for s in steps], dtype=object), {"long_name": "what the step changes"}),
        },
        coords={"step": names},
        attrs={
            "architecture": arch.name, "claim": cid, "source": ", ".join([c["source"]] if isinstance(c["source"], str) else c["source"]),
            "published_value": float(c["value"]), "published_unit": c["unit"], "included": ", ".join(included),
            "verification": str(c.get("verification") or verification_of(c["source"])),
            "full_cost_per_kw_year": float(ds_full["cost_per_kw_year"]),
        },
    )
