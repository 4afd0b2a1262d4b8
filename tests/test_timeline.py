"""Shipments as a dated flow: statements, the timeline model, volume from containers, calendar-year accounts."""

import datetime as dt

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dprk_arms import cli
from dprk_arms.data import scenarios
from dprk_arms.data import statements as statements_mod
from dprk_arms.data.statements import to_days
from dprk_arms.errors import ScenarioError
from dprk_arms.models import calendar, timeline
from dprk_arms.models.evaluate import evaluate
from dprk_arms.simulation import montecarlo
from dprk_arms.simulation.inputs import central_inputs

DRAWS = 4_000


def _inputs(catalog, as_of=None, statements=(), overrides=None):
    line = catalog.timeline(as_of, statements)
    return central_inputs(catalog.resolve(overrides), catalog, line), line


# --- the statements reproduce the seeds' conversions ---

def test_statements_reproduce_the_seeds_conversions_on_26_february_2024(catalog):
    x, _ = _inputs(catalog, "2024-02-26")
    out = evaluate(x)
    assert float(out["containers_count"]) == pytest.approx(6_700)
    assert x["rounds_per_container_152mm"] == 448
    shin_152mm = catalog.claims["shin_capacity_152mm_rounds"].value
    assert float(out["rounds_all_152mm"]) == pytest.approx(shin_152mm, rel=0.001)  # 6,700 x 448 = 3.0m
    assert float(out["containers_back"]) == pytest.approx(8_710)  # 6,700 x 1.3


def test_every_statement_cites_a_claim_stating_its_figure(catalog):
    for s in catalog.statements:
        claim = catalog.claims[s.claim_id]
        if not s.is_start:
            assert claim.value in (s.containers, s.rounds), s
        assert s.source


def test_the_data_mark_all_cargo_counts_and_two_readings_of_the_start(catalog):
    kinds = {(s.kind, s.containers) for s in catalog.statements}
    assert ("all-cargo", 10_000) in kinds  # the US count covers all cargo
    line = catalog.timeline()
    assert all(s.kind == "munitions" for s in line.counts)
    assert line.start_range == (dt.date(2023, 8, 1), dt.date(2023, 9, 1))
    assert line.as_of == line.last_count.date and not line.extrapolated


def test_extrapolation_rate_range_covers_the_rates_between_statements(catalog):
    line = catalog.timeline()
    points = [(line.start_range[1], 0.0)] + [(s.date, s.containers) for s in line.counts]
    rates = [(b[1] - a[1]) / (b[0] - a[0]).days for a, b in zip(points, points[1:])]
    assert max(rates) / min(rates) > 3  # the rate changed more than once, and a lot
    low, high = catalog.parameters["ship_rate_containers_per_day"].default.bounds
    assert low <= min(rates) and high >= max(rates) * 0.99


# --- the timeline model ---

def test_interpolation_is_linear_between_statements_and_zero_before_the_start():
    knots, counts = np.array([10.0, 20.0]), np.array([100.0, 300.0])
    at = timeline.cumulative_containers(np.array([0.0, 5.0, 10.0, 15.0, 20.0, 30.0]), 0.0, knots, counts, 2.0)
    np.testing.assert_allclose(at, [0, 50, 100, 200, 300, 320])
    assert timeline.cumulative_containers(-3.0, 0.0, knots, counts, 2.0) == 0


def test_extrapolation_band_widens_with_distance_from_the_last_statement(catalog):
    line = catalog.timeline()
    sim = montecarlo.simulate(catalog.resolve(), catalog, DRAWS, 5, line)
    last = to_days(line.last_count.date)
    bands = sim.over_time(np.array([last, last + 60, last + 180, last + 365]))["containers"]
    widths = bands[2] - bands[0]
    assert np.all(np.diff(widths) > 0)
    assert widths[-1] > 5 * widths[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 5e4), min_size=1, max_size=6), st.lists(st.floats(-1, 1), min_size=6, max_size=6),
       st.floats(0, 0.5), st.floats(0, 200), st.floats(0, 40), st.lists(st.floats(-100, 1000), min_size=2, max_size=20))
