"""The package's layering, checked in one place, from the source with ``ast`` (issue 21).

Every module of the package is read (subpackages too). An *edge* ``a -> b`` means ``a`` depends on
``b`` at run time, however it is written:

* an import, at module level or inside a function (a late import hides a circle from the
  interpreter, not from the design);
* an ``importlib.import_module`` / ``__import__`` call naming a module in a string (a string literal
  is resolved; any other argument is refused unless the module is one of the three places that
  must name modules at run time: the package root's table of public names, the forwards of moved
  names, and the poliastro/boinor backend switch -- each read below);
* a *registration*: ``b`` holding something of ``a`` -- ``a`` assigns to or mutates a variable of
  module ``b`` (``b.COUNTER[0] += 1``, ``b.SLOT.append(f)``, ``b.x = ...``), or hands a function of
  its own to a ``use_*`` / ``register*`` / ``set_*`` / ``install*`` function of ``b`` (an edge
  ``b -> a``: ``b`` now calls ``a``).

Forwards of names that moved (a module's ``_MOVED`` table, served by ``orbitdc._deprecated`` for
one release with a DeprecationWarning) are edges too, listed apart: they are excluded from the
circle search because nothing inside the package may use them (checked here).

The rules: no circle; no module imports the package root; the modules below the stages (``frame``,
``parameters``, ``catalogs``, ``arguments``, ``units``, ``errors``, ``datadirs`` and the private
helpers ``orbitdc._*``) import only each other; a stage module (:data:`orbitdc.stages.MODULES`)
imports only ``frame``, ``parameters``, ``catalogs``, ``units``, ``errors`` and private helpers;
``stages`` imports the stage modules and the layers below; ``architectures`` sits above ``stages``
and below ``chain``; the report family, the app and the command line are on top (nothing else
imports them).
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import orbitdc
from orbitdc import architectures, arguments, chain, parameters, stages

PACKAGE = Path(orbitdc.__file__).parent
ROOT = "__init__"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or ROOT


FILES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "_data" not in p.parts and "_notebooks" not in p.parts}
MODULES = sorted(FILES)
PACKAGES = {_module_name(p) for p in FILES.values() if p.name == "__init__.py"}
STAGES = {m.__name__.removeprefix("orbitdc.") for m in stages.MODULES}
HELPERS = {m for m in MODULES if m.startswith("_") and not m.startswith("__") and "." not in m}
BELOW = {"errors", "units", "parameters", "frame", "catalogs", "arguments", "datadirs", "paths"} | HELPERS
STAGE_MAY_IMPORT = {"frame", "parameters", "catalogs", "units", "errors"} | HELPERS
#: The report's modules under their old names, kept for one release (each says so in its first line).
DEPRECATED = {m for m, p in FILES.items() if p.read_text(encoding="utf-8").lstrip('"\' \n').startswith("Deprecated:")}
REPORT_FAMILY = {m for m in MODULES if m == "report" or m.startswith("report.")} | DEPRECATED
TOP = {"cli", "__main__", "app"} | REPORT_FAMILY
#: Modules allowed to name modules in a computed string, and why (their edges are read below).
DYNAMIC = {
    ROOT: "the table of public names imported on first use (PEP 562) and the package's submodules",
    "report": "the report family's names imported on first use (PEP 562): a notebook worker needs none of them",
    "_deprecated": "the forwards of moved names (each module's _MOVED table)",
    "_astro": "the poliastro/boinor backend (a third-party package chosen at import)",
}
REGISTERING = ("use_", "register", "set_", "install")
MUTATING = {"append", "extend", "insert", "update", "setdefault", "add", "clear", "pop", "remove", "__setitem__"}


# ------------------------------------------------------------------------------------------------
# The scanner
# ------------------------------------------------------------------------------------------------
def _resolve(module: str, level: int, target: str | None) -> str | None:
    """The package module a relative import of ``module`` names (None outside the package)."""
    base = module.split(".") if module in PACKAGES and module != ROOT else module.split(".")[:-1]
    if module == ROOT:
        base = []
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([target] if target else [])]) or ROOT


def _known(name: str) -> str | None:
    """``name`` if it is a module of the package, else its longest prefix that is one."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in FILES:
            return candidate
        parts.pop()
    return None


