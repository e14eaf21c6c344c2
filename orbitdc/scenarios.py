"""Scenarios: named sets of sourced values layered over an architecture, like overrides.

``data/scenarios/<architecture>/<scenario>.yaml`` holds what a scenario changes, in the
architecture file's own format (``value``, ``unit``, ``low``, ``high``, optional
``distribution``, ``source``, ``note``; no ``role``: a scenario changes beliefs about values, not
which parameters are decisions). At least three scenarios per architecture that has any:

* ``proponent``: what the company (or its closest published design) states;
* ``base``: the architecture file as it is (an empty change list);
* ``skeptic``: what published critiques assume.

:func:`apply_scenario` returns the architecture with those parameters replaced (validated exactly
as an architecture file: units, domains, source keys); reading and layering the files is part of
loading an architecture (:mod:`orbitdc.architectures`, re-exported here). :func:`scenario_changes` lists what a
scenario changes with its sources (``orbitdc show NAME --scenario S`` prints it).
:func:`specific_mass_gap` says whether the mass model reaches a claimed specific mass with a
scenario's technology values and, if not, which term of the mass budget stops it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

# Reading and layering scenario files is part of loading an architecture (orbitdc.architectures,
# below the chain); the names stay importable from here.
from .architectures import (SCENARIO_DIR, apply_scenario, apply_where_available, list_scenarios,  # noqa: F401
                            load_architecture, load_scenario, read_scenario)
from .chain import evaluate
from .parameters import Architecture, Parameter, load_references

__all__ = ["list_scenarios", "apply_scenario", "apply_where_available", "scenario_changes", "scenario_document",
           "specific_mass_gap", "SCENARIO_DIR"]


def scenario_document(arch: str | Path | Architecture, scenario: str | Path) -> dict[str, Any]:
    """The scenario as a mapping in its file format (description, party, follows, parameters,
    trends, fleet), ready for ``yaml.safe_dump``: writing it and applying the written file gives
    the same architecture, trends and fleet plan (a round trip)."""
    arch = load_architecture(arch)
    sc = load_scenario(arch, scenario)

    def as_file(p: Parameter) -> dict[str, Any]:
        return p.model_dump(include={"value", "unit", "low", "high", "distribution", "source", "note"}, exclude_none=True)

    doc: dict[str, Any] = {"description": sc.description}
    if sc.party:
        doc["party"] = sc.party
    if sc.follows:
        doc["follows"] = list(sc.follows)
    doc["parameters"] = {k: as_file(p) for k, p in sc.params.items()}
    if sc.trends:
        doc["trends"] = {k: as_file(p) for k, p in sc.trends.items()}
    if sc.fleet is not None:
        doc["fleet"] = sc.fleet
    return doc


def scenario_changes(arch: str | Path | Architecture, scenario: str) -> list[dict[str, Any]]:
    """What ``scenario`` changes: one row per parameter with the architecture's value and range,
    the scenario's, the unit, the scenario's sources (with their tags) and note; then the catalog
    values that follow a choice the scenario changes (their catalog sources)."""
    arch = load_architecture(arch)
    _, params, _ = read_scenario(arch, scenario)
    refs = load_references()
    rows = []
    for name, p in sorted(params.items()):
        old = arch.parameters[name]
        rows.append({
            "parameter": name, "unit": p.unit or "",
            "base_value": old.value, "base_low": old.low, "base_high": old.high,
            "value": p.value, "low": p.low, "high": p.high,
            "source": ", ".join(p.sources), "tag": ", ".join(sorted({refs[k].tag for k in p.sources})),
            "note": p.note or "",
        })
    # catalog values that follow a changed choice (e.g. the areal density of a new radiator)
    applied = apply_scenario(arch, scenario)
    for name, p in sorted(applied.parameters.items()):
        old = arch.parameters[name]
        if name in params or p.catalog_entry is None or p.catalog_entry == old.catalog_entry:
            continue
        rows.append({
            "parameter": name, "unit": p.unit or "",
            "base_value": old.value, "base_low": old.low, "base_high": old.high,
            "value": p.value, "low": p.low, "high": p.high,
            "source": ", ".join(p.sources), "tag": ", ".join(sorted({refs[k].tag for k in p.sources})),
            "note": f"the catalog value of the chosen entry '{p.catalog_entry}' ({p.origin})",
        })
    return rows


def describe_scenario(arch: str | Path | Architecture, scenario: str) -> str:
    """The scenario as text: its description and one line per changed parameter with sources."""
    arch = load_architecture(arch)
    description, _, file = read_scenario(arch, scenario)
    lines = [f"{arch.name}, scenario '{scenario}' ({file})", description, ""]
    rows = scenario_changes(arch, scenario)
    if not rows:
        lines.append("  (no change: the architecture file's own values)")
    for r in rows:
        unit = f" {r['unit']}" if r["unit"] not in ("", "1") else ""
        rng = f" [{r['low']:g}, {r['high']:g}]" if isinstance(r["low"], float) and isinstance(r["high"], float) else ""
        base = r["base_value"]
        lines.append(f"  {r['parameter']}: {base}{unit} -> {r['value']}{unit}{rng}   source: {r['source']} ({r['tag']})")
        if r["note"]:
            lines.append(f"      {r['note']}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Can the mass model reach a claimed specific mass?
# --------------------------------------------------------------------------------------------
def specific_mass_gap(arch: str | Path | Architecture, target: float, scenario: str | None = None,
                      **overrides: Any) -> xr.Dataset:
    """Compare the model's specific mass with a claimed one (kg per kW of IT), term by term.

    Evaluates the chain (with the scenario's values and the overrides) and splits ``specific_mass``
    into the mass budget's terms per kW of IT (``mass_breakdown / it_power``). If the total exceeds
    ``target``, the *stopping terms* are the largest terms, in decreasing order, that together
    exceed the target alone: no improvement of the other terms can close the gap unless these
    shrink. ``attrs['reason']`` is a sentence the report can print, naming them with the physics
    behind each (e.g. the radiator area at the chip's temperature limit).

    Returns a Dataset with ``per_kw`` (dim ``subsystem``, kg/kW), ``specific_mass``, ``target`` and
    attrs ``reaches`` (0/1), ``stopping_terms`` and ``reason``.
    """
    arch = apply_scenario(arch, scenario) if scenario is not None else load_architecture(arch)
    ds = evaluate(arch, **overrides)
    per_kw = (ds["mass_breakdown"] / ds["it_power"]).rename("per_kw")
    total = float(ds["specific_mass"])
    names = [str(s) for s in per_kw["subsystem"].values]
    vals = np.asarray(per_kw.values, dtype=float)
    order = np.argsort(-vals, kind="stable")
    stopping, acc = [], 0.0
    if total > target:
        for i in order:
            stopping.append(names[i])
            acc += vals[i]
            if acc > target:
                break
    reaches = total <= target * (1 + 1e-9)

    def why(name: str) -> str:
        v = float(per_kw.sel(subsystem=name))
        if name == "compute":
            return f"compute hardware {v:.1f} kg/kW (the accelerator's own mass per watt, from the catalog)"
        if name == "radiator":
            return (f"radiator {v:.1f} kg/kW (area set by emitting at {float(ds['radiator_temperature']):.0f} K, "
                    f"the chip's temperature limit minus the coolant loop drop; Stefan-Boltzmann)")
        if name == "solar_array":
            return f"solar array {v:.1f} kg/kW (array specific power {float(ds['array_specific_power']):.0f} W/kg)"
        if name == "growth_margin":
            return f"mass growth margin {v:.1f} kg/kW (a fraction of the dry mass)"
        if name == "structure":
            return f"structure {v:.1f} kg/kW (a fraction of the dry mass)"
        return f"{name.replace('_', ' ')} {v:.1f} kg/kW"

    if reaches:
        reason = f"The model reaches {total:.1f} kg/kW, within the claimed {target:g} kg/kW."
    else:
        reason = (f"The model's specific mass is {total:.1f} kg/kW against the claimed {target:g} kg/kW: "
                  + " and ".join(why(n) for n in stopping)
                  + f" already add up to more than {target:g} kg/kW.")
    out = xr.Dataset(
        {"per_kw": per_kw.assign_attrs(units="kg/kW", long_name="mass per kW of IT by subsystem"),
         "specific_mass": ((), total, {"units": "kg/kW"}), "target": ((), float(target), {"units": "kg/kW"})},
        attrs={"architecture": arch.name, "scenario": scenario or "none", "reaches": int(reaches),
               "stopping_terms": ", ".join(stopping), "reason": reason},
    )
    return out


# --------------------------------------------------------------------------------------------
# Under whose beliefs? Which stated input moves the answer most (issue 22)
# --------------------------------------------------------------------------------------------
def whose_beliefs(arch: str | Path | Architecture, scenario: str, top: int = 5,
                  output: str = "cost_ratio_vs_terrestrial", **overrides: Any) -> list[dict[str, Any]]:
    """The handful of inputs of ``scenario`` that move ``output`` most, each beside its source.

    For every parameter the scenario changes, ``output`` is evaluated with the scenario and with that
    one parameter put back at the architecture's own value (all else the scenario's); the shift
    ``effect = output(scenario) - output(scenario without it)`` is that belief's contribution. Rows
    are sorted by ``|effect|`` (largest first, at most ``top``), each with the value, the base value,
    the sources, their tags, whether the value is the party's own statement (a ``claim`` among its
    sources) and the note. Trends and fleet plans act over years and are listed by
    :func:`scenario_changes`' callers, not ranked here (``evaluate`` is one year).
    """
    base_arch = load_architecture(arch)
    applied = apply_scenario(base_arch, scenario)
    refs = load_references()
    _, params, _ = read_scenario(base_arch, scenario)
    full = float(np.asarray(evaluate(applied, **overrides)[output]))
    rows = []
    for name, p in params.items():
        undone = dict(applied.parameters)
        undone[name] = base_arch.parameters[name]
        without = type(applied)(**{**applied.__dict__, "parameters": undone})
        try:
            value = float(np.asarray(evaluate(without, **overrides)[output]))
        except Exception:  # a design that does not close without this belief: no finite shift
            value = float("nan")
        tags = sorted({refs[k].tag for k in p.sources})
        rows.append({"parameter": name, "value": p.value, "unit": p.unit or "", "base_value": base_arch.parameters[name].value,
                     "effect": full - value, "source": ", ".join(p.sources), "tag": ", ".join(tags),
                     "stated": "claim" in tags, "note": p.note or ""})
    rows.sort(key=lambda r: -abs(r["effect"]) if np.isfinite(r["effect"]) else 0.0)
    return rows[:top]


def attribution(arch: str | Path | Architecture, scenario: str) -> str:
    """One sentence saying whose figures a scenario holds: the party is quoted only for the inputs
    that are its own statements (a ``claim`` source); the rest is named as base values (no
    statement) or the critiques' numbers."""
    base_arch = load_architecture(arch)
    sc = load_scenario(base_arch, scenario)
    refs = load_references()
    own = [n for n, p in sc.params.items() if any(refs[k].tag == "claim" for k in p.sources)]
    other = [n for n, p in sc.params.items() if n not in own]
    party = sc.party or scenario
    parts = []
    if own:
        parts.append(f"{party}'s stated figures for {', '.join(n.replace('_', ' ') for n in sorted(own))}")
    if other:
        parts.append(f"sourced values for {', '.join(n.replace('_', ' ') for n in sorted(other))} that {party} did not state")
    if sc.fleet is not None:
        parts.append("a stated fleet plan")
    parts.append("base values (no statement) for everything else")
    return "Under " + "; ".join(parts) + "."
