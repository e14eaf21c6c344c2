"""Bad input and faults for the commands added since the first wave (issue 24): ``trajectory``,
``--scenario``, user data folders, output files, ``notebooks`` and ``app``'s options.

Every case asserts the contract the README states: exit status 2, one line on stderr starting
``orbitdc: error:`` that names the problem (no traceback, no raw control character), nothing on
stdout, and the working folder unchanged (same paths, types, sizes, times and modes: nothing
written, nothing deleted). Each case is run in-process (fast) and a sample as a real process; the
permission cases only as real processes, without root's file-mode override.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from corpus_support import (HOSTILE, SPACEX, Case, both, check_one_line, chmod, mkdir, restore_modes, run_orbitdc,
                            snapshot, symlink, write)
from orbitdc import cli

TRAJ = ["trajectory", SPACEX, "--years", "2026-2028"]
MINIMAL = ["evaluate", "example-minimal"]
SCENARIO = "description: {description}\nparameters:\n  launch_price_per_kg: {{value: 300, unit: USD/kg, low: 100, high: 1000, source: orbitdc-assumption, note: {note}}}\n"
MY_ARCH = ("name: mine\ndescription: d\nkind: space\nparameters:\n"
           "  target_it_power: {value: 100, unit: MW, low: 50, high: 200, source: orbitdc-assumption}\n")

CASES = [
    # -- trajectory: sizes, counted before anything is built -----------------------------------
    Case("traj-years-two-billion", ["trajectory", SPACEX, "--years", "2026-2000000000"], "at most 1,000"),
    Case("traj-years-5000-digits", ["trajectory", SPACEX, "--years", "2026-" + "9" * 5000], "expected FIRST-LAST"),
    Case("traj-years-reversed", ["trajectory", SPACEX, "--years", "2050-2026"], "before the first"),
    Case("traj-years-words", ["trajectory", SPACEX, "--years", "soon"], "expected FIRST-LAST"),
    Case("traj-years-comma-junk", ["trajectory", SPACEX, "--years", "2030,,2040"], "expected FIRST-LAST"),
    Case("traj-years-before-the-data", ["trajectory", SPACEX, "--years", "2020-2030"], "outside the years"),
    Case("traj-samples-a-trillion", TRAJ + ["--samples", "1000000000000"], "of memory"),
    Case("traj-samples-as-float", TRAJ + ["--samples", "1e12"], "invalid int value"),
    Case("traj-samples-one", TRAJ + ["--samples", "1"], "less than 2"),
    Case("traj-seed-negative", TRAJ + ["--samples", "4", "--seed", "-1"], "out of range"),
    Case("traj-seed-2-to-the-64", TRAJ + ["--samples", "4", "--seed", str(2**64)], "out of range"),
    # -- trajectory: arguments ------------------------------------------------------------------
    Case("traj-set-twice", TRAJ + ["--set", "start_year=2027", "--set", "start_year=2028"], "given twice"),
    Case("traj-set-unknown", TRAJ + ["--set", "warp_factor=9"], "warp_factor"),
    Case("traj-set-list-literal", TRAJ + ["--set", "launch_price_per_kg=[1,2]"], "launch_price_per_kg"),
    Case("traj-path-year-twice", TRAJ + ["--set", "launch_price_per_kg=2026:1500,2026:100"], "given twice"),
    Case("traj-path-decreasing", TRAJ + ["--set", "launch_price_per_kg=2030:100,2026:1500"], "increase"),
    Case("traj-path-bad-value", TRAJ + ["--set", "launch_price_per_kg=2026:1500,2030:abc"], "'abc'"),
    Case("traj-frozen-unknown", TRAJ + ["--frozen", "launch_cost"], "not a trend"),
    Case("traj-frozen-empty", TRAJ + ["--frozen", ","], "expected all or trend names"),
    Case("traj-frozen-escapes", TRAJ + ["--frozen", HOSTILE], "not a trend"),
    Case("traj-fleet-missing", TRAJ + ["--fleet", "nope.yaml"], "nope.yaml"),
    Case("traj-fleet-a-folder", TRAJ + ["--fleet", "plans"], "plans", mkdir("plans")),
    Case("traj-fleet-dev-zero", TRAJ + ["--fleet", "/dev/zero"], "not a regular file"),
    Case("traj-unknown-scenario", TRAJ + ["--scenario", "optimist"], "unknown scenario 'optimist'"),
    Case("traj-scenario-with-escapes", TRAJ + ["--scenario", HOSTILE], "unknown scenario"),
    Case("traj-scenario-missing-file", TRAJ + ["--scenario", "mine.yaml"], "no scenario file"),
    Case("traj-unknown-architecture", ["trajectory", "no-such-design"], "unknown architecture"),
    # -- trajectory -o: regular NetCDF files only, refused before any computation ---------------
    Case("traj-out-dev-null", TRAJ + ["-o", "/dev/null"], "unknown file type"),
    Case("traj-out-link-to-dev-null", TRAJ + ["-o", "null.nc"], "not a regular file", symlink("null.nc", "/dev/null")),
    Case("traj-out-link-to-a-folder", TRAJ + ["-o", "dir.nc"], "is a folder", both(mkdir("real"), symlink("dir.nc", "real"))),
    Case("traj-out-folder", TRAJ + ["-o", "out.nc"], "is a folder", mkdir("out.nc")),
    Case("traj-out-csv", TRAJ + ["-o", "out.csv"], "unknown file type '.csv'"),
    Case("traj-out-link-loop", TRAJ + ["-o", "loop.nc"], "loops", symlink("loop.nc", "loop.nc")),
    Case("traj-out-dangling-link", TRAJ + ["-o", "gone.nc"], "link to nothing", symlink("gone.nc", "nowhere/x.nc")),
    Case("traj-out-read-only-file", TRAJ + ["-o", "old.nc"], "read-only", both(write("old.nc", "x"), chmod("old.nc", 0o444))),
    Case("traj-out-missing-folder", TRAJ + ["-o", "nowhere/out.nc"], "does not exist"),
    Case("traj-out-under-a-file", TRAJ + ["-o", "f.txt/out.nc"], "is a file, not a folder", write("f.txt", "x")),
    Case("traj-out-empty", TRAJ + ["-o", ""], "empty file name"),
    Case("traj-out-and-bad-years", ["trajectory", SPACEX, "--years", "1999-2001", "-o", "t.nc"], "outside the years"),
    # -- evaluate -o through the same writer ----------------------------------------------------
    Case("eval-out-link-to-dev-null", MINIMAL + ["-o", "null.csv"], "not a regular file", symlink("null.csv", "/dev/null")),
    Case("eval-out-link-loop", MINIMAL + ["-o", "loop.parquet"], "loops", symlink("loop.parquet", "loop.parquet")),
    Case("eval-out-read-only-file", MINIMAL + ["-o", "old.csv"], "read-only", both(write("old.csv", "x"), chmod("old.csv", 0o444))),
    Case("eval-set-list-literal", MINIMAL + ["--set", "launch_price_per_kg=[1,2]"], "launch_price_per_kg"),
    # -- scenarios ------------------------------------------------------------------------------
    Case("show-unknown-scenario", ["show", SPACEX, "--scenario", "optimist"], "unknown scenario"),
    Case("evaluate-unknown-scenario", MINIMAL + ["--scenario", "skeptic"], "unknown scenario"),
    Case("user-scenario-duplicate", ["--data-dir", "ud", "show", SPACEX, "--scenario", "proponent"], "defined twice",
         write(f"ud/scenarios/{SPACEX}/proponent.yaml", SCENARIO.format(description="d", note="n"))),
    Case("user-scenario-bad-parameter", ["--data-dir", "ud", "evaluate", SPACEX, "--scenario", "mine"], "warp_drive",
         write(f"ud/scenarios/{SPACEX}/mine.yaml", "description: d\nparameters:\n  warp_drive: {value: 1, source: orbitdc-assumption}\n")),
    Case("user-scenario-bad-source", ["--data-dir", "ud", "evaluate", SPACEX, "--scenario", "mine"], "nobody-said-so",
         write(f"ud/scenarios/{SPACEX}/mine.yaml", SCENARIO.format(description="d", note="n").replace("orbitdc-assumption", "nobody-said-so"))),
    Case("user-scenario-dangling-link", ["--data-dir", "ud", "show", SPACEX, "--scenario", "base"], "link to nothing",
         symlink(f"ud/scenarios/{SPACEX}/gone.yaml", "nowhere.yaml")),
    # -- user data folders ----------------------------------------------------------------------
    Case("data-dir-loop", ["--data-dir", "loop", "list"], "loops", symlink("loop", "loop")),
    Case("data-dir-dangling", ["--data-dir", "gone", "list"], "link to nothing", symlink("gone", "nowhere")),
    Case("data-dir-empty-name", ["--data-dir", "", "list"], "does not exist"),
    Case("data-dir-env-loop", ["list"], "loops", symlink("loop", "loop"), env={"ORBITDC_DATA_DIR": "loop"}),
    Case("data-dir-env-relative-missing", ["list"], "does not exist", env={"ORBITDC_DATA_DIR": "ud"}),
    Case("data-dir-architectures-loop", ["--data-dir", "ud", "list"], "loops", symlink("ud/architectures", "architectures")),
    Case("data-dir-architectures-a-file", ["--data-dir", "ud", "list"], "is not a folder", write("ud/architectures", "x")),
    Case("data-dir-architecture-link-loop", ["--data-dir", "ud", "list"], "loops",
         both(mkdir("ud/architectures"), symlink("ud/architectures/x.yaml", "x.yaml"))),
    Case("data-dir-architecture-dangling", ["--data-dir", "ud", "list"], "link to nothing",
         both(mkdir("ud/architectures"), symlink("ud/architectures/x.yaml", "gone.yaml"))),
    Case("data-dir-catalogs-loop", ["--data-dir", "ud", "show", SPACEX], "loops", symlink("ud/catalogs", "catalogs")),
    # -- report --out (checked before any kernel starts) ----------------------------------------
    Case("report-out-link-loop", ["report", "--samples", "2", "--out", "loop"], "symbolic link", symlink("loop", "loop")),
    Case("report-out-dangling-link", ["report", "--samples", "2", "--out", "gone"], "symbolic link", symlink("gone", "nowhere")),
    Case("report-out-dev-null", ["report", "--samples", "2", "--out", "/dev/null"], "not a folder"),
    Case("report-relative-data-dir-missing", ["report", "--samples", "2"], "does not exist", env={"ORBITDC_DATA_DIR": "ud"}),
    # -- notebooks ------------------------------------------------------------------------------
    Case("notebooks-into-dev-null", ["notebooks", "/dev/null"], "not a folder"),
    Case("notebooks-into-a-dangling-link", ["notebooks", "nb"], "link to nothing", symlink("nb", "nowhere")),
    Case("notebooks-into-a-link-loop", ["notebooks", "nb"], "loops", symlink("nb", "nb")),
    # -- app options (refused before the server starts) -----------------------------------------
    Case("app-empty-address", ["app", "--address", ""], "--address '': empty"),
    Case("app-address-with-space", ["app", "--address", "a b"], "not an IP address or a host name"),
    Case("app-address-escapes", ["app", "--address", HOSTILE], "not an IP address"),
    Case("app-port-too-big", ["app", "--port", "70000"], "0 to 65535"),
    Case("app-port-negative", ["app", "--port", "-1"], "0 to 65535"),
    Case("app-unknown-architecture", ["app", "no-such-design", "--port", "0"], "unknown architecture"),
    Case("app-a-folder-as-architecture", ["app", "d.yaml", "--port", "0"], "is a folder", mkdir("d.yaml")),
]


@pytest.fixture
def clean(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORBITDC_DATA_DIR", raising=False)
    yield tmp_path
    restore_modes(tmp_path)


def test_the_corpus_is_large_and_its_ids_unique():
    assert len(CASES) >= 60 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_in_process(case, clean, monkeypatch, capsys):
    case.setup(clean)
    for k, v in case.env.items():
        monkeypatch.setenv(k, v.format(tmp=clean))
    before = snapshot(clean)
    status = cli.main(case.argv)
    out, err = capsys.readouterr()
    assert status == 2, err
    check_one_line(err, case.words)
    assert out == ""
    assert snapshot(clean) == before, "nothing written, nothing deleted"


# The same cases as real processes: what reaches a real stderr (warnings included), and that no
# memory is allocated for a size that is refused (a MemoryError or the OOM killer would show).
REAL = ["traj-years-two-billion", "traj-samples-a-trillion", "traj-out-link-to-dev-null",
        "traj-out-link-loop", "traj-set-twice", "traj-scenario-with-escapes", "user-scenario-duplicate", "data-dir-loop",
        "data-dir-architectures-loop", "notebooks-into-a-link-loop", "app-empty-address", "app-address-escapes",
        "traj-fleet-dev-zero"]


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if c.id in REAL], ids=REAL)
def test_bad_input_in_a_real_process(case, tmp_path):
    case.setup(tmp_path)
    before = snapshot(tmp_path)
    proc = run_orbitdc(case.argv, tmp_path, env={k: v.format(tmp=tmp_path) for k, v in case.env.items()})
    try:
        assert proc.returncode == 2, proc.stderr
        check_one_line(proc.stderr, case.words)
        assert proc.stdout == ""
        assert snapshot(tmp_path) == before
    finally:
        restore_modes(tmp_path)


# ---------------------------------------------------------------------------------------------
# Permissions (real processes without root's override of file modes)
# ---------------------------------------------------------------------------------------------
PERMISSION_CASES = [
    Case("data-dir-mode-000", ["--data-dir", "ud", "list"], "not readable", both(mkdir("ud/architectures"), chmod("ud", 0o000))),
    Case("data-dir-architectures-mode-000", ["--data-dir", "ud", "list"], "not readable",
         both(write("ud/architectures/mine.yaml", MY_ARCH), chmod("ud/architectures", 0o000))),
    Case("data-dir-scenarios-mode-000", ["--data-dir", "ud", "show", SPACEX, "--scenario", "base"], "not readable",
         both(mkdir(f"ud/scenarios/{SPACEX}"), chmod(f"ud/scenarios/{SPACEX}", 0o000))),
    Case("env-data-dir-mode-000", ["list"], "not readable", both(mkdir("ud"), chmod("ud", 0o000)),
         env={"ORBITDC_DATA_DIR": "ud"}),
    Case("traj-out-in-a-read-only-folder", TRAJ + ["-o", "ro/t.nc"], "not writable", both(mkdir("ro"), chmod("ro", 0o555))),
    Case("eval-out-in-a-read-only-folder", MINIMAL + ["-o", "ro/t.parquet"], "not writable", both(mkdir("ro"), chmod("ro", 0o555))),
]


@pytest.mark.slow
@pytest.mark.parametrize("case", PERMISSION_CASES, ids=[c.id for c in PERMISSION_CASES])
def test_permissions(case, tmp_path):
    case.setup(tmp_path)
    before = snapshot(tmp_path)
    try:
        proc = run_orbitdc(case.argv, tmp_path, env=case.env, unprivileged=True)
        assert proc.returncode == 2, proc.stderr
        check_one_line(proc.stderr, case.words)
        assert snapshot(tmp_path) == before
    finally:
        restore_modes(tmp_path)


# ---------------------------------------------------------------------------------------------
# A missing library: one line before any work
# ---------------------------------------------------------------------------------------------
HIDE_PARQUET = "import sys\nsys.modules['pyarrow'] = None\nsys.modules['fastparquet'] = None"


@pytest.mark.slow
@pytest.mark.parametrize("argv", [MINIMAL + ["-o", "x.parquet"],
                                  ["evaluate", "example-minimal", "--set", "altitude=500,600", "-o", "x.parquet"]])
def test_parquet_without_pyarrow_is_one_line(argv, tmp_path):
    before = snapshot(tmp_path)
    proc = run_orbitdc(argv, tmp_path, prelude=HIDE_PARQUET)
    assert proc.returncode == 2, proc.stderr
    check_one_line(proc.stderr, "needs the pyarrow package")
    assert proc.stdout == ""  # refused before the chain ran (evaluate prints its outputs first)
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------------------------------------
# What does work, around the refusals
# ---------------------------------------------------------------------------------------------
def test_trajectory_with_samples_prints_and_writes(clean, capsys):
    status = cli.main(TRAJ + ["--samples", "8", "-o", "mc.nc"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "cost ratio (median)" in out and "crossover year (10/50/90 % of 8 samples)" in out
    assert [ln.split()[0] for ln in out.splitlines()[1:4]] == ["2026", "2027", "2028"]
    import xarray as xr

    with xr.open_dataset(clean / "mc.nc") as back:
        assert back.sizes["sample"] == 8 and list(back["year"].values) == [2026, 2027, 2028]


def test_an_infeasible_design_names_its_binding_constraint(clean, capsys):
    # structure_fraction=0.999 leaves no mass for anything else: the satellite cannot close. The
    # trajectory says which constraint binds (was 13 lines ending in an internal NaN error).
    status = cli.main(TRAJ + ["--set", "structure_fraction=0.999"])
    out, err = capsys.readouterr()
    assert status == 0 and err == "", err
    assert "does not close: mass_closure" in out
    assert "the satellite does not close in 2026-2028: binding constraint mass_closure (the mass budget" in out
    assert "nan" not in out.lower()


def test_trajectory_writes_through_a_link_to_a_regular_file(clean, capsys):
    (clean / "real.nc").write_bytes(b"old")
    os.chmod(clean / "real.nc", 0o600)
    os.symlink("real.nc", clean / "link.nc")
    assert cli.main(TRAJ + ["-o", "link.nc"]) == 0, capsys.readouterr().err
    assert (clean / "link.nc").is_symlink() and os.readlink(clean / "link.nc") == "real.nc"
    assert (clean / "real.nc").read_bytes()[:4] in (b"CDF\x01", b"CDF\x02", b"\x89HDF")
    assert oct((clean / "real.nc").stat().st_mode & 0o777) == oct(0o600)  # the file it replaced kept its mode
    assert sorted(p.name for p in clean.iterdir()) == ["link.nc", "real.nc"]  # no temporary file left


def test_show_scenario_escapes_text_from_a_users_file(clean, capsys):
    (clean / "ud" / "scenarios" / SPACEX).mkdir(parents=True)
    (clean / "ud" / "scenarios" / SPACEX / "hostile.yaml").write_text(
        SCENARIO.format(description='"A scenario \\e[2J\\e]0;owned\\a \\u202eevil"', note='"note \\e[31mred\\r\\u2066x"'))
    status = cli.main(["--data-dir", "ud", "show", SPACEX, "--scenario", "hostile"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "hostile" in out and "launch_price_per_kg" in out
    assert not any(ch in out for ch in "\x1b\x07\r\u202e\u2066"), repr(out)
    assert "\\x1b[2J" in out and "\\u202e" in out  # shown, visibly, not executed


def test_scenarios_in_a_users_data_folder_are_read(clean, capsys):
    (clean / "ud" / "scenarios" / SPACEX).mkdir(parents=True)
    (clean / "ud" / "scenarios" / SPACEX / "mine.yaml").write_text(SCENARIO.format(description="my view", note="mine"))
    status = cli.main(["--data-dir", "ud", "evaluate", SPACEX, "--scenario", "mine"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "scenario 'mine'" in out and "300 USD/kg" in out


@pytest.mark.slow
def test_relative_data_dir_reaches_a_worker_started_elsewhere(tmp_path):
    """ORBITDC_DATA_DIR=ud (the README's relative form) is resolved when the command starts: a
    child process in another folder (as the report's notebook kernels run) still finds it."""
    (tmp_path / "ud" / "architectures").mkdir(parents=True)
    (tmp_path / "ud" / "architectures" / "mine.yaml").write_text(MY_ARCH)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import os, subprocess, sys\nfrom orbitdc import cli\n"
            "entry = cli._user_data(None)\nentry.__enter__()  # what main() does before any command\n"
            "r = subprocess.run([sys.executable, '-m', 'orbitdc', 'show', 'mine'], cwd=sys.argv[1], capture_output=True, text=True)\n"
            "print(os.environ['ORBITDC_DATA_DIR']); print(r.returncode); sys.stderr.write(r.stderr)\n")
    env = {k: v for k, v in os.environ.items()}
    env["ORBITDC_DATA_DIR"] = "ud"
    env["PYTHONPATH"] = os.pathsep.join([str(__import__("corpus_support").REPO)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    proc = subprocess.run([sys.executable, "-c", code, str(elsewhere)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    lines = proc.stdout.split()
    assert lines[0] == str(tmp_path / "ud"), proc.stdout
    assert lines[1] == "0", proc.stderr
