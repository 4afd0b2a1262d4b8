"""SIGTERM ends a command as Ctrl-C does (clean-up, exit 130), within a grace period whatever happens."""

import contextlib
import os
import signal
import sys
import threading

from .defaults import EXIT_INTERRUPTED

# Long enough for a render to stop its workers and remove its scratch; a command still running after it has
# lost the interrupt (Python drops an exception raised while a finaliser runs, and a signal can land there).
GRACE_S = 30.0


def _hard_exit():
    with contextlib.suppress(OSError, ValueError):
        print("dprk-arms: interrupted (still running after the grace period; stopped)", file=sys.stderr, flush=True)
    os._exit(EXIT_INTERRUPTED)


def on_sigterm(signum, frame):
    """Raise KeyboardInterrupt, and make sure the process ends even if that exception is swallowed."""
    timer = threading.Timer(GRACE_S, _hard_exit)
    timer.daemon = True  # a command that ends in time takes the timer with it
    timer.start()
    raise KeyboardInterrupt


def install():
    """Install the handler (main thread only); returns the previous one, or None where it cannot be set."""
    with contextlib.suppress(ValueError):
        return signal.signal(signal.SIGTERM, on_sigterm)
    return None
