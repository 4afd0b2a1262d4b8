"""Monte Carlo: seeded draws of every input, every output evaluated, and their summaries."""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .. import allocator
from ..data.correlations import effective
from ..defaults import CHUNK_DRAWS, DEFAULT_DRAWS, DEFAULT_SEED
from ..models.evaluate import OUTPUTS, cumulative_at, evaluate
from .inputs import central_inputs, drawn_inputs, input_chunks
from .summaries import QUANTILES, Chunked, describe

SUMMARY_COLUMNS = 8  # columns summarised at once


def _table(names, central, means, quantiles):
    """The summary table: label, unit, central, mean, P5, P50, P95 per output."""
    meta = {o.name: o for o in OUTPUTS}
    return pd.DataFrame({
        "label": [meta[n].label for n in names], "unit": [meta[n].unit for n in names],
        "central": [central[n] for n in names], "mean": means,
        "p5": quantiles[0], "p50": quantiles[1], "p95": quantiles[2],
    }, index=pd.Index(names, name="output"))


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
        # Quantiles select in every column: worth computing once per simulation, as a brief asks many times.
        # summaries.describe gives np.quantile's values and the exact mean, as `summarise` does over chunks; a
        # few columns at a time, so the copies it selects in stay small (all 66 at once: 100 MB at 100,000 draws).
        parts = [describe(self.outputs.iloc[:, start:start + SUMMARY_COLUMNS].to_numpy())
                 for start in range(0, self.outputs.shape[1], SUMMARY_COLUMNS)]
        return _table(list(self.outputs.columns), self.central, np.concatenate([m for m, _ in parts]),
                      np.concatenate([q for _, q in parts], axis=1))

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
    allocator.keep_freed_memory()
    timeline = timeline or catalog.timeline()
    if correlations is None:
        correlations = effective(catalog.correlations, {})
    # the look-ups (the same value in every draw) as read-only views of one number, not columns of copies
    inputs = drawn_inputs(resolved, catalog, int(draws), seed, timeline, correlations, constant=_constant)
    outputs = evaluate(inputs)
    central = {k: float(v) for k, v in evaluate(central_inputs(resolved, catalog, timeline)).items()}
    # copy=False: the columns are fresh arrays or read-only views, so pandas need not copy them into one block
    return Simulation(pd.DataFrame(inputs, copy=False), pd.DataFrame(outputs, copy=False), central, resolved,
                      int(draws), seed, timeline, dict(correlations))


@dataclass(frozen=True)
class Summary:
    """The summaries of a Monte Carlo run without its draws: what `summarise` keeps in bounded memory."""

    table: pd.DataFrame
    shares: dict  # {(output, threshold, above): share of draws}
    central: dict
    resolved: dict
    draws: int
    seed: int
    timeline: object = None
    correlations: dict = None
    passes: int = 1  # how many times the draws were made (quantiles over chunks select in passes)

    def summary(self, names=None):
        """P5, P50, P95, mean and central value of each output (as Simulation.summary)."""
        return self.table.loc[list(names)].copy() if names else self.table.copy()

    def probability(self, name, threshold, above=True):
        """Share of draws with output `name` above (or below) `threshold`: one of those asked of `summarise`."""
        try:
            return self.shares[(name, threshold, above)]
        except KeyError:
            raise KeyError(f"{name} {'>' if above else '<'} {threshold} was not counted; pass it to summarise's "
                           "thresholds") from None


def summarise(resolved, catalog, draws=DEFAULT_DRAWS, seed=DEFAULT_SEED, timeline=None, correlations=None,
              thresholds=(), chunk_draws=None) -> Summary:
    """simulate(...)'s summaries and the shares of draws past `thresholds` ((output, threshold, above), ...),
    drawn and evaluated `chunk_draws` at a time, so memory does not grow with `draws`. Every figure equals the
    one simulate(...) gives for the same seed; beyond one chunk the draws are made again for each selection pass
    (two for most runs) rather than kept. `chunk_draws` defaults to CHUNK_DRAWS."""
    draws, chunk_draws = int(draws), max(1, int(chunk_draws or CHUNK_DRAWS))
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    allocator.keep_freed_memory()
    timeline = timeline or catalog.timeline()
    if correlations is None:
        correlations = effective(catalog.correlations, {})
    central = {k: float(v) for k, v in evaluate(central_inputs(resolved, catalog, timeline)).items()}
    thresholds = [(n, t, bool(a)) for n, t, a in thresholds]
    if draws <= chunk_draws:  # one chunk: kept in memory, no pass drawn twice
        sim = simulate(resolved, catalog, draws, seed, timeline, correlations)
        shares = {(n, t, a): sim.probability(n, t, a) for n, t, a in thresholds}
        return Summary(sim.summary(), shares, central, resolved, draws, seed, timeline, dict(correlations))

    def chunks():
        for inputs in input_chunks(resolved, catalog, draws, seed, timeline, correlations, chunk_draws,
                                   constant=_constant):
            yield evaluate(inputs)

    names = list(central)  # evaluate's order, as Simulation.outputs
    run = Chunked(names, draws, thresholds).run(chunks)
    return Summary(_table(names, central, run.means, run.table), run.shares, central, resolved, draws,
                   seed, timeline, dict(correlations), run.passes)


def _constant(n, value):
    return np.broadcast_to(np.float64(value), (n,))
