"""Sensitivity: one-at-a-time tornado swings and Spearman rank correlations."""

import numpy as np
import pandas as pd

from ..models.evaluate import evaluate
from .inputs import central_inputs, uncertain


def tornado(resolved: dict, catalog, outputs: list[str], timeline=None) -> pd.DataFrame:
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


def rank_correlations(simulation, outputs) -> pd.DataFrame:
    """Spearman rank correlation of each varying input with each output (inputs x outputs)."""
    from scipy import stats
    names = [c for c in uncertain(simulation.resolved) if c in simulation.inputs]
    outputs = list(outputs)
    data = np.column_stack([simulation.inputs[names].to_numpy(), simulation.outputs[outputs].to_numpy()])
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = stats.spearmanr(data).statistic
    if np.ndim(rho) == 0:  # scipy returns a scalar for two columns
        rho = np.array([[1.0, rho], [rho, 1.0]])
    block = np.nan_to_num(rho[:len(names), len(names):], nan=0.0)  # a constant output correlates with nothing
    return pd.DataFrame(block, index=pd.Index(names), columns=outputs)


def tornado_draws(simulation, outputs, direct=None, share=0.1):
    """Each varying input's effect read off the draws themselves: the mean output over the draws with the input in
    its lowest `share` against its highest. Inputs correlated with it move with it, as they do in the draws, so
    with correlations this shows what the one-at-a-time swing cannot. Same columns as `tornado`.

    `direct` (a `tornado` table) says which inputs move each output at all: an input that moves it neither itself
    nor through a correlated partner gets no swing, so the draws' noise (the timeline, other inputs) is never
    shown as an effect."""
    names = [c for c in uncertain(simulation.resolved) if c in simulation.inputs]
    moves = None
    if direct is not None:
        acting = {(r.output, r.parameter) for r in direct.itertuples() if r.swing > 0}
        partners = {}
        for (a, b), rho in (simulation.correlations or {}).items():
            if rho:
                partners.setdefault(a, set()).add(b)
                partners.setdefault(b, set()).add(a)
        moves = {(o, n) for o in outputs for n in names
                 if (o, n) in acting or any((o, q) in acting for q in partners.get(n, ()))}
    n = simulation.draws
    k = max(1, int(round(share * n)))
    values = {o: simulation.outputs[o].to_numpy() for o in outputs}
    rows = []
    for name in names:
        x = simulation.inputs[name].to_numpy()
        order = np.argsort(x, kind="stable")
        low, high = order[:k], order[-k:]
        for output in outputs:
            y = values[output]
            if np.ptp(y) == 0 or (moves is not None and (output, name) not in moves):
                at_low = at_high = float(y.mean())  # nothing of this input's reaches the output
            else:
                at_low, at_high = float(y[low].mean()), float(y[high].mean())
            rows.append({"output": output, "parameter": name, "input_low": float(x[low].mean()),
                         "input_high": float(x[high].mean()), "at_low": at_low, "at_high": at_high,
                         "swing": abs(at_high - at_low)})
    table = pd.DataFrame(rows, columns=["output", "parameter", "input_low", "input_high", "at_low", "at_high", "swing"])
    return table.sort_values(["output", "swing"], ascending=[True, False], ignore_index=True)
