"""A corpus of bad input, as a careless or hostile user would give it, across the command line, the
Python API and YAML files (issue 13, items 6, 7 and 9), and hypothesis fuzzing of the YAML loader
and of the ``--set`` parser.

The contract (README): bad input -> one line on stderr naming the file or parameter and the
reason, exit status 2, no traceback, nothing written, nothing deleted. Each command-line case
asserts exactly that: status 2, stderr one line starting ``orbitdc: error:`` without
"Traceback", the expected words, and the working folder unchanged (same files, sizes, times and
modes). The report's own faults (kills, the output folder's manifest) are tested with the report.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import orbitdc as odc
from orbitdc import chain, cli
from orbitdc.errors import ArchitectureError, OrbitdcError
from orbitdc.architectures import ARCHITECTURE_DIR
from orbitdc.arguments import check_override, parse_assignment

GOOD = """\
name: {name}
description: d
kind: space
parameters:
  target_it_power: {{value: 100, unit: MW, low: 50, high: 200, source: orbitdc-assumption}}
"""


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under ``root`` with its type, size, modification time and mode."""
    out = {}
    for p in sorted(root.rglob("*")):
        st_ = p.lstat()
        out[str(p.relative_to(root))] = (stat.S_IFMT(st_.st_mode), st_.st_size, st_.st_mtime_ns, stat.S_IMODE(st_.st_mode))
    return out


def write(name: str, text: str | bytes) -> Callable[[Path], None]:
    def setup(tmp: Path):
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return setup


def mkdir(name: str) -> Callable[[Path], None]:
    return lambda tmp: (tmp / name).mkdir(parents=True)


def fifo(name: str) -> Callable[[Path], None]:
    return lambda tmp: os.mkfifo(tmp / name)


def both(*setups) -> Callable[[Path], None]:
    def setup(tmp: Path):
        for s in setups:
            s(tmp)
    return setup


@dataclass
class Case:
    id: str
    argv: list[str]
    words: str  # must appear in the one-line message
    setup: Callable[[Path], None] = lambda tmp: None
    env: dict[str, str] = field(default_factory=dict)  # values may use {tmp}


