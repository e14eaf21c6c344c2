"""The package's import rules (issue 17, "Layout"), read from the source with ``ast``.

* No import circle among orbitdc modules, counting imports inside functions too (a late import
  hides a circle from the interpreter, not from the design).
* No module imports the package root (``from . import __version__`` would make every module the
  root imports part of a circle): the version lives in ``orbitdc._version``.
* Stage modules (``orbitdc.chain.STAGE_MODULES``) import only ``parameters``, ``units``, ``chain``,
  ``errors`` and private non-stage helpers (``orbitdc._*``); no stage imports another stage.
  Physics two stages share lives in such a helper (``_solar_array``, ``_launch_vehicles``).
* The private helpers sit below the stages: they import only ``parameters``, ``units``,
  ``errors`` and other helpers.
* ``plots`` does not import ``report``; ``name=value`` parsing lives in ``parameters``.

The chain finds its stages by name (``importlib.import_module`` over ``STAGE_MODULES``, a
registry, not an import statement), and ``parameters`` receives the stages' parameter specs and the
scenario layer as registered functions: neither is an import, so neither appears here.
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
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py"))
ROOT = "__init__"
STAGES = {m.removeprefix("orbitdc.") for m in chain.STAGE_MODULES}
HELPERS = {m for m in MODULES if m.startswith("_") and not m.startswith("__")}
STAGE_MAY_IMPORT = {"frame", "parameters", "catalogs", "units", "errors"} | HELPERS
HELPER_MAY_IMPORT = {"parameters", "catalogs", "units", "errors"} | HELPERS


def orbitdc_imports(source: str, modules=MODULES) -> dict[str, list[int]]:
    """The orbitdc modules ``source`` imports (anywhere: module level or inside functions), each
    with the line numbers. ``from . import name`` counts as an import of module ``name`` when it is
    one, else of the package root (``__init__``)."""
    found: dict[str, list[int]] = {}

    def add(name: str, line: int) -> None:
        found.setdefault(name, []).append(line)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level > 1:
                raise AssertionError(f"line {node.lineno}: relative import beyond the package")
            if node.level == 1:
                target = node.module
            elif node.module == "orbitdc" or (node.module or "").startswith("orbitdc."):
                target = node.module.partition(".")[2] or None
            else:
                continue
            if target:
                add(target.split(".")[0], node.lineno)
            else:
                for alias in node.names:
                    add(alias.name if alias.name in modules else ROOT, node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "orbitdc":
                    add(ROOT, node.lineno)
                elif alias.name.startswith("orbitdc."):
                    add(alias.name.split(".")[1], node.lineno)
    return found


GRAPH = {m: orbitdc_imports((PACKAGE / f"{m}.py").read_text(encoding="utf-8")) for m in MODULES}


def find_cycle(graph: dict[str, dict]) -> list[str] | None:
    """One import circle (as a path that ends where it starts), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, {}):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in graph:
        if start not in state and (found := visit(start)):
            return found
    return None


def _where(module: str, target: str) -> str:
    return f"orbitdc/{module}.py line(s) {', '.join(map(str, GRAPH[module][target]))}"


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
    )
    found = orbitdc_imports(src)
    assert set(found) == {"units", ROOT, "chain", "power", "launch", "economics", "thermal"}
    assert found["economics"] == [7] and found["thermal"] == [9]  # imports inside functions count


def test_cycle_finder_finds_a_late_circle():
    graph = {"a": {"b": [1]}, "b": {"c": [3]}, "c": {"a": [40]}, "d": {"a": [1]}}
    cycle = find_cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"}
    assert find_cycle({"a": {"b": [1]}, "b": {}}) is None


def test_the_graph_covers_the_package():
    assert {"chain", "parameters", "cli", "report", "plots"} <= set(GRAPH)
    assert STAGES == {"orbit", "compute", "power", "thermal", "links", "commons", "mass", "launch", "economics", "workloads"}
    assert "parameters" in GRAPH["chain"] and "frame" in GRAPH["orbit"]  # real edges are seen


# ------------------------------------------------------------------------------------------------
# The rules
# ------------------------------------------------------------------------------------------------
def test_no_import_circle_among_orbitdc_modules():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import circle: " + " -> ".join(
        f"{a} ({_where(a, b)})" for a, b in zip(cycle, cycle[1:])) + f" -> {cycle[-1]}"


@pytest.mark.parametrize("module", [m for m in MODULES if m != ROOT])
def test_no_module_imports_the_package_root(module):
    assert ROOT not in GRAPH[module], f"{_where(module, ROOT)}: import from orbitdc._version (or the module) instead"


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_stage_modules_import_only_parameters_units_chain_and_helpers(stage):
    bad = sorted(set(GRAPH[stage]) - STAGE_MAY_IMPORT)
    assert not bad, "; ".join(f"{_where(stage, b)} imports {b}" for b in bad)


@pytest.mark.parametrize("helper", sorted(HELPERS))
def test_helpers_sit_below_the_stages(helper):
    bad = sorted(set(GRAPH[helper]) - HELPER_MAY_IMPORT)
    assert not bad, "; ".join(f"{_where(helper, b)} imports {b}" for b in bad)


def test_plots_does_not_import_report_and_assignments_parse_in_parameters():
    assert not {"report", "cli", "tables", "verdicts"} & set(GRAPH["plots"])
    cli_defs = {n.name for n in ast.parse((PACKAGE / "cli.py").read_text()).body if isinstance(n, ast.FunctionDef)}
    assert "parse_assignment" not in cli_defs and callable(arguments.parse_assignment)


# ------------------------------------------------------------------------------------------------
# What replaced the late imports still works
# ------------------------------------------------------------------------------------------------
def test_no_registration_slots_remain():
    # the specs come from orbitdc.stages, the scenario layer from orbitdc.architectures: imports
    for slot in ("_SPEC_SOURCE", "_SCENARIO_LAYER", "use_parameter_specs", "use_scenario_layer", "CHAIN_RUN"):
        assert slot not in vars(parameters), slot
    assert chain.parameter_specs is stages.parameter_specs


def test_old_import_paths_warn_and_forward():
    with pytest.warns(DeprecationWarning, match="orbitdc.architectures"):
        assert parameters.load_architecture is architectures.load_architecture
    with pytest.warns(DeprecationWarning, match="orbitdc.stages"):
        assert parameters.parameter_specs is stages.parameter_specs
    with pytest.raises(AttributeError):
        parameters.no_such_name  # noqa: B018


def test_a_fresh_interpreter_importing_only_architectures_loads_a_scenario():
    code = ("import orbitdc.architectures as p; "
            "a = p.load_architecture('spacex-starlink-compute', scenario='proponent'); print(a.scenario)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
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
