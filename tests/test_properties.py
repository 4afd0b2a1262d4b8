"""Property tests (hypothesis): invariants of the models over their valid input space."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dprk_arms.models import containers, duration, revenue
from dprk_arms.models.evaluate import evaluate
from dprk_arms.simulation.inputs import central_inputs

price = st.floats(0, 50_000)
volume = st.floats(0, 1e8)
share = st.floats(0, 1)
positive = st.floats(1e-3, 1e7)


@given(volume, share, st.floats(0, 1), price, price, price)
def test_parts_sum_to_totals(v, s122, sother, p1, p2, p3):
    sother = min(sother, 1 - s122)
    r = revenue.rounds_by_type(v, s122, sother)
    assert sum(r) == pytest.approx(v, rel=1e-9, abs=1e-6)
    parts = revenue.revenue_usd(*r, p1, p2, p3)
    assert parts[3] == pytest.approx(parts[0] + parts[1] + parts[2], rel=1e-9, abs=1e-6)
    assert all(np.isfinite(p) and p >= 0 for p in parts)


@given(volume, share, price, st.floats(0, 10_000))
def test_revenue_monotone_in_price_and_volume(v, s122, p, bump):
    r = revenue.rounds_by_type(v, s122, 0)
    base = revenue.revenue_usd(*r, p, p, p)[3]
    higher_price = revenue.revenue_usd(*r, p + bump, p + bump, p + bump)[3]
    r_more = revenue.rounds_by_type(v + bump, s122, 0)
    higher_volume = revenue.revenue_usd(*r_more, p, p, p)[3]
    assert higher_price >= base and higher_volume >= base


@given(positive, st.floats(0, 0.99), positive, positive)
def test_duration_decreases_with_fire_rate_and_duds(v, dud, rate, bump):
    days = duration.supply_days(duration.usable_rounds(v, dud), rate)
    assert np.isfinite(days) and days >= 0
    assert duration.supply_days(duration.usable_rounds(v, dud), rate + bump) <= days
    assert duration.supply_days(duration.usable_rounds(v, min(0.99, dud + 0.001)), rate) <= days + 1e-9


@given(st.floats(-1e6, -1e-6))
def test_negative_price_is_a_clear_value_error(p):
    with pytest.raises(ValueError, match="price_152mm_usd"):
        revenue.revenue_usd(1, 1, 1, p, 1, 1)


@given(st.floats(1.0, 1e6))
def test_dud_fraction_of_one_or_more_is_a_clear_value_error(d):
    with pytest.raises(ValueError, match="dud_fraction"):
        duration.usable_rounds(1000, d)


@given(st.sampled_from([np.nan, np.inf, -np.inf]))
def test_non_finite_inputs_are_value_errors(bad):
    with pytest.raises(ValueError, match="finite"):
        containers.return_flow(bad, 1.3)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_no_nan_anywhere_for_valid_inputs(catalog, data):
    resolved = catalog.resolve()
    inputs = central_inputs(resolved, catalog)
    for name, spec in resolved.items():
        if hasattr(spec, "bounds") and not spec.is_fixed:
            lo, hi = spec.bounds
            inputs[name] = data.draw(st.floats(lo, hi), label=name)
    out = evaluate(inputs)
    assert all(np.isfinite(v).all() for v in out.values())
    assert out["revenue_usd"] >= 0 and out["supply_days"] > 0
