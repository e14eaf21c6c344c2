"""The command line as an analyst uses it: a compact ``list``, ``show`` wrapped to the terminal,
"did you mean" for typos, a sweep printed value by value, ``-o`` to NetCDF/CSV/Parquet by
extension (CSV: one row per design point, units in the header; ``feasible`` reads back as bool),
file modes that follow the umask, ``notebooks`` that never overwrites, and a closed pipe that
ends quietly."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import orbitdc as odc
from orbitdc import cli, formatting
from orbitdc.datadirs import SHIPPED_NOTEBOOK_DIR


def run(argv, capsys):
    status = cli.main(argv)
    out = capsys.readouterr()
    return status, out.out, out.err


# ---------------------------------------------------------------------------------------------
# list and show
# ---------------------------------------------------------------------------------------------
def test_list_is_an_aligned_table_with_kind_company_power_origin_and_description(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    status, out, err = run(["list"], capsys)
    assert status == 0 and err == ""
    lines = out.splitlines()
    header = lines[0]
    for col in ("NAME", "KIND", "COMPANY", "IT POWER", "FROM", "DESCRIPTION"):
        assert col in header
    rows = {line.split()[0]: line for line in lines[1:]}
    assert sorted(rows) == odc.list_architectures()
    starts = [header.index(c) for c in ("KIND", "COMPANY", "FROM", "DESCRIPTION")]
    for name, line in rows.items():
        arch = odc.load_architecture(name)
        assert line[starts[0]:].split()[0] == arch.kind
        assert line[starts[2]:].startswith("shipped")
        assert line[starts[3]:].startswith(arch.description.split()[0])
        assert all(line[s - 2:s] == "  " for s in starts), "columns aligned"
        assert len(line) <= 160
    assert "SpaceX" in rows["spacex-starlink-compute"] and "1 GW" in rows["spacex-starlink-compute"]
    assert "100 MW" in rows["example-minimal"]  # 100 MW target (data/architectures/example-minimal.yaml)


def test_show_fits_the_terminal_width(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    status, out, _ = run(["show", "spacex-starlink-compute"], capsys)
    assert status == 0
    body, refs = out.split("\nReferences:\n")
    assert max(len(line) for line in body.splitlines()) <= 100
    # a reference line may exceed the width only by an unbreakable URL
    for line in refs.splitlines():
        assert len(line) <= 100 or line.split()[-1].startswith("http"), line


def test_show_on_a_wide_terminal_keeps_one_line_per_parameter(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    status, out, _ = run(["show", "example-minimal"], capsys)
    arch = odc.load_architecture("example-minimal")
    rows = [line for line in out.splitlines() if line.split() and line.split()[0] in arch.parameters]
    assert len(rows) == len(arch.parameters)
    assert all(arch.parameters[r.split()[0]].sources[0] in r for r in rows)


def test_mistyped_architecture_and_parameter_get_a_suggestion(capsys):
    status, _, err = run(["show", "google-suncatchr"], capsys)
    assert status == 2 and "did you mean google-suncatcher" in err
    status, _, err = run(["evaluate", "google-suncatcher", "--set", "altitud=600"], capsys)
    assert status == 2 and "did you mean altitude" in err and len(err.splitlines()) == 1
    status, _, err = run(["report", "--set", "launch_price_per_kgg=100", "--out", "x"], capsys)
    assert status == 2 and "did you mean launch_price_per_kg" in err


# ---------------------------------------------------------------------------------------------
# evaluate: a sweep value by value, and -o by extension
# ---------------------------------------------------------------------------------------------
SWEEP = ["evaluate", "example-minimal", "--set", "altitude=550 km,650 km", "--set", "launch_price_per_kg=100,500,2000"]


def test_evaluate_speaks_the_reader_s_language(capsys, monkeypatch):
    """Issue 25: long names, engineering notation with units, aligned columns, the name to type
    beside each; the verdict in the report's words; --raw keeps the machine form."""
    monkeypatch.setenv("COLUMNS", "200")
    status, out, err = run(["evaluate", "spacex-starlink-compute"], capsys)
    assert status == 0 and err == ""
    ds = odc.evaluate("spacex-starlink-compute")
    lines = out.splitlines()
    assert lines[0].startswith("SpaceX — compute in Starlink satellites (spacex-starlink-compute)")
    # the verdict is evaluate's: since issue 28's sourced rack power and Starship payload, the stated
    # design needs 512 launches over 5.3 years from 2030, longer than the satellites' 5-year life
    feasible, binding = bool(ds["feasible"]), str(ds["binding_constraint"].values)
    ratio = float(ds["cost_ratio_vs_terrestrial"])
    cost = "not cheaper than the ground" if ratio >= 1 else "cheaper than the ground"
    assert lines[1].strip().startswith("feasible; " if feasible else "infeasible: ")
    assert f"; {cost} (" in lines[1]
    if not feasible:  # what binds, with its numbers, on the next line
        assert binding == "deployment_time" and lines[1].strip().startswith("infeasible: launch cadence;")
        years, life = float(ds["deployment_years"]), float(ds["mission_lifetime"])
        assert years > life and lines[2].strip().startswith("launch cadence: the ")
        assert f"take {formatting.number(years)} years" in lines[2] and f"the {life:.0f}-year design life" in lines[2]
    capex = next(line for line in out.splitlines() if line.rstrip().endswith(" capex"))
    assert formatting.money(float(ds["capex"])) in capex and "e+" not in out  # USD 65.2 B, never 6.981e+10
    assert next(line for line in out.splitlines() if line.rstrip().endswith(" start_year") or False) if "start_year" in out else True
    rows = [line for line in lines[next(i for i, ln in enumerate(lines) if ln.split()[:1] == ["quantity"]):] if line.strip()]
    assert len({len(r.rstrip()) - len(r.rstrip().split()[-1]) for r in rows}) == 1  # the name column is aligned
    status, raw, _ = run(["evaluate", "spacex-starlink-compute", "--raw"], capsys)
    assert "capex" in raw and "e+10 USD" in raw


