"""Input checks shared by the models: clear ValueErrors instead of NaN results."""

import numpy as np


def as_array(name, value, low=None, high=None, low_open=False, high_open=False):
    """`value` as a float array, after checking it is finite and inside [low, high] (or open ends)."""
    x = np.asarray(value, dtype=float)
    if x.size:
        # the common case in two reductions and no temporary arrays: NaN makes the minimum NaN, and an infinity
        # or a value out of range shows at an end; one number repeated without copies (a look-up the same in
        # every draw, all strides 0) is checked once, not a million times
        one = x.ndim and not any(x.strides)
        smallest, largest = (float(x.flat[0]),) * 2 if one else (float(x.min()), float(x.max()))
        if np.isfinite(smallest) and np.isfinite(largest) and (
                low is None or (smallest > low if low_open else smallest >= low)) and (
                high is None or (largest < high if high_open else largest <= high)):
            return x
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite, got {_example(x, ~np.isfinite(x))}")
    if low is not None:
        bad = x <= low if low_open else x < low
        if np.any(bad):
            op = ">" if low_open else ">="
            raise ValueError(f"{name} must be {op} {low}, got {_example(x, bad)}")
    if high is not None:
        bad = x >= high if high_open else x > high
        if np.any(bad):
            op = "<" if high_open else "<="
            raise ValueError(f"{name} must be {op} {high}, got {_example(x, bad)}")
    return x


def _example(x, mask):
    return np.atleast_1d(x)[np.atleast_1d(mask)][0]
