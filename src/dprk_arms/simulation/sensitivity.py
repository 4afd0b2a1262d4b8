"""Sensitivity: one-at-a-time tornado swings and Spearman rank correlations."""

import numpy as np
import pandas as pd

from ..models.evaluate import evaluate
from .inputs import central_inputs, uncertain


def tornado(resolved, catalog, outputs, timeline=None):
    """Each uncertain input swung from its low to its high with the others central.

    One row per (output, parameter): the output at the input's low and high, and the absolute swing;
    sorted by swing within each output.
    """
    names = uncertain(resolved)
    base = central_inputs(resolved, catalog, timeline)
    n = 2 * len(names)
    batch = {k: np.full(n, v, dtype=float) for k, v in base.items()}
    for i, name in enumerate(names):
        batch[name][2 * i], batch[name][2 * i + 1] = resolved[name].bounds
    results = evaluate(batch)
    rows = []
    for output in outputs:
        values = results[output]
        for i, name in enumerate(names):
            at_low, at_high = values[2 * i], values[2 * i + 1]
            rows.append({"output": output, "parameter": name, "input_low": resolved[name].bounds[0],
                         "input_high": resolved[name].bounds[1], "at_low": at_low, "at_high": at_high,
                         "swing": abs(at_high - at_low)})
    table = pd.DataFrame(rows, columns=["output", "parameter", "input_low", "input_high", "at_low", "at_high", "swing"])
    return table.sort_values(["output", "swing"], ascending=[True, False], ignore_index=True)


def rank_correlations(simulation, outputs):
    """Spearman rank correlation of each varying input with each output (inputs x outputs)."""
    inputs = simulation.inputs[[c for c in uncertain(simulation.resolved) if c in simulation.inputs]]
    ranks_in = inputs.rank().to_numpy()
    ranks_out = simulation.outputs[list(outputs)].rank().to_numpy()
    ranks_in = (ranks_in - ranks_in.mean(0)) / ranks_in.std(0)
    std_out = ranks_out.std(0)
    std_out[std_out == 0] = np.inf  # a constant output correlates with nothing
    ranks_out = (ranks_out - ranks_out.mean(0)) / std_out
    corr = ranks_in.T @ ranks_out / len(ranks_in)
    return pd.DataFrame(corr, index=inputs.columns, columns=list(outputs))