def test_an_unknown_name_gets_at_most_five_suggestions_not_every_name(capsys):
    status, _, err = run(["evaluate", "spacex-starlink-compute", "--set", "launch_prise=100"], capsys)
    assert status == 2 and len(err.splitlines()) == 1
    suggested = err.split("did you mean ")[1].split("?")[0].split(", ")
    assert 1 <= len(suggested) <= 5 and "launch_price_per_kg" in suggested
    assert "water_price" not in err  # not the 140 names


def test_sweep_prints_one_row_per_design_point(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    status, out, err = run(SWEEP + ["--raw"], capsys)
    assert status == 0 and err == ""
    ds = odc.sweep("example-minimal", altitude=[550, 650], launch_price_per_kg=[100, 500, 2000])
    assert "6 design points" in out
    # every table block lists the six (altitude, price) pairs in order, and the ratio's values
    rows = [line.split() for line in out.splitlines() if line.split()[:1] in (["550"], ["650"])]
    pairs = sorted({(r[0], r[1]) for r in rows})
    assert pairs == sorted((f"{a:.4g}", f"{p:.4g}") for a in (550, 650) for p in (100, 500, 2000))
    ratio = ds["cost_ratio_vs_terrestrial"].transpose("altitude", "launch_price_per_kg").values.ravel()
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "cost_ratio_vs_terrestrial" in line)
    for line, a, p, v in zip(lines[at + 1:at + 7], [550] * 3 + [650] * 3, [100, 500, 2000] * 2, ratio):
        assert line.split()[:2] == [f"{a}", f"{p}"] and f"{v:.4g}" in line.split(), line
    assert all(len(line) <= 120 for line in out.splitlines())


def test_sweep_table_stops_at_the_row_limit_and_says_where_the_rest_goes():
    ds = odc.sweep("example-minimal", altitude=list(np.linspace(500, 800, 30)), launch_price_per_kg=[100, 200, 300, 400, 500])
    lines = cli.sweep_table(ds, width=200, max_rows=40)
    assert any("110 more design points" in line and "-o" in line for line in lines)


