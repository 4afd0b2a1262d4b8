"""Numeric model inputs from resolved parameters: draws, central values, and the economy look-ups."""

import numpy as np

from ..data.distributions import Distribution


def lookups(resolved, catalog):
    """The economy and exports figures the choice parameters select."""
    year, measure = resolved["economy_year"], resolved["economy_measure"]
    return {"economy_krw": catalog.economy_krw(measure, year), "exports_usd": catalog.exports_usd(year)}


def central_inputs(resolved, catalog):
    """Every numeric input at its central value."""
    values = {k: v.central for k, v in resolved.items() if isinstance(v, Distribution)}
    values.update(lookups(resolved, catalog))
    return values


def drawn_inputs(resolved, catalog, draws, seed):
    """Every numeric input as `draws` samples; each parameter has its own seeded stream.

    Streams are spawned in parameter-file order from one SeedSequence, so overriding one parameter
    leaves every other parameter's draws unchanged (common random numbers across scenarios).
    """
    children = np.random.SeedSequence(seed).spawn(len(resolved))
    values = {}
    for child, (name, spec) in zip(children, resolved.items()):
        if isinstance(spec, Distribution):
            values[name] = spec.sample(draws, np.random.default_rng(child))
    values.update({k: np.full(draws, v) for k, v in lookups(resolved, catalog).items()})
    return values


def uncertain(resolved):
    """Names of the parameters that vary (a non-degenerate distribution)."""
    return [k for k, v in resolved.items() if isinstance(v, Distribution) and not v.is_fixed]
