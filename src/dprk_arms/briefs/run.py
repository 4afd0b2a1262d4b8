"""Entry points: render briefs for scenarios, or one comparison brief; each returns the exit code."""

import os
import signal

from .kernel import START_TIMEOUT_S
from .plan import compare_job, scenario_jobs
from .pool import run_jobs
from .report import report


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt


def render(scenarios, use_all=False, overrides=None, out=None, jobs=None, force=False, cell_timeout=600,
           draws=None, start_timeout=START_TIMEOUT_S):
    """Render briefs for the named scenarios (or all); prints a summary and returns the exit code."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    todo = scenario_jobs(scenarios, use_all, overrides or {}, out, cell_timeout, draws, start_timeout)
    workers = jobs or os.cpu_count() or 1
    return report(run_jobs(todo, workers, force), todo[0].out_dir)


def compare(scenarios, overrides=None, out=None, cell_timeout=600, draws=None, start_timeout=START_TIMEOUT_S):
    """One comparison brief across scenarios, each at its own draws and seed (or `draws` for all)."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    job = compare_job(scenarios, overrides, out, cell_timeout, draws, start_timeout)
    return report(run_jobs([job], 1, force=True), job.out_dir)
