"""Keep each notebook's `parameters` cell in step with data/parameters.csv (`python -m dprk_arms.briefs.nbsync`)."""

import sys

import nbformat

from .. import paths
from ..data import catalog as catalog_mod
from ..data.runspec import DEFAULT_NAME, DEFAULT_QUESTION, DEFAULT_TITLE
from ..defaults import DEFAULT_DRAWS, DEFAULT_SEED

NOTEBOOKS = ("brief.ipynb", "revenue.ipynb", "duration.ipynb", "containers.ipynb", "compare.ipynb", "whatif.ipynb")


def parameters_source(catalog, extra=()):
    """The parameters cell: run settings, then every model parameter at its default, with its unit."""
    lines = [
        "# Parameters. Run by hand, edit the values below: each default is the sourced distribution,",
        "# family:low:central:high, and a number fixes the value (`dprk-arms params` lists units, ranges, sources).",
        "# `dprk-arms render` instead injects the scenario's validated run specification as `run_spec`",
        "# (with `render_digest`), and the values below are then not read.",
        *extra,
        f"scenario = {DEFAULT_NAME!r}",
        f"title = {DEFAULT_TITLE!r}",
        f"question = {DEFAULT_QUESTION!r}",
        f"draws = {DEFAULT_DRAWS}",
        f"seed = {DEFAULT_SEED}",
        'as_of = ""  # YYYY-MM-DD the estimates answer for; empty means the last dated container count',
        "statements = []  # a scenario's own dated statements (see data/statements.csv)",
        "correlations = {}  # rank correlations over the defaults in data/correlations.csv, e.g. {'a': {'b': 0.5}}",
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
    if name == "compare.ipynb":
        return ("run_specs = None",
                "render_digest = None",
                'scenarios = ["baseline", "seed-headline", "low-price", "high-volume", "high-fire-rate", '
                '"quality-adjusted", "as-of-latest"]')
    return ("run_spec = None", "render_digest = None")


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
