"""orbitdc.report and `orbitdc report`: validation before any kernel, literal parameters, atomic
output, failure reporting, settings in data/report.yaml, and the stored notebooks' shape.

The notebook runner is exercised here with small stand-in notebooks (fast); the real notebooks run
end to end in tests/test_browser_report.py.
"""
from __future__ import annotations

import ast
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from orbitdc import cli, report
from orbitdc.report import builder
from orbitdc.errors import OrbitdcError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SEED = ["spacex-starlink-compute", "blue-origin-orbital-dc", "openai-partnered-compute", "terrestrial-hyperscale"]
PARAMETER_NAMES = {"architectures", "overrides", "samples", "seed", "output_dir"}


# --------------------------------------------------------------------------------------------
# The stored notebooks
# --------------------------------------------------------------------------------------------
def test_all_seven_notebooks_exist():
    names = {p.stem for p in NOTEBOOKS}
    assert names == {"00_feasibility_report", "01_orbit_environment", "02_power_thermal", "03_launch_logistics",
                     "04_economics", "05_uncertainty", "06_trajectory"}
    assert set(report.PAGE_ORDER) == names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has stored outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_one_parameters_cell_with_the_agreed_names(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    names = {t.id for node in ast.parse(tagged[0].source).body for t in node.targets}
    assert PARAMETER_NAMES <= names
    # the defaults are literals (papermill replaces them with literals too)
    for node in ast.parse(tagged[0].source).body:
        ast.literal_eval(node.value)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_holds_no_model_logic(path):
    """Code cells only call orbitdc.report (the Study: one door) and the app's live panel: no function or class
    definitions, loops, arithmetic or imports of anything else."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.For, ast.While, ast.Lambda, ast.BinOp)), \
                f"{path.name}: model logic in a cell: {ast.dump(node)[:80]}"
            assert not isinstance(node, ast.Import), f"{path.name}: import the Study from orbitdc.report"
            if isinstance(node, ast.ImportFrom):  # one door: the Study (and, in JupyterLab only, the app's live panel)
                assert (node.module, [a.name for a in node.names]) in (("orbitdc.report", ["Study"]),
                                                                       ("orbitdc.app", ["live_panel"])), ast.dump(node)
        assert len(cell.source.splitlines()) <= 6, f"{path.name}: keep cells short"


def test_the_trajectory_notebook_goes_through_the_study():
    """06 computes the year-by-year model through the Study (its cache and key), and saves it for
    the summary notebook, which runs after it."""
    nb = nbformat.read(ROOT / "notebooks" / "06_trajectory.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "study.save_trajectory()" in code and "study.save_trajectory(samples=False)" in code
    assert "trajectory(" not in code.replace("save_trajectory(", "")
    from orbitdc.report.builder import SUMMARY_READS

    assert "06_trajectory" in SUMMARY_READS


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------
def test_settings_thresholds_have_units_sources_and_notes():
    cfg = report.settings()
    for name in ("cost_ratio_parity", "interval_probability", "radiation_margin", "max_deployment_years"):
        t = cfg["thresholds"][name]
        assert t["unit"] and t["note"] and t["source"]
    assert cfg["defaults"]["architectures"] == SEED
    assert 0 < report.threshold("interval_probability") < 1


def test_make_report_defaults_in_cli():
    args = cli.build_parser().parse_args(["report"])
    assert args.architectures == [] and args.out is None  # report.main fills in the defaults
    assert report.DEFAULT_OUT == Path("reports") / "feasibility"


# --------------------------------------------------------------------------------------------
# Validation before any kernel starts (exit 2, nothing written)
# --------------------------------------------------------------------------------------------
def _cli(argv, tmp_path):
    return cli.main(["report", *argv, "--out", str(tmp_path / "out")])


def test_unknown_parameter_lists_valid_names(tmp_path, capsys):
    assert _cli(["example-minimal", "--set", "altitud=650 km"], tmp_path) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "altitud" in err and "valid names" in err and "altitude" in err
    assert not (tmp_path / "out").exists()


def test_unknown_architecture_is_bad_input(tmp_path, capsys):
    assert _cli(["no-such-architecture"], tmp_path) == 2
    assert "no-such-architecture" in capsys.readouterr().err


def test_out_of_range_value_is_bad_input(tmp_path, capsys):
    assert _cli(["example-minimal", "--set", "altitude=-5 km"], tmp_path) == 2
    err = capsys.readouterr().err
    assert "altitude" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_sweep_values_are_refused_in_the_report(tmp_path, capsys):
    assert _cli(["example-minimal", "--set", "altitude=500,600"], tmp_path) == 2
    assert "one value per parameter" in capsys.readouterr().err


def test_refuses_to_replace_a_folder_that_is_not_a_report(tmp_path, capsys):
    keep = tmp_path / "out" / "precious.txt"
    keep.parent.mkdir()
    keep.write_text("mine")
    assert _cli(["example-minimal"], tmp_path) == 2
    assert "orbitdc did not write" in capsys.readouterr().err
    assert keep.read_text() == "mine"


# --------------------------------------------------------------------------------------------
# Parameters go in as literals, never as code
# --------------------------------------------------------------------------------------------
HOSTILE = [
    '"); import os; os.system("touch /tmp/pwned") #',
    "\\\"; raise SystemExit('x') #",
    "'''\nimport os\n'''",
    "</script><script>alert(1)</script>",
    "naïve ☃ \x00 \t tab",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_papermill_injects_strings_as_literals(text):
    from papermill.translators import PythonTranslator

    params = report.literal_parameters({"architectures": [text], "overrides": {"x": text, "y": 1.5, "z": True}})
    code = PythonTranslator.codify(params)
    tree = ast.parse(code)
    got = {n.targets[0].id: ast.literal_eval(n.value) for n in tree.body}
    assert got == params


def test_non_literal_parameters_are_refused():
    with pytest.raises(OrbitdcError):
        report.literal_parameters({"overrides": {"x": object()}})
    with pytest.raises(OrbitdcError):
        report.literal_parameters({"samples": float("nan")})


# --------------------------------------------------------------------------------------------
# The HTML checks
# --------------------------------------------------------------------------------------------
def test_external_reference_detection():
    assert report.external_references('<script src="https://cdn.example/x.js"></script>')
    assert report.external_references("<link rel=stylesheet href='//cdn.example/x.css'>")
    assert report.external_references("<style>@import url(https://fonts.example/f.css);</style>")
    assert not report.external_references('<script type="text/javascript">var u = "https://bokeh.org/";</script>')
    assert not report.external_references('<a href="https://arxiv.org/abs/2511.19468">paper</a>')


def test_table_html_escapes_text():
    out = report.table_html([{"a<b": "<script>alert(1)</script>"}])
    assert "<script>" not in out and "&lt;script&gt;" in out and "a&lt;b" in out


# --------------------------------------------------------------------------------------------
# Atomic output, failures named by notebook and cell (stand-in notebooks: fast)
# --------------------------------------------------------------------------------------------
META = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}, "language_info": {"name": "python"}}
PARAMS_SRC = ("architectures = []\noverrides = {}\nsamples = 1\nseed = 0\noutput_dir = '.'\nstatic_html = False")


def _standin(path: Path, body: str) -> None:
    nb = nbformat.v4.new_notebook(metadata=META)
    params = nbformat.v4.new_code_cell(PARAMS_SRC)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# stand-in"), params, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)


def _standins(folder: Path, failing: str | None = None, body: str = "print(architectures)") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in report.PAGE_ORDER:
        _standin(folder / f"{name}.ipynb", "raise RuntimeError('model failure in stand-in')" if name == failing else body)
    return folder


def _previous_report(out: Path) -> None:
    """An earlier report: what orbitdc writes, with its manifest (so it may be replaced)."""
    from orbitdc.report import folder

    out.mkdir(parents=True)
    (out / "index.html").write_text("previous report")
    (out / "provenance.json").write_text("{}")
    folder.write_manifest(out)


@pytest.mark.slow
def test_failing_notebook_leaves_previous_report_and_names_the_cell(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    _previous_report(out)
    monkeypatch.setattr(builder, "NOTEBOOK_DIR", _standins(tmp_path / "nb", failing="02_power_thermal"))
    status = cli.main(["report", "example-minimal", "--out", str(out), "--jobs", "2"])
    err = capsys.readouterr().err
    assert status == 1
    assert "02_power_thermal.ipynb" in err and "cell 3 (\"raise RuntimeError" in err and "RuntimeError: model failure" in err
    assert "Traceback" not in err
    assert (out / "index.html").read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []  # temp folder removed


@pytest.mark.slow
def test_successful_run_replaces_previous_report_atomically(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _previous_report(out)
    monkeypatch.setattr(builder, "NOTEBOOK_DIR", _standins(tmp_path / "nb"))
    monkeypatch.chdir(tmp_path)  # a relative --out, as `make report` passes it
    path = report.build(["example-minimal"], {"target_it_power": "50 MW"}, out=Path("out"), jobs=2, samples=3, seed=7,
                        progress=False)
    assert path.resolve() == out.resolve()
    assert "previous report" not in (out / "index.html").read_text()
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["seed"] == 7 and prov["samples"] == 3
    assert prov["parameters"]["overrides"] == {"target_it_power": "50 MW"}
    for key in ("orbitdc_version", "git_commit", "packages", "start_time", "end_time"):
        assert key in prov
    assert prov["start_time"] <= prov["end_time"]
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == sorted(f"{n}.ipynb" for n in report.PAGE_ORDER)
    executed = nbformat.read(out / "notebooks" / "01_orbit_environment.ipynb", as_version=4)
    assert "['example-minimal']" in executed.cells[-1].outputs[0]["text"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []


@pytest.mark.slow
def test_pdf_of_the_same_study_reuses_the_report(tmp_path, monkeypatch):
    """`orbitdc report --pdf` after a report of the same study (same key: architectures, overrides,
    samples, seed, code, data, notebooks) prints that report instead of computing it again."""
    monkeypatch.setattr(builder, "NOTEBOOK_DIR", _standins(tmp_path / "nb"))
    monkeypatch.setattr(builder, "find_chromium", lambda: ("chromium", "chromedriver"))
    printed = []
    monkeypatch.setattr(builder, "print_pdf", lambda page, dest: printed.append(page) or dest.write_bytes(b"%PDF-1.4"))
    out = tmp_path / "out"
    report.build(["example-minimal"], out=out, jobs=2, samples=3, seed=7, progress=False)
    first = json.loads((out / "provenance.json").read_text())
    assert first["study_key"]

    def no_run(*a, **k):
        raise AssertionError("the notebooks ran again")

    monkeypatch.setattr(builder, "run_notebooks", no_run)
    report.build(["example-minimal"], out=out, jobs=2, samples=3, seed=7, progress=False, pdf=True)
    assert (out / "report.pdf").read_bytes() == b"%PDF-1.4" and len(printed) == 1
    assert json.loads((out / "provenance.json").read_text()) == first
    assert builder.folder.foreign_entry(out) is None  # the manifest lists the PDF
    # another seed is another study: computed (here: refused by the stand-in)
    with pytest.raises(AssertionError, match="ran again"):
        report.build(["example-minimal"], out=out, jobs=2, samples=3, seed=8, progress=False, pdf=True)


@pytest.mark.slow
def test_killed_run_leaves_previous_report(tmp_path):
    out = tmp_path / "out"
    _previous_report(out)
    nbdir = _standins(tmp_path / "nb", body="import time; time.sleep(60)")
    code = ("import sys; from orbitdc import report; "
            f"report.build(['example-minimal'], out={str(out)!r}, jobs=2, notebooks_dir={str(nbdir)!r}, progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not any(p.name.startswith(".out.tmp-") for p in tmp_path.iterdir()):
        time.sleep(0.2)
    time.sleep(3)  # notebooks running
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (out / "index.html").read_text() == "previous report"
    assert (out / "provenance.json").read_text() == "{}"


# --------------------------------------------------------------------------------------------
# One job per module, dependencies pointing down (DESIGN.md)
# --------------------------------------------------------------------------------------------
def _imports(module: str) -> set[str]:
    """The modules of the report package ``module`` (``orbitdc/report/<module>.py``) imports."""
    tree = ast.parse((ROOT / "orbitdc" / "report" / f"{module}.py").read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:  # `from . import X` imports module X
            out.update([node.module] if node.module else [a.name for a in node.names])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "") == "orbitdc.report":
            out.add("")  # the package's door
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("orbitdc.report."):
            out.add(node.module.split(".")[2])
    return out


# the report's modules, from the bottom: each imports only modules before it in this order
REPORT_ORDER = ["settings", "record", "wording", "figures", "tables", "methods", "beliefs", "published", "sections",
                "study", "page", "pdf", "workers", "folder", "builder"]


@pytest.mark.parametrize("module", REPORT_ORDER)
def test_report_parts_never_import_the_report_door(module):
    assert "" not in _imports(module)  # the package's __init__ imports them, never the other way


def test_report_parts_import_in_one_direction():
    assert sorted(REPORT_ORDER) == sorted(p.stem for p in (ROOT / "orbitdc" / "report").glob("*.py") if p.stem != "__init__")
    order = {m: i for i, m in enumerate(REPORT_ORDER)}
    for m, i in order.items():
        later = {n for n, j in order.items() if j > i}
        assert not (_imports(m) & later), f"{m} imports a module above it: {_imports(m) & later}"
    assert "figures" not in _imports("workers") | _imports("folder") | _imports("pdf")


# --------------------------------------------------------------------------------------------
# The report's modules under their old names (one release, with a DeprecationWarning)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("old, name, new", [
    ("verdicts", "first_screen", "orbitdc.report.wording"), ("verdicts", "answer", "orbitdc.report.record"),
    ("verdicts", "summary_rows", "orbitdc.report.tables"), ("study", "Study", "orbitdc.report.study"),
    ("study", "value_of", "orbitdc.report.record"), ("plots", "cost_stack", "orbitdc.report.figures"),
    ("report_sections", "scenario_outcomes", "orbitdc.report.beliefs"),
    ("report_sections", "reconciliation_html", "orbitdc.report.published"),
    ("tables", "claims_html", "orbitdc.report.published"), ("tables", "methods_html", "orbitdc.report.methods"),
    ("export", "external_references", "orbitdc.report.page"), ("runner", "Job", "orbitdc.report.workers"),
    ("outdir", "write_manifest", "orbitdc.report.folder"), ("methods", "docstring_html", "orbitdc.report.methods"),
    ("pdf", "find_chromium", "orbitdc.report.pdf"), ("report_settings", "threshold", "orbitdc.report.settings"),
])
def test_old_module_names_still_import_with_a_deprecation_warning(old, name, new, monkeypatch):
    import importlib

    monkeypatch.delitem(sys.modules, f"orbitdc.{old}", raising=False)
    with pytest.warns(DeprecationWarning, match=rf"orbitdc\.{old} is deprecated: use "):
        module = importlib.import_module(f"orbitdc.{old}")
    assert getattr(module, name) is getattr(importlib.import_module(new), name)
    with pytest.raises(AttributeError, match="moved"):
        getattr(module, "no_such_name")


def test_a_notebook_worker_starts_without_the_plotting_stack():
    """Each notebook of a report runs in its own worker process (``python -m
    orbitdc.report.workers``); importing it must not pull HoloViews, Bokeh or Panel through the
    package's names (~4 s per notebook): those are imported on first use (PEP 562)."""
    import subprocess
    import sys

    code = ("import sys, orbitdc.report.workers; "
            "print(' '.join(m for m in ('holoviews', 'bokeh', 'panel', 'papermill') if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert res.stdout.strip() == "", res.stdout


def test_every_name_of_the_report_package_resolves():
    import importlib

    fresh = importlib.import_module("orbitdc.report")
    for name in fresh.__all__:
        assert getattr(fresh, name) is not None, name
    assert callable(fresh.settings) and fresh.settings()["defaults"]["architectures"]  # the function, not the module
    import sys

    assert fresh.settings is sys.modules["orbitdc.report.settings"].settings
