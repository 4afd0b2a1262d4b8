"""SIGTERM and Ctrl-C end a command alike (clean-up, exit 130), within a grace period whatever happens."""

import atexit
import contextlib
import os
import signal
import sys
import threading

from .defaults import EXIT_INTERRUPTED

# Long enough for a render to stop its workers and remove its scratch; a command still running after it has
# lost the interrupt (Python drops an exception raised while a finaliser runs, and a signal can land there).
GRACE_S = 30.0

_received: list[int] = []  # the signals this process was asked to stop by, in order


def _hard_exit():
    with contextlib.suppress(OSError, ValueError):
        print("dprk-arms: interrupted (still running after the grace period; stopped)", file=sys.stderr, flush=True)
    os._exit(EXIT_INTERRUPTED)


_holding = 0  # depth of deferred() blocks running
_held = False  # an interrupt arrived inside one


def on_signal(signum, frame):
    """Note the interrupt, raise KeyboardInterrupt (at the end of a deferred() block if inside one), and make
    sure the process ends even if that is swallowed."""
    global _held
    first = not _received
    _received.append(signum)
    if first:
        timer = threading.Timer(GRACE_S, _hard_exit)
        timer.daemon = True  # a command that ends in time takes the timer with it
        timer.start()
    if _holding:
        _held = True
        return
    raise KeyboardInterrupt


@contextlib.contextmanager
def deferred():
    """Hold an interrupt for the length of the block, which must be short (a file made and noted for clean-up,
    made and removed again): it lands as the block ends, so nothing is left between the two steps. Held in
    Python, not by masking signals, which another thread of the process would receive instead."""
    global _holding, _held
    _holding += 1
    try:
        yield
    finally:
        _holding -= 1
        if not _holding and _held:
            _held = False
            raise KeyboardInterrupt


def received() -> bool:
    """True once SIGTERM or SIGINT reached this process: whatever exception then surfaces (a KeyboardInterrupt
    turned by a C extension's import into ImportError, say) is the interrupt, not a fault of its own."""
    return bool(_received)


def install(fresh: bool = False):
    """Install the handler for SIGTERM and SIGINT (main thread only); returns the previous handlers as a
    restore() argument, or None where they cannot be set. `fresh` forgets interrupts of an earlier command
    run in the same process."""
    if fresh:
        _received.clear()
    with contextlib.suppress(ValueError):
        previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, on_signal)}
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            previous[signal.SIGINT] = signal.signal(signal.SIGINT, on_signal)
        return previous
    return None


def restore(previous):
    """Put back the handlers install() replaced."""
    for signum, handler in (previous or {}).items():
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signum, handler)


def exit_process(code: int):
    """End the process with `code`; after an interrupt, by os._exit once the exit handlers have run.

    Why: about one SIGTERM in ten during `estimate` ended the process by SIGINT (-2) after the command had
    handled the interrupt, printed its line and returned 130 (CPython's Py_RunMain kills itself with SIGINT when
    its 'unhandled KeyboardInterrupt' flag is set; each time, the interrupt had landed at the first instruction
    of code run by exec(), in dataclasses or scipy.stats). Skipping interpreter finalisation, which an
    interrupted command has no use for, keeps the exit code ours."""
    if code != EXIT_INTERRUPTED:
        sys.exit(code)
    with contextlib.suppress(Exception):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
