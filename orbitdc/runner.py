"""Running the report's notebooks: one papermill worker process per notebook, supervised so that
nothing outlives the report.

Process tree of ``orbitdc report``::

    orbitdc report                      (signals SIGINT/SIGTERM/SIGHUP -> Interrupted, cleaned up)
     +-- python -m orbitdc.runner ...   one worker per notebook, in its own session
          +-- ipykernel                 started by papermill (jupyter_client: its own session too)

Why each piece:

* Workers run in their own session (``start_new_session``) so that a Ctrl-C in the terminal
  reaches only the report, which then stops them in order (the first failure also stops the
  others at once).
* Because a worker is not in the report's process group, it must notice by itself when the report
  dies without cleaning up (SIGKILL): on Linux the kernel sends it SIGTERM when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``, through ctypes); everywhere, a watchdog thread polls
  ``os.getppid()`` and does the same.
* jupyter_client starts the kernel in yet another session, so a signal to the worker's process
  group does not reach it. The worker's SIGTERM handler therefore terminates all of its
  descendants (the kernel and anything the kernel started, listed with psutil), waits for them,
  then exits. A kernel whose worker is killed outright still exits within a second: ipykernel polls
  its parent pid (``JPY_PARENT_PID``, set by jupyter_client) and exits when it changes.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Sequence

# Signals that interrupt a report run (cleaned up: workers stopped, temporary folder removed): the
# one implementation, shared with every command and every file write.
from .interrupts import INTERRUPT_SIGNALS, Interrupted, interrupts_raise, signals_deferred  # noqa: F401

#: Environment variable carrying the report's pid to its workers (parent-death check).
PARENT_ENV = "ORBITDC_REPORT_PID"
#: Seconds between two parent checks of the watchdog thread.
WATCHDOG_PERIOD = 0.5
#: Seconds a process gets to exit after SIGTERM before SIGKILL.
TERMINATE_GRACE = 10.0


# --------------------------------------------------------------------------------------------
# Stopping process trees
# --------------------------------------------------------------------------------------------
def descendants(pid: int) -> list:
    """The live descendants of ``pid`` (psutil processes; children of children included)."""
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def stop_processes(procs: Sequence, grace: float = TERMINATE_GRACE) -> None:
    """SIGTERM each psutil process, wait up to ``grace`` seconds, SIGKILL those left, reap."""
    import psutil

    procs = list(procs)
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=grace)


# --------------------------------------------------------------------------------------------
# The worker (python -m orbitdc.runner SRC DST CWD PARAMS.json RESULT.json)
# --------------------------------------------------------------------------------------------
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _set_parent_death_signal(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent thread exits (prctl(2))."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _die_with_parent(parent_pid: int) -> None:
    """Terminate this worker (through its SIGTERM handler) when the report process goes away."""
    _set_parent_death_signal(signal.SIGTERM)

    def watch():
        while True:
            if os.getppid() != parent_pid:  # re-parented: the report is gone
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(WATCHDOG_PERIOD)

    # also covers a parent that died before prctl took effect (checked at once)
    threading.Thread(target=watch, name="orbitdc-parent-watch", daemon=True).start()


def _stop_worker(signum, frame) -> None:
    """SIGTERM/SIGINT/SIGHUP in a worker: stop the kernel and everything it started, then exit."""
    stop_processes(descendants(os.getpid()))
    os._exit(128 + signum)


def run_notebook(src: str, dst: str, params: dict, cwd: str) -> dict:
    """Execute one notebook with papermill; report failure as data (for the report process)."""
    import logging

    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.WARNING)
    t0 = time.time()
    try:
        pm.execute_notebook(src, dst, parameters=params, cwd=cwd, progress_bar=False, log_output=False,
                            kernel_name="python3")
    except pm.PapermillExecutionError as exc:
        evalue = str(exc.evalue).splitlines()[0] if exc.evalue else ""
        return {"ok": False, "cell": exc.cell_index, "exec_count": exc.exec_count, "ename": exc.ename, "evalue": evalue}
    except Exception as exc:  # kernel died, bad notebook
        return {"ok": False, "cell": None, "exec_count": None, "ename": type(exc).__name__,
                "evalue": str(exc).splitlines()[0] if str(exc) else ""}
    return {"ok": True, "seconds": time.time() - t0}


def worker_main(argv: Sequence[str]) -> int:
    """One notebook, in its own process (so a failing or interrupted run can stop the others)."""
    src, dst, cwd, params_file, result_file = argv
    for s in INTERRUPT_SIGNALS:
        signal.signal(s, _stop_worker)
    if hasattr(signal, "pthread_sigmask"):  # started under signals_deferred(): the mask is inherited
        signal.pthread_sigmask(signal.SIG_UNBLOCK, INTERRUPT_SIGNALS)
    parent = int(os.environ.get(PARENT_ENV) or os.getppid())
    _die_with_parent(parent)
    params = json.loads(Path(params_file).read_text(encoding="utf-8"))
    res = run_notebook(src, dst, params, cwd)
    Path(result_file).write_text(json.dumps(res), encoding="utf-8")
    return 0


class Job:
    """A running worker: its process, result file and log (stderr)."""

    def __init__(self, name: str, src: Path, dst: Path, workdir: Path, params_file: Path):
        self.name = name
        run_dir = workdir / ".orbitdc-run"
        self.result_file = run_dir / f"{name}.json"
        self.log_file = run_dir / f"{name}.log"
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        from .datadirs import DATA_DIR_ENV, absolute_data_dirs

        if absolute_data_dirs() is not None:  # the worker runs in workdir: a relative folder would name nothing
            env[DATA_DIR_ENV] = absolute_data_dirs()
        with open(self.log_file, "wb") as log, signals_deferred():
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "orbitdc.runner", str(src), str(dst), str(workdir), str(params_file),
                 str(self.result_file)],
                cwd=str(workdir), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                start_new_session=True, env=env)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def result(self) -> dict | None:
        if self.proc.poll() is None:
            return None
        if self.result_file.exists():
            return json.loads(self.result_file.read_text(encoding="utf-8"))
        lines = ([ln for ln in self.log_file.read_text(errors="replace").splitlines() if ln.strip()]
                 if self.log_file.exists() else [])
        last = next((ln for ln in reversed(lines) if not ln.startswith((" ", "[", "Traceback"))), "")
        return {"ok": False, "cell": None, "ename": "WorkerDied",
                "evalue": f"exit status {self.proc.returncode}" + (f"; {last.strip()}" if last else "")}

    def stop(self, grace: float = TERMINATE_GRACE) -> None:
        """SIGTERM the worker (it stops its kernel first); SIGKILL what is left after ``grace``."""
        if self.proc.poll() is not None:
            return
        tree = descendants(self.proc.pid)  # the kernel is in another session: remember it now
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        stop_processes([p for p in tree if p.is_running()], grace)


if __name__ == "__main__":  # a notebook worker (see orbitdc.report.run_notebooks)
    sys.exit(worker_main(sys.argv[1:]))
