"""Monte Carlo: seeded draws of every input, every output evaluated, and their summaries."""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..defaults import DEFAULT_DRAWS, DEFAULT_SEED
from ..models.evaluate import OUTPUTS, evaluate
from .inputs import central_inputs, drawn_inputs

QUANTILES = (0.05, 0.5, 0.95)


@dataclass(frozen=True)
class Simulation:
    """Draws of every input and output, plus the outputs at the central inputs."""

    inputs: pd.DataFrame
    outputs: pd.DataFrame
    central: dict
    resolved: dict
    draws: int
    seed: int

    def summary(self, names=None):
        """P5, P50, P95, mean and central value of each output."""
        table = self._summary
        return table.loc[list(names)].copy() if names else table.copy()

    @cached_property
    def _summary(self):
        # Quantiles sort every column: worth computing once per simulation, as a brief asks many times.
        names = list(self.outputs.columns)
        values = self.outputs.to_numpy()
        q = np.quantile(values, QUANTILES, axis=0)
        table = pd.DataFrame({
            "central": [self.central[n] for n in names],
            "mean": values.mean(axis=0),
            "p5": q[0], "p50": q[1], "p95": q[2],
        }, index=pd.Index(names, name="output"))
        meta = {o.name: o for o in OUTPUTS}
        table.insert(0, "unit", [meta[n].unit for n in names])
        table.insert(0, "label", [meta[n].label for n in names])
        return table

    def probability(self, name, threshold, above=True):
        """Share of draws with output `name` above (or below) `threshold`."""
        values = self.outputs[name].to_numpy()
        return float(np.mean(values > threshold if above else values < threshold))


def simulate(resolved, catalog, draws=DEFAULT_DRAWS, seed=DEFAULT_SEED) -> Simulation:
    """Run the Monte Carlo for resolved parameters (see Catalog.resolve)."""
    if int(draws) < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    inputs = drawn_inputs(resolved, catalog, int(draws), seed)
    outputs = evaluate(inputs)
    central = {k: float(v) for k, v in evaluate(central_inputs(resolved, catalog)).items()}
    # copy=False: the columns are fresh arrays, so pandas need not copy them into one block
    return Simulation(pd.DataFrame(inputs, copy=False), pd.DataFrame(outputs, copy=False), central, resolved,
                      int(draws), seed)
