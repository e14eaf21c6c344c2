"""Loading an architecture: its file, the defaults under it, its catalog values and a scenario.

An architecture is found by name among the shipped files and the user's data layers
(:mod:`orbitdc.datadirs`: ``--data-dir``/``ORBITDC_DATA_DIR``, ``./architectures``) or given by
path; its parameters are validated against the specs the model stages declare
(:func:`orbitdc.stages.parameter_specs`), completed from ``data/defaults/*.yaml`` and, for a
catalog-backed parameter, from the catalog entry its choice names (:mod:`orbitdc.catalogs`).
A scenario (``data/scenarios/<architecture>/<scenario>.yaml``) is layered over it like overrides,
validated exactly as an architecture file (:func:`apply_scenario`).

This module sits above the stage list (:mod:`orbitdc.stages`) and below the chain: it imports the
stages' specs directly, so no registration is needed.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from . import parameters
from .catalogs import catalog_generation, catalog_parameter, register_catalog_dir, user_catalog_dirs
from .datadirs import architecture_files, is_regular_file, layered_files, layers  # noqa: F401  (architecture_files: re-exported)
from .errors import ArchitectureError
from .fleet import load_fleet
from .parameters import (DATA_DIR, Architecture, Parameter, ParameterSpec, _ArchitectureFile, _rel,
                         _validate_parameters, has_control_characters, load_references,
                         read_document, read_parameters_file, read_yaml, resolve_year_paths, suggest)
from .stages import parameter_specs

ARCHITECTURE_DIR = DATA_DIR / "architectures"
#: Published analyses with their own assumptions (loaded by name like any shipped architecture).
PUBLISHED_DIR = ARCHITECTURE_DIR / "published"
SCENARIO_DIR = DATA_DIR / "scenarios"


def load_defaults(specs: Mapping[str, ParameterSpec] | None = None) -> dict[str, Parameter]:
    """Default parameters from every ``data/defaults/*.yaml`` (a name may be set only once)."""
    specs = specs if specs is not None else parameter_specs()
    refs = load_references()
    merged: dict[str, Parameter] = {}
    for path in sorted(f for f in parameters.DEFAULTS_DIR.glob("*.yaml") if is_regular_file(f)):
        file = _rel(path)
        _, params = read_parameters_file(path, specs, refs=refs, check=_default_states_its_role)
        for name, p in params.items():
            if name in merged:
                raise ArchitectureError(f"set twice in the defaults (also in {merged[name].origin})", file=file, parameter=name)
            merged[name] = p
    return merged


def _default_states_its_role(name: str, p: Parameter) -> str | None:
    if p.role is None:
        return "missing 'role' (design or uncertain): every default states whether it is a decision or an uncertainty"
    return None


def list_architectures() -> list[str]:
    """Names of the architectures: shipped (``data/architectures/*.yaml``) and the user's
    (``--data-dir``/``ORBITDC_DATA_DIR``, ``./architectures``)."""
    return sorted(architecture_files())


def list_published() -> list[str]:
    """Names of the published analyses (``data/architectures/published/*.yaml``)."""
    return sorted(p.stem for p in PUBLISHED_DIR.glob("*.yaml"))


def _resolve_path(name_or_path: str | Path) -> tuple[Path, str | None]:
    if not isinstance(name_or_path, (str, Path)):
        raise ArchitectureError(
            f"expected an architecture name, a path to a YAML file or an Architecture, got {type(name_or_path).__name__}"
        )
    text = str(name_or_path)
    if not text.strip():
        raise ArchitectureError("empty architecture name")
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or path.parent != Path("."):
        return path, None
    index = architecture_files()
    if text not in index:
        known = sorted(index)
        raise ArchitectureError(f"unknown architecture '{text}'{suggest(text, known)}; known: {', '.join(known)}")
    found, layer = index[text]
    return found, layer.origin


def _folder_stamp(folder: Path, suffix: str) -> tuple:
    """(name, mode, modification time, size) of every entry ``*suffix`` of ``folder`` that is not
    hidden (what ``folder.glob('*' + suffix)`` lists), sorted; one ``scandir`` and a ``stat`` per
    entry. An absent folder is a stamp too; any other failure raises OSError (no caching)."""
    try:
        with os.scandir(folder) as it:
            entries = [e for e in it if e.name.endswith(suffix) and not e.name.startswith(".")]
    except FileNotFoundError:
        return (str(folder), None)
    rows = []
    for e in entries:
        st = os.stat(e.path)  # follows links, as the loaders do; a broken link raises OSError
        rows.append((e.name, st.st_mode, st.st_mtime_ns, st.st_size))
    return (str(folder), *sorted(rows))


def _architecture_stamp(path: Path) -> tuple:
    """What a loaded architecture depends on, cheaply: its file and the data folders it reads
    (every data file's mode, modification time and size in the references, defaults and catalog
    folders of every layer; a ``scandir`` per folder and a ``stat`` per file, ~0.1 ms). Empty
    (nothing cached) when anything cannot be read: the loader then says what."""
    folders = [(f, ".yaml") for f in (layer.folder("references") for layer in layers()) if f is not None]
    folders += [(parameters.DEFAULTS_DIR, ".yaml")]
    folders += [(f, ".csv") for f in (layer.folder("catalogs") for layer in layers()) if f is not None]
    folders += [(d, ".csv") for d in user_catalog_dirs()]
    try:
        st = os.stat(path)
        # the catalog layering's generation: registering a user catalog folder changes every load
        return (catalog_generation(), (str(path), st.st_mtime_ns, st.st_size),
                *(_folder_stamp(f, suffix) for f, suffix in folders))
    except OSError:
        return ()


_ARCH_CACHE: dict[tuple, tuple[tuple, "Architecture"]] = {}


def load_architecture(name_or_path: str | Path | Architecture, scenario: str | None = None) -> Architecture:
    """Load and validate an architecture by name (shipped or the user's; see
    :mod:`orbitdc.datadirs`) or by path. Its ``name`` must equal the file name.

    ``scenario`` (e.g. ``"proponent"``, ``"base"``, ``"skeptic"``) layers
    ``data/scenarios/NAME/SCENARIO.yaml`` over it (:func:`apply_scenario`).
    Cached: a second load of an unchanged file (and unchanged references, defaults and catalogs,
    shipped and the user's) returns a copy of the validated architecture without reading or
    validating again.
    """
    if scenario is not None:
        return apply_scenario(load_architecture(name_or_path), scenario)
    if isinstance(name_or_path, Architecture):
        return name_or_path
    path, origin = _resolve_path(name_or_path)
    user_catalogs = path.parent / "catalogs"
    if user_catalogs.is_dir() and path.suffix in (".yaml", ".yml"):
        register_catalog_dir(user_catalogs)
    try:
        key = (path.resolve(), origin)
    except OSError:
        key = (path, origin)
    stamp = _architecture_stamp(path)
    hit = _ARCH_CACHE.get(key)
    if stamp and hit is not None and hit[0] == stamp:
        # a copy per caller: replacing a parameter in one result cannot leak into another
        return dataclasses.replace(hit[1], parameters={k: v.model_copy() for k, v in hit[1].parameters.items()})
    arch = _load_architecture_file(path, origin)
    if stamp:
        _ARCH_CACHE[key] = (stamp, arch)
        return dataclasses.replace(arch, parameters={k: v.model_copy() for k, v in arch.parameters.items()})
    return arch


def _load_architecture_file(path: Path, origin: str | None) -> Architecture:
    file = _rel(path)
    specs = parameter_specs()
    refs = load_references()
    doc, own = read_parameters_file(path, specs, model=_ArchitectureFile, refs=refs)
    # Only the parameters of the stages that apply to this kind (no orbit on the ground).
    applicable = parameter_specs(doc.kind)
    for name in own:
        if name not in applicable:
            raise ArchitectureError(f"does not apply to a {doc.kind} architecture (no {doc.kind} stage reads it)",
                                    file=file, parameter=name)
    defaults = load_defaults(specs)
    for name, p in own.items():
        if p.role is None and name in defaults:
            p.role = defaults[name].role  # the role is declared once, in data/defaults
    params = {k: v for k, v in {**defaults, **own}.items() if k in applicable}
    # catalog-backed parameters the file does not set: the catalog value of the chosen entry
    for name, spec in applicable.items():
        if spec.catalog is not None and name not in params and spec.catalog[2] in params:
            params[name] = catalog_parameter(name, spec, str(params[spec.catalog[2]].canonical_value))
    specs = applicable
    missing = sorted(set(specs) - set(params))
    if missing:
        raise ArchitectureError(f"missing parameters (no default either): {', '.join(missing)}", file=file)
    if has_control_characters(doc.name):
        raise ArchitectureError(f"name {doc.name!r} holds control characters (e.g. terminal escape sequences)", file=file)
    if doc.name != path.stem:
        raise ArchitectureError(f"name '{doc.name}' must equal the file name '{path.stem}'", file=file)
    resolve_year_paths(params)
    used = {k for p in params.values() for k in p.sources}
    return Architecture(
        name=doc.name,
        description=doc.description.strip(),
        kind=doc.kind,
        parameters=params,
        references={k: refs[k] for k in sorted(used)},
        path=path,
        own=tuple(sorted(own)),
        company=doc.company,
        origin=origin,
    )


def follow_catalog_choices(params: Mapping[str, Parameter], choices: Mapping[str, Any],
                           keep: Iterable[str] = ()) -> dict[str, Parameter]:
    """``params`` with the catalog defaults re-read for new choices (the loader's catalog step).

    A catalog-backed parameter that no file sets (``catalog_entry`` set by the loader) follows
    its choice parameter (``spec.catalog[2]``): when ``choices`` names another entry for that
    choice (e.g. ``{"radiator": "carbon-carbon-heat-pipe"}``), the parameter becomes that entry's
    catalog cell (:func:`~orbitdc.catalogs.catalog_parameter`), role kept. Parameters in ``keep`` (stated by a
    scenario or a file) and values stated in files are left as they are. Used by scenarios and
    Monte Carlo so that changing a choice gives the numbers the same choice written in the
    architecture file gives.
    """
    specs = parameter_specs()
    keep = set(keep)
    out = dict(params)
    for name, p in params.items():
        spec = specs.get(name)
        if spec is None or spec.catalog is None or p.catalog_entry is None or name in keep:
            continue
        choice = spec.catalog[2]
        if choice in choices and isinstance(choices[choice], str) and choices[choice] != p.catalog_entry:
            fresh = catalog_parameter(name, spec, choices[choice])
            fresh.role = p.role
            out[name] = fresh
    return out


# --------------------------------------------------------------------------------------------
# Scenarios: named sets of sourced values layered over an architecture (see orbitdc.scenarios)
# --------------------------------------------------------------------------------------------
#: Whose a scenario value is (the optional ``attribution`` of each scenario entry, issue 22):
#: ``statement`` - the party's own stated figure, quoted as theirs; ``reading`` - orbitdc's
#: translation of something the party said into a model value (attributed as orbitdc's reading of
#: the party, never quoted as the party's); ``other`` - a sourced value the party did not state (a
#: critique's, an analyst's or orbitdc's assumption). An entry without one counts as ``other``: a
#: value is quoted as the party's only where the file says so.
ATTRIBUTIONS = ("statement", "reading", "other")


class _ScenarioFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str
    #: the party whose stated figures this is (proponent), or the critiques it follows (skeptic)
    party: str = ""
    #: source keys the scenario follows where its sources disagree (each one must resolve)
    follows: list[str] = []
    parameters: dict[str, Parameter] = {}
    #: trend values (``data/trends`` parameters) the scenario states, in the trend files' format
    trends: dict[str, Parameter] = {}
    #: a whole fleet plan (``data/fleets`` format: production, vehicles, cadence ramps, shares)
    fleet: dict[str, Any] | None = None


TRENDS_DIR = DATA_DIR / "trends"


def _trend_specs() -> dict[str, ParameterSpec]:
    """The trend parameters' names and units as the ``data/trends`` files state them (their domains
    are checked by the trajectory when it applies them)."""
    specs = {}
    for path in sorted(TRENDS_DIR.glob("*.yaml")):
        for name, body in (read_yaml(path).get("parameters") or {}).items():
            specs[name] = ParameterSpec(str(body.get("unit", "1")), name)
    return specs


def list_scenarios(arch: str | Path | Architecture) -> list[str]:
    """Names of the scenarios of ``arch``: ``data/scenarios/<name>/*.yaml`` and the same folder in
    the user's data folders (``--data-dir``, ``ORBITDC_DATA_DIR``; a name in two is an error)."""
    from .datadirs import scenario_files

    name = arch.name if isinstance(arch, Architecture) else load_architecture(arch).name
    return sorted(scenario_files(name, SCENARIO_DIR))


def _scenario_file(arch: Architecture, scenario: str | Path) -> Path:
    if isinstance(scenario, Path) or (isinstance(scenario, str) and scenario.endswith((".yaml", ".yml"))):
        path = Path(scenario)  # a scenario file of the user's own (e.g. one written by to_yaml)
        if not path.is_file():
            from ._text import echo

            raise ArchitectureError(f"no scenario file '{echo(path, 120)}' (or not a regular file)")
        return path
    from .datadirs import scenario_files
    from ._text import echo

    files = scenario_files(arch.name, SCENARIO_DIR)
    known = sorted(files)
    if not isinstance(scenario, str) or scenario not in known:
        raise ArchitectureError(f"unknown scenario '{echo(scenario)}' for '{arch.name}'{suggest(str(scenario), known)}; "
                                f"known: {', '.join(known) or 'none'}")
    return files[scenario][0]


def apply_where_available(archs: Sequence[str | Path | Architecture], scenario: str | None) -> list[Architecture]:
    """The architectures, each with ``scenario`` layered over it where it ships that scenario
    (a comparison: the terrestrial baseline has none and stays as it is). ``None``: unchanged.

    A name no architecture ships is an :class:`~orbitdc.errors.ArchitectureError` naming the known
    scenarios (with a "did you mean")."""
    loaded = [load_architecture(a) for a in archs]
    if scenario is None:
        return loaded
    known = sorted({s for a in loaded for s in list_scenarios(a)})
    if not isinstance(scenario, str) or scenario not in known:
        names = ", ".join(a.name for a in loaded)
        from ._text import echo

        raise ArchitectureError(f"unknown scenario '{echo(scenario)}' for {names}{suggest(str(scenario), known)}; "
                                f"known: {', '.join(known) or 'none'}")
    return [apply_scenario(a, scenario) if scenario in list_scenarios(a) else a for a in loaded]


@dataclasses.dataclass
class _Scenario:
    description: str
    params: dict[str, Parameter]
    file: str
    party: str = ""
    follows: tuple[str, ...] = ()
    trends: dict[str, Parameter] = dataclasses.field(default_factory=dict)
    fleet: dict[str, Any] | None = None
    #: whose each value is (:data:`ATTRIBUTIONS`): ``{"parameters": {name: ...}, "trends": {...},
    #: "fleet": {"production" | "<vehicle>.share" | "<vehicle>.cadence": ...}}``; absent = ``other``
    attribution: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)

    def attribution_of(self, section: str, name: str) -> str:
        """``statement``, ``reading`` or ``other`` for one entry (``section``: parameters, trends, fleet)."""
        return self.attribution.get(section, {}).get(name, "other")


def _fleet_ramps(fleet: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    """``(key, ramp mapping)`` of a fleet plan's ramps: ``production``, ``<vehicle>.share``,
    ``<vehicle>.cadence`` (the keys :class:`_Scenario` attributes and ``scenario_changes`` lists)."""
    if isinstance(fleet.get("production"), Mapping):
        yield "production", fleet["production"]
    for vkey, v in (fleet.get("vehicles") or {}).items():
        if isinstance(v, Mapping):
            for part in ("share", "cadence"):
                if isinstance(v.get(part), Mapping):
                    yield f"{vkey}.{part}", v[part]


def _split_attribution(raw: Any, file: str) -> tuple[Any, dict[str, dict[str, str]]]:
    """A scenario document without its ``attribution`` keys, and those keys by section and name.

    ``attribution`` sits on a parameter or trend entry, or on a fleet ramp (production, a
    vehicle's share or cadence); the rest of the document is validated as before. Copies: the
    cached YAML is not changed."""
    if not isinstance(raw, Mapping):
        return raw, {}
    doc = dict(raw)
    found: dict[str, dict[str, str]] = {}

    def take(section: str, name: str, entry: Any) -> Any:
        if not isinstance(entry, Mapping) or "attribution" not in entry:
            return entry
        entry = dict(entry)
        value = entry.pop("attribution")
        if value not in ATTRIBUTIONS:
            raise ArchitectureError(f"attribution {value!r} is not one of {', '.join(ATTRIBUTIONS)}",
                                    file=file, parameter=name if section != "fleet" else f"fleet.{name}")
        found.setdefault(section, {})[name] = str(value)
        return entry

    for section in ("parameters", "trends"):
        if isinstance(doc.get(section), Mapping):
            doc[section] = {k: take(section, k, v) for k, v in doc[section].items()}
    if isinstance(doc.get("fleet"), Mapping):
        fleet = dict(doc["fleet"])
        if isinstance(fleet.get("production"), Mapping):
            fleet["production"] = take("fleet", "production", fleet["production"])
        if isinstance(fleet.get("vehicles"), Mapping):
            vehicles = {}
            for vkey, v in fleet["vehicles"].items():
                if isinstance(v, Mapping):
                    v = dict(v)
                    for part in ("share", "cadence"):
                        if part in v:
                            v[part] = take("fleet", f"{vkey}.{part}", v[part])
                vehicles[vkey] = v
            fleet["vehicles"] = vehicles
        doc["fleet"] = fleet
    return doc, found


def _check_attribution(found: Mapping[str, Mapping[str, str]], party: str, params: Mapping[str, Parameter],
                       trends: Mapping[str, Parameter], refs, file: str) -> None:
    """A statement or a reading needs a party to attribute it to; a statement must cite a source
    that is not orbitdc's own assumption (what the party said, or a report of it)."""
    for section, names in found.items():
        for name, who in names.items():
            where = name if section != "fleet" else f"fleet.{name}"
            if who in ("statement", "reading") and not party.strip():
                raise ArchitectureError(f"attribution '{who}' needs the scenario's 'party' (whose statement is it?)",
                                        file=file, parameter=where)
            entry = params.get(name) if section == "parameters" else trends.get(name) if section == "trends" else None
            if who == "statement" and entry is not None and all(refs[k].tag == "assumption" for k in entry.sources):
                raise ArchitectureError("attribution 'statement' cites only assumptions: cite what the party said",
                                        file=file, parameter=where)


def load_scenario(arch: Architecture, scenario: str | Path) -> _Scenario:
    """A scenario file read and validated against ``arch``: parameters (as an architecture file),
    trends (as ``data/trends``), a fleet plan (as ``data/fleets``), every source key resolved, and
    whose each value is (``attribution``: :data:`ATTRIBUTIONS`)."""
    path = _scenario_file(arch, scenario)
    file = _rel(path)
    raw, attribution = _split_attribution(read_yaml(path), file)
    doc = read_document(raw, _ScenarioFile, file)
    for name, p in {**doc.parameters, **doc.trends}.items():
        if name in doc.parameters and name not in arch.parameters:
            raise ArchitectureError(f"not a parameter of '{arch.name}'", file=file, parameter=name)
        if p.role is not None:
            raise ArchitectureError("a scenario changes values, not roles: remove 'role'", file=file, parameter=name)
    refs = load_references()
    params = _validate_parameters(doc.parameters, file, parameter_specs(), refs)
    trends = _validate_parameters(doc.trends, file, _trend_specs(), refs)
    for key in doc.follows:
        if key not in refs:
            raise ArchitectureError(f"unknown reference '{key}'{suggest(key, list(refs))}", file=file, parameter="follows")
    if doc.fleet is not None:  # parsed and checked exactly as a fleet file (sources, ranges, shares)
        vehicle = params.get("launch_vehicle", arch.parameters.get("launch_vehicle"))
        load_fleet(arch, {**doc.fleet}, launch_vehicle=str(vehicle.value) if vehicle is not None else None)
    _check_attribution(attribution, doc.party, params, trends, refs, file)
    return _Scenario(doc.description.strip(), params, file, doc.party, tuple(doc.follows), trends, doc.fleet,
                     attribution)


def read_scenario(arch: Architecture, scenario: str | Path) -> tuple[str, dict[str, Parameter], str]:
    """A scenario file of ``arch``: (its description, its validated parameters, the file as shown)."""
    sc = load_scenario(arch, scenario)
    return sc.description, sc.params, sc.file


def apply_scenario(arch: str | Path | Architecture, scenario: str | Path) -> Architecture:
    """``arch`` with the scenario's parameters in place (roles kept from the architecture), and the
    scenario's trends and fleet plan attached for the trajectory (``Architecture.trends``,
    ``Architecture.fleet``). ``scenario`` is a shipped name or a path to a scenario YAML file."""
    arch = load_architecture(arch)
    sc = load_scenario(arch, scenario)
    description, params = sc.description, sc.params
    new = dict(arch.parameters)
    for name, p in params.items():
        p.role = arch.parameters[name].role
        new[name] = p
    # a changed choice (radiator, solar cell, accelerator, launch vehicle) brings its catalog
    # values, exactly as the same choice written into the architecture file would
    new = follow_catalog_choices(new, {k: str(p.canonical_value) for k, p in params.items()}, keep=params)
    if any(p.year_path is not None for p in new.values()):  # paths at the (maybe new) start_year
        new = {k: (p.model_copy() if p.year_path is not None else p) for k, p in new.items()}
        resolve_year_paths(new)
    refs = load_references()
    used = {k for p in [*new.values(), *sc.trends.values()] for k in p.sources} | set(sc.follows)
    name = scenario if isinstance(scenario, str) and not scenario.endswith((".yaml", ".yml")) else Path(scenario).stem
    return dataclasses.replace(arch, parameters=new, references={k: refs[k] for k in sorted(used)},
                               description=f"{arch.description}\n\nScenario '{name}': {description}",
                               scenario=name, trends={**arch.trends, **sc.trends},
                               fleet=sc.fleet if sc.fleet is not None else arch.fleet)

