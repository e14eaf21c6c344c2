"""Optional extras (issue 26): `pip install orbitdc` is the modelling core; the report, the app,
JupyterLab and dask.distributed are extras. A command whose extra is missing stops before doing
anything, with one line naming the `pip install` to run (exit 2). The install itself is tested
by CI (.ci/run installs the wheel without extras, runs the core commands and these refusals,
then adds `[all]`); here, "not installed" is a module the import system cannot find."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from orbitdc import cli, extras

ROOT = Path(__file__).resolve().parents[1]
#: import name -> distribution name, where they differ
DISTRIBUTION = {"IPython": "ipython", "bs4": "beautifulsoup4"}


def _extras() -> dict[str, set[str]]:
    """pyproject's extras as sets of distribution names, orbitdc's own extras expanded."""
    raw = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]

    def expand(name: str) -> set[str]:
        out = set()
        for r in map(Requirement, raw[name]):
            out |= set().union(*map(expand, r.extras)) if r.name == "orbitdc" else {r.name.lower()}
        return out

    return {name: expand(name) for name in raw}


def _core() -> set[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return {Requirement(r).name.lower() for r in deps}


def test_each_extra_installs_the_modules_its_commands_check_for():
    declared = _extras()
    for extra, modules in extras.EXTRA_MODULES.items():
        dists = {DISTRIBUTION.get(m, m).lower() for m in modules}
        assert dists <= declared[extra], (extra, dists - declared[extra])
    assert declared["all"] == set().union(*(declared[e] for e in ("report", "app", "notebooks", "dask", "parquet")))


def test_the_core_is_the_model_and_no_browser_stack():
    # issue 26: an analyst's environment or a cluster worker pays for no browser or notebook stack
    heavy = {"papermill", "nbconvert", "holoviews", "bokeh", "panel", "jupyterlab", "selenium",
             "distributed", "ipykernel", "tornado", "docutils", "pypdf", "pyarrow"}
    assert not (_core() & heavy), _core() & heavy
    assert {"numpy", "scipy", "xarray", "astropy", "boinor", "pyyaml"} <= _core()


@pytest.fixture
def without(monkeypatch):
    """Make modules look not installed: ``sys.modules[name] = None`` makes both ``import name``
    and ``importlib.util.find_spec(name)`` answer that it is not there."""
    def hide(*names):
        for name in names:
            monkeypatch.setitem(sys.modules, name, None)
    return hide


@pytest.mark.parametrize("argv, extra", [
    (["report", "example-minimal", "--samples", "8"], "report"),
    (["report", "example-minimal", "--pdf"], "report"),
    (["app", "example-minimal", "--port", "0"], "app"),
])
def test_a_command_whose_extra_is_missing_stops_with_one_line_naming_the_pip_install(
        argv, extra, without, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    without(*extras.EXTRA_MODULES[extra][:2])
    out = tmp_path / "r"
    status = cli.main([*argv, "--out", str(out)] if argv[0] == "report" else argv)
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert f"pip install 'orbitdc[{extra}]'" in lines[0]
    assert f"orbitdc {argv[0]} needs the '{extra}' extra" in lines[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []  # nothing written


def test_a_scheduler_address_without_distributed_names_the_dask_extra(without):
    import orbitdc as odc

    without("distributed")
    with pytest.raises(extras.MissingExtraError, match=r"pip install 'orbitdc\[dask\]'"):
        odc.monte_carlo("example-minimal", 64, seed=1, chunks=32, scheduler="tcp://127.0.0.1:1")


def test_notebooks_copies_without_jupyterlab_and_says_which_extra_opens_them(without, tmp_path, capsys):
    without("jupyterlab")
    assert cli.main(["notebooks", str(tmp_path / "nb")]) == 0
    out = capsys.readouterr().out
    assert list((tmp_path / "nb").glob("*.ipynb"))
    assert "pip install 'orbitdc[notebooks]'" in out.splitlines()[-1]


def test_the_core_api_and_commands_run_with_no_extra_importable(tmp_path):
    """A fresh interpreter where no module of any extra can be imported runs what the core
    promises: list, evaluate, a sweep written to CSV, the Monte Carlo (in memory and in dask
    chunks on threads) and the trajectory."""
    blocked = sorted(set().union(*extras.EXTRA_MODULES.values()))
    code = textwrap.dedent(f"""
        import sys
        for name in {blocked!r}:
            sys.modules[name] = None
        import orbitdc as odc
        from orbitdc import cli
        assert odc.evaluate("example-minimal")["cost_ratio_vs_terrestrial"].size == 1
        mc = odc.monte_carlo("example-minimal", 200, seed=1)
        lazy = odc.monte_carlo("example-minimal", 200, seed=1, chunks=100).compute(scheduler="threads")
        assert (mc["cost_ratio_vs_terrestrial"].values == lazy["cost_ratio_vs_terrestrial"].values).all()
        tr = odc.trajectory("example-minimal", years=range(2030, 2033))
        assert tr.sizes["year"] == 3
        assert cli.main(["list"]) == 0
        assert cli.main(["evaluate", "example-minimal", "--set", "launch_price_per_kg=100,500",
                         "-o", {str(tmp_path / 'sweep.csv')!r}]) == 0
        assert cli.main(["trajectory", "example-minimal", "--years", "2030-2031"]) == 0
        loaded = sorted(n for n in {blocked!r} if sys.modules.get(n) is not None)
        assert not loaded, loaded
        print("core ok")
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().endswith("core ok")
    assert len((tmp_path / "sweep.csv").read_text().splitlines()) == 3
