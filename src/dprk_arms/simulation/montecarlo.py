"""Monte Carlo: seeded draws of every input, every output evaluated, and their summaries."""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..data.correlations import effective
from ..defaults import DEFAULT_DRAWS, DEFAULT_SEED
from ..models.evaluate import OUTPUTS, cumulative_at, evaluate
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
    timeline: object = None  # data.statements.Timeline: the statements and the as-of date
    correlations: dict = None  # {(a, b): Spearman rho} the draws were made with

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

    def over_time(self, days, max_draws=4_000):
        """P5/P50/P95 of cumulative containers and of rounds shipped at each date in `days` (days since 1970).

        Rounds follow the containers: the volume at the as-of date scaled by the share of containers shipped.
        """
        n = min(self.draws, max_draws)  # quantiles of a few thousand draws are plenty for a chart
        x = {k: v.to_numpy()[:n, None] for k, v in self.inputs.items() if v.dtype.kind == "f"}
        shipped = cumulative_at(x, np.asarray(days, dtype=float)[None, :])
        at_as_of = self.outputs["containers_count"].to_numpy()[:n, None]
        rounds = self.outputs["shipped_rounds"].to_numpy()[:n, None] * np.divide(
            shipped, at_as_of, out=np.zeros_like(shipped), where=at_as_of > 0)
        return {"containers": np.quantile(shipped, QUANTILES, axis=0), "rounds": np.quantile(rounds, QUANTILES, axis=0)}

    def probability(self, name, threshold, above=True):
        """Share of draws with output `name` above (or below) `threshold`."""
        values = self.outputs[name].to_numpy()
        return float(np.mean(values > threshold if above else values < threshold))


def simulate(resolved, catalog, draws=DEFAULT_DRAWS, seed=DEFAULT_SEED, timeline=None, correlations=None) -> Simulation:
    """Run the Monte Carlo for resolved parameters (see Catalog.resolve) as of a timeline (Catalog.timeline), with
    rank correlations {(a, b): rho} between inputs (None: the data's defaults; a RunSpec's rank_correlations)."""
    if int(draws) < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    timeline = timeline or catalog.timeline()
    if correlations is None:
        correlations = effective(catalog.correlations, {})
    inputs = drawn_inputs(resolved, catalog, int(draws), seed, timeline, correlations)
    outputs = evaluate(inputs)
    central = {k: float(v) for k, v in evaluate(central_inputs(resolved, catalog, timeline)).items()}
    # copy=False: the columns are fresh arrays, so pandas need not copy them into one block
    return Simulation(pd.DataFrame(inputs, copy=False), pd.DataFrame(outputs, copy=False), central, resolved,
                      int(draws), seed, timeline, dict(correlations))
