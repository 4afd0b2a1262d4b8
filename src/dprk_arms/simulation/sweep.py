"""Sweeps and break-even solving: the models evaluated on a grid of inputs, others at central values."""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from ..data import statements as statements_mod
from ..errors import ScenarioError
from ..models.evaluate import OUTPUT_NAMES, OUTPUTS, evaluate
from .inputs import central_inputs

MAX_POINTS = 4_000_000
OUTPUT_LABEL = {o.name: o.label for o in OUTPUTS}
AS_OF = "as_of"  # the as-of date sweeps and solves like a parameter (as days since 1970 inside the models)


def _input_name(name):
    return "as_of_days" if name == AS_OF else name


def as_of_bounds(catalog, timeline=None):
    """(first, last) as-of dates the models accept, as days since 1970."""
    latest_start = (timeline or catalog.timeline()).start_range[1]
    return statements_mod.to_days(latest_start) + 1, statements_mod.to_days(statements_mod.LAST_AS_OF)


@dataclass(frozen=True)
class Axis:
    name: str
    values: np.ndarray


def parse_axis(text, parameters):
    """`name=start:stop:steps` as an Axis, validated against the parameter's allowed range."""
    name, sep, spec = text.partition("=")
    name = name.strip()
    if not sep:
        raise ScenarioError("sweep", text, "expected name=start:stop:steps, e.g. price_152mm_usd=500:5000:50")
    if name == AS_OF:
        return _as_of_axis(spec)
    param = parameters.lookup(name, "sweep")
    if param.is_choice:
        raise ScenarioError("sweep", name, f"is a choice ({', '.join(map(str, param.choices))}); sweep numeric parameters, set choices with -p")
    parts = spec.split(":")
    if len(parts) != 3:
        raise ScenarioError("sweep", name, f"expected start:stop:steps, got {spec!r}")
    start = param.parse(parts[0], "sweep", name).central
    stop = param.parse(parts[1], "sweep", name).central
    try:
        steps = int(parts[2])
    except ValueError:
        raise ScenarioError("sweep", name, f"steps must be a whole number, got {parts[2]!r}") from None
    if not 2 <= steps <= 100_000:
        raise ScenarioError("sweep", name, f"steps must be from 2 to 100,000, got {steps}")
    if stop <= start:
        raise ScenarioError("sweep", name, f"stop must be above start, got {start:g}:{stop:g}")
    return Axis(name, np.linspace(start, stop, steps))


def _as_of_axis(spec):
    parts = spec.split(":")
    if len(parts) != 3:
        raise ScenarioError("sweep", AS_OF, f"expected as_of=YYYY-MM-DD:YYYY-MM-DD:steps, got {spec!r}")
    start, stop = (statements_mod.parse_date(p, "sweep", AS_OF) for p in parts[:2])
    try:
        steps = int(parts[2])
    except ValueError:
        raise ScenarioError("sweep", AS_OF, f"steps must be a whole number, got {parts[2]!r}") from None
    if not 2 <= steps <= 100_000 or stop <= start:
        raise ScenarioError("sweep", AS_OF, f"expected a later stop date and 2 to 100,000 steps, got {spec!r}")
    return Axis(AS_OF, np.round(np.linspace(statements_mod.to_days(start), statements_mod.to_days(stop), steps)))


def grid(resolved, catalog, axes, timeline=None):
    """Every output on the full grid of `axes` (one or two), as a long DataFrame: axes columns, then outputs."""
    if not 1 <= len(axes) <= 2:
        raise ScenarioError("sweep", None, f"sweep one or two parameters, got {len(axes)}")
    if len({a.name for a in axes}) != len(axes):
        raise ScenarioError("sweep", axes[0].name, "swept twice")
    points = int(np.prod([len(a.values) for a in axes]))
    if points > MAX_POINTS:
        raise ScenarioError("sweep", None, f"{points:,} grid points; at most {MAX_POINTS:,}")
    mesh = np.meshgrid(*(a.values for a in axes), indexing="ij")
    inputs = central_inputs(resolved, catalog, timeline)
    for axis, values in zip(axes, mesh):
        if axis.name == AS_OF:
            low, high = as_of_bounds(catalog, timeline)
            if values.min() < low or values.max() > high:
                raise ScenarioError("sweep", AS_OF, f"expected dates from {statements_mod.from_days(low)} to "
                                                    f"{statements_mod.from_days(high)}")
        inputs[_input_name(axis.name)] = values.ravel()
    try:
        outputs = evaluate(inputs)
    except ValueError as exc:
        raise ScenarioError("sweep", None, f"the grid leaves the models' valid range: {exc}") from None
    frame = pd.DataFrame({a.name: (m.ravel().astype("datetime64[D]") if a.name == AS_OF else m.ravel())
                          for a, m in zip(axes, mesh)})
    return pd.concat([frame, pd.DataFrame({k: np.asarray(v).ravel() for k, v in outputs.items()})], axis=1)


def solve(resolved, catalog, output, target, unknown, bracket=None, timeline=None):
    """The value of `unknown` at which `output` equals `target`, others at central values (Brent's method).

    `unknown` may be `as_of`: the answer is then in days since 1970 (statements.from_days makes it a date).
    """
    if output not in OUTPUT_NAMES:
        from ..data.parameters import did_you_mean
        raise ScenarioError("solve", output, f"unknown output{did_you_mean(output, OUTPUT_NAMES)}")
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not math.isfinite(target):
        raise ScenarioError("solve", output, f"the target must be a finite number, got {target!r}")
    if unknown == AS_OF:
        default_bracket = as_of_bounds(catalog, timeline)
    else:
        param = catalog.parameters.lookup(unknown, "solve", "--for")
        if param.is_choice:
            raise ScenarioError("solve", "--for", f"{unknown} is a choice; solve for a numeric parameter")
        default_bracket = (param.minimum, param.maximum)
    inputs = central_inputs(resolved, catalog, timeline)
    low, high = bracket or default_bracket

    def gap(x):
        inputs[_input_name(unknown)] = x
        return float(evaluate(inputs)[output]) - target

    try:
        g_low, g_high = gap(low), gap(high)
    except ValueError as exc:
        raise ScenarioError("solve", unknown, f"the range {low:g} to {high:g} leaves the models' valid range: {exc}") from None
    if not (math.isfinite(g_low) and math.isfinite(g_high)):
        raise ScenarioError("solve", output, f"{OUTPUT_LABEL[output].lower()} ({output}) is not a finite number at {unknown} = {low:g} or {high:g}; "
                            "no break-even can be found in that range")
    if g_low == 0:
        return low
    if np.sign(g_low) == np.sign(g_high):
        raise ScenarioError("solve", output, f"{OUTPUT_LABEL[output].lower()} ({output}) does not reach {target:g} for {unknown} between {low:g} and {high:g} "
                            f"(it runs from {g_low + target:.4g} to {g_high + target:.4g})")
    return optimize.brentq(gap, low, high, xtol=1e-9 * max(1.0, abs(high)), rtol=1e-12, maxiter=200)
