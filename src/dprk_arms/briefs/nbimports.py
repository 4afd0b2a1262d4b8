"""Importing nbformat without what it loads and a brief never uses."""

import sys


def skip_iri_format_checker():
    """Keep jsonschema from loading rfc3987_syntax in this process: it compiles ~38 Lark grammars on import
    (2-3 s of CPU a worker, most of importing papermill and nbconvert, through nbformat), for the "iri"
    format checks that no notebook schema uses (python-jsonschema/jsonschema#1428). jsonschema treats the
    module as absent and leaves those two checks out; nothing else changes."""
    if "jsonschema" not in sys.modules:  # once jsonschema is in, the cost is paid and the checks are there
        sys.modules.setdefault("rfc3987_syntax", None)
