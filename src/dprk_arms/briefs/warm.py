"""What a render worker imports before its first brief: loaded once in the fork server the workers fork from."""

import signal

# Imported in the fork server only. Ctrl-C reaches the whole process group, and the command decides what stops: the
# server ignores SIGINT once its preload is done; ignored from the start, a Ctrl-C during the preload prints no traceback.
# The command starts the server with SIGINT blocked (pool._start_fork_server): one that came before this line is held
# until here, and dropped.
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

import gc  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from . import scratch  # noqa: E402
from .nbimports import skip_iri_format_checker  # noqa: E402

COMMAND_EXIT_WAIT_S = 3.0  # for a command already on its way out to be gone; a bound, not a timing claim
# The fork server's parent, the command its workers serve; None when it had gone before this line (its orphans are
# adopted by init, pid 1, which would otherwise pass for a command that never ends).
_command = scratch.process_identity(os.getppid()) if os.getppid() != 1 else None


def _command_alive():
    return _command is not None and scratch.process_alive(_command)


def _worker_start_failed(kind, value, tb):
    """How a worker that failed before its first line of ours says so. multiprocessing's fork server prints it with
    sys.excepthook, a traceback of its internals: a Ctrl-C or SIGTERM that ends the command while a worker forks
    leaves the worker reading a pool whose semaphores are gone (FileNotFoundError) or a pipe closed (EOFError).
    Nothing when the command has gone, as it then has (nobody is waiting for the line); else one line, and the
    command reports the worker as died."""
    deadline = time.monotonic() + COMMAND_EXIT_WAIT_S
    while _command_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if _command_alive():
        text = " ".join(str(value).split())[:300]
        print(f"dprk-arms: a render worker could not start ({kind.__name__}{': ' + text if text else ''})",
              file=sys.stderr)


sys.excepthook = _worker_start_failed


skip_iri_format_checker()  # before nbformat, which papermill and nbconvert import

try:
    from . import job
    job.import_pdf_library()  # the PDF stage's imports, the largest part
    from . import convert, execute, preload  # noqa: F401 - papermill, nbconvert, nbformat, jupyter_client
    convert.warm()  # nbconvert's templates, compiled once for every worker
except BaseException:  # noqa: BLE001 - e.g. Pango missing (OSError), or a module that exits or raises
    pass  # KeyboardInterrupt as it loads (SIGINT is ignored here): the server must still start; each brief then
    # imports the stack itself and fails as a spawned worker's would, with the same error in its report

# What the server imported lives as long as the workers: frozen, the workers' collections no longer go through it
# (measured on the PDF stage of 7 briefs, three runs each way: 8-15% less CPU, the same peak memory), and their
# collections no longer write to the pages they share with the server. Collected first, so no garbage is kept.
gc.collect()
gc.freeze()