MINIMAL = ["evaluate", "example-minimal"]
HOSTILE_ESCAPES = "\x1b[2J\x1b]0;owned\x07"
CASES = [
    # -- the command line itself ----------------------------------------------------------------
    Case("no-command", [], "required: COMMAND"),
    Case("unknown-command", ["frobnicate"], "invalid choice"),
    Case("unknown-option", ["list", "--colour"], "unrecognized arguments"),
    Case("evaluate-without-name", ["evaluate"], "required: name"),
    Case("notebooks-without-folder", ["notebooks"], "required: FOLDER"),
    # -- architecture names ---------------------------------------------------------------------
    Case("unknown-architecture", ["evaluate", "no-such-design"], "unknown architecture 'no-such-design'"),
    Case("mistyped-architecture", ["show", "google-suncatchr"], "did you mean google-suncatcher"),
    Case("escape-sequences-as-a-name", ["show", HOSTILE_ESCAPES], "\\x1b[2J"),
    Case("empty-name", ["show", ""], "empty architecture name"),
    # -- --set ----------------------------------------------------------------------------------
    Case("set-without-equals", MINIMAL + ["--set", "target_it_power"], "expected name=value"),
    Case("set-empty-value", MINIMAL + ["--set", "target_it_power="], "expected name=value"),
    Case("set-empty-name", MINIMAL + ["--set", "=5"], "expected name=value"),
    Case("set-name-with-space", MINIMAL + ["--set", "target it power=5"], "not a parameter name"),
    Case("set-mistyped-name", MINIMAL + ["--set", "altitud=600"], "did you mean altitude"),
    Case("set-wrong-dimension", MINIMAL + ["--set", "target_it_power=5 kg"], "cannot be converted"),
    Case("set-sweep-with-a-bad-item", MINIMAL + ["--set", "altitude=650 km,abc"], "'abc' is not a number"),
    Case("set-sweep-with-an-empty-item", MINIMAL + ["--set", "altitude=650,,700"], "empty item"),
    Case("set-sweep-wrong-dimension-item", MINIMAL + ["--set", "altitude=650 km,7 kg"], "cannot be converted"),
    Case("set-flag-for-a-number", MINIMAL + ["--set", "mission_lifetime=true"], "true/false is not a number"),
    Case("set-negative-power", MINIMAL + ["--set", "target_it_power=-1"], "out of range"),
    Case("set-nan", MINIMAL + ["--set", "target_it_power=nan"], "not a finite number"),
    Case("set-infinity", MINIMAL + ["--set", "target_it_power=inf"], "not a finite number"),
    Case("set-5000-digit-number", MINIMAL + ["--set", "target_it_power=" + "9" * 5000], "not a finite number"),
    Case("set-unknown-choice", MINIMAL + ["--set", "launch_vehicle=balloon"], "not one of"),
    Case("set-flag-as-text", MINIMAL + ["--set", "vertically_integrated_launch=maybe"], "true or false"),
    Case("set-flag-as-number", MINIMAL + ["--set", "vertically_integrated_launch=1"], "true or false"),
    Case("set-twice", MINIMAL + ["--set", "mission_lifetime=4", "--set", "mission_lifetime=5"], "given twice"),
    Case("set-mixing-flags-and-numbers", MINIMAL + ["--set", "mission_lifetime=true,5"], "mixes true/false"),
    Case("set-altitude-below-the-atmosphere", MINIMAL + ["--set", "altitude=50 km"], "out of range"),
    # -- -o -------------------------------------------------------------------------------------
    Case("output-empty-string", MINIMAL + ["-o", ""], "empty file name"),
    Case("output-unknown-extension", MINIMAL + ["-o", "results.txt"], "unknown file type '.txt'"),
    Case("output-no-extension", MINIMAL + ["-o", "results"], "unknown file type"),
    Case("output-existing-folder", MINIMAL + ["-o", "old"], "unknown file type", mkdir("old")),
    Case("output-folder-named-nc", MINIMAL + ["-o", "out.nc"], "is a folder", mkdir("out.nc")),
    Case("output-under-a-file", MINIMAL + ["-o", "notes.txt/out.nc"], "is a file, not a folder", write("notes.txt", "x")),
    Case("output-missing-folder", MINIMAL + ["-o", "nowhere/out.nc"], "does not exist"),
    Case("output-onto-a-fifo", MINIMAL + ["-o", "pipe.nc"], "not a regular file", fifo("pipe.nc")),
    Case("output-bad-input-writes-nothing", ["evaluate", "no-such-design", "-o", "out.csv"], "unknown architecture"),
    # -- files given to show/evaluate -----------------------------------------------------------
    Case("show-a-folder", ["show", "folder.yaml"], "is a folder", mkdir("folder.yaml")),
    Case("show-a-fifo", ["show", "pipe.yaml"], "not a regular file", fifo("pipe.yaml")),
    Case("show-dev-zero", ["show", "/dev/zero"], "not a regular file"),
    Case("show-missing-file", ["show", "missing.yaml"], "cannot read file"),
    Case("show-empty-file", ["show", "empty.yaml"], "expected a mapping", write("empty.yaml", "")),
    Case("show-binary-file", ["show", "bin.yaml"], "not UTF-8", write("bin.yaml", bytes(range(256)))),
    Case("show-huge-file", ["show", "huge.yaml"], "larger than", write("huge.yaml", "# " + "x" * 1_100_000)),
    Case("show-deep-nesting", ["show", "deep.yaml"], "nested too deeply", write("deep.yaml", "[" * 5000 + "]" * 5000)),
    Case("show-5000-digit-integer", ["show", "digits.yaml"], "more than 4300 digits",
         write("digits.yaml", "name: digits\nvalue: " + "9" * 5000 + "\n")),
    Case("show-unhashable-key", ["show", "keys.yaml"], "mapping key must be a plain value", write("keys.yaml", "? [a, b]\n: 1\n")),
    Case("show-name-differs-from-file", ["show", "first.yaml"], "must equal the file name 'first'",
         write("first.yaml", GOOD.format(name="second"))),
    Case("show-name-with-escapes", ["show", "esc.yaml"], "control characters",
         write("esc.yaml", GOOD.format(name='"\\e[31mesc"'))),
    Case("show-python-tag", ["show", "tag.yaml"], "invalid YAML",
         write("tag.yaml", "name: !!python/object/apply:os.system ['touch pwned']\n")),
    Case("evaluate-a-file-with-wrong-units", ["evaluate", "units.yaml", "-o", "out.nc"], "wrong dimension",
         write("units.yaml", GOOD.format(name="units").replace("unit: MW", "unit: kg"))),
    # -- user data ------------------------------------------------------------------------------
    Case("data-dir-missing", ["--data-dir", "nope", "list"], "does not exist"),
    Case("data-dir-is-a-file", ["list", "--data-dir", "file.txt"], "is not a folder", write("file.txt", "x")),
    Case("data-dir-environment-missing", ["list"], "ORBITDC_DATA_DIR", env={"ORBITDC_DATA_DIR": "{tmp}/gone"}),
    Case("working-directory-clash", ["list"], "defined twice",
         write("architectures/example-minimal.yaml", (ARCHITECTURE_DIR / "example-minimal.yaml").read_text())),
    Case("working-directory-bad-file", ["list"], "wrong dimension",
         write("architectures/mine.yaml", GOOD.format(name="mine").replace("unit: MW", "unit: kg"))),
    # -- report: found before any notebook kernel starts ----------------------------------------
    Case("report-negative-seed", ["report", "--seed", "-1"], "--seed -1"),
    Case("report-seed-2-to-the-64", ["report", "--seed", str(2**64)], "out of range"),
    Case("report-seed-not-a-number", ["report", "--seed", "abc"], "invalid int value"),
    Case("report-too-many-samples", ["report", "--samples", str(10**8)], "in memory"),
    Case("report-one-sample", ["report", "--samples", "1"], "at least 2"),
    Case("report-no-jobs", ["report", "--jobs", "0"], "at least 1"),
    Case("report-out-is-a-file", ["report", "--out", "notes.txt"], "is a file", write("notes.txt", "x")),
    Case("report-out-under-a-file", ["report", "--out", "notes.txt/r"], "is a file", write("notes.txt", "x")),
    Case("report-out-empty", ["report", "--out", ""], "empty folder name"),
    Case("report-unknown-architecture", ["report", "no-such-design"], "unknown architecture"),
    Case("report-mistyped-parameter", ["report", "--set", "launch_price_per_kgg=100"], "did you mean launch_price_per_kg"),
    Case("report-sweep-refused", ["report", "--set", "launch_price_per_kg=100,200"], "one value per parameter"),
    Case("report-bad-value", ["report", "--set", "launch_price_per_kg=-5"], "out of range"),
    # -- notebooks ------------------------------------------------------------------------------
    Case("notebooks-into-a-file", ["notebooks", "notes.txt"], "is a file", write("notes.txt", "x")),
    Case("notebooks-empty-folder-name", ["notebooks", ""], "empty folder name"),
]


