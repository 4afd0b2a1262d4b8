"""Estimates of the economics of the DPRK's 2023-24 munitions shipments to Russia."""

__version__ = "0.1.0"
