"""What a render worker imports before its first brief: loaded once in the fork server the workers fork from."""

from .nbimports import skip_iri_format_checker

skip_iri_format_checker()  # before nbformat, which papermill and nbconvert import

import weasyprint  # noqa: E402,F401 - the PDF stage's imports, the largest part

from . import convert, execute, job, preload  # noqa: E402,F401 - papermill, nbconvert, nbformat, jupyter_client
