"""Page fill: lay a brief out so that no page but the last ends blank because a chart went over whole."""

from .. import paths

# A chart cannot break, so one that does not fit the rest of a page goes over whole (dragging the heading and
# short intro above it, kept with it) and leaves the page's foot blank. Each such page is filled by one move,
# tried in this order: shrink the chart where it stands (no smaller than GENTLE_CHART_SCALE); move it up among
# its own section's text on the page (the text flows on after it, as a typesetter floats a figure up), shrunk
# no smaller than MIN_CHART_SCALE if need be; or leave the chart at the page's foot and let its table go on at
# the next page's head. A chart never crosses a heading: it stays in its section.
FILL_TARGET = 0.15  # the largest blank foot, as a share of the page's content height, left alone
GENTLE_CHART_SCALE = 0.9
MIN_CHART_SCALE = 0.75  # the charts' labels are 8-9pt: at 75% they are still 6-7pt, the size of the notes
# The collapsed margins around a chart that goes over are not in its measured box (the page's head truncates
# them): about 12px above (a paragraph's 1em) and 13px below (its table's or its own 10pt).
MARGINS_PX = 28
MAX_TRIES = 2  # moves made for one chart: a chart no move fits is left to go over
MAX_PASSES = 8  # layouts of the front part: each fixes one page; briefs need two to four
KEEP = "keep-together"
# nbconvert's wrappers around each cell and output: no style of ours applies to them
_WRAPPERS = {"cell", "border-box-sizing", "code_cell", "text_cell", "rendered", "inner_cell", "text_cell_render",
             "rendered_html", "output_wrapper", "output", "output_area", "output_html", "output_subarea",
             "mathjax_ignore", "tex2jax_ignore"}
_TEXT = {"p", "ul", "ol", "blockquote"}
_HEADINGS = {"h1", "h2", "h3", "h4"}


class _Repaginate(Exception):
    """The document has what makes WeasyPrint lay it out more than once (page numbers in its content, or a page it
    marks to be made again): a layout made a page at a time, once, is not the one the PDF will have."""


def filled_document(page_html: str):
    """The laid-out document, every page but the last filled to within FILL_TARGET where a move allows."""
    try:
        return _filled(page_html, lazy=True)
    except _Repaginate:  # decided from scratch on WeasyPrint's whole layouts, as the PDF will have them
        return _filled(page_html, lazy=False)


def _filled(page_html, lazy):
    import weasyprint  # slow to import: only when a PDF is written
    html = weasyprint.HTML(string=page_html, base_url=str(paths.ROOT))
    body = html.etree_element.find("body")
    _flatten(body)
    _keep_charts_with_tables(body)
    cache = {}  # the charts, decoded once for every layout
    charts = [index for index, block in enumerate(body) if _is_unit(block)]
    if charts:
        # What follows the last chart (the assumptions, notes and provenance: two thirds of the layout's work)
        # flows and breaks anywhere, and no move changes the pages before it: the passes lay out the part up
        # to the last chart alone, and the whole document is laid out once, at the end.
        tail = list(body)[charts[-1] + 1:]
        del body[charts[-1] + 1:]
        for _ in range(MAX_PASSES):
            if not _fill_one_page(_Pages(_page_boxes(html, cache) if lazy else _whole(html, cache)), body):
                break
        body.extend(tail)
    return _render(html, cache)


def _rewrap(html):
    import cssselect2
    html.wrapper_element = cssselect2.ElementWrapper.from_html_root(html.etree_element)  # it caches children


def _render(html, cache):
    _rewrap(html)
    return html.render(cache=cache)


def _whole(html, cache):
    return (page._page_box for page in _render(html, cache).pages)


