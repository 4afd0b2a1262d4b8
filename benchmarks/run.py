"""Benchmarks: each timed against a baseline run in this same script, reported as a ratio.

    python benchmarks/run.py [--repeat N] [--render-repeat N] [--skip-render | --render-only]

Timings are medians of N runs with min and max. Nothing here is asserted: the test suite checks
behaviour, this script measures speed.
"""

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from dprk_arms import allocator, paths
from dprk_arms.data import catalog as catalog_mod
from dprk_arms.data.correlations import effective
from dprk_arms.data import scenarios
from dprk_arms.models.evaluate import evaluate
from dprk_arms.simulation import inputs as inputs_mod
from dprk_arms.simulation import montecarlo, sweep

BIN = Path(sys.executable).parent


def timed(fn, repeat):
    """(median, min, max) seconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def row(name, ours, base, target, passed):
    ratio = base[0] / ours[0] if base else None
    ours_text = f"{ours[0]:8.3f}s ({ours[1]:.3f}-{ours[2]:.3f})"
    base_text = f"{base[0]:8.3f}s ({base[1]:.3f}-{base[2]:.3f})" if base else " " * 26
    ratio_text = f"{ratio:6.2f}x" if ratio else "      "
    print(f"{name:<38} {ours_text:<28} {base_text:<28} {ratio_text}  {target:<24} {'ok' if passed else 'MISSED'}")
    return ratio


def bench_monte_carlo(cat, repeat):
    resolved = cat.resolve()
    draws = 1_000_000
    pairs = effective(cat.correlations, {})  # the floor draws what simulate draws, copula included
    allocator.keep_freed_memory()  # as simulate sets it up on its first call: the floor runs in the same process
    floor, ours = [], []
    for _ in range(repeat):  # interleaved, so a noisy neighbour slows both alike
        floor.append(timed(lambda: inputs_mod.drawn_inputs(resolved, cat, draws, 1, correlations=pairs), 1)[0])
        ours.append(timed(lambda: montecarlo.simulate(resolved, cat, draws, 1), 1)[0])
    ratio = statistics.median(o / f for o, f in zip(ours, floor))
    print(f"{'Monte Carlo, 1,000,000 draws':<38} {statistics.median(ours):8.3f}s ({min(ours):.3f}-{max(ours):.3f})   "
          f"floor (draws alone) {statistics.median(floor):.3f}s ({min(floor):.3f}-{max(floor):.3f})   "
          f"{ratio:.2f}x the floor (median of paired runs)   target <= 2x   {'ok' if ratio <= 2 else 'MISSED'}")
    return ratio


def bench_sweep(cat, repeat):
    resolved = cat.resolve()
    axes = [sweep.parse_axis("price_152mm_usd=500:6000:100", cat.parameters),
            sweep.parse_axis("volume_rounds=1000000:3500000:100", cat.parameters)]
    ours = timed(lambda: sweep.grid(resolved, cat, axes), repeat)
    central = inputs_mod.central_inputs(resolved, cat)
    prices, volumes = axes[0].values, axes[1].values

    def loop():  # the baseline: the models called once per grid point
        for p in prices:
            for v in volumes:
                evaluate({**central, "price_152mm_usd": p, "volume_rounds": v})

    base = timed(loop, 1)
    return row("Sweep, 10,000 points (vs a loop)", ours, base, "< 1 s", ours[0] < 1.0), ours[0]


def bench_whatif(cat, repeat):
    from dprk_arms.presentation import plots
    from dprk_arms.presentation.whatif import WhatIf
    w = WhatIf(cat)
    prices = iter(np.linspace(800, 4000, repeat + 1))

    def update():
        w.set(price_152mm_usd=next(prices))
        plots.to_svg(plots.revenue_distribution(w.compute()))

    ours = timed(update, repeat)
    row("What-if update (numbers + chart)", ours, None, "well under 1 s", ours[0] < 0.5)
    return ours[0]


def _scenario_parameters(name, cat):
    scen = scenarios.load_scenario(paths.SCENARIOS_DIR / f"{name}.yaml", cat)
    return {"run_spec": scen.canonical()}  # what `dprk-arms render` hands papermill


def plain_route(names, cat, folder):
    """What a user would script: papermill CLI, jupyter nbconvert CLI, weasyprint CLI, one after another."""
    for name in names:
        params = folder / f"{name}.params.yaml"
        params.write_text(yaml.safe_dump(_scenario_parameters(name, cat)))
        executed = folder / f"{name}.ipynb"
        run = dict(check=True, capture_output=True, cwd=paths.ROOT)
        subprocess.run([BIN / "papermill", paths.NOTEBOOKS_DIR / "brief.ipynb", executed, "-f", params,
                        "--cwd", paths.NOTEBOOKS_DIR, "--no-progress-bar"], **run)
        subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed], **run)
        subprocess.run([BIN / "weasyprint", folder / f"{name}.html", folder / f"{name}.pdf"], **run)


def inprocess_route(names, folder):
    """What a careful user would script in Python: papermill's, nbconvert's and WeasyPrint's APIs in one
    fresh process (its imports count), one brief after another (benchmarks/inprocess_route.py)."""
    subprocess.run([sys.executable, Path(__file__).with_name("inprocess_route.py"), folder, *names],
                   check=True, capture_output=True, cwd=paths.ROOT)


def our_route(folder, jobs):
    """`dprk-arms render --all --force`; returns each brief's render seconds as the command reports them."""
    done = subprocess.run([BIN / "dprk-arms", "render", "--all", "--force", "--out", folder, "--jobs", str(jobs)],
                          check=True, capture_output=True, text=True, cwd=paths.ROOT)
    return {line.split()[1]: float(line.split()[2].rstrip("s")) for line in done.stdout.splitlines()
            if line.split()[:1] == ["rendered"]}


