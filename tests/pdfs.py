"""Reading rendered briefs in tests: PDF text and geometry through PDFium (pypdfium2), chart marks through pypdf,
and the data each chart draws from the executed notebook's SVG."""

import base64
import functools
import re
from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PdfReader

from dprk_arms.briefs import convert

# Measured on the briefs: a chart draws 130-800 path operators and 10-40 text labels (WeasyPrint places
# each SVG <text> in its own Form XObject); a page of prose and tables draws up to ~110 (table rules) and
# no such labels, so the labels tell a chart from a table and the paths that it was drawn, not left blank.
PATHS_PER_CHART, LABELS_PER_CHART = 100, 5
# A chart's axes, grid, ticks and text are grey or black; its data (bars, bands, lines, dots) are in colour. Measured
# in the charts' SVG: 25-950 path commands in a saturated colour (the fewest: a tornado of five bars); a chart
# with its axes, labels and a red reference line but no data draws 2. Paths and labels alone pass such a chart.
DATA_MARKS_PER_CHART = 10
_SATURATION = 38  # of 255: the spread of the channels; the stylesheet's greys and blue-greys are below it
# A page other than a brief's last may be blank at its foot for at most this share of its content height.
# The layout aims for pagefill.FILL_TARGET (15%); the 5 points over it are for what no move may change: a
# heading kept with the chart under it, a table row that does not break. Before the fill, page 2 of every
# brief was 60-73% blank (the timeline chart went over whole) and an assumptions row left 28%.
MAX_BLANK_FOOT = 0.20
_MM = 72 / 25.4


def _version(pdf):
    stat = Path(pdf).stat()
    return str(pdf), (stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _page_texts(pdf, version):
    document = pdfium.PdfDocument(pdf)
    try:
        return tuple(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def pages(pdf):
    """Each page's text, read once per file version (PDFium: pypdf took 1.1 s a brief, this 0.03 s)."""
    return _page_texts(*_version(pdf))


def text(pdf):
    """The whole PDF's text, whitespace collapsed to single spaces."""
    return re.sub(r"\s+", " ", " ".join(pages(pdf)))


def chart_marks(page):
    """(path-construction operators, SVG text labels) on a pypdf page: what a chart leaves in the PDF."""
    data = page.get_contents().get_data().decode("latin1")
    forms = page["/Resources"].get("/XObject", {})
    labels = 0
    for name in re.findall(r"/(\w+) Do", data):
        form = forms["/" + name].get_object().get_data().decode("latin1")
        labels += bool(re.search(r"(?<=\s)T[jJ](?=\s)", form))
        data += form
    return len(re.findall(r"(?<=\s)(?:m|l|c|re)(?=\s)", data)), labels


def chart_svgs(executed):
    """The SVG of each chart in an executed notebook, in order (the briefs embed them as data: URIs)."""
    import nbformat
    nb = nbformat.read(str(executed), as_version=4)
    html = " ".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    return [base64.b64decode(data).decode("utf-8")
            for data in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)]


def data_marks(svg):
    """The path commands one chart's SVG draws in a saturated colour: its data, not its axes or text."""
    marks = 0
    for element in re.findall(r"<(?:path|rect|polyline|polygon|use)\b[^>]*>", svg):
        colours = [[int(c[i:i + 2], 16) for i in (0, 2, 4)]
                   for c in re.findall(r"(?:fill|stroke):\s*#([0-9a-fA-F]{6})", element)]
        if any(max(rgb) - min(rgb) > _SATURATION for rgb in colours):
            d = re.search(r'\bd="([^"]*)"', element)
            marks += len(re.findall(r"[MLCQZHVmlcqzhv]", d.group(1))) if d else 1
    return marks


def page_chart_marks(pdf):
    """chart_marks of every page of a PDF file."""
    return [chart_marks(page) for page in PdfReader(pdf).pages]


def blank_feet(pdf):
    """Each page's blank foot: from the lowest thing painted in its content area (text, paths, pictures, the
    charts' forms, by PDFium's bounds) to the area's bottom, as a share of the area's height. The margins are
    the stylesheet's @page margins; the footers lie in them."""
    top_mm, _, bottom_mm, _ = map(float, re.search(r"@page\s*{[^}]*?margin:\s*([\d.]+)mm\s+([\d.]+)mm\s+([\d.]+)mm"
                                                   r"\s+([\d.]+)mm", convert.CSS).groups())
    document, feet = pdfium.PdfDocument(str(pdf)), []
    try:
        for page in document:
            height = page.get_size()[1]
            area_bottom, area_top = bottom_mm * _MM, height - top_mm * _MM
            bottoms = [bottom for _, bottom, _, top in (obj.get_bounds() for obj in page.get_objects(max_depth=1))
                       if top > area_bottom + 1]  # what reaches above the footer's margin
            feet.append((max(min(bottoms, default=area_top), area_bottom) - area_bottom) / (area_top - area_bottom))
    finally:
        document.close()
    return feet


def assert_pages_fill(pdf):
    feet = blank_feet(pdf)
    blank = {number: round(foot, 2) for number, foot in enumerate(feet[:-1], 1) if foot > MAX_BLANK_FOOT}
    assert not blank, f"{Path(pdf).name}: pages blank at the foot beyond {MAX_BLANK_FOOT:.0%} (page: share): {blank}"
