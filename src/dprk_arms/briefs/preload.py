"""What a worker's kernel imports before its first brief: the package's render stack, for notebooks that use it."""

import ast
import functools
import json

from .kernel import PRELOAD


@functools.lru_cache(maxsize=8)
def preload_for(notebook: str) -> str:
    """The package's render stack (kernel.PRELOAD) when `notebook` imports the package at the top level of a
    code cell, so every brief on the kernel starts warm; otherwise nothing, and the kernel is as bare as the
    one papermill would start (0.4 against 1.6 CPU seconds to start). A notebook's own imports are never run
    ahead of its cells: their order, side effects and failures stay the cells' (an environment variable a
    cell sets before an import, an import that exits, hangs or prints)."""
    try:
        cells = _cells(notebook)
    except Exception:  # noqa: BLE001 - unreadable: papermill reports it, with the notebook's name, next
        return ""
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse("".join(source) if isinstance(source, list) else source)
        except SyntaxError:  # IPython syntax (%magics, !shell): the package's notebooks have none
            continue
        for node in tree.body:
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            if any(name.split(".")[0] == "dprk_arms" for name in names):
                return PRELOAD
    return ""


def _cells(notebook):
    """The notebook's cells, read as JSON (the command asks before it starts the pool: nbformat takes it a second to
    import); through nbformat for a notebook of a format before v4, whose cells it converts."""
    with open(notebook, encoding="utf-8") as file:
        content = json.load(file)
    if content.get("nbformat", 0) >= 4:
        return content["cells"]
    import nbformat
    return nbformat.reads(json.dumps(content), as_version=4).cells
