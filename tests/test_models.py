"""Unit tests for every model, including the seed articles' own arithmetic."""

import numpy as np
import pytest

from dprk_arms.models import containers, duration, revenue, triangulation
from dprk_arms.models.evaluate import OUTPUT_NAMES, evaluate
from dprk_arms.simulation.inputs import central_inputs


# --- the seeds' own arithmetic, from scenario inputs ---

def test_seed_revenue_one_million_shells_at_3000_is_3bn():
    r152, r122, rother = revenue.rounds_by_type(1_000_000, 0.0, 0.0)
    *_, total = revenue.revenue_usd(r152, r122, rother, 3000, 3000, 3000)
    assert total == pytest.approx(3.0e9)


def test_seed_3bn_against_2022_gni_is_above_ten_percent():
    share = revenue.share_of_economy(3.0e9, 36.7e12 / 28.7e9, 36.7e12)
    assert share == pytest.approx(3.0 / 28.7)
    assert share > 0.10


def test_seed_one_million_shells_at_16700_a_day_last_about_two_months():
    days = duration.supply_days(1_000_000, 16_700)
    assert days == pytest.approx(59.9, abs=0.1)
    assert duration.days_to_months(days) == pytest.approx(2.0, abs=0.05)


def test_seed_3m_over_6700_containers_is_about_448_each():
    per_round = containers.containers_per_round(0.0, 3_000_000 / 6_700, 75)
    assert 1 / per_round == pytest.approx(447.8, abs=0.1)
    assert containers.rounds_if_all(6_700, 3_000_000 / 6_700) == pytest.approx(3e6)


def test_seed_return_flow_6700_times_1_3_is_8710():
    back, surplus = containers.return_flow(6_700, 1.3)
    assert back == pytest.approx(8_710)
    assert surplus == pytest.approx(2_010)


# --- revenue ---

def test_rounds_by_type_splits_volume():
    r152, r122, rother = revenue.rounds_by_type(np.array([100.0, 200.0]), np.array([0.25, 0.5]), 0.25)
    np.testing.assert_allclose(r152, [50, 50])
    np.testing.assert_allclose(r122, [25, 100])
    np.testing.assert_allclose(rother, [25, 50])


def test_revenue_by_type_and_total():
    parts = revenue.revenue_usd(10, 20, 30, 1, 2, 3)
    assert [float(p) for p in parts] == [10, 40, 90, 140]


def test_annualise_and_multiple():
    assert revenue.annualise(6.0, 6.0) == pytest.approx(12.0)
    assert revenue.multiple_of(10.0, 4.0) == pytest.approx(2.5)


def test_to_krw():
    assert revenue.to_krw(2.0, 1300) == pytest.approx(2600)


@pytest.mark.parametrize("call", [
    lambda: revenue.rounds_by_type(100, 0.7, 0.4),
    lambda: revenue.revenue_usd(1, 1, 1, -5, 1, 1),
    lambda: revenue.share_of_economy(1, 1300, 0),
    lambda: revenue.annualise(1, 0),
    lambda: revenue.rounds_by_type(np.nan, 0, 0),
])
def test_revenue_rejects_invalid_inputs(call):
    with pytest.raises(ValueError):
        call()


# --- duration ---

def test_usable_rounds_net_of_duds():
    assert duration.usable_rounds(1000, 0.25) == pytest.approx(750)


def test_consumption_share():
    # 30.44 days of fire over a one-month period: all of it
    assert duration.consumption_share(30.4375 * 100, 100, 1) == pytest.approx(1.0)


@pytest.mark.parametrize("call", [
    lambda: duration.usable_rounds(1000, 1.0),
    lambda: duration.usable_rounds(1000, -0.1),
    lambda: duration.supply_days(1000, 0),
    lambda: duration.supply_days(-1, 10),
])
def test_duration_rejects_invalid_inputs(call):
    with pytest.raises(ValueError):
        call()


# --- containers ---

def test_mass_limit_and_utilisation():
    assert containers.rounds_per_container_by_mass(28_000, 56) == pytest.approx(500)
    assert containers.mass_utilisation(448, 50, 28_000) == pytest.approx(0.8)


def test_rounds_in_containers_for_a_mix():
    per_round = containers.containers_per_round(0.5, 400, 100)  # 1/800 + 1/200 containers per round
    assert containers.rounds_in_containers(1000, 1.0, per_round) == pytest.approx(1000 / (0.5 / 400 + 0.5 / 100))
    assert containers.containers_needed(160_000, per_round) == pytest.approx(1000)


def test_volume_from_tonnage_matches_c4ads_ratio():
    assert containers.volume_from_tonnage(74_000, 46.25) == pytest.approx(1.6e6)


def test_mix_mass():
    assert containers.mix_mass_kg(0.5, 60, 80) == pytest.approx(70)


def test_containers_reject_invalid_inputs():
    with pytest.raises(ValueError):
        containers.rounds_per_container_by_mass(28_000, 0)
    with pytest.raises(ValueError):
        containers.rounds_in_containers(1000, 1.5, 0.01)


# --- triangulation and the full graph ---

def test_volume_from_supply_days_and_spread():
    assert triangulation.volume_from_supply_days(60, 20_000) == pytest.approx(1.2e6)
    np.testing.assert_allclose(triangulation.spread([1, 2], [3, 2], [2, 8]), [3, 4])


def test_evaluate_returns_every_output_in_the_input_shape(catalog):
    inputs = central_inputs(catalog.resolve(), catalog)
    scalar = evaluate(inputs)
    assert set(scalar) == set(OUTPUT_NAMES)
    assert all(np.shape(v) == () for v in scalar.values())
    arrays = evaluate({k: np.full(7, v) for k, v in inputs.items()})
    assert all(v.shape == (7,) for v in arrays.values())
    for name in OUTPUT_NAMES:
        np.testing.assert_allclose(arrays[name], scalar[name])


def test_evaluate_central_values_are_the_hand_arithmetic(catalog):
    x = central_inputs(catalog.resolve(), catalog)
    out = evaluate(x)
    # the default route: 7,000 containers (the last count, 15 Mar 2024) x munitions share / containers per round
    s122 = x["share_122mm"]
    volume = 7_000 * x["munitions_container_share"] / ((1 - s122) / x["rounds_per_container_152mm"]
                                                      + s122 / x["rounds_per_container_122mm"])
    assert out["shipped_rounds"] == pytest.approx(volume)
    expected_rev = volume * ((1 - s122) * x["price_152mm_usd"] + s122 * x["price_122mm_usd"])
    assert out["revenue_usd"] == pytest.approx(expected_rev)
    assert out["share_of_economy"] == pytest.approx(expected_rev * x["krw_per_usd"] / 40.9e12)
    assert out["containers_back"] == pytest.approx(7_000 * 1.3)
