"""What the render command and its workers import: nothing slow they do not use."""

import json
import subprocess
import sys

RENDER_STACK = ("nbformat", "papermill", "nbconvert", "weasyprint", "jsonschema")


def _run(script):
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_render_entry_point_loads_no_render_stack():
    # A run with nothing to render (every brief current) goes through run -> pool -> job for Outcome; the
    # render stack takes seconds to import and only a worker that renders needs it.
    loaded = _run("import json, sys\nfrom dprk_arms.briefs import run, pool, job\n"
                  f"print(json.dumps([m for m in {RENDER_STACK!r} if m in sys.modules]))")
    assert loaded == []


def test_a_render_worker_skips_the_iri_grammars_and_still_validates_notebooks():
    script = """
import json, os, sys
from dprk_arms.briefs import pool, scratch
pool._worker_init(scratch.process_identity(os.getppid()))
import nbformat, papermill, nbconvert
from nbformat.v4 import new_code_cell, new_notebook
good = new_notebook(cells=[new_code_cell("1 + 1")])
nbformat.validate(good)
bad = new_notebook(cells=[new_code_cell("1 + 1")])
del bad.cells[0]["source"]
try:
    nbformat.validate(bad)
    refused = False
except nbformat.ValidationError:
    refused = True
print(json.dumps({"grammars": "rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is not None,
                  "weasyprint": "weasyprint" in sys.modules, "refused": refused}))
"""
    assert _run(script) == {"grammars": False, "weasyprint": True, "refused": True}
