"""The model stages, imported by name and listed in chain order.

After pvlib's ``ModelChain``: the physics lives in one plain module per domain, and the chain
calls their stages in a fixed, visible order. Each stage module defines ``STAGE`` (a
:class:`~orbitdc.frame.Stage`); :data:`STAGES` lists them here. A stage module that is missing or
broken is an ``ImportError`` when this module is imported, never a silently skipped stage.

:func:`parameter_specs` collects every parameter the stages accept (plus the system parameters
shared by every architecture), :func:`output_specs` every output, :func:`describe` the chain as
a list.
"""
from __future__ import annotations

from typing import Any

from . import commons, compute, economics, launch, links, mass, orbit, power, thermal, workloads
from .frame import Output, Stage
from .parameters import ParameterSpec

#: The stage modules, in chain order.
MODULES = (orbit, compute, power, thermal, links, commons, mass, launch, economics, workloads)

#: The chain, in order: one :class:`~orbitdc.frame.Stage` per module of :data:`MODULES`.
STAGES: tuple[Stage, ...] = tuple(m.STAGE for m in MODULES)

# System-level parameters shared by every stage and every architecture (the comparison basis).
SYSTEM_PARAMETERS: dict[str, ParameterSpec] = {
    "target_it_power": ParameterSpec("kW", "target IT power of the whole system", minimum=0, exclusive_minimum=True),
    "start_year": ParameterSpec("1", "calendar year the system starts deployment", minimum=2020, maximum=2100),
    "mission_lifetime": ParameterSpec("yr", "design life of a satellite or facility", minimum=0, exclusive_minimum=True, maximum=50),
    "stated_it_power": ParameterSpec("kW", "IT power at the scale the company itself states (second view; evaluate with target_it_power=stated_it_power)", minimum=0, exclusive_minimum=True),
}


def stages() -> list[Stage]:
    """The stages, in chain order (a new list: callers may filter it)."""
    return list(STAGES)


def parameter_specs(kind: str | None = None) -> dict[str, ParameterSpec]:
    """Every parameter any stage accepts, by name (one spec per name); with ``kind``, only the
    system parameters and those of the stages that apply to that kind of architecture."""
    specs = dict(SYSTEM_PARAMETERS)
    for st in STAGES:
        if kind is not None and kind not in st.kinds:
            continue
        for name, spec in st.parameters.items():
            if name in specs and specs[name] != spec:
                raise RuntimeError(f"parameter '{name}' is declared differently by two stages ({st.name})")
            specs[name] = spec
    return specs


def output_specs() -> dict[str, Output]:
    """Every output any stage adds, by name, plus the chain's ``feasible`` and ``binding_constraint``."""
    out = {
        "feasible": Output("1", "design closes with no violated constraint"),
        "binding_constraint": Output("1", "first violated constraint in chain order, or 'none'"),
    }
    for st in STAGES:
        out.update(st.outputs)
    return out


def describe() -> list[dict[str, Any]]:
    """The chain as a list: stage name, the kinds it applies to, its parameters and outputs."""
    return [
        {"stage": st.name, "kinds": sorted(st.kinds), "parameters": sorted(st.parameters), "outputs": list(st.outputs)}
        for st in STAGES
    ]
