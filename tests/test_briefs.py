"""Rendered briefs: every scenario's PDF exists, has its sections, its charts, and the models' numbers."""

import functools
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from dprk_arms import paths
from dprk_arms.data import scenarios
from dprk_arms.briefs import convert
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
