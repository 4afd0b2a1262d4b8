"""Presentation layer: formatting, tables, charts, key judgements and brief rendering."""
