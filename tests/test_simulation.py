"""Monte Carlo and sensitivity: reproducible, ordered, and pointing at the right drivers."""

import numpy as np
import pytest

from dprk_arms.data.correlations import effective
from dprk_arms.data.distributions import Distribution
from dprk_arms.simulation import montecarlo, sensitivity


def test_same_seed_same_draws_different_seed_different(catalog):
    r = catalog.resolve()
    a = montecarlo.simulate(r, catalog, 2_000, 7)
    b = montecarlo.simulate(r, catalog, 2_000, 7)
    c = montecarlo.simulate(r, catalog, 2_000, 8)
    assert a.outputs.equals(b.outputs)
    assert not a.outputs["revenue_usd"].equals(c.outputs["revenue_usd"])


def test_overriding_one_parameter_leaves_other_streams_unchanged(catalog):
    a = montecarlo.simulate(catalog.resolve(), catalog, 1_000, 3)
    b = montecarlo.simulate(catalog.resolve({"price_152mm_usd": 3000}), catalog, 1_000, 3)
    assert a.inputs["fire_rate_per_day"].equals(b.inputs["fire_rate_per_day"])
    assert (b.inputs["price_152mm_usd"] == 3000).all()


def test_draws_respect_distribution_bounds(catalog):
    r = catalog.resolve()
    sim = montecarlo.simulate(r, catalog, 20_000, 1)
    for name, spec in r.items():
        if isinstance(spec, Distribution) and spec.family != "lognormal":
            lo, hi = spec.bounds
            assert sim.inputs[name].between(lo, hi).all(), name


@pytest.mark.parametrize("family", ["uniform", "triangular", "pert", "lognormal"])
def test_each_family_centres_where_it_should(family):
    d = Distribution(family, 100.0, 50.0, 200.0)
    x = d.sample(200_000, np.random.default_rng(0))
    if family == "uniform":
        assert x.mean() == pytest.approx(125, rel=0.01)
    elif family == "triangular":
        assert x.mean() == pytest.approx((50 + 100 + 200) / 3, rel=0.01)
    elif family == "pert":
        assert x.mean() == pytest.approx((50 + 4 * 100 + 200) / 6, rel=0.01)
    else:
        assert np.median(x) == pytest.approx(100, rel=0.01)
        assert np.percentile(x, 95) / np.percentile(x, 5) == pytest.approx(4, rel=0.05)


def test_summary_quantiles_are_ordered_and_probability_is_consistent(catalog):
    sim = montecarlo.simulate(catalog.resolve(), catalog, 10_000, 2)
    s = sim.summary()
    assert (s["p5"] <= s["p50"]).all() and (s["p50"] <= s["p95"]).all()
    share = sim.outputs["share_of_economy_per_year"]
    assert sim.probability("share_of_economy_per_year", 0.10) == pytest.approx((share > 0.10).mean())
    assert sim.probability("share_of_economy_per_year", 0.10, above=False) == pytest.approx((share < 0.10).mean())


def test_tornado_ranks_price_and_volume_first_for_revenue(catalog):
    # a stated volume: price and volume lead
    stated = catalog.resolve({"volume_rounds": "1000000:1600000:3000000"})
    revenue = sensitivity.tornado(stated, catalog, ["revenue_usd"])
    assert set(revenue.parameter.head(2)) == {"price_152mm_usd", "volume_rounds"}
    # the default route, volume from the containers: the container inputs move revenue, volume_rounds does not
    table = sensitivity.tornado(catalog.resolve(), catalog, ["revenue_usd", "supply_days"])
    revenue = table[table.output == "revenue_usd"].set_index("parameter")["swing"]
    assert revenue.index[0] == "price_152mm_usd"
    assert revenue["munitions_container_share"] > 0 and revenue["rounds_per_container_152mm"] > 0
    assert revenue["volume_rounds"] == 0
    days = table[table.output == "supply_days"]
    assert days.parameter.iloc[0] == "fire_rate_per_day"
    assert revenue["fire_rate_per_day"] == 0


def test_rank_correlations_have_the_expected_signs(catalog):
    sim = montecarlo.simulate(catalog.resolve(), catalog, 20_000, 4)
    corr = sensitivity.rank_correlations(sim, ["revenue_usd", "supply_days"])
    assert corr.loc["price_152mm_usd", "revenue_usd"] > 0.5
    assert corr.loc["fire_rate_per_day", "supply_days"] < -0.5
    assert abs(corr.loc["fire_rate_per_day", "revenue_usd"]) < 0.05


def test_fixed_scenario_has_no_spread(catalog):
    fixed = {name: p.default_spec() if p.is_choice else p.default.central for name, p in catalog.parameters.items()}
    fixed["statement_error_fraction"] = 0  # the counts as stated
    sim = montecarlo.simulate(catalog.resolve(fixed), catalog, 500, 1)
    assert sim.outputs["revenue_usd"].nunique() == 1
    assert sim.outputs["revenue_usd"].iloc[0] == pytest.approx(sim.central["revenue_usd"])
    # the start of shipments stays uncertain (August or September 2023): the period, not the total, varies
    assert sim.outputs["period_months"].nunique() > 1


