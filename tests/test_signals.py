"""Faults from outside while rendering: SIGINT/SIGTERM, kill -9 of the command or its group (no network at run
time: test_briefs.py, around its batch render)."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from pypdf import PdfReader

from dprk_arms import paths

pytestmark = pytest.mark.slow
SCENARIOS = ["baseline", "low-price"]  # one brief per worker: both workers busy when a fault lands
DRAWS = 500  # the faults are about processes and files, not the numbers
DEADLINE_S = 300  # generous: a deadline for polling on a busy machine, never a timing claim


def _poll(condition, what, deadline_s=DEADLINE_S):
    """Wait until `condition()` is true; fail naming `what` after a generous deadline."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def _gate(out):
    return out.parent / "gate"


def _start(out, notebook, *extra, token=None):
    """A render of SCENARIOS through `notebook`, held at its gate (a file that never appears)."""
    env = {**os.environ, "DPRK_TEST_RUN": token or "none",  # inherited by workers and kernels alike
           "DPRK_TEST_GATE": str(_gate(out))}
    return subprocess.Popen([sys.executable, "-m", "dprk_arms", "render", *SCENARIOS, "--out", str(out),
                             "--draws", str(DRAWS), "--jobs", "2", "--notebook", str(notebook), *extra],
                            cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)


def _descendants(token):
    """Pids of every process started under `token` (workers and kernels; they may have been reparented)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environ = (entry / "environ").read_bytes()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if f"DPRK_TEST_RUN={token}".encode() in environ.split(b"\0") and state != "Z":
                found.append(int(entry.name))
    return found


def _wait_for_work(out, proc, pattern="*/*"):
    """Block until a worker has started a brief (its folder in the worker's scratch exists)."""
    def started():
        assert proc.poll() is None, proc.communicate()
        return bool(list((out / ".work").glob(pattern)) if (out / ".work").is_dir() else [])
    _poll(started, "a render to start")


def _assert_pdfs_whole(out):
    for pdf in out.glob("*.pdf"):
        assert len(PdfReader(pdf, strict=True).pages) >= 1, f"{pdf} is not a whole PDF"


def _pdf_state(out):
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size) for p in out.glob("*.pdf")}


def _assert_recovers(out, notebook):
    """The next render into the folder works (nothing a fault left behind is in its way) and leaves no scratch."""
    from conftest import run_cli
    result = run_cli("render", *SCENARIOS, "--out", out, "--draws", DRAWS, "--jobs", 2, "--notebook", notebook)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in SCENARIOS:
        assert "A light brief" in PdfReader(out / f"{name}.pdf").pages[0].extract_text()
    assert not (out / ".work").exists() and not list(out.glob(".*.dprk-arms-*"))


@pytest.fixture(scope="module")
def good_baseline(tmp_path_factory, light):
    """One good render of baseline (the light notebook: any published PDF will do) for the whole module; tests
    get their own copy."""
    from conftest import run_cli
    out = tmp_path_factory.mktemp("good") / "reports"
    result = run_cli("render", "baseline", "--out", out, "--draws", DRAWS, "--notebook", light)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture
def with_good_baseline(tmp_path, good_baseline):
    out = tmp_path / "reports"
    shutil.copytree(good_baseline, out)
    return out, (out / "baseline.pdf").read_bytes()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_interrupt_during_a_batch(with_good_baseline, light, sig):
    out, good = with_good_baseline
    token = uuid.uuid4().hex
    proc = _start(out, light, "--force", token=token)
    _wait_for_work(out, proc)
    os.killpg(proc.pid, sig) if sig == signal.SIGINT else proc.send_signal(sig)
    _, err = proc.communicate(timeout=DEADLINE_S)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    # cleaned up before it exited, as a finished run is: no scratch, no half-made file waits for the next run
    assert not (out / ".work").exists() and not list(out.glob(".*.dprk-arms-*")), list(out.rglob("*"))
    _poll(lambda: not _descendants(token), "the workers and kernels to exit")
    _assert_pdfs_whole(out)
    assert (out / "baseline.pdf").read_bytes() == good  # held at the gate: nothing was published
    _assert_recovers(out, light)


def test_kill_minus_nine_of_the_command_alone(with_good_baseline, light):
    """As the OOM killer does: only the command's pid. Its workers and kernels die with it, and publish
    nothing after it died (the gate opens once it is dead: a kernel left alive would go on and publish)."""
    out, _ = with_good_baseline
    token = uuid.uuid4().hex
    proc = _start(out, light, "--force", token=token)
    _wait_for_work(out, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=DEADLINE_S)
    before = _pdf_state(out)
    _gate(out).touch()  # a worker or kernel still alive would now finish its brief and publish it
    _poll(lambda: not _descendants(token), "the workers and kernels of a killed command to exit")
    assert _pdf_state(out) == before, "a PDF was replaced after the command died"
    _assert_pdfs_whole(out)
    _gate(out).unlink()
    _assert_recovers(out, light)


def test_kill_minus_nine_of_the_process_group_mid_render(with_good_baseline, light):
    out, _ = with_good_baseline
    started = time.time()
    proc = _start(out, light, "--force")

    def at_gate():  # a kernel is in the notebook's cells: mid-execution
        assert proc.poll() is None, proc.communicate()
        return bool(list(_gate(out).parent.glob(f"{_gate(out).name}.reached-*")))
    _poll(at_gate, "a render to reach its gate")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=DEADLINE_S)
    _assert_pdfs_whole(out)
    _assert_recovers(out, light)
    # what the killed run's processes made in the temp folder is ours to clean, not multiprocessing's to leave
    left = [p for p in Path(tempfile.gettempdir()).glob("pymp-*") if p.stat().st_mtime >= started]
    assert not left, left
