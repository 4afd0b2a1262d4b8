"""The command line as a user runs it: params, estimate, and its exit codes."""

import json

import pytest

from dprk_arms import cli
from dprk_arms.models.evaluate import OUTPUT_NAMES


def test_params_json_lists_every_parameter_with_unit_range_and_sources(catalog, capsys):
    assert cli.main(["params", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == set(catalog.parameters)
    price = rows["price_152mm_usd"]
    assert price["unit"] == "USD/round" and price["assumption"] is True
    assert price["default"] == "pert:500:1000:4000" and price["range"] == [0, 100000]
    assert "sky_bain_20240526" in price["sources"]
    assert rows["economy_year"]["range"] == [2021, 2022, 2023, 2024]


def test_params_text_flags_assumptions(capsys):
    assert cli.main(["params"]) == 0
    out = capsys.readouterr().out
    assert "dud_fraction (fraction)  [assumption]" in out and "allowed: 0 to 0.99" in out


def test_estimate_json_has_every_output_and_the_seed_arithmetic(capsys):
    assert cli.main(["estimate", "--scenario", "seed-headline", "--draws", "2000", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload["outputs"]) == set(OUTPUT_NAMES)
    assert payload["outputs"]["revenue_usd"]["p50"] == pytest.approx(3.0e9)
    assert payload["outputs"]["share_of_economy"]["p50"] > 0.10
    assert payload["outputs"]["supply_days"]["p50"] == pytest.approx(59.9, abs=0.1)


def test_estimate_table_and_seed_control(capsys):
    assert cli.main(["estimate", "--draws", "1000", "--seed", "5"]) == 0
    first = capsys.readouterr().out
    assert "Revenue, cumulative" in first and "1,000 draws, seed 5" in first
    assert cli.main(["estimate", "--draws", "1000", "--seed", "5"]) == 0
    assert capsys.readouterr().out == first


@pytest.mark.parametrize("args,words", [
    (["estimate", "--draws", "5"], "--draws"),
    (["estimate", "--scenario", "nope"], "nope.yaml"),
    (["render"], "name at least one scenario"),
    (["render", "baseline", "--jobs", "0"], "--jobs"),
])
def test_usage_errors_exit_2_with_one_line(args, words, capsys, tmp_path):
    if args[0] == "render":
        args = args + ["--out", str(tmp_path / "o")]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1
