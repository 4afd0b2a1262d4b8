"""Rendered briefs: every scenario's PDF exists, has its sections, its charts, and the models' numbers."""

import functools
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from dprk_arms import paths
from dprk_arms.data import scenarios
from dprk_arms import files
from dprk_arms.briefs import clean, convert, plan, pool, scratch
from dprk_arms.briefs import report as report_mod
from dprk_arms.presentation import format as fmt
from dprk_arms.simulation import montecarlo, sensitivity

pytestmark = pytest.mark.slow
DRAWS = 2_000  # the tests check text, charts and numbers against the same draws, not precision
SCENARIOS = sorted(p.stem for p in paths.SCENARIOS_DIR.glob("*.yaml"))
SECTIONS = ["Key judgements", "Shipments as a dated flow", "1. Shell revenue", "2. Duration of supply", "3. Container balance",
            "4. Triangulation", "5. Sensitivity", "Assumptions", "Method notes and caveats", "Provenance"]
TORNADO_OUTPUTS = ["share_of_economy_per_year", "supply_days"]  # the brief's two tornado charts
# Measured on the briefs: a chart draws 130-800 path operators and 10-40 text labels (WeasyPrint places
# each SVG <text> in its own Form XObject); a page of prose and tables draws up to ~110 (table rules) and
# no such labels, so the labels tell a chart from a table and the paths that it was drawn, not left blank.
PATHS_PER_CHART, LABELS_PER_CHART = 100, 5


def _chart_marks(page):
    """(path-construction operators, SVG text labels) on a page: what a chart leaves in the PDF."""
    data = page.get_contents().get_data().decode("latin1")
    forms = page["/Resources"].get("/XObject", {})
    labels = 0
    for name in re.findall(r"/(\w+) Do", data):
        form = forms["/" + name].get_object().get_data().decode("latin1")
        labels += bool(re.search(r"(?<=\s)T[jJ](?=\s)", form))
        data += form
    return len(re.findall(r"(?<=\s)(?:m|l|c|re)(?=\s)", data)), labels


@functools.lru_cache(maxsize=32)
def _page_texts(pdf, size_and_mtime):
    return tuple(page.extract_text() for page in PdfReader(pdf).pages)


def _pages(pdf):
    """Each page's extracted text, read once per file version (pypdf's extraction is the tests' costliest step)."""
    stat = Path(pdf).stat()
    return _page_texts(str(pdf), (stat.st_size, stat.st_mtime_ns))


# A page other than a brief's last may be blank at its foot for at most this share of its content height.
# The layout aims for pagefill.FILL_TARGET (15%); the 5 points over it are for what no move may change: a
# heading kept with the chart under it, a table row that does not break. Before the fill, page 2 of every
# brief was 60-73% blank (the timeline chart went over whole) and an assumptions row left 28%.
MAX_BLANK_FOOT = 0.20
_PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*"}


def _painted_ys(reader, content, resources, ctm=(1, 0, 0, 1, 0, 0)):
    """The heights (PDF points from the page's bottom) of what a content stream paints: text lines, paths and
    pictures, following the transformations into form XObjects (WeasyPrint draws SVG charts as forms)."""
    def times(m, n):
        return (m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2],
                m[2] * n[1] + m[3] * n[3], m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5])

    def ys(m, points):
        return [m[1] * x + m[3] * y + m[5] for x, y in points]

    found, stack, path, text_matrix = [], [], [], None
    for operands, op in ContentStream(content, reader).operations:
        op = op.decode("latin1")
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = times([float(v) for v in operands], ctm)
        elif op == "Tm":
            text_matrix = [float(v) for v in operands]
        elif op in ("Tj", "TJ") and text_matrix:
            found += ys(times(text_matrix, ctm), [(0, 0)])
        elif op in ("m", "l", "c"):
            path += list(zip(map(float, operands[0::2]), map(float, operands[1::2])))
        elif op == "re":
            x, y, w, h = map(float, operands)
            path += [(x, y), (x + w, y + h)]
        elif op in _PAINT or op == "n":
            found += ys(ctm, path) if op != "n" else []
            path = []
        elif op == "Do":
            xobject = resources["/XObject"][operands[0]].get_object()
            if xobject["/Subtype"] == "/Image":
                found += ys(ctm, [(0, 0), (0, 1), (1, 0), (1, 1)])
            else:
                inner = times([float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])], ctm)
                found += _painted_ys(reader, xobject, xobject.get("/Resources", resources), inner)
    return found


def blank_feet(pdf):
    """Each page's blank foot: from the lowest thing painted in its content area to the area's bottom, as a
    share of the area's height (the margins are the stylesheet's @page margins; footers lie in them)."""
    top_mm, _, bottom_mm, _ = map(float, re.search(r"@page\s*{[^}]*?margin:\s*([\d.]+)mm\s+([\d.]+)mm\s+([\d.]+)mm"
                                                   r"\s+([\d.]+)mm", convert.CSS).groups())
    reader, feet = PdfReader(pdf), []
    for page in reader.pages:
        height, mm = float(page.mediabox.height), 72 / 25.4
        area_bottom, area_top = bottom_mm * mm, height - top_mm * mm
        lowest = min(y for y in _painted_ys(reader, page.get_contents(), page["/Resources"]) if y > area_bottom - 1)
        feet.append((lowest - area_bottom) / (area_top - area_bottom))
    return feet


