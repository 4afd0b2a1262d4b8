"""Shell revenue: volume by munition type x realised price, against the size of the DPRK economy."""

import numpy as np
from numpy.typing import ArrayLike

from .checks import as_array

MONTHS_PER_YEAR = 12.0


def rounds_by_type(
        volume_rounds: ArrayLike, share_122mm: ArrayLike, share_other: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rounds of 152mm, 122mm and other types from total volume and the mix shares."""
    volume = as_array("volume_rounds", volume_rounds, low=0)
    s122 = as_array("share_122mm", share_122mm, 0, 1)
    sother = as_array("share_other", share_other, 0, 1)
    if (s122 + sother > 1 + 1e-12).any():
        raise ValueError("share_122mm + share_other must be at most 1")
    # clip: 1 - s122 - sother can round to -1e-16 when the shares sum to one
    return volume * np.clip(1 - s122 - sother, 0, None), volume * s122, volume * sother


def revenue_usd(
        rounds_152mm: ArrayLike, rounds_122mm: ArrayLike, rounds_other: ArrayLike, price_152mm_usd: ArrayLike,
        price_122mm_usd: ArrayLike, price_other_usd: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Revenue by type and in total, USD: rounds x realised price per round."""
    parts = (
        as_array("rounds_152mm", rounds_152mm, low=0) * as_array("price_152mm_usd", price_152mm_usd, low=0),
        as_array("rounds_122mm", rounds_122mm, low=0) * as_array("price_122mm_usd", price_122mm_usd, low=0),
        as_array("rounds_other", rounds_other, low=0) * as_array("price_other_usd", price_other_usd, low=0),
    )
    return parts[0], parts[1], parts[2], parts[0] + parts[1] + parts[2]


def to_krw(amount_usd: ArrayLike, krw_per_usd: ArrayLike) -> np.ndarray:
    """USD to KRW."""
    return as_array("amount_usd", amount_usd) * as_array("krw_per_usd", krw_per_usd, low=0, low_open=True)


def annualise(amount: ArrayLike, period_months: ArrayLike) -> np.ndarray:
    """A total over `period_months` as a rate per year."""
    return as_array("amount", amount) * MONTHS_PER_YEAR / as_array("period_months", period_months, low=0, low_open=True)


def share_of_economy(revenue_usd: ArrayLike, krw_per_usd: ArrayLike, economy_krw: ArrayLike) -> np.ndarray:
    """Revenue as a fraction of an economy measured in KRW (GNI or GDP)."""
    economy = as_array("economy_krw", economy_krw, low=0, low_open=True)
    return to_krw(revenue_usd, krw_per_usd) / economy


def multiple_of(amount: ArrayLike, reference: ArrayLike) -> np.ndarray:
    """`amount` as a multiple of `reference` (e.g. revenue per year over official exports per year)."""
    return as_array("amount", amount) / as_array("reference", reference, low=0, low_open=True)


def settlement(value_at_price_usd, in_kind_share, in_kind_valuation_ratio):
    """Cash, the cash value of the goods paid in kind, and their sum (the gross value), for shells worth
    `value_at_price_usd` at the realised price of which a share is settled in goods worth `in_kind_valuation_ratio`
    of the price they settle."""
    value = as_array("value_at_price_usd", value_at_price_usd, low=0)
    share = as_array("in_kind_share", in_kind_share, 0, 1)
    ratio = as_array("in_kind_valuation_ratio", in_kind_valuation_ratio, low=0)
    cash = value * (1 - share)
    in_kind = value * share * ratio
    return cash, in_kind, cash + in_kind


def cargo_value(containers_back, usd_per_container):
    """The value of the goods in the containers sent back: a cross-check on the in-kind value, not a revenue."""
    return as_array("containers_back", containers_back, low=0) * as_array(
        "return_cargo_usd_per_container", usd_per_container, low=0)
