"""Rendering on a busy machine: busy-loop processes keep every core busy while briefs render; none may fail."""

import os
import subprocess
import sys

import pytest
from pypdf import PdfReader

from dprk_arms import paths

pytestmark = pytest.mark.slow
SCENARIOS = sorted(p.stem for p in paths.SCENARIOS_DIR.glob("*.yaml"))
DRAWS = 200  # the behaviour under test is start-up and publishing, not the numbers
DEADLINE_S = 900  # a deadline for a hung run on a loaded machine, never a timing claim


@pytest.fixture
def busy_cores():
    """Two busy-loop processes per core for the length of the test, always stopped after it."""
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2 * (os.cpu_count() or 1))]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
        for loop in loops:
            loop.wait()


def _render(out, *extra):
    return subprocess.Popen([sys.executable, "-m", "dprk_arms", "render", "--all", "--force", "--out", str(out),
                             "--draws", str(DRAWS), *extra], cwd=paths.ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _assert_all_rendered(proc, out):
    stdout, stderr = proc.communicate(timeout=DEADLINE_S)
    assert proc.returncode == 0, stdout + stderr
    assert f"{len(SCENARIOS)} rendered, 0 unchanged, 0 failed" in stdout, stdout + stderr
    for name in SCENARIOS:
        assert len(PdfReader(out / f"{name}.pdf").pages) > 3
    assert not (out / "failed").exists() or not list((out / "failed").iterdir())


@pytest.mark.parametrize("jobs,runs", [(2, 2), (4, 1)], ids=["jobs-2-twice", "jobs-4"])
def test_render_all_on_a_busy_machine(tmp_path, busy_cores, jobs, runs):
    out = tmp_path / "reports"
    for _ in range(runs):  # consecutive: the second run also cleans up after the first
        _assert_all_rendered(_render(out, "--jobs", str(jobs)), out)
    assert not (out / ".work").exists()


def test_two_renders_into_one_folder_at_once_on_a_busy_machine(tmp_path, busy_cores):
    out = tmp_path / "reports"
    first, second = _render(out, "--jobs", "2"), _render(out, "--jobs", "2")
    for proc in (first, second):
        _assert_all_rendered(proc, out)
    assert not (out / ".work").exists() and not list(out.glob(".*.dprk-arms-*"))
