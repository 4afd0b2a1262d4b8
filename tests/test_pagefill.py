"""The page fill's layouts: made a page at a time, as a whole render would make them, and a fallback for another
WeasyPrint."""

import pytest

from dprk_arms import paths
from dprk_arms.briefs import convert, pagefill

weasyprint = pytest.importorskip("weasyprint")

from test_briefs_single import _chart_html as _chart  # noqa: E402 - a brief's chart as the notebook shows it


def _page(sections=6, css="", top="", middle=""):
    """A brief-like page: sections of prose, each with a tall chart and its table, several pages long."""
    rows = "".join(f"<tr><td>row {i}</td><td>{i}</td></tr>" for i in range(4))
    body = "".join(f"<h2 id='s{s}'>Section {s}</h2>{middle if s == 2 else ''}"
                   f"<p>{' '.join(f'w{s}x{i}' for i in range(150 + 40 * s))}</p>"
                   f"{_chart(s, 3.5 + 0.3 * s)}<table class='summary'>{rows}</table>" for s in range(sections))
    return f"<html><head><style>{convert.CSS}{css}</style></head><body>{top}{body}</body></html>"


def _document(**page):
    html = weasyprint.HTML(string=_page(**page), base_url=str(paths.ROOT))
    pagefill._flatten(html.etree_element.find("body"))
    return html


def _geometry(page_boxes):
    return [[(element.tag, element.get("class"), round(top, 3), round(bottom, 3))
             for element, top, bottom, _ in pagefill._placed(box)] for box in page_boxes]


def test_pages_made_one_at_a_time_are_the_pages_of_a_whole_render():
    html = _document()
    whole = _geometry(page._page_box for page in pagefill._render(html, {}).pages)
    assert len(whole) >= 4
    assert _geometry(pagefill._page_boxes(html, {})) == whole


def test_a_pass_makes_only_the_pages_it_reads(monkeypatch):
    """Reading the first two pages of a long document lays out those two, without a whole render."""
    import weasyprint.layout.page as page_module
    html = _document()
    total = len(pagefill._render(html, {}).pages)
    made = []
    real = page_module.make_page
    monkeypatch.setattr(page_module, "make_page", lambda *a, **k: made.append(1) or real(*a, **k))
    monkeypatch.setattr(weasyprint.HTML, "render", lambda *a, **k: pytest.fail("a whole render"))
    pages = pagefill._Pages(pagefill._page_boxes(html, {}))
    assert pages.has(1) and pages.placed(1)
    assert len(made) == 2 < total
    assert pages.has(total - 1) and not pages.has(total)
    assert len(made) == total


def test_another_weasyprints_internals_fall_back_to_a_whole_render(monkeypatch):
    import weasyprint.layout.page as page_module
    html = _document()
    whole = _geometry(page._page_box for page in pagefill._render(html, {}).pages)
    monkeypatch.delattr(page_module, "make_all_pages")
    assert _geometry(pagefill._page_boxes(html, {})) == whole


# 280 references to the last section: enough for their numbers' width to move a page break the fill decides on
_FORWARD_REFERENCES = "<p>" + " ".join('<a class="x" href="#s5">see</a>' for _ in range(280)) + "</p>"
# What makes WeasyPrint lay a document out again once it knows its pages: page numbers in the content (a forward
# reference's number is unknown when its page is first made), and running elements, which it may re-make pages for.
REPAGINATED = {
    "target-counter": dict(css='a.x::after { content: " (p. " target-counter(attr(href), page, upper-roman) ")" }',
                           top=_FORWARD_REFERENCES),
    "counter(page) in the content": dict(css="h2::after { content: ' p. ' counter(page) }"),
    "counter(pages) in the content": dict(css="h2::after { content: ' of ' counter(pages) }"),
    "a running element": dict(css="@page { @top-center { content: element(head) } } .head { position: running(head) }",
                              middle="<div class='head'>Running head</div>"),
}


@pytest.mark.parametrize("case", REPAGINATED)
def test_a_document_laid_out_more_than_once_is_filled_on_the_layout_it_will_have(case):
    """The fill decides on WeasyPrint's final layout: a user's notebook with page references (the briefs have
    none) once came out a page longer, with a page three-quarters blank."""
    page = _page(**REPAGINATED[case])
    assert _geometry(p._page_box for p in pagefill.filled_document(page).pages) == _geometry(
        p._page_box for p in pagefill._filled(page, lazy=False).pages)


@pytest.mark.parametrize("case", [c for c in REPAGINATED if "running" not in c])
def test_page_numbers_in_the_content_are_never_laid_out_a_page_at_a_time(case):
    with pytest.raises(pagefill._Repaginate):
        next(pagefill._page_boxes(_document(**REPAGINATED[case]), {}))


def test_a_pagination_state_of_another_form_counts_as_marked_so_whole_layouts_are_used():
    class Context:
        page_maker = [("resume_at", "next_page", "right_page", "page_state", None)]
    assert pagefill._marked_again(Context(), 1)
    assert pagefill._marked_again(object(), 1)


# Pages whose boxes are not the plain <html> > <body> of one page: a blank page a right break makes (no <body>
# at all), and a fixed element, which a whole layout puts before <body> on every page after its own.
UNUSUAL_PAGES = {
    "a blank page": dict(css="#s3 { break-before: right }"),
    "a fixed element": dict(css=".fx { position: fixed; top: 0; right: 0; font-size: 7pt }",
                            top="<div class='fx'>DRAFT</div>"),
}


@pytest.mark.parametrize("case", UNUSUAL_PAGES)
def test_blank_pages_and_fixed_elements_are_filled_as_whole_layouts_would_be(case):
    """Both once failed the brief with an IndexError where the fill read a page (a red-team helper's finding)."""
    page = _page(**UNUSUAL_PAGES[case])
    filled = _geometry(p._page_box for p in pagefill.filled_document(page).pages)
    assert filled == _geometry(p._page_box for p in pagefill._filled(page, lazy=False).pages)
    assert any(not blocks for blocks in filled) == (case == "a blank page")
