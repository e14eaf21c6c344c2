"""Bad input to the Python functions added since the first wave (issue 24): ``trajectory``,
``parity``, the scenario functions, the output writer, the data layers and the app's URL state.

The contract: an :class:`orbitdc.OrbitdcError` (a ValueError) of the expected subclass, whose
one-line message names the argument, raised *before* anything large is allocated or anything is
written; never a bare TypeError/ValueError/MemoryError from inside. Sizes are refused from an
estimate, so these cases run in milliseconds whatever the machine's memory.
"""
from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import unicodedata

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

import orbitdc as odc
from corpus_support import HOSTILE, REPO, SPACEX, restore_modes, snapshot
from orbitdc import app, datadirs, outputs, validation
from orbitdc.errors import ArchitectureError, OrbitdcError, ParameterError


def traj(**kw):
    return lambda: odc.trajectory(SPACEX, **kw)


# (id, call, exception type, the argument the message or exc.parameter names)
API_CASES = [
    ("traj-frozen-int", traj(frozen=5), ArchitectureError, "frozen"),
    ("traj-frozen-list-of-ints", traj(frozen=[1, 2]), ArchitectureError, "frozen"),
    ("traj-frozen-mapping", traj(frozen={"launch_price": True}), ArchitectureError, "frozen"),
    ("traj-frozen-unknown-name", traj(frozen=["launch_cost"]), ArchitectureError, "frozen"),
    ("traj-fleet-int", traj(fleet=5), ArchitectureError, "fleet"),
    ("traj-fleet-list", traj(fleet=["a"]), ArchitectureError, "fleet"),
    ("traj-fleet-empty-path", traj(fleet=""), ArchitectureError, "fleet"),
    ("traj-years-two-billion", traj(years=range(2026, 2_000_000_000)), ArchitectureError, "years"),
    ("traj-years-endless-generator", traj(years=itertools.count(2026)), ArchitectureError, "years"),
    ("traj-years-text", traj(years="2030"), ArchitectureError, "years"),
    ("traj-years-one-int", traj(years=2030), ArchitectureError, "years"),
    ("traj-years-none", traj(years=None), ArchitectureError, "years"),
    ("traj-years-bools", traj(years=[True, False]), ArchitectureError, "years"),
    ("traj-years-half", traj(years=[2030.5]), ArchitectureError, "years"),
    ("traj-years-nan", traj(years=[float("nan")]), ArchitectureError, "years"),
    ("traj-years-huge-int", traj(years=[10**400]), ArchitectureError, "years"),
    ("traj-years-empty", traj(years=[]), ArchitectureError, "years"),
    ("traj-years-2d", traj(years=np.array([[2030, 2031]])), ArchitectureError, "years"),
    ("traj-years-decreasing", traj(years=[2031, 2030]), ArchitectureError, "years"),
    ("traj-samples-a-trillion", traj(samples=10**12), ArchitectureError, "samples"),
    ("traj-samples-with-a-sweep", traj(samples=200_000, years=range(2026, 2061), altitude=list(range(400, 1400, 10))),
     ArchitectureError, "samples"),
    ("traj-samples-float", traj(samples=1e12), ArchitectureError, "samples"),
    ("traj-samples-bool", traj(samples=True), ArchitectureError, "samples"),
    ("traj-samples-one", traj(samples=1), ArchitectureError, "samples"),
    ("traj-seed-negative", traj(samples=4, seed=-1), ArchitectureError, "seed"),
    ("traj-seed-float", traj(samples=4, seed=0.5), ArchitectureError, "seed"),
    ("traj-scenario-int", traj(scenario=5), ArchitectureError, "scenario"),
    ("traj-path-year-400-digits", traj(years=range(2026, 2029), launch_price_per_kg={10**400: 1500, 2030: 100}),
     ArchitectureError, "launch_price_per_kg"),
    ("traj-path-year-text", traj(years=range(2026, 2029), launch_price_per_kg={2026: 1500, "x": 3}), ArchitectureError,
     "launch_price_per_kg"),
    ("traj-path-years-decreasing", traj(years=range(2026, 2029), launch_price_per_kg={2030: 100, 2026: 1500}),
     ArchitectureError, "launch_price_per_kg"),
    ("optimize-objective-int", lambda: odc.optimize(SPACEX, objective=5), ParameterError, "objective"),
    ("optimize-over-unknown", lambda: odc.optimize(SPACEX, over=["warp"]), ParameterError, "over"),
    ("monte-carlo-design-int", lambda: odc.monte_carlo(SPACEX, samples=10, design=5), ParameterError, "design"),
    ("traj-list-with-a-bad-name", lambda: odc.trajectory([SPACEX, 5]), OrbitdcError, "int"),
    ("parity-points-100000", lambda: odc.parity(SPACEX, points=100_000), ParameterError, "points"),
    ("parity-points-float", lambda: odc.parity(SPACEX, points=2.5), ParameterError, "points"),
    ("parity-points-bool", lambda: odc.parity(SPACEX, points=True), ParameterError, "points"),
    ("parity-over-unknown", lambda: odc.parity(SPACEX, over=["warp", "launch_price_per_kg"]), ParameterError, "over"),
    ("scenario-unknown", lambda: odc.scenario_changes(SPACEX, "optimist"), ArchitectureError, "optimist"),
    ("scenario-not-text", lambda: odc.scenario_changes(SPACEX, 5), OrbitdcError, "scenario"),
    ("scenario-escapes-echoed-safely", lambda: odc.evaluate(SPACEX, scenario=HOSTILE), ArchitectureError, "\\x1b"),
    ("scenario-missing-file", lambda: odc.load_architecture(SPACEX, scenario="nowhere.yaml"), ArchitectureError,
     "no scenario file"),
    ("specific-mass-gap-scenario", lambda: odc.specific_mass_gap(SPACEX, 10, scenario="optimist"), ArchitectureError,
     "optimist"),
    ("serve-empty-address", lambda: app.serve(address=""), OrbitdcError, "address"),
    ("serve-port-text", lambda: app.serve(port="5006"), OrbitdcError, "port"),
    ("validation-address-none", lambda: validation.check_address(None), OrbitdcError, "--address"),
    ("validation-port-text", lambda: validation.check_port("80"), OrbitdcError, "--port"),
    ("validation-count-float", lambda: validation.check_count(2.0, "points"), ParameterError, "points"),
    ("validation-years-text-too-long", lambda: validation.parse_years_text("2026," * 5000), OrbitdcError, "longer than"),
]


