"""Calendar-year accounts: revenue allocated to years by the timeline, against each year's economy."""

import datetime as dt

import numpy as np
from numpy.typing import ArrayLike

from .checks import as_array

CALENDAR_YEARS = (2023, 2024, 2025, 2026)


def year_start_days(year: ArrayLike) -> np.ndarray:
    """1 January of `year` in days since 1970-01-01."""
    return float((dt.date(year, 1, 1) - dt.date(1970, 1, 1)).days)


def year_fraction(
        cum_at_year_start: ArrayLike, cum_at_year_end: ArrayLike, cum_at_as_of: ArrayLike,
) -> np.ndarray:
    """Share of everything shipped by the as-of date that was shipped within one calendar year.

    The cumulative counts are taken at the year's bounds clipped to the as-of date.
    """
    total = as_array("cum_at_as_of", cum_at_as_of, low=0)
    part = as_array("cum_at_year_end", cum_at_year_end, low=0) - as_array("cum_at_year_start", cum_at_year_start, low=0)
    return np.divide(part, total, out=np.zeros(np.broadcast_shapes(part.shape, total.shape)), where=total > 0)


def economy_krw(published_krw: ArrayLike, years_grown: ArrayLike, growth_fraction: ArrayLike) -> np.ndarray:
    """A year's economy: the last published figure grown at an assumed rate for each year since it."""
    base = as_array("published_krw", published_krw, low=0, low_open=True)
    years = as_array("years_grown", years_grown, low=0)
    return base * (1 + as_array("economy_growth_fraction", growth_fraction, low=-1, low_open=True)) ** years


def krw_per_usd(sourced_krw_per_usd: ArrayLike, fallback_krw_per_usd: ArrayLike) -> np.ndarray:
    """A year's won/dollar rate: the sourced rate where one exists (> 0), else the assumed range."""
    sourced = as_array("sourced_krw_per_usd", sourced_krw_per_usd, low=0)
    return np.where(sourced > 0, sourced, as_array("krw_per_usd", fallback_krw_per_usd, low=0, low_open=True))


def touches(year: ArrayLike, start_days: ArrayLike, as_of_days: ArrayLike) -> np.ndarray:
    """1 where the shipment period (start to as-of) overlaps the calendar year, else 0."""
    begin, end = year_start_days(year), year_start_days(year + 1)
    return ((as_array("start_days", start_days) < end) & (as_array("as_of_days", as_of_days) > begin)).astype(float)


def share_of_years(
        revenues_usd: ArrayLike, rates_krw_per_usd: ArrayLike, economies_krw: ArrayLike, touched: ArrayLike,
) -> np.ndarray:
    """Revenue over several years (in won at each year's rate) against the sum of those years' economies."""
    revenue_krw = sum(as_array("revenue_usd", r, low=0) * as_array("krw_per_usd", f, low=0)
                      for r, f in zip(revenues_usd, rates_krw_per_usd))
    economy = sum(as_array("economy_krw", e, low=0) * as_array("touched", w, 0, 1)
                  for e, w in zip(economies_krw, touched))
    return revenue_krw / economy
