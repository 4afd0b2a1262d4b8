"""What a render worker imports before its first brief: loaded once in the fork server the workers fork from."""

import gc
import signal

from .nbimports import skip_iri_format_checker

# Imported in the fork server only. Ctrl-C reaches the whole process group, and the command decides what stops: the
# server ignores SIGINT once its preload is done; ignored from the start, a Ctrl-C during the preload prints no traceback.
signal.signal(signal.SIGINT, signal.SIG_IGN)

skip_iri_format_checker()  # before nbformat, which papermill and nbconvert import

try:
    import weasyprint  # noqa: F401 - the PDF stage's imports, the largest part
    from . import convert, execute, job, preload  # noqa: F401 - papermill, nbconvert, nbformat, jupyter_client
    convert.warm()  # nbconvert's templates, compiled once for every worker
except Exception:  # noqa: BLE001 - e.g. Pango missing (OSError): the server must still start; each worker then
    pass  # imports the stack itself and fails as a spawned one would, with the same error in its report

# What the server imported lives as long as the workers: frozen, the workers' collections no longer go through it
# (measured on the PDF stage of 7 briefs, three runs each way: 8-15% less CPU, the same peak memory), and their
# collections no longer write to the pages they share with the server. Collected first, so no garbage is kept.
gc.collect()
gc.freeze()
