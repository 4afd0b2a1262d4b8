"""Entry points: render briefs for scenarios, or one comparison brief; each returns the exit code."""

import os

from .. import interrupts
from .kernel import START_TIMEOUT_S
from .plan import compare_job, scenario_jobs
from .pool import run_jobs
from .report import report


def render(scenarios: list[str], use_all: bool = False, overrides: dict | None = None, out: str | None = None,
           jobs: int | None = None, force: bool = False, cell_timeout: int = 600, draws: int | None = None,
           start_timeout: int = START_TIMEOUT_S, notebook: str | None = None) -> int:
    """Render briefs for the named scenarios (or all), through brief.ipynb or `notebook`; prints a summary and
    returns the exit code."""
    interrupts.install()
    todo = scenario_jobs(scenarios, use_all, overrides or {}, out, cell_timeout, draws, start_timeout, notebook)
    workers = jobs or os.cpu_count() or 1
    return report(run_jobs(todo, workers, force), todo[0].out_dir)


def compare(scenarios: list[str], overrides: dict | None = None, out: str | None = None, cell_timeout: int = 600,
            draws: int | None = None, start_timeout: int = START_TIMEOUT_S, name: str = "compare") -> int:
    """One comparison brief across scenarios, each at its own draws and seed (or `draws` for all)."""
    interrupts.install()
    job = compare_job(scenarios, overrides, out, cell_timeout, draws, start_timeout, name)
    return report(run_jobs([job], 1, force=True), job.out_dir)