def test_cumulative_containers_never_fall_with_the_date(stated, u, error, rate, start_offset, days):
    stated = np.sort(np.array(stated))
    knot_days = 50.0 + 30.0 * np.arange(len(stated))
    more_than = (np.arange(len(stated)) % 2).astype(float)
    counts = timeline.statement_counts(stated, more_than, np.array(u[:len(stated)]), error)
    assert np.all(np.diff(counts) >= 0)
    t = np.sort(np.array(days))
    path = timeline.cumulative_containers(t, start_offset, knot_days, counts, rate)
    assert np.all(np.diff(path) >= -1e-9 * max(1.0, path.max()))
    assert np.all(path >= 0)


def _every_segment(t, start, kd, kc, rate):
    """The definition, segment by segment over every draw: the oracle for the model's shortcuts."""
    total, x_prev, y_prev = 0.0, start, 0.0
    for j in range(kd.shape[-1]):
        x, y = kd[..., j], kc[..., j]
        width, passed = x - x_prev, t - x_prev
        done = np.where(width > 0, passed / np.where(width > 0, width, 1.0), passed >= 0)
        total = total + (y - y_prev) * np.clip(done, 0, 1)
        x_prev, y_prev = x, y
    return total + rate * np.clip(t - x_prev, 0, None)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.just(0), st.integers(1, 90)), min_size=0, max_size=7),
       st.lists(st.floats(0, 5e4), min_size=7, max_size=7), st.lists(st.integers(0, 39), min_size=1, max_size=5),
       st.floats(0, 200), st.lists(st.one_of(st.integers(-50, 700), st.floats(-50, 700)), min_size=1, max_size=5),
       st.booleans())
def test_cumulative_containers_equal_the_segment_by_segment_definition(gaps, stated, starts, rate, days, per_draw):
    """Same-day statements, dates before the start, inside a segment, on a statement and past the last, a date per
    draw or one for all: the shortcuts over segments wholly past or ahead change nothing."""
    knot_days = 40.0 + np.cumsum(np.array(gaps, dtype=float))  # in date order, gaps of 0 are same-day statements
    counts = np.maximum.accumulate(np.array(stated[:len(gaps)]))
    draws = len(starts)
    start = np.array(starts, dtype=float)[:, None]  # a start per draw, before the first statement
    kd = np.broadcast_to(knot_days, (draws, 1, len(gaps)))
    kc = np.broadcast_to(counts, (draws, 1, len(gaps)))
    days = np.array(days, dtype=float)  # whole days too: a date on a statement's day, or on several
    t = np.resize(days, draws)[:, None] if per_draw else days[None, :]
    got = timeline.cumulative_containers(t, start, kd, kc, rate)
    want = _every_segment(t, start, kd, kc, rate)
    np.testing.assert_allclose(got, np.broadcast_to(want, got.shape), rtol=1e-12, atol=1e-9)


def test_drawn_paths_never_fall(catalog):
    sim = montecarlo.simulate(catalog.resolve(), catalog, 500, 9, catalog.timeline("2025-06-30"))
    x = {k: v.to_numpy()[:, None] for k, v in sim.inputs.items()}
    from dprk_arms.models.evaluate import cumulative_at
    grid = np.linspace(to_days(dt.date(2023, 7, 1)), to_days(dt.date(2025, 6, 30)), 200)
    paths = cumulative_at(x, grid[None, :])
    assert np.all(np.diff(paths, axis=1) >= -1e-6)


# --- a new statement is data, not code ---