def test_csv_has_one_row_per_design_point_with_units_and_reads_back_exactly(tmp_path, capsys):
    out = tmp_path / "sweep.csv"
    status, _, _ = run(SWEEP + ["-o", str(out)], capsys)
    assert status == 0
    ds = odc.sweep("example-minimal", altitude=[550, 650], launch_price_per_kg=[100, 500, 2000])
    table = pd.read_csv(out)
    assert len(table) == 6
    assert list(table.columns[:2]) == ["altitude [km]", "launch_price_per_kg [USD/kg]"]
    assert "cost_ratio_vs_terrestrial [1]" in table.columns and "capex [USD]" in table.columns
    assert "feasible" in table.columns and "binding_constraint" in table.columns
    for name in ("capex", "cost_ratio_vs_terrestrial", "specific_mass", "satellite_mass"):
        unit = ds[name].attrs["units"]
        expected = ds[name].broadcast_like(ds["capex"]).transpose("altitude", "launch_price_per_kg").values.ravel()
        np.testing.assert_array_equal(table[f"{name} [{unit}]"].to_numpy(), expected)
    np.testing.assert_array_equal(table["altitude [km]"], [550, 550, 550, 650, 650, 650])
    np.testing.assert_array_equal(table["launch_price_per_kg [USD/kg]"], [100, 500, 2000] * 2)
    assert table["feasible"].dtype == bool
    items = [c for c in table.columns if c.startswith("mass_breakdown[")]
    assert len(items) == ds.sizes["subsystem"] and all(c.endswith("[kg]") for c in items)


def test_parquet_holds_the_same_table_with_units_in_its_metadata(tmp_path, capsys):
    csv, parquet = tmp_path / "a.csv", tmp_path / "a.parquet"
    assert run(SWEEP + ["-o", str(csv)], capsys)[0] == 0
    assert run(SWEEP + ["-o", str(parquet)], capsys)[0] == 0
    a = pd.read_csv(csv)
    b = pd.read_parquet(parquet)
    assert list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert b.attrs["units"]["capex [USD]"] == "USD" and b.attrs["architecture"] == "example-minimal"


def test_netcdf_feasible_reads_back_as_bool_and_text_as_text(tmp_path, capsys):
    out = tmp_path / "r.nc"
    assert run(SWEEP + ["-o", str(out)], capsys)[0] == 0
    with xr.open_dataset(out) as ds:
        assert ds["feasible"].dtype == bool
        assert ds["feasible"].attrs["flag_meanings"] == "false true"
        assert ds["binding_constraint"].dtype.kind in "UO"
        assert ds["capex"].attrs["units"] == "USD"
        ref = odc.sweep("example-minimal", altitude=[550, 650], launch_price_per_kg=[100, 500, 2000])
        np.testing.assert_array_equal(ds["capex"].values, ref["capex"].values)


@pytest.fixture
def umask():
    old = os.umask(0o022)
    yield lambda m: os.umask(m)
    os.umask(old)


@pytest.mark.parametrize("suffix", [".nc", ".csv", ".parquet"])
def test_output_mode_follows_the_umask_and_an_existing_file_keeps_its_mode(tmp_path, capsys, umask, suffix):
    new = tmp_path / f"new{suffix}"
    umask(0o022)
    assert run(["evaluate", "example-minimal", "-o", str(new)], capsys)[0] == 0
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    umask(0o077)
    private = tmp_path / f"private{suffix}"
    assert run(["evaluate", "example-minimal", "-o", str(private)], capsys)[0] == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    umask(0o022)
    shared = tmp_path / f"shared{suffix}"
    shared.write_text("old")
    os.chmod(shared, 0o664)
    assert run(["evaluate", "example-minimal", "-o", str(shared)], capsys)[0] == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664 and shared.read_bytes() != b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (new, private, shared)), "no temp files"


