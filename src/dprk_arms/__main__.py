"""`dprk-arms` and `python -m dprk_arms`: SIGTERM and Ctrl-C handled from the first line, then the command line."""

import signal
import sys


def _early(signum, frame):
    raise KeyboardInterrupt  # until interrupts.py takes over: a SIGTERM then ends the command as Ctrl-C does


def entry():
    """The command's exit status is main()'s; an interrupt while the command line's modules load (numpy, half a
    second) ends it as one during the command does, in one line, not with the import's traceback."""
    try:
        signal.signal(signal.SIGTERM, _early)
        from . import interrupts
        interrupts.install(fresh=True)  # left in place for main(): no moment between the two without a handler
        from .cli import entry as run
    except (KeyboardInterrupt, Exception) as exc:  # noqa: BLE001 - an interrupt, however the import surfaced it
        interrupts = sys.modules.get(f"{__package__}.interrupts")
        if not (isinstance(exc, KeyboardInterrupt) or (interrupts is not None and interrupts.received())):
            raise
        _interrupted()
    try:
        if interrupts.received():  # swallowed on the way (by an import that turned it into another exception)
            _interrupted()
        run()
    except KeyboardInterrupt:  # landed between the import and the command's own handling
        _interrupted()


def _interrupted():
    import contextlib
    import os

    from .defaults import EXIT_INTERRUPTED
    with contextlib.suppress(OSError, ValueError):
        print("dprk-arms: interrupted", file=sys.stderr, flush=True)
    interrupts = sys.modules.get(f"{__package__}.interrupts")
    if interrupts is not None:
        interrupts.exit_process(EXIT_INTERRUPTED)
    os._exit(EXIT_INTERRUPTED)  # interrupted before the exit handlers' module loaded: nothing of ours to clean up yet


if __name__ == "__main__":
    entry()
