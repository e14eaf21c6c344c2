"""The architecture schema rejects bad input with an error naming the file, the parameter and the
reason; the CLI turns each into one line on stderr, exit status 2, no traceback, nothing written."""
import subprocess
import sys
import textwrap

import pytest

import orbitdc as odc
from orbitdc import cli
from orbitdc.errors import ArchitectureError

GOOD_PARAM = """\
  target_it_power:
    value: 100
    unit: MW
    low: 50
    high: 200
    source: orbitdc-assumption
"""


def arch_text(params: str = GOOD_PARAM, header: str | None = None) -> str:
    header = header if header is not None else "name: bad\ndescription: a test file\nkind: space\n"
    return header + "parameters:\n" + params


def param(body: str, name: str = "target_it_power") -> str:
    return f"  {name}:\n" + textwrap.indent(textwrap.dedent(body), "    ")


# (id, file text, parameter the error must name or None, words the reason must contain)
BAD_FILES = [
    ("unknown-top-key", arch_text(header="name: bad\ndescription: d\ncolour: red\n"), None, "unknown key 'colour'"),
    ("unknown-parameter-key", arch_text(param("valu: 5\nvalue: 100\nunit: MW\nlow: 1\nhigh: 200\nsource: orbitdc-assumption\n")), "target_it_power", "unknown key 'valu'"),
    ("missing-unit", arch_text(param("value: 100\nlow: 1\nhigh: 200\nsource: orbitdc-assumption\n")), "target_it_power", "missing unit"),
    ("wrong-dimension", arch_text(param("value: 100\nunit: kg\nlow: 1\nhigh: 200\nsource: orbitdc-assumption\n")), "target_it_power", "wrong dimension"),
    ("unparseable-unit", arch_text(param("value: 100\nunit: kilowattz\nlow: 1\nhigh: 200\nsource: orbitdc-assumption\n")), "target_it_power", "not a unit"),
    ("low-above-high", arch_text(param("value: 100\nunit: MW\nlow: 300\nhigh: 200\nsource: orbitdc-assumption\n")), "target_it_power", "greater than high"),
    ("value-outside-range", arch_text(param("value: 500\nunit: MW\nlow: 1\nhigh: 200\nsource: orbitdc-assumption\n")), "target_it_power", "outside its range"),
    ("nan-value", arch_text(param("value: .nan\nunit: MW\nlow: 1\nhigh: 200\nsource: orbitdc-assumption\n")), "target_it_power", "not a finite number"),
    ("inf-high", arch_text(param("value: 100\nunit: MW\nlow: 1\nhigh: .inf\nsource: orbitdc-assumption\n")), "target_it_power", "not a finite number"),
    ("negative-power", arch_text(param("value: -5\nunit: MW\nlow: -10\nhigh: 200\nsource: orbitdc-assumption\n")), "target_it_power", "out of range"),
    ("zero-lifetime", arch_text(GOOD_PARAM + param("value: 0\nunit: yr\nlow: 0\nhigh: 5\nsource: orbitdc-assumption\n", "mission_lifetime")), "mission_lifetime", "out of range"),
    ("year-too-early", arch_text(GOOD_PARAM + param("value: 1990\nunit: '1'\nlow: 1990\nhigh: 2030\nsource: orbitdc-assumption\n", "start_year")), "start_year", "out of range"),
    ("duplicate-yaml-key", arch_text(GOOD_PARAM + GOOD_PARAM), None, "duplicate key 'target_it_power'"),
    ("dangling-source", arch_text(param("value: 100\nunit: MW\nlow: 1\nhigh: 200\nsource: no-such-paper\n")), "target_it_power", "no-such-paper"),
    ("unknown-parameter", arch_text(param("value: 100\nunit: MW\nlow: 1\nhigh: 200\nsource: orbitdc-assumption\n", "target_it_powr")), "target_it_powr", "did you mean target_it_power"),
    ("missing-source", arch_text(param("value: 100\nunit: MW\nlow: 1\nhigh: 200\n")), "target_it_power", "missing required key 'source'"),
    ("empty-source-list", arch_text(param("value: 100\nunit: MW\nlow: 1\nhigh: 200\nsource: []\n")), "target_it_power", "at least one reference"),
    ("text-for-number", arch_text(param("value: lots\nunit: MW\nlow: 1\nhigh: 200\nsource: orbitdc-assumption\n")), "target_it_power", "must be a number"),
    ("missing-range", arch_text(param("value: 100\nunit: MW\nsource: orbitdc-assumption\n")), "target_it_power", "missing range"),
    ("bad-distribution", arch_text(param("value: 100\nunit: MW\nlow: 1\nhigh: 200\ndistribution: gaussian\nsource: orbitdc-assumption\n")), "target_it_power", "distribution"),
    ("bad-kind", arch_text(header="name: bad\ndescription: d\nkind: orbital\n"), None, "kind"),
    ("missing-description", arch_text(header="name: bad\nkind: space\n"), None, "missing required key 'description'"),
    ("yaml-syntax", "name: bad\ndescription: [unclosed\n", None, "invalid YAML"),
    ("top-level-list", "- 1\n- 2\n", None, "expected a mapping"),
    ("python-object-tag", arch_text(header="name: !!python/object/apply:os.system ['echo hi']\ndescription: d\n"), None, "invalid YAML"),
    (
        "alias-bomb",
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
        None,
        "alias",
    ),
    ("second-source-dangling", arch_text(GOOD_PARAM + param("value: 2030\nunit: '1'\nlow: 2027\nhigh: 2040\ndistribution: uniform\nsource: [orbitdc-assumption, nonexistent-key]\n", "start_year")), "start_year", "nonexistent-key"),
]


