"""Briefs rendered one by one: a failing cell, the compare brief, an override walked to the PDF, and the page
fill and chart checks on small pages."""

import re

import nbformat
import numpy as np
import pytest

from dprk_arms import paths
from dprk_arms.data import scenarios
from dprk_arms import files
from dprk_arms.briefs import clean, convert, plan, pool, scratch
from dprk_arms.briefs import report as report_mod

pytestmark = pytest.mark.slow
from pdfs import (DATA_MARKS_PER_CHART, LABELS_PER_CHART, MAX_BLANK_FOOT, PATHS_PER_CHART, assert_pages_fill, blank_feet,
                  data_marks, page_chart_marks, text as _text)
from test_briefs import DRAWS, SCENARIOS


def _failing_notebook(tmp_path, notebook):
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell("raise RuntimeError('injected fault')"))
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    return path


def test_failed_scenario_keeps_its_notebook_and_spares_the_others(tmp_path, catalog, light):
    out = tmp_path / "out"
    jobs = plan.scenario_jobs(["baseline", "low-price"], False, {}, out, 120, draws=DRAWS, notebook=light)
    good, bad = jobs[0], jobs[1]
    out.mkdir()
    (out / "low-price.pdf").write_bytes(b"%PDF earlier good brief")
    bad = plan.Job(bad.name, bad.title, str(_failing_notebook(tmp_path, light)), bad.parameters, bad.out_dir, "x", 120)
    outcomes = pool.run_jobs([good, bad], workers=2)
    assert [o.status for o in outcomes] == ["rendered", "failed"]
    assert "injected fault" in outcomes[1].message and "cell" in outcomes[1].message
    assert (out / "baseline.pdf").is_file()
    assert (out / "low-price.pdf").read_bytes() == b"%PDF earlier good brief"
    kept = nbformat.read(out / "failed" / "low-price.ipynb", as_version=4)
    errors = [o for c in kept.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and errors[0].evalue == "injected fault"
    assert report_mod.report(outcomes, out) == report_mod.EXIT_FAILED


def test_stale_work_files_from_a_killed_render_are_cleaned(tmp_path):
    out = tmp_path / "out"
    dead = scratch.make_scratch(out / ".work")
    (dead / scratch.MARKER).write_text("99999999 1")  # its owner has exited
    (out / f".baseline.pdf.abc123.{files.SCRATCH_PREFIX}99999999").write_bytes(b"half a pdf")
    live = scratch.make_scratch(out / ".work")
    clean.clean_stale(out)
    assert not dead.exists()
    assert not (out / f".baseline.pdf.abc123.{files.SCRATCH_PREFIX}99999999").exists()
    assert live.exists()


def test_compare_brief(tmp_path, catalog):
    from conftest import run_cli

    from dprk_arms.presentation.compare import COLUMNS_PER_TABLE
    result = run_cli("compare", "--out", tmp_path, "--name", "every-scenario", "--draws", DRAWS)  # more than one table's width
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "compare.pdf").exists()
    text = _text(tmp_path / "every-scenario.pdf")
    for name in SCENARIOS:
        scen = scenarios.load_scenario(paths.SCENARIOS_DIR / f"{name}.yaml", catalog)
        assert scen.title in text
    assert "Scenario comparison" in text and "Figure 4." in text
    assert "red line at 10.0% of the economy" in text
    assert "Figure 4. Rounds if every container held 152mm by scenario" in text  # the table row it illustrates
    executed = nbformat.read(tmp_path / "every-scenario.ipynb", as_version=4)
    html = " ".join(o.get("data", {}).get("text/html", "") for c in executed.cells for o in c.get("outputs", []))
    tables = re.findall(r'<table class="summary compare">.*?</table>', html, flags=re.S)
    assert len(tables) == -(-len(SCENARIOS) // COLUMNS_PER_TABLE)  # split so each fits the page width
    assert all(t.count("<th>") <= 1 + COLUMNS_PER_TABLE for t in tables)
    assert_pages_fill(tmp_path / "every-scenario.pdf")


def test_chart_check_tells_a_chart_from_a_caption_alone(tmp_path):
    from dprk_arms.briefs import convert
    from dprk_arms.presentation import plots
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.hist(np.random.default_rng(0).lognormal(size=5_000), bins=40)  # like a brief's distribution chart
    ax.set_xlabel("million rounds")
    svg = plots.to_svg(fig)
    rows = "".join(f"<tr><td>{i}</td><td>{i * 2}</td></tr>" for i in range(20))
    for body, expect_chart in [(f"<div>{svg}</div><p>Figure 1. A chart.</p>", True),
                               (f"<table>{rows}</table><p>Figure 1. A caption with no chart.</p>", False)]:
        pdf = tmp_path / "page.pdf"
        convert.write_pdf(f"<html><body>{body}</body></html>", pdf)
        paths_drawn, labels = page_chart_marks(pdf)[0]
        assert (paths_drawn >= PATHS_PER_CHART and labels >= LABELS_PER_CHART) == expect_chart, (paths_drawn, labels)
    assert data_marks(svg) >= DATA_MARKS_PER_CHART


def test_data_check_tells_a_chart_from_its_empty_axes():
    """Axes, grid, labels and a reference line with no data: what paths and labels alone would pass."""
    from dprk_arms.presentation import plots
    import matplotlib.pyplot as plt
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(5, 3))
        ax.set(xlim=(0, 10), ylim=(0, 5), title="Nothing drawn", xlabel="million rounds")
        ax.grid(True)
        ax.axvline(3, color="#b22222")  # the briefs' red line
        empty = plots.to_svg(fig)
        fig, ax = plt.subplots(figsize=(5, 3))
        ax.barh(["a", "b", "c", "d", "e"], [5, 4, 3, 2, 1])  # the sparsest kind of brief chart: a short tornado
        bars = plots.to_svg(fig)
    assert data_marks(empty) < DATA_MARKS_PER_CHART <= data_marks(bars)


