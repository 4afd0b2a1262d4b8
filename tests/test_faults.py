"""Faults inside a render: a dead kernel, a hung cell, a quiet stop, a full disk, kernels that fail to start,
and clean-up of what killed runs left."""

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from dprk_arms import files
from dprk_arms.briefs import cache, clean, convert, kernel, plan, pool, scratch
from dprk_arms.briefs import job as job_mod
from dprk_arms.briefs import report as report_mod

pytestmark = pytest.mark.slow
SCENARIOS = ["baseline", "low-price"]  # one brief per worker: both workers busy when a fault lands
DRAWS = 500  # the faults are about processes and files, not the numbers
DEADLINE_S = 300  # generous: a deadline for polling on a busy machine, never a timing claim


@pytest.fixture(scope="module")
def in_process_kernel():
    """For tests that run render_job in this process (to fake a full disk): one kernel, shut down after."""
    yield
    kernel.discard_kernel()


def _notebook_with(tmp_path, notebook, code):
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(code))  # after the parameters and the gate, before the page
    path = tmp_path / "faulty.ipynb"
    nbformat.write(nb, path)
    return path


def _jobs(tmp_path, out, notebook, code=None, names=("baseline", "low-price")):
    """Jobs for `names` through the light notebook; with `code`, the last one runs it in a cell of its own."""
    jobs = plan.scenario_jobs(list(names), False, {}, out, 5 if code and "sleep" in code else 120, draws=DRAWS,
                              notebook=notebook)
    if code is not None:
        bad = jobs[-1]
        jobs[-1] = plan.Job(bad.name, bad.title, str(_notebook_with(tmp_path, notebook, code)), bad.parameters,
                             bad.out_dir, "x", bad.timeout)
    return jobs


def _assert_summary_names_only_what_is_there(outcomes, out, capsys):
    assert report_mod.report(outcomes, out) == report_mod.EXIT_FAILED
    err = capsys.readouterr().err
    named = [w.rstrip(",;") for w in err.split() if str(out) in w]
    assert all(Path(w).is_file() for w in named), err
    return err


@pytest.mark.parametrize("code,error", [("import os; os._exit(1)", "DeadKernelError"),
                                        ("import time; time.sleep(300)", "CellTimeoutError")],
                         ids=["kernel-dies", "cell-hangs"])
def test_dead_kernel_and_hung_cell_fail_only_their_scenario(tmp_path, code, error, capfd, light):
    out = tmp_path / "out"
    outcomes = pool.run_jobs(_jobs(tmp_path, out, light, code), workers=2)
    assert [o.status for o in outcomes] == ["rendered", "failed"]
    assert error in outcomes[1].message and code[:20] in outcomes[1].message
    assert outcomes[1].message.startswith("cell 3 (")  # as its author counts: the third
    assert not (out / "low-price.pdf").exists() and (out / "baseline.pdf").is_file()
    kept = nbformat.read(out / "failed" / "low-price.ipynb", as_version=4)
    marked = [c for c in kept.cells if c.cell_type == "code" and c.source == code]
    assert marked and any(o.output_type == "error" for o in marked[0].outputs)  # timeout: KeyboardInterrupt
    assert (out / "failed" / "low-price.log").is_file()  # the kernel was in question: its log is kept too
    err = _assert_summary_names_only_what_is_there(outcomes, out, capfd)  # the workers' stderr too
    assert "waiting for execute reply" not in err  # papermill's own log line: the summary says it once


MODULES = {"rt_exits_at_import": "import os\nos._exit(7)\n",
           "rt_reads_env": "import os\nFLAG = os.environ.get('RT_FLAG')\n"}


