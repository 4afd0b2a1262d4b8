"""The worker pool: long-lived workers (from a warm fork server) with warm kernels, dying with the command; retries."""

import atexit
import logging
import multiprocessing
import multiprocessing.util
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from .. import interrupts
from . import job as job_mod
from . import kernel, kernelfork, scratch
from .cache import is_current
from .clean import clean_stale
from .nbimports import skip_iri_format_checker
from .job import Outcome


STOP_WAIT_S = 30  # for a terminated worker to exit before it is killed: generous, a bound and not a timing


def run_jobs(jobs: list, workers: int, force: bool = False) -> list[Outcome]:
    """Render the jobs that changed, in parallel; returns outcomes in job order."""
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        # a worker importing the user's script, which renders at its top level: multiprocessing would raise its own
        # "bootstrapping phase" RuntimeError, which names neither the cause nor the fix
        from ..errors import DprkArmsError
        raise DprkArmsError("a render worker, importing the script that started the render, was asked to render "
                            "again: put the script's render call under `if __name__ == \"__main__\":`")
    for folder in {j.out_dir for j in jobs}:
        Path(folder).mkdir(parents=True, exist_ok=True)
        clean_stale(folder)
    outcomes = {j.name: Outcome(j.name, "skipped", 0.0, "unchanged") for j in jobs if not force and is_current(j)}
    todo = [j for j in jobs if j.name not in outcomes]
    if not todo:  # nothing changed: no progress bar (tqdm alone took a tenth of a re-render's time to import)
        return [outcomes[j.name] for j in jobs]
    from tqdm import tqdm
    try:
        with tqdm(total=len(todo), desc="rendering", unit="brief", file=sys.stderr, disable=None) as progress:
            broken = _run_pool(todo, workers, outcomes, progress)
            # A worker that died (not just a failed cell) breaks the whole pool: retry the unfinished jobs
            # one at a time, so only the job that kills its worker is marked failed.
            for job in broken:
                if _run_pool([job], 1, outcomes, progress):
                    outcomes[job.name] = Outcome(job.name, "failed", 0.0, "the render worker process died")
                    progress.update(1)
    finally:  # interrupted too: the workers have exited, so their scratch folders (and half-made files) go
        for folder in {j.out_dir for j in jobs}:
            clean_stale(folder)
    return [outcomes[j.name] for j in jobs]


