"""Batch rendering: validate every scenario first, then render in parallel worker processes.

Outputs are written atomically; unchanged scenarios are skipped by a content hash; a failed scenario
keeps its executed notebook (or its kernel's log) in <out>/failed/ and never touches another scenario's files.
"""

import atexit
import hashlib
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..defaults import EXIT_FAILED, EXIT_OK
from ..errors import ScenarioError


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    notebook: str
    parameters: dict
    out_dir: str
    digest: str
    timeout: int
    start_timeout: int = 300  # seconds a kernel may take to start (render.START_TIMEOUT_S)


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # rendered | skipped | failed
    seconds: float
    message: str = ""
    kept: tuple = ()  # what a failure left in <out>/failed/ to inspect


def code_digest():
    """SHA-256 of the package's own source files (code and stylesheet)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".css") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def job_digest(parts, notebook, catalog):
    digest = hashlib.sha256()
    for part in [*parts, catalog.fingerprint(), code_digest()]:
        digest.update(str(part).encode())
    digest.update(Path(notebook).read_bytes())
    return digest.hexdigest()


def output_dir(out):
    """The output folder, created if missing; refuse anything that is not a folder."""
    folder = Path(out) if out else paths.REPORTS_DIR
    if folder.exists() and not folder.is_dir():
        raise ScenarioError("--out", "out", f"{folder} is a file; expected a folder")
    return folder


def scenario_jobs(names, use_all, overrides, out, timeout, draws=None, start_timeout=300):
    """Validated jobs for the named scenarios (all errors raised before anything is written).

    Each job carries its scenario's canonical run spec and the digest that decides re-renders; the
    notebook receives both, so it neither re-reads the file nor guesses what the scenario set.
    """
    from ..data import catalog as catalog_mod
    from ..data import scenarios as scenarios_mod
    cat = catalog_mod.load()
    if use_all:
        files = sorted(paths.SCENARIOS_DIR.glob("*.yaml"))
        if not files:
            raise ScenarioError(paths.SCENARIOS_DIR, None, "no scenario files (*.yaml) found")
    elif names:
        files = [scenarios_mod.scenario_path(n) for n in names]
    else:
        raise ScenarioError("render", None, "name at least one scenario, or use --all")
    notebook = paths.NOTEBOOKS_DIR / "brief.ipynb"
    folder = output_dir(out)
    jobs, seen = [], set()
    for file in files:
        spec = scenarios_mod.load_scenario(file, cat, overrides).with_settings(draws=draws)
        if spec.name in seen:
            raise ScenarioError(file, None, f"scenario name {spec.name!r} given twice")
        seen.add(spec.name)
        digest = job_digest([spec.digest()], notebook, cat)
        jobs.append(Job(spec.name, spec.title, str(notebook), {"run_spec": spec.canonical(), "render_digest": digest},
                        str(folder), digest, timeout, start_timeout))
    return jobs


def render_job(job):
    """Execute and convert one job in this process; never raises."""
    from . import render
    start = time.monotonic()
    out = Path(job.out_dir)
    work = executed = None
    try:
        scratch = _worker_scratch(out)
        work = scratch / job.name
        work.mkdir()
        executed = work / f"{job.name}.ipynb"
        try:
            km = render.warm_kernel(scratch, job.start_timeout)
            render.reset_kernel(km)
            render.execute(job.notebook, executed, job.parameters, job.timeout, km=km, start_timeout=job.start_timeout)
        except Exception as exc:  # noqa: BLE001 - any failure is reported, and the notebook kept
            render.discard_kernel()  # dead, interrupted or dirty: the next brief gets a fresh kernel
            from papermill.exceptions import PapermillExecutionError
            # A cell's own error is in the notebook; a dead, hung or unstartable kernel is in its log.
            kernel_trouble = not isinstance(exc, (PapermillExecutionError, render.IncompleteNotebook))
            return _failed(job, start, exc, executed, with_log=kernel_trouble, mark_cell=True)
        pdf = work / f"{job.name}.pdf"
        try:
            render.write_pdf(render.to_html(executed, job.title), pdf)
            _publish(pdf, out / f"{job.name}.pdf")
        except Exception as exc:  # noqa: BLE001 - nothing published: the earlier PDF stands
            return _failed(job, start, exc, executed)
        # The PDF is out: from here on a problem is a note on a rendered brief, never a failure.
        notes = []
        for what, step in [("executed notebook", lambda: _publish(executed, out / f"{job.name}.ipynb")),
                           ("cache stamp", lambda: render.write_atomic(out / f".{job.name}.sha256", job.digest)),
                           ("earlier failure record", lambda: _clear_failed(out, job.name))]:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - the brief is published whatever happens here
                notes.append(f"{what} not updated ({_describe(exc)})")
        return Outcome(job.name, "rendered", time.monotonic() - start, "; ".join(notes))
    except Exception as exc:  # noqa: BLE001
        return _failed(job, start, exc, executed)
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


_scratch = {}  # output folder -> this worker's scratch folder in it
_parent = None  # identity of the command that started this worker, when it is one


def _worker_scratch(out):
    """This process's own scratch folder under <out>/.work (executed notebooks, PDFs in the making, kernel
    logs), marked with its owner so clean-up removes only folders of ours whose process has exited."""
    from . import render
    folder = _scratch.get(out)
    if folder is None or not folder.is_dir():
        folder = _scratch[out] = render.make_scratch(out / ".work")
        atexit.register(shutil.rmtree, folder, True)
    return folder


def _command_alive():
    from . import render
    return _parent is None or render.process_alive(_parent)


def _publish(source, target):
    """Rename a finished file into place; never once the command that asked for it has gone."""
    if not _command_alive():
        raise RuntimeError("the render command has exited; not publishing")
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a folder; expected a file or nothing")
    os.replace(source, target)


def _clear_failed(out, name):
    for stale in (out / "failed" / f"{name}.ipynb", out / "failed" / f"{name}.log"):
        if stale.is_file():
            stale.unlink()


def _describe(exc):
    """One bounded line: `Name: first line of the message`."""
    text = str(getattr(exc, "evalue", exc)).strip()
    return f"{getattr(exc, 'ename', type(exc).__name__)}: {text.splitlines()[0][:300] if text else ''}".rstrip(": ")


def _failed(job, start, exc, executed, with_log=False, mark_cell=False):
    """A failed outcome that names what was kept in <out>/failed/: the executed notebook when there is one
    (its failing cell marked when the notebook step failed), and the kernel's log when the kernel was in
    question or there is no notebook."""
    from . import render
    out = Path(job.out_dir)
    failed = out / "failed"
    message, kept = _describe(exc), []
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = message[len(ename) + 2:] if message.startswith(f"{ename}: ") else ""
    try:
        failed.mkdir(parents=True, exist_ok=True)
        if executed is not None and executed.is_file():
            cell = _mark_failing_cell(executed, ename, evalue) if mark_cell else None
            if cell:
                message = f"cell {cell[0]} ({cell[1]!r}): {message}"
            target = failed / f"{job.name}.ipynb"
            _publish(executed, target)
            kept.append(target)
        else:
            (failed / f"{job.name}.ipynb").unlink(missing_ok=True)  # an older run's: not this failure's
        if with_log or not kept:
            log = getattr(exc, "log", None) or render.kernel_log()
            lines = [f"{job.name}: {message}", *traceback.format_exception_only(type(exc), exc)]
            if log is not None:
                lines += [f"--- last lines of the kernel's log ({Path(log).name}) ---", *render.log_tail(log, 200)]
            target = failed / f"{job.name}.log"
            render.write_atomic(target, "\n".join(line.rstrip("\n") for line in lines) + "\n")
            kept.append(target)
    except Exception as keep_exc:  # noqa: BLE001 - a full disk must not hide the original failure
        message += f"; could not keep it for inspection ({_describe(keep_exc)})"
    if kept:
        message += f"; kept {', '.join(str(k) for k in kept)}"
    return Outcome(job.name, "failed", time.monotonic() - start, message, tuple(str(k) for k in kept))


def _mark_failing_cell(path, ename, evalue):
    """(index, first line) of the last cell papermill started; adds an error output when it has none
    (a dead kernel, a timeout or a quiet stop leaves the cell without one)."""
    import nbformat
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:  # noqa: BLE001 - a half-written notebook is still kept, just not annotated
        return None
    started = [i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return None
    index = started[-1]
    cell = nb.cells[index]
    if cell.cell_type == "code" and not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
        cell.outputs.append(nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]))
        try:
            from . import render
            render.write_atomic(path, nbformat.writes(nb))
        except OSError:
            pass  # unmarked, but still kept
    return index, cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ""


STALE_FILE = re.compile(r"^\..+\.dprk-arms-(\d+)$")  # render.temp_beside's names


def clean_stale(out):
    """Remove what killed runs of ours left: scratch folders carrying our owner marker, and temporary files
    named by render.temp_beside, whose process has exited. Nothing else, however it is named."""
    from . import render
    out = Path(out)
    folders = list((out / ".work").glob(f"{render.SCRATCH_PREFIX}*"))
    folders += Path(tempfile.gettempdir()).glob(f"{render.SCRATCH_PREFIX}*")  # kernel sockets, runtime files
    for folder in folders:
        if folder.is_dir() and not folder.is_symlink() and render.scratch_is_stale(folder):
            shutil.rmtree(folder, ignore_errors=True)
    for entry in out.glob(".*"):
        match = STALE_FILE.match(entry.name)
        if match and entry.is_file() and not entry.is_symlink() and not render.process_alive(match.group(1)):
            entry.unlink(missing_ok=True)
    try:
        (out / ".work").rmdir()  # only when empty
    except OSError:
        pass


def is_current(job):
    out = Path(job.out_dir)
    stamp = out / f".{job.name}.sha256"
    return (out / f"{job.name}.pdf").is_file() and stamp.is_file() and stamp.read_text().strip() == job.digest


def run_jobs(jobs, workers, force=False):
    """Render the jobs that changed, in parallel; returns outcomes in job order."""
    from tqdm import tqdm
    for folder in {j.out_dir for j in jobs}:
        Path(folder).mkdir(parents=True, exist_ok=True)
        clean_stale(folder)
    outcomes = {j.name: Outcome(j.name, "skipped", 0.0, "unchanged") for j in jobs if not force and is_current(j)}
    todo = [j for j in jobs if j.name not in outcomes]
    with tqdm(total=len(todo), desc="rendering", unit="brief", file=sys.stderr, disable=None) as progress:
        broken = _run_pool(todo, workers, outcomes, progress)
        # A worker that died (not just a failed cell) breaks the whole pool: retry the unfinished jobs
        # one at a time, so only the job that kills its worker is marked failed.
        for job in broken:
            if _run_pool([job], 1, outcomes, progress):
                outcomes[job.name] = Outcome(job.name, "failed", 0.0, "the render worker process died")
                progress.update(1)
    for folder in {j.out_dir for j in jobs}:
        clean_stale(folder)  # the workers have exited: their scratch folders go too
    return [outcomes[j.name] for j in jobs]


def _run_pool(todo, workers, outcomes, progress):
    """Run jobs in a pool of worker processes; returns the jobs left unfinished by a broken pool."""
    from . import render
    if not todo:
        return []
    # Long-lived spawned workers, each with one warm kernel it reuses (papermill has kernel-launch races
    # when many kernels start from one process), importing the render stack once, not per brief.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(todo))), mp_context=context,
                               initializer=_worker_init, initargs=(render.process_identity(os.getpid()),))
    futures = {pool.submit(render_job, j): j for j in todo}
    unfinished = []
    try:
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
    return [j for j in todo if j in unfinished]


def _worker_init(parent):
    """Set a worker up to die with the command that started it, however that command ends (kill -9 too)."""
    global _parent
    # Ctrl-C reaches the whole process group; the parent decides, and terminates workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from . import render
    _parent = parent
    render.die_with_parent()  # Linux: the kernel delivers SIGKILL when the command dies
    if not render.process_alive(parent):
        os._exit(1)  # the command died before the line above took effect
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()
    import weasyprint  # noqa: F401 - papermill, nbconvert and WeasyPrint load while the pool fills


def _watch_parent(parent, poll_s=0.5):
    """Where PR_SET_PDEATHSIG is missing: end this worker and its kernel soon after the command dies."""
    from . import render
    while render.process_alive(parent):
        time.sleep(poll_s)
    render.kill_kernel_now()
    os._exit(1)


def _terminate(pool):
    """Stop the workers now; their kernels die with them (PR_SET_PDEATHSIG, or their own parent poll)."""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def report(outcomes, out):
    for o in outcomes:
        line = f"{o.status:>8}  {o.name:<24} {o.seconds:6.1f}s"
        if o.status == "rendered":
            line += f"  {Path(out) / (o.name + '.pdf')}"
            if o.message:
                line += f" (but: {o.message})"
        elif o.message:
            line += f"  {o.message}"
        print(line)
    failed = [o for o in outcomes if o.status == "failed"]
    counts = {s: sum(o.status == s for o in outcomes) for s in ("rendered", "skipped", "failed")}
    print(f"{counts['rendered']} rendered, {counts['skipped']} unchanged, {counts['failed']} failed")
    if failed:
        kept = [k for o in failed for k in o.kept if Path(k).is_file()]  # only what is there to open
        where = f"; to inspect: {', '.join(kept)}" if kept else "; nothing could be kept to inspect"
        print(f"failed: {', '.join(o.name for o in failed)}{where}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt


def render(scenarios, use_all=False, overrides=None, out=None, jobs=None, force=False, cell_timeout=600,
           draws=None, start_timeout=300):
    """Render briefs for the named scenarios (or all); prints a summary and returns the exit code."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    todo = scenario_jobs(scenarios, use_all, overrides or {}, out, cell_timeout, draws, start_timeout)
    workers = jobs or os.cpu_count() or 1
    return report(run_jobs(todo, workers, force), todo[0].out_dir)


def compare(scenarios, overrides=None, out=None, cell_timeout=600, draws=None, start_timeout=300):
    """One comparison brief across scenarios, each at its own draws and seed (or `draws` for all)."""
    from ..data import catalog as catalog_mod
    from ..data import scenarios as scenarios_mod
    signal.signal(signal.SIGTERM, _on_sigterm)
    cat = catalog_mod.load()
    names = scenarios or sorted(p.stem for p in paths.SCENARIOS_DIR.glob("*.yaml"))
    specs = [scenarios_mod.load_scenario(scenarios_mod.scenario_path(name), cat, overrides).with_settings(draws=draws)
             for name in names]  # every error before anything runs
    notebook = paths.NOTEBOOKS_DIR / "compare.ipynb"
    folder = output_dir(out)
    digest = job_digest([s.digest() for s in specs], notebook, cat)
    params = {"run_specs": [s.canonical() for s in specs], "render_digest": digest}
    job = Job("compare", "Scenario comparison", str(notebook), params, str(folder), digest, cell_timeout,
              start_timeout)
    return report(run_jobs([job], 1, force=True), folder)
