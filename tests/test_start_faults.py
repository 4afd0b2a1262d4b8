"""Faults as a render starts: a render stack that cannot load, a fork server that dies before it forks, a Ctrl-C
before the fork server's first line, an interrupt while the command line's own modules load."""

import os
import signal
import subprocess
import sys
import textwrap
from multiprocessing import util

import pytest

from dprk_arms.briefs import plan, pool

DRAWS = 200  # about processes, not the numbers


def _jobs(out, light, names=("low-price",)):
    return plan.scenario_jobs(list(names), False, {}, out, 120, draws=DRAWS, notebook=str(light))


@pytest.mark.slow
@pytest.mark.parametrize("raised", ["OSError", "SystemExit", "KeyboardInterrupt"])
def test_a_pdf_library_that_cannot_load_fails_each_brief_in_one_line(tmp_path, light, cli, raised):
    """WeasyPrint without Pango raises OSError at import (a broken module might exit, or raise KeyboardInterrupt): in
    a worker's start-up, multiprocessing printed a traceback per worker and every brief said only that its worker
    died."""
    fake = tmp_path / "fake" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(f"raise {raised}(\"cannot load library 'libpango-1.0-0' (a test's)\")\n")
    env = {**os.environ, "PYTHONPATH": f"{fake.parent}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    out = tmp_path / "out"
    done = cli("render", "baseline", "low-price", "--out", out, "--notebook", light, "--draws", DRAWS, env=env)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "Exception in initializer" not in done.stderr, done.stderr
    for name in ("baseline", "low-price"):
        line = next(line for line in done.stdout.splitlines() if f" {name} " in line)
        assert "failed" in line and f"{raised}: cannot load library 'libpango-1.0-0'" in line, done.stdout
        assert "cannot load library" in (out / "failed" / f"{name}.log").read_text()


@pytest.mark.slow
def test_a_fork_server_that_dies_before_it_forks_is_replaced_by_spawned_workers(tmp_path, monkeypatch, capfd, light):
    """Killed as it starts (the OOM killer, a kill -9) or failing in its preload: multiprocessing raised EOFError
    ("unexpected EOF") out of the pool, reported as an internal error. The briefs still render."""
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "rt_server_dies.py").write_text("import os\nos._exit(9)\n")
    monkeypatch.setenv("PYTHONPATH", f"{modules}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    context = pool._context

    def dying():
        chosen = context()
        if chosen.get_start_method() == "forkserver":
            chosen.set_forkserver_preload(["rt_server_dies", "dprk_arms.briefs.warm"])
        return chosen

    monkeypatch.setattr(pool, "_context", dying)
    out = tmp_path / "out"
    outcomes = pool.run_jobs(_jobs(out, light, ["baseline", "low-price"]), workers=2)
    assert [o.status for o in outcomes] == ["rendered", "rendered"], outcomes
    assert (out / "baseline.pdf").is_file() and (out / "low-price.pdf").is_file()
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif("forkserver" not in __import__("multiprocessing").get_all_start_methods(), reason="no fork server")
def test_a_ctrl_c_before_the_fork_servers_first_line_is_held_and_dropped(tmp_path, monkeypatch, capfd, light):
    """Ctrl-C reaches the whole process group: one landing while the fork server's interpreter starts, before any
    code of ours runs there, printed a KeyboardInterrupt traceback from multiprocessing or killed the server. Sent
    here to the server the moment it is spawned: the signal waits, blocked, until the server ignores it."""
    spawn = util.spawnv_passfds
    seen = []

    def spawn_then_interrupt(path, args, passfds):
        pid = spawn(path, args, passfds)
        if "multiprocessing.forkserver" in " ".join(map(str, args)):
            os.kill(pid, signal.SIGINT)
            with open(f"/proc/{pid}/status") as status:  # Linux, where the fork server is the default here
                blocked = int(next(line for line in status if line.startswith("SigBlk:")).split()[1], 16)
            seen.append(bool(blocked & (1 << (signal.SIGINT - 1))))
        return pid

    monkeypatch.setattr(util, "spawnv_passfds", spawn_then_interrupt)
    out = tmp_path / "out"
    outcomes = pool.run_jobs(_jobs(out, light), workers=1)
    assert seen == [True], seen  # the server started with SIGINT blocked, and got it
    assert [o.status for o in outcomes] == ["rendered"], outcomes
    err = capfd.readouterr().err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == set()  # nothing left blocked in this process


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_an_interrupt_while_the_command_line_loads_ends_it_in_one_line(tmp_path, signum):
    """The command line's modules take half a second to load (numpy among them), before main() handled signals: a
    Ctrl-C there printed the import's traceback, a SIGTERM killed the process without a word."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        class InterruptOnImport:  # the signal lands as the command line's first module of its own loads
            def find_spec(self, name, path=None, target=None):
                if name == "dprk_arms.data.runspec":
                    os.kill(os.getpid(), {int(signum)})
                return None
        sys.meta_path.insert(0, InterruptOnImport())
        sys.argv = ["dprk-arms", "params"]
        from dprk_arms.__main__ import entry
        entry()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert done.stderr.splitlines() == ["dprk-arms: interrupted"], done.stderr
    assert done.stdout == ""


@pytest.mark.skipif("forkserver" not in __import__("multiprocessing").get_all_start_methods(), reason="no fork server")
def test_a_worker_forked_as_an_interrupt_lands_does_not_hold_the_command(tmp_path):
    """Ctrl-C while the fork server forks a worker: the pool never learns of that worker, which holds the pipe the
    server waits on to end, and the command waited 30 s for its grace period. Stopping the server ends it too."""
    script = tmp_path / "straggler.py"
    script.write_text(textwrap.dedent("""
        import time
        from dprk_arms.briefs import pool, scratch
        if __name__ == "__main__":
            context = pool._context()
            pool._start_fork_server(context)
            unknown = context.Process(target=time.sleep, args=(600,), daemon=True)  # a worker no pool knows of
            unknown.start()
            pool._stop_fork_server()
            print("alive" if scratch.process_alive(str(unknown.pid)) else "gone")
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.split() == ["gone"], (done.stdout, done.stderr)
