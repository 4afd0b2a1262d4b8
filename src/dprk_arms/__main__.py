"""`python -m dprk_arms` runs the command line."""

from .cli import entry

entry()
