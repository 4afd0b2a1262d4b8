"""Run defaults and exit codes, each defined once; every route (files, CLI, notebooks, widgets) reads these."""

DEFAULT_DRAWS = 100_000
MIN_DRAWS = 100
MAX_DRAWS = 5_000_000  # a run that keeps every draw (briefs, exports, scenario files)
MAX_SUMMARY_DRAWS = 100_000_000  # `estimate`, which keeps only summaries (chunk by chunk, in bounded memory)
CHUNK_DRAWS = 100_000  # draws held at once when only summaries are kept
DEFAULT_SEED = 20240226
MAX_SEED = 2**32 - 1  # what numpy's SeedSequence takes as one word; scenario files and -p share it
WHATIF_DRAWS = 5_000  # small enough for a live update under a second
THRESHOLD_SHARE = 0.10  # "10% of the economy": the line the seed articles draw
GRID_SYNTAX = (  # a sweep axis, as `sweep` reads it and its --help says
    "NAME=START:STOP:POINTS (POINTS evenly spaced values, both ends included), or explicitly "
    "NAME=START:STOP:n=POINTS, or NAME=START:STOP:step=STEP (START, START+STEP, ... up to STOP); "
    "as_of takes dates, its step in days")

EXIT_OK = 0
EXIT_FAILED = 1  # a scenario failed while rendering; the others were rendered
EXIT_USAGE = 2  # bad input: nothing was run or written
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM
