"""Batch rendering: validate every scenario first, then render in parallel worker processes.

Outputs are written atomically; unchanged scenarios are skipped by a content hash; a failed scenario
keeps its executed notebook in <out>/failed/ and never touches another scenario's files.
"""

import hashlib
import multiprocessing
import os
import re
import shutil
import signal
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import ScenarioError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    notebook: str
    parameters: dict
    out_dir: str
    digest: str
    timeout: int


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # rendered | skipped | failed
    seconds: float
    message: str = ""


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


def scenario_jobs(names, use_all, overrides, out, timeout, draws=None):
    """Validated jobs for the named scenarios (all errors raised before anything is written)."""
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
        scen = scenarios_mod.load_scenario(file, cat, overrides)
        if draws is not None:
            scen = _with_draws(scen, draws)
        if scen.name in seen:
            raise ScenarioError(file, None, f"scenario name {scen.name!r} given twice")
        seen.add(scen.name)
        params = {"scenario": scen.name, "title": scen.title, "question": scen.question,
                  "draws": scen.draws, "seed": scen.seed, "as_of": scen.as_of,
                  "statements": list(scen.statements), **scen.overrides}
        jobs.append(Job(scen.name, scen.title, str(notebook), params, str(folder),
                        job_digest([scen.digest()], notebook, cat), timeout))
    return jobs


def _with_draws(scen, draws):
    from dataclasses import replace
    from ..data.scenarios import MAX_DRAWS
    if not 100 <= draws <= MAX_DRAWS:
        raise ScenarioError("--draws", "draws", f"expected a whole number from 100 to {MAX_DRAWS:,}, got {draws:,}")
    return replace(scen, draws=draws)


def render_job(job):
    """Execute and convert one job in this process; never raises."""
    from . import render
    start = time.monotonic()
    out = Path(job.out_dir)
    work = out / ".work" / f"{job.name}-{os.getpid()}"
    executed = work / f"{job.name}.ipynb"
    try:
        work.mkdir(parents=True, exist_ok=True)
        try:
            km = render.warm_kernel(out / ".work")
            render.reset_kernel(km)
            render.execute(job.notebook, executed, job.parameters, job.timeout, km=km)
        except Exception as exc:  # noqa: BLE001 - any failure is reported, and the notebook kept
            render.discard_kernel()  # dead, interrupted or dirty: the next brief gets a fresh kernel
            return Outcome(job.name, "failed", time.monotonic() - start, _keep_failed(executed, out, job.name, exc))
        page = render.to_html(executed, job.title)
        render.write_pdf(page, work / f"{job.name}.pdf")
        os.replace(work / f"{job.name}.pdf", out / f"{job.name}.pdf")
        os.replace(executed, out / f"{job.name}.ipynb")
        _write_atomic(out / f".{job.name}.sha256", job.digest)
        (out / "failed" / f"{job.name}.ipynb").unlink(missing_ok=True)
        return Outcome(job.name, "rendered", time.monotonic() - start)
    except Exception as exc:  # noqa: BLE001
        return Outcome(job.name, "failed", time.monotonic() - start, f"{type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _keep_failed(executed, out, name, exc):
    """Move the executed notebook to <out>/failed/, mark its failing cell, and describe the failure."""
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = str(getattr(exc, "evalue", exc)).strip().splitlines()[0][:300] if str(getattr(exc, "evalue", exc)).strip() else ""
    failed = out / "failed"
    failed.mkdir(exist_ok=True)
    kept = failed / f"{name}.ipynb"
    if not executed.exists():
        return f"{ename}: {evalue}"
    cell = _mark_failing_cell(executed, ename, evalue)
    os.replace(executed, kept)
    where = f"cell {cell[0]} ({cell[1]!r}): " if cell else ""
    return f"{where}{ename}: {evalue}; executed notebook kept at {kept}"


def _mark_failing_cell(path, ename, evalue):
    """(index, first line) of the last cell papermill started; adds an error output when it has none
    (a dead kernel or a timeout leaves the cell without one)."""
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
        nbformat.write(nb, str(path))
    return index, cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ""


def _write_atomic(path, text):
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(out):
    """Remove work folders and temporary files left by renders that were killed."""
    out = Path(out)
    for entry in list((out / ".work").glob("*-*")) + list(out.glob(".*.tmp-*")):
        match = re.search(r"-(\d+)(\.log)?$", entry.name)  # NAME-PID, kernel-PID.log, .NAME.tmp-PID
        if match and not _pid_alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)


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
        clean_stale(folder)  # the workers have exited: their kernel logs go too
    return [outcomes[j.name] for j in jobs]