def test_chain_to_netcdf_writes_like_evaluate_o(tmp_path, umask):
    """The report's results/*.nc and ``orbitdc trajectory -o`` go through chain.to_netcdf: the same
    file mode and the same booleans as ``evaluate -o`` (orbitdc.outputs), not a 0600 temp file
    with int8 flags."""
    from orbitdc.chain import to_netcdf

    ds = odc.sweep("example-minimal", altitude=[550, 650], launch_price_per_kg=[100, 2000])
    umask(0o022)
    path = to_netcdf(ds, tmp_path / "results" / "sweep.nc")  # creates the folder
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    umask(0o077)
    private = to_netcdf(ds, tmp_path / "private.nc")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    with xr.open_dataset(path) as back:
        bools = [k for k in ds.variables if ds[k].dtype == bool]
        assert "feasible" in bools and "violates_launch_mass" in bools
        for name in bools:
            assert back[name].dtype == bool, name
            np.testing.assert_array_equal(back[name].values, ds[name].values)
        assert back["feasible"].attrs["flag_meanings"] == "false true"
        assert back["binding_constraint"].dtype.kind in "UO"
        np.testing.assert_array_equal(back["capex"].values, ds["capex"].values)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private.nc", "results"], "no temp files"


def test_study_results_read_back_boolean_with_the_umask_mode(tmp_path, umask):
    from orbitdc.report import Study

    umask(0o022)
    study = Study(["example-minimal"], samples=8, seed=1, output_dir=tmp_path)
    [path] = study.save(study.compare(), "compare")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    with xr.open_dataset(path) as back:
        assert back["feasible"].dtype == bool


# ---------------------------------------------------------------------------------------------
# notebooks
# ---------------------------------------------------------------------------------------------
def test_notebooks_copies_them_and_never_overwrites_an_edited_one(tmp_path, capsys):
    dest = tmp_path / "work" / "nb"
    status, out, _ = run(["notebooks", str(dest)], capsys)
    shipped = sorted(p.name for p in SHIPPED_NOTEBOOK_DIR.glob("*.ipynb"))
    assert status == 0 and sorted(p.name for p in dest.iterdir()) == shipped
    for name in shipped:
        assert (dest / name).read_bytes() == (SHIPPED_NOTEBOOK_DIR / name).read_bytes()
    assert "jupyter lab" in out
    edited = dest / shipped[0]
    edited.write_text("my own edits")
    status, out, _ = run(["notebooks", str(dest)], capsys)
    assert status == 0
    assert edited.read_text() == "my own edits"
    assert "kept" in out and shipped[0] in out and "up to date" in out


# ---------------------------------------------------------------------------------------------
# Terminal safety and pipes
# ---------------------------------------------------------------------------------------------
def test_escape_sequences_from_files_or_arguments_never_reach_the_terminal(tmp_path, capsys):
    evil = "\x1b[2J\x1b]0;pwned\x07"
    status, out, err = run(["show", evil], capsys)
    assert status == 2 and "\x1b" not in err and "\x07" not in err and "\\x1b" in err
    path = tmp_path / "red.yaml"
    path.write_text('name: "\\e[31mred"\ndescription: "\\e[5mblink"\nparameters: {}\n')
    status, out, err = run(["show", str(path)], capsys)
    assert status == 2 and "\x1b" not in err and "control characters" in err


def test_safe_escapes_control_and_bidi_characters():
    assert cli.safe("a\x1b[31mb") == "a\\x1b[31mb"
    assert cli.safe("x\u202ey") == "x\\u202ey"
    assert cli.safe("two\nlines") == "two lines"
    assert cli.safe("Blue Origin's 1 GW – ok") == "Blue Origin's 1 GW – ok"


def test_a_closed_pipe_ends_quietly():
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before orbitdc writes (like `orbitdc show X | head -1`)
    proc = subprocess.run([sys.executable, "-m", "orbitdc", "show", "google-suncatcher"], stdout=write_end,
                          stderr=subprocess.PIPE, text=True)
    os.close(write_end)
    assert proc.returncode == 141
    assert proc.stderr == ""


def test_a_folder_named_like_an_architecture_is_not_one(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "architectures" / "trap.yaml").mkdir(parents=True)
    status, out, err = run(["list"], capsys)
    assert status == 0 and err == "" and "trap" not in out
