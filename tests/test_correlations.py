"""Payment in kind and inputs that move together: the copula keeps each marginal and reaches its targets."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from dprk_arms import cli
from dprk_arms.data import correlations, runspec, scenarios
from dprk_arms.errors import DataError, ScenarioError
from dprk_arms.models import revenue
from dprk_arms.simulation import montecarlo, sensitivity

DRAWS = 100_000


@given(st.floats(0, 1e10), st.floats(0, 1), st.floats(0, 2))
def test_cash_plus_in_kind_is_the_gross_value(value, share, ratio):
    cash, in_kind, gross = revenue.settlement(value, share, ratio)
    assert cash + in_kind == pytest.approx(gross, rel=1e-12, abs=1e-6)
    assert cash >= 0 and in_kind >= 0


def test_cash_plus_in_kind_is_the_gross_value_in_every_draw(catalog):
    sim = montecarlo.simulate(catalog.resolve(), catalog, 20_000, seed=3)
    out = sim.outputs
    np.testing.assert_allclose(out["cash_revenue_usd"] + out["in_kind_value_usd"], out["revenue_usd"], rtol=1e-12)
    parts = out["revenue_152mm_usd"] + out["revenue_122mm_usd"] + out["revenue_other_usd"]
    np.testing.assert_allclose(parts, out["revenue_usd"], rtol=1e-12)
    assert (out["revenue_usd"] <= out["value_at_price_usd"] * (1 + 1e-12)).all()  # valuation at most 1 by default


def test_no_payment_in_kind_leaves_the_value_at_the_price(catalog):
    sim = montecarlo.simulate(catalog.resolve({"in_kind_share": 0}), catalog, 2000)
    np.testing.assert_array_equal(sim.outputs["revenue_usd"], sim.outputs["value_at_price_usd"])
    assert (sim.outputs["in_kind_value_usd"] == 0).all()


@pytest.fixture(scope="module")
def correlated(catalog):
    pairs = {("price_122mm_usd", "price_152mm_usd"): 0.8, ("dud_fraction", "price_152mm_usd"): -0.4,
             ("dud_fraction", "fire_rate_per_day"): 0.6, ("fire_rate_per_day", "price_122mm_usd"): 0.0}
    return pairs, montecarlo.simulate(catalog.resolve(), catalog, DRAWS, seed=17, correlations=pairs)


@pytest.mark.parametrize("name", ["price_152mm_usd", "price_122mm_usd", "dud_fraction", "fire_rate_per_day"])
def test_the_copula_keeps_each_marginal(correlated, catalog, name):
    _, sim = correlated
    dist = catalog.resolve()[name]
    assert stats.kstest(sim.inputs[name], dist.frozen().cdf).pvalue > 0.001


def test_the_copula_reaches_the_target_rank_correlations(correlated):
    pairs, sim = correlated
    for (a, b), target in pairs.items():
        rho = stats.spearmanr(sim.inputs[a], sim.inputs[b]).statistic
        assert abs(rho - target) <= 0.03, (a, b, rho, target)


def test_the_copula_keeps_a_truncated_lognormal_in_its_range(catalog):
    resolved = catalog.resolve({"fire_rate_per_day": "lognormal:8000:20000:60000"})
    pairs = {("dud_fraction", "fire_rate_per_day"): 1.0}
    sim = montecarlo.simulate(resolved, catalog, 20_000, correlations=pairs)
    x = sim.inputs["fire_rate_per_day"]
    assert x.min() >= 1 and np.isfinite(x).all()
    assert stats.spearmanr(x, sim.inputs["dud_fraction"]).statistic > 0.99


def test_uncorrelated_inputs_keep_their_draws(catalog):
    """Common random numbers: correlating the prices leaves every input outside a pair drawn as before."""
    resolved = catalog.resolve()
    a = montecarlo.simulate(resolved, catalog, 3000, seed=5, correlations={})
    b = montecarlo.simulate(resolved, catalog, 3000, seed=5)
    for name in ("volume_rounds", "fire_rate_per_day", "in_kind_share", "start_days", "statement_u_0"):
        np.testing.assert_array_equal(a.inputs[name], b.inputs[name])
    assert not np.array_equal(a.inputs["price_122mm_usd"], b.inputs["price_122mm_usd"])


def test_correlated_prices_widen_revenue(catalog):
    resolved = catalog.resolve()
    alone = montecarlo.simulate(resolved, catalog, 50_000, correlations={}).summary().loc["revenue_usd"]
    together = montecarlo.simulate(resolved, catalog, 50_000).summary().loc["revenue_usd"]
    assert together["p95"] - together["p5"] > alone["p95"] - alone["p5"]


def test_tornado_and_rank_correlations_see_the_correlated_draws(catalog):
    resolved = catalog.resolve({"share_122mm": 0})  # no 122mm rounds: its price earns nothing by itself
    sim = montecarlo.simulate(resolved, catalog, 20_000, correlations={("price_122mm_usd", "price_152mm_usd"): 0.9})
    rho = sensitivity.rank_correlations(sim, ["revenue_usd"]).loc["price_122mm_usd", "revenue_usd"]
    assert rho > 0.3  # through the 152mm price it moves with
    table = sensitivity.tornado_draws(sim, ["revenue_usd"]).set_index("parameter")
    assert table.loc["price_122mm_usd", "swing"] > 0.3 * table.loc["price_152mm_usd", "swing"]


SCENARIO = "title: t\nquestion: q\ncorrelations:\n{body}\n"


@pytest.mark.parametrize("body,key,words", [
    ("  price_152mm_usd: {prise_122mm_usd: 0.5}", "correlations.price_152mm_usd.prise_122mm_usd",
     "did you mean 'price_122mm_usd'"),
    ("  nonsense: {price_122mm_usd: 0.5}", "correlations.nonsense", "unknown parameter"),
    ("  price_152mm_usd: {price_122mm_usd: 1.5}", "correlations.price_152mm_usd.price_122mm_usd", "from -1 to 1"),
    ("  price_152mm_usd: {price_152mm_usd: 0.5}", "correlations.price_152mm_usd.price_152mm_usd", "itself"),
    ("  price_152mm_usd: {economy_year: 0.5}", "correlations.price_152mm_usd.economy_year", "a choice"),
    ("  price_152mm_usd: {price_122mm_usd: 0.5}\n  price_122mm_usd: {price_152mm_usd: 0.5}",
     "correlations.price_122mm_usd.price_152mm_usd", "given twice"),
    ("  - [price_152mm_usd, price_122mm_usd, 0.5]", "correlations", "expected a mapping"),
    ("  price_152mm_usd: {price_122mm_usd: 0.9, dud_fraction: 0.9}\n  price_122mm_usd: {dud_fraction: -0.9}",
     "correlations", "not a valid correlation matrix"),
])
def test_bad_correlations_give_one_line_naming_file_and_key(tmp_path, capsys, body, key, words):
    path = tmp_path / "bad.yaml"
    path.write_text(SCENARIO.format(body=body))
    assert cli.main(["estimate", "--scenario", str(path), "--draws", "500"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(path) in err and f"key '{key}'" in err and words in err, err
    assert "Traceback" not in err


def test_scenario_correlations_travel_on_the_run_spec(catalog, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(SCENARIO.format(body="  price_152mm_usd: {price_122mm_usd: 0.6}\n  dud_fraction: "
                                         "{price_152mm_usd: 0}"))
    spec = scenarios.load_scenario(path, catalog)
    assert spec.canonical()["correlations"] == {"dud_fraction": {"price_152mm_usd": 0},
                                                "price_122mm_usd": {"price_152mm_usd": 0.6}}
    assert spec.rank_correlations[("price_122mm_usd", "price_152mm_usd")] == 0.6
    assert ("dud_fraction", "price_152mm_usd") not in spec.rank_correlations  # 0 switches a default pair off
    again = runspec.from_canonical(spec.canonical(), catalog)
    assert again == spec and again.rank_correlations == spec.rank_correlations
    assert again.digest() != runspec.build(catalog).digest()


def test_default_correlations_are_valid_and_explained(catalog):
    assert catalog.correlations and all(c.rationale for c in catalog.correlations)
    assert correlations.matrix_problem({(c.a, c.b): c.rank for c in catalog.correlations}) is None


@pytest.mark.parametrize("row,field,words", [
    ("price_152mm_usd,prise_122mm_usd,0.5,,x", "parameter_b", "unknown parameter"),
    ("price_152mm_usd,fire_rate_per_day,1.2,,x", "rank_correlation", "from -1 to 1"),
    ("price_152mm_usd,price_122mm_usd,0.5,,x", "parameter_b", "duplicate pair"),
    ("price_152mm_usd,fire_rate_per_day,0.5,nope,x", "claims", "unknown claim"),
    ("price_122mm_usd,fire_rate_per_day,0.95,,x\nprice_152mm_usd,fire_rate_per_day,-0.95,,x", "rank_correlation",
     "not a valid correlation matrix"),
])
def test_bad_default_correlations_name_file_row_and_field(data_copy, row, field, words):
    from dprk_arms.data import catalog as catalog_mod
    path = data_copy / "correlations.csv"
    path.write_text(path.read_text() + row + "\n")
    with pytest.raises(DataError) as caught:
        catalog_mod.load.__wrapped__(data_copy)
    assert caught.value.field == field and words in str(caught.value) and "correlations.csv" in str(caught.value)


def test_tornado_from_draws_shows_no_effect_where_no_input_acts(catalog):
    """Revenue per year moves with the start date (the timeline), which is no parameter: with prices, volume
    and in-kind share fixed, no parameter's bar may show the timeline's noise as an effect."""
    resolved = catalog.resolve({"volume_rounds": 1_000_000, "volume_route": "stated", "price_152mm_usd": 3000,
                                "price_122mm_usd": 3000, "price_other_usd": 3000, "in_kind_share": 0,
                                "krw_per_usd": 1279})
    sim = montecarlo.simulate(resolved, catalog, 5000)
    assert sim.outputs["share_of_economy_per_year"].nunique() > 100
    direct = sensitivity.tornado(resolved, catalog, ["share_of_economy_per_year"], sim.timeline)
    table = sensitivity.tornado_draws(sim, ["share_of_economy_per_year"], direct)
    assert (table["swing"] == 0).all()
