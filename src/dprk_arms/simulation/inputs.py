"""Numeric model inputs from resolved parameters and the timeline: draws, central values, and look-ups."""

import numpy as np

from ..data.distributions import Distribution
from ..data.statements import to_days
from ..models.calendar import CALENDAR_YEARS
from . import copula

# The timeline's stream sits apart from the parameters' (spawned 0, 1, ...), so adding a parameter moves nothing.
TIMELINE_STREAM = 1_000_000


def lookups(resolved, catalog, line=None) -> dict:
    """The figures the choice parameters and the timeline select (the same in every draw)."""
    year, measure = resolved["economy_year"], resolved["economy_measure"]
    route = resolved["volume_route"]
    values = {"economy_krw": catalog.economy_krw(measure, year), "exports_usd": catalog.exports_usd(year),
              "volume_from_containers": float(route == "containers"), "volume_from_intel": float(route == "intel")}
    line = line or catalog.timeline()
    values["as_of_days"] = to_days(line.as_of)
    for i, s in enumerate(line.counts):
        values[f"statement_days_{i}"] = s.days
        values[f"statement_containers_{i}"] = s.containers
        values[f"statement_more_than_{i}"] = float(s.qualifier == "more than")
    economy = catalog.economy_by_year_krw(measure, CALENDAR_YEARS)
    rates = catalog.krw_per_usd_by_year(CALENDAR_YEARS)
    for y in CALENDAR_YEARS:
        values[f"economy_published_krw_{y}"], values[f"economy_years_grown_{y}"] = economy[y]
        values[f"krw_per_usd_sourced_{y}"] = rates[y] or 0.0  # 0: no sourced rate, use krw_per_usd
    return values


def _start_bounds(catalog, line):
    first, last = (line or catalog.timeline()).start_range
    return to_days(first), to_days(last)


def central_inputs(resolved, catalog, line=None) -> dict:
    """Every numeric input at its central value (statements as stated, the start mid-way between its readings)."""
    line = line or catalog.timeline()
    values = {k: v.central for k, v in resolved.items() if isinstance(v, Distribution)}
    values.update(lookups(resolved, catalog, line))
    values["start_days"] = float(np.mean(_start_bounds(catalog, line)))
    values.update({f"statement_u_{i}": 0.0 for i in range(len(line.counts))})
    return values


def drawn_inputs(resolved, catalog, draws, seed, line=None, correlations=None, constant=np.full) -> dict:
    """Every numeric input as `draws` samples; each parameter has its own seeded stream.

    Streams are spawned in parameter-file order from one SeedSequence, so overriding one parameter
    leaves every other parameter's draws unchanged (common random numbers across scenarios). The
    timeline's own draws (start date, each statement's error) come from a stream of their own.

    `correlations` ({(a, b): Spearman rho}) ties inputs together with a Gaussian copula: each correlated
    input draws standard normals from its own stream, a matrix square root mixes them, and each input's own
    quantile function maps them back, so every input keeps its distribution. Inputs in no pair are drawn
    exactly as without correlations.
    """
    return next(input_chunks(resolved, catalog, draws, seed, line, correlations, chunk_draws=max(1, draws),
                             constant=constant))


def input_chunks(resolved, catalog, draws, seed, line=None, correlations=None, chunk_draws=None, constant=np.full):
    """drawn_inputs in consecutive chunks of at most `chunk_draws`: joined, exactly the draws one call makes.

    Every sampler takes a fixed number of draws from its stream per sample, in order (scipy's truncated normal
    inverts uniforms, numpy's beta and normals reject sample by sample), and the copula mixes each draw's
    normals on their own, so a chunk's draws do not depend on where the chunks split. The timeline's stream
    holds the start dates and then each statement's errors, `draws` values each (one 64-bit word per uniform):
    each block is read by its own generator advanced to where the block begins.
    `constant(n, value)` builds the look-ups' columns (np.full; a broadcast view saves memory).
    """
    line = line or catalog.timeline()
    chunk_draws = int(chunk_draws or draws)
    pairs = correlations or {}
    children = np.random.SeedSequence(seed).spawn(len(resolved))
    group = copula.group(resolved, pairs)
    streams = {name: np.random.default_rng(child) for child, (name, spec) in zip(children, resolved.items())
               if isinstance(spec, Distribution)}
    mix = copula.mixer(group, pairs)
    fixed = lookups(resolved, catalog, line)
    timeline_seed = np.random.SeedSequence(seed, spawn_key=(TIMELINE_STREAM,))
    blocks = [np.random.Generator(np.random.PCG64(timeline_seed).advance(draws * i))
              for i in range(1 + len(line.counts))]
    first, last = _start_bounds(catalog, line)
    for done in range(0, draws, chunk_draws):
        n = min(chunk_draws, draws - done)
        values, normals = {}, {}
        for name, rng in streams.items():
            if name in group:
                normals[name] = rng.standard_normal(n)
            else:
                values[name] = resolved[name].sample(n, rng)
        for name, u in mix(normals).items():
            values[name] = resolved[name].ppf(u)
        values.update({k: constant(n, v) for k, v in fixed.items()})
        values["start_days"] = blocks[0].uniform(first, last, n)
        for i in range(len(line.counts)):
            values[f"statement_u_{i}"] = blocks[1 + i].uniform(-1, 1, n)
        yield {name: values[name] for name in [*resolved, *values] if name in values}


def uncertain(resolved) -> list[str]:
    """Names of the parameters that vary (a non-degenerate distribution)."""
    return [k for k, v in resolved.items() if isinstance(v, Distribution) and not v.is_fixed]
