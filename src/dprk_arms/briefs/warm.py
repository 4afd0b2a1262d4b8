"""What a render worker imports before its first brief: loaded once in the fork server the workers fork from."""

import signal

from .nbimports import skip_iri_format_checker

# Imported in the fork server only. Ctrl-C reaches the whole process group, and the command decides what stops: the
# server ignores SIGINT once its preload is done; ignored from the start, a Ctrl-C during the preload prints no traceback.
signal.signal(signal.SIGINT, signal.SIG_IGN)

skip_iri_format_checker()  # before nbformat, which papermill and nbconvert import

try:
    import weasyprint  # noqa: F401 - the PDF stage's imports, the largest part
    from . import convert, execute, job, preload  # noqa: F401 - papermill, nbconvert, nbformat, jupyter_client
except Exception:  # noqa: BLE001 - e.g. Pango missing (OSError): the server must still start; each worker then
    pass  # imports the stack itself and fails as a spawned one would, with the same error in its report
