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
    counts = stated * (1 + e * np.where(flag > 0, np.abs(u), u))
    return np.maximum.accumulate(counts, axis=-1)


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
    # Sum each segment's increment times the share of the segment already past: monotone by construction.
    total = np.zeros(np.broadcast_shapes(t.shape, start.shape, rate.shape, kd.shape[:-1], kc.shape[:-1]))
    x_prev, y_prev = start, 0.0
    for j in range(kd.shape[-1]):
        x, y = kd[..., j], kc[..., j]
        width = np.broadcast_to(x - x_prev, total.shape)
        past = np.broadcast_to(t - x_prev, total.shape)
        done = np.where(width > 0, past / np.where(width > 0, width, 1.0), past >= 0)  # same-day statements
        total = total + (y - y_prev) * np.clip(done, 0, 1)
        x_prev, y_prev = x, y
    return total + rate * np.clip(t - x_prev, 0, None)


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
