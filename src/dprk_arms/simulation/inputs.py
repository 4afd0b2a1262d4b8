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


def drawn_inputs(resolved, catalog, draws, seed, line=None, correlations=None) -> dict:
    """Every numeric input as `draws` samples; each parameter has its own seeded stream.

    Streams are spawned in parameter-file order from one SeedSequence, so overriding one parameter
    leaves every other parameter's draws unchanged (common random numbers across scenarios). The
    timeline's own draws (start date, each statement's error) come from a stream of their own.

    `correlations` ({(a, b): Spearman rho}) ties inputs together with a Gaussian copula: each correlated
    input draws standard normals from its own stream, a matrix square root mixes them, and each input's own
    quantile function maps them back, so every input keeps its distribution. Inputs in no pair are drawn
    exactly as without correlations.
    """
    line = line or catalog.timeline()
    root = np.random.SeedSequence(seed)
    children = root.spawn(len(resolved))
    group = copula.group(resolved, correlations or {})
    values, normals = {}, {}
    for child, (name, spec) in zip(children, resolved.items()):
        if not isinstance(spec, Distribution):
            continue
        rng = np.random.default_rng(child)
        if name in group:
            normals[name] = rng.standard_normal(draws)
        else:
            values[name] = spec.sample(draws, rng)
    for name, u in copula.uniforms(group, normals, correlations or {}).items():
        values[name] = resolved[name].ppf(u)
    values.update({k: np.full(draws, v) for k, v in lookups(resolved, catalog, line).items()})
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(TIMELINE_STREAM,)))
    first, last = _start_bounds(catalog, line)
    values["start_days"] = rng.uniform(first, last, draws)
    for i in range(len(line.counts)):
        values[f"statement_u_{i}"] = rng.uniform(-1, 1, draws)
    return {name: values[name] for name in [*resolved, *values] if name in values}


def uncertain(resolved) -> list[str]:
    """Names of the parameters that vary (a non-degenerate distribution)."""
    return [k for k, v in resolved.items() if isinstance(v, Distribution) and not v.is_fixed]
