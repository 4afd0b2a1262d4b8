"""Triangulation: the shipped volume implied by four independent routes."""

import numpy as np
from numpy.typing import ArrayLike

from .checks import as_array

ROUTES = {
    "volume_intel_rounds": "Intelligence head-count (NIS)",
    "volume_containers_rounds": "Containers x stated capacity",
    "volume_tonnage_rounds": "Tonnage / mass per round",
    "volume_supply_days_rounds": "Days of supply x fire rate",
}


def volume_from_supply_days(stated_supply_days: ArrayLike, fire_rate_per_day: ArrayLike) -> np.ndarray:
    """Rounds implied by a stated number of days of use at a daily fire rate."""
    return as_array("stated_supply_days", stated_supply_days, low=0) * as_array(
        "fire_rate_per_day", fire_rate_per_day, low=0, low_open=True)


def spread(*volumes: ArrayLike) -> np.ndarray:
    """Ratio of the largest to the smallest route, per draw: how far the routes disagree."""
    arrays = np.broadcast_arrays(*(as_array("volume", v, low=0, low_open=True) for v in volumes))
    return np.maximum.reduce(arrays) / np.minimum.reduce(arrays)
