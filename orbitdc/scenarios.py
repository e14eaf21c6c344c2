"""Scenarios: named sets of sourced values layered over an architecture, like overrides.

``data/scenarios/<architecture>/<scenario>.yaml`` holds what a scenario changes, in the
architecture file's own format (``value``, ``unit``, ``low``, ``high``, optional
``distribution``, ``source``, ``note``; no ``role``: a scenario changes beliefs about values, not
which parameters are decisions). At least three scenarios per architecture that has any:

* ``proponent``: what the company (or its closest published design) states;
* ``base``: the architecture file as it is (an empty change list);
* ``skeptic``: what published critiques assume.

:func:`~orbitdc.architectures.apply_scenario` returns the architecture with those parameters replaced (validated exactly
as an architecture file: units, domains, source keys); reading and layering the files is part of
loading an architecture (:mod:`orbitdc.architectures`, re-exported here). :func:`scenario_changes` lists what a
scenario changes with its sources (``orbitdc show NAME --scenario S`` prints it).
:func:`specific_mass_gap` says whether the mass model reaches a claimed specific mass with a
scenario's technology values and, if not, which term of the mass budget stops it.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import xarray as xr

# Reading and layering scenario files is part of loading an architecture (orbitdc.architectures,
# below the chain); the names stay importable from here.
from .architectures import (ATTRIBUTIONS, SCENARIO_DIR, TRENDS_DIR, _fleet_ramps, apply_scenario,  # noqa: F401
                            apply_where_available, list_scenarios, load_architecture, load_scenario, read_scenario)
from .chain import evaluate
from .fleet import fleet_path
from .parameters import Architecture, Parameter, load_references, read_yaml

__all__ = ["list_scenarios", "apply_scenario", "apply_where_available", "scenario_changes", "scenario_document",
           "specific_mass_gap", "SCENARIO_DIR"]


def scenario_document(arch: str | Path | Architecture, scenario: str | Path) -> dict[str, Any]:
    """The scenario as a mapping in its file format (description, party, follows, parameters,
    trends, fleet, each entry's ``attribution``), ready for ``yaml.safe_dump``: writing it and
    applying the written file gives the same architecture, trends, fleet plan and attribution (a
    round trip)."""
    arch = load_architecture(arch)
    sc = load_scenario(arch, scenario)

    def as_file(p: Parameter, section: str, name: str) -> dict[str, Any]:
        out = p.model_dump(include={"value", "unit", "low", "high", "distribution", "source", "note"}, exclude_none=True)
        if name in sc.attribution.get(section, {}):
            out["attribution"] = sc.attribution[section][name]
        return out

    doc: dict[str, Any] = {"description": sc.description}
    if sc.party:
        doc["party"] = sc.party
    if sc.follows:
        doc["follows"] = list(sc.follows)
    doc["parameters"] = {k: as_file(p, "parameters", k) for k, p in sc.params.items()}
    if sc.trends:
        doc["trends"] = {k: as_file(p, "trends", k) for k, p in sc.trends.items()}
    if sc.fleet is not None:
        fleet = copy.deepcopy(sc.fleet)
        for key, ramp in _fleet_ramps(fleet):
            if key in sc.attribution.get("fleet", {}):
                ramp["attribution"] = sc.attribution["fleet"][key]
        doc["fleet"] = fleet
    return doc


def _tags(sources: Iterable[str], refs: Mapping[str, Any]) -> str:
    return ", ".join(sorted({refs[k].tag for k in sources if k in refs}))


def _ramp_text(ramp: Mapping[str, Any] | None) -> str:
    """A fleet ramp as text: ``2025: 2900; 2030: 1e+06 t/yr`` (its points, in its unit)."""
    if not isinstance(ramp, Mapping):
        return ""
    if isinstance(ramp.get("points"), list):
        pts = "; ".join(f"{p.get('year')}: {p.get('value'):g}" if isinstance(p.get("value"), (int, float))
                        else f"{p.get('year')}: {p.get('value')}" for p in ramp["points"] if isinstance(p, Mapping))
        unit = ramp.get("unit")
        return f"{pts} {unit}" if unit and unit != "1" else pts
    return str(ramp)


def _ramp_sources(ramp: Mapping[str, Any]) -> list[str]:
    keys: list[str] = []
    for p in ramp.get("points") or []:
        if isinstance(p, Mapping):
            src = p.get("source") or []
            keys += [src] if isinstance(src, str) else list(src)
    return list(dict.fromkeys(keys))


def _trend_file_values() -> dict[str, Parameter]:
    """The trend values of ``data/trends/*.yaml`` as written (value, unit, range, sources), for
    showing beside a scenario's; the trajectory validates and applies them."""
    out: dict[str, Parameter] = {}
    for path in sorted(TRENDS_DIR.glob("*.yaml")):
        for name, body in (read_yaml(path).get("parameters") or {}).items():
            try:
                out[name] = Parameter.model_validate(body)
            except Exception:  # a malformed trend file is the trajectory's to report
                continue
    return out


def _base_fleet_document(arch: Architecture) -> dict[str, Any]:
    """The architecture's own fleet plan as written (its ``data/fleets`` file), or empty."""
    try:
        raw = read_yaml(fleet_path(arch))
    except Exception:  # an architecture without a fleet plan (the ground): nothing to compare with
        return {}
    return raw if isinstance(raw, dict) else {}


def scenario_changes(arch: str | Path | Architecture, scenario: str | Path) -> list[dict[str, Any]]:
    """What ``scenario`` changes, one row per change with its sources, their tags and whose it is.

    Rows (``kind``): each ``parameter`` the scenario states (the architecture's value and range
    beside the scenario's); each ``catalog`` value that follows a choice the scenario changes
    (its catalog sources); each ``trend`` it states (beside ``data/trends``' value); each ramp of a
    ``fleet`` plan it states (production, a vehicle's share or cadence, a vehicle's launch price;
    beside the architecture's own fleet plan). Every row has ``parameter``, ``unit``,
    ``base_value``, ``base_low``, ``base_high``, ``value``, ``low``, ``high``, ``source``, ``tag``,
    ``note`` and ``attribution`` (``statement``, ``reading`` or ``other``: see
    :data:`orbitdc.architectures.ATTRIBUTIONS`)."""
    arch = load_architecture(arch)
    sc = load_scenario(arch, scenario)
    params = sc.params
    refs = load_references()
    rows = []

    def row(kind: str, name: str, p: Parameter, old: Parameter | None, note: str, who: str) -> dict[str, Any]:
        return {
            "kind": kind, "parameter": name, "unit": p.unit or "",
            "base_value": old.value if old is not None else None,
            "base_low": old.low if old is not None else None, "base_high": old.high if old is not None else None,
            "value": p.value, "low": p.low, "high": p.high,
            "source": ", ".join(p.sources), "tag": _tags(p.sources, refs), "note": note, "attribution": who,
        }

    for name, p in sorted(params.items()):
        rows.append(row("parameter", name, p, arch.parameters[name], p.note or "", sc.attribution_of("parameters", name)))
    # catalog values that follow a changed choice (e.g. the areal density of a new radiator)
    applied = apply_scenario(arch, scenario)
    for name, p in sorted(applied.parameters.items()):
        old = arch.parameters[name]
        if name in params or p.catalog_entry is None or p.catalog_entry == old.catalog_entry:
            continue
        rows.append(row("catalog", name, p, old, f"the catalog value of the chosen entry '{p.catalog_entry}' ({p.origin})",
                        "other"))
    if sc.trends:
        base_trends = _trend_file_values()
        for name, p in sorted(sc.trends.items()):
            rows.append(row("trend", name, p, base_trends.get(name) or arch.trends.get(name), p.note or "",
                            sc.attribution_of("trends", name)))
    if sc.fleet is not None:
        # the key 'architecture' names the architecture's own launch vehicle (data/fleets/README.md)
        own = str(arch.parameters["launch_vehicle"].value) if "launch_vehicle" in arch.parameters else "architecture"

        def plain(key: str) -> str:
            vehicle, _, part = key.rpartition(".")
            return f"{own}.{part}" if vehicle == "architecture" else key

        base_fleet = _base_fleet_document(arch)
        base_ramps = {plain(k): r for k, r in _fleet_ramps(base_fleet)} if base_fleet else {}
        for key, ramp in _fleet_ramps(sc.fleet):
            sources = _ramp_sources(ramp)
            rows.append({
                "kind": "fleet", "parameter": f"fleet {plain(key).replace('.', ' ')}", "unit": str(ramp.get("unit") or ""),
                "base_value": _ramp_text(base_ramps.get(plain(key))) or "(not in the architecture's plan)",
                "base_low": None, "base_high": None, "value": _ramp_text(ramp), "low": None, "high": None,
                "source": ", ".join(sources), "tag": _tags(sources, refs),
                "note": " ".join(str(ramp.get("note") or "").split()),
                "attribution": sc.attribution_of("fleet", key),
            })
        for vkey, v in (sc.fleet.get("vehicles") or {}).items():
            lp = v.get("launch_price_per_kg") if isinstance(v, Mapping) else None
            if isinstance(lp, Mapping):
                src = lp.get("source") or []
                src = [src] if isinstance(src, str) else list(src)
                rows.append({
                    "kind": "fleet", "parameter": f"fleet {vkey} launch_price_per_kg", "unit": str(lp.get("unit") or ""),
                    "base_value": None, "base_low": None, "base_high": None,
                    "value": lp.get("value"), "low": lp.get("low"), "high": lp.get("high"),
                    "source": ", ".join(src), "tag": _tags(src, refs), "note": str(lp.get("note") or ""),
                    "attribution": "other",
                })
    return rows


#: How :func:`describe_scenario` names whose a value is.
_WHOSE_WORDS = {"statement": "{party}'s statement", "reading": "orbitdc's reading of {party}",
                "other": "not stated by {party}"}


def describe_scenario(arch: str | Path | Architecture, scenario: str | Path) -> str:
    """The scenario as text: its description, its party, then one line per change (parameters,
    catalog values that follow a choice, trends, fleet plan) with its sources, their tags and whose
    it is. Plain text: a terminal caller escapes it (``orbitdc show`` does, line by line)."""
    arch = load_architecture(arch)
    sc = load_scenario(arch, scenario)
    name = scenario if isinstance(scenario, str) and not scenario.endswith((".yaml", ".yml")) else Path(scenario).stem
    lines = [f"{arch.name}, scenario '{name}' ({sc.file})", sc.description]
    if sc.party:
        lines.append(f"Party: {sc.party}" + (f" (follows {', '.join(sc.follows)})" if sc.follows else ""))
    lines.append("")
    rows = scenario_changes(arch, scenario)
    if not rows:
        lines.append("  (no change: the architecture file's own values)")
    headings = {"parameter": "Parameters", "catalog": "Catalog values that follow a changed choice",
                "trend": "Trends (data/trends)", "fleet": "Fleet plan (data/fleets format)"}
    party = sc.party or "the party"
    for kind, heading in headings.items():
        group = [r for r in rows if r["kind"] == kind]
        if not group:
            continue
        lines.append(f" {heading}:")
        if kind == "fleet" and sc.fleet.get("description"):
            lines.append(f"      {' '.join(str(sc.fleet['description']).split())}")
        for r in group:
            unit = f" {r['unit']}" if r["unit"] not in ("", "1") and kind != "fleet" else ""
            rng = (f" [{r['low']:g}, {r['high']:g}]" if isinstance(r["low"], (int, float)) and isinstance(r["high"], (int, float))
                   and not isinstance(r["low"], bool) else "")
            base = "-" if r["base_value"] is None else r["base_value"]
            whose = _WHOSE_WORDS[r["attribution"]].format(party=party) if sc.party or r["attribution"] != "other" else ""
            lines.append(f"  {r['parameter']}: {base}{unit} -> {r['value']}{unit}{rng}   source: {r['source']} ({r['tag']})"
                         + (f"   [{whose}]" if whose else ""))
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
def whose_beliefs(arch: str | Path | Architecture, scenario: str | Path, top: int = 5,
                  output: str = "cost_ratio_vs_terrestrial", **overrides: Any) -> list[dict[str, Any]]:
    """The handful of inputs of ``scenario`` that move ``output`` most, each beside its source.

    For every parameter the scenario changes, ``output`` is evaluated with the scenario and with that
    one parameter put back at the architecture's own value (all else the scenario's); the shift
    ``effect = output(scenario) - output(scenario without it)`` is that belief's contribution. Rows
    are sorted by ``|effect|`` (largest first, at most ``top``), each with the value, the base value,
    the sources, their tags, whose the value is (``attribution``: ``statement``, ``reading`` or
    ``other``, as the scenario file says; ``stated`` is True only for a ``statement``) and the note.
    Trends and fleet plans act over years and are listed by :func:`scenario_changes`, not ranked
    here (``evaluate`` is one year).
    """
    base_arch = load_architecture(arch)
    applied = apply_scenario(base_arch, scenario)
    refs = load_references()
    sc = load_scenario(base_arch, scenario)
    full = float(np.asarray(evaluate(applied, **overrides)[output]))
    rows = []
    for name, p in sc.params.items():
        undone = dict(applied.parameters)
        undone[name] = base_arch.parameters[name]
        without = type(applied)(**{**applied.__dict__, "parameters": undone})
        try:
            value = float(np.asarray(evaluate(without, **overrides)[output]))
        except Exception:  # a design that does not close without this belief: no finite shift
            value = float("nan")
        who = sc.attribution_of("parameters", name)
        rows.append({"parameter": name, "value": p.value, "unit": p.unit or "", "base_value": base_arch.parameters[name].value,
                     "effect": full - value, "source": ", ".join(p.sources), "tag": _tags(p.sources, refs),
                     "attribution": who, "stated": who == "statement", "note": p.note or ""})
    rows.sort(key=lambda r: -abs(r["effect"]) if np.isfinite(r["effect"]) else 0.0)
    return rows[:top]


def _words(names: Iterable[str]) -> str:
    return ", ".join(n.replace("_", " ") for n in names)


def attribution(arch: str | Path | Architecture, scenario: str | Path) -> str:
    """One sentence saying whose figures a scenario holds, value by value as the file attributes
    them (``attribution`` of each entry, :data:`orbitdc.architectures.ATTRIBUTIONS`):

    * the party is quoted only for its ``statement`` values ("the figures SpaceX stated for ...");
    * a ``reading`` is named as orbitdc's reading of the party, never as the party's figure
      ("orbitdc's reading of what SpaceX said for space wacc");
    * every other change is "values SpaceX did not state (sourced elsewhere)" (a critique's or an
      analyst's number, or an assumption), and the rest "base values (no statement)".

    A source tagged ``claim`` does not by itself make a value the party's: the file says so.
    Trends and fleet ramps are named the same way ("fleet production", a trend by its name)."""
    base_arch = load_architecture(arch)
    sc = load_scenario(base_arch, scenario)
    name = scenario if isinstance(scenario, str) and not scenario.endswith((".yaml", ".yml")) else Path(scenario).stem
    party = sc.party or name
    groups: dict[str, list[str]] = {a: [] for a in ATTRIBUTIONS}
    for section, names in (("parameters", sorted(sc.params)), ("trends", sorted(sc.trends)),
                           ("fleet", [k for k, _ in _fleet_ramps(sc.fleet)] if sc.fleet is not None else [])):
        for n in names:
            label = f"fleet {n.replace('.', ' ')}" if section == "fleet" else n
            groups[sc.attribution_of(section, n)].append(label)
    parts = []
    if groups["statement"]:
        parts.append(f"the figures {party} stated for {_words(groups['statement'])}")
    if groups["reading"]:
        parts.append(f"orbitdc's reading of what {party} said for {_words(groups['reading'])}")
    if groups["other"]:
        who = f"values {party} did not state (sourced elsewhere)" if sc.party else "values from the sources the scenario cites"
        parts.append(f"{who} for {_words(groups['other'])}")
    parts.append("base values (no statement) for everything else")
    return "Under " + "; ".join(parts) + "."
