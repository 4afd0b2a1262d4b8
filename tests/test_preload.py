"""A render worker's kernel preloads what its notebook imports, and no import can stop the kernel starting."""

import nbformat

from dprk_arms import paths
from dprk_arms.briefs.preload import PACKAGE_STACK, preload_for


def _statements(code):
    """The statements the preload code would run (it binds them to a list it loops over)."""
    namespace = {}
    exec(code.replace("for _statement in", "_found =", 1).split(":\n", 1)[0], namespace)
    return namespace["_found"]


def _notebook(tmp_path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources] + [nbformat.v4.new_markdown_cell("import nothing")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return str(path)


def test_the_brief_preloads_the_package_render_stack():
    found = _statements(preload_for(str(paths.NOTEBOOKS_DIR / "brief.ipynb")))
    assert "from dprk_arms.presentation import notebook as nb" in found
    assert set(PACKAGE_STACK) <= set(found)


def test_a_notebook_without_the_package_preloads_only_its_own_top_level_imports(tmp_path):
    path = _notebook(tmp_path, "import os, json\nfrom pathlib import Path\nx = 1",
                     "%matplotlib inline\nimport numpy",  # IPython syntax: the cell is left to itself
                     "def f():\n    import csv\nfrom . import sibling\nimport os, json")  # nested, relative, again
    assert _statements(preload_for(path)) == ["import os, json", "from pathlib import Path"]


def test_an_unreadable_notebook_preloads_nothing(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{ not json")
    assert _statements(preload_for(str(path))) == []


def test_an_import_that_fails_or_exits_is_left_to_its_cell(tmp_path):
    path = _notebook(tmp_path, "import no_such_module_for_dprk_tests", "import sys\nfrom sys import exit",
                     "from json import no_such_name")
    namespace = {}
    exec(preload_for(path), namespace)  # raises nothing
    assert "sys" in namespace
