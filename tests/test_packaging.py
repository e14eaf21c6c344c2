"""orbitdc is a real package: the wheel carries every file of data/ and notebooks/ (the top-level
folders stay the source of truth), an installed copy reads its own identical copy from any working
directory, the licence matches pyproject.toml, ``orbitdc --version`` and ``python -m orbitdc``
work, and the modules depend downwards only (no import circles through the CLI or the report).
"""
from __future__ import annotations

import ast
import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from orbitdc import cli

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("data", "notebooks")
#: where the wheel puts each top-level folder (pyproject.toml, [tool.hatch.build.targets.wheel.sources])
IN_WHEEL = {"data": "orbitdc/_data", "notebooks": "orbitdc/_notebooks"}


def source_files(folder: str) -> list[str]:
    """Files of a top-level folder as the repository holds them: tracked by git in a checkout,
    else every file that is not a cache or checkpoint."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", folder], cwd=ROOT, capture_output=True, check=True)
        files = [f for f in out.stdout.decode().split("\0") if f]
        files = [f for f in files if (ROOT / f).is_file()]  # deleted but not yet committed
        if files:
            return sorted(files)
    except (OSError, subprocess.CalledProcessError):
        pass
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from this checkout offline (hatchling is in the test extra)."""
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-q",
                           "-w", str(out), str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (path,) = out.glob("orbitdc-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel unpacked as pip installs a pure-Python wheel (a folder on sys.path)."""
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(target)
    return target


@pytest.mark.slow
def test_wheel_holds_every_file_of_data_and_notebooks(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for folder in SHIPPED:
            files = source_files(folder)
            assert files, folder
            missing = [f for f in files if f"{IN_WHEEL[folder]}/{Path(f).relative_to(folder)}" not in names]
            assert not missing, f"missing from the wheel: {missing}"
            for f in files:
                assert sha(z.read(f"{IN_WHEEL[folder]}/{Path(f).relative_to(folder)}")) == sha((ROOT / f).read_bytes()), f
        assert not [n for n in names if "__pycache__" in n or ".ipynb_checkpoints" in n]
        assert "orbitdc/templates/orbitdc_report/index.html.j2" in names
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
        entry = next(n for n in names if n.endswith("entry_points.txt"))
        assert "orbitdc = orbitdc.cli:main" in z.read(entry).decode()


@pytest.mark.slow
def test_installed_copy_equals_the_source_tree_and_is_used_from_any_directory(installed, tmp_path):
    for folder in SHIPPED:
        for f in source_files(folder):
            copy = installed / IN_WHEEL[folder] / Path(f).relative_to(folder)
            assert copy.is_file(), copy
            assert sha(copy.read_bytes()) == sha((ROOT / f).read_bytes()), f
    # From another directory, the installed package finds its own data (not the checkout's).
    env = {**os.environ, "PYTHONPATH": str(installed)}
    env.pop("ORBITDC_DATA_DIR", None)
    code = ("import orbitdc, orbitdc.datadirs as d; "
            "print(orbitdc.__file__); print(d.SHIPPED_DATA_DIR); print(d.SHIPPED_NOTEBOOK_DIR); "
            "print(len(orbitdc.list_architectures()))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    pkg, data, notebooks, count = proc.stdout.split("\n")[:4]
    assert Path(pkg).is_relative_to(installed)
    assert Path(data) == installed / "orbitdc" / "_data"
    assert Path(notebooks) == installed / "orbitdc" / "_notebooks"
    shipped = ROOT / "data" / "architectures"
    assert int(count) == len(list(shipped.glob("*.yaml"))) + len(list((shipped / "published").glob("*.yaml")))
    proc = subprocess.run([sys.executable, "-m", "orbitdc", "evaluate", "example-minimal"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "cost_ratio_vs_terrestrial" in proc.stdout and proc.stderr == ""
    assert list(tmp_path.iterdir()) == []


def test_checkout_reads_the_top_level_folders():
    from orbitdc import datadirs

    # this test suite runs on the editable install of the checkout
    assert datadirs.SHIPPED_DATA_DIR == ROOT / "data"
    assert datadirs.SHIPPED_NOTEBOOK_DIR == ROOT / "notebooks"
    assert not (ROOT / "orbitdc" / "_data").exists(), "a stale copy inside the checkout would shadow data/"


def test_license_file_matches_pyproject():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "BSD-3-Clause"
    assert meta["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("BSD 3-Clause License")
    assert "Neither the name of the copyright holder nor the names of its" in text


def test_version_option_prints_the_installed_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"orbitdc {version('orbitdc')}"


def test_the_version_literal_equals_pyproject_and_the_installed_metadata():
    from orbitdc._version import __version__

    assert __version__ == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == version("orbitdc")


def test_help_lists_every_command_and_each_command_has_help(capsys):
    assert cli.main(["--help"]) == 0
    text = capsys.readouterr().out
    for command in ("list", "show", "evaluate", "report", "notebooks", "--data-dir", "--version"):
        assert command in text
    for command in ("list", "show", "evaluate", "report", "notebooks"):
        assert cli.main([command, "--help"]) == 0
        assert "--data-dir" in capsys.readouterr().out
    assert cli.main(["report", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--samples" in text and "--seed" in text


def test_python_dash_m_orbitdc_is_the_command(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "orbitdc", "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == f"orbitdc {version('orbitdc')}"
    proc = subprocess.run([sys.executable, "-m", "orbitdc", "list"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0 and "google-suncatcher" in proc.stdout


# ---------------------------------------------------------------------------------------------
# Dependencies point down (DESIGN.md): no import of the layers above, even inside a function
# ---------------------------------------------------------------------------------------------
def imports(module: str) -> set[str]:
    """orbitdc modules imported by ``module`` anywhere in its source (top level or in functions)."""
    tree = ast.parse((ROOT / "orbitdc" / f"{module}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("orbitdc."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("orbitdc."))
    return found


STAGES = ("orbit", "compute", "power", "thermal", "mass", "launch", "economics")


def test_plots_does_not_import_the_report():
    assert not imports("plots") & {"report", "cli"}


def test_nothing_below_the_command_line_imports_it():
    users = sorted(p.stem for p in (ROOT / "orbitdc").glob("*.py") if p.stem not in ("cli", "__main__") and "cli" in imports(p.stem))
    assert users == []


@pytest.mark.parametrize("module", ("parameters", "units", "datadirs", "errors", "outputs", "report_settings") + STAGES)
def test_lower_modules_do_not_import_report_plots_or_cli(module):
    assert not imports(module) & {"report", "plots", "cli", "app"}


def test_name_value_parsing_lives_with_the_argument_checks():
    from orbitdc import arguments, report

    assert cli.parse_assignment is arguments.parse_assignment
    assert "cli" not in imports("report")
    assert report.parse_assignment is arguments.parse_assignment
