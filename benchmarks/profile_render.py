"""Where one brief's render time goes: kernel start, execution, HTML, PDF, and what the kernel imports.

    python benchmarks/profile_render.py [SCENARIO] [--draws N] [--html FILE]

Times each stage of the path `dprk-arms render` takes for one scenario, in this process, and lists
the modules the brief's kernel imports that only JupyterLab needs (there should be none). With
pyinstrument installed (`pip install -e '.[bench]'`) it also profiles the PDF stage, the largest
part of a warm render, and prints the top of the call tree (or writes it as HTML with --html).
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dprk_arms import paths
from dprk_arms.data import catalog as catalog_mod
from dprk_arms.data import scenarios
from dprk_arms.briefs import convert, kernel
from dprk_arms.briefs import execute as execute_mod

# Modules a brief never needs; finding one in the kernel means an import to cut.
LAB_ONLY = ("jupyterlab", "jupyter_server", "notebook", "ipywidgets", "tornado.web", "widgetsnbextension")


class Stages:
    def __init__(self):
        self.rows = []

    def time(self, name, fn, *args, **kwargs):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        self.rows.append((name, time.perf_counter() - start))
        return result

    def print(self):
        total = sum(t for _, t in self.rows)
        for name, seconds in self.rows:
            print(f"  {name:<44} {seconds:7.2f}s  {seconds / total:6.1%}")


def kernel_modules(km):
    """Module names loaded in the kernel (after the preload and two briefs)."""
    return kernel.run_code(km, "import sys; print(' '.join(sorted(sys.modules)))", 30).split()


def import_time(module):
    """Cumulative import time of `module` in a fresh interpreter (python -X importtime)."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                         text=True, check=True).stderr
    last = [line for line in err.splitlines() if line.rstrip().endswith(f"| {module}")][-1]
    return int(last.split("|")[1]) / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", default="baseline")
    parser.add_argument("--draws", type=int, default=None, help="Monte Carlo draws (default: the scenario's)")
    parser.add_argument("--html", type=Path, help="write the pyinstrument profile of the PDF stage here")
    parser.add_argument("--lines", type=int, default=45, help="lines of the profile tree to print")
    args = parser.parse_args()

    cat = catalog_mod.load()
    scen = scenarios.load_scenario(scenarios.scenario_path(args.scenario), cat)
    scen = scen.with_settings(draws=args.draws)
    params = {"run_spec": scen.canonical()}
    notebook = paths.NOTEBOOKS_DIR / "brief.ipynb"
    stages = Stages()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        km = stages.time("kernel start + preload (once per worker)", kernel.warm_kernel, tmp / "logs")
        stages.time("execute, cold: first brief on the kernel", execute_mod.execute, notebook, tmp / "a.ipynb",
                    params, 600, km=km)
        stages.time("reset between briefs", kernel.reset_kernel, km)
        stages.time("execute, warm: a later brief", execute_mod.execute, notebook, tmp / "b.ipynb", params, 600, km=km)
        loaded = kernel_modules(km)
        kernel.discard_kernel()
        page = stages.time("notebook -> HTML (nbconvert)", convert.to_html, tmp / "b.ipynb", scen.title)
        stages.time("import weasyprint (once per worker)", __import__, "weasyprint")
        import weasyprint
        html_doc = weasyprint.HTML(string=page, base_url=str(paths.ROOT))
        document = stages.time("HTML -> PDF: layout (WeasyPrint)", html_doc.render)
        stages.time("HTML -> PDF: drawing, fonts (WeasyPrint)", document.write_pdf, tmp / "brief.pdf")
        try:
            from pyinstrument import Profiler
        except ImportError:
            Profiler = None
        profiler = Profiler(interval=0.002) if Profiler else None
        if profiler:  # a second, profiled pass: the profiler's overhead stays out of the timings above
            profiler.start()
            convert.write_pdf(page, tmp / "profiled.pdf")
            profiler.stop()

    print(f"Stages of one brief ({scen.name}, {scen.draws:,} draws):")
    stages.print()
    lab_only = sorted({m for m in loaded if m.split(".")[0] in {x.split(".")[0] for x in LAB_ONLY} and
                       any(m == x or m.startswith(x + ".") for x in LAB_ONLY)})
    print(f"Kernel: {len(loaded)} modules loaded; JupyterLab-only among them: {', '.join(lab_only) or 'none'}")
    for module in ("dprk_arms.presentation.notebook", "scipy.stats", "matplotlib.pyplot", "pandas"):
        print(f"  import {module:<36} {import_time(module):6.2f}s in a fresh interpreter")
    if profiler:
        if args.html:
            args.html.write_text(profiler.output_html())
            print(f"PDF stage profile written to {args.html}")
        else:
            tree = profiler.output_text(processor_options={  # WeasyPrint's own frames and the font subsetter's
                "filter_threshold": 0.02, "show_regex": r".*(weasyprint|fontTools/subset|beyond64k|ttFont|pydyf).*"})
            lines = tree.splitlines()
            print("\n".join(lines[:args.lines]) + (f"\n... ({len(lines) - args.lines} more lines)" if len(lines) > args.lines else ""))
    else:
        print("(pip install -e '.[bench]' for a pyinstrument profile of the PDF stage)")


if __name__ == "__main__":
    main()