def _page_boxes(html, cache):
    """The document's page boxes, each laid out only when asked for (WeasyPrint's own pagination, without the
    margin boxes and the Document): a pass stops two pages after the page it fixes, not at the end. Raises
    _Repaginate for a document WeasyPrint would lay out again once its first layout is known."""
    _rewrap(html)
    try:
        from weasyprint import DEFAULT_OPTIONS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.document import Document
        from weasyprint.formatting_structure.build import build_formatting_structure
        from weasyprint.layout import initialize_page_maker
        from weasyprint.layout.page import make_all_pages
        from weasyprint.text.fonts import FontConfiguration
        font_config, counter_style = FontConfiguration(), CounterStyle()
        context = Document._build_layout_context(html, font_config, counter_style, {},
                                                 {**DEFAULT_OPTIONS, "cache": cache})
        root_box = build_formatting_structure(
            html.etree_element, context.style_for, context.get_image_from_uri, html.base_url,
            context.target_collector, counter_style, context.footnotes)
        if context.target_collector.counter_lookup_items:  # page numbers in the content: known only once laid out
            raise _Repaginate
        initialize_page_maker(context, root_box)
        pages = make_all_pages(context, root_box, html, [])
    except (ImportError, AttributeError, TypeError):  # another WeasyPrint's internals: the whole document
        yield from _whole(html, cache)
        return
    for made, page in enumerate(pages, start=1):
        if _marked_again(context, made):
            raise _Repaginate
        yield page
    del font_config  # held until the last page is made: WeasyPrint drops its fonts when it goes


def _marked_again(context, made) -> bool:
    """Whether WeasyPrint marked one of the first `made` pages to be made again, which it would do after its first
    layout (a state it does not keep as this WeasyPrint does counts as marked: the whole layouts are then used)."""
    try:
        return any(state[-1]["content_changed"] or state[-1]["pages_wanted"] for state in context.page_maker[:made])
    except (AttributeError, IndexError, KeyError, TypeError):
        return True


class _Pages:
    """The pages of a layout, made as they are first asked for."""

    def __init__(self, boxes):
        self._boxes, self._made = boxes, []

    def has(self, number) -> bool:
        """Whether the layout has a page `number` (counted from 0), making the pages up to it."""
        while len(self._made) <= number:
            box = next(self._boxes, None)
            if box is None:
                return False
            self._made.append((box, _placed(box)))
        return True

    def box(self, number):
        return self._made[number][0] if self.has(number) else None

    def placed(self, number):
        return self._made[number][1] if self.has(number) else []


def _is_wrapper(element) -> bool:
    classes = {c for c in element.get("class", "").split() if not c.startswith("celltag_")}
    return element.tag == "div" and not element.get("style") and classes <= _WRAPPERS and (
        bool(classes) or element.get("id") is None)


def _flatten(body) -> None:
    """Make every block of the narrative a child of <body>, so that a move can put one before another."""
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


def _is_unit(element) -> bool:
    return _is_chart(element) or KEEP in element.get("class", "").split()


def _keep_charts_with_tables(body) -> None:
    """A chart and the table right after it (with its note) become one block that does not break."""
    blocks, grouped, index = list(body), [], 0
    while index < len(blocks):
        group = [blocks[index]]
        index += 1
        if _is_chart(group[0]) and index < len(blocks) and blocks[index].tag == "table":
            group.append(blocks[index])  # its table, the one right after it; more tables flow on after
            index += 1
            if index < len(blocks) and blocks[index].tag == "p" and "note" in blocks[index].get("class", ""):
                group.append(blocks[index])
                index += 1
        if len(group) == 1:
            grouped.append(group[0])
            continue
        keep = body.makeelement("div", {"class": KEEP})
        keep.extend(group)
        grouped.append(keep)
    body[:] = grouped


def _placed(page_box):
    """(element, top, bottom of the border box, box) of each of <body>'s blocks on the page, in order; none on a
    page without <body> (a blank page a left or right break made)."""
    box = _body_box(page_box)
    if box is None:
        return []
    return [(child.element, child.position_y, child.position_y + child.margin_top + child.border_height(), child)
            for child in box.children if child.element is not None and child.element.tag != "body"]


def _body_box(page_box):
    """The page's <body> box, found breadth first: in a whole layout, fixed elements from other pages are put
    before it under <html>."""
    level = [page_box]
    while level:
        for box in level:
            if box.element is not None and box.element.tag == "body":
                return box
        level = [child for box in level for child in getattr(box, "children", ())]
    return None


