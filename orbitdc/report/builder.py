"""``orbitdc report``: run the notebooks with papermill, export one self-contained HTML page.

``orbitdc report [ARCH ...] [--set name=value ...] [--scenario S] [--out reports/NAME] [--jobs N] [--pdf]``

This module orchestrates; each step has its own module of :mod:`orbitdc.report`:

* :mod:`~orbitdc.report.study` -- what is computed (:class:`~orbitdc.report.study.Study`), with
  results cached under a key of everything that determines them;
* :mod:`~orbitdc.report.record` -- the numbers said about each architecture;
  :mod:`~orbitdc.report.wording` -- the words (templated sentences from the record and the
  thresholds in ``data/report.yaml``, :mod:`~orbitdc.report.settings`); the sections the notebooks
  show (:mod:`~orbitdc.report.sections`: tables, figures, beliefs, published analyses, methods);
* :mod:`~orbitdc.report.workers` -- the papermill workers, supervised so that nothing outlives the report;
* :mod:`~orbitdc.report.page` -- executed notebooks -> one HTML page (:mod:`~orbitdc.report.pdf`: the PDF);
* :mod:`~orbitdc.report.folder` -- the report folder: its manifest, what may be replaced, debris of
  killed runs, the atomic move into place.

:func:`build`:

1. Validate everything before any kernel starts: ``--out`` must be absent, empty or an earlier
   report holding only what orbitdc wrote; the architectures load through orbitdc's own
   validation, every ``--set`` name must be a parameter of at least one selected architecture (an
   unknown name lists the valid ones), and the inputs are built with the overrides
   (:func:`orbitdc.chain.build_inputs`), so a bad value is an :class:`~orbitdc.errors.OrbitdcError`
   (exit 2) and nothing runs.
2. Run the notebooks in ``notebooks/`` with papermill in a temporary folder beside the target:
   the stage notebooks (01-06) in parallel up to ``--jobs``, then ``00_feasibility_report`` (which
   reads the Monte Carlo results 05 wrote and the year-by-year model 06 wrote). Parameters are
   injected by papermill as Python literals (strings are escaped data, never code); they are plain
   JSON types checked here first.
3. Export one HTML page, write ``provenance.json`` and the manifest, and move the folder into place
   at the end: a failing, interrupted or killed run leaves any previous report untouched.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from .. import _version
from ..arguments import parse_assignment
from ..errors import OrbitdcError
from ..parameters import NOTEBOOK_DIR
from . import folder
from .page import export_html
from .pdf import find_chromium, print_pdf
from .settings import settings
from .study import _OK_TYPES, study_key, validate
from .workers import Interrupted, Job, interrupts_raise, signals_deferred

__all__ = ["DEFAULT_OUT", "NOTEBOOK_DIR", "PAGE_ORDER", "STAGE_NOTEBOOKS", "SUMMARY_NOTEBOOK", "NotebookFailed",
           "build", "literal_parameters", "main", "provenance", "run_notebooks"]

#: The checkout (for the git commit in provenance.json) or, installed from a wheel, the package.
ROOT = NOTEBOOK_DIR.parent
DEFAULT_OUT = Path("reports") / "feasibility"

#: Stage notebooks: independent of each other, run in parallel (those the summary notebook reads first).
STAGE_NOTEBOOKS = ("05_uncertainty", "06_trajectory", "01_orbit_environment", "02_power_thermal", "03_launch_logistics",
                   "04_economics")
#: The comparison across architectures: runs last (reads the Monte Carlo results of 05 and 06).
SUMMARY_NOTEBOOK = "00_feasibility_report"
#: The notebooks whose results the summary notebook reads (it starts when they are done).
SUMMARY_READS = ("05_uncertainty", "06_trajectory")
#: Order of the sections in the HTML page.
PAGE_ORDER = (SUMMARY_NOTEBOOK, "01_orbit_environment", "02_power_thermal", "03_launch_logistics",
              "04_economics", "05_uncertainty", "06_trajectory")


def literal_parameters(params: Mapping[str, Any]) -> dict[str, Any]:
    """Check that notebook parameters are plain JSON data (so papermill injects literals only)."""
    def ok(v):
        if isinstance(v, _OK_TYPES) or v is None:
            return not (isinstance(v, float) and not np.isfinite(v))
        if isinstance(v, (list, tuple)):
            return all(ok(x) for x in v)
        if isinstance(v, dict):
            return all(isinstance(k, str) and ok(x) for k, x in v.items())
        return False

    for k, v in params.items():
        if not ok(v):
            raise OrbitdcError(f"notebook parameter '{k}': {v!r} is not plain data")
    return json.loads(json.dumps(dict(params)))


# --------------------------------------------------------------------------------------------
# Running the notebooks
# --------------------------------------------------------------------------------------------
class NotebookFailed(Exception):
    """A notebook failed: its name, the cell (1-based, as in notebooks/, without papermill's
    injected cell), the cell's first line, and the error."""

    def __init__(self, notebook: str, cell: int | None, first_line: str, ename: str, evalue: str):
        self.notebook, self.cell, self.ename, self.evalue = notebook, cell, ename, evalue
        where = f"cell {cell} ({first_line!r})" if cell is not None else "kernel startup"
        super().__init__(f"notebook {notebook} failed at {where}: {ename}: {evalue}")


