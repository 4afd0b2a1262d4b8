"""Bounded memory: `estimate` keeps summaries, not draws, so its peak does not grow with --draws (issue 15)."""

import subprocess
import sys

from dprk_arms.models.evaluate import OUTPUTS
from dprk_arms.simulation.inputs import central_inputs

# The child runs `estimate` with a small chunk and reports its own peak resident memory (KiB on Linux).
CHILD = """
import resource, sys
from dprk_arms.simulation import montecarlo
montecarlo.CHUNK_DRAWS = int(sys.argv[1])
from dprk_arms import cli
code = cli.main(["estimate", "--draws", sys.argv[2], *sys.argv[3:]])
print("PEAK_KIB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
"""
# The prices fixed: the copula's PERT quantile function is the slow part of a draw, and not what is measured here.
FIXED = ["-p", "price_152mm_usd=1000", "-p", "price_122mm_usd=800", "-p", "price_other_usd=900"]


def _peak_kib(chunk, draws):
    done = subprocess.run([sys.executable, "-c", CHILD, str(chunk), str(draws), *FIXED], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"{draws:,} draws" in done.stdout
    return int(done.stdout.rsplit("PEAK_KIB", 1)[1])


def test_estimate_peak_memory_does_not_grow_with_draws(catalog):
    draws, chunk = 100_000, 4_000
    small = _peak_kib(chunk, 1_000)  # one chunk: the interpreter, the libraries and the catalog
    large = _peak_kib(chunk, draws)
    # the inputs and outputs a run keeping every draw holds, 8 bytes each
    columns = len(central_inputs(catalog.resolve(), catalog)) + len(OUTPUTS)
    all_draws_kib = draws * columns * 8 / 1024
    assert large - small < 0.25 * all_draws_kib, (small, large, all_draws_kib)