def scan(source: str, module: str = "x", modules=None) -> dict[str, dict[str, list[int]]]:
    """Edges of ``source`` (the module ``module``) by kind: ``import`` (module level or late),
    ``string`` (by-string imports), ``dynamic`` (computed strings: the line numbers under the key
    ``"?"``), ``registration`` (reversed edges: the registering target -> ``module``)."""
    known = (lambda n: n if n in modules else None) if modules is not None else _known
    edges: dict[str, dict[str, list[int]]] = {"import": {}, "string": {}, "dynamic": {}, "registration": {}}
    aliases: dict[str, str] = {}   # local name -> orbitdc module
    imported_fn: dict[str, str] = {}  # local name of a function imported from an orbitdc module -> that module
    tree = ast.parse(source)
    own_functions = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}

    def add(kind: str, target: str | None, line: int) -> None:
        if target is not None and target != module:
            edges[kind].setdefault(target, []).append(line)

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = _resolve(module, node.level, node.module) if modules is None else (node.module or ROOT)
            elif node.module == "orbitdc" or (node.module or "").startswith("orbitdc."):
                base = node.module.partition(".")[2] or ROOT
            else:
                continue
            for a in node.names:
                sub = f"{base}.{a.name}" if base != ROOT else a.name
                if known(sub) == sub:  # ``from . import units``: the module itself
                    add("import", sub, node.lineno)
                    aliases[a.asname or a.name] = sub
                else:
                    target = known(base) if base != ROOT else ROOT
                    add("import", target, node.lineno)
                    if target:
                        imported_fn[a.asname or a.name] = target
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "orbitdc" or a.name.startswith("orbitdc."):
                    target = known(a.name.partition(".")[2]) if "." in a.name else ROOT
                    add("import", target, node.lineno)
                    if a.asname and target:
                        aliases[a.asname] = target
        elif isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
            if name in ("import_module", "__import__") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    text = arg.value
                    if text.startswith("."):
                        text = _resolve(module, len(text) - len(text.lstrip(".")), text.lstrip(".") or None)
                    elif text == "orbitdc" or text.startswith("orbitdc."):
                        text = text.partition(".")[2] or ROOT
                    else:
                        continue
                    add("string", known(text) or text, node.lineno)
                else:
                    edges["dynamic"].setdefault("?", []).append(node.lineno)
    # registrations: writes into another module's variables, and own functions handed to use_*/register*
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            while isinstance(t, ast.Subscript):
                t = t.value
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id in aliases:
                add("registration", aliases[t.value.id], node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            f = node.func
            holder = f.value
            # alias.CONTAINER.append(...)
            if f.attr in MUTATING and isinstance(holder, ast.Attribute) and isinstance(holder.value, ast.Name) \
                    and holder.value.id in aliases:
                add("registration", aliases[holder.value.id], node.lineno)
        if isinstance(node, ast.Call):
            f = node.func
            callee, target = None, None
            if isinstance(f, ast.Name) and f.id in imported_fn:
                callee, target = f.id, imported_fn[f.id]
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in aliases:
                callee, target = f.attr, aliases[f.value.id]
            if callee and callee.startswith(REGISTERING):
                args = [*node.args, *(k.value for k in node.keywords)]
                if any(isinstance(a, ast.Lambda) or (isinstance(a, ast.Name) and a.id in own_functions) for a in args):
                    add("registration", target, node.lineno)
    return edges


def _moved_tables() -> dict[str, dict[str, str]]:
    """Each module's table of moved names (name -> the module that now defines it)."""
    import importlib

    out = {}
    for m in MODULES:
        if "_MOVED =" in FILES[m].read_text(encoding="utf-8") and m != ROOT:
            out[m] = dict(importlib.import_module(f"orbitdc.{m}")._MOVED)
    return out


SCANS = {m: scan(FILES[m].read_text(encoding="utf-8"), m) for m in MODULES}
MOVED = _moved_tables()


def _root_edges() -> dict[str, list[int]]:
    """The root's deferred imports: its table of public names and every submodule."""
    table = {v.removeprefix("orbitdc.") for v in orbitdc._PUBLIC.values()}
    return {m: [0] for m in (table | {m for m in MODULES if m != ROOT and "." not in m}) if m in FILES}


def build_graph() -> tuple[dict[str, dict[str, list[int]]], dict[str, dict[str, list[int]]]]:
    """(edges that count for circles and layers, deprecated forwards)."""
    graph: dict[str, dict[str, list[int]]] = {m: {} for m in MODULES}
    for m, kinds in SCANS.items():
        for kind in ("import", "string"):
            for target, lines in kinds[kind].items():
                graph[m].setdefault(target, []).extend(lines)
        for target, lines in kinds["registration"].items():  # the registering module is depended on
            graph.setdefault(target, {}).setdefault(m, []).extend(lines)
    for target, lines in _root_edges().items():
        graph[ROOT].setdefault(target, []).extend(lines)
    forwards: dict[str, dict[str, list[int]]] = {}
    for m, table in MOVED.items():
        for new in set(table.values()):
            forwards.setdefault(m, {})[new.removeprefix("orbitdc.")] = [0]
    return graph, forwards


GRAPH, FORWARDS = build_graph()


def find_cycle(graph: dict[str, dict]) -> list[str] | None:
    """One circle (as a path that ends where it starts), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, {}):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def _where(module: str, target: str) -> str:
    lines = GRAPH.get(module, {}).get(target, [])
    return f"orbitdc/{module.replace('.', '/')}.py line(s) {', '.join(map(str, sorted(set(lines))))}"


def imports_of(module: str) -> set[str]:
    return set(GRAPH.get(module, {}))


# ------------------------------------------------------------------------------------------------
# The scanner itself (so that the rules below cannot pass by seeing nothing)
# ------------------------------------------------------------------------------------------------
def test_scanner_sees_every_form_of_import():
    src = (
        "from . import units, __version__\n"
        "from .chain import Frame\n"
        "import orbitdc.power\n"
        "from orbitdc.launch import vehicles\n"
        "import numpy\n"
        "def late():\n"
        "    from .economics import costs\n"
        "    if True:\n"
        "        from . import thermal\n"
        "    importlib.import_module('orbitdc.mass')\n"
        "    __import__('orbitdc.orbit')\n"
        "    importlib.import_module(f'orbitdc.{name}')\n"
    )
    found = scan(src, "x", modules={"units", "chain", "power", "launch", "economics", "thermal", "mass", "orbit"})
    assert set(found["import"]) == {"units", ROOT, "chain", "power", "launch", "economics", "thermal"}
    assert found["import"]["economics"] == [7] and found["import"]["thermal"] == [9]  # late imports count
    assert set(found["string"]) == {"mass", "orbit"} and found["dynamic"] == {"?": [12]}


def test_scanner_sees_registrations():
    src = (
        "from . import parameters as _p, scenarios\n"
        "from .catalogs import use_layer, register_catalog_dir\n"
        "def mine(x): return x\n"
        "_p.CHAIN_RUN[0] += 1\n"
        "_p.SLOTS.append(mine)\n"
        "scenarios.hook = mine\n"
        "_p.use_parameter_specs(mine)\n"
        "use_layer(lambda a: a)\n"
        "register_catalog_dir('my/folder')\n"  # data, not a callable: an ordinary call
    )
    found = scan(src, "chain", modules={"parameters", "scenarios", "catalogs"})
    assert found["registration"] == {"parameters": [4, 5, 7], "scenarios": [6], "catalogs": [8]}


def test_cycle_finder_finds_a_late_circle():
    graph = {"a": {"b": [1]}, "b": {"c": [3]}, "c": {"a": [40]}, "d": {"a": [1]}}
    cycle = find_cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"}
    assert find_cycle({"a": {"b": [1]}, "b": {}}) is None


def test_the_graph_covers_the_package():
    assert {"chain", "parameters", "catalogs", "architectures", "stages", "frame", "cli", "report.figures"} <= set(GRAPH)
    assert STAGES == {"orbit", "compute", "power", "thermal", "links", "commons", "mass", "launch", "economics", "workloads"}
    assert "frame" in GRAPH["orbit"] and "orbit" in GRAPH["stages"] and "stages" in GRAPH["architectures"]
    assert FORWARDS["parameters"].keys() >= {"catalogs", "architectures", "arguments", "stages"}


# ------------------------------------------------------------------------------------------------
# The rules
# ------------------------------------------------------------------------------------------------
def test_no_circle_counting_late_by_string_and_registration_edges():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "circle: " + " -> ".join(f"{a} ({_where(a, b)})" for a, b in zip(cycle, cycle[1:])) \
        + f" -> {cycle[-1]}"


def test_no_registration_and_no_module_named_in_a_computed_string():
    regs = {m: k["registration"] for m, k in SCANS.items() if k["registration"]}
    assert not regs, f"registrations (a module writing into another's state or handing it a function): {regs}"
    dynamic = {m: k["dynamic"]["?"] for m, k in SCANS.items() if k["dynamic"] and m not in DYNAMIC}
    assert not dynamic, f"modules named in computed strings (import them by name): {dynamic}"


@pytest.mark.parametrize("module", [m for m in MODULES if m != ROOT])
def test_no_module_imports_the_package_root(module):
    assert ROOT not in GRAPH[module], f"{_where(module, ROOT)}: import from orbitdc._version (or the module) instead"


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_stage_modules_import_only_the_layers_below(stage):
    bad = sorted(imports_of(stage) - STAGE_MAY_IMPORT)
    assert not bad, "; ".join(f"{_where(stage, b)} imports {b}" for b in bad)


@pytest.mark.parametrize("module", sorted(BELOW))
def test_the_layers_below_the_stages_import_only_each_other(module):
    bad = sorted(imports_of(module) - BELOW)
    assert not bad, "; ".join(f"{_where(module, b)} imports {b}" for b in bad)


def test_the_stage_list_imports_every_stage_by_name_and_nothing_above():
    assert imports_of("stages") - BELOW == STAGES
    assert not SCANS["stages"]["string"] and not SCANS["stages"]["dynamic"]
    assert [m.__name__ for m in stages.MODULES] == [f"orbitdc.{s}" for s in
                                                    ("orbit", "compute", "power", "thermal", "links", "commons", "mass",
                                                     "launch", "economics", "workloads")]
    assert chain.stages() == list(stages.STAGES)


def test_architectures_sit_above_the_stages_and_below_the_chain():
    # a scenario may carry a fleet plan, checked as a fleet file (fleet.py: bookkeeping below the chain)
    assert "stages" in imports_of("architectures")
    assert imports_of("architectures") <= BELOW | {"stages", "fleet"} and imports_of("fleet") <= BELOW
    users = sorted(m for m in BELOW | STAGES | {"stages"} if "architectures" in imports_of(m) or "chain" in imports_of(m))
    assert not users, f"below the chain but importing architectures or chain: {users}"
    assert "architectures" in imports_of("chain")


def test_the_report_the_app_and_the_command_line_are_on_top():
    users = sorted(f"{m} -> {t}" for m in MODULES if m not in TOP and m != ROOT for t in imports_of(m) & TOP)
    assert not users, f"modules below the report, app and CLI importing them: {users}"


def test_figures_do_not_import_the_builder_and_assignments_parse_in_arguments():
    assert {"plots", "verdicts", "study", "report_sections", "report_settings"} <= DEPRECATED  # old names, one release
    assert not {"cli", "app", "report", "report.builder", "report.tables"} & imports_of("report.figures")
    assert not {"cli", "app"} & set().union(*(imports_of(m) for m in REPORT_FAMILY))  # the report is not below them
    cli_defs = {n.name for n in ast.parse(FILES["cli"].read_text()).body if isinstance(n, ast.FunctionDef)}
    assert "parse_assignment" not in cli_defs and callable(arguments.parse_assignment)


# ------------------------------------------------------------------------------------------------
# Names that moved: forwarded for one release, never used inside the package
# ------------------------------------------------------------------------------------------------
def test_no_module_of_the_package_uses_an_old_path():
    bad = []
    for m in MODULES:
        tree = ast.parse(FILES[m].read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = _resolve(m, node.level, node.module) if node.level else (node.module or "").partition(".")[2]
                for a in node.names:
                    if a.name in MOVED.get(source, {}):
                        bad.append(f"{m} line {node.lineno}: {a.name} from {source}")
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                for old, table in MOVED.items():
                    if node.value.id in (old, f"_{old}") and node.attr in table and m != old:
                        bad.append(f"{m} line {node.lineno}: {node.value.id}.{node.attr}")
    assert not bad, f"old import paths used inside the package: {bad}"


def test_old_import_paths_warn_and_forward():
    with pytest.warns(DeprecationWarning, match="orbitdc.architectures"):
        assert parameters.load_architecture is architectures.load_architecture
    with pytest.warns(DeprecationWarning, match="orbitdc.stages"):
        assert parameters.parameter_specs is stages.parameter_specs
    with pytest.warns(DeprecationWarning, match="orbitdc.catalogs"):
        assert parameters.load_catalog is orbitdc.catalogs.load_catalog
    with pytest.raises(AttributeError):
        parameters.no_such_name  # noqa: B018


def test_no_registration_slots_or_counters_remain():
    for slot in ("_SPEC_SOURCE", "_SCENARIO_LAYER", "use_parameter_specs", "use_scenario_layer", "CHAIN_RUN"):
        assert slot not in vars(parameters), slot
    assert chain.parameter_specs is stages.parameter_specs


# ------------------------------------------------------------------------------------------------
# What the deferred package root promises
# ------------------------------------------------------------------------------------------------
def test_import_orbitdc_loads_no_model_and_every_public_name_resolves():
    code = ("import sys, orbitdc as odc; "
            "heavy = [m for m in ('xarray', 'astropy', 'scipy', 'boinor', 'orbitdc.chain', 'orbitdc.stages') if m in sys.modules]; "
            "assert not heavy, heavy; "
            "import orbitdc.trajectory, orbitdc.parity; "  # importing the modules first must not hide the functions
            "assert callable(odc.trajectory) and callable(odc.parity), (odc.trajectory, odc.parity); "
            "missing = [n for n in odc.__all__ if not hasattr(odc, n)]; assert not missing, missing; "
            "print(odc.chain.describe()[0]['stage'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "orbit"


def test_a_fresh_interpreter_importing_only_architectures_loads_a_scenario():
    code = ("import orbitdc.architectures as p; "
            "a = p.load_architecture('spacex-starlink-compute', scenario='proponent'); print(a.scenario)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "proponent"


def test_moved_kernels_are_still_reachable_under_their_old_names():
    from orbitdc import _launch_vehicles, _solar_array, launch, power

    assert power._array_power_required is _solar_array._array_power_required
    assert launch._year_kernel is _launch_vehicles._year_kernel
    assert launch.vehicles is _launch_vehicles.vehicles and launch.CATALOG == "launch_vehicles"
    assert all(launch.PARAMETERS[k] is v for k, v in _launch_vehicles.VEHICLE_PARAMETERS.items())
    # SMAD eq. 11-5 by hand: P_sa = (P_e T_e / X_e + P_d T_d / X_d) / T_d
    # = (1 * 35 / 0.6 + 1 * 65 / 0.8) / 65 = (58.333 + 81.25) / 65 = 2.1474
    assert _solar_array._array_power_required(1.0, 1.0, 65.0, 35.0, 0.8, 0.6) == pytest.approx(2.147435897, rel=1e-9)
