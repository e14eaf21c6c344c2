"""Signals that end a run: SIGINT, SIGTERM and SIGHUP become an exception, so that whatever is
being written is cleaned up (a temporary file removed, a worker stopped) before the process ends.

Python turns SIGINT into KeyboardInterrupt, but by default SIGTERM and SIGHUP end the process at
once, with no ``finally`` run: an atomic write cut there leaves its temporary file behind. The
command line (:func:`orbitdc.cli.main`) and every file write (:func:`orbitdc.outputs.atomic_write`)
run under :func:`interrupts_raise`, which makes the three signals raise :class:`Interrupted`
(exit status 128 + the signal number).
"""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

#: Signals that interrupt a run (cleaned up, then exit 128 + the signal number).
INTERRUPT_SIGNALS = tuple(getattr(signal, s) for s in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, s))


class Interrupted(BaseException):
    """SIGINT, SIGTERM or SIGHUP was received. A BaseException (like KeyboardInterrupt) so that
    no ``except Exception`` on the way swallows it; the exit status is 128 + the signal."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


#: The first interrupting signal this process received (None: none yet).
_RECEIVED: int | None = None


@contextlib.contextmanager
def interrupts_raise(only_default: bool = False, restore: bool = False) -> Iterator[None]:
    """Turn SIGINT/SIGTERM/SIGHUP into :class:`Interrupted` while the block runs (main thread only;
    elsewhere the block runs unchanged). After the first, further interrupts are ignored (a second
    Ctrl-C must not cut the cleanup short). The previous handlers are restored when the block ends
    without an interrupt.

    With ``only_default``, only signals still at their default action (or Python's default
    SIGINT handler) are taken over: a handler the caller installed stays in charge. With
    ``restore``, the previous handlers come back even after an interrupt (a library call inside a
    longer-lived process, such as a notebook, must not leave Ctrl-C ignored).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        global _RECEIVED
        _RECEIVED = signum
        for sig in INTERRUPT_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        raise Interrupted(signum)

    defaults = (signal.SIG_DFL, signal.default_int_handler)
    previous = {}
    for s in INTERRUPT_SIGNALS:
        current = signal.getsignal(s)
        if only_default and current not in defaults:
            continue
        previous[s] = signal.signal(s, handler)
    interrupted = False
    try:
        yield
    except Interrupted:
        interrupted = not restore  # else the handlers stay ignoring: the process is on its way out
        raise
    finally:
        # An interrupt caught inside this block (a nested block handled it: orbitdc report inside
        # the CLI's block) still means the process is on its way out: the signals stay ignored,
        # or an impatient user's next SIGTERM would kill it by the default action mid-cleanup.
        if not interrupted and (restore or _RECEIVED is None):
            for s, h in previous.items():
                signal.signal(s, h)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP back while the block runs (delivered when it ends), for steps that
    must not be cut in half: starting a worker (the pid must be recorded to be stopped) and moving
    finished output into place."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPT_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
