"""Faults of ``orbitdc report`` (issue 13 #1 and #3): nothing lost, nothing left behind.

* ``--out DIR`` replaces DIR only if it holds exactly what an earlier report wrote (its
  ``orbitdc-manifest.json``); anything else is exit status 2, one line, every file kept.
* Real signals are sent to a real ``orbitdc report`` process at several moments (starting,
  notebooks running, the summary notebook running). Every process it started (its notebook workers
  and their kernels, recorded with psutil while it runs) must be gone afterwards, the temporary
  folder removed (SIGINT/SIGTERM/SIGHUP) or removed by the next run (SIGKILL), and the previous
  report byte for byte as it was.

Most runs use stand-in notebooks (seconds instead of minutes); one runs the real notebooks through
the installed ``orbitdc`` entry point.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from orbitdc import cli, report
from orbitdc.report import builder
from orbitdc.report import folder as outdir

ROOT = Path(__file__).resolve().parents[1]
META = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}}
PARAMS_SRC = "architectures = []\noverrides = {}\nsamples = 1\nseed = 0\noutput_dir = '.'\nstatic_html = False"
SLEEP = "import time; time.sleep(120)"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _standins(folder: Path, bodies: dict[str, str] | None = None, default: str = "print(architectures)") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in report.PAGE_ORDER:
        nb = nbformat.v4.new_notebook(metadata=META)
        params = nbformat.v4.new_code_cell(PARAMS_SRC)
        params.metadata["tags"] = ["parameters"]
        nb.cells = [nbformat.v4.new_markdown_cell("# stand-in"), params,
                    nbformat.v4.new_code_cell((bodies or {}).get(name, default))]
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def _previous_report(out: Path) -> dict[str, bytes]:
    """An earlier report as orbitdc writes it (with its manifest); returns its files' bytes."""
    (out / "results").mkdir(parents=True)
    (out / "index.html").write_text("previous report")
    (out / "provenance.json").write_text("{}")
    (out / "results" / "compare.nc").write_bytes(b"\x89HDF old results")
    outdir.write_manifest(out)
    return _snapshot(out)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _debris(parent: Path, name: str = "out") -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


def _one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


_LAUNCH = ("import sys, pathlib; from orbitdc import cli; from orbitdc.report import builder; "
           "builder.NOTEBOOK_DIR = pathlib.Path(sys.argv[1]); sys.exit(cli.main(sys.argv[2:]))")


class Run:
    """A real ``orbitdc report`` process, and every process it starts (polled with psutil)."""

    def __init__(self, argv: list[str], cwd: Path):
        env = {**os.environ, "ORBITDC_PROGRESS": "0"}
        self.proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                     start_new_session=True)  # its own group: SIGINT as a terminal sends it
        self.seen: dict[int, psutil.Process] = {}

    @classmethod
    def standin(cls, nbdir: Path, out: Path, *args: str) -> "Run":
        return cls([sys.executable, "-c", _LAUNCH, str(nbdir), "report", "example-minimal", "--out", str(out),
                    "--jobs", "2", *args], out.parent)

    def poll(self) -> None:
        try:
            for p in psutil.Process(self.proc.pid).children(recursive=True):
                self.seen.setdefault(p.pid, p)
        except psutil.Error:
            pass

    def kernels(self) -> list[psutil.Process]:
        out = []
        for p in self.seen.values():
            try:
                if any("ipykernel" in part for part in p.cmdline()):
                    out.append(p)
            except psutil.Error:
                pass
        return out

    def wait_for(self, condition, timeout: float = 90.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.poll()
            if condition(self):
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"report exited early ({self.proc.returncode}): {self.proc.stderr.read().decode()}")
            time.sleep(0.05)
        raise AssertionError("timed out waiting for the report to reach the moment of the signal")

    def signal(self, sig: int, group: bool = False) -> None:
        self.poll()
        (os.killpg if group else os.kill)(self.proc.pid, sig)

    def finish(self, timeout: float = 60.0) -> tuple[int, str]:
        deadline = time.time() + timeout
        while self.proc.poll() is None and time.time() < deadline:
            self.poll()
            time.sleep(0.05)
        _, err = self.proc.communicate(timeout=max(1.0, deadline - time.time()))
        return self.proc.returncode, err.decode()

    def leftovers(self, timeout: float) -> list[str]:
        """Processes the report started that are still alive after ``timeout`` seconds."""
        deadline = time.time() + timeout
        while True:
            alive = []
            for p in self.seen.values():
                try:
                    if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                        alive.append(f"{p.pid} {' '.join(p.cmdline())[:100]}")
                except psutil.NoSuchProcess:
                    pass
            if not alive or time.time() > deadline:
                return alive
            time.sleep(0.1)