def _run_pool(todo, workers, outcomes, progress):
    """Run jobs in a pool of worker processes; returns the jobs left unfinished by a broken pool."""
    if not todo:
        return []
    # Long-lived spawned workers, each with one warm kernel it reuses (papermill has kernel-launch races
    # when many kernels start from one process), importing the render stack once, not per brief.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(todo))), mp_context=context,
                               initializer=_worker_init)
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


def _worker_init():
    # Ctrl-C reaches the whole process group; the parent decides, and terminates workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from . import render  # noqa: F401 - papermill, nbconvert and WeasyPrint load while the pool fills
    import weasyprint  # noqa: F401


def _terminate(pool):
    """Stop the workers now; their kernels exit when they see their parent gone."""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def report(outcomes, out):
    for o in outcomes:
        line = f"{o.status:>8}  {o.name:<24} {o.seconds:6.1f}s"
        if o.status == "rendered":
            line += f"  {Path(out) / (o.name + '.pdf')}"
        elif o.message:
            line += f"  {o.message}"
        print(line)
    failed = [o for o in outcomes if o.status == "failed"]
    counts = {s: sum(o.status == s for o in outcomes) for s in ("rendered", "skipped", "failed")}
    print(f"{counts['rendered']} rendered, {counts['skipped']} unchanged, {counts['failed']} failed")
    if failed:
        print(f"failed: {', '.join(o.name for o in failed)} (executed notebooks in {Path(out) / 'failed'})", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main(args):
    from ..cli import parse_overrides
    signal.signal(signal.SIGTERM, _on_sigterm)
    if args.jobs is not None and args.jobs < 1:
        raise ScenarioError("--jobs", "jobs", f"expected at least 1, got {args.jobs}")
    if args.cell_timeout < 1:
        raise ScenarioError("--cell-timeout", "cell_timeout", f"expected at least 1 second, got {args.cell_timeout}")
    jobs = scenario_jobs(args.scenarios, args.all, parse_overrides(args.param), args.out, args.cell_timeout,
                         getattr(args, "draws", None))
    workers = args.jobs or os.cpu_count() or 1
    return report(run_jobs(jobs, workers, args.force), jobs[0].out_dir)


def compare_main(args):
    from ..data import catalog as catalog_mod
    from ..data import scenarios as scenarios_mod
    signal.signal(signal.SIGTERM, _on_sigterm)
    cat = catalog_mod.load()
    names = args.scenarios or sorted(p.stem for p in paths.SCENARIOS_DIR.glob("*.yaml"))
    files = [str(scenarios_mod.scenario_path(name).resolve()) for name in names]
    for file in files:
        scenarios_mod.load_scenario(file, cat)  # every error before anything runs
    notebook = paths.NOTEBOOKS_DIR / "compare.ipynb"
    folder = output_dir(args.out)
    params = {"scenarios": files, "scenario": "compare", "title": "Scenario comparison", "draws": 50_000}
    job = Job("compare", "Scenario comparison", str(notebook), params, str(folder),
              job_digest([params], notebook, cat), args.cell_timeout)
    return report(run_jobs([job], 1, force=True), folder)