def test_a_later_statement_in_a_scenario_changes_the_as_of_estimates(catalog, tmp_path):
    base = "title: T\nquestion: Q?\nas_of: 2024-06-30\n"
    later = base + "statements:\n  - {date: 2024-06-01, containers: 12000, kind: munitions, source: 'a new count'}\n"
    results = {}
    for name, text in (("before", base), ("after", later)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        scen = scenarios.load_scenario(path, catalog)
        line = catalog.timeline(scen.as_of, scen.statements, str(path))
        results[name] = montecarlo.simulate(scen.resolved, catalog, DRAWS, 1, line).summary()
    before, after = results["before"], results["after"]
    assert after.loc["containers_count", "central"] > before.loc["containers_count", "central"]
    assert after.loc["containers_count", "p5"] >= 12_000 * 0.9  # the new count holds the curve up
    assert after.loc["revenue_usd", "p50"] > before.loc["revenue_usd", "p50"]
    # and no longer an extrapolation far from the last count: the band is narrower
    width = lambda s: s.loc["containers_count", "p95"] - s.loc["containers_count", "p5"]  # noqa: E731
    assert width(after) < width(before)


def test_without_as_of_the_estimates_follow_the_last_statement(catalog):
    extra = [{"date": "2024-05-20", "containers": 9000, "kind": "munitions", "source": "later count"}]
    line = catalog.timeline(None, extra)
    assert line.as_of == dt.date(2024, 5, 20) and not line.extrapolated
    x = central_inputs(catalog.resolve(), catalog, line)
    assert float(evaluate(x)["containers_count"]) == pytest.approx(9000)


def test_estimate_as_of_moves_the_answer_and_says_extrapolation(capsys):
    assert cli.main(["estimate", "--draws", "2000", "--as-of", "2024-03-15", "--json"]) == 0
    import json
    at_last = json.loads(capsys.readouterr().out)
    assert cli.main(["estimate", "--draws", "2000", "--as-of", "2024-12-31", "--json"]) == 0
    later = json.loads(capsys.readouterr().out)
    assert not at_last["extrapolated"] and later["extrapolated"]
    assert "extrapolation" in " ".join(later["notes"])
    assert later["outputs"]["containers_count"]["p50"] > at_last["outputs"]["containers_count"]["p50"]
    assert later["outputs"]["period_months"]["central"] > at_last["outputs"]["period_months"]["central"] + 9


# --- volume from the containers ---

def test_volume_from_the_containers_never_needs_more_containers_than_shipped(catalog):
    for as_of in ("2023-10-16", "2024-02-26", "2025-03-01"):
        sim = montecarlo.simulate(catalog.resolve(), catalog, DRAWS, 3, catalog.timeline(as_of))
        out = sim.outputs
        assert (out["containers_needed"] <= out["containers_count"] * (1 + 1e-9)).all()
        assert (out["containers_shortfall"] < 1e-6).all()
        assert (out["shipped_rounds"] <= out["volume_containers_rounds"] * (1 + 1e-9)).all()
        assert (out["shipped_rounds"] <= out["rounds_all_152mm"] * (1 + 1e-9)).all()  # 152mm packs densest


def test_container_count_drives_revenue_by_default(catalog):
    early = montecarlo.simulate(catalog.resolve(), catalog, DRAWS, 2, catalog.timeline("2023-12-29"))
    late = montecarlo.simulate(catalog.resolve(), catalog, DRAWS, 2, catalog.timeline("2024-03-15"))
    ratio = late.summary().loc["revenue_usd", "central"] / early.summary().loc["revenue_usd", "central"]
    assert ratio == pytest.approx(7000 / 5000)


def test_a_fixed_volume_the_containers_cannot_hold_is_reported(capsys):
    assert cli.main(["estimate", "--draws", "2000", "-p", "volume_rounds=3000000", "--as-of", "2023-11-15"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "stated volume" in out and "cannot hold this volume" in out
    assert cli.main(["estimate", "--draws", "2000", "-p", "volume_rounds=1000000", "--as-of", "2024-03-15"]) == 0
    assert "cannot hold" not in capsys.readouterr().out


def test_volume_route_choices(catalog):
    x, _ = _inputs(catalog, "2024-02-26", overrides={"volume_route": "intel"})
    assert float(evaluate(x)["shipped_rounds"]) == 1_000_000
    x, _ = _inputs(catalog, "2024-02-26", overrides={"volume_rounds": 2_000_000})  # a fixed volume means 'stated'
    assert float(evaluate(x)["shipped_rounds"]) == 2_000_000
    x, _ = _inputs(catalog, "2024-02-26", overrides={"volume_rounds": 2_000_000, "volume_route": "containers"})
    assert float(evaluate(x)["shipped_rounds"]) != 2_000_000


# --- calendar-year accounts ---

@pytest.mark.parametrize("as_of", ["2023-11-01", "2024-02-26", "2025-06-30", "2026-12-31"])
def test_calendar_year_revenues_sum_to_the_total(catalog, as_of):
    sim = montecarlo.simulate(catalog.resolve(), catalog, DRAWS, 4, catalog.timeline(as_of))
    out = sim.outputs
    by_year = sum(out[f"revenue_{y}_usd"] for y in calendar.CALENDAR_YEARS)
    np.testing.assert_allclose(by_year, out["revenue_usd"], rtol=1e-9)
    year = int(as_of[:4])
    assert (out[f"revenue_{year}_usd"] > 0).any()
    assert all((out[f"revenue_{y}_usd"] == 0).all() for y in calendar.CALENDAR_YEARS if y > year)


def test_each_year_against_its_own_economy_and_rate(catalog):
    x, _ = _inputs(catalog, "2024-12-31")
    out = evaluate(x)
    rev23, rev24 = float(out["revenue_2023_usd"]), float(out["revenue_2024_usd"])
    assert float(out["share_of_economy_2023"]) == pytest.approx(rev23 * x["krw_per_usd"] / 40.9e12)
    assert float(out["share_of_economy_2024"]) == pytest.approx(rev24 * 1390 / 44.4e12)  # 2024's sourced rate
    together = (rev23 * x["krw_per_usd"] + rev24 * 1390) / (40.9e12 + 44.4e12)
    assert float(out["share_of_economy_years"]) == pytest.approx(together)


def test_years_without_published_gni_grow_the_last_at_the_assumed_rate(catalog):
    x, _ = _inputs(catalog, "2026-06-30")
    g = x["economy_growth_fraction"]
    assert x["economy_published_krw_2026"] == 44.4e12 and x["economy_years_grown_2026"] == 2
    out = evaluate(x)
    rate = x["krw_per_usd"]
    assert float(out["share_of_economy_2026"]) == pytest.approx(
        float(out["revenue_2026_usd"]) * rate / (44.4e12 * (1 + g) ** 2))
    assert catalog.parameters["economy_growth_fraction"].assumption


def test_calendar_model_units():
    assert calendar.year_fraction(100.0, 400.0, 1000.0) == pytest.approx(0.3)
    assert calendar.economy_krw(100.0, 2, 0.1) == pytest.approx(121.0)
    assert calendar.krw_per_usd(0.0, 1300.0) == 1300 and calendar.krw_per_usd(1390.0, 1300.0) == 1390


# --- period follows the as-of date ---

def test_period_runs_from_the_start_to_the_as_of_date(catalog):
    x, _ = _inputs(catalog, "2023-11-01")
    # start mid-way between 1 Aug and 1 Sep 2023 (16 Aug 12:00): 2.5 months to 1 Nov
    assert float(evaluate(x)["period_months"]) == pytest.approx((to_days(dt.date(2023, 11, 1)) - x["start_days"]) / (365.25 / 12))
    assert 2.4 < float(evaluate(x)["period_months"]) < 2.6


def test_seed_headline_keeps_the_articles_arithmetic_with_a_consistent_period(catalog):
    scen = scenarios.load_scenario(scenarios.scenario_path("seed-headline"), catalog)
    line = catalog.timeline(scen.as_of, scen.statements)
    sim = montecarlo.simulate(scen.resolved, catalog, DRAWS, scen.seed, line)
    s = sim.summary()
    assert s.loc["revenue_usd", "p50"] == pytest.approx(3.0e9)
    assert s.loc["share_of_economy", "p50"] == pytest.approx(3.0 / 28.7, rel=0.01)
    assert line.as_of == dt.date(2023, 11, 1)  # the NIS count the million shells come from
    assert 2 <= s.loc["period_months", "p50"] <= 3.1


# --- bad statements and as-of dates: one clear line naming file and key ---

BAD = [
    ("as_of: 2024-02-30\n", "key 'as_of'", "not a real date"),
    ("as_of: 30/04/2024\n", "key 'as_of'", "YYYY-MM-DD"),
    ("as_of: 2023-08-15\n", "key 'as_of'", "not after the start"),
    ("as_of: 2031-01-01\n", "key 'as_of'", "past 2026-12-31"),
    ("statements: {date: 2024-04-01}\n", "key 'statements'", "expected a list"),
    ("statements:\n  - {date: 2024-04-31, containers: 8000, source: s}\n", "key 'statements[0].date'", "real date"),
    ("statements:\n  - {date: 2024-04-01, containers: 8000, kind: cargo, source: s}\n", "key 'statements[0].kind'",
     "munitions, all-cargo"),
    ("statements:\n  - {date: 2024-04-01, source: s}\n", "key 'statements[0]'", "neither containers nor rounds"),
    ("statements:\n  - {date: 2024-04-01, containers: 8000}\n", "key 'statements[0].source'", "source"),
    ("statements:\n  - {date: 2024-04-01, containers: 6000, source: s}\n", "key 'statements[0].containers'",
     "never fall"),
    ("statements:\n  - {date: 2024-01-01, containers: 9000, source: s}\n", "key 'statements[0].containers'",
     "never fall"),
    ("statements:\n  - {date: 2024-04-01, containers: -5, source: s}\n", "key 'statements[0].containers'",
     "whole number of containers from 0"),
    ("statements:\n  - {date: 2024-04-01, containers: 8000, source: s, sauce: t}\n",
     "key 'statements[0].sauce'", "unknown field"),
    ("statements:\n  - {date: 2024-04-01, containers: 8000, qualifier: roughly, source: s}\n",
     "key 'statements[0].qualifier'", "about, more than"),
    ("statements:\n  - {date: 2024-04-01, containers: 9000, source: s}\n  - {date: 2024-05-01, containers: 8500, "
     "source: t}\n", "key 'statements[1].containers'", "never fall"),
]


@pytest.mark.parametrize("text,key,words", BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_bad_statements_and_as_of_give_one_line_naming_file_and_key(tmp_path, capsys, text, key, words):
    path = tmp_path / "bad.yaml"
    path.write_text("title: T\nquestion: Q\n" + text)
    assert cli.main(["estimate", "--scenario", str(path), "--draws", "100"]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert "bad.yaml" in lines[0] and key in lines[0] and words in lines[0], lines[0]


@pytest.mark.parametrize("value,words", [("2024-13-01", "not a real date"), ("soon", "YYYY-MM-DD"),
                                         ("2022-01-01", "not after the start")])
def test_bad_as_of_option(capsys, value, words):
    assert cli.main(["estimate", "--as-of", value, "--draws", "100"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--as-of: key 'as_of'" in err and words in err


def test_retired_parameters_say_what_replaced_them(capsys):
    for name in ("period_months", "containers_count"):
        assert cli.main(["estimate", "-p", f"{name}=5", "--draws", "100"]) == 2
        assert "no longer a parameter" in capsys.readouterr().err


def test_bad_rows_in_statements_csv_name_the_row_and_field(data_copy, catalog):
    import shutil

    from dprk_arms import paths
    from dprk_arms.data import catalog as catalog_mod
    from dprk_arms.errors import DataError
    shutil.copy(paths.DATA_DIR / "statements.csv", data_copy / "statements.csv")
    original = (data_copy / "statements.csv").read_text()
    cases = [("2023-12-29,munitions,5000", "2023-12-29,munitions,500", "containers", "never fall"),
             ("2024-02-26,munitions", "2024-02-31,munitions", "date", "real date"),
             ("2024-02-26,munitions,6700", "2024-02-26,munitions,6800", "claim_id", "states 6700"),
             ("2024-03-15,munitions", "2024-03-15,weapons", "kind", "expected one of")]
    for old, new, field, words in cases:
        (data_copy / "statements.csv").write_text(original.replace(old, new))
        with pytest.raises(DataError) as caught:
            catalog_mod.load.__wrapped__(data_copy)
        assert caught.value.field == field and words in caught.value.message, (new, str(caught.value))
        assert "statements.csv" in str(caught.value) and caught.value.row is not None


def test_as_of_limit_matches_the_calendar_years():
    assert statements_mod.LAST_AS_OF.year == calendar.CALENDAR_YEARS[-1]
    assert calendar.CALENDAR_YEARS[0] <= min(s.date.year for s in __import__(
        "dprk_arms.data.catalog", fromlist=["load"]).load().statements)


def test_sweep_and_solve_over_the_as_of_date(catalog, tmp_path, capsys):
    import pandas as pd
    assert cli.main(["sweep", "as_of=2023-10-01:2024-12-31:40", "--metric", "revenue_usd", "--output", "asof",
                     "--out", str(tmp_path)]) == 0
    frame = pd.read_csv(tmp_path / "asof.csv")
    assert len(frame) == 40 and frame["as_of"].iloc[0] == "2023-10-01"
    assert frame["revenue_usd"].is_monotonic_increasing
    capsys.readouterr()
    assert cli.main(["solve", "containers_count=6700", "--for", "as_of", "--json"]) == 0
    import json
    assert json.loads(capsys.readouterr().out)["value"] == "2024-02-26"


def test_scenario_keys_round_trip_as_plain_values(catalog):
    doc = yaml.safe_load("title: T\nquestion: Q\nas_of: 2024-04-30\nstatements:\n"
                         "  - {date: 2024-03-20, containers: 7100, kind: munitions, source: s}\n")
    scen = scenarios.from_document(doc, catalog, name="t", file="t.yaml")
    assert scen.as_of == "2024-04-30"
    assert scen.statements == ({"date": "2024-03-20", "kind": "munitions", "containers": 7100, "source": "s"},)
    again = catalog.timeline(scen.as_of, list(scen.statements))
    assert again.as_of == dt.date(2024, 4, 30) and again.last_count.containers == 7100
    with pytest.raises(ScenarioError):
        scenarios.from_document({**doc, "as_of": "2024-04-31"}, catalog, name="t", file="t.yaml")


def test_what_if_has_an_as_of_control_that_saves_and_round_trips(catalog, tmp_path):
    from dprk_arms.presentation.whatif import KEY_INPUTS, WhatIf
    assert "volume_route" in KEY_INPUTS
    w = WhatIf(catalog, draws=2000, as_of="2024-09-30")
    assert w.timeline.extrapolated
    path = w.save("later", "Later", "As of September?", folder=tmp_path)
    scen = scenarios.load_scenario(path, catalog)
    assert scen.as_of == "2024-09-30"
    again = montecarlo.simulate(scen.resolved, catalog, scen.draws, scen.seed, catalog.timeline(scen.as_of))
    np.testing.assert_allclose(again.outputs["revenue_usd"], w.compute().outputs["revenue_usd"])
    with pytest.raises(ScenarioError, match="as_of"):
        w.set_as_of("2024-09-31")
