"""orbitdc.interrupts: once a run is interrupted, the signals stay ignored until the process ends,
even when the interrupt was caught in a nested block (``orbitdc report`` inside the CLI's block).
Found by test_report_faults' impatient user (five SIGTERMs): the CLI's block restored the default
action after the report had handled the first, and a later SIGTERM killed the process (-15, not
143) while it was still cleaning up. Each case runs in a fresh interpreter: signal handlers and the
module's record of the interrupt are process state."""
import subprocess
import sys
import textwrap


def _run(body: str) -> str:
    code = textwrap.dedent("""
        import os, signal
        from orbitdc.interrupts import Interrupted, interrupts_raise
    """) + textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_an_interrupt_caught_in_a_nested_block_keeps_the_signals_ignored():
    out = _run("""
        with interrupts_raise(only_default=True):          # the CLI
            try:
                with interrupts_raise():                   # orbitdc report
                    os.kill(os.getpid(), signal.SIGTERM)
                    signal.pause()
            except Interrupted as exc:
                print(exc.exit_status)
        # the outer block ended normally: the process is on its way out all the same
        os.kill(os.getpid(), signal.SIGTERM)               # an impatient user's second SIGTERM
        print(signal.getsignal(signal.SIGTERM) is signal.SIG_IGN)
    """)
    assert out.split() == ["143", "True"]


def test_without_an_interrupt_the_previous_handlers_come_back():
    out = _run("""
        with interrupts_raise():
            pass
        print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    """)
    assert out.split() == ["True", "True"]


def test_restore_gives_the_handlers_back_even_after_an_interrupt():
    # a library call inside a longer-lived process (a notebook) must not leave Ctrl-C ignored
    out = _run("""
        try:
            with interrupts_raise(restore=True):
                os.kill(os.getpid(), signal.SIGINT)
                signal.pause()
        except Interrupted as exc:
            print(exc.exit_status)
        print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    """)
    assert out.split() == ["130", "True"]
