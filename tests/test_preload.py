"""A render worker's kernel preloads the package's render stack for notebooks that use it, and nothing else."""

import nbformat
import pytest

from dprk_arms import paths
from dprk_arms.briefs.kernel import PRELOAD
from dprk_arms.briefs.preload import preload_for


def _notebook(tmp_path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources] + [nbformat.v4.new_markdown_cell("import dprk_arms")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return str(path)


@pytest.mark.parametrize("name", ["brief.ipynb", "compare.ipynb", "revenue.ipynb"])
def test_the_package_notebooks_preload_its_render_stack(name):
    assert preload_for(str(paths.NOTEBOOKS_DIR / name)) == PRELOAD


@pytest.mark.parametrize("sources, expected", [
    (["import os, json\nfrom pathlib import Path"], ""),  # the notebook's own imports are never run ahead
    (["%matplotlib inline\nimport dprk_arms"], ""),  # IPython syntax: not the package's notebooks
    (["def f():\n    import dprk_arms\nfrom . import dprk_arms"], ""),  # nested, relative
    (["import numpy", "x = 1\nimport dprk_arms.presentation.notebook as nb"], PRELOAD),
    (["from dprk_arms.presentation import notebook"], PRELOAD),
    (["import os, dprk_arms"], PRELOAD),
])
def test_only_a_top_level_import_of_the_package_preloads_anything(tmp_path, sources, expected):
    assert preload_for(_notebook(tmp_path, *sources)) == expected


def test_an_unreadable_notebook_preloads_nothing(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{ not json")
    assert preload_for(str(path)) == ""
