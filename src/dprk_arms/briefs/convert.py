"""Convert an executed notebook to a PDF: HTML with the code hidden (nbconvert), then WeasyPrint."""

import html
import itertools
import os
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from .. import paths
from ..files import temp_beside

CSS = (Path(__file__).with_name("brief.css")).read_text(encoding="utf-8")


def to_html(executed, title: str) -> str:
    """A standalone HTML page of the executed notebook's outputs and narrative (no code, no stderr)."""
    nb = nbformat.read(str(executed), as_version=4)
    nb.cells = [c for c in nb.cells if "notebook-only" not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("name") != "stderr"]
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{body}</body></html>")


def write_pdf(page_html: str, target) -> None:
    """Write the PDF atomically: a temporary file beside the target, then a rename."""
    tmp = temp_beside(target)
    try:
        filled_document(page_html).write_pdf(str(tmp))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


# Page fill. A chart cannot break, so one that does not fit the rest of a page goes over whole and leaves
# the page's foot blank. After a first layout, each page left more than FILL_TARGET blank by a chart pushed
# to the next page is filled by the smallest of these moves, and the document is laid out again:
# shrink the chart (no smaller than MIN_CHART_SCALE, text in it stays legible) if that alone lets it fit;
# else move it (with its table) up, above the paragraphs of its section on that page, which then flow on
# after it, as a typesetter floats a figure to the top of the page, shrunk as well if it needs to; else let
# the text after it (up to the next chart or table) come first and fill the page, the chart heading the next.
FILL_TARGET = 0.15  # the largest blank foot, as a share of the page's content height, left alone
MIN_CHART_SCALE = 0.8
GENTLE_CHART_SCALE = 0.9  # a chart shrunk no further than this is left where the narrative put it
MAX_FILL_PASSES = 6  # layouts after the first: each fixes one page; briefs need one or two
KEEP = "keep-together"
# nbconvert's wrappers around each cell and output: no style of ours applies to them
_WRAPPERS = {"cell", "border-box-sizing", "code_cell", "text_cell", "rendered", "inner_cell", "text_cell_render",
             "rendered_html", "output_wrapper", "output", "output_area", "output_html", "output_subarea",
             "mathjax_ignore", "tex2jax_ignore"}
_TEXT = {"p", "ul", "ol", "blockquote"}
_HEADINGS = {"h2", "h3", "h4"}


def filled_document(page_html: str):
    """Lay the page out with every page but the last filled to within FILL_TARGET, where moves allow."""
    import cssselect2
    import weasyprint
    html = weasyprint.HTML(string=page_html, base_url=str(paths.ROOT))
    body = html.etree_element.find("body")
    _flatten(body)
    _keep_charts_with_tables(body)
    cache = {}  # the charts, decoded once for every layout
    document = html.render(cache=cache)
    for _ in range(MAX_FILL_PASSES):
        if not _fill_one_page(document, body):
            break
        html.wrapper_element = cssselect2.ElementWrapper.from_html_root(html.etree_element)  # it caches children
        document = html.render(cache=cache)
    return document


def _is_wrapper(element) -> bool:
    classes = {c for c in element.get("class", "").split() if not c.startswith("celltag_")}
    return element.tag == "div" and not element.get("style") and classes <= _WRAPPERS and (
        bool(classes) or element.get("id") is None)


def _flatten(body) -> None:
    """Make every block of the narrative a child of <body>, so that layout can move one past another."""
    blocks = []

    def walk(element):
        for child in element:
            if _is_wrapper(child):
                walk(child)
            elif isinstance(child.tag, str):
                child.tail = None
                blocks.append(child)
    walk(body)
    body.text = None
    body[:] = blocks


def _is_chart(element) -> bool:
    return element.tag == "figure" and "chart" in element.get("class", "").split()


def _keep_charts_with_tables(body) -> None:
    """A chart and the table right after it (with its note) become one block that does not break."""
    blocks, grouped, index = list(body), [], 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        if not _is_chart(block):
            grouped.append(block)
            continue
        group = [block]
        # its table, the one right after it (with its note); more tables flow on after
        if index < len(blocks) and blocks[index].tag == "table":
            group.append(blocks[index])
            index += 1
            if index < len(blocks) and blocks[index].tag == "p" and "note" in blocks[index].get("class", ""):
                group.append(blocks[index])
                index += 1
        if len(group) == 1:
            grouped.append(block)
            continue
        keep = body.makeelement("div", {"class": KEEP})
        keep.extend(group)
        grouped.append(keep)
    body[:] = grouped


def _count(text) -> int:
    return len("".join((text or "").split()))


def _cut(text, keep):
    """The index in text just after its `keep`-th non-blank character, or None if it has fewer."""
    if keep == 0:
        return 0
    for index, char in enumerate(text or ""):
        if not char.isspace():
            keep -= 1
            if keep == 0:
                return index + 1
    return None


def _split(body, element, keep):
    """Cut a block of <body> after `keep` non-blank characters of its text: it keeps the head, and the rest goes
    into a new block with its tag and attributes, placed after it and returned (None if nothing is left over)."""
    rest = _split_inline(element, keep)
    if rest is None:
        return None
    body.insert(list(body).index(element) + 1, rest)
    return rest


