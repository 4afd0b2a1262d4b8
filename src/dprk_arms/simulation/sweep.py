"""Sweeps and break-even solving: the models evaluated on a grid of inputs, others at central values."""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from ..data import statements as statements_mod
from ..defaults import GRID_SYNTAX
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


MAX_AXIS_POINTS = 100_000


@dataclass(frozen=True)
class Axis:
    name: str
    values: np.ndarray
    form: str = "n"  # how the grid was asked for: "points" (bare third part), "n=" or "step="

    def describe(self):
        """The grid in one line: name, first, last, count and step (dates for as_of)."""
        first, last, count = self.values[0], self.values[-1], len(self.values)
        step = (last - first) / (count - 1)
        if self.name == AS_OF:
            first, last = (statements_mod.from_days(v).isoformat() for v in (first, last))
            shown = f"{first} to {last}, {count:,} points, step {step:,.4g} days"
        else:
            shown = f"{_plain(first)} to {_plain(last)}, {count:,} points, step {_plain(step)}"
        hint = " (the third part counts points; write :step=S for a step of S)" if self.form == "points" else ""
        return f"{self.name}: {shown}{hint}"


def _plain(x):
    """1,000,000 (not 1e+06), 55.5556, 0.1."""
    x = float(x)
    return f"{int(round(x)):,}" if abs(x - round(x)) < 1e-9 * max(1.0, abs(x)) else f"{x:,.6g}"


def parse_axis(text, parameters):
    """`name=start:stop:points`, `name=start:stop:n=points` or `name=start:stop:step=step` as an Axis,
    validated against the parameter's allowed range."""
    name, sep, spec = text.partition("=")
    name = name.strip()
    if not sep:
        raise ScenarioError("sweep", text, f"expected {GRID_SYNTAX}; e.g. price_152mm_usd=500:5000:step=100")
    parts = spec.split(":")
    if len(parts) != 3:
        raise ScenarioError("sweep", name, f"expected START:STOP:POINTS, START:STOP:n=POINTS or "
                            f"START:STOP:step=STEP, got {spec!r}")
    if name == AS_OF:
        start, stop = (statements_mod.to_days(statements_mod.parse_date(p, "sweep", AS_OF)) for p in parts[:2])
    else:
        param = parameters.lookup(name, "sweep")
        if param.is_choice:
            raise ScenarioError("sweep", name, f"is a choice ({', '.join(map(str, param.choices))}); sweep numeric "
                                "parameters, set choices with -p")
        start, stop = (param.parse(p, "sweep", name).central for p in parts[:2])
    if stop <= start:
        raise ScenarioError("sweep", name, f"stop must be above start, got {parts[0]}:{parts[1]}")
    values, form = _grid_values(name, start, stop, parts[2].strip())
    return Axis(name, np.round(values) if name == AS_OF else values, form)


def _grid_values(name, start, stop, third):
    """The axis values for the third part of a grid: a point count (bare or n=) or step=."""
    key, eq, number = third.partition("=")
    key = key.strip().lower() if eq else ""
    if eq and key not in ("n", "step"):
        raise ScenarioError("sweep", name, f"expected n=POINTS or step=STEP after start:stop, got {third!r}")
    if key == "step":
        step = _number(number, name, "step")
        if not step > 0:
            raise ScenarioError("sweep", name, f"step must be above 0, got {number.strip()!r}")
        if name == AS_OF and not step.is_integer():
            raise ScenarioError("sweep", name, f"an as_of step is a whole number of days, got {number.strip()!r}")
        count = math.floor((stop - start) / step * (1 + 1e-12)) + 1  # stop counts when it lands on the grid
        if not 2 <= count <= MAX_AXIS_POINTS:
            shown = (lambda v: statements_mod.from_days(v).isoformat()) if name == AS_OF else (lambda v: f"{v:g}")
            raise ScenarioError("sweep", name, f"step {step:g} from {shown(start)} to {shown(stop)} makes {count:,} "
                                f"point{'s' * (count != 1)}; expected 2 to {MAX_AXIS_POINTS:,}")
        return start + step * np.arange(count), "step"
    text = number if eq else third
    try:
        count = int(text)
    except ValueError:
        raise ScenarioError("sweep", name, f"the number of points must be a whole number, got {text.strip()!r} "
                            "(write step=STEP for a step)") from None
    if not 2 <= count <= MAX_AXIS_POINTS:
        raise ScenarioError("sweep", name, f"the number of points must be from 2 to {MAX_AXIS_POINTS:,}, got {count}")
    return np.linspace(start, stop, count), "n" if eq else "points"


def _number(text, name, key):
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError("sweep", name, f"{key} must be a number, got {text.strip()!r}") from None
    if not math.isfinite(value):
        raise ScenarioError("sweep", name, f"{key} must be a finite number, got {text.strip()!r}")
    return value


def grid(resolved: dict, catalog, axes: list, timeline=None) -> pd.DataFrame:
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


def solve(resolved: dict, catalog, output: str, target: float, unknown: str, bracket=None, timeline=None) -> float:
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
        shown = (lambda v: statements_mod.from_days(v).isoformat()) if unknown == AS_OF else (lambda v: f"{v:g}")
        raise ScenarioError("solve", output, f"{OUTPUT_LABEL[output].lower()} ({output}) does not reach {target:g} for {unknown} between {shown(low)} and {shown(high)} "
                            f"(it runs from {g_low + target:.4g} to {g_high + target:.4g})")
    return optimize.brentq(gap, low, high, xtol=1e-9 * max(1.0, abs(high)), rtol=1e-12, maxiter=200)