def _assumption_segments(text, catalog):
    """Each parameter's row of the assumptions table, as extracted text."""
    section = text[text.index("Every parameter, the value used"):text.index("Method notes and caveats")]
    starts = [(section.index(f"{name} {p.unit}"), name) for name, p in catalog.parameters.items()]
    starts.sort()
    return {name: section[at:(starts[i + 1][0] if i + 1 < len(starts) else len(section))]
            for i, (at, name) in enumerate(starts)}


def test_an_override_walks_from_the_scenario_file_to_the_pdf(tmp_path, catalog):
    """Marked 'set by scenario' exactly when the scenario set it: a value equal to its default and a -p
    text equal to the default number included; and the digest printed is the one the re-render check stores."""
    from conftest import run_cli
    scenario = tmp_path / "walk.yaml"
    scenario.write_text("title: Walk\nquestion: Is every override marked?\nparameters:\n"
                        "  economy_measure: gni_nominal\n  price_152mm_usd: 3000\n")
    assert catalog.parameters["economy_measure"].default == "gni_nominal"
    assert catalog.parameters["economy_year"].default == 2023
    out = tmp_path / "out"
    result = run_cli("render", scenario, "-p", "economy_year=2023", "--out", out, "--draws", 500, "--jobs", 1)
    assert result.returncode == 0, result.stdout + result.stderr
    text = _text(out / "walk.pdf")
    marked = {name for name, row in _assumption_segments(text, catalog).items() if "set by scenario" in row}
    assert marked == {"economy_measure", "economy_year", "price_152mm_usd"}
    stored = (out / ".walk.sha256").read_text().strip()
    printed = re.search(r"render digest \(sha256, first 16\) ([0-9a-f]{16})", text)
    assert printed and printed.group(1) == stored[:16]
    executed = nbformat.read(out / "walk.ipynb", as_version=4)
    injected = next(c.source for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "run_spec" in injected and stored in injected


def _chart_html(number, height_in):
    """A brief's chart as the notebook shows it: an SVG picture 7in wide, in a figure with its caption."""
    import base64
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="7in" height="{height_in}in" viewBox="0 0 700 '
           f'{100 * height_in}"><rect x="10" y="10" width="680" height="{100 * height_in - 20}" fill="#1f4e79"/></svg>')
    data = base64.b64encode(svg.encode()).decode()
    return (f'<figure class="chart"><img alt="Figure {number}" src="data:image/svg+xml;base64,{data}"/>'
            f"<figcaption>Figure {number}. A chart.</figcaption></figure>")


def _prose(words):
    return "<p>" + " ".join(f"word{i}" for i in range(words)) + "</p>"


# Words of section Z's prose before section A (a heading, a short intro and a 5in chart with its table): at
# 200 the chart fits the page's foot only if it moves up or shrinks (the page is 52% blank if it goes over);
# at 300 it cannot fit below its own heading, and the page's foot stays blank (36%) rather than section B
# coming up before it.
@pytest.mark.parametrize("words_before, fills", [(200, True), (300, False)])
def test_a_chart_fills_a_page_within_its_section_only(tmp_path, words_before, fills):
    """A chart that does not fit the rest of a page moves up among its own section's text or shrinks, and the
    page fills; where nothing in its section can, it goes over: the next section's text never comes first."""
    rows = "".join(f"<tr><td>row {i}</td><td>{i}</td></tr>" for i in range(4))
    page = (f"<html><head><style>{convert.CSS}</style></head><body><h2>Section Z</h2>{_prose(words_before)}"
            f"<h2>Section A</h2>{_prose(60)}{_chart_html(1, 5.0)}<table class='summary'>{rows}</table>"
            f"<h2>Section B</h2>{_prose(3000)}</body></html>")
    pdf = tmp_path / "page.pdf"
    convert.write_pdf(page, pdf)
    text = _text(pdf)
    assert text.index("Section A") < text.index("Figure 1.") < text.index("row 3") < text.index("Section B")
    assert (blank_feet(pdf)[0] <= MAX_BLANK_FOOT) == fills, blank_feet(pdf)
