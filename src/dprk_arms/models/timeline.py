"""Shipments as a dated flow: cumulative containers by date through the dated statements, and beyond them."""

import numpy as np
from numpy.typing import ArrayLike

from .checks import as_array

DAYS_PER_MONTH = 365.25 / 12


def statement_counts(
        stated_containers: ArrayLike, more_than: ArrayLike, error_u: ArrayLike, error_fraction: ArrayLike,
) -> np.ndarray:
    """Each statement's count in each draw, made cumulative (a later count never below an earlier one).

    `stated_containers`, `more_than` (1 for 'more than', 0 for 'about') and `error_u` (uniform -1..1) carry
    the statements on their last axis. An 'about' count is stated x (1 + e u); a 'more than' count lies
    between the stated figure and stated x (1 + e).
    """
    stated = as_array("stated_containers", stated_containers, low=0)
    flag = as_array("more_than", more_than, 0, 1)
    u = as_array("error_u", error_u, -1, 1)
    e = as_array("statement_error_fraction", error_fraction, 0, 1, high_open=True)[..., None]
    # in one buffer, in place: over a million draws and eight statements each temporary is 64 MB
    shape = np.broadcast_shapes(stated.shape, flag.shape, u.shape, e.shape)
    counts = np.array(np.broadcast_to(u, shape))
    np.abs(counts, out=counts, where=np.broadcast_to(flag > 0, shape))
    counts *= e
    counts += 1
    counts *= stated
    return np.maximum.accumulate(counts, axis=-1, out=counts)


def cumulative_containers(
        days: ArrayLike, start_days: ArrayLike, knot_days: ArrayLike, knot_containers: ArrayLike,
        rate_per_day: ArrayLike,
) -> np.ndarray:
    """Containers shipped by `days`: none before the start, linear between the start and each statement
    (monotone, as the counts are cumulative), then the last count plus `rate_per_day` per day after it.

    Dates are days since 1970-01-01. Per-draw arrays broadcast with `days`; the knot arrays carry the
    statements on their last axis.
    """
    t = as_array("days", days)
    start = as_array("start_days", start_days)
    kd = as_array("knot_days", knot_days)
    kc = as_array("knot_containers", knot_containers, low=0)
    rate = as_array("rate_per_day", rate_per_day, low=0)
    if kd.shape[-1] and np.any(start >= kd[..., 0]):
        raise ValueError("the start of shipments must come before the first container count")
    shape = np.broadcast_shapes(t.shape, start.shape, rate.shape, kd.shape[:-1], kc.shape[:-1])
    k = kd.shape[-1]
    # Each segment adds its increment times the share of it already past: monotone by construction. With the
    # statements in date order in every draw (checked on each column's bounds), the segments wholly past in
    # every draw telescope to the last one's count and those wholly ahead add nothing, so only the few that
    # `days` falls inside are computed over the draws (one or two of ~8 at the as-of date and year ends).
    first, total, ahead = 0, None, k
    # each column's earliest and latest day over the draws: the start's, then each statement's
    lows = [float(start.min())] + [float(kd[..., j].min()) for j in range(k)]
    highs = [float(start.max())] + [float(kd[..., j].max()) for j in range(k)]
    if k and all(lows[j] >= highs[j - 1] for j in range(1, k + 1)):
        t_low, t_high = float(t.min()), float(t.max())
        past = sum(1 for high in highs[1:] if t_low >= high)  # statements before `days` in every draw
        if past:
            first, total = past, np.broadcast_to(kc[..., past - 1], shape)
        ahead = next((j for j in range(first, k) if t_high < lows[j]), k)  # lows[j]: segment j's start
    x_prev, y_prev = (kd[..., first - 1], kc[..., first - 1]) if first else (start, 0.0)
    for j in range(first, ahead):
        x, y = kd[..., j], kc[..., j]
        width = np.broadcast_to(x - x_prev, shape)
        passed = np.broadcast_to(t - x_prev, shape)
        done = np.where(width > 0, passed / np.where(width > 0, width, 1.0), passed >= 0)  # same-day statements
        step = (y - y_prev) * np.clip(done, 0, 1)
        total = step if total is None else total + step
        x_prev, y_prev = x, y
    if ahead < k:  # `days` comes before statement `ahead` in every draw: nothing after it counts
        return np.zeros(shape) + (0.0 if total is None else total)
    tail = rate * np.clip(t - x_prev, 0, None)
    return np.broadcast_to(tail, shape) + (0.0 if total is None else total)


def period_months(start_days: ArrayLike, as_of_days: ArrayLike) -> np.ndarray:
    """Months from the start of shipments to the as-of date."""
    months = (as_array("as_of_days", as_of_days) - as_array("start_days", start_days)) / DAYS_PER_MONTH
    if np.any(months <= 0):
        raise ValueError("the as-of date must come after the start of shipments")
    return months


def choose_volume(
        from_containers: ArrayLike, from_intel: ArrayLike, containers_rounds: ArrayLike,
        intel_rounds: ArrayLike, stated_rounds: ArrayLike,
) -> np.ndarray:
    """The shipped volume by route: the containers' capacity, the intelligence head-count, or a stated volume."""
    c = as_array("from_containers", from_containers, 0, 1)
    i = as_array("from_intel", from_intel, 0, 1)
    return np.where(c > 0, as_array("containers_rounds", containers_rounds, low=0),
                    np.where(i > 0, as_array("intel_rounds", intel_rounds, low=0),
                             as_array("stated_rounds", stated_rounds, low=0)))
