"""Notebook to HTML with one exporter kept for the process: each page is what a fresh exporter makes of it."""

import nbformat
from nbformat import v4

from dprk_arms.briefs import convert


def _notebook(path, title, rows):
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell(f"# {title}\n\nSome *narrative* with a [link](https://example.org)."),
        v4.new_code_cell("table()", outputs=[
            v4.new_output("display_data", data={"text/html": "<table>" + "".join(
                f"<tr><td>{r}</td></tr>" for r in range(rows)) + "</table>", "text/plain": "table"}),
            v4.new_output("stream", name="stderr", text="a warning the brief leaves out\n")]),
        v4.new_markdown_cell("Notebook only.", metadata={"tags": ["notebook-only"]}),
    ])
    nbformat.write(nb, path)
    return path


def test_a_kept_exporter_makes_each_page_as_a_fresh_one_would(tmp_path, monkeypatch):
    first, second = _notebook(tmp_path / "a.ipynb", "First", 3), _notebook(tmp_path / "b.ipynb", "Second", 5)
    kept = [convert.to_html(path, path.stem) for path in (first, second, first)]
    assert kept[0] == kept[2]
    fresh_exporter = convert._exporter.__wrapped__  # the uncached factory
    monkeypatch.setattr(convert, "_exporter", fresh_exporter)
    assert kept == [convert.to_html(path, path.stem) for path in (first, second, first)]
    assert "Second" in kept[1] and "First" not in kept[1]
    assert "a warning the brief leaves out" not in kept[0] and "Notebook only." not in kept[0]