# Chunked summaries (issue 15): `estimate` draws in chunks and must give exactly the figures of one big draw.
THRESHOLDS = [("share_of_economy_per_year", 0.1, True), ("containers_shortfall", 0.5, True), ("revenue_usd", 2e9, False)]
NUMBERS = ["central", "mean", "p5", "p50", "p95"]


def _lognormal_resolved(catalog):
    """The defaults with truncated lognormals in the copula (a price) and outside it (the fire rate)."""
    return catalog.resolve({"price_152mm_usd": "lognormal:50:1000:20000",
                            "fire_rate_per_day": "lognormal:2000:20000:200000"})


def test_chunked_summary_equals_the_unchunked_one_exactly(catalog):
    r = catalog.resolve()
    sim = montecarlo.simulate(r, catalog, 3_000, 11)
    chunked = montecarlo.summarise(r, catalog, 3_000, 11, thresholds=THRESHOLDS, chunk_draws=407)
    assert chunked.passes >= 2  # the quantiles were selected over passes, not read off one array
    assert list(chunked.summary().index) == list(sim.summary().index)
    assert np.array_equal(chunked.summary()[NUMBERS].to_numpy(), sim.summary()[NUMBERS].to_numpy())
    for name, threshold, above in THRESHOLDS:
        assert chunked.probability(name, threshold, above) == sim.probability(name, threshold, above)
    with pytest.raises(KeyError, match="not counted"):
        chunked.probability("revenue_usd", 1.0)


def test_summary_quantiles_are_numpys_and_the_mean_is_exact(catalog):
    from fractions import Fraction
    sim = montecarlo.simulate(_lognormal_resolved(catalog), catalog, 2_001, 5)
    values = sim.outputs.to_numpy()
    s = sim.summary()
    assert np.array_equal(s[["p5", "p50", "p95"]].to_numpy().T, np.quantile(values, montecarlo.QUANTILES, axis=0))
    exact = [float(sum(map(Fraction, values[:, j].tolist())) / len(values)) for j in range(values.shape[1])]
    assert s["mean"].tolist() == exact


@pytest.mark.parametrize("chunk", [1, 7, 97, 1_000, 4_999])
def test_input_chunks_join_to_exactly_one_draw(catalog, chunk):
    """Every sampler (uniform, triangular, PERT, truncated lognormal; copula or not) and the timeline's stream give
    the same draws in chunks as at once."""
    from dprk_arms.simulation import inputs
    r = _lognormal_resolved(catalog)
    spec = r["price_152mm_usd"]
    assert spec.is_unbounded and spec.ceiling is not None and spec.mass_outside(spec.floor, spec.ceiling) > 0.001
    draws = 5_000 if chunk > 50 else 40  # a chunk costs a call per sampler: few draws when chunks are tiny
    pairs = effective(catalog.correlations, {})
    assert "price_152mm_usd" in inputs.copula.group(r, pairs)
    whole = inputs.drawn_inputs(r, catalog, draws, 9, correlations=pairs)
    parts = list(inputs.input_chunks(r, catalog, draws, 9, correlations=pairs, chunk_draws=chunk))
    assert len(parts) == -(-draws // chunk)
    for name, values in whole.items():
        assert np.array_equal(np.concatenate([p[name] for p in parts]), values), name


def test_summary_of_every_output_is_numpys_quantiles_and_mean(catalog):
    """The summary selects a few columns at a time; every column still gets np.quantile's values."""
    sim = montecarlo.simulate(catalog.resolve(), catalog, 3001, 5)
    table, values = sim.summary(), sim.outputs.to_numpy()
    assert list(table.index) == list(sim.outputs.columns) and values.shape[1] > montecarlo.SUMMARY_COLUMNS
    expected = np.quantile(values, [0.05, 0.5, 0.95], axis=0)
    for i, column in enumerate(["p5", "p50", "p95"]):
        assert np.array_equal(table[column].to_numpy(), expected[i], equal_nan=True)
    assert np.allclose(table["mean"].to_numpy(), values.mean(axis=0), rtol=1e-12, equal_nan=True)


def test_the_allocator_is_set_up_once_where_glibc_is(monkeypatch):
    import ctypes
    import sys
    from dprk_arms import allocator
    calls = []

    class Libc:
        def mallopt(self, param, value):
            calls.append((param, value))
            return 1
    monkeypatch.setattr(allocator, "_done", False)
    monkeypatch.setattr(ctypes, "CDLL", lambda *a, **k: Libc())
    monkeypatch.setattr(sys, "platform", "linux")
    assert allocator.keep_freed_memory() and allocator.keep_freed_memory()
    assert calls == [(allocator.M_MMAP_THRESHOLD, allocator.MMAP_THRESHOLD_BYTES),
                     (allocator.M_TRIM_THRESHOLD, allocator.TRIM_THRESHOLD_BYTES)]  # once, not per run

    def missing(*a, **k):
        raise OSError("libc.so.6: cannot open shared object file")
    monkeypatch.setattr(allocator, "_done", False)
    monkeypatch.setattr(ctypes, "CDLL", missing)  # musl or a static build: the defaults stand, nothing breaks
    assert allocator.keep_freed_memory() is False