@pytest.mark.parametrize("code,error", [
    ("import no_such_module_for_dprk_tests", "ModuleNotFoundError"),
    ("import rt_exits_at_import", "DeadKernelError"),  # the kernel dies in the cell, not while starting
    ("import os\nos.environ['RT_FLAG'] = 'set'\nimport rt_reads_env\nassert rt_reads_env.FLAG == 'set', 'early'",
     None),  # a cell's set-up before an import still comes first: nothing of the notebook's runs ahead
], ids=["missing", "exits", "ordered"])
def test_a_notebooks_imports_run_in_its_cells(tmp_path, monkeypatch, capsys, light, code, error):
    """As under plain papermill: an import that fails, kills its kernel or depends on an earlier cell is the
    notebook's own cell's business, reported as that cell's error, never a kernel that cannot start."""
    modules = tmp_path / "modules"
    modules.mkdir()
    for name, source in MODULES.items():
        (modules / f"{name}.py").write_text(source)
    monkeypatch.setenv("PYTHONPATH", f"{modules}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    monkeypatch.delenv("RT_FLAG", raising=False)
    out = tmp_path / "out"
    outcomes = pool.run_jobs(_jobs(tmp_path, out, light, code, ["low-price"]), workers=1)
    if error is None:
        assert outcomes[0].status == "rendered", outcomes[0]
        return
    assert outcomes[0].status == "failed", outcomes[0]
    assert error in outcomes[0].message and code.splitlines()[0] in outcomes[0].message
    assert "KernelStartError" not in outcomes[0].message
    _assert_summary_names_only_what_is_there(outcomes, out, capsys)


def test_a_kernel_for_a_notebook_without_the_package_does_not_load_it(tmp_path, light):
    from dprk_arms.briefs.preload import preload_for
    kernel.discard_kernel()
    try:
        km = kernel.warm_kernel(tmp_path, preload=preload_for(str(light)))
        loaded = kernel.run_code(km, "import sys; print(' '.join(sorted(sys.modules)))", DEADLINE_S).split()
        assert "IPython.display" in loaded and not {"dprk_arms", "scipy", "pandas", "matplotlib"} & set(loaded)
    finally:
        kernel.discard_kernel()


def test_a_brief_is_published_only_when_every_cell_ran(tmp_path, capsys, light):
    """papermill treats sys.exit(0) in a cell as a quiet stop; the truncated brief must not replace a good one."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "low-price.pdf").write_bytes(b"%PDF earlier good brief")
    outcomes = pool.run_jobs(_jobs(tmp_path, out, light, "import sys; sys.exit(0)", ["low-price"]), workers=1)
    assert outcomes[0].status == "failed", outcomes[0]
    assert "did not run" in outcomes[0].message and "sys.exit(0)" in outcomes[0].message
    assert "cell 3 ('import sys" in outcomes[0].message
    assert (out / "low-price.pdf").read_bytes() == b"%PDF earlier good brief"
    assert (out / "failed" / "low-price.ipynb").is_file()
    _assert_summary_names_only_what_is_there(outcomes, out, capsys)


def test_a_cell_that_raises_is_numbered_where_it_stands_in_the_file(tmp_path, light):
    """papermill adds marker cells around an error (and its injected parameters): none of them is counted, nor
    is a stale injected cell in the file (an executed copy rendered again)."""
    nb = nbformat.read(light, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# Own notes"))
    stale = nbformat.v4.new_code_cell("run_spec = None", metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(2, stale)  # after the parameters cell, where papermill puts it
    nb.cells.append(nbformat.v4.new_code_cell("raise ValueError('boom')"))
    nbformat.write(nb, tmp_path / "raises.ipynb")
    jobs = plan.scenario_jobs(["low-price"], False, {"dud_fraction": 0.3}, tmp_path / "out", 120, draws=DRAWS,
                              notebook=str(tmp_path / "raises.ipynb"))  # with -p (without: the unit test below)
    outcome = pool.run_jobs(jobs, workers=1)[0]
    assert outcome.status == "failed" and "ValueError: boom" in outcome.message
    # the file's cells but the stale injected one, with or without cell ids
    assert outcome.message.startswith(f"cell {len(nb.cells) - 1} (\"raise ValueError"), outcome.message


def test_a_failing_cell_is_numbered_as_its_author_counts(tmp_path):
    """From 1, markdown included, papermill's injected parameters not: the same number with or without -p."""
    from dprk_arms.briefs import execute
    nb = nbformat.v4.new_notebook()
    done = {"papermill": {"status": "completed"}}
    nb.cells = [nbformat.v4.new_markdown_cell("# A brief"), nbformat.v4.new_code_cell("x = 1", metadata=done),
                nbformat.v4.new_code_cell("x = 2", metadata={"tags": ["injected-parameters"], **done}),
                nbformat.v4.new_markdown_cell("Text"), nbformat.v4.new_code_cell("y = x", metadata=done),
                nbformat.v4.new_markdown_cell("error", metadata={"tags": ["papermill-error-cell-tag"]}),
                nbformat.v4.new_code_cell("z = y", metadata={"papermill": {"status": "pending"}})]
    nbformat.write(nb, tmp_path / "injected.ipynb")
    with pytest.raises(execute.IncompleteNotebook, match=r"^cell 5 \('z = y'\)"):
        execute.check_complete(tmp_path / "injected.ipynb")
    del nb.cells[5]  # the marker papermill puts before a failing cell
    del nb.cells[2]  # no -p given: no injected cell, the same number
    nbformat.write(nb, tmp_path / "plain.ipynb")
    with pytest.raises(execute.IncompleteNotebook, match=r"^cell 5 \('z = y'\)"):
        execute.check_complete(tmp_path / "plain.ipynb")
    nb.cells[1].metadata = {"papermill": {"status": "pending"}}  # the first code cell, the notebook's second
    nbformat.write(nb, tmp_path / "first.ipynb")
    with pytest.raises(execute.IncompleteNotebook, match=r"^cell 2 \('x = 1'\)"):
        execute.check_complete(tmp_path / "first.ipynb")


def test_a_notebook_saved_without_a_kernelspec_renders(tmp_path, light):
    """Some tools write notebooks with no kernelspec; plain papermill refuses them, a worker runs them on its kernel."""
    nb = nbformat.read(light, as_version=4)
    del nb.metadata["kernelspec"]
    nbformat.write(nb, tmp_path / "bare.ipynb")
    out = tmp_path / "out"
    outcomes = pool.run_jobs(_jobs(tmp_path, out, tmp_path / "bare.ipynb", names=["low-price"]), workers=1)
    assert outcomes[0].status == "rendered", outcomes[0]
    assert (out / "low-price.pdf").is_file()


def test_a_pdf_target_that_is_a_folder_fails_and_keeps_the_notebook(tmp_path, capsys, light):
    out = tmp_path / "out"
    (out / "low-price.pdf").mkdir(parents=True)
    outcomes = pool.run_jobs(_jobs(tmp_path, out, light, names=["low-price"]), workers=1)
    assert outcomes[0].status == "failed" and "is a folder" in outcomes[0].message
    assert (out / "low-price.pdf").is_dir() and (out / "failed" / "low-price.ipynb").is_file()
    _assert_summary_names_only_what_is_there(outcomes, out, capsys)


def test_a_published_pdf_is_never_reported_failed(tmp_path, capsys, light):
    """The stamp path is a folder: the brief is out, so it is rendered (with a note), and rendered again next time."""
    out = tmp_path / "out"
    (out / ".low-price.sha256").mkdir(parents=True)
    jobs = _jobs(tmp_path, out, light, names=["low-price"])
    outcomes = pool.run_jobs(jobs, workers=1)
    assert outcomes[0].status == "rendered" and "cache stamp not updated" in outcomes[0].message
    assert "A light brief" in PdfReader(out / "low-price.pdf").pages[0].extract_text()
    assert not cache.is_current(jobs[0])
    assert report_mod.report(outcomes, out) == report_mod.EXIT_OK
    assert "cache stamp not updated" in capsys.readouterr().out


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("where", ["pdf", "stamp", "failed-record"])
def test_a_full_disk_after_the_notebook_step(tmp_path, monkeypatch, capsys, in_process_kernel, where, light):
    out = tmp_path / "out"
    out.mkdir()
    (out / "low-price.pdf").write_bytes(b"%PDF earlier good brief")
    job = _jobs(tmp_path, out, light, names=["low-price"])[0]
    if where == "pdf":
        monkeypatch.setattr(convert, "write_pdf", _enospc)
    elif where == "stamp":
        write = files.write_atomic
        monkeypatch.setattr(files, "write_atomic", lambda t, d: _enospc() if t.name.endswith(".sha256") else write(t, d))
    else:  # the PDF fails, and so does keeping anything for inspection
        monkeypatch.setattr(convert, "write_pdf", _enospc)
        monkeypatch.setattr(job_mod, "_publish", _enospc)
        monkeypatch.setattr(files, "write_atomic", _enospc)
    outcome = job_mod.render_job(job)
    if where == "stamp":
        assert outcome.status == "rendered" and "No space left" in outcome.message
        assert "A light brief" in PdfReader(out / "low-price.pdf").pages[0].extract_text()
        return
    assert outcome.status == "failed" and "No space left" in outcome.message
    assert (out / "low-price.pdf").read_bytes() == b"%PDF earlier good brief"
    assert (out / "failed" / "low-price.ipynb").is_file() == (where == "pdf")
    err = _assert_summary_names_only_what_is_there([outcome], out, capsys)
    assert where == "pdf" or "nothing could be kept" in err


FAKE_LAUNCHER = textwrap.dedent('''
    """Stands in for ipykernel_launcher: misbehaves as FAKE_KERNEL_MODE says, else runs the real one."""
    import os, pathlib, runpy, signal, sys, time
    here = os.path.dirname(os.path.abspath(__file__))
    state = pathlib.Path(os.environ["FAKE_KERNEL_STATE"])
    state.mkdir(exist_ok=True)
    starts = len(list(state.iterdir())) + 1
    (state / f"start-{starts}-{os.getpid()}").touch()
    mode = os.environ["FAKE_KERNEL_MODE"]
    if mode == "fail":
        print("simulated start failure: no such library", file=sys.stderr, flush=True)
        sys.exit(3)
    if mode == "killed-first" and starts == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "slow":
        time.sleep(float(os.environ["FAKE_KERNEL_DELAY_S"]))  # a loaded machine, exaggerated
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
''')


@pytest.fixture
def fake_kernel(tmp_path, monkeypatch):
    """Kernels started from now on (here and in spawned workers) run FAKE_LAUNCHER first."""
    folder = tmp_path / "fake-kernel"
    folder.mkdir()
    (folder / "ipykernel_launcher.py").write_text(FAKE_LAUNCHER)
    monkeypatch.setenv("PYTHONPATH", f"{folder}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    monkeypatch.setenv("FAKE_KERNEL_STATE", str(tmp_path / "kernel-starts"))
    kernel.discard_kernel()
    yield lambda mode, **env: [monkeypatch.setenv("FAKE_KERNEL_MODE", mode)] + [
        monkeypatch.setenv(k, str(v)) for k, v in env.items()]
    kernel.discard_kernel()


def _starts(tmp_path):
    return len(list((tmp_path / "kernel-starts").iterdir()))


def test_a_kernel_slow_to_start_is_waited_for_not_declared_dead(tmp_path, fake_kernel):
    """The busy-machine failure: a kernel that answers late looked dead to a heartbeat-judged client."""
    fake_kernel("slow", FAKE_KERNEL_DELAY_S=4)
    km = kernel.warm_kernel(tmp_path / "logs")  # the default start timeout
    assert kernel.run_code(km, "print(6 * 7)", DEADLINE_S).strip() == "42"
    assert _starts(tmp_path) == 1  # the same kernel, not a replacement


def test_a_kernel_killed_while_starting_is_replaced(tmp_path, fake_kernel):
    fake_kernel("killed-first")
    km = kernel.warm_kernel(tmp_path / "logs", start_timeout=DEADLINE_S)
    assert kernel.run_code(km, "print(6 * 7)", DEADLINE_S).strip() == "42"
    assert _starts(tmp_path) == 2


def test_a_kernel_killed_during_its_preload_is_replaced_promptly(tmp_path, monkeypatch, fake_kernel):
    """Killed after it answered but before set-up finished: noticed by its process, not after a 120 s wait."""
    fake_kernel("real")
    mark = tmp_path / "killed-once"
    monkeypatch.setattr(kernel, "PRELOAD", f"import os, pathlib, signal\nif not pathlib.Path({str(mark)!r}).exists():\n"
                        f"    pathlib.Path({str(mark)!r}).touch(); os.kill(os.getpid(), signal.SIGKILL)\n" + kernel.PRELOAD)
    km = kernel.warm_kernel(tmp_path / "logs")
    assert kernel.run_code(km, "print(6 * 7)", DEADLINE_S).strip() == "42"
    assert mark.exists() and _starts(tmp_path) == 2


def test_a_kernel_that_cannot_start_is_reported_with_its_log(tmp_path, fake_kernel, capsys, light):
    fake_kernel("fail")
    out = tmp_path / "out"
    outcomes = pool.run_jobs(_jobs(tmp_path, out, light, names=["low-price"]), workers=1)
    assert outcomes[0].status == "failed" and "KernelStartError" in outcomes[0].message
    assert "simulated start failure" in outcomes[0].message  # the kernel's own last log line
    assert _starts(tmp_path) == kernel.START_ATTEMPTS
    log = (out / "failed" / "low-price.log").read_text()
    assert "simulated start failure: no such library" in log and "exit code 3" in log
    err = _assert_summary_names_only_what_is_there(outcomes, out, capsys)
    assert str(out / "failed" / "low-price.log") in err


def test_kernels_use_unix_sockets_and_a_private_runtime_folder(tmp_path):
    """No TCP ports to race for, and nothing shared with other renders' kernels."""
    kernel.discard_kernel()
    try:
        km = kernel.warm_kernel(tmp_path)
        assert km.transport == "ipc"
        scratch = kernel.kernel_scratch()
        assert Path(km.connection_file).parent == scratch and Path(km.ip).parent == scratch
        printed = kernel.run_code(km, "import os; print(os.environ['JUPYTER_RUNTIME_DIR'])", DEADLINE_S)
        assert printed.strip() == str(scratch)
    finally:
        kernel.discard_kernel()


def test_without_unix_sockets_a_kernel_that_loses_its_port_is_replaced(tmp_path, monkeypatch):
    """The TCP fallback's start-up race: a port taken between its choice and the kernel's bind."""
    import socket

    from jupyter_client.connect import LocalPortCache
    monkeypatch.setattr(kernel, "ipc_available", lambda: False)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    choose = LocalPortCache.find_available_port
    handed_out = []

    def first_pick_taken(self, ip):
        handed_out.append(ip)
        return taken.getsockname()[1] if len(handed_out) == 1 else choose(self, ip)

    monkeypatch.setattr(LocalPortCache, "find_available_port", first_pick_taken)
    kernel.discard_kernel()
    try:
        km = kernel.warm_kernel(tmp_path)
        assert kernel.run_code(km, "print(6 * 7)", DEADLINE_S).strip() == "42"
        assert len(handed_out) == 10  # five ports for the kernel that died, five for its replacement
        assert any("Address already in use" in log.read_text() for log in tmp_path.glob("kernel-*.log"))
    finally:
        kernel.discard_kernel()
        taken.close()


def test_clean_up_removes_only_what_a_run_of_ours_left(tmp_path):
    out = tmp_path / "out"
    work = out / ".work"
    dead = "999999999 1"  # no such process
    ours_dead = scratch.make_scratch(work)
    (ours_dead / scratch.MARKER).write_text(dead)
    ours_live = scratch.make_scratch(work)  # this process: alive
    lookalike = work / f"{files.SCRATCH_PREFIX}999999999-abc"  # named like ours, but no marker: not ours
    users = [work / "notes-999999999", lookalike]
    for folder in users:
        folder.mkdir(parents=True)
        (folder / "draft.txt").write_text("the user's")
    unmarked_empty = work / f"{files.SCRATCH_PREFIX}999999999-def"  # ours, killed before it was marked
    unmarked_empty.mkdir()
    user_files = [out / ".draft.tmp-999999999", out / ".baseline.pdf.tmp-999999999"]
    for file in user_files:
        file.write_text("the user's")
    ours_tmp = out / f".baseline.pdf.x1y2z3.{files.SCRATCH_PREFIX}999999999"
    ours_tmp.write_bytes(b"half a pdf")
    live_tmp = files.temp_beside(out / "low-price.pdf")
    clean.clean_stale(out)
    assert not ours_dead.exists() and not ours_tmp.exists() and not unmarked_empty.exists()
    assert ours_live.is_dir() and live_tmp.is_file()
    assert all(f.exists() for f in users + user_files)


def test_a_scratch_marker_names_a_live_process_only_while_it_runs(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    identity = scratch.process_identity(proc.pid)
    assert scratch.process_alive(identity)
    assert not scratch.process_alive(f"{proc.pid} 1")  # same pid, another start time: a recycled pid
    proc.communicate(b"")
    assert not scratch.process_alive(identity)


def test_each_pool_starts_from_the_process_as_it_is_then(tmp_path, monkeypatch, light):
    """Workers fork from a server that imported the render stack: a later pool in the same process still gets, as
    spawned workers would, the environment (its kernels too) and the umask (its published files) of its own start."""
    first = pool.run_jobs(_jobs(tmp_path, tmp_path / "first", light, names=["baseline"]), workers=1)
    assert [o.status for o in first] == ["rendered"], first[0].message
    monkeypatch.setenv("DPRK_TEST_LATER", "set after the first pool")
    monkeypatch.delenv("DPRK_TEST_GATE", raising=False)
    code = "import os\nassert os.environ.get('DPRK_TEST_LATER') == 'set after the first pool', 'environment'"
    umask = os.umask(0o077)
    try:
        outcomes = pool.run_jobs(_jobs(tmp_path, tmp_path / "second", light, code, names=["low-price"]), workers=1)
    finally:
        os.umask(umask)
    assert [o.status for o in outcomes] == ["rendered"], outcomes[0].message
    assert (tmp_path / "first" / "baseline.pdf").stat().st_mode & 0o777 == 0o666 & ~umask
    assert (tmp_path / "second" / "low-price.pdf").stat().st_mode & 0o777 == 0o600


def test_a_script_that_renders_without_a_main_guard_is_told_how_to_fix_it(tmp_path, light):
    """Render workers import the script that started them: one calling the render at its top level would render
    again in each, and multiprocessing's own error names neither cause nor fix."""
    script = tmp_path / "render_script.py"
    script.write_text("import sys\nfrom dprk_arms import cli\n"
                      f"sys.exit(cli.main(['render', 'baseline', '--out', {str(tmp_path / 'out')!r}, "
                      f"'--notebook', {str(light)!r}, '--draws', '200']))\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600,
                          cwd=tmp_path)
    assert done.returncode != 0
    assert 'if __name__ == "__main__":' in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "this is a bug" not in done.stderr, done.stderr


@pytest.mark.parametrize("command", ["waits", "exits"])
def test_a_worker_that_fails_while_forking_prints_no_traceback(tmp_path, command):
    """A worker forked as the command ends (Ctrl-C, SIGTERM) finds its pool's semaphore gone: the fork server printed
    that as a traceback after the command's own line. Made certain here by removing the semaphore first: one line
    while the command waits for the worker, nothing once the command has gone."""
    script = tmp_path / "fork_fails.py"
    script.write_text(textwrap.dedent(f"""
        import os, _multiprocessing
        from multiprocessing import resource_tracker, util
        from dprk_arms.briefs import pool
        if __name__ == "__main__":
            context = pool._context()
            lock = context.Lock()
            name = lock._semlock.name
            _multiprocessing.sem_unlink(name)  # as the command's exit does; its own clean-up then has nothing to do
            resource_tracker.unregister(name, "semaphore")
            for finalizer in list(util._finalizer_registry.values()):
                if finalizer._args == (name,):
                    finalizer.cancel()
            worker = context.Process(target=print, args=(lock,))
            worker.start()
            if {command == "exits"}:
                os._exit(0)
            worker.join()
            print("worker exit code", worker.exitcode)
    """))
    # the pipes close once every process holding them has gone, the orphaned worker too
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    if command == "waits":
        assert "worker exit code 1" in done.stdout, (done.stdout, done.stderr)
        assert done.stderr.strip().splitlines() == [
            "dprk-arms: a render worker could not start (FileNotFoundError: [Errno 2] No such file or directory)"], done.stderr
    else:
        assert done.stderr.strip() == "", done.stderr
