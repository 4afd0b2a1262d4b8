"""The in-process baseline: papermill, nbconvert and WeasyPrint through their Python APIs, one brief after another.

    python benchmarks/inprocess_route.py OUT_FOLDER SCENARIO [SCENARIO ...]

What a careful user would script instead of three command-line tools: one Python process that imports the
libraries once, then per scenario executes the notebook (papermill starts a fresh kernel for each), exports
it to HTML without the code, as `jupyter nbconvert --to html --no-input` does, and writes the PDF. Run by
benchmarks/run.py in a fresh interpreter, so its imports count as a user's script's would. Prints one JSON
line per brief with the seconds each step took.
"""

import json
import sys
import time
from pathlib import Path


def main(argv):
    start = time.perf_counter()
    import papermill
    import weasyprint
    from nbconvert import HTMLExporter

    from dprk_arms import paths
    from dprk_arms.data import catalog as catalog_mod
    from dprk_arms.data import scenarios
    print(json.dumps({"imports_s": time.perf_counter() - start}), flush=True)
    folder, names = Path(argv[0]), argv[1:]
    folder.mkdir(parents=True, exist_ok=True)
    cat = catalog_mod.load()
    for name in names:
        steps = {"name": name}
        t0 = time.perf_counter()
        spec = scenarios.load_scenario(paths.SCENARIOS_DIR / f"{name}.yaml", cat)
        executed = folder / f"{name}.ipynb"
        papermill.execute_notebook(str(paths.NOTEBOOKS_DIR / "brief.ipynb"), str(executed),
                                   parameters={"run_spec": spec.canonical()}, cwd=str(paths.NOTEBOOKS_DIR),
                                   progress_bar=False)
        t1 = time.perf_counter()
        body, _ = HTMLExporter(exclude_input=True).from_filename(str(executed))
        t2 = time.perf_counter()
        weasyprint.HTML(string=body, base_url=str(folder)).write_pdf(str(folder / f"{name}.pdf"))
        t3 = time.perf_counter()
        steps.update(execute_s=t1 - t0, html_s=t2 - t1, pdf_s=t3 - t2)
        print(json.dumps(steps), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
