"""Kernels forked warm from a pool's kernel server: they behave as launched ones do (interrupts, deaths, their
folder and environment), die with their worker or their server, and a server that cannot serve is launched around."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import nbformat
import pytest

from dprk_arms.briefs import kernel, kernelfork, plan, pool, scratch

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not hasattr(os, "fork") or sys.platform != "linux", reason="Linux fork server")]
DEADLINE_S = 300  # a bound for polling on a busy machine, never a timing claim


def _gone(pid):
    """Whether `pid` has exited (a zombie still waiting for its parent counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in "ZX"
    except FileNotFoundError:
        return True


def _wait_gone(pid):
    deadline = time.monotonic() + DEADLINE_S
    while not _gone(pid):
        assert time.monotonic() < deadline, f"process {pid} still running"
        time.sleep(0.05)  # polling, not a timing claim


@pytest.fixture
def server(tmp_path):
    """A kernel server of the package's stack, this process's workers' source of kernels; ended after."""
    folder = scratch.make_scratch(tmp_path)
    address = str(folder / "k.sock")
    proc = kernelfork.start(address, kernel.PRELOAD)
    kernel.discard_kernel()
    kernel.fork_server = address
    yield proc
    kernel.discard_kernel()
    kernel.fork_server = None
    kernelfork.stop(proc)


def _facts(km):
    code = ("import os, sys, signal\nprint(os.getppid(), os.getpgid(0) == os.getpid(), 'scipy.stats' in sys.modules, "
            "os.getcwd(), os.environ['JUPYTER_RUNTIME_DIR'], 'JPY_PARENT_PID' in os.environ)")
    ppid, own_group, warm, cwd, runtime, parent_pid = kernel.run_code(km, code, DEADLINE_S).split()
    return int(ppid), own_group == "True", warm == "True", cwd, runtime, parent_pid == "True"


def test_a_package_kernel_is_forked_warm_and_set_up_as_a_launched_one(tmp_path, server):
    from dprk_arms import paths
    km = kernel.warm_kernel(tmp_path / "logs")
    ppid, own_group, warm, cwd, runtime, parent_pid = _facts(km)
    assert ppid == server.pid and own_group and warm  # forked by the server, into a group of its own, warm
    assert cwd == str(paths.NOTEBOOKS_DIR) and runtime == str(kernel.kernel_scratch()) and not parent_pid
    assert kernel.run_code(km, "print('to the log'); import sys; print(6 * 7, file=sys.stderr)", DEADLINE_S)
    bare = kernel.warm_kernel  # a kernel of a notebook that does not use the package must start bare: launched
    kernel.discard_kernel()
    km = bare(tmp_path / "logs", preload="")
    assert _facts(km)[0] == os.getpid()


def test_a_forked_kernel_is_interrupted_and_dies_as_a_launched_one(tmp_path, server, light):
    """Through papermill: a cell past its timeout is interrupted (SIGINT to the kernel's group), a kernel that exits
    mid-cell is a dead kernel, and the next brief gets a fresh kernel."""
    results = {}
    for name, code in [("hangs", "import time; time.sleep(300)"), ("dies", "import os; os._exit(3)")]:
        nb = nbformat.read(light, as_version=4)
        nb.cells.insert(2, nbformat.v4.new_code_cell("import dprk_arms.presentation.notebook\n" + code))
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
        jobs = plan.scenario_jobs(["low-price"], False, {}, tmp_path / name, 5 if name == "hangs" else 120, draws=200,
                                  notebook=str(tmp_path / f"{name}.ipynb"))
        results[name] = pool.run_jobs(jobs, workers=1)[0]
    assert results["hangs"].status == "failed" and "CellTimeoutError" in results["hangs"].message
    assert results["dies"].status == "failed" and "DeadKernelError" in results["dies"].message


def test_a_forked_kernel_dies_with_its_server_and_is_reported(tmp_path, server):
    km = kernel.warm_kernel(tmp_path / "logs")
    pid = km.provisioner.process.pid
    assert _facts(km)[0] == server.pid
    server.kill()
    server.wait()
    _wait_gone(pid)
    deadline = time.monotonic() + DEADLINE_S
    while kernel.run_sync(km.is_alive)():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert kernel._exit_description(km) == "the kernel exited (killed by signal 9)"


def test_a_forked_kernel_dies_with_the_worker_that_asked_for_it(tmp_path, server):
    """A worker killed (kill -9) leaves no kernel behind: the server ends a kernel whose worker has gone."""
    script = textwrap.dedent(f"""
        import os
        from dprk_arms.briefs import kernel
        kernel.fork_server = {kernel.fork_server!r}
        km = kernel.warm_kernel({str(tmp_path / 'logs')!r})
        print(km.provisioner.process.pid, flush=True)
        os.kill(os.getpid(), 9)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=DEADLINE_S)
    assert done.returncode == -9, done.stderr
    pid = int(done.stdout.split()[0])
    _wait_gone(pid)
    assert server.poll() is None  # the server itself goes on for the pool's other workers


@pytest.mark.parametrize("preload", ["import no_such_module_for_dprk_tests", "import os; os._exit(1)"],
                         ids=["import-fails", "server-exits"])
def test_a_server_that_cannot_serve_is_launched_around(tmp_path, preload):
    """Its stack fails to import, or it is gone: each kernel is then launched by its worker, and works."""
    address = str(scratch.make_scratch(tmp_path) / "k.sock")
    proc = kernelfork.start(address, preload)
    kernel.discard_kernel()
    kernel.fork_server = address
    try:
        km = kernel.warm_kernel(tmp_path / "logs")
        assert _facts(km)[0] == os.getpid() and _facts(km)[2]
        assert proc.wait(DEADLINE_S) != 0
    finally:
        kernel.discard_kernel()
        kernel.fork_server = None
        kernelfork.stop(proc)


def test_a_pool_starts_a_kernel_server_only_for_notebooks_that_use_the_package(tmp_path, monkeypatch, light):
    started = []
    start = kernelfork.start
    monkeypatch.setattr(kernelfork, "start", lambda *args: started.append(args) or start(*args))
    nb = nbformat.read(light, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell("import dprk_arms\nimport os\nprint(os.getppid())"))
    nbformat.write(nb, tmp_path / "package.ipynb")
    for notebook in (light, tmp_path / "package.ipynb"):
        jobs = plan.scenario_jobs(["low-price"], False, {}, tmp_path / notebook.stem, 120, draws=200,
                                  notebook=str(notebook))
        assert [o.status for o in pool.run_jobs(jobs, workers=1)] == ["rendered"]
    assert len(started) == 1 and started[0][1] == kernel.PRELOAD
    assert not os.path.exists(started[0][0])  # its socket's folder went with the pool
    printed = [o.text for c in nbformat.read(tmp_path / "package" / "low-price.ipynb", as_version=4).cells
               for o in c.get("outputs", []) if o.get("name") == "stdout"]
    assert printed and int(printed[0]) != os.getpid()


def test_what_a_cell_started_goes_with_its_kernel_when_the_command_is_killed(tmp_path, light):
    """kill -9 of the command: its kernels die (each dies with its parent), and the kernel server, ending as the
    command does, kills each kernel's process group, so a process a cell started does not run on."""
    child = tmp_path / "child.pid"
    nb = nbformat.read(light, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_code_cell(
        f"import dprk_arms, subprocess\nopen({str(child)!r}, 'w').write(str(subprocess.Popen(['sleep', '600']).pid))"))
    nbformat.write(nb, tmp_path / "starts.ipynb")
    gate = tmp_path / "gate"  # never opened: the brief is held mid-run until the command is killed
    env = {**os.environ, "DPRK_TEST_GATE": str(gate)}
    command = subprocess.Popen([sys.executable, "-m", "dprk_arms", "render", "baseline", "--notebook",
                                str(tmp_path / "starts.ipynb"), "--out", str(tmp_path / "out"), "--draws", "200"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + DEADLINE_S
        while not (child.exists() and child.read_text()) or not list(tmp_path.glob("gate.reached-*")):
            assert command.poll() is None and time.monotonic() < deadline, "the brief never reached its gate"
            time.sleep(0.05)  # polling, not a timing claim
    finally:
        command.kill()
        command.wait()
    _wait_gone(int(child.read_text()))