@pytest.mark.parametrize("case_id,text,parameter,words", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_architecture_file_is_refused_with_a_named_error(tmp_path, case_id, text, parameter, words):
    path = tmp_path / f"{case_id}.yaml"
    path.write_text(text)
    with pytest.raises(ArchitectureError) as info:
        odc.load_architecture(path)
    err = info.value
    assert path.name in str(err), "the error names the file"
    assert err.parameter == parameter
    assert words in str(err)


@pytest.mark.parametrize("case_id,text,parameter,words", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_cli_reports_bad_file_in_one_line_exit_2_and_writes_nothing(tmp_path, capsys, case_id, text, parameter, words):
    path = tmp_path / f"{case_id}.yaml"
    path.write_text(text)
    out = tmp_path / "out.nc"
    status = cli.main(["evaluate", str(path), "-o", str(out)])
    captured = capsys.readouterr()
    assert status == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("orbitdc: error:")
    assert "Traceback" not in captured.err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [path], "nothing written next to the input either"


BAD_OVERRIDES = [
    ("unknown-name", {"target_it_powr": 5}, "target_it_powr", "valid names"),
    ("wrong-dimension-quantity", {"target_it_power": "5 kg"}, "target_it_power", "cannot be converted"),
    ("negative", {"target_it_power": -1.0}, "target_it_power", "out of range"),
    ("nan", {"target_it_power": float("nan")}, "target_it_power", "not a finite number"),
    ("not-a-number", {"mission_lifetime": "soon"}, "mission_lifetime", "not a number with a unit"),
    ("2-d-array", {"mission_lifetime": [[1.0, 2.0]]}, "mission_lifetime", "1-d"),
    ("empty-list", {"mission_lifetime": []}, "mission_lifetime", "no values"),
]


@pytest.mark.parametrize("case_id,overrides,parameter,words", BAD_OVERRIDES, ids=[c[0] for c in BAD_OVERRIDES])
def test_bad_override_is_refused_with_a_named_error(case_id, overrides, parameter, words):
    with pytest.raises(ArchitectureError) as info:
        odc.evaluate("example-minimal", **overrides)
    assert info.value.parameter == parameter
    assert words in str(info.value)
    assert "example-minimal" in str(info.value)


def test_unknown_architecture_lists_the_known_ones():
    with pytest.raises(ArchitectureError) as info:
        odc.load_architecture("example-minimall")
    assert "did you mean example-minimal" in str(info.value)
    assert "known:" in str(info.value)


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate", "no-such-architecture"],
        ["evaluate", "example-minimal", "--set", "target_it_power"],
        ["evaluate", "example-minimal", "--set", "target_it_power=5 kg"],
        ["evaluate", "example-minimal", "--set", "nonsense=5"],
        ["show", "no-such-architecture"],
        ["evaluate", "example-minimal", "-o", "results.txt"],
    ],
)
def test_cli_bad_overrides_and_names_exit_2(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_cli_as_a_real_process_exit_2_without_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_FILES[3][1])
    out = tmp_path / "out.nc"
    proc = subprocess.run(
        [sys.executable, "-m", "orbitdc.cli", "evaluate", str(path), "-o", str(out)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "wrong dimension" in proc.stderr and "target_it_power" in proc.stderr
    assert proc.stdout == "" and not out.exists()


def test_cli_writes_netcdf_atomically_and_only_on_success(tmp_path):
    out = tmp_path / "ok.nc"
    assert cli.main(["evaluate", "example-minimal", "--set", "mission_lifetime=4,6", "-o", str(out)]) == 0
    assert out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["ok.nc"], "no temporary file left behind"
    import xarray as xr

    with xr.open_dataset(out) as ds:
        assert ds["mission_lifetime"].attrs["units"] == "yr"
        assert list(ds["mission_lifetime"].values) == [4.0, 6.0]


def test_valid_file_loads_with_units_converted_to_canonical(tmp_path):
    path = tmp_path / "bad.yaml"  # the file name is the architecture's name
    path.write_text(arch_text())
    arch = odc.load_architecture(path)
    p = arch.parameters["target_it_power"]
    assert p.value == 100 and p.unit == "MW"
    assert p.canonical_value == pytest.approx(100_000.0)  # 100 MW in the canonical kW
    assert "orbitdc-assumption" in arch.references


def test_space_only_parameter_in_a_terrestrial_file_is_refused(tmp_path):
    path = tmp_path / "ground.yaml"
    path.write_text(
        "name: ground\ndescription: d\nkind: terrestrial\nparameters:\n"
        "  altitude: {value: 650, unit: km, low: 600, high: 700, source: orbitdc-assumption}\n"
    )
    with pytest.raises(ArchitectureError) as info:
        odc.load_architecture(path)
    assert info.value.parameter == "altitude" and "terrestrial" in str(info.value)


def test_terrestrial_architecture_carries_no_orbit_parameters():
    arch = odc.load_architecture("terrestrial-hyperscale")
    assert "altitude" not in arch.parameters and "launch_vehicle" not in arch.parameters
    assert "electricity_price" in arch.parameters and "target_it_power" in arch.parameters