def assert_pages_fill(pdf):
    feet = blank_feet(pdf)
    blank = {number: round(foot, 2) for number, foot in enumerate(feet[:-1], 1) if foot > MAX_BLANK_FOOT}
    assert not blank, f"{pdf.name}: pages blank at the foot beyond {MAX_BLANK_FOOT:.0%} (page: share): {blank}"


def _text(pdf):
    return re.sub(r"\s+", " ", " ".join(_pages(pdf)))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from conftest import run_cli
    out = tmp_path_factory.mktemp("reports")
    result = run_cli("render", "--all", "--out", out, "--draws", DRAWS, "--jobs", 2)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, result


def test_every_scenario_has_a_pdf_and_its_executed_notebook(rendered):
    out, result = rendered
    for name in SCENARIOS:
        assert (out / f"{name}.pdf").stat().st_size > 20_000
        assert (out / f"{name}.ipynb").is_file()
    assert f"{len(SCENARIOS)} rendered, 0 unchanged, 0 failed" in result.stdout
    assert not list((out / ".work").glob("*")) and not list(out.glob(".*.tmp-*"))


@pytest.mark.parametrize("name", SCENARIOS)
def test_pdf_has_sections_charts_and_the_scenario(rendered, name, catalog):
    out, _ = rendered
    text = _text(out / f"{name}.pdf")
    scen = scenarios.load_scenario(paths.SCENARIOS_DIR / f"{name}.yaml", catalog)
    for section in SECTIONS + [scen.title, scen.question[:40]]:
        assert section in text, f"{name}: missing {section!r}"
    for number, (page, page_text) in enumerate(zip(PdfReader(out / f"{name}.pdf").pages, _pages(out / f"{name}.pdf")), 1):
        charts = len(re.findall(r"Figure \d+\.", page_text))
        paths_drawn, labels = _chart_marks(page)
        assert paths_drawn >= PATHS_PER_CHART * charts, f"{name}: page {number} lacks its chart drawing"
        assert labels >= LABELS_PER_CHART * charts, f"{name}: page {number} lacks its chart labels"
    line = catalog.timeline(scen.as_of or None, list(scen.statements))
    swings = sensitivity.tornado(scen.resolved, catalog, TORNADO_OUTPUTS, line).groupby("output")["swing"].max()
    still = [o for o in TORNADO_OUTPUTS if swings[o] == 0]  # e.g. days of supply in the seed headline
    captions = set(re.findall(r"Figure (\d+)\.", text))
    assert captions == {str(i) for i in range(1, 8 - len(still))}
    assert f"as of {line.as_of.day} {line.as_of:%B %Y}" in text  # the judgements and header name the as-of date
    assert text.count("No uncertain input moves") == len(still)
    assert "Page 1 of" in text
    assert "def " not in text and "import " not in text  # code is hidden


@pytest.mark.parametrize("name", SCENARIOS)
def test_pages_fill(rendered, name):
    """No page but the last ends with its foot blank: a chart that does not fit is not left to push the page's
    rest over (issue 14)."""
    assert_pages_fill(rendered[0] / f"{name}.pdf")


@pytest.mark.parametrize("name", SCENARIOS)
def test_pdf_numbers_match_the_models(rendered, name, catalog):
    out, _ = rendered
    text = _text(out / f"{name}.pdf")
    scen = scenarios.load_scenario(paths.SCENARIOS_DIR / f"{name}.yaml", catalog)
    line = catalog.timeline(scen.as_of or None, list(scen.statements))
    summary = montecarlo.simulate(scen.resolved, catalog, DRAWS, scen.seed, line).summary()
    for output in ("revenue_usd", "share_of_economy", "supply_days", "containers_back", "rounds_all_152mm"):
        expected = fmt.interval(summary.loc[output])
        assert expected in text, f"{name}: {output} {expected!r} not in the brief"


def test_seed_headline_states_3bn_and_more_than_ten_percent(rendered):
    out, _ = rendered
    text = _text(out / "seed-headline.pdf")
    match = re.search(r"most likely earned (\$[\d.]+bn) ", text)
    assert "from the stated volume" in text and "to 1 November 2023 (about 2" in text  # period follows the volume
    assert match and match.group(1) == "$3.0bn"
    share = re.search(r"That is ([\d.]+)% of the DPRK's 2022 nominal GNI cumulatively", text)
    assert share and float(share.group(1)) > 10


def test_assumptions_table_quotes_sources(rendered, catalog):
    text = _text(rendered[0] / "baseline.pdf")
    assert "assumption" in text
    assert "Half of them do not function" in text  # the HUR quote behind dud_fraction
    assert "Bank of Korea" in text or "nominal gross national income" in text


def test_rerender_with_nothing_changed_skips_everything(rendered):
    from conftest import run_cli
    out, _ = rendered
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    result = run_cli("render", "--all", "--out", out, "--draws", DRAWS)
    assert result.returncode == 0
    assert f"0 rendered, {len(SCENARIOS)} unchanged, 0 failed" in result.stdout
    assert before == {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}


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
        paths_drawn, labels = _chart_marks(PdfReader(pdf).pages[0])
        assert (paths_drawn >= PATHS_PER_CHART and labels >= LABELS_PER_CHART) == expect_chart, (paths_drawn, labels)


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