def _run_pool(todo, workers, outcomes, progress, context=None):
    """Run jobs in a pool of worker processes (from `context`, by default _context()); returns the jobs left
    unfinished by a broken pool."""
    if not todo:
        return []
    # Long-lived workers, each with one warm kernel it reuses (papermill has kernel-launch races when many
    # kernels start from one process), importing the render stack once, not per brief.
    context = context or _context()
    kernels, address = _start_kernel_server(todo)
    try:
        pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(todo))), mp_context=context,
                                   initializer=_worker_init, initargs=(scratch.process_identity(os.getpid()), address))
    except BaseException:  # an interrupt here: the server goes now, not with the process
        kernelfork.stop(kernels)
        raise
    unfinished, server_failed = [], False
    try:
        try:
            _start_fork_server(context)
            futures = {pool.submit(job_mod.render_job, j): j for j in todo}
        except (EOFError, OSError):
            # The fork server died before it forked a worker (killed, or its start failed): multiprocessing says
            # only "unexpected EOF". The pool is run again with spawned workers, which need no server.
            if context.get_start_method() != "forkserver" or interrupts.received():
                raise
            server_failed, futures = True, {}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except BrokenProcessPool:
                unfinished.append(futures[future])
                continue
            outcomes[outcome.name] = outcome
            progress.update(1)
    except KeyboardInterrupt:
        _terminate(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _stop_fork_server()
        kernelfork.stop(kernels)
        if address is not None:
            shutil.rmtree(os.path.dirname(address), ignore_errors=True)
    if server_failed:
        return _run_pool(todo, workers, outcomes, progress, multiprocessing.get_context("spawn"))
    return [j for j in todo if j in unfinished]


def _start_kernel_server(todo):
    """(server, address) of a kernel server for the pool (briefs/kernelfork.py), or (None, None): started when a job's
    notebook uses the package, whose kernels it forks warm. It imports their stack (about 2 CPU s) beside the fork
    server's imports, on the core those leave idle, once for all the pool's kernels instead of once in each; it starts
    from this process as it is now, as the fork server does, and ends with the pool."""
    from .preload import preload_for
    if not hasattr(socket, "AF_UNIX") or not any(preload_for(str(j.notebook)) == kernel.PRELOAD for j in todo):
        return None, None
    folder = scratch.make_scratch(tempfile.gettempdir())  # removed with the pool (_run_pool), or by clean-up if killed
    address = str(folder / "kernels.sock")
    try:
        return kernelfork.start(address, kernel.PRELOAD), address
    except OSError:  # no server: each worker launches its kernels itself
        shutil.rmtree(folder, ignore_errors=True)
        return None, None


def _start_fork_server(context):
    """Start the pool's fork server with SIGINT blocked, as multiprocessing starts its resource tracker: a Ctrl-C
    to the process group before the server's first line (warm.py ignores SIGINT, then unblocks it) is held, and
    then dropped, instead of printing a traceback from the server's start-up. The command gets its own Ctrl-C."""
    if context.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver, resource_tracker
    resource_tracker.ensure_running()  # it blocks and unblocks SIGINT for its own start: done first, not inside ours
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _stop_fork_server():
    """End the fork server with its pool: the next pool's workers then fork from a server that imported the code,
    brief.css and umask as they are at its start, as spawned workers would (a server kept for the process's life
    handed a later pool the first pool's)."""
    import multiprocessing.forkserver
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    pid = getattr(server, "_forkserver_pid", None)
    # Killed, with any worker it still has: an interrupt that lands while the server forks a worker leaves that
    # worker unknown to the pool, holding the pipe the server waits on to end (the command waited for the grace
    # period, and its clean-up was skipped). After a pool's shutdown it has no other workers.
    stragglers = scratch.children(pid) if pid is not None else []
    for process in [*stragglers, *([pid] if pid is not None else [])]:
        try:
            os.kill(process, signal.SIGKILL)
        except OSError:
            pass
    try:
        server._stop()  # closes its alive pipe and reaps it
    except (AttributeError, OSError):
        pass  # no fork server here, or already gone
    deadline = time.monotonic() + STOP_WAIT_S  # their scratch goes only once they have gone: a bound, not a timing
    while any(scratch.process_alive(str(p)) for p in stragglers) and time.monotonic() < deadline:
        time.sleep(0.01)


def _context():
    """Workers forked from a fork server that has imported the render stack (warm.py) once, where spawned workers
    each imported it (about 2 CPU s a worker); spawned where there is no fork server. The server is a fresh
    process, not a fork of this one, and ends with its pool (_stop_fork_server)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    config = multiprocessing.current_process()._config
    if config.get("tempdir") is None:
        # the fork server's socket goes in a scratch folder of ours, which clean-up removes once this process has
        # gone (kill -9 included), not in a pymp-* folder of multiprocessing's, which a killed run leaves behind
        folder = scratch.make_scratch(tempfile.gettempdir())
        config["tempdir"] = str(folder)
        multiprocessing.util.Finalize(None, shutil.rmtree, args=(folder, True), exitpriority=-100)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["dprk_arms.briefs.warm"])  # no effect once the server runs; a failed import
    return context                                             # there only leaves the worker to import it


def _worker_init(parent, kernel_server=None):
    """Set a worker up to die with the command that started it, however that command ends (kill -9 too). Its
    environment, folder and umask are this process's as its pool started: the fork server starts with the pool."""
    # A forked worker ends in os._exit, which skips atexit (the kernel's shutdown, the scratch folders' removal);
    # multiprocessing's own exit finalizers run, so they run the atexit handlers (which then clear themselves).
    multiprocessing.util.Finalize(None, atexit._run_exitfuncs, exitpriority=0)
    # Ctrl-C reaches the whole process group; the parent decides, and terminates workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # warm.py does it; here too in case it never ran
    job_mod._parent = parent
    kernel.fork_server = kernel_server  # where its kernels come from, warm, when its notebooks use the package
    scratch.die_with_parent()  # Linux: SIGKILL when its parent dies (the fork server, which ends with the command)
    if not scratch.process_alive(parent):
        os._exit(1)  # the command died before the line above took effect
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()
    skip_iri_format_checker()
    # papermill's (and nbclient's) own log lines ("Kernel died while waiting for execute reply.") would reach the
    # terminal beside the summary, which names the same failure in one line and keeps the kernel's log
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    try:
        job_mod.import_pdf_library()  # papermill, nbconvert and WeasyPrint load while the pool fills
    except Exception:  # noqa: BLE001 - e.g. Pango missing (OSError): raised here, multiprocessing would print a
        pass  # traceback and break the pool; each brief's own import reports it instead


def _watch_parent(parent, poll_s=0.5):
    """Where PR_SET_PDEATHSIG is missing: end this worker and its kernel soon after the command dies."""
    while scratch.process_alive(parent):
        time.sleep(poll_s)
    kernel.kill_kernel_now()
    os._exit(1)


def _terminate(pool):
    """Stop the workers now and wait until they have gone (so clean-up sees their scratch as stale); their
    kernels die with them (PR_SET_PDEATHSIG, or their own parent poll)."""
    processes = list(getattr(pool, "_processes", {}).values())
    for process in processes:
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(STOP_WAIT_S)
        if process.is_alive():  # a worker stuck in a system call: SIGTERM did not take
            process.kill()
            process.join()