@pytest.fixture
def clean(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORBITDC_DATA_DIR", raising=False)
    return tmp_path


def check_one_line(err: str, words: str) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("orbitdc: error: "), err
    assert "Traceback" not in err and "\x1b" not in err and "\x07" not in err
    assert words in err, err


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 60 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_command_line_bad_input(case, clean, monkeypatch, capsys):
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


# A few cases as real processes: what reaches a real stderr (warnings included), and that a FIFO
# or /dev/zero does not hang the command.
REAL = ["show-a-fifo", "show-dev-zero", "set-sweep-with-a-bad-item", "output-under-a-file", "show-deep-nesting",
        "report-seed-2-to-the-64", "escape-sequences-as-a-name", "no-command"]


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if c.id in REAL], ids=REAL)
def test_command_line_bad_input_in_a_real_process(case, tmp_path):
    case.setup(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "ORBITDC_DATA_DIR"}
    before = snapshot(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "orbitdc", *case.argv], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    check_one_line(proc.stderr, case.words)
    assert proc.stdout == ""
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------------------------------------
# Permissions: a read-only folder, an unreadable file. Root (CI) may write anywhere, so as root the
# command runs without the two capabilities that let root ignore file modes (dropped from the
# bounding set before exec: the process stays root but file modes apply to it).
# ---------------------------------------------------------------------------------------------
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def _without_override():
    if os.geteuid() == 0:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_unprivileged(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ORBITDC_DATA_DIR"}
    return subprocess.run([sys.executable, "-m", "orbitdc", *argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=180, stdin=subprocess.DEVNULL, preexec_fn=_without_override)


@pytest.fixture
def perm_tmp(tmp_path):
    (tmp_path / "ro").mkdir()
    (tmp_path / "secret.yaml").write_text(GOOD.format(name="secret"))
    os.chmod(tmp_path / "secret.yaml", 0o000)
    os.chmod(tmp_path / "ro", 0o555)
    yield tmp_path
    os.chmod(tmp_path / "ro", 0o755)
    os.chmod(tmp_path / "secret.yaml", 0o644)


PERMISSION_CASES = [
    ("output-into-a-read-only-folder", ["evaluate", "example-minimal", "-o", "ro/out.nc"], ".", "not writable"),
    ("show-an-unreadable-file", ["show", "secret.yaml"], ".", "Permission denied"),
    ("report-with-a-read-only-working-folder", ["report", "--samples", "2"], "ro", "not writable"),
    ("report-out-in-a-read-only-folder", ["report", "--out", "ro/r"], ".", "not writable"),
    ("notebooks-into-a-read-only-folder", ["notebooks", "ro/nb"], ".", "not writable"),
]


@pytest.mark.slow
@pytest.mark.parametrize("case_id,argv,cwd,words", PERMISSION_CASES, ids=[c[0] for c in PERMISSION_CASES])
def test_permissions(case_id, argv, cwd, words, perm_tmp):
    before = snapshot(perm_tmp)
    proc = run_unprivileged(argv, perm_tmp / cwd)
    assert proc.returncode == 2, proc.stderr
    check_one_line(proc.stderr, words)
    assert snapshot(perm_tmp) == before


# ---------------------------------------------------------------------------------------------
# The Python API: OrbitdcError with a one-line message, never a bare TypeError/ValueError
# ---------------------------------------------------------------------------------------------
API_CASES = [
    ("object-override", lambda: odc.evaluate("example-minimal", altitude=object()), "altitude"),
    ("dict-override", lambda: odc.evaluate("example-minimal", altitude={"a": 1}), "altitude"),
    ("none-override", lambda: odc.evaluate("example-minimal", altitude=None), "got None"),
    ("ragged-list", lambda: odc.evaluate("example-minimal", altitude=[[500, 600], [700]]), "altitude"),
    ("complex-number", lambda: odc.evaluate("example-minimal", altitude=1j), "complex"),
    ("bytes", lambda: odc.evaluate("example-minimal", altitude=b"650"), "bytes"),
    ("set", lambda: odc.evaluate("example-minimal", altitude={500, 600}), "set"),
    ("huge-integer", lambda: odc.evaluate("example-minimal", altitude=10**400), "altitude"),
    ("bool-for-number", lambda: odc.evaluate("example-minimal", mission_lifetime=True), "true/false"),
    ("list-with-bad-text", lambda: odc.evaluate("example-minimal", altitude=["650 km", "high"]), "'high'"),
    ("list-with-wrong-unit", lambda: odc.evaluate("example-minimal", altitude=["650 km", "3 kg"]), "cannot be converted"),
    ("flag-as-text", lambda: odc.evaluate("example-minimal", vertically_integrated_launch="true"), "true or false"),
    ("choice-as-number", lambda: odc.evaluate("example-minimal", launch_vehicle=5), "expected a name, one of"),
    ("architecture-none", lambda: odc.load_architecture(None), "got NoneType"),
    ("architecture-number", lambda: odc.load_architecture(5), "got int"),
    ("compare-with-none-inside", lambda: odc.compare([None]), "got NoneType"),
    ("sweep-none", lambda: odc.sweep("example-minimal", altitude=None), "got None"),
    ("unknown-catalog", lambda: odc.load_catalog("accelerator"), "did you mean accelerators"),
    ("seed-negative", lambda: __import__("orbitdc.arguments").arguments.check_seed(-1), "out of range"),
    ("seed-float", lambda: __import__("orbitdc.arguments").arguments.check_seed(1.5), "whole number"),
    ("samples-bool", lambda: __import__("orbitdc.arguments").arguments.check_samples(True), "whole number"),
    ("parse-not-text", lambda: parse_assignment(5), "expected text"),
]


@pytest.mark.parametrize("case_id,call,words", API_CASES, ids=[c[0] for c in API_CASES])
def test_python_api_bad_input(case_id, call, words, clean):
    before = snapshot(clean)
    with pytest.raises(OrbitdcError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message and words in message, message
    assert snapshot(clean) == before


# ---------------------------------------------------------------------------------------------
# Fuzzing: the --set parser and the YAML loader raise OrbitdcError or succeed, nothing else
# ---------------------------------------------------------------------------------------------
ARCH = odc.load_architecture("google-suncatcher")
NAMES = ["target_it_power", "altitude", "mission_lifetime", "orbit_type", "launch_vehicle",
         "vertically_integrated_launch", "launch_price_per_kg"]
UNITS = ["", " km", " kg", " MW", " USD/kg", " yr", " 1", " km/s", " deg_C", " rad_Si/yr", " parsec"]
number_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.sampled_from(["true", "false", "sso", "inclined", "starship", "1e400", "-0", "0x10", "1_000", " "]),
)
value_text = st.one_of(
    st.text(max_size=40),
    st.builds(lambda n, unit: n + unit, number_text, st.sampled_from(UNITS)),
    st.lists(st.builds(lambda n, unit: n + unit, number_text, st.sampled_from(UNITS)), min_size=1, max_size=4).map(",".join),
)


@given(st.text(max_size=80))
def test_fuzz_set_parser_on_any_text(text):
    try:
        name, value = parse_assignment(text)
    except OrbitdcError as exc:
        assert "\n" not in str(exc) or "\n" in text
        return
    assert isinstance(name, str) and name.isidentifier()


@given(st.sampled_from(NAMES), value_text)
def test_fuzz_set_values_reach_the_chain_as_orbitdc_errors_or_inputs(name, text):
    try:
        _, value = parse_assignment(f"{name}={text}")
        ds = chain.build_inputs(ARCH, {name: value})
    except OrbitdcError:
        return
    assert name in ds


python_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**400, max_value=10**400), st.floats(),
              st.text(max_size=10), st.complex_numbers(), st.binary(max_size=5)),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=3), children, max_size=2),
                               st.tuples(children, children)),
    max_leaves=6,
)