def _fill_one_page(pages, body) -> bool:
    """Make the move that fills the first page left too blank by a chart gone over; False if there is none."""
    number = -1
    while pages.has(number + 2):
        number += 1
        here, after = pages.placed(number), pages.placed(number + 1)
        page_box = pages.box(number)
        top, bottom = page_box.content_box_y(), page_box.content_box_y() + page_box.height
        if not here or not after:  # a blank page is made so (a left or right break), not by a chart gone over
            continue
        foot = here[-1][2]
        if (bottom - foot) / (bottom - top) <= FILL_TARGET:
            continue
        # the chart that went over, and the headings and text it dragged with it (they would have fitted)
        dragged = list(_takewhile_text_or_heading(after))
        if len(dragged) == len(after) or not _is_unit(after[len(dragged)][0]):
            continue
        unit, unit_top, unit_bottom, unit_box = after[len(dragged)]
        if unit.get("style") or int(unit.get("data-tries", 0)) >= MAX_TRIES or any(
                element is unit for element, *_ in pages.placed(number + 2)):
            continue  # split from its table already, moved as often as it may be, or taller than a page
        unit.set("data-tries", str(int(unit.get("data-tries", 0)) + 1))
        if _move(body, unit, unit_box, unit_bottom - unit_top, _points(pages, number, dragged, foot, top),
                 bottom, foot + unit_top - top):
            return True
    return False


def _takewhile_text_or_heading(placed):
    for entry in placed:
        if entry[0].tag not in _TEXT | _HEADINGS:
            return
        yield entry


def _points(pages, number, dragged, foot, top):
    """The places the chart may go, latest first: (the block it would go before, the height on this page it
    would start at, how many characters of that block stay before it or None). They are before its section's
    text on this page or dragged over with it, never above a heading; a paragraph begun on the page before is
    cut where that page broke, and the chart goes between its halves."""
    points = []
    for element, start, *_ in reversed(dragged):
        if element.tag in _HEADINGS:
            return points
        points.append((element, foot + start - top, None))
    before = {element: box for element, *_, box in pages.placed(number - 1)} if number else {}
    for element, start, *_ in reversed(pages.placed(number)):
        if element.tag not in _TEXT:
            break
        if element in before:
            if element.tag == "p":
                points.append((element, start, sum(_count(b.text) for b in before[element].descendants()
                                                   if hasattr(b, "text"))))
            break
        points.append((element, start, None))
    return points


def _move(body, unit, unit_box, height, points, bottom, natural) -> bool:
    """Make the first move that fits the chart on the page: see the comment at the top."""
    chart_px = _chart_height(unit_box) / _scale(unit)  # at its natural size

    def scale_at(start):  # the chart's scale for the unit to fill the page from `start` down, capped at its own
        overflow_px = start + height + MARGINS_PX - bottom
        return min(_scale(unit), _scale(unit) - overflow_px / chart_px) if chart_px else 0.0

    if GENTLE_CHART_SCALE <= scale_at(natural) < _scale(unit):
        _shrink(unit, scale_at(natural))
        return True
    for floor in (GENTLE_CHART_SCALE, MIN_CHART_SCALE):
        for before, start, keep in points:
            scale = scale_at(start)
            if scale < floor:
                continue
            if keep is not None:
                before = _split(body, before, keep)
                if before is None:
                    continue
            _shrink(unit, scale)
            body.remove(unit)
            body.insert(list(body).index(before), unit)
            return True
    if KEEP in unit.get("class", "").split():
        chart_box = next(b for b in unit_box.descendants() if b.element is not None and b.element.tag == "figure")
        scale = scale_at(natural - height + chart_box.margin_height())  # the chart alone at the page's foot
        if scale >= MIN_CHART_SCALE:
            _shrink(unit, scale)
            unit.set("style", "break-inside: auto")  # its table goes on at the next page's head
            return True
    return False


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