def _split_inline(element, keep):
    rest = element.makeelement(element.tag, dict(element.attrib))
    at = _cut(element.text, keep)
    if at is not None:
        rest.text, element.text = element.text[at:], element.text[:at]
        rest.extend(list(element))
        del element[:]
        return rest
    keep -= _count(element.text)
    for index, child in enumerate(list(element)):
        inside = sum(_count(node.text) + _count(node.tail) for node in child.iter()) - _count(child.tail)
        if keep < inside:
            child_rest = _split_inline(child, keep)
            child_rest.tail, child.tail = child.tail, None
            rest.append(child_rest)
            rest.extend(element[index + 1:])
            del element[index + 1:]
            return rest
        keep -= inside
        at = _cut(child.tail, keep)
        if at is not None:
            rest.text, child.tail = child.tail[at:], child.tail[:at]
            rest.extend(element[index + 1:])
            del element[index + 1:]
            return rest
        keep -= _count(child.tail)
    return None


def _is_unit(element) -> bool:
    return _is_chart(element) or KEEP in element.get("class", "").split()


def _placed(page):
    """(element, top, bottom of the border box, box) of each of <body>'s blocks on the page, in order."""
    box = page._page_box
    while box.element is None or box.element.tag != "body":
        box = box.children[0]
    return [(child.element, child.position_y, child.position_y + child.margin_top + child.border_height(), child)
            for child in box.children if child.element is not None and child.element.tag != "body"]


def page_area(page):
    """(top, bottom) of the page's content area."""
    box = page._page_box
    return box.content_box_y(), box.content_box_y() + box.height


def _fill_one_page(document, body) -> bool:
    """Make the move that fills the first page left too blank by a pushed chart; False if there is none."""
    pages = document.pages
    for number in range(len(pages) - 1):
        here, after = _placed(pages[number]), _placed(pages[number + 1])
        top, bottom = page_area(pages[number])
        if not here or not after or (bottom - here[-1][2]) / (bottom - top) <= FILL_TARGET:
            continue
        unit, unit_top, unit_bottom, unit_box = after[0]
        if not _is_unit(unit) or unit in (e for e, *_ in here):  # not pushed whole: a tall unit broke
            continue
        # its whole height, if it is taller than a page and broke over the next
        height = unit_bottom - unit_top + sum(b - t for page in pages[number + 2:number + 3]
                                              for e, t, b, _ in _placed(page) if e is unit)
        chart_px = _chart_height(unit_box) / _scale(unit)  # at its natural size
        # 1. shrink it where it stands
        scale = _scale(unit) - (height - (bottom - here[-1][2])) / chart_px if chart_px else 0
        if scale >= GENTLE_CHART_SCALE:
            _shrink(unit, scale)
            return True
        # 2. move it to the top of the page, above the paragraphs of its section there: the paragraph begun on
        # the page before is cut where the page breaks, so the chart comes between its lines on the two pages
        begun_before = {e for e, *_ in _placed(pages[number - 1])} if number else set()
        movable = []
        for element, start, _, box in reversed(here):
            if element.tag not in _TEXT:
                break
            movable.insert(0, (element, start, box))
            if element in begun_before:
                break
        first, start, _ = movable[0] if movable else (None, bottom, None)
        if first in begun_before and first.tag != "p":
            movable.pop(0)
            first, start, _ = movable[0] if movable else (None, bottom, None)
        scale = min(_scale(unit), _scale(unit) - (start + height - bottom) / chart_px) if chart_px else 1.0
        if (first is None or scale < MIN_CHART_SCALE) and KEEP in unit.get("class", "") \
                and not unit.get("style"):
            # 3. else the chart stays at the page's foot, shrunk if need be, and its table goes on at the next
            # page's head, straight after it: no text comes between them
            chart_box = next(b for b in unit_box.descendants() if b.element is not None and b.element.tag == "figure")
            scale = _scale(unit) - (chart_box.margin_height() - (bottom - here[-1][2])) / chart_px
            if scale >= MIN_CHART_SCALE:
                if scale < _scale(unit):
                    _shrink(unit, scale)
                unit.set("style", "break-inside: auto")
                return True
        if first is None or scale < MIN_CHART_SCALE:
            # 4. else the text after it (up to the next chart or table) comes first and fills this page, the chart heads the next
            following = list(body)[list(body).index(unit) + 1:]
            run = list(itertools.takewhile(lambda e: e.tag in _TEXT or e.tag in _HEADINGS, following))
            if unit.get("data-deferred") or not any(e.tag in _TEXT for e in run):
                continue  # deferred once already: it goes no further from its place in the narrative
            unit.set("data-deferred", "1")
            for element in run:
                body.remove(element)
                body.insert(list(body).index(unit), element)
            return True
        if first in begun_before:
            head = next(box for element, *_, box in _placed(pages[number - 1]) if element is first)
            first = _split(body, first, sum(_count(box.text) for box in head.descendants() if hasattr(box, "text")))
            if first is None:
                continue
        body.remove(unit)
        body.insert(list(body).index(first), unit)
        return True
    return False


def _chart_height(unit_box) -> float:
    """The height of the chart image in the unit's box (0 if it has none)."""
    for box in unit_box.descendants():
        if box.element is not None and box.element.tag == "img":
            return box.height
    return 0.0


def _scale(unit) -> float:
    return float(unit.get("data-scale", 1))


def _shrink(unit, scale) -> None:
    """Scale the unit's chart to `scale` of its width and height (the chart is a picture: its text scales too)."""
    unit.set("data-scale", f"{scale:.4f}")
    for img in unit.iter("img"):
        # a little under, so that rounding in the next layout cannot push it over again
        img.set("style", f"display: block; width: {100 * scale - 0.5:.1f}%; margin: 0 auto")
