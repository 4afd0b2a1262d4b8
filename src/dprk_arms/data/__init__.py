"""Data layer: load and validate the sourced figures, parameter definitions and scenarios."""