def _source_cell(executed: Path, index: int | None) -> tuple[int | None, str]:
    """The failing cell -> (1-based cell number in the source notebook, its first line).

    Found in the executed copy as the cell holding the error output; papermill's injected
    parameters cell and its error-marker cells are not counted (they are not in notebooks/)."""
    added = {"injected-parameters", "papermill-error-cell-tag"}
    try:
        import nbformat

        cells = nbformat.read(executed, as_version=4).cells
        pos = next(i for i, c in enumerate(cells) if c.cell_type == "code"
                   and any(o.get("output_type") == "error" for o in c.get("outputs", [])))
    except Exception:  # the executed copy may be incomplete; papermill's index is still useful
        return (index + 1 if index is not None else None), ""
    number = 1 + sum(1 for c in cells[:pos] if not added & set(c.metadata.get("tags", [])))
    src = cells[pos].source.strip()
    return number, (src.splitlines()[0][:80] if src else "")


def run_notebooks(workdir: Path, params: dict, jobs: int, notebooks_dir: Path | None = None,
                  progress: bool = True) -> dict[str, float]:
    """Run the stage notebooks in parallel (up to ``jobs``), then the summary notebook (after
    :data:`SUMMARY_READS`, whose results it reads). The first failure, or an interrupt
    (:class:`orbitdc.interrupts.Interrupted`), stops every worker and its kernel before returning."""
    from tqdm import tqdm

    notebooks_dir = Path(notebooks_dir or NOTEBOOK_DIR)
    missing = [n for n in (*STAGE_NOTEBOOKS, SUMMARY_NOTEBOOK) if not (notebooks_dir / f"{n}.ipynb").exists()]
    if missing:
        raise OrbitdcError(f"notebooks missing from {notebooks_dir}: {', '.join(missing)}")
    (workdir / "notebooks").mkdir(parents=True, exist_ok=True)
    (workdir / ".orbitdc-run").mkdir(parents=True, exist_ok=True)
    params_file = workdir / ".orbitdc-run" / "parameters.json"
    params_file.write_text(json.dumps(params), encoding="utf-8")
    queue = list(STAGE_NOTEBOOKS)
    running: list[Job] = []
    times: dict[str, float] = {}
    bar = tqdm(total=len(queue) + 1, desc="orbitdc report", unit="step", file=sys.stderr, disable=not progress)
    try:
        while queue or running:
            # the summary notebook waits for the notebooks whose results it reads; others start as slots free up
            while queue and len(running) < max(1, jobs):
                nxt = next((n for n in queue if n != SUMMARY_NOTEBOOK or all(r in times for r in SUMMARY_READS)), None)
                if nxt is None:
                    break
                queue.remove(nxt)
                running.append(Job(nxt, notebooks_dir / f"{nxt}.ipynb", workdir / "notebooks" / f"{nxt}.ipynb",
                                   workdir, params_file))
            time.sleep(0.2)
            for job in list(running):
                res = job.result()
                if res is None:
                    continue
                running.remove(job)
                if not res["ok"]:
                    raise NotebookFailed(f"{job.name}.ipynb", *_source_cell(workdir / "notebooks" / f"{job.name}.ipynb", res.get("cell")),
                                         res["ename"], res["evalue"])
                times[job.name] = round(res["seconds"], 2)
                bar.set_postfix_str(job.name)
                bar.update(1)
                if job.name in SUMMARY_READS and all(r in times for r in SUMMARY_READS):
                    queue.append(SUMMARY_NOTEBOOK)  # once: when the last of the notebooks it reads is done
    finally:
        for job in running:
            job.stop()
        bar.close()
    shutil.rmtree(workdir / ".orbitdc-run", ignore_errors=True)
    return times


