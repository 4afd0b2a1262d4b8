"""Duration of supply: how long shipped shells last Russia, and what share of its use they cover."""

import numpy as np
from numpy.typing import ArrayLike

from .checks import as_array

DAYS_PER_MONTH = 365.25 / 12


def usable_rounds(volume_rounds: ArrayLike, dud_fraction: ArrayLike) -> np.ndarray:
    """Rounds that work without refurbishment."""
    volume = as_array("volume_rounds", volume_rounds, low=0)
    return volume * (1 - as_array("dud_fraction", dud_fraction, 0, 1, high_open=True))


def supply_days(rounds: ArrayLike, fire_rate_per_day: ArrayLike) -> np.ndarray:
    """Days the rounds last at a daily firing rate."""
    rate = as_array("fire_rate_per_day", fire_rate_per_day, low=0, low_open=True)
    return as_array("rounds", rounds, low=0) / rate


def days_to_months(days: ArrayLike) -> np.ndarray:
    return as_array("days", days) / DAYS_PER_MONTH


def consumption_share(
        rounds: ArrayLike, fire_rate_per_day: ArrayLike, period_months: ArrayLike,
) -> np.ndarray:
    """Share of Russia's artillery use over the period that the rounds cover."""
    period_days = as_array("period_months", period_months, low=0, low_open=True) * DAYS_PER_MONTH
    return supply_days(rounds, fire_rate_per_day) / period_days
