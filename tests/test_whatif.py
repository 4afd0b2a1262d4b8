"""What-if: sweeps, break-even solving, overrides as distributions, and saved scenarios that round-trip."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from dprk_arms import cli
from dprk_arms.data import scenarios
from dprk_arms.errors import ScenarioError
from dprk_arms.models.evaluate import evaluate
from dprk_arms.presentation import format as fmt
from dprk_arms.presentation.whatif import WhatIf
from dprk_arms.simulation import montecarlo, sweep
from dprk_arms.simulation.inputs import central_inputs


def test_grid_matches_pointwise_evaluation(catalog):
    resolved = catalog.resolve()
    axes = [sweep.parse_axis("price_152mm_usd=500:5000:7", catalog.parameters),
            sweep.parse_axis("volume_rounds=1000000:3000000:5", catalog.parameters)]
    frame = sweep.grid(resolved, catalog, axes)
    assert len(frame) == 35
    row = frame.iloc[12]
    x = central_inputs(resolved, catalog)
    x.update(price_152mm_usd=row.price_152mm_usd, volume_rounds=row.volume_rounds)
    expected = evaluate(x)
    for output in ("revenue_usd", "share_of_economy_per_year", "supply_days"):
        assert row[output] == pytest.approx(float(expected[output]))


@pytest.mark.parametrize("text,words", [
    ("price_152mm_usd", "START:STOP:POINTS"),
    ("price_152mm_usd=1:2", "START:STOP:step=STEP"),
    ("price_152mm_usd=5000:500:10", "stop must be above start"),
    ("price_152mm_usd=500:5000:1", "points must be from 2"),
    ("price_152mm_usd=500:5000:step=0", "step must be above 0"),
    ("price_152mm_usd=500:5000:step=-100", "step must be above 0"),
    ("price_152mm_usd=500:5000:step=5000", "makes 1 point;"),
    ("price_152mm_usd=500:5000:step=0.001", "4,500,001 points"),
    ("price_152mm_usd=500:5000:step=nan", "finite number"),
    ("price_152mm_usd=500:5000:stp=100", "n=POINTS or step=STEP"),
    ("price_152mm_usd=500:5000:n=2.5", "whole number"),
    ("price_152mm_usd=500:5000:x", "whole number"),
    ("price_152mm_usd=-5:5000:10", "below the minimum"),
    ("economy_year=2021:2024:4", "is a choice"),
    ("prise_152mm_usd=1:2:3", "did you mean"),
])
def test_bad_sweep_axes(catalog, text, words):
    with pytest.raises(ScenarioError, match=words):
        sweep.parse_axis(text, catalog.parameters)


@pytest.mark.parametrize("text,first,last,count,step", [
    ("price_152mm_usd=500:6000:100", 500, 6000, 100, 5500 / 99),  # a bare third part counts points
    ("price_152mm_usd=500:6000:n=100", 500, 6000, 100, 5500 / 99),
    ("price_152mm_usd=500:6000:step=100", 500, 6000, 56, 100),
    ("price_152mm_usd=500:6050:step=100", 500, 6000, 56, 100),  # up to STOP, never past it
    ("share_122mm=0:0.3:step=0.1", 0, 0.3, 4, 0.1),  # 0.3 lands on the grid despite binary fractions
])
def test_sweep_grid_forms(catalog, text, first, last, count, step):
    axis = sweep.parse_axis(text, catalog.parameters)
    assert len(axis.values) == count
    assert axis.values[0] == pytest.approx(first) and axis.values[-1] == pytest.approx(last)
    assert np.diff(axis.values) == pytest.approx(np.full(count - 1, step))


def test_sweep_prints_the_grid_it_used(tmp_path, capsys):
    assert cli.main(["sweep", "price_152mm_usd=500:6000:100", "--out", str(tmp_path), "--output", "a"]) == 0
    captured = capsys.readouterr()
    grid = [line for line in captured.err.splitlines() if line.startswith("grid:")]
    assert grid == ["grid: price_152mm_usd: 500 to 6,000, 100 points, step 55.5556 "
                    "(the third part counts points; write :step=S for a step of S)"]
    assert captured.out.split() == [str(tmp_path / f"a.{ext}") for ext in ("csv", "png", "svg")]
    assert cli.main(["sweep", "price_152mm_usd=500:6000:step=100", "as_of=2024-01-01:2024-03-10:step=30",
                     "--out", str(tmp_path), "--output", "b"]) == 0
    err = capsys.readouterr().err
    assert "grid: price_152mm_usd: 500 to 6,000, 56 points, step 100" in err
    assert "as_of: 2024-01-01 to 2024-03-01, 3 points, step 30 days" in err
    assert len(pd.read_csv(tmp_path / "b.csv")) == 56 * 3


def test_sweep_command_writes_csv_png_and_svg(tmp_path, capsys):
    code = cli.main(["sweep", "price_152mm_usd=500:6000:40", "volume_rounds=1000000:3500000:30",
                     "--output", "pv", "--out", str(tmp_path)])
    assert code == 0
    frame = pd.read_csv(tmp_path / "pv.csv")
    assert len(frame) == 1200 and {"price_152mm_usd", "volume_rounds", "share_of_economy_per_year"} <= set(frame.columns)
    assert (tmp_path / "pv.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "pv.svg").read_text().lstrip().startswith("<?xml")
    code = cli.main(["sweep", "fire_rate_per_day=5000:80000:50", "--metric", "supply_days", "--out", str(tmp_path)])
    assert code == 0 and (tmp_path / "sweep-fire-rate-per-day.csv").is_file()


@pytest.mark.parametrize("args,words", [
    (["--output", "../escape"], "key 'name'"),
    (["--output", "a/b"], "key 'name'"),
    (["--metric", "revenue"], "unknown output"),
])
def test_sweep_refuses_bad_options(tmp_path, capsys, args, words):
    assert cli.main(["sweep", "price_152mm_usd=500:6000:5", "--out", str(tmp_path / "s"), *args]) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.rglob("*.csv"))


def test_solve_price_for_ten_percent_of_gni_matches_the_closed_form(catalog, capsys):
    code = cli.main(["solve", "share_of_economy=0.10", "--for", "price_152mm_usd", "-p", "volume_rounds=3000000",
                     "-p", "share_122mm=0", "--json"])
    assert code == 0
    answer = json.loads(capsys.readouterr().out)
    krw_per_usd = catalog.parameters["krw_per_usd"].default.central
    expected = 0.10 * 40.9e12 / krw_per_usd / 3_000_000
    assert answer["value"] == pytest.approx(expected, rel=1e-6)


def test_solve_fire_rate_for_a_target_duration(catalog):
    resolved = catalog.resolve({"dud_fraction": 0, "volume_rounds": 1_000_000})
    assert sweep.solve(resolved, catalog, "supply_days", 60, "fire_rate_per_day") == pytest.approx(1e6 / 60)


def test_unreachable_target_is_a_clear_error(capsys):
    assert cli.main(["solve", "share_of_economy=5", "--for", "fire_rate_per_day"]) == 2
    assert "does not reach 5" in capsys.readouterr().err


def test_override_as_a_range_becomes_a_distribution(capsys):
    assert cli.main(["estimate", "-p", "price_152mm_usd=2000:3000:4000", "-p", "share_122mm=0",
                     "-p", "volume_rounds=1000000", "--json", "--draws", "5000"]) == 0
    out = json.loads(capsys.readouterr().out)["outputs"]["revenue_usd"]
    assert 2.0e9 < out["p5"] < out["p50"] < out["p95"] < 4.0e9
    assert out["central"] == pytest.approx(3.0e9)


def test_whatif_set_compute_and_reject(catalog):
    w = WhatIf(catalog, draws=2000)
    w.set(price_152mm_usd=3000, volume_rounds=1_000_000, share_122mm=0, economy_year=2022, in_kind_share=0)
    sim = w.compute()
    assert sim.summary().loc["revenue_usd", "p50"] == pytest.approx(3.0e9)
    with pytest.raises(ScenarioError, match="dud_fraction"):
        w.set(dud_fraction=1.2)
    with pytest.raises(ScenarioError, match="not one of the what-if inputs"):
        w.set(explosives_t=5)


def test_saved_scenario_round_trips_with_the_same_numbers(catalog, tmp_path):
    w = WhatIf(catalog, draws=3000, seed=11)
    w.set(price_152mm_usd=2500, fire_rate_per_day=30000, economy_measure="gdp_nominal")
    path = w.save("my-what-if", "My what-if", "What if?", folder=tmp_path)
    scen = scenarios.load_scenario(path, catalog)
    again = montecarlo.simulate(scen.resolved, catalog, scen.draws, scen.seed)
    pd.testing.assert_frame_equal(again.outputs, w.compute().outputs)
    with pytest.raises(ScenarioError, match="already exists"):
        w.save("my-what-if", "x", "y", folder=tmp_path)


def test_ten_thousand_point_grid_is_vectorised(catalog):
    axes = [sweep.parse_axis("price_152mm_usd=500:6000:100", catalog.parameters),
            sweep.parse_axis("volume_rounds=1000000:3500000:100", catalog.parameters)]
    frame = sweep.grid(catalog.resolve(), catalog, axes)
    assert len(frame) == 10_000 and np.isfinite(frame.drop(columns=[]).to_numpy()).all()


@pytest.mark.parametrize("output", ["share_of_economy", "share_of_economy_per_year"])
def test_solve_names_the_measure_in_every_output(output, capsys, monkeypatch):
    """The cumulative and per-year shares read alike as 'share of the economy': every answer names which."""
    from dprk_arms.models.evaluate import OUTPUTS
    label = {o.name: o.label for o in OUTPUTS}[output]
    args = ["solve", f"{output}=0.10", "--for", "price_152mm_usd", "-p", "volume_rounds=3000000"]
    assert cli.main(args) == 0
    text = capsys.readouterr().out
    assert label.lower() in text.lower() and f"({output})" in text and "10.0%" in text
    assert cli.main([*args, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["measure"] == label and answer["output"] == output and answer["output_unit"] == "fraction"
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    from dprk_arms.presentation import whatif
    w = WhatIf(overrides={"volume_rounds": 3000000})
    whatif.show_solve(w, output, 0.10, "price_152mm_usd")
    assert label.lower() in shown[0] and f"<code>{output}</code>" in shown[0]


def test_an_unreachable_target_names_the_measure(capsys):
    assert cli.main(["solve", "share_of_economy_per_year=5", "--for", "fire_rate_per_day"]) == 2
    assert "revenue per year as share of the economy (share_of_economy_per_year) does not reach 5" in \
        capsys.readouterr().err


def _quantile_tolerance(reference, p, n, sigmas=4.0):
    """`sigmas` standard errors of the p-quantile of n draws, the density taken from the reference draws."""
    lo, hi = np.quantile(reference, [p - 0.01, p + 0.01])
    density = 0.02 / (hi - lo)
    return sigmas * np.sqrt(p * (1 - p) / n) / density


@pytest.mark.parametrize("output", ["revenue_usd", "share_of_economy_per_year", "supply_days"])
def test_panel_with_no_moves_reproduces_the_default_estimate(catalog, output):
    w = WhatIf(catalog, draws=5000, seed=7)
    assert w.overrides() == {} and w.fixed_text().startswith("Nothing fixed")
    panel = w.compute().outputs[output].to_numpy()
    reference = montecarlo.simulate(catalog.resolve(), catalog, 200_000, seed=99).outputs[output].to_numpy()
    for p in (0.05, 0.5, 0.95):
        assert abs(np.quantile(panel, p) - np.quantile(reference, p)) < _quantile_tolerance(reference, p, 5000), p


def test_moving_one_input_fixes_only_that_one(catalog):
    w = WhatIf(catalog, draws=2000)
    before = w.compute()
    w.set(price_152mm_usd=1285)
    assert w.overrides() == {"price_152mm_usd": 1285}
    after = w.compute()
    assert after.inputs["price_152mm_usd"].nunique() == 1
    for other in ("volume_rounds", "fire_rate_per_day", "in_kind_share", "rounds_per_container_152mm"):
        assert after.inputs[other].nunique() > 100, other  # still a distribution
    assert after.summary().loc["revenue_usd", "p95"] < before.summary().loc["revenue_usd", "p95"]
    assert "Price the DPRK realises per 152mm shell (USD/round) = $1,285" in w.fixed_text()
    w.release("price_152mm_usd")
    assert w.overrides() == {}


def test_the_fixed_text_names_what_the_scenario_fixes_and_re_ranges(catalog):
    w = WhatIf(catalog, overrides={"price_152mm_usd": 3000, "volume_route": "stated",
                                   "fire_rate_per_day": {"distribution": "uniform", "low": 5000, "high": 20000,
                                                         "central": 10000}})
    text = w.fixed_text()
    assert not text.startswith("Nothing fixed")
    assert "per 152mm shell (USD/round) = $3,000" in text and "= stated" in text
    assert "fired per day (rounds/day) from 5,000 to 20,000 (central 10,000)" in text
    w.set(price_152mm_usd=1285)  # a move takes the scenario's place, named once
    assert "= $1,285" in w.fixed_text() and "$3,000" not in w.fixed_text()


def test_the_fixed_text_says_who_set_what_and_what_goes_unused(catalog, tmp_path):
    w = WhatIf(catalog, overrides={"volume_route": "containers", "share_122mm": 0},
               correlations={"price_152mm_usd": {"dud_fraction": 0.4}}, as_of="2024-09-30")
    w.set(volume_rounds=3_000_000)
    text = w.fixed_text()
    moved, scenario = text.split("Fixed by the scenario:")
    assert moved.startswith("Moved here:") and "= 3m (not used: volume_route is containers)" in moved
    assert "(route) = containers" in scenario and "0.40" in scenario and "As of 30 September 2024." in scenario
    with pytest.raises(ScenarioError, match="not used when volume_route is containers"):
        w.save("unused-volume", "t", "q", folder=tmp_path)  # what render would refuse is not written
    assert not list(tmp_path.iterdir())
    with pytest.raises(ScenarioError, match="a move fixes one value"):
        w.set(price_152mm_usd="500:1000:4000")  # a range is not quietly turned into its central value


def test_saved_scenario_holds_only_the_moved_inputs(catalog, tmp_path):
    w = WhatIf(catalog, draws=2000, seed=5)
    path = w.save("untouched", "Untouched", "Nothing moved?", folder=tmp_path)
    doc = scenarios.read_document(path)
    assert "parameters" not in doc and "correlations" not in doc
    w.set(in_kind_share=0.5, in_kind_valuation_ratio=0.7).set_price_correlation(0.3)
    path = w.save("moved", "Moved", "Half in kind?", folder=tmp_path)
    doc = scenarios.read_document(path)
    assert doc["parameters"] == {"in_kind_share": 0.5, "in_kind_valuation_ratio": 0.7}
    assert doc["correlations"] == {"price_122mm_usd": {"price_152mm_usd": 0.3, "price_other_usd": 0.3},
                                   "price_152mm_usd": {"price_other_usd": 0.3}}
    spec = scenarios.load_scenario(path, catalog)
    again = montecarlo.simulate(spec.resolved, catalog, spec.draws, spec.seed, spec.timeline, spec.rank_correlations)
    pd.testing.assert_frame_equal(again.outputs, w.compute().outputs)


def test_saving_over_a_scenario_needs_the_overwrite_choice(catalog, tmp_path):
    w = WhatIf(catalog, draws=2000).set(price_152mm_usd=2000)
    w.save("mine", "Mine", "Q?", folder=tmp_path)
    with pytest.raises(ScenarioError, match="tick 'overwrite'"):
        w.save("mine", "Mine", "Q?", folder=tmp_path)
    w.set(price_152mm_usd=2500)
    w.save("mine", "Mine", "Q?", folder=tmp_path, overwrite=True)
    assert scenarios.read_document(tmp_path / "mine.yaml")["parameters"] == {"price_152mm_usd": 2500}


def test_a_price_correlation_that_contradicts_the_data_is_refused(catalog):
    w = WhatIf(catalog, draws=2000)
    with pytest.raises(ScenarioError, match="not a valid correlation matrix"):
        w.set_price_correlation(-0.9)
    assert w.price_correlation is None


def test_panel_labels_are_words_with_units_and_numbers_as_people_write_them(catalog):
    pytest.importorskip("ipywidgets")
    from dprk_arms.presentation import whatif
    w = WhatIf(catalog, draws=500)
    words = fmt.parameter_labels(catalog)
    controls = {n: whatif.Control(w, __import__("ipywidgets"), n, words[n]) for n in whatif.KEY_INPUTS}
    for name, control in controls.items():
        title = re.sub(r"<[^>]+>", "", control.title.value)
        assert name not in title and catalog.parameters[name].unit in title, title
        assert "e+" not in control.readout.value and "e-" not in control.readout.value
    assert "1.6m" in controls["volume_rounds"].readout.value
    assert "$1,000" in controls["price_152mm_usd"].readout.value
    assert "range $500 to $4,000" in controls["price_152mm_usd"].title.value
    controls["price_152mm_usd"].widget.value = 1285
    assert "$1,285" in controls["price_152mm_usd"].readout.value and w.fixed == {"price_152mm_usd": 1285}


@pytest.mark.parametrize("rank", [float("nan"), 1.5, -2, "half", "0.5x"])
def test_a_price_correlation_out_of_range_is_refused_and_the_panel_keeps_working(catalog, rank):
    w = WhatIf(catalog, draws=500)
    with pytest.raises(ScenarioError, match="expected a number from -1 to 1"):
        w.set_price_correlation(rank)
    assert w.price_correlation is None and w.fixed_text().startswith("Nothing fixed")
    w.compute()


@pytest.mark.parametrize("draws,seed", [(5, 1), (10**8, 1), (500, -1)])
def test_save_refuses_draws_or_a_seed_that_render_would_refuse(catalog, tmp_path, draws, seed):
    w = WhatIf(catalog, draws=draws, seed=seed)
    with pytest.raises(ScenarioError):
        w.save("bad-draws", "t", "q", folder=tmp_path)
    assert not list(tmp_path.iterdir())


def test_a_scenarios_own_statements_travel_into_the_panel_and_its_saved_file(catalog, tmp_path):
    """A what-if started from a scenario with its own dated counts estimates what render does, and saves them."""
    from dprk_arms.data import runspec
    extra = [{"date": "2024-04-30", "containers": 7500, "source": "a later statement"}]
    spec = runspec.build(catalog, as_of="2024-04-30", statements=extra)
    w = WhatIf(catalog, draws=2000, seed=spec.seed, as_of=spec.as_of, statements=spec.statements)
    assert w.compute().central["containers_count"] == pytest.approx(7500)
    assert "adds 1 dated statement" in w.fixed_text() and "As of 30 April 2024." in w.fixed_text()
    saved = scenarios.load_scenario(w.save("with-count", "t", "q", folder=tmp_path), catalog)
    assert list(saved.statements) == list(spec.statements)
