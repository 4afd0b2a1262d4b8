"""Render one notebook: execute with papermill, convert to HTML (code hidden), then PDF with WeasyPrint."""

import html
import os
from pathlib import Path

import nbformat
import papermill
from nbconvert import HTMLExporter

from .. import paths

CSS = (Path(__file__).with_name("brief.css")).read_text(encoding="utf-8")


def execute(notebook, output, parameters, timeout):
    """Run `notebook` with papermill, writing the executed copy to `output` (also when a cell fails)."""
    papermill.execute_notebook(
        str(notebook), str(output), parameters=parameters, cwd=str(paths.NOTEBOOKS_DIR),
        execution_timeout=timeout, progress_bar=False, log_output=False, report_mode=False,
    )


def to_html(executed, title):
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


def write_pdf(page_html, target):
    """Write the PDF atomically: a temporary file beside the target, then a rename."""
    import weasyprint
    target = Path(target)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        weasyprint.HTML(string=page_html, base_url=str(paths.ROOT)).write_pdf(str(tmp))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
