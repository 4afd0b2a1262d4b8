"""Keep each notebook's `parameters` cell in step with data/parameters.csv (`python -m dprk_arms.presentation.nbsync`)."""

import sys

import nbformat

from .. import paths
from ..data import catalog as catalog_mod
from ..data.scenarios import DEFAULT_DRAWS, DEFAULT_SEED

NOTEBOOKS = ("brief.ipynb", "revenue.ipynb", "duration.ipynb", "containers.ipynb", "compare.ipynb", "whatif.ipynb")


def parameters_source(catalog, extra=()):
    """The parameters cell: run settings, then every model parameter at its default, with its unit."""
    lines = [
        "# Parameters: papermill injects a scenario's values after this cell (see data/scenarios/).",
        "# Each default is the sourced distribution, family:low:central:high; a number fixes the value.",
        "# `dprk-arms params` lists units, ranges and sources.",
        'scenario = "default"',
        'title = "Default parameters"',
        'question = "What do the sourced central estimates and their uncertainty imply?"',
        f"draws = {DEFAULT_DRAWS}",
        f"seed = {DEFAULT_SEED}",
        'as_of = ""  # YYYY-MM-DD the estimates answer for; empty means the last dated container count',
        "statements = []  # a scenario's own dated statements (see data/statements.csv)",
        *extra,
        "",
    ]
    for p in catalog.parameters.values():
        lines.append(f"{p.name} = {p.default_spec()!r}  # {p.unit}: {p.description}")
    return "\n".join(lines)


def parameters_cell(nb):
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"expected exactly one cell tagged 'parameters', found {len(cells)}")
    return cells[0]


def extra_lines(name):
    return ('scenarios = ["baseline", "seed-headline", "low-price", "high-volume", "high-fire-rate", "quality-adjusted", "as-of-latest"]',) \
        if name == "compare.ipynb" else ()


def main():
    catalog = catalog_mod.load()
    for name in NOTEBOOKS:
        path = paths.NOTEBOOKS_DIR / name
        nb = nbformat.read(path, as_version=4)
        parameters_cell(nb).source = parameters_source(catalog, extra_lines(name))
        nbformat.write(nb, path)
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
