"""Rendering on a busy machine: busy-loop processes keep every core busy while briefs render; none may fail.

Kept cheap: the busy loops take half the machine, so it renders the light one-page notebook (conftest), and
only as many briefs as it needs workers to start kernels.
"""

import os
import subprocess
import sys

import pytest
from pypdf import PdfReader

from dprk_arms import paths

pytestmark = pytest.mark.slow
DRAWS = 200  # the behaviour under test is kernel start-up and publishing, not the numbers
DEADLINE_S = 900  # a deadline for a hung run on a loaded machine, never a timing claim
PAIR = ["baseline", "low-price"]


@pytest.fixture
def busy_cores():
    """A busy-loop process per core for the length of the test, always stopped after it."""
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
        for loop in loops:
            loop.wait()


def _render(out, names, jobs, notebook):
    return subprocess.Popen([sys.executable, "-m", "dprk_arms", "render", *names, "--force", "--out", str(out),
                             "--draws", str(DRAWS), "--jobs", str(jobs), "--notebook", str(notebook)],
                            cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _assert_all_rendered(proc, out, names):
    stdout, stderr = proc.communicate(timeout=DEADLINE_S)
    assert proc.returncode == 0, stdout + stderr
    assert f"{len(names)} rendered, 0 unchanged, 0 failed" in stdout, stdout + stderr
    for name in names:
        assert "A light brief" in PdfReader(out / f"{name}.pdf").pages[0].extract_text()


def test_concurrent_renders_into_one_folder_on_a_busy_machine(tmp_path, busy_cores, light):
    """Issue 12's failure: kernels starting on busy cores looked dead. Two renders into one folder at once, two
    workers each: four kernels starting on cores the busy loops already fill. The light notebook: what fails
    here is starting kernels and publishing, not the brief's own cells (test_briefs renders those)."""
    out = tmp_path / "reports"
    first, second = _render(out, PAIR, 2, light), _render(out, PAIR, 2, light)
    for proc in (first, second):
        _assert_all_rendered(proc, out, PAIR)
    for name in PAIR:
        assert (out / f".{name}.sha256").read_text().strip()
    assert not (out / "failed").exists()
    assert not (out / ".work").exists() and not list(out.glob(".*.dprk-arms-*"))
