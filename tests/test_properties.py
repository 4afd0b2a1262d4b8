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


# Chunked summaries (issue 15): selection over chunks finds exactly the order statistics of the whole sample.
special = st.sampled_from([0.0, -0.0, 1.0, -1.0, 5e-324, -np.inf, np.inf, 1e308, np.nan])
value = st.one_of(st.floats(allow_nan=False, allow_infinity=False), special, st.integers(-3, 3).map(float))


@settings(max_examples=60, deadline=None)
@given(st.lists(value, min_size=1, max_size=300), st.integers(1, 300), st.booleans())
def test_chunked_summaries_equal_the_in_memory_ones(values, chunk, wide):
    from dprk_arms.simulation import summaries
    columns = np.column_stack([values, values[::-1]]) if wide else np.asarray(values)[:, None]
    if not np.isnan(columns).any():  # np.quantile is the reference, and describe gives its values
        with np.errstate(invalid="ignore"):  # inf - inf, in numpy's interpolation as in ours
            expected = np.quantile(columns, summaries.QUANTILES, axis=0)
        assert np.array_equal(summaries.describe(columns)[1], expected, equal_nan=True)
    names = [f"c{j}" for j in range(columns.shape[1])]
    thresholds = [("c0", 0.0, True), ("c0", 1.0, False)]

    def chunks():
        for start in range(0, len(columns), chunk):
            yield {n: columns[start:start + chunk, j] for j, n in enumerate(names)}

    run = summaries.Chunked(names, len(columns), thresholds).run(chunks)
    means, quantiles = summaries.describe(columns)
    assert np.array_equal(run.means, means, equal_nan=True)
    assert np.array_equal(run.table, quantiles, equal_nan=True)
    assert run.shares[("c0", 0.0, True)] == np.mean(columns[:, 0] > 0)
    assert run.shares[("c0", 1.0, False)] == np.mean(columns[:, 0] < 1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e300, 1e300), min_size=1, max_size=200))
def test_exact_mean_is_the_correctly_rounded_mean(values):
    from fractions import Fraction

    from dprk_arms.simulation import summaries
    totals = summaries.Totals(1)
    totals.add(np.asarray(values)[:, None])
    assert totals.means()[0] == float(sum(map(Fraction, values)) / len(values))


@settings(max_examples=5, deadline=None)
@given(draws=st.integers(100, 1_500), share=st.floats(0.05, 1.0), seed=st.integers(0, 2**32 - 1))
def test_chunked_monte_carlo_summary_equals_one_draw(catalog, draws, share, seed):
    from dprk_arms.simulation import montecarlo
    r = catalog.resolve({"fire_rate_per_day": "lognormal:2000:20000:200000"})
    chunk = max(50, int(draws * share))
    thresholds = [("share_of_economy_per_year", 0.1, True)]
    chunked = montecarlo.summarise(r, catalog, draws, seed, thresholds=thresholds, chunk_draws=chunk)
    sim = montecarlo.simulate(r, catalog, draws, seed)
    columns = ["central", "mean", "p5", "p50", "p95"]
    assert np.array_equal(chunked.summary()[columns].to_numpy(), sim.summary()[columns].to_numpy())
    assert chunked.probability(*thresholds[0]) == sim.probability(*thresholds[0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 6) | st.floats(-1e6, 1e6), min_size=1, max_size=120), st.integers(1, 130))
def test_tornado_tails_are_the_ends_of_a_stable_sort(values, k):
    # few distinct integers force ties at the cut, where a partition and a sort could pick different draws
    from dprk_arms.simulation.sensitivity import tails
    x = np.array(values, dtype=float)
    order = np.argsort(x, kind="stable")
    k_in = min(k, len(x))
    low, high = tails(x, k)
    assert low.tolist() == sorted(order[:k_in].tolist())
    assert high.tolist() == sorted(order[len(x) - k_in:].tolist())
