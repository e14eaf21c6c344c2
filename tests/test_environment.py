"""The install files agree: constraints.txt pins every dependency of pyproject.toml within its
range, and environment.yml lists exactly pyproject.toml's dependencies, each pinned to the version
constraints.txt pins (one tested set, whichever way it is installed)."""
import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _pyproject() -> dict[str, str]:
    """The core dependencies and every extra's (an extra that names orbitdc's own extras, like
    ``all``, adds nothing new; a package in two extras must have one range)."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = meta["dependencies"] + [r for extra in meta["optional-dependencies"].values() for r in extra]
    out: dict[str, str] = {}
    for r in map(Requirement, reqs):
        if _name(r.name) == "orbitdc":
            continue
        assert out.setdefault(_name(r.name), str(r.specifier)) == str(r.specifier), f"{r.name}: two ranges"
    return out


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            if item.startswith("-e") or item in ("pip",) or item.startswith("python"):
                continue
            req = Requirement(item)
            out[_name(req.name)] = str(req.specifier)
    return out


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, ver = line.split("==", 1)
            pins[_name(name.split("[")[0])] = ver.strip()
    return pins


def test_environment_yml_lists_the_dependencies_of_pyproject():
    py, conda = _pyproject(), _conda()
    assert sorted(py) == sorted(conda), (set(py) ^ set(conda))


def test_environment_yml_pins_exactly_what_constraints_pins():
    pins = _pins()
    for name, spec in _conda().items():
        assert spec == f"=={pins[name]}", f"environment.yml pins {name}{spec}, constraints.txt {name}=={pins[name]}"


def test_environment_yml_says_chromium_is_a_system_package():
    text = (ROOT / "environment.yml").read_text()
    assert "chromium" in text.lower() and "chromium" not in str(_conda())


def test_boinor_is_the_poliastro_api_dependency():
    # poliastro 0.17 cannot install on Python >= 3.11 (astropy < 6); the fork boinor keeps its API.
    assert _pyproject()["boinor"] in (">=0.20,<0.21", "<0.21,>=0.20")


def test_constraints_pin_every_dependency_within_its_range():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, ver = line.split("==", 1)
            pins[_name(name.split("[")[0])] = ver.strip()
    for name, spec in _pyproject().items():
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert Requirement(f"{name}{spec}").specifier.contains(pins[name], prereleases=True), (name, pins[name], spec)


def test_poliastro_api_is_imported_in_exactly_one_module():
    # DESIGN: poliastro (archived) or its fork boinor, behind orbitdc/_astro.py only.
    pattern = re.compile(r"^\s*(import|from)\s+(boinor|poliastro)\b", re.M)
    users = sorted(p.name for p in (ROOT / "orbitdc").rglob("*.py") if pattern.search(p.read_text()))
    assert users == ["_astro.py"]


def test_every_third_party_import_of_the_package_is_a_declared_dependency():
    """A package orbitdc imports (at module level or inside a function) must be in pyproject's
    dependencies, not arrive through another one (psutil came only through distributed); one that
    only an extra installs must be a module orbitdc.extras checks for (so a command that needs it
    stops with the one-line extra message, not a ModuleNotFoundError)."""
    import ast
    import sys
    from importlib.metadata import packages_distributions

    from orbitdc.extras import EXTRA_MODULES

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = {_name(Requirement(r).name) for r in meta["dependencies"]} | {"dask"}  # dask[array]: same distribution
    runtime_extras = {_name(Requirement(r).name) for e in ("report", "app", "notebooks", "dask", "parquet")
                      for r in meta["optional-dependencies"][e]}
    checked = set().union(*EXTRA_MODULES.values())
    providers = packages_distributions()
    missing, unchecked = {}, {}
    for path in sorted((ROOT / "orbitdc").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for top in {n.split(".")[0] for n in names}:
                if top in sys.stdlib_module_names or top in ("orbitdc", "__future__"):
                    continue
                dists = {_name(d) for d in providers.get(top, [top])}
                if dists & core:
                    continue
                if not dists & runtime_extras:
                    missing.setdefault(top, []).append(f"{path.name}:{node.lineno}")
                elif top not in checked:
                    unchecked.setdefault(top, []).append(f"{path.name}:{node.lineno}")
    # The poliastro API: boinor is the dependency, poliastro is preferred when present (orbitdc/_astro.py).
    missing.pop("poliastro", None)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
    assert not unchecked, f"installed by an extra but not in orbitdc.extras.EXTRA_MODULES: {unchecked}"