@pytest.fixture
def clean(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORBITDC_DATA_DIR", raising=False)
    yield tmp_path
    restore_modes(tmp_path)


def test_the_corpus_is_large_and_its_ids_unique():
    assert len(API_CASES) >= 38 and len({c[0] for c in API_CASES}) == len(API_CASES)


@pytest.mark.parametrize("case_id,call,kind,words", API_CASES, ids=[c[0] for c in API_CASES])
def test_python_api_bad_input(case_id, call, kind, words, clean):
    before = snapshot(clean)
    with pytest.raises(kind) as info:
        call()
    message = str(info.value)
    assert "\n" not in message and "\x1b" not in message and "\u202e" not in message, repr(message)
    assert words in message or getattr(info.value, "parameter", None) == words, message
    assert snapshot(clean) == before


def test_an_infeasible_design_is_reported_not_an_error():
    # the trajectory reports a satellite that does not close as evaluate does: an infinite cost
    # and the binding constraint, per year and per point of a sweep (not an internal NaN error)
    tr = odc.trajectory(SPACEX, years=range(2026, 2029), structure_fraction=[0.3, 0.999])
    closes = tr["design_feasible"].sel(structure_fraction=0.999).values
    assert not closes.any() and set(tr["binding_constraint"].sel(structure_fraction=0.999).values) == {"mass_closure"}
    assert np.isinf(tr["cost_ratio_vs_terrestrial"].sel(structure_fraction=0.999).values).all()
    assert tr["design_feasible"].sel(structure_fraction=0.3).values.all()
    assert np.isfinite(tr["cost_ratio_vs_terrestrial"].sel(structure_fraction=0.3).values).all()


# ---------------------------------------------------------------------------------------------
# The output writer
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small():
    return odc.evaluate("example-minimal")


@pytest.mark.parametrize("setup,name,words", [
    (lambda d: os.symlink("/dev/null", d / "n.nc"), "n.nc", "not a regular file"),
    (lambda d: (d / "f.nc").mkdir(), "f.nc", "is a folder"),
    (lambda d: os.mkfifo(d / "p.csv"), "p.csv", "not a regular file"),
    (lambda d: os.symlink("l.nc", d / "l.nc"), "l.nc", "loops"),
    (lambda d: os.symlink("gone/x.nc", d / "g.nc"), "g.nc", "link to nothing"),
    (lambda d: ((d / "r.nc").write_text("x"), os.chmod(d / "r.nc", 0o444)), "r.nc", "read-only"),
    (lambda d: None, "x.txt", "unknown file type"),
    (lambda d: None, "", "empty file name"),
])
def test_writer_refuses_what_is_not_a_regular_file(small, clean, setup, name, words):
    setup(clean)
    before = snapshot(clean)
    with pytest.raises(OrbitdcError) as info:
        outputs.write_dataset(small, clean / name if name else "")
    assert words in str(info.value)
    with pytest.raises(OrbitdcError):
        odc.chain.to_netcdf(small, clean / name if name.endswith(".nc") else clean / "f.nc" if (clean / "f.nc").exists() else clean / "n.nc" if (clean / "n.nc").exists() else "")
    assert snapshot(clean) == before


def test_writer_says_which_library_is_missing(clean, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in ("pyarrow", "fastparquet") else real(name, *a))
    with pytest.raises(OrbitdcError, match="needs the pyarrow package"):
        outputs.check_output_path("x.parquet")
    assert outputs.check_output_path("x.csv").name == "x.csv"


def test_a_failed_write_leaves_no_temporary_file_and_the_old_file_intact(clean):
    (clean / "out.csv").write_text("old")

    def boom(tmp):
        tmp.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        outputs.atomic_write(clean / "out.csv", boom)
    assert [p.name for p in clean.iterdir()] == ["out.csv"] and (clean / "out.csv").read_text() == "old"


def test_exclusive_write_never_replaces(clean):
    (clean / "a").write_text("mine")
    os.symlink("nowhere", clean / "b")
    for name in ("a", "b"):
        with pytest.raises(FileExistsError):
            outputs.write_text(clean / name, "theirs", replace=False)
    assert (clean / "a").read_text() == "mine" and not (clean / "nowhere").exists()
    outputs.write_text(clean / "c", "new", replace=False)
    assert (clean / "c").read_text() == "new" and sorted(p.name for p in clean.iterdir()) == ["a", "b", "c"]


@pytest.mark.parametrize("umask,expected", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_new_files_get_the_mode_the_umask_gives(small, clean, umask, expected):
    old = os.umask(umask)
    try:
        outputs.write_dataset(small, clean / "u.csv")
    finally:
        os.umask(old)
    assert (clean / "u.csv").stat().st_mode & 0o777 == expected


# A real process writes a file and receives a signal in the middle of the write (the write
# function sends it to its own process): the temporary file is gone, an earlier file is intact,
# and the command exits with 128 + the signal number.
SIGNAL_SCRIPT = """
import os, signal, sys, time
import xarray as xr
sig = getattr(signal, sys.argv[1])
real = xr.Dataset.to_netcdf
def slow(self, path, *a, **k):
    real(self, path, *a, **k)        # the temporary file is written...
    os.kill(os.getpid(), sig)        # ...and the signal arrives before the rename
    time.sleep(5)
xr.Dataset.to_netcdf = slow
from orbitdc.cli import main
sys.exit(main(["evaluate", "example-minimal", "-o", "out.nc"]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_during_a_write_leaves_no_temporary_file(tmp_path, name):
    (tmp_path / "out.nc").write_bytes(b"earlier results")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    env.pop("ORBITDC_DATA_DIR", None)
    proc = subprocess.run([sys.executable, "-c", SIGNAL_SCRIPT, name], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 128 + getattr(signal, name), proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nc"], "no temporary file left"
    assert (tmp_path / "out.nc").read_bytes() == b"earlier results"
    assert proc.stderr.count("\n") == 1 and f"interrupted by {name}" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------------------------
# Data layers
# ---------------------------------------------------------------------------------------------
MY_ARCH = ("name: mine\ndescription: d\nkind: space\nparameters:\n"
           "  target_it_power: {value: 100, unit: MW, low: 50, high: 200, source: orbitdc-assumption}\n")


@pytest.mark.parametrize("make,words", [
    (lambda d: os.symlink("loop", d / "loop"), "loops"),
    (lambda d: os.symlink("nowhere", d / "loop"), "link to nothing"),
    (lambda d: (d / "loop").write_text("x"), "not a folder"),
])
def test_a_data_folder_that_cannot_be_used_is_an_orbitdc_error(clean, monkeypatch, make, words):
    make(clean)
    monkeypatch.setenv("ORBITDC_DATA_DIR", str(clean / "loop"))
    with pytest.raises(OrbitdcError, match=words):
        odc.list_architectures()


def test_a_looping_subfolder_of_a_data_folder_is_an_orbitdc_error(clean, monkeypatch):
    (clean / "ud").mkdir()
    os.symlink("architectures", clean / "ud" / "architectures")
    monkeypatch.setenv("ORBITDC_DATA_DIR", str(clean / "ud"))
    with pytest.raises(OrbitdcError, match="loops"):
        odc.list_architectures()


def test_user_scenarios_are_listed_and_applied(clean, monkeypatch):
    folder = clean / "ud" / "scenarios" / SPACEX
    folder.mkdir(parents=True)
    (folder / "cheap-launch.yaml").write_text(
        "description: launch at 50 USD/kg\nparameters:\n  launch_price_per_kg: {value: 50, unit: USD/kg, low: 20, "
        "high: 100, source: orbitdc-assumption}\n")
    monkeypatch.setenv("ORBITDC_DATA_DIR", str(clean / "ud"))
    assert "cheap-launch" in odc.list_scenarios(SPACEX)
    ds = odc.evaluate(SPACEX, scenario="cheap-launch")
    assert float(ds["launch_price_per_kg"]) == 50.0
    (clean / "ud" / "scenarios" / SPACEX / "proponent.yaml").write_text((folder / "cheap-launch.yaml").read_text())
    with pytest.raises(OrbitdcError, match="defined twice"):
        odc.list_scenarios(SPACEX)


def test_relative_data_dirs_are_made_absolute_once(clean):
    assert datadirs.absolute_data_dirs("ud" + os.pathsep + "/abs/x") == os.pathsep.join([str(clean / "ud"), "/abs/x"])
    assert datadirs.absolute_data_dirs(None) is None or os.path.isabs(datadirs.absolute_data_dirs(None).split(os.pathsep)[0])


def test_study_key_follows_a_users_catalog(clean, monkeypatch):
    """Editing a user's accelerator changes the key the report's cached results carry (the Monte
    Carlo of an old catalog is not read back); the same files give the same key."""
    from orbitdc.catalogs import catalog_rows
    from orbitdc.study import Study

    rows = [r for r in catalog_rows("accelerators") if r["entry"] == "h100-sxm"]
    assert rows

    def catalog(power):
        lines = ["entry,field,value,unit,low,high,source,note"]
        for r in rows:
            value, low, high = (power, power, power) if r["field"] == "power" else (r["value"], r["low"], r["high"])
            lines.append(",".join(str(x) if x is not None else "" for x in
                                  ["my-gpu", r["field"], value, r["unit"], low, high, "orbitdc-assumption", "mine"]))
        return "\n".join(lines) + "\n"

    (clean / "ud" / "catalogs").mkdir(parents=True)
    (clean / "ud" / "catalogs" / "accelerators.csv").write_text(catalog(700))
    monkeypatch.setenv("ORBITDC_DATA_DIR", str(clean / "ud"))
    key1 = Study(["example-minimal"], samples=4, seed=0).key
    assert Study(["example-minimal"], samples=4, seed=0).key == key1
    (clean / "ud" / "catalogs" / "accelerators.csv").write_text(catalog(1400))
    key2 = Study(["example-minimal"], samples=4, seed=0).key
    assert key2 != key1
    # a user's reference or scenario file changes it too (README: "catalogs, references and scenarios")
    (clean / "ud" / "references").mkdir()
    (clean / "ud" / "references" / "mine.yaml").write_text(
        "my-study:\n  title: t\n  author: a\n  year: 2026\n  url: https://example.org\n  tag: analyst\n")
    key3 = Study(["example-minimal"], samples=4, seed=0).key
    assert key3 != key2
    (clean / "ud" / "scenarios" / SPACEX).mkdir(parents=True)
    (clean / "ud" / "scenarios" / SPACEX / "mine.yaml").write_text("description: d\nparameters: {}\n")
    assert Study(["example-minimal"], samples=4, seed=0).key != key3


# ---------------------------------------------------------------------------------------------
# Text for a terminal, and the app's URL state
# ---------------------------------------------------------------------------------------------
UNSAFE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


@given(st.text(max_size=200))
def test_terminal_text_never_passes_a_control_or_format_character(text):
    shown = validation.terminal_text(text)
    assert not any(unicodedata.category(ch) in UNSAFE for ch in shown), repr(shown)
    plain = "".join(ch for ch in text if unicodedata.category(ch) not in UNSAFE)
    if plain == text:
        assert shown == text  # ordinary text is left alone


@given(st.text(max_size=300))
def test_terminal_lines_keep_lines_and_escape_the_rest(text):
    shown = validation.terminal_lines(text)
    assert shown.count("\n") == text.count("\n")
    assert not any(unicodedata.category(ch) in UNSAFE for ch in shown.replace("\n", ""))


@pytest.fixture(scope="module")
def choices():
    return app.load_choices([SPACEX])


LINKS = [
    {"launch_price_per_kg": "[1,2]"},
    {"launch_price_per_kg": "9" * 5000},
    {"launch_price_per_kg": "1" * 60_000},
    {"launch_price_per_kg": "²"},
    {"launch_price_per_kg": "{}"},
    {"launch_price_per_kg": "1e400"},
    {"launch_price_per_kg": "nan"},
    {"launch_price_per_kg": "300 parsec"},
    {"launch_price_per_kg": b"\xff\xfe"},
    {"launch_price_per_kg": []},
    {"launch_price_per_kg": ["1", "2"]},
    {"architecture": HOSTILE},
    {"scenario": HOSTILE},
    {"x" * 10_000: "1"},
    {f"k{i}": "1" for i in range(1000)},
    {"dropped": "<script>alert(1)</script>"},
]


@pytest.mark.parametrize("args", LINKS, ids=[f"link{i}" for i in range(len(LINKS))])
def test_malformed_links_give_the_default_state_and_short_notices(choices, args):
    q = app.parse_query(args, choices, SPACEX)
    assert q.architecture == SPACEX and q.scenario is None and q.values == {}
    assert q.problems and all("\n" not in p and len(p) < 400 for p in q.problems)
    assert not any(ch in " ".join(q.problems) for ch in "\x1b\x07\u202e\u2028")


@pytest.mark.parametrize("query,dropped", [
    ("launch_price_per_kg=" + "9" * 5000, ["launch_price_per_kg"]),
    ("launch_price_per_kg=%C2%B2&altitude=600", ["launch_price_per_kg"]),
    ("x=" + "a" * 201, ["x"]),
    ("&".join(f"k{i}=1" for i in range(250)), ["51 more values"]),  # 199 kept and the notice: 200 keys
])
def test_links_panel_cannot_parse_are_cleaned(query, dropped):
    from panel.util import parse_query as panel_parse_query

    cleaned = app.clean_link(query)
    assert cleaned is not None and cleaned[1] == dropped
    panel_parse_query("?" + cleaned[0])  # what the server reads next: it no longer raises
    assert "dropped=" in cleaned[0]
    assert app.clean_link(cleaned[0]) is None  # the cleaned link is served: no redirect loop
    assert app.clean_link("architecture=x&launch_price_per_kg=300+USD%2Fkg") is None
