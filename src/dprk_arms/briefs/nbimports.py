"""Importing the render stack (nbformat, WeasyPrint) without the work it does and a brief never uses."""

import contextlib
import sys


def skip_iri_format_checker():
    """Keep jsonschema from loading rfc3987_syntax in this process: it compiles ~38 Lark grammars on import
    (2-3 s of CPU a worker, most of importing papermill and nbconvert, through nbformat), for the "iri"
    format checks that no notebook schema uses (python-jsonschema/jsonschema#1428). jsonschema treats the
    module as absent and leaves those two checks out; nothing else changes."""
    if "jsonschema" not in sys.modules:  # once jsonschema is in, the cost is paid and the checks are there
        sys.modules.setdefault("rfc3987_syntax", None)


@contextlib.contextmanager
def soname_lookups_only():
    """While WeasyPrint loads: ctypes.util.find_library answers from the linker's cache (ldconfig) alone. WeasyPrint
    tries each library under several names (Windows and macOS ones first); for every name not found, cffi asks
    find_library, which then compiles a test program with gcc: 20 gcc runs, 0.2 s of its 0.44 s import here, and
    a temporary file left behind when a run is killed. Each list also holds the library's Linux soname, which
    dlopen finds directly (LD_LIBRARY_PATH included), so no library that loaded before is missed now."""
    import ctypes.util
    ldconfig = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if ldconfig is None or not sys.platform.startswith("linux"):
        yield
        return
    find = ctypes.util.find_library
    ctypes.util.find_library = ldconfig
    try:
        yield
    finally:
        ctypes.util.find_library = find
