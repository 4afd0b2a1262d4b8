"""Shared fixtures: the catalog, a scratch copy of data/, and a CLI runner."""

import shutil
import subprocess
import sys

import pytest

from dprk_arms import paths
from dprk_arms.data import catalog as catalog_mod


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


def run_cli(*args, cwd=None, timeout=600):
    """Run `python -m dprk_arms ARGS` as a user would; returns the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "dprk_arms", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or paths.ROOT, timeout=timeout)


@pytest.fixture
def cli():
    return run_cli


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups into the test ids
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test`), tests that share a module-scoped fixture go to one worker, so the
    fixture (a render, say) is built once rather than once per worker."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        shared = sorted(name for name in item.fixturenames
                        if (defs := info.name2fixturedefs.get(name)) and defs[-1].scope == "module")
        if shared:
            item.add_marker(pytest.mark.xdist_group(f"{item.module.__name__}:{'+'.join(shared)}"))
