"""Convert an executed notebook to a PDF: HTML with the code hidden (nbconvert), then WeasyPrint."""

import functools
import html
import os
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from ..files import temp_beside
from . import fontcache, pagefill

CSS = (Path(__file__).with_name("brief.css")).read_text(encoding="utf-8")


def to_html(executed, title: str) -> str:
    """A standalone HTML page of the executed notebook's outputs and narrative (no code, no stderr)."""
    nb = nbformat.read(str(executed), as_version=4)
    nb.cells = [c for c in nb.cells if "notebook-only" not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("name") != "stderr"]
    body, _ = _exporter().from_notebook_node(nb)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{body}</body></html>")


@functools.lru_cache(maxsize=None)
def _exporter():
    """One exporter for the process: it compiles its Jinja templates at its first notebook (0.1-0.2 s), which a new
    exporter for every brief paid each time. It keeps no state from one notebook to the next."""
    return HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True)


def warm() -> None:
    """Compile the exporter's templates now (in the fork server, once for every worker)."""
    _exporter().from_notebook_node(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("warm")]))


def write_pdf(page_html: str, target) -> None:
    """Write the PDF atomically: a temporary file beside the target, then a rename."""
    fontcache.install()
    tmp = temp_beside(target)
    try:
        pagefill.filled_document(page_html).write_pdf(str(tmp))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
