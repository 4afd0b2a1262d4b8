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
    constant = {o: bool(np.ptp(y) == 0) for o, y in values.items()}
    means = {o: float(y.mean()) for o, y in values.items()}
    rows = []
    for name in names:
        x = simulation.inputs[name].to_numpy()
        low, high = tails(x, k)
        input_low, input_high = float(x[low].mean()), float(x[high].mean())
        for output in outputs:
            y = values[output]
            if constant[output] or (moves is not None and (output, name) not in moves):
                at_low = at_high = means[output]  # nothing of this input's reaches the output
            else:
                at_low, at_high = float(y[low].mean()), float(y[high].mean())
            rows.append({"output": output, "parameter": name, "input_low": input_low,
                         "input_high": input_high, "at_low": at_low, "at_high": at_high,
                         "swing": abs(at_high - at_low)})
    table = pd.DataFrame(rows, columns=["output", "parameter", "input_low", "input_high", "at_low", "at_high", "swing"])
    return table.sort_values(["output", "swing"], ascending=[True, False], ignore_index=True)


def tails(x, k):
    """The indices, in ascending order, of the k smallest and the k largest of x: the first k and the last k of a
    stable sort (ties at the cut go to the earlier index at the low end, the later at the high end), found by
    partition in linear time where a sort of every input took most of a tornado's time."""
    n = len(x)
    k = min(k, n)
    return _cut(x, k, np.partition(x, k - 1)[k - 1], low=True), _cut(x, k, np.partition(x, n - k)[n - k], low=False)


def _cut(x, k, value, low):
    strict = np.flatnonzero(x < value if low else x > value)
    tied = np.flatnonzero(x == value)
    tied = tied[:k - len(strict)] if low else tied[len(tied) - (k - len(strict)):]
    return np.union1d(strict, tied)
