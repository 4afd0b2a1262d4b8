"""`dprk-arms` and `python -m dprk_arms`: SIGTERM and Ctrl-C handled from the first line, then the command line."""

from . import interrupts
from .defaults import EXIT_INTERRUPTED


def entry():
    """The command's exit status is main()'s; an interrupt while the command line's modules load (numpy, half a
    second) ends it as one during the command does, in one line, not with the import's traceback."""
    interrupts.install(fresh=True)  # left in place for main(): no moment between the two without a handler
    try:
        from .cli import entry as run
    except (KeyboardInterrupt, Exception) as exc:  # noqa: BLE001 - an interrupt, however the import surfaced it
        if not (isinstance(exc, KeyboardInterrupt) or interrupts.received()):
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
    import sys
    with contextlib.suppress(OSError, ValueError):
        print("dprk-arms: interrupted", file=sys.stderr, flush=True)
    interrupts.exit_process(EXIT_INTERRUPTED)


if __name__ == "__main__":
    entry()
