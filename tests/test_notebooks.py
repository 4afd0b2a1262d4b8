"""Notebooks: committed clean, parameters cell in step with the definitions, thin, and they run."""

import ast

import nbformat
import papermill
import pytest

from dprk_arms import paths
from dprk_arms.briefs import nbsync
from dprk_arms.data.runspec import NOTEBOOK_KEYS

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))


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
def test_notebook_runs_top_to_bottom_with_papermill(tmp_path, name):
    out = tmp_path / name
    papermill.execute_notebook(str(paths.NOTEBOOKS_DIR / name), str(out), parameters={"draws": 500},
                               cwd=str(paths.NOTEBOOKS_DIR), progress_bar=False, kernel_name="python3")
    executed = _read(out)
    html = "".join(o.get("data", {}).get("text/html", "") for c in executed.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "<table" in html and ("Figure 1." in html or name == "whatif.ipynb")
    assert not any(o.get("output_type") == "error" for c in executed.cells if c.cell_type == "code" for o in c.outputs)


@pytest.mark.slow
def test_notebook_with_injected_overrides_uses_them(tmp_path):
    out = tmp_path / "revenue.ipynb"
    papermill.execute_notebook(str(paths.NOTEBOOKS_DIR / "revenue.ipynb"), str(out),
                               parameters={"draws": 500, "price_152mm_usd": 3000, "price_122mm_usd": 3000,
                                           "volume_rounds": 1_000_000, "scenario": "injected"},
                               cwd=str(paths.NOTEBOOKS_DIR), progress_bar=False, kernel_name="python3")
    html = "".join(o.get("data", {}).get("text/html", "") for c in _read(out).cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "$3.0bn" in html and "injected" in html


@pytest.mark.slow
def test_invalid_value_in_the_parameters_cell_fails_the_notebook_clearly(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        papermill.execute_notebook(str(paths.NOTEBOOKS_DIR / "duration.ipynb"), str(tmp_path / "x.ipynb"),
                                   parameters={"dud_fraction": 1.5}, cwd=str(paths.NOTEBOOKS_DIR),
                                   progress_bar=False, kernel_name="python3")
    assert caught.value.ename == "ScenarioError"
    assert "dud_fraction" in caught.value.evalue
