"""Shared fixtures: the catalog, a scratch copy of data/, and a CLI runner."""

import shutil
import subprocess
import sys

import nbformat
import pytest

from dprk_arms import paths
from dprk_arms.data import catalog as catalog_mod


# The longest files first (seconds each, summed from `pytest --durations=0` on 2026-12-03: 88, 67, 48, 38, then
# under 20), so that `--dist loadfile`, handed files in this order (`--no-loadscope-reorder`, in the Makefile), gives
# each worker a long one and fills in with short ones, instead of ending on a long file while the other worker
# idles: xdist by default orders files by their number of tests, and these have few. Stale figures only cost balance.
LONGEST_FIRST = ["test_briefs.py", "test_faults.py", "test_signals.py", "test_briefs_single.py", "test_notebooks.py",
                 "test_presentation.py", "test_kernel_reuse.py", "test_stress.py"]


def pytest_collection_modifyitems(items):
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: each file's own order kept


@pytest.fixture(scope="session")
def catalog():
    return catalog_mod.load()


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of data/ (CSV files only) to corrupt."""
    target = tmp_path / "data"
    target.mkdir()
    for name in catalog_mod.DATA_FILES:
        shutil.copy(paths.DATA_DIR / name, target / name)
    return target


def run_cli(*args, cwd=None, timeout=600, env=None):
    """Run `python -m dprk_arms ARGS` as a user would; returns the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "dprk_arms", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or paths.ROOT, timeout=timeout, env=env)


@pytest.fixture
def cli():
    return run_cli



LIGHT_CELLS = [
    ("run_spec = None\nrender_digest = None", ["parameters"]),
    ("import os, pathlib, time\n"
     "gate = os.environ.get('DPRK_TEST_GATE')\n"
     "if gate:  # says it is mid-execution, for a test that waits for that\n"
     "    pathlib.Path(f'{gate}.reached-{os.getpid()}').touch()\n"
     "while gate and not pathlib.Path(gate).exists():  # held open until the test has done its worst\n"
     "    time.sleep(0.05)", []),
    ("from IPython.display import Markdown\n"
     "Markdown(f\"# {run_spec['title']}\\n\\nA light brief: the faults are about processes and files.\")", []),
]


@pytest.fixture(scope="session")
def light(tmp_path_factory):
    """A one-page brief notebook (`render --notebook`) that, with DPRK_TEST_GATE set, waits until that file
    exists (and says it has reached the gate with a file `<gate>.reached-<kernel pid>` beside it): a render is then
    surely mid-execution when a test interrupts or kills it, and costs little."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src, metadata={"tags": tags}) for src, tags in LIGHT_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path_factory.mktemp("light") / "light.ipynb"
    nbformat.write(nb, path)
    return path