SPECS = chain.parameter_specs()


@given(st.sampled_from(NAMES), python_values)
def test_fuzz_python_overrides_are_orbitdc_errors_or_inputs(name, value):
    # parameters.check_override refuses what the chain cannot take (a choice or flag of the wrong
    # type, a ragged list); what it lets through, the chain takes or refuses as an OrbitdcError.
    try:
        check_override(name, value, SPECS[name])
        chain.build_inputs(ARCH, {name: value})
    except OrbitdcError:
        pass


@pytest.mark.parametrize("name,value", [("orbit_type", ([], [])), ("vertically_integrated_launch", [[True], []])])
def test_evaluate_refuses_a_ragged_choice_or_flag_override(name, value):
    with pytest.raises(OrbitdcError):
        chain.build_inputs(ARCH, {name: value})


def _load_text(data: bytes, name: str = "fuzz") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.yaml"
        path.write_bytes(data)
        try:
            odc.load_architecture(path)
        except ArchitectureError as exc:
            assert path.name in str(exc)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=300)))
def test_fuzz_yaml_loader_on_any_bytes(data):
    _load_text(data)


BASE = yaml.safe_load(GOOD.format(name="fuzz"))
PATHS = [("name",), ("description",), ("kind",), ("company",), ("parameters",), ("parameters", "target_it_power"),
         ("parameters", "target_it_power", "value"), ("parameters", "target_it_power", "unit"),
         ("parameters", "target_it_power", "low"), ("parameters", "target_it_power", "high"),
         ("parameters", "target_it_power", "source"), ("parameters", "target_it_power", "distribution"),
         ("parameters", "mission_lifetime"), ("parameters", "altitude", "value"), ("extra",)]
yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**300, max_value=10**300),
              st.floats(), st.text(max_size=12), st.sampled_from(["MW", "kg", "triangular", "orbitdc-assumption", "fuzz"])),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)),
    max_leaves=8,
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), yaml_values)
def test_fuzz_yaml_loader_on_mutated_architectures(path, value):
    import copy

    doc = copy.deepcopy(BASE)
    node = doc
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value
    try:
        text = yaml.safe_dump(doc, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        return
    _load_text(text.encode("utf-8"))


def test_compare_of_none_is_an_orbitdc_error():
    with pytest.raises(OrbitdcError):
        odc.compare(None)