def cells_seconds(executed):
    """The floor of one brief: the seconds its cells took to execute, as papermill recorded them."""
    import nbformat
    nb = nbformat.read(str(executed), as_version=4)
    return sum(c.get("metadata", {}).get("papermill", {}).get("duration") or 0 for c in nb.cells)


def print_floors(folder, seconds, jobs, wall):
    """Each brief's render time against its floor, the execution of its cells alone (same run, same load)."""
    print(f"  {'brief':<24} {'render':>8} {'cells alone':>12} {'over the floor':>15}")
    floors = {}
    for name, total in sorted(seconds.items()):
        floors[name] = cells_seconds(Path(folder) / f"{name}.ipynb")
        print(f"  {name:<24} {total:7.1f}s {floors[name]:11.1f}s {total / floors[name]:14.2f}x")
    batch_floor = sum(floors.values()) / jobs
    print(f"  {'batch (cells / workers)':<24} {wall:7.1f}s {batch_floor:11.1f}s {wall / batch_floor:14.2f}x")


def peak_worker_memory(folder, jobs):
    """Peak resident memory of each render worker together with its kernel, sampled every 50 ms."""
    import psutil
    proc = subprocess.Popen([BIN / "dprk-arms", "render", "--all", "--force", "--out", folder, "--jobs", str(jobs)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=paths.ROOT)
    peaks, parent = {}, psutil.Process(proc.pid)

    def workers_and_kernels():
        """{worker: [its kernels]}. Workers are children of the pool's fork server, where there is one; a kernel is
        a worker's child, or a child of the pool's kernel server (briefs/kernelfork.py), known by its log, which
        names its worker: kernel-<worker pid>-<n>.log."""
        found, forked = {}, []
        for child in parent.children():
            command = " ".join(child.cmdline())
            if "multiprocessing.forkserver" in command:
                found.update({w: list(w.children()) for w in child.children()})
            elif "briefs.kernelfork" in command:
                forked += child.children()
            else:
                found[child] = list(child.children())
        by_pid = {w.pid: w for w in found}
        for kernel in forked:
            logs = [os.path.basename(f.path) for f in kernel.open_files()]  # ipykernel puts a pipe on its stdout
            owner = next((int(log.split("-")[1]) for log in logs if log.startswith("kernel-")), None)
            if owner in by_pid:
                found[by_pid[owner]].append(kernel)
        return found
    while proc.poll() is None:
        try:
            for worker, kernels in workers_and_kernels().items():
                # its kernels; not a kernel's own children (the brief's `git` calls), which as forks of the kernel share
                # its pages until they exec: counted, a sample in that moment read 300 MiB twice. A forked kernel's
                # resident pages include those it shares with its server and the other kernels: counted whole here.
                rss = worker.memory_info().rss + sum(k.memory_info().rss for k in kernels)
                peaks[worker.pid] = max(peaks.get(worker.pid, 0), rss)
        except (psutil.Error, OSError, ValueError):
            pass
        time.sleep(0.05)
    workers = [v for v in peaks.values() if v > 50e6]  # the pool's resource tracker is tiny
    return max(workers) if workers else 0


def adopt_orphans():
    """Make this process the reaper of its descendants left without a parent (Linux): the render's fork server
    outlives the command by a moment and its workers are its children, so their CPU time would count nowhere."""
    import ctypes
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def children_cpu():
    """CPU seconds (user + system) of every finished child process of this one, grandchildren included (orphans
    adopted by adopt_orphans are waited for first)."""
    deadline = time.monotonic() + 60  # a bound, should an adopted process linger: its time then goes uncounted
    while time.monotonic() < deadline:
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                time.sleep(0.05)
        except ChildProcessError:
            break
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_render(cat, repeat, jobs):
    """The batch render against both baselines. The three routes take turns within each repeat, so a
    neighbour's load falls on all of them alike; ratios are medians of the paired runs. Each route's CPU
    seconds (its whole process tree) are printed too: unlike wall time, they barely move with the load."""
    names = sorted(p.stem for p in paths.SCENARIOS_DIR.glob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)

        def fresh(folder):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            return folder

        routes = {"cli": lambda: plain_route(names, cat, fresh(tmp / "plain")),
                  "inproc": lambda: inprocess_route(names, fresh(tmp / "inproc")),
                  "ours": lambda: our_route(tmp / "ours", jobs)}
        wall, cpu, briefs = {k: [] for k in routes}, {k: [] for k in routes}, None
        for _ in range(repeat):
            for key, route in routes.items():
                start, cpu_start = time.perf_counter(), children_cpu()
                result = route()
                wall[key].append(time.perf_counter() - start)
                cpu[key].append(children_cpu() - cpu_start)
                if key == "ours":
                    briefs = result

        def stats(key):
            return statistics.median(wall[key]), min(wall[key]), max(wall[key])

        def paired(base):
            return statistics.median(b / o for b, o in zip(wall[base], wall["ours"]))

        ours = stats("ours")
        row(f"Render {len(names)} briefs ({jobs} workers)", ours, stats("cli"), ">= 5x the CLI route",
            paired("cli") >= 5)
        row("  the same, against in-process APIs", ours, stats("inproc"), ">= 2x in-process", paired("inproc") >= 2)
        print(f"  paired ratios: {paired('cli'):.2f}x the CLI route, {paired('inproc'):.2f}x in-process; CPU seconds "
              f"(median): ours {statistics.median(cpu['ours']):.0f}, CLI route {statistics.median(cpu['cli']):.0f}, "
              f"in-process {statistics.median(cpu['inproc']):.0f}; load average {os.getloadavg()[0]:.1f}")
        print(f"Each brief against its floor (last run of ours, {jobs} workers; the first brief on each worker "
              "includes its kernel's start):")
        print_floors(tmp / "ours", briefs, jobs, wall["ours"][-1])
        unchanged = timed(lambda: subprocess.run([BIN / "dprk-arms", "render", "--all", "--out", tmp / "ours"],
                                                 check=True, capture_output=True, cwd=paths.ROOT), max(3, repeat))
        row("Re-render, nothing changed", unchanged, None, "< 0.5 s", unchanged[0] < 0.5)
        peak = peak_worker_memory(tmp / "mem", jobs)
    return paired("cli"), unchanged[0], peak


def environment_size():
    venv = Path(sys.prefix)
    total = sum(f.stat().st_size for f in venv.rglob("*") if f.is_file() and not f.is_symlink())
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs per in-process benchmark")
    parser.add_argument("--render-repeat", type=int, default=1, help="runs of the batch-render comparison")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-render", action="store_true")
    parser.add_argument("--render-only", action="store_true", help="only the batch-render benchmarks")
    args = parser.parse_args()
    cat = catalog_mod.load()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    print(f"{'benchmark':<38} {'ours: median (min-max)':<28} {'baseline: median (min-max)':<28} {'ratio':<7} "
          f"{'target':<24} result")
    if not args.render_only:
        bench_monte_carlo(cat, args.repeat)
        bench_sweep(cat, args.repeat)
        bench_whatif(cat, args.repeat)
    if not args.skip_render:
        adopt_orphans()
        _, _, peak = bench_render(cat, args.render_repeat, args.jobs)
        print(f"{'Peak memory per render worker':<38} {peak / 2**20:8.0f} MiB (worker + its kernel)   target < 500 MiB"
              f"   {'ok' if peak < 500 * 2**20 else 'MISSED'}")
    print(f"{'Environment size':<38} {environment_size() / 2**20:8.0f} MiB ({sys.prefix})")


if __name__ == "__main__":
    main()
