"""Faults while rendering: interrupts, kill -9, concurrent runs, and no network at run time."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from pypdf import PdfReader

from dprk_arms import paths

pytestmark = pytest.mark.slow
SCENARIOS = ["baseline", "seed-headline", "low-price"]


def _start(out, *extra):
    return subprocess.Popen([sys.executable, "-m", "dprk_arms", "render", *SCENARIOS, "--out", str(out),
                             "--draws", "2000", "--jobs", "2", *extra], cwd=paths.ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_for_work(out, proc, timeout=60):
    """Block until a worker has started rendering (its work folder exists)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list((out / ".work").glob("*-*")):
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("render never started")


def _assert_pdfs_whole(out):
    for pdf in out.glob("*.pdf"):
        assert len(PdfReader(pdf).pages) > 3, f"{pdf} is not a whole PDF"


def _assert_recovers(out):
    from conftest import run_cli
    result = run_cli("render", *SCENARIOS, "--out", out, "--draws", 2000, "--jobs", 2)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in SCENARIOS:
        assert len(PdfReader(out / f"{name}.pdf").pages) > 3
    time.sleep(1.5)  # kernels of killed workers exit when they notice their parent is gone
    assert not list((out / ".work").glob("*")) and not list(out.glob(".*.tmp-*"))


@pytest.fixture
def with_good_baseline(tmp_path):
    from conftest import run_cli
    out = tmp_path / "reports"
    assert run_cli("render", "baseline", "--out", out, "--draws", 2000).returncode == 0
    return out, (out / "baseline.pdf").read_bytes()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_interrupt_during_a_batch(with_good_baseline, sig):
    out, good = with_good_baseline
    proc = _start(out, "--force")
    _wait_for_work(out, proc)
    started = time.monotonic()
    os.killpg(proc.pid, sig) if sig == signal.SIGINT else proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert time.monotonic() - started < 15  # workers are stopped, not waited for
    assert "Traceback" not in err and "interrupted" in err
    _assert_pdfs_whole(out)
    baseline = (out / "baseline.pdf").read_bytes()
    assert baseline == good or len(PdfReader(out / "baseline.pdf").pages) > 3
    _assert_recovers(out)


def test_kill_minus_nine_mid_render(with_good_baseline):
    out, good = with_good_baseline
    proc = _start(out, "--force")
    _wait_for_work(out, proc)
    time.sleep(3)  # well into execution and, for some, conversion
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    _assert_pdfs_whole(out)
    _assert_recovers(out)


def test_two_renders_into_one_folder_at_once(tmp_path):
    out = tmp_path / "reports"
    first, second = _start(out, "--force"), _start(out, "--force")
    for proc in (first, second):
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stdout + stderr
    for name in SCENARIOS:
        assert len(PdfReader(out / f"{name}.pdf").pages) > 3
        assert (out / f".{name}.sha256").read_text().strip()
    assert not list((out / ".work").glob("*")) and not list(out.glob(".*.tmp-*"))


GUARD = textwrap.dedent('''
    import os, socket
    _LOG = os.environ["NETWORK_GUARD_LOG"]
    _connect = socket.socket.connect
    def _guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if self.family != socket.AF_UNIX and host not in ("127.0.0.1", "::1", "localhost"):
            with open(_LOG, "a") as log:
                log.write(f"{os.getpid()} {address}\\n")
            raise OSError("network access blocked by the test")
        return _connect(self, address)
    socket.socket.connect = _guarded
    socket.socket.connect_ex = lambda self, address: _guarded(self, address) or 0
''')


def test_nothing_reaches_the_network_at_run_time(tmp_path):
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "network.log"
    env = {**os.environ, "PYTHONPATH": f"{guard_dir}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "NETWORK_GUARD_LOG": str(log)}
    control = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 9), 1)"],
                             env=env, capture_output=True, text=True)
    assert control.returncode != 0 and log.exists(), "the guard did not load"  # TEST-NET address, blocked first
    log.unlink()
    for args in (["estimate", "--draws", "1000"],
                 ["render", "baseline", "--out", str(tmp_path / "out"), "--draws", "2000"],
                 ["sweep", "price_152mm_usd=500:5000:20", "--out", str(tmp_path / "sweeps")]):
        result = subprocess.run([sys.executable, "-m", "dprk_arms", *args], cwd=paths.ROOT, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
    assert not log.exists(), log.read_text()


def _notebook_with(tmp_path, code):
    import nbformat
    nb = nbformat.read(paths.NOTEBOOKS_DIR / "brief.ipynb", as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell(code))
    path = tmp_path / "faulty.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("code,error", [("import os; os._exit(1)", "DeadKernelError"),
                                        ("import time; time.sleep(300)", "CellTimeoutError")],
                         ids=["kernel-dies", "cell-hangs"])
def test_dead_kernel_and_hung_cell_fail_only_their_scenario(tmp_path, code, error):
    import nbformat

    from dprk_arms.presentation import batch
    out = tmp_path / "out"
    good, bad = batch.scenario_jobs(["baseline", "low-price"], False, {}, out, 5, draws=2000)
    bad = batch.Job(bad.name, bad.title, str(_notebook_with(tmp_path, code)), bad.parameters, bad.out_dir, "x", 5)
    started = time.monotonic()
    outcomes = batch.run_jobs([good, bad], workers=2)
    assert time.monotonic() - started < 120
    assert [o.status for o in outcomes] == ["rendered", "failed"]
    assert error in outcomes[1].message and code[:20] in outcomes[1].message
    assert not (out / "low-price.pdf").exists() and (out / "baseline.pdf").is_file()
    kept = nbformat.read(out / "failed" / "low-price.ipynb", as_version=4)
    marked = [c for c in kept.cells if c.cell_type == "code" and c.source == code]
    assert marked and any(o.output_type == "error" for o in marked[0].outputs)  # timeout: KeyboardInterrupt


def test_a_kernel_that_loses_its_port_is_replaced(tmp_path, monkeypatch):
    """The start-up race of parallel kernels: a port taken between its choice and the kernel's bind."""
    import socket

    from jupyter_client.connect import LocalPortCache

    from dprk_arms.presentation import render
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    choose = LocalPortCache.find_available_port
    handed_out = []

    def first_pick_taken(self, ip):
        handed_out.append(ip)
        return taken.getsockname()[1] if len(handed_out) == 1 else choose(self, ip)

    monkeypatch.setattr(LocalPortCache, "find_available_port", first_pick_taken)
    try:
        km = render.warm_kernel(tmp_path)
        assert render.run_code(km, "print(6 * 7)", 30).strip() == "42"
        assert len(handed_out) == 10  # five ports for the kernel that died, five for its replacement
        assert "Address already in use" in (tmp_path / f"kernel-{os.getpid()}.log").read_text()
    finally:
        render.discard_kernel()
        taken.close()
