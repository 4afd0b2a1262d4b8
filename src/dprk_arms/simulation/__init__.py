"""Simulation layer: Monte Carlo over the parameter distributions, and sensitivity."""
