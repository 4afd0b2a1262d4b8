"""Notebooks: committed clean, parameters cell in step with the definitions, thin, and they run."""

import ast

import nbformat
import papermill
import pytest

from dprk_arms import paths
from dprk_arms.briefs import execute, kernel, nbsync
from dprk_arms.data.runspec import NOTEBOOK_KEYS

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))
CELL_TIMEOUT_S = 600  # generous, a bound and never a timing claim: a reply lost on the way fails, not hangs


@pytest.fixture(scope="module")
def run_notebook(tmp_path_factory):
    """Runs a notebook with papermill as a render worker does: on one warm kernel over Unix sockets (no
    TCP port race between test workers' kernels), every wait bounded, the kernel discarded after a failure."""
    logs = tmp_path_factory.mktemp("kernel-logs")

    def run(name, out, parameters):
        try:
            km = kernel.warm_kernel(logs)
            kernel.reset_kernel(km)
            execute.execute(paths.NOTEBOOKS_DIR / name, out, parameters, CELL_TIMEOUT_S, km=km)
        except BaseException:
            kernel.discard_kernel()
            raise
        return _read(out)

    yield run
    kernel.discard_kernel()


def _read(path):
    return nbformat.read(path, as_version=4)


def test_the_expected_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} == set(nbsync.NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs(path):
    for cell in _read(path).cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name}: strip outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_matches_the_parameter_definitions(path, catalog):
    cell = nbsync.parameters_cell(_read(path))
    expected = nbsync.parameters_source(catalog, nbsync.extra_lines(path.name))
    assert cell.source == expected, "run: python -m dprk_arms.briefs.nbsync"
    names = {t.id for node in ast.parse(cell.source).body for t in node.targets}
    assert set(catalog.parameters) | set(NOTEBOOK_KEYS) <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_only_call_the_package(path):
    for cell in _read(path).cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                assert module.startswith("dprk_arms"), f"{path.name} imports {module}"
            assert not isinstance(node, (ast.FunctionDef, ast.For, ast.While, ast.ClassDef)), \
                f"{path.name}: logic belongs in src/dprk_arms"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["revenue.ipynb", "duration.ipynb", "containers.ipynb", "brief.ipynb", "whatif.ipynb"])
def test_notebook_runs_top_to_bottom_with_papermill(tmp_path, run_notebook, name):
    executed = run_notebook(name, tmp_path / name, {"draws": 500})
    html = "".join(o.get("data", {}).get("text/html", "") for c in executed.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "<table" in html and ("Figure 1." in html or name == "whatif.ipynb")
    assert not any(o.get("output_type") == "error" for c in executed.cells if c.cell_type == "code" for o in c.outputs)


@pytest.mark.slow
def test_notebook_with_injected_overrides_uses_them(tmp_path, run_notebook):
    executed = run_notebook("revenue.ipynb", tmp_path / "revenue.ipynb",
                            {"draws": 500, "price_152mm_usd": 3000, "price_122mm_usd": 3000,
                             "volume_rounds": 1_000_000, "scenario": "injected"})
    html = "".join(o.get("data", {}).get("text/html", "") for c in executed.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "$3.0bn" in html and "injected" in html


@pytest.mark.slow
def test_invalid_value_in_the_parameters_cell_fails_the_notebook_clearly(tmp_path, run_notebook):
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        run_notebook("duration.ipynb", tmp_path / "x.ipynb", {"dud_fraction": 1.5})
    assert caught.value.ename == "ScenarioError"
    assert "dud_fraction" in caught.value.evalue