# --------------------------------------------------------------------------------------------
# Provenance and the atomic build
# --------------------------------------------------------------------------------------------
PROVENANCE_PACKAGES = ("numpy", "scipy", "xarray", "astropy", "boinor", "pymsis", "radbelt", "pydantic", "dask",
                       "SALib", "holoviews", "bokeh", "papermill", "nbconvert", "nbformat", "netCDF4")


def provenance(params: dict, start: datetime, end: datetime, notebook_seconds: Mapping[str, float]) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    pkgs = {}
    for p in PROVENANCE_PACKAGES:
        try:
            pkgs[p] = version(p)
        except PackageNotFoundError:
            pkgs[p] = None
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip() or None
        dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        commit, dirty = None, None
    return {
        "orbitdc_version": _version.__version__,
        "git_commit": commit,
        "git_dirty": dirty,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": pkgs,
        "parameters": params,
        "seed": params.get("seed"),
        "samples": params.get("samples"),
        "start_time": start.isoformat(),
        "end_time": end.isoformat(),
        "notebook_seconds": dict(notebook_seconds),
    }


def build(architectures: Sequence[str], overrides: Mapping[str, Any] | None = None, out: str | Path = DEFAULT_OUT,
          jobs: int = 2, samples: int | None = None, seed: int | None = None,
          notebooks_dir: str | Path | None = None, progress: bool = True, scenario: str | None = None,
          pdf: bool = False) -> Path:
    """Validate, run the notebooks, export ``index.html`` (and, with ``pdf``, print it to
    ``report.pdf`` with headless Chromium, :mod:`orbitdc.report.pdf`); move the folder into place at the end.

    Raises OrbitdcError for bad input (before anything runs; ``out`` must be absent, empty or an
    earlier report holding only what orbitdc wrote, see :mod:`orbitdc.report.folder`), and
    :class:`NotebookFailed` when a notebook fails. Whatever is raised (an interrupt included), the
    workers and their kernels are stopped, the temporary folder is removed and any previous report
    at ``out`` is left untouched.
    """
    start = datetime.now(timezone.utc)
    cfg = settings()
    if not str(out).strip():
        raise OrbitdcError("--out: empty folder name")
    out = Path(out)
    folder.check_replaceable(out)
    if jobs < 1:
        raise OrbitdcError(f"--jobs {jobs}: must be at least 1")
    if samples is not None and samples < 2:
        raise OrbitdcError(f"--samples {samples}: must be at least 2")
    if pdf:
        find_chromium()  # no Chromium: say so now, before any notebook runs
    overrides = dict(overrides or {})
    archs = validate(list(architectures), overrides, scenario)
    arch_args = [str(Path(a).resolve()) if (Path(str(a)).suffix in (".yaml", ".yml") or "/" in str(a)) else str(a)
                 for a in architectures]
    params = literal_parameters({
        "architectures": arch_args,
        "overrides": overrides,
        "samples": int(samples if samples is not None else cfg["defaults"]["samples"]),
        "seed": int(seed if seed is not None else cfg["defaults"]["seed"]),
        "output_dir": ".",
        "static_html": True,
        "scenario": scenario,
    })
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OrbitdcError(f"--out {out}: cannot create its parent folder ({exc.strerror})") from None
    folder.remove_stale(out)  # debris of runs that were killed (SIGKILL) before they could clean up
    nb_dir = Path(notebooks_dir or NOTEBOOK_DIR).resolve()
    key = report_key(archs, overrides, params["samples"], params["seed"], scenario, nb_dir)
    try:
        work = folder.make_workdir(out)
    except OSError as exc:
        raise OrbitdcError(f"--out {out}: cannot write beside it ({exc.strerror})") from None
    if pdf and _same_study(out, key):
        # the report at --out computed this very study (same key): print it, compute nothing again
        try:
            shutil.copytree(out, work, dirs_exist_ok=True)
            (work / folder.MANIFEST).unlink(missing_ok=True)
            print_pdf(work / "index.html", work / "report.pdf")
            prov = json.loads((work / "provenance.json").read_text(encoding="utf-8"))
            folder.write_manifest(work, {"orbitdc_version": prov.get("orbitdc_version"), "end_time": prov.get("end_time")})
            with signals_deferred():
                folder.check_replaceable(out)
                folder.move_into_place(work, out)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return out
    try:
        times = run_notebooks(work, params, jobs, nb_dir, progress=progress)
        params["architecture_names"] = [a.name for a in archs]
        prov = provenance(params, start, datetime.now(timezone.utc), times)
        prov["study_key"] = key
        export_html([work / "notebooks" / f"{n}.ipynb" for n in PAGE_ORDER if (work / "notebooks" / f"{n}.ipynb").exists()],
                    work / "index.html", prov)
        if pdf:
            print_pdf(work / "index.html", work / "report.pdf")
        (work / "provenance.json").write_text(json.dumps(prov, indent=2), encoding="utf-8")
        folder.write_manifest(work, {"orbitdc_version": prov["orbitdc_version"], "end_time": prov["end_time"]})
        with signals_deferred():  # the two renames are not cut in half by an interrupt
            folder.check_replaceable(out)  # again: the user may have put a file there meanwhile
            folder.move_into_place(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return out


def report_key(archs, overrides: Mapping[str, Any], samples: int, seed: int, scenario: str | None,
               notebooks_dir: Path) -> str:
    """The key of a report: the study's key (:func:`orbitdc.report.study.study_key`: architectures,
    overrides, samples, seed, scenario, orbitdc's code and data) and the notebooks it runs."""
    import hashlib

    h = hashlib.sha256(study_key(archs, overrides, samples, seed, scenario).encode())
    for n in sorted(Path(notebooks_dir).glob("*.ipynb")):
        h.update(n.name.encode() + b"\0" + hashlib.sha256(n.read_bytes()).digest())
    return h.hexdigest()


def _same_study(out: Path, key: str) -> bool:
    """Is ``out`` a complete report (orbitdc's, unchanged) of the study with this key?"""
    try:
        prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (prov.get("study_key") == key and (out / "index.html").is_file()
            and folder.foreign_entry(out) is None)


def main(args) -> int:
    """``orbitdc report``: exit 0 on success, 1 when a notebook fails (message names the notebook
    and the cell), 2 for bad input (raised as OrbitdcError, printed by the CLI), 128 + the signal
    number when interrupted (SIGINT 130, SIGTERM 143, SIGHUP 129) after stopping every notebook
    worker and kernel and removing the temporary folder."""
    from .._text import terminal_text  # a kernel's message may quote text from files

    cfg = settings()
    archs = list(args.architectures or cfg["defaults"]["architectures"])
    overrides = dict(parse_assignment(s) for s in (args.set or []))
    out = args.out if args.out is not None else DEFAULT_OUT
    try:
        with interrupts_raise():
            path = build(archs, overrides, out=out, jobs=args.jobs, samples=args.samples, seed=args.seed,
                         progress=sys.stderr.isatty() or bool(os.environ.get("ORBITDC_PROGRESS", "1") == "1"),
                         scenario=getattr(args, "scenario", None), pdf=bool(getattr(args, "pdf", False)))
    except NotebookFailed as exc:
        if exc.ename in ("OrbitdcError", "ArchitectureError", "ParameterError"):
            raise OrbitdcError(str(exc)) from None
        print(f"orbitdc: error: {terminal_text(exc)} (previous report, if any, left untouched)", file=sys.stderr)
        return 1
    except Interrupted as exc:
        print(f"orbitdc: interrupted by {exc}: notebooks stopped, temporary folder removed "
              "(previous report, if any, left untouched)", file=sys.stderr)
        return exc.exit_status
    print(terminal_text(f"wrote {path / 'index.html'}"))
    if getattr(args, "pdf", False):
        print(terminal_text(f"wrote {path / 'report.pdf'}"))
    return 0