def _processes_in(folder: Path) -> list[str]:
    """Any process on the machine whose command line or working folder is inside ``folder``."""
    hits = []
    for p in psutil.process_iter(["pid", "cmdline", "cwd"]):
        try:
            text = " ".join(p.info["cmdline"] or []) + " " + (p.info["cwd"] or "")
        except psutil.Error:
            continue
        if str(folder) in text and p.pid != os.getpid():
            hits.append(f"{p.pid} {text[:100]}")
    return hits


# --------------------------------------------------------------------------------------------
# --out: never replace what orbitdc did not write (exit 2, one line, every file kept)
# --------------------------------------------------------------------------------------------
def _report_cli(out: Path, *extra: str) -> int:
    return cli.main(["report", "example-minimal", "--out", str(out), *extra])


def test_out_with_provenance_and_user_files_is_refused(tmp_path, capsys):
    """The data-loss case of issue 13: a provenance.json next to the user's own files."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "provenance.json").write_text("{}")
    (out / "thesis.tex").write_text("years of work")
    before = _snapshot(out)
    assert _report_cli(out) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"orbitdc: error: --out {out}: ") and "orbitdc did not write" in line
    assert _snapshot(out) == before and _debris(tmp_path) == []


def test_earlier_report_with_a_user_file_added_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    before = _previous_report(out)
    (out / "results" / "my_notes.txt").write_text("mine")
    assert _report_cli(out) == 2
    line = _one_line(capsys.readouterr().err)
    assert "'results/my_notes.txt', which orbitdc did not write" in line
    assert _snapshot(out) == {**before, "results/my_notes.txt": b"mine"} and _debris(tmp_path) == []


def test_earlier_report_with_a_user_folder_added_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    before = _previous_report(out)
    (out / "figures").mkdir()
    assert _report_cli(out) == 2
    assert "'figures', which orbitdc did not write" in _one_line(capsys.readouterr().err)
    assert (out / "figures").is_dir() and _snapshot(out) == before


def test_earlier_report_with_an_edited_file_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    _previous_report(out)
    (out / "index.html").write_text("previous report, annotated by hand")
    assert _report_cli(out) == 2
    assert "'index.html' was changed after orbitdc wrote it" in _one_line(capsys.readouterr().err)
    assert (out / "index.html").read_text() == "previous report, annotated by hand"


def test_unreadable_manifest_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    _previous_report(out)
    (out / outdir.MANIFEST).write_text("{not json")
    assert _report_cli(out) == 2
    assert "unreadable" in _one_line(capsys.readouterr().err)
    assert (out / "index.html").read_text() == "previous report"


def test_out_is_a_file_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.write_text("a file")
    assert _report_cli(out) == 2
    assert "not a folder" in _one_line(capsys.readouterr().err)
    assert out.read_text() == "a file" and _debris(tmp_path) == []


def test_out_is_a_symlink_is_refused(tmp_path, capsys):
    target = tmp_path / "elsewhere"
    before = _previous_report(target)
    (tmp_path / "out").symlink_to(target)
    assert _report_cli(tmp_path / "out") == 2
    assert "symbolic link" in _one_line(capsys.readouterr().err)
    assert (tmp_path / "out").is_symlink() and _snapshot(target) == before


def test_earlier_report_with_a_symlink_inside_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    _previous_report(out)
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "data.csv").write_text("1,2")
    (out / "link").symlink_to(tmp_path / "precious")
    assert _report_cli(out) == 2
    assert "'link'" in _one_line(capsys.readouterr().err)
    assert (tmp_path / "precious" / "data.csv").read_text() == "1,2"


def test_empty_out_name_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.txt").write_text("mine")
    assert cli.main(["report", "example-minimal", "--out", ""]) == 2
    assert "empty folder name" in _one_line(capsys.readouterr().err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


def test_manifest_lists_every_file_of_a_report(tmp_path):
    out = tmp_path / "out"
    _previous_report(out)
    assert outdir.foreign_entry(out) is None
    (out / "index.html").unlink()  # a file missing is not a foreign file: still replaceable
    assert outdir.foreign_entry(out) is None


# --------------------------------------------------------------------------------------------
# Temporary folders of dead runs (unit level: names carry the pid and the process start time)
# --------------------------------------------------------------------------------------------
def _dead_process() -> tuple[int, int]:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    start = int(psutil.Process(p.pid).create_time())
    p.wait()
    return p.pid, start


def test_remove_stale_removes_dead_runs_only(tmp_path):
    out = tmp_path / "out"
    pid, start = _dead_process()
    me = psutil.Process()
    dead = tmp_path / f".out.tmp-{pid}-{start}-abc"
    recycled = tmp_path / f".out.tmp-{me.pid}-{int(me.create_time()) - 1000}-def"  # our pid, another start time
    alive = tmp_path / f".out.tmp-{me.pid}-{int(me.create_time())}-ghi"
    other_name = tmp_path / f".other.tmp-{pid}-{start}-jkl"
    not_ours = tmp_path / ".out.tmp-handmade"
    for d in (dead, recycled, alive, other_name, not_ours):
        (d / "notebooks").mkdir(parents=True)
    removed = outdir.remove_stale(out)
    assert sorted(removed) == sorted([dead, recycled])
    assert _debris(tmp_path) == sorted([alive.name, not_ours.name])
    assert other_name.exists()


def test_remove_stale_restores_a_report_moved_aside_by_a_killed_run(tmp_path):
    """Killed between the two renames of the swap: the previous report comes back."""
    out = tmp_path / "out"
    pid, start = _dead_process()
    old = tmp_path / f".out.old-{pid}-{start}-xyz"
    before = _previous_report(old / "report")
    outdir.remove_stale(out)
    assert _snapshot(out) == before and _debris(tmp_path) == []


# --------------------------------------------------------------------------------------------
# Real signals to a real `orbitdc report`
# --------------------------------------------------------------------------------------------
def _tmp_folder(parent: Path) -> Path | None:
    found = [p for p in parent.iterdir() if p.name.startswith(".out.tmp-")]
    return found[0] if found else None


def _started(run: Run, parent: Path) -> bool:
    return _tmp_folder(parent) is not None


def _kernels(n: int):
    return lambda run: len(run.kernels()) >= n


def _summary_running(run: Run) -> bool:
    for p in run.kernels():
        try:
            parent = p.parent()
            if parent is not None and any("00_feasibility_report" in a for a in parent.cmdline()):
                return True
        except psutil.Error:
            pass
    return False


MOMENTS = {
    # signal as soon as the temporary folder exists (workers being started)
    "starting": (dict(), lambda run, parent: _started(run, parent)),
    # two stage notebooks running in their kernels
    "notebooks running": (dict(), lambda run, parent: _kernels(2)(run)),
    # stage notebooks done, the summary notebook running
    "summary running": ({n: "print(1)" for n in report.STAGE_NOTEBOOKS}, lambda run, parent: _summary_running(run)),
}

SIGNALS = [(signal.SIGTERM, False, 143, "SIGTERM"), (signal.SIGINT, True, 130, "SIGINT"), (signal.SIGHUP, False, 129, "SIGHUP")]


@pytest.mark.slow
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_sigterm_stops_everything_and_leaves_previous_report(tmp_path, moment):
    _interrupt_case(tmp_path, moment, *SIGNALS[0])


@pytest.mark.slow
@pytest.mark.parametrize("sig,group,status,name", SIGNALS[1:], ids=["SIGINT (Ctrl-C to the group)", "SIGHUP"])
def test_sigint_and_sighup_stop_everything(tmp_path, sig, group, status, name):
    _interrupt_case(tmp_path, "notebooks running", sig, group, status, name)


def _interrupt_case(tmp_path, moment, sig, group, status, name):
    out = tmp_path / "out"
    before = _previous_report(out)
    bodies, ready = MOMENTS[moment]
    nbdir = _standins(tmp_path / "nb", {**{n: SLEEP for n in report.PAGE_ORDER}, **bodies})
    run = Run.standin(nbdir, out)
    run.wait_for(lambda r: ready(r, tmp_path))
    work = _tmp_folder(tmp_path)
    run.signal(sig, group=group)
    code, err = run.finish()
    assert code == status, err
    line = _one_line(err)
    assert line.startswith(f"orbitdc: interrupted by {name}") and "temporary folder removed" in line
    assert run.leftovers(timeout=5) == []
    assert _processes_in(work) == []
    assert _debris(tmp_path) == []
    assert _snapshot(out) == before


@pytest.mark.slow
def test_repeated_sigterm_does_not_cut_the_cleanup_short(tmp_path):
    out = tmp_path / "out"
    before = _previous_report(out)
    run = Run.standin(_standins(tmp_path / "nb", {n: SLEEP for n in report.PAGE_ORDER}), out)
    run.wait_for(_kernels(2))
    work = _tmp_folder(tmp_path)
    for _ in range(5):  # an impatient user
        run.signal(signal.SIGTERM)
        time.sleep(0.1)
    code, err = run.finish()
    assert code == 143, err
    assert _one_line(err).startswith("orbitdc: interrupted by SIGTERM")
    assert run.leftovers(timeout=5) == [] and _processes_in(work) == []
    assert _debris(tmp_path) == [] and _snapshot(out) == before


@pytest.mark.slow
def test_sigkill_workers_die_and_next_run_cleans_up(tmp_path):
    out = tmp_path / "out"
    before = _previous_report(out)
    nbdir = _standins(tmp_path / "nb", {n: SLEEP for n in report.PAGE_ORDER})
    run = Run.standin(nbdir, out)
    run.wait_for(_kernels(2))
    work = _tmp_folder(tmp_path)
    run.signal(signal.SIGKILL)
    code, _ = run.finish()
    assert code == -signal.SIGKILL
    assert len(run.seen) >= 4  # two workers and their kernels were running
    # workers get SIGTERM from the kernel at once (PR_SET_PDEATHSIG) and stop their kernels
    assert run.leftovers(timeout=20) == []
    assert _processes_in(work) == []
    assert _snapshot(out) == before
    assert _debris(tmp_path) == [work.name]  # SIGKILL cannot clean up: the next run does
    # the next run (bad input: nothing written, nothing deleted, so the debris stays)
    assert _report_cli(out, "--set", "altitud=650 km") == 2
    assert _debris(tmp_path) == [work.name]
    # the next real run removes it and replaces the previous report
    quick = _standins(tmp_path / "nb-quick")
    nxt = Run.standin(quick, out)
    code, err = nxt.finish(timeout=120)
    assert code == 0, err
    assert _debris(tmp_path) == []
    assert (out / "index.html").read_text() != "previous report"
    assert outdir.foreign_entry(out) is None  # the new report's manifest lists everything in it


@pytest.mark.slow
def test_sigterm_real_notebooks_through_the_entry_point(tmp_path):
    """The installed ``orbitdc`` command on the real notebooks, SIGTERM while kernels compute."""
    exe = Path(sys.executable).with_name("orbitdc")
    assert exe.exists(), "orbitdc entry point not installed next to the test interpreter"
    out = tmp_path / "out"
    before = _previous_report(out)
    run = Run([str(exe), "report", "example-minimal", "terrestrial-hyperscale", "--out", str(out), "--samples", "8",
               "--jobs", "2"], tmp_path)
    run.wait_for(_kernels(2), timeout=120)
    time.sleep(3)  # kernels importing orbitdc / computing
    work = _tmp_folder(tmp_path)
    run.signal(signal.SIGTERM)
    code, err = run.finish()
    assert code == 143, err
    assert _one_line(err).startswith("orbitdc: interrupted by SIGTERM")
    assert run.leftovers(timeout=5) == []
    assert _processes_in(work) == []
    assert _debris(tmp_path) == [] and _snapshot(out) == before
