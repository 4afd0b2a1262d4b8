"""Font subsets kept for the process: the same glyphs of the same font give the same embedded font, made once."""

import pytest

from dprk_arms import paths
from dprk_arms.briefs import convert, fontcache

weasyprint = pytest.importorskip("weasyprint")
from weasyprint.pdf import fonts  # noqa: E402

from pdfs import text  # noqa: E402


@pytest.fixture
def subsets(monkeypatch):
    """A fresh memo over a subsetter that counts its calls."""
    calls = []
    real = fonts.Font.subset
    real = getattr(real, "__wrapped__", real)  # the method as WeasyPrint defines it
    monkeypatch.setattr(fonts.Font, "subset", lambda self, *a: calls.append(self.family) or real(self, *a))
    monkeypatch.setattr(fontcache, "_subsets", {})
    assert fontcache.install()
    return calls


def _pdf(tmp_path, name, words):
    html = (f"<html><head><style>{convert.CSS}</style></head><body><h2>Heading</h2><p>{words}</p>"
            f"<p><code>code {words}</code></p></body></html>")
    target = tmp_path / f"{name}.pdf"
    weasyprint.HTML(string=html, base_url=str(paths.ROOT)).write_pdf(str(target))
    return target


def _font_files(pdf):
    from pypdf import PdfReader
    found = {}
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            found[str(font.get_object()["/BaseFont"]).split("+")[1]] = descriptor["/FontFile2"].get_object().get_data()
    return found


def test_the_same_glyphs_are_subset_once_and_embed_the_same_font(tmp_path, subsets):
    first = _pdf(tmp_path, "first", "Economists ask three questions")
    made = len(subsets)
    assert made >= 2  # a regular and a monospaced face
    second = _pdf(tmp_path, "second", "Economists ask three questions")
    assert len(subsets) == made  # nothing subset again
    assert _font_files(first) == _font_files(second)
    assert "Economists ask three questions" in text(second)


def test_a_new_glyph_is_subset_afresh(tmp_path, subsets):
    _pdf(tmp_path, "first", "Economists ask three questions")
    made = len(subsets)
    third = _pdf(tmp_path, "third", "Economists ask three questions: Nguyễn, ₩")
    assert {"DejaVu Sans", "DejaVu Sans Mono"} <= set(subsets[made:])  # both faces have glyphs more
    assert "Nguyễn, ₩" in text(third)


def test_a_font_the_subsetter_leaves_whole_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts.Font, "subset", lambda self, *a: None)  # e.g. fontTools failed: the font stays whole
    monkeypatch.setattr(fontcache, "_subsets", {})
    assert fontcache.install()
    _pdf(tmp_path, "whole", "Economists")
    assert fontcache._subsets == {}
